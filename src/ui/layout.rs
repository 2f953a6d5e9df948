use crate::auth::AccountBar;
use crate::i18n::*;
use crate::locale::LanguageSwitch;
use leptos::prelude::*;
use leptos_router::components::A;

/// Header, main area and footer around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">
            {t!(i18n, nav.skip_to_content)}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">
                        "O"
                    </span>
                    <span class="brand__name">{t!(i18n, app.name)}</span>
                </A>
                <nav class="site-nav" aria-label=move || t_string!(i18n, nav.main)>
                    <A href="/register">{t!(i18n, nav.register)}</A>
                    <A href="/login">{t!(i18n, nav.login)}</A>
                    <A href="/admin">{t!(i18n, nav.console)}</A>
                </nav>
                <LanguageSwitch />
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{t!(i18n, footer.about)}</p>
            <p>
                <a href="/healthz" rel="external">
                    {t!(i18n, footer.health)}
                </a>
            </p>
        </footer>
    }
}

/// The admin console frame: section navigation beside the content.
#[component]
pub fn ConsoleLayout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="console">
            <nav class="console__nav" aria-label=move || t_string!(i18n, nav.console)>
                <A href="/admin" exact=true>{t!(i18n, nav.overview)}</A>
                <A href="/admin/contacts">{t!(i18n, nav.contacts)}</A>
                <A href="/admin/access">{t!(i18n, nav.access)}</A>
                <A href="/admin/approvals">{t!(i18n, nav.approvals)}</A>
                <A href="/admin/security">{t!(i18n, nav.org_security)}</A>
                <A href="/admin/audit">{t!(i18n, nav.audit)}</A>
            </nav>
            <div class="console__content">
                <AccountBar />
                {children()}
            </div>
        </div>
    }
}

/// The platform operator's console frame.
#[component]
pub fn OperatorLayout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="console console--operator">
            <nav class="console__nav" aria-label=move || t_string!(i18n, nav.operator)>
                <A href="/operator" exact=true>{t!(i18n, nav.overview)}</A>
                <A href="/operator/reviews">{t!(i18n, nav.reviews)}</A>
                <A href="/operator/accounts">{t!(i18n, nav.accounts)}</A>
                <A href="/operator/audit">{t!(i18n, nav.audit)}</A>
                <A href="/operator/deliveries">{t!(i18n, nav.deliveries)}</A>
            </nav>
            <div class="console__content">
                <AccountBar />
                {children()}
            </div>
        </div>
    }
}
