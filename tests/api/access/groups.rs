//! Admin groups: created, changed, filled and deleted with a signature,
//! audited before and after, and never wider than the one who grants.
use super::*;
use crate::helpers::seed_admin_group;

/// `access_group_save` with `fields`, signed with the password.
async fn save(b: &mut Browser<'_>, fields: &[(&str, &str)]) -> crate::helpers::Answer {
    let mut form = fields.to_vec();
    form.push(("password", PASSWORD));
    b.call("access_group_save", &form).await
}

async fn userid(db: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT userid FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_super_administrator_builds_a_group_and_its_members_get_its_scope(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        shanghai,
        south,
        ..
    } = branches(&app, &db).await;
    let manager = person(&mut boss, &db, "华东经理", "east@example.com", &[&east]).await;
    let mut m = signed_in(&app, "east@example.com").await;
    assert_eq!(m.first_branch().await.status, 403, "no permission yet");

    // Bad input first: every field named at once.
    let bad = save(
        &mut boss,
        &[
            ("name", " "),
            ("scope", "departments"),
            ("permissions[]", "applications.personal_data"),
        ],
    )
    .await;
    assert_eq!(bad.field_code("name"), Some("validation.required"));
    assert_eq!(bad.field_code("permissions"), Some("validation.choice"));
    assert_eq!(
        bad.field_code("departments"),
        Some("access.departments_required")
    );

    let created = save(
        &mut boss,
        &[
            ("name", "华东区管理员"),
            ("permissions[]", "contacts.manage"),
            ("scope", "departments"),
            ("departments[]", &east),
        ],
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let group = created.json.as_str().unwrap().to_owned();
    let taken = save(
        &mut boss,
        &[
            ("name", "华东区管理员"),
            ("permissions[]", "contacts.view"),
            ("scope", "organisation"),
        ],
    )
    .await;
    assert_eq!(taken.field_code("name"), Some("access.group_name_taken"));

    let members = boss
        .call(
            "access_group_members",
            &[
                ("id", &group),
                ("members", &userid(&db, manager).await),
                ("version", "0"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(members.status, 200, "{}", members.text);
    // Made an administrator: signed out, and back in with the group's scope.
    assert_eq!(m.security_overview().await.status, 401);
    let mut m = signed_in(&app, "east@example.com").await;
    let first = m.first_branch().await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["selected"]["node"]["id"], east.as_str());
    assert_eq!(m.branch(&south).await.status, 404);

    // Widened by the super administrator to 华南区 as well, with a record
    // of before and after.
    let changed = save(
        &mut boss,
        &[
            ("id", &group),
            ("version", "1"),
            ("name", "华东区管理员"),
            ("permissions[]", "contacts.manage"),
            ("scope", "departments"),
            ("departments[]", &east),
            ("departments[]", &south),
        ],
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(m.branch(&south).await.status, 200);
    let details = crate::contacts::audit_details(&db, org, "access.group_changed").await;
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["before"]["departments"], "示例集团 / 华东区");
    assert_eq!(
        details[0]["after"]["departments"],
        "示例集团 / 华东区; 示例集团 / 华南区"
    );
    // A stale screen is refused.
    let stale = save(
        &mut boss,
        &[
            ("id", &group),
            ("version", "1"),
            ("name", "华东区管理员"),
            ("permissions[]", "contacts.view"),
            ("scope", "organisation"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);

    // Deleted: the members lose it at once.
    let deleted = boss
        .call(
            "access_group_delete",
            &[("id", &group), ("version", "2"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(m.security_overview().await.status, 401);
    let mut m = signed_in(&app, "east@example.com").await;
    assert_eq!(m.first_branch().await.status, 403);
    let _ = shanghai;
    let deleted = crate::contacts::audit_details(&db, org, "access.group_deleted").await;
    assert_eq!(
        deleted[0]["before"]["members"],
        format!("华东经理 ({})", userid(&db, manager).await)
    );
}

#[sqlx::test]
async fn a_delegated_administrator_never_grants_more_than_they_hold_nor_wider(db: PgPool) {
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
    let east_id: Uuid = east.parse().unwrap();
    let own = seed_admin_group(
        &db,
        org,
        "华东区管理员",
        &["contacts.manage", "access.manage"],
        "departments",
        &[east_id],
        &[manager],
    )
    .await;
    let wide = seed_admin_group(
        &db,
        org,
        "审计员",
        &["audit.view"],
        "organisation",
        &[],
        &[],
    )
    .await;
    let mut m = signed_in(&app, "east@example.com").await;

    // They see their own group, not the wider one, and no super administrators to manage.
    let overview = m.call("access_overview", &[]).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    let names: Vec<&str> = overview.json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["华东区管理员"]);
    assert_eq!(overview.json["caller_is_super_admin"], false);
    assert_eq!(
        overview.json["grantable"],
        serde_json::json!(["contacts.view", "contacts.manage", "access.manage"])
    );

    let before = snapshot(&db).await;
    let beyond = [
        // A permission they do not hold.
        save(
            &mut m,
            &[
                ("name", "审计"),
                ("permissions[]", "audit.view"),
                ("scope", "departments"),
                ("departments[]", &shanghai),
            ],
        )
        .await,
        // A subtree beside theirs, one above, the whole organisation, "own departments".
        save(
            &mut m,
            &[
                ("name", "华南"),
                ("permissions[]", "contacts.view"),
                ("scope", "departments"),
                ("departments[]", &south),
            ],
        )
        .await,
        save(
            &mut m,
            &[
                ("name", "总部"),
                ("permissions[]", "contacts.view"),
                ("scope", "departments"),
                ("departments[]", &root),
            ],
        )
        .await,
        save(
            &mut m,
            &[
                ("name", "全部"),
                ("permissions[]", "contacts.view"),
                ("scope", "organisation"),
            ],
        )
        .await,
        save(
            &mut m,
            &[
                ("name", "本部门"),
                ("permissions[]", "contacts.view"),
                ("scope", "own_departments"),
            ],
        )
        .await,
        // Widening their own group.
        save(
            &mut m,
            &[
                ("id", &own.to_string()),
                ("version", "0"),
                ("name", "华东区管理员"),
                ("permissions[]", "contacts.manage"),
                ("scope", "departments"),
                ("departments[]", &east),
                ("departments[]", &south),
            ],
        )
        .await,
    ];
    for (i, a) in beyond.iter().enumerate() {
        assert_eq!(
            a.field_code("permissions"),
            Some("access.beyond_own"),
            "{i}: {}",
            a.text
        );
    }
    // The wider group is not theirs to change, fill or delete: not found.
    let wide_s = wide.to_string();
    let southern_userid = userid(&db, southern).await;
    for a in [
        save(
            &mut m,
            &[
                ("id", &wide_s),
                ("version", "0"),
                ("name", "审计员"),
                ("permissions[]", "contacts.view"),
                ("scope", "departments"),
                ("departments[]", &shanghai),
            ],
        )
        .await,
        m.call(
            "access_group_members",
            &[
                ("id", &wide_s),
                ("members", "admin"),
                ("version", "0"),
                ("password", PASSWORD),
            ],
        )
        .await,
        m.call(
            "access_group_delete",
            &[("id", &wide_s), ("version", "0"), ("password", PASSWORD)],
        )
        .await,
    ] {
        assert_eq!(a.status, 404, "{}", a.text);
    }
    // Nor are super administrators theirs to appoint.
    let appoint = m
        .call(
            "access_super_admin_grant",
            &[("person", &southern_userid), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(appoint.status, 403, "{}", appoint.text);
    assert_eq!(
        snapshot(&db).await,
        before,
        "a refused change changed something"
    );

    // Within what they hold: a group for 上海 that views contacts, filled
    // with someone of their scope, not with someone outside it.
    let sub = save(
        &mut m,
        &[
            ("name", "上海"),
            ("permissions[]", "contacts.view"),
            ("scope", "departments"),
            ("departments[]", &shanghai),
        ],
    )
    .await;
    assert_eq!(sub.status, 200, "{}", sub.text);
    let sub = sub.json.as_str().unwrap().to_owned();
    let outside = m
        .call(
            "access_group_members",
            &[
                ("id", &sub),
                ("members", &southern_userid),
                ("version", "0"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(outside.field_code("members"), Some("access.member_unknown"));
    let inside = m
        .call(
            "access_group_members",
            &[
                ("id", &sub),
                ("members", &userid(&db, local).await),
                ("version", "0"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(inside.status, 200, "{}", inside.text);
    let mut l = signed_in(&app, "sh@example.com").await;
    assert_eq!(
        l.first_branch().await.json["selected"]["node"]["id"],
        shanghai.as_str()
    );
}
