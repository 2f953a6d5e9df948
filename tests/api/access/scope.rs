//! A delegated administrator scoped to one subtree: what they see, what
//! they change, and 404 for everything outside.
use super::*;
use crate::contacts::{employee, member_page, read};
use crate::helpers::seed_admin_group;

#[sqlx::test]
async fn a_scoped_administrator_sees_and_manages_only_their_subtree(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        root,
        east,
        shanghai,
        south,
    } = branches(&app, &db).await;
    let manager = person(&mut boss, &db, "华东经理", "east@example.com", &[&east]).await;
    let local = person(&mut boss, &db, "上海成员", "sh@example.com", &[&shanghai]).await;
    let southern = person(&mut boss, &db, "华南成员", "south@example.com", &[&south]).await;
    let both = person(
        &mut boss,
        &db,
        "两地成员",
        "both@example.com",
        &[&shanghai, &south],
    )
    .await;
    let east_id: Uuid = east.parse().unwrap();
    seed_admin_group(
        &db,
        org,
        "华东区管理员",
        &["contacts.manage"],
        "departments",
        &[east_id],
        &[manager],
    )
    .await;
    let mut m = signed_in(&app, "east@example.com").await;

    // The tree starts at 华东区 and shows nothing beside or above it.
    let first = m.first_branch().await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["selected"]["node"]["id"], east.as_str());
    let shown: Vec<&str> = first.json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["华东区", "上海"], "{shown:?}");
    assert_eq!(first.json["selected"]["ancestors"], serde_json::json!([]));
    let tree = read(&mut m, "contacts_tree", &[]).await;
    assert_eq!(tree.json["names"], serde_json::json!(["华东区", "上海"]));

    // The members list: the subtree's people; someone who also belongs to
    // 华南区 is shown with 上海 only.
    let (names, total, ..) = member_page(&mut m, &[]).await;
    let mut names = names;
    names.sort();
    assert_eq!(names, ["上海成员", "两地成员", "华东经理"]);
    assert_eq!(total, 3);
    let page = read(&mut m, "contacts_members", &[]).await;
    let row = page.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "两地成员")
        .unwrap();
    assert_eq!(row["departments"], serde_json::json!(["上海"]));
    let card = employee(&mut m, &both.to_string()).await;
    let departments: Vec<&str> = card["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(departments, ["上海"]);

    // Searches stay inside.
    let people = m.call("contacts_find_people", &[("q", "成员")]).await;
    let mut found: Vec<&str> = people
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    found.sort();
    assert_eq!(found, ["上海成员", "两地成员"]);
    let departments = m.call("contacts_find_departments", &[("q", "区")]).await;
    let paths: Vec<&str> = departments
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[1].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["示例集团 / 华东区"]);

    // Outside the scope, by URL or by id: not found, and nothing changes.
    let before = snapshot(&db).await;
    let southern = southern.to_string();
    let outside = [
        m.branch(&south).await,
        m.branch(&root).await,
        read(&mut m, "contacts_members", &[("department", &south)]).await,
        read(&mut m, "contacts_tree", &[("from", &south)]).await,
        read(&mut m, "contacts_chart", &[("from", &root)]).await,
        m.call("contacts_children", &[("parent", &root)]).await,
        m.call("contacts_employee", &[("id", &southern)]).await,
        m.create_department(&south, "深圳").await,
        m.rename_department(&south, "华南", "0").await,
        m.delete_department(&south, "0").await,
        m.move_department(&shanghai, &south, "0").await,
        m.employee_status(&southern, "disabled", "0").await,
        create_employee(&mut m, "新人", &[&south], &[("mobile", "13800138009")]).await,
        create_employee(
            &mut m,
            "新人",
            &[&shanghai, &south],
            &[("mobile", "13800138009")],
        )
        .await,
        // Someone of theirs, moved into 华南区.
        m.call(
            "employee_update",
            &[
                ("id", &local.to_string()),
                ("version", "0"),
                ("name", "上海成员"),
                ("email", "sh@example.com"),
                ("departments[]", &shanghai),
                ("departments[]", &south),
            ],
        )
        .await,
    ];
    for (i, a) in outside.iter().enumerate() {
        assert_eq!(a.status, 404, "call {i}: {}", a.text);
    }
    // The top of the subtree is theirs to see, not to move or delete.
    let east_version = crate::contacts::version(&mut boss, &east).await;
    for a in [
        m.delete_department(&east, &east_version).await,
        m.move_department(&east, &root, &east_version).await,
        m.reorder_department(&east, "1", &east_version).await,
    ] {
        assert_eq!(a.status, 403, "{}", a.text);
    }
    // Nor anything else of the organisation.
    for endpoint in ["admin_audit", "access_overview"] {
        assert_eq!(m.call(endpoint, &[]).await.status, 403, "{endpoint}");
    }
    assert_eq!(
        snapshot(&db).await,
        before,
        "a refused call changed something"
    );

    // Inside: creating, renaming, adding people.
    let pudong = m.create_department(&shanghai, "浦东").await;
    assert_eq!(pudong.status, 200, "{}", pudong.text);
    let added = create_employee(&mut m, "新人", &[&shanghai], &[("mobile", "13800138009")]).await;
    assert_eq!(added.status, 200, "{}", added.text);

    // Removing someone who also belongs to 华南区 takes them out of 上海
    // only; they stay active, in 华南区, with it as their main department.
    let both_s = both.to_string();
    let v = employee(&mut m, &both_s).await["version"].to_string();
    let disable = m.employee_status(&both_s, "disabled", &v).await;
    assert_eq!(
        disable.field_code("status"),
        Some("access.person_elsewhere")
    );
    let left = m.employee_status(&both_s, "departed", &v).await;
    assert_eq!(left.status, 200, "{}", left.text);
    let card = employee(&mut boss, &both_s).await;
    assert_eq!(card["status"], "active");
    let departments: Vec<&str> = card["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(departments, ["华南区"]);
    assert_eq!(card["departments"][0]["is_main"], true);
    assert_eq!(
        m.call("contacts_employee", &[("id", &both_s)]).await.status,
        404,
        "gone from the scope"
    );
    // Someone wholly inside is theirs to disable.
    let local_s = local.to_string();
    let v = employee(&mut m, &local_s).await["version"].to_string();
    let disabled = m.employee_status(&local_s, "disabled", &v).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    crate::contacts::no_drift(&db, org).await;
}

#[sqlx::test]
async fn a_scoped_administrator_keeps_memberships_outside_and_cannot_touch_administrators(
    db: PgPool,
) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        root,
        east,
        shanghai,
        south,
    } = branches(&app, &db).await;
    let manager = person(&mut boss, &db, "华东经理", "east@example.com", &[&east]).await;
    let both = person(
        &mut boss,
        &db,
        "两地成员",
        "both@example.com",
        &[&south, &shanghai],
    )
    .await;
    let east_id: Uuid = east.parse().unwrap();
    seed_admin_group(
        &db,
        org,
        "华东区管理员",
        &["contacts.manage"],
        "departments",
        &[east_id],
        &[manager],
    )
    .await;
    // The super administrator works in 上海 too.
    let boss_id: Uuid =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'boss@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    let boss_s = boss_id.to_string();
    let v = employee(&mut boss, &boss_s).await["version"].to_string();
    let joined = boss
        .call(
            "employee_update",
            &[
                ("id", &boss_s),
                ("version", &v),
                ("name", "boss"),
                ("email", "boss@example.com"),
                ("departments[]", &root),
                ("departments[]", &shanghai),
                ("main_department", &root),
            ],
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.text);
    let mut m = signed_in(&app, "east@example.com").await;

    // Saving the person with 上海 as the only department they can see
    // keeps 华南区, and 华南区 stays their main department.
    let both_s = both.to_string();
    let v = employee(&mut m, &both_s).await["version"].to_string();
    let saved = m
        .call(
            "employee_update",
            &[
                ("id", &both_s),
                ("version", &v),
                ("name", "两地成员（改）"),
                ("email", "both@example.com"),
                ("departments[]", &shanghai),
                ("main_department", &shanghai),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let card = employee(&mut boss, &both_s).await;
    assert_eq!(card["name"], "两地成员（改）");
    let departments: Vec<(&str, bool)> = card["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["is_main"].as_bool().unwrap()))
        .collect();
    assert_eq!(departments, [("华南区", true), ("上海", false)]);

    // The super administrator is in the scope but not theirs to change.
    let before = snapshot(&db).await;
    let v = employee(&mut m, &boss_s).await["version"].to_string();
    let status = m.employee_status(&boss_s, "disabled", &v).await;
    assert_eq!(status.status, 403, "{}", status.text);
    let readdress = m
        .call(
            "employee_update",
            &[
                ("id", &boss_s),
                ("version", &v),
                ("name", "boss"),
                ("email", "taken-over@example.com"),
                ("departments[]", &shanghai),
            ],
        )
        .await;
    assert_eq!(readdress.status, 403, "{}", readdress.text);
    assert_eq!(snapshot(&db).await, before);
    crate::contacts::no_drift(&db, org).await;
}

#[sqlx::test]
async fn own_departments_scope_follows_the_administrators_departments(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        shanghai,
        south,
        ..
    } = branches(&app, &db).await;
    let head = person(
        &mut boss,
        &db,
        "上海负责人",
        "head@example.com",
        &[&shanghai],
    )
    .await;
    person(&mut boss, &db, "华东成员", "e@example.com", &[&east]).await;
    person(&mut boss, &db, "上海成员", "sh@example.com", &[&shanghai]).await;
    seed_admin_group(
        &db,
        org,
        "部门负责人",
        &["contacts.view"],
        "own_departments",
        &[],
        &[head],
    )
    .await;
    let mut h = signed_in(&app, "head@example.com").await;
    let (mut names, ..) = member_page(&mut h, &[]).await;
    names.sort();
    assert_eq!(names, ["上海成员", "上海负责人"]);
    assert_eq!(h.branch(&east).await.status, 404);
    // Viewing is not managing.
    assert_eq!(h.create_department(&shanghai, "浦东").await.status, 403);
    // Moved to 华南区 by the super administrator, they see 华南区 instead.
    let v = employee(&mut boss, &head.to_string()).await["version"].to_string();
    let moved = boss
        .call(
            "employee_update",
            &[
                ("id", &head.to_string()),
                ("version", &v),
                ("name", "上海负责人"),
                ("email", "head@example.com"),
                ("departments[]", &south),
            ],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let (names, ..) = member_page(&mut h, &[]).await;
    assert_eq!(names, ["上海负责人"]);
}
