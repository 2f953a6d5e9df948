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

/// Acts on the pending tasks whose time limit has passed, each in its own
/// transaction with its request locked (a decision or another instance in
/// between is seen, and one failure holds up no other); returns how many.
pub async fn sweep_time_limits(db: &PgPool) -> Result<u64, AppError> {
    let due = sqlx::query_scalar!(
        r#"SELECT id FROM approval_tasks
           WHERE status = 'pending' AND due_at <= now() AND reminded_at IS NULL
           ORDER BY due_at LIMIT 100"#
    )
    .fetch_all(db)
    .await?;
    let mut done = 0;
    for task in due {
        let mut tx = db.begin().await?;
        match time_out(&mut tx, task).await {
            Ok(true) => {
                tx.commit().await?;
                done += 1;
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, %task, "approval time limit"),
        }
    }
    Ok(done)
}

/// One task past its limit: `false` when it was decided or moved meanwhile.
async fn time_out(c: &mut PgConnection, task: uuid::Uuid) -> Result<bool, AppError> {
    let Some(t) = sqlx::query!(
        r#"SELECT t.id, t.org_id, t.request_id, t.node, t.round, r.route AS "route: Json<Route>"
           FROM approval_tasks t JOIN approval_requests r ON r.id = t.request_id
           WHERE t.id = $1 AND t.status = 'pending' AND t.due_at <= now() AND t.reminded_at IS NULL
             AND r.status = 'pending'
           FOR NO KEY UPDATE OF r SKIP LOCKED"#,
        task
    )
    .fetch_optional(&mut *c)
    .await?
    else {
        return Ok(false);
    };
    // Decided by someone between the list and the lock.
    let still = sqlx::query_scalar!(
        r#"SELECT status = 'pending' AS "x!" FROM approval_tasks WHERE id = $1"#,
        task
    )
    .fetch_one(&mut *c)
    .await?;
    if !still {
        return Ok(false);
    }
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
        OnTimeout::Approve | OnTimeout::Reject => {
            let status = if rule == OnTimeout::Approve {
                "approved"
            } else {
                "rejected"
            };
            sqlx::query!(
                r#"UPDATE approval_tasks SET status = $2, automatic = true, decided_at = now()
                   WHERE id = $1 AND status = 'pending'"#,
                t.id,
                status
            )
            .execute(&mut *c)
            .await?;
            let node = Some(t.node);
            event(
                c,
                t.org_id,
                t.request_id,
                "timed_out",
                None,
                None,
                node,
                Some(status),
            )
            .await?;
            if rule == OnTimeout::Approve {
                let at = t.node as usize;
                after_approval(c, t.org_id, t.request_id, &route, at, t.round, t.id).await?;
            } else {
                cancel_open(c, t.org_id, t.request_id, None).await?;
                finish(c, t.org_id, t.request_id, "rejected").await?;
            }
        }
    }
    Ok(true)
}

/// Removes attachments uploaded for a form never sent (or dropped from a
/// resubmitted one) a day ago; returns how many.
pub async fn sweep_files(
    db: &PgPool,
    store: &crate::storage::DocumentStore,
) -> Result<u64, AppError> {
    let stale = sqlx::query!(
        r#"SELECT id, file_key FROM approval_files
           WHERE request_id IS NULL AND created_at < now() - interval '1 day'
           ORDER BY created_at LIMIT 200"#
    )
    .fetch_all(db)
    .await?;
    let mut gone = 0;
    for f in stale {
        // The row first: a file still in the store is harmless, a row
        // naming a missing file is not.
        let deleted = sqlx::query!(
            "DELETE FROM approval_files WHERE id = $1 AND request_id IS NULL",
            f.id
        )
        .execute(db)
        .await?;
        if deleted.rows_affected() == 1 {
            if let Err(e) = store.delete(&f.file_key).await {
                tracing::warn!(error = %e, "could not delete an unused attachment");
            }
            gone += 1;
        }
    }
    Ok(gone)
}

/// Sweeps time limits, delegations, notices and unused attachments every
/// `every`, each on its own, for as long as the server runs.
pub async fn run(
    db: PgPool,
    store: crate::storage::DocumentStore,
    sealer: Sealer,
    max_attempts: i32,
    every: Duration,
) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        sweep(&db, &sealer, max_attempts).await;
        if let Err(e) = sweep_files(&db, &store).await {
            tracing::error!(error = %e, "approval attachments");
        }
    }
}

/// One pass of the sweeps that move requests and tell people: (tasks
/// timed out, tasks moved by delegations, messages queued). Each runs on
/// its own: one failing holds up no other.
pub async fn sweep(db: &PgPool, sealer: &Sealer, max_attempts: i32) -> (u64, u64, u64) {
    let timed = sweep_time_limits(db).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "approval time limits");
        0
    });
    let moved = async {
        let mut tx = db.begin().await?;
        let moved = sweep_delegations(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, AppError>(moved)
    }
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "approval delegations");
        0
    });
    let queued = async {
        let mut tx = db.begin().await?;
        let queued = super::notices::deliver(&mut tx, sealer, max_attempts).await?;
        tx.commit().await?;
        Ok::<_, AppError>(queued)
    }
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "approval notices");
        0
    });
    (timed, moved, queued)
}
