//! Employee reads: the members list, search, the employee page and the audit record. Scoped to the caller's organisation.
use super::super::repo::{ContactsError, Department, Result};
use super::super::{
    EmployeeDepartment, EmployeeDetail, EmployeeStatus, HistoryEntry, MemberPage, MemberRow,
    PAGE_SIZE, PersonRef, StatusFilter,
};
use crate::error::Code;
use crate::server::sql::like_escape;
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

pub(super) fn status_of(s: &str) -> EmployeeStatus {
    EmployeeStatus::parse(s).unwrap_or(EmployeeStatus::Active)
}

/// Appends the ids of the departments whose members are listed: the
/// department alone, or its subtree as one range of the btree on `path`
/// (arrays sort element by element, so every path below P lies in
/// [P, P || max)).
pub(super) fn scope_departments<'a>(
    qb: &mut QueryBuilder<'a, Postgres>,
    org_id: Uuid,
    department: &'a Department,
    direct_only: bool,
) {
    if direct_only {
        qb.push("ARRAY[").push_bind(department.id).push("::uuid]");
    } else {
        let upper = super::super::repo::subtree_upper(&department.path);
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
pub(super) fn scope_memberships<'a>(
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
        // The narrower ones are decided on the accounts (`search_filter`).
        StatusFilter::Current | StatusFilter::NotActivated | StatusFilter::Reachable => {
            " AND dm.is_current"
        }
        StatusFilter::Departed => " AND NOT dm.is_current",
        StatusFilter::All => "",
    });
}

/// Appends the WHERE clause of a search among accounts: every value is bound.
pub(super) fn search_filter<'a>(
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
        StatusFilter::NotActivated => " AND a.status = 'not_activated'",
        StatusFilter::Reachable => " AND a.status IN ('active', 'not_activated')",
    });
    for t in terms {
        qb.push(" AND a.search_text LIKE ").push_bind(t.as_str());
    }
}

pub(super) const MEMBER_COLUMNS: &str =
    "a.id, a.name, a.userid, a.position, a.mobile, a.email, a.status";

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
    roots: Option<&[Uuid]>,
) -> std::result::Result<MemberPage, sqlx::Error> {
    let terms: Vec<String> = q
        .search
        .split_whitespace()
        .take(5)
        .map(|t| format!("%{}%", like_escape(&t.to_lowercase())))
        .collect();
    // The membership rows know who has left, not who has joined: a finer
    // status is read from the accounts.
    let by_status = matches!(
        q.status,
        StatusFilter::Current | StatusFilter::Departed | StatusFilter::All
    );
    let by_membership =
        by_status && terms.is_empty() && (q.direct_only || department.parent_id.is_some());
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
    let mut departments = department_names(db, org_id, &ids, roots).await?;
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

/// Each account's department names, the main department first; with
/// `roots`, only those in the subtrees under them (a scoped administrator
/// does not see the rest).
pub(super) async fn department_names(
    db: &PgPool,
    org_id: Uuid,
    ids: &[Uuid],
    roots: Option<&[Uuid]>,
) -> std::result::Result<HashMap<Uuid, Vec<String>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT dm.account_id, d.name
           FROM department_members dm
           JOIN departments d ON d.id = dm.department_id
           JOIN accounts a ON a.id = dm.account_id
           WHERE dm.org_id = $1 AND dm.account_id = ANY($2) AND ($3::uuid[] IS NULL OR d.path && $3)
           ORDER BY dm.account_id, (a.main_department_id = d.id) DESC NULLS LAST, cardinality(d.path), d.sort_order"#,
        org_id,
        ids,
        roots as Option<&[Uuid]>
    )
    .fetch_all(db)
    .await?;
    let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
    for r in rows {
        map.entry(r.account_id).or_default().push(r.name);
    }
    Ok(map)
}

/// People matching `q`, for pickers (managers, heads): (id, name, userid,
/// main department); with `roots`, only people in the subtrees under them.
pub async fn search_people(
    db: &PgPool,
    org_id: Uuid,
    q: &str,
    limit: i64,
    roots: Option<&[Uuid]>,
) -> std::result::Result<Vec<(String, String, String, Option<String>)>, sqlx::Error> {
    let pattern = format!("%{}%", like_escape(&q.trim().to_lowercase()));
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid, d.name AS "department?"
           FROM accounts a LEFT JOIN departments d ON d.id = a.main_department_id
           WHERE a.org_id = $1 AND a.kind = 'member' AND a.status <> 'departed'
             AND a.search_text LIKE $2
             AND ($4::uuid[] IS NULL OR EXISTS (
                   SELECT 1 FROM department_members dm JOIN departments sd ON sd.id = dm.department_id
                    WHERE dm.account_id = a.id AND sd.path && $4))
           ORDER BY a.name_pinyin, a.id LIMIT $3"#,
        org_id,
        pattern,
        limit,
        roots as Option<&[Uuid]>
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

/// The account ids in `org` of `wanted` userids, in order; an unknown
/// one is reported under `field`.
pub async fn resolve_userids(
    c: &mut PgConnection,
    org: Uuid,
    wanted: &[String],
    field: &'static str,
    code: Code,
) -> Result<Vec<Uuid>> {
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
    let record = json!({
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
    });
    debug_assert!(
        record.as_object().is_some_and(|o| o
            .keys()
            .all(|k| crate::contacts::RECORDED_FIELDS.contains(&k.as_str()))),
        "a recorded field the change history has no words for"
    );
    Ok(record)
}

/// A person's managers, in rank order.
pub async fn manager_ids(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        "SELECT manager_id FROM account_managers WHERE org_id = $1 AND account_id = $2 ORDER BY rank",
        org_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// A person's departments and their main department, as they are.
pub async fn departments_of(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<(Vec<Uuid>, Option<Uuid>)> {
    let departments = sqlx::query_scalar!(
        "SELECT department_id FROM department_members WHERE org_id = $1 AND account_id = $2",
        org_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let main = sqlx::query_scalar!(
        "SELECT main_department_id FROM accounts WHERE org_id = $1 AND id = $2",
        org_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .flatten();
    Ok((departments, main))
}

/// The departments of a person outside the subtrees under `roots`, and
/// their main department when it is one of them.
pub async fn outside(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    roots: &[Uuid],
) -> Result<(Vec<Uuid>, Option<Uuid>)> {
    let rows = sqlx::query!(
        r#"SELECT dm.department_id, a.main_department_id = dm.department_id AS "main!"
             FROM department_members dm
             JOIN departments d ON d.id = dm.department_id
             JOIN accounts a ON a.id = dm.account_id
            WHERE dm.org_id = $1 AND dm.account_id = $2 AND NOT d.path && $3"#,
        org_id,
        id,
        roots
    )
    .fetch_all(&mut *conn)
    .await?;
    let main = rows.iter().find(|r| r.main).map(|r| r.department_id);
    Ok((rows.into_iter().map(|r| r.department_id).collect(), main))
}

/// A member's sign-in addresses and role, as they are now (`None`: no such
/// member in this organisation).
#[derive(PartialEq, Eq)]
pub struct Contact {
    pub role: Option<String>,
    /// A member of an admin group.
    pub delegated: bool,
    /// The organisation's creator (创建者).
    pub creator: bool,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub organisation: String,
}

impl Contact {
    /// An administrator's addresses sign in to the console: changing them
    /// asks the acting administrator to sign the change.
    pub fn is_administrator(&self) -> bool {
        self.role.as_deref() == Some("super_admin") || self.delegated
    }
}

pub async fn contact(
    db: impl sqlx::PgExecutor<'_>,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Contact>> {
    Ok(sqlx::query_as!(
        Contact,
        r#"SELECT a.role, a.email, a.mobile, o.name AS organisation,
                  EXISTS (SELECT 1 FROM admin_group_members m WHERE m.account_id = a.id) AS "delegated!",
                  o.creator_id IS NOT DISTINCT FROM a.id AS "creator!"
             FROM accounts a JOIN organisations o ON o.id = a.org_id
            WHERE a.org_id = $1 AND a.id = $2 AND a.kind = 'member'"#,
        org_id,
        id
    )
    .fetch_optional(db)
    .await?)
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

pub(super) fn text(v: &Value) -> String {
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
    zone: crate::server::time::Tz,
    roots: Option<&[Uuid]>,
) -> std::result::Result<Option<EmployeeDetail>, sqlx::Error> {
    let Some(a) = sqlx::query!(
        r#"SELECT id, name, userid, mobile, email, position, employee_no, gender,
                  hire_date AS "hire_date: chrono::NaiveDate", status, role, version, main_department_id,
                  EXISTS (SELECT 1 FROM admin_group_members m WHERE m.account_id = accounts.id) AS "delegated!"
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
           WHERE dm.org_id = $1 AND dm.account_id = $2 AND ($3::uuid[] IS NULL OR d.path && $3)
           ORDER BY cardinality(d.path), d.sort_order"#,
        org_id,
        id,
        roots as Option<&[Uuid]>
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
    // A scoped administrator sees the managers and reports of their scope.
    let manager_rows = sqlx::query!(
        r#"SELECT m.id, m.name, m.userid FROM account_managers am JOIN accounts m ON m.id = am.manager_id
           WHERE am.org_id = $1 AND am.account_id = $2
             AND ($3::uuid[] IS NULL OR EXISTS (
                   SELECT 1 FROM department_members dm JOIN departments d ON d.id = dm.department_id
                    WHERE dm.account_id = m.id AND d.path && $3))
           ORDER BY am.rank"#,
        org_id,
        id,
        roots as Option<&[Uuid]>
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
             AND ($3::uuid[] IS NULL OR EXISTS (
                   SELECT 1 FROM department_members dm JOIN departments d ON d.id = dm.department_id
                    WHERE dm.account_id = r.id AND d.path && $3))
           ORDER BY r.name_pinyin LIMIT 200"#,
        org_id,
        id,
        roots as Option<&[Uuid]>
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
           ORDER BY l.at DESC, l.id DESC LIMIT 50"#,
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
        // Departments and managers may name what lies beyond a scoped
        // administrator: their history leaves those changes out.
        if roots.is_some() {
            changes.retain(|(k, _, _)| {
                !matches!(k.as_str(), "departments" | "main_department" | "managers")
            });
        }
        HistoryEntry {
            at_local: crate::server::time::local(r.at, zone),
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
        administrator: a.role.as_deref() == Some("super_admin") || a.delegated,
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
