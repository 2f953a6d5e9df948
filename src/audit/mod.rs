//! The audit log: an append-only record of security-relevant actions,
//! written in the same transaction as the change it describes.
use serde::{Deserialize, Serialize};

mod action;
pub mod api;
pub mod details;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use action::Action;
pub use pages::*;

/// One row of the audit log, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The time in the reader's zone, the zone named.
    pub at_local: String,
    pub action: String,
    pub actor_name: Option<String>,
    pub actor_kind: Option<String>,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Compact JSON of the details.
    pub details: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page.
    pub next_before: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;
