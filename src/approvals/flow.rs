//! A template's flow: an ordered list of nodes (approval, CC, condition
//! branches), who approves at each and by which rule, and what happens when
//! nobody is found, when the submitter is an approver, on a rejection and
//! on a time limit. The model is ours, after WeCom, Feishu and yudao; the
//! server resolves it for one submission in `route`.
use super::form::{ControlKind, FormSchema, Value, Values};
use crate::error::{Code, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Nodes in one flow, branches' nodes included.
pub const MAX_NODES: usize = 50;
/// Branches of one branch node.
pub const MAX_BRANCHES: usize = 10;
/// Branch nodes inside branch nodes.
pub const MAX_DEPTH: usize = 4;
/// Levels up a manager or department-head rule looks.
pub const MAX_LEVEL: u8 = 20;
/// People named in one rule.
pub const MAX_NAMED: usize = 50;
/// Tests in one condition.
pub const MAX_TESTS: usize = 20;
/// Days after approval within which a submitter may withdraw.
pub const MAX_REVOKE_DAYS: u16 = 365;
/// Hours of a node's time limit.
pub const MAX_TIME_LIMIT_HOURS: u32 = 24 * 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Flow {
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub settings: FlowSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    Approval(ApprovalNode),
    Cc(CcNode),
    Branch(BranchNode),
}

impl Node {
    pub fn id(&self) -> &str {
        match self {
            Node::Approval(n) => &n.id,
            Node::Cc(n) => &n.id,
            Node::Branch(n) => &n.id,
        }
    }
}

/// A step that someone must decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalNode {
    /// Unique in the flow; the submitter's choices and returns refer to it.
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub approvers: Approvers,
    pub mode: Mode,
    #[serde(default)]
    pub if_empty: IfEmpty,
    /// Hours to decide, then `on_timeout`.
    #[serde(default)]
    pub time_limit_hours: Option<u32>,
    #[serde(default)]
    pub on_timeout: OnTimeout,
}

/// People copied (抄送).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CcNode {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub who: Approvers,
    pub timing: CcTiming,
}

/// Condition branches: the first whose condition holds is taken; the last
/// has no condition and is taken when none does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchNode {
    pub id: String,
    pub branches: Vec<Branch>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    pub name_en: String,
    pub name_zh: String,
    /// `None` only on the last branch, the default.
    #[serde(default)]
    pub condition: Option<Condition>,
    pub nodes: Vec<Node>,
}

/// Holds when any of its groups holds; a group holds when all its tests do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub any: Vec<Vec<Test>>,
}

/// One test of a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum Test {
    /// A number, an amount (yuan), a range's duration or a table's total
    /// compared with `value`. A field left blank fails every comparison.
    Compare { field: String, op: Cmp, value: f64 },
    /// A choice holds one of the options.
    OneOf { field: String, options: Vec<String> },
    /// The submitter is in one of the departments or below it.
    SubmitterUnder { departments: Vec<String> },
    /// The submitter is one of the people.
    SubmitterIs { people: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl Cmp {
    pub fn holds(self, a: f64, b: f64) -> bool {
        // Amounts and durations come to two decimals at most.
        let (a, b) = ((a * 100.0).round() as i64, (b * 100.0).round() as i64);
        match self {
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
            Cmp::Lt => "<",
            Cmp::Le => "≤",
            Cmp::Eq => "=",
        }
    }
}

/// Who approves (or is copied) at a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Approvers {
    /// The submitter's direct manager `level` levels up (1 = their own).
    Manager { level: u8 },
    /// Every manager from the submitter's own upward, to `to_level`, or
    /// to the first who holds `to_role` (all the way up when nobody does;
    /// 连续多级上级).
    ManagerChain {
        #[serde(default)]
        to_level: Option<u8>,
        #[serde(default)]
        to_role: Option<Role>,
    },
    /// The head of the submitter's department `level` levels up (1 = their
    /// own department), or `level` levels down from the top of the tree.
    DepartmentHead {
        level: u8,
        #[serde(default)]
        top_down: bool,
    },
    /// Named people.
    People { people: Vec<String> },
    /// Holders of a role.
    Role { role: Role },
    /// The people, or the heads of the departments, a form field names.
    Field { field: String },
    /// Chosen by the submitter, from `range` (anyone in the organisation
    /// when empty).
    Chosen {
        #[serde(default)]
        range: Vec<String>,
        #[serde(default)]
        multiple: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Role {
    /// The members of an admin group.
    AdminGroup { id: String },
    /// People with this position (职务), compared without case.
    Position { name: String },
}

/// How the approvers of one node decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Any one (或签).
    Any,
    /// All, in any order (会签).
    All,
    /// All, one by one in the order listed (依次).
    Sequential,
}

/// When a node finds nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IfEmpty {
    #[default]
    Skip,
    /// The organisation's approval administrator decides.
    Admin,
    /// The request is rejected when it reaches the node.
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    #[default]
    Remind,
    Approve,
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CcTiming {
    Submit,
    Finish,
    Both,
}

/// When the submitter is found among a node's approvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SelfRule {
    /// Their direct manager decides in their place (nobody when they have
    /// none: the node's empty rule).
    #[default]
    Manager,
    /// They are left out.
    Skip,
    /// Their part is approved automatically.
    AutoApprove,
    /// They decide their own request (the template allows it).
    Decide,
}

/// After a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnReject {
    /// The request ends, rejected.
    #[default]
    End,
    /// The approver may send it back to the submitter (or to an earlier
    /// node) to be changed and resubmitted.
    Return,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowSettings {
    #[serde(default)]
    pub self_rule: SelfRule,
    /// The same person on consecutive nodes approves once.
    #[serde(default = "yes")]
    pub dedupe: bool,
    #[serde(default)]
    pub on_reject: OnReject,
    /// Days after approval within which the submitter may withdraw (0: not after).
    #[serde(default)]
    pub revoke_days: u16,
}

fn yes() -> bool {
    true
}

impl Default for FlowSettings {
    fn default() -> Self {
        FlowSettings {
            self_rule: SelfRule::Manager,
            dedupe: true,
            on_reject: OnReject::End,
            revoke_days: 0,
        }
    }
}

/// What a condition needs to know of the submitter.
pub trait Submitter {
    /// The submitter's department path includes this department.
    fn under(&self, department: &str) -> bool;
    fn is(&self, person: &str) -> bool;
}

impl Condition {
    pub fn holds(&self, values: &Values, who: &dyn Submitter) -> bool {
        self.any
            .iter()
            .any(|group| group.iter().all(|t| t.holds(values, who)))
    }
}

impl Test {
    pub fn holds(&self, values: &Values, who: &dyn Submitter) -> bool {
        match self {
            Test::Compare { field, op, value } => values
                .get(field)
                .and_then(Value::measure)
                .is_some_and(|v| op.holds(v, *value)),
            Test::OneOf { field, options } => match values.get(field) {
                Some(Value::Choice(keys)) => keys.iter().any(|k| options.contains(k)),
                _ => false,
            },
            Test::SubmitterUnder { departments } => departments.iter().any(|d| who.under(d)),
            Test::SubmitterIs { people } => people.iter().any(|p| who.is(p)),
        }
    }
}

fn err(field: impl Into<String>, code: Code) -> FieldError {
    FieldError {
        field: field.into(),
        code,
    }
}

fn name_ok(s: &str) -> bool {
    let n = s.chars().count();
    (1..=super::form::MAX_LABEL).contains(&n) && s.trim() == s
}

fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Flow {
    /// Every node, branches' nodes after their branch node, depth first.
    pub fn walk(&self) -> Vec<&Node> {
        fn go<'a>(nodes: &'a [Node], out: &mut Vec<&'a Node>) {
            for n in nodes {
                out.push(n);
                if let Node::Branch(b) = n {
                    for br in &b.branches {
                        go(&br.nodes, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        go(&self.nodes, &mut out);
        out
    }

    /// Judges a flow made in the designer against its form: every problem,
    /// by path (`nodes.2.branches.0.nodes.1.approvers`).
    pub fn check(&self, form: &FormSchema) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let all = self.walk();
        if !all.iter().any(|n| matches!(n, Node::Approval(_))) {
            errors.push(err("nodes", Code::ApprovalsFlowEmpty));
        }
        if all.len() > MAX_NODES {
            errors.push(err("nodes", Code::ApprovalsTooManyNodes));
        }
        let mut ids = HashSet::new();
        for n in &all {
            if !id_ok(n.id()) || !ids.insert(n.id()) {
                errors.push(err(format!("node:{}", n.id()), Code::ApprovalsNodeId));
            }
        }
        check_nodes(&self.nodes, "nodes", 0, form, &mut errors);
        if self.settings.revoke_days > MAX_REVOKE_DAYS {
            errors.push(err("settings.revoke_days", Code::ApprovalsLimits));
        }
        errors
    }
}

fn check_nodes(
    nodes: &[Node],
    path: &str,
    depth: usize,
    form: &FormSchema,
    errors: &mut Vec<FieldError>,
) {
    for (i, node) in nodes.iter().enumerate() {
        let p = format!("{path}.{i}");
        match node {
            Node::Approval(a) => {
                if !name_ok(&a.name_en) || !name_ok(&a.name_zh) {
                    errors.push(err(format!("{p}.name"), Code::ApprovalsLabel));
                }
                check_approvers(&a.approvers, &format!("{p}.approvers"), form, errors);
                if a.time_limit_hours
                    .is_some_and(|h| h == 0 || h > MAX_TIME_LIMIT_HOURS)
                {
                    errors.push(err(format!("{p}.time_limit_hours"), Code::ApprovalsLimits));
                }
            }
            Node::Cc(c) => {
                if !name_ok(&c.name_en) || !name_ok(&c.name_zh) {
                    errors.push(err(format!("{p}.name"), Code::ApprovalsLabel));
                }
                if matches!(c.who, Approvers::Chosen { .. }) {
                    errors.push(err(format!("{p}.who"), Code::ApprovalsRule));
                } else {
                    check_approvers(&c.who, &format!("{p}.who"), form, errors);
                }
            }
            Node::Branch(b) => {
                if depth >= MAX_DEPTH {
                    errors.push(err(p.clone(), Code::ApprovalsTooDeep));
                    continue;
                }
                if b.branches.len() < 2 || b.branches.len() > MAX_BRANCHES {
                    errors.push(err(format!("{p}.branches"), Code::ApprovalsBranches));
                }
                let last = b.branches.len().saturating_sub(1);
                for (j, br) in b.branches.iter().enumerate() {
                    let bp = format!("{p}.branches.{j}");
                    if !name_ok(&br.name_en) || !name_ok(&br.name_zh) {
                        errors.push(err(format!("{bp}.name"), Code::ApprovalsLabel));
                    }
                    match (&br.condition, j == last) {
                        (Some(_), true) | (None, false) => errors
                            .push(err(format!("{bp}.condition"), Code::ApprovalsBranchDefault)),
                        (Some(c), false) => {
                            check_condition(c, &format!("{bp}.condition"), form, errors)
                        }
                        (None, true) => {}
                    }
                    check_nodes(&br.nodes, &format!("{bp}.nodes"), depth + 1, form, errors);
                }
            }
        }
    }
}

fn check_approvers(a: &Approvers, path: &str, form: &FormSchema, errors: &mut Vec<FieldError>) {
    let level_ok = |l: u8| (1..=MAX_LEVEL).contains(&l);
    let ok = match a {
        Approvers::Manager { level } | Approvers::DepartmentHead { level, .. } => level_ok(*level),
        Approvers::ManagerChain { to_level, to_role } => match (to_level, to_role) {
            (Some(l), None) => level_ok(*l),
            (None, Some(r)) => role_ok(r),
            _ => false,
        },
        Approvers::People { people } => !people.is_empty() && people.len() <= MAX_NAMED,
        Approvers::Role { role } => role_ok(role),
        Approvers::Field { field } => form.control(field).is_some_and(|c| {
            matches!(
                c.kind,
                ControlKind::Person { .. } | ControlKind::Department { .. }
            )
        }),
        Approvers::Chosen { range, .. } => range.len() <= MAX_NAMED,
    };
    if !ok {
        errors.push(err(path, Code::ApprovalsRule));
    }
}

fn role_ok(r: &Role) -> bool {
    match r {
        Role::AdminGroup { id } => !id.is_empty() && id.len() <= 64,
        Role::Position { name } => (1..=128).contains(&name.chars().count()),
    }
}

fn check_condition(c: &Condition, path: &str, form: &FormSchema, errors: &mut Vec<FieldError>) {
    let tests: usize = c.any.iter().map(Vec::len).sum();
    if c.any.is_empty() || c.any.iter().any(Vec::is_empty) || tests > MAX_TESTS {
        errors.push(err(path, Code::ApprovalsCondition));
        return;
    }
    for (g, group) in c.any.iter().enumerate() {
        for (t, test) in group.iter().enumerate() {
            let ok = match test {
                Test::Compare { field, value, .. } => {
                    value.is_finite()
                        && form.control(field).is_some_and(|c| {
                            matches!(
                                c.kind,
                                ControlKind::Number { .. }
                                    | ControlKind::Money { .. }
                                    | ControlKind::DateRange { .. }
                                    | ControlKind::Table { .. }
                            )
                        })
                }
                Test::OneOf { field, options } => {
                    !options.is_empty()
                        && form.control(field).is_some_and(|c| match &c.kind {
                            ControlKind::Choice { options: o, .. } => {
                                options.iter().all(|k| o.iter().any(|x| &x.key == k))
                            }
                            _ => false,
                        })
                }
                Test::SubmitterUnder { departments } => {
                    !departments.is_empty() && departments.len() <= MAX_NAMED
                }
                Test::SubmitterIs { people } => !people.is_empty() && people.len() <= MAX_NAMED,
            };
            if !ok {
                errors.push(err(format!("{path}.{g}.{t}"), Code::ApprovalsCondition));
            }
        }
    }
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
