//! Employee changes: create, update (re-authenticating for identity changes) and status.
use super::common::*;
use super::imp::*;
use super::*;
use crate::access::Target;
use crate::auth::guard::RequestMeta;
use crate::contacts::repo::ContactsError;
use crate::contacts::repo::employees::{self, EmployeeInput};
use crate::contacts::repo::members;
use crate::contacts::{EmployeeStatus, MAX_DEPARTMENTS_PER_PERSON, MAX_MANAGERS, rules};
use crate::domain::{Email, Mobile};
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::app_state;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// Checks everything that needs no database, reporting every field at
/// once. Managers stay as typed until the transaction resolves them.
pub(super) fn parse(form: &Form) -> Result<EmployeeInput, AppError> {
    let mut errors = FieldErrors::new();
    let name = match rules::person_name(&form.name) {
        Ok(n) => Some(n),
        Err(code) => {
            errors.push("name", code);
            None
        }
    };
    let userid = match form.userid.trim() {
        "" => None,
        raw => match rules::userid(raw) {
            Ok(u) => Some(u),
            Err(code) => {
                errors.push("userid", code);
                None
            }
        },
    };
    let mobile = match form.mobile.trim() {
        "" => None,
        raw => errors
            .check("mobile", Mobile::parse(raw))
            .map(|m| m.as_str().to_owned()),
    };
    let email = match form.email.trim() {
        "" => None,
        raw => errors
            .check("email", Email::parse(raw))
            .map(|e| e.as_str().to_owned()),
    };
    if form.mobile.trim().is_empty() && form.email.trim().is_empty() {
        errors.push("mobile", Code::EmployeeContactRequired);
    }
    let mut text = |field: &str, raw: &str, max: usize| match rules::optional_text(raw, max) {
        Ok(v) => v,
        Err(code) => {
            errors.push(field, code);
            None
        }
    };
    let position = text("position", &form.position, 128);
    let employee_no = text("employee_no", &form.employee_no, 64);
    let gender = match form.gender.trim() {
        "" => None,
        g @ ("male" | "female") => Some(g.to_owned()),
        _ => {
            errors.push("gender", Code::ValidationChoice);
            None
        }
    };
    let hire_date = match form.hire_date.trim() {
        "" => None,
        raw => match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            // A person hired before 1900 or after 2100 is a typing slip
            // (or `0000-01-01`, which PostgreSQL would keep as 1 BC).
            Ok(d) if !(1900..=2100).contains(&chrono::Datelike::year(&d)) => {
                errors.push("hire_date", Code::EmployeeDateRange);
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push("hire_date", Code::EmployeeDateFormat);
                None
            }
        },
    };
    // At most 100 departments per person (WeCom's limit), counted and
    // de-duplicated in one pass before anything else looks at them.
    let mut departments: Vec<Uuid> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw in &form.departments {
        match Uuid::parse_str(raw.trim()) {
            Ok(d) if seen.insert(d) => departments.push(d),
            Ok(_) => {}
            Err(_) => errors.push("departments", Code::EmployeeDepartmentUnknown),
        }
    }
    if departments.len() > MAX_DEPARTMENTS_PER_PERSON {
        return Err(AppError::field(
            "departments",
            Code::EmployeeTooManyDepartments,
        ));
    }
    if departments.is_empty() {
        errors.push("departments", Code::EmployeeDepartmentRequired);
    }
    let main = match form.main_department.trim() {
        "" => departments.first().copied(),
        raw => Uuid::parse_str(raw)
            .ok()
            .filter(|m| departments.contains(m)),
    };
    if main.is_none() && !departments.is_empty() {
        errors.push("main_department", Code::EmployeeMainDepartment);
    }
    errors.finish()?;
    Ok(EmployeeInput {
        name: name.unwrap_or_default(),
        userid,
        mobile,
        email,
        position,
        employee_no,
        gender,
        hire_date,
        departments,
        main_department: main.unwrap_or_default(),
        managers: Vec::new(),
    })
}

/// The managers' userids as typed, bounded before any lock.
pub(super) fn parse_managers(raw: &str) -> Result<Vec<String>, AppError> {
    parse_userids(raw, MAX_MANAGERS, "managers", Code::EmployeeTooManyManagers)
        .map_err(AppError::from)
}

/// The managers' ids; a scoped administrator names people of their scope
/// only (anyone else reads as unknown).
pub(super) async fn managers(
    c: &mut PgConnection,
    org: Uuid,
    wanted: &[String],
    roots: Option<&[Uuid]>,
) -> Result<Vec<Uuid>, ContactsError> {
    let ids =
        members::resolve_userids(c, org, wanted, "managers", Code::EmployeeManagerUnknown).await?;
    if let Some(roots) = roots {
        let seen = crate::access::repo::in_scope(&mut *c, org, &ids, roots).await?;
        if ids.iter().any(|id| !seen.contains(id)) {
            return Err(ContactsError::Rule(
                "managers",
                Code::EmployeeManagerUnknown,
            ));
        }
    }
    Ok(ids)
}

pub async fn create_employee(form: Form, invite: bool) -> Result<String, AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let mut input = parse(&form)?;
    access.check_departments(&input.departments).await?;
    let wanted_managers = parse_managers(&form.managers)?;
    let actor = actor(p);
    let roots = access.roots().map(<[Uuid]>::to_vec);
    // Inviting needs its own permission over the new person's departments;
    // without it the person is added and left to be invited by someone who
    // may (their page then shows no invitation).
    let invite_scope = invite
        .then(|| {
            access
                .grants
                .scope_of(crate::access::Permission::InviteMembers)
        })
        .flatten();
    let state = app_state()?;
    let meta = RequestMeta::current();
    let sender = crate::invitations::repo::Sender {
        sealer: state.codes.outbox_sealer(),
        max_attempts: state
            .outbox_max_attempts
            .max(crate::invitations::api::imp::invitation_attempts()),
        inviter: Some(p.id()),
        inviter_name: p.account.name.clone(),
        locale: meta.locale,
    };
    change(org, async |c| {
        // Under the organisation's lock: two additions at the cap cannot both pass.
        crate::organisations::check_member_cap(c, org, 1)
            .await
            .map_err(ContactsError::Refused)?;
        input.managers = managers(c, org, &wanted_managers, roots.as_deref()).await?;
        let (id, _) = employees::create(c, org, &input).await?;
        let after = members::record(c, org, id).await?;
        audit(
            c,
            &actor,
            org,
            crate::audit::Action::EmployeeCreated,
            Subject::Employee(id),
            json!({ "after": after }),
        )
        .await?;
        if let Some(scope) = &invite_scope
            && crate::access::check_target(c, org, scope, Target::Person(id))
                .await
                .is_ok()
        {
            let person = crate::invitations::repo::invitee(c, org, id)
                .await?
                .ok_or(ContactsError::NotFound)?;
            crate::invitations::api::imp::issue_one(c, &sender, &meta, org, &person, &[], false)
                .await
                .map_err(ContactsError::Refused)?;
        }
        Ok(id.to_string())
    })
    .await
}

pub async fn update_employee(
    raw: String,
    version: i32,
    form: Form,
    password: String,
    code: String,
) -> Result<(), AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let employee = id(&raw)?;
    access.check(Target::Person(employee)).await?;
    let mut input = parse(&form)?;
    access.check_departments(&input.departments).await?;
    let wanted_managers = parse_managers(&form.managers)?;
    let state = app_state()?;
    let meta = RequestMeta::current();
    // An administrator's email and mobile sign in to the console: whoever
    // changes them proves it is them first, before anything is locked.
    let current = members::contact(&state.db, org, employee)
        .await
        .map_err(AppError::from)?
        .ok_or_else(AppError::not_found)?;
    // Administrators are changed by super administrators only: a
    // delegated one could otherwise take over a wider account.
    if current.is_administrator() && !access.is_super_admin() && employee != p.id() {
        return Err(AppError::forbidden());
    }
    let readdressed = current.email != input.email || current.mobile != input.mobile;
    // The creator's addresses are the creator's to change.
    if readdressed && current.creator && employee != p.id() {
        return Err(AppError::forbidden());
    }
    if readdressed && current.is_administrator() {
        crate::auth::api::reauthenticate(&state, &meta, p, &password, &code).await?;
    }
    let actor = actor(p);
    let (actor_id, super_admin) = (p.id(), access.is_super_admin());
    let roots = access.roots().map(<[Uuid]>::to_vec);
    let sealer = state.codes.outbox_sealer().clone();
    let max_attempts = state.outbox_max_attempts;
    change(org, async |c| {
        // What decided whether to ask for re-authentication still holds
        // (no promotion or new address in between), and the person is
        // still the caller's.
        if members::contact(&mut *c, org, employee).await?.as_ref() != Some(&current) {
            return Err(ContactsError::Changed);
        }
        access
            .check_in(c, Target::Person(employee))
            .await
            .map_err(ContactsError::Refused)?;
        input.managers = managers(c, org, &wanted_managers, roots.as_deref()).await?;
        if let Some(roots) = &roots {
            // Managers beyond the caller's scope (set by someone wider) stay.
            let current = members::manager_ids(c, org, employee).await?;
            let seen = crate::access::repo::in_scope(&mut *c, org, &current, roots).await?;
            for m in current {
                if !seen.contains(&m) && !input.managers.contains(&m) {
                    input.managers.push(m);
                }
            }
        }
        if employee == actor_id && !super_admin {
            // A delegated administrator's departments may be their scope
            // ("own departments"): not theirs to move.
            let (departments, main) = members::departments_of(c, org, employee).await?;
            input.departments = departments;
            if let Some(main) = main {
                input.main_department = main;
            }
        } else if let Some(roots) = &roots {
            // Memberships outside the caller's scope are not theirs to change.
            let (elsewhere, main) = members::outside(c, org, employee, roots).await?;
            for d in elsewhere {
                if !input.departments.contains(&d) {
                    input.departments.push(d);
                }
            }
            if let Some(main) = main {
                input.main_department = main;
            }
        }
        let (before, after) = employees::update(c, org, employee, &input, version).await?;
        let (before, after) = members::changed(&before, &after);
        if after.as_object().is_some_and(|o| !o.is_empty()) {
            audit(
                c,
                &actor,
                org,
                crate::audit::Action::EmployeeUpdated,
                Subject::Employee(employee),
                json!({ "before": before, "after": after }),
            )
            .await?;
        }
        // New addresses: the sessions opened with the old ones end, and
        // the old ones are told (they may belong to the real owner).
        let mut told = Vec::new();
        for (field, channel) in [
            ("email", crate::notify::Channel::Email),
            ("mobile", crate::notify::Channel::Sms),
        ] {
            if let Some(old) = before.get(field).and_then(|v| v.as_str()) {
                told.push((field, channel, old.to_owned()));
            }
        }
        if after.get("email").is_some() || after.get("mobile").is_some() {
            employees::end_sessions(c, org, employee).await?;
            // A link sent to an old address must not work again if the
            // address comes back.
            crate::invitations::repo::end_open(c, employee, "revoked").await?;
        }
        for (field, channel, old) in told {
            let message = crate::notify::NewMessage {
                org_id: Some(org),
                channel,
                recipient: old,
                locale: meta.locale.to_owned(),
                template: crate::notify::Template::ContactChanged {
                    organisation: current.organisation.clone(),
                    field: field.to_owned(),
                },
                valid_for: None,
            };
            crate::notify::enqueue(&mut *c, &sealer, &message, max_attempts).await?;
        }
        Ok(())
    })
    .await
}

pub async fn set_status(raw: String, status: String, version: i32) -> Result<(), AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let employee = id(&raw)?;
    access.check(Target::Person(employee)).await?;
    let status = EmployeeStatus::parse(status.trim())
        .ok_or_else(|| AppError::field("status", Code::ValidationChoice))?;
    if employee == p.id() {
        return Err(AppError::field("status", Code::EmployeeStatusSelf));
    }
    let state = app_state()?;
    let target = members::contact(&state.db, org, employee)
        .await
        .map_err(AppError::from)?
        .ok_or_else(AppError::not_found)?;
    if target.is_administrator() && !access.is_super_admin() {
        return Err(AppError::forbidden());
    }
    // The creator stays active: the role passes on first.
    if target.creator && status != EmployeeStatus::Active {
        return Err(AppError::field("status", Code::AccessCreatorStays));
    }
    let actor = actor(p);
    let roots = access.roots().map(<[Uuid]>::to_vec);
    change(org, async |c| {
        // Under the lock: still the caller's, and still not an administrator.
        access
            .check_in(c, Target::Person(employee))
            .await
            .map_err(ContactsError::Refused)?;
        if members::contact(&mut *c, org, employee).await?.as_ref() != Some(&target) {
            return Err(ContactsError::Changed);
        }
        if let Some(roots) = &roots {
            let (elsewhere, _) = members::outside(c, org, employee, roots).await?;
            if !elsewhere.is_empty() {
                // Someone who also belongs elsewhere leaves the caller's
                // departments only; their status is not the caller's to change.
                if status != EmployeeStatus::Departed {
                    return Err(ContactsError::Rule("status", Code::AccessPersonElsewhere));
                }
                let left = employees::leave(c, org, employee, roots, version).await?;
                audit(
                    c,
                    &actor,
                    org,
                    crate::audit::Action::EmployeeLeftDepartments,
                    Subject::Employee(employee),
                    json!({ "before": { "departments": left.join(", ") }, "after": { "departments": "" } }),
                )
                .await?;
                return Ok(());
            }
        }
        let old = employees::set_status(c, org, employee, status, version).await?;
        if status != EmployeeStatus::Active {
            // Enabled again later, they get a new link, not the old one back.
            crate::invitations::repo::end_open(c, employee, "revoked").await?;
        }
        let new = members::record(c, org, employee).await?;
        let new = new["status"].as_str().unwrap_or_default().to_owned();
        if old.as_str() != new {
            audit(
                c,
                &actor,
                org,
                crate::audit::Action::EmployeeStatusChanged,
                Subject::Employee(employee),
                json!({ "before": { "status": old.as_str() }, "after": { "status": new } }),
            )
            .await?;
        }
        Ok(())
    })
    .await
}
