//! The public home page: what Orgdesk is and where to start.
mod pages;

pub use pages::HomePage;
