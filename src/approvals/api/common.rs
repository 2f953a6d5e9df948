//! What the approval server functions share: ids, JSON inputs, names and
//! the audit row.
use super::MAX_JSON;
use crate::approvals::Names;
use crate::approvals::route::{Gap, Route, Why};
use crate::audit::repo::{Actor, Event, record};
use crate::auth::guard::{Principal, RequestMeta};
use crate::error::{AppError, Code};
use serde::de::DeserializeOwned;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

/// An id from the request; anything that is not one is simply not found.
pub(super) fn id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
}

/// An optional id: blank is none, anything else must be an id.
pub(super) fn maybe_id(raw: &str, field: &str) -> Result<Option<Uuid>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| AppError::field(field, Code::ValidationInvalid)),
    }
}

/// JSON text of a form, a design or choices, within the size limit;
/// blank is the default.
pub(super) fn json<T: DeserializeOwned + Default>(raw: &str, field: &str) -> Result<T, AppError> {
    if raw.len() > MAX_JSON {
        return Err(AppError::field(field, Code::ValidationTooLong));
    }
    if raw.trim().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(raw).map_err(|_| AppError::field(field, Code::ValidationFormat))
}

/// The approvers a submitter chose, by node id.
pub(super) fn chosen(raw: &str) -> Result<BTreeMap<String, Vec<String>>, AppError> {
    let chosen: BTreeMap<String, Vec<String>> = json(raw, "chosen")?;
    if chosen.len() > crate::approvals::flow::MAX_NODES
        || chosen
            .values()
            .any(|v| v.len() > crate::approvals::flow::MAX_NAMED)
    {
        return Err(AppError::field("chosen", Code::ValidationTooLong));
    }
    Ok(chosen)
}

pub(super) fn actor(p: &Principal) -> Actor {
    RequestMeta::current().actor(Some(p.id()), "member")
}

/// Writes the audit row of one approval action, in its transaction.
pub(super) async fn audit(
    c: &mut PgConnection,
    actor: &Actor,
    org: Uuid,
    action: crate::audit::Action,
    target: (&str, Uuid),
    details: serde_json::Value,
) -> Result<(), AppError> {
    let event = Event::new(action)
        .org(Some(org))
        .details(details)
        .target(target.0, target.1.to_string());
    record(c, actor, &event).await?;
    Ok(())
}

/// The names of people, departments and admin groups of the organisation.
pub(super) async fn names(
    c: &mut PgConnection,
    org: Uuid,
    people: &[&str],
    departments: &[&str],
    groups: &[&str],
) -> Result<Names, AppError> {
    let parse =
        |v: &[&str]| -> Vec<Uuid> { v.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect() };
    let people = sqlx::query!(
        "SELECT id, name FROM accounts WHERE org_id = $1 AND id = ANY($2)",
        org,
        &parse(people)
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), r.name))
    .collect();
    let departments = sqlx::query!(
        "SELECT id, name FROM departments WHERE org_id = $1 AND id = ANY($2)",
        org,
        &parse(departments)
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), r.name))
    .collect();
    let groups = sqlx::query!(
        "SELECT id, name FROM admin_groups WHERE org_id = $1 AND id = ANY($2)",
        org,
        &parse(groups)
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), r.name))
    .collect();
    Ok(Names {
        people,
        departments,
        groups,
        files: Vec::new(),
    })
}

/// The names a route mentions.
pub(super) async fn route_names(
    c: &mut PgConnection,
    org: Uuid,
    route: &Route,
) -> Result<Names, AppError> {
    let mut departments: Vec<&str> = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    let whys = route
        .steps
        .iter()
        .flat_map(|s| s.approvers.iter().map(|p| &p.why))
        .chain(route.cc.iter().map(|c| &c.why));
    for why in whys {
        match why {
            Why::DepartmentHead { department, .. } | Why::FieldHead { department, .. } => {
                departments.push(department)
            }
            Why::Role {
                role: crate::approvals::flow::Role::AdminGroup { id },
            } => groups.push(id),
            _ => {}
        }
    }
    for l in route.steps.iter().flat_map(|s| &s.left_out) {
        if let Gap::NoHead {
            department: Some(d),
            ..
        } = &l.why
        {
            departments.push(d);
        }
    }
    names(c, org, &route.people(), &departments, &groups).await
}
