//! Limits that keep one client, or one organisation, from taking the
//! server: the concurrency and time limits of `/api/*`, and housekeeping.
use crate::helpers::{TestApp, spawn_app_with};
use orgdesk::server::housekeeping::{Retention, run_once};
use orgdesk::storage::DocumentStore;
use sqlx::PgPool;

async fn sign_in(app: &TestApp, i: usize) -> reqwest::Response {
    app.client
        .post(app.url("/api/sign_in"))
        .form(&[
            ("kind", "member"),
            ("identifier", &format!("nobody{i}@example.com")),
            ("password", "not-a-password-here"),
        ])
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn past_the_concurrency_limit_requests_are_shed_at_once(db: PgPool) {
    let app = spawn_app_with(db, &[("API_MAX_CONCURRENT", "1")]).await;
    let answers = futures::future::join_all((0..12).map(|i| sign_in(&app, i))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    let shed: Vec<&reqwest::Response> = answers.iter().filter(|r| r.status() == 503).collect();
    assert!(!shed.is_empty(), "nothing was shed: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(shed[0].headers()["retry-after"], "1");
    // Pages are not under the limit.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[sqlx::test]
async fn a_request_past_its_time_is_answered_busy(db: PgPool) {
    let app = spawn_app_with(db, &[("API_TIMEOUT_MS", "1")]).await;
    let res = sign_in(&app, 0).await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "too_many_requests", "{body}");
}

#[sqlx::test]
async fn housekeeping_removes_what_is_finished_and_only_that(db: PgPool) {
    let dir = std::env::temp_dir().join(format!("orgdesk-hk-{}", uuid::Uuid::now_v7()));
    let store = DocumentStore::local(&dir).unwrap();
    let exec = |sql: &'static str| {
        let db = db.clone();
        async move { sqlx::query(sql).execute(&db).await.unwrap() }
    };
    // Codes: one used long ago, one pending now.
    exec("INSERT INTO one_time_codes (id, purpose, destination, code_hash, created_at, expires_at, consumed_at)
          VALUES (gen_random_uuid(), 'reset_password', 'a@example.com', '\\x00', now() - interval '3 days',
                  now() - interval '3 days', now() - interval '3 days'),
                 (gen_random_uuid(), 'reset_password', 'b@example.com', '\\x00', now(), now() + interval '10 minutes', NULL)").await;
    // Messages: one sent 40 days ago, one sent today, one pending.
    exec("INSERT INTO outbox (id, channel, recipient, locale, template, payload, status, created_at)
          VALUES (gen_random_uuid(), 'email', 'old@example.com', 'en', 'x', '{}', 'sent', now() - interval '40 days'),
                 (gen_random_uuid(), 'email', 'new@example.com', 'en', 'x', '{}', 'sent', now()),
                 (gen_random_uuid(), 'email', 'due@example.com', 'en', 'x', '{}', 'pending', now() - interval '40 days')").await;
    // Drafts: one untouched for 31 days with a document, one from today.
    let old = uuid::Uuid::now_v7();
    let fresh = uuid::Uuid::now_v7();
    sqlx::query("INSERT INTO registrations (id, updated_at) VALUES ($1, now() - interval '31 days'), ($2, now())")
        .bind(old)
        .bind(fresh)
        .execute(&db)
        .await
        .unwrap();
    let key = format!("registrations/{old}/licence-1");
    std::fs::create_dir_all(dir.join(format!("registrations/{old}"))).unwrap();
    std::fs::write(dir.join(&key), b"%PDF-1.4").unwrap();
    sqlx::query(
        "INSERT INTO registration_documents (registration_id, kind, storage_key, content_type, size_bytes, sha256, file_name)
         VALUES ($1, 'licence', $2, 'application/pdf', 8, 'x', 'l.pdf')",
    )
    .bind(old)
    .bind(&key)
    .execute(&db)
    .await
    .unwrap();

    // While another instance runs it, this one does not.
    let mut other = db.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('orgdesk housekeeping', 0))")
        .execute(&mut *other)
        .await
        .unwrap();
    assert_eq!(
        run_once(&db, &store, &Retention::default()).await.unwrap(),
        None
    );
    other.rollback().await.unwrap();

    let report = run_once(&db, &store, &Retention::default())
        .await
        .unwrap()
        .expect("ran");
    assert_eq!(report.codes, 1, "{report:?}");
    assert_eq!(report.messages, 1, "{report:?}");
    assert_eq!(report.drafts, 1, "{report:?}");
    assert_eq!(report.files, 1, "{report:?}");
    assert!(!dir.join(&key).exists(), "the draft's file is gone");
    let left: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox ORDER BY recipient")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(left, ["due@example.com", "new@example.com"]);
    let drafts: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM registrations")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(drafts, [fresh]);
    let codes: i64 = sqlx::query_scalar("SELECT count(*) FROM one_time_codes")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(codes, 1);
    // A second run finds nothing more.
    let again = run_once(&db, &store, &Retention::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.drafts + again.messages + again.codes, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
