//! Messages the outbox gave up on, shown to platform operators so that a
//! broken SMTP server or SMS gateway is noticed instead of silently losing
//! codes and notices.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use pages::*;

/// One message that was given up on after its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedDelivery {
    pub id: String,
    /// When it was queued; RFC 3339, UTC.
    pub queued_at: String,
    /// The same in the platform's zone, the zone named.
    pub queued_at_local: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The address or number, partly hidden.
    pub recipient: String,
    /// The template's name, e.g. `verification_code`.
    pub template: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A page of failed messages, newest first, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedDeliveries {
    pub total: i64,
    pub entries: Vec<FailedDelivery>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<String>,
}

pub const PAGE_SIZE: i64 = 50;
