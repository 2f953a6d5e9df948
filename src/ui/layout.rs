use crate::i18n::*;
use crate::locale::LanguageSwitch;
use leptos::prelude::*;
use leptos_router::components::A;

/// The header's links, which depend on who is signed in (the app passes them).
#[slot]
pub struct HeaderNav {
    children: ChildrenFn,
}

/// Header, main area and footer around every page.
#[component]
pub fn Layout(header_nav: HeaderNav, children: Children) -> impl IntoView {
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
                    {(header_nav.children)()}
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
