//! Shared components: page layout, error texts, and the pages every site has.
mod errors;
mod form;
mod layout;
mod pages;

pub use errors::{AppErrorView, KNOWN_CODES, code_text};
pub use form::{CodeMessage, Field, FormError, field_code, last_error};
pub use layout::{ConsoleLayout, Layout, OperatorLayout};
pub use pages::{ComingSoon, ErrorPage, NotFound};
