//! Failures: retried later, given up after their attempts, never sent when rolled back.
use super::*;

#[sqlx::test]
async fn a_gateway_error_is_retried_later(db: PgPool) {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&gateway)
        .await;
    let message = NewMessage {
        org_id: None,
        channel: Channel::Sms,
        recipient: "+8613800138000".into(),
        locale: "en".into(),
        template: Template::VerificationCode {
            code: "135790".into(),
            ttl_minutes: 10,
        },
        valid_for: None,
    };
    enqueue(&db, &message, 8).await;
    let sms = HttpGateway::new(Url::parse(&gateway.uri()).unwrap(), None);
    let w = worker(
        &db,
        "smtp://127.0.0.1:9",
        Arc::new(sms),
        WorkerSettings::default(),
    )
    .await;
    w.run_once().await.unwrap();
    let row = sqlx::query!(
        r#"SELECT status, last_error, next_attempt_at > now() + interval '20 seconds' AS "later!" FROM outbox"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(row.status, "pending");
    assert!(row.last_error.unwrap().contains("503"));
    assert!(row.later, "the first retry waits about 30 seconds");
}

#[sqlx::test]
async fn smtp_down_then_back_delivers_once(db: PgPool) {
    let port = free_port();
    let id = enqueue(&db, &approved("later@example.com", "en"), 8).await;
    let w = worker(
        &db,
        &format!("smtp://127.0.0.1:{port}"),
        Arc::new(LogSms),
        WorkerSettings::default(),
    )
    .await;

    // Nothing listens yet: the attempt fails and is scheduled again.
    assert_eq!(w.run_once().await.unwrap(), 1);
    let row = sqlx::query!(
        "SELECT status, attempts, last_error FROM outbox WHERE id = $1",
        id
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.last_error.is_some());
    // Not due yet: nothing is claimed.
    assert_eq!(w.run_once().await.unwrap(), 0);

    let mail = MailDev::start_on(port).await;
    // Let the backoff pass.
    sqlx::query!("UPDATE outbox SET next_attempt_at = now()")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(w.run_once().await.unwrap(), 1);
    let emails = mail.wait_for(1).await;
    assert_eq!(emails.len(), 1);
    assert_eq!(recipient(&emails[0]), "later@example.com");
    assert_eq!(emails[0]["subject"], "示例科技 is approved on Orgdesk");
    let row = sqlx::query!("SELECT status, attempts FROM outbox WHERE id = $1", id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
}

#[sqlx::test]
async fn a_message_is_given_up_after_its_attempts(db: PgPool) {
    let id = enqueue(&db, &approved("never@example.com", "en"), 2).await;
    let w = worker(
        &db,
        &format!("smtp://127.0.0.1:{}", free_port()),
        Arc::new(LogSms),
        WorkerSettings::default(),
    )
    .await;
    w.run_once().await.unwrap();
    sqlx::query!("UPDATE outbox SET next_attempt_at = now()")
        .execute(&db)
        .await
        .unwrap();
    w.run_once().await.unwrap();
    let row = sqlx::query!(
        "SELECT status, attempts, last_error, payload FROM outbox WHERE id = $1",
        id
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(row.status, "failed");
    assert_eq!(row.attempts, 2);
    assert!(row.last_error.unwrap().starts_with("SMTP"));
    assert_eq!(row.payload, serde_json::json!({}));
}

#[sqlx::test]
async fn a_rolled_back_transaction_leaves_no_message(db: PgPool) {
    let mut tx = db.begin().await.unwrap();
    notify::enqueue(
        &mut tx,
        &sealer(&db).await,
        &approved("ghost@example.com", "en"),
        8,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let n = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM outbox"#)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let w = worker(
        &db,
        "smtp://127.0.0.1:9",
        Arc::new(LogSms),
        WorkerSettings::default(),
    )
    .await;
    assert_eq!(w.run_once().await.unwrap(), 0);
}
