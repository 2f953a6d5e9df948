//! What the audit log shows to whom, and what never reaches the logs.
use super::recovery::{request_reset, reset};
use super::setup::setup_token;
use super::*;
use crate::helpers::{
    Answer, Browser, CapturedLogs, seed_member, seed_operator, seed_organisation, spawn_app,
    spawn_app_logging_to, spawn_app_with,
};
use sqlx::PgPool;
use std::{collections::HashSet, time::Duration};
use uuid::Uuid;

/// Ids of the audit rows of `org` (`None`: the platform's own rows).
pub(super) async fn audit_ids(db: &PgPool, org: Option<Uuid>) -> HashSet<i64> {
    sqlx::query_scalar("SELECT id FROM audit_log WHERE org_id IS NOT DISTINCT FROM $1")
        .bind(org)
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

pub(super) fn entry_ids(page: &Answer) -> HashSet<i64> {
    page.json["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries: {}", page.text))
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test]
pub(super) async fn administrators_see_only_their_organisations_audit_log_and_operators_the_platforms(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let org_a = organisation_without_two_factor(&db, "Org A").await;
    let org_b = organisation_without_two_factor(&db, "Org B").await;
    seed_member(&db, org_a, "super_admin", "admin@a.example", PASSWORD).await;
    seed_member(&db, org_a, "employee", "staff@a.example", PASSWORD).await;
    seed_member(&db, org_b, "super_admin", "admin@b.example", PASSWORD).await;
    seed_operator(&db, "ops@example.com", PASSWORD).await;

    let mut admin_b = Browser::new(&app);
    assert_eq!(
        sign_in(&mut admin_b, "admin@b.example", "wrong")
            .await
            .status,
        401
    );
    signed_in_at(&mut admin_b, "admin@b.example", "signed_in").await;
    let mut admin_a = Browser::new(&app);
    signed_in_at(&mut admin_a, "admin@a.example", "signed_in").await;
    let mut staff = Browser::new(&app);
    signed_in_at(&mut staff, "staff@a.example", "signed_in").await;
    let mut operator = Browser::new(&app);
    let answer = sign_in_as(&mut operator, "operator", "ops@example.com", PASSWORD).await;
    assert_eq!(answer.json["stage"], "must_enrol", "{}", answer.text);
    enrol(&mut operator).await;

    let (rows_a, rows_b) = (
        audit_ids(&db, Some(org_a)).await,
        audit_ids(&db, Some(org_b)).await,
    );
    assert!(!rows_b.is_empty());
    let newest = rows_a.iter().chain(&rows_b).max().unwrap() + 1;
    for form in [vec![], vec![("before", newest.to_string())]] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = admin_a.call("admin_audit", &form).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let seen = entry_ids(&page);
        assert!(!seen.is_empty());
        assert!(seen.is_subset(&rows_a), "{}", page.text);
        assert!(seen.is_disjoint(&rows_b));
    }

    let forbidden = staff.admin_audit().await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text);
    assert_eq!(forbidden.kind(), Some("forbidden"));
    assert_eq!(operator.admin_audit().await.status, 403);

    let page = operator.operator_audit().await;
    assert_eq!(page.status, 200, "{}", page.text);
    let seen = entry_ids(&page);
    assert!(!seen.is_empty());
    assert!(seen.is_subset(&audit_ids(&db, None).await), "{}", page.text);
    for member in [&mut admin_a, &mut staff] {
        let answer = member.operator_audit().await;
        assert_eq!(answer.status, 403, "{}", answer.text);
    }
}

/// Whether `needle` occurs in `text` as a whole word (not inside a longer run
/// of letters and digits, such as a request id).
pub(super) fn contains_word(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The six-digit code in a message's text.
pub(super) fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned()
}

#[sqlx::test]
pub(super) async fn no_password_code_or_token_appears_in_the_logs(db: PgPool) {
    // As deployed: the delivery worker runs, email goes over SMTP.
    let mail = crate::mail::MailDev::start().await;
    let smtp = mail.smtp_url();
    let logs = CapturedLogs::default();
    let app = spawn_app_logging_to(&db, &[("SMTP_URL", &smtp)], logs.dispatch()).await;
    let org = seed_organisation(&db, "Quiet Ltd").await;
    let email = "quiet@example.com";
    seed_member(&db, org, "super_admin", email, PASSWORD).await;
    let wrong_password = "wrong horse staple";
    let mut secrets: Vec<String> =
        vec![PASSWORD.into(), NEW_PASSWORD.into(), wrong_password.into()];

    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, wrong_password).await.status, 401);
    signed_in_at(&mut b, email, "must_enrol").await;
    let enrolled = enrol(&mut b).await;
    secrets.extend([
        enrolled.secret.clone(),
        enrolled.secret.replace(' ', ""),
        enrolled.code.clone(),
    ]);
    let recovery = enrolled.recovery_codes[0].clone();
    secrets.extend([recovery.clone(), recovery.replace('-', "")]);
    let mut b = Browser::new(&app);
    assert_eq!(second_factor(&mut b, email, &recovery).await.status, 200);
    let totp = code_at(&enrolled.seed, step_with_at_least(3.0).await);
    let mut b = Browser::new(&app);
    assert_eq!(second_factor(&mut b, email, &totp).await.status, 200);
    secrets.push(totp);

    assert_eq!(request_reset(&app, email).await.status, 200);
    // Delivered by the worker over SMTP; the code is read from the email.
    let sent = mail.wait_for(1).await;
    let reset_code = code_in(sent[0]["text"].as_str().unwrap());
    assert_eq!(reset(&app, email, &reset_code).await.status, 200);
    secrets.push(reset_code);

    let token = setup_token(&app, &db).await.expect("a link");
    let operator_password = "lantern by the quay";
    let answer = Browser::new(&app)
        .setup_operator(token.as_str(), "Ops", "ops@example.com", operator_password)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    secrets.extend([token, operator_password.into()]);
    app.stop().await;

    let text = logs.text();
    // What the server printed, for whoever reads the test's output.
    println!("--- server log, SMTP transport ---\n{text}");
    assert!(
        text.contains("/api/sign_in"),
        "nothing was captured:\n{text}"
    );
    assert!(
        text.contains("outbox worker started"),
        "the worker did not run:\n{text}"
    );
    for secret in &secrets {
        assert!(
            !contains_word(&text, secret),
            "{secret:?} leaked into the logs:\n{text}"
        );
    }
    // The secret of the authenticator app, inside its otpauth:// URL.
    assert!(!text.contains(&enrolled.otpauth_url));
}

#[sqlx::test]
pub(super) async fn through_the_log_transport_only_the_message_line_carries_the_code(db: PgPool) {
    // A production-like server (https, a master key) that an operator chose
    // to run with the log transport: the message is the one line with the code.
    let logs = CapturedLogs::default();
    let app = spawn_app_logging_to(
        &db,
        &[
            ("PUBLIC_BASE_URL", "https://od.example.com"),
            ("ALLOW_LOG_TRANSPORT", "true"),
            (
                "ORGDESK_MASTER_KEY",
                "5f1e8a0c7b3d2e4f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f",
            ),
        ],
        logs.dispatch(),
    )
    .await;
    let org = seed_organisation(&db, "Log Transport Ltd").await;
    let email = "logged@example.com";
    seed_member(&db, org, "super_admin", email, PASSWORD).await;
    assert_eq!(request_reset(&app, email).await.status, 200);
    // One log event per message; an event goes on over several lines.
    let events = |text: &str| -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for line in text.lines() {
            let starts = ["TRACE ", "DEBUG ", "INFO ", "WARN ", "ERROR "]
                .iter()
                .any(|level| line.trim_start().starts_with(level));
            match out.last_mut() {
                Some(event) if !starts => {
                    event.push('\n');
                    event.push_str(line);
                }
                _ => out.push(line.to_owned()),
            }
        }
        out
    };
    let mut code = None;
    for _ in 0..100 {
        if let Some(event) = events(&logs.text())
            .into_iter()
            .find(|e| e.contains("email (log transport)") && e.contains(email))
        {
            let body = event.split("email (log transport)").nth(1).unwrap();
            code = Some(code_in(body));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("the log transport printed the message");
    assert_eq!(reset(&app, email, &code).await.status, 200);
    app.stop().await;

    let text = logs.text();
    println!("--- server log, log transport ---\n{text}");
    let carrying: Vec<String> = events(&text)
        .into_iter()
        .filter(|e| contains_word(e, &code))
        .collect();
    assert!(
        carrying.len() == 1 && carrying[0].contains("email (log transport)"),
        "the code is in events other than the message: {carrying:#?}"
    );
    for secret in [PASSWORD, NEW_PASSWORD] {
        assert!(!contains_word(&text, secret), "{secret:?} leaked:\n{text}");
    }
}

/// The zone every `at_local` of an audit page ends with.
fn zones_of(page: &Answer) -> HashSet<String> {
    page.json["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries: {}", page.text))
        .iter()
        .map(|e| {
            let local = e["at_local"].as_str().unwrap();
            local.rsplit(' ').next().unwrap().to_owned()
        })
        .collect()
}

#[sqlx::test]
pub(super) async fn times_are_shown_in_the_organisations_zone_and_operators_in_the_platforms(
    db: PgPool,
) {
    let app = spawn_app_with(db.clone(), &[("ORGDESK_TIME_ZONE", "America/New_York")]).await;
    let org = organisation_without_two_factor(&db, "Org Z").await;
    seed_member(&db, org, "super_admin", "admin@z.example", PASSWORD).await;
    seed_operator(&db, "ops@example.com", PASSWORD).await;
    let mut admin = Browser::new(&app);
    signed_in_at(&mut admin, "admin@z.example", "signed_in").await;

    // An organisation shows its times in Asia/Shanghai until it says otherwise.
    let page = admin.admin_audit().await;
    assert_eq!(
        zones_of(&page),
        HashSet::from(["Asia/Shanghai".to_owned()]),
        "{}",
        page.text
    );
    sqlx::query("UPDATE organisations SET time_zone = 'Europe/Berlin' WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    let page = admin.admin_audit().await;
    assert_eq!(
        zones_of(&page),
        HashSet::from(["Europe/Berlin".to_owned()]),
        "{}",
        page.text
    );
    // The same instant, as a person in Berlin reads it.
    let entry = &page.json["entries"][0];
    let at: chrono::DateTime<chrono::Utc> = entry["at"].as_str().unwrap().parse().unwrap();
    let berlin = at.with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(
        entry["at_local"],
        format!("{} Europe/Berlin", berlin.format("%Y-%m-%d %H:%M"))
    );

    // Operators read the platform's zone.
    let mut operator = Browser::new(&app);
    let answer = operator
        .sign_in("operator", "ops@example.com", PASSWORD)
        .await;
    assert_eq!(answer.json["stage"], "must_enrol", "{}", answer.text);
    enrol(&mut operator).await;
    let page = operator.operator_audit().await;
    assert_eq!(
        zones_of(&page),
        HashSet::from(["America/New_York".to_owned()]),
        "{}",
        page.text
    );
}
