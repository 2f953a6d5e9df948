//! Super administrators and the creator: who may grant, what must remain.
use super::*;
use crate::helpers::queued_messages;

fn signed<'a>(person: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("person", person), ("password", password)]
}

async fn role(db: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT role FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn creator(db: &PgPool, org: Uuid) -> Option<Uuid> {
    sqlx::query_scalar("SELECT creator_id FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn super_administrators_are_appointed_and_removed_with_a_signature_and_one_always_remains(
    db: PgPool,
) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        ..
    } = branches(&app, &db).await;
    let boss_id = creator(&db, org).await.expect("the creator is recorded");
    let deputy = person(&mut boss, &db, "副手", "deputy@example.com", &[&east]).await;
    let deputy_userid: String = sqlx::query_scalar("SELECT userid FROM accounts WHERE id = $1")
        .bind(deputy)
        .fetch_one(&db)
        .await
        .unwrap();
    let mut d = signed_in(&app, "deputy@example.com").await;

    // Unsigned or wrongly signed: refused, nothing changes.
    let unsigned = boss
        .call("access_super_admin_grant", &[("person", &deputy_userid)])
        .await;
    assert_eq!(unsigned.field_code("password"), Some("password.required"));
    let wrong = boss
        .call(
            "access_super_admin_grant",
            &signed(&deputy_userid, "not-the-password-at-all"),
        )
        .await;
    assert_eq!(wrong.field_code("password"), Some("auth.wrong_password"));
    let unknown = boss
        .call("access_super_admin_grant", &signed("nobody-here", PASSWORD))
        .await;
    assert_eq!(unknown.field_code("person"), Some("access.member_unknown"));
    assert_eq!(role(&db, deputy).await, "employee");

    // A member cannot appoint themselves.
    let own = d
        .call(
            "access_super_admin_grant",
            &signed(&deputy_userid, PASSWORD),
        )
        .await;
    assert_eq!(own.status, 403, "{}", own.text);

    let granted = boss
        .call(
            "access_super_admin_grant",
            &signed(&deputy_userid, PASSWORD),
        )
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    assert_eq!(role(&db, deputy).await, "super_admin");
    // Their role changed: signed out at once.
    assert_eq!(d.security_overview().await.status, 401);
    let details = crate::contacts::audit_details(&db, org, "access.super_admin_granted").await;
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["before"]["role"], "employee");
    assert_eq!(details[0]["after"]["role"], "super_admin");

    // The creator cannot be demoted, by anyone.
    let boss_userid: String = sqlx::query_scalar("SELECT userid FROM accounts WHERE id = $1")
        .bind(boss_id)
        .fetch_one(&db)
        .await
        .unwrap();
    let mut d = signed_in(&app, "deputy@example.com").await;
    let demote = d
        .call("access_super_admin_remove", &signed(&boss_userid, PASSWORD))
        .await;
    assert_eq!(demote.field_code("person"), Some("access.creator_stays"));
    assert_eq!(role(&db, boss_id).await, "super_admin");

    // Only the creator passes the role on, and only to a super administrator.
    let not_creator = d
        .call("access_creator_transfer", &signed(&deputy_userid, PASSWORD))
        .await;
    assert_eq!(not_creator.status, 403, "{}", not_creator.text);
    let clerk = person(&mut boss, &db, "文员", "clerk@example.com", &[&east]).await;
    let clerk_userid: String = sqlx::query_scalar("SELECT userid FROM accounts WHERE id = $1")
        .bind(clerk)
        .fetch_one(&db)
        .await
        .unwrap();
    let to_member = boss
        .call("access_creator_transfer", &signed(&clerk_userid, PASSWORD))
        .await;
    assert_eq!(
        to_member.field_code("person"),
        Some("access.creator_not_super_admin")
    );
    let passed = boss
        .call("access_creator_transfer", &signed(&deputy_userid, PASSWORD))
        .await;
    assert_eq!(passed.status, 200, "{}", passed.text);
    assert_eq!(creator(&db, org).await, Some(deputy));
    // Both are told.
    for (who, receiving) in [("boss@example.com", false), ("deputy@example.com", true)] {
        let told = queued_messages(&db, who, Some("creator_transferred")).await;
        assert_eq!(told.len(), 1, "{who}");
        assert!(matches!(
            &told[0],
            orgdesk::notify::Template::CreatorTransferred { receiving: r, to, .. }
                if *r == receiving && to == "副手"
        ));
    }

    // The former creator can now be removed by the new one; then the new
    // creator is the last super administrator and stays.
    let removed = d
        .call("access_super_admin_remove", &signed(&boss_userid, PASSWORD))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(role(&db, boss_id).await, "employee");
    let last = d
        .call(
            "access_super_admin_remove",
            &signed(&deputy_userid, PASSWORD),
        )
        .await;
    assert_eq!(last.field_code("person"), Some("access.creator_stays"));
    let overview = d.call("access_overview", &[]).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    assert_eq!(overview.json["super_admins"].as_array().unwrap().len(), 1);
    assert_eq!(overview.json["creator"]["id"], deputy.to_string());
}

#[sqlx::test]
async fn the_last_active_super_administrator_stays(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        ..
    } = branches(&app, &db).await;
    // An organisation whose creator was never recorded (registered before
    // roles) still keeps one super administrator.
    sqlx::query("UPDATE organisations SET creator_id = NULL WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    let boss_userid: String =
        sqlx::query_scalar("SELECT userid FROM accounts WHERE email = 'boss@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    let last = boss
        .call("access_super_admin_remove", &signed(&boss_userid, PASSWORD))
        .await;
    assert_eq!(last.field_code("person"), Some("employee.last_super_admin"));
    let other = person(&mut boss, &db, "副手", "deputy@example.com", &[&east]).await;
    let other_userid: String = sqlx::query_scalar("SELECT userid FROM accounts WHERE id = $1")
        .bind(other)
        .fetch_one(&db)
        .await
        .unwrap();
    let granted = boss
        .call("access_super_admin_grant", &signed(&other_userid, PASSWORD))
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    // A disabled super administrator cannot act: they do not count.
    sqlx::query("UPDATE accounts SET status = 'disabled' WHERE id = $1")
        .bind(other)
        .execute(&db)
        .await
        .unwrap();
    let last = boss
        .call("access_super_admin_remove", &signed(&boss_userid, PASSWORD))
        .await;
    assert_eq!(last.field_code("person"), Some("employee.last_super_admin"));
}
