//! One request as the people it concerns see it.
use super::common::route_names;
use crate::approvals::flow::OnReject;
use crate::approvals::form::{Value, Values};
use crate::approvals::repo::templates;
use crate::approvals::route::Route;
use crate::approvals::{EventView, RequestDetail, RequestRow, TaskView};
use crate::error::AppError;
use crate::server::time::{Tz, local};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// The request, if it concerns `me`: theirs, or one they have or had a
/// task on (themselves or through a delegation), or were copied on.
pub(super) async fn load(
    c: &mut PgConnection,
    org: Uuid,
    me: Uuid,
    request: Uuid,
    zone: Tz,
) -> Result<RequestDetail, AppError> {
    let r = sqlx::query!(
        r#"SELECT r.id, r.number, r.template_id, r.template_version, t.name_en, t.name_zh,
                  r.submitter_id, a.name AS submitter_name, r.status, r.summary,
                  r.submitted_at AS "submitted_at: chrono::DateTime<chrono::Utc>",
                  r.finished_at AS "finished_at: chrono::DateTime<chrono::Utc>",
                  r.urged_at AS "urged_at: chrono::DateTime<chrono::Utc>",
                  r.form AS "form: Json<Values>", r.route AS "route: Json<Route>", r.current_node,
                  (r.submitter_id = $3
                   OR EXISTS (SELECT 1 FROM approval_tasks k WHERE k.request_id = r.id
                              AND (k.assignee_id = $3 OR k.principal_id = $3))
                   OR EXISTS (SELECT 1 FROM approval_cc cc WHERE cc.request_id = r.id
                              AND cc.account_id = $3 AND cc.shown_at IS NOT NULL)) AS "concerns!"
           FROM approval_requests r
           JOIN approval_templates t ON t.id = r.template_id
           JOIN accounts a ON a.id = r.submitter_id
           WHERE r.org_id = $1 AND r.id = $2"#,
        org,
        request,
        me
    )
    .fetch_optional(&mut *c)
    .await?
    .filter(|r| r.concerns)
    .ok_or_else(AppError::not_found)?;
    let design = templates::version(c, org, r.template_id, r.template_version).await?;
    let tasks = sqlx::query!(
        r#"SELECT k.id, k.node, k.round, k.assignee_id, a.name AS assignee_name, p.name AS "principal_name?",
                  k.status, k.automatic, k.comment,
                  k.decided_at AS "decided_at: chrono::DateTime<chrono::Utc>"
           FROM approval_tasks k
           JOIN accounts a ON a.id = k.assignee_id
           LEFT JOIN accounts p ON p.id = k.principal_id
           WHERE k.org_id = $1 AND k.request_id = $2
           ORDER BY k.round, k.node, k.position, k.created_at"#,
        org,
        request
    )
    .fetch_all(&mut *c)
    .await?;
    let my_task = tasks
        .iter()
        .find(|k| k.assignee_id == me && k.status == "pending")
        .map(|k| k.id.to_string());
    let tasks = tasks
        .into_iter()
        .map(|k| TaskView {
            id: k.id.to_string(),
            node: k.node,
            round: k.round,
            assignee: k.assignee_id.to_string(),
            assignee_name: k.assignee_name,
            principal_name: k.principal_name,
            status: k.status,
            automatic: k.automatic,
            comment: k.comment,
            decided_at: k.decided_at.map(|t| local(t, zone)),
        })
        .collect();
    let timeline = sqlx::query!(
        r#"SELECT e.at AS "at: chrono::DateTime<chrono::Utc>", e.kind, a.name AS "actor?",
                  b.name AS "on_behalf_of?", e.node, e.comment
           FROM approval_events e
           LEFT JOIN accounts a ON a.id = e.actor_id
           LEFT JOIN accounts b ON b.id = e.on_behalf_of
           WHERE e.org_id = $1 AND e.request_id = $2 ORDER BY e.id"#,
        org,
        request
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|e| EventView {
        at: local(e.at, zone),
        kind: e.kind,
        actor: e.actor,
        on_behalf_of: e.on_behalf_of,
        node: e.node,
        comment: e.comment,
    })
    .collect();

    let route = r.route.0;
    let values = r.form.0;
    let mut names = route_names(c, org, &route).await?;
    // People and departments the form's pickers name.
    let (mut people, mut departments) = (Vec::new(), Vec::new());
    let mut collect = |v: &Value| match v {
        Value::People(p) => people.extend(p.iter().cloned()),
        Value::Departments(d) => departments.extend(d.iter().cloned()),
        _ => {}
    };
    for v in values.values() {
        if let Value::Table(rows) = v {
            rows.iter()
                .flat_map(|row| row.values())
                .for_each(&mut collect);
        } else {
            collect(v);
        }
    }
    let people: Vec<&str> = people.iter().map(String::as_str).collect();
    let departments: Vec<&str> = departments.iter().map(String::as_str).collect();
    let more = super::common::names(c, org, &people, &departments, &[]).await?;
    names.people.extend(more.people);
    names.departments.extend(more.departments);
    names.files = sqlx::query!(
        "SELECT id, file_name FROM approval_files WHERE org_id = $1 AND request_id = $2",
        org,
        request
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|f| (f.id.to_string(), f.file_name))
    .collect();

    let settings = design.flow.settings;
    let is_submitter = r.submitter_id == me;
    let now = chrono::Utc::now();
    let revocable = r.status == "approved"
        && settings.revoke_days > 0
        && r.finished_at
            .is_some_and(|at| now < at + chrono::Duration::days(i64::from(settings.revoke_days)));
    let can_withdraw =
        is_submitter && (matches!(r.status.as_str(), "pending" | "returned") || revocable);
    let can_urge = is_submitter
        && r.status == "pending"
        && r.urged_at.is_none_or(|at| {
            now >= at + chrono::Duration::seconds(crate::approvals::engine::URGE_EVERY_SECS)
        });
    Ok(RequestDetail {
        row: RequestRow {
            id: r.id.to_string(),
            number: r.number,
            template_en: r.name_en,
            template_zh: r.name_zh,
            submitter: r.submitter_id.to_string(),
            submitter_name: r.submitter_name,
            status: r.status,
            summary: r.summary,
            submitted_at: local(r.submitted_at, zone),
            task: my_task.clone(),
            waiting_for: Vec::new(),
        },
        template: r.template_id.to_string(),
        form: design.form,
        values,
        route,
        current_node: r.current_node,
        tasks,
        timeline,
        names,
        my_task,
        can_withdraw,
        can_urge,
        returns: settings.on_reject == OnReject::Return,
        is_submitter,
    })
}
