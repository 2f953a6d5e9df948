//! Resuming in another browser, the same answer whether or not an application waits, and the daily cap per network.
use super::*;
use crate::helpers::{Browser, spawn_app, spawn_app_with};
use sqlx::PgPool;

#[sqlx::test]
pub(super) async fn an_application_resumes_in_another_browser_with_a_code_to_a_proven_address(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(11);
    let mut first = Browser::new(&app);
    start(&mut first).await;
    ok(&organisation_step(&mut first, &a).await);
    prove(&mut first, &db, "email", &a.email, &a.email).await;

    let mut second = Browser::new(&app);
    assert!(application(&mut second).await.is_null());
    // An address no application uses gets the same answer and no code.
    let unknown = second.resume_code("nobody@example.com").await;
    ok(&unknown);
    let queued: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = 'nobody@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(queued, 0);
    // The unproven mobile does not resume it either.
    ok(&second.resume_code(&a.mobile).await);
    let sms: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = $1")
        .bind(a.mobile_e164())
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sms, 0);

    // The proven email does (after the registration code's cooldown).
    sqlx::query("UPDATE one_time_codes SET created_at = created_at - interval '2 minutes'")
        .execute(&db)
        .await
        .unwrap();
    ok(&second.resume_code(&a.email).await);
    let code = last_code(&db, &a.email).await;
    let wrong = second
        .resume(&a.email, if code == "123456" { "654321" } else { "123456" })
        .await;
    assert_eq!(wrong.field_code("code"), Some("code.invalid"));
    ok(&second.resume(&a.email, &code).await);
    let resumed = application(&mut second).await;
    assert_eq!(resumed["org_name"], a.org.as_str());
    assert_eq!(resumed["email_verified"], true);
}

#[sqlx::test]
pub(super) async fn resuming_answers_the_same_whether_or_not_an_application_waits(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(12);
    let mut first = Browser::new(&app);
    start(&mut first).await;
    ok(&organisation_step(&mut first, &a).await);
    prove(&mut first, &db, "email", &a.email, &a.email).await;

    // Asking for a code: a known address, the same inside its cooldown, the
    // same past its daily cap, and an unknown address read the same.
    let mut stranger = Browser::new(&app);
    let known = stranger.resume_code(&a.email).await;
    let cooldown = stranger.resume_code(&a.email).await;
    sqlx::query(
        "INSERT INTO one_time_codes (id, purpose, destination, code_hash, expires_at, created_at, superseded_at)
         SELECT gen_random_uuid(), 'resume_registration', $1, '\\x00', now(), now() - interval '2 hours', now()
           FROM generate_series(1, 10)",
    )
    .bind(format!("email:{}", a.email))
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("UPDATE one_time_codes SET created_at = created_at - interval '2 minutes' WHERE superseded_at IS NULL")
        .execute(&db)
        .await
        .unwrap();
    let capped = stranger.resume_code(&a.email).await;
    let unknown = stranger.resume_code("nobody@example.com").await;
    assert_eq!(known.status, 200, "{}", known.text);
    for other in [&cooldown, &capped, &unknown] {
        assert_eq!((other.status, &other.text), (known.status, &known.text));
    }

    // Resuming: an unknown address, a wrong code and a malformed one read the same.
    let code = last_code(&db, &a.email).await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let answers = [
        stranger.resume("nobody@example.com", wrong).await,
        stranger.resume(&a.email, wrong).await,
        stranger.resume(&a.email, "12ab56").await,
    ];
    assert_eq!(answers[0].status, 422, "{}", answers[0].text);
    assert_eq!(answers[0].field_code("code"), Some("code.invalid"));
    for other in &answers[1..] {
        assert_eq!(
            (other.status, &other.text),
            (answers[0].status, &answers[0].text)
        );
    }
    ok(&stranger.resume(&a.email, &code).await);
}

#[sqlx::test]
pub(super) async fn one_network_starts_a_bounded_number_of_applications_a_day(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("REGISTRATION_DRAFTS_PER_IP_DAY", "2")]).await;
    for _ in 0..2 {
        ok(&Browser::new(&app).start_registration().await);
    }
    let third = Browser::new(&app).start_registration().await;
    assert_eq!(third.status, 429, "{}", third.text);
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM registrations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(drafts, 2);
}
