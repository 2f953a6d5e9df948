//! The department tree: opened down to the selected department, each level loaded when opened, with dragging onto a new parent.
use super::super::api::{MoveDepartment, contacts_children};
use super::super::{Branch, DepartmentNode};
use super::*;
use crate::i18n::*;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

/// The tree: opened down to the selected department, each level loaded
/// when it is opened.
#[component]
pub(super) fn DepartmentTree(branch: Branch) -> impl IntoView {
    let i18n = use_i18n();
    let mut by_parent: HashMap<String, Vec<DepartmentNode>> = HashMap::new();
    // The root, or for a scoped administrator the tops of their subtrees
    // (whose parents are not shown).
    let shown: HashSet<&str> = branch.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut tops = Vec::new();
    for n in branch.nodes.iter().cloned() {
        match n.parent_id.clone() {
            Some(p) if shown.contains(p.as_str()) => by_parent.entry(p).or_default().push(n),
            _ => tops.push(n),
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
            {tops.into_iter().map(|r| tree_item(r, tree)).collect_view()}
        </ul>
    }
}

#[derive(Clone, Copy)]
pub(super) struct Tree {
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

pub(super) fn tree_item(node: DepartmentNode, tree: Tree) -> AnyView {
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
                    // The tree may have gone while the answer was on its way.
                    tree.children.try_update(|c| {
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
