//! Who approves or is copied at a node, and a branch's condition.
use super::Editing;
use super::nodes::{Choose, ListAt};
use super::widgets::{Check, Text};
use crate::approvals::flow::{Approvers, Cmp, Condition, Node, Role, Test};
use crate::approvals::form::ControlKind;
use crate::approvals::pages::fill::Picker;
use crate::i18n::*;
use crate::ui::text;
use leptos::prelude::*;

fn rule(n: &Node) -> Option<&Approvers> {
    match n {
        Node::Approval(a) => Some(&a.approvers),
        Node::Cc(c) => Some(&c.who),
        Node::Branch(_) => None,
    }
}

fn rule_mut(n: &mut Node) -> Option<&mut Approvers> {
    match n {
        Node::Approval(a) => Some(&mut a.approvers),
        Node::Cc(c) => Some(&mut c.who),
        Node::Branch(_) => None,
    }
}

fn rule_tag(a: &Approvers) -> &'static str {
    match a {
        Approvers::Manager { .. } => "manager",
        Approvers::ManagerChain { .. } => "manager_chain",
        Approvers::DepartmentHead { .. } => "department_head",
        Approvers::People { .. } => "people",
        Approvers::Role { .. } => "role",
        Approvers::Field { .. } => "field",
        Approvers::Chosen { .. } => "chosen",
    }
}

fn new_rule(tag: &str) -> Approvers {
    match tag {
        "manager_chain" => Approvers::ManagerChain {
            to_level: Some(2),
            to_role: None,
        },
        "department_head" => Approvers::DepartmentHead {
            level: 1,
            top_down: false,
        },
        "people" => Approvers::People { people: Vec::new() },
        "role" => Approvers::Role {
            role: Role::Position {
                name: String::new(),
            },
        },
        "field" => Approvers::Field {
            field: String::new(),
        },
        "chosen" => Approvers::Chosen {
            range: Vec::new(),
            multiple: false,
        },
        _ => Approvers::Manager { level: 1 },
    }
}

fn joined(ids: &[String]) -> String {
    ids.join(",")
}

fn split(v: &str) -> Vec<String> {
    v.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Who decides (or is copied) at the node, by which rule.
#[component]
pub(super) fn RuleEditor(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let is_cc = editing.read_node(at, i, |n| matches!(n, Node::Cc(_)));
    let tag = Memo::new(move |_| {
        editing.read_node(at, i, |n| {
            rule(n).map(rule_tag).unwrap_or("manager").to_owned()
        })
    });
    let read = move |f: fn(&Approvers) -> String| read_rule(editing, at, i, f);
    let write = move |f: fn(&mut Approvers, String)| write_rule(editing, at, i, f);
    let mut by = vec![
        ("manager", text!(i18n, designer.by_manager)),
        ("manager_chain", text!(i18n, designer.by_manager_chain)),
        ("department_head", text!(i18n, designer.by_department_head)),
        ("people", text!(i18n, designer.by_people)),
        ("role", text!(i18n, designer.by_role)),
        ("field", text!(i18n, designer.by_field)),
    ];
    if !is_cc {
        by.push(("chosen", text!(i18n, designer.by_chosen)));
    }
    let level = move |f: fn(&Approvers) -> Option<u8>, put: fn(&mut Approvers, u8)| {
        view! {
            <Text label=text!(i18n, designer.level) input_type="number" maxlength=2 part="level"
                value=read_rule(editing, at, i, move |a| f(a).map(|l| l.to_string()).unwrap_or_default())
                set=write_rule(editing, at, i, move |a, v| put(a, v.trim().parse().unwrap_or(0))) />
        }
    };
    let picker_id = format!("rule-{}-{i}", at_id(at));
    view! {
        <fieldset class="designer__rule">
            <legend>{move || if is_cc { t_string!(i18n, designer.who_cc).to_string() } else { t_string!(i18n, designer.who_approves).to_string() }}</legend>
            <Choose label=text!(i18n, designer.by) options=by part="by"
                value=Signal::derive(move || tag.get())
                set=Callback::new(move |v: String| editing.edit_node(at, i, |n| if let Some(r) = rule_mut(n) { *r = new_rule(&v) })) />
            {move || {
                let picker_id = picker_id.clone();
                match tag.get().as_str() {
                "manager" => view! {
                    {level(|a| match a { Approvers::Manager { level } => Some(*level), _ => None },
                           |a, l| if let Approvers::Manager { level } = a { *level = l })}
                    <p class="muted">{t!(i18n, designer.level_hint)}</p>
                }.into_any(),
                "manager_chain" => view! { <ChainEnd at i /> }.into_any(),
                "department_head" => view! {
                    {level(|a| match a { Approvers::DepartmentHead { level, .. } => Some(*level), _ => None },
                           |a, l| if let Approvers::DepartmentHead { level, .. } = a { *level = l })}
                    <Check label=text!(i18n, designer.top_down) part="top-down"
                        checked=Signal::derive(move || editing.read_node(at, i, |n| matches!(rule(n), Some(Approvers::DepartmentHead { top_down: true, .. }))))
                        set=Callback::new(move |v| editing.edit_node(at, i, |n| if let Some(Approvers::DepartmentHead { top_down, .. }) = rule_mut(n) { *top_down = v })) />
                }.into_any(),
                "people" => view! {
                    <Picker id=picker_id kind="person" multiple=true labels=editing.labels
                        value=read(|a| match a { Approvers::People { people } => joined(people), _ => String::new() })
                        set=write(|a, v| if let Approvers::People { people } = a { *people = split(&v) }) />
                }.into_any(),
                "role" => view! { <RoleEditor at i /> }.into_any(),
                "field" => view! { <FieldChoice at i /> }.into_any(),
                "chosen" => view! {
                    <p class="muted">{t!(i18n, designer.chosen_hint)}</p>
                    <Picker id=picker_id kind="person" multiple=true labels=editing.labels
                        value=read(|a| match a { Approvers::Chosen { range, .. } => joined(range), _ => String::new() })
                        set=write(|a, v| if let Approvers::Chosen { range, .. } = a { *range = split(&v) }) />
                    <Check label=text!(i18n, designer.several) part="multiple"
                        checked=Signal::derive(move || editing.read_node(at, i, |n| matches!(rule(n), Some(Approvers::Chosen { multiple: true, .. }))))
                        set=Callback::new(move |v| editing.edit_node(at, i, |n| if let Some(Approvers::Chosen { multiple, .. }) = rule_mut(n) { *multiple = v })) />
                }.into_any(),
                _ => ().into_any(),
            }}}
        </fieldset>
    }
}

fn read_rule(
    editing: Editing,
    at: ListAt,
    i: usize,
    f: impl Fn(&Approvers) -> String + Send + Sync + Copy + 'static,
) -> Signal<String> {
    Signal::derive(move || editing.read_node(at, i, |n| rule(n).map(f).unwrap_or_default()))
}

fn write_rule(
    editing: Editing,
    at: ListAt,
    i: usize,
    f: impl Fn(&mut Approvers, String) + Send + Sync + Copy + 'static,
) -> Callback<String> {
    Callback::new(move |v: String| {
        editing.edit_node(at, i, |n| {
            if let Some(r) = rule_mut(n) {
                f(r, v)
            }
        })
    })
}

fn at_id(at: ListAt) -> String {
    at.path().replace('.', "-")
}

/// Where a chain of managers stops: at a level, or at a role's holder.
#[component]
fn ChainEnd(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let to_role = Memo::new(move |_| {
        editing.read_node(at, i, |n| {
            matches!(
                rule(n),
                Some(Approvers::ManagerChain {
                    to_role: Some(_),
                    ..
                })
            )
        })
    });
    let set_end = Callback::new(move |v: String| {
        editing.edit_node(at, i, |n| {
            if let Some(r) = rule_mut(n) {
                *r = if v == "role" {
                    Approvers::ManagerChain {
                        to_level: None,
                        to_role: Some(Role::Position {
                            name: String::new(),
                        }),
                    }
                } else {
                    Approvers::ManagerChain {
                        to_level: Some(2),
                        to_role: None,
                    }
                }
            }
        })
    });
    view! {
        <Choose label=text!(i18n, designer.chain_to) part="chain-to"
            options=vec![("level", text!(i18n, designer.chain_to_level)), ("role", text!(i18n, designer.chain_to_role))]
            value=Signal::derive(move || if to_role.get() { "role".to_owned() } else { "level".to_owned() })
            set=set_end />
        {move || if to_role.get() {
            view! { <RoleEditor at i /> }.into_any()
        } else {
            view! {
                <Text label=text!(i18n, designer.level) input_type="number" maxlength=2 part="level"
                    value=Signal::derive(move || editing.read_node(at, i, |n| match rule(n) {
                        Some(Approvers::ManagerChain { to_level: Some(l), .. }) => l.to_string(),
                        _ => String::new(),
                    }))
                    set=Callback::new(move |v: String| editing.edit_node(at, i, |n| {
                        if let Some(Approvers::ManagerChain { to_level, .. }) = rule_mut(n) {
                            *to_level = Some(v.trim().parse().unwrap_or(0));
                        }
                    })) />
            }.into_any()
        }}
    }
}

/// The role of a rule by role, or the end of a chain of managers.
fn role_of(a: &mut Approvers) -> Option<&mut Role> {
    match a {
        Approvers::Role { role } => Some(role),
        Approvers::ManagerChain { to_role, .. } => to_role.as_mut(),
        _ => None,
    }
}

fn role_ref(a: &Approvers) -> Option<&Role> {
    match a {
        Approvers::Role { role } => Some(role),
        Approvers::ManagerChain { to_role, .. } => to_role.as_ref(),
        _ => None,
    }
}

#[component]
fn RoleEditor(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let is_group = Memo::new(move |_| {
        editing.read_node(at, i, |n| {
            matches!(rule(n).and_then(role_ref), Some(Role::AdminGroup { .. }))
        })
    });
    let groups = editing.groups.get_value();
    view! {
        <Choose label=text!(i18n, designer.role_kind) part="role-kind"
            options=vec![("position", text!(i18n, designer.role_position)), ("group", text!(i18n, designer.role_group))]
            value=Signal::derive(move || if is_group.get() { "group".to_owned() } else { "position".to_owned() })
            set=Callback::new(move |v: String| editing.edit_node(at, i, |n| {
                if let Some(r) = rule_mut(n).and_then(role_of) {
                    *r = if v == "group" { Role::AdminGroup { id: String::new() } } else { Role::Position { name: String::new() } };
                }
            })) />
        {move || if is_group.get() {
            let groups = groups.clone();
            let current = Signal::derive(move || editing.read_node(at, i, |n| match rule(n).and_then(role_ref) {
                Some(Role::AdminGroup { id }) => id.clone(),
                _ => String::new(),
            }));
            view! {
                <label class="field">
                    <span class="field__label">{t!(i18n, designer.role_group)}</span>
                    <select class="field__input" data-part="group" prop:value=move || current.get()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            editing.edit_node(at, i, |n| if let Some(Role::AdminGroup { id }) = rule_mut(n).and_then(role_of) { *id = v });
                        }>
                        <option value="">{t!(i18n, designer.choose_group)}</option>
                        {groups.into_iter().map(|(id, name)| {
                            let v = id.clone();
                            view! { <option value=id selected=move || current.get() == v translate="no">{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }.into_any()
        } else {
            view! {
                <Text label=text!(i18n, designer.position) maxlength=128 part="position"
                    value=Signal::derive(move || editing.read_node(at, i, |n| match rule(n).and_then(role_ref) {
                        Some(Role::Position { name }) => name.clone(),
                        _ => String::new(),
                    }))
                    set=Callback::new(move |v: String| editing.edit_node(at, i, |n| {
                        if let Some(Role::Position { name }) = rule_mut(n).and_then(role_of) { *name = v }
                    })) />
            }.into_any()
        }}
    }
}

/// The form's person and department fields: approvers named by the form.
#[component]
fn FieldChoice(at: ListAt, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let fields = move || {
        editing.design.with(|d| {
            d.form
                .controls
                .iter()
                .filter(|c| {
                    matches!(
                        c.kind,
                        ControlKind::Person { .. } | ControlKind::Department { .. }
                    )
                })
                .map(|c| (c.id.clone(), c.label_en.clone(), c.label_zh.clone()))
                .collect::<Vec<_>>()
        })
    };
    let current = Signal::derive(move || {
        editing.read_node(at, i, |n| match rule(n) {
            Some(Approvers::Field { field }) => field.clone(),
            _ => String::new(),
        })
    });
    view! {
        <label class="field">
            <span class="field__label">{t!(i18n, designer.by_field)}</span>
            <select class="field__input" data-part="field" prop:value=move || current.get()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    editing.edit_node(at, i, |n| if let Some(Approvers::Field { field }) = rule_mut(n) { *field = v });
                }>
                <option value="">{t!(i18n, designer.choose_field)}</option>
                {move || fields().into_iter().map(|(id, en, zh)| {
                    let v = id.clone();
                    view! { <option value=id selected=move || current.get() == v>{move || super::pick(i18n.get_locale(), &en, &zh)}</option> }
                }).collect_view()}
            </select>
            <span class="field__hint">{t!(i18n, designer.field_hint)}</span>
        </label>
    }
}

fn condition(n: &Node, b: usize) -> Option<&Condition> {
    match n {
        Node::Branch(br) => br.branches.get(b)?.condition.as_ref(),
        _ => None,
    }
}

fn condition_mut(n: &mut Node, b: usize) -> Option<&mut Condition> {
    match n {
        Node::Branch(br) => br.branches.get_mut(b)?.condition.as_mut(),
        _ => None,
    }
}

/// A branch's condition: groups joined by "or", tests in a group by "and".
#[component]
pub(super) fn ConditionEditor(at: ListAt, i: usize, branch: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let groups = Memo::new(move |_| {
        editing.read_node(at, i, |n| {
            condition(n, branch).map(|c| c.any.len()).unwrap_or(0)
        })
    });
    let edit = move |f: &dyn Fn(&mut Condition)| {
        editing.edit_node(at, i, |n| {
            if let Some(c) = condition_mut(n, branch) {
                f(c)
            }
        })
    };
    view! {
        <fieldset class="designer__condition">
            <legend>{t!(i18n, designer.condition)}</legend>
            <For each=move || 0..groups.get() key=|g| *g let:g>
                {
                    let tests = Memo::new(move |_| editing.read_node(at, i, |n| condition(n, branch).and_then(|c| c.any.get(g)).map(Vec::len).unwrap_or(0)));
                    view! {
                        {(g > 0).then(|| view! { <p class="designer__or">{t!(i18n, designer.or)}</p> })}
                        <div class="designer__group" data-group=g>
                            <For each=move || 0..tests.get() key=|t| *t let:t>
                                {(t > 0).then(|| view! { <p class="designer__and">{t!(i18n, designer.and)}</p> })}
                                <TestEditor at i branch group=g test=t />
                            </For>
                            <button type="button" class="button button--small" data-action="add-test"
                                on:click=move |_| edit(&|c: &mut Condition| if let Some(gr) = c.any.get_mut(g) {
                                    gr.push(Test::Compare { field: String::new(), op: Cmp::Gt, value: 0.0 });
                                })>
                                {t!(i18n, designer.add_test)}
                            </button>
                            {move || (groups.get() > 1).then(|| view! {
                                <button type="button" class="button button--small"
                                    on:click=move |_| edit(&|c: &mut Condition| if g < c.any.len() { c.any.remove(g); })>
                                    {t!(i18n, designer.remove_group)}
                                </button>
                            })}
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button--small" data-action="add-group"
                on:click=move |_| edit(&|c: &mut Condition| c.any.push(Vec::new()))>
                {t!(i18n, designer.add_group)}
            </button>
        </fieldset>
    }
}

fn test_tag(t: &Test) -> &'static str {
    match t {
        Test::Compare { .. } => "compare",
        Test::OneOf { .. } => "one_of",
        Test::SubmitterUnder { .. } => "submitter_under",
        Test::SubmitterIs { .. } => "submitter_is",
    }
}

fn cmp_tag(c: Cmp) -> &'static str {
    match c {
        Cmp::Gt => "gt",
        Cmp::Ge => "ge",
        Cmp::Lt => "lt",
        Cmp::Le => "le",
        Cmp::Eq => "eq",
    }
}

/// One test of a condition.
#[component]
fn TestEditor(at: ListAt, i: usize, branch: usize, group: usize, test: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let get = move |f: fn(&Test) -> String| {
        Signal::derive(move || {
            editing.read_node(at, i, |n| {
                condition(n, branch)
                    .and_then(|c| c.any.get(group)?.get(test))
                    .map(f)
                    .unwrap_or_default()
            })
        })
    };
    let put = move |f: fn(&mut Test, String)| {
        Callback::new(move |v: String| {
            editing.edit_node(at, i, |n| {
                if let Some(t) =
                    condition_mut(n, branch).and_then(|c| c.any.get_mut(group)?.get_mut(test))
                {
                    f(t, v)
                }
            })
        })
    };
    let tag = Memo::new(move |_| get(|t| test_tag(t).to_owned()).get());
    let remove = move |_| {
        editing.edit_node(at, i, |n| {
            if let Some(g) = condition_mut(n, branch).and_then(|c| c.any.get_mut(group))
                && test < g.len()
            {
                g.remove(test);
            }
        })
    };
    // The fields a test of this kind can read: (id, en, zh).
    let fields = move |choice: bool| {
        editing.design.with(|d| {
            d.form
                .controls
                .iter()
                .filter(|c| {
                    if choice {
                        matches!(c.kind, ControlKind::Choice { .. })
                    } else {
                        matches!(
                            c.kind,
                            ControlKind::Number { .. }
                                | ControlKind::Money { .. }
                                | ControlKind::DateRange { .. }
                                | ControlKind::Table { .. }
                        )
                    }
                })
                .map(|c| (c.id.clone(), c.label_en.clone(), c.label_zh.clone()))
                .collect::<Vec<_>>()
        })
    };
    let field = get(|t| match t {
        Test::Compare { field, .. } | Test::OneOf { field, .. } => field.clone(),
        _ => String::new(),
    });
    let field_select = move |choice: bool| {
        view! {
            <label class="field">
                <span class="field__label">{t!(i18n, designer.test_field)}</span>
                <select class="field__input" data-part="test-field" prop:value=move || field.get()
                    on:change=move |ev| put(|t, v| match t {
                        Test::Compare { field, .. } => *field = v,
                        Test::OneOf { field, options } => { *field = v; options.clear(); }
                        _ => {}
                    }).run(event_target_value(&ev))>
                    <option value="">{t!(i18n, designer.choose_field)}</option>
                    {move || fields(choice).into_iter().map(|(id, en, zh)| {
                        let v = id.clone();
                        view! { <option value=id selected=move || field.get() == v>{move || super::pick(i18n.get_locale(), &en, &zh)}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let picker_id = format!("test-{}-{i}-{branch}-{group}-{test}", at_id(at));
    view! {
        <div class="designer__test" data-test=test>
            <Choose label=text!(i18n, designer.test_kind) part="test-kind"
                options=vec![
                    ("compare", text!(i18n, designer.test_compare)),
                    ("one_of", text!(i18n, designer.test_one_of)),
                    ("submitter_under", text!(i18n, designer.test_under)),
                    ("submitter_is", text!(i18n, designer.test_is)),
                ]
                value=Signal::derive(move || tag.get())
                set=put(|t, v| *t = match v.as_str() {
                    "one_of" => Test::OneOf { field: String::new(), options: Vec::new() },
                    "submitter_under" => Test::SubmitterUnder { departments: Vec::new() },
                    "submitter_is" => Test::SubmitterIs { people: Vec::new() },
                    _ => Test::Compare { field: String::new(), op: Cmp::Gt, value: 0.0 },
                }) />
            {move || {
                let picker_id = picker_id.clone();
                match tag.get().as_str() {
                "compare" => view! {
                    {field_select(false)}
                    <Choose label=text!(i18n, designer.test_op) part="test-op"
                        options=vec![("gt", Signal::stored(">".to_owned())), ("ge", Signal::stored("≥".to_owned())),
                            ("lt", Signal::stored("<".to_owned())), ("le", Signal::stored("≤".to_owned())), ("eq", Signal::stored("=".to_owned()))]
                        value=get(|t| match t { Test::Compare { op, .. } => cmp_tag(*op).to_owned(), _ => String::new() })
                        set=put(|t, v| if let Test::Compare { op, .. } = t {
                            *op = match v.as_str() { "ge" => Cmp::Ge, "lt" => Cmp::Lt, "le" => Cmp::Le, "eq" => Cmp::Eq, _ => Cmp::Gt };
                        }) />
                    <Text label=text!(i18n, designer.test_value) input_type="number" maxlength=15 part="test-value"
                        value=get(|t| match t { Test::Compare { value, .. } => value.to_string(), _ => String::new() })
                        set=put(|t, v| if let (Test::Compare { value, .. }, Ok(x)) = (t, v.trim().parse::<f64>()) && x.is_finite() { *value = x }) />
                    <p class="field__hint">{t!(i18n, designer.compare_hint)}</p>
                }.into_any(),
                "one_of" => view! {
                    {field_select(true)}
                    <OptionChecks at i branch group test />
                }.into_any(),
                "submitter_under" => view! {
                    <Picker id=picker_id kind="department" multiple=true labels=editing.labels
                        value=get(|t| match t { Test::SubmitterUnder { departments } => joined(departments), _ => String::new() })
                        set=put(|t, v| if let Test::SubmitterUnder { departments } = t { *departments = split(&v) }) />
                }.into_any(),
                _ => view! {
                    <Picker id=picker_id kind="person" multiple=true labels=editing.labels
                        value=get(|t| match t { Test::SubmitterIs { people } => joined(people), _ => String::new() })
                        set=put(|t, v| if let Test::SubmitterIs { people } = t { *people = split(&v) }) />
                }.into_any(),
            }}}
            <button type="button" class="button button--small" on:click=remove>{t!(i18n, designer.remove_test)}</button>
        </div>
    }
}

/// The options of the chosen field a "one of" test accepts.
#[component]
fn OptionChecks(at: ListAt, i: usize, branch: usize, group: usize, test: usize) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let test_of = move |n: &Node| -> Option<(String, Vec<String>)> {
        match condition(n, branch)?.any.get(group)?.get(test)? {
            Test::OneOf { field, options } => Some((field.clone(), options.clone())),
            _ => None,
        }
    };
    let options = move || {
        let Some((field, _)) = editing.read_node(at, i, test_of) else {
            return Vec::new();
        };
        editing
            .design
            .with(|d| match d.form.control(&field).map(|c| &c.kind) {
                Some(ControlKind::Choice { options, .. }) => options.clone(),
                _ => Vec::new(),
            })
    };
    move || {
        options()
            .into_iter()
            .map(|o| {
                let key = o.key.clone();
                let k2 = key.clone();
                view! {
                    <label class="check">
                        <input type="checkbox"
                            prop:checked=move || editing.read_node(at, i, test_of).is_some_and(|(_, on)| on.contains(&key))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let k = k2.clone();
                                editing.edit_node(at, i, |n| {
                                    if let Some(Test::OneOf { options, .. }) = condition_mut(n, branch).and_then(|c| c.any.get_mut(group)?.get_mut(test)) {
                                        options.retain(|x| *x != k);
                                        if on { options.push(k); }
                                    }
                                });
                            } />
                        " " {move || super::pick(i18n.get_locale(), &o.en, &o.zh)}
                    </label>
                }
            })
            .collect_view()
    }
}
