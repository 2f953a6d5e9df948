//! The interface language: a switch on every page, remembered in a cookie.
//!
//! With JavaScript the switch happens in place (the translations are already
//! in the page and the cookie is written by the client); without it the form
//! posts to `/api/locale`, which sets the same cookie and sends the browser
//! back to the page it came from.
mod switch;

pub use switch::LanguageSwitch;

use crate::error::AppError;
use leptos::prelude::*;

/// Name of the cookie that remembers the chosen language (leptos_i18n's default).
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// How long the language choice is remembered: one year.
pub const LOCALE_COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;

/// Remembers `locale` (`en` or `zh-CN`) as the visitor's language.
#[server(prefix = "/api", endpoint = "locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    use crate::i18n::Locale;
    use leptos_i18n::Locale as _;

    let Some(chosen) = Locale::get_all().iter().find(|l| l.as_str() == locale) else {
        return Err(AppError::field("locale", "validation.choice"));
    };
    let secure = crate::server::state::app_state()?.config.cookie_secure;
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age={LOCALE_COOKIE_MAX_AGE_SECS}; SameSite=Lax{}",
        chosen.as_str(),
        if secure { "; Secure" } else { "" }
    );
    let value = http::HeaderValue::from_str(&cookie).map_err(AppError::internal)?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(http::header::SET_COOKIE, value);
    Ok(())
}
