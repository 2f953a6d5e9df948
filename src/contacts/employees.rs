//! Employee queries: the members list, the employee page and changes.
//! Every function is scoped to the caller's organisation.
use super::headcount;
use super::repo::{ContactsError, Department, Result, like_escape};
use super::{
    EmployeeDepartment, EmployeeDetail, EmployeeStatus, HistoryEntry, MemberPage, MemberRow,
    PAGE_SIZE, PersonRef, StatusFilter,
};
use serde_json::{Map, Value, json};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};
use std::collections::HashMap;
use uuid::Uuid;

/// Which members to list (of the department given beside it).
#[derive(Debug, Clone)]
pub struct MemberQuery {
    /// Only the department's own members, not those of its sub-departments.
    pub direct_only: bool,
    pub search: String,
    pub status: StatusFilter,
    pub page: i64,
}

fn status_of(s: &str) -> EmployeeStatus {
    EmployeeStatus::parse(s).unwrap_or(EmployeeStatus::Active)
}

/// Appends the ids of the departments whose members are listed: the
/// department alone, or its subtree as one range of the btree on `path`
/// (arrays sort element by element, so every path below P lies in
/// [P, P || max)).
fn scope_departments<'a>(
    qb: &mut QueryBuilder<'a, Postgres>,
    org_id: Uuid,
    department: &'a Department,
    direct_only: bool,
) {
    if direct_only {
        qb.push("ARRAY[").push_bind(department.id).push("::uuid]");
    } else {
        let upper = super::repo::subtree_upper(&department.path);
        qb.push("ARRAY(SELECT d.id FROM departments d WHERE d.org_id = ")
            .push_bind(org_id)
            .push(" AND d.path >= ")
            .push_bind(department.path.as_slice())
            .push(" AND d.path < ")
            .push_bind(upper)
            .push(")");
    }
}

/// Appends the membership rows of the listed departments with the status
/// asked for: `department_members dm WHERE …`.
fn scope_memberships<'a>(
    qb: &mut QueryBuilder<'a, Postgres>,
    org_id: Uuid,
    department: &'a Department,
    q: &MemberQuery,
) {
    // The departments are the organisation's already (the department was
    // found in it, the subtree is read with its org_id): the membership
    // rows are then read from their index alone.
    qb.push(" FROM department_members dm WHERE dm.department_id = ANY(");
    scope_departments(qb, org_id, department, q.direct_only);
    qb.push(")");
    qb.push(match q.status {
        StatusFilter::Current => " AND dm.is_current",
        StatusFilter::Departed => " AND NOT dm.is_current",
        StatusFilter::All => "",
    });
}

/// Appends the WHERE clause of a search among accounts: every value is bound.
fn search_filter<'a>(
    qb: &mut QueryBuilder<'a, Postgres>,
    org_id: Uuid,
    department: &'a Department,
    q: &MemberQuery,
    terms: &'a [String],
) {
    qb.push(" WHERE a.org_id = ")
        .push_bind(org_id)
        .push(" AND a.kind = 'member'");
    if q.direct_only || department.parent_id.is_some() {
        // The scope's people first, then their accounts by id: left to
        // itself the planner walks the whole organisation in pinyin order
        // and tests each person.
        qb.push(" AND a.id = ANY(ARRAY(SELECT DISTINCT dm.account_id");
        scope_memberships(
            qb,
            org_id,
            department,
            &MemberQuery {
                status: StatusFilter::All,
                ..q.clone()
            },
        );
        qb.push("))");
    }
    qb.push(match q.status {
        StatusFilter::Current => " AND a.status <> 'departed'",
        StatusFilter::Departed => " AND a.status = 'departed'",
        StatusFilter::All => "",
    });
    for t in terms {
        qb.push(" AND a.search_text LIKE ").push_bind(t.as_str());
    }
}

const MEMBER_COLUMNS: &str = "a.id, a.name, a.userid, a.position, a.mobile, a.email, a.status";

/// A page of the members of a department's subtree (or the department
/// alone), matching every word of the search, ordered by pinyin.
///
/// Without a search, the page is read from the membership rows, which
/// carry each person's sort key, and only its 50 accounts are visited; the
/// whole organisation (the root) is read in the accounts' own pinyin order.
/// A search filters accounts.
pub async fn members(
    db: &PgPool,
    org_id: Uuid,
    department: &Department,
    q: &MemberQuery,
) -> std::result::Result<MemberPage, sqlx::Error> {
    let terms: Vec<String> = q
        .search
        .split_whitespace()
        .take(5)
        .map(|t| format!("%{}%", like_escape(&t.to_lowercase())))
        .collect();
    let by_membership = terms.is_empty() && (q.direct_only || department.parent_id.is_some());
    // The default view (everyone current in the subtree) is exactly the
    // maintained headcount; anything else is counted.
    let total = if !q.direct_only && terms.is_empty() && q.status == StatusFilter::Current {
        i64::from(department.headcount)
    } else if by_membership {
        let mut count = QueryBuilder::new("SELECT count(DISTINCT dm.account_id)");
        scope_memberships(&mut count, org_id, department, q);
        count.build_query_scalar::<i64>().fetch_one(db).await?
    } else {
        let mut count = QueryBuilder::new("SELECT count(*) FROM accounts a");
        search_filter(&mut count, org_id, department, q, &terms);
        count.build_query_scalar::<i64>().fetch_one(db).await?
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = q.page.clamp(1, pages);
    let mut list = QueryBuilder::new("SELECT ");
    list.push(MEMBER_COLUMNS);
    if by_membership {
        list.push(" FROM (SELECT DISTINCT dm.sort_key, dm.account_id");
        scope_memberships(&mut list, org_id, department, q);
        list.push(" ORDER BY dm.sort_key, dm.account_id LIMIT ")
            .push_bind(PAGE_SIZE)
            .push(" OFFSET ")
            .push_bind((page - 1) * PAGE_SIZE)
            .push(") p JOIN accounts a ON a.id = p.account_id AND a.org_id = ")
            .push_bind(org_id)
            .push(" ORDER BY p.sort_key, p.account_id");
    } else {
        list.push(" FROM accounts a");
        search_filter(&mut list, org_id, department, q, &terms);
        list.push(" ORDER BY a.name_pinyin, a.id LIMIT ")
            .push_bind(PAGE_SIZE)
            .push(" OFFSET ")
            .push_bind((page - 1) * PAGE_SIZE);
    }
    let rows = list.build().fetch_all(db).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.get("id")).collect();
    let mut departments = department_names(db, org_id, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let id: Uuid = r.get("id");
            MemberRow {
                id: id.to_string(),
                name: r.get("name"),
                userid: r.get::<Option<String>, _>("userid").unwrap_or_default(),
                position: r.get("position"),
                mobile: r.get("mobile"),
                email: r.get("email"),
                status: status_of(r.get("status")),
                departments: departments.remove(&id).unwrap_or_default(),
            }
        })
        .collect();
    Ok(MemberPage {
        items,
        total,
        page,
        pages,
    })
}

/// Each account's department names, the main department first.
async fn department_names(
    db: &PgPool,
    org_id: Uuid,
    ids: &[Uuid],
) -> std::result::Result<HashMap<Uuid, Vec<String>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT dm.account_id, d.name
           FROM department_members dm
           JOIN departments d ON d.id = dm.department_id
           JOIN accounts a ON a.id = dm.account_id
           WHERE dm.org_id = $1 AND dm.account_id = ANY($2)
           ORDER BY dm.account_id, (a.main_department_id = d.id) DESC NULLS LAST, cardinality(d.path), d.sort_order"#,
        org_id,
        ids
    )
    .fetch_all(db)
    .await?;
    let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
    for r in rows {
        map.entry(r.account_id).or_default().push(r.name);
    }
    Ok(map)
}

/// People matching `q`, for pickers (managers, heads): (id, name, userid, main department).
pub async fn search_people(
    db: &PgPool,
    org_id: Uuid,
    q: &str,
    limit: i64,
) -> std::result::Result<Vec<(String, String, String, Option<String>)>, sqlx::Error> {
    let pattern = format!("%{}%", like_escape(&q.trim().to_lowercase()));
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid, d.name AS "department?"
           FROM accounts a LEFT JOIN departments d ON d.id = a.main_department_id
           WHERE a.org_id = $1 AND a.kind = 'member' AND a.status <> 'departed'
             AND a.search_text LIKE $2
           ORDER BY a.name_pinyin, a.id LIMIT $3"#,
        org_id,
        pattern,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id.to_string(),
                r.name,
                r.userid.unwrap_or_default(),
                r.department,
            )
        })
        .collect())
}

/// An employee's fields, checked.
#[derive(Debug, Clone)]
pub struct EmployeeInput {
    pub name: String,
    /// `None`: made from the name's pinyin.
    pub userid: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub employee_no: Option<String>,
    pub gender: Option<String>,
    pub hire_date: Option<chrono::NaiveDate>,
    /// At least one; the main department is among them.
    pub departments: Vec<Uuid>,
    pub main_department: Uuid,
    pub managers: Vec<Uuid>,
}

/// Checks what needs the database: departments and managers in this
/// organisation, addresses and account id free. Reports every problem.
async fn check(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Option<Uuid>,
    input: &EmployeeInput,
) -> Result<()> {
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM departments WHERE org_id = $1 AND id = ANY($2)"#,
        org_id,
        &input.departments
    )
    .fetch_one(&mut *conn)
    .await?;
    if found as usize != input.departments.len() {
        return Err(ContactsError::NotFound);
    }
    if !input.managers.is_empty() {
        let managers = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM accounts
               WHERE org_id = $1 AND kind = 'member' AND id = ANY($2) AND status <> 'departed'"#,
            org_id,
            &input.managers
        )
        .fetch_one(&mut *conn)
        .await?;
        if managers as usize != input.managers.len() {
            return Err(ContactsError::Rule("managers", "employee.manager_unknown"));
        }
    }
    let taken = sqlx::query!(
        r#"SELECT
             EXISTS (SELECT 1 FROM accounts WHERE org_id = $1 AND kind = 'member' AND id IS DISTINCT FROM $2
                     AND lower(userid) = lower($3)) AS "userid!",
             EXISTS (SELECT 1 FROM accounts WHERE org_id = $1 AND kind = 'member' AND id IS DISTINCT FROM $2
                     AND lower(email) = lower($4)) AS "email!",
             EXISTS (SELECT 1 FROM accounts WHERE org_id = $1 AND kind = 'member' AND id IS DISTINCT FROM $2
                     AND mobile = $5) AS "mobile!""#,
        org_id,
        id,
        input.userid.as_deref().unwrap_or(""),
        input.email.as_deref().unwrap_or(""),
        input.mobile.as_deref().unwrap_or("")
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut errors = Vec::new();
    if taken.userid {
        errors.push(("userid", "employee.userid_taken"));
    }
    if taken.email {
        errors.push(("email", "employee.email_taken"));
    }
    if taken.mobile {
        errors.push(("mobile", "employee.mobile_taken"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ContactsError::Rules(errors))
    }
}

/// An account id made from the name: its pinyin, with a number added when taken.
async fn free_userid(
    conn: &mut PgConnection,
    org_id: Uuid,
    pinyin: &str,
) -> std::result::Result<String, sqlx::Error> {
    let mut base: String = pinyin
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(48)
        .collect();
    if base.is_empty() {
        base = "user".into();
    }
    let taken: std::collections::HashSet<String> = sqlx::query_scalar!(
        r#"SELECT lower(userid) AS "u!" FROM accounts
           WHERE org_id = $1 AND kind = 'member' AND lower(userid) LIKE $2"#,
        org_id,
        format!("{}%", like_escape(&base))
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    Ok((2..)
        .map(|n| format!("{base}{n}"))
        .find(|c| !taken.contains(c))
        .unwrap_or(base))
}

/// Maps a unique-index violation that slipped past [`check`] (two
/// administrators saving at once) to the field it is about.
fn unique_violation(e: sqlx::Error) -> ContactsError {
    if let sqlx::Error::Database(db) = &e {
        match db.constraint() {
            Some("accounts_member_userid_key") => {
                return ContactsError::Rule("userid", "employee.userid_taken");
            }
            Some("accounts_member_email_key") => {
                return ContactsError::Rule("email", "employee.email_taken");
            }
            Some("accounts_member_mobile_key") => {
                return ContactsError::Rule("mobile", "employee.mobile_taken");
            }
            _ => {}
        }
    }
    ContactsError::Database(e)
}

async fn write_links(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    input: &EmployeeInput,
) -> std::result::Result<(), sqlx::Error> {
    // Heads stay heads of the departments the person stays in.
    sqlx::query!(
        "DELETE FROM department_members WHERE org_id = $1 AND account_id = $2 AND NOT department_id = ANY($3)",
        org_id,
        id,
        &input.departments
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO department_members (org_id, department_id, account_id)
           SELECT $1, d, $2 FROM unnest($3::uuid[]) AS d
           ON CONFLICT (department_id, account_id) DO NOTHING"#,
        org_id,
        id,
        &input.departments
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM account_managers WHERE org_id = $1 AND account_id = $2",
        org_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    let ranks: Vec<i16> = (1..=input.managers.len() as i16).collect();
    sqlx::query!(
        r#"INSERT INTO account_managers (org_id, account_id, manager_id, rank)
           SELECT $1, $2, m, r FROM unnest($3::uuid[], $4::int2[]) AS x(m, r)"#,
        org_id,
        id,
        &input.managers,
        &ranks
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds an employee (not activated, no password yet). Returns the id and the account id used.
pub async fn create(
    conn: &mut PgConnection,
    org_id: Uuid,
    input: &EmployeeInput,
) -> Result<(Uuid, String)> {
    check(conn, org_id, None, input).await?;
    let (pinyin, initials) = super::pinyin::search_keys(&input.name);
    let userid = match &input.userid {
        Some(u) => u.clone(),
        None => free_userid(conn, org_id, &pinyin).await?,
    };
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO accounts (id, kind, org_id, role, name, userid, name_pinyin, name_initials,
                                 email, mobile, position, employee_no, gender, hire_date,
                                 main_department_id, status)
           VALUES ($1, 'member', $2, 'employee', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'not_activated')"#,
        id,
        org_id,
        input.name,
        userid,
        pinyin,
        initials,
        input.email,
        input.mobile,
        input.position,
        input.employee_no,
        input.gender,
        input.hire_date as _,
        input.main_department
    )
    .execute(&mut *conn)
    .await
    .map_err(unique_violation)?;
    headcount::around(conn, org_id, &[id], async |c: &mut PgConnection| {
        write_links(c, org_id, id, input).await
    })
    .await?;
    Ok((id, userid))
}

/// Changes an employee's fields and links; returns the record before and after.
pub async fn update(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    input: &EmployeeInput,
    version: i32,
) -> Result<(Value, Value)> {
    let current = version_of(conn, org_id, id).await?;
    if current != version {
        return Err(ContactsError::Changed);
    }
    if input.managers.contains(&id) {
        return Err(ContactsError::Rule("managers", "employee.manager_self"));
    }
    check(conn, org_id, Some(id), input).await?;
    let before_record = record(conn, org_id, id).await?;
    let (pinyin, initials) = super::pinyin::search_keys(&input.name);
    let userid = input.userid.clone().unwrap_or_else(|| {
        before_record["userid"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    sqlx::query!(
        r#"UPDATE accounts SET name = $3, userid = $4, name_pinyin = $5, name_initials = $6,
                  email = $7, mobile = $8, position = $9, employee_no = $10, gender = $11,
                  hire_date = $12, main_department_id = $13, version = version + 1, updated_at = now()
           WHERE org_id = $1 AND id = $2 AND kind = 'member'"#,
        org_id,
        id,
        input.name,
        userid,
        pinyin,
        initials,
        input.email,
        input.mobile,
        input.position,
        input.employee_no,
        input.gender,
        input.hire_date as _,
        input.main_department
    )
    .execute(&mut *conn)
    .await
    .map_err(unique_violation)?;
    // The status is unchanged here: only the departments move the person's counts.
    headcount::around(conn, org_id, &[id], async |c: &mut PgConnection| {
        write_links(c, org_id, id, input).await
    })
    .await?;
    let after_record = record(conn, org_id, id).await?;
    Ok((before_record, after_record))
}

async fn version_of(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<i32> {
    sqlx::query_scalar!(
        "SELECT version FROM accounts WHERE org_id = $1 AND id = $2 AND kind = 'member'",
        org_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ContactsError::NotFound)
}

/// Changes the status; disabling or marking as departed ends the person's
/// sessions. Returns the status before.
pub async fn set_status(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    status: EmployeeStatus,
    version: i32,
) -> Result<EmployeeStatus> {
    let row = sqlx::query!(
        "SELECT status, version, role FROM accounts WHERE org_id = $1 AND id = $2 AND kind = 'member' FOR UPDATE",
        org_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ContactsError::NotFound)?;
    if row.version != version {
        return Err(ContactsError::Changed);
    }
    let old = status_of(&row.status);
    if old == status {
        return Ok(old);
    }
    if status == EmployeeStatus::NotActivated {
        return Err(ContactsError::Rule("status", "employee.status_invalid"));
    }
    if row.role.as_deref() == Some("super_admin") && status != EmployeeStatus::Active {
        let others = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM accounts WHERE org_id = $1 AND role = 'super_admin'
               AND status = 'active' AND id <> $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *conn)
        .await?;
        if others == 0 {
            return Err(ContactsError::Rule("status", "employee.last_super_admin"));
        }
    }
    // Someone re-enabled who never signed in is still waiting to be activated.
    let new = if status == EmployeeStatus::Active
        && sqlx::query_scalar!(
            r#"SELECT password_hash IS NULL AS "none!" FROM accounts WHERE id = $1"#,
            id
        )
        .fetch_one(&mut *conn)
        .await?
    {
        EmployeeStatus::NotActivated
    } else {
        status
    };
    let ends_sessions = matches!(new, EmployeeStatus::Disabled | EmployeeStatus::Departed);
    headcount::around(conn, org_id, &[id], async |c: &mut PgConnection| {
        sqlx::query!(
            r#"UPDATE accounts SET status = $3, version = version + 1, updated_at = now(),
                      session_epoch = session_epoch + CASE WHEN $4 THEN 1 ELSE 0 END
               WHERE org_id = $1 AND id = $2"#,
            org_id,
            id,
            new.as_str(),
            ends_sessions
        )
        .execute(c)
        .await
    })
    .await?;
    Ok(old)
}

/// The employee's fields as the audit log keeps them: readable values,
/// departments and managers by name.
pub async fn record(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<Value> {
    let r = sqlx::query!(
        r#"SELECT a.name, a.userid, a.mobile, a.email, a.position, a.employee_no, a.gender,
                  a.hire_date AS "hire_date: chrono::NaiveDate", a.status, md.name AS "main_department?",
                  (SELECT string_agg(d.name, ', ' ORDER BY d.name) FROM department_members dm
                     JOIN departments d ON d.id = dm.department_id WHERE dm.account_id = a.id) AS departments,
                  (SELECT string_agg(m.name, ', ' ORDER BY am.rank) FROM account_managers am
                     JOIN accounts m ON m.id = am.manager_id WHERE am.account_id = a.id) AS managers
           FROM accounts a LEFT JOIN departments md ON md.id = a.main_department_id
           WHERE a.org_id = $1 AND a.id = $2 AND a.kind = 'member'"#,
        org_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ContactsError::NotFound)?;
    Ok(json!({
        "name": r.name,
        "userid": r.userid,
        "mobile": r.mobile,
        "email": r.email,
        "position": r.position,
        "employee_no": r.employee_no,
        "gender": r.gender,
        "hire_date": r.hire_date.map(|d| d.to_string()),
        "status": r.status,
        "main_department": r.main_department,
        "departments": r.departments,
        "managers": r.managers,
    }))
}

/// A member's sign-in addresses and role, as they are now (`None`: no such
/// member in this organisation).
#[derive(PartialEq, Eq)]
pub struct Contact {
    pub role: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub organisation: String,
}

impl Contact {
    /// An administrator's addresses sign in to the console: changing them
    /// asks the acting administrator to sign the change.
    pub fn is_administrator(&self) -> bool {
        matches!(self.role.as_deref(), Some("super_admin" | "admin"))
    }
}

pub async fn contact(
    db: impl sqlx::PgExecutor<'_>,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Contact>> {
    Ok(sqlx::query_as!(
        Contact,
        r#"SELECT a.role, a.email, a.mobile, o.name AS organisation
             FROM accounts a JOIN organisations o ON o.id = a.org_id
            WHERE a.org_id = $1 AND a.id = $2 AND a.kind = 'member'"#,
        org_id,
        id
    )
    .fetch_optional(db)
    .await?)
}

/// Ends every session of the member (their addresses changed under them).
pub async fn end_sessions(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<()> {
    sqlx::query!(
        "UPDATE accounts SET session_epoch = session_epoch + 1 WHERE org_id = $1 AND id = $2",
        org_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Only the keys whose values differ: ({before}, {after}).
pub fn changed(before: &Value, after: &Value) -> (Value, Value) {
    let (mut b, mut a) = (Map::new(), Map::new());
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (k, v) in after {
            let old = before.get(k).unwrap_or(&Value::Null);
            if old != v {
                b.insert(k.clone(), old.clone());
                a.insert(k.clone(), v.clone());
            }
        }
    }
    (Value::Object(b), Value::Object(a))
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Everything the employee page shows, with the last 50 changes.
pub async fn detail(
    db: &PgPool,
    org_id: Uuid,
    id: Uuid,
    viewer: Uuid,
) -> std::result::Result<Option<EmployeeDetail>, sqlx::Error> {
    let Some(a) = sqlx::query!(
        r#"SELECT id, name, userid, mobile, email, position, employee_no, gender,
                  hire_date AS "hire_date: chrono::NaiveDate", status, role, version, main_department_id
           FROM accounts WHERE org_id = $1 AND id = $2 AND kind = 'member'"#,
        org_id,
        id
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let departments = sqlx::query!(
        r#"SELECT d.id, d.name, dm.is_head,
                  (SELECT string_agg(p.name, ' / ' ORDER BY array_position(d.path, p.id))
                     FROM departments p WHERE p.org_id = d.org_id AND p.id = ANY(d.path)) AS "path!"
           FROM department_members dm JOIN departments d ON d.id = dm.department_id
           WHERE dm.org_id = $1 AND dm.account_id = $2
           ORDER BY cardinality(d.path), d.sort_order"#,
        org_id,
        id
    )
    .fetch_all(db)
    .await?;
    let mut departments: Vec<EmployeeDepartment> = departments
        .into_iter()
        .map(|d| EmployeeDepartment {
            is_main: Some(d.id) == a.main_department_id,
            id: d.id.to_string(),
            name: d.name,
            path: d.path,
            is_head: d.is_head,
        })
        .collect();
    departments.sort_by_key(|d| !d.is_main);
    let people = |rows: Vec<(Uuid, String)>| {
        rows.into_iter()
            .map(|(id, name)| PersonRef {
                id: id.to_string(),
                name,
            })
            .collect::<Vec<_>>()
    };
    let manager_rows = sqlx::query!(
        r#"SELECT m.id, m.name, m.userid FROM account_managers am JOIN accounts m ON m.id = am.manager_id
           WHERE am.org_id = $1 AND am.account_id = $2 ORDER BY am.rank"#,
        org_id,
        id
    )
    .fetch_all(db)
    .await?;
    let manager_userids = manager_rows
        .iter()
        .filter_map(|r| r.userid.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let managers = manager_rows.into_iter().map(|r| (r.id, r.name)).collect();
    let reports = sqlx::query!(
        r#"SELECT r.id, r.name FROM account_managers am JOIN accounts r ON r.id = am.account_id
           WHERE am.org_id = $1 AND am.manager_id = $2 AND r.status <> 'departed'
           ORDER BY r.name_pinyin LIMIT 200"#,
        org_id,
        id
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let history = sqlx::query!(
        r#"SELECT l.at AS "at: chrono::DateTime<chrono::Utc>", l.action, l.details, actor.name AS "actor?"
           FROM audit_log l LEFT JOIN accounts actor ON actor.id = l.actor_id
           WHERE l.org_id = $1 AND l.target_type = 'account' AND l.target_id = $2
             AND l.action LIKE 'employee.%'
           ORDER BY l.id DESC LIMIT 50"#,
        org_id,
        id.to_string()
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| {
        let before = r.details.get("before").cloned().unwrap_or(Value::Null);
        let after = r.details.get("after").cloned().unwrap_or(Value::Null);
        let mut changes: Vec<(String, String, String)> = after
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), text(before.get(k).unwrap_or(&Value::Null)), text(v)))
                    .collect()
            })
            .unwrap_or_default();
        changes.retain(|(_, b, a)| b != a);
        HistoryEntry {
            at: r.at,
            action: r.action,
            actor: r.actor,
            changes,
        }
    })
    .collect();
    Ok(Some(EmployeeDetail {
        id: a.id.to_string(),
        name: a.name,
        userid: a.userid.unwrap_or_default(),
        mobile: a.mobile,
        email: a.email,
        position: a.position,
        employee_no: a.employee_no,
        gender: a.gender,
        hire_date: a.hire_date,
        status: status_of(&a.status),
        role: a.role,
        departments,
        managers: people(managers),
        manager_userids,
        reports: people(reports),
        version: a.version,
        is_self: a.id == viewer,
        history,
    }))
}
