//! Resetting a forgotten password by code, and telling the owner about resets that were not sent.
use super::*;
use crate::helpers::{
    Answer, Browser, TestApp, seed_member, seed_organisation, spawn_app, spawn_app_with,
};
use sqlx::PgPool;
use std::time::Duration;

/// The reset code queued for `email`, and how many messages it was sent.
pub(super) async fn reset_code(db: &PgPool, email: &str) -> (String, i64) {
    let codes = crate::helpers::queued_codes(db, email).await;
    (
        codes.last().cloned().expect("a message"),
        codes.len() as i64,
    )
}

pub(super) async fn request_reset(app: &TestApp, email: &str) -> Answer {
    Browser::new(app)
        .request_password_reset("member", email)
        .await
}

pub(super) async fn reset(app: &TestApp, email: &str, code: &str) -> Answer {
    Browser::new(app)
        .call(
            "reset_password",
            &[
                ("kind", "member"),
                ("identifier", email),
                ("code", code),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await
}

#[sqlx::test]
pub(super) async fn a_password_reset_works_once_ends_sessions_and_keeps_the_second_factor(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let email = "reset@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let mut before = Browser::new(&app);
    let step = step_with_at_least(3.0).await;
    let answer = second_factor(&mut before, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    // Known and unknown accounts hear the same.
    let known = request_reset(&app, email).await;
    let unknown = request_reset(&app, "stranger@example.com").await;
    assert_eq!(known.status, 200, "{}", known.text);
    assert_eq!((known.status, &known.text), (unknown.status, &unknown.text));
    let strangers: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = $1")
        .bind("stranger@example.com")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(strangers, 0);
    let (code, sent) = reset_code(&db, email).await;
    assert_eq!(sent, 1);

    let done = reset(&app, email, &code).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let again = reset(&app, email, &code).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert_eq!(again.field_code("code"), Some("code.invalid"));

    // Every session of the account ended.
    assert_eq!(before.security_overview().await.status, 401);
    // The old password is gone; the new one still leads to the second factor.
    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, PASSWORD).await.status, 401);
    let answer = sign_in(&mut b, email, NEW_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "second_factor");
    assert_eq!(answer.json["path"], "/login/verify");
    assert_eq!(b.security_overview().await.status, 401);
}

#[sqlx::test]
pub(super) async fn an_expired_reset_code_is_refused(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("CODE_TTL_SECS", "1")]).await;
    let org = seed_organisation(&db, "Expiry Ltd").await;
    let email = "late@example.com";
    seed_member(&db, org, "employee", email, PASSWORD).await;
    assert_eq!(request_reset(&app, email).await.status, 200);
    let (code, _) = reset_code(&db, email).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let answer = reset(&app, email, &code).await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.field_code("code"), Some("code.invalid"));
    // The password did not change.
    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, PASSWORD).await.status, 200);
}

#[sqlx::test]
pub(super) async fn reset_answers_the_same_for_unknown_accounts_wrong_codes_and_malformed_codes(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Oracle Ltd").await;
    let known = "known@example.com";
    seed_member(&db, org, "employee", known, PASSWORD).await;

    // Asking: a known account, the same again inside the cooldown (not sent),
    // and an unknown one read the same.
    let first = request_reset(&app, known).await;
    let within_cooldown = request_reset(&app, known).await;
    let unknown = request_reset(&app, "nobody@example.com").await;
    assert_eq!(first.status, 200, "{}", first.text);
    for other in [&within_cooldown, &unknown] {
        assert_eq!((other.status, &other.text), (first.status, &first.text));
    }
    // The owner can see the request that was not sent.
    let not_sent: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'password.reset_not_sent'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(not_sent.len(), 1);
    assert_eq!(not_sent[0]["reason"], "limit");

    let (code, sent) = reset_code(&db, known).await;
    assert_eq!(sent, 1);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let answers = [
        reset(&app, "nobody@example.com", &code).await,
        reset(&app, "nobody@example.com", "12ab56").await,
        reset(&app, known, &wrong).await,
        reset(&app, known, "12ab56").await,
        reset(&app, known, "1234567").await,
    ];
    assert_eq!(answers[0].status, 422, "{}", answers[0].text);
    assert_eq!(answers[0].field_code("code"), Some("code.invalid"));
    for a in &answers[1..] {
        assert_eq!((a.status, &a.text), (answers[0].status, &answers[0].text));
    }
    // Killing the code with wrong tries changes nothing a stranger can see.
    for _ in 0..5 {
        let a = reset(&app, known, &wrong).await;
        assert_eq!((a.status, &a.text), (answers[0].status, &answers[0].text));
    }
    let dead = reset(&app, known, &code).await;
    assert_eq!(
        (dead.status, &dead.text),
        (answers[0].status, &answers[0].text)
    );
}

#[sqlx::test]
pub(super) async fn a_busy_hasher_does_not_use_up_the_reset_code(db: PgPool) {
    // One hashing slot and almost no patience: a reset that arrives during a
    // storm of sign-ins is answered 429 (busy).
    let mut vars = vec![
        ("PASSWORD_HASH_SLOTS", "1"),
        ("PASSWORD_HASH_QUEUE_MS", "1"),
        ("CODE_RESEND_COOLDOWN_SECS", "0"),
        ("CODE_DAILY_LIMIT", "1000"),
        ("CODE_IP_HOURLY_LIMIT", "1000"),
    ];
    vars.extend(HIGH_IP_LIMITS);
    let app = spawn_app_with(db.clone(), &vars).await;
    let org = seed_organisation(&db, "Busy Ltd").await;
    let email = "busy@example.com";
    seed_member(&db, org, "employee", email, PASSWORD).await;
    for round in 0..30 {
        assert_eq!(request_reset(&app, email).await.status, 200);
        let (code, _) = reset_code(&db, email).await;
        // Spread over some 150 ms, so the one slot is busy whenever the
        // reset (which first checks its new password against the
        // blocklists) reaches the hasher. Each sign-in names an address of
        // its own: unknown addresses are hashed all the same, and none of
        // them is slowed down by its own failures (one account would be
        // after five, and hash no more).
        let storm = (0..10u64).map(|i| {
            let app = &app;
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(i * 15)).await;
                sign_in(
                    &mut Browser::new(app),
                    &format!("storm-{round}-{i}@example.com"),
                    "wrong password",
                )
                .await
            }
        });
        let (busy, _) = tokio::join!(reset(&app, email, &code), futures::future::join_all(storm));
        if busy.status != 429 {
            continue;
        }
        // Once the storm has passed, the same code still works.
        let done = reset(&app, email, &code).await;
        assert_eq!(done.status, 200, "{}", done.text);
        return;
    }
    panic!("no reset met a busy hasher in 30 storms");
}

#[sqlx::test]
pub(super) async fn resets_that_were_not_sent_are_told_to_the_owner_after_sign_in(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = organisation_without_two_factor(&db, "Told Ltd").await;
    let email = "told@example.com";
    seed_member(&db, org, "super_admin", email, PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, email, "signed_in").await;
    let nothing = b.security_notice().await;
    assert_eq!(nothing.status, 200, "{}", nothing.text);
    assert!(nothing.json.is_null(), "{}", nothing.text);

    // Someone asks three times within the cooldown: one is sent, two are not.
    for _ in 0..3 {
        assert_eq!(request_reset(&app, email).await.status, 200);
    }
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, email, "signed_in").await;
    let told = b.security_notice().await;
    assert_eq!(told.json["resets_not_sent"], 2, "{}", told.text);
    // The console shows it, in the owner's language.
    let page = b.get("/admin").await.text().await.unwrap();
    assert!(page.contains("data-notice=\"resets-not-sent\""), "{page}");

    // Dismissed, it stays away until something new happens.
    assert_eq!(b.call("dismiss_security_notice", &[]).await.status, 200);
    assert!(b.security_notice().await.json.is_null());
    // Strangers get nothing.
    assert_eq!(Browser::new(&app).security_notice().await.status, 401);
}
