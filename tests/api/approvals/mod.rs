//! Approvals over HTTP: templates, submission, the inbox, decisions and
//! their races, the state machines the database enforces, and the line
//! between organisations.
use crate::contacts::{PASSWORD, read};
use crate::helpers::{Answer, Browser, TestApp, seed_member, signed_in_admin};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

mod flows;
mod hands;
mod races;
mod templates;

/// An organisation: root > Engineering > Web. Ann (Web) reports to Max;
/// Max reports to Hal, head of Engineering. Fay and Fen are in the Finance
/// admin group.
pub(crate) struct Org {
    pub org: Uuid,
    pub ann: Uuid,
    pub max: Uuid,
    pub hal: Uuid,
    pub fay: Uuid,
    pub fen: Uuid,
    pub finance: Uuid,
}

pub(crate) async fn department(db: &PgPool, org: Uuid, parent: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        r#"INSERT INTO departments (id, org_id, parent_id, name, path)
           SELECT $1, $2, $3, $4, path || $1 FROM departments WHERE id = $3"#,
    )
    .bind(id)
    .bind(org)
    .bind(parent)
    .bind(name)
    .execute(db)
    .await
    .expect("department");
    id
}

/// An active employee in `department` (its head when `head`).
pub(crate) async fn person(
    db: &PgPool,
    org: Uuid,
    email: &str,
    department: Uuid,
    head: bool,
) -> Uuid {
    let id = seed_member(db, org, "employee", email, PASSWORD).await;
    sqlx::query("DELETE FROM department_members WHERE account_id = $1")
        .bind(id)
        .execute(db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO department_members (org_id, department_id, account_id, is_head) VALUES ($1, $2, $3, $4)",
    )
    .bind(org)
    .bind(department)
    .bind(id)
    .bind(head)
    .execute(db)
    .await
    .expect("membership");
    sqlx::query("UPDATE accounts SET main_department_id = $2 WHERE id = $1")
        .bind(id)
        .bind(department)
        .execute(db)
        .await
        .unwrap();
    id
}

pub(crate) async fn reports_to(db: &PgPool, org: Uuid, who: Uuid, manager: Uuid) {
    sqlx::query("INSERT INTO account_managers (org_id, account_id, manager_id, rank) VALUES ($1, $2, $3, 1)")
        .bind(org)
        .bind(who)
        .bind(manager)
        .execute(db)
        .await
        .expect("manager");
}

/// The organisation above, with its super administrator signed in.
pub(crate) async fn organisation<'a>(
    app: &'a TestApp,
    db: &PgPool,
    name: &str,
    admin: &str,
) -> (Browser<'a>, Org) {
    let (b, org) = signed_in_admin(app, db, name, admin, PASSWORD).await;
    let root: Uuid =
        sqlx::query_scalar("SELECT id FROM departments WHERE org_id = $1 AND parent_id IS NULL")
            .bind(org)
            .fetch_one(db)
            .await
            .unwrap();
    let eng = department(db, org, root, "Engineering").await;
    let web = department(db, org, eng, "Web").await;
    let tag = name.split_whitespace().next().unwrap_or("x").to_lowercase();
    let ann = person(db, org, &format!("ann@{tag}.example.com"), web, false).await;
    let max = person(db, org, &format!("max@{tag}.example.com"), web, false).await;
    let hal = person(db, org, &format!("hal@{tag}.example.com"), eng, true).await;
    let fay = person(db, org, &format!("fay@{tag}.example.com"), root, false).await;
    let fen = person(db, org, &format!("fen@{tag}.example.com"), root, false).await;
    reports_to(db, org, ann, max).await;
    reports_to(db, org, max, hal).await;
    let finance = crate::helpers::seed_admin_group(
        db,
        org,
        "Finance",
        &["contacts.view"],
        "organisation",
        &[],
        &[fay, fen],
    )
    .await;
    (
        b,
        Org {
            org,
            ann,
            max,
            hal,
            fay,
            fen,
            finance,
        },
    )
}

/// A member of the organisation `org`'s test signed in (by email).
pub(crate) async fn member<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let a = crate::auth::sign_in_as(&mut b, "member", email, PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.text);
    b
}

/// The template of `kind` (the built-ins are made on first sight).
pub(crate) async fn template(admin: &mut Browser<'_>, kind: &str) -> Value {
    let a = read(admin, "approval_templates", &[]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} template in {}", a.text))
}

pub(crate) fn leave_form(period: &str) -> String {
    json!({ "fields": { "leave_type": "annual", "period": period, "reason": "Family visit" } })
        .to_string()
}

pub(crate) async fn submit(b: &mut Browser<'_>, template: &str, form: &str) -> Answer {
    b.call("approval_submit", &[("id", template), ("form", form)])
        .await
}

pub(crate) async fn inbox(b: &mut Browser<'_>, tab: &str) -> Value {
    let a = read(b, "approval_inbox", &[("tab", tab)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

pub(crate) async fn detail(b: &mut Browser<'_>, request: &str) -> Answer {
    read(b, "approval_request", &[("id", request)]).await
}

/// The id a JSON string answer holds.
pub(crate) fn text(a: &Answer) -> String {
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
        .as_str()
        .unwrap_or_else(|| panic!("a string: {}", a.text))
        .to_owned()
}

/// Saves `design` as the template's draft and publishes it.
pub(crate) async fn publish(admin: &mut Browser<'_>, template: &Value, design: &Value) -> i64 {
    let id = template["id"].as_str().unwrap();
    let saved = admin
        .call(
            "approval_template_save",
            &[
                ("id", id),
                ("design", &design.to_string()),
                ("version", &template["version"].to_string()),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let published = admin
        .call(
            "approval_template_publish",
            &[("id", id), ("version", &saved.json.to_string())],
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    published.json.as_i64().unwrap()
}

/// A template's current design, as the designer opens it.
pub(crate) async fn design(admin: &mut Browser<'_>, template: &str) -> Value {
    let a = read(admin, "approval_template", &[("id", template)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json["design"].clone()
}
