//! Shared components: page layout, error texts, and the pages every site has.
mod errors;
mod layout;
mod pages;

pub use errors::{AppErrorView, KNOWN_CODES, code_text};
pub use layout::{ConsoleLayout, Layout};
pub use pages::{ComingSoon, ErrorPage, NotFound};
