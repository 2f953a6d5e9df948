use crate::mail::{MailDev, free_port, recipient};
use orgdesk::notify::{
    self, Channel, NewMessage, Template,
    email::EmailTransport,
    sms::{HttpGateway, LogSms, SmsSender},
    worker::{Worker, WorkerSettings},
};
use sqlx::PgPool;
use std::{collections::HashMap, sync::Arc, time::Duration};
use url::Url;

pub fn base_url() -> Url {
    Url::parse("https://orgdesk.example.com/").unwrap()
}

pub async fn worker(
    db: &PgPool,
    smtp_url: &str,
    sms: Arc<dyn SmsSender>,
    settings: WorkerSettings,
) -> Worker {
    let email = EmailTransport::from_config(
        Some(smtp_url),
        Some("Orgdesk <no-reply@orgdesk.example.com>"),
    )
    .unwrap();
    let sealer = notify::outbox::load_sealer(db, None).await.unwrap();
    Worker::new(
        db.clone(),
        sealer,
        Arc::new(email),
        sms,
        base_url(),
        settings,
    )
}

async fn sealer(db: &PgPool) -> orgdesk::server::keys::Sealer {
    notify::outbox::load_sealer(db, None).await.unwrap()
}

fn approved(to: &str, locale: &str) -> NewMessage {
    NewMessage {
        org_id: None,
        channel: Channel::Email,
        recipient: to.into(),
        locale: locale.into(),
        template: Template::RegistrationApproved {
            organisation: "示例科技".into(),
        },
        valid_for: None,
    }
}

async fn enqueue(db: &PgPool, message: &NewMessage, max_attempts: i32) -> uuid::Uuid {
    let mut tx = db.begin().await.unwrap();
    let id = notify::enqueue(&mut tx, &sealer(db).await, message, max_attempts)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[sqlx::test]
async fn a_queued_email_arrives_in_its_language_with_its_link(db: PgPool) {
    let mail = MailDev::start().await;
    let id = enqueue(&db, &approved("admin@shili.example.cn", "zh-CN"), 8).await;
    let w = worker(
        &db,
        &mail.smtp_url(),
        Arc::new(LogSms),
        WorkerSettings::default(),
    )
    .await;
    assert_eq!(w.run_once().await.unwrap(), 1);

    let emails = mail.wait_for(1).await;
    let email = &emails[0];
    assert_eq!(recipient(email), "admin@shili.example.cn");
    assert_eq!(email["subject"], "示例科技 的注册申请已通过");
    assert!(
        email["text"]
            .as_str()
            .unwrap()
            .contains("https://orgdesk.example.com/login")
    );
    let html = email["html"].as_str().unwrap();
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains(r#"href="https://orgdesk.example.com/login""#));

    let row = sqlx::query!(
        "SELECT status, attempts, sent_at, payload FROM outbox WHERE id = $1",
        id
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(row.status, "sent");
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
    assert_eq!(
        row.payload,
        serde_json::json!({}),
        "the payload is forgotten once sent"
    );
    // Nothing is left to send.
    assert_eq!(w.run_once().await.unwrap(), 0);
}

#[sqlx::test]
async fn the_sms_gateway_gets_number_text_and_token(db: PgPool) {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .and(header("authorization", "Bearer gateway-token-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&gateway)
        .await;
    let message = NewMessage {
        org_id: None,
        channel: Channel::Sms,
        recipient: "+8613800138000".into(),
        locale: "zh-CN".into(),
        template: Template::VerificationCode {
            code: "246810".into(),
            ttl_minutes: 10,
        },
        valid_for: None,
    };
    enqueue(&db, &message, 8).await;
    let sms = HttpGateway::new(
        Url::parse(&format!("{}/sms", gateway.uri())).unwrap(),
        Some("gateway-token-1".to_string().into()),
    );
    let w = worker(
        &db,
        "smtp://127.0.0.1:9",
        Arc::new(sms),
        WorkerSettings::default(),
    )
    .await;
    assert_eq!(w.run_once().await.unwrap(), 1);

    let requests = gateway.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["to"], "+8613800138000");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains("246810") && text.starts_with("【Orgdesk】"),
        "{text}"
    );
    let status = sqlx::query_scalar!("SELECT status FROM outbox")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "sent");
}

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

#[sqlx::test]
async fn two_workers_deliver_200_messages_exactly_once(db: PgPool) {
    let mail = MailDev::start().await;
    let sealer = sealer(&db).await;
    let mut tx = db.begin().await.unwrap();
    for i in 0..200 {
        notify::enqueue(
            &mut tx,
            &sealer,
            &approved(&format!("member{i}@example.com"), "en"),
            8,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let settings = WorkerSettings {
        batch: 10,
        concurrency: 4,
        ..WorkerSettings::default()
    };
    let run = |w: Worker| {
        tokio::spawn(async move {
            let mut total = 0;
            loop {
                let n = w.run_once().await.unwrap();
                if n == 0 {
                    break total;
                }
                total += n;
            }
        })
    };
    let a = run(worker(&db, &mail.smtp_url(), Arc::new(LogSms), settings.clone()).await);
    let b = run(worker(&db, &mail.smtp_url(), Arc::new(LogSms), settings).await);
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(a + b, 200, "claims: {a} + {b}");
    assert!(a > 0 && b > 0, "both workers took part: {a} + {b}");

    let emails = mail.wait_for(200).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let emails = if emails.len() == 200 {
        mail.emails().await
    } else {
        emails
    };
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for e in &emails {
        *per_recipient.entry(recipient(e)).or_default() += 1;
    }
    assert_eq!(emails.len(), 200);
    assert_eq!(per_recipient.len(), 200);
    assert!(per_recipient.values().all(|&n| n == 1));
    let unsent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM outbox WHERE status <> 'sent' OR attempts <> 1"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(unsent, 0);
}

#[sqlx::test]
async fn a_late_worker_cannot_settle_a_row_claimed_again(db: PgPool) {
    use orgdesk::notify::outbox;
    let id = enqueue(&db, &approved("late@example.com", "en"), 2).await;

    // The first worker's lease runs out while it is still sending.
    let sealer = sealer(&db).await;
    let first = outbox::claim(&db, &sealer, 10, 0.05).await.unwrap();
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let second = outbox::claim(&db, &sealer, 10, 300.0).await.unwrap();
    assert_eq!(
        second.len(),
        1,
        "the expired lease lets another worker claim"
    );
    assert_ne!(first[0].claim_token, second[0].claim_token);

    // The first worker's late outcome, success or failure, changes nothing.
    assert!(!outbox::mark_sent(&db, &first[0]).await.unwrap());
    assert!(
        !outbox::mark_failed(&db, &first[0], "SMTP: late", 30.0)
            .await
            .unwrap()
    );
    let row = sqlx::query!(
        "SELECT status, attempts, last_error, payload FROM outbox WHERE id = $1",
        id
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(row.status, "sending");
    assert_eq!(row.attempts, 2);
    assert_eq!(row.last_error, None);
    assert_ne!(row.payload, serde_json::json!({}), "the payload is kept");

    // The current claim settles it.
    assert!(
        outbox::mark_failed(&db, &second[0], "SMTP: refused", 30.0)
            .await
            .unwrap()
    );
    let row = sqlx::query!("SELECT status, last_error FROM outbox WHERE id = $1", id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(row.status, "failed");
    assert_eq!(row.last_error.as_deref(), Some("SMTP: refused"));
}

#[sqlx::test]
async fn operators_see_messages_given_up_on_and_no_one_else_does(db: PgPool) {
    use crate::helpers::{Browser, seed_member, seed_organisation, spawn_app};
    let id = enqueue(&db, &approved("zhang.san@example.com", "zh-CN"), 1).await;
    enqueue(&db, &approved("li.si@example.com", "en"), 1).await;
    sqlx::query!(
        "UPDATE outbox SET status = 'failed', attempts = 1, last_error = 'SMTP: connection refused' WHERE id = $1",
        id
    )
    .execute(&db)
    .await
    .unwrap();

    let app = spawn_app(db.clone()).await;
    let mut operator = crate::registration::operator(&app, &db, "ops@orgdesk.example.com").await;
    let page = operator.call("operator_failed_deliveries", &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.json["total"], 1);
    let entry = &page.json["entries"][0];
    assert_eq!(entry["recipient"], "z***@example.com");
    assert_eq!(entry["last_error"], "SMTP: connection refused");
    assert_eq!(entry["template"], "registration_approved");
    assert_eq!(page.json["next_before"], serde_json::Value::Null);

    let home = operator
        .get("/operator")
        .await
        .text()
        .await
        .unwrap()
        .replace("<!>", "");
    assert!(
        home.contains("1 message could not be delivered"),
        "the operator home shows the count"
    );
    let bad = operator
        .call("operator_failed_deliveries", &[("before", "not-an-id")])
        .await;
    assert_eq!(bad.status, 422);

    let org = seed_organisation(&db, "示例科技").await;
    sqlx::query!(
        "UPDATE organisations SET enforce_two_factor = false WHERE id = $1",
        org
    )
    .execute(&db)
    .await
    .unwrap();
    seed_member(
        &db,
        org,
        "super_admin",
        "admin@shili.example.cn",
        "plum orchard at dawn",
    )
    .await;
    let mut admin = Browser::new(&app);
    crate::auth::sign_in_as(
        &mut admin,
        "member",
        "admin@shili.example.cn",
        "plum orchard at dawn",
    )
    .await;
    assert_eq!(
        admin.call("operator_failed_deliveries", &[]).await.status,
        403
    );
    assert_eq!(
        Browser::new(&app)
            .call("operator_failed_deliveries", &[])
            .await
            .status,
        401
    );
}
