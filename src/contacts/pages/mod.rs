//! `/admin/contacts`: the department tree beside the selected department's
//! members, and the employee pages. Every screen works with links and forms
//! alone; with JavaScript the tree opens in place and departments can be
//! dragged onto a new parent.
mod department;
mod members;
mod tree;
pub use department::*;
pub use members::*;
pub use tree::*;

use super::api::{
    CreateDepartment, DeleteDepartment, MoveDepartment, RenameDepartment, ReorderDepartment,
    SetDepartmentHeads, contacts_branch,
};
use super::{Branch, DepartmentNode, EmployeeStatus};
use crate::i18n::*;
use crate::ui::{FormError, Loaded, last_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

mod chart;
mod employee;

pub use chart::OrgChartPage;
pub(crate) use employee::DepartmentPicker;
pub use employee::{EmployeeFormPage, EmployeePage};
pub(crate) use employee::{field_text, value_text};

pub(crate) fn contacts_href(department: &str) -> String {
    format!("/admin/contacts?dept={department}")
}

pub(crate) fn status_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    s: EmployeeStatus,
) -> &'static str {
    status_words(i18n.get_locale(), s)
}

pub(crate) fn status_words(locale: Locale, s: EmployeeStatus) -> &'static str {
    match s {
        EmployeeStatus::NotActivated => td_string!(locale, contacts.status_not_activated),
        EmployeeStatus::Active => td_string!(locale, contacts.status_active),
        EmployeeStatus::Disabled => td_string!(locale, contacts.status_disabled),
        EmployeeStatus::Departed => td_string!(locale, contacts.status_departed),
    }
}

/// The department actions of the console, shared by the panel and the tree.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    create: ServerAction<CreateDepartment>,
    rename: ServerAction<RenameDepartment>,
    move_to: ServerAction<MoveDepartment>,
    reorder: ServerAction<ReorderDepartment>,
    delete: ServerAction<DeleteDepartment>,
    heads: ServerAction<SetDepartmentHeads>,
    invite: ServerAction<crate::invitations::api::InvitePeople>,
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
    provide_context(members::MembersAnswer::new(branch, refresh));
    let actions = Actions {
        create: ServerAction::new(),
        rename: ServerAction::new(),
        move_to: ServerAction::new(),
        reorder: ServerAction::new(),
        delete: ServerAction::new(),
        heads: ServerAction::new(),
        invite: ServerAction::new(),
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
            <Loaded resource=branch let:b>
                <Console branch=b refresh />
            </Loaded>
        </section>
    }
}

#[component]
pub(super) fn Console(branch: Branch, refresh: RwSignal<u32>) -> impl IntoView {
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
                {branch.may_import.then(|| view! {
                    <a class="button" href="/admin/contacts/import" data-action="import">
                        {t!(i18n, import.title)}
                    </a>
                    <a
                        class="button"
                        href=format!("/admin/contacts/export?format=xlsx&department={}", selected.node.id)
                        download
                        data-action="export-department"
                    >
                        {t!(i18n, import.export)}
                    </a>
                })}
                {branch.manages_join_link.then(|| view! {
                    <a class="button" href="/admin/contacts/join" data-action="join-link">
                        {t!(i18n, join_link.title)}
                    </a>
                })}
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
                            <Members department=detail.node.id.clone() />
                        </div>
                    }
                }
            />
        </div>
    }
}

/// The selected department's place among its siblings: (index, count).
pub(super) fn siblings_of(branch: &Branch) -> (usize, usize) {
    let me = &branch.selected.node;
    let siblings: Vec<&DepartmentNode> = branch
        .nodes
        .iter()
        .filter(|n| n.parent_id == me.parent_id && n.parent_id.is_some())
        .collect();
    let index = siblings.iter().position(|n| n.id == me.id).unwrap_or(0);
    (index, siblings.len())
}
