//! Employee writes: create, update and status, each checked against the organisation's rules.
use super::super::EmployeeStatus;
use super::super::headcount;
use super::super::repo::{ContactsError, Result};
use super::members::*;
use crate::error::Code;
use crate::server::sql::like_escape;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

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
pub(super) async fn check(
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
            return Err(ContactsError::Rule(
                "managers",
                Code::EmployeeManagerUnknown,
            ));
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
        errors.push(("userid", Code::EmployeeUseridTaken));
    }
    if taken.email {
        errors.push(("email", Code::EmployeeEmailTaken));
    }
    if taken.mobile {
        errors.push(("mobile", Code::EmployeeMobileTaken));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ContactsError::Rules(errors))
    }
}

/// An account id made from the name: its pinyin, with a number added when taken.
pub(super) async fn free_userid(
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
pub(super) fn unique_violation(e: sqlx::Error) -> ContactsError {
    if let sqlx::Error::Database(db) = &e {
        match db.constraint() {
            Some("accounts_member_userid_key") => {
                return ContactsError::Rule("userid", Code::EmployeeUseridTaken);
            }
            Some("accounts_member_email_key") => {
                return ContactsError::Rule("email", Code::EmployeeEmailTaken);
            }
            Some("accounts_member_mobile_key") => {
                return ContactsError::Rule("mobile", Code::EmployeeMobileTaken);
            }
            _ => {}
        }
    }
    ContactsError::Database(e)
}

pub(super) async fn write_links(
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
    let (pinyin, initials) = super::super::pinyin::search_keys(&input.name);
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
        return Err(ContactsError::Rule("managers", Code::EmployeeManagerSelf));
    }
    check(conn, org_id, Some(id), input).await?;
    let before_record = record(conn, org_id, id).await?;
    let (pinyin, initials) = super::super::pinyin::search_keys(&input.name);
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

pub(super) async fn version_of(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<i32> {
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
        return Err(ContactsError::Rule("status", Code::EmployeeStatusInvalid));
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
            return Err(ContactsError::Rule("status", Code::EmployeeLastSuperAdmin));
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

/// Takes the person out of the departments in the subtrees under `roots`
/// (a scoped administrator removing someone who also belongs elsewhere);
/// the main department moves to one they stay in. Returns the names of the
/// departments left.
pub async fn leave(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    roots: &[Uuid],
    version: i32,
) -> Result<Vec<String>> {
    if version_of(conn, org_id, id).await? != version {
        return Err(ContactsError::Changed);
    }
    let left = headcount::around(conn, org_id, &[id], async |c: &mut PgConnection| {
        let left = sqlx::query_scalar!(
            r#"DELETE FROM department_members dm USING departments d
                WHERE d.id = dm.department_id AND dm.org_id = $1 AND dm.account_id = $2
                  AND d.path && $3
               RETURNING d.name"#,
            org_id,
            id,
            roots
        )
        .fetch_all(&mut *c)
        .await?;
        sqlx::query!(
            r#"UPDATE accounts a SET version = version + 1, updated_at = now(),
                      main_department_id = CASE
                        WHEN EXISTS (SELECT 1 FROM department_members dm
                                      WHERE dm.account_id = a.id AND dm.department_id = a.main_department_id)
                        THEN a.main_department_id
                        ELSE (SELECT dm.department_id FROM department_members dm
                               JOIN departments d ON d.id = dm.department_id
                              WHERE dm.account_id = a.id
                              ORDER BY cardinality(d.path), d.sort_order, d.id LIMIT 1) END
                WHERE a.org_id = $1 AND a.id = $2"#,
            org_id,
            id
        )
        .execute(&mut *c)
        .await?;
        Ok::<_, sqlx::Error>(left)
    })
    .await?;
    Ok(left)
}
