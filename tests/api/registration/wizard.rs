//! The wizard's steps: what is kept, the checksum confirmation, and the codes that prove the addresses.
use super::*;
use crate::helpers::{Browser, spawn_app};
use sqlx::PgPool;

#[sqlx::test]
pub(super) async fn a_step_that_does_not_validate_keeps_what_was_typed(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let answer = b
        .call(
            "registration_organisation",
            &[
                ("org_name", "Acme Trading Ltd"),
                ("industry", "Z"),
                ("credit_code", "91350100M00010"),
                ("province", "44"),
                ("city", ""),
                ("address", "1 Harbour Road"),
                ("intent", "next"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.field_code("industry"), Some("validation.choice"));
    assert_eq!(answer.field_code("credit_code"), Some("credit_code.length"));
    assert_eq!(answer.field_code("size_band"), Some("validation.required"));
    assert_eq!(answer.field_code("city"), Some("validation.required"));
    assert_eq!(answer.field_code("org_name"), None);
    let saved = application(&mut b).await;
    assert_eq!(saved["org_name"], "Acme Trading Ltd");
    assert_eq!(saved["credit_code"], "91350100M00010");
    assert_eq!(saved["address"], "1 Harbour Road");

    // Back saves without checking.
    let back = b.legal_step("王五", "123", "back").await;
    ok(&back);
    let saved = application(&mut b).await;
    assert_eq!(saved["legal_id_number"], "123");
    // Next checks the ID number by its checksum.
    let next = b.legal_step("王五", "110105194912310021", "next").await;
    assert_eq!(
        next.field_code("legal_id_number"),
        Some("resident_id.checksum")
    );

    // What no step could accept is not kept either, even going back: the
    // draft holds what it held.
    let huge = "长".repeat(5_000);
    for intent in ["next", "back"] {
        let over = b
            .call(
                "registration_organisation",
                &[
                    ("org_name", huge.as_str()),
                    ("industry", "I"),
                    ("credit_code", "91350100M000100Y"),
                    ("province", "44"),
                    ("city", "深圳"),
                    ("address", "1 Harbour Road"),
                    ("intent", intent),
                ],
            )
            .await;
        assert_eq!(over.status, 422, "{}", over.text);
        assert_eq!(over.field_code("org_name"), Some("validation.too_long"));
    }
    let over = b
        .legal_step(&"王".repeat(65), "110105194912310021", "back")
        .await;
    assert_eq!(over.field_code("legal_name"), Some("validation.too_long"));
    let saved = application(&mut b).await;
    assert_eq!(saved["org_name"], "Acme Trading Ltd");
    assert_eq!(saved["legal_name"], "王五");
    // The schema holds the same line.
    let stored = sqlx::query("UPDATE registrations SET org_name = repeat('x', 129)")
        .execute(&db)
        .await;
    assert!(stored.is_err(), "the schema accepted an over-long name");
}

#[sqlx::test]
pub(super) async fn a_credit_code_that_fails_its_checksum_needs_the_applicants_confirmation(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let mut a = Applicant::new(2);
    a.code = bad_checksum(&a.code);
    let first = organisation_step(&mut b, &a).await;
    assert_eq!(
        first.field_code("credit_code"),
        Some("credit_code.checksum_confirm")
    );
    let confirmed = b
        .call(
            "registration_organisation",
            &[
                ("org_name", &a.org),
                ("industry", "I"),
                ("size_band", "51-200"),
                ("credit_code", &a.code),
                ("confirm_checksum", "yes"),
                ("province", "44"),
                ("city", "深圳"),
                ("address", "南山区"),
                ("intent", "next"),
            ],
        )
        .await;
    ok(&confirmed);
    // The confirmation stays with that code, and does not carry over to another.
    ok(&organisation_step(&mut b, &a).await);
    let mut other = Applicant::new(3);
    other.code = bad_checksum(&other.code);
    let changed = organisation_step(&mut b, &other).await;
    assert_eq!(
        changed.field_code("credit_code"),
        Some("credit_code.checksum_confirm")
    );
}

#[sqlx::test]
pub(super) async fn codes_prove_the_administrator_addresses_once_and_resends_wait_for_the_cooldown(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let sent = b.send_code("mobile", "13912345678").await;
    ok(&sent);
    assert_eq!(sent.json["cooldown_secs"], 60);
    // A resend during the cooldown is refused with the time left.
    let again = b.send_code("mobile", "13912345678").await;
    assert_eq!(again.status, 429);
    assert!(again.retry_after.is_some_and(|s| s > 0 && s <= 60));
    // A wrong code is refused and counted.
    let code = last_code(&db, "+8613912345678").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = b.verify_code("mobile", wrong).await;
    assert_eq!(refused.field_code("code"), Some("code.mismatch"));
    assert_eq!(application(&mut b).await["mobile_verified"], false);
    ok(&b.verify_code("mobile", &code).await);
    assert_eq!(application(&mut b).await["mobile_verified"], true);
    // Used once.
    let reused = b.verify_code("mobile", &code).await;
    assert_eq!(reused.field_code("code"), Some("code.used"));
    // A malformed address is refused beside its field and kept as typed.
    let bad = b.send_code("email", "not-an-address").await;
    assert_eq!(bad.field_code("admin_email"), Some("email.format"));
    assert_eq!(application(&mut b).await["admin_email"], "not-an-address");
    // The step does not pass without both addresses proven.
    let next = b
        .administrator_step("张三", PASSWORD, "something-else-entirely", "next")
        .await;
    assert_eq!(
        next.field_code("admin_email"),
        Some("registration.email_unverified")
    );
    assert_eq!(
        next.field_code("password_confirm"),
        Some("password.mismatch")
    );
    assert_eq!(next.field_code("admin_mobile"), None);
}
