//! Approvals (审批): templates with their forms and flows, requests and the
//! tasks of their approvers. The form and flow models are shared with the
//! browser (the designer and the submitter's form check what they can as
//! the person types); the server resolves a flow into a route, keeps the
//! request and task state machines (enforced again by the database) and
//! notifies people through the outbox.
pub mod builtin;
pub mod flow;
pub mod form;
#[cfg(feature = "ssr")]
pub mod route;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod repo;

use flow::Flow;
use form::FormSchema;
use serde::{Deserialize, Serialize};

/// Who may submit requests of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitters {
    pub everyone: bool,
    /// Department ids: their people and everyone below.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Account ids.
    #[serde(default)]
    pub people: Vec<String>,
}

impl Default for Submitters {
    fn default() -> Self {
        Submitters {
            everyone: true,
            departments: Vec::new(),
            people: Vec::new(),
        }
    }
}

/// What the designer edits and publishing fixes as a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Design {
    pub form: FormSchema,
    pub flow: Flow,
    #[serde(default)]
    pub submitters: Submitters,
}

/// A template as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: String,
    /// `leave`, `reimbursement`, `overtime` or `custom`.
    pub kind: String,
    pub name_en: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_zh: String,
    pub enabled: bool,
    /// The version new requests start with (none before the first publish).
    pub published: Option<i32>,
    /// The designer holds changes not yet published.
    pub has_draft: bool,
    /// Bumped by every change (a change from a stale screen is refused).
    pub version: i32,
}

/// The request states, after WeCom's `sp_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
    /// Withdrawn after approval.
    Revoked,
    /// Sent back to the submitter to change and resubmit.
    Returned,
}

impl RequestStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
            RequestStatus::Revoked => "revoked",
            RequestStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RequestStatus::Pending,
            RequestStatus::Approved,
            RequestStatus::Rejected,
            RequestStatus::Withdrawn,
            RequestStatus::Revoked,
            RequestStatus::Returned,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}
