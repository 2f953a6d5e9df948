//! Contacts: departments, employees, search, permissions and the lines
//! between organisations, over HTTP.
use crate::auth::sign_in_as;
use crate::helpers::{Answer, Browser, TestApp, seed_member, seed_organisation, spawn_app};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

const PASSWORD: &str = "violet-harbour-lantern-58";

/// An organisation without enforced two factors and its signed-in super administrator.
async fn admin<'a>(
    app: &'a TestApp,
    db: &PgPool,
    org_name: &str,
    email: &str,
) -> (Browser<'a>, Uuid) {
    let org = seed_organisation(db, org_name).await;
    sqlx::query("UPDATE organisations SET enforce_two_factor = false WHERE id = $1")
        .bind(org)
        .execute(db)
        .await
        .unwrap();
    seed_member(db, org, "super_admin", email, PASSWORD).await;
    let mut b = Browser::new(app);
    let answer = sign_in_as(&mut b, "member", email, PASSWORD).await;
    assert_eq!(answer.json["stage"], "signed_in", "{}", answer.text);
    (b, org)
}

/// GETs a server function that reads (`GetUrl`).
async fn read(b: &mut Browser<'_>, endpoint: &str, query: &[(&str, &str)]) -> Answer {
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

async fn branch(b: &mut Browser<'_>, department: &str) -> Value {
    let a = b
        .call("contacts_branch", &[("department", department)])
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

async fn root_id(b: &mut Browser<'_>) -> String {
    branch(b, "").await["selected"]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn version(b: &mut Browser<'_>, id: &str) -> String {
    branch(b, id).await["selected"]["node"]["version"].to_string()
}

async fn headcount(b: &mut Browser<'_>, id: &str) -> i64 {
    branch(b, id).await["selected"]["node"]["headcount"]
        .as_i64()
        .unwrap()
}

async fn create_department(b: &mut Browser<'_>, parent: &str, name: &str) -> String {
    let a = b
        .call("department_create", &[("parent", parent), ("name", name)])
        .await;
    assert_eq!(a.status, 200, "{name}: {}", a.text);
    a.json.as_str().unwrap().to_owned()
}

async fn children(b: &mut Browser<'_>, parent: &str) -> Vec<String> {
    let a = b.call("contacts_children", &[("parent", parent)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn move_department(b: &mut Browser<'_>, id: &str, parent: &str) -> Answer {
    let v = version(b, id).await;
    b.call(
        "department_move",
        &[("id", id), ("parent", parent), ("version", &v)],
    )
    .await
}

/// Adds an employee with the given fields on top of a name and departments.
async fn create_employee(
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

async fn employee(b: &mut Browser<'_>, id: &str) -> Value {
    let a = b.call("contacts_employee", &[("id", id)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

async fn members(b: &mut Browser<'_>, query: &[(&str, &str)]) -> Vec<String> {
    member_page(b, query).await.0
}

async fn no_drift(db: &PgPool, org: Uuid) {
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

async fn audit_details(db: &PgPool, org: Uuid, action: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE org_id = $1 AND action = $2 ORDER BY id",
    )
    .bind(org)
    .bind(action)
    .fetch_all(db)
    .await
    .unwrap()
}

#[sqlx::test]
async fn departments_follow_the_rules(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let office = create_department(&mut b, &root, "总经办").await;
    let finance = create_department(&mut b, &root, "财务部").await;
    let market = create_department(&mut b, &root, "Marketing").await;
    let east = create_department(&mut b, &market, "华东区").await;
    assert_eq!(
        children(&mut b, &root).await,
        ["总经办", "财务部", "Marketing"]
    );

    // Names: unique among siblings (case-insensitive), 1-64, no \:*?"<>|.
    let dup = b
        .call(
            "department_create",
            &[("parent", &root), ("name", " marketing ")],
        )
        .await;
    assert_eq!(dup.field_code("name"), Some("department.name_taken"));
    let bad = b
        .call("department_create", &[("parent", &root), ("name", "R&D|1")])
        .await;
    assert_eq!(bad.field_code("name"), Some("department.name_chars"));
    let long = "部".repeat(65);
    let long = b
        .call("department_create", &[("parent", &root), ("name", &long)])
        .await;
    assert_eq!(long.field_code("name"), Some("department.name_too_long"));
    // The same name under another parent is fine.
    create_department(&mut b, &finance, "华东区").await;

    // Rename, with the version the screen was loaded at.
    let v = version(&mut b, &office).await;
    let renamed = b
        .call(
            "department_rename",
            &[("id", &office), ("name", "总经理办公室"), ("version", &v)],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let stale = b
        .call(
            "department_rename",
            &[("id", &office), ("name", "总经办"), ("version", &v)],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let details = audit_details(&db, org, "department.renamed").await;
    assert_eq!(details[0]["before"]["name"], "总经办");
    assert_eq!(details[0]["after"]["name"], "总经理办公室");

    // Reorder: Marketing first.
    let v = version(&mut b, &market).await;
    let r = b
        .call(
            "department_reorder",
            &[("id", &market), ("index", "0"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        children(&mut b, &root).await,
        ["Marketing", "总经理办公室", "财务部"]
    );

    // Moves: not into itself or below itself, not the root, not onto a name taken there.
    let below = create_department(&mut b, &east, "上海").await;
    let cycle = move_department(&mut b, &market, &below).await;
    assert_eq!(
        cycle.field_code("parent"),
        Some("department.move_into_itself")
    );
    let onto_self = move_department(&mut b, &market, &market).await;
    assert_eq!(
        onto_self.field_code("parent"),
        Some("department.move_into_itself")
    );
    let root_move = move_department(&mut b, &root, &finance).await;
    assert_eq!(
        root_move.field_code("department"),
        Some("department.root_fixed")
    );
    let taken = move_department(&mut b, &east, &finance).await;
    assert_eq!(taken.field_code("parent"), Some("department.name_taken"));
    let moved = move_department(&mut b, &east, &office).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let shanghai = branch(&mut b, &below).await;
    let path: Vec<&str> = shanghai["selected"]["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[1].as_str().unwrap())
        .collect();
    assert_eq!(path, ["Acme", "总经理办公室", "华东区"]);
    let details = audit_details(&db, org, "department.moved").await;
    assert_eq!(details[0]["before"]["parent"], market.as_str());
    assert_eq!(details[0]["after"]["parent"], office.as_str());
    assert_eq!(details[0]["descendants"], 1);

    // Delete: only when empty, never the root.
    let v = version(&mut b, &office).await;
    let busy = b
        .call("department_delete", &[("id", &office), ("version", &v)])
        .await;
    assert_eq!(
        busy.field_code("department"),
        Some("department.has_children")
    );
    let v = version(&mut b, &root).await;
    let root_delete = b
        .call("department_delete", &[("id", &root), ("version", &v)])
        .await;
    assert_eq!(
        root_delete.field_code("department"),
        Some("department.root_fixed")
    );
    let hired = create_employee(&mut b, "王五", &[&below], &[("mobile", "13800138001")]).await;
    assert_eq!(hired.status, 200, "{}", hired.text);
    let v = version(&mut b, &below).await;
    let with_member = b
        .call("department_delete", &[("id", &below), ("version", &v)])
        .await;
    assert_eq!(
        with_member.field_code("department"),
        Some("department.has_members")
    );
    let v = version(&mut b, &market).await;
    let emptied = b
        .call("department_delete", &[("id", &market), ("version", &v)])
        .await;
    assert_eq!(emptied.status, 200, "{}", emptied.text);
    assert_eq!(emptied.json, root.as_str());
    assert_eq!(children(&mut b, &root).await, ["总经理办公室", "财务部"]);
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'department.deleted'",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(count, 1);
    no_drift(&db, org).await;
}

#[sqlx::test]
async fn depth_is_limited_to_fifteen_levels(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _) = admin(&app, &db, "Deep", "deep@acme.test").await;
    let root = root_id(&mut b).await;
    let mut parent = root.clone();
    let mut chain = Vec::new();
    for level in 2..=15 {
        parent = create_department(&mut b, &parent, &format!("L{level}")).await;
        chain.push(parent.clone());
    }
    let too_deep = b
        .call("department_create", &[("parent", &parent), ("name", "L16")])
        .await;
    assert_eq!(too_deep.field_code("parent"), Some("department.too_deep"));
    // A two-level subtree moved under level 14 would reach level 16.
    let side = create_department(&mut b, &root, "Side").await;
    create_department(&mut b, &side, "Side child").await;
    let refused = move_department(&mut b, &side, &chain[12]).await;
    assert_eq!(refused.field_code("parent"), Some("department.too_deep"));
    let fits = move_department(&mut b, &side, &chain[11]).await;
    assert_eq!(fits.status, 200, "{}", fits.text);
}

#[sqlx::test]
async fn employees_follow_the_rules_and_headcounts_stay_exact(db: PgPool) {
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
    let gone = b
        .call(
            "employee_status",
            &[("id", &li), ("status", "departed"), ("version", &v)],
        )
        .await;
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

async fn li_department(b: &mut Browser<'_>, id: &str) -> String {
    employee(b, id).await["departments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[sqlx::test]
async fn search_finds_names_pinyin_and_addresses_within_the_subtree(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let market = create_department(&mut b, &root, "市场部").await;
    let east = create_department(&mut b, &market, "华东区").await;
    let finance = create_department(&mut b, &root, "财务部").await;
    for (name, dept, mobile, email, position) in [
        ("张三", &east, "13800138000", "zs@acme.test", "销售"),
        (
            "张珊珊",
            &finance,
            "13800138001",
            "shanshan@acme.test",
            "会计",
        ),
        (
            "Zoe Smith",
            &market,
            "13800138002",
            "zoe@acme.test",
            "Designer",
        ),
        ("李四", &east, "13900139000", "lisi@acme.test", "销售经理"),
    ] {
        let a = create_employee(
            &mut b,
            name,
            &[dept],
            &[("mobile", mobile), ("email", email), ("position", position)],
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
    }
    let find = |q: &'static str, dept: String| (q, dept);
    let cases = [
        (find("zhangsan", root.clone()), vec!["张三"]),
        // Initials match from their start: zs, zss.
        (
            find("zs", root.clone()),
            vec!["张三", "张珊珊", "Zoe Smith"],
        ),
        (find("zss", root.clone()), vec!["张珊珊"]),
        (find("zhang", root.clone()), vec!["张三", "张珊珊"]),
        (find("张", root.clone()), vec!["张三", "张珊珊"]),
        (find("zhang san", root.clone()), vec!["张三"]),
        (find("13900139000", root.clone()), vec!["李四"]),
        (find("SHANSHAN@", root.clone()), vec!["张珊珊"]),
        (find("lisi", root.clone()), vec!["李四"]),
        (find("销售", root.clone()), vec!["李四", "张三"]),
        (find("zhang", market.clone()), vec!["张三"]),
        (find("100%", root.clone()), vec![]),
    ];
    for ((q, dept), expected) in cases {
        let mut found = members(&mut b, &[("department", &dept), ("q", q)]).await;
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "search {q:?}");
    }
    // The department alone, without its sub-departments.
    assert_eq!(
        members(&mut b, &[("department", &market), ("direct", "true")]).await,
        ["Zoe Smith"]
    );
    let all = members(&mut b, &[("department", &market)]).await;
    assert_eq!(all.len(), 3, "{all:?}");
    // Pinyin order: li, zhang, zhang shan, zoe.
    assert_eq!(
        members(&mut b, &[("department", &root)]).await,
        ["boss", "李四", "张三", "张珊珊", "Zoe Smith"]
    );
}

#[sqlx::test]
async fn disabling_ends_sessions_and_needs_the_right_person(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let worker = seed_member(&db, org, "employee", "worker@acme.test", PASSWORD).await;
    let mut w = Browser::new(&app);
    let signed = sign_in_as(&mut w, "member", "worker@acme.test", PASSWORD).await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    // An employee holds no contacts permission yet.
    assert_eq!(w.call("contacts_branch", &[]).await.status, 403);
    assert_eq!(read(&mut w, "contacts_members", &[]).await.status, 403);
    let root = root_id(&mut b).await;
    assert_eq!(
        w.call("department_create", &[("parent", &root), ("name", "X")])
            .await
            .status,
        403
    );
    // Nor does anyone signed out.
    let mut anonymous = Browser::new(&app);
    assert_eq!(anonymous.call("contacts_branch", &[]).await.status, 401);
    assert_eq!(read(&mut anonymous, "contacts_tree", &[]).await.status, 401);

    let me = b.call("contacts_branch", &[]).await;
    let boss_id: String =
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM accounts WHERE email = 'boss@acme.test'")
            .fetch_one(&db)
            .await
            .unwrap()
            .to_string();
    let v = employee(&mut b, &boss_id).await["version"].to_string();
    let own = b
        .call(
            "employee_status",
            &[("id", &boss_id), ("status", "disabled"), ("version", &v)],
        )
        .await;
    assert_eq!(own.field_code("status"), Some("employee.status_self"));
    assert_eq!(me.status, 200);

    let worker = worker.to_string();
    let v = employee(&mut b, &worker).await["version"].to_string();
    let disabled = b
        .call(
            "employee_status",
            &[("id", &worker), ("status", "disabled"), ("version", &v)],
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    // The worker's session is over.
    assert_eq!(w.call("security_overview", &[]).await.status, 401);
    let again = sign_in_as(&mut w, "member", "worker@acme.test", PASSWORD).await;
    assert_ne!(again.status, 200, "{}", again.text);
    let history = employee(&mut b, &worker).await["history"].clone();
    assert_eq!(history[0]["action"], "employee.status_changed");
    assert_eq!(history[0]["changes"][0][1], "active");
    assert_eq!(history[0]["changes"][0][2], "disabled");
    // Enabled again, they can sign in.
    let v = employee(&mut b, &worker).await["version"].to_string();
    let enabled = b
        .call(
            "employee_status",
            &[("id", &worker), ("status", "active"), ("version", &v)],
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.text);
    assert_eq!(
        sign_in_as(&mut w, "member", "worker@acme.test", PASSWORD)
            .await
            .status,
        200
    );
}

#[sqlx::test]
async fn another_organisations_ids_are_not_found_and_nothing_changes(db: PgPool) {
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
    let audit_before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE org_id = $1")
        .bind(org_b)
        .fetch_one(&db)
        .await
        .unwrap();

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
    let audit_after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE org_id = $1")
        .bind(org_b)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(audit_after, audit_before);
}

#[sqlx::test]
async fn simultaneous_moves_cannot_both_win(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let x = create_department(&mut b, &root, "X").await;
    let y = create_department(&mut b, &root, "Y").await;
    let z = create_department(&mut b, &root, "Z").await;
    let (vx, vy) = (version(&mut b, &x).await, version(&mut b, &y).await);

    // Two administrators move X at once, from the same screen.
    let mut other = Browser {
        app: &app,
        session: b.session.clone(),
    };
    let first = [
        ("id", x.as_str()),
        ("parent", y.as_str()),
        ("version", vx.as_str()),
    ];
    let second = [
        ("id", x.as_str()),
        ("parent", z.as_str()),
        ("version", vx.as_str()),
    ];
    let (one, two) = tokio::join!(
        b.call("department_move", &first),
        other.call("department_move", &second)
    );
    let mut statuses = [one.status, two.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", one.text, two.text);

    // X under Y and Y under X at once: both are fine alone, together a cycle.
    let w = create_department(&mut b, &root, "W").await;
    let vw = version(&mut b, &w).await;
    let vy2 = version(&mut b, &y).await;
    let _ = vy;
    let a1 = [
        ("id", w.as_str()),
        ("parent", y.as_str()),
        ("version", vw.as_str()),
    ];
    let a2 = [
        ("id", y.as_str()),
        ("parent", w.as_str()),
        ("version", vy2.as_str()),
    ];
    let (one, two) = tokio::join!(
        b.call("department_move", &a1),
        other.call("department_move", &a2)
    );
    let ok = [one.status, two.status]
        .iter()
        .filter(|s| **s == 200)
        .count();
    assert_eq!(ok, 1, "{} / {}", one.text, two.text);
    let cyclic: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.org_id = $1 AND d.id = ANY(p.path)",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(cyclic, 0);
    let bad_paths: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.org_id = $1 AND d.path <> p.path || d.id",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(bad_paths, 0);
}

#[sqlx::test]
async fn heads_are_members_of_the_department(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let finance = create_department(&mut b, &root, "财务部").await;
    let a = create_employee(&mut b, "张三", &[&finance], &[("mobile", "13800138000")]).await;
    assert_eq!(a.status, 200);
    let other = create_employee(&mut b, "李四", &[&root], &[("mobile", "13800138001")]).await;
    assert_eq!(other.status, 200);
    let v = version(&mut b, &finance).await;
    let outsider = b
        .call(
            "department_heads",
            &[("id", &finance), ("heads", "lisi"), ("version", &v)],
        )
        .await;
    assert_eq!(
        outsider.field_code("heads"),
        Some("department.head_not_member")
    );
    let set = b
        .call(
            "department_heads",
            &[("id", &finance), ("heads", "zhangsan"), ("version", &v)],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let detail = branch(&mut b, &finance).await;
    assert_eq!(detail["selected"]["heads"][0]["name"], "张三");
    let details = audit_details(&db, org, "department.heads_changed").await;
    assert_eq!(details[0]["after"]["heads"], "张三");
    assert_eq!(details[0]["before"]["heads"], "");
}

/// The page of `contacts_members` as (names, total, page, pages).
async fn member_page(b: &mut Browser<'_>, query: &[(&str, &str)]) -> (Vec<String>, i64, i64, i64) {
    let a = read(b, "contacts_members", query).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let names = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    let n = |k: &str| a.json[k].as_i64().unwrap();
    (names, n("total"), n("page"), n("pages"))
}

#[sqlx::test]
async fn the_members_list_pages_a_subtree_in_pinyin_order_and_follows_changes(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let sales = create_department(&mut b, &root, "销售部").await;
    let north = create_department(&mut b, &sales, "华北区").await;
    let south = create_department(&mut b, &sales, "华南区").await;
    let other = create_department(&mut b, &root, "财务部").await;
    // 60 people below 销售部, every third one in both regions (counted
    // once), and one elsewhere.
    let mut ids = Vec::new();
    for i in 0..60 {
        let name = format!("Member {i:02}");
        let mobile = format!("1380013{i:04}");
        let departments: Vec<&str> = match i % 3 {
            0 => vec![north.as_str(), south.as_str()],
            1 => vec![north.as_str()],
            _ => vec![south.as_str()],
        };
        let a = create_employee(&mut b, &name, &departments, &[("mobile", &mobile)]).await;
        assert_eq!(a.status, 200, "{}", a.text);
        ids.push(a.json.as_str().unwrap().to_owned());
    }
    let a = create_employee(&mut b, "Outsider", &[&other], &[("mobile", "13900139000")]).await;
    assert_eq!(a.status, 200, "{}", a.text);

    let expected: Vec<String> = (0..60).map(|i| format!("Member {i:02}")).collect();
    let (first, total, page, pages) = member_page(&mut b, &[("department", &sales)]).await;
    assert_eq!((total, page, pages), (60, 1, 2));
    assert_eq!(first, expected[..50]);
    let (second, ..) = member_page(&mut b, &[("department", &sales), ("page", "2")]).await;
    assert_eq!(second, expected[50..]);
    // A page past the end shows the last one.
    let (last, _, page, _) = member_page(&mut b, &[("department", &sales), ("page", "9")]).await;
    assert_eq!((last.len(), page), (10, 2));
    // One region alone, and a region with its (empty) subtree.
    let (direct, total, ..) =
        member_page(&mut b, &[("department", &north), ("direct", "true")]).await;
    assert_eq!(total, 40);
    assert!(direct.iter().all(|n| {
        let i: usize = n[7..].parse().unwrap();
        i % 3 != 2
    }));
    assert_eq!(member_page(&mut b, &[("department", &south)]).await.1, 40);

    // A new name moves the person to their new place in the order.
    let v = employee(&mut b, &ids[0]).await["version"].to_string();
    let renamed = b
        .call(
            "employee_update",
            &[
                ("id", ids[0].as_str()),
                ("version", &v),
                ("name", "Aaron"),
                ("mobile", "13800130000"),
                ("departments[]", &north),
                ("departments[]", &south),
            ],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let (first, ..) = member_page(&mut b, &[("department", &sales)]).await;
    assert_eq!(first[0], "Aaron");
    assert_eq!(first[1], "Member 01");

    // Departed people leave the list and its count, and are listed apart.
    let v = employee(&mut b, &ids[1]).await["version"].to_string();
    let gone = b
        .call(
            "employee_status",
            &[
                ("id", ids[1].as_str()),
                ("status", "departed"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    let (first, total, ..) = member_page(&mut b, &[("department", &sales)]).await;
    assert_eq!(total, 59);
    assert_eq!(&first[..2], ["Aaron", "Member 02"]);
    assert_eq!(headcount(&mut b, &sales).await, 59);
    let (departed, total, ..) =
        member_page(&mut b, &[("department", &sales), ("status", "departed")]).await;
    assert_eq!((departed, total), (vec!["Member 01".to_owned()], 1));
    assert_eq!(
        member_page(
            &mut b,
            &[
                ("department", &north),
                ("status", "all"),
                ("direct", "true")
            ]
        )
        .await
        .1,
        40
    );
    // A search within the subtree counts what it finds (mobiles 138001300 50–59).
    let (found, total, ..) = member_page(&mut b, &[("department", &sales), ("q", "0013005")]).await;
    assert_eq!(total, 10);
    assert_eq!(found[0], "Member 50");
    // The copies on the membership rows match their accounts.
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM department_members dm JOIN accounts a ON a.id = dm.account_id
         WHERE dm.org_id = $1 AND (dm.sort_key <> a.name_pinyin OR dm.is_current <> (a.status <> 'departed'))",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(stale, 0);
    no_drift(&db, org).await;
}

#[sqlx::test]
async fn moves_across_a_seeded_organisation_keep_every_headcount_exact(db: PgPool) {
    use orgdesk::contacts::{headcount, repo, seed};
    use rand::{Rng, SeedableRng, rngs::StdRng};
    let seeded = seed::seed(
        &db,
        &seed::SeedSpec {
            name: "Moves Co".into(),
            admin_email: "moves@orgdesk.example".into(),
            password_hash: String::new(),
            members: 800,
            departments: 160,
            rng_seed: 11,
        },
    )
    .await
    .unwrap();
    let org = seeded.org_id;
    // One person in six has left: still members of their departments, no
    // longer counted.
    let people: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE org_id = $1 AND kind = 'member' ORDER BY id",
    )
    .bind(org)
    .fetch_all(&db)
    .await
    .unwrap();
    let left: Vec<Uuid> = people.iter().step_by(6).copied().collect();
    let mut conn = db.acquire().await.unwrap();
    headcount::around(&mut conn, org, &left, async |c| {
        sqlx::query("UPDATE accounts SET status = 'departed' WHERE id = ANY($1)")
            .bind(&left)
            .execute(c)
            .await
            .map(|_| ())
    })
    .await
    .unwrap();
    drop(conn);
    no_drift(&db, org).await;

    let mut rng = StdRng::seed_from_u64(5);
    let (mut moved, mut refused) = (0, 0);
    for _ in 0..60 {
        let rows: Vec<(Uuid, Option<Uuid>, i32)> = sqlx::query_as(
            "SELECT id, parent_id, version FROM departments WHERE org_id = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&db)
        .await
        .unwrap();
        let (id, parent, version) = rows[rng.random_range(0..rows.len())];
        let target = rows[rng.random_range(0..rows.len())].0;
        if parent.is_none() {
            continue;
        }
        let mut tx = db.begin().await.unwrap();
        repo::lock(&mut tx, org, std::time::Duration::from_secs(5))
            .await
            .unwrap();
        match repo::move_to(&mut tx, org, id, target, version).await {
            Ok(_) => {
                tx.commit().await.unwrap();
                moved += 1;
                no_drift(&db, org).await;
            }
            // Into its own subtree, to the same parent, too deep, a name taken.
            Err(repo::ContactsError::Rule(..)) => refused += 1,
            Err(e) => panic!("moving {id} under {target}: {e:?}"),
        }
    }
    assert!(moved >= 20, "{moved} moves were made and {refused} refused");
    let paths_match_parents: bool = sqlx::query_scalar(
        "SELECT bool_and(d.path = p.path || d.id) FROM departments d
         JOIN departments p ON p.id = d.parent_id WHERE d.org_id = $1",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(paths_match_parents);
}

#[sqlx::test]
async fn the_tree_comes_whole_in_columns_and_in_the_consoles_order(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _) = admin(&app, &db, "Columns Co", "boss@columns.test").await;
    let root = root_id(&mut b).await;
    let sales = create_department(&mut b, &root, "Sales").await;
    let finance = create_department(&mut b, &root, "财务部").await;
    let north = create_department(&mut b, &sales, "North").await;
    let south = create_department(&mut b, &sales, "South").await;
    let harbour = create_department(&mut b, &north, "Harbour").await;
    // 财务部 first among the root's children.
    let v = version(&mut b, &finance).await;
    let moved = b
        .call(
            "department_reorder",
            &[("id", &finance), ("index", "0"), ("version", &v)],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);

    let whole = read(&mut b, "contacts_tree", &[]).await;
    assert_eq!(whole.status, 200, "{}", whole.text);
    let ids: Vec<&str> = whole.json["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [&root, &finance, &sales, &north, &harbour, &south].map(String::as_str)
    );
    assert_eq!(
        whole.json["parents"],
        serde_json::json!([-1, 0, 0, 2, 3, 2])
    );
    assert_eq!(
        whole.json["names"],
        serde_json::json!(["Columns Co", "财务部", "Sales", "North", "Harbour", "South"])
    );
    assert_eq!(whole.json["headcounts"].as_array().unwrap().len(), 6);
    assert_eq!(
        whole.json["versions"][1].to_string(),
        version(&mut b, &finance).await
    );

    // A subtree starts at its own top.
    let part = read(&mut b, "contacts_tree", &[("from", &sales)]).await;
    assert_eq!(
        part.json["ids"],
        serde_json::json!([sales, north, harbour, south])
    );
    assert_eq!(part.json["parents"], serde_json::json!([-1, 0, 1, 0]));
    let unknown = Uuid::now_v7().to_string();
    assert_eq!(
        read(&mut b, "contacts_tree", &[("from", &unknown)])
            .await
            .status,
        404
    );
}

/// Saves `id`'s name, email and mobile, in the root department, with
/// `extra` fields (the caller's password and code).
async fn readdress(
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
async fn an_administrators_addresses_change_only_when_the_caller_signs_and_the_old_ones_are_told(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let (mut boss, org) = admin(&app, &db, "示例科技", "boss@example.com").await;
    let root = root_id(&mut boss).await;
    let deputy = seed_member(&db, org, "admin", "deputy@example.com", PASSWORD)
        .await
        .to_string();
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
    assert_eq!(
        deputy_session.call("security_overview", &[]).await.status,
        200
    );

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
    assert_eq!(
        deputy_session.call("security_overview", &[]).await.status,
        401
    );
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

#[sqlx::test]
async fn lists_are_bounded_before_any_lock_and_a_busy_organisation_says_so(db: PgPool) {
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
    let refused = b
        .call(
            "department_heads",
            &[("id", &dept), ("heads", &repeated), ("version", &v)],
        )
        .await;
    assert_eq!(
        refused.field_code("heads"),
        Some("department.too_many_heads")
    );
    let huge: String = (0..14_000).map(|i| format!("u{i},")).collect();
    let refused = b
        .call(
            "department_heads",
            &[("id", &dept), ("heads", &huge), ("version", &v)],
        )
        .await;
    assert_eq!(
        refused.field_code("heads"),
        Some("department.too_many_heads")
    );
    // 20 copies of one id are one head (and unknown here).
    let same = vec!["nobody"; 40].join(",");
    let one = b
        .call(
            "department_heads",
            &[("id", &dept), ("heads", &same), ("version", &v)],
        )
        .await;
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
    let busy = b
        .call(
            "department_create",
            &[("parent", &root), ("name", "销售部")],
        )
        .await;
    assert_eq!(busy.status, 429, "{}", busy.text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    sqlx::query("SELECT pg_advisory_unlock(hashtextextended('contacts:' || $1::text, 0))")
        .bind(org.to_string())
        .execute(&mut *holder)
        .await
        .unwrap();
    let done = b
        .call(
            "department_create",
            &[("parent", &root), ("name", "销售部")],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
}
