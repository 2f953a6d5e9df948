//! `/admin/access`: the creator, super administrators and admin groups.
//! Every change asks for the caller's password (and code), as the server does.
use super::api::{
    DeleteAdminGroup, GrantSuperAdmin, RemoveSuperAdmin, SaveAdminGroup, SetAdminGroupMembers,
    TransferCreator, access_overview,
};
use super::{AccessPage, AdminGroup, AdminRef, GroupScope, Permission};
use crate::contacts::api::find_departments;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{
    ActionPanel, CodeMessage, ConfirmStep, Field, FormError, Loaded, field_code, last_error, text,
};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Every action of the page; a success of any reloads it.
#[derive(Clone, Copy)]
struct Actions {
    grant: ServerAction<GrantSuperAdmin>,
    remove: ServerAction<RemoveSuperAdmin>,
    transfer: ServerAction<TransferCreator>,
    save: ServerAction<SaveAdminGroup>,
    delete: ServerAction<DeleteAdminGroup>,
    members: ServerAction<SetAdminGroupMembers>,
}

#[component]
pub fn AccessAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let actions = Actions {
        grant: ServerAction::new(),
        remove: ServerAction::new(),
        transfer: ServerAction::new(),
        save: ServerAction::new(),
        delete: ServerAction::new(),
        members: ServerAction::new(),
    };
    provide_context(actions);
    let done = move || {
        (
            actions.grant.version().get(),
            actions.remove.version().get(),
            actions.transfer.version().get(),
            actions.save.version().get(),
            actions.delete.version().get(),
            actions.members.version().get(),
        )
    };
    let page = Resource::new(done, |_| access_overview());
    view! {
        <div class="access" data-page="access">
            <h1>{t!(i18n, access.title)}</h1>
            <p class="muted">{t!(i18n, access.intro)}</p>
            <Loaded resource=page let:page>
                <AccessView page />
            </Loaded>
        </div>
    }
}

#[component]
fn AccessView(page: AccessPage) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let AccessPage {
        creator,
        super_admins,
        groups,
        caller_is_super_admin,
        caller_is_creator,
        caller_id,
        grantable,
    } = page;
    let creator_id = creator.as_ref().map(|c| c.id.clone());
    let only_one = super_admins.len() == 1;
    let grantable = StoredValue::new(grantable);
    let supers = caller_is_super_admin.then(|| {
        view! {
            <section class="access__section" data-section="super-admins">
                <h2>{t!(i18n, access.super_admins)}</h2>
                <p class="muted">{t!(i18n, access.super_admins_hint)}</p>
                {only_one.then(|| view! {
                    <p class="notice notice--warning" data-notice="one-super-admin">{t!(i18n, access.only_one_super_admin)}</p>
                })}
                <table class="table" data-table="super-admins">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, access.name)}</th>
                            <th scope="col">{t!(i18n, access.userid)}</th>
                            <th scope="col">{t!(i18n, access.two_step)}</th>
                            <th scope="col">{t!(i18n, access.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {super_admins
                            .into_iter()
                            .map(|a| {
                                let is_creator = creator_id.as_deref() == Some(a.id.as_str());
                                let is_me = a.id == caller_id;
                                view! {
                                    <tr data-super-admin=a.userid.clone()>
                                        <td>
                                            <a href=format!("/admin/contacts/employees/{}", a.id)>{a.name.clone()}</a>
                                            {is_creator.then(|| view! { " " <span class="badge" data-badge="creator">{t!(i18n, access.creator)}</span> })}
                                        </td>
                                        <td class="mono">{a.userid.clone()}</td>
                                        <td><TwoStep admin=a.clone() /></td>
                                        <td class="access__row-actions">
                                            {(!is_creator).then(|| view! { <RemoveSuperAdminPanel admin=a.clone() /> })}
                                            {(caller_is_creator && !is_me).then(|| view! { <TransferPanel admin=a.clone() /> })}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <ActionPanel name="grant-super-admin" label=text!(i18n, access.add_super_admin)>
                    <ActionForm action=actions.grant attr:class="action__form">
                        <FormError error=last_error(actions.grant) />
                        <p class="muted">{t!(i18n, access.add_super_admin_hint)}</p>
                        <Field
                            name="person"
                            form="grant"
                            label=text!(i18n, access.userid)
                            error=field_code(last_error(actions.grant), "person")
                            maxlength=64
                        />
                        <Signature form="grant" error=last_error(actions.grant) />
                        <button type="submit" class="button button--primary" data-action="grant-super-admin">
                            {t!(i18n, access.appoint)}
                        </button>
                    </ActionForm>
                </ActionPanel>
            </section>
        }
    });
    let empty = groups.is_empty();
    view! {
        {supers}
        <section class="access__section" data-section="groups">
            <h2>{t!(i18n, access.groups)}</h2>
            <p class="muted">{t!(i18n, access.groups_hint)}</p>
            {empty.then(|| view! { <p class="empty" data-empty="groups">{t!(i18n, access.no_groups)}</p> })}
            <ul class="access__groups">
                {groups
                    .into_iter()
                    .map(|g| view! { <GroupCard group=g grantable=grantable.get_value() /> })
                    .collect_view()}
            </ul>
            <ActionPanel name="new-group" label=text!(i18n, access.new_group)>
                <GroupForm group=None grantable=grantable.get_value() />
            </ActionPanel>
        </section>
    }
}

/// Whether an administrator has a second factor, said in words (not colour alone).
#[component]
fn TwoStep(admin: AdminRef) -> impl IntoView {
    let i18n = use_i18n();
    if admin.totp_enabled {
        view! { <span data-two-step="on">{t!(i18n, access.two_step_on)}</span> }.into_any()
    } else {
        view! { <span class="warning-text" data-two-step="off">{t!(i18n, access.two_step_off)}</span> }
            .into_any()
    }
}

/// The caller's password and code, which sign a change of roles.
#[component]
fn Signature(form: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="form__group" data-part="confirm-identity">
            <legend>{t!(i18n, contacts.confirm_identity)}</legend>
            <Field
                name="password"
                form=form
                input_type="password"
                autocomplete="current-password"
                label=text!(i18n, contacts.your_password)
                error=field_code(error, "password")
            />
            <Field
                name="code"
                form=form
                required=false
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength=20
                label=text!(i18n, contacts.your_code)
                error=field_code(error, "code")
            />
        </fieldset>
    }
}

#[component]
fn RemoveSuperAdminPanel(admin: AdminRef) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let name = admin.name.clone();
    view! {
        <ActionPanel name="remove-super-admin" label=text!(i18n, access.remove) danger=true>
            <ActionForm action=actions.remove attr:class="action__form">
                <input type="hidden" name="person" value=admin.userid.clone() />
                <FormError error=last_error(actions.remove) />
                <CodeMessage code=field_code(last_error(actions.remove), "person") />
                <Signature form="remove" error=last_error(actions.remove) />
                <ConfirmStep button=text!(i18n, access.remove) action="remove-super-admin".into() danger=true>
                    {t!(i18n, access.remove_confirm, name = name.clone())}
                </ConfirmStep>
            </ActionForm>
        </ActionPanel>
    }
}

#[component]
fn TransferPanel(admin: AdminRef) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let name = admin.name.clone();
    view! {
        <ActionPanel name="transfer-creator" label=text!(i18n, access.transfer)>
            <ActionForm action=actions.transfer attr:class="action__form">
                <input type="hidden" name="person" value=admin.userid.clone() />
                <FormError error=last_error(actions.transfer) />
                <CodeMessage code=field_code(last_error(actions.transfer), "person") />
                <Signature form="transfer" error=last_error(actions.transfer) />
                <ConfirmStep button=text!(i18n, access.transfer) action="transfer-creator".into()>
                    {t!(i18n, access.transfer_confirm, name = name.clone())}
                </ConfirmStep>
            </ActionForm>
        </ActionPanel>
    }
}

fn scope_text(locale: Locale, g: &AdminGroup) -> String {
    match g.scope {
        GroupScope::Organisation => td_string!(locale, access.scope_organisation).to_owned(),
        GroupScope::OwnDepartments => td_string!(locale, access.scope_own).to_owned(),
        GroupScope::Departments => g
            .departments
            .iter()
            .map(|(_, path)| path.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

#[component]
fn GroupCard(group: AdminGroup, grantable: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let g = StoredValue::new(group.clone());
    let members_value = group
        .members
        .iter()
        .map(|m| m.userid.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let (id, version) = (group.id.clone(), group.version);
    let (id2, id3) = (id.clone(), id.clone());
    let confirm_name = group.name.clone();
    let member_count = group.members.len();
    let edited = group.clone();
    view! {
        <li class="card access__group" data-group=group.name.clone()>
            <h3>{group.name.clone()}</h3>
            <dl class="access__facts">
                <dt>{t!(i18n, access.permissions)}</dt>
                <dd>
                    <ul class="access__permissions">
                        {group
                            .permissions
                            .iter()
                            .filter_map(|p| Permission::parse(p))
                            .map(|p| view! { <li data-permission=p.as_str()>{move || p.description(i18n.get_locale())}</li> })
                            .collect_view()}
                    </ul>
                </dd>
                <dt>{t!(i18n, access.scope)}</dt>
                <dd data-scope=group.scope.as_str()>{move || scope_text(i18n.get_locale(), &g.get_value())}</dd>
                <dt>{t!(i18n, access.members)}</dt>
                <dd>
                    {if group.members.is_empty() {
                        view! { <span class="muted">{t!(i18n, access.no_members)}</span> }.into_any()
                    } else {
                        group
                            .members
                            .iter()
                            .map(|m| {
                                view! {
                                    <span class="access__member" data-member=m.userid.clone()>
                                        <a href=format!("/admin/contacts/employees/{}", m.id)>{m.name.clone()}</a>
                                        " (" <TwoStep admin=m.clone() /> ")"
                                    </span>
                                    " "
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </dd>
            </dl>
            <div class="access__row-actions">
                <ActionPanel name="group-members" label=text!(i18n, access.edit_members)>
                    <ActionForm action=actions.members attr:class="action__form">
                        <input type="hidden" name="id" value=id2 />
                        <input type="hidden" name="version" value=version />
                        <FormError error=last_error(actions.members) />
                        <Field
                            name="members"
                            form="members"
                            required=false
                            label=text!(i18n, access.members)
                            hint=text!(i18n, access.members_hint)
                            value=Signal::stored(members_value)
                            error=field_code(last_error(actions.members), "members")
                            maxlength=20000
                        />
                        <Signature form="members" error=last_error(actions.members) />
                        <button type="submit" class="button button--primary" data-action="save-members">
                            {t!(i18n, contacts.save)}
                        </button>
                    </ActionForm>
                </ActionPanel>
                <ActionPanel name="edit-group" label=text!(i18n, access.edit_group)>
                    <GroupForm group=Some(edited) grantable />
                </ActionPanel>
                <ActionPanel name="delete-group" label=text!(i18n, access.delete_group) danger=true>
                    <ActionForm action=actions.delete attr:class="action__form">
                        <input type="hidden" name="id" value=id3 />
                        <input type="hidden" name="version" value=version />
                        <FormError error=last_error(actions.delete) />
                        <Signature form="delete" error=last_error(actions.delete) />
                        <ConfirmStep button=text!(i18n, access.delete_group) action="delete-group".into() danger=true>
                            {t!(i18n, access.delete_confirm, name = confirm_name.clone(), count = member_count)}
                        </ConfirmStep>
                    </ActionForm>
                </ActionPanel>
            </div>
        </li>
    }
}

/// Creating a group (`group` is `None`) or changing one.
#[component]
fn GroupForm(group: Option<AdminGroup>, grantable: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let error = last_error(actions.save);
    let form = if group.is_some() {
        "edit-group"
    } else {
        "new-group"
    };
    let held: Vec<String> = group
        .as_ref()
        .map(|g| g.permissions.clone())
        .unwrap_or_default();
    let scope = RwSignal::new(
        group
            .as_ref()
            .map(|g| g.scope)
            .unwrap_or(GroupScope::Departments),
    );
    let departments = RwSignal::new(
        group
            .as_ref()
            .map(|g| g.departments.clone())
            .unwrap_or_default(),
    );
    let choices = Permission::ALL
        .into_iter()
        .filter(|p| {
            grantable.iter().any(|g| g == p.as_str()) || held.iter().any(|h| h == p.as_str())
        })
        .collect::<Vec<_>>();
    let scope_choice = move |value: GroupScope, label: Signal<String>| {
        view! {
            <label class="check">
                <input
                    type="radio"
                    name="scope"
                    value=value.as_str()
                    prop:checked=move || scope.get() == value
                    on:change=move |_| scope.set(value)
                />
                <span>{move || label.get()}</span>
            </label>
        }
    };
    view! {
        <ActionForm action=actions.save attr:class="action__form" attr:data-form=form>
            <input type="hidden" name="id" value=group.as_ref().map(|g| g.id.clone()).unwrap_or_default() />
            <input type="hidden" name="version" value=group.as_ref().map(|g| g.version).unwrap_or_default() />
            <FormError error />
            <Field
                name="name"
                form=form
                label=text!(i18n, access.group_name)
                value=Signal::stored(group.as_ref().map(|g| g.name.clone()).unwrap_or_default())
                error=field_code(error, "name")
                maxlength=64
            />
            <fieldset class="field" data-part="permissions">
                <legend class="field__label">{t!(i18n, access.permissions)}</legend>
                <p class="field__hint">{t!(i18n, access.permissions_hint)}</p>
                {choices
                    .into_iter()
                    .map(|p| {
                        let checked = held.iter().any(|h| h == p.as_str());
                        view! {
                            <label class="check">
                                <input type="checkbox" name="permissions[]" value=p.as_str() checked=checked />
                                <span>{move || p.description(i18n.get_locale())}</span>
                            </label>
                        }
                    })
                    .collect_view()}
                <CodeMessage code=field_code(error, "permissions") />
            </fieldset>
            <fieldset class="field" data-part="scope">
                <legend class="field__label">{t!(i18n, access.scope)}</legend>
                {scope_choice(GroupScope::Departments, text!(i18n, access.scope_departments))}
                {scope_choice(GroupScope::OwnDepartments, text!(i18n, access.scope_own))}
                {scope_choice(GroupScope::Organisation, text!(i18n, access.scope_organisation))}
                <CodeMessage code=field_code(error, "scope") />
                <Show when=move || scope.get() == GroupScope::Departments>
                    <ScopeDepartments form departments error />
                </Show>
            </fieldset>
            <Signature form=form error />
            <button type="submit" class="button button--primary" data-action="save-group">
                {t!(i18n, contacts.save)}
            </button>
        </ActionForm>
    }
}

/// The departments of a group's scope: chosen by searching, each one with
/// everything below it.
#[component]
fn ScopeDepartments(
    form: &'static str,
    departments: RwSignal<Vec<(String, String)>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let term = RwSignal::new(String::new());
    let found: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let on_input = move |ev| {
        let q = event_target_value(&ev);
        term.set(q.clone());
        if q.trim().is_empty() {
            found.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let list = find_departments(q.clone()).await.unwrap_or_default();
            if term.try_get_untracked().as_ref() == Some(&q) {
                found.try_set(list);
            }
        });
    };
    let search_id = format!("scope-search-{form}");
    view! {
        <div class="picker" data-picker="scope">
            <p class="field__hint">{t!(i18n, access.scope_departments_hint)}</p>
            <ul class="picker__chosen">
                <For each=move || departments.get() key=|d| d.0.clone() let:d>
                    {
                        let id = d.0.clone();
                        view! {
                            <li data-chosen-department=d.1.clone()>
                                <input type="hidden" name="departments[]" value=d.0.clone() />
                                <span>{d.1.clone()}</span>
                                " "
                                <button
                                    type="button"
                                    class="button button--link"
                                    on:click=move |_| departments.update(|list| list.retain(|x| x.0 != id))
                                >
                                    {t!(i18n, contacts.remove)}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <CodeMessage code=field_code(error, "departments") />
            <label class="visually-hidden" for=search_id.clone()>{t!(i18n, contacts.add_department_search)}</label>
            <input
                id=search_id
                class="field__input"
                type="search"
                autocomplete="off"
                placeholder=move || t_string!(i18n, contacts.add_department_search)
                prop:value=move || term.get()
                on:input=on_input
            />
            {move || {
                view! {
                    <ul class="picker__results">
                        {found
                            .get()
                            .into_iter()
                            .map(|(id, path)| {
                                let add = (id.clone(), path.clone());
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="button button--link"
                                            data-add-department=path.clone()
                                            on:click=move |_| {
                                                let add = add.clone();
                                                departments.update(|list| {
                                                    if !list.iter().any(|x| x.0 == add.0) {
                                                        list.push(add);
                                                    }
                                                });
                                                term.set(String::new());
                                                found.set(Vec::new());
                                            }
                                        >
                                            {path.clone()}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            }}
        </div>
    }
}
