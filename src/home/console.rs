//! Where administrators and operators land after signing in.
use crate::auth::use_me;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{AppErrorView, HomeCard, HomeCards, Loaded, text};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin`: where administrators land.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let overview = Resource::new(|| (), |_| super::overview::console_overview());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, console.title)) />
        <section class="page" data-page="admin-home">
            <Loaded resource=me let:me>
                {match me {
                    Some(a) => {
                        view! {
                            <h1>{a.org_name.clone().unwrap_or_default()}</h1>
                            <p class="page__lead">
                                {t!(i18n, console.welcome, name = a.name.clone())}
                            </p>
                            <OverviewPanel overview />
                            <HomeCards cards=admin_cards(i18n) />
                        }
                            .into_any()
                    }
                    None => view! { <AppErrorView error=AppError::Unauthenticated /> }.into_any(),
                }}
            </Loaded>
        </section>
    }
}

/// The organisation's numbers and the getting-started checklist, for an
/// administrator who sees the whole organisation (nothing for the others).
#[component]
fn OverviewPanel(overview: Resource<Result<super::overview::Overview, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(o) = overview.await else { return ().into_any() };
                let figure = |key: &'static str, value: i64, label: Signal<String>, href: &'static str| {
                    view! {
                        <li class="figure" data-figure=key>
                            <a href=href>
                                <strong>{value}</strong>
                                <span>{move || label.get()}</span>
                            </a>
                        </li>
                    }
                };
                let done = o.steps.iter().filter(|s| s.1).count();
                let total = o.steps.len();
                let steps = o
                    .steps
                    .clone()
                    .into_iter()
                    .map(|(key, ok, href)| {
                        let label = step_text(i18n, &key);
                        view! {
                            <li class="getting-started__step" data-step=key.clone() data-done=ok.to_string()>
                                <span class="getting-started__mark" aria-hidden="true">{if ok { "✓" } else { "○" }}</span>
                                <a href=href>{label}</a>
                                {ok.then(|| view! { <span class="visually-hidden">{t!(i18n, overview.done)}</span> })}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="panel overview" data-part="overview">
                        <h2>{t!(i18n, overview.people)}</h2>
                        {o.member_cap.map(|cap| view! {
                            <p class="muted" data-part="member-cap">{t!(i18n, overview.member_cap, cap = cap)}</p>
                        })}
                        <ul class="figures">
                            {figure("headcount", o.headcount, text!(i18n, overview.headcount), "/admin/contacts")}
                            {figure("active", o.active, text!(i18n, overview.active), "/admin/contacts")}
                            {figure("not_activated", o.not_activated, text!(i18n, overview.not_activated), "/admin/contacts")}
                            {figure("disabled", o.disabled, text!(i18n, overview.disabled), "/admin/contacts")}
                            {figure("failed_invitations", o.failed_invitations, text!(i18n, overview.failed_invitations), "/admin/contacts?status=not_activated")}
                            {figure("join_requests", o.pending_join_requests, text!(i18n, overview.join_requests), "/admin/contacts/join")}
                        </ul>
                    </section>
                    <section class="panel getting-started" data-part="checklist">
                        <h2>{t!(i18n, overview.checklist)}</h2>
                        <p class="muted">{t!(i18n, overview.progress, done = done, total = total)}</p>
                        <ol class="getting-started__steps">{steps}</ol>
                    </section>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// The words of a getting-started step.
fn step_text(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> Signal<String> {
    match key {
        "departments" => text!(i18n, overview.step_departments),
        "people" => text!(i18n, overview.step_people),
        "invitations" => text!(i18n, overview.step_invitations),
        "two_factor" => text!(i18n, overview.step_two_factor),
        "delegated" => text!(i18n, overview.step_delegated),
        _ => text!(i18n, overview.step_approvals),
    }
}

/// `/operator`: where platform operators land.
#[component]
pub fn OperatorHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, operator.title)) />
        <section class="page" data-page="operator-home">
            <h1>{t!(i18n, operator.title)}</h1>
            <Loaded resource=me let:me>
                {match me {
                    Some(a) => {
                        view! {
                            <p class="page__lead">
                                {t!(i18n, console.welcome, name = a.name.clone())}
                            </p>
                            <HomeCards cards=operator_cards(i18n)>
                                <crate::deliveries::FailedDeliveriesCard />
                            </HomeCards>
                        }
                            .into_any()
                    }
                    None => view! { <AppErrorView error=AppError::Unauthenticated /> }.into_any(),
                }}
            </Loaded>
        </section>
    }
}

/// The administrator's cards.
fn admin_cards(i18n: leptos_i18n::I18nContext<Locale>) -> Vec<HomeCard> {
    vec![
        HomeCard::new(
            "/admin/contacts",
            text!(i18n, nav.contacts),
            text!(i18n, console.contacts_body),
        ),
        HomeCard::new(
            "/admin/access",
            text!(i18n, nav.access),
            text!(i18n, console.access_body),
        ),
        HomeCard::new(
            "/admin/security",
            text!(i18n, nav.org_security),
            text!(i18n, console.org_security_body),
        ),
        HomeCard::new(
            "/admin/security/checkup",
            text!(i18n, nav.checkup),
            text!(i18n, console.checkup_body),
        ),
        HomeCard::new(
            "/admin/audit",
            text!(i18n, nav.audit),
            text!(i18n, console.audit_body),
        ),
        HomeCard::new(
            "/account/security",
            text!(i18n, nav.security),
            text!(i18n, console.security_body),
        ),
    ]
}

/// The operator's cards, before the undelivered messages' one.
fn operator_cards(i18n: leptos_i18n::I18nContext<Locale>) -> Vec<HomeCard> {
    vec![
        HomeCard::new(
            "/operator/reviews",
            text!(i18n, nav.reviews),
            text!(i18n, operator.reviews_body),
        ),
        HomeCard::new(
            "/operator/accounts",
            text!(i18n, nav.accounts),
            text!(i18n, operator.accounts_body),
        ),
        HomeCard::new(
            "/operator/audit",
            text!(i18n, nav.audit),
            text!(i18n, operator.audit_body),
        ),
        HomeCard::new(
            "/account/security",
            text!(i18n, nav.security),
            text!(i18n, console.security_body),
        ),
    ]
}
