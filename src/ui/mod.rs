//! Shared components, knowing no feature: the page layout and the console
//! frame, loading and error states, tables, pagers, form fields, action
//! panels, and the pages every site has.
pub mod challenge;
mod console;
mod cooldown;
mod errors;
mod form;
mod layout;
mod loaded;
mod pager;
mod pages;
mod table;
mod unsaved;

pub use console::{
    ActionPanel, ConfirmStep, ConsoleFrame, ConsoleHeader, ConsoleNav, HomeCard, HomeCards,
};
pub use cooldown::Cooldown;
pub use errors::AppErrorView;
pub use form::{CodeMessage, Field, FormError, field_code, last_error};
pub use layout::{HeaderNav, Layout};
pub use loaded::Loaded;
pub use pager::{CursorPager, Pager};
pub use pages::{ComingSoon, ErrorPage, NotFound};
pub use table::Table;
pub(crate) use table::columns;
pub use unsaved::guard_unsaved;

/// A translated text as a `Signal<String>` that follows the language:
/// `text!(i18n, login.password)` for a `Field`'s label or hint.
macro_rules! text {
    ($i18n:ident, $($key:tt)+) => {
        ::leptos::prelude::Signal::derive(move || {
            $crate::i18n::t_string!($i18n, $($key)+).to_string()
        })
    };
}
pub(crate) use text;

/// A page's title in the current language. The server writes the head after
/// the body of a page rendered whole, when the page's reactive values may be
/// gone, so there the title is read once while the page renders; in the
/// browser it follows a change of language.
pub fn page_title<T: Into<String>>(
    text: impl Fn() -> T + Send + Sync + 'static,
) -> leptos::text_prop::TextProp {
    #[cfg(feature = "ssr")]
    {
        leptos::text_prop::TextProp::from(text().into())
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos::text_prop::TextProp::from(move || text().into())
    }
}

/// Percent-encodes everything but the unreserved characters (RFC 3986), for
/// a value in an address's query.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
