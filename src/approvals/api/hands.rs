//! Handing tasks on, urging, approving many at once, delegations, how a
//! person hears about approvals, and an administrator's hand-over.
use super::MAX_COMMENT;
use super::common::{actor, audit, id};
use crate::access::{Permission, Target, require};
use crate::approvals::engine::{self, Decision, Handing};
use crate::approvals::{DelegationRow, Delegations};
use crate::audit::Action;
use crate::auth::guard::require_member;
use crate::error::{AppError, Code};
use crate::server::state::app_state;
use serde_json::json;
use uuid::Uuid;

/// Tasks approved in one call at most.
pub const MAX_BATCH: usize = 100;

pub async fn hand(
    task: String,
    to: String,
    how: String,
    comment: String,
) -> Result<String, AppError> {
    let (p, org) = require_member().await?;
    let task = id(&task)?;
    let to =
        Uuid::parse_str(to.trim()).map_err(|_| AppError::field("to", Code::ApprovalsHandTo))?;
    let how = match how.trim() {
        "transfer" => Handing::Transfer,
        "before" => Handing::Before,
        "after" => Handing::After,
        _ => return Err(AppError::field("how", Code::ValidationInvalid)),
    };
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::field("comment", Code::ValidationTooLong));
    }
    if how == Handing::Transfer && comment.is_empty() {
        return Err(AppError::field("comment", Code::ApprovalsCommentRequired));
    }
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (request, status) = engine::hand(&mut tx, org, p.id(), task, to, how, comment).await?;
    let action = if how == Handing::Transfer {
        Action::ApprovalTransferred
    } else {
        Action::ApprovalApproverAdded
    };
    audit(
        &mut tx,
        &actor(&p),
        org,
        action,
        ("approval_request", request),
        json!({ "task": task.to_string(), "to": to.to_string(), "how": format!("{how:?}").to_lowercase() }),
    )
    .await?;
    tx.commit().await?;
    Ok(status.to_string())
}

pub async fn urge(raw: String) -> Result<(), AppError> {
    let (p, org) = require_member().await?;
    let request = id(&raw)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let waiting = engine::urge(&mut tx, org, p.id(), request).await?;
    audit(
        &mut tx,
        &actor(&p),
        org,
        Action::ApprovalUrged,
        ("approval_request", request),
        json!({ "people": waiting.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn decide_many(raw: String) -> Result<(u32, u32), AppError> {
    let (p, org) = require_member().await?;
    if raw.len() > MAX_BATCH * 40 {
        return Err(AppError::field("tasks", Code::ValidationTooLong));
    }
    let tasks: Vec<Uuid> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Uuid::parse_str(s).map_err(|_| AppError::field("tasks", Code::ValidationInvalid)))
        .collect::<Result<_, _>>()?;
    if tasks.is_empty() || tasks.len() > MAX_BATCH {
        return Err(AppError::field("tasks", Code::ValidationInvalid));
    }
    let state = app_state()?;
    let actor = actor(&p);
    let (mut approved, mut failed) = (0, 0);
    // One transaction each: a task decided meanwhile leaves the others be.
    for task in tasks {
        let mut tx = state.db.begin().await?;
        match engine::decide(&mut tx, org, p.id(), task, Decision::Approve, None).await {
            Ok(done) => {
                audit(
                    &mut tx,
                    &actor,
                    org,
                    Action::ApprovalApproved,
                    ("approval_request", done.request),
                    json!({
                        "task": task.to_string(),
                        "on_behalf_of": done.principal.map(|x| x.to_string()),
                        "batch": true,
                        "after": { "status": done.status },
                    }),
                )
                .await?;
                tx.commit().await?;
                approved += 1;
            }
            Err(AppError::Internal { .. }) => return Err(AppError::internal("batch approval")),
            Err(_) => failed += 1,
        }
    }
    Ok((approved, failed))
}

pub async fn delegations() -> Result<Delegations, AppError> {
    let (p, org) = require_member().await?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org).await?;
    let rows = sqlx::query!(
        r#"SELECT d.id, d.principal_id, a.name AS principal_name, b.name AS delegate_name,
                  d.starts_at AS "starts_at: chrono::DateTime<chrono::Utc>",
                  d.ends_at AS "ends_at: chrono::DateTime<chrono::Utc>",
                  CASE WHEN d.cancelled_at IS NOT NULL THEN 'cancelled'
                       WHEN d.ends_at <= now() THEN 'ended'
                       WHEN d.starts_at <= now() THEN 'open'
                       ELSE 'upcoming' END AS "state!"
           FROM approval_delegations d
           JOIN accounts a ON a.id = d.principal_id
           JOIN accounts b ON b.id = d.delegate_id
           WHERE d.org_id = $1 AND (d.principal_id = $2 OR d.delegate_id = $2)
             AND d.ends_at > now() - interval '30 days'
           ORDER BY d.starts_at DESC LIMIT 100"#,
        org,
        p.id()
    )
    .fetch_all(&state.db)
    .await?;
    let notices = sqlx::query_scalar!(
        "SELECT approval_notices FROM accounts WHERE id = $1",
        p.id()
    )
    .fetch_one(&state.db)
    .await?;
    let (mut mine, mut for_me) = (Vec::new(), Vec::new());
    for r in rows {
        let row = DelegationRow {
            id: r.id.to_string(),
            principal_name: r.principal_name,
            delegate_name: r.delegate_name,
            starts_at: crate::server::time::local(r.starts_at, zone),
            ends_at: crate::server::time::local(r.ends_at, zone),
            state: r.state,
        };
        if r.principal_id == p.id() {
            mine.push(row);
        } else {
            for_me.push(row);
        }
    }
    Ok(Delegations {
        mine,
        for_me,
        notices,
    })
}

/// `YYYY-MM-DDTHH:MM` in `zone`, as an instant.
fn instant(
    raw: &str,
    field: &str,
    zone: crate::server::time::Tz,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    use chrono::TimeZone;
    let local = chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::field(field, Code::ValidationFormat))?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| AppError::field(field, Code::ValidationFormat))
}

pub async fn delegate(delegate: String, starts: String, ends: String) -> Result<String, AppError> {
    let (p, org) = require_member().await?;
    let delegate = Uuid::parse_str(delegate.trim())
        .map_err(|_| AppError::field("delegate", Code::ApprovalsHandTo))?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org).await?;
    let (starts, ends) = (
        instant(&starts, "starts", zone)?,
        instant(&ends, "ends", zone)?,
    );
    let now = chrono::Utc::now();
    if ends <= starts || ends <= now || ends - starts > chrono::Duration::days(366) {
        return Err(AppError::field("ends", Code::ApprovalsDelegationWindow));
    }
    let starts = starts.max(now - chrono::Duration::minutes(1));
    let mut tx = state.db.begin().await?;
    let active = engine::can_act(&mut tx, org, delegate).await?;
    if !active || delegate == p.id() {
        return Err(AppError::field("delegate", Code::ApprovalsHandTo));
    }
    engine::check_no_cycle(&mut tx, org, p.id(), delegate, starts, ends).await?;
    let id = Uuid::now_v7();
    let made = sqlx::query!(
        r#"INSERT INTO approval_delegations (id, org_id, principal_id, delegate_id, starts_at, ends_at, created_by)
           VALUES ($1, $2, $3, $4, $5::text::timestamptz, $6::text::timestamptz, $3)"#,
        id,
        org,
        p.id(),
        delegate,
        starts.to_rfc3339(),
        ends.to_rfc3339()
    )
    .execute(&mut *tx)
    .await;
    match made {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23P01") => {
            return Err(AppError::field("starts", Code::ApprovalsDelegationOverlap));
        }
        Err(e) => return Err(e.into()),
    }
    if starts <= now {
        engine::open_delegation(&mut tx, org, id, p.id()).await?;
    }
    audit(
        &mut tx,
        &actor(&p),
        org,
        Action::ApprovalDelegationSet,
        ("approval_delegation", id),
        json!({ "principal": p.id().to_string(), "delegate": delegate.to_string(),
                "after": { "starts": starts.to_rfc3339(), "ends": ends.to_rfc3339() } }),
    )
    .await?;
    tx.commit().await?;
    Ok(id.to_string())
}

pub async fn cancel(raw: String) -> Result<(), AppError> {
    let (p, org) = require_member().await?;
    let delegation = id(&raw)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let d = sqlx::query!(
        r#"UPDATE approval_delegations SET cancelled_at = now()
           WHERE org_id = $1 AND id = $2 AND principal_id = $3 AND cancelled_at IS NULL AND ends_at > now()
           RETURNING opened_at, delegate_id"#,
        org,
        delegation,
        p.id()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(AppError::not_found)?;
    if d.opened_at.is_some() {
        engine::close_delegation(&mut tx, org, delegation, p.id()).await?;
    }
    audit(
        &mut tx,
        &actor(&p),
        org,
        Action::ApprovalDelegationCancelled,
        ("approval_delegation", delegation),
        json!({ "principal": p.id().to_string(), "delegate": d.delegate_id.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn notices(mode: String) -> Result<(), AppError> {
    let (p, _) = require_member().await?;
    let mode = match mode.trim() {
        "immediate" => "immediate",
        "digest" => "digest",
        _ => return Err(AppError::field("mode", Code::ValidationInvalid)),
    };
    let state = app_state()?;
    sqlx::query!(
        "UPDATE accounts SET approval_notices = $2 WHERE id = $1",
        p.id(),
        mode
    )
    .execute(&state.db)
    .await?;
    Ok(())
}

pub async fn hand_over(from: String, to: String) -> Result<u64, AppError> {
    let access = require(Permission::ManageContacts, Target::InScope).await?;
    let org = access.org;
    let from = id(&from)?;
    let to =
        Uuid::parse_str(to.trim()).map_err(|_| AppError::field("to", Code::ApprovalsHandTo))?;
    access.check(Target::Person(from)).await?;
    access.check(Target::Person(to)).await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let active = engine::can_act(&mut tx, org, to).await?;
    if !active || to == from {
        return Err(AppError::field("to", Code::ApprovalsHandTo));
    }
    let moved = engine::hand_over(&mut tx, org, access.principal.id(), from, to).await?;
    audit(
        &mut tx,
        &actor(&access.principal),
        org,
        Action::ApprovalTasksHandedOver,
        ("account", from),
        json!({ "to": to.to_string(), "tasks": moved }),
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}
