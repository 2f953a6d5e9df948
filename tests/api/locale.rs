use crate::helpers::spawn_app;
use sqlx::PgPool;

#[sqlx::test]
async fn a_plain_form_post_sets_the_cookie_and_goes_back(db: PgPool) {
    let app = spawn_app(db).await;
    let back_to = app.url("/register");
    let res = app
        .client
        .post(app.url("/api/locale"))
        .header("origin", &app.address)
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", &back_to)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("locale=zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&back_to), "{location}");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("i18n_pref_locale=zh-CN;"), "{cookie}");
    assert!(cookie.contains("Path=/"));
    assert!(cookie.contains("SameSite=Lax"));
}

#[sqlx::test]
async fn an_unknown_language_is_a_field_error(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app
        .client
        .post(app.url("/api/locale"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("locale=fr")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.headers().get("set-cookie").is_none());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "validation");
    assert_eq!(body["fields"][0]["field"], "locale");
    assert_eq!(body["fields"][0]["code"], "validation.choice");
}
