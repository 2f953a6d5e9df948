//! Client addresses and request ids through proxies, trusted and not.
use crate::helpers::spawn_app;
use sqlx::PgPool;

/// Asks for a reset code from behind a proxy that forwards `forwarded_for`;
/// returns the answer's request id and the client IP the server counted.
async fn reset_request_via_proxy(
    app: &crate::helpers::TestApp,
    db: &PgPool,
    forwarded_for: &str,
    request_id: &str,
) -> (String, String) {
    let res = app
        .client
        .post(app.url("/api/request_password_reset"))
        .header("x-forwarded-for", forwarded_for)
        .header("x-request-id", request_id)
        .form(&[("kind", "member"), ("identifier", "nobody@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let ip: String =
        sqlx::query_scalar("SELECT host(client_ip) FROM code_requests ORDER BY id DESC LIMIT 1")
            .fetch_one(db)
            .await
            .unwrap();
    (id, ip)
}

#[sqlx::test]
async fn forwarded_addresses_and_request_ids_count_only_from_trusted_proxies(db: PgPool) {
    // The test client connects from 127.0.0.1: without TRUSTED_PROXIES its
    // headers are its own word and are ignored.
    let direct = spawn_app(db.clone()).await;
    let (id, ip) = reset_request_via_proxy(&direct, &db, "203.0.113.9", "edge-4f2a9c").await;
    assert_eq!(ip, "127.0.0.1");
    assert_ne!(id, "edge-4f2a9c", "a client cannot choose its request id");

    // Behind a trusted proxy, the client is the first untrusted hop from the
    // right (a fake entry the client wrote on the left is not believed), and
    // the proxy's request id follows the request.
    let proxied =
        crate::helpers::spawn_app_with(db.clone(), &[("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")])
            .await;
    let (id, ip) = reset_request_via_proxy(
        &proxied,
        &db,
        "198.51.100.1, 203.0.113.9, 10.2.3.4",
        "edge-4f2a9c",
    )
    .await;
    assert_eq!(ip, "203.0.113.9");
    assert_eq!(id, "edge-4f2a9c");
    // A request id that could forge log lines is replaced.
    let (id, _) = reset_request_via_proxy(&proxied, &db, "203.0.113.9", "a b\tc").await;
    assert_ne!(id, "a b\tc");
    assert_eq!(id.len(), 32);

    // The per-IP caps follow the forwarded client, not the proxy.
    let capped = crate::helpers::spawn_app_with(
        db.clone(),
        &[
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("CODE_IP_HOURLY_LIMIT", "2"),
            ("CODE_CHALLENGE_AFTER_PERCENT", "100"),
        ],
    )
    .await;
    sqlx::query("DELETE FROM code_requests")
        .execute(&db)
        .await
        .unwrap();
    let ask = |xff: &'static str| {
        let capped = &capped;
        async move {
            let res = capped
                .client
                .post(capped.url("/api/request_password_reset"))
                .header("x-forwarded-for", xff)
                .form(&[("kind", "member"), ("identifier", "nobody@example.com")])
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };
    assert_eq!(ask("203.0.113.1").await.0, 200);
    assert_eq!(ask("203.0.113.1").await.0, 200);
    let third = ask("203.0.113.1").await;
    assert!(
        third.1.contains("code.ip_limit"),
        "the third from one client: {third:?}"
    );
    assert_eq!(
        ask("198.51.100.1").await.0,
        200,
        "another client is not held up"
    );
}
