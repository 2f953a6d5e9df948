//! Pages of sign-in, first-run setup, password recovery and account security.
mod account_bar;
mod forgot;
mod security;
mod sessions;
mod setup;
mod sign_in;
mod site_nav;
pub use account_bar::*;
pub use forgot::*;
pub use security::*;
pub use sessions::*;
pub use setup::*;
pub use sign_in::*;
pub use site_nav::*;
