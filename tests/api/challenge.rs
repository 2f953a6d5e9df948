//! The proof of work of the public endpoints that send a code.
use crate::helpers::{TestApp, spawn_app_with};
use orgdesk::ui::challenge::{Challenge, ChallengeSolution};
use sqlx::PgPool;

/// A fresh challenge from the server, solved as the browser solves it.
async fn solved(app: &TestApp) -> String {
    let res = app.post_form("/api/code_challenge", &[]).await;
    assert_eq!(res.status(), 200);
    let c: Challenge = res.json().await.unwrap();
    assert_eq!(c.algorithm, "SHA-256");
    let number = orgdesk::codes::challenge::solve(&c).expect("solvable");
    serde_json::to_string(&ChallengeSolution {
        challenge: c.challenge,
        salt: c.salt,
        number,
        signature: c.signature,
    })
    .unwrap()
}

async fn ask(app: &TestApp, email: &str, challenge: &str) -> (u16, String) {
    // No cookie is kept: each request is a new session, as a script's would be.
    let res = app
        .post_form(
            "/api/request_password_reset",
            &[
                ("kind", "member"),
                ("identifier", email),
                ("challenge", challenge),
            ],
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

#[sqlx::test]
async fn near_the_cap_a_code_costs_a_solved_challenge_used_once(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[
            ("CODE_IP_HOURLY_LIMIT", "6"),
            ("CODE_CHALLENGE_AFTER_PERCENT", "50"),
            ("CODE_CHALLENGE_MAX_NUMBER", "20000"),
        ],
    )
    .await;
    // Half the cap goes without one.
    for i in 0..3 {
        assert_eq!(ask(&app, &format!("p{i}@example.com"), "").await.0, 200);
    }
    let (status, body) = ask(&app, "p3@example.com", "").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("code.challenge_required"), "{body}");
    // A forged or unsolved answer is refused too.
    let mut forged: ChallengeSolution = serde_json::from_str(&solved(&app).await).unwrap();
    forged.number += 1;
    let (_, body) = ask(
        &app,
        "p3@example.com",
        &serde_json::to_string(&forged).unwrap(),
    )
    .await;
    assert!(body.contains("code.challenge_required"), "{body}");
    // Solved: accepted once.
    let answer = solved(&app).await;
    assert_eq!(ask(&app, "p3@example.com", &answer).await.0, 200);
    let (_, body) = ask(&app, "p4@example.com", &answer).await;
    assert!(body.contains("code.challenge_required"), "replayed: {body}");
    assert_eq!(
        ask(&app, "p4@example.com", &solved(&app).await).await.0,
        200
    );
    // The cap itself still holds.
    assert_eq!(
        ask(&app, "p5@example.com", &solved(&app).await).await.0,
        200
    );
    let (_, body) = ask(&app, "p6@example.com", &solved(&app).await).await;
    assert!(body.contains("code.ip_limit"), "{body}");
}

#[sqlx::test]
async fn one_browser_session_asks_for_a_few_codes_an_hour(db: PgPool) {
    let app = spawn_app_with(db, &[("CODE_SESSION_HOURLY_LIMIT", "2")]).await;
    let mut b = crate::helpers::Browser::new(&app);
    for i in 0..2 {
        let a = b
            .request_password_reset("member", &format!("s{i}@example.com"))
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
    }
    let third = b.request_password_reset("member", "s2@example.com").await;
    assert!(third.text.contains("code.session_limit"), "{}", third.text);
    // Another browser is not held up.
    let other = crate::helpers::Browser::new(&app)
        .request_password_reset("member", "s2@example.com")
        .await;
    assert_eq!(other.status, 200, "{}", other.text);
}
