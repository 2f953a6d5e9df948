//! `GET /admin/contacts/export?format=csv|xlsx&department=<id>`: the people
//! of a department and everything below it (or of the administrator's whole
//! scope) in the template's columns, so that the file imported again
//! changes nothing. Cells a spreadsheet would run as formulas are
//! neutralised; each export is audited with its row count.
use super::Column;
use crate::access::{Permission, Target, require_of};
use crate::audit::Action;
use crate::audit::repo::{Event, record};
use crate::auth::guard::{Principal, RequestMeta};
use crate::auth::{AccountKind, Stage};
use crate::error::AppError;
use crate::server::sheet::{Format, MAX_ROWS, Sheet};
use crate::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A mobile number as a person would type it: a mainland number without
/// `+86` (the import reads it back the same).
fn mobile_cell(mobile: &str) -> &str {
    mobile.strip_prefix("+86").unwrap_or(mobile)
}

pub async fn export(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Query(params): Query<HashMap<String, String>>,
    parts: axum::http::request::Parts,
) -> Response {
    match made(&state, principal, &params, &parts).await {
        Ok((format, bytes)) => super::web::file(format, "contacts", bytes),
        Err(e) => crate::audit::export::refused(e),
    }
}

async fn made(
    state: &AppState,
    principal: Option<axum::Extension<Principal>>,
    params: &HashMap<String, String>,
    parts: &axum::http::request::Parts,
) -> Result<(Format, Vec<u8>), AppError> {
    let Some(axum::Extension(p)) = principal else {
        return Err(AppError::unauthenticated());
    };
    let (Some(org), AccountKind::Member, Stage::SignedIn) =
        (p.account.org_id, p.account.kind, p.auth.stage)
    else {
        return Err(AppError::forbidden());
    };
    let department = match params
        .get("department")
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
    {
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| AppError::not_found())?),
        None => None,
    };
    let target = department.map_or(Target::InScope, Target::Department);
    let access = require_of(&state.db, p, org, Permission::ManageContacts, target).await?;
    let format = params
        .get("format")
        .and_then(|f| Format::parse(f))
        .unwrap_or(Format::Xlsx);
    // The tops of what is exported: the department chosen, else the
    // caller's scope (the root for the whole organisation).
    let tops: Vec<Uuid> = match (department, access.roots()) {
        (Some(d), _) => vec![d],
        (None, Some(roots)) => roots.to_vec(),
        (None, None) => {
            sqlx::query_scalar!(
                "SELECT id FROM departments WHERE org_id = $1 AND parent_id IS NULL",
                org
            )
            .fetch_all(&state.db)
            .await?
        }
    };
    let departments: HashMap<Uuid, String> = sqlx::query!(
        r#"SELECT d.id, (SELECT string_agg(a.name, '/' ORDER BY x.n)
                           FROM unnest(d.path) WITH ORDINALITY AS x(id, n)
                           JOIN departments a ON a.id = x.id) AS "path!"
             FROM departments d WHERE d.org_id = $1"#,
        org
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|r| (r.id, r.path))
    .collect();
    let people = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid AS "userid!", a.mobile, a.email, a.position, a.employee_no,
                  a.gender, a.hire_date AS "hire_date: chrono::NaiveDate", a.status, a.main_department_id,
                  ARRAY(SELECT dm.department_id FROM department_members dm WHERE dm.account_id = a.id
                         ORDER BY dm.department_id) AS "departments!",
                  ARRAY(SELECT m.userid FROM account_managers am JOIN accounts m ON m.id = am.manager_id
                         WHERE am.account_id = a.id ORDER BY am.rank) AS "managers!: Vec<String>"
             FROM accounts a
            WHERE a.org_id = $1 AND a.kind = 'member' AND a.status <> 'departed'
              AND EXISTS (SELECT 1 FROM department_members dm JOIN departments d ON d.id = dm.department_id
                           WHERE dm.account_id = a.id AND d.path && $2)
            ORDER BY a.name_pinyin, a.id
            LIMIT $3"#,
        org,
        &tops,
        MAX_ROWS as i64
    )
    .fetch_all(&state.db)
    .await?;
    let header: Vec<String> = Column::ALL.iter().map(|c| c.header()).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sheet = Sheet::new(format, "成员 People", &header).map_err(AppError::internal)?;
    for person in &people {
        let mut ids = person.departments.clone();
        // The main department first.
        ids.sort_by_key(|d| Some(*d) != person.main_department_id);
        let paths: Vec<&str> = ids
            .iter()
            .filter_map(|d| departments.get(d).map(String::as_str))
            .collect();
        let cells: Vec<String> = Column::ALL
            .iter()
            .map(|c| match c {
                Column::Name => person.name.clone(),
                Column::Userid => person.userid.clone(),
                Column::Mobile => person
                    .mobile
                    .as_deref()
                    .map(mobile_cell)
                    .unwrap_or_default()
                    .to_owned(),
                Column::Email => person.email.clone().unwrap_or_default(),
                Column::Departments => paths.join(";"),
                Column::Position => person.position.clone().unwrap_or_default(),
                Column::EmployeeNo => person.employee_no.clone().unwrap_or_default(),
                Column::Gender => match person.gender.as_deref() {
                    Some("male") => "男".into(),
                    Some("female") => "女".into(),
                    _ => String::new(),
                },
                Column::Manager => person.managers.join(";"),
                Column::HireDate => person.hire_date.map(|d| d.to_string()).unwrap_or_default(),
                Column::Status => if person.status == "disabled" {
                    "禁用"
                } else {
                    "启用"
                }
                .to_owned(),
            })
            .collect();
        sheet
            .row(cells.iter().map(String::as_str))
            .map_err(AppError::internal)?;
    }
    let bytes = sheet.finish().map_err(AppError::internal)?;
    let meta = RequestMeta::from_parts(parts);
    let mut conn = state.db.acquire().await?;
    record(
        &mut conn,
        &meta.actor(Some(access.principal.id()), "member"),
        &Event::new(Action::ContactsExported)
            .org(Some(org))
            .details(json!({
                "rows": people.len(),
                "format": format.extension(),
            })),
    )
    .await?;
    Ok((format, bytes))
}
