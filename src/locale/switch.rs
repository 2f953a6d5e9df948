use super::SetLocale;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_i18n::Locale as _;

fn native_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => td_string!(Locale::en, lang.en),
        Locale::zh_CN => td_string!(Locale::zh_CN, lang.zh_CN),
    }
}

/// Writes the language cookie in the browser, as `/api/locale` does for a
/// switch without JavaScript: the server renders the next page in it.
fn remember(locale: Locale) {
    use wasm_bindgen::JsCast as _;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let secure = document
        .location()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
        let _ = html.set_cookie(&super::cookie(locale.as_str(), secure));
    }
}

/// One button per language; the current one is marked pressed.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let buttons = Locale::get_all()
        .iter()
        .copied()
        .map(|locale| {
            let current = move || i18n.get_locale() == locale;
            view! {
                <form
                    method="post"
                    action=SetLocale::url()
                    class="lang-switch__form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        i18n.set_locale(locale);
                        remember(locale);
                    }
                >
                    <input type="hidden" name="locale" value=locale.as_str() />
                    <button
                        type="submit"
                        class="lang-switch__button"
                        lang=locale.as_str()
                        aria-pressed=move || current().to_string()
                        data-locale=locale.as_str()
                    >
                        {native_name(locale)}
                    </button>
                </form>
            }
        })
        .collect_view();
    view! {
        <div class="lang-switch" role="group" aria-label=move || t_string!(i18n, lang.switch)>
            {buttons}
        </div>
    }
}
