//! Opening a route's nodes one after another.
use super::event;
use crate::approvals::flow::Mode;
use crate::approvals::route::{Outcome, Route, Step};
use crate::error::AppError;
use sqlx::PgConnection;
use uuid::Uuid;

/// Delegations followed at most this far (A to B to C to D).
pub const MAX_DELEGATION_HOPS: usize = 3;

/// Where a request stands after a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Waiting for the node at this index.
    Pending(usize),
    Approved,
    Rejected,
}

/// Moves a request on from step `from` of its route: passes skipped nodes,
/// rejects at a node whose rule says so, opens the next node's tasks (its
/// automatic approvals done at once), or approves the request at the end.
pub async fn advance(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    route: &Route,
    from: usize,
    round: i32,
) -> Result<Progress, AppError> {
    let mut i = from;
    loop {
        let next = route.next_step(i);
        for k in i..next.unwrap_or(route.steps.len()) {
            event(c, org, request, "skipped", None, None, Some(k as i32), None).await?;
        }
        let Some(k) = next else {
            finish(c, org, request, "approved").await?;
            return Ok(Progress::Approved);
        };
        let step = &route.steps[k];
        if step.outcome == Outcome::Reject {
            event(
                c,
                org,
                request,
                "rejected",
                None,
                None,
                Some(k as i32),
                None,
            )
            .await?;
            finish(c, org, request, "rejected").await?;
            return Ok(Progress::Rejected);
        }
        sqlx::query!(
            "UPDATE approval_requests SET current_node = $3, updated_at = now() WHERE org_id = $1 AND id = $2",
            org,
            request,
            k as i32
        )
        .execute(&mut *c)
        .await?;
        if open(c, org, request, step, k as i32, round).await? {
            return Ok(Progress::Pending(k));
        }
        i = k + 1;
    }
}

/// Creates a node's tasks; `true` when someone must now act.
async fn open(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    step: &Step,
    node: i32,
    round: i32,
) -> Result<bool, AppError> {
    let submitter = sqlx::query_scalar!(
        "SELECT submitter_id FROM approval_requests WHERE org_id = $1 AND id = $2",
        org,
        request
    )
    .fetch_one(&mut *c)
    .await?;
    let mut autos = Vec::with_capacity(step.approvers.len());
    for pick in &step.approvers {
        autos.push(is_auto(c, request, round, node, pick).await?);
    }
    let any_auto = autos.iter().any(|a| *a);
    let mut waiting_for_someone = false;
    let mut turn_taken = false;
    let mut told = Vec::new();
    for (position, pick) in step.approvers.iter().enumerate() {
        let Ok(person) = Uuid::parse_str(&pick.person) else {
            continue;
        };
        let position = position as i32;
        let state = match (step.mode, autos[position as usize]) {
            // Any one approving passes the node: an automatic approval does.
            (Mode::Any, true) => State::Auto,
            (Mode::Any, false) if any_auto => continue,
            (Mode::Any | Mode::All, false) => State::Pending,
            (Mode::All, true) => State::Auto,
            (Mode::Sequential, _) if turn_taken => State::Waiting,
            (Mode::Sequential, true) => State::Auto,
            (Mode::Sequential, false) => {
                turn_taken = true;
                State::Pending
            }
        };
        match state {
            State::Auto => {
                insert_auto(c, org, request, round, node, position, person).await?;
            }
            State::Pending | State::Waiting => {
                waiting_for_someone = true;
                let (assignee, principal) = assignee_for(c, org, person, submitter).await?;
                let status = if state == State::Pending {
                    "pending"
                } else {
                    "waiting"
                };
                insert_task(
                    c,
                    org,
                    request,
                    round,
                    node,
                    position,
                    assignee,
                    principal,
                    status,
                    step.time_limit_hours,
                )
                .await?;
                if state == State::Pending {
                    told.push(assignee);
                }
            }
        }
    }
    super::notices::tell(c, org, request, &told, "task").await?;
    Ok(waiting_for_someone)
}

/// Whether `person` is a member of `org` who can act on a task (active).
pub async fn can_act(c: &mut PgConnection, org: Uuid, person: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM accounts WHERE org_id = $1 AND id = $2
                          AND kind = 'member' AND status = 'active') AS "x!""#,
        org,
        person
    )
    .fetch_one(&mut *c)
    .await?)
}

/// Whether a pick is approved without them acting: the submitter's own
/// part where the flow says so, or someone who approved a node before in
/// this round themselves (not through a delegate, a transfer or a rule).
pub(super) async fn is_auto(
    c: &mut PgConnection,
    request: Uuid,
    round: i32,
    node: i32,
    pick: &crate::approvals::route::Pick,
) -> Result<bool, AppError> {
    use crate::approvals::route::Auto;
    match &pick.auto {
        None => Ok(false),
        Some(Auto::Submitter) => Ok(true),
        Some(Auto::Duplicate { .. }) => {
            let Ok(person) = Uuid::parse_str(&pick.person) else {
                return Ok(false);
            };
            Ok(sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM approval_tasks
                   WHERE request_id = $1 AND round = $2 AND node < $3 AND assignee_id = $4
                     AND status = 'approved' AND NOT automatic AND principal_id IS NULL) AS "x!""#,
                request,
                round,
                node,
                person
            )
            .fetch_one(&mut *c)
            .await?)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Auto,
    Pending,
    Waiting,
}

/// A task approved by the flow's rule as it opens (the submitter's own, or
/// a person who approved the node before).
pub(super) async fn insert_auto(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    round: i32,
    node: i32,
    position: i32,
    person: Uuid,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO approval_tasks
               (id, org_id, request_id, round, node, position, assignee_id, status, automatic,
                activated_at, decided_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'approved', true, now(), now())"#,
        Uuid::now_v7(),
        org,
        request,
        round,
        node,
        position,
        person,
    )
    .execute(&mut *c)
    .await?;
    event(
        c,
        org,
        request,
        "auto_approved",
        Some(person),
        None,
        Some(node),
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_task(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    round: i32,
    node: i32,
    position: i32,
    assignee: Uuid,
    principal: Option<Uuid>,
    status: &str,
    time_limit_hours: Option<u32>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let pending = status == "pending";
    sqlx::query!(
        r#"INSERT INTO approval_tasks
               (id, org_id, request_id, round, node, position, assignee_id, principal_id, status,
                activated_at, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
                   CASE WHEN $10 THEN now() END,
                   CASE WHEN $10 AND $11::int IS NOT NULL THEN now() + make_interval(hours => $11::int) END)"#,
        id,
        org,
        request,
        round,
        node,
        position,
        assignee,
        principal,
        status,
        pending,
        time_limit_hours.map(|h| h as i32),
    )
    .execute(&mut *c)
    .await?;
    if principal.is_some() {
        event(
            c,
            org,
            request,
            "delegated",
            Some(assignee),
            principal,
            Some(node),
            None,
        )
        .await?;
    }
    Ok(id)
}

/// Who acts for `person` now: their delegate while a delegation is open
/// (followed through the delegate's own, a few hops at most, never back
/// to someone already passed, nor to the submitter), else themselves.
pub async fn assignee_for(
    c: &mut PgConnection,
    org: Uuid,
    person: Uuid,
    submitter: Uuid,
) -> Result<(Uuid, Option<Uuid>), AppError> {
    // Never on to the request's submitter: nobody approves their own
    // request through someone's delegation.
    let mut seen = vec![person, submitter];
    let mut at = person;
    for _ in 0..MAX_DELEGATION_HOPS {
        let next = sqlx::query_scalar!(
            r#"SELECT d.delegate_id FROM approval_delegations d
               JOIN accounts a ON a.id = d.delegate_id AND a.status = 'active'
               WHERE d.org_id = $1 AND d.principal_id = $2 AND d.cancelled_at IS NULL
                 AND d.starts_at <= now() AND d.ends_at > now()"#,
            org,
            at
        )
        .fetch_optional(&mut *c)
        .await?;
        match next {
            Some(d) if !seen.contains(&d) => {
                seen.push(d);
                at = d;
            }
            _ => break,
        }
    }
    Ok(if at == person {
        (person, None)
    } else {
        (at, Some(person))
    })
}

/// Ends a request (`approved` or `rejected`): its open tasks are cancelled,
/// and on approval the people copied at the finish see it.
pub(super) async fn finish(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    status: &str,
) -> Result<(), AppError> {
    cancel_open(c, org, request, None).await?;
    sqlx::query!(
        r#"UPDATE approval_requests
           SET status = $3, finished_at = now(), current_node = NULL, updated_at = now()
           WHERE org_id = $1 AND id = $2"#,
        org,
        request,
        status
    )
    .execute(&mut *c)
    .await?;
    if status == "approved" {
        let copied = sqlx::query_scalar!(
            r#"UPDATE approval_cc SET shown_at = now()
               WHERE org_id = $1 AND request_id = $2 AND timing IN ('finish', 'both')
               RETURNING account_id"#,
            org,
            request
        )
        .fetch_all(&mut *c)
        .await?;
        super::notices::tell(c, org, request, &copied, "cc").await?;
    }
    tell_submitter(c, org, request).await
}

/// Tells the submitter their request was decided (or returned).
pub(super) async fn tell_submitter(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
) -> Result<(), AppError> {
    let submitter = sqlx::query_scalar!(
        "SELECT submitter_id FROM approval_requests WHERE org_id = $1 AND id = $2",
        org,
        request
    )
    .fetch_one(&mut *c)
    .await?;
    super::notices::tell(c, org, request, &[submitter], "decided").await
}

/// Cancels the open tasks of a request, or of one node of it.
pub(super) async fn cancel_open(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    node: Option<(i32, i32)>,
) -> Result<(), AppError> {
    let (round, node) = node.unzip();
    sqlx::query!(
        r#"UPDATE approval_tasks
           SET status = 'cancelled', decided_at = now(), activated_at = coalesce(activated_at, now())
           WHERE org_id = $1 AND request_id = $2 AND status IN ('waiting', 'pending')
             AND ($3::int IS NULL OR (round = $3 AND node = $4))"#,
        org,
        request,
        round,
        node
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}
