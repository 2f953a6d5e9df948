//! Templates and their published versions.
use crate::approvals::{Design, TemplateSummary, builtin};
use crate::error::AppError;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

/// Gives the organisation its built-in templates (leave, reimbursement,
/// overtime), each published as version 1, where they are missing.
pub async fn ensure_builtins(c: &mut PgConnection, org: Uuid) -> Result<(), AppError> {
    let have = sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM approval_templates WHERE org_id = $1 AND kind <> 'custom'",
        org
    )
    .fetch_one(&mut *c)
    .await?;
    if have as usize >= builtin::KINDS.len() {
        return Ok(());
    }
    for (order, b) in builtin::all().into_iter().enumerate() {
        let id = Uuid::now_v7();
        let made = sqlx::query_scalar!(
            r#"INSERT INTO approval_templates
                   (id, org_id, kind, name_en, name_zh, description_en, description_zh,
                    current_version, sort_order)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)
               ON CONFLICT (org_id, kind) WHERE kind <> 'custom' DO NOTHING
               RETURNING id"#,
            id,
            org,
            b.kind,
            b.name_en,
            b.name_zh,
            b.description_en,
            b.description_zh,
            order as i32,
        )
        .fetch_optional(&mut *c)
        .await?;
        if made.is_none() {
            continue;
        }
        let design = Design {
            form: b.form,
            flow: b.flow,
            submitters: Default::default(),
        };
        insert_version(c, org, id, 1, &design, None).await?;
    }
    Ok(())
}

async fn insert_version(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
    number: i32,
    design: &Design,
    by: Option<Uuid>,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO approval_template_versions
               (org_id, template_id, number, form, flow, submitters, published_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        org,
        template,
        number,
        Json(&design.form) as _,
        Json(&design.flow) as _,
        Json(&design.submitters) as _,
        by,
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The organisation's templates, in their order.
pub async fn list(c: &mut PgConnection, org: Uuid) -> Result<Vec<TemplateSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, kind, name_en, name_zh, description_en, description_zh, enabled,
                  current_version, draft IS NOT NULL AS "has_draft!", version
           FROM approval_templates WHERE org_id = $1
           ORDER BY sort_order, created_at"#,
        org
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TemplateSummary {
            id: r.id.to_string(),
            kind: r.kind,
            name_en: r.name_en,
            name_zh: r.name_zh,
            description_en: r.description_en,
            description_zh: r.description_zh,
            enabled: r.enabled,
            published: r.current_version,
            has_draft: r.has_draft,
            version: r.version,
        })
        .collect())
}

/// One template of the organisation.
pub async fn summary(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
) -> Result<TemplateSummary, AppError> {
    list(c, org)
        .await?
        .into_iter()
        .find(|t| t.id == template.to_string())
        .ok_or_else(AppError::not_found)
}

/// A published version's design.
pub async fn version(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
    number: i32,
) -> Result<Design, AppError> {
    let r = sqlx::query!(
        r#"SELECT form AS "form: Json<crate::approvals::form::FormSchema>",
                  flow AS "flow: Json<crate::approvals::flow::Flow>",
                  submitters AS "submitters: Json<crate::approvals::Submitters>"
           FROM approval_template_versions
           WHERE org_id = $1 AND template_id = $2 AND number = $3"#,
        org,
        template,
        number
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok(Design {
        form: r.form.0,
        flow: r.flow.0,
        submitters: r.submitters.0,
    })
}

/// What the designer shows: the draft, else the published version.
pub async fn design(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
) -> Result<(TemplateSummary, Design), AppError> {
    let t = summary(c, org, template).await?;
    let draft = sqlx::query_scalar!(
        r#"SELECT draft AS "draft: Json<Design>" FROM approval_templates WHERE org_id = $1 AND id = $2"#,
        org,
        template
    )
    .fetch_one(&mut *c)
    .await?;
    let design = match (draft, t.published) {
        (Some(d), _) => d.0,
        (None, Some(n)) => version(c, org, template, n).await?,
        (None, None) => Design::default(),
    };
    Ok((t, design))
}

/// Keeps the designer's work as the template's draft; refused when the
/// template changed since `expected` was read.
pub async fn save_draft(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
    design: &Design,
    expected: i32,
) -> Result<i32, AppError> {
    sqlx::query_scalar!(
        r#"UPDATE approval_templates SET draft = $3, version = version + 1, updated_at = now()
           WHERE org_id = $1 AND id = $2 AND version = $4
           RETURNING version"#,
        org,
        template,
        Json(design) as _,
        expected
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::conflict)
}

/// Publishes `design` as the template's next version (its draft is
/// cleared); returns the version's number.
pub async fn publish(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
    design: &Design,
    expected: i32,
    by: Uuid,
) -> Result<i32, AppError> {
    let next = sqlx::query_scalar!(
        r#"SELECT coalesce(max(v.number), 0) + 1 AS "n!"
           FROM approval_templates t
           LEFT JOIN approval_template_versions v ON v.template_id = t.id
           WHERE t.org_id = $1 AND t.id = $2 AND t.version = $3
           GROUP BY t.id"#,
        org,
        template,
        expected
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::conflict)?;
    insert_version(c, org, template, next, design, Some(by)).await?;
    sqlx::query!(
        r#"UPDATE approval_templates
           SET current_version = $3, draft = NULL, version = version + 1, updated_at = now()
           WHERE org_id = $1 AND id = $2"#,
        org,
        template,
        next
    )
    .execute(&mut *c)
    .await?;
    Ok(next)
}

/// A new custom template with a blank draft.
pub async fn create_custom(
    c: &mut PgConnection,
    org: Uuid,
    name_en: &str,
    name_zh: &str,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO approval_templates (id, org_id, kind, name_en, name_zh, draft, sort_order)
           VALUES ($1, $2, 'custom', $3, $4, $5,
                   (SELECT coalesce(max(sort_order), 0) + 1 FROM approval_templates WHERE org_id = $2))"#,
        id,
        org,
        name_en,
        name_zh,
        Json(Design::default()) as _,
    )
    .execute(&mut *c)
    .await?;
    Ok(id)
}

/// Takes a template off the submitters' list, or puts it back. This is not
/// part of the design: an open designer's work (checked against `version`)
/// stays current.
pub async fn set_enabled(
    c: &mut PgConnection,
    org: Uuid,
    template: Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    sqlx::query_scalar!(
        r#"UPDATE approval_templates SET enabled = $3, updated_at = now()
           WHERE org_id = $1 AND id = $2 RETURNING id"#,
        org,
        template,
        enabled,
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok(())
}
