//! The employee form, for adding and editing: its fields, the department and manager pickers.
use super::*;
use crate::contacts::EmployeeDetail;
use crate::contacts::api::{
    CreateEmployee, UpdateEmployee, contacts_branch, contacts_employee, find_departments,
    find_people,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{CodeMessage, Field, FormError, Loaded, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

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
    /// The caller may invite the new person (the box to send an invitation).
    may_invite: bool,
}

/// `/admin/contacts/employees/new` (in the department of `?dept=`) and
/// `/admin/contacts/employees/{id}/edit`: one page, one form.
#[component]
pub fn EmployeeFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let editing = move || params.read().get("id").is_some();
    let start = Resource::new(
        move || {
            (
                params.read().get("id"),
                query.read().get("dept").unwrap_or_default(),
            )
        },
        |(id, dept)| async move {
            match id {
                Some(id) => Ok(Initial::of(contacts_employee(id).await?)),
                None => Ok(Initial::in_department(contacts_branch(dept).await?)),
            }
        },
    );
    let title = move || {
        if editing() {
            t_string!(i18n, contacts.edit_employee)
        } else {
            t_string!(i18n, contacts.new_employee)
        }
    };
    view! {
        <Title text=crate::ui::page_title(title) />
        <section
            class="page page--narrow"
            data-page=move || if editing() { "edit-employee" } else { "new-employee" }
        >
            <h1>{title}</h1>
            <Loaded resource=start let:initial>
                <EmployeeForm initial />
            </Loaded>
        </section>
    }
}

impl Initial {
    /// A new employee, placed in `branch`'s selected department.
    fn in_department(branch: crate::contacts::Branch) -> Self {
        let mut path: Vec<String> = branch
            .selected
            .ancestors
            .iter()
            .map(|(_, n)| n.clone())
            .collect();
        path.push(branch.selected.node.name.clone());
        Initial {
            departments: vec![(branch.selected.node.id.clone(), path.join(" / "), true)],
            may_invite: branch.may_invite,
            ..Initial::default()
        }
    }

    /// The employee as stored.
    fn of(e: EmployeeDetail) -> Self {
        Initial {
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
            administrator: e.administrator,
            // Editing sends no invitation (the person's page does).
            may_invite: false,
        }
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
                {(i.id.is_none() && i.may_invite).then(|| view! {
                    <label class="check" data-part="invite">
                        <input type="checkbox" name="invite" value="on" checked />
                        <span>{t!(i18n, contacts.invite_on_save)}</span>
                    </label>
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
pub(crate) fn DepartmentPicker(
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
            // The form may have gone while the answer was on its way.
            if term.try_get_untracked().as_ref() == Some(&q) {
                found.try_set(list);
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
            // The form may have gone while the answer was on its way.
            if term.try_get_untracked().as_ref() == Some(&q) {
                found.try_set(list);
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
