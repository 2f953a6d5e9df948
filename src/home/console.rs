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
