//! Review: approval makes an organisation, one application per credit code, rejection and resubmission, two operators at once.
use super::*;
use crate::auth::{enrol, sign_in_as};
use crate::helpers::{Browser, seed_member, seed_organisation, spawn_app};
use sqlx::PgPool;

#[sqlx::test]
pub(super) async fn an_approved_application_becomes_an_organisation_with_its_root_department_and_super_administrator(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(1);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let state = application(&mut applicant).await;
    assert_eq!(state["status"], "submitted");
    assert_eq!(state["submission_no"], 1);
    assert_eq!(state["mobile_verified"], true);
    assert_eq!(state["email_verified"], true);

    let mut ops = operator(&app, &db, "ops@example.com").await;
    let queue = ops.call("review_queue", &[("filter", "pending")]).await;
    ok(&queue);
    assert_eq!(queue.json["pending"], 1);
    assert_eq!(queue.json["items"][0]["org_name"], a.org.as_str());
    let id = queue.json["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = ops.review_detail(&id).await;
    ok(&detail);
    assert_eq!(detail.json["application"]["legal_id_number"], RESIDENT_ID);
    assert_eq!(detail.json["identity_check"], "manual");
    assert_eq!(
        detail.json["application"]["documents"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    ok(&ops.start_review(&id, "1").await);
    assert_eq!(application(&mut applicant).await["status"], "in_review");
    ok(&ops.approve(&id, "1").await);
    assert_eq!(application(&mut applicant).await["status"], "approved");

    // The organisation, its root department named after it, its super administrator.
    let org: (uuid::Uuid, String, Option<String>) =
        sqlx::query_as("SELECT id, name, credit_code FROM organisations WHERE credit_code = $1")
            .bind(&a.code)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(org.1, a.org);
    let root: (String, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT name, parent_id FROM departments WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(root, (a.org.clone(), None));
    let admin: (String, String, Option<String>, Option<String>, String) =
        sqlx::query_as("SELECT name, role, email, mobile, status FROM accounts WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        admin,
        (
            "张三".to_owned(),
            "super_admin".to_owned(),
            Some(a.email.clone()),
            Some(a.mobile_e164()),
            "active".to_owned()
        )
    );
    // The password of the application signs in (to enrolment: two factors are required).
    let mut admin_browser = Browser::new(&app);
    let signed = sign_in_as(&mut admin_browser, "member", &a.email, PASSWORD).await;
    ok(&signed);
    assert_eq!(signed.json["stage"], "must_enrol");

    // The applicant is told by email and SMS; the decision and the audit rows exist.
    let told: Vec<(String, String)> = sqlx::query_as(
        "SELECT channel, recipient FROM outbox WHERE template = 'registration_approved' ORDER BY channel",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        told,
        vec![
            ("email".to_owned(), a.email.clone()),
            ("sms".to_owned(), a.mobile_e164())
        ]
    );
    let decisions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM registration_decisions WHERE decision = 'approved' AND operator_id IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(decisions, 1);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'registration.%' OR action = 'organisation.created' ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec![
            "registration.submitted",
            "registration.approved",
            "organisation.created"
        ]
    );
    // Approving again is refused and creates nothing more.
    let again = ops.approve(&id, "1").await;
    assert_eq!(again.field_code("decision"), Some("review.already_decided"));
    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(orgs, 1);
    // The same browser can then apply for another organisation.
    ok(&applicant.start_registration().await);
    let fresh = application(&mut applicant).await;
    assert_eq!(fresh["status"], "draft");
    assert_eq!(fresh["org_name"], "");
}

#[sqlx::test]
pub(super) async fn one_credit_code_has_one_pending_or_approved_application(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(4);
    let mut first = Browser::new(&app);
    fill(&mut first, &db, &a).await;
    ok(&submit(&mut first).await);

    // A second applicant with the same code is told at the first step.
    let mut second = Browser::new(&app);
    start(&mut second).await;
    let b = Applicant {
        code: a.code.to_lowercase(),
        ..Applicant::new(5)
    };
    let refused = organisation_step(&mut second, &b).await;
    assert_eq!(
        refused.field_code("credit_code"),
        Some("registration.credit_code_taken")
    );
    // An organisation that exists already (e.g. created from the command line) counts too.
    let org = seed_organisation(&db, "Existing Co").await;
    let c = Applicant::new(6);
    sqlx::query("UPDATE organisations SET credit_code = $2 WHERE id = $1")
        .bind(org)
        .bind(&c.code)
        .execute(&db)
        .await
        .unwrap();
    let mut third = Browser::new(&app);
    start(&mut third).await;
    assert_eq!(
        organisation_step(&mut third, &c)
            .await
            .field_code("credit_code"),
        Some("registration.credit_code_taken")
    );
}

#[sqlx::test]
pub(super) async fn submitting_twice_changes_nothing_and_a_submitted_application_cannot_be_edited(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(7);
    let mut b = Browser::new(&app);
    fill(&mut b, &db, &a).await;
    // Terms first.
    let no_terms = b.call("registration_submit", &[]).await;
    assert_eq!(
        no_terms.field_code("accept_terms"),
        Some("registration.terms_required")
    );
    ok(&submit(&mut b).await);
    ok(&submit(&mut b).await);
    let (no, snapshots): (i32, i64) = sqlx::query_as(
        "SELECT r.submission_no, (SELECT count(*) FROM registration_submissions s WHERE s.registration_id = r.id)
           FROM registrations r",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((no, snapshots), (1, 1));
    let edit = organisation_step(&mut b, &a).await;
    assert_eq!(
        edit.field_code("application"),
        Some("registration.not_editable")
    );
    let upload_to = upload(&b, "licence", "x.jpg", jpeg(3)).await;
    assert_eq!(upload_to, "/register/status");
}

#[sqlx::test]
pub(super) async fn a_rejection_reopens_the_application_and_the_resubmission_shows_what_changed(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(8);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let id = registration_id(&db, &a.code).await;
    let mut ops = operator(&app, &db, "ops@example.com").await;

    // Reasons must come from the catalogue, and there must be one.
    let none = ops.reject(&id, "1", &[]).await;
    assert_eq!(none.field_code("reasons"), Some("review.reason_required"));
    // More reasons than the catalogue holds are refused before they are read.
    let id_arg = id.clone();
    let mut many: Vec<(&str, &str)> = vec![("id", &id_arg), ("submission_no", "1")];
    many.extend(std::iter::repeat_n(("reasons[]", "licence:blurred"), 500));
    let flood = ops.call("review_reject", &many).await;
    assert_eq!(flood.field_code("reasons"), Some("validation.too_long"));
    let odd = ops.reject(&id, "1", &["licence:rude"]).await;
    assert_eq!(odd.field_code("reasons"), Some("validation.choice"));

    ok(&ops
        .call(
            "review_reject",
            &[
                ("id", &id),
                ("submission_no", "1"),
                ("reasons[]", "licence:blurred"),
                ("reasons[]", "legal_name:id_mismatch"),
                ("note", "Please scan the licence again."),
            ],
        )
        .await);
    let state = application(&mut applicant).await;
    assert_eq!(state["status"], "rejected");
    assert_eq!(state["decision"]["reasons"][0]["subject"], "licence");
    assert_eq!(state["decision"]["reasons"][0]["reason"], "blurred");
    assert_eq!(state["decision"]["note"], "Please scan the licence again.");
    assert!(
        state["decision"]["operator_name"].is_null(),
        "the applicant does not see who"
    );
    // Told by email and SMS, with the reasons.
    let rows: Vec<(uuid::Uuid, serde_json::Value)> =
        sqlx::query_as("SELECT id, payload FROM outbox WHERE template = 'registration_rejected'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    let sealer = orgdesk::notify::outbox::load_sealer(&db, None)
        .await
        .unwrap();
    match orgdesk::notify::outbox::open_payload(&sealer, rows[0].0, &rows[0].1) {
        Some(orgdesk::notify::Template::RegistrationRejected { reasons, .. }) => {
            assert_eq!(reasons[0], ("licence".to_owned(), "blurred".to_owned()))
        }
        other => panic!("expected the rejection, got {other:?}"),
    }

    // Editable again: a new licence and a corrected name, then a resubmission.
    assert!(
        upload(&applicant, "licence", "licence-new.jpg", jpeg(9))
            .await
            .contains("uploaded")
    );
    ok(&applicant.legal_step("李四四", RESIDENT_ID, "next").await);
    ok(&submit(&mut applicant).await);
    let detail = ops.review_detail(&id).await;
    ok(&detail);
    assert_eq!(detail.json["application"]["submission_no"], 2);
    assert_eq!(
        detail.json["changed"],
        serde_json::json!(["legal_name", "licence"])
    );
    assert_eq!(detail.json["decisions"].as_array().unwrap().len(), 1);
    // A decision about the old submission is refused.
    let stale = ops.approve(&id, "1").await;
    assert_eq!(stale.field_code("decision"), Some("review.already_decided"));
    ok(&ops.approve(&id, "2").await);
    assert_eq!(application(&mut applicant).await["status"], "approved");
}

#[sqlx::test]
pub(super) async fn of_two_operators_deciding_at_once_the_second_is_refused(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(9);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let id = registration_id(&db, &a.code).await;
    let mut one = operator(&app, &db, "one@example.com").await;
    let mut two = operator(&app, &db, "two@example.com").await;
    ok(&one.reject(&id, "1", &["licence:blurred"]).await);
    let late = two.approve(&id, "1").await;
    assert_eq!(late.status, 422);
    assert_eq!(late.field_code("decision"), Some("review.already_decided"));
    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(orgs, 0);

    // Truly at once: two approvals of a fresh submission, one wins.
    ok(&applicant.documents_step("next").await);
    ok(&submit(&mut applicant).await);
    let form = [("id", id.as_str()), ("submission_no", "2")];
    let (x, y) = tokio::join!(
        one.call("review_approve", &form),
        two.call("review_approve", &form),
    );
    let wins = [&x, &y].iter().filter(|r| r.status < 400).count();
    assert_eq!(wins, 1, "{} / {}", x.text, y.text);
    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(orgs, 1);
}

#[sqlx::test]
pub(super) async fn only_signed_in_operators_reach_the_review_console(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(10);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let id = registration_id(&db, &a.code).await;
    // The applicant's own session is not an operator's.
    for (endpoint, form) in [
        ("review_queue", vec![]),
        ("review_detail", vec![("id", id.as_str())]),
        (
            "review_approve",
            vec![("id", id.as_str()), ("submission_no", "1")],
        ),
    ] {
        assert_eq!(
            applicant.call(endpoint, &form).await.status,
            401,
            "{endpoint}"
        );
    }
    let org = seed_organisation(&db, "Member Co").await;
    seed_member(&db, org, "super_admin", "boss@member.example", PASSWORD).await;
    let mut member = Browser::new(&app);
    ok(&sign_in_as(&mut member, "member", "boss@member.example", PASSWORD).await);
    enrol(&mut member).await;
    for (endpoint, form) in [
        ("review_queue", vec![]),
        ("review_detail", vec![("id", id.as_str())]),
        (
            "review_approve",
            vec![("id", id.as_str()), ("submission_no", "1")],
        ),
        (
            "review_reject",
            vec![("id", id.as_str()), ("submission_no", "1"), ("note", "no")],
        ),
    ] {
        assert_eq!(member.call(endpoint, &form).await.status, 403, "{endpoint}");
    }
    assert_eq!(application(&mut applicant).await["status"], "submitted");
    // Drafts are not shown to operators.
    let mut drafter = Browser::new(&app);
    start(&mut drafter).await;
    let draft: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM registrations WHERE status = 'draft'")
            .fetch_one(&db)
            .await
            .unwrap();
    let mut ops = operator(&app, &db, "ops@example.com").await;
    assert_eq!(ops.review_detail(&draft.to_string()).await.status, 404);
}
