//! Requests moving through their routes: submission, the activation of
//! each node, decisions, withdrawal. Every function here runs inside the
//! caller's transaction; a decision locks its request row first and changes
//! a task only where it is still pending, so of two racing calls exactly
//! one decides and the other is told it was decided.
use super::form::{ControlKind, Picked, RawForm, Value, Values, show};
use super::repo::{facts, templates};
use super::route::{self, Route, RouteError};
use super::{Design, Submitters};
use crate::error::{AppError, Code, FieldError};
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

mod advance;
pub mod clock;
mod decide;
mod hand;
pub mod notices;
pub use advance::{advance, can_act};
pub use decide::{Back, Decided, Decision, decide, withdraw};
pub use hand::{
    Handing, URGE_EVERY_SECS, check_no_cycle, close_delegation, hand, hand_over, open_delegation,
    sweep_delegations, urge,
};

/// What a submitter sends (or an administrator tries in the simulator).
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub form: RawForm,
    /// Approvers the submitter chose, by node id.
    pub chosen: BTreeMap<String, Vec<String>>,
    /// The department the request is for; their main one when `None`.
    pub department: Option<Uuid>,
}

/// A submission read, checked and resolved, before anything is written.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub template: Uuid,
    pub version: i32,
    pub design: Design,
    pub values: Values,
    pub route: Route,
    pub department: Uuid,
    pub summary: String,
}

/// Which design of a template a submission is read against.
#[derive(Debug, Clone)]
pub enum Source {
    /// The version new requests start with.
    Published,
    /// A published version.
    Version(i32),
    /// The designer's draft (the simulator only; version 0).
    Draft(Box<Design>),
}

/// How strictly [`prepare`] judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A real submission: the template must be on, the submitter allowed,
    /// every choice made.
    Submit,
    /// The simulator: any version, anyone, choices may be missing.
    Simulate,
    /// The submitter's preview: as a submission, but choices may be missing.
    Preview,
    /// A returned request sent again: its template may have been turned
    /// off since (running requests go on).
    Resubmit,
}

/// Reads the form against the template version, checks who submits, and
/// resolves the route: exactly what a submission would do, without writing.
#[allow(clippy::too_many_arguments)]
pub async fn prepare(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    template: Uuid,
    source: Source,
    submission: &Submission,
    purpose: Purpose,
    request: Option<Uuid>,
) -> Result<Prepared, AppError> {
    let t = templates::summary(c, org, template).await?;
    if matches!(purpose, Purpose::Submit | Purpose::Preview) && !t.enabled {
        return Err(AppError::field("template", Code::ApprovalsTemplateOff));
    }
    let (number, design) = match source {
        Source::Published => {
            let n = t
                .published
                .ok_or_else(|| AppError::field("template", Code::ApprovalsNotPublished))?;
            (n, templates::version(c, org, template, n).await?)
        }
        Source::Version(n) => (n, templates::version(c, org, template, n).await?),
        Source::Draft(d) => (0, *d),
    };
    let departments = facts::departments_of(c, org, submitter).await?;
    if purpose != Purpose::Simulate && !may_submit(&design.submitters, submitter, &departments) {
        return Err(AppError::field("template", Code::ApprovalsNotSubmitter));
    }
    let (department, path) = match submission.department {
        Some(d) => departments
            .iter()
            .find(|(id, _)| *id == d)
            .cloned()
            .ok_or_else(|| AppError::field("department", Code::ValidationInvalid))?,
        None => departments
            .first()
            .cloned()
            .ok_or_else(|| AppError::field("department", Code::ApprovalsNoDepartment))?,
    };
    let known = Known::load(c, org, submitter, &design, &submission.form, request).await?;
    let values = design
        .form
        .read(&submission.form, &|what, id| known.has(what, id))
        .map_err(AppError::validation)?;
    let f = facts::load(
        c,
        org,
        submitter,
        &path,
        &design.flow,
        &values,
        &submission.chosen,
        &departments,
    )
    .await?;
    let route =
        route::resolve(&design.flow, &values, &f, &submission.chosen).map_err(|e| match e {
            RouteError::TooManyApprovers { node_id } => {
                AppError::field(format!("choose.{node_id}"), Code::ApprovalsTooManyApprovers)
            }
            RouteError::BadChoice { node_id } => {
                AppError::field(format!("choose.{node_id}"), Code::ApprovalsChooseApprover)
            }
        })?;
    if matches!(purpose, Purpose::Submit | Purpose::Resubmit) {
        let missing: Vec<FieldError> = route
            .steps
            .iter()
            .filter(|s| s.needs_choice)
            .map(|s| FieldError {
                field: format!("choose.{}", s.node_id),
                code: Code::ApprovalsChooseApprover,
            })
            .collect();
        if !missing.is_empty() {
            return Err(AppError::validation(missing));
        }
    }
    let summary = summary(&design, &values);
    Ok(Prepared {
        template,
        version: number,
        design,
        values,
        route,
        department,
        summary,
    })
}

pub fn may_submit(who: &Submitters, person: Uuid, departments: &[(Uuid, Vec<Uuid>)]) -> bool {
    who.everyone
        || who.people.iter().any(|p| *p == person.to_string())
        || departments.iter().any(|(_, path)| {
            path.iter()
                .any(|d| who.departments.iter().any(|w| *w == d.to_string()))
        })
}

/// The ids a form's pickers may name: people and departments of the
/// organisation, and attachments the submitter uploaded and has not used
/// (or used on this very request, when it is resubmitted).
struct Known {
    people: HashSet<String>,
    departments: HashSet<String>,
    files: HashSet<String>,
}

impl Known {
    async fn load(
        c: &mut PgConnection,
        org: Uuid,
        submitter: Uuid,
        design: &Design,
        raw: &RawForm,
        request: Option<Uuid>,
    ) -> Result<Self, AppError> {
        let (mut people, mut departments, mut files) = (Vec::new(), Vec::new(), Vec::new());
        let ids = |text: &str| -> Vec<Uuid> {
            text.split(',')
                .filter_map(|s| Uuid::parse_str(s.trim()).ok())
                .take(super::form::MAX_PICKED + 1)
                .collect()
        };
        let mut sort = |kind: &ControlKind, text: &str| match kind {
            ControlKind::Person { .. } => people.extend(ids(text)),
            ControlKind::Department { .. } => departments.extend(ids(text)),
            ControlKind::Attachment { .. } => files.extend(ids(text)),
            _ => {}
        };
        for control in &design.form.controls {
            if let ControlKind::Table { columns } = &control.kind {
                for row in raw
                    .tables
                    .get(&control.id)
                    .into_iter()
                    .flatten()
                    .take(super::form::MAX_TABLE_ROWS)
                {
                    for col in columns {
                        if let Some(text) = row.get(&col.id) {
                            sort(&col.kind, text);
                        }
                    }
                }
            } else if let Some(text) = raw.fields.get(&control.id) {
                sort(&control.kind, text);
            }
        }
        let s = |v: Vec<Uuid>| v.into_iter().map(|u| u.to_string()).collect::<HashSet<_>>();
        let people = sqlx::query_scalar!(
            "SELECT id FROM accounts WHERE org_id = $1 AND kind = 'member' AND id = ANY($2)",
            org,
            &people
        )
        .fetch_all(&mut *c)
        .await?;
        let departments = sqlx::query_scalar!(
            "SELECT id FROM departments WHERE org_id = $1 AND id = ANY($2)",
            org,
            &departments
        )
        .fetch_all(&mut *c)
        .await?;
        let files = sqlx::query_scalar!(
            r#"SELECT id FROM approval_files
               WHERE org_id = $1 AND uploader_id = $2 AND id = ANY($3)
                 AND (request_id IS NULL OR request_id = $4)"#,
            org,
            submitter,
            &files,
            request
        )
        .fetch_all(&mut *c)
        .await?;
        Ok(Known {
            people: s(people),
            departments: s(departments),
            files: s(files),
        })
    }

    fn has(&self, what: Picked, id: &str) -> bool {
        match what {
            Picked::Person => self.people.contains(id),
            Picked::Department => self.departments.contains(id),
            Picked::File => self.files.contains(id),
        }
    }
}

/// A line of the form's values for lists and search: text, numbers,
/// amounts, dates and the chosen options in both languages.
fn summary(design: &Design, values: &Values) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in &design.form.controls {
        let Some(v) = values.get(&c.id) else { continue };
        match (&c.kind, v) {
            (ControlKind::Choice { options, .. }, Value::Choice(keys)) => {
                for k in keys {
                    if let Some(o) = options.iter().find(|o| &o.key == k) {
                        parts.push(format!("{} {}", o.zh, o.en));
                    }
                }
            }
            (_, Value::Table(_)) => {
                if let Some(total) = v.measure() {
                    parts.push(format!("¥{total:.2}"));
                }
            }
            (_, Value::People(_) | Value::Departments(_) | Value::Files(_)) => {}
            (_, Value::Money(f)) => parts.push(format!("¥{}", super::form::yuan(*f))),
            (_, Value::HalfDays { .. } | Value::Days { .. } | Value::Hours { .. }) => {
                let unit = if matches!(v, Value::Hours { .. }) {
                    "h"
                } else {
                    "d"
                };
                let range = show(v).replace('T', " ").replace('/', " – ");
                parts.push(format!("{range} ({}{unit})", v.duration().unwrap_or(0.0)));
            }
            _ => parts.push(show(v)),
        }
    }
    let mut line = parts.join(" · ").replace('\n', " ");
    if let Some((cut, _)) = line.char_indices().nth(300) {
        line.truncate(cut);
    }
    line
}

/// Writes a request for a prepared submission and starts its route;
/// returns its id.
pub async fn submit(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    p: &Prepared,
    copied_from: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO approval_requests
               (id, org_id, template_id, template_version, submitter_id, department_id,
                form, summary, route, current_node, status, copied_from)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 'pending', $10)"#,
        id,
        org,
        p.template,
        p.version,
        submitter,
        p.department,
        Json(&p.values) as _,
        p.summary,
        Json(&p.route) as _,
        copied_from,
    )
    .execute(&mut *c)
    .await?;
    attach_files(c, org, submitter, id, &p.values).await?;
    copy_people(c, org, id, &p.route).await?;
    event(c, org, id, "submitted", Some(submitter), None, None, None).await?;
    advance(c, org, id, &p.route, 0, 1).await?;
    Ok(id)
}

/// Resubmits a request returned to its submitter, changed: a new round
/// along the route resolved again.
pub async fn resubmit(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    request: Uuid,
    p: &Prepared,
) -> Result<(), AppError> {
    let round = sqlx::query_scalar!(
        r#"UPDATE approval_requests
           SET form = $4, summary = $5, route = $6, department_id = $7, round = round + 1,
               status = 'pending', current_node = 0, updated_at = now()
           WHERE org_id = $1 AND id = $2 AND submitter_id = $3 AND status = 'returned'
           RETURNING round"#,
        org,
        request,
        submitter,
        Json(&p.values) as _,
        p.summary,
        Json(&p.route) as _,
        p.department,
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(|| AppError::field("resubmit", Code::ApprovalsDecided))?;
    attach_files(c, org, submitter, request, &p.values).await?;
    sqlx::query!(
        "DELETE FROM approval_cc WHERE org_id = $1 AND request_id = $2",
        org,
        request
    )
    .execute(&mut *c)
    .await?;
    copy_people(c, org, request, &p.route).await?;
    event(
        c,
        org,
        request,
        "resubmitted",
        Some(submitter),
        None,
        None,
        None,
    )
    .await?;
    advance(c, org, request, &p.route, 0, round).await?;
    Ok(())
}

/// Records who the route copies; those copied at submission see it now.
async fn copy_people(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    route: &Route,
) -> Result<(), AppError> {
    let (people, timings): (Vec<Uuid>, Vec<String>) = route
        .cc
        .iter()
        .filter_map(|c| {
            Some((
                Uuid::parse_str(&c.person).ok()?,
                cc_timing(c.timing).to_string(),
            ))
        })
        .unzip();
    let shown = sqlx::query_scalar!(
        r#"INSERT INTO approval_cc (org_id, request_id, account_id, timing, shown_at)
           SELECT $1, $2, person, timing, CASE WHEN timing IN ('submit', 'both') THEN now() END
           FROM unnest($3::uuid[], $4::text[]) AS x (person, timing)
           RETURNING CASE WHEN shown_at IS NOT NULL THEN account_id END"#,
        org,
        request,
        &people,
        &timings,
    )
    .fetch_all(&mut *c)
    .await?;
    let shown: Vec<Uuid> = shown.into_iter().flatten().collect();
    notices::tell(c, org, request, &shown, "cc").await
}

pub(crate) fn cc_timing(t: super::flow::CcTiming) -> &'static str {
    match t {
        super::flow::CcTiming::Submit => "submit",
        super::flow::CcTiming::Finish => "finish",
        super::flow::CcTiming::Both => "both",
    }
}

/// Ties the form's attachments to the request (and frees any the
/// submitter removed on resubmission).
async fn attach_files(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    request: Uuid,
    values: &Values,
) -> Result<(), AppError> {
    let ids: Vec<Uuid> = values
        .values()
        .flat_map(Value::files)
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect();
    sqlx::query!(
        r#"UPDATE approval_files SET request_id = CASE WHEN id = ANY($4) THEN $3 ELSE NULL END
           WHERE org_id = $1 AND uploader_id = $2
             AND ((id = ANY($4) AND (request_id IS NULL OR request_id = $3)) OR request_id = $3)"#,
        org,
        submitter,
        request,
        &ids
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Appends to a request's timeline.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn event(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    kind: &str,
    actor: Option<Uuid>,
    on_behalf_of: Option<Uuid>,
    node: Option<i32>,
    comment: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO approval_events (org_id, request_id, kind, actor_id, on_behalf_of, node, comment)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        org,
        request,
        kind,
        actor,
        on_behalf_of,
        node,
        comment
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}
