//! Undelivered messages as the operators see them.
use super::*;

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
    let page = operator.failed_deliveries().await;
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
    assert_eq!(admin.failed_deliveries().await.status, 403);
    assert_eq!(Browser::new(&app).failed_deliveries().await.status, 401);
}
