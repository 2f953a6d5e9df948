//! Where administrators and operators land after signing in.
use crate::auth::api::who_am_i;
use crate::i18n::*;
use crate::ui::AppErrorView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/admin`: where administrators land.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, console.title)) />
        <section class="page" data-page="admin-home">
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(a)) => {
                            view! {
                                <h1>{a.org_name.clone().unwrap_or_default()}</h1>
                                <p class="page__lead">
                                    {t!(i18n, console.welcome, name = a.name.clone())}
                                </p>
                                <ul class="cards">
                                    <li class="card">
                                        <A href="/admin/contacts">{t!(i18n, nav.contacts)}</A>
                                        <p>{t!(i18n, console.contacts_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/admin/access">{t!(i18n, nav.access)}</A>
                                        <p>{t!(i18n, console.access_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/admin/approvals">{t!(i18n, nav.approvals)}</A>
                                        <p>{t!(i18n, console.approvals_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/admin/audit">{t!(i18n, nav.audit)}</A>
                                        <p>{t!(i18n, console.audit_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/account/security">{t!(i18n, nav.security)}</A>
                                        <p>{t!(i18n, console.security_body)}</p>
                                    </li>
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! { <AppErrorView error=crate::error::AppError::Unauthenticated /> }
                                .into_any()
                        }
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/operator`: where platform operators land.
#[component]
pub fn OperatorHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, operator.title)) />
        <section class="page" data-page="operator-home">
            <h1>{t!(i18n, operator.title)}</h1>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(a)) => {
                            view! {
                                <p class="page__lead">
                                    {t!(i18n, console.welcome, name = a.name.clone())}
                                </p>
                                <ul class="cards">
                                    <li class="card">
                                        <A href="/operator/reviews">{t!(i18n, nav.reviews)}</A>
                                        <p>{t!(i18n, operator.reviews_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/operator/accounts">{t!(i18n, nav.accounts)}</A>
                                        <p>{t!(i18n, operator.accounts_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/operator/audit">{t!(i18n, nav.audit)}</A>
                                        <p>{t!(i18n, operator.audit_body)}</p>
                                    </li>
                                    <crate::deliveries::FailedDeliveriesCard />
                                    <li class="card">
                                        <A href="/account/security">{t!(i18n, nav.security)}</A>
                                        <p>{t!(i18n, console.security_body)}</p>
                                    </li>
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! { <AppErrorView error=crate::error::AppError::Unauthenticated /> }
                                .into_any()
                        }
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
