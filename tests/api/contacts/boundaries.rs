//! The lines between organisations, and limits checked before any lock.
use super::*;
use crate::helpers::{count, spawn_app};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
pub(super) async fn another_organisations_ids_are_not_found_and_nothing_changes(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut a, _) = admin(&app, &db, "Alpha", "admin@alpha.test").await;
    let (mut b, org_b) = admin(&app, &db, "Beta", "admin@beta.test").await;
    let b_root = root_id(&mut b).await;
    let b_dept = create_department(&mut b, &b_root, "Beta 财务部").await;
    let b_other = create_department(&mut b, &b_root, "Beta 市场部").await;
    let b_person = create_employee(
        &mut b,
        "贝塔",
        &[&b_dept],
        &[("mobile", "13800138000"), ("userid", "beta")],
    )
    .await;
    let b_person = b_person.json.as_str().unwrap().to_owned();
    let a_root = root_id(&mut a).await;
    let a_dept = create_department(&mut a, &a_root, "Alpha 部").await;
    let before_tree = read(&mut b, "contacts_tree", &[]).await.text;
    let before_person = employee(&mut b, &b_person).await;
    let audit_before: i64 = count(
        &db,
        "SELECT count(*) FROM audit_log WHERE org_id = $1",
        org_b,
    )
    .await;

    let v = "0";
    let probes: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("contacts_branch", vec![("department", &b_dept)]),
        ("contacts_children", vec![("parent", &b_dept)]),
        ("contacts_employee", vec![("id", &b_person)]),
        (
            "department_create",
            vec![("parent", &b_dept), ("name", "Intruder")],
        ),
        (
            "department_rename",
            vec![("id", &b_dept), ("name", "Intruder"), ("version", v)],
        ),
        (
            "department_move",
            vec![("id", &b_dept), ("parent", &b_other), ("version", v)],
        ),
        (
            "department_move",
            vec![("id", &a_dept), ("parent", &b_dept), ("version", v)],
        ),
        (
            "department_reorder",
            vec![("id", &b_dept), ("index", "1"), ("version", v)],
        ),
        ("department_delete", vec![("id", &b_other), ("version", v)]),
        (
            "department_heads",
            vec![("id", &b_dept), ("heads", ""), ("version", v)],
        ),
        (
            "employee_update",
            vec![
                ("id", &b_person),
                ("version", v),
                ("name", "X"),
                ("mobile", "13900139000"),
                ("departments[]", &a_root),
            ],
        ),
        (
            "employee_update",
            vec![
                ("id", &b_person),
                ("version", "1"),
                ("name", "X"),
                ("mobile", "13900139000"),
                ("departments[]", &b_dept),
            ],
        ),
        (
            "employee_status",
            vec![("id", &b_person), ("status", "disabled"), ("version", v)],
        ),
        (
            "employee_create",
            vec![
                ("name", "X"),
                ("mobile", "13900139001"),
                ("departments[]", &b_dept),
            ],
        ),
    ];
    for (endpoint, form) in probes {
        let answer = a.call(endpoint, &form).await;
        assert_eq!(answer.status, 404, "{endpoint} {form:?}: {}", answer.text);
    }
    for (endpoint, query) in [
        ("contacts_members", vec![("department", b_dept.as_str())]),
        ("contacts_tree", vec![("from", b_dept.as_str())]),
    ] {
        let answer = read(&mut a, endpoint, &query).await;
        assert_eq!(answer.status, 404, "{endpoint}: {}", answer.text);
    }
    // A manager from the other organisation is unknown here.
    let foreign_manager = create_employee(
        &mut a,
        "X",
        &[&a_root],
        &[("mobile", "13900139002"), ("managers", "beta")],
    )
    .await;
    assert_eq!(
        foreign_manager.field_code("managers"),
        Some("employee.manager_unknown")
    );
    // Searches see only their own organisation.
    assert!(members(&mut a, &[("q", "贝塔")]).await.is_empty());
    let people = a.call("contacts_find_people", &[("q", "beta")]).await;
    assert_eq!(
        people.json.as_array().map(Vec::len),
        Some(0),
        "{}",
        people.text
    );
    let departments = a.call("contacts_find_departments", &[("q", "Beta")]).await;
    assert_eq!(
        departments.json.as_array().map(Vec::len),
        Some(0),
        "{}",
        departments.text
    );

    assert_eq!(read(&mut b, "contacts_tree", &[]).await.text, before_tree);
    assert_eq!(employee(&mut b, &b_person).await, before_person);
    let audit_after: i64 = count(
        &db,
        "SELECT count(*) FROM audit_log WHERE org_id = $1",
        org_b,
    )
    .await;
    assert_eq!(audit_after, audit_before);
}

#[sqlx::test]
pub(super) async fn lists_are_bounded_before_any_lock_and_a_busy_organisation_says_so(db: PgPool) {
    let app = crate::helpers::spawn_app_with(db.clone(), &[("CONTACTS_LOCK_WAIT_MS", "300")]).await;
    let (mut b, org) = admin(&app, &db, "示例科技", "boss@example.com").await;
    let root = root_id(&mut b).await;
    let dept = create_department(&mut b, &root, "市场部").await;

    // 21 heads, even when written many times over, and 140,000 ids: refused
    // by count, without a lock or a query.
    let heads: Vec<String> = (0..21).map(|i| format!("user{i}")).collect();
    let mut repeated = heads.join(",");
    repeated.push(',');
    repeated.push_str(&heads.join(","));
    let v = version(&mut b, &dept).await;
    let refused = b.department_heads(&dept, &repeated, &v).await;
    assert_eq!(
        refused.field_code("heads"),
        Some("department.too_many_heads")
    );
    let huge: String = (0..14_000).map(|i| format!("u{i},")).collect();
    let refused = b.department_heads(&dept, &huge, &v).await;
    assert_eq!(
        refused.field_code("heads"),
        Some("department.too_many_heads")
    );
    // 20 copies of one id are one head (and unknown here).
    let same = vec!["nobody"; 40].join(",");
    let one = b.department_heads(&dept, &same, &v).await;
    assert_eq!(one.field_code("heads"), Some("department.head_not_member"));

    // A person in 101 departments.
    let departments: Vec<String> = (0..101).map(|_| Uuid::now_v7().to_string()).collect();
    let refs: Vec<&str> = departments.iter().map(String::as_str).collect();
    let many = create_employee(&mut b, "钱七", &refs, &[("mobile", "13800138009")]).await;
    assert_eq!(
        many.field_code("departments"),
        Some("employee.too_many_departments"),
        "{}",
        many.text
    );

    // Another change of this organisation holds its contacts: the request
    // answers "busy, try again" after the bounded wait, not when it ends.
    let mut holder = db.acquire().await.unwrap();
    sqlx::query("SELECT pg_advisory_lock(hashtextextended('contacts:' || $1::text, 0))")
        .bind(org.to_string())
        .execute(&mut *holder)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let busy = b.create_department(&root, "销售部").await;
    assert_eq!(busy.status, 429, "{}", busy.text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    sqlx::query("SELECT pg_advisory_unlock(hashtextextended('contacts:' || $1::text, 0))")
        .bind(org.to_string())
        .execute(&mut *holder)
        .await
        .unwrap();
    let done = b.create_department(&root, "销售部").await;
    assert_eq!(done.status, 200, "{}", done.text);
}
