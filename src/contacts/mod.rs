//! Contacts (通讯录): the department tree, employees, search and the org chart.
//!
//! Shared types travel between server and browser; `repo` holds the queries,
//! `api` the server functions, `pages` the screens under `/admin/contacts`.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod headcount;
#[cfg(feature = "ssr")]
pub mod pinyin;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seed;

pub use pages::{ContactsPage, EmployeeFormPage, EmployeePage, OrgChartPage};

/// Limits of contacts changes, from the server's configuration.
#[derive(Debug, Clone, Copy)]
pub struct ContactsSettings {
    /// How long a change waits for another change of the same organisation's
    /// contacts before it answers "busy, try again".
    pub lock_wait: std::time::Duration,
    /// `IMPORT_MAX_BYTES` and `IMPORT_MAX_ROWS`: the largest file an import
    /// takes (10 MiB) and the most people in it (100,000).
    pub import_max_bytes: usize,
    pub import_max_rows: usize,
}

/// The fields of an employee that each change records (audit `before` and
/// `after`), as the change history names them.
pub const RECORDED_FIELDS: &[&str] = &[
    "name",
    "userid",
    "mobile",
    "email",
    "position",
    "employee_no",
    "gender",
    "hire_date",
    "status",
    "main_department",
    "departments",
    "managers",
];

/// The deepest a department may sit, counting the root as level 1 (as WeCom).
pub const MAX_DEPTH: usize = 15;
/// Departments per organisation (as WeCom).
pub const MAX_DEPARTMENTS: i64 = 30_000;
/// Direct managers per employee (as WeCom).
pub const MAX_MANAGERS: usize = 5;
/// Heads of one department.
pub const MAX_HEADS: usize = 20;
/// Departments one person belongs to (WeCom's limit).
pub const MAX_DEPARTMENTS_PER_PERSON: usize = 100;
/// Members per page of the contacts list.
pub const PAGE_SIZE: i64 = 50;

/// One department as the tree shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentNode {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    /// People in this department and below, each counted once.
    pub headcount: i32,
    /// 1 for the root.
    pub depth: i32,
    pub child_count: i32,
    pub sort_order: i32,
    pub version: i32,
}

/// A whole tree, or a subtree, in columns and in tree order (parents before
/// children, siblings in their order). `parents[i]` is the position of
/// department i's parent in these columns, -1 for the top one; depth and
/// children follow from it. About 80 bytes of JSON a department, where a
/// list of [`DepartmentNode`]s takes about 190.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TreeColumns {
    pub ids: Vec<String>,
    pub parents: Vec<i32>,
    pub names: Vec<String>,
    /// People in the department and below, each counted once.
    pub headcounts: Vec<i32>,
    /// What a change to the department must name (`version`).
    pub versions: Vec<i32>,
}

impl TreeColumns {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Someone named on a screen, with a link to their page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
}

/// The selected department with what the console shows above its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentDetail {
    pub node: DepartmentNode,
    /// From the root down to the parent: (id, name).
    pub ancestors: Vec<(String, String)>,
    pub heads: Vec<PersonRef>,
    /// The heads' account ids, as the heads form takes them.
    pub head_userids: String,
    /// Members directly in this department, not below it.
    pub direct_members: i64,
}

impl DepartmentDetail {
    pub fn is_root(&self) -> bool {
        self.node.parent_id.is_none()
    }
}

/// What the console's tree shows: the path to the selected department opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub selected: DepartmentDetail,
    /// The root, the children of every department on the path to the
    /// selected one, and the selected one's children; in tree order.
    pub nodes: Vec<DepartmentNode>,
    pub department_count: i64,
    /// The caller may invite people (somewhere in their scope).
    #[serde(default)]
    pub may_invite: bool,
    /// The caller may manage the organisation's join link (inviting over
    /// the whole organisation).
    #[serde(default)]
    pub manages_join_link: bool,
    /// The caller may import people (managing contacts somewhere).
    #[serde(default)]
    pub may_import: bool,
}

/// Where an employee is in their life with the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployeeStatus {
    /// Added by an administrator, has not signed in yet (新建 / 未激活).
    NotActivated,
    Active,
    /// Cannot sign in; the record stays in the departments.
    Disabled,
    /// Has left; kept with their history, out of the headcount.
    Departed,
}

impl EmployeeStatus {
    pub const ALL: [EmployeeStatus; 4] = [
        EmployeeStatus::NotActivated,
        EmployeeStatus::Active,
        EmployeeStatus::Disabled,
        EmployeeStatus::Departed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeStatus::NotActivated => "not_activated",
            EmployeeStatus::Active => "active",
            EmployeeStatus::Disabled => "disabled",
            EmployeeStatus::Departed => "departed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Which members the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Everyone who has not left.
    #[default]
    Current,
    Departed,
    All,
    /// Added or invited, not joined yet.
    NotActivated,
    /// Those a colleague can reach: joined or invited, not disabled or left.
    Reachable,
}

impl StatusFilter {
    pub fn parse(s: &str) -> Self {
        match s {
            "departed" => StatusFilter::Departed,
            "all" => StatusFilter::All,
            "not_activated" => StatusFilter::NotActivated,
            _ => StatusFilter::Current,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Current => "current",
            StatusFilter::Departed => "departed",
            StatusFilter::All => "all",
            StatusFilter::NotActivated => "not_activated",
            StatusFilter::Reachable => "reachable",
        }
    }
}

/// One row of the members list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub userid: String,
    pub position: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub status: EmployeeStatus,
    /// Department names, the main one first.
    pub departments: Vec<String>,
}

/// A page of the members list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub items: Vec<MemberRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// One of an employee's departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeDepartment {
    pub id: String,
    pub name: String,
    /// "Acme / 市场部 / 华东区": where it sits.
    pub path: String,
    pub is_main: bool,
    pub is_head: bool,
}

/// A change to the employee, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `at` in the organisation's zone, the zone named.
    pub at_local: String,
    pub action: String,
    pub actor: Option<String>,
    /// Fields that changed: (field, before, after).
    pub changes: Vec<(String, String, String)>,
}

/// A box of the org chart: a department with its heads' names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartNode {
    pub node: DepartmentNode,
    pub heads: Vec<String>,
}

/// Everything the employee page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeDetail {
    pub id: String,
    pub name: String,
    pub userid: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub employee_no: Option<String>,
    pub gender: Option<String>,
    pub hire_date: Option<chrono::NaiveDate>,
    pub status: EmployeeStatus,
    pub role: Option<String>,
    /// A super administrator or a member of an admin group: their
    /// addresses sign in to the console.
    pub administrator: bool,
    pub departments: Vec<EmployeeDepartment>,
    pub managers: Vec<PersonRef>,
    /// The managers' account ids, as the form takes them.
    pub manager_userids: String,
    pub reports: Vec<PersonRef>,
    pub version: i32,
    /// The caller themselves: some actions are not offered on oneself.
    pub is_self: bool,
    pub history: Vec<HistoryEntry>,
}
