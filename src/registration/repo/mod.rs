//! Queries of the registration wizard. The review console's queries are in
//! `crate::review::repo`.
mod documents;
mod steps;
pub use documents::*;
pub use steps::*;

use super::{Application, DecisionView, DocumentKind, DocumentView, Reason, Status};
use sqlx::{PgConnection, PgPool};
use tower_sessions::Session;
use uuid::Uuid;

/// Session key of the application this browser is filling.
pub const SESSION_KEY: &str = "registration";

pub async fn session_registration(
    session: &Session,
) -> Result<Option<Uuid>, tower_sessions::session::Error> {
    session.get::<Uuid>(SESSION_KEY).await
}

/// Ties the session to an application, under a new session id.
pub async fn bind_session(
    session: &Session,
    id: Uuid,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(SESSION_KEY, id).await
}

/// The outcome of a change to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Done,
    /// Submitted, under review or approved: the applicant cannot change it.
    NotEditable,
}

pub(super) fn saved(rows: u64) -> Saved {
    if rows == 1 {
        Saved::Done
    } else {
        Saved::NotEditable
    }
}

/// Starts an application; `None` when `ip` (its /24 or IPv6 /64) already
/// started `daily_limit` of them in the last day.
pub async fn create_draft(
    db: &PgPool,
    locale: &str,
    ip: Option<std::net::IpAddr>,
    daily_limit: i64,
) -> Result<Option<Uuid>, sqlx::Error> {
    let id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    let ip = ip.map(sqlx::types::ipnetwork::IpNetwork::from);
    if let Some(ip) = ip {
        let network = crate::codes::network_of(ip.ip());
        // One count per network at a time, so a burst cannot pass the cap.
        sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended('drafts ' || $1, 0))",
            network.to_string()
        )
        .execute(&mut *tx)
        .await?;
        let today = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM registrations
                WHERE created_ip <<= $1 AND created_at > now() - interval '1 day'"#,
            network
        )
        .fetch_one(&mut *tx)
        .await?;
        if today >= daily_limit {
            return Ok(None);
        }
    }
    sqlx::query!(
        "INSERT INTO registrations (id, locale, created_ip) VALUES ($1, $2, $3)",
        id,
        locale,
        ip
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn status(db: &PgPool, id: Uuid) -> Result<Option<Status>, sqlx::Error> {
    let s = sqlx::query_scalar!("SELECT status FROM registrations WHERE id = $1", id)
        .fetch_optional(db)
        .await?;
    Ok(s.and_then(|s| Status::parse(&s)))
}

/// Every column the pages and the submit check need.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Uuid,
    pub status: String,
    pub submission_no: i32,
    pub locale: String,
    pub org_name: String,
    pub industry: String,
    pub size_band: String,
    pub credit_code: String,
    pub credit_code_confirmed: bool,
    pub province: String,
    pub city: String,
    pub address: String,
    pub admin_name: String,
    pub admin_mobile: String,
    pub admin_mobile_verified: Option<String>,
    pub admin_email: String,
    pub admin_email_verified: Option<String>,
    pub admin_password_hash: Option<String>,
    pub legal_name: String,
    pub legal_id_number: String,
    pub admin_is_legal: bool,
    pub identity_check: Option<String>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reviewer_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
}

impl Row {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn mobile_verified(&self) -> bool {
        !self.admin_mobile.is_empty()
            && self.admin_mobile_verified.as_deref() == Some(self.admin_mobile.as_str())
    }

    pub fn email_verified(&self) -> bool {
        !self.admin_email.is_empty()
            && self
                .admin_email_verified
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case(&self.admin_email))
    }
}

/// Loads an application; with `lock`, inside a transaction, `FOR UPDATE`.
pub async fn load(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<Row>, sqlx::Error> {
    // Two statements instead of string building keeps both checked at compile time.
    if lock {
        sqlx::query_as!(
            Row,
            r#"SELECT id, status, submission_no, locale, org_name, industry, size_band, credit_code,
                      credit_code_confirmed, province, city, address, admin_name, admin_mobile,
                      admin_mobile_verified, admin_email, admin_email_verified, admin_password_hash,
                      legal_name, legal_id_number, admin_is_legal, identity_check,
                      submitted_at AS "submitted_at: chrono::DateTime<chrono::Utc>",
                      reviewer_id, organisation_id
                 FROM registrations WHERE id = $1 FOR UPDATE"#,
            id
        )
        .fetch_optional(&mut *conn)
        .await
    } else {
        sqlx::query_as!(
            Row,
            r#"SELECT id, status, submission_no, locale, org_name, industry, size_band, credit_code,
                      credit_code_confirmed, province, city, address, admin_name, admin_mobile,
                      admin_mobile_verified, admin_email, admin_email_verified, admin_password_hash,
                      legal_name, legal_id_number, admin_is_legal, identity_check,
                      submitted_at AS "submitted_at: chrono::DateTime<chrono::Utc>",
                      reviewer_id, organisation_id
                 FROM registrations WHERE id = $1"#,
            id
        )
        .fetch_optional(&mut *conn)
        .await
    }
}

pub async fn documents(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Vec<(DocumentView, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT kind, content_type, size_bytes, file_name, sha256
             FROM registration_documents WHERE registration_id = $1"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut docs: Vec<(DocumentView, String)> = rows
        .into_iter()
        .filter_map(|r| {
            Some((
                DocumentView {
                    kind: DocumentKind::parse(&r.kind)?,
                    content_type: r.content_type,
                    size_bytes: r.size_bytes as i64,
                    file_name: r.file_name,
                    version: r.sha256[..12].to_owned(),
                },
                r.sha256,
            ))
        })
        .collect();
    docs.sort_by_key(|(d, _)| DocumentKind::ALL.iter().position(|k| *k == d.kind));
    Ok(docs)
}

/// Decisions on an application, newest first, with the operator's name.
pub async fn decisions(
    conn: &mut PgConnection,
    id: Uuid,
    zone: crate::server::time::Tz,
) -> Result<Vec<DecisionView>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT d.decision, d.submission_no, d.reasons, d.note,
                  d.decided_at AS "decided_at: chrono::DateTime<chrono::Utc>", a.name AS operator_name
             FROM registration_decisions d JOIN accounts a ON a.id = d.operator_id
            WHERE d.registration_id = $1
            ORDER BY d.submission_no DESC"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DecisionView {
            decision: r.decision,
            submission_no: r.submission_no,
            reasons: serde_json::from_value::<Vec<Reason>>(r.reasons).unwrap_or_default(),
            note: r.note,
            decided_at: r.decided_at,
            decided_at_local: crate::server::time::local(r.decided_at, zone),
            operator_name: Some(r.operator_name),
        })
        .collect())
}

/// The application as the applicant sees it (no operator names).
pub async fn application(
    db: &PgPool,
    id: Uuid,
    zone: crate::server::time::Tz,
) -> Result<Option<Application>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let Some(row) = load(&mut conn, id, false).await? else {
        return Ok(None);
    };
    let documents = documents(&mut conn, id)
        .await?
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    let decision = decisions(&mut conn, id, zone)
        .await?
        .into_iter()
        .next()
        .map(|mut d| {
            d.operator_name = None;
            d
        });
    Ok(Some(Application {
        status: row.status(),
        submission_no: row.submission_no,
        mobile_verified: row.mobile_verified(),
        email_verified: row.email_verified(),
        password_set: row.admin_password_hash.is_some(),
        org_name: row.org_name,
        industry: row.industry,
        size_band: row.size_band,
        credit_code: row.credit_code,
        credit_code_confirmed: row.credit_code_confirmed,
        province: row.province,
        city: row.city,
        address: row.address,
        admin_name: row.admin_name,
        admin_mobile: row.admin_mobile,
        admin_email: row.admin_email,
        legal_name: row.legal_name,
        legal_id_number: row.legal_id_number,
        admin_is_legal: row.admin_is_legal,
        documents,
        submitted_at_local: row
            .submitted_at
            .map(|t| crate::server::time::local(t, zone)),
        submitted_at: row.submitted_at,
        decision,
    }))
}

/// Whether another application (pending or approved) or an organisation
/// already uses this credit code.
pub async fn credit_code_taken(
    conn: &mut PgConnection,
    code: &str,
    except: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM registrations
                           WHERE upper(credit_code) = upper($1) AND id <> $2
                             AND status IN ('submitted', 'in_review', 'approved'))
               OR EXISTS (SELECT 1 FROM organisations WHERE upper(credit_code) = upper($1)) AS "taken!""#,
        code,
        except
    )
    .fetch_one(&mut *conn)
    .await
}

/// Marks the application submitted, freezing `snapshot` as submission
/// number `submission_no`.
pub async fn submit(
    conn: &mut PgConnection,
    id: Uuid,
    submission_no: i32,
    snapshot: &serde_json::Value,
    identity_check: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE registrations
              SET status = 'submitted', submission_no = $2, identity_check = $3,
                  terms_accepted_at = now(), submitted_at = now(), reviewer_id = NULL,
                  review_started_at = NULL, decided_at = NULL, updated_at = now()
            WHERE id = $1"#,
        id,
        submission_no,
        identity_check
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO registration_submissions (registration_id, submission_no, snapshot) VALUES ($1, $2, $3)",
        id,
        submission_no,
        snapshot
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The newest application, not yet approved, whose administrator proved this address.
pub async fn find_resumable(
    db: &PgPool,
    channel: Channel,
    value: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    match channel {
        Channel::Mobile => {
            sqlx::query_scalar!(
                r#"SELECT id FROM registrations
                    WHERE admin_mobile_verified = $1 AND status <> 'approved'
                    ORDER BY created_at DESC LIMIT 1"#,
                value
            )
            .fetch_optional(db)
            .await
        }
        Channel::Email => {
            sqlx::query_scalar!(
                r#"SELECT id FROM registrations
                    WHERE lower(admin_email_verified) = lower($1) AND status <> 'approved'
                    ORDER BY created_at DESC LIMIT 1"#,
                value
            )
            .fetch_optional(db)
            .await
        }
    }
}
