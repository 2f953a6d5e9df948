use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, home.title)) />
        <section class="hero" data-page="home">
            <p class="hero__eyebrow">{t!(i18n, app.tagline)}</p>
            <h1 class="hero__title">{t!(i18n, home.hero_title)}</h1>
            <p class="hero__lead">{t!(i18n, home.hero_lead)}</p>
            <div class="hero__actions">
                <A href="/register" attr:class="button button--primary">
                    {t!(i18n, home.cta_register)}
                </A>
                <A href="/login" attr:class="button">
                    {t!(i18n, home.cta_login)}
                </A>
            </div>
        </section>

        <section class="steps" aria-labelledby="steps-title">
            <h2 id="steps-title">{t!(i18n, home.steps_title)}</h2>
            <ol class="steps__list">
                <li>
                    <h3>{t!(i18n, home.step_prepare_title)}</h3>
                    <p>{t!(i18n, home.step_prepare_body)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step_apply_title)}</h3>
                    <p>{t!(i18n, home.step_apply_body)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step_verify_title)}</h3>
                    <p>{t!(i18n, home.step_verify_body)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step_admin_title)}</h3>
                    <p>{t!(i18n, home.step_admin_body)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step_people_title)}</h3>
                    <p>{t!(i18n, home.step_people_body)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step_flows_title)}</h3>
                    <p>{t!(i18n, home.step_flows_body)}</p>
                </li>
            </ol>
        </section>

        <section class="features" aria-labelledby="features-title">
            <h2 id="features-title">{t!(i18n, home.features_title)}</h2>
            <div class="features__grid">
                <article>
                    <h3>{t!(i18n, home.feature_selfhosted_title)}</h3>
                    <p>{t!(i18n, home.feature_selfhosted_body)}</p>
                </article>
                <article>
                    <h3>{t!(i18n, home.feature_scale_title)}</h3>
                    <p>{t!(i18n, home.feature_scale_body)}</p>
                </article>
                <article>
                    <h3>{t!(i18n, home.feature_bilingual_title)}</h3>
                    <p>{t!(i18n, home.feature_bilingual_body)}</p>
                </article>
                <article>
                    <h3>{t!(i18n, home.feature_secure_title)}</h3>
                    <p>{t!(i18n, home.feature_secure_body)}</p>
                </article>
            </div>
        </section>
    }
}
