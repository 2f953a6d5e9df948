//! The flow designer: the nodes in order (approval, CC, condition
//! branches), each branch with its condition and nodes of its own.
use super::rules::{ConditionEditor, RuleEditor};
use super::widgets::{ItemTools, ProblemList, Text};
use super::{Editing, both, fresh_key};
use crate::approvals::Design;
use crate::approvals::flow::{
    ApprovalNode, Approvers, Branch, BranchNode, CcNode, CcTiming, Condition, Flow, IfEmpty,
    MAX_DEPTH, Mode, Node, OnTimeout,
};
use crate::i18n::*;
use crate::ui::text;
use leptos::prelude::*;

/// Where a list of nodes is: the flow's own (depth 0), or a branch's, by
/// the (branch node, branch) indices that lead to it.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ListAt {
    depth: u8,
    steps: [(u8, u8); MAX_DEPTH],
}

impl ListAt {
    fn child(self, node: usize, branch: usize) -> Option<ListAt> {
        let d = usize::from(self.depth);
        if d >= MAX_DEPTH {
            return None;
        }
        let mut next = self;
        next.steps[d] = (node as u8, branch as u8);
        next.depth += 1;
        Some(next)
    }

    fn nodes(self, flow: &Flow) -> Option<&Vec<Node>> {
        let mut list = &flow.nodes;
        for &(n, b) in &self.steps[..usize::from(self.depth)] {
            match list.get(usize::from(n))? {
                Node::Branch(br) => list = &br.branches.get(usize::from(b))?.nodes,
                _ => return None,
            }
        }
        Some(list)
    }

    fn nodes_mut(self, flow: &mut Flow) -> Option<&mut Vec<Node>> {
        let mut list = &mut flow.nodes;
        for &(n, b) in &self.steps[..usize::from(self.depth)] {
            match list.get_mut(usize::from(n))? {
                Node::Branch(br) => list = &mut br.branches.get_mut(usize::from(b))?.nodes,
                _ => return None,
            }
        }
        Some(list)
    }

    /// The path the flow's checks give this list (`nodes.0.branches.1.nodes`).
    pub(super) fn path(self) -> String {
        let mut p = "nodes".to_owned();
        for (n, b) in &self.steps[..usize::from(self.depth)] {
            p.push_str(&format!(".{n}.branches.{b}.nodes"));
        }
        p
    }
}

/// The names of the node a problem's path points into.
pub(super) fn node_named(d: &Design, parts: &[&str]) -> Option<(String, String)> {
    // nodes.N(.branches.B.nodes.N)*...
    let mut list = &d.flow.nodes;
    let mut found = None;
    let mut i = 1;
    while i < parts.len() {
        let node = list.get(parts[i].parse::<usize>().ok()?)?;
        found = Some(node);
        match (node, parts.get(i + 1), parts.get(i + 2), parts.get(i + 3)) {
            (Node::Branch(b), Some(&"branches"), Some(br), Some(&"nodes")) => {
                list = &b.branches.get(br.parse::<usize>().ok()?)?.nodes;
                i += 4;
            }
            _ => break,
        }
    }
    Some(match found? {
        Node::Approval(a) => (a.name_en.clone(), a.name_zh.clone()),
        Node::Cc(c) => (c.name_en.clone(), c.name_zh.clone()),
        Node::Branch(b) => (b.id.clone(), b.id.clone()),
    })
}

impl Editing {
    pub(super) fn read_node<T: Default>(self, at: ListAt, i: usize, f: impl Fn(&Node) -> T) -> T {
        self.design
            .with(|d| at.nodes(&d.flow).and_then(|l| l.get(i)).map(f))
            .unwrap_or_default()
    }

    pub(super) fn edit_node(self, at: ListAt, i: usize, f: impl FnOnce(&mut Node)) {
        self.design.update(|d| {
            if let Some(n) = at.nodes_mut(&mut d.flow).and_then(|l| l.get_mut(i)) {
                f(n)
            }
        })
    }
}

fn node_ids(d: &Design) -> Vec<String> {
    d.flow.walk().iter().map(|n| n.id().to_owned()).collect()
}

fn new_node(kind: &str, taken: &[String]) -> Node {
    match kind {
        "cc" => {
            let (name_en, name_zh) = both(|l| td_string!(l, designer.node_cc).to_string());
            Node::Cc(CcNode {
                id: fresh_key("cc", taken),
                name_en,
                name_zh,
                who: Approvers::Manager { level: 1 },
                timing: CcTiming::Finish,
            })
        }
        "branch" => {
            let branch = |default: bool| {
                let (name_en, name_zh) = if default {
                    both(|l| td_string!(l, designer.branch_default).to_string())
                } else {
                    both(|l| td_string!(l, designer.branch).to_string())
                };
                Branch {
                    name_en,
                    name_zh,
                    condition: (!default).then(|| Condition { any: vec![vec![]] }),
                    nodes: Vec::new(),
                }
            };
            Node::Branch(BranchNode {
                id: fresh_key("branch", taken),
                branches: vec![branch(false), branch(true)],
            })
        }
        _ => {
            let (name_en, name_zh) = both(|l| td_string!(l, designer.node_approval).to_string());
            Node::Approval(ApprovalNode {
                id: fresh_key("step", taken),
                name_en,
                name_zh,
                approvers: Approvers::Manager { level: 1 },
                mode: Mode::Any,
                if_empty: IfEmpty::Skip,
                time_limit_hours: None,
                on_timeout: OnTimeout::Remind,
            })
        }
    }
}

/// The flow's nodes.
#[component]
pub(super) fn FlowEditor() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="muted">{t!(i18n, designer.flow_hint)}</p>
        <p class="designer__start">{t!(i18n, designer.flow_start)}</p>
        <NodeList at=ListAt::default() />
        <p class="designer__end">{t!(i18n, designer.flow_end)}</p>
    }
}

/// A list of nodes and a way to add one at its end.
#[component]
fn NodeList(at: ListAt) -> AnyView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let len = Memo::new(move |_| {
        editing
            .design
            .with(|d| at.nodes(&d.flow).map(Vec::len).unwrap_or(0))
    });
    let add = move |kind: &'static str| {
        move |_| {
            editing.design.update(|d| {
                let taken = node_ids(d);
                if let Some(l) = at.nodes_mut(&mut d.flow) {
                    l.push(new_node(kind, &taken));
                }
            })
        }
    };
    // A branch node inside the deepest list would be too deep.
    let can_branch = usize::from(at.depth) < MAX_DEPTH;
    view! {
        <ol class="designer__nodes" data-list=at.path()>
            <For each=move || 0..len.get() key=|i| *i let:i>
                <NodeCard at i last=Signal::derive(move || i + 1 == len.get()) />
            </For>
        </ol>
        <div class="designer__add" data-part="add-node">
            <button type="button" class="button button--small" data-action="add-approval" on:click=add("approval")>
                {t!(i18n, designer.add_approval)}
            </button>
            <button type="button" class="button button--small" data-action="add-cc" on:click=add("cc")>
                {t!(i18n, designer.add_cc)}
            </button>
            {can_branch.then(|| view! {
                <button type="button" class="button button--small" data-action="add-branch" on:click=add("branch")>
                    {t!(i18n, designer.add_branch)}
                </button>
            })}
        </div>
    }
    .into_any()
}

fn node_kind(n: &Node) -> &'static str {
    match n {
        Node::Approval(_) => "approval",
        Node::Cc(_) => "cc",
        Node::Branch(_) => "branch",
    }
}

#[component]
fn NodeCard(at: ListAt, i: usize, #[prop(into)] last: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let kind = Memo::new(move |_| editing.read_node(at, i, |n| node_kind(n).to_owned()));
    let path = format!("{}.{i}", at.path());
    let problems = editing.problems_at(path.clone());
    // Problems of this node itself (its branches' nodes show their own).
    let own = Signal::derive({
        let branches = format!("{path}.branches.");
        move || {
            let mut list: Vec<_> = problems
                .get()
                .into_iter()
                .filter(|p| {
                    !p.field.starts_with(&branches)
                        || !p.field[branches.len()..].contains(".nodes.")
                })
                .collect();
            let id = editing.read_node(at, i, |n| format!("node:{}", n.id()));
            list.extend(editing.problems.get().into_iter().filter(|p| p.field == id));
            list
        }
    });
    let name = Signal::derive(move || {
        editing.read_node(at, i, |n| match n {
            Node::Approval(a) => super::pick(i18n.get_locale(), &a.name_en, &a.name_zh),
            Node::Cc(c) => super::pick(i18n.get_locale(), &c.name_en, &c.name_zh),
            Node::Branch(_) => t_string!(i18n, designer.node_branch).to_string(),
        })
    });
    let mover = move |delta: isize| {
        Callback::new(move |_| {
            editing.design.update(|d| {
                if let Some(l) = at.nodes_mut(&mut d.flow) {
                    let j = i as isize + delta;
                    if j >= 0 && (j as usize) < l.len() {
                        l.swap(i, j as usize);
                    }
                }
            })
        })
    };
    let remove = Callback::new(move |_| {
        editing.design.update(|d| {
            if let Some(l) = at.nodes_mut(&mut d.flow)
                && i < l.len()
            {
                l.remove(i);
            }
        })
    });
    let names = move |get: fn(&Node) -> Option<String>, put: fn(&mut Node, String)| {
        (
            Signal::derive(move || editing.read_node(at, i, |n| get(n).unwrap_or_default())),
            Callback::new(move |v: String| editing.edit_node(at, i, |n| put(n, v))),
        )
    };
    let (zh, set_zh) = names(
        |n| match n {
            Node::Approval(a) => Some(a.name_zh.clone()),
            Node::Cc(c) => Some(c.name_zh.clone()),
            Node::Branch(_) => None,
        },
        |n, v| match n {
            Node::Approval(a) => a.name_zh = v,
            Node::Cc(c) => c.name_zh = v,
            Node::Branch(_) => {}
        },
    );
    let (en, set_en) = names(
        |n| match n {
            Node::Approval(a) => Some(a.name_en.clone()),
            Node::Cc(c) => Some(c.name_en.clone()),
            Node::Branch(_) => None,
        },
        |n, v| match n {
            Node::Approval(a) => a.name_en = v,
            Node::Cc(c) => c.name_en = v,
            Node::Branch(_) => {}
        },
    );
    let (key, set_key) = names(
        |n| Some(n.id().to_owned()),
        |n, v| {
            let v = v.trim().to_owned();
            match n {
                Node::Approval(a) => a.id = v,
                Node::Cc(c) => c.id = v,
                Node::Branch(b) => b.id = v,
            }
        },
    );
    let kind_label = move || match kind.get().as_str() {
        "approval" => t_string!(i18n, designer.node_approval).to_string(),
        "cc" => t_string!(i18n, designer.node_cc).to_string(),
        _ => t_string!(i18n, designer.node_branch).to_string(),
    };
    view! {
        <li class="designer__card designer__node" data-kind=move || kind.get()
            data-node=move || editing.read_node(at, i, |n| n.id().to_owned())
            class:designer__card--invalid=move || !own.with(Vec::is_empty)>
            <div class="designer__card-head">
                <strong>{move || name.get()}</strong>
                <span class="badge">{kind_label}</span>
                <ItemTools first=i == 0 last up=mover(-1) down=mover(1) remove what=name />
            </div>
            <ProblemList problems=own />
            {move || match kind.get().as_str() {
                "approval" => view! {
                    <div class="designer__grid">
                        <Text label=text!(i18n, designer.name_zh) value=zh set=set_zh part="name-zh" />
                        <Text label=text!(i18n, designer.name_en) value=en set=set_en part="name-en" />
                        <Text label=text!(i18n, designer.key) value=key set=set_key maxlength=32 part="key" />
                    </div>
                    <RuleEditor at i />
                    <ApprovalOptions at i />
                }.into_any(),
                "cc" => view! {
                    <div class="designer__grid">
                        <Text label=text!(i18n, designer.name_zh) value=zh set=set_zh part="name-zh" />
                        <Text label=text!(i18n, designer.name_en) value=en set=set_en part="name-en" />
                        <Text label=text!(i18n, designer.key) value=key set=set_key maxlength=32 part="key" />
                    </div>
                    <RuleEditor at i />
                    <CcOptions at i />
                }.into_any(),
                _ => view! {
                    <Text label=text!(i18n, designer.key) value=key set=set_key maxlength=32 part="key" />
                    <Branches at i />
                }.into_any(),
            }}
        </li>
    }
}

/// A `<select>` over fixed choices bound to part of a node.
#[component]
pub(super) fn Choose(
    #[prop(into)] label: Signal<String>,
    options: Vec<(&'static str, Signal<String>)>,
    #[prop(into)] value: Signal<String>,
    set: Callback<String>,
    #[prop(optional)] part: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">{move || label.get()}</span>
            <select class="field__input" data-part=part prop:value=move || value.get()
                on:change=move |ev| set.run(event_target_value(&ev))>
                {options.into_iter().map(|(v, text)| view! {
                    <option value=v selected=move || value.get() == v>{move || text.get()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn ApprovalOptions(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let read = move |f: fn(&ApprovalNode) -> String| {
        Signal::derive(move || {
            editing.read_node(at, i, |n| match n {
                Node::Approval(a) => f(a),
                _ => String::new(),
            })
        })
    };
    let write = move |f: fn(&mut ApprovalNode, &str)| {
        Callback::new(move |v: String| {
            editing.edit_node(at, i, |n| {
                if let Node::Approval(a) = n {
                    f(a, &v)
                }
            })
        })
    };
    view! {
        <div class="designer__grid">
            <Choose label=text!(i18n, designer.mode) part="mode"
                options=vec![
                    ("any", text!(i18n, approvals.mode_any)),
                    ("all", text!(i18n, approvals.mode_all)),
                    ("sequential", text!(i18n, approvals.mode_sequential)),
                ]
                value=read(|a| match a.mode { Mode::Any => "any", Mode::All => "all", Mode::Sequential => "sequential" }.into())
                set=write(|a, v| a.mode = match v { "all" => Mode::All, "sequential" => Mode::Sequential, _ => Mode::Any }) />
            <Choose label=text!(i18n, designer.if_empty) part="if-empty"
                options=vec![
                    ("skip", text!(i18n, designer.if_empty_skip)),
                    ("admin", text!(i18n, designer.if_empty_admin)),
                    ("reject", text!(i18n, designer.if_empty_reject)),
                ]
                value=read(|a| match a.if_empty { IfEmpty::Skip => "skip", IfEmpty::Admin => "admin", IfEmpty::Reject => "reject" }.into())
                set=write(|a, v| a.if_empty = match v { "admin" => IfEmpty::Admin, "reject" => IfEmpty::Reject, _ => IfEmpty::Skip }) />
            <Text label=text!(i18n, designer.time_limit) input_type="number" maxlength=4 part="time-limit"
                value=read(|a| a.time_limit_hours.map(|h| h.to_string()).unwrap_or_default())
                set=write(|a, v| a.time_limit_hours = v.trim().parse().ok()) />
            <Choose label=text!(i18n, designer.on_timeout) part="on-timeout"
                options=vec![
                    ("remind", text!(i18n, designer.timeout_remind)),
                    ("approve", text!(i18n, designer.timeout_approve)),
                    ("reject", text!(i18n, designer.timeout_reject)),
                ]
                value=read(|a| match a.on_timeout { OnTimeout::Remind => "remind", OnTimeout::Approve => "approve", OnTimeout::Reject => "reject" }.into())
                set=write(|a, v| a.on_timeout = match v { "approve" => OnTimeout::Approve, "reject" => OnTimeout::Reject, _ => OnTimeout::Remind }) />
        </div>
    }
}

#[component]
fn CcOptions(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    view! {
        <Choose label=text!(i18n, designer.cc_timing) part="cc-timing"
            options=vec![
                ("submit", text!(i18n, approvals.cc_submit)),
                ("finish", text!(i18n, approvals.cc_finish)),
                ("both", text!(i18n, approvals.cc_both)),
            ]
            value=Signal::derive(move || editing.read_node(at, i, |n| match n {
                Node::Cc(c) => match c.timing { CcTiming::Submit => "submit", CcTiming::Finish => "finish", CcTiming::Both => "both" }.to_owned(),
                _ => String::new(),
            }))
            set=Callback::new(move |v: String| editing.edit_node(at, i, |n| if let Node::Cc(c) = n {
                c.timing = match v.as_str() { "submit" => CcTiming::Submit, "both" => CcTiming::Both, _ => CcTiming::Finish };
            })) />
    }
}

/// A branch node's branches: each but the last with its condition.
#[component]
fn Branches(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let len = Memo::new(move |_| {
        editing.read_node(at, i, |n| match n {
            Node::Branch(b) => b.branches.len(),
            _ => 0,
        })
    });
    let with_branches = move |f: &dyn Fn(&mut Vec<Branch>)| {
        editing.edit_node(at, i, |n| {
            if let Node::Branch(b) = n {
                f(&mut b.branches)
            }
        })
    };
    let add = move |_| {
        with_branches(&|bs: &mut Vec<Branch>| {
            let (name_en, name_zh) = both(|l| td_string!(l, designer.branch).to_string());
            // Before the default, which stays last.
            let at = bs.len().saturating_sub(1);
            bs.insert(
                at,
                Branch {
                    name_en,
                    name_zh,
                    condition: Some(Condition { any: vec![vec![]] }),
                    nodes: Vec::new(),
                },
            );
        })
    };
    view! {
        <ol class="designer__branches">
            <For each=move || 0..len.get() key=|b| *b let:b>
                {
                    let is_default = Signal::derive(move || b + 1 == len.get());
                    let read = move |f: fn(&Branch) -> String| Signal::derive(move || editing.read_node(at, i, |n| match n {
                        Node::Branch(br) => br.branches.get(b).map(f).unwrap_or_default(),
                        _ => String::new(),
                    }));
                    let write = move |f: fn(&mut Branch, String)| Callback::new(move |v: String| {
                        with_branches(&|bs: &mut Vec<Branch>| if let Some(x) = bs.get_mut(b) { f(x, v.clone()) })
                    });
                    let name = Signal::derive(move || super::pick(i18n.get_locale(), &read(|x| x.name_en.clone()).get(), &read(|x| x.name_zh.clone()).get()));
                    // The default stays last: conditioned branches move among themselves.
                    let mover = move |delta: isize| Callback::new(move |_| with_branches(&|bs: &mut Vec<Branch>| {
                        let j = b as isize + delta;
                        if j >= 0 && (j as usize) + 1 < bs.len() && b + 1 < bs.len() {
                            bs.swap(b, j as usize);
                        }
                    }));
                    let remove = Callback::new(move |_| with_branches(&|bs: &mut Vec<Branch>| {
                        if b + 1 < bs.len() && bs.len() > 2 {
                            bs.remove(b);
                        }
                    }));
                    let child = at.child(i, b);
                    view! {
                        <li class="designer__branch" data-branch=b>
                            <div class="designer__card-head">
                                <strong>{move || name.get()}</strong>
                                {move || is_default.get().then(|| view! { <span class="badge">{t!(i18n, designer.default_branch)}</span> })}
                                {move || (!is_default.get()).then(|| view! {
                                    <ItemTools first=b == 0 last=Signal::derive(move || b + 2 >= len.get())
                                        up=mover(-1) down=mover(1) remove what=name
                                        keep=Signal::derive(move || len.get() <= 2) />
                                })}
                            </div>
                            <div class="designer__grid">
                                <Text label=text!(i18n, designer.name_zh) value=read(|x| x.name_zh.clone()) set=write(|x, v| x.name_zh = v) part="branch-zh" />
                                <Text label=text!(i18n, designer.name_en) value=read(|x| x.name_en.clone()) set=write(|x, v| x.name_en = v) part="branch-en" />
                            </div>
                            {move || if is_default.get() {
                                view! { <p class="muted">{t!(i18n, designer.default_hint)}</p> }.into_any()
                            } else {
                                view! { <ConditionEditor at i branch=b /> }.into_any()
                            }}
                            {child.map(|c| view! { <NodeList at=c /> })}
                        </li>
                    }
                }
            </For>
        </ol>
        <button type="button" class="button button--small" data-action="add-branch-case" on:click=add>
            {t!(i18n, designer.add_branch_case)}
        </button>
    }
}
