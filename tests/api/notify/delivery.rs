//! A queued email and SMS as they arrive.
use super::*;

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
