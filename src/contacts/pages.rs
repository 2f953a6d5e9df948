//! `/admin/contacts`: the department tree beside the selected department's
//! members, and the employee pages. Every screen works with links and forms
//! alone; with JavaScript the tree opens in place and departments can be
//! dragged onto a new parent.
use super::api::{
    CreateDepartment, DeleteDepartment, MoveDepartment, RenameDepartment, ReorderDepartment,
    SetDepartmentHeads, contacts_branch, contacts_children, contacts_members, find_departments,
};
use super::{Branch, DepartmentDetail, DepartmentNode, EmployeeStatus, MemberPage, StatusFilter};
use crate::i18n::*;
use crate::ui::{AppErrorView, Field, FormError, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::{HashMap, HashSet};

mod chart;
mod employee;

pub use chart::OrgChartPage;
pub use employee::{EmployeeEditPage, EmployeePage, NewEmployeePage};

pub(crate) fn contacts_href(department: &str) -> String {
    format!("/admin/contacts?dept={department}")
}

pub(crate) fn status_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    s: EmployeeStatus,
) -> &'static str {
    match s {
        EmployeeStatus::NotActivated => t_string!(i18n, contacts.status_not_activated),
        EmployeeStatus::Active => t_string!(i18n, contacts.status_active),
        EmployeeStatus::Disabled => t_string!(i18n, contacts.status_disabled),
        EmployeeStatus::Departed => t_string!(i18n, contacts.status_departed),
    }
}

/// The department actions of the console, shared by the panel and the tree.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateDepartment>,
    rename: ServerAction<RenameDepartment>,
    move_to: ServerAction<MoveDepartment>,
    reorder: ServerAction<ReorderDepartment>,
    delete: ServerAction<DeleteDepartment>,
    heads: ServerAction<SetDepartmentHeads>,
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |key: &str| query.read().get(key).unwrap_or_default();
    let refresh = RwSignal::new(0u32);
    let branch = Resource::new(
        move || (get("dept"), refresh.get()),
        |(d, _)| contacts_branch(d),
    );
    let actions = Actions {
        create: ServerAction::new(),
        rename: ServerAction::new(),
        move_to: ServerAction::new(),
        reorder: ServerAction::new(),
        delete: ServerAction::new(),
        heads: ServerAction::new(),
    };
    provide_context(actions);
    let navigate = use_navigate();
    let go = navigate.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = actions.create.value().get() {
            go(&contacts_href(&id), Default::default());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(parent)) = actions.delete.value().get() {
            navigate(&contacts_href(&parent), Default::default());
        }
    });
    // Another department: the last answers of the forms belong to the one before.
    Effect::new(move |previous: Option<String>| {
        let department = get("dept");
        if previous.is_some_and(|p| p != department) {
            actions.create.value().set(None);
            actions.rename.value().set(None);
            actions.move_to.value().set(None);
            actions.reorder.value().set(None);
            actions.delete.value().set(None);
            actions.heads.value().set(None);
        }
        department
    });
    let bump = move |ok: bool| {
        if ok {
            refresh.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| bump(matches!(actions.rename.value().get(), Some(Ok(_)))));
    Effect::new(move |_| bump(matches!(actions.move_to.value().get(), Some(Ok(_)))));
    Effect::new(move |_| bump(matches!(actions.reorder.value().get(), Some(Ok(_)))));
    Effect::new(move |_| bump(matches!(actions.heads.value().get(), Some(Ok(_)))));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, contacts.title)) />
        <section class="page page--wide contacts" data-page="contacts">
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match branch.await {
                        Ok(b) => view! { <Console branch=b refresh /> }.into_any(),
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Console(branch: Branch, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let selected = branch.selected.clone();
    let count = branch.department_count;
    let move_error = last_error(actions.move_to);
    let main = (
        format!("{}:{}", selected.node.id, refresh.get_untracked()),
        selected.clone(),
        siblings_of(&branch),
    );
    view! {
        <header class="contacts__header">
            <h1>{t!(i18n, contacts.title)}</h1>
            <p class="muted">{t!(i18n, contacts.department_count, count = move || count)}</p>
            <div class="contacts__links">
                <a class="button" href=format!("/admin/contacts/chart?dept={}", selected.node.id)>
                    {t!(i18n, contacts.org_chart)}
                </a>
                <a
                    class="button button--primary"
                    href=format!("/admin/contacts/employees/new?dept={}", selected.node.id)
                    data-action="new-employee"
                >
                    {t!(i18n, contacts.add_employee)}
                </a>
            </div>
        </header>
        <div class="contacts__body">
            <nav class="contacts__tree" aria-label=move || t_string!(i18n, contacts.tree_label)>
                <FormError error=move_error />
                <DepartmentTree branch=branch.clone() />
            </nav>
            // Keyed by this answer of the server, so that another department
            // (or the same one after a change) gets fresh panels: closed
            // actions and empty fields, not the ones the browser kept open.
            <For
                each=move || [main.clone()]
                key=|(key, _, _)| key.clone()
                children=move |(_, detail, siblings)| {
                    view! {
                        <div class="contacts__main">
                            <DepartmentPanel detail=detail.clone() siblings />
                            <Members department=detail.node.id.clone() refresh />
                        </div>
                    }
                }
            />
        </div>
    }
}

/// The selected department's place among its siblings: (index, count).
fn siblings_of(branch: &Branch) -> (usize, usize) {
    let me = &branch.selected.node;
    let siblings: Vec<&DepartmentNode> = branch
        .nodes
        .iter()
        .filter(|n| n.parent_id == me.parent_id && n.parent_id.is_some())
        .collect();
    let index = siblings.iter().position(|n| n.id == me.id).unwrap_or(0);
    (index, siblings.len())
}

/// The tree: opened down to the selected department, each level loaded
/// when it is opened.
#[component]
fn DepartmentTree(branch: Branch) -> impl IntoView {
    let i18n = use_i18n();
    let mut by_parent: HashMap<String, Vec<DepartmentNode>> = HashMap::new();
    let mut root = None;
    for n in branch.nodes.iter().cloned() {
        match n.parent_id.clone() {
            Some(p) => by_parent.entry(p).or_default().push(n),
            None => root = Some(n),
        }
    }
    let mut open: HashSet<String> = branch
        .selected
        .ancestors
        .iter()
        .map(|(id, _)| id.clone())
        .collect();
    open.insert(branch.selected.node.id.clone());
    let tree = Tree {
        children: RwSignal::new(by_parent),
        open: RwSignal::new(open),
        selected: StoredValue::new(branch.selected.node.id.clone()),
        dragging: RwSignal::new(None),
        drop_target: RwSignal::new(None),
        expand: Memo::new(move |_| t_string!(i18n, contacts.expand)),
        collapse: Memo::new(move |_| t_string!(i18n, contacts.collapse)),
        headcount_hint: Memo::new(move |_| t_string!(i18n, contacts.headcount_hint)),
    };
    view! {
        <ul class="tree" role="tree" data-tree="departments">
            {root.map(|r| tree_item(r, tree))}
        </ul>
    }
}

#[derive(Clone, Copy)]
struct Tree {
    children: RwSignal<HashMap<String, Vec<DepartmentNode>>>,
    open: RwSignal<HashSet<String>>,
    selected: StoredValue<String>,
    /// The department being dragged: (id, version).
    dragging: RwSignal<Option<(String, i32)>>,
    drop_target: RwSignal<Option<String>>,
    /// Labels every department repeats, looked up once per language.
    expand: Memo<&'static str>,
    collapse: Memo<&'static str>,
    headcount_hint: Memo<&'static str>,
}

fn tree_item(node: DepartmentNode, tree: Tree) -> AnyView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let id = StoredValue::new(node.id.clone());
    let href = contacts_href(&node.id);
    let has_children = node.child_count > 0;
    let is_root = node.parent_id.is_none();
    let is_open = move || tree.open.with(|o| id.with_value(|id| o.contains(id)));
    let is_selected = tree.selected.with_value(|s| *s == node.id);
    let toggle = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let key = id.get_value();
        if is_open() {
            tree.open.update(|o| {
                o.remove(&key);
            });
            return;
        }
        tree.open.update(|o| {
            o.insert(key.clone());
        });
        if !tree.children.with(|c| c.contains_key(&key)) {
            leptos::task::spawn_local(async move {
                if let Ok(kids) = contacts_children(key.clone()).await {
                    tree.children.update(|c| {
                        c.insert(key, kids);
                    });
                }
            });
        }
    };
    let version = node.version;
    let drag_start = move |ev: leptos::ev::DragEvent| {
        if let Some(dt) = ev.data_transfer() {
            let _ = dt.set_data("text/plain", &id.get_value());
            dt.set_effect_allowed("move");
        }
        tree.dragging.set(Some((id.get_value(), version)));
    };
    let drag_over = move |ev: leptos::ev::DragEvent| {
        if tree
            .dragging
            .with(|d| d.as_ref().is_some_and(|(d, _)| *d != id.get_value()))
        {
            ev.prevent_default();
            tree.drop_target.set(Some(id.get_value()));
        }
    };
    let drag_leave = move |_| {
        if tree
            .drop_target
            .with(|t| t.as_deref() == Some(id.get_value().as_str()))
        {
            tree.drop_target.set(None);
        }
    };
    let drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        tree.drop_target.set(None);
        if let Some((dragged, version)) = tree.dragging.get_untracked() {
            tree.dragging.set(None);
            actions.move_to.dispatch(MoveDepartment {
                id: dragged,
                parent: id.get_value(),
                version,
            });
        }
    };
    let name = node.name.clone();
    view! {
        <li
            role="treeitem"
            aria-expanded=move || has_children.then(|| if is_open() { "true" } else { "false" })
            aria-selected=if is_selected { "true" } else { "false" }
            data-department=node.id.clone()
            data-name=node.name.clone()
        >
            <div
                class=format!("tree__row tree__row--d{}", (node.depth - 1).clamp(0, 14))
                class:tree__row--selected=is_selected
                class:tree__row--drop=move || tree.drop_target.with(|t| t.as_deref() == Some(id.get_value().as_str()))
                draggable=(!is_root).then_some("true")
                on:dragstart=drag_start
                on:dragend=move |_| {
                    tree.dragging.set(None);
                    tree.drop_target.set(None);
                }
                on:dragover=drag_over
                on:dragleave=drag_leave
                on:drop=drop
            >
                {if has_children {
                    view! {
                        <a
                            class="tree__toggle"
                            href=href.clone()
                            on:click=toggle
                            aria-label=move || {
                                if is_open() { tree.collapse.get() } else { tree.expand.get() }
                            }
                        >
                            {move || if is_open() { "▾" } else { "▸" }}
                        </a>
                    }
                        .into_any()
                } else {
                    view! { <span class="tree__toggle tree__toggle--leaf"></span> }.into_any()
                }}
                // A plain link: the router takes over its clicks all the same,
                // without a route lookup per department while rendering.
                <a href=href class="tree__label" aria-current=is_selected.then_some("page")>
                    {name}
                </a>
                <span class="tree__count" title=tree.headcount_hint>
                    {node.headcount}
                </span>
            </div>
            {move || {
                (has_children && is_open())
                    .then(|| {
                        let kids = tree
                            .children
                            .with(|c| id.with_value(|id| c.get(id).cloned()));
                        match kids {
                            Some(kids) => {
                                view! {
                                    <ul role="group">
                                        {kids.into_iter().map(|k| tree_item(k, tree)).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            None => view! { <p class="tree__loading muted">{t!(i18n, common.loading)}</p> }.into_any(),
                        }
                    })
            }}
        </li>
    }
    .into_any()
}

/// The selected department: where it is, its heads and what can be done with it.
#[component]
fn DepartmentPanel(detail: DepartmentDetail, siblings: (usize, usize)) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let node = detail.node.clone();
    let is_root = detail.is_root();
    let empty = node.child_count == 0 && detail.direct_members == 0;
    let heads = detail.heads.clone();
    let (index, sibling_count) = siblings;
    let id = StoredValue::new(node.id.clone());
    let dept_name = StoredValue::new(node.name.clone());
    let version = node.version;
    view! {
        <div class="department" data-department-panel=node.id.clone()>
            <nav class="breadcrumbs" aria-label=move || t_string!(i18n, contacts.path)>
                {detail
                    .ancestors
                    .clone()
                    .into_iter()
                    .map(|(id, name)| {
                        view! {
                            <a href=contacts_href(&id)>{name}</a>
                            <span aria-hidden="true">" / "</span>
                        }
                    })
                    .collect_view()}
            </nav>
            <h2 class="department__name" data-selected-name=node.name.clone()>
                {node.name.clone()}
                " "
                <span class="badge" data-headcount=node.headcount>
                    {t!(i18n, contacts.people, count = move || node.headcount)}
                </span>
            </h2>
            <p class="muted">
                {t!(i18n, contacts.direct_and_children, direct = detail.direct_members, children = node.child_count)}
            </p>
            <p class="department__heads">
                <strong>{t!(i18n, contacts.heads)} ": "</strong>
                {if heads.is_empty() {
                    view! { <span class="muted">{t!(i18n, contacts.no_heads)}</span> }.into_any()
                } else {
                    heads
                        .iter()
                        .map(|h| {
                            view! {
                                <a href=format!("/admin/contacts/employees/{}", h.id) class="department__head">
                                    {h.name.clone()}
                                </a>
                                " "
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </p>
            <div class="department__actions">
                <details class="action" data-action-panel="create">
                    <summary class="button">{t!(i18n, contacts.add_department)}</summary>
                    <ActionForm action=actions.create attr:class="action__form">
                        <input type="hidden" name="parent" value=id.get_value() />
                        <FormError error=last_error(actions.create) />
                        <Field
                            name="name"
                            form="create"
                            label=Signal::derive(move || t_string!(i18n, contacts.department_name).to_owned())
                            hint=Signal::derive(move || t_string!(i18n, contacts.department_name_hint).to_owned())
                            error=field_code(last_error(actions.create), "name")
                            maxlength=64
                        />
                        <button type="submit" class="button button--primary">
                            {t!(i18n, contacts.create)}
                        </button>
                    </ActionForm>
                </details>
                <details class="action" data-action-panel="rename">
                    <summary class="button">{t!(i18n, contacts.rename)}</summary>
                    <ActionForm action=actions.rename attr:class="action__form">
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="version" value=version />
                        <FormError error=last_error(actions.rename) />
                        <Field
                            name="name"
                            form="rename"
                            label=Signal::derive(move || t_string!(i18n, contacts.department_name).to_owned())
                            value=Signal::stored(dept_name.get_value())
                            error=field_code(last_error(actions.rename), "name")
                            maxlength=64
                        />
                        <button type="submit" class="button button--primary">
                            {t!(i18n, contacts.save)}
                        </button>
                    </ActionForm>
                </details>
                {(!is_root)
                    .then(|| {
                        view! {
                            <MoveDialog id=id.get_value() version />
                            <ActionForm action=actions.reorder attr:class="action__inline">
                                <input type="hidden" name="id" value=id.get_value() />
                                <input type="hidden" name="version" value=version />
                                <input type="hidden" name="index" value=index.saturating_sub(1) />
                                <button type="submit" class="button" disabled=index == 0 data-action="move-up">
                                    {t!(i18n, contacts.move_up)}
                                </button>
                            </ActionForm>
                            <ActionForm action=actions.reorder attr:class="action__inline">
                                <input type="hidden" name="id" value=id.get_value() />
                                <input type="hidden" name="version" value=version />
                                <input type="hidden" name="index" value=index + 1 />
                                <button
                                    type="submit"
                                    class="button"
                                    disabled={index + 1 >= sibling_count}
                                    data-action="move-down"
                                >
                                    {t!(i18n, contacts.move_down)}
                                </button>
                            </ActionForm>
                        }
                    })}
                <details class="action" data-action-panel="heads">
                    <summary class="button">{t!(i18n, contacts.set_heads)}</summary>
                    <ActionForm action=actions.heads attr:class="action__form">
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="version" value=version />
                        <FormError error=last_error(actions.heads) />
                        <Field
                            name="heads"
                            form="heads"
                            required=false
                            label=Signal::derive(move || t_string!(i18n, contacts.heads_field).to_owned())
                            hint=Signal::derive(move || t_string!(i18n, contacts.heads_hint).to_owned())
                            value=Signal::stored(detail.head_userids.clone())
                            error=field_code(last_error(actions.heads), "heads")
                        />
                        <button type="submit" class="button button--primary">
                            {t!(i18n, contacts.save)}
                        </button>
                    </ActionForm>
                </details>
                {(!is_root)
                    .then(|| {
                        view! {
                            <details class="action action--danger" data-action-panel="delete">
                                <summary class="button button--danger">{t!(i18n, contacts.delete)}</summary>
                                <ActionForm action=actions.delete attr:class="action__form">
                                    <input type="hidden" name="id" value=id.get_value() />
                                    <input type="hidden" name="version" value=version />
                                    <FormError error=last_error(actions.delete) />
                                    {if empty {
                                        view! {
                                            <p>{t!(i18n, contacts.delete_confirm, name = dept_name.get_value())}</p>
                                            <button type="submit" class="button button--danger" data-action="confirm-delete">
                                                {t!(i18n, contacts.delete_confirm_button)}
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <p class="notice notice--warning">{t!(i18n, contacts.delete_not_empty)}</p> }
                                            .into_any()
                                    }}
                                </ActionForm>
                            </details>
                        }
                    })}
            </div>
        </div>
    }
}

/// "Move to…": find the new parent by name, then move. The keyboard and
/// no-JavaScript way to do what dragging does.
#[component]
fn MoveDialog(id: String, version: i32) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let query = use_query_map();
    // A search form: typing then Enter (or Search) puts the words in the
    // address, and the server answers with the departments found, with or
    // without JavaScript.
    let term = move || query.read().get("move_q").unwrap_or_default();
    let open = !query
        .read_untracked()
        .get("move_q")
        .unwrap_or_default()
        .is_empty();
    let found = Resource::new(term, |q| async move {
        if q.trim().is_empty() {
            Ok(Vec::new())
        } else {
            find_departments(q).await
        }
    });
    let here = StoredValue::new(id.clone());
    let targets = move |found: Vec<(String, String)>| {
        let found: Vec<(String, String)> = found
            .into_iter()
            .filter(|(d, _)| *d != here.get_value())
            .collect();
        if found.is_empty() {
            return (!term().trim().is_empty())
                .then(|| view! { <p class="muted">{t!(i18n, contacts.no_departments_found)}</p> })
                .into_any();
        }
        view! {
            <ul class="move-targets">
                {found
                    .into_iter()
                    .map(|(target, path)| {
                        view! {
                            <li>
                                <ActionForm action=actions.move_to attr:class="move-target">
                                    <input type="hidden" name="id" value=here.get_value() />
                                    <input type="hidden" name="version" value=version />
                                    <input type="hidden" name="parent" value=target.clone() />
                                    <span class="move-target__path">{path.clone()}</span>
                                    <button type="submit" class="button" data-move-target=path>
                                        {t!(i18n, contacts.move_here)}
                                    </button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <details class="action" data-action-panel="move" open=open>
            <summary class="button">{t!(i18n, contacts.move_to)}</summary>
            <div class="action__form">
                <Form method="GET" action="/admin/contacts">
                    <input type="hidden" name="dept" value=id.clone() />
                    <label class="field__label" for="move-search">{t!(i18n, contacts.move_search)}</label>
                    <div class="search__row">
                        <input
                            id="move-search"
                            class="field__input"
                            type="search"
                            name="move_q"
                            autocomplete="off"
                            value=term
                        />
                        <button type="submit" class="button">{t!(i18n, contacts.search)}</button>
                    </div>
                </Form>
                <FormError error=last_error(actions.move_to) />
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move { targets(found.await.unwrap_or_default()) })}
                </Suspense>
            </div>
        </details>
    }
}

/// The members of the selected department (and below), with search and paging.
#[component]
fn Members(department: String, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let department = StoredValue::new(department);
    let query = use_query_map();
    let get = move |key: &str| query.read().get(key).unwrap_or_default();
    let page = Resource::new(
        move || {
            (
                get("q"),
                get("status"),
                matches!(get("direct").as_str(), "1" | "true"),
                get("page").parse::<i64>().unwrap_or(1),
                refresh.get(),
            )
        },
        move |(q, status, direct, page, _)| {
            contacts_members(department.get_value(), q, status, direct, page)
        },
    );
    let initial = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let q = initial("q");
    let status = StatusFilter::parse(&initial("status"));
    let direct = matches!(initial("direct").as_str(), "1" | "true");
    view! {
        <section class="members" aria-labelledby="members-heading">
            <h2 id="members-heading" class="visually-hidden">{t!(i18n, contacts.members)}</h2>
            <Form method="GET" action="/admin/contacts" attr:class="members__search" attr:role="search">
                <input type="hidden" name="dept" value=department.get_value() />
                <label class="visually-hidden" for="member-search">{t!(i18n, contacts.search_label)}</label>
                <input
                    id="member-search"
                    class="field__input"
                    type="search"
                    name="q"
                    value=q
                    placeholder=move || t_string!(i18n, contacts.search_placeholder)
                    autocomplete="off"
                />
                <label class="visually-hidden" for="member-status">{t!(i18n, contacts.status_filter)}</label>
                <select id="member-status" name="status" class="field__input">
                    <option value="current" selected=status == StatusFilter::Current>
                        {t!(i18n, contacts.filter_current)}
                    </option>
                    <option value="departed" selected=status == StatusFilter::Departed>
                        {t!(i18n, contacts.filter_departed)}
                    </option>
                    <option value="all" selected=status == StatusFilter::All>
                        {t!(i18n, contacts.filter_all)}
                    </option>
                </select>
                <label class="check check--small">
                    <input type="checkbox" name="direct" value="1" checked=direct />
                    <span>{t!(i18n, contacts.direct_only)}</span>
                </label>
                <button type="submit" class="button">{t!(i18n, contacts.search)}</button>
            </Form>
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new({
                    async move {
                        match page.await {
                            Ok(p) => view! { <MemberTable page=p department=department.get_value() /> }.into_any(),
                            Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MemberTable(page: MemberPage, department: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let link = move |n: i64| {
        let q = query.read_untracked();
        let mut url = url_params(&[
            ("dept", department.clone()),
            ("q", q.get("q").unwrap_or_default()),
            ("status", q.get("status").unwrap_or_default()),
            ("direct", q.get("direct").unwrap_or_default()),
        ]);
        url.push_str(&format!("&page={n}"));
        url
    };
    if page.items.is_empty() {
        return view! { <p class="empty" data-empty="members">{t!(i18n, contacts.no_members)}</p> }
            .into_any();
    }
    let total = page.total;
    view! {
        <p class="muted" data-total=total>{t!(i18n, contacts.people, count = move || total)}</p>
        <div class="table-wrap">
            <table class="table" data-table="members">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, contacts.col_name)}</th>
                        <th scope="col">{t!(i18n, contacts.col_userid)}</th>
                        <th scope="col">{t!(i18n, contacts.col_position)}</th>
                        <th scope="col">{t!(i18n, contacts.col_departments)}</th>
                        <th scope="col">{t!(i18n, contacts.col_mobile)}</th>
                        <th scope="col">{t!(i18n, contacts.col_email)}</th>
                        <th scope="col">{t!(i18n, contacts.col_status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page
                        .items
                        .into_iter()
                        .map(|m| {
                            let status = m.status;
                            view! {
                                <tr data-member=m.id.clone()>
                                    <td>
                                        <a href=format!("/admin/contacts/employees/{}", m.id)>{m.name.clone()}</a>
                                    </td>
                                    <td class="table__mono">{m.userid.clone()}</td>
                                    <td>{m.position.clone()}</td>
                                    <td class="table__clip">{m.departments.join(", ")}</td>
                                    <td class="table__mono">{m.mobile.clone()}</td>
                                    <td class="table__clip">{m.email.clone()}</td>
                                    <td>
                                        <span class=format!("status-badge status-badge--{}", status.as_str())>
                                            {move || status_text(i18n, status)}
                                        </span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {(page.pages > 1)
            .then(|| {
                view! {
                    <nav class="pager" aria-label=move || t_string!(i18n, contacts.pages)>
                        {(page.page > 1).then(|| view! { <a href=link(page.page - 1) rel="prev">{t!(i18n, contacts.previous)}</a> })}
                        <span>{t!(i18n, contacts.page_of, page = page.page, pages = page.pages)}</span>
                        {(page.page < page.pages).then(|| view! { <a href=link(page.page + 1) rel="next">{t!(i18n, contacts.next)}</a> })}
                    </nav>
                }
            })}
    }
    .into_any()
}

/// `/admin/contacts?k=v&…`, leaving out empty values.
pub(crate) fn url_params(pairs: &[(&str, String)]) -> String {
    let mut out = String::from("/admin/contacts?");
    let mut first = true;
    for (k, v) in pairs {
        if v.is_empty() {
            continue;
        }
        if !first {
            out.push('&');
        }
        first = false;
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

pub(crate) fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
