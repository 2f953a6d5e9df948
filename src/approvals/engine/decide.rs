//! Decisions on tasks, and the submitter's withdrawal.
use super::advance::{
    Progress, advance, cancel_open, finish, insert_auto, is_auto, tell_submitter,
};
use super::event;
use super::notices::task_opened;
use crate::approvals::flow::{Mode, OnReject};
use crate::approvals::repo::templates;
use crate::approvals::route::{Outcome, Route};
use crate::error::{AppError, Code};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// What an approver decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Ends the request, or (when the flow allows returns) sends it back to
    /// the submitter, or to an earlier node (an index of the route).
    Reject {
        back_to: Option<Back>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    Submitter,
    Node(usize),
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub request: Uuid,
    /// The request's status after it.
    pub status: &'static str,
    /// Decided on behalf of this person (a delegation).
    pub principal: Option<Uuid>,
}

fn decided() -> AppError {
    AppError::field("task", Code::ApprovalsDecided)
}

/// Decides `task` as `actor`. The request row is locked first; the task
/// changes only while it is still pending and theirs.
pub async fn decide(
    c: &mut PgConnection,
    org: Uuid,
    actor: Uuid,
    task: Uuid,
    decision: Decision,
    comment: Option<&str>,
) -> Result<Decided, AppError> {
    let r = sqlx::query!(
        r#"SELECT r.id, r.status, r.round, r.template_id, r.template_version,
                  r.route AS "route: Json<Route>"
           FROM approval_tasks t JOIN approval_requests r ON r.id = t.request_id
           WHERE t.id = $1 AND t.org_id = $2
           FOR NO KEY UPDATE OF r"#,
        task,
        org
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::not_found)?;
    if r.status != "pending" {
        return Err(decided());
    }
    let status = match decision {
        Decision::Approve => "approved",
        Decision::Reject { .. } => "rejected",
    };
    let Some(t) = sqlx::query!(
        r#"UPDATE approval_tasks SET status = $4, decided_at = now(), comment = $5
           WHERE id = $1 AND org_id = $2 AND assignee_id = $3 AND status = 'pending'
           RETURNING node, round, principal_id"#,
        task,
        org,
        actor,
        status,
        comment
    )
    .fetch_optional(&mut *c)
    .await?
    else {
        let mine = sqlx::query_scalar!(
            "SELECT assignee_id = $3 AS \"mine!\" FROM approval_tasks WHERE id = $1 AND org_id = $2",
            task,
            org,
            actor
        )
        .fetch_one(&mut *c)
        .await?;
        return Err(if mine {
            decided()
        } else {
            AppError::not_found()
        });
    };
    let request = r.id;
    let route = r.route.0;
    let node = t.node as usize;
    event(
        c,
        org,
        request,
        status,
        Some(actor),
        t.principal_id,
        Some(t.node),
        comment,
    )
    .await?;
    let done = |status| Decided {
        request,
        status,
        principal: t.principal_id,
    };
    match decision {
        Decision::Approve => {
            let progress = after_approval(c, org, request, &route, node, t.round, task).await?;
            Ok(done(match progress {
                Progress::Pending(_) => "pending",
                Progress::Approved => "approved",
                Progress::Rejected => "rejected",
            }))
        }
        Decision::Reject { back_to } => {
            let design = templates::version(c, org, r.template_id, r.template_version).await?;
            if back_to.is_some() && design.flow.settings.on_reject != OnReject::Return {
                // Refused, not turned into a rejection the approver did not ask for.
                return Err(AppError::field("back_to", Code::ApprovalsNoReturn));
            }
            cancel_open(c, org, request, None).await?;
            match back_to {
                None => {
                    finish(c, org, request, "rejected").await?;
                    Ok(done("rejected"))
                }
                Some(Back::Submitter) => {
                    sqlx::query!(
                        r#"UPDATE approval_requests
                           SET status = 'returned', current_node = NULL, updated_at = now()
                           WHERE org_id = $1 AND id = $2"#,
                        org,
                        request
                    )
                    .execute(&mut *c)
                    .await?;
                    event(
                        c,
                        org,
                        request,
                        "returned",
                        Some(actor),
                        t.principal_id,
                        None,
                        None,
                    )
                    .await?;
                    tell_submitter(c, org, request).await?;
                    Ok(done("returned"))
                }
                Some(Back::Node(k)) => {
                    let earlier = k < node
                        && route
                            .steps
                            .get(k)
                            .is_some_and(|s| s.outcome == Outcome::Decide);
                    if !earlier {
                        return Err(AppError::field("back_to", Code::ValidationInvalid));
                    }
                    event(
                        c,
                        org,
                        request,
                        "returned",
                        Some(actor),
                        t.principal_id,
                        Some(k as i32),
                        None,
                    )
                    .await?;
                    advance(c, org, request, &route, k, t.round).await?;
                    Ok(done("pending"))
                }
            }
        }
    }
}

/// After the approval of `task` at `node`: an approver added before
/// someone hands back to them; else the node passes (any one; the last of
/// all), or the next person in order takes their turn, or it waits. People
/// added after the approver (后加签) still decide.
pub(super) async fn after_approval(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    route: &Route,
    node: usize,
    round: i32,
    task: Uuid,
) -> Result<Progress, AppError> {
    let step = &route.steps[node];
    let n = node as i32;
    let origin = sqlx::query!(
        "SELECT origin, added_for FROM approval_tasks WHERE org_id = $1 AND id = $2",
        org,
        task
    )
    .fetch_one(&mut *c)
    .await?;
    if let ("before", Some(parent)) = (origin.origin.as_str(), origin.added_for) {
        let back = sqlx::query!(
            r#"UPDATE approval_tasks SET status = 'pending', activated_at = now(), reminded_at = NULL,
                   due_at = CASE WHEN $3::int IS NOT NULL THEN now() + make_interval(hours => $3::int) END
               WHERE org_id = $1 AND id = $2 AND status = 'waiting'"#,
            org,
            parent,
            step.time_limit_hours.map(|h| h as i32)
        )
        .execute(&mut *c)
        .await?;
        if back.rows_affected() == 1 {
            task_opened(c, org, parent).await?;
            return Ok(Progress::Pending(node));
        }
    }
    match step.mode {
        Mode::Any => {
            sqlx::query!(
                r#"UPDATE approval_tasks
                   SET status = 'cancelled', decided_at = now(), activated_at = coalesce(activated_at, now())
                   WHERE org_id = $1 AND request_id = $2 AND round = $3 AND node = $4
                     AND status IN ('waiting', 'pending')
                     AND NOT (origin = 'after' AND added_for = $5)"#,
                org,
                request,
                round,
                n,
                task
            )
            .execute(&mut *c)
            .await?;
        }
        Mode::All => {}
        Mode::Sequential => loop {
            let busy = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM approval_tasks WHERE org_id = $1 AND request_id = $2
                   AND round = $3 AND node = $4 AND status = 'pending') AS "busy!""#,
                org,
                request,
                round,
                n
            )
            .fetch_one(&mut *c)
            .await?;
            if busy {
                return Ok(Progress::Pending(node));
            }
            let next = sqlx::query!(
                r#"SELECT id, position, assignee_id FROM approval_tasks
                   WHERE org_id = $1 AND request_id = $2 AND round = $3 AND node = $4 AND status = 'waiting'
                   ORDER BY position, created_at LIMIT 1"#,
                org,
                request,
                round,
                n
            )
            .fetch_optional(&mut *c)
            .await?;
            let Some(next) = next else { break };
            let auto = match step.approvers.get(next.position as usize) {
                Some(pick) => is_auto(c, request, round, n, pick).await?,
                None => false,
            };
            if auto {
                // Approved by the flow's rule as their turn comes.
                sqlx::query!(
                    "UPDATE approval_tasks SET status = 'cancelled', activated_at = now(), decided_at = now() WHERE id = $1",
                    next.id
                )
                .execute(&mut *c)
                .await?;
                let person = Uuid::parse_str(&step.approvers[next.position as usize].person)
                    .unwrap_or(next.assignee_id);
                insert_auto(c, org, request, round, n, next.position, person).await?;
                continue;
            }
            sqlx::query!(
                r#"UPDATE approval_tasks SET status = 'pending', activated_at = now(),
                       due_at = CASE WHEN $2::int IS NOT NULL THEN now() + make_interval(hours => $2::int) END
                   WHERE id = $1"#,
                next.id,
                step.time_limit_hours.map(|h| h as i32)
            )
            .execute(&mut *c)
            .await?;
            task_opened(c, org, next.id).await?;
            return Ok(Progress::Pending(node));
        },
    }
    let open = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM approval_tasks
           WHERE org_id = $1 AND request_id = $2 AND round = $3 AND node = $4
             AND status IN ('waiting', 'pending')"#,
        org,
        request,
        round,
        n
    )
    .fetch_one(&mut *c)
    .await?;
    if open > 0 {
        return Ok(Progress::Pending(node));
    }
    advance(c, org, request, route, node + 1, round).await
}

/// Withdraws the submitter's own request: while it is pending or returned,
/// or after approval within the template's window. Returns the new status.
pub async fn withdraw(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    request: Uuid,
) -> Result<&'static str, AppError> {
    let r = sqlx::query!(
        r#"SELECT status, template_id, template_version, finished_at FROM approval_requests
           WHERE org_id = $1 AND id = $2 AND submitter_id = $3 FOR NO KEY UPDATE"#,
        org,
        request,
        submitter
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::not_found)?;
    let refused = || AppError::field("request", Code::ApprovalsNotWithdrawable);
    match r.status.as_str() {
        "pending" | "returned" => {
            cancel_open(c, org, request, None).await?;
            sqlx::query!(
                r#"UPDATE approval_requests
                   SET status = 'withdrawn', finished_at = now(), current_node = NULL, updated_at = now()
                   WHERE org_id = $1 AND id = $2"#,
                org,
                request
            )
            .execute(&mut *c)
            .await?;
            event(
                c,
                org,
                request,
                "withdrawn",
                Some(submitter),
                None,
                None,
                None,
            )
            .await?;
            Ok("withdrawn")
        }
        "approved" => {
            let design = templates::version(c, org, r.template_id, r.template_version).await?;
            let days = i64::from(design.flow.settings.revoke_days);
            let within = r.finished_at.is_some_and(|at| {
                time::OffsetDateTime::now_utc() < at + time::Duration::days(days)
            });
            if days == 0 || !within {
                return Err(refused());
            }
            sqlx::query!(
                r#"UPDATE approval_requests SET status = 'revoked', revoked_at = now(), updated_at = now()
                   WHERE org_id = $1 AND id = $2"#,
                org,
                request
            )
            .execute(&mut *c)
            .await?;
            event(
                c,
                org,
                request,
                "revoked",
                Some(submitter),
                None,
                None,
                None,
            )
            .await?;
            Ok("revoked")
        }
        _ => Err(refused()),
    }
}
