//! The outbox table: enqueue inside the caller's transaction, claim, settle.
//!
//! Delivery is at-least-once with a lease: a claim marks rows `sending` with
//! `locked_until = now() + lease` under `FOR UPDATE SKIP LOCKED`, so two
//! workers never hold the same row. The row is marked `sent` after the
//! transport accepted it. If a worker dies between sending and marking, the
//! lease runs out and another worker sends the message once more: at worst
//! one duplicate, never a loss.
use super::templates::Template;
use crate::server::keys::Sealer;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub org_id: Option<Uuid>,
    pub channel: Channel,
    /// An email address, or a mobile number in E.164.
    pub recipient: String,
    /// `en` or `zh-CN`.
    pub locale: String,
    pub template: Template,
    /// How long the content stays worth delivering (a one-time code's
    /// lifetime); once passed, the message is dropped instead of sent.
    pub valid_for: Option<std::time::Duration>,
}

/// The server key that seals queued payloads.
pub const OUTBOX_KEY: &str = "outbox_seal";

/// The sealer of queued payloads, shared by every instance.
pub async fn load_sealer(
    db: &PgPool,
    master: Option<&crate::server::keys::MasterKey>,
) -> Result<Sealer, crate::server::keys::KeyError> {
    let key = crate::server::keys::load_or_create(db, OUTBOX_KEY, master).await?;
    Ok(Sealer::new(&key))
}

/// The payload as stored: the template's parameters sealed with the outbox
/// key and bound to the row, so the clear text (a one-time code, a rejection
/// note) exists only in the worker that sends it.
fn seal_payload(sealer: &Sealer, id: Uuid, template: &Template) -> serde_json::Value {
    let plain = serde_json::to_vec(template).expect("a template serialises");
    let sealed = sealer.seal(&plain, id.as_bytes());
    serde_json::json!({ "sealed": base64::engine::general_purpose::STANDARD.encode(sealed) })
}

/// The template of a stored payload, when this key opens it. A payload
/// queued in clear by a version before sealing is read as it is.
pub fn open_payload(sealer: &Sealer, id: Uuid, payload: &serde_json::Value) -> Option<Template> {
    if payload.get("sealed").is_none() && payload.get("template").is_some() {
        return serde_json::from_value(payload.clone()).ok();
    }
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(payload.get("sealed")?.as_str()?)
        .ok()?;
    serde_json::from_slice(&sealer.open(&sealed, id.as_bytes())?).ok()
}

/// Queues `message` as part of the caller's transaction; returns its id.
pub async fn enqueue(
    conn: &mut PgConnection,
    sealer: &Sealer,
    message: &NewMessage,
    max_attempts: i32,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let payload = seal_payload(sealer, id, &message.template);
    let valid_for = message.valid_for.map(|d| d.as_secs_f64());
    let locale = if message.locale == "zh-CN" {
        "zh-CN"
    } else {
        "en"
    };
    sqlx::query!(
        r#"INSERT INTO outbox (id, org_id, channel, recipient, locale, template, payload, max_attempts,
                              expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))"#,
        id,
        message.org_id,
        message.channel.as_str(),
        message.recipient,
        locale,
        message.template.name(),
        payload,
        max_attempts,
        valid_for,
    )
    .execute(&mut *conn)
    .await?;
    // Wakes idle workers at once instead of at their next poll.
    sqlx::query!("SELECT pg_notify('outbox', '')")
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// A claimed message, held by one worker until its lease runs out.
#[derive(Debug)]
pub struct Claimed {
    pub id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub locale: String,
    pub template: Option<Template>,
    pub attempts: i32,
    pub max_attempts: i32,
    /// Written by this claim; settling matches it (see [`mark_sent`]).
    pub claim_token: Uuid,
}

/// Drops the messages whose content's lifetime has passed before they could
/// be sent (status `expired`, payload forgotten, the reason kept); returns how many.
pub async fn drop_expired(db: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE outbox
              SET status = 'expired', payload = '{}'::jsonb, locked_until = NULL,
                  claim_token = NULL,
                  last_error = 'not delivered: its content expired before it could be sent'
            WHERE status IN ('pending', 'sending')
              AND expires_at <= now()
              AND (locked_until IS NULL OR locked_until < now())"#
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Claims up to `limit` due messages for `lease_secs` seconds, opening their
/// payloads with `sealer`. Messages past their lifetime are never claimed.
pub async fn claim(
    db: &PgPool,
    sealer: &Sealer,
    limit: i64,
    lease_secs: f64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"UPDATE outbox
              SET status = 'sending',
                  attempts = attempts + 1,
                  locked_until = now() + make_interval(secs => $2),
                  claim_token = gen_random_uuid()
            WHERE id IN (
                  SELECT id FROM outbox
                   WHERE status IN ('pending', 'sending')
                     AND next_attempt_at <= now()
                     AND (expires_at IS NULL OR expires_at > now())
                     AND (locked_until IS NULL OR locked_until < now())
                   ORDER BY next_attempt_at
                   LIMIT $1
                   FOR UPDATE SKIP LOCKED)
        RETURNING id, channel, recipient, locale, payload, attempts, max_attempts,
                  claim_token AS "claim_token!""#,
        limit,
        lease_secs,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Claimed {
                id: r.id,
                channel: Channel::parse(&r.channel)?,
                recipient: r.recipient,
                locale: r.locale,
                template: open_payload(sealer, r.id, &r.payload),
                attempts: r.attempts,
                max_attempts: r.max_attempts,
                claim_token: r.claim_token,
            })
        })
        .collect())
}

/// Records a delivery and forgets the payload. Only the claim that is still
/// current settles a row: a worker whose lease ran out, and whose row another
/// worker has claimed since, changes nothing. Returns whether the row was
/// settled.
pub async fn mark_sent(db: &PgPool, claimed: &Claimed) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE outbox
              SET status = 'sent', sent_at = now(), locked_until = NULL,
                  payload = '{}'::jsonb, last_error = NULL, claim_token = NULL
            WHERE id = $1 AND status = 'sending' AND claim_token = $2"#,
        claimed.id,
        claimed.claim_token,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: retried after `retry_after_secs`, or given up on
/// (status `failed`, payload forgotten) when the attempts are used up. Like
/// [`mark_sent`], only the current claim settles the row; returns whether it did.
pub async fn mark_failed(
    db: &PgPool,
    claimed: &Claimed,
    error: &str,
    retry_after_secs: f64,
) -> Result<bool, sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    let done = if claimed.attempts >= claimed.max_attempts {
        sqlx::query!(
            r#"UPDATE outbox
                  SET status = 'failed', locked_until = NULL, last_error = $2,
                      payload = '{}'::jsonb, claim_token = NULL
                WHERE id = $1 AND status = 'sending' AND claim_token = $3"#,
            claimed.id,
            error,
            claimed.claim_token,
        )
        .execute(db)
        .await?
    } else {
        sqlx::query!(
            r#"UPDATE outbox
                  SET status = 'pending', locked_until = NULL, last_error = $2,
                      next_attempt_at = now() + make_interval(secs => $3), claim_token = NULL
                WHERE id = $1 AND status = 'sending' AND claim_token = $4"#,
            claimed.id,
            error,
            retry_after_secs,
            claimed.claim_token,
        )
        .execute(db)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Delay before attempt `attempts + 1`: `base` doubled per failed attempt, capped.
pub fn backoff_secs(attempts: i32, base_secs: u64, cap_secs: u64) -> f64 {
    let exp = attempts.saturating_sub(1).clamp(0, 30) as u32;
    base_secs.saturating_mul(1u64 << exp).min(cap_secs) as f64
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_secs(1, 30, 3600), 30.0);
        assert_eq!(backoff_secs(2, 30, 3600), 60.0);
        assert_eq!(backoff_secs(3, 30, 3600), 120.0);
        assert_eq!(backoff_secs(8, 30, 3600), 3600.0);
        assert_eq!(backoff_secs(60, 30, 3600), 3600.0);
    }
}
