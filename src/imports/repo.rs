//! The import jobs and their rows: every query takes the organisation.
use super::check::Plan;
use super::columns::Header;
use super::read::Table;
use super::{CellError, Counts, ImportOptions, RowAction};
use sqlx::PgConnection;
use uuid::Uuid;

/// A file just read, about to be kept with its dry run.
pub struct NewJob<'a> {
    pub id: Uuid,
    pub org: Uuid,
    pub created_by: Uuid,
    pub file_name: &'a str,
    pub file_key: &'a str,
    pub file_size: i32,
    pub encoding_chosen: bool,
    /// The language of the invitations the run sends.
    pub locale: &'a str,
}

/// One import as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub org_id: Uuid,
    pub created_by: Uuid,
    pub file_name: String,
    pub file_key: String,
    pub file_size: i32,
    pub kind: String,
    pub encoding: Option<String>,
    pub encoding_chosen: bool,
    pub locale: String,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub options: ImportOptions,
    pub unknown_columns: Vec<String>,
    pub status: String,
    pub counts: Counts,
    pub fingerprint: String,
    pub scope_size: i32,
    pub confirmed_disable: Option<i32>,
    pub rows_total: i32,
    pub rows_done: i32,
    pub error_code: Option<String>,
    pub checked_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn unknown_columns(header: &Header) -> Vec<String> {
    header
        .unknown
        .iter()
        .map(|(_, text)| text.clone())
        .chain(
            header
                .repeated
                .iter()
                .map(|(i, c)| format!("#{i} {}", c.header())),
        )
        .collect()
}

/// Keeps a new job with its dry run.
pub async fn insert(
    conn: &mut PgConnection,
    job: &NewJob<'_>,
    table: &Table,
    header: &Header,
    options: ImportOptions,
    plan: &Plan,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO import_jobs (id, org_id, created_by, file_name, file_key, file_size, kind,
                                    encoding, encoding_chosen, sheet, sheets, options, status, locale)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'checked', $13)"#,
        job.id,
        job.org,
        job.created_by,
        job.file_name,
        job.file_key,
        job.file_size,
        table.kind.as_str(),
        table.encoding.map(|e| e.as_str()),
        job.encoding_chosen,
        table.sheet,
        &table.sheets,
        serde_json::to_value(options).unwrap_or_default(),
        job.locale,
    )
    .execute(&mut *conn)
    .await?;
    store_check(conn, job.org, job.id, table, header, options, plan).await?;
    Ok(())
}

/// Replaces a job's dry run (checked again: another encoding, other
/// options, or contacts that changed).
pub async fn store_check(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    table: &Table,
    header: &Header,
    options: ImportOptions,
    plan: &Plan,
) -> sqlx::Result<bool> {
    // Only a job waiting to run is checked again: one queued or running
    // meanwhile keeps the check it runs on.
    let updated = sqlx::query!(
        r#"UPDATE import_jobs
              SET kind = $3, encoding = $4, sheet = $5, sheets = $6, options = $7,
                  unknown_columns = $8, counts = $9, scope_size = $10, rows_total = $11,
                  fingerprint = $12,
                  rows_done = 0, status = 'checked', error_code = NULL, confirmed_disable = NULL,
                  checked_at = now(), queued_at = NULL, started_at = NULL, finished_at = NULL
            WHERE id = $1 AND org_id = $2 AND status IN ('checked', 'failed')"#,
        id,
        org,
        table.kind.as_str(),
        table.encoding.map(|e| e.as_str()),
        table.sheet,
        &table.sheets,
        serde_json::to_value(options).unwrap_or_default(),
        &unknown_columns(header),
        serde_json::to_value(plan.counts).unwrap_or_default(),
        plan.scope_size as i32,
        plan.rows.len() as i32,
        plan.fingerprint,
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query!("DELETE FROM import_rows WHERE job_id = $1", id)
        .execute(&mut *conn)
        .await?;
    for chunk in plan.rows.chunks(5_000) {
        let mut lines = Vec::with_capacity(chunk.len());
        let mut actions = Vec::with_capacity(chunk.len());
        let mut people = Vec::with_capacity(chunk.len());
        let mut names = Vec::with_capacity(chunk.len());
        let mut userids = Vec::with_capacity(chunk.len());
        let mut contacts = Vec::with_capacity(chunk.len());
        let mut errors = Vec::with_capacity(chunk.len());
        let mut changes = Vec::with_capacity(chunk.len());
        for r in chunk {
            lines.push(r.line as i32);
            actions.push(r.action.as_str());
            people.push(r.person);
            let (name, userid, contact) = r.shown();
            names.push(name);
            userids.push(userid);
            contacts.push(contact);
            errors.push(serde_json::to_value(&r.errors).unwrap_or_default());
            changes.push(
                r.changes
                    .iter()
                    .map(|c| c.key())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        sqlx::query!(
            r#"INSERT INTO import_rows (job_id, line, action, person_id, name, userid, contact, errors, changes)
               SELECT $1, line, action, person, name, userid, contact, errors,
                      coalesce(string_to_array(NULLIF(changes, ''), ','), '{}')
                 FROM unnest($2::int4[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                             $8::jsonb[], $9::text[])
                   AS x(line, action, person, name, userid, contact, errors, changes)"#,
            id,
            &lines,
            &actions as &[&str],
            &people as &[Option<Uuid>],
            &names as &[&str],
            &userids as &[&str],
            &contacts as &[&str],
            &errors,
            &changes,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// A job of `org`.
pub async fn job(db: impl sqlx::PgExecutor<'_>, org: Uuid, id: Uuid) -> sqlx::Result<Option<Job>> {
    let row = sqlx::query!(
        r#"SELECT id, org_id, created_by, file_name, file_key, file_size, kind, encoding,
                  encoding_chosen, locale, sheet, sheets, options, unknown_columns, status, counts,
                  fingerprint,
                  scope_size, confirmed_disable, rows_total, rows_done, error_code,
                  checked_at AS "checked_at: chrono::DateTime<chrono::Utc>",
                  started_at AS "started_at: chrono::DateTime<chrono::Utc>",
                  finished_at AS "finished_at: chrono::DateTime<chrono::Utc>"
             FROM import_jobs WHERE org_id = $1 AND id = $2"#,
        org,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Job {
        id: r.id,
        org_id: r.org_id,
        created_by: r.created_by,
        file_name: r.file_name,
        file_key: r.file_key,
        file_size: r.file_size,
        kind: r.kind,
        encoding: r.encoding,
        encoding_chosen: r.encoding_chosen,
        locale: r.locale,
        sheet: r.sheet,
        sheets: r.sheets,
        options: serde_json::from_value(r.options).unwrap_or_default(),
        unknown_columns: r.unknown_columns,
        status: r.status,
        counts: serde_json::from_value(r.counts).unwrap_or_default(),
        fingerprint: r.fingerprint,
        scope_size: r.scope_size,
        confirmed_disable: r.confirmed_disable,
        rows_total: r.rows_total,
        rows_done: r.rows_done,
        error_code: r.error_code,
        checked_at: r.checked_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }))
}

/// One row of a job, as the list shows it.
pub struct StoredRow {
    pub line: i32,
    pub action: String,
    pub person_id: Option<Uuid>,
    pub name: String,
    pub userid: String,
    pub contact: String,
    pub errors: Vec<CellError>,
    pub changes: Vec<String>,
}

/// A page of a job's rows, `action` only when given; (rows, total).
pub async fn rows(
    db: &sqlx::PgPool,
    org: Uuid,
    id: Uuid,
    action: Option<RowAction>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<StoredRow>, i64)> {
    let action = action.map(RowAction::as_str);
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM import_rows r JOIN import_jobs j ON j.id = r.job_id
            WHERE j.org_id = $1 AND r.job_id = $2 AND ($3::text IS NULL OR r.action = $3)"#,
        org,
        id,
        action
    )
    .fetch_one(db)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT r.line, r.action, r.person_id, r.name, r.userid, r.contact, r.errors, r.changes
             FROM import_rows r JOIN import_jobs j ON j.id = r.job_id
            WHERE j.org_id = $1 AND r.job_id = $2 AND ($3::text IS NULL OR r.action = $3)
            ORDER BY r.line OFFSET $4 LIMIT $5"#,
        org,
        id,
        action,
        offset,
        limit
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| StoredRow {
        line: r.line,
        action: r.action,
        person_id: r.person_id,
        name: r.name,
        userid: r.userid,
        contact: r.contact,
        errors: serde_json::from_value(r.errors).unwrap_or_default(),
        changes: r.changes,
    })
    .collect();
    Ok((rows, total))
}

/// The lines of a job's rows with errors, with their errors.
pub async fn error_lines(
    db: &sqlx::PgPool,
    org: Uuid,
    id: Uuid,
) -> sqlx::Result<Vec<(i32, Vec<CellError>)>> {
    Ok(sqlx::query!(
        r#"SELECT r.line, r.errors FROM import_rows r JOIN import_jobs j ON j.id = r.job_id
            WHERE j.org_id = $1 AND r.job_id = $2 AND r.action = 'error' ORDER BY r.line"#,
        org,
        id
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| (r.line, serde_json::from_value(r.errors).unwrap_or_default()))
    .collect())
}

/// The organisation's imports, newest first.
pub async fn recent(db: &sqlx::PgPool, org: Uuid, limit: i64) -> sqlx::Result<Vec<Job>> {
    let ids = sqlx::query_scalar!(
        "SELECT id FROM import_jobs WHERE org_id = $1 ORDER BY created_at DESC LIMIT $2",
        org,
        limit
    )
    .fetch_all(db)
    .await?;
    let mut jobs = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(j) = job(db, org, id).await? {
            jobs.push(j);
        }
    }
    Ok(jobs)
}

/// Queues a checked job to run. `false`: another run of the organisation
/// is queued or running (the unique index says so), or the job is not
/// waiting to run.
pub async fn queue(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    confirmed: Option<i32>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE import_jobs SET status = 'queued', queued_at = now(), confirmed_disable = $3,
                                  rows_done = 0, error_code = NULL
            WHERE org_id = $1 AND id = $2 AND status IN ('checked', 'failed')
              AND NOT EXISTS (SELECT 1 FROM import_jobs o
                               WHERE o.org_id = $1 AND o.status IN ('queued', 'running'))"#,
        org,
        id,
        confirmed
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the oldest queued job, if any, for this process to run.
pub async fn claim(db: &sqlx::PgPool) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    let row = sqlx::query!(
        r#"UPDATE import_jobs SET status = 'running', started_at = now(), heartbeat_at = now()
            WHERE id = (SELECT id FROM import_jobs WHERE status = 'queued'
                         ORDER BY queued_at FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING id, org_id"#
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.id, r.org_id)))
}

/// The run's progress, written outside its transaction so the page sees it.
pub async fn progress(db: &sqlx::PgPool, id: Uuid, done: i32) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE import_jobs SET rows_done = $2, heartbeat_at = now() WHERE id = $1 AND status = 'running'",
        id,
        done
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A run ended: done with its totals, or failed with a reason. `false`:
/// the job was not running any more (marked dead meanwhile).
pub async fn finish(
    conn: &mut PgConnection,
    id: Uuid,
    outcome: Result<&Counts, &str>,
) -> sqlx::Result<bool> {
    let done =
        match outcome {
            Ok(counts) => {
                sqlx::query!(
                    r#"UPDATE import_jobs SET status = 'done', counts = $2, rows_done = rows_total,
                                          finished_at = now(), heartbeat_at = NULL
                    WHERE id = $1 AND status = 'running'"#,
                    id,
                    serde_json::to_value(counts).unwrap_or_default()
                )
                .execute(&mut *conn)
                .await?
            }
            Err(code) => sqlx::query!(
                r#"UPDATE import_jobs SET status = 'failed', error_code = $2, finished_at = now(),
                                          heartbeat_at = NULL
                    WHERE id = $1 AND status = 'running'"#,
                id,
                code
            )
            .execute(&mut *conn)
            .await?,
        };
    Ok(done.rows_affected() == 1)
}

/// Runs whose server died (no heartbeat for `stale_secs`): failed, and
/// their transaction rolled back with the connection; they can run again.
pub async fn reap(db: &sqlx::PgPool, stale_secs: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        r#"UPDATE import_jobs SET status = 'failed', error_code = 'import.interrupted',
                                  finished_at = now(), heartbeat_at = NULL
            WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)"#,
        stale_secs as f64
    )
    .execute(db)
    .await?
    .rows_affected())
}
