//! Contacts: departments, employees, search, permissions and the lines
//! between organisations, over HTTP.
mod departments;
mod employees;
mod lists;
pub(crate) use lists::member_page;
mod boundaries;

use crate::helpers::{Answer, Browser, TestApp, signed_in_admin};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

pub(crate) const PASSWORD: &str = "violet-harbour-lantern-58";

/// An organisation without enforced two factors and its signed-in super administrator.
pub(crate) async fn admin<'a>(
    app: &'a TestApp,
    db: &PgPool,
    org_name: &str,
    email: &str,
) -> (Browser<'a>, Uuid) {
    signed_in_admin(app, db, org_name, email, PASSWORD).await
}

/// GETs a server function that reads (`GetUrl`).
pub(crate) async fn read(b: &mut Browser<'_>, endpoint: &str, query: &[(&str, &str)]) -> Answer {
    let qs: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let res = b.get(&format!("/api/{endpoint}?{qs}")).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        text,
        json,
        retry_after: None,
    }
}

pub(crate) async fn branch(b: &mut Browser<'_>, department: &str) -> Value {
    let a = b.branch(department).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

pub(crate) async fn root_id(b: &mut Browser<'_>) -> String {
    branch(b, "").await["selected"]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn version(b: &mut Browser<'_>, id: &str) -> String {
    branch(b, id).await["selected"]["node"]["version"].to_string()
}

pub(crate) async fn headcount(b: &mut Browser<'_>, id: &str) -> i64 {
    branch(b, id).await["selected"]["node"]["headcount"]
        .as_i64()
        .unwrap()
}

pub(crate) async fn create_department(b: &mut Browser<'_>, parent: &str, name: &str) -> String {
    let a = b.create_department(parent, name).await;
    assert_eq!(a.status, 200, "{name}: {}", a.text);
    a.json.as_str().unwrap().to_owned()
}

pub(crate) async fn children(b: &mut Browser<'_>, parent: &str) -> Vec<String> {
    let a = b.call("contacts_children", &[("parent", parent)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn move_department(b: &mut Browser<'_>, id: &str, parent: &str) -> Answer {
    let v = version(b, id).await;
    b.move_department(id, parent, &v).await
}

/// Adds an employee with the given fields on top of a name and departments.
pub(crate) async fn create_employee(
    b: &mut Browser<'_>,
    name: &str,
    departments: &[&str],
    extra: &[(&str, &str)],
) -> Answer {
    let mut form: Vec<(&str, &str)> = vec![("name", name)];
    for d in departments {
        form.push(("departments[]", d));
    }
    form.extend_from_slice(extra);
    b.call("employee_create", &form).await
}

pub(crate) async fn employee(b: &mut Browser<'_>, id: &str) -> Value {
    let a = b.call("contacts_employee", &[("id", id)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

pub(crate) async fn members(b: &mut Browser<'_>, query: &[(&str, &str)]) -> Vec<String> {
    member_page(b, query).await.0
}

pub(crate) async fn no_drift(db: &PgPool, org: Uuid) {
    let mut conn = db.acquire().await.unwrap();
    let drift = orgdesk::contacts::headcount::drift(&mut conn, org)
        .await
        .unwrap();
    assert!(
        drift.is_empty(),
        "headcounts differ from a recount: {drift:?}"
    );
    let (kept, counted): (i32, i64) = sqlx::query_as(
        "SELECT o.department_count, (SELECT count(*) FROM departments d WHERE d.org_id = o.id)
         FROM organisations o WHERE o.id = $1",
    )
    .bind(org)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(i64::from(kept), counted, "the kept department count");
}

pub(crate) async fn audit_details(db: &PgPool, org: Uuid, action: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE org_id = $1 AND action = $2 ORDER BY id",
    )
    .bind(org)
    .bind(action)
    .fetch_all(db)
    .await
    .unwrap()
}
