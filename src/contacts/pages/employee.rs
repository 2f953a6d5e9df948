//! The employee pages: `/admin/contacts/employees/new`, `/{id}` and `/{id}/edit`.
use super::{contacts_href, status_text};
use crate::contacts::api::{
    CreateEmployee, SetEmployeeStatus, UpdateEmployee, contacts_branch, contacts_employee,
    find_departments, find_people,
};
use crate::contacts::{EmployeeDetail, EmployeeStatus};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{AppErrorView, CodeMessage, Field, FormError, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn employee_href(id: &str) -> String {
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
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(e) => view! { <EmployeeView e status /> }.into_any(),
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn field_name(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> String {
    match key {
        "name" => t_string!(i18n, contacts.field_name),
        "userid" => t_string!(i18n, contacts.field_userid),
        "mobile" => t_string!(i18n, contacts.field_mobile),
        "email" => t_string!(i18n, contacts.field_email),
        "position" => t_string!(i18n, contacts.field_position),
        "employee_no" => t_string!(i18n, contacts.field_employee_no),
        "gender" => t_string!(i18n, contacts.field_gender),
        "hire_date" => t_string!(i18n, contacts.field_hire_date),
        "status" => t_string!(i18n, contacts.field_status),
        "main_department" => t_string!(i18n, contacts.field_main_department),
        "departments" => t_string!(i18n, contacts.field_departments),
        "managers" => t_string!(i18n, contacts.field_managers),
        other => return other.to_owned(),
    }
    .to_owned()
}

fn gender_text(i18n: leptos_i18n::I18nContext<Locale>, g: Option<&str>) -> String {
    match g {
        Some("male") => t_string!(i18n, contacts.gender_male).to_owned(),
        Some("female") => t_string!(i18n, contacts.gender_female).to_owned(),
        _ => "—".to_owned(),
    }
}

fn action_name(i18n: leptos_i18n::I18nContext<Locale>, action: &str) -> String {
    crate::audit::action_text(i18n.get_locale(), action)
        .map(str::to_owned)
        .unwrap_or_else(|| action.to_owned())
}

#[component]
fn EmployeeView(e: EmployeeDetail, status: ServerAction<SetEmployeeStatus>) -> impl IntoView {
    let i18n = use_i18n();
    let dash = |v: Option<String>| v.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into());
    let back = e
        .departments
        .first()
        .map(|d| contacts_href(&d.id))
        .unwrap_or_else(|| "/admin/contacts".into());
    let s = e.status;
    let row = |label: String, value: String, key: &'static str| {
        view! {
            <div class="summary__row">
                <dt>{label}</dt>
                <dd data-field=key>{value}</dd>
            </div>
        }
    };
    let gender = gender_text(i18n, e.gender.as_deref());
    let status_error = last_error(status);
    view! {
        <a href=back class="muted">{t!(i18n, contacts.back_to_contacts)}</a>
        <header class="detail__header">
            <h1 data-employee-name=e.name.clone()>{e.name.clone()}</h1>
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
                    {row(field_name(i18n, "userid"), e.userid.clone(), "userid")}
                    {row(field_name(i18n, "mobile"), dash(e.mobile.clone()), "mobile")}
                    {row(field_name(i18n, "email"), dash(e.email.clone()), "email")}
                    {row(field_name(i18n, "position"), dash(e.position.clone()), "position")}
                    {row(field_name(i18n, "employee_no"), dash(e.employee_no.clone()), "employee_no")}
                    {row(field_name(i18n, "gender"), gender, "gender")}
                    {row(field_name(i18n, "hire_date"), dash(e.hire_date.map(|d| d.to_string())), "hire_date")}
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
            </section>
        </div>
        <section class="panel history">
            <h2>{t!(i18n, contacts.history)}</h2>
            {if e.history.is_empty() {
                view! { <p class="empty">{t!(i18n, contacts.no_history)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
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
                                        view! {
                                            <tr data-action=h.action.clone()>
                                                <td class="table__mono">{h.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                <td>{action_name(i18n, &h.action)}</td>
                                                <td>{h.actor.unwrap_or_else(|| "—".into())}</td>
                                                <td>
                                                    <ul class="changes">
                                                        {h
                                                            .changes
                                                            .into_iter()
                                                            .map(|(k, before, after)| {
                                                                view! {
                                                                    <li>
                                                                        <strong>{field_name(i18n, &k)}</strong>
                                                                        ": "
                                                                        <del>{if before.is_empty() { "—".into() } else { before }}</del>
                                                                        " → "
                                                                        <ins>{if after.is_empty() { "—".into() } else { after }}</ins>
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
fn PeopleList(people: Vec<crate::contacts::PersonRef>, key: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    if people.is_empty() {
        return view! { <p class="muted" data-list=key>{t!(i18n, contacts.nobody)}</p> }.into_any();
    }
    view! {
        <ul class="plain-list" data-list=key>
            {people
                .into_iter()
                .map(|p| view! { <li><a href=employee_href(&p.id)>{p.name}</a></li> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// Enable, disable and "has left", each behind a confirmation that says what happens.
#[component]
fn StatusActions(
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
        let class = if danger {
            "button button--danger"
        } else {
            "button button--primary"
        };
        view! {
            <details class="action" data-status-action=target.as_str()>
                <summary class=class>{label.clone()}</summary>
                <ActionForm action attr:class="action__form">
                    <input type="hidden" name="id" value=id.get_value() />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="status" value=target.as_str() />
                    <p><strong>{name.get_value()}</strong> ": " {confirm}</p>
                    <button type="submit" class=class data-action=format!("confirm-{}", target.as_str())>
                        {label}
                    </button>
                </ActionForm>
            </details>
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

/// What the employee form starts with.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct Initial {
    id: Option<String>,
    version: i32,
    name: String,
    userid: String,
    mobile: String,
    email: String,
    position: String,
    employee_no: String,
    gender: String,
    hire_date: String,
    /// (id, path, main)
    departments: Vec<(String, String, bool)>,
    managers: String,
    /// An administrator: changing the mobile or email needs the caller's own
    /// password and code.
    administrator: bool,
}

#[component]
pub fn NewEmployeePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let start = Resource::new(
        move || query.read().get("dept").unwrap_or_default(),
        |dept| async move {
            let b = contacts_branch(dept).await?;
            let mut path: Vec<String> = b
                .selected
                .ancestors
                .iter()
                .map(|(_, n)| n.clone())
                .collect();
            path.push(b.selected.node.name.clone());
            Ok::<_, AppError>(Initial {
                departments: vec![(b.selected.node.id.clone(), path.join(" / "), true)],
                ..Initial::default()
            })
        },
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, contacts.new_employee)) />
        <section class="page page--narrow" data-page="new-employee">
            <h1>{t!(i18n, contacts.new_employee)}</h1>
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match start.await {
                        Ok(initial) => view! { <EmployeeForm initial /> }.into_any(),
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn EmployeeEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        |id| async move {
            let e = contacts_employee(id).await?;
            Ok::<_, AppError>(Initial {
                id: Some(e.id.clone()),
                version: e.version,
                name: e.name,
                userid: e.userid,
                mobile: e.mobile.unwrap_or_default(),
                email: e.email.unwrap_or_default(),
                position: e.position.unwrap_or_default(),
                employee_no: e.employee_no.unwrap_or_default(),
                gender: e.gender.unwrap_or_default(),
                hire_date: e.hire_date.map(|d| d.to_string()).unwrap_or_default(),
                departments: e
                    .departments
                    .into_iter()
                    .map(|d| (d.id, d.path, d.is_main))
                    .collect(),
                managers: e.manager_userids,
                administrator: matches!(e.role.as_deref(), Some("super_admin" | "admin")),
            })
        },
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, contacts.edit_employee)) />
        <section class="page page--narrow" data-page="edit-employee">
            <h1>{t!(i18n, contacts.edit_employee)}</h1>
            <Transition fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(initial) => view! { <EmployeeForm initial /> }.into_any(),
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// One form for adding and editing: the same fields, the same checks.
#[component]
fn EmployeeForm(initial: Initial) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateEmployee>::new();
    let update = ServerAction::<UpdateEmployee>::new();
    let editing = initial.id.clone();
    let error = Signal::derive(move || {
        if editing.is_some() {
            last_error(update).get()
        } else {
            last_error(create).get()
        }
    });
    let navigate = use_navigate();
    let to = navigate.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            to(&employee_href(&id), Default::default());
        }
    });
    let edited = initial.id.clone();
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(id)) = (update.value().get(), edited.as_ref()) {
            navigate(&employee_href(id), Default::default());
        }
    });
    let departments = RwSignal::new(initial.departments.clone());
    let main = RwSignal::new(
        initial
            .departments
            .iter()
            .find(|d| d.2)
            .or(initial.departments.first())
            .map(|d| d.0.clone())
            .unwrap_or_default(),
    );
    let managers = RwSignal::new(initial.managers.clone());
    let fields = {
        let i = initial.clone();
        move || {
            view! {
                <FormError error />
                <Field name="name" label=Signal::derive(move || t_string!(i18n, contacts.field_name).to_owned()) value=Signal::stored(i.name.clone()) error=field_code(error, "name") maxlength=64 autofocus=true />
                <Field
                    name="userid"
                    required=false
                    label=Signal::derive(move || t_string!(i18n, contacts.field_userid).to_owned())
                    hint=Signal::derive(move || t_string!(i18n, contacts.userid_hint).to_owned())
                    value=Signal::stored(i.userid.clone())
                    error=field_code(error, "userid")
                    maxlength=64
                />
                <Field
                    name="mobile"
                    required=false
                    input_type="tel"
                    inputmode="tel"
                    label=Signal::derive(move || t_string!(i18n, contacts.field_mobile).to_owned())
                    hint=Signal::derive(move || t_string!(i18n, contacts.contact_hint).to_owned())
                    value=Signal::stored(i.mobile.clone())
                    error=field_code(error, "mobile")
                />
                <Field name="email" required=false input_type="email" label=Signal::derive(move || t_string!(i18n, contacts.field_email).to_owned()) value=Signal::stored(i.email.clone()) error=field_code(error, "email") />
                <Field name="position" required=false label=Signal::derive(move || t_string!(i18n, contacts.field_position).to_owned()) value=Signal::stored(i.position.clone()) error=field_code(error, "position") maxlength=128 />
                <Field name="employee_no" required=false label=Signal::derive(move || t_string!(i18n, contacts.field_employee_no).to_owned()) value=Signal::stored(i.employee_no.clone()) error=field_code(error, "employee_no") maxlength=64 />
                <div class="field">
                    <label class="field__label" for="field-gender">{t!(i18n, contacts.field_gender)}</label>
                    <select id="field-gender" name="gender" class="field__input">
                        <option value="" selected=i.gender.is_empty()>{t!(i18n, contacts.gender_unset)}</option>
                        <option value="female" selected=i.gender == "female">{t!(i18n, contacts.gender_female)}</option>
                        <option value="male" selected=i.gender == "male">{t!(i18n, contacts.gender_male)}</option>
                    </select>
                    <CodeMessage code=field_code(error, "gender") />
                </div>
                <Field name="hire_date" required=false input_type="date" label=Signal::derive(move || t_string!(i18n, contacts.field_hire_date).to_owned()) value=Signal::stored(i.hire_date.clone()) error=field_code(error, "hire_date") />
                <DepartmentPicker departments main error />
                <ManagerPicker managers error />
                {i.administrator.then(|| view! {
                    <fieldset class="form__group" data-part="confirm-identity">
                        <legend>{t!(i18n, contacts.confirm_identity)}</legend>
                        <p class="muted">{t!(i18n, contacts.confirm_identity_hint)}</p>
                        <Field
                            name="password"
                            required=false
                            input_type="password"
                            autocomplete="current-password"
                            label=Signal::derive(move || t_string!(i18n, contacts.your_password).to_owned())
                            error=field_code(error, "password")
                        />
                        <Field
                            name="code"
                            required=false
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength=20
                            label=Signal::derive(move || t_string!(i18n, contacts.your_code).to_owned())
                            error=field_code(error, "code")
                        />
                    </fieldset>
                })}
                <div class="form__actions">
                    <button type="submit" class="button button--primary" data-action="save-employee">
                        {t!(i18n, contacts.save)}
                    </button>
                </div>
            }
        }
    };
    match initial.id.clone() {
        Some(id) => view! {
            <ActionForm action=update attr:class="form" attr:data-form="employee">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="version" value=initial.version />
                {fields()}
            </ActionForm>
        }
        .into_any(),
        None => view! {
            <ActionForm action=create attr:class="form" attr:data-form="employee">
                {fields()}
            </ActionForm>
        }
        .into_any(),
    }
}

/// The employee's departments: each with "main" and "remove", plus a search to add more.
#[component]
fn DepartmentPicker(
    departments: RwSignal<Vec<(String, String, bool)>>,
    main: RwSignal<String>,
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
            if term.get_untracked() == q {
                found.set(list);
            }
        });
    };
    view! {
        <fieldset class="field picker" data-picker="departments">
            <legend class="field__label">{t!(i18n, contacts.field_departments)}</legend>
            <p class="field__hint">{t!(i18n, contacts.departments_hint)}</p>
            <ul class="picker__chosen">
                <For each=move || departments.get() key=|d| d.0.clone() let:d>
                    {
                        let id = d.0.clone();
                        let id2 = d.0.clone();
                        let id3 = d.0.clone();
                        view! {
                            <li data-chosen-department=d.1.clone()>
                                <input type="hidden" name="departments[]" value=id.clone() />
                                <label class="check check--small">
                                    <input
                                        type="radio"
                                        name="main_department"
                                        value=id.clone()
                                        prop:checked=move || main.get() == id2
                                        on:change=move |_| main.set(id3.clone())
                                    />
                                    <span>{d.1.clone()}</span>
                                </label>
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
            <CodeMessage code=field_code(error, "main_department") />
            <label class="visually-hidden" for="department-search">{t!(i18n, contacts.add_department_search)}</label>
            <input
                id="department-search"
                class="field__input"
                type="search"
                autocomplete="off"
                placeholder=move || t_string!(i18n, contacts.add_department_search)
                prop:value=move || term.get()
                on:input=on_input
            />
            {move || {
                    let list = found.get();
                    view! {
                        <ul class="picker__results">
                            {list
                                .into_iter()
                                .map(|(id, path)| {
                                    let add = (id.clone(), path.clone());
                                    let marker = path.clone();
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="button button--link"
                                                data-add-department=marker
                                                on:click=move |_| {
                                                    let add = add.clone();
                                                    departments.update(|l| {
                                                        if !l.iter().any(|x| x.0 == add.0) {
                                                            l.push((add.0.clone(), add.1.clone(), false));
                                                        }
                                                    });
                                                    if main.get_untracked().is_empty() {
                                                        main.set(add.0);
                                                    }
                                                    term.set(String::new());
                                                    found.set(Vec::new());
                                                }
                                            >
                                                "+ "
                                                {path}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                }}
        </fieldset>
    }
}

/// Direct managers by account id, with a search that fills them in.
#[component]
fn ManagerPicker(managers: RwSignal<String>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let term = RwSignal::new(String::new());
    let found: RwSignal<Vec<crate::contacts::api::PersonOption>> = RwSignal::new(Vec::new());
    let on_input = move |ev| {
        let q = event_target_value(&ev);
        term.set(q.clone());
        if q.trim().is_empty() {
            found.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let list = find_people(q.clone()).await.unwrap_or_default();
            if term.get_untracked() == q {
                found.set(list);
            }
        });
    };
    view! {
        <div class="field picker" data-picker="managers">
            <label class="field__label" for="field-managers">{t!(i18n, contacts.field_managers)}</label>
            <p class="field__hint" id="field-managers-hint">{t!(i18n, contacts.managers_hint)}</p>
            <input
                id="field-managers"
                class="field__input"
                name="managers"
                autocomplete="off"
                aria-describedby="field-managers-hint"
                prop:value=move || managers.get()
                on:input=move |ev| managers.set(event_target_value(&ev))
            />
            <CodeMessage code=field_code(error, "managers") />
            <label class="visually-hidden" for="manager-search">{t!(i18n, contacts.find_person)}</label>
            <input
                id="manager-search"
                class="field__input"
                type="search"
                autocomplete="off"
                placeholder=move || t_string!(i18n, contacts.find_person)
                prop:value=move || term.get()
                on:input=on_input
            />
            {move || {
                    let list = found.get();
                    view! {
                        <ul class="picker__results">
                            {list
                                .into_iter()
                                .map(|p| {
                                    let userid = p.userid.clone();
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="button button--link"
                                                data-add-manager=p.userid.clone()
                                                on:click=move |_| {
                                                    managers.update(|m| {
                                                        let mut list: Vec<String> = m
                                                            .split(|c: char| c == ',' || c.is_whitespace())
                                                            .filter(|s| !s.is_empty())
                                                            .map(str::to_owned)
                                                            .collect();
                                                        if !list.contains(&userid) {
                                                            list.push(userid.clone());
                                                        }
                                                        *m = list.join(", ");
                                                    });
                                                    term.set(String::new());
                                                    found.set(Vec::new());
                                                }
                                            >
                                                "+ "
                                                {p.name.clone()}
                                                " ("
                                                {p.userid.clone()}
                                                ")"
                                                {p.department.clone().map(|d| format!(" · {d}"))}
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
