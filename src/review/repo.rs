//! Queries of the review console.
use super::{QUEUE_PAGE_SIZE, QueueFilter, QueueItem, QueuePage, ReviewDetail, changes};
use crate::error::{AppError, Code};
use crate::registration::repo as reg;
use crate::registration::{Reason, Status};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub async fn queue(
    db: &PgPool,
    filter: QueueFilter,
    page: i64,
    zone: crate::server::time::Tz,
) -> Result<QueuePage, sqlx::Error> {
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE status IN ('submitted', 'in_review')) AS "pending!",
                  count(*) FILTER (WHERE status = 'rejected') AS "rejected!",
                  count(*) FILTER (WHERE status = 'approved') AS "approved!"
             FROM registrations"#
    )
    .fetch_one(db)
    .await?;
    let total = match filter {
        QueueFilter::Pending => counts.pending,
        QueueFilter::Rejected => counts.rejected,
        QueueFilter::Approved => counts.approved,
    };
    let pages = ((total + QUEUE_PAGE_SIZE - 1) / QUEUE_PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let statuses: &[&str] = match filter {
        QueueFilter::Pending => &["submitted", "in_review"],
        QueueFilter::Rejected => &["rejected"],
        QueueFilter::Approved => &["approved"],
    };
    let statuses: Vec<String> = statuses.iter().map(|s| (*s).to_owned()).collect();
    // Pending: oldest first (first come, first served); decided: latest first.
    let rows = sqlx::query!(
        r#"SELECT r.id, r.org_name, r.credit_code, r.admin_name, r.status, r.submission_no,
                  r.submitted_at AS "submitted_at: chrono::DateTime<chrono::Utc>",
                  r.decided_at AS "decided_at: chrono::DateTime<chrono::Utc>",
                  COALESCE(EXTRACT(EPOCH FROM now() - r.submitted_at)::bigint, 0) AS "age_secs!",
                  a.name AS "reviewer_name?"
             FROM registrations r LEFT JOIN accounts a ON a.id = r.reviewer_id
            WHERE r.status = ANY($1)
            ORDER BY CASE WHEN $2 THEN r.submitted_at END ASC,
                     r.decided_at DESC NULLS LAST, r.id
            LIMIT $3 OFFSET $4"#,
        &statuses,
        filter == QueueFilter::Pending,
        QUEUE_PAGE_SIZE,
        (page - 1) * QUEUE_PAGE_SIZE
    )
    .fetch_all(db)
    .await?;
    let items = rows
        .into_iter()
        .map(|r| QueueItem {
            id: r.id.to_string(),
            org_name: r.org_name,
            credit_code: r.credit_code,
            admin_name: r.admin_name,
            status: Status::parse(&r.status).unwrap_or(Status::Submitted),
            submission_no: r.submission_no,
            submitted_at_local: r.submitted_at.map(|t| crate::server::time::local(t, zone)),
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            age_secs: r.age_secs,
            reviewer_name: r.reviewer_name,
        })
        .collect();
    Ok(QueuePage {
        filter,
        items,
        page,
        pages,
        pending: counts.pending,
        rejected: counts.rejected,
        approved: counts.approved,
    })
}

/// A submitted application with its history. Drafts are not the platform's
/// business until they are submitted.
pub async fn detail(
    db: &PgPool,
    id: Uuid,
    zone: crate::server::time::Tz,
) -> Result<Option<ReviewDetail>, sqlx::Error> {
    let Some(mut application) = reg::application(db, id, zone).await? else {
        return Ok(None);
    };
    if application.submission_no == 0 {
        return Ok(None);
    }
    let mut conn = db.acquire().await?;
    let row = reg::load(&mut conn, id, false)
        .await?
        .expect("loaded above");
    let decisions = reg::decisions(&mut conn, id, zone).await?;
    application.decision = decisions.first().cloned();
    // Changes since the last submission an operator decided on.
    let changed = match decisions
        .iter()
        .find(|d| d.submission_no < application.submission_no)
    {
        Some(last) => {
            let snaps = sqlx::query!(
                r#"SELECT submission_no, snapshot FROM registration_submissions
                    WHERE registration_id = $1 AND submission_no IN ($2, $3)"#,
                id,
                last.submission_no,
                application.submission_no
            )
            .fetch_all(&mut *conn)
            .await?;
            let find = |n: i32| {
                snaps
                    .iter()
                    .find(|s| s.submission_no == n)
                    .map(|s| s.snapshot.clone())
            };
            match (find(last.submission_no), find(application.submission_no)) {
                (Some(before), Some(after)) => changes(&before, &after),
                _ => vec![],
            }
        }
        None => vec![],
    };
    let reviewer_name = match row.reviewer_id {
        Some(rid) => {
            sqlx::query_scalar!("SELECT name FROM accounts WHERE id = $1", rid)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let checksum_ok = crate::domain::CreditCode::parse(&application.credit_code).is_ok();
    Ok(Some(ReviewDetail {
        id: id.to_string(),
        application,
        credit_code_checksum_ok: checksum_ok,
        identity_check: row.identity_check,
        changed,
        decisions,
        reviewer_name,
        organisation_id: row.organisation_id.map(|o| o.to_string()),
    }))
}

/// Marks the submission as being reviewed by `operator`.
pub async fn start_review(
    db: &PgPool,
    id: Uuid,
    submission_no: i32,
    operator: Uuid,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE registrations
              SET status = 'in_review', reviewer_id = $3, review_started_at = now(), updated_at = now()
            WHERE id = $1 AND submission_no = $2 AND status IN ('submitted', 'in_review')"#,
        id,
        submission_no,
        operator
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Why a decision could not be taken.
#[derive(Debug)]
pub enum DecisionError {
    NotFound,
    /// Someone decided this submission already, or the applicant changed it.
    AlreadyDecided,
    /// Another organisation holds the credit code.
    CreditCodeTaken,
    Database(sqlx::Error),
}

impl From<DecisionError> for AppError {
    fn from(e: DecisionError) -> Self {
        match e {
            DecisionError::NotFound => AppError::not_found(),
            DecisionError::AlreadyDecided => {
                AppError::field("decision", Code::ReviewAlreadyDecided)
            }
            DecisionError::CreditCodeTaken => {
                AppError::field("decision", Code::RegistrationCreditCodeTaken)
            }
            DecisionError::Database(e) => AppError::internal(e),
        }
    }
}

impl From<sqlx::Error> for DecisionError {
    fn from(e: sqlx::Error) -> Self {
        DecisionError::Database(e)
    }
}

/// Locks the application and checks that `submission_no` still waits for a decision.
pub async fn lock_pending(
    conn: &mut PgConnection,
    id: Uuid,
    submission_no: i32,
) -> Result<reg::Row, DecisionError> {
    let row = reg::load(conn, id, true)
        .await?
        .ok_or(DecisionError::NotFound)?;
    if row.submission_no == 0 {
        return Err(DecisionError::NotFound);
    }
    if !row.status().pending() || row.submission_no != submission_no {
        return Err(DecisionError::AlreadyDecided);
    }
    Ok(row)
}

async fn record_decision(
    conn: &mut PgConnection,
    id: Uuid,
    submission_no: i32,
    operator: Uuid,
    decision: &str,
    reasons: &[Reason],
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO registration_decisions (id, registration_id, submission_no, operator_id, decision, reasons, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        Uuid::now_v7(),
        id,
        submission_no,
        operator,
        decision,
        serde_json::to_value(reasons).unwrap_or_default(),
        note
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Approval: the organisation, its root department and its super
/// administrator, in the caller's transaction. Returns the organisation id
/// and the new account's id.
pub async fn approve(
    conn: &mut PgConnection,
    row: &reg::Row,
    operator: Uuid,
) -> Result<(Uuid, Uuid), DecisionError> {
    use crate::organisations::{CreateError, NewOrganisation};
    let org_id = crate::organisations::create(
        conn,
        &NewOrganisation {
            name: &row.org_name,
            credit_code: Some(&row.credit_code),
            industry: Some(&row.industry),
            size_band: Some(&row.size_band),
            province: Some(&row.province),
            city: Some(&row.city),
            address: Some(&row.address),
            enforce_two_factor: None,
        },
    )
    .await
    .map_err(|e| match e {
        CreateError::CreditCodeTaken => DecisionError::CreditCodeTaken,
        CreateError::Database(e) => DecisionError::Database(e),
    })?
    .id;
    // Its application approved, the organisation is verified (no default member cap).
    sqlx::query!(
        "UPDATE organisations SET verified_at = now() WHERE id = $1",
        org_id
    )
    .execute(&mut *conn)
    .await
    .map_err(DecisionError::Database)?;
    let hash = row
        .admin_password_hash
        .as_deref()
        .ok_or(DecisionError::AlreadyDecided)?;
    let account_id = crate::auth::repo::create(
        conn,
        &crate::auth::repo::NewAccount {
            kind: crate::auth::AccountKind::Member,
            org_id: Some(org_id),
            role: Some("super_admin"),
            name: row.admin_name.trim(),
            email: row.admin_email_verified.as_deref(),
            mobile: row.admin_mobile_verified.as_deref(),
            password_hash: hash,
        },
    )
    .await?;
    crate::organisations::set_creator(conn, org_id, account_id).await?;
    sqlx::query!(
        r#"UPDATE registrations
              SET status = 'approved', decided_at = now(), organisation_id = $2,
                  reviewer_id = COALESCE(reviewer_id, $3), updated_at = now()
            WHERE id = $1"#,
        row.id,
        org_id,
        operator
    )
    .execute(&mut *conn)
    .await?;
    record_decision(
        conn,
        row.id,
        row.submission_no,
        operator,
        "approved",
        &[],
        "",
    )
    .await?;
    Ok((org_id, account_id))
}

/// Rejection: the application reopens for editing.
pub async fn reject(
    conn: &mut PgConnection,
    row: &reg::Row,
    operator: Uuid,
    reasons: &[Reason],
    note: &str,
) -> Result<(), DecisionError> {
    sqlx::query!(
        r#"UPDATE registrations
              SET status = 'rejected', decided_at = now(),
                  reviewer_id = COALESCE(reviewer_id, $2), updated_at = now()
            WHERE id = $1"#,
        row.id,
        operator
    )
    .execute(&mut *conn)
    .await?;
    record_decision(
        conn,
        row.id,
        row.submission_no,
        operator,
        "rejected",
        reasons,
        note,
    )
    .await?;
    Ok(())
}

/// Writes the audit row of an operator reading an application (`document`:
/// `None`) or one of its documents, and says whether it may be read at all:
/// only applications that were submitted at least once are.
pub async fn record_operator_read(
    db: &PgPool,
    actor: &crate::audit::repo::Actor,
    id: Uuid,
    document: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let submitted = sqlx::query_scalar!(
        "SELECT submission_no > 0 AS \"submitted!\" FROM registrations WHERE id = $1",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or(false);
    if !submitted {
        return Ok(false);
    }
    let event = match document {
        None => crate::audit::repo::Event::new(crate::audit::Action::ReviewApplicationOpened),
        Some(kind) => crate::audit::repo::Event::new(crate::audit::Action::ReviewDocumentOpened)
            .details(serde_json::json!({ "document": kind })),
    }
    .target("registration", id.to_string());
    crate::audit::repo::record(&mut tx, actor, &event).await?;
    tx.commit().await?;
    Ok(true)
}
