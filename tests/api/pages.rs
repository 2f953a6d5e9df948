use crate::helpers::spawn_app;
use sqlx::PgPool;

#[sqlx::test]
async fn home_is_chinese_for_a_chinese_browser(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app.get_with_language("/", "zh-CN,zh;q=0.9,en;q=0.5").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"<html lang="zh-CN""#),
        "{}",
        &html[..300.min(html.len())]
    );
    assert!(html.contains("注册组织"));
    assert!(!html.contains("Register your organisation"));
}

#[sqlx::test]
async fn home_is_english_for_an_english_browser(db: PgPool) {
    let app = spawn_app(db).await;
    let html = app
        .get_with_language("/", "en-GB,en;q=0.8")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Register your organisation"));
    assert!(!html.contains("注册组织"));
    // Links to registration and sign-in.
    assert!(html.contains(r#"href="/register""#));
    assert!(html.contains(r#"href="/login""#));
}

#[sqlx::test]
async fn the_cookie_wins_over_the_browser_language(db: PgPool) {
    let app = spawn_app(db).await;
    let html = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en")
        .header("cookie", "i18n_pref_locale=zh-CN")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="zh-CN""#));
}

#[sqlx::test]
async fn unknown_paths_get_a_translated_404(db: PgPool) {
    let app = spawn_app(db).await;
    let res = app.get_with_language("/no/such/page", "en").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    let res = app.get_with_language("/no/such/page", "zh-CN").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("页面不存在"));
}

#[sqlx::test]
async fn the_registration_page_lists_what_to_prepare_in_both_languages(db: PgPool) {
    let app = spawn_app(db).await;
    let en = app.get_with_language("/register", "en").await;
    assert_eq!(en.status(), 200);
    let en = en.text().await.unwrap();
    assert!(en.contains("Before you start, have these ready"), "{en}");
    assert!(en.contains("bank account opening permit"));
    assert!(!en.contains("Not available yet"));
    let zh = app
        .get_with_language("/register", "zh-CN")
        .await
        .text()
        .await
        .unwrap();
    assert!(zh.contains("开始之前，请准备好以下材料"), "{zh}");
    assert!(zh.contains("营业执照"), "{zh}");
    assert!(zh.contains("或组织机构代码证"), "{zh}");
}

#[sqlx::test]
async fn text_responses_are_compressed(db: PgPool) {
    let app = spawn_app(db).await;
    // A client that does not decompress, so the header stays visible.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = raw
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

#[sqlx::test]
async fn the_console_sends_visitors_to_sign_in_first(db: PgPool) {
    let app = spawn_app(db).await;
    for (path, to) in [
        ("/admin", "/login?next=%2Fadmin"),
        ("/admin/contacts", "/login?next=%2Fadmin%2Fcontacts"),
        ("/account/security", "/login?next=%2Faccount%2Fsecurity"),
        ("/operator", "/operator/login"),
    ] {
        let res = app.get_with_language(path, "en").await;
        assert!(res.status().is_redirection(), "{path}: {}", res.status());
        assert_eq!(res.headers()["location"], to, "{path}");
    }
    let login = app.get_with_language("/login", "en").await;
    assert_eq!(login.status(), 200);
    let html = login.text().await.unwrap();
    assert!(html.contains("Sign in to your organisation"), "{html}");
    assert!(html.contains(r#"name="identifier""#));
    assert!(html.contains(r#"autocomplete="current-password""#));
}

#[sqlx::test]
async fn the_header_offers_registration_and_sign_in_to_visitors_only(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let header = |html: &str| {
        html.split("</header>")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let visitor = header(&app.get("/").await.text().await.unwrap());
    assert!(visitor.contains(r#"href="/register""#), "{visitor}");
    assert!(visitor.contains(r#"href="/login""#), "{visitor}");

    let (mut admin, _) = crate::helpers::signed_in_admin(
        &app,
        &db,
        "Header Ltd",
        "admin@header.example",
        "header-heron-window-31",
    )
    .await;
    // The signed-in areas render whole on the server (public pages stream the
    // header's answer after the visitor's links, and the browser swaps it in).
    for path in ["/admin", "/account/security"] {
        let signed_in = header(&admin.get(path).await.text().await.unwrap());
        assert!(
            !signed_in.contains(r#"href="/register""#),
            "{path}: {signed_in}"
        );
        assert!(
            !signed_in.contains(r#"href="/login""#),
            "{path}: {signed_in}"
        );
        assert!(
            signed_in.contains(r#"href="/admin""#),
            "{path}: {signed_in}"
        );
    }
}
