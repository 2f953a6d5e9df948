//! Tasks changing hands: a transfer (转交), an approver added before or
//! after oneself (加签), urging (催办), delegations opening and closing,
//! and an administrator's hand-over of someone's open tasks.
use super::advance::{Progress, assignee_for};
use super::decide::after_approval;
use super::event;
use crate::approvals::route::Route;
use crate::error::{AppError, Code};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// Waiting between two urgings of one request.
pub const URGE_EVERY_SECS: i64 = 3600;

/// Where someone else takes a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handing {
    /// They decide instead of the caller.
    Transfer,
    /// They decide first; then the caller.
    Before,
    /// The caller approves; then they decide.
    After,
}

/// The request and task a caller holds: locked, checked pending and theirs.
struct Held {
    request: Uuid,
    submitter: Uuid,
    round: i32,
    node: i32,
    position: i32,
    principal: Option<Uuid>,
    route: Route,
    /// How the held task came to be, and for whom it was added.
    origin: String,
    added_for: Option<Uuid>,
}

async fn hold(c: &mut PgConnection, org: Uuid, actor: Uuid, task: Uuid) -> Result<Held, AppError> {
    let r = sqlx::query!(
        r#"SELECT r.id, r.status, r.submitter_id, r.route AS "route: Json<Route>",
                  t.round, t.node, t.position, t.assignee_id, t.principal_id, t.status AS task_status,
                  t.origin, t.added_for
           FROM approval_tasks t JOIN approval_requests r ON r.id = t.request_id
           WHERE t.id = $1 AND t.org_id = $2
           FOR NO KEY UPDATE OF r"#,
        task,
        org
    )
    .fetch_optional(&mut *c)
    .await?
    .filter(|r| r.assignee_id == actor)
    .ok_or_else(AppError::not_found)?;
    if r.status != "pending" || r.task_status != "pending" {
        return Err(AppError::field("task", Code::ApprovalsDecided));
    }
    Ok(Held {
        request: r.id,
        submitter: r.submitter_id,
        round: r.round,
        node: r.node,
        position: r.position,
        principal: r.principal_id,
        route: r.route.0,
        origin: r.origin,
        added_for: r.added_for,
    })
}

/// Hands the caller's `task` to `to` (transfer), or adds `to` before or
/// after them; returns the request and its status after.
pub async fn hand(
    c: &mut PgConnection,
    org: Uuid,
    actor: Uuid,
    task: Uuid,
    to: Uuid,
    how: Handing,
    comment: &str,
) -> Result<(Uuid, &'static str), AppError> {
    let h = hold(c, org, actor, task).await?;
    let active = super::advance::can_act(c, org, to).await?;
    // Nobody hands a task to themselves, to whom they act for, or to the
    // submitter (nobody approves their own request this way).
    if !active || to == actor || Some(to) == h.principal || to == h.submitter {
        return Err(AppError::field("to", Code::ApprovalsHandTo));
    }
    let (assignee, principal) = assignee_for(c, org, to, h.submitter).await?;
    if assignee == actor {
        return Err(AppError::field("to", Code::ApprovalsHandTo));
    }
    let step = h.route.steps.get(h.node as usize);
    let hours = step.and_then(|s| s.time_limit_hours).map(|x| x as i32);
    let (mine, origin, kind) = match how {
        Handing::Transfer => ("transferred", "transfer", "transferred"),
        Handing::Before => ("waiting", "before", "added_before"),
        Handing::After => ("approved", "after", "added_after"),
    };
    // A task added before or after someone, handed on, stays added for
    // them: whoever takes it hands back to them in the same way.
    let (origin, added_for) = match (how, h.origin.as_str()) {
        (Handing::Transfer, "before" | "after") => (h.origin.as_str(), h.added_for.unwrap_or(task)),
        _ => (origin, task),
    };
    sqlx::query!(
        r#"UPDATE approval_tasks
           SET status = $3, comment = CASE WHEN $3 = 'waiting' THEN comment ELSE $4 END,
               decided_at = CASE WHEN $3 = 'waiting' THEN NULL ELSE now() END
           WHERE org_id = $1 AND id = $2 AND status = 'pending'"#,
        org,
        task,
        mine,
        comment
    )
    .execute(&mut *c)
    .await?;
    let added = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO approval_tasks
               (id, org_id, request_id, round, node, position, assignee_id, principal_id, origin,
                added_for, status, activated_at, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', now(),
                   CASE WHEN $11::int IS NOT NULL THEN now() + make_interval(hours => $11::int) END)"#,
        added,
        org,
        h.request,
        h.round,
        h.node,
        h.position,
        assignee,
        principal,
        origin,
        added_for,
        hours
    )
    .execute(&mut *c)
    .await?;
    event(
        c,
        org,
        h.request,
        kind,
        Some(actor),
        h.principal,
        Some(h.node),
        Some(comment),
    )
    .await?;
    super::notices::tell(c, org, h.request, &[assignee], "task").await?;
    if principal.is_some() {
        event(
            c,
            org,
            h.request,
            "delegated",
            Some(assignee),
            principal,
            Some(h.node),
            None,
        )
        .await?;
    }
    if how == Handing::After {
        let progress =
            after_approval(c, org, h.request, &h.route, h.node as usize, h.round, task).await?;
        return Ok((h.request, status_of(progress)));
    }
    Ok((h.request, "pending"))
}

fn status_of(p: Progress) -> &'static str {
    match p {
        Progress::Pending(_) => "pending",
        Progress::Approved => "approved",
        Progress::Rejected => "rejected",
    }
}

/// Urges the approvers of the submitter's pending request, at most once
/// an hour; returns who waits (to be told).
pub async fn urge(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    request: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    let urged = sqlx::query_scalar!(
        r#"UPDATE approval_requests SET urged_at = now()
           WHERE org_id = $1 AND id = $2 AND submitter_id = $3 AND status = 'pending'
             AND (urged_at IS NULL OR urged_at <= now() - make_interval(secs => $4))
           RETURNING id"#,
        org,
        request,
        submitter,
        URGE_EVERY_SECS as f64
    )
    .fetch_optional(&mut *c)
    .await?;
    if urged.is_none() {
        let mine = sqlx::query_scalar!(
            "SELECT status FROM approval_requests WHERE org_id = $1 AND id = $2 AND submitter_id = $3",
            org,
            request,
            submitter
        )
        .fetch_optional(&mut *c)
        .await?
        .ok_or_else(AppError::not_found)?;
        return Err(if mine == "pending" {
            AppError::field("request", Code::ApprovalsUrgedRecently)
        } else {
            AppError::field("request", Code::ApprovalsDecided)
        });
    }
    event(c, org, request, "urged", Some(submitter), None, None, None).await?;
    let waiting = sqlx::query_scalar!(
        "SELECT assignee_id FROM approval_tasks WHERE org_id = $1 AND request_id = $2 AND status = 'pending'",
        org,
        request
    )
    .fetch_all(&mut *c)
    .await?;
    super::notices::tell(c, org, request, &waiting, "urged").await?;
    Ok(waiting)
}

/// Moves every open task of `from` to `to` (an administrator's hand-over
/// of a departing person's work); returns how many moved.
pub async fn hand_over(
    c: &mut PgConnection,
    org: Uuid,
    admin: Uuid,
    from: Uuid,
    to: Uuid,
) -> Result<u64, AppError> {
    let tasks = sqlx::query!(
        r#"SELECT t.id, t.request_id, t.node FROM approval_tasks t
           JOIN approval_requests r ON r.id = t.request_id
           WHERE t.org_id = $1 AND t.assignee_id = $2 AND t.status IN ('waiting', 'pending')
             AND r.submitter_id <> $3
           ORDER BY t.request_id
           FOR NO KEY UPDATE OF r, t"#,
        org,
        from,
        to
    )
    .fetch_all(&mut *c)
    .await?;
    for t in &tasks {
        sqlx::query!(
            r#"UPDATE approval_tasks SET assignee_id = $3, principal_id = NULL
               WHERE org_id = $1 AND id = $2"#,
            org,
            t.id,
            to
        )
        .execute(&mut *c)
        .await?;
        event(
            c,
            org,
            t.request_id,
            "handed_over",
            Some(admin),
            Some(from),
            Some(t.node),
            None,
        )
        .await?;
        super::notices::tell(c, org, t.request_id, &[to], "task").await?;
    }
    Ok(tasks.len() as u64)
}

/// Opens the delegations whose window has begun (their principal's open
/// tasks go to the delegate) and closes those whose window has ended or
/// was cancelled (the tasks come back); returns how many tasks moved.
pub async fn sweep_delegations(c: &mut PgConnection) -> Result<u64, AppError> {
    let mut moved = 0;
    let opening = sqlx::query!(
        r#"SELECT id, org_id, principal_id FROM approval_delegations
           WHERE opened_at IS NULL AND cancelled_at IS NULL AND starts_at <= now() AND ends_at > now()
           ORDER BY starts_at LIMIT 100 FOR UPDATE SKIP LOCKED"#
    )
    .fetch_all(&mut *c)
    .await?;
    for d in opening {
        moved += open_delegation(c, d.org_id, d.id, d.principal_id).await?;
    }
    let closing = sqlx::query!(
        r#"SELECT id, org_id, principal_id FROM approval_delegations
           WHERE opened_at IS NOT NULL AND closed_at IS NULL
             AND (ends_at <= now() OR cancelled_at IS NOT NULL)
           ORDER BY ends_at LIMIT 100 FOR UPDATE SKIP LOCKED"#
    )
    .fetch_all(&mut *c)
    .await?;
    for d in closing {
        moved += close_delegation(c, d.org_id, d.id, d.principal_id).await?;
    }
    Ok(moved)
}

/// The principal's open tasks go to whoever acts for them now.
pub async fn open_delegation(
    c: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    principal: Uuid,
) -> Result<u64, AppError> {
    let (assignee, _) = assignee_for(c, org, principal, Uuid::nil()).await?;
    let mut moved = 0;
    if assignee != principal {
        let tasks = sqlx::query!(
            r#"UPDATE approval_tasks t SET assignee_id = $3, principal_id = $2
               WHERE t.org_id = $1 AND t.assignee_id = $2 AND t.principal_id IS NULL
                 AND t.status IN ('waiting', 'pending')
                 AND NOT EXISTS (SELECT 1 FROM approval_requests r
                                 WHERE r.id = t.request_id AND r.submitter_id = $3)
               RETURNING t.request_id, t.node"#,
            org,
            principal,
            assignee
        )
        .fetch_all(&mut *c)
        .await?;
        for t in &tasks {
            event(
                c,
                org,
                t.request_id,
                "delegated",
                Some(assignee),
                Some(principal),
                Some(t.node),
                None,
            )
            .await?;
            super::notices::tell(c, org, t.request_id, &[assignee], "task").await?;
        }
        moved = tasks.len() as u64;
    }
    sqlx::query!(
        "UPDATE approval_delegations SET opened_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *c)
    .await?;
    Ok(moved)
}

/// The principal's tasks come back from the delegate (or go on to their
/// next delegate, when another window of theirs is open).
pub async fn close_delegation(
    c: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    principal: Uuid,
) -> Result<u64, AppError> {
    // Closed first; the window has ended or was cancelled, so the lookup
    // below no longer sees it.
    sqlx::query!(
        "UPDATE approval_delegations SET closed_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *c)
    .await?;
    let (assignee, acting_for) = assignee_for(c, org, principal, Uuid::nil()).await?;
    let tasks = sqlx::query!(
        r#"UPDATE approval_tasks t
           SET assignee_id = CASE WHEN r.submitter_id = $3 THEN $2 ELSE $3 END,
               principal_id = CASE WHEN r.submitter_id = $3 THEN NULL ELSE $4::uuid END
           FROM approval_requests r
           WHERE r.id = t.request_id AND t.org_id = $1 AND t.principal_id = $2
             AND t.status IN ('waiting', 'pending') AND t.assignee_id <> $3
           RETURNING t.request_id, t.node, t.assignee_id"#,
        org,
        principal,
        assignee,
        acting_for
    )
    .fetch_all(&mut *c)
    .await?;
    for t in &tasks {
        let (kind, behalf) = if t.assignee_id == principal {
            ("returned_to_principal", None)
        } else {
            ("delegated", acting_for)
        };
        event(
            c,
            org,
            t.request_id,
            kind,
            Some(t.assignee_id),
            behalf,
            Some(t.node),
            None,
        )
        .await?;
        super::notices::tell(c, org, t.request_id, &[t.assignee_id], "task").await?;
    }
    Ok(tasks.len() as u64)
}

/// Refuses a delegation from `principal` to `delegate` over the window
/// when the delegate's own delegations in it lead back to the principal.
pub async fn check_no_cycle(
    c: &mut PgConnection,
    org: Uuid,
    principal: Uuid,
    delegate: Uuid,
    starts: chrono::DateTime<chrono::Utc>,
    ends: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let reaches = sqlx::query_scalar!(
        r#"WITH RECURSIVE chain (person, depth) AS (
               SELECT $3::uuid, 1
               UNION ALL
               SELECT d.delegate_id, chain.depth + 1 FROM approval_delegations d
               JOIN chain ON d.principal_id = chain.person
               WHERE d.org_id = $1 AND d.cancelled_at IS NULL
                 AND tstzrange(d.starts_at, d.ends_at) && tstzrange($4::text::timestamptz, $5::text::timestamptz)
                 AND chain.depth < 20
           )
           SELECT EXISTS (SELECT 1 FROM chain WHERE person = $2) AS "x!""#,
        org,
        principal,
        delegate,
        starts.to_rfc3339(),
        ends.to_rfc3339()
    )
    .fetch_one(&mut *c)
    .await?;
    if reaches {
        return Err(AppError::field("delegate", Code::ApprovalsDelegationCycle));
    }
    Ok(())
}
