//! Decisions racing on one task.
use super::*;
use crate::helpers::{count, spawn_app};

/// A hundred approve calls on one task at once: one decision, one
/// timeline entry, one audit row; every other call is told it was decided.
#[sqlx::test]
async fn a_hundred_concurrent_approvals_decide_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let request = text(
        &submit(
            &mut ann,
            leave["id"].as_str().unwrap(),
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await,
    );
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();

    let session = max.session.clone();
    let calls = (0..100).map(|_| {
        let mut b = Browser::new(&app);
        b.session = session.clone();
        let task = task.clone();
        async move {
            b.call(
                "approval_decide",
                &[("task", &task), ("decision", "approve")],
            )
            .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    let won: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    for a in answers.iter().filter(|a| a.status != 200) {
        assert_eq!(
            a.field_code("task"),
            Some("approvals.decided"),
            "{}",
            a.text
        );
    }
    let r = Uuid::parse_str(&request).unwrap();
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM approval_events WHERE request_id = $1 AND kind = 'approved'",
    )
    .bind(r)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(events, 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'approval.approved'",
            o.org
        )
        .await,
        1
    );
    // One notification: Ann hears once that her request was approved.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM approval_notices WHERE org_id = $1 AND kind = 'decided'",
            o.org
        )
        .await,
        1
    );
    let status: String = sqlx::query_scalar("SELECT status FROM approval_requests WHERE id = $1")
        .bind(r)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "approved");
}

/// An approval and a withdrawal at once: one of them wins, and the
/// request ends in the state the winner left it.
#[sqlx::test]
async fn approval_and_withdrawal_racing_leave_one_outcome(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, _o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    for _ in 0..10 {
        let request = text(
            &submit(
                &mut ann,
                leave["id"].as_str().unwrap(),
                &leave_form("2026-12-07 am/2026-12-08 pm"),
            )
            .await,
        );
        let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
            .as_str()
            .unwrap()
            .to_owned();
        let (mut a, mut b) = (Browser::new(&app), Browser::new(&app));
        a.session = max.session.clone();
        b.session = ann.session.clone();
        let approve_form = [("task", task.as_str()), ("decision", "approve")];
        let withdraw_form = [("id", request.as_str())];
        let (approve, withdraw) = tokio::join!(
            a.call("approval_decide", &approve_form),
            b.call("approval_withdraw", &withdraw_form),
        );
        let status: String =
            sqlx::query_scalar("SELECT status FROM approval_requests WHERE id = $1")
                .bind(Uuid::parse_str(&request).unwrap())
                .fetch_one(&db)
                .await
                .unwrap();
        match (approve.status, withdraw.status) {
            (200, _) => {
                assert_eq!(status, "approved");
                assert_eq!(
                    withdraw.field_code("request"),
                    Some("approvals.not_withdrawable")
                );
            }
            (_, 200) => {
                assert_eq!(status, "withdrawn");
                assert_eq!(approve.field_code("task"), Some("approvals.decided"));
            }
            other => panic!("neither won: {other:?}"),
        }
    }
}
