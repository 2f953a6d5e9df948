use crate::helpers::{spawn_app, spawn_app_without_database};
use sqlx::PgPool;

#[sqlx::test]
async fn healthz_is_200_when_the_database_answers(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_down() {
    let app = spawn_app_without_database().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "unavailable");
}
