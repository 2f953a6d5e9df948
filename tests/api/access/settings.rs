//! The organisation's security settings: checked, signed and audited; the
//! password policy; expiry; two-step verification for everyone.
use super::*;
use crate::helpers::Answer;

/// `security_settings_save` with the defaults but `changes`, signed.
async fn save(b: &mut Browser<'_>, version: &str, changes: &[(&str, &str)]) -> Answer {
    let mut form = vec![
        ("version", version),
        ("join_link", "approval"),
        ("password", PASSWORD),
    ];
    for (k, v) in changes {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    b.call("security_settings_save", &form).await
}

async fn settings(b: &mut Browser<'_>) -> serde_json::Value {
    let a = b.call("security_settings", &[]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

async fn change_password(b: &mut Browser<'_>, new: &str) -> Answer {
    b.call(
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", new),
            ("code", ""),
        ],
    )
    .await
}

#[sqlx::test]
async fn settings_are_bounded_signed_stale_checked_and_audited(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, org, .. } = branches(&app, &db).await;
    let s = settings(&mut boss).await;
    assert_eq!(s["password_expiry_days"], 0);
    assert_eq!(s["join_link"], "approval");
    assert_eq!(s["audit_retention_days"], 180);
    let server_idle = s["server_idle_minutes"].as_i64().unwrap();

    let before = snapshot(&db).await;
    let too_idle = (server_idle + 1).to_string();
    let bad = save(
        &mut boss,
        "0",
        &[
            ("password_min_length", "7"),
            ("password_expiry_days", "7"),
            ("session_idle_minutes", &too_idle),
            ("session_absolute_hours", "twelve"),
            ("join_link", "everyone"),
            ("audit_retention_days", "90"),
            ("invitation_days", "31"),
        ],
    )
    .await;
    for field in [
        "password_min_length",
        "password_expiry_days",
        "session_idle_minutes",
        "session_absolute_hours",
        "audit_retention_days",
        "invitation_days",
    ] {
        assert_eq!(
            bad.field_code(field),
            Some("security.out_of_bounds"),
            "{field}"
        );
    }
    assert_eq!(bad.field_code("join_link"), Some("validation.choice"));
    let unsigned = boss
        .call(
            "security_settings_save",
            &[("version", "0"), ("join_link", "approval")],
        )
        .await;
    assert_eq!(unsigned.field_code("password"), Some("password.required"));
    assert_eq!(snapshot(&db).await, before);

    let saved = save(
        &mut boss,
        "0",
        &[
            ("password_min_length", "20"),
            ("password_expiry_days", "90"),
            ("join_link", "off"),
            ("audit_retention_days", "365"),
            ("invitation_days", "14"),
            ("invitation_reminders", "true"),
            ("directory_hides_contacts", "true"),
        ],
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let s = settings(&mut boss).await;
    assert_eq!(s["invitation_days"], 14);
    assert_eq!(s["directory_hides_contacts"], true);
    assert_eq!(s["audit_retention_days"], 365);
    assert_eq!(s["password_min_length"], 20);
    assert_eq!(s["password_expiry_days"], 90);
    assert_eq!(s["two_factor_admins"], false);
    assert_eq!(s["version"], 1);
    let stale = save(&mut boss, "0", &[]).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let details = crate::contacts::audit_details(&db, org, "security.settings_changed").await;
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["before"]["password_expiry_days"], 0);
    assert_eq!(details[0]["after"]["password_expiry_days"], 90);
    assert_eq!(details[0]["after"]["join_link"], "off");
    assert_eq!(details[0]["after"]["audit_retention_days"], 365);
    assert!(details[0]["after"].get("session_idle_minutes").is_none());

    // A shorter audit retention waits 30 days behind the longer one.
    let shorter = save(
        &mut boss,
        "1",
        &[
            ("password_min_length", "20"),
            ("password_expiry_days", "90"),
            ("join_link", "off"),
            ("audit_retention_days", "200"),
        ],
    )
    .await;
    assert_eq!(shorter.status, 200, "{}", shorter.text);
    let (days, held, waits): (i32, Option<i32>, bool) = sqlx::query_as(
        "SELECT audit_retention_days, audit_retention_held_days,
                audit_retention_held_until > now() + interval '29 days'
           FROM organisations WHERE id = $1",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((days, held, waits), (200, Some(365), true));

    // Two-step verification for administrators: one signed in without it
    // (this one) is asked to set it up before anything else.
    let on = save(
        &mut boss,
        "2",
        &[
            ("two_factor_admins", "true"),
            ("password_min_length", "20"),
            ("password_expiry_days", "90"),
            ("join_link", "off"),
            ("audit_retention_days", "365"),
        ],
    )
    .await;
    assert_eq!(on.status, 200, "{}", on.text);
    let me = boss.security_overview().await;
    assert_eq!(me.json["account"]["stage"], "must_enrol", "{}", me.text);
    assert_eq!(boss.call("security_settings", &[]).await.status, 401);
}

#[sqlx::test]
async fn new_passwords_follow_the_organisations_policy(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    person(
        &mut boss,
        &db,
        "王小明",
        "wang.xiaoming@example.com",
        &[&east],
    )
    .await;
    let mut m = signed_in(&app, "wang.xiaoming@example.com").await;
    // No second factor required of members: 15 characters at least.
    let short = change_password(&mut m, "plum orchard").await;
    assert_eq!(
        short.field_code("new_password"),
        Some("password.below_policy")
    );
    // Their name, their address, the organisation's name: refused.
    for personal in [
        "王小明的长长长长长长长长长密码",
        "wang.xiaoming forever and ever",
        "示例集团 is where I work now",
    ] {
        let a = change_password(&mut m, personal).await;
        assert_eq!(
            a.field_code("new_password"),
            Some("password.personal"),
            "{personal}"
        );
    }
    // A breached password from the larger list: refused.
    let common = change_password(&mut m, "californication").await;
    assert_eq!(common.field_code("new_password"), Some("password.common"));
    // The organisation asks for 20.
    let v = settings(&mut boss).await["version"].to_string();
    assert_eq!(
        save(&mut boss, &v, &[("password_min_length", "20")])
            .await
            .status,
        200
    );
    let a = change_password(&mut m, "plum orchard at dusk").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = change_password(&mut m, "plum orchard at noon").await;
    assert_eq!(
        a.field_code("current_password"),
        Some("auth.wrong_password")
    );
}

#[sqlx::test]
async fn an_expired_password_is_changed_before_anything_else(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    let deputy = person(&mut boss, &db, "华东经理", "east@example.com", &[&east]).await;
    crate::helpers::seed_admin_group(
        &db,
        boss_org(&db).await,
        "华东区管理员",
        &["contacts.view"],
        "organisation",
        &[],
        &[deputy],
    )
    .await;
    let v = settings(&mut boss).await["version"].to_string();
    assert_eq!(
        save(&mut boss, &v, &[("password_expiry_days", "30")])
            .await
            .status,
        200
    );
    let mut m = signed_in(&app, "east@example.com").await;
    assert_eq!(m.first_branch().await.status, 200, "a recent password");
    sqlx::query(
        "UPDATE accounts SET password_changed_at = now() - interval '31 days' WHERE id = $1",
    )
    .bind(deputy)
    .execute(&db)
    .await
    .unwrap();
    // Nothing of the console until the password is changed; the console's
    // pages lead to the security page.
    assert_eq!(m.first_branch().await.status, 403);
    let page = m.get("/admin/contacts").await;
    assert_eq!(page.status(), 303, "{:?}", page.headers());
    assert_eq!(page.headers()["location"], "/account/security");
    let me = m.security_overview().await;
    assert_eq!(me.json["account"]["password_expired"], true);
    // Signing in again lands on the security page.
    let mut again = Browser::new(&app);
    let landed = again.sign_in("member", "east@example.com", PASSWORD).await;
    assert_eq!(landed.json["path"], "/account/security", "{}", landed.text);
    let changed = change_password(&mut m, "a brand new harbour lantern").await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(m.first_branch().await.status, 200);
}

#[sqlx::test]
async fn two_step_verification_for_everyone_asks_members_to_enrol(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    person(&mut boss, &db, "普通成员", "plain@example.com", &[&east]).await;
    let mut already = signed_in(&app, "plain@example.com").await;
    let v = settings(&mut boss).await["version"].to_string();
    let on = save(&mut boss, &v, &[("two_factor_everyone", "true")]).await;
    assert_eq!(on.status, 200, "{}", on.text);
    // A session begun before: enrol before anything else.
    let me = already.security_overview().await;
    assert_eq!(me.json["account"]["stage"], "must_enrol", "{}", me.text);
    assert_eq!(already.call("my_sessions", &[]).await.status, 401);
    let mut m = Browser::new(&app);
    let a = m.sign_in("member", "plain@example.com", PASSWORD).await;
    assert_eq!(a.json["stage"], "must_enrol", "{}", a.text);
}

async fn boss_org(db: &PgPool) -> Uuid {
    sqlx::query_scalar("SELECT org_id FROM accounts WHERE email = 'boss@example.com'")
        .fetch_one(db)
        .await
        .unwrap()
}
