//! The template list: turning a template on and off.
use super::*;
use crate::helpers::spawn_app;

#[sqlx::test]
async fn turning_a_template_off_keeps_the_designer_s_work_current(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, _) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let t = template(&mut admin, "leave").await;
    let id = t["id"].as_str().unwrap().to_owned();
    // The designer is open on the leave template (it read `version`) when
    // someone turns the template off from the list.
    let off = admin
        .call(
            "approval_template_enable",
            &[("id", &id), ("enabled", "false")],
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(
        flows::template_by_id(&mut admin, &id).await["enabled"],
        json!(false)
    );
    let mut ann = member(&app, "ann@acme.example.com").await;
    let refused = submit(&mut ann, &id, &leave_form("2026-12-07 am/2026-12-08 pm")).await;
    assert_eq!(
        refused.field_code("template"),
        Some("approvals.template_off"),
        "{}",
        refused.text
    );
    // The designer's work still saves and publishes: on or off is not part
    // of the design.
    let mut changed = design(&mut admin, &id).await;
    changed["flow"]["settings"]["dedupe"] = json!(false);
    assert_eq!(publish(&mut admin, &t, &changed).await, 2);
    // Back on, the new version takes submissions.
    let on = admin
        .call(
            "approval_template_enable",
            &[("id", &id), ("enabled", "true")],
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    let accepted = submit(&mut ann, &id, &leave_form("2026-12-07 am/2026-12-08 pm")).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    // Another organisation's administrator finds no such template, and an
    // employee may not turn it off.
    let (mut bolt, _) = organisation(&app, &db, "Bolt Inc", "boss@bolt.example.com").await;
    let other = bolt
        .call(
            "approval_template_enable",
            &[("id", &id), ("enabled", "false")],
        )
        .await;
    assert_eq!(other.status, 404, "{}", other.text);
    let denied = ann
        .call(
            "approval_template_enable",
            &[("id", &id), ("enabled", "false")],
        )
        .await;
    assert_eq!(denied.status, 403, "{}", denied.text);
}
