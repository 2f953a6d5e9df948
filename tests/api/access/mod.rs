//! Roles, admin groups and scopes over HTTP: what a delegated administrator
//! sees and changes, and the rules of granting.
mod audit;
mod checkup;
mod enumeration;
mod groups;
mod roles;
mod scope;
mod sessions;
mod settings;

use crate::contacts::{PASSWORD, admin, create_department, create_employee, root_id};
use crate::helpers::{Browser, TestApp};
use sqlx::PgPool;
use uuid::Uuid;

/// A branch organisation: 总部 (the root) with 华东区 (and 上海 under it)
/// and 华南区, its signed-in super administrator, and the departments' ids.
pub(super) struct Branches<'a> {
    pub boss: Browser<'a>,
    pub org: Uuid,
    pub root: String,
    pub east: String,
    pub shanghai: String,
    pub south: String,
}

pub(super) async fn branches<'a>(app: &'a TestApp, db: &PgPool) -> Branches<'a> {
    let (mut boss, org) = admin(app, db, "示例集团", "boss@example.com").await;
    let root = root_id(&mut boss).await;
    let east = create_department(&mut boss, &root, "华东区").await;
    let shanghai = create_department(&mut boss, &east, "上海").await;
    let south = create_department(&mut boss, &root, "华南区").await;
    Branches {
        boss,
        org,
        root,
        east,
        shanghai,
        south,
    }
}

/// Adds an employee in `departments` (the first the main one) through the
/// console, then gives them `PASSWORD` and makes them active, as
/// activation will; returns their id.
pub(super) async fn person(
    b: &mut Browser<'_>,
    db: &PgPool,
    name: &str,
    email: &str,
    departments: &[&str],
) -> Uuid {
    let a = create_employee(b, name, departments, &[("email", email)]).await;
    assert_eq!(a.status, 200, "{name}: {}", a.text);
    let id: Uuid = a.json.as_str().unwrap().parse().unwrap();
    let hash = tokio::task::spawn_blocking(|| orgdesk::auth::password::hash_blocking(PASSWORD))
        .await
        .unwrap()
        .unwrap();
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, status = 'active', password_changed_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .execute(db)
    .await
    .unwrap();
    id
}

/// A new browser signed in as `email`.
pub(super) async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let a = b.sign_in("member", email, PASSWORD).await;
    assert_eq!(a.json["stage"], "signed_in", "{email}: {}", a.text);
    b
}

/// Every row of the tables a refused call must leave alone, as text.
pub(super) async fn snapshot(db: &PgPool) -> String {
    let tables = [
        "SELECT id::text, parent_id::text, name, version::text FROM departments",
        "SELECT id::text, name, status, role, coalesce(email, ''), version::text, main_department_id::text FROM accounts",
        "SELECT department_id::text, account_id::text, is_head::text FROM department_members",
        "SELECT id::text, name, array_to_string(permissions, ','), scope, version::text FROM admin_groups",
        "SELECT group_id::text, account_id::text FROM admin_group_members",
        "SELECT group_id::text, department_id::text FROM admin_group_departments",
        "SELECT id::text, coalesce(creator_id::text, ''), security_version::text FROM organisations",
        "SELECT account_id::text, manager_id::text, rank::text FROM account_managers",
        "SELECT id::text, epoch::text, coalesce(ended_at::text, '') FROM account_sessions",
        "SELECT count(*)::text, '', '' FROM audit_log WHERE action NOT LIKE 'sign_in%' AND action NOT LIKE 'reauth%'",
    ];
    let mut out = String::new();
    for sql in tables {
        let mut rows: Vec<String> = sqlx::query(sql)
            .fetch_all(db)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                use sqlx::Row;
                (0..r.len())
                    .map(|i| {
                        r.try_get::<Option<String>, _>(i)
                            .unwrap()
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        rows.sort();
        out.push_str(&rows.join("\n"));
        out.push_str("\n--\n");
    }
    out
}
