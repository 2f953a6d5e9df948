//! The second factor: TOTP windows and replays, locks, recovery codes, password change, an operator's reset.
use super::password::failures_looked_at;
use super::*;
use crate::helpers::{Browser, seed_operator, spawn_app, spawn_app_with};
use sqlx::PgPool;

#[sqlx::test]
pub(super) async fn totp_codes_of_the_previous_current_and_next_step_work_and_two_steps_off_do_not(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let (id, enrolled) = enrolled_admin(&app, &db, "totp@example.com").await;
    // Enrolment used a step up; forget it so the window can be probed from
    // its oldest end, as for an account enrolled long ago.
    sqlx::query("UPDATE accounts SET totp_last_step = NULL WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();

    let step = step_with_at_least(10.0).await;
    for off in [-2i64, 2] {
        let mut b = Browser::new(&app);
        let code = code_at(&enrolled.seed, (step as i64 + off) as u64);
        let answer = second_factor(&mut b, "totp@example.com", &code).await;
        assert_eq!(answer.status, 422, "offset {off}: {}", answer.text);
        assert_eq!(answer.field_code("code"), Some("auth.invalid_code"));
        assert_eq!(
            status_as(&app, "security_overview", b.session.as_deref().unwrap()).await,
            401
        );
    }
    // Oldest first: a code is only taken when its step is newer than the last one used.
    for off in [-1i64, 0, 1] {
        let mut b = Browser::new(&app);
        let code = code_at(&enrolled.seed, (step as i64 + off) as u64);
        let answer = second_factor(&mut b, "totp@example.com", &code).await;
        assert_eq!(answer.status, 200, "offset {off}: {}", answer.text);
        assert_eq!(answer.json["stage"], "signed_in");
        assert_eq!(answer.json["path"], "/admin");
        assert_eq!(
            status_as(&app, "security_overview", b.session.as_deref().unwrap()).await,
            200
        );
    }
}

#[sqlx::test]
pub(super) async fn a_used_totp_code_is_refused_even_by_another_instance(db: PgPool) {
    let first = spawn_app(db.clone()).await;
    let second = spawn_app(db.clone()).await;
    let (_, enrolled) = enrolled_admin(&first, &db, "replay@example.com").await;
    let step = step_with_at_least(5.0).await;
    let code = code_at(&enrolled.seed, step);

    let mut b = Browser::new(&first);
    let answer = second_factor(&mut b, "replay@example.com", &code).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    for (app, code) in [
        (&second, code.as_str()),
        (&first, code.as_str()),
        // An older code than the last one used is a replay too.
        (&second, enrolled.code.as_str()),
    ] {
        let mut b = Browser::new(app);
        let answer = second_factor(&mut b, "replay@example.com", code).await;
        assert_eq!(answer.status, 422, "{}", answer.text);
        assert_eq!(answer.field_code("code"), Some("auth.totp_replayed"));
        assert_eq!(
            status_as(app, "security_overview", b.session.as_deref().unwrap()).await,
            401
        );
    }
}

/// A six-digit code that no step in the window around now produces.
pub(super) fn wrong_code(seed: &[u8], step: u64) -> String {
    let window: Vec<String> = (step - 1..=step + 1).map(|s| code_at(seed, s)).collect();
    (0..)
        .map(|n| format!("{:06}", (123_456 + n * 7_919) % 1_000_000))
        .find(|c| !window.contains(c))
        .unwrap()
}

#[sqlx::test]
pub(super) async fn wrong_second_factor_codes_lock_it_across_fresh_password_steps(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_2FA_DELAY_AFTER", "10"),
            ("AUTH_2FA_LOCK_AFTER", "3"),
            ("AUTH_2FA_LOCK_SECS", "60"),
        ],
    )
    .await;
    let email = "guessed@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(5.0).await;
    let wrong = wrong_code(&enrolled.seed, step);
    // The password is right each time; only the codes are guessed.
    for attempt in 1..=3 {
        let mut b = Browser::new(&app);
        let answer = second_factor(&mut b, email, &wrong).await;
        if attempt < 3 {
            assert_eq!(
                answer.field_code("code"),
                Some("auth.invalid_code"),
                "{}",
                answer.text
            );
        } else {
            assert_eq!(answer.status, 429, "{}", answer.text);
            assert_eq!(answer.kind(), Some("locked"));
        }
    }
    let mut b = Browser::new(&app);
    let answer = second_factor(&mut b, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 429, "{}", answer.text);
    assert_eq!(answer.kind(), Some("locked"));
    assert_eq!(b.security_overview().await.status, 401);
    // Nor does a recovery code get round the lock.
    let answer = b.verify_second_factor(&enrolled.recovery_codes[0]).await;
    assert_eq!(answer.status, 429, "{}", answer.text);
}

#[sqlx::test]
pub(super) async fn concurrent_wrong_codes_get_no_more_tries_than_the_second_factor_lock_allows(
    db: PgPool,
) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_2FA_DELAY_AFTER", "3"),
            ("AUTH_2FA_LOCK_AFTER", "3"),
            ("AUTH_2FA_LOCK_SECS", "600"),
        ],
    )
    .await;
    let email = "parallel@example.com";
    let (id, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(15.0).await;
    // The password is known; thirty sessions wait at the second factor.
    let mut sessions = vec![];
    for _ in 0..30 {
        let mut b = Browser::new(&app);
        signed_in_at(&mut b, email, "second_factor").await;
        sessions.push(b.session.unwrap());
    }
    let wrong = wrong_code(&enrolled.seed, step);
    let mut guesses = tokio::task::JoinSet::new();
    for session in sessions {
        let (client, url, wrong) = (
            app.client.clone(),
            app.url("/api/verify_second_factor"),
            wrong.clone(),
        );
        guesses.spawn(async move {
            client
                .post(&url)
                .header("cookie", format!("orgdesk_session={session}"))
                .form(&[("code", wrong.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = guesses.join_next().await {
        assert!([422, 429].contains(&status.unwrap().as_u16()));
    }
    let looked_at = failures_looked_at(&db, id, "second_factor").await;
    assert!(looked_at <= 3, "{looked_at} codes were checked");
}

#[sqlx::test]
pub(super) async fn a_recovery_code_works_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (_, enrolled) = enrolled_admin(&app, &db, "recover@example.com").await;
    let code = &enrolled.recovery_codes[0];

    let mut b = Browser::new(&app);
    let answer = second_factor(&mut b, "recover@example.com", code).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "signed_in");
    let overview = b.security_overview().await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    assert_eq!(overview.json["recovery_codes_left"], 9);
    assert_eq!(overview.json["totp_enabled"], true);

    let mut again = Browser::new(&app);
    let answer = second_factor(&mut again, "recover@example.com", code).await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.field_code("code"), Some("auth.invalid_code"));
    assert_eq!(
        status_as(&app, "security_overview", again.session.as_deref().unwrap()).await,
        401
    );
}

#[sqlx::test]
pub(super) async fn changing_the_password_asks_for_the_current_one_and_a_code_and_ends_other_sessions(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let email = "change@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(8.0).await;
    let mut here = Browser::new(&app);
    let answer = second_factor(&mut here, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let mut elsewhere = Browser::new(&app);
    let answer = second_factor(&mut elsewhere, email, &enrolled.recovery_codes[0]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let change = |current: &'static str, code: String| {
        vec![
            ("current_password", current.to_owned()),
            ("new_password", NEW_PASSWORD.to_owned()),
            ("code", code),
        ]
    };
    let next_code = code_at(&enrolled.seed, step + 1);
    for (form, field, expected) in [
        (
            change("not the password", next_code.clone()),
            "current_password",
            "auth.wrong_password",
        ),
        (
            change(PASSWORD, String::new()),
            "code",
            "validation.required",
        ),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = here.call("change_password", &form).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(
            refused.field_code(field),
            Some(expected),
            "{}",
            refused.text
        );
    }
    let form = change(PASSWORD, next_code);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let changed = here.call("change_password", &form).await;
    assert_eq!(changed.status, 200, "{}", changed.text);

    assert_eq!(here.security_overview().await.status, 200);
    assert_eq!(elsewhere.security_overview().await.status, 401);
    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, PASSWORD).await.status, 401);
    assert_eq!(sign_in(&mut b, email, NEW_PASSWORD).await.status, 200);
}

#[sqlx::test]
pub(super) async fn new_recovery_codes_replace_the_old_ones(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let email = "fresh-codes@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(5.0).await;
    let mut b = Browser::new(&app);
    let answer = second_factor(&mut b, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let fresh = b
        .call(
            "regenerate_recovery_codes",
            &[
                ("password", PASSWORD),
                ("code", &code_at(&enrolled.seed, step + 1)),
            ],
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let codes = fresh.json["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(b.security_overview().await.json["recovery_codes_left"], 10);

    let answer = second_factor(&mut Browser::new(&app), email, &enrolled.recovery_codes[1]).await;
    assert_eq!(
        answer.field_code("code"),
        Some("auth.invalid_code"),
        "{}",
        answer.text
    );
    let answer = second_factor(&mut Browser::new(&app), email, codes[0].as_str().unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[sqlx::test]
pub(super) async fn an_operator_resets_a_members_second_factor_and_the_member_enrols_again(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let email = "lost-phone@example.com";
    let (member, enrolled) = enrolled_admin(&app, &db, email).await;
    let mut member_session = Browser::new(&app);
    let answer = second_factor(&mut member_session, email, &enrolled.recovery_codes[0]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    seed_operator(&db, "ops@example.com", PASSWORD).await;
    let mut operator = Browser::new(&app);
    let answer = sign_in_as(&mut operator, "operator", "ops@example.com", PASSWORD).await;
    assert_eq!(answer.json["stage"], "must_enrol", "{}", answer.text);
    let operator_factor = enrol(&mut operator).await;

    let member_id = member.to_string();
    // Only operators may, and only with a reason.
    let refused = member_session
        .reset_second_factor(member_id.as_str(), "mine")
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let no_reason = operator.reset_second_factor(member_id.as_str(), " ").await;
    assert_eq!(no_reason.field_code("reason"), Some("validation.required"));
    // A reason is kept whole or refused, never cut.
    let long_reason = "x".repeat(501);
    let too_long = operator
        .reset_second_factor(member_id.as_str(), &long_reason)
        .await;
    assert_eq!(too_long.field_code("reason"), Some("validation.too_long"));
    // The operator signs the reset with their own password and code.
    let reason = "lost phone, identity checked by call";
    let unsigned = operator
        .reset_second_factor(member_id.as_str(), reason)
        .await;
    assert_eq!(unsigned.field_code("password"), Some("password.required"));
    assert_eq!(unsigned.field_code("code"), Some("validation.required"));
    let step = step_with_at_least(3.0).await;
    let wrong = operator
        .confirm_reset_second_factor(
            member_id.as_str(),
            reason,
            "not-the-operators-password",
            &code_at(&operator_factor.seed, step + 1),
        )
        .await;
    assert_eq!(wrong.field_code("password"), Some("auth.wrong_password"));
    assert_eq!(
        member_session.security_overview().await.status,
        200,
        "nothing was reset"
    );

    let done = operator
        .confirm_reset_second_factor(
            member_id.as_str(),
            reason,
            PASSWORD,
            &code_at(&operator_factor.seed, step + 1),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(member_session.security_overview().await.status, 401);
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, email, "must_enrol").await;
    assert_eq!(b.security_overview().await.json["recovery_codes_left"], 0);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'totp.reset_by_operator' AND target_id = $1",
    )
    .bind(&member_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}
