//! Server functions of the contacts console. Each one asks for its
//! permission first and works only inside the caller's organisation: ids
//! from the request are looked up within it, so another organisation's ids
//! are simply not found.
#![allow(clippy::too_many_arguments)]
use super::{Branch, ChartNode, DepartmentNode, EmployeeDetail, MemberPage, TreeColumns};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A person offered by a picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOption {
    pub id: String,
    pub name: String,
    pub userid: String,
    pub department: Option<String>,
}

/// The console's tree opened down to `department` (the root when blank).
#[server(prefix = "/api", endpoint = "contacts_branch")]
pub async fn contacts_branch(#[server(default)] department: String) -> Result<Branch, AppError> {
    imp::branch(department).await
}

/// The children of a department, for opening the tree one level.
#[server(prefix = "/api", endpoint = "contacts_children")]
pub async fn contacts_children(parent: String) -> Result<Vec<DepartmentNode>, AppError> {
    imp::children(parent).await
}

/// The whole tree, or the subtree under `from`, in columns and tree order.
#[server(prefix = "/api", endpoint = "contacts_tree", input = server_fn::codec::GetUrl)]
pub async fn contacts_tree(#[server(default)] from: String) -> Result<TreeColumns, AppError> {
    imp::tree(from).await
}

/// The org chart from `from` (the root when blank), `levels` deep (1-8), at most 500 boxes.
#[server(prefix = "/api", endpoint = "contacts_chart", input = server_fn::codec::GetUrl)]
pub async fn contacts_chart(
    #[server(default)] from: String,
    #[server(default)] levels: i32,
) -> Result<Vec<ChartNode>, AppError> {
    imp::chart(from, levels).await
}

/// A page of members: of the department and below, or (`direct`) the department alone.
#[server(prefix = "/api", endpoint = "contacts_members", input = server_fn::codec::GetUrl)]
pub async fn contacts_members(
    #[server(default)] department: String,
    #[server(default)] q: String,
    #[server(default)] status: String,
    #[server(default)] direct: bool,
    #[server(default)] page: i64,
) -> Result<MemberPage, AppError> {
    imp::members(department, q, status, direct, page).await
}

/// Departments whose name contains `q`: (id, path).
#[server(prefix = "/api", endpoint = "contacts_find_departments")]
pub async fn find_departments(q: String) -> Result<Vec<(String, String)>, AppError> {
    imp::find_departments(q).await
}

/// People matching `q`, for choosing managers and heads.
#[server(prefix = "/api", endpoint = "contacts_find_people")]
pub async fn find_people(q: String) -> Result<Vec<PersonOption>, AppError> {
    imp::find_people(q).await
}

/// An employee with departments, managers, reports and history.
#[server(prefix = "/api", endpoint = "contacts_employee")]
pub async fn contacts_employee(id: String) -> Result<EmployeeDetail, AppError> {
    imp::employee(id).await
}

/// Adds a department at the end of `parent`'s children; returns its id.
#[server(prefix = "/api", endpoint = "department_create")]
pub async fn create_department(parent: String, name: String) -> Result<String, AppError> {
    imp::create_department(parent, name).await
}

#[server(prefix = "/api", endpoint = "department_rename")]
pub async fn rename_department(id: String, name: String, version: i32) -> Result<(), AppError> {
    imp::rename_department(id, name, version).await
}

/// Moves the department, with everything below it, under `parent`.
#[server(prefix = "/api", endpoint = "department_move")]
pub async fn move_department(id: String, parent: String, version: i32) -> Result<(), AppError> {
    imp::move_department(id, parent, version).await
}

/// Puts the department at `index` (0-based) among its siblings.
#[server(prefix = "/api", endpoint = "department_reorder")]
pub async fn reorder_department(id: String, index: i32, version: i32) -> Result<(), AppError> {
    imp::reorder_department(id, index, version).await
}

/// Deletes an empty department; returns its parent's id.
#[server(prefix = "/api", endpoint = "department_delete")]
pub async fn delete_department(id: String, version: i32) -> Result<String, AppError> {
    imp::delete_department(id, version).await
}

/// Sets the department's heads from account ids (userids), separated by commas or spaces.
#[server(prefix = "/api", endpoint = "department_heads")]
pub async fn set_department_heads(
    id: String,
    #[server(default)] heads: String,
    version: i32,
) -> Result<(), AppError> {
    imp::set_heads(id, heads, version).await
}

/// Adds an employee; returns the new id.
#[server(prefix = "/api", endpoint = "employee_create")]
pub async fn create_employee(
    name: String,
    #[server(default)] userid: String,
    #[server(default)] mobile: String,
    #[server(default)] email: String,
    #[server(default)] position: String,
    #[server(default)] employee_no: String,
    #[server(default)] gender: String,
    #[server(default)] hire_date: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] main_department: String,
    #[server(default)] managers: String,
) -> Result<String, AppError> {
    let form = imp::Form {
        name,
        userid,
        mobile,
        email,
        position,
        employee_no,
        gender,
        hire_date,
        departments,
        main_department,
        managers,
    };
    imp::create_employee(form).await
}

/// Saves an employee's fields (`version` as loaded). Changing an
/// administrator's email or mobile needs the caller's own `password` (and
/// `code` when they have a second factor); a changed address ends the
/// person's sessions and is told at its old value.
#[server(prefix = "/api", endpoint = "employee_update")]
pub async fn update_employee(
    id: String,
    version: i32,
    name: String,
    #[server(default)] userid: String,
    #[server(default)] mobile: String,
    #[server(default)] email: String,
    #[server(default)] position: String,
    #[server(default)] employee_no: String,
    #[server(default)] gender: String,
    #[server(default)] hire_date: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] main_department: String,
    #[server(default)] managers: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    let form = imp::Form {
        name,
        userid,
        mobile,
        email,
        position,
        employee_no,
        gender,
        hire_date,
        departments,
        main_department,
        managers,
    };
    imp::update_employee(id, version, form, password, code).await
}

/// Enables, disables or marks as departed (`active`, `disabled`, `departed`).
#[server(prefix = "/api", endpoint = "employee_status")]
pub async fn set_employee_status(id: String, status: String, version: i32) -> Result<(), AppError> {
    imp::set_status(id, status, version).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::*;
    use crate::access::{Permission, require};
    use crate::audit::repo::{Actor, Event, record};
    use crate::auth::guard::{Principal, RequestMeta};
    use crate::contacts::employees::{self, EmployeeInput, MemberQuery};
    use crate::contacts::repo::{self, ContactsError};
    use crate::contacts::{
        EmployeeStatus, MAX_DEPARTMENTS_PER_PERSON, MAX_HEADS, MAX_MANAGERS, StatusFilter, rules,
    };
    use crate::domain::{Email, Mobile};
    use crate::error::{FieldError, FieldErrors};
    use crate::server::state::app_state;
    use serde_json::json;
    use sqlx::PgConnection;
    use uuid::Uuid;

    /// An id from the request; anything that is not one is simply not found.
    fn id(raw: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
    }

    fn refused(e: ContactsError) -> AppError {
        match e {
            ContactsError::NotFound => AppError::not_found(),
            ContactsError::Changed => AppError::conflict(),
            ContactsError::Rule(field, code) => AppError::field(field, code),
            ContactsError::Rules(list) => AppError::validation(
                list.into_iter()
                    .map(|(field, code)| FieldError {
                        field: field.into(),
                        code: code.into(),
                    })
                    .collect(),
            ),
            ContactsError::Database(e) => AppError::internal(e),
        }
    }

    fn actor(p: &Principal) -> Actor {
        RequestMeta::current().actor(Some(p.id()), "member")
    }

    /// What a contacts change is about.
    enum Target {
        Department(Uuid),
        Employee(Uuid),
    }

    /// Writes the audit row of one change, in its transaction.
    async fn audit(
        c: &mut PgConnection,
        actor: &Actor,
        org: Uuid,
        action: &str,
        target: Target,
        details: serde_json::Value,
    ) -> Result<(), ContactsError> {
        let event = Event::new(action).org(Some(org)).details(details);
        let event = match target {
            Target::Department(id) => event.target("department", id.to_string()),
            Target::Employee(id) => event.target_account(id),
        };
        record(c, actor, &event).await?;
        Ok(())
    }

    /// Runs one change, with its audit row, in a transaction under the
    /// organisation's contacts lock.
    async fn change<T>(
        org: Uuid,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, ContactsError>,
    ) -> Result<T, AppError> {
        let state = app_state()?;
        let mut tx = state.db.begin().await?;
        match repo::lock(&mut tx, org, state.config.contacts_lock_wait).await {
            Ok(()) => {}
            // Another change of this organisation's contacts is still running.
            Err(e) if repo::is_lock_timeout(&e) => {
                return Err(AppError::too_many_requests(Some(2)));
            }
            Err(e) => return Err(e.into()),
        }
        let out = work(&mut tx).await.map_err(refused)?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn branch(department: String) -> Result<Branch, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        let selected = match department.trim() {
            "" => None,
            raw => Some(id(raw)?),
        };
        repo::branch(&state.db, org, selected)
            .await?
            .ok_or_else(AppError::not_found)
    }

    pub async fn children(parent: String) -> Result<Vec<DepartmentNode>, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        let parent = id(&parent)?;
        let mut conn = state.db.acquire().await?;
        repo::existing(&mut conn, org, parent)
            .await
            .map_err(refused)?;
        Ok(repo::children(&state.db, org, parent).await?)
    }

    pub async fn tree(from: String) -> Result<TreeColumns, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        let from = match from.trim() {
            "" => None,
            raw => Some(id(raw)?),
        };
        let nodes = repo::tree(&state.db, org, from).await?;
        if nodes.is_empty() && from.is_some() {
            return Err(AppError::not_found());
        }
        Ok(nodes)
    }

    pub async fn chart(from: String, levels: i32) -> Result<Vec<ChartNode>, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        let from = match from.trim() {
            "" => None,
            raw => Some(id(raw)?),
        };
        let levels = if levels <= 0 { 3 } else { levels.min(8) };
        let nodes = repo::chart(&state.db, org, from, levels, 500).await?;
        if nodes.is_empty() {
            return Err(AppError::not_found());
        }
        Ok(nodes)
    }

    pub async fn members(
        department: String,
        q: String,
        status: String,
        direct: bool,
        page: i64,
    ) -> Result<MemberPage, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        let mut conn = state.db.acquire().await?;
        let d = match department.trim() {
            "" => repo::root(&mut conn, org).await?,
            raw => repo::department(&mut conn, org, id(raw)?).await?,
        }
        .ok_or_else(AppError::not_found)?;
        drop(conn);
        let query = MemberQuery {
            direct_only: direct,
            search: q.chars().take(100).collect(),
            status: StatusFilter::parse(&status),
            page: page.max(1),
        };
        Ok(employees::members(&state.db, org, &d, &query).await?)
    }

    pub async fn find_departments(q: String) -> Result<Vec<(String, String)>, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        Ok(repo::search(&state.db, org, &q.chars().take(64).collect::<String>(), 20).await?)
    }

    pub async fn find_people(q: String) -> Result<Vec<PersonOption>, AppError> {
        let (_, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        let q: String = q.chars().take(64).collect();
        if q.trim().is_empty() {
            return Ok(Vec::new());
        }
        Ok(employees::search_people(&state.db, org, &q, 20)
            .await?
            .into_iter()
            .map(|(id, name, userid, department)| PersonOption {
                id,
                name,
                userid,
                department,
            })
            .collect())
    }

    pub async fn employee(raw: String) -> Result<EmployeeDetail, AppError> {
        let (p, org) = require(Permission::ViewContacts).await?;
        let state = app_state()?;
        employees::detail(&state.db, org, id(&raw)?, p.id())
            .await?
            .ok_or_else(AppError::not_found)
    }

    fn department_name(raw: &str) -> Result<String, AppError> {
        rules::department_name(raw).map_err(|code| AppError::field("name", code))
    }

    pub async fn create_department(parent: String, name: String) -> Result<String, AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let parent = id(&parent)?;
        let name = department_name(&name)?;
        let actor = actor(&p);
        change(org, async |c| {
            let d = repo::create(c, org, parent, &name).await?;
            audit(
                c,
                &actor,
                org,
                "department.created",
                Target::Department(d.id),
                json!({ "after": { "name": d.name, "parent": parent.to_string() } }),
            )
            .await?;
            Ok(d.id.to_string())
        })
        .await
    }

    pub async fn rename_department(
        raw: String,
        name: String,
        version: i32,
    ) -> Result<(), AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let department = id(&raw)?;
        let name = department_name(&name)?;
        let actor = actor(&p);
        change(org, async |c| {
            let before = repo::rename(c, org, department, &name, version).await?;
            audit(
                c,
                &actor,
                org,
                "department.renamed",
                Target::Department(department),
                json!({ "before": { "name": before.name }, "after": { "name": name } }),
            )
            .await?;
            Ok(())
        })
        .await
    }

    pub async fn move_department(
        raw: String,
        parent: String,
        version: i32,
    ) -> Result<(), AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let department = id(&raw)?;
        let parent = id(&parent)?;
        let actor = actor(&p);
        change(org, async |c| {
            let moved = repo::move_to(c, org, department, parent, version).await?;
            audit(
                c,
                &actor,
                org,
                "department.moved",
                Target::Department(department),
                json!({
                    "name": moved.before.name,
                    "before": { "parent": moved.before.parent_id.map(|p| p.to_string()) },
                    "after": { "parent": parent.to_string(), "parent_name": moved.new_parent.name },
                    "descendants": moved.descendants,
                }),
            )
            .await?;
            Ok(())
        })
        .await
    }

    pub async fn reorder_department(raw: String, index: i32, version: i32) -> Result<(), AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let department = id(&raw)?;
        let actor = actor(&p);
        change(org, async |c| {
            let (old, new) = repo::reorder(c, org, department, index, version).await?;
            if old != new {
                audit(
                    c,
                    &actor,
                    org,
                    "department.reordered",
                    Target::Department(department),
                    json!({ "before": { "position": old + 1 }, "after": { "position": new + 1 } }),
                )
                .await?;
            }
            Ok(())
        })
        .await
    }

    pub async fn delete_department(raw: String, version: i32) -> Result<String, AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let department = id(&raw)?;
        let actor = actor(&p);
        change(org, async |c| {
            let d = repo::delete(c, org, department, version).await?;
            let parent = d.parent_id.map(|p| p.to_string()).unwrap_or_default();
            audit(
                c,
                &actor,
                org,
                "department.deleted",
                Target::Department(department),
                json!({ "before": { "name": d.name, "parent": parent } }),
            )
            .await?;
            Ok(parent)
        })
        .await
    }

    /// Account ids (userids) as typed, separated by commas, spaces or 、:
    /// lower-cased and de-duplicated in one pass, and refused with
    /// `too_many` past `max` distinct ids, all before any query or lock.
    fn parse_userids(
        raw: &str,
        max: usize,
        field: &'static str,
        too_many: &'static str,
    ) -> Result<Vec<String>, ContactsError> {
        let mut seen = std::collections::HashSet::new();
        let mut wanted = Vec::new();
        for u in raw
            .split(|ch: char| ch == ',' || ch == '，' || ch == '、' || ch.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let u = u.to_lowercase();
            if seen.insert(u.clone()) {
                if wanted.len() == max {
                    return Err(ContactsError::Rule(field, too_many));
                }
                wanted.push(u);
            }
        }
        Ok(wanted)
    }

    /// The account ids in `org` of `wanted` userids, in order; an unknown
    /// one is reported under `field`.
    async fn resolve_userids(
        c: &mut PgConnection,
        org: Uuid,
        wanted: &[String],
        field: &'static str,
        code: &'static str,
    ) -> Result<Vec<Uuid>, ContactsError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query!(
            r#"SELECT id, lower(userid) AS "userid!" FROM accounts
               WHERE org_id = $1 AND kind = 'member' AND status <> 'departed' AND lower(userid) = ANY($2)"#,
            org,
            wanted
        )
        .fetch_all(&mut *c)
        .await?;
        let found: std::collections::HashMap<&str, Uuid> =
            rows.iter().map(|r| (r.userid.as_str(), r.id)).collect();
        wanted
            .iter()
            .map(|u| {
                found
                    .get(u.as_str())
                    .copied()
                    .ok_or(ContactsError::Rule(field, code))
            })
            .collect()
    }

    pub async fn set_heads(raw: String, heads: String, version: i32) -> Result<(), AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let department = id(&raw)?;
        let heads = parse_userids(&heads, MAX_HEADS, "heads", "department.too_many_heads")
            .map_err(refused)?;
        let actor = actor(&p);
        change(org, async |c| {
            let ids =
                resolve_userids(c, org, &heads, "heads", "department.head_not_member").await?;
            let (before, after) = repo::set_heads(c, org, department, &ids, version).await?;
            audit(
                c,
                &actor,
                org,
                "department.heads_changed",
                Target::Department(department),
                json!({
                    "before": { "heads": before.join(", ") },
                    "after": { "heads": after.join(", ") },
                }),
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// The employee form as typed.
    pub struct Form {
        pub name: String,
        pub userid: String,
        pub mobile: String,
        pub email: String,
        pub position: String,
        pub employee_no: String,
        pub gender: String,
        pub hire_date: String,
        pub departments: Vec<String>,
        pub main_department: String,
        pub managers: String,
    }

    /// Checks everything that needs no database, reporting every field at
    /// once. Managers stay as typed until the transaction resolves them.
    fn parse(form: &Form) -> Result<EmployeeInput, AppError> {
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
            errors.push("mobile", "employee.contact_required");
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
                errors.push("gender", "validation.choice");
                None
            }
        };
        let hire_date = match form.hire_date.trim() {
            "" => None,
            raw => match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                // A person hired before 1900 or after 2100 is a typing slip
                // (or `0000-01-01`, which PostgreSQL would keep as 1 BC).
                Ok(d) if !(1900..=2100).contains(&chrono::Datelike::year(&d)) => {
                    errors.push("hire_date", "employee.date_range");
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push("hire_date", "employee.date_format");
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
                Err(_) => errors.push("departments", crate::contacts::DEPARTMENT_UNKNOWN),
            }
        }
        if departments.len() > MAX_DEPARTMENTS_PER_PERSON {
            return Err(AppError::field(
                "departments",
                "employee.too_many_departments",
            ));
        }
        if departments.is_empty() {
            errors.push("departments", crate::contacts::DEPARTMENT_REQUIRED);
        }
        let main = match form.main_department.trim() {
            "" => departments.first().copied(),
            raw => Uuid::parse_str(raw)
                .ok()
                .filter(|m| departments.contains(m)),
        };
        if main.is_none() && !departments.is_empty() {
            errors.push("main_department", "employee.main_department");
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
    fn parse_managers(raw: &str) -> Result<Vec<String>, AppError> {
        parse_userids(raw, MAX_MANAGERS, "managers", "employee.too_many_managers").map_err(refused)
    }

    async fn managers(
        c: &mut PgConnection,
        org: Uuid,
        wanted: &[String],
    ) -> Result<Vec<Uuid>, ContactsError> {
        resolve_userids(c, org, wanted, "managers", "employee.manager_unknown").await
    }

    pub async fn create_employee(form: Form) -> Result<String, AppError> {
        let (p, org) = require(Permission::ManageContacts).await?;
        let mut input = parse(&form)?;
        let wanted_managers = parse_managers(&form.managers)?;
        let actor = actor(&p);
        change(org, async |c| {
            input.managers = managers(c, org, &wanted_managers).await?;
            let (id, _) = employees::create(c, org, &input).await?;
            let after = employees::record(c, org, id).await?;
            audit(
                c,
                &actor,
                org,
                "employee.created",
                Target::Employee(id),
                json!({ "after": after }),
            )
            .await?;
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
        let (p, org) = require(Permission::ManageContacts).await?;
        let employee = id(&raw)?;
        let mut input = parse(&form)?;
        let wanted_managers = parse_managers(&form.managers)?;
        let state = app_state()?;
        let meta = RequestMeta::current();
        // An administrator's email and mobile sign in to the console: whoever
        // changes them proves it is them first, before anything is locked.
        let current = employees::contact(&state.db, org, employee)
            .await
            .map_err(refused)?
            .ok_or_else(AppError::not_found)?;
        let readdressed = current.email != input.email || current.mobile != input.mobile;
        if readdressed && current.is_administrator() {
            crate::auth::api::reauthenticate(&state, &meta, &p, &password, &code).await?;
        }
        let actor = actor(&p);
        let sealer = state.codes.outbox_sealer().clone();
        let max_attempts = state.config.outbox_max_attempts;
        change(org, async |c| {
            // What decided whether to ask for re-authentication still holds
            // (no promotion or new address in between).
            if employees::contact(&mut *c, org, employee).await?.as_ref() != Some(&current) {
                return Err(ContactsError::Changed);
            }
            input.managers = managers(c, org, &wanted_managers).await?;
            let (before, after) = employees::update(c, org, employee, &input, version).await?;
            let (before, after) = employees::changed(&before, &after);
            if after.as_object().is_some_and(|o| !o.is_empty()) {
                audit(
                    c,
                    &actor,
                    org,
                    "employee.updated",
                    Target::Employee(employee),
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
        let (p, org) = require(Permission::ManageContacts).await?;
        let employee = id(&raw)?;
        let status = EmployeeStatus::parse(status.trim())
            .ok_or_else(|| AppError::field("status", "validation.choice"))?;
        if employee == p.id() {
            return Err(AppError::field("status", "employee.status_self"));
        }
        let actor = actor(&p);
        change(org, async |c| {
            let old = employees::set_status(c, org, employee, status, version).await?;
            let new = employees::record(c, org, employee).await?;
            let new = new["status"].as_str().unwrap_or_default().to_owned();
            if old.as_str() != new {
                audit(
                    c,
                    &actor,
                    org,
                    "employee.status_changed",
                    Target::Employee(employee),
                    json!({ "before": { "status": old.as_str() }, "after": { "status": new } }),
                )
                .await?;
            }
            Ok(())
        })
        .await
    }
}
