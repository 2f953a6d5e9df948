//! Reading an organisation's contacts whole, as the dry run judges a file
//! against them: a handful of queries, not one per row.
use super::check::{Department, Person, Snapshot};
use crate::access::Scope;
use crate::contacts::EmployeeStatus;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// `org`'s departments and people, for an import by `caller` over `scope`.
pub async fn load(
    conn: &mut PgConnection,
    org: Uuid,
    scope: Scope,
    caller: Uuid,
) -> sqlx::Result<Snapshot> {
    let rows = sqlx::query!(
        r#"SELECT id, parent_id, name, path FROM departments WHERE org_id = $1"#,
        org
    )
    .fetch_all(&mut *conn)
    .await?;
    let names: HashMap<Uuid, &str> = rows.iter().map(|r| (r.id, r.name.as_str())).collect();
    let mut root = None;
    let mut departments = HashMap::with_capacity(rows.len());
    for r in &rows {
        if r.parent_id.is_none() {
            root = Some((r.id, r.name.clone()));
        }
        let key = r
            .path
            .iter()
            .skip(1)
            .map(|id| names.get(id).copied().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("/")
            .to_lowercase();
        departments.insert(
            key,
            Department {
                id: r.id,
                path: r.path.clone(),
            },
        );
    }
    let (root, root_name) = root.ok_or(sqlx::Error::RowNotFound)?;

    let mut memberships: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for m in sqlx::query!(
        "SELECT account_id, department_id FROM department_members WHERE org_id = $1",
        org
    )
    .fetch_all(&mut *conn)
    .await?
    {
        memberships
            .entry(m.account_id)
            .or_default()
            .push(m.department_id);
    }
    let mut managers: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for m in sqlx::query!(
        "SELECT account_id, manager_id FROM account_managers WHERE org_id = $1 ORDER BY account_id, rank",
        org
    )
    .fetch_all(&mut *conn)
    .await?
    {
        managers.entry(m.account_id).or_default().push(m.manager_id);
    }
    let people = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid AS "userid!", a.mobile, a.email, a.position, a.employee_no,
                  a.gender, a.hire_date AS "hire_date: chrono::NaiveDate", a.status, a.main_department_id, a.role,
                  EXISTS (SELECT 1 FROM admin_group_members g WHERE g.account_id = a.id) AS "delegated!"
             FROM accounts a
            WHERE a.org_id = $1 AND a.kind = 'member'"#,
        org
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        let mut departments = memberships.remove(&r.id).unwrap_or_default();
        // The main department first, the others in a stable order.
        departments.sort_by_key(|d| (Some(*d) != r.main_department_id, *d));
        let super_admin = r.role.as_deref() == Some("super_admin");
        Person {
            id: r.id,
            name: r.name,
            userid: r.userid,
            mobile: r.mobile,
            email: r.email,
            position: r.position,
            employee_no: r.employee_no,
            gender: r.gender,
            hire_date: r.hire_date,
            status: EmployeeStatus::parse(&r.status).unwrap_or(EmployeeStatus::Active),
            departments,
            managers: managers.remove(&r.id).unwrap_or_default(),
            administrator: super_admin || r.delegated,
            super_admin,
        }
    })
    .collect();
    let (cap, members) = crate::organisations::member_room(conn, org).await?;
    let caller_super_admin = sqlx::query_scalar!(
        r#"SELECT role = 'super_admin' AS "super_admin!" FROM accounts WHERE org_id = $1 AND id = $2"#,
        org,
        caller
    )
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or(false);
    Ok(Snapshot {
        root,
        root_name,
        departments,
        people,
        room: cap.map(|cap| (cap - members).max(0)),
        scope,
        caller,
        caller_super_admin,
    })
}
