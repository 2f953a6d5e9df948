//! Approvals (审批): templates with their forms and flows, requests and the
//! tasks of their approvers. The form and flow models are shared with the
//! browser (the designer and the submitter's form check what they can as
//! the person types); the server resolves a flow into a route, keeps the
//! request and task state machines (enforced again by the database) and
//! notifies people through the outbox.
pub mod api;
pub mod builtin;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod files;
pub mod flow;
pub mod form;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod route;
pub mod values;

use crate::error::FieldError;
use flow::Flow;
use form::{FormSchema, Values};
use route::Route;
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

/// Names for the ids a template or a route mentions: (id, name) each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Names {
    pub people: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    pub groups: Vec<(String, String)>,
    /// Attachments: (id, file name).
    #[serde(default)]
    pub files: Vec<(String, String)>,
}

impl Names {
    pub fn person(&self, id: &str) -> String {
        find(&self.people, id)
    }
    pub fn department(&self, id: &str) -> String {
        find(&self.departments, id)
    }
    pub fn group(&self, id: &str) -> String {
        find(&self.groups, id)
    }
    pub fn file(&self, id: &str) -> String {
        find(&self.files, id)
    }
}

fn find(list: &[(String, String)], id: &str) -> String {
    list.iter()
        .find(|(k, _)| k == id)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "?".into())
}

/// A published version of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: i32,
    pub published_at: String,
    pub published_by: Option<String>,
    /// Requests made with this version.
    pub requests: i64,
}

/// What the designer opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateEditor {
    pub template: TemplateSummary,
    pub design: Design,
    /// What stands in the way of publishing the design.
    pub problems: Vec<FieldError>,
    pub versions: Vec<VersionInfo>,
    pub names: Names,
    /// The organisation's admin groups (id, name), for rules by role.
    pub groups: Vec<(String, String)>,
}

/// A route with the names of everyone and everything it mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    pub route: Route,
    pub names: Names,
}

/// A template a member may submit, with what its form needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormView {
    pub template: TemplateSummary,
    pub design: Design,
    /// The caller's departments (id, path), their main one first.
    pub departments: Vec<(String, String)>,
    pub names: Names,
}

/// A request in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: String,
    pub number: i64,
    pub template_en: String,
    pub template_zh: String,
    pub submitter: String,
    pub submitter_name: String,
    pub status: String,
    pub summary: String,
    pub submitted_at: String,
    /// The task of the caller this row stands for (the inbox).
    pub task: Option<String>,
    /// Who the request waits for now.
    pub waiting_for: Vec<String>,
}

/// A page of requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub rows: Vec<RequestRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The inbox's tabs and their counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub page: RequestPage,
    pub pending: i64,
    pub handled: i64,
    pub cc: i64,
    /// The organisation's templates to filter by: (id, English, Chinese).
    pub templates: Vec<(String, String, String)>,
    /// The name of the person the page is filtered by, when it is (shown
    /// in the filter even when the tab holds none of their requests).
    pub submitter_name: Option<String>,
}

/// One approver's part as the request shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: String,
    pub node: i32,
    pub round: i32,
    pub assignee: String,
    pub assignee_name: String,
    /// Acting for this person (a delegation).
    pub principal_name: Option<String>,
    pub status: String,
    pub automatic: bool,
    pub comment: Option<String>,
    pub decided_at: Option<String>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub kind: String,
    pub actor: Option<String>,
    pub on_behalf_of: Option<String>,
    pub node: Option<i32>,
    pub comment: Option<String>,
}

/// A request opened by someone it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub row: RequestRow,
    /// The template's id (to copy the request or change it).
    pub template: String,
    pub form: FormSchema,
    pub values: Values,
    pub route: Route,
    pub current_node: Option<i32>,
    pub tasks: Vec<TaskView>,
    pub timeline: Vec<EventView>,
    pub names: Names,
    /// The caller's pending task on it.
    pub my_task: Option<String>,
    pub can_withdraw: bool,
    pub can_urge: bool,
    /// Rejections may send it back (to the submitter or an earlier node).
    pub returns: bool,
    pub is_submitter: bool,
}

/// An out-of-office delegation as its principal or delegate sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationRow {
    pub id: String,
    pub principal_name: String,
    pub delegate_name: String,
    pub starts_at: String,
    pub ends_at: String,
    /// `upcoming`, `open`, `ended` or `cancelled`.
    pub state: String,
}

/// The caller's delegations and how they hear about approvals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegations {
    /// Theirs: who acts for them, and when.
    pub mine: Vec<DelegationRow>,
    /// Others' they act for.
    pub for_me: Vec<DelegationRow>,
    /// `immediate` or `digest`.
    pub notices: String,
}
