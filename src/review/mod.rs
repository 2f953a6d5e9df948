//! Platform review (审核) of registrations: the queue, the detail page with
//! every field and document, and the decisions.
//!
//! A decision names the submission it judged (`submission_no`) and is taken
//! only while that submission waits for review, so of two operators deciding
//! at once, the second is told that someone else decided first.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use pages::*;

use crate::registration::{Application, DecisionView, Status};
use serde::{Deserialize, Serialize};

/// Which applications the queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueFilter {
    /// Submitted or under review: oldest first, as they should be handled.
    Pending,
    Rejected,
    Approved,
}

impl QueueFilter {
    pub fn parse(s: &str) -> Self {
        match s {
            "rejected" => QueueFilter::Rejected,
            "approved" => QueueFilter::Approved,
            _ => QueueFilter::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QueueFilter::Pending => "pending",
            QueueFilter::Rejected => "rejected",
            QueueFilter::Approved => "approved",
        }
    }
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: String,
    pub org_name: String,
    pub credit_code: String,
    pub admin_name: String,
    pub status: Status,
    pub submission_no: i32,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `submitted_at` in the platform's zone, the zone named.
    pub submitted_at_local: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds since it was submitted.
    pub age_secs: i64,
    pub reviewer_name: Option<String>,
}

/// A page of the queue with the count behind each filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub filter: QueueFilter,
    pub items: Vec<QueueItem>,
    pub page: i64,
    pub pages: i64,
    pub pending: i64,
    pub rejected: i64,
    pub approved: i64,
}

pub const QUEUE_PAGE_SIZE: i64 = 25;

/// Everything an operator needs to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDetail {
    pub id: String,
    pub application: Application,
    /// The check character of the credit code matches (GB 32100).
    pub credit_code_checksum_ok: bool,
    /// What the identity verifier said (`manual`, `verified`, `failed:…`).
    pub identity_check: Option<String>,
    /// Fields and documents changed since the last decided submission.
    pub changed: Vec<String>,
    /// Newest first.
    pub decisions: Vec<DecisionView>,
    pub reviewer_name: Option<String>,
    pub organisation_id: Option<String>,
}

/// The snapshot keys a change list can name, besides document kinds.
pub const SNAPSHOT_FIELDS: &[&str] = &[
    "org_name",
    "industry",
    "size_band",
    "credit_code",
    "province",
    "city",
    "address",
    "admin_name",
    "admin_mobile",
    "admin_email",
    "legal_name",
    "legal_id_number",
    "admin_is_legal",
];

/// What differs between two submission snapshots: field names, then the
/// kinds of documents added, replaced or removed.
pub fn changes(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = SNAPSHOT_FIELDS
        .iter()
        .filter(|f| before.get(**f) != after.get(**f))
        .map(|f| (*f).to_owned())
        .collect();
    let docs = |v: &serde_json::Value| {
        v.get("documents")
            .and_then(|d| d.as_object())
            .cloned()
            .unwrap_or_default()
    };
    let (b, a) = (docs(before), docs(after));
    for kind in crate::registration::DocumentKind::ALL {
        if b.get(kind.as_str()) != a.get(kind.as_str()) {
            out.push(kind.as_str().to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_fields_and_documents() {
        let before =
            json!({"org_name": "A", "city": "X", "documents": {"licence": "aa", "id_front": "bb"}});
        let after = json!({"org_name": "A", "city": "Y", "documents": {"licence": "cc", "id_front": "bb", "bank_permit": "dd"}});
        assert_eq!(
            changes(&before, &after),
            vec!["city", "licence", "bank_permit"]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
