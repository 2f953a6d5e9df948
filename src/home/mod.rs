//! Where people land: the public home page (what Orgdesk is and where to
//! start), and the consoles' first pages after signing in.
mod console;
pub mod overview;
mod pages;

pub use console::{AdminHomePage, OperatorHomePage};
pub use pages::HomePage;
