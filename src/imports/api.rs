//! The import page's server functions: an import's state and rows, checking
//! it again (another encoding, other options) and running it. Each needs
//! the permission to manage contacts; an import is read only by the
//! organisation it belongs to.
use super::{ImportJobView, ImportRowsPage, ImportSummary};
use crate::error::AppError;
use leptos::prelude::*;

/// One import: its file, options, dry run and progress.
#[server(prefix = "/api", endpoint = "import_job", input = server_fn::codec::GetUrl)]
pub async fn import_job(id: String) -> Result<ImportJobView, AppError> {
    imp::job(id).await
}

/// A page of an import's rows, those with `action` only when it is given.
#[server(prefix = "/api", endpoint = "import_rows", input = server_fn::codec::GetUrl)]
pub async fn import_rows(
    id: String,
    #[server(default)] action: String,
    #[server(default)] page: u32,
) -> Result<ImportRowsPage, AppError> {
    imp::rows(id, action, page).await
}

/// The organisation's latest imports.
#[server(prefix = "/api", endpoint = "import_recent", input = server_fn::codec::GetUrl)]
pub async fn import_recent() -> Result<Vec<ImportSummary>, AppError> {
    imp::recent().await
}

/// Checks the file again: in `encoding` (`utf8`, `gb18030`, or blank to
/// detect it) and with these options.
#[server(prefix = "/api", endpoint = "import_recheck")]
pub async fn import_recheck(
    id: String,
    #[server(default)] encoding: String,
    #[server(default)] create_departments: String,
    #[server(default)] update_existing: String,
    #[server(default)] full_sync: String,
    #[server(default)] invite: String,
) -> Result<(), AppError> {
    // Checkboxes arrive as text (`true`, `on`): read after the caller is
    // known, so a stranger's malformed flag is refused for who they are.
    let on = |v: &str| matches!(v.trim(), "true" | "on" | "1");
    imp::recheck(
        id,
        encoding,
        super::ImportOptions {
            create_departments: on(&create_departments),
            update_existing: on(&update_existing),
            full_sync: on(&full_sync),
            invite: on(&invite),
        },
    )
    .await
}

/// Runs a checked import in the background. A full sync that disables
/// many people needs `confirm`: the number it disables.
#[server(prefix = "/api", endpoint = "import_run")]
pub async fn import_run(id: String, #[server(default)] confirm: String) -> Result<(), AppError> {
    imp::run(id, confirm).await
}

#[cfg(feature = "ssr")]
pub(crate) mod imp {
    use super::super::repo::{self, Job};
    use super::super::{Encoding, ImportOptions, ImportRowView, RowAction};
    use super::*;
    use crate::access::{Access, Permission, Target, require};
    use crate::error::Code;
    use crate::server::state::{AppState, app_state};
    use uuid::Uuid;

    pub(crate) const PAGE: i64 = 50;

    fn id(raw: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
    }

    pub(crate) async fn manager() -> Result<Access, AppError> {
        require(Permission::ManageContacts, Target::InScope).await
    }

    /// One of the caller's own imports: an import runs with the rights of
    /// whoever uploaded it, so nobody else reads, changes or runs it.
    pub(crate) async fn found(
        state: &AppState,
        access: &Access,
        raw: &str,
    ) -> Result<Job, AppError> {
        repo::job(&state.db, access.org, id(raw)?)
            .await?
            .filter(|j| j.created_by == access.principal.id())
            .ok_or_else(AppError::not_found)
    }

    pub(crate) fn view(
        job: &Job,
        zone: crate::server::time::Tz,
        may_invite: bool,
    ) -> ImportJobView {
        let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| crate::server::time::local(t, zone))
        };
        let elapsed = job.started_at.map(|s| {
            let end = job.finished_at.unwrap_or_else(chrono::Utc::now);
            (end - s).num_milliseconds().max(0) as f64 / 1000.0
        });
        ImportJobView {
            id: job.id.to_string(),
            file_name: job.file_name.clone(),
            file_size: job.file_size as i64,
            kind: job.kind.clone(),
            encoding: job.encoding.clone(),
            encoding_chosen: job.encoding_chosen,
            sheet: job.sheet.clone(),
            sheets: job.sheets.clone(),
            options: job.options,
            unknown_columns: job.unknown_columns.clone(),
            status: job.status.clone(),
            counts: job.counts,
            scope_size: job.scope_size as i64,
            needs_confirmation: job.options.full_sync
                && super::super::needs_second_confirmation(
                    job.counts.disable,
                    job.scope_size as i64,
                ),
            rows_total: job.rows_total as i64,
            rows_done: job.rows_done as i64,
            error_code: job.error_code.clone(),
            checked_at: at(Some(job.checked_at)).unwrap_or_default(),
            finished_at: at(job.finished_at),
            elapsed_secs: elapsed,
            may_invite,
        }
    }

    pub async fn job(raw: String) -> Result<ImportJobView, AppError> {
        let access = manager().await?;
        let state = app_state()?;
        let job = found(&state, &access, &raw).await?;
        let zone = crate::organisations::time_zone(&state.db, access.org).await?;
        let may_invite = access.grants.scope_of(Permission::InviteMembers).is_some();
        Ok(view(&job, zone, may_invite))
    }

    pub async fn rows(raw: String, action: String, page: u32) -> Result<ImportRowsPage, AppError> {
        let access = manager().await?;
        let state = app_state()?;
        let job = found(&state, &access, &raw).await?;
        let action = match action.trim() {
            "" => None,
            a => Some(
                RowAction::parse(a)
                    .ok_or_else(|| AppError::field("action", Code::ValidationChoice))?,
            ),
        };
        let page = i64::from(page.clamp(1, 10_000));
        let (rows, total) = repo::rows(
            &state.db,
            access.org,
            job.id,
            action,
            (page - 1) * PAGE,
            PAGE,
        )
        .await?;
        Ok(ImportRowsPage {
            rows: rows
                .into_iter()
                .map(|r| ImportRowView {
                    line: r.line as i64,
                    action: RowAction::parse(&r.action).unwrap_or(RowAction::Error),
                    person: r.person_id.map(|p| p.to_string()),
                    name: r.name,
                    userid: r.userid,
                    contact: r.contact,
                    errors: r.errors,
                    changes: r.changes,
                })
                .collect(),
            page,
            pages: ((total + PAGE - 1) / PAGE).max(1),
            total,
        })
    }

    pub async fn recent() -> Result<Vec<ImportSummary>, AppError> {
        let access = manager().await?;
        let state = app_state()?;
        let zone = crate::organisations::time_zone(&state.db, access.org).await?;
        Ok(repo::recent(&state.db, access.org, 10)
            .await?
            .into_iter()
            .filter(|j| j.created_by == access.principal.id())
            .map(|j| ImportSummary {
                id: j.id.to_string(),
                file_name: j.file_name,
                status: j.status,
                counts: j.counts,
                at: crate::server::time::local(j.checked_at, zone),
            })
            .collect())
    }

    pub async fn recheck(
        raw: String,
        encoding: String,
        options: ImportOptions,
    ) -> Result<(), AppError> {
        let access = manager().await?;
        let state = app_state()?;
        let job = found(&state, &access, &raw).await?;
        if !matches!(job.status.as_str(), "checked" | "failed") {
            return Err(AppError::field("id", Code::ImportBusy));
        }
        let chosen = match encoding.trim() {
            "" => None,
            e => Some(
                Encoding::parse(e)
                    .ok_or_else(|| AppError::field("encoding", Code::ValidationChoice))?,
            ),
        };
        let bytes = state
            .documents
            .get(&job.file_key)
            .await
            .map_err(AppError::internal)?;
        let checked = super::super::web::check(&state, &access, bytes, chosen, options).await?;
        let mut tx = state.db.begin().await?;
        // Queued or running since it was read: left as it is.
        if !repo::store_check(
            &mut tx,
            access.org,
            job.id,
            &checked.table,
            &checked.header,
            options,
            &checked.plan,
        )
        .await?
        {
            return Err(AppError::field("id", Code::ImportBusy));
        }
        sqlx::query!(
            "UPDATE import_jobs SET encoding_chosen = $3 WHERE org_id = $1 AND id = $2",
            access.org,
            job.id,
            chosen.is_some()
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn run(raw: String, confirm: String) -> Result<(), AppError> {
        let access = manager().await?;
        let state = app_state()?;
        let job = found(&state, &access, &raw).await?;
        let needs = job.options.full_sync
            && super::super::needs_second_confirmation(job.counts.disable, job.scope_size as i64);
        let confirmed = match confirm.trim() {
            "" => None,
            n => Some(
                n.parse::<i32>()
                    .map_err(|_| AppError::field("confirm", Code::ImportConfirmSync))?,
            ),
        };
        if needs && confirmed != Some(job.counts.disable as i32) {
            return Err(AppError::field("confirm", Code::ImportConfirmSync));
        }
        let mut conn = state.db.acquire().await?;
        if !repo::queue(&mut conn, access.org, job.id, confirmed).await? {
            return Err(AppError::field("id", Code::ImportBusy));
        }
        Ok(())
    }
}
