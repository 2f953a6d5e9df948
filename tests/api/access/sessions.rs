//! Sessions and devices: each person sees and ends their own; an
//! administrator with the permission sees and ends a member's; disabling
//! a person or changing their role ends theirs at once.
use super::*;
use crate::contacts::employee;

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44";

async fn sessions(b: &mut Browser<'_>) -> Vec<serde_json::Value> {
    let a = b.call("my_sessions", &[]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json.as_array().unwrap().clone()
}

async fn count_rows(db: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_person_sees_their_sessions_and_ends_another_one(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches { mut boss, east, .. } = branches(&app, &db).await;
    person(&mut boss, &db, "王小明", "wang@example.com", &[&east]).await;
    let mut laptop = signed_in(&app, "wang@example.com").await;
    let mut phone = Browser::new(&app).with_user_agent(PHONE);
    let a = phone.sign_in("member", "wang@example.com", PASSWORD).await;
    assert_eq!(a.json["stage"], "signed_in", "{}", a.text);

    let list = sessions(&mut laptop).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let this = list.iter().find(|s| s["current"] == true).unwrap();
    let other = list.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(other["browser"], "WeChat");
    assert_eq!(other["system"], "iOS");
    assert_eq!(other["ip"], "127.0.0.1");
    // The session in use is ended by signing out, not from the list.
    let own = laptop
        .call("end_my_session", &[("id", this["id"].as_str().unwrap())])
        .await;
    assert_eq!(own.field_code("id"), Some("session.current"));
    let ended = laptop
        .call("end_my_session", &[("id", other["id"].as_str().unwrap())])
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(
        phone.security_overview().await.status,
        401,
        "the phone is signed out"
    );
    assert_eq!(laptop.security_overview().await.status, 200);
    assert_eq!(sessions(&mut laptop).await.len(), 1);
    assert_eq!(count_rows(&db, "session.ended").await, 1);
    // Another person's session is not found.
    let boss_sessions = sessions(&mut boss).await;
    let theirs = boss
        .call("end_my_session", &[("id", this["id"].as_str().unwrap())])
        .await;
    assert_eq!(theirs.status, 404, "{}", theirs.text);
    assert_eq!(boss_sessions.len(), 1);

    // Changing the password keeps this one listed and working.
    let mut other = signed_in(&app, "wang@example.com").await;
    let changed = laptop
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a kettle of copper herons"),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(other.security_overview().await.status, 401);
    let left = sessions(&mut laptop).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["current"], true);
    sqlx::query("UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE email = 'boss@example.com') WHERE email = 'wang@example.com'")
        .execute(&db)
        .await
        .unwrap();

    // Signing in again in the same browser closes the row of the session it had.
    let mut twice = signed_in(&app, "wang@example.com").await;
    let before = sessions(&mut laptop).await.len();
    let a = twice.sign_in("member", "wang@example.com", PASSWORD).await;
    assert_eq!(a.json["stage"], "signed_in", "{}", a.text);
    assert_eq!(sessions(&mut laptop).await.len(), before);

    // Signing out everywhere else keeps this one listed and working.
    let mut again = signed_in(&app, "wang@example.com").await;
    assert_eq!(
        sessions(&mut laptop).await.len(),
        3,
        "this one, `twice` and `again`"
    );
    assert_eq!(laptop.call("sign_out_everywhere", &[]).await.status, 200);
    assert_eq!(again.security_overview().await.status, 401);
    assert_eq!(twice.security_overview().await.status, 401);
    let left = sessions(&mut laptop).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
}

#[sqlx::test]
async fn an_administrator_sees_and_ends_a_members_sessions_and_disabling_ends_them(db: PgPool) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        south,
        ..
    } = branches(&app, &db).await;
    let member = person(&mut boss, &db, "王小明", "wang@example.com", &[&south]).await;
    let manager = person(&mut boss, &db, "华东经理", "east@example.com", &[&east]).await;
    crate::helpers::seed_admin_group(
        &db,
        org,
        "华东区安全",
        &["security.settings", "contacts.view"],
        "departments",
        &[east.parse().unwrap()],
        &[manager],
    )
    .await;
    let mut m = signed_in(&app, "wang@example.com").await;
    let mut phone = Browser::new(&app).with_user_agent(PHONE);
    assert_eq!(
        phone
            .sign_in("member", "wang@example.com", PASSWORD)
            .await
            .json["stage"],
        "signed_in"
    );
    let member_s = member.to_string();

    // Outside the scoped administrator's subtree: not found.
    let mut east_admin = signed_in(&app, "east@example.com").await;
    let outside = east_admin
        .call("member_sessions", &[("person", &member_s)])
        .await;
    assert_eq!(outside.status, 404, "{}", outside.text);
    let outside = east_admin
        .call("end_member_sessions", &[("person", &member_s)])
        .await;
    assert_eq!(outside.status, 404, "{}", outside.text);
    assert_eq!(m.security_overview().await.status, 200);

    let seen = boss.call("member_sessions", &[("person", &member_s)]).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    let list = seen.json.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|s| s["current"] == false));
    // One of them: the phone.
    let phone_id = list.iter().find(|s| s["browser"] == "WeChat").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = boss
        .call(
            "end_member_sessions",
            &[("person", &member_s), ("id", &phone_id)],
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(phone.security_overview().await.status, 401);
    assert_eq!(m.security_overview().await.status, 200);
    // All of them.
    let all = boss
        .call("end_member_sessions", &[("person", &member_s)])
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(m.security_overview().await.status, 401);
    assert_eq!(count_rows(&db, "session.ended_by_administrator").await, 2);

    // An administrator ending all of their own keeps the one in use.
    let boss_id: String =
        sqlx::query_scalar("SELECT id::text FROM accounts WHERE email = 'boss@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    let mut boss_phone = signed_in(&app, "boss@example.com").await;
    let own = boss
        .call("end_member_sessions", &[("person", &boss_id)])
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(boss_phone.security_overview().await.status, 401);
    assert_eq!(boss.security_overview().await.status, 200);
    // A delegated administrator does not touch a super administrator's.
    let mut east_admin = signed_in(&app, "east@example.com").await;
    let theirs = east_admin
        .call("member_sessions", &[("person", &boss_id)])
        .await;
    assert!(matches!(theirs.status, 403 | 404), "{}", theirs.text);

    // Disabling ends them too, and the list says so.
    let mut m = signed_in(&app, "wang@example.com").await;
    let v = employee(&mut boss, &member_s).await["version"].to_string();
    let disabled = boss.employee_status(&member_s, "disabled", &v).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert_eq!(m.security_overview().await.status, 401);
    let seen = boss.call("member_sessions", &[("person", &member_s)]).await;
    assert_eq!(seen.json, serde_json::json!([]));
}
