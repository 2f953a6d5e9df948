//! Approval queries; every one takes the organisation.
pub mod facts;
pub mod templates;
