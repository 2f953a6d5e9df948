//! The selected department's panel: where it is, its heads, and renaming, moving, reordering and deleting it.
use super::super::DepartmentDetail;
use super::super::api::find_departments;
use super::*;
use crate::i18n::*;
use crate::ui::{ActionPanel, ConfirmStep, Field, FormError, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The selected department: where it is, its heads and what can be done with it.
#[component]
pub(super) fn DepartmentPanel(detail: DepartmentDetail, siblings: (usize, usize)) -> impl IntoView {
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
                <ActionPanel name="create" label=text!(i18n, contacts.add_department)>
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
                </ActionPanel>
                <ActionPanel name="rename" label=text!(i18n, contacts.rename)>
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
                </ActionPanel>
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
                <ActionPanel name="heads" label=text!(i18n, contacts.set_heads)>
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
                </ActionPanel>
                <ActionPanel name="invite-department" label=text!(i18n, invite.bulk)>
                    <ActionForm action=actions.invite attr:class="action__form">
                        <input type="hidden" name="department" value=id.get_value() />
                        <FormError error=last_error(actions.invite) />
                        {move || {
                            field_code(last_error(actions.invite), "department")
                                .get()
                                .or_else(|| field_code(last_error(actions.invite), "member_cap").get())
                                .map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })
                        }}
                        <BulkOutcome action=actions.invite />
                        <ConfirmStep button=text!(i18n, invite.bulk) action="invite-department".to_owned()>
                            {t!(i18n, invite.bulk_confirm, name = dept_name.get_value())}
                        </ConfirmStep>
                    </ActionForm>
                </ActionPanel>
                {(!is_root)
                    .then(|| {
                        view! {
                            <ActionPanel name="delete" label=text!(i18n, contacts.delete) danger=true>
                                <ActionForm action=actions.delete attr:class="action__form">
                                    <input type="hidden" name="id" value=id.get_value() />
                                    <input type="hidden" name="version" value=version />
                                    <FormError error=last_error(actions.delete) />
                                    {if empty {
                                        view! {
                                            <ConfirmStep
                                                button=text!(i18n, contacts.delete_confirm_button)
                                                action="confirm-delete".to_owned()
                                                danger=true
                                            >
                                                {t!(i18n, contacts.delete_confirm, name = dept_name.get_value())}
                                            </ConfirmStep>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <p class="notice notice--warning">{t!(i18n, contacts.delete_not_empty)}</p> }
                                            .into_any()
                                    }}
                                </ActionForm>
                            </ActionPanel>
                        }
                    })}
            </div>
        </div>
    }
}

/// What a bulk invitation did: how many went out, and who was left out and why.
#[component]
fn BulkOutcome(action: ServerAction<crate::invitations::api::InvitePeople>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let Some(Ok(outcome)) = action.value().get() else {
            return ().into_any();
        };
        let left_out = outcome
            .not_invited
            .iter()
            .map(|n| {
                let why = crate::error::Code::parse(&n.reason).text(i18n.get_locale());
                view! { <li><span translate="no">{n.name.clone()}</span> " — " {why}</li> }
            })
            .collect_view();
        let any_left = !outcome.not_invited.is_empty();
        view! {
            <div class="notice notice--success" role="status" data-part="bulk-outcome" data-invited=outcome.invited>
                <p>{t!(i18n, invite.bulk_done, count = outcome.invited)}</p>
                {any_left.then(|| view! {
                    <p>{t!(i18n, invite.bulk_left_out, count = outcome.not_invited.len())}</p>
                    <ul class="plain">{left_out}</ul>
                })}
            </div>
        }
        .into_any()
    }
}

/// "Move to…": find the new parent by name, then move. The keyboard and
/// no-JavaScript way to do what dragging does.
#[component]
pub(super) fn MoveDialog(id: String, version: i32) -> impl IntoView {
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
        <ActionPanel name="move" label=text!(i18n, contacts.move_to) open=open>
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
        </ActionPanel>
    }
}
