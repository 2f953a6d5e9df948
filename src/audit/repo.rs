//! Writing and reading audit rows.
use super::{AuditEntry, AuditPage, PAGE_SIZE};
use sqlx::{PgConnection, PgPool, types::ipnetwork::IpNetwork};
use std::net::IpAddr;
use uuid::Uuid;

/// Who did something, from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub id: Option<Uuid>,
    /// `operator`, `member`, `system` or `anonymous`.
    pub kind: &'static str,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// The server itself (start-up, command line).
    pub fn system() -> Self {
        Actor {
            kind: "system",
            ..Actor::default()
        }
    }
}

/// One audit row to write. `details` must never hold a secret.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub org_id: Option<Uuid>,
    pub action: super::Action,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn new(action: super::Action) -> Self {
        Event {
            org_id: None,
            action,
            target_type: None,
            target_id: None,
            details: serde_json::json!({}),
        }
    }

    pub fn org(mut self, org_id: Option<Uuid>) -> Self {
        self.org_id = org_id;
        self
    }

    pub fn target_account(mut self, id: Uuid) -> Self {
        self.target_type = Some("account");
        self.target_id = Some(id.to_string());
        self
    }

    pub fn target(mut self, kind: &'a str, id: String) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends a row, inside the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    // User agents are client-controlled; keep them to a sane length.
    let user_agent = actor
        .user_agent
        .as_deref()
        .map(|ua| ua.chars().take(256).collect::<String>());
    sqlx::query!(
        r#"INSERT INTO audit_log (org_id, actor_id, actor_kind, action, target_type, target_id, ip, user_agent, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        event.org_id,
        actor.id,
        actor.kind,
        event.action.as_str(),
        event.target_type,
        event.target_id,
        actor.ip.map(IpNetwork::from),
        user_agent,
        event.details
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A page of rows, newest first: one organisation's, or (for operators, with
/// `org_id` None) the platform's own rows that belong to no organisation.
pub async fn list(
    db: &PgPool,
    org_id: Option<Uuid>,
    before: Option<i64>,
    zone: crate::server::time::Tz,
) -> Result<AuditPage, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT l.id, l.at AS "at: chrono::DateTime<chrono::Utc>", l.action, l.actor_kind, a.name AS "actor_name?",
                  l.target_type, l.target_id, host(l.ip) AS ip, l.user_agent, l.details
             FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id
            WHERE l.org_id IS NOT DISTINCT FROM $1
              AND ($2::bigint IS NULL OR l.id < $2)
            ORDER BY l.id DESC
            LIMIT $3"#,
        org_id,
        before,
        PAGE_SIZE + 1
    )
    .fetch_all(db)
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            at_local: crate::server::time::local(r.at, zone),
            action: r.action,
            actor_name: r.actor_name,
            actor_kind: r.actor_kind,
            target: match (r.target_type, r.target_id) {
                (Some(t), Some(id)) => Some(format!("{t}:{id}")),
                _ => None,
            },
            ip: r.ip,
            user_agent: r.user_agent,
            details: r.details.to_string(),
        })
        .collect();
    let next_before = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        entries,
        next_before,
    })
}
