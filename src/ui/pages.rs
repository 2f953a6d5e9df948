use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Shown for routes whose feature has not landed on this server yet.
#[component]
pub fn ComingSoon() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, coming_soon.title)) />
        <section class="notice">
            <h1>{t!(i18n, coming_soon.title)}</h1>
            <p>{t!(i18n, coming_soon.body)}</p>
            <p>
                <A href="/" attr:class="button">
                    {t!(i18n, coming_soon.back_home)}
                </A>
            </p>
        </section>
    }
}

/// The 404 page; on the server it also sets the status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, not_found.title)) />
        <section class="notice" data-page="not-found">
            <p class="notice__code" aria-hidden="true">
                "404"
            </p>
            <h1>{t!(i18n, not_found.title)}</h1>
            <p>{t!(i18n, not_found.body)}</p>
            <p>
                <A href="/" attr:class="button">
                    {t!(i18n, not_found.back_home)}
                </A>
            </p>
        </section>
    }
}

/// What a page shows when it could not be rendered.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    let i18n = use_i18n();
    let details = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, err)| {
                let app_error = err
                    .downcast_ref::<AppError>()
                    .cloned()
                    .unwrap_or(AppError::Internal { request_id: None });
                view! { <super::AppErrorView error=app_error /> }
            })
            .collect_view()
    };
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, error_page.title)) />
        <section class="notice" data-page="error">
            <h1>{t!(i18n, error_page.title)}</h1>
            <p>{t!(i18n, error_page.body)}</p>
            {details}
            <p>
                <a href="" class="button">
                    {t!(i18n, error_page.retry)}
                </a>
            </p>
        </section>
    }
}
