//! The submitter's and the approver's side: every signed-in member, over
//! the requests that concern them.
use super::MAX_COMMENT;
use super::common::{actor, audit, chosen, id, json, maybe_id, names, route_names};
use crate::approvals::engine::{self, Back, Decision, Purpose, Source, Submission};
use crate::approvals::form::RawForm;
use crate::approvals::repo::{facts, templates};
use crate::approvals::{
    FormView, Inbox, RequestDetail, RequestPage, RequestRow, RouteView, TemplateSummary,
};
use crate::audit::Action;
use crate::auth::guard::require_member;
use crate::error::{AppError, Code};
use crate::server::state::app_state;
use serde_json::json;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// Rows on a page of requests.
pub const PER_PAGE: i64 = 20;
/// Requests one person may submit (or resubmit) in an hour.
pub const MAX_SUBMISSIONS_PER_HOUR: i64 = 60;
/// The longest search looked at.
const MAX_SEARCH_CHARS: usize = 100;

pub async fn catalog() -> Result<Vec<TemplateSummary>, AppError> {
    let (p, org) = require_member().await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    templates::ensure_builtins(&mut tx, org).await?;
    let departments = facts::departments_of(&mut tx, org, p.id()).await?;
    let mut out = Vec::new();
    for t in templates::list(&mut tx, org).await? {
        let (Some(n), true) = (t.published, t.enabled) else {
            continue;
        };
        let template = id(&t.id)?;
        let design = templates::version(&mut tx, org, template, n).await?;
        if engine::may_submit(&design.submitters, p.id(), &departments) {
            out.push(t);
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// A request of the caller's own: (template, version, status, form).
async fn own_request(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    request: Uuid,
) -> Result<(Uuid, i32, String, Json<crate::approvals::form::Values>), AppError> {
    let r = sqlx::query!(
        r#"SELECT template_id, template_version, status,
                  form AS "form: Json<crate::approvals::form::Values>"
           FROM approval_requests WHERE org_id = $1 AND id = $2 AND submitter_id = $3"#,
        org,
        request,
        submitter
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok((r.template_id, r.template_version, r.status, r.form))
}

pub async fn form(raw: String, from: String) -> Result<(FormView, Option<RawForm>), AppError> {
    let (p, org) = require_member().await?;
    let template = id(&raw)?;
    let from = maybe_id(&from, "from")?;
    let state = app_state()?;
    let mut c = state.db.acquire().await?;
    let summary = templates::summary(&mut c, org, template).await?;
    // A returned request is changed in the version it started with.
    let mut number = summary.published;
    let mut start = None;
    if let Some(from) = from {
        let (t, version, status, values) = own_request(&mut c, org, p.id(), from).await?;
        if t != template {
            return Err(AppError::not_found());
        }
        if status == "returned" {
            number = Some(version);
        }
        start = Some(values.0);
    }
    let number = number.ok_or_else(|| AppError::field("template", Code::ApprovalsNotPublished))?;
    let design = templates::version(&mut c, org, template, number).await?;
    let raw = start.map(|v| design.form.raw(&v));
    let departments = facts::departments_of(&mut c, org, p.id()).await?;
    let ids: Vec<String> = departments
        .iter()
        .flat_map(|(_, path)| path.iter().map(Uuid::to_string))
        .collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let names = names(&mut c, org, &[], &id_refs, &[]).await?;
    let departments = departments
        .iter()
        .map(|(d, path)| {
            let shown: Vec<String> = path
                .iter()
                .map(|x| names.department(&x.to_string()))
                .collect();
            (d.to_string(), shown.join(" / "))
        })
        .collect();
    Ok((
        FormView {
            template: summary,
            design,
            departments,
            names,
        },
        raw,
    ))
}

fn submission(form: &str, chosen_raw: &str, department: &str) -> Result<Submission, AppError> {
    Ok(Submission {
        form: json(form, "form")?,
        chosen: chosen(chosen_raw)?,
        department: maybe_id(department, "department")?,
    })
}

pub async fn preview(
    raw: String,
    form: String,
    chosen_raw: String,
    department: String,
) -> Result<RouteView, AppError> {
    let (p, org) = require_member().await?;
    let template = id(&raw)?;
    let submission = submission(&form, &chosen_raw, &department)?;
    let state = app_state()?;
    let mut c = state.db.acquire().await?;
    let prepared = engine::prepare(
        &mut c,
        org,
        p.id(),
        template,
        Source::Published,
        &submission,
        Purpose::Preview,
        None,
    )
    .await?;
    let names = route_names(&mut c, org, &prepared.route).await?;
    Ok(RouteView {
        route: prepared.route,
        names,
    })
}

pub async fn submit(
    raw: String,
    form: String,
    chosen_raw: String,
    department: String,
    copied_from: String,
    resubmit: String,
) -> Result<String, AppError> {
    let (p, org) = require_member().await?;
    let template = id(&raw)?;
    let submission = submission(&form, &chosen_raw, &department)?;
    let copied_from = maybe_id(&copied_from, "copied_from")?;
    let resubmit = maybe_id(&resubmit, "resubmit")?;
    let actor = actor(&p);
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    // Each submission tells its approvers: a person sends a bounded number an hour.
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM approval_events
           WHERE org_id = $1 AND actor_id = $2 AND kind IN ('submitted', 'resubmitted')
             AND at > now() - interval '1 hour'"#,
        org,
        p.id()
    )
    .fetch_one(&mut *tx)
    .await?;
    if recent >= MAX_SUBMISSIONS_PER_HOUR {
        return Err(AppError::field(
            "template",
            Code::ApprovalsTooManySubmissions,
        ));
    }
    if let Some(request) = resubmit {
        let (t, version, status, _) = own_request(&mut tx, org, p.id(), request).await?;
        if t != template {
            return Err(AppError::not_found());
        }
        if status != "returned" {
            return Err(AppError::field("resubmit", Code::ApprovalsDecided));
        }
        let prepared = engine::prepare(
            &mut tx,
            org,
            p.id(),
            template,
            Source::Version(version),
            &submission,
            Purpose::Resubmit,
            Some(request),
        )
        .await?;
        engine::resubmit(&mut tx, org, p.id(), request, &prepared).await?;
        audit(
            &mut tx,
            &actor,
            org,
            Action::ApprovalResubmitted,
            ("approval_request", request),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        return Ok(request.to_string());
    }
    if let Some(from) = copied_from {
        own_request(&mut tx, org, p.id(), from).await?;
    }
    let prepared = engine::prepare(
        &mut tx,
        org,
        p.id(),
        template,
        Source::Published,
        &submission,
        Purpose::Submit,
        None,
    )
    .await?;
    let request = engine::submit(&mut tx, org, p.id(), &prepared, copied_from).await?;
    audit(
        &mut tx,
        &actor,
        org,
        Action::ApprovalSubmitted,
        ("approval_request", request),
        json!({ "after": { "template": template.to_string(), "version": prepared.version } }),
    )
    .await?;
    tx.commit().await?;
    Ok(request.to_string())
}

pub async fn withdraw(raw: String) -> Result<String, AppError> {
    let (p, org) = require_member().await?;
    let request = id(&raw)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let status = engine::withdraw(&mut tx, org, p.id(), request).await?;
    let action = if status == "revoked" {
        Action::ApprovalRevoked
    } else {
        Action::ApprovalWithdrawn
    };
    audit(
        &mut tx,
        &actor(&p),
        org,
        action,
        ("approval_request", request),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(status.to_string())
}

pub async fn decide(
    task: String,
    decision: String,
    comment: String,
    back_to: String,
) -> Result<String, AppError> {
    let (p, org) = require_member().await?;
    let task = id(&task)?;
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::field("comment", Code::ValidationTooLong));
    }
    let decision = match decision.trim() {
        "approve" => Decision::Approve,
        "reject" => {
            if comment.is_empty() {
                return Err(AppError::field("comment", Code::ApprovalsCommentRequired));
            }
            let back_to = match back_to.trim() {
                "" => None,
                "submitter" => Some(Back::Submitter),
                n => Some(Back::Node(n.parse().map_err(|_| {
                    AppError::field("back_to", Code::ValidationInvalid)
                })?)),
            };
            Decision::Reject { back_to }
        }
        _ => return Err(AppError::field("decision", Code::ValidationInvalid)),
    };
    let comment = (!comment.is_empty()).then_some(comment);
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let done = engine::decide(&mut tx, org, p.id(), task, decision, comment).await?;
    let action = match (decision, done.status) {
        (Decision::Approve, _) => Action::ApprovalApproved,
        (_, "returned") | (Decision::Reject { back_to: Some(_) }, "pending") => {
            Action::ApprovalReturned
        }
        _ => Action::ApprovalRejected,
    };
    audit(
        &mut tx,
        &actor(&p),
        org,
        action,
        ("approval_request", done.request),
        json!({
            "task": task.to_string(),
            "on_behalf_of": done.principal.map(|x| x.to_string()),
            "after": { "status": done.status },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(done.status.to_string())
}

/// `YYYY-MM-DD` or blank.
fn day(raw: &str, field: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, Code::ValidationFormat)),
    }
}

fn like(q: &str) -> Option<String> {
    let q = q.trim();
    (!q.is_empty()).then(|| {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    })
}

pub async fn mine(status: String, page: i64) -> Result<RequestPage, AppError> {
    let (p, org) = require_member().await?;
    let status = match status.trim() {
        "" => None,
        s => Some(
            crate::approvals::RequestStatus::parse(s)
                .ok_or_else(|| AppError::field("status", Code::ValidationInvalid))?
                .as_str(),
        ),
    };
    let page = page.clamp(1, 10_000);
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org).await?;
    let mut c = state.db.acquire().await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM approval_requests
           WHERE org_id = $1 AND submitter_id = $2 AND ($3::text IS NULL OR status = $3)"#,
        org,
        p.id(),
        status
    )
    .fetch_one(&mut *c)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT r.id, r.number, t.name_en, t.name_zh, r.submitter_id, a.name AS submitter_name,
                  r.status, r.summary, r.submitted_at AS "submitted_at: chrono::DateTime<chrono::Utc>",
                  ARRAY(SELECT w.name FROM approval_tasks k JOIN accounts w ON w.id = k.assignee_id
                        WHERE k.request_id = r.id AND k.status = 'pending' ORDER BY k.position) AS "waiting!"
           FROM approval_requests r
           JOIN approval_templates t ON t.id = r.template_id
           JOIN accounts a ON a.id = r.submitter_id
           WHERE r.org_id = $1 AND r.submitter_id = $2 AND ($3::text IS NULL OR r.status = $3)
           ORDER BY r.submitted_at DESC, r.id DESC
           LIMIT $4 OFFSET $5"#,
        org,
        p.id(),
        status,
        PER_PAGE,
        (page - 1) * PER_PAGE
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|r| RequestRow {
        id: r.id.to_string(),
        number: r.number,
        template_en: r.name_en,
        template_zh: r.name_zh,
        submitter: r.submitter_id.to_string(),
        submitter_name: r.submitter_name,
        status: r.status,
        summary: r.summary,
        submitted_at: crate::server::time::local(r.submitted_at, zone),
        task: None,
        waiting_for: r.waiting,
    })
    .collect();
    Ok(RequestPage {
        rows,
        total,
        page,
        per_page: PER_PAGE,
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn inbox(
    tab: String,
    template: String,
    submitter: String,
    from: String,
    to: String,
    q: String,
    page: i64,
) -> Result<Inbox, AppError> {
    let (p, org) = require_member().await?;
    let tab = match tab.trim() {
        "" | "pending" => "pending",
        "handled" => "handled",
        "cc" => "cc",
        _ => return Err(AppError::field("tab", Code::ValidationInvalid)),
    };
    if q.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::field("q", Code::ValidationTooLong));
    }
    let template = maybe_id(&template, "template")?;
    let submitter = maybe_id(&submitter, "submitter")?;
    let (from, to) = (day(&from, "from")?, day(&to, "to")?);
    let number: Option<i64> = q.trim().trim_start_matches('#').parse().ok();
    let pattern = like(&q);
    let page = page.clamp(1, 10_000);
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org).await?;
    let mut c = state.db.acquire().await?;
    let me = p.id();
    let rows = super::inbox::page(
        &mut c,
        super::inbox::Query {
            org,
            me,
            tab,
            template,
            submitter,
            from,
            to,
            zone,
            number,
            pattern: pattern.as_deref(),
            page,
        },
    )
    .await?;
    let counts = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM approval_tasks WHERE assignee_id = $2 AND org_id = $1 AND status = 'pending') AS "pending!",
             (SELECT count(*) FROM approval_tasks WHERE assignee_id = $2 AND org_id = $1
                AND status IN ('approved', 'rejected', 'transferred') AND NOT automatic) AS "handled!",
             (SELECT count(*) FROM approval_cc WHERE account_id = $2 AND org_id = $1 AND shown_at IS NOT NULL) AS "cc!""#,
        org,
        me
    )
    .fetch_one(&mut *c)
    .await?;
    let templates = templates::list(&mut c, org)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name_en, t.name_zh))
        .collect();
    let submitter_name = match submitter {
        Some(s) => {
            sqlx::query_scalar!(
                "SELECT name FROM accounts WHERE org_id = $1 AND id = $2",
                org,
                s
            )
            .fetch_optional(&mut *c)
            .await?
        }
        None => None,
    };
    let (total, rows) = rows;
    Ok(Inbox {
        page: RequestPage {
            rows,
            total,
            page,
            per_page: PER_PAGE,
        },
        pending: counts.pending,
        handled: counts.handled,
        cc: counts.cc,
        templates,
        submitter_name,
    })
}

pub async fn request(raw: String) -> Result<RequestDetail, AppError> {
    let (p, org) = require_member().await?;
    let request = id(&raw)?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org).await?;
    let mut c = state.db.acquire().await?;
    super::detail::load(&mut c, org, p.id(), request, zone).await
}

pub async fn find(kind: String, q: String) -> Result<Vec<(String, String, String)>, AppError> {
    let (_, org) = require_member().await?;
    if q.chars().count() > 50 {
        return Err(AppError::field("q", Code::ValidationTooLong));
    }
    let Some(pattern) = like(&q.to_lowercase()) else {
        return Ok(Vec::new());
    };
    let state = app_state()?;
    let mut c = state.db.acquire().await?;
    Ok(match kind.trim() {
        "person" => sqlx::query!(
            r#"SELECT a.id, a.name, coalesce(d.name, '') AS "department!"
               FROM accounts a LEFT JOIN departments d ON d.id = a.main_department_id
               WHERE a.org_id = $1 AND a.kind = 'member' AND a.status = 'active'
                 AND a.search_text LIKE $2
               ORDER BY a.name_pinyin, a.id LIMIT 10"#,
            org,
            pattern
        )
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| (r.id.to_string(), r.name, r.department))
        .collect(),
        "department" => sqlx::query!(
            r#"SELECT d.id, d.name, coalesce(p.name, '') AS "parent!"
               FROM departments d LEFT JOIN departments p ON p.id = d.parent_id
               WHERE d.org_id = $1 AND lower(d.name) LIKE $2
               ORDER BY cardinality(d.path), d.name LIMIT 10"#,
            org,
            pattern
        )
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| (r.id.to_string(), r.name, r.parent))
        .collect(),
        _ => return Err(AppError::field("kind", Code::ValidationInvalid)),
    })
}
