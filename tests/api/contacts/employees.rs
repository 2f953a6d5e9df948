//! Employees: the rules, headcounts, disabling, and changing an administrator's addresses.
use super::lists::li_department;
use super::*;
use crate::auth::sign_in_as;
use crate::helpers::{Answer, Browser, seed_member, spawn_app};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
pub(super) async fn employees_follow_the_rules_and_headcounts_stay_exact(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let finance = create_department(&mut b, &root, "财务部").await;
    let market = create_department(&mut b, &root, "市场部").await;
    let east = create_department(&mut b, &market, "华东区").await;
    let west = create_department(&mut b, &market, "华西区").await;

    // 张三 in two departments, 财务部 the main one; the account id comes from the pinyin.
    let zhang = create_employee(
        &mut b,
        "张三",
        &[&east, &finance],
        &[
            ("main_department", &finance),
            ("mobile", "13800138000"),
            ("email", "Zhang.San@Acme.test"),
            ("position", "会计"),
            ("gender", "male"),
            ("hire_date", "2024-03-01"),
        ],
    )
    .await;
    assert_eq!(zhang.status, 200, "{}", zhang.text);
    let zhang = zhang.json.as_str().unwrap().to_owned();
    let detail = employee(&mut b, &zhang).await;
    assert_eq!(detail["userid"], "zhangsan");
    assert_eq!(detail["status"], "not_activated");
    assert_eq!(detail["departments"][0]["name"], "财务部");
    assert_eq!(detail["departments"][0]["is_main"], true);
    assert_eq!(detail["hire_date"], "2024-03-01");
    let second = create_employee(&mut b, "张三", &[&west], &[("email", "zs2@acme.test")]).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let second = second.json.as_str().unwrap().to_owned();
    assert_eq!(employee(&mut b, &second).await["userid"], "zhangsan2");

    // Unique mobile, email (any case) and account id (any case); one of mobile or email.
    let dup = create_employee(
        &mut b,
        "李四",
        &[&east],
        &[
            ("mobile", "+86 138 0013 8000"),
            ("email", "zhang.san@acme.TEST"),
            ("userid", "ZhangSan"),
        ],
    )
    .await;
    assert_eq!(dup.status, 422, "{}", dup.text);
    assert_eq!(dup.field_code("mobile"), Some("employee.mobile_taken"));
    assert_eq!(dup.field_code("email"), Some("employee.email_taken"));
    assert_eq!(dup.field_code("userid"), Some("employee.userid_taken"));
    let none = create_employee(&mut b, "李四", &[&east], &[]).await;
    assert_eq!(none.field_code("mobile"), Some("employee.contact_required"));
    let nowhere = create_employee(&mut b, "李四", &[], &[("mobile", "13800138002")]).await;
    assert_eq!(
        nowhere.field_code("departments"),
        Some("employee.department_required")
    );
    let bad = create_employee(
        &mut b,
        "李四",
        &[&east],
        &[
            ("mobile", "12345"),
            ("hire_date", "2024-13-01"),
            ("userid", "李四"),
        ],
    )
    .await;
    assert!(bad.field_code("mobile").is_some(), "{}", bad.text);
    assert_eq!(bad.field_code("hire_date"), Some("employee.date_format"));
    assert_eq!(bad.field_code("userid"), Some("employee.userid_format"));
    // Dates outside 1900-2100 are slips (0000-01-01 would be kept as 1 BC).
    for date in ["0000-01-01", "1899-12-31", "2101-01-01"] {
        let odd = create_employee(&mut b, "李四", &[&east], &[("hire_date", date)]).await;
        assert_eq!(
            odd.field_code("hire_date"),
            Some("employee.date_range"),
            "{date}"
        );
    }

    // Managers: known in this organisation, not oneself, at most five.
    let li = create_employee(
        &mut b,
        "李四",
        &[&east],
        &[
            ("mobile", "13800138002"),
            ("userid", "lisi"),
            ("managers", "zhangsan"),
        ],
    )
    .await;
    assert_eq!(li.status, 200, "{}", li.text);
    let li = li.json.as_str().unwrap().to_owned();
    let detail = employee(&mut b, &li).await;
    assert_eq!(detail["managers"][0]["name"], "张三");
    let zhang_detail = employee(&mut b, &zhang).await;
    assert_eq!(zhang_detail["reports"][0]["name"], "李四");
    let unknown = create_employee(
        &mut b,
        "赵六",
        &[&east],
        &[("mobile", "13800138003"), ("managers", "nobody")],
    )
    .await;
    assert_eq!(
        unknown.field_code("managers"),
        Some("employee.manager_unknown")
    );
    let v = detail["version"].to_string();
    let me = b
        .call(
            "employee_update",
            &[
                ("id", &li),
                ("version", &v),
                ("name", "李四"),
                ("mobile", "13800138002"),
                ("departments[]", &east),
                ("managers", "lisi"),
            ],
        )
        .await;
    assert_eq!(me.field_code("managers"), Some("employee.manager_self"));
    let mut many = Vec::new();
    for i in 0..6 {
        let id = format!("m{i}");
        let mobile = format!("1390000000{i}");
        let a = create_employee(
            &mut b,
            &format!("经理{i}"),
            &[&root],
            &[("mobile", &mobile), ("userid", &id)],
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
        many.push(id);
    }
    let six = many.join(", ");
    let too_many = create_employee(
        &mut b,
        "赵六",
        &[&east],
        &[("mobile", "13800138003"), ("managers", &six)],
    )
    .await;
    assert_eq!(
        too_many.field_code("managers"),
        Some("employee.too_many_managers")
    );

    // Headcounts count each person once: 张三 is in 财务部 and 华东区.
    assert_eq!(headcount(&mut b, &east).await, 2);
    assert_eq!(headcount(&mut b, &market).await, 3);
    assert_eq!(headcount(&mut b, &root).await, 1 + 3 + 6);
    no_drift(&db, org).await;

    // Edit: 张三 leaves 华东区, the change is audited with before and after.
    let v = employee(&mut b, &zhang).await["version"].to_string();
    let edited = b
        .call(
            "employee_update",
            &[
                ("id", &zhang),
                ("version", &v),
                ("name", "张三"),
                ("userid", "zhangsan"),
                ("mobile", "13800138000"),
                ("email", "zhang.san@acme.test"),
                ("position", "财务经理"),
                ("departments[]", &finance),
            ],
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(headcount(&mut b, &east).await, 1);
    assert_eq!(headcount(&mut b, &market).await, 2);
    let stale = b
        .call(
            "employee_update",
            &[
                ("id", &zhang),
                ("version", &v),
                ("name", "张三"),
                ("mobile", "13800138000"),
                ("departments[]", &finance),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let history = employee(&mut b, &zhang).await["history"].clone();
    assert_eq!(history[0]["action"], "employee.updated");
    let changes = history[0]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c[0] == "position" && c[1] == "会计" && c[2] == "财务经理"),
        "{changes:?}"
    );
    assert_eq!(history[1]["action"], "employee.created");

    // A person in two departments of a moved subtree, and one straddling it.
    let both = create_employee(
        &mut b,
        "钱七",
        &[&east, &west, &finance],
        &[("mobile", "13800138009")],
    )
    .await;
    assert_eq!(both.status, 200, "{}", both.text);
    no_drift(&db, org).await;
    assert_eq!(move_department(&mut b, &east, &finance).await.status, 200);
    no_drift(&db, org).await;
    assert_eq!(move_department(&mut b, &market, &finance).await.status, 200);
    no_drift(&db, org).await;
    assert_eq!(move_department(&mut b, &market, &root).await.status, 200);
    no_drift(&db, org).await;

    // Departed: out of the headcount and the default list, record kept.
    let v = employee(&mut b, &li).await["version"].to_string();
    let gone = b.employee_status(&li, "departed", &v).await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    no_drift(&db, org).await;
    // 李四 stays listed in 华东区, outside its headcount.
    assert_eq!(li_department(&mut b, &li).await, east);
    assert!(
        !members(&mut b, &[("department", &root)])
            .await
            .contains(&"李四".to_owned())
    );
    assert_eq!(
        members(&mut b, &[("department", &root), ("status", "departed")]).await,
        ["李四"]
    );
    assert_eq!(employee(&mut b, &li).await["status"], "departed");
}

#[sqlx::test]
pub(super) async fn disabling_ends_sessions_and_needs_the_right_person(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let worker = seed_member(&db, org, "employee", "worker@acme.test", PASSWORD).await;
    let mut w = Browser::new(&app);
    let signed = sign_in_as(&mut w, "member", "worker@acme.test", PASSWORD).await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    // An employee holds no contacts permission yet.
    assert_eq!(w.first_branch().await.status, 403);
    assert_eq!(read(&mut w, "contacts_members", &[]).await.status, 403);
    let root = root_id(&mut b).await;
    assert_eq!(w.create_department(&root, "X").await.status, 403);
    // Nor does anyone signed out.
    let mut anonymous = Browser::new(&app);
    assert_eq!(anonymous.first_branch().await.status, 401);
    assert_eq!(read(&mut anonymous, "contacts_tree", &[]).await.status, 401);

    let me = b.first_branch().await;
    let boss_id: String =
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM accounts WHERE email = 'boss@acme.test'")
            .fetch_one(&db)
            .await
            .unwrap()
            .to_string();
    let v = employee(&mut b, &boss_id).await["version"].to_string();
    let own = b.employee_status(&boss_id, "disabled", &v).await;
    assert_eq!(own.field_code("status"), Some("employee.status_self"));
    assert_eq!(me.status, 200);

    let worker = worker.to_string();
    let v = employee(&mut b, &worker).await["version"].to_string();
    let disabled = b.employee_status(&worker, "disabled", &v).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    // The worker's session is over.
    assert_eq!(w.security_overview().await.status, 401);
    let again = sign_in_as(&mut w, "member", "worker@acme.test", PASSWORD).await;
    assert_ne!(again.status, 200, "{}", again.text);
    let history = employee(&mut b, &worker).await["history"].clone();
    assert_eq!(history[0]["action"], "employee.status_changed");
    assert_eq!(history[0]["changes"][0][1], "active");
    assert_eq!(history[0]["changes"][0][2], "disabled");
    // Enabled again, they can sign in.
    let v = employee(&mut b, &worker).await["version"].to_string();
    let enabled = b.employee_status(&worker, "active", &v).await;
    assert_eq!(enabled.status, 200, "{}", enabled.text);
    assert_eq!(
        sign_in_as(&mut w, "member", "worker@acme.test", PASSWORD)
            .await
            .status,
        200
    );
}

/// Saves `id`'s name, email and mobile, in the root department, with
/// `extra` fields (the caller's password and code).
pub(super) async fn readdress(
    b: &mut Browser<'_>,
    id: &str,
    root: &str,
    name: &str,
    email: &str,
    mobile: &str,
    extra: &[(&str, &str)],
) -> Answer {
    let version = employee(b, id).await["version"].to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("id", id),
        ("version", &version),
        ("name", name),
        ("email", email),
        ("mobile", mobile),
        ("departments[]", root),
        ("main_department", root),
    ];
    form.extend_from_slice(extra);
    b.call("employee_update", &form).await
}

#[sqlx::test]
pub(super) async fn an_administrators_addresses_change_only_when_the_caller_signs_and_the_old_ones_are_told(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let (mut boss, org) = admin(&app, &db, "示例科技", "boss@example.com").await;
    let root = root_id(&mut boss).await;
    let deputy = seed_member(&db, org, "employee", "deputy@example.com", PASSWORD).await;
    crate::helpers::seed_admin_group(
        &db,
        org,
        "副手",
        &["contacts.view"],
        "organisation",
        &[],
        &[deputy],
    )
    .await;
    let deputy = deputy.to_string();
    let mut deputy_session = Browser::new(&app);
    let answer = sign_in_as(
        &mut deputy_session,
        "member",
        "deputy@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(answer.json["stage"], "signed_in", "{}", answer.text);

    // The name alone: no signature needed.
    let renamed = readdress(
        &mut boss,
        &deputy,
        &root,
        "副手",
        "deputy@example.com",
        "",
        &[],
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(deputy_session.security_overview().await.status, 200);

    // A new email: refused without the caller's password, and with a wrong one.
    let new = "deputy.new@example.com";
    let unsigned = readdress(&mut boss, &deputy, &root, "副手", new, "", &[]).await;
    assert_eq!(unsigned.field_code("password"), Some("password.required"));
    let wrong = readdress(
        &mut boss,
        &deputy,
        &root,
        "副手",
        new,
        "",
        &[("password", "not-my-password-at-all")],
    )
    .await;
    assert_eq!(wrong.field_code("password"), Some("auth.wrong_password"));
    assert_eq!(
        employee(&mut boss, &deputy).await["email"],
        "deputy@example.com"
    );
    assert!(
        crate::helpers::queued_messages(&db, "deputy@example.com", Some("contact_changed"))
            .await
            .is_empty()
    );

    let signed = readdress(
        &mut boss,
        &deputy,
        &root,
        "副手",
        new,
        "",
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    assert_eq!(employee(&mut boss, &deputy).await["email"], new);
    // Signed out everywhere, and the old address is told.
    assert_eq!(deputy_session.security_overview().await.status, 401);
    let told =
        crate::helpers::queued_messages(&db, "deputy@example.com", Some("contact_changed")).await;
    assert_eq!(told.len(), 1);
    assert!(matches!(
        &told[0],
        orgdesk::notify::Template::ContactChanged { field, organisation }
            if field == "email" && organisation == "示例科技"
    ));

    // An employee who is not an administrator: no signature, but the same
    // sign-out and notice.
    let clerk = create_employee(
        &mut boss,
        "王五",
        &[&root],
        &[("mobile", "13800138001"), ("main_department", &root)],
    )
    .await;
    assert_eq!(clerk.status, 200, "{}", clerk.text);
    let clerk = clerk.json.as_str().unwrap().to_owned();
    let moved = readdress(&mut boss, &clerk, &root, "王五", "", "13800138002", &[]).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let told =
        crate::helpers::queued_messages(&db, "+8613800138001", Some("contact_changed")).await;
    assert_eq!(told.len(), 1);
}
