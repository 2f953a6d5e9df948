//! The security check-up: one test per finding, and the fixes.
use super::*;
use crate::helpers::queued_messages;

async fn checkup(b: &mut Browser<'_>) -> serde_json::Value {
    let a = b.call("security_checkup", &[]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

fn named(finding: &serde_json::Value) -> Vec<String> {
    finding["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn sql(db: &PgPool, statement: &str, id: Uuid) {
    sqlx::query(statement).bind(id).execute(db).await.unwrap();
}

#[sqlx::test]
async fn administrators_without_a_second_factor_are_listed_and_reminded_once_a_day(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        ..
    } = branches(&app, &db).await;
    let deputy = person(&mut boss, &db, "副手", "deputy@example.com", &[&east]).await;
    person(&mut boss, &db, "普通成员", "plain@example.com", &[&east]).await;
    crate::helpers::seed_admin_group(
        &db,
        org,
        "通讯录",
        &["contacts.view"],
        "organisation",
        &[],
        &[deputy],
    )
    .await;
    let c = checkup(&mut boss).await;
    let mut who = named(&c["without_second_factor"]);
    who.sort();
    assert_eq!(who, ["boss", "副手"]);
    assert_eq!(
        c["super_admins"], 1,
        "one super administrator is a finding too"
    );
    let fixed = boss
        .call("security_checkup_fix", &[("fix", "remind_second_factor")])
        .await;
    assert_eq!(fixed.json, 2, "{}", fixed.text);
    let told = queued_messages(&db, "deputy@example.com", Some("second_factor_reminder")).await;
    assert_eq!(told.len(), 1);
    assert!(
        queued_messages(&db, "plain@example.com", Some("second_factor_reminder"))
            .await
            .is_empty()
    );
    // Not again the same day.
    let again = boss
        .call("security_checkup_fix", &[("fix", "remind_second_factor")])
        .await;
    assert_eq!(again.json, 0, "{}", again.text);
    let unknown = boss
        .call("security_checkup_fix", &[("fix", "delete_everyone")])
        .await;
    assert_eq!(unknown.field_code("fix"), Some("validation.choice"));
    // Only for those who may change the security settings.
    let mut plain = signed_in(&app, "plain@example.com").await;
    assert_eq!(plain.call("security_checkup", &[]).await.status, 403);
    assert_eq!(
        plain
            .call("security_checkup_fix", &[("fix", "end_stale_sessions")])
            .await
            .status,
        403
    );
}

#[sqlx::test]
async fn people_never_activated_after_a_week_are_listed(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    let old = crate::contacts::create_employee(
        &mut boss,
        "老新人",
        &[&east],
        &[("mobile", "13800138001")],
    )
    .await;
    crate::contacts::create_employee(&mut boss, "新新人", &[&east], &[("mobile", "13800138002")])
        .await;
    let old: Uuid = old.json.as_str().unwrap().parse().unwrap();
    assert_eq!(checkup(&mut boss).await["not_activated"]["total"], 0);
    sql(
        &db,
        "UPDATE accounts SET created_at = now() - interval '8 days' WHERE id = $1",
        old,
    )
    .await;
    let c = checkup(&mut boss).await;
    assert_eq!(named(&c["not_activated"]), ["老新人"]);
}

#[sqlx::test]
async fn departed_people_still_signed_in_are_listed_and_signed_out(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    let gone = person(&mut boss, &db, "离职者", "gone@example.com", &[&east]).await;
    let mut g = signed_in(&app, "gone@example.com").await;
    assert_eq!(
        checkup(&mut boss).await["departed_with_sessions"]["total"],
        0
    );
    // Marked departed behind the console's back (an import, a script):
    // the session lives on until the check-up ends it.
    sql(
        &db,
        "UPDATE accounts SET status = 'departed' WHERE id = $1",
        gone,
    )
    .await;
    let c = checkup(&mut boss).await;
    assert_eq!(named(&c["departed_with_sessions"]), ["离职者"]);
    let fixed = boss
        .call("security_checkup_fix", &[("fix", "end_departed_sessions")])
        .await;
    assert_eq!(fixed.json, 1, "{}", fixed.text);
    assert_eq!(
        checkup(&mut boss).await["departed_with_sessions"]["total"],
        0
    );
    sql(
        &db,
        "UPDATE accounts SET status = 'active' WHERE id = $1",
        gone,
    )
    .await;
    assert_eq!(g.security_overview().await.status, 401);
}

#[sqlx::test]
async fn sessions_older_than_the_policy_are_listed_and_ended(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    let member = person(&mut boss, &db, "老会话", "old@example.com", &[&east]).await;
    let mut m = signed_in(&app, "old@example.com").await;
    sql(
        &db,
        "UPDATE account_sessions SET started_at = now() - interval '13 hours' WHERE account_id = $1",
        member,
    )
    .await;
    let c = checkup(&mut boss).await;
    assert_eq!(named(&c["stale_sessions"]), ["老会话"]);
    let fixed = boss
        .call("security_checkup_fix", &[("fix", "end_stale_sessions")])
        .await;
    assert_eq!(fixed.json, 1, "{}", fixed.text);
    assert_eq!(m.security_overview().await.status, 401);
    assert_eq!(checkup(&mut boss).await["stale_sessions"]["total"], 0);
}

#[sqlx::test]
async fn lockouts_and_undelivered_messages_of_the_week_are_counted(db: PgPool) {
    let app = crate::helpers::spawn_app_with(
        db.clone(),
        &[("AUTH_DELAY_AFTER", "10"), ("AUTH_LOCK_AFTER", "3")],
    )
    .await;
    let Branches {
        mut boss,
        org,
        east,
        ..
    } = branches(&app, &db).await;
    let locked = person(&mut boss, &db, "被锁者", "locked@example.com", &[&east]).await;
    let mut stranger = Browser::new(&app);
    for _ in 0..3 {
        stranger
            .sign_in("member", "locked@example.com", "not the password at all")
            .await;
    }
    let c = checkup(&mut boss).await;
    assert_eq!(named(&c["lockouts"]), ["被锁者"], "{c}");
    let _ = locked;
    assert_eq!(c["failed_messages"], 0);
    let fixed = boss
        .call("security_checkup_fix", &[("fix", "remind_second_factor")])
        .await;
    assert_eq!(fixed.status, 200);
    sqlx::query("UPDATE outbox SET status = 'failed' WHERE org_id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(checkup(&mut boss).await["failed_messages"], 1);
}
