//! Sessions: new ids at every step, cookies, signing out, idle and absolute lifetimes, page guards.
use super::*;
use crate::helpers::{Browser, seed_member, seed_organisation, spawn_app, spawn_app_with};
use sqlx::PgPool;
use std::time::{Duration, Instant};

#[sqlx::test]
pub(super) async fn the_session_id_changes_at_every_sign_in_step_and_old_ids_are_dead(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Fixation Ltd").await;
    seed_member(&db, org, "super_admin", "steps@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);

    // An id planted before sign-in is not adopted.
    let planted = "AAAAAAAAAAAAAAAAAAAAAA".to_owned();
    b.session = Some(planted.clone());
    signed_in_at(&mut b, "steps@example.com", "must_enrol").await;
    let must_enrol = b.session.clone().unwrap();
    assert_ne!(must_enrol, planted);
    // Enrolling finishes the sign-in under yet another id.
    let enrolled = enrol(&mut b).await;
    let after_enrolment = b.session.clone().unwrap();
    assert_ne!(after_enrolment, must_enrol);
    assert_eq!(status_as(&app, "security_overview", &must_enrol).await, 401);
    assert_eq!(
        status_as(&app, "security_overview", &after_enrolment).await,
        200
    );

    // Password step, from a browser that already holds a half-finished sign-in.
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "steps@example.com", "second_factor").await;
    let earlier = b.session.clone().unwrap();
    signed_in_at(&mut b, "steps@example.com", "second_factor").await;
    let password_step = b.session.clone().unwrap();
    assert_ne!(password_step, earlier);
    // Half signed in grants nothing.
    assert_eq!(
        status_as(&app, "security_overview", &password_step).await,
        401
    );
    let me = b.me().await;
    assert_eq!(me.json["stage"], "second_factor", "{}", me.text);
    // A password alone learns nothing about the account.
    for field in ["name", "id"] {
        assert_eq!(me.json[field], "", "{field}: {}", me.text);
    }
    for field in ["email", "mobile", "org_id", "org_name", "role"] {
        assert!(me.json[field].is_null(), "{field}: {}", me.text);
    }

    let step = step_with_at_least(3.0).await;
    let verified = b.verify_second_factor(&code_at(&enrolled.seed, step)).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let signed_in = b.session.clone().unwrap();
    assert_ne!(signed_in, password_step);
    assert_eq!(status_as(&app, "security_overview", &signed_in).await, 200);

    for old in [&planted, &earlier, &password_step] {
        assert_eq!(
            status_as(&app, "security_overview", old).await,
            401,
            "{old}"
        );
        let me = app.post_form_as("/api/me", &[], Some(old)).await;
        assert_eq!(me.status(), 200);
        assert_eq!(me.text().await.unwrap(), "null", "{old}");
    }
}

#[sqlx::test]
pub(super) async fn the_session_cookie_is_http_only_and_same_site(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Cookie Ltd").await;
    seed_member(&db, org, "employee", "cookie@example.com", PASSWORD).await;
    let res = app
        .post_form(
            "/api/sign_in",
            &[
                ("kind", "member"),
                ("identifier", "cookie@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("orgdesk_session="))
        .expect("a session cookie");
    let attributes = cookie.to_ascii_lowercase();
    assert!(attributes.contains("; httponly"), "{cookie}");
    assert!(attributes.contains("; samesite=lax"), "{cookie}");
    assert!(attributes.contains("; path=/"), "{cookie}");
}

#[sqlx::test]
pub(super) async fn signing_out_ends_the_session(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Sign Out Ltd").await;
    seed_member(&db, org, "employee", "out@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "out@example.com", "signed_in").await;
    let session = b.session.clone().unwrap();
    assert_eq!(status_as(&app, "security_overview", &session).await, 200);

    let out = b.call("sign_out", &[]).await;
    assert_eq!(out.status, 200, "{}", out.text);
    assert_eq!(b.session, None, "the cookie is removed");
    assert_eq!(status_as(&app, "security_overview", &session).await, 401);
}

#[sqlx::test]
pub(super) async fn signing_out_everywhere_ends_the_other_sessions_but_keeps_this_one(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Everywhere Ltd").await;
    seed_member(&db, org, "employee", "many@example.com", PASSWORD).await;
    let mut here = Browser::new(&app);
    let mut elsewhere = Browser::new(&app);
    signed_in_at(&mut here, "many@example.com", "signed_in").await;
    signed_in_at(&mut elsewhere, "many@example.com", "signed_in").await;

    let answer = here.call("sign_out_everywhere", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(here.security_overview().await.status, 200);
    assert_eq!(elsewhere.security_overview().await.status, 401);
    // Still alive on the next call too.
    assert_eq!(here.security_overview().await.status, 200);
}

#[sqlx::test]
pub(super) async fn an_idle_session_ends_and_activity_keeps_it_alive(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("SESSION_IDLE_SECS", "2")]).await;
    let org = seed_organisation(&db, "Idle Ltd").await;
    seed_member(&db, org, "employee", "idle@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "idle@example.com", "signed_in").await;

    // Three seconds of use, more than the idle time.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let answer = b.security_overview().await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(b.security_overview().await.status, 401);
}

#[sqlx::test]
pub(super) async fn a_session_ends_at_its_absolute_lifetime_despite_activity(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[("SESSION_IDLE_SECS", "2"), ("SESSION_ABSOLUTE_SECS", "3")],
    )
    .await;
    let org = seed_organisation(&db, "Absolute Ltd").await;
    seed_member(&db, org, "employee", "absolute@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    // The server counts whole seconds; starting early in one keeps the edges clear.
    start_of_a_second().await;
    let signed_in = Instant::now();
    signed_in_at(&mut b, "absolute@example.com", "signed_in").await;

    let last = loop {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let at = signed_in.elapsed();
        let status = b.security_overview().await.status;
        if at < Duration::from_millis(2500) {
            assert_eq!(status, 200, "at {at:?}");
        }
        if at >= Duration::from_secs(4) {
            break status;
        }
    };
    assert_eq!(last, 401, "alive after 4 s of use");
}

#[sqlx::test]
pub(super) async fn disabling_an_account_ends_its_sessions_at_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Disable Ltd").await;
    let id = seed_member(&db, org, "employee", "gone@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "gone@example.com", "signed_in").await;
    assert_eq!(b.security_overview().await.status, 200);

    let mut conn = db.acquire().await.unwrap();
    orgdesk::auth::repo::set_status(&mut conn, id, "disabled")
        .await
        .unwrap();
    drop(conn);
    assert_eq!(b.security_overview().await.status, 401);

    let answer = sign_in(&mut Browser::new(&app), "gone@example.com", PASSWORD).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert_eq!(answer.text, r#"{"kind":"account_disabled"}"#);
}

pub(super) fn location(res: &reqwest::Response) -> String {
    assert!(
        [303, 307].contains(&res.status().as_u16()),
        "status {}",
        res.status()
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[sqlx::test]
pub(super) async fn protected_pages_send_visitors_to_the_step_they_are_at(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut visitor = Browser::new(&app);
    assert_eq!(
        location(&visitor.get("/admin").await),
        "/login?next=%2Fadmin"
    );
    assert_eq!(
        location(&visitor.get("/admin/audit").await),
        "/login?next=%2Fadmin%2Faudit"
    );
    assert_eq!(location(&visitor.get("/operator").await), "/operator/login");

    let (_, _) = enrolled_admin(&app, &db, "pages@example.com").await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "pages@example.com", "second_factor").await;
    for path in ["/admin", "/account/security", "/operator"] {
        assert_eq!(location(&b.get(path).await), "/login/verify", "{path}");
    }

    // Signed in but not enrolled: only the security page is open.
    let org = seed_organisation(&db, "Pages Ltd").await;
    seed_member(&db, org, "super_admin", "unenrolled@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "unenrolled@example.com", "must_enrol").await;
    assert_eq!(location(&b.get("/admin").await), "/account/security");
    assert_eq!(b.admin_audit().await.status, 401);
}

#[sqlx::test]
pub(super) async fn the_sign_in_page_sends_a_signed_in_visitor_home(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Home Again Ltd").await;
    seed_member(&db, org, "employee", "home@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.get("/login").await.status(), 200);
    signed_in_at(&mut b, "home@example.com", "signed_in").await;
    // A member who administers nothing goes to their own home, not the console.
    assert_eq!(location(&b.get("/login").await), "/me");
    assert_eq!(location(&b.get("/admin").await), "/me");
    // Half signed in: the form is still what they need.
    let (_, _) = enrolled_admin(&app, &db, "half@example.com").await;
    let mut half = Browser::new(&app);
    signed_in_at(&mut half, "half@example.com", "second_factor").await;
    assert_eq!(half.get("/login").await.status(), 200);
}
