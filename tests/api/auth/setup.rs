//! The first operator's setup link.
use super::*;
use crate::helpers::{Answer, Browser, TestApp, spawn_app, spawn_app_with};
use sqlx::PgPool;

pub(super) async fn setup_token(app: &TestApp, db: &PgPool) -> Option<String> {
    let base = url::Url::parse(&app.address).unwrap();
    let ttl = std::time::Duration::from_secs(24 * 60 * 60);
    let link = orgdesk::auth::setup::first_run_link(db, &base, ttl)
        .await
        .unwrap()?;
    let link = url::Url::parse(&link.url).unwrap();
    assert_eq!(link.path(), "/setup");
    link.query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

/// The setup link's form, sent from a fresh browser with NEW_PASSWORD.
pub(super) async fn setup_operator(app: &TestApp, token: &str, name: &str, email: &str) -> Answer {
    Browser::new(app)
        .setup_operator(token, name, email, NEW_PASSWORD)
        .await
}

#[sqlx::test]
pub(super) async fn the_first_run_link_creates_one_operator_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let token = setup_token(&app, &db).await.expect("a link");
    let status = Browser::new(&app).setup_status(token.as_str()).await;
    assert_eq!(status.text, "true");
    let wrong = Browser::new(&app).setup_status("not-the-token").await;
    assert_eq!(wrong.text, "false");

    let form = [
        ("token", token.as_str()),
        ("name", "First Operator"),
        ("email", "first@example.com"),
        ("password", NEW_PASSWORD),
    ];
    let mut b = Browser::new(&app);
    let answer = b.call("setup_operator", &form).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "must_enrol");
    assert_eq!(answer.json["path"], "/account/security");
    let me = b.me().await;
    assert_eq!(me.json["kind"], "operator", "{}", me.text);
    assert_eq!(me.json["stage"], "must_enrol");
    assert_eq!(me.json["email"], "first@example.com");

    // The token works once.
    let form = [
        ("token", token.as_str()),
        ("name", "Second Operator"),
        ("email", "second@example.com"),
        ("password", NEW_PASSWORD),
    ];
    let again = Browser::new(&app).call("setup_operator", &form).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert_eq!(again.field_code("token"), Some("auth.setup_token"));
    let status = Browser::new(&app).setup_status(token.as_str()).await;
    assert_eq!(status.text, "false");
    let operators: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE kind = 'operator'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(operators, 1);
    // No further links once an operator exists.
    assert_eq!(setup_token(&app, &db).await, None);
}

#[sqlx::test]
pub(super) async fn another_start_leaves_the_first_link_working(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    // Two instances start while no operator exists: each prints its own link.
    let first = setup_token(&app, &db).await.expect("a link");
    let second = setup_token(&app, &db).await.expect("another link");
    assert_ne!(first, second);
    for token in [&first, &second] {
        let status = Browser::new(&app).setup_status(token.as_str()).await;
        assert_eq!(status.text, "true", "{token}");
    }
    let answer = setup_operator(&app, &first, "First Operator", "first@example.com").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // Once an operator exists, the other link is dead too.
    let status = Browser::new(&app).setup_status(second.as_str()).await;
    assert_eq!(status.text, "false");
}

#[sqlx::test]
pub(super) async fn an_expired_setup_link_is_refused_and_dropped(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let token = setup_token(&app, &db).await.expect("a link");
    sqlx::query("UPDATE setup_tokens SET expires_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    let status = Browser::new(&app).setup_status(token.as_str()).await;
    assert_eq!(status.text, "false");
    let answer = setup_operator(&app, &token, "Late Operator", "late@example.com").await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.field_code("token"), Some("auth.setup_token"));
    let operators: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE kind = 'operator'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(operators, 0);
    // The next start drops it and prints a link that works.
    let fresh = setup_token(&app, &db).await.expect("a fresh link");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM setup_tokens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let status = Browser::new(&app).setup_status(fresh.as_str()).await;
    assert_eq!(status.text, "true");
}

#[sqlx::test]
pub(super) async fn guessing_the_setup_token_costs_no_password_hash(db: PgPool) {
    // One hashing slot and almost no patience: guesses that each hashed the
    // password would queue behind one another and get 429 (busy).
    let app = spawn_app_with(
        db.clone(),
        &[
            ("PASSWORD_HASH_SLOTS", "1"),
            ("PASSWORD_HASH_QUEUE_MS", "1"),
        ],
    )
    .await;
    setup_token(&app, &db).await.expect("a link");
    let guesses = (0..16).map(|i| {
        let app = &app;
        async move {
            let token = format!("guess-{i}");
            setup_operator(app, &token, "Stranger", "stranger@example.com").await
        }
    });
    for answer in futures::future::join_all(guesses).await {
        assert_eq!(answer.status, 422, "{}", answer.text);
        assert_eq!(answer.field_code("token"), Some("auth.setup_token"));
    }
}

#[sqlx::test]
pub(super) async fn two_setups_at_once_with_one_link_create_one_operator(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let token = setup_token(&app, &db).await.expect("a link");
    let setup = |email: &'static str| {
        let token = token.clone();
        let app = &app;
        async move { setup_operator(app, &token, "Racer", email).await }
    };
    let (a, b) = tokio::join!(setup("a@example.com"), setup("b@example.com"));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "{} / {}", a.text, b.text);
    let operators: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE kind = 'operator'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(operators, 1);
}
