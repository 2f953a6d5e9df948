//! The audit log pages.
