//! The organisation's join link: requests, decisions, rotation and expiry.
use super::*;

/// The organisation's join link, made by its administrator: (path, token).
async fn join_link(b: &mut Browser<'_>) -> String {
    let made = b.call("join_link_rotate", &[]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let v = read(b, "join_link_state", &[]).await;
    assert_eq!(v.status, 200, "{}", v.text);
    let url = v.json["url"].as_str().unwrap().to_owned();
    assert!(v.json["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let path = url::Url::parse(&url).unwrap().path().to_owned();
    assert!(path.starts_with("/join/org/"), "{path}");
    path
}

/// A stranger's browser holding the join link at `path`.
async fn asker<'a>(app: &'a TestApp, path: &str) -> Browser<'a> {
    let mut s = Browser::new(app);
    let res = s.get(path).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/join/request");
    s
}

/// Asks to join as `name` with `mobile` (11 digits), proving it.
async fn ask(s: &mut Browser<'_>, db: &PgPool, name: &str, mobile: &str) -> crate::helpers::Answer {
    let sent = s.call("join_request_code", &[("mobile", mobile)]).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let code = queued_codes(db, &format!("+86{mobile}"))
        .await
        .pop()
        .unwrap();
    let email = format!("{mobile}@ask.test");
    s.call(
        "join_request_submit",
        &[
            ("name", name),
            ("mobile", mobile),
            ("code", &code),
            ("email", &email),
            ("department", "市场部"),
        ],
    )
    .await
}

#[sqlx::test]
async fn a_request_through_the_join_link_is_approved_into_an_invited_employee(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, _) = invited(&app, &db, "acme").await;
    let root = root_id(&mut b).await;
    let path = join_link(&mut b).await;
    let mut s = asker(&app, &path).await;
    let v = read(&mut s, "join_request_state", &[]).await;
    assert_eq!(v.json["Open"]["organisation"], "acme", "{}", v.text);

    let wrong = s
        .call(
            "join_request_submit",
            &[
                ("name", "赵六"),
                ("mobile", "13700137001"),
                ("code", "000000"),
            ],
        )
        .await;
    assert!(wrong.field_code("code").is_some(), "{}", wrong.text);
    let asked = ask(&mut s, &db, "赵六", "13700137001").await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    // Someone already in the organisation asks too: the same answer; the
    // administrators see a duplicate.
    let mut again = asker(&app, &path).await;
    let dup = ask(&mut again, &db, "李四", "13800138111").await;
    assert_eq!(
        (dup.status, dup.text.as_str()),
        (asked.status, asked.text.as_str())
    );

    let list = read(&mut b, "join_requests", &[]).await;
    assert_eq!(list.json["total"], 2, "{}", list.text);
    let items = list.json["items"].as_array().unwrap().clone();
    let zhao = items.iter().find(|r| r["name"] == "赵六").unwrap();
    let li = items.iter().find(|r| r["name"] == "李四").unwrap();
    assert_eq!(
        (zhao["duplicate"].as_bool(), li["duplicate"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(zhao["department"], "市场部");
    assert_eq!(
        read(&mut b, "console_overview", &[]).await.json["pending_join_requests"],
        2
    );

    // Approved into a department: an employee not joined yet, invited by SMS.
    let zhao_id = zhao["id"].as_str().unwrap().to_owned();
    let approved = b
        .call(
            "join_request_approve",
            &[("id", &zhao_id), ("departments[]", &root)],
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(
        count(&db, "SELECT count(*) FROM accounts WHERE org_id = $1 AND mobile = '+8613700137001' AND status = 'not_activated'", org).await,
        1
    );
    assert_eq!(links(&db, "+8613700137001").await.len(), 1);
    // The email was never proven: not the employee's, and nothing goes there.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND email = '13700137001@ask.test'",
            org
        )
        .await,
        0
    );
    assert!(links(&db, "13700137001@ask.test").await.is_empty());
    let twice = b
        .call(
            "join_request_approve",
            &[("id", &zhao_id), ("departments[]", &root)],
        )
        .await;
    assert_eq!(twice.field_code("id"), Some("join_request.decided"));

    // The duplicate is rejected with a reason, told by SMS.
    let li_id = li["id"].as_str().unwrap().to_owned();
    let no_reason = b
        .call("join_request_reject", &[("id", &li_id), ("reason", " ")])
        .await;
    assert_eq!(no_reason.field_code("reason"), Some("validation.required"));
    let rejected = b
        .call(
            "join_request_reject",
            &[("id", &li_id), ("reason", "已在通讯录中")],
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    let told = queued_messages(&db, "+8613800138111", Some("join_request_rejected")).await;
    assert_eq!(told.len(), 1);
    let decided = read(&mut b, "join_requests", &[("status", "decided")]).await;
    assert_eq!(decided.json["total"], 2);

    // A new link kills the old one, printed posters included.
    let fresh = join_link(&mut b).await;
    assert_ne!(fresh, path);
    let mut late = asker(&app, &path).await;
    assert_eq!(
        read(&mut late, "join_request_state", &[]).await.json,
        "NoLink"
    );
    // One who held the old link and opens another that does not work holds none.
    let mut held = asker(&app, &fresh).await;
    assert!(
        read(&mut held, "join_request_state", &[])
            .await
            .json
            .get("Open")
            .is_some()
    );
    let _ = held.get(&path).await;
    assert_eq!(
        read(&mut held, "join_request_state", &[]).await.json,
        "NoLink"
    );
    let refused = s
        .call("join_request_code", &[("mobile", "13700137002")])
        .await;
    assert_eq!(
        refused.field_code("link"),
        Some("join_link.dead"),
        "{}",
        refused.text
    );
    // Switched off in the security policy, or past its 7 days: dead too.
    let mut current = asker(&app, &fresh).await;
    sqlx::query("UPDATE join_links SET expires_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        read(&mut current, "join_request_state", &[]).await.json,
        "Dead"
    );
    assert_eq!(b.call("join_link_renew", &[]).await.status, 200);
    assert!(
        read(&mut current, "join_request_state", &[])
            .await
            .json
            .get("Open")
            .is_some()
    );
    sqlx::query("UPDATE organisations SET join_link = 'off' WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        read(&mut current, "join_request_state", &[]).await.json,
        "Dead"
    );

    // Another organisation's administrator sees none of it.
    let (mut other, _) = admin(&app, &db, "globex", "admin@globex.test").await;
    assert_eq!(
        read(&mut other, "join_requests", &[("status", "decided")])
            .await
            .json["total"],
        0
    );
    let theirs = other
        .call("join_request_reject", &[("id", &li_id), ("reason", "x")])
        .await;
    assert_eq!(theirs.status, 404, "{}", theirs.text);
    // The QR code downloads for the administrator only.
    let png = b.get("/admin/contacts/join/qr.png").await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..4], b"\x89PNG");
    let stranger = Browser::new(&app).get("/admin/contacts/join/qr.png").await;
    assert!(stranger.status().is_redirection(), "{}", stranger.status());
}
