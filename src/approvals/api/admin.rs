//! Templates, the designer and the simulator: for holders of the
//! permission to manage approval templates over the whole organisation.
use super::common::{actor, audit, chosen, id, json, maybe_id, names, route_names};
use crate::access::{Access, Permission, Target, require};
use crate::approvals::engine::{self, Purpose, Source, Submission};
use crate::approvals::flow::{Approvers, Node, Role, Test};
use crate::approvals::form::RawForm;
use crate::approvals::repo::templates;
use crate::approvals::{Design, Names, RouteView, TemplateEditor, TemplateSummary, VersionInfo};
use crate::audit::Action;
use crate::error::{AppError, Code, FieldError};
use crate::server::state::app_state;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// The stored parts of a design within the sizes the database keeps.
fn fits(d: &Design) -> Result<(), AppError> {
    let form = serde_json::to_string(&d.form)
        .map_err(AppError::internal)?
        .len();
    let flow = serde_json::to_string(&d.flow)
        .map_err(AppError::internal)?
        .len();
    let who = serde_json::to_string(&d.submitters)
        .map_err(AppError::internal)?
        .len();
    // jsonb's text adds a space after each separator (at most doubling
    // the text): half of what each column keeps.
    if form > 65_000 || flow > 65_000 || who > 32_000 {
        return Err(AppError::field("design", Code::ApprovalsDesignTooLarge));
    }
    Ok(())
}

async fn designer() -> Result<Access, AppError> {
    require(Permission::ManageApprovalTemplates, Target::Organisation).await
}

pub async fn templates() -> Result<Vec<TemplateSummary>, AppError> {
    let access = designer().await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    templates::ensure_builtins(&mut tx, access.org).await?;
    let list = templates::list(&mut tx, access.org).await?;
    tx.commit().await?;
    Ok(list)
}

/// The ids a design names: people, departments, admin groups.
fn references(d: &Design) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let (mut people, mut departments, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    people.extend(d.submitters.people.iter().map(String::as_str));
    departments.extend(d.submitters.departments.iter().map(String::as_str));
    for node in d.flow.walk() {
        let rule = match node {
            Node::Approval(a) => &a.approvers,
            Node::Cc(c) => &c.who,
            Node::Branch(b) => {
                for test in b
                    .branches
                    .iter()
                    .flat_map(|br| br.condition.iter())
                    .flat_map(|c| c.any.iter().flatten())
                {
                    match test {
                        Test::SubmitterIs { people: p } => {
                            people.extend(p.iter().map(String::as_str))
                        }
                        Test::SubmitterUnder { departments: ds } => {
                            departments.extend(ds.iter().map(String::as_str))
                        }
                        _ => {}
                    }
                }
                continue;
            }
        };
        match rule {
            Approvers::People { people: p } | Approvers::Chosen { range: p, .. } => {
                people.extend(p.iter().map(String::as_str))
            }
            Approvers::Role {
                role: Role::AdminGroup { id },
            }
            | Approvers::ManagerChain {
                to_role: Some(Role::AdminGroup { id }),
                ..
            } => groups.push(id.as_str()),
            _ => {}
        }
    }
    (people, departments, groups)
}

/// Everything that stands in the way of publishing `d`.
async fn problems(
    c: &mut PgConnection,
    org: Uuid,
    d: &Design,
) -> Result<Vec<FieldError>, AppError> {
    let mut problems = d.form.check();
    problems.extend(d.flow.check(&d.form));
    let (people, departments, groups) = references(d);
    let known = names(c, org, &people, &departments, &groups).await?;
    let unknown = |ids: &[&str], list: &[(String, String)]| {
        ids.iter().any(|i| !list.iter().any(|(k, _)| k == i))
    };
    if unknown(&people, &known.people)
        || unknown(&departments, &known.departments)
        || unknown(&groups, &known.groups)
    {
        problems.push(FieldError {
            field: "references".into(),
            code: Code::ApprovalsUnknownPick,
        });
    }
    if !d.submitters.everyone
        && d.submitters.people.is_empty()
        && d.submitters.departments.is_empty()
    {
        problems.push(FieldError {
            field: "submitters".into(),
            code: Code::ValidationRequired,
        });
    }
    Ok(problems)
}

pub async fn template(raw: String) -> Result<TemplateEditor, AppError> {
    let access = designer().await?;
    let template = id(&raw)?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, access.org).await?;
    let mut c = state.db.acquire().await?;
    let (summary, design) = templates::design(&mut c, access.org, template).await?;
    let problems = problems(&mut c, access.org, &design).await?;
    let (people, departments, groups) = references(&design);
    let names = names(&mut c, access.org, &people, &departments, &groups).await?;
    let versions = sqlx::query!(
        r#"SELECT v.number, v.published_at AS "published_at: chrono::DateTime<chrono::Utc>",
                  a.name AS "published_by?",
                  (SELECT count(*) FROM approval_requests r
                   WHERE r.template_id = v.template_id AND r.template_version = v.number) AS "requests!"
           FROM approval_template_versions v LEFT JOIN accounts a ON a.id = v.published_by
           WHERE v.org_id = $1 AND v.template_id = $2 ORDER BY v.number DESC"#,
        access.org,
        template
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|r| VersionInfo {
        number: r.number,
        published_at: crate::server::time::local(r.published_at, zone),
        published_by: r.published_by,
        requests: r.requests,
    })
    .collect();
    let groups = sqlx::query!(
        "SELECT id, name FROM admin_groups WHERE org_id = $1 ORDER BY name, id",
        access.org
    )
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|g| (g.id.to_string(), g.name))
    .collect();
    Ok(TemplateEditor {
        template: summary,
        design,
        problems,
        versions,
        names,
        groups,
    })
}

pub async fn approval_admin() -> Result<Option<(String, String)>, AppError> {
    let access = designer().await?;
    let state = app_state()?;
    let r = sqlx::query!(
        r#"SELECT a.id, a.name FROM organisations o
           JOIN accounts a ON a.id = coalesce(o.approval_admin_id, o.creator_id) AND a.org_id = o.id
           WHERE o.id = $1"#,
        access.org
    )
    .fetch_optional(&state.db)
    .await?;
    Ok(r.map(|r| (r.id.to_string(), r.name)))
}

pub async fn set_approval_admin(person: String) -> Result<(), AppError> {
    let access = designer().await?;
    let person = maybe_id(&person, "person")?
        .ok_or_else(|| AppError::field("person", Code::ValidationRequired))?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    if !engine::can_act(&mut tx, access.org, person).await? {
        return Err(AppError::field("person", Code::ApprovalsAdminInactive));
    }
    sqlx::query!(
        "UPDATE organisations SET approval_admin_id = $2 WHERE id = $1",
        access.org,
        person
    )
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        &actor(&access.principal),
        access.org,
        Action::ApprovalAdminSet,
        ("account", person),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A published version's design, with the names it mentions.
pub async fn version(raw: String, number: i32) -> Result<(Design, Names), AppError> {
    let access = designer().await?;
    let template = id(&raw)?;
    let state = app_state()?;
    let mut c = state.db.acquire().await?;
    let design = templates::version(&mut c, access.org, template, number).await?;
    let (people, departments, groups) = references(&design);
    let names = names(&mut c, access.org, &people, &departments, &groups).await?;
    Ok((design, names))
}

fn template_name(raw: &str, field: &str) -> Result<String, AppError> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 || n > crate::approvals::form::MAX_LABEL || name.chars().any(char::is_control) {
        return Err(AppError::field(field, Code::ApprovalsLabel));
    }
    Ok(name.to_string())
}

pub async fn create(name_en: String, name_zh: String) -> Result<String, AppError> {
    let access = designer().await?;
    let (en, zh) = (
        template_name(&name_en, "name_en")?,
        template_name(&name_zh, "name_zh")?,
    );
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let template = templates::create_custom(&mut tx, access.org, &en, &zh).await?;
    audit(
        &mut tx,
        &actor(&access.principal),
        access.org,
        Action::ApprovalTemplateCreated,
        ("approval_template", template),
        json!({ "after": { "name": zh, "name_en": en } }),
    )
    .await?;
    tx.commit().await?;
    Ok(template.to_string())
}

pub async fn save(raw: String, design: String, version: i32) -> Result<i32, AppError> {
    let access = designer().await?;
    let template = id(&raw)?;
    let design: Design = json(&design, "design")?;
    fits(&design)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let next = templates::save_draft(&mut tx, access.org, template, &design, version).await?;
    audit(
        &mut tx,
        &actor(&access.principal),
        access.org,
        Action::ApprovalTemplateSaved,
        ("approval_template", template),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

pub async fn publish(raw: String, version: i32) -> Result<i32, AppError> {
    let access = designer().await?;
    let template = id(&raw)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (summary, design) = templates::design(&mut tx, access.org, template).await?;
    if summary.version != version {
        return Err(AppError::conflict());
    }
    if !summary.has_draft {
        // Nothing new: the published version stands.
        return summary
            .published
            .ok_or_else(|| AppError::field("template", Code::ApprovalsNotPublished));
    }
    let problems = problems(&mut tx, access.org, &design).await?;
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    let number = templates::publish(
        &mut tx,
        access.org,
        template,
        &design,
        version,
        access.principal.id(),
    )
    .await?;
    audit(
        &mut tx,
        &actor(&access.principal),
        access.org,
        Action::ApprovalTemplatePublished,
        ("approval_template", template),
        json!({ "after": { "version": number } }),
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

pub async fn enable(raw: String, enabled: String) -> Result<(), AppError> {
    let access = designer().await?;
    let template = id(&raw)?;
    let enabled = matches!(enabled.trim(), "true" | "on" | "1");
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    templates::set_enabled(&mut tx, access.org, template, enabled).await?;
    audit(
        &mut tx,
        &actor(&access.principal),
        access.org,
        Action::ApprovalTemplateEnabled,
        ("approval_template", template),
        json!({ "after": { "enabled": enabled } }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn simulate(
    raw: String,
    number: i32,
    submitter: String,
    form: String,
    chosen_raw: String,
    department: String,
    design: String,
) -> Result<RouteView, AppError> {
    let access = designer().await?;
    let template = id(&raw)?;
    let submitter = maybe_id(&submitter, "submitter")?
        .ok_or_else(|| AppError::field("submitter", Code::ValidationRequired))?;
    let form: RawForm = json(&form, "form")?;
    let submission = Submission {
        form,
        chosen: chosen(&chosen_raw)?,
        department: maybe_id(&department, "department")?,
    };
    let state = app_state()?;
    let mut c = state.db.acquire().await?;
    let is_member = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE org_id = $1 AND id = $2 AND kind = 'member') AS \"x!\"",
        access.org,
        submitter
    )
    .fetch_one(&mut *c)
    .await?;
    if !is_member {
        return Err(AppError::field("submitter", Code::ValidationInvalid));
    }
    let source = if number == 0 {
        let (_, stored) = templates::design(&mut c, access.org, template).await?;
        let design = if design.is_empty() {
            stored
        } else {
            let d: Design = json(&design, "design")?;
            fits(&d)?;
            d
        };
        Source::Draft(Box::new(design))
    } else {
        Source::Version(number)
    };
    let prepared = engine::prepare(
        &mut c,
        access.org,
        submitter,
        template,
        source,
        &submission,
        Purpose::Simulate,
        None,
    )
    .await?;
    let names = route_names(&mut c, access.org, &prepared.route).await?;
    Ok(RouteView {
        route: prepared.route,
        names,
    })
}
