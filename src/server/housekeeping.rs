//! Housekeeping: what the database and the document store must not keep
//! for ever. Every instance runs the job on a timer; an advisory lock lets
//! one at a time do the work, and each run logs what it removed.
use crate::storage::DocumentStore;
use sqlx::PgPool;
use std::time::Duration;

/// How long things are kept (configuration, see `.env.example`).
#[derive(Debug, Clone)]
pub struct Retention {
    /// Sent (or expired) outbox rows.
    pub sent_messages: Duration,
    /// Drafts never submitted, and their documents, after their last change.
    pub abandoned_drafts: Duration,
    /// Documents of rejected applications not resubmitted, after the decision.
    pub rejected_documents: Duration,
    /// The platform's own audit rows (an organisation's are kept as long as
    /// its security settings say).
    pub platform_audit: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        const DAY: u64 = 24 * 3600;
        Retention {
            sent_messages: Duration::from_secs(30 * DAY),
            abandoned_drafts: Duration::from_secs(30 * DAY),
            rejected_documents: Duration::from_secs(180 * DAY),
            platform_audit: Duration::from_secs(365 * DAY),
        }
    }
}

/// What one run removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub codes: u64,
    pub code_requests: u64,
    pub messages: u64,
    pub sessions: u64,
    pub drafts: u64,
    pub rejected_documents: u64,
    pub files: usize,
    pub audit_rows: u64,
}

/// Runs once, unless another instance is running it (then `None`).
pub async fn run_once(
    db: &PgPool,
    documents: &DocumentStore,
    retention: &Retention,
) -> Result<Option<Report>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mine: bool = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtextextended('orgdesk housekeeping', 0))",
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(None);
    }
    let secs = |d: Duration| d.as_secs_f64();
    let mut report = Report {
        // Used, superseded or expired codes: nothing checks them any more
        // (the daily caps look back one day).
        codes: sqlx::query(
            "DELETE FROM one_time_codes
              WHERE created_at < now() - interval '1 day'
                AND (consumed_at IS NOT NULL OR superseded_at IS NOT NULL OR expires_at < now())",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        code_requests: sqlx::query(
            "DELETE FROM code_requests WHERE created_at < now() - interval '1 day'",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            + sqlx::query("DELETE FROM used_challenges WHERE expires_at < now()")
                .execute(&mut *tx)
                .await?
                .rows_affected(),
        messages: sqlx::query(
            "DELETE FROM outbox WHERE status IN ('sent', 'expired')
                AND created_at < now() - make_interval(secs => $1)",
        )
        .bind(secs(retention.sent_messages))
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        sessions: sqlx::query("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
            .execute(&mut *tx)
            .await?
            .rows_affected()
            // The list of sessions keeps a month of ended and idle ones.
            + sqlx::query(
                "DELETE FROM account_sessions WHERE last_seen_at < now() - interval '30 days'",
            )
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        ..Report::default()
    };
    // Drafts never submitted: their files first become orphans (deleted
    // from the store after commit), then the rows go.
    let drafts: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT id FROM registrations
          WHERE status = 'draft' AND submission_no = 0
            AND updated_at < now() - make_interval(secs => $1)
          FOR UPDATE SKIP LOCKED",
    )
    .bind(secs(retention.abandoned_drafts))
    .fetch_all(&mut *tx)
    .await?;
    if !drafts.is_empty() {
        sqlx::query(
            "INSERT INTO orphaned_objects (storage_key)
             SELECT storage_key FROM registration_documents WHERE registration_id = ANY($1)
             ON CONFLICT DO NOTHING",
        )
        .bind(&drafts)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM registration_documents WHERE registration_id = ANY($1)")
            .bind(&drafts)
            .execute(&mut *tx)
            .await?;
        report.drafts = sqlx::query("DELETE FROM registrations WHERE id = ANY($1)")
            .bind(&drafts)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    // Rejected applications left alone: the decision and the submitted
    // snapshot stay (the audit needs them), the identity documents go.
    // Rows locked first, as the drafts above: a resubmission at the same
    // moment waits for this, or this skips it.
    let rejected = sqlx::query(
        "WITH old AS (
            SELECT id FROM registrations
             WHERE status = 'rejected'
               AND decided_at < now() - make_interval(secs => $1)
               AND updated_at < now() - make_interval(secs => $1)
             FOR UPDATE SKIP LOCKED),
         gone AS (
            DELETE FROM registration_documents d USING old
             WHERE d.registration_id = old.id
         RETURNING d.storage_key)
         INSERT INTO orphaned_objects (storage_key) SELECT storage_key FROM gone
         ON CONFLICT DO NOTHING",
    )
    .bind(secs(retention.rejected_documents))
    .execute(&mut *tx)
    .await?;
    report.rejected_documents = rejected.rows_affected();
    tx.commit().await?;
    crate::auth::throttle::prune(db).await?;
    // Sealed first, so that nothing old waits unsealed past its time.
    crate::audit::chain::seal_once(db).await?;
    report.audit_rows = crate::audit::chain::prune(
        db,
        (retention.platform_audit.as_secs() / 86_400).max(1) as i64,
    )
    .await?;
    report.files = crate::registration::documents::sweep_orphans(documents, db).await?;
    tracing::info!(
        codes = report.codes,
        code_requests = report.code_requests,
        messages = report.messages,
        sessions = report.sessions,
        drafts = report.drafts,
        rejected_documents = report.rejected_documents,
        files = report.files,
        audit_rows = report.audit_rows,
        "housekeeping done"
    );
    Ok(Some(report))
}

/// Runs [`run_once`] every `every`, for as long as the server runs.
pub async fn run(db: PgPool, documents: DocumentStore, retention: Retention, every: Duration) {
    let mut timer = tokio::time::interval(every);
    loop {
        timer.tick().await;
        if let Err(e) = run_once(&db, &documents, &retention).await {
            tracing::warn!(error = %e, "housekeeping failed; it runs again later");
        }
    }
}
