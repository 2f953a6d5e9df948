//! Methods, cookies and HSTS.
use crate::helpers::spawn_app;
use sqlx::PgPool;

#[sqlx::test]
async fn a_get_to_a_post_only_function_is_refused_and_never_cached(db: PgPool) {
    let app = spawn_app(db).await;
    for path in [
        "/api/registration_start",
        "/api/sign_in",
        "/api/no_such_function",
    ] {
        let res = app.get(path).await;
        assert!(
            res.status() == 405 || res.status() == 404,
            "{path}: {}",
            res.status()
        );
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
}

/// Signs a member in; returns the answer's set-cookie and HSTS headers.
async fn sign_in_headers(
    app: &crate::helpers::TestApp,
    email: &str,
) -> (Vec<String>, Option<String>) {
    let res = app
        .post_form(
            "/api/sign_in",
            &[
                ("kind", "member"),
                ("identifier", email),
                ("password", "violet-harbour-lantern-58"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let hsts = res
        .headers()
        .get("strict-transport-security")
        .map(|v| v.to_str().unwrap().to_owned());
    (cookies, hsts)
}

#[sqlx::test]
async fn over_https_the_session_cookie_is_host_only_and_secure_and_hsts_is_sent(db: PgPool) {
    let org = crate::helpers::seed_organisation(&db, "Cookie Co").await;
    for email in ["a@cookie.example", "b@cookie.example"] {
        crate::helpers::seed_member(&db, org, "employee", email, "violet-harbour-lantern-58").await;
    }
    let https = crate::helpers::spawn_app_with(
        db.clone(),
        &[("PUBLIC_BASE_URL", "https://od.example.com")],
    )
    .await;
    let (cookies, hsts) = sign_in_headers(&https, "a@cookie.example").await;
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-orgdesk_session="))
        .unwrap_or_else(|| panic!("no __Host- session cookie: {cookies:?}"));
    let attributes: Vec<String> = session
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in ["secure", "httponly", "samesite=lax", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted} missing: {session}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain")),
        "a __Host- cookie names no domain: {session}"
    );
    let hsts = hsts.expect("HSTS over https");
    assert!(hsts.contains("max-age="), "{hsts}");

    // Over plain http (a laptop install): no prefix, no Secure, no HSTS.
    let http = spawn_app(db.clone()).await;
    let (cookies, hsts) = sign_in_headers(&http, "b@cookie.example").await;
    let session = cookies
        .iter()
        .find(|c| c.starts_with("orgdesk_session="))
        .unwrap_or_else(|| panic!("no session cookie: {cookies:?}"));
    assert!(
        !session.to_ascii_lowercase().contains("secure"),
        "{session}"
    );
    assert!(hsts.is_none());
}
