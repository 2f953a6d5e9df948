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

/// Every server function and its arguments; numbers marked `#`. A test
/// below checks that the list names every registered server function.
const SERVER_FUNCTIONS: &[(&str, &[&str])] = &[
    ("admin_audit", &["#before"]),
    ("operator_audit", &["#before"]),
    ("sign_in", &["kind", "identifier", "password", "next"]),
    ("verify_second_factor", &["code"]),
    ("sign_out", &[]),
    ("sign_out_everywhere", &[]),
    ("me", &[]),
    ("security_overview", &[]),
    ("security_notice", &[]),
    ("dismiss_security_notice", &[]),
    ("start_enrolment", &["password", "code"]),
    ("confirm_enrolment", &["code"]),
    ("regenerate_recovery_codes", &["password", "code"]),
    (
        "change_password",
        &["current_password", "new_password", "code"],
    ),
    (
        "request_password_reset",
        &["kind", "identifier", "challenge"],
    ),
    ("code_challenge", &[]),
    (
        "reset_password",
        &["kind", "identifier", "code", "new_password"],
    ),
    ("setup_status", &["token"]),
    ("setup_operator", &["token", "name", "email", "password"]),
    (
        "operator_reset_second_factor",
        &["account_id", "reason", "password", "code"],
    ),
    ("operator_find_members", &["query"]),
    ("contacts_branch", &["department"]),
    ("contacts_children", &["parent"]),
    ("contacts_tree", &["from"]),
    ("contacts_chart", &["from", "#levels"]),
    (
        "contacts_members",
        &["department", "q", "status", "direct", "#page"],
    ),
    ("contacts_find_departments", &["q"]),
    ("contacts_find_people", &["q"]),
    ("contacts_employee", &["id"]),
    ("department_create", &["parent", "name"]),
    ("department_rename", &["id", "name", "#version"]),
    ("department_move", &["id", "parent", "#version"]),
    ("department_reorder", &["id", "#index", "#version"]),
    ("department_delete", &["id", "#version"]),
    ("department_heads", &["id", "heads", "#version"]),
    (
        "employee_create",
        &[
            "name",
            "userid",
            "mobile",
            "email",
            "position",
            "employee_no",
            "gender",
            "hire_date",
            "departments",
            "main_department",
            "managers",
        ],
    ),
    (
        "employee_update",
        &[
            "id",
            "#version",
            "name",
            "userid",
            "mobile",
            "email",
            "position",
            "employee_no",
            "gender",
            "hire_date",
            "departments",
            "main_department",
            "managers",
            "password",
            "code",
        ],
    ),
    ("employee_status", &["id", "status", "#version"]),
    ("operator_failed_deliveries", &["before"]),
    ("locale", &["locale"]),
    ("registration_start", &[]),
    ("registration", &[]),
    (
        "registration_organisation",
        &[
            "org_name",
            "industry",
            "size_band",
            "credit_code",
            "confirm_checksum",
            "province",
            "city",
            "address",
            "intent",
        ],
    ),
    ("registration_send_code", &["channel", "value", "challenge"]),
    ("registration_verify_code", &["channel", "code"]),
    (
        "registration_administrator",
        &["admin_name", "password", "password_confirm", "intent"],
    ),
    (
        "registration_legal",
        &["legal_name", "legal_id_number", "admin_is_legal", "intent"],
    ),
    ("registration_documents", &["intent"]),
    ("registration_remove_document", &["kind"]),
    ("registration_submit", &["accept_terms"]),
    ("registration_resume_code", &["identifier", "challenge"]),
    ("registration_resume", &["identifier", "code"]),
    ("review_queue", &["filter", "#page"]),
    ("review_detail", &["id"]),
    ("review_start", &["id", "#submission_no"]),
    ("review_approve", &["id", "#submission_no"]),
    (
        "review_reject",
        &["id", "#submission_no", "reasons", "note"],
    ),
];

#[test]
fn the_list_names_every_server_function() {
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let listed: std::collections::BTreeSet<String> = SERVER_FUNCTIONS
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(registered, listed);
}

/// A NUL byte, another control character, invalid UTF-8 and an over-long
/// string in every argument of every server function, and a malformed number
/// in every numeric one, each for a stranger, an administrator and an
/// operator: never a 500, and never the decoder's words.
#[sqlx::test]
async fn no_argument_of_any_server_function_answers_500(db: PgPool) {
    use crate::helpers::{Browser, seed_member, seed_organisation};
    const PASSWORD: &str = "plum orchard at dawn";
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Fuzz Ltd").await;
    sqlx::query("UPDATE organisations SET enforce_two_factor = false WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    seed_member(&db, org, "super_admin", "fuzz@example.com", PASSWORD).await;
    let mut admin = Browser::new(&app);
    let signed_in =
        crate::auth::sign_in_as(&mut admin, "member", "fuzz@example.com", PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.start_registration().await.status, 200);
    let operator = crate::registration::operator(&app, &db, "ops@example.com").await;

    let long = "长".repeat(20_000);
    let text_cases: [(&str, &str); 4] = [
        ("nul", "ab\u{0}c"),
        ("escape", "ab\u{1b}c"),
        ("invalid utf-8", "%FF%FE"),
        ("over-long", long.as_str()),
    ];
    let number_cases = ["", "abc", "1.5", "99999999999999999999", "-"];
    let mut seen_500 = Vec::new();
    for browser in [&mut stranger, &mut admin, &mut { operator }] {
        for (endpoint, args) in SERVER_FUNCTIONS {
            if matches!(*endpoint, "sign_out" | "sign_out_everywhere") {
                continue;
            }
            for (i, arg) in args.iter().enumerate() {
                let numeric = arg.starts_with('#');
                let cases: Vec<(String, String)> = text_cases
                    .iter()
                    .map(|(name, v)| (name.to_string(), v.to_string()))
                    .chain(
                        numeric
                            .then(|| {
                                number_cases
                                    .iter()
                                    .map(|v| (format!("number {v:?}"), v.to_string()))
                            })
                            .into_iter()
                            .flatten(),
                    )
                    .collect();
                for (case, value) in cases {
                    let mut form: Vec<(String, String)> = args
                        .iter()
                        .enumerate()
                        .map(|(j, a)| {
                            let name = a.trim_start_matches('#').to_owned();
                            if j == i {
                                (name, value.clone())
                            } else if a.starts_with('#') {
                                (name, "1".to_owned())
                            } else {
                                (name, "x".to_owned())
                            }
                        })
                        .collect();
                    // Invalid UTF-8 can only travel percent-encoded as it is.
                    let raw = case == "invalid utf-8";
                    let body = form
                        .drain(..)
                        .map(|(k, v)| {
                            if raw && v == "%FF%FE" {
                                format!("{k}={v}")
                            } else {
                                format!("{k}={}", urlencode(&v))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("&");
                    let answer = browser.call_raw(endpoint, body).await;
                    if answer.status >= 500 || answer.text.contains("deserializ") {
                        seen_500.push(format!(
                            "{endpoint} {}: {case} -> {} {}",
                            arg.trim_start_matches('#'),
                            answer.status,
                            answer.text.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
        }
    }
    assert!(seen_500.is_empty(), "{}", seen_500.join("\n"));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[sqlx::test]
async fn malformed_arguments_get_a_field_error_not_the_decoders_words(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut operator = crate::registration::operator(&app, &db, "ops@example.com").await;
    for value in ["abc", "1.5", "", "99999999999999999999"] {
        let answer = operator
            .call(
                "review_start",
                &[
                    ("id", "01a2384f-c06f-7157-9c4d-5dfe3ae04ff9"),
                    ("submission_no", value),
                ],
            )
            .await;
        assert_eq!(answer.status, 422, "{value:?}: {}", answer.text);
        assert_eq!(answer.kind(), Some("validation"), "{}", answer.text);
        assert_eq!(answer.json["fields"][0]["code"], "validation.format");
        assert!(!answer.text.contains("deserializ"), "{}", answer.text);
    }
    let nul = operator
        .call("operator_find_members", &[("query", "a\u{0}b")])
        .await;
    assert_eq!(nul.status, 422, "{}", nul.text);
    assert_eq!(
        nul.field_code("query"),
        Some("validation.control_characters")
    );
    let mangled = operator
        .call_raw("operator_find_members", "query=%FF%FE".into())
        .await;
    assert_eq!(mangled.field_code("query"), Some("validation.encoding"));
    let huge = operator
        .call_raw(
            "operator_find_members",
            format!("query={}", "a".repeat(200_000)),
        )
        .await;
    assert_eq!(huge.status, 413, "{}", huge.text);
}

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
