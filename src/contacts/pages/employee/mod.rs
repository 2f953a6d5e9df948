//! The employee pages: `/admin/contacts/employees/new`, `/{id}` and `/{id}/edit`.
mod form;
pub use form::*;

use super::{contacts_href, status_text};
use crate::contacts::api::{SetEmployeeStatus, contacts_employee};
use crate::contacts::{EmployeeDetail, EmployeeStatus};
use crate::i18n::*;
use crate::ui::{ActionPanel, ConfirmStep, FormError, Loaded, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub(super) fn employee_href(id: &str) -> String {
    format!("/admin/contacts/employees/{id}")
}

#[component]
pub fn EmployeePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), refresh.get()),
        |(id, _)| contacts_employee(id),
    );
    let status = ServerAction::<SetEmployeeStatus>::new();
    Effect::new(move |_| {
        if matches!(status.value().get(), Some(Ok(()))) {
            refresh.update(|n| *n += 1);
        }
    });
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, contacts.employee_title)) />
        <section class="page page--wide employee" data-page="employee">
            <Loaded resource=data let:e>
                <EmployeeView e status />
            </Loaded>
            <crate::invitations::PersonInvitation person=Signal::derive(move || params.read().get("id").unwrap_or_default()) />
            <MemberSessions person=Signal::derive(move || params.read().get("id").unwrap_or_default()) />
        </section>
    }
}

/// The member's signed-in sessions, for an administrator who may see them
/// (nothing at all for one who may not).
#[component]
fn MemberSessions(person: Signal<String>) -> impl IntoView {
    use crate::security::api::{EndMemberSessions, member_sessions};
    let i18n = use_i18n();
    let end = ServerAction::<EndMemberSessions>::new();
    let sessions = Resource::new(
        move || (person.get(), end.version().get()),
        |(who, _)| member_sessions(who),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(list) = sessions.await else { return ().into_any() };
                let any = !list.is_empty();
                view! {
                    <section class="panel" data-part="member-sessions">
                        <h2>{t!(i18n, security.sessions_heading)}</h2>
                        <FormError error=last_error(end) />
                        <crate::auth::pages::SessionTable
                            sessions=list
                            end=Callback::new(move |id: String| {
                                end.dispatch(EndMemberSessions { person: person.get_untracked(), id });
                            })
                        />
                        {any.then(|| view! {
                            <ActionPanel name="end-all-sessions" label=crate::ui::text!(i18n, contacts.end_all_sessions) danger=true>
                                <ActionForm action=end attr:class="action__form">
                                    <input type="hidden" name="person" value=person.get_untracked() />
                                    <ConfirmStep button=crate::ui::text!(i18n, contacts.end_all_sessions) action="end-all-sessions".into() danger=true>
                                        {t!(i18n, contacts.end_all_sessions_confirm)}
                                    </ConfirmStep>
                                </ActionForm>
                            </ActionPanel>
                        })}
                    </section>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// The words for a field of an employee (the profile, the change history).
pub(crate) fn field_text(locale: Locale, key: &str) -> Option<&'static str> {
    Some(match key {
        "name" => td_string!(locale, contacts.field_name),
        "userid" => td_string!(locale, contacts.field_userid),
        "mobile" => td_string!(locale, contacts.field_mobile),
        "email" => td_string!(locale, contacts.field_email),
        "position" => td_string!(locale, contacts.field_position),
        "employee_no" => td_string!(locale, contacts.field_employee_no),
        "gender" => td_string!(locale, contacts.field_gender),
        "hire_date" => td_string!(locale, contacts.field_hire_date),
        "status" => td_string!(locale, contacts.field_status),
        "main_department" => td_string!(locale, contacts.field_main_department),
        "departments" => td_string!(locale, contacts.field_departments),
        "managers" => td_string!(locale, contacts.field_managers),
        _ => return None,
    })
}

pub(super) fn gender_text(locale: Locale, g: Option<&str>) -> &'static str {
    match g {
        Some("male") => td_string!(locale, contacts.gender_male),
        Some("female") => td_string!(locale, contacts.gender_female),
        _ => "—",
    }
}

/// A stored value of field `key` as a person reads it: a status or a gender
/// in words, anything else as it was stored, "—" for nothing.
pub(crate) fn value_text(locale: Locale, key: &str, value: &str) -> String {
    if value.is_empty() {
        return "—".into();
    }
    match key {
        "status" => EmployeeStatus::parse(value)
            .map(|s| super::status_words(locale, s).to_owned())
            .unwrap_or_else(|| value.to_owned()),
        "gender" => gender_text(locale, Some(value)).to_owned(),
        _ => value.to_owned(),
    }
}

#[component]
pub(super) fn EmployeeView(
    e: EmployeeDetail,
    status: ServerAction<SetEmployeeStatus>,
) -> impl IntoView {
    let i18n = use_i18n();
    let dash = |v: Option<String>| v.unwrap_or_default();
    let back = e
        .departments
        .first()
        .map(|d| contacts_href(&d.id))
        .unwrap_or_else(|| "/admin/contacts".into());
    let s = e.status;
    let row = move |key: &'static str, value: String| {
        view! {
            <div class="summary__row">
                <dt>{move || field_text(i18n.get_locale(), key)}</dt>
                <dd
                    data-field=key
                    translate=(!matches!(key, "status" | "gender")).then_some("no")
                >
                    {move || value_text(i18n.get_locale(), key, &value)}
                </dd>
            </div>
        }
    };
    let status_error = last_error(status);
    view! {
        <a href=back class="muted">{t!(i18n, contacts.back_to_contacts)}</a>
        <header class="detail__header">
            <h1 data-employee-name=e.name.clone() translate="no">{e.name.clone()}</h1>
            <span class=format!("status-badge status-badge--{}", s.as_str()) data-status=s.as_str()>
                {move || status_text(i18n, s)}
            </span>
            <a class="button" href=format!("{}/edit", employee_href(&e.id)) data-action="edit-employee">
                {t!(i18n, contacts.edit)}
            </a>
        </header>
        <div class="detail__grid">
            <section class="panel">
                <h2>{t!(i18n, contacts.profile)}</h2>
                <dl class="summary__list">
                    {row("userid", e.userid.clone())}
                    {row("mobile", dash(e.mobile.clone()))}
                    {row("email", dash(e.email.clone()))}
                    {row("position", dash(e.position.clone()))}
                    {row("employee_no", dash(e.employee_no.clone()))}
                    {row("gender", dash(e.gender.clone()))}
                    {row("hire_date", dash(e.hire_date.map(|d| d.to_string())))}
                </dl>
                <h3>{t!(i18n, contacts.field_departments)}</h3>
                <ul class="plain-list" data-list="departments">
                    {e
                        .departments
                        .iter()
                        .map(|d| {
                            view! {
                                <li>
                                    <a href=contacts_href(&d.id)>{d.path.clone()}</a>
                                    {d.is_main.then(|| view! { " " <span class="badge badge--info">{t!(i18n, contacts.main)}</span> })}
                                    {d.is_head.then(|| view! { " " <span class="badge">{t!(i18n, contacts.head)}</span> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <h3>{t!(i18n, contacts.field_managers)}</h3>
                <PeopleList people=e.managers.clone() key="managers" />
                <h3>{t!(i18n, contacts.reports)}</h3>
                <PeopleList people=e.reports.clone() key="reports" />
            </section>
            <section class="panel">
                <h2>{t!(i18n, contacts.account_status)}</h2>
                <FormError error=status_error />
                {if e.is_self {
                    view! { <p class="muted">{t!(i18n, contacts.status_self)}</p> }.into_any()
                } else {
                    view! { <StatusActions id=e.id.clone() version=e.version current=s action=status name=e.name.clone() /> }
                        .into_any()
                }}
                {(!e.is_self).then(|| view! {
                    <crate::approvals::pages::HandOver person=e.id.clone() name=e.name.clone() />
                })}
            </section>
        </div>
        <section class="panel history">
            <h2>{t!(i18n, contacts.history)}</h2>
            {if e.history.is_empty() {
                view! { <p class="empty">{t!(i18n, contacts.no_history)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table" data-table="history">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, contacts.col_when)}</th>
                                    <th scope="col">{t!(i18n, contacts.col_what)}</th>
                                    <th scope="col">{t!(i18n, contacts.col_who)}</th>
                                    <th scope="col">{t!(i18n, contacts.col_changes)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {e
                                    .history
                                    .into_iter()
                                    .map(|h| {
                                        let action = h.action.clone();
                                        view! {
                                            <tr data-action=h.action.clone()>
                                                <td class="table__mono">{h.at_local.clone()}</td>
                                                <td>
                                                    {move || {
                                                        crate::audit::action_text(i18n.get_locale(), &action)
                                                    }}
                                                </td>
                                                <td>{h.actor.unwrap_or_else(|| "—".into())}</td>
                                                <td>
                                                    <ul class="changes">
                                                        {h
                                                            .changes
                                                            .into_iter()
                                                            .map(|(k, before, after)| {
                                                                let (k2, k3, marker) = (k.clone(), k.clone(), k.clone());
                                                                // Words of ours are translated; names and numbers are not.
                                                                let raw = (!matches!(k.as_str(), "status" | "gender")).then_some("no");
                                                                view! {
                                                                    <li data-change=marker>
                                                                        <strong>
                                                                            {move || {
                                                                                field_text(i18n.get_locale(), &k)
                                                                                    .map(str::to_owned)
                                                                                    .unwrap_or_else(|| k.clone())
                                                                            }}
                                                                        </strong>
                                                                        ": "
                                                                        <del translate=raw>{move || value_text(i18n.get_locale(), &k2, &before)}</del>
                                                                        " → "
                                                                        <ins translate=raw>{move || value_text(i18n.get_locale(), &k3, &after)}</ins>
                                                                    </li>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </ul>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub(super) fn PeopleList(
    people: Vec<crate::contacts::PersonRef>,
    key: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    if people.is_empty() {
        return view! { <p class="muted" data-list=key>{t!(i18n, contacts.nobody)}</p> }.into_any();
    }
    view! {
        <ul class="plain-list" data-list=key>
            {people
                .into_iter()
                .map(|p| view! { <li><a href=employee_href(&p.id) translate="no">{p.name}</a></li> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// Enable, disable and "has left", each behind a confirmation that says what happens.
#[component]
pub(super) fn StatusActions(
    id: String,
    version: i32,
    current: EmployeeStatus,
    action: ServerAction<SetEmployeeStatus>,
    name: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let name = StoredValue::new(name);
    let form = move |target: EmployeeStatus, danger: bool| {
        let (label, confirm) = match target {
            EmployeeStatus::Disabled => (
                t_string!(i18n, contacts.disable).to_owned(),
                t_string!(i18n, contacts.disable_confirm).to_owned(),
            ),
            EmployeeStatus::Departed => (
                t_string!(i18n, contacts.mark_departed).to_owned(),
                t_string!(i18n, contacts.departed_confirm).to_owned(),
            ),
            _ => (
                t_string!(i18n, contacts.enable).to_owned(),
                t_string!(i18n, contacts.enable_confirm).to_owned(),
            ),
        };
        view! {
            <ActionPanel
                name="status"
                label=Signal::stored(label.clone())
                danger=danger
                attr:data-status-action=target.as_str()
            >
                <ActionForm action attr:class="action__form">
                    <input type="hidden" name="id" value=id.get_value() />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="status" value=target.as_str() />
                    <ConfirmStep
                        button=Signal::stored(label)
                        action=format!("confirm-{}", target.as_str())
                        danger=danger
                    >
                        <strong>{name.get_value()}</strong>
                        ": "
                        {confirm}
                    </ConfirmStep>
                </ActionForm>
            </ActionPanel>
        }
    };
    view! {
        <div class="department__actions">
            {matches!(current, EmployeeStatus::Disabled | EmployeeStatus::Departed)
                .then(|| form(EmployeeStatus::Active, false))}
            {matches!(current, EmployeeStatus::Active | EmployeeStatus::NotActivated)
                .then(|| form(EmployeeStatus::Disabled, true))}
            {(current != EmployeeStatus::Departed).then(|| form(EmployeeStatus::Departed, true))}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos_i18n::Locale as _;

    /// Every field the change history records, and every stored status and
    /// gender, reads as words in each language, never as the stored key.
    #[test]
    fn every_history_field_and_value_is_in_words_in_every_language() {
        let [english, chinese] = [Locale::en, Locale::zh_CN];
        for &key in crate::contacts::RECORDED_FIELDS {
            let (a, b) = (field_text(english, key), field_text(chinese, key));
            assert!(a.is_some() && b.is_some() && a != b, "field {key}");
        }
        let values = EmployeeStatus::ALL
            .iter()
            .map(|s| ("status", s.as_str()))
            .chain([("gender", "male"), ("gender", "female")]);
        for (key, value) in values {
            for &locale in Locale::get_all() {
                let words = value_text(locale, key, value);
                assert_ne!(words, value, "{key} {value} in {locale:?}");
            }
            assert_ne!(
                value_text(english, key, value),
                value_text(chinese, key, value)
            );
        }
        assert_eq!(value_text(english, "status", ""), "—");
    }
}
