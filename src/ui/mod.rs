//! Shared components: page layout, error texts, and the pages every site has.
pub mod challenge;
mod errors;
mod form;
mod layout;
mod pages;

pub use errors::{AppErrorView, KNOWN_CODES, code_text};
pub use form::{CodeMessage, Field, FormError, field_code, last_error};
pub use layout::{ConsoleLayout, Layout, OperatorLayout};
pub use pages::{ComingSoon, ErrorPage, NotFound};

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
