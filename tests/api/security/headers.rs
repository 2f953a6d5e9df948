//! What every response carries, and which requests are refused before any function runs.
use crate::helpers::spawn_app;
use sqlx::PgPool;

#[sqlx::test]
async fn cross_origin_posts_to_the_api_are_refused(db: PgPool) {
    let app = spawn_app(db).await;
    for path in ["/api/locale", "/api/anything/else"] {
        let res = app
            .client
            .post(app.url(path))
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("locale=en")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
        assert!(res.headers().get("set-cookie").is_none());
    }
    let res = app
        .client
        .post(app.url("/api/locale"))
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("locale=en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[sqlx::test]
async fn same_origin_posts_pass(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app
        .client
        .post(app.url("/api/locale"))
        .header("origin", &app.address)
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("locale=zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[sqlx::test]
async fn every_response_carries_the_security_headers(db: PgPool) {
    let app = spawn_app(db).await;
    for path in ["/", "/healthz", "/no/such/page", "/favicon.ico"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
    }
}

#[sqlx::test]
async fn inline_scripts_carry_the_nonce_of_the_policy(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app.get("/").await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in policy")
        .to_owned();
    let html = res.text().await.unwrap();
    // An empty placeholder script is never run, so a policy does not apply to it.
    let scripts = html.matches("<script").count() - html.matches("<script></script>").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!(r#"nonce="{nonce}""#)).count(),
        scripts,
        "every script must carry the nonce"
    );
    // A second page gets a different nonce.
    let other = app.get("/").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(csp, other);
}

#[sqlx::test]
async fn every_request_gets_its_own_id(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "forged-by-client")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id, "forged-by-client");
    assert_eq!(id.len(), 32);
    let again = app.get("/healthz").await.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, again);
}
