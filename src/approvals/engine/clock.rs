//! What time does to requests: a node's time limit running out (remind,
//! approve or reject, as the node says), and delegation windows opening and
//! closing. Run by a background task on every instance; rows are claimed
//! with `SKIP LOCKED`, so two instances never act on the same one.
use super::advance::{cancel_open, finish};
use super::decide::after_approval;
use super::event;
use super::hand::sweep_delegations;
use crate::approvals::flow::OnTimeout;
use crate::approvals::route::Route;
use crate::error::AppError;
use crate::server::keys::Sealer;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// Acts on the pending tasks whose time limit has passed; returns how many.
pub async fn sweep_time_limits(c: &mut PgConnection) -> Result<u64, AppError> {
    let due = sqlx::query!(
        r#"SELECT t.id, t.org_id, t.request_id, t.node, t.round, r.route AS "route: Json<Route>"
           FROM approval_tasks t JOIN approval_requests r ON r.id = t.request_id
           WHERE t.status = 'pending' AND t.due_at <= now() AND t.reminded_at IS NULL
             AND r.status = 'pending'
           ORDER BY t.due_at LIMIT 100
           FOR UPDATE OF r, t SKIP LOCKED"#
    )
    .fetch_all(&mut *c)
    .await?;
    let n = due.len() as u64;
    for t in due {
        let route = t.route.0;
        let rule = route
            .steps
            .get(t.node as usize)
            .map_or(OnTimeout::Remind, |s| s.on_timeout);
        match rule {
            OnTimeout::Remind => {
                sqlx::query!(
                    "UPDATE approval_tasks SET reminded_at = now() WHERE id = $1",
                    t.id
                )
                .execute(&mut *c)
                .await?;
                event(
                    c,
                    t.org_id,
                    t.request_id,
                    "reminded",
                    None,
                    None,
                    Some(t.node),
                    None,
                )
                .await?;
                super::notices::task_reminder(c, t.org_id, t.id).await?;
            }
            OnTimeout::Approve => {
                sqlx::query!(
                    r#"UPDATE approval_tasks SET status = 'approved', automatic = true, decided_at = now()
                       WHERE id = $1 AND status = 'pending'"#,
                    t.id
                )
                .execute(&mut *c)
                .await?;
                event(
                    c,
                    t.org_id,
                    t.request_id,
                    "timed_out",
                    None,
                    None,
                    Some(t.node),
                    Some("approved"),
                )
                .await?;
                after_approval(
                    c,
                    t.org_id,
                    t.request_id,
                    &route,
                    t.node as usize,
                    t.round,
                    t.id,
                )
                .await?;
            }
            OnTimeout::Reject => {
                sqlx::query!(
                    r#"UPDATE approval_tasks SET status = 'rejected', automatic = true, decided_at = now()
                       WHERE id = $1 AND status = 'pending'"#,
                    t.id
                )
                .execute(&mut *c)
                .await?;
                event(
                    c,
                    t.org_id,
                    t.request_id,
                    "timed_out",
                    None,
                    None,
                    Some(t.node),
                    Some("rejected"),
                )
                .await?;
                cancel_open(c, t.org_id, t.request_id, None).await?;
                finish(c, t.org_id, t.request_id, "rejected").await?;
            }
        }
    }
    Ok(n)
}

/// Sweeps time limits, delegations and notices every `every`, each in
/// its own transaction, for as long as the server runs.
pub async fn run(db: PgPool, sealer: Sealer, max_attempts: i32, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = sweep(&db, &sealer, max_attempts).await {
            tracing::error!(error = %e, "approval clock");
        }
    }
}

/// One pass of every sweep: (tasks timed out, tasks moved by delegations,
/// messages queued).
pub async fn sweep(
    db: &PgPool,
    sealer: &Sealer,
    max_attempts: i32,
) -> Result<(u64, u64, u64), AppError> {
    let mut tx = db.begin().await?;
    let timed = sweep_time_limits(&mut tx).await?;
    tx.commit().await?;
    let mut tx = db.begin().await?;
    let moved = sweep_delegations(&mut tx).await?;
    tx.commit().await?;
    let mut tx = db.begin().await?;
    let queued = super::notices::deliver(&mut tx, sealer, max_attempts).await?;
    tx.commit().await?;
    Ok((timed, moved, queued))
}
