//! Departments: the rules, the depth limit, concurrent moves, heads, and the tree as the console loads it.
use super::*;
use crate::helpers::{Browser, count, spawn_app};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
pub(super) async fn departments_follow_the_rules(db: PgPool) {
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
    let dup = b.create_department(&root, " marketing ").await;
    assert_eq!(dup.field_code("name"), Some("department.name_taken"));
    let bad = b.create_department(&root, "R&D|1").await;
    assert_eq!(bad.field_code("name"), Some("department.name_chars"));
    let long = "部".repeat(65);
    let long = b.create_department(&root, &long).await;
    assert_eq!(long.field_code("name"), Some("department.name_too_long"));
    // The same name under another parent is fine.
    create_department(&mut b, &finance, "华东区").await;

    // Rename, with the version the screen was loaded at.
    let v = version(&mut b, &office).await;
    let renamed = b.rename_department(&office, "总经理办公室", &v).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let stale = b.rename_department(&office, "总经办", &v).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let details = audit_details(&db, org, "department.renamed").await;
    assert_eq!(details[0]["before"]["name"], "总经办");
    assert_eq!(details[0]["after"]["name"], "总经理办公室");

    // Reorder: Marketing first.
    let v = version(&mut b, &market).await;
    let r = b.reorder_department(&market, "0", &v).await;
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
    let busy = b.delete_department(&office, &v).await;
    assert_eq!(
        busy.field_code("department"),
        Some("department.has_children")
    );
    let v = version(&mut b, &root).await;
    let root_delete = b.delete_department(&root, &v).await;
    assert_eq!(
        root_delete.field_code("department"),
        Some("department.root_fixed")
    );
    let hired = create_employee(&mut b, "王五", &[&below], &[("mobile", "13800138001")]).await;
    assert_eq!(hired.status, 200, "{}", hired.text);
    let v = version(&mut b, &below).await;
    let with_member = b.delete_department(&below, &v).await;
    assert_eq!(
        with_member.field_code("department"),
        Some("department.has_members")
    );
    let v = version(&mut b, &market).await;
    let emptied = b.delete_department(&market, &v).await;
    assert_eq!(emptied.status, 200, "{}", emptied.text);
    assert_eq!(emptied.json, root.as_str());
    assert_eq!(children(&mut b, &root).await, ["总经理办公室", "财务部"]);
    let deleted = count(
        &db,
        "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'department.deleted'",
        org,
    )
    .await;
    assert_eq!(deleted, 1);
    no_drift(&db, org).await;
}

#[sqlx::test]
pub(super) async fn depth_is_limited_to_fifteen_levels(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _) = admin(&app, &db, "Deep", "deep@acme.test").await;
    let root = root_id(&mut b).await;
    let mut parent = root.clone();
    let mut chain = Vec::new();
    for level in 2..=15 {
        parent = create_department(&mut b, &parent, &format!("L{level}")).await;
        chain.push(parent.clone());
    }
    let too_deep = b.create_department(&parent, "L16").await;
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
pub(super) async fn simultaneous_moves_cannot_both_win(db: PgPool) {
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
        user_agent: None,
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
    let cyclic: i64 = count(&db, "SELECT count(*) FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.org_id = $1 AND d.id = ANY(p.path)", org).await;
    assert_eq!(cyclic, 0);
    let bad_paths: i64 = count(&db, "SELECT count(*) FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.org_id = $1 AND d.path <> p.path || d.id", org).await;
    assert_eq!(bad_paths, 0);
}

#[sqlx::test]
pub(super) async fn heads_are_members_of_the_department(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let finance = create_department(&mut b, &root, "财务部").await;
    let a = create_employee(&mut b, "张三", &[&finance], &[("mobile", "13800138000")]).await;
    assert_eq!(a.status, 200);
    let other = create_employee(&mut b, "李四", &[&root], &[("mobile", "13800138001")]).await;
    assert_eq!(other.status, 200);
    let v = version(&mut b, &finance).await;
    let outsider = b.department_heads(&finance, "lisi", &v).await;
    assert_eq!(
        outsider.field_code("heads"),
        Some("department.head_not_member")
    );
    let set = b.department_heads(&finance, "zhangsan", &v).await;
    assert_eq!(set.status, 200, "{}", set.text);
    let detail = branch(&mut b, &finance).await;
    assert_eq!(detail["selected"]["heads"][0]["name"], "张三");
    let details = audit_details(&db, org, "department.heads_changed").await;
    assert_eq!(details[0]["after"]["heads"], "张三");
    assert_eq!(details[0]["before"]["heads"], "");
}

#[sqlx::test]
pub(super) async fn the_tree_comes_whole_in_columns_and_in_the_consoles_order(db: PgPool) {
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
    let moved = b.reorder_department(&finance, "0", &v).await;
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
