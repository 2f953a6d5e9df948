//! A flow resolved for one submission: the branch taken at each branch
//! node, and node by node who decides and by which rule, who a rule left
//! out and why, and who is copied. The simulator shows exactly this, and a
//! submission stores it and follows it, so what an administrator sees
//! before publishing is what then happens.
use super::flow::{
    Approvers, CcTiming, Flow, IfEmpty, Mode, Node, OnTimeout, Role, SelfRule, Submitter,
};
use super::form::Values;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Approvers of one node at most (a role held by thousands is a mistake
/// the simulator shows).
pub const MAX_NODE_APPROVERS: usize = 100;

/// What the organisation's contacts say, as far as one flow needs it.
/// Ids are account and department ids as text.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub submitter: String,
    /// Each person's direct manager (their first).
    pub managers: HashMap<String, String>,
    /// The submitter's department for the request: the path from the top
    /// of the tree down to it.
    pub chain: Vec<String>,
    /// Every department the submitter is in, and every one above them.
    pub under: HashSet<String>,
    /// Each department's heads, in order.
    pub heads: HashMap<String, Vec<String>>,
    /// Each admin group's members.
    pub groups: HashMap<String, Vec<String>>,
    /// People by position, lower-cased.
    pub positions: HashMap<String, Vec<String>>,
    /// People who can act on a task (signed in at least once, not disabled,
    /// not departed).
    pub active: HashSet<String>,
    /// Who receives a node that found nobody, when its rule says so.
    pub approval_admin: Option<String>,
}

impl Submitter for Facts {
    fn under(&self, department: &str) -> bool {
        self.under.contains(department)
    }
    fn is(&self, person: &str) -> bool {
        self.submitter == person
    }
}

impl Facts {
    fn holds(&self, role: &Role, person: &str) -> bool {
        self.role(role).iter().any(|p| p == person)
    }

    fn role(&self, role: &Role) -> &[String] {
        match role {
            Role::AdminGroup { id } => self.groups.get(id),
            Role::Position { name } => self.positions.get(&name.to_lowercase()),
        }
        .map(Vec::as_slice)
        .unwrap_or(&[])
    }
}

/// The whole route of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Route {
    pub steps: Vec<Step>,
    pub cc: Vec<Copied>,
    pub branches: Vec<BranchTaken>,
}

/// One approval node as resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub node_id: String,
    pub name_en: String,
    pub name_zh: String,
    pub mode: Mode,
    pub approvers: Vec<Pick>,
    /// People a rule considered and left out, and rules that found nobody.
    pub left_out: Vec<LeftOut>,
    pub outcome: Outcome,
    pub time_limit_hours: Option<u32>,
    pub on_timeout: OnTimeout,
    /// The submitter must choose this node's approvers (not chosen yet).
    #[serde(default)]
    pub needs_choice: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The approvers decide.
    Decide,
    /// Nobody decides: the node is passed.
    Skip,
    /// The request is rejected on reaching the node (nobody found).
    Reject,
}

/// Someone who decides at a node, and why them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub person: String,
    pub why: Why,
    /// Approved without them acting, and why.
    #[serde(default)]
    pub auto: Option<Auto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Why {
    Manager {
        level: u8,
    },
    ManagerChain {
        level: u8,
    },
    DepartmentHead {
        department: String,
        level: u8,
    },
    Named,
    Role {
        role: Role,
    },
    Field {
        field: String,
    },
    /// Head of a department a form field names.
    FieldHead {
        field: String,
        department: String,
    },
    Chosen,
    /// The node found nobody; the approval administrator decides.
    ApprovalAdmin,
    /// The submitter was an approver; their manager decides instead.
    ForSubmitter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "auto", rename_all = "snake_case")]
pub enum Auto {
    /// The submitter approving their own request (the flow says so).
    Submitter,
    /// Approved at the node before (the same person approves once).
    Duplicate { node_id: String },
}

/// Someone a rule left out, or a rule that found nobody.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    #[serde(default)]
    pub person: Option<String>,
    pub why: Gap,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "gap", rename_all = "snake_case")]
pub enum Gap {
    /// The submitter has no manager so far up.
    NoManager { level: u8 },
    /// No department so far up, or one without a head.
    NoHead {
        #[serde(default)]
        department: Option<String>,
        level: u8,
    },
    /// Nobody holds the role, the field is blank, or nobody is named.
    NobodyFound,
    /// Disabled, departed, or never signed in.
    Inactive,
    /// The submitter, left out by the flow's rule.
    Submitter,
    /// The node found nobody and is passed.
    Skipped,
    /// The node found nobody and the request is rejected there.
    Rejected,
    /// The approval administrator is not set or cannot act.
    NoAdmin,
}

/// Someone copied, when, and why them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Copied {
    pub person: String,
    pub node_id: String,
    pub timing: CcTiming,
    pub why: Why,
}

/// The branch a branch node took, and the conditions tested before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchTaken {
    pub node_id: String,
    /// The index of the branch taken; the ones before it did not hold.
    pub taken: usize,
    pub name_en: String,
    pub name_zh: String,
    pub default: bool,
}

/// Why a flow cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// A node would have more than [`MAX_NODE_APPROVERS`] approvers.
    TooManyApprovers { node_id: String },
    /// The submitter chose someone outside the node's range, or several
    /// where one is taken.
    BadChoice { node_id: String },
}

/// Resolves `flow` for a submitter (`facts`) and their form (`values`);
/// `chosen` holds the approvers the submitter picked, by node id.
pub fn resolve(
    flow: &Flow,
    values: &Values,
    facts: &Facts,
    chosen: &BTreeMap<String, Vec<String>>,
) -> Result<Route, RouteError> {
    let mut route = Route::default();
    walk(&flow.nodes, flow, values, facts, chosen, &mut route)?;
    Ok(route)
}

fn walk(
    nodes: &[Node],
    flow: &Flow,
    values: &Values,
    facts: &Facts,
    chosen: &BTreeMap<String, Vec<String>>,
    route: &mut Route,
) -> Result<(), RouteError> {
    for node in nodes {
        match node {
            Node::Branch(b) => {
                let last = b.branches.len().saturating_sub(1);
                let taken = b
                    .branches
                    .iter()
                    .position(|br| {
                        br.condition
                            .as_ref()
                            .is_some_and(|c| c.holds(values, facts))
                    })
                    .unwrap_or(last);
                let Some(br) = b.branches.get(taken) else {
                    continue;
                };
                route.branches.push(BranchTaken {
                    node_id: b.id.clone(),
                    taken,
                    name_en: br.name_en.clone(),
                    name_zh: br.name_zh.clone(),
                    default: br.condition.is_none(),
                });
                walk(&br.nodes, flow, values, facts, chosen, route)?;
            }
            Node::Cc(c) => {
                let mut left_out = Vec::new();
                for (person, why) in candidates(&c.who, values, facts, None, &mut left_out) {
                    if person == facts.submitter
                        || !facts.active.contains(&person)
                        || route.cc.iter().any(|x| x.person == person)
                    {
                        continue;
                    }
                    route.cc.push(Copied {
                        person,
                        node_id: c.id.clone(),
                        timing: c.timing,
                        why,
                    });
                }
            }
            Node::Approval(a) => {
                let mut left_out = Vec::new();
                let picked = chosen.get(&a.id);
                if let (Approvers::Chosen { range, multiple }, Some(p)) = (&a.approvers, picked) {
                    let outside = !range.is_empty() && p.iter().any(|x| !range.contains(x));
                    if outside || (!multiple && p.len() > 1) {
                        return Err(RouteError::BadChoice {
                            node_id: a.id.clone(),
                        });
                    }
                }
                let needs_choice = matches!(a.approvers, Approvers::Chosen { .. })
                    && picked.is_none_or(Vec::is_empty);
                let mut picks: Vec<Pick> = Vec::new();
                for (person, why) in candidates(&a.approvers, values, facts, picked, &mut left_out)
                {
                    if picks.iter().any(|p| p.person == person) {
                        continue;
                    }
                    if !facts.active.contains(&person) {
                        left_out.push(LeftOut {
                            person: Some(person),
                            why: Gap::Inactive,
                        });
                        continue;
                    }
                    picks.push(Pick {
                        person,
                        why,
                        auto: None,
                    });
                }
                apply_self_rule(flow.settings.self_rule, facts, &mut picks, &mut left_out);
                let mut outcome = Outcome::Decide;
                if picks.is_empty() && !needs_choice {
                    match a.if_empty {
                        IfEmpty::Skip => {
                            outcome = Outcome::Skip;
                            left_out.push(LeftOut {
                                person: None,
                                why: Gap::Skipped,
                            });
                        }
                        IfEmpty::Reject => {
                            outcome = Outcome::Reject;
                            left_out.push(LeftOut {
                                person: None,
                                why: Gap::Rejected,
                            });
                        }
                        IfEmpty::Admin => match &facts.approval_admin {
                            Some(admin) if facts.active.contains(admin) => picks.push(Pick {
                                person: admin.clone(),
                                why: Why::ApprovalAdmin,
                                auto: (admin == &facts.submitter
                                    && flow.settings.self_rule != SelfRule::Decide)
                                    .then_some(Auto::Submitter),
                            }),
                            _ => {
                                outcome = Outcome::Skip;
                                left_out.push(LeftOut {
                                    person: None,
                                    why: Gap::NoAdmin,
                                });
                            }
                        },
                    }
                }
                if picks.len() > MAX_NODE_APPROVERS {
                    return Err(RouteError::TooManyApprovers {
                        node_id: a.id.clone(),
                    });
                }
                if flow.settings.dedupe {
                    dedupe(&route.steps, &mut picks);
                }
                route.steps.push(Step {
                    node_id: a.id.clone(),
                    name_en: a.name_en.clone(),
                    name_zh: a.name_zh.clone(),
                    mode: a.mode,
                    approvers: picks,
                    left_out,
                    outcome,
                    time_limit_hours: a.time_limit_hours,
                    on_timeout: a.on_timeout,
                    needs_choice,
                });
            }
        }
    }
    Ok(())
}

/// Marks as approved the people who certainly approved the step before:
/// everyone at a node that all must approve, the only approver of an
/// any-one node (of several any-one approvers nobody knows who will act).
fn dedupe(steps: &[Step], picks: &mut [Pick]) {
    let Some(prev) = steps.iter().rev().find(|s| s.outcome == Outcome::Decide) else {
        return;
    };
    if prev.mode == Mode::Any && prev.approvers.len() > 1 {
        return;
    }
    for p in picks.iter_mut().filter(|p| p.auto.is_none()) {
        if prev.approvers.iter().any(|q| q.person == p.person) {
            p.auto = Some(Auto::Duplicate {
                node_id: prev.node_id.clone(),
            });
        }
    }
}

fn apply_self_rule(
    rule: SelfRule,
    facts: &Facts,
    picks: &mut Vec<Pick>,
    left_out: &mut Vec<LeftOut>,
) {
    let Some(i) = picks.iter().position(|p| p.person == facts.submitter) else {
        return;
    };
    match rule {
        SelfRule::Decide => {}
        SelfRule::AutoApprove => picks[i].auto = Some(Auto::Submitter),
        SelfRule::Skip => {
            picks.remove(i);
            left_out.push(LeftOut {
                person: Some(facts.submitter.clone()),
                why: Gap::Submitter,
            });
        }
        SelfRule::Manager => {
            picks.remove(i);
            left_out.push(LeftOut {
                person: Some(facts.submitter.clone()),
                why: Gap::Submitter,
            });
            match facts.managers.get(&facts.submitter) {
                Some(m) if facts.active.contains(m) => {
                    if !picks.iter().any(|p| &p.person == m) {
                        picks.insert(
                            i,
                            Pick {
                                person: m.clone(),
                                why: Why::ForSubmitter,
                                auto: None,
                            },
                        );
                    }
                }
                Some(m) => left_out.push(LeftOut {
                    person: Some(m.clone()),
                    why: Gap::Inactive,
                }),
                None => left_out.push(LeftOut {
                    person: None,
                    why: Gap::NoManager { level: 1 },
                }),
            }
        }
    }
}

/// The people a rule names, in order, with why; gaps go to `left_out`.
fn candidates(
    rule: &Approvers,
    values: &Values,
    facts: &Facts,
    chosen: Option<&Vec<String>>,
    left_out: &mut Vec<LeftOut>,
) -> Vec<(String, Why)> {
    use super::form::Value;
    let mut out = Vec::new();
    let nobody = |left_out: &mut Vec<LeftOut>| {
        left_out.push(LeftOut {
            person: None,
            why: Gap::NobodyFound,
        })
    };
    match rule {
        Approvers::Manager { level } => {
            let chain = managers(facts, *level, None);
            match chain.get(usize::from(*level).saturating_sub(1)) {
                Some(m) => out.push((m.clone(), Why::Manager { level: *level })),
                None => left_out.push(LeftOut {
                    person: None,
                    why: Gap::NoManager { level: *level },
                }),
            }
        }
        Approvers::ManagerChain { to_level, to_role } => {
            let max = to_level.unwrap_or(super::flow::MAX_LEVEL);
            let chain = managers(facts, max, to_role.as_ref());
            if chain.is_empty() {
                left_out.push(LeftOut {
                    person: None,
                    why: Gap::NoManager { level: 1 },
                });
            }
            for (i, m) in chain.into_iter().enumerate() {
                out.push((m, Why::ManagerChain { level: i as u8 + 1 }));
            }
        }
        Approvers::DepartmentHead { level, top_down } => {
            let n = facts.chain.len();
            let at = usize::from(*level);
            let index = if *top_down {
                at.checked_sub(1).filter(|i| *i < n)
            } else {
                n.checked_sub(at)
            };
            let department = index.and_then(|i| facts.chain.get(i));
            let heads = department
                .and_then(|d| facts.heads.get(d))
                .filter(|h| !h.is_empty());
            match (department, heads) {
                (Some(d), Some(heads)) => {
                    for h in heads {
                        out.push((
                            h.clone(),
                            Why::DepartmentHead {
                                department: d.clone(),
                                level: *level,
                            },
                        ));
                    }
                }
                _ => left_out.push(LeftOut {
                    person: None,
                    why: Gap::NoHead {
                        department: department.cloned(),
                        level: *level,
                    },
                }),
            }
        }
        Approvers::People { people } => out.extend(people.iter().map(|p| (p.clone(), Why::Named))),
        Approvers::Role { role } => {
            out.extend(
                facts
                    .role(role)
                    .iter()
                    .map(|p| (p.clone(), Why::Role { role: role.clone() })),
            );
        }
        Approvers::Field { field } => match values.get(field) {
            Some(Value::People(people)) => out.extend(people.iter().map(|p| {
                (
                    p.clone(),
                    Why::Field {
                        field: field.clone(),
                    },
                )
            })),
            Some(Value::Departments(departments)) => {
                for d in departments {
                    match facts.heads.get(d).filter(|h| !h.is_empty()) {
                        Some(heads) => out.extend(heads.iter().map(|h| {
                            (
                                h.clone(),
                                Why::FieldHead {
                                    field: field.clone(),
                                    department: d.clone(),
                                },
                            )
                        })),
                        None => left_out.push(LeftOut {
                            person: None,
                            why: Gap::NoHead {
                                department: Some(d.clone()),
                                level: 1,
                            },
                        }),
                    }
                }
            }
            _ => {}
        },
        Approvers::Chosen { .. } => {
            out.extend(
                chosen
                    .into_iter()
                    .flatten()
                    .map(|p| (p.clone(), Why::Chosen)),
            );
        }
    }
    if out.is_empty() && left_out.is_empty() {
        nobody(left_out);
    }
    out
}

/// The submitter's managers upward: `max` of them, or up to and including
/// the first who holds `role` (to the top when nobody does). A loop in
/// the reporting lines ends the chain.
fn managers(facts: &Facts, max: u8, role: Option<&Role>) -> Vec<String> {
    let limit = if role.is_some() {
        usize::from(super::flow::MAX_LEVEL)
    } else {
        usize::from(max)
    };
    let mut seen = HashSet::from([facts.submitter.as_str()]);
    let mut chain = Vec::new();
    let mut at = facts.submitter.as_str();
    while chain.len() < limit {
        let Some(m) = facts.managers.get(at) else {
            break;
        };
        if !seen.insert(m.as_str()) {
            break;
        }
        chain.push(m.clone());
        if role.is_some_and(|r| facts.holds(r, m)) {
            break;
        }
        at = m;
    }
    chain
}

impl Route {
    /// Everyone the route needs to name: approvers, people left out, CC.
    pub fn people(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.steps {
            out.extend(s.approvers.iter().map(|p| p.person.as_str()));
            out.extend(s.left_out.iter().filter_map(|l| l.person.as_deref()));
        }
        out.extend(self.cc.iter().map(|c| c.person.as_str()));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The first step someone has to decide (or that rejects) from `from` on.
    pub fn next_step(&self, from: usize) -> Option<usize> {
        (from..self.steps.len()).find(|&i| self.steps[i].outcome != Outcome::Skip)
    }
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "route_branch_tests.rs"]
mod branch_tests;
