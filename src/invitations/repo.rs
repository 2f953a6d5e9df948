//! Invitations in the database: issuing a link (and its messages),
//! ending it, reading its state, and accepting it once.
use super::{Delivery, InvitationInfo};
use crate::notify::{self, Channel, NewMessage, Template};
use crate::server::keys::Sealer;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A new link token (256 random bits, base64url) and the hash that is kept.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// The SHA-256 a token is kept as.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `token` has the shape of one of ours (43 base64url characters),
/// checked before it is hashed or looked up.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A person who may be invited, as the invitation needs them.
#[derive(Debug, Clone)]
pub struct Invitee {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub status: String,
    pub organisation: String,
    /// How long the organisation's links stay valid.
    pub days: i32,
}

/// The person `id` of `org`, locked for the rest of the transaction (two
/// administrators inviting the same person at once take turns).
pub async fn invitee(c: &mut PgConnection, org: Uuid, id: Uuid) -> sqlx::Result<Option<Invitee>> {
    sqlx::query_as!(
        Invitee,
        r#"SELECT a.id, a.name, a.email, a.mobile, a.status, o.name AS organisation,
                  o.invitation_days AS days
             FROM accounts a JOIN organisations o ON o.id = a.org_id
            WHERE a.org_id = $1 AND a.id = $2 AND a.kind = 'member'
              FOR UPDATE OF a"#,
        org,
        id
    )
    .fetch_optional(c)
    .await
}

/// Who sends an invitation, and how its messages are queued.
pub struct Sender<'a> {
    pub sealer: &'a Sealer,
    pub max_attempts: i32,
    pub inviter: Option<Uuid>,
    pub inviter_name: String,
    /// The messages' language.
    pub locale: &'a str,
}

/// The channels `person` can be reached by among `wanted` (all of theirs
/// when `wanted` is empty), email first.
pub fn channels_of(person: &Invitee, wanted: &[Channel]) -> Vec<Channel> {
    let mut out = Vec::new();
    if person.email.is_some() && (wanted.is_empty() || wanted.contains(&Channel::Email)) {
        out.push(Channel::Email);
    }
    if person.mobile.is_some() && (wanted.is_empty() || wanted.contains(&Channel::Sms)) {
        out.push(Channel::Sms);
    }
    out
}

/// Ends the person's live link, if any (`revoked` or `replaced`); returns
/// whether there was one.
pub async fn end_open(c: &mut PgConnection, person: Uuid, reason: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE invitations SET ended_at = now(), ended_reason = $2
            WHERE account_id = $1 AND ended_at IS NULL AND accepted_at IS NULL"#,
        person,
        reason
    )
    .execute(c)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Issues a new invitation to `person` by `channels` (not empty), ending
/// the previous link, and queues its messages; returns its id.
pub async fn issue(
    c: &mut PgConnection,
    sender: &Sender<'_>,
    org: Uuid,
    person: &Invitee,
    channels: &[Channel],
) -> sqlx::Result<Uuid> {
    end_open(c, person.id, "replaced").await?;
    let id = Uuid::now_v7();
    let email = channels
        .contains(&Channel::Email)
        .then(|| person.email.clone())
        .flatten();
    let mobile = channels
        .contains(&Channel::Sms)
        .then(|| person.mobile.clone())
        .flatten();
    let locale = if sender.locale == "zh-CN" {
        "zh-CN"
    } else {
        "en"
    };
    sqlx::query!(
        r#"INSERT INTO invitations (id, org_id, account_id, email, mobile, invited_by, locale, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8))"#,
        id,
        org,
        person.id,
        email,
        mobile,
        sender.inviter,
        locale,
        person.days,
    )
    .execute(&mut *c)
    .await?;
    send(c, sender, org, id, person, channels, false).await?;
    Ok(id)
}

/// Queues the messages of invitation `id` (the first or a reminder), each
/// with a link of its own.
pub async fn send(
    c: &mut PgConnection,
    sender: &Sender<'_>,
    org: Uuid,
    id: Uuid,
    person: &Invitee,
    channels: &[Channel],
    reminder: bool,
) -> sqlx::Result<()> {
    let (token, hash) = new_token();
    sqlx::query!(
        "INSERT INTO invitation_tokens (token_hash, invitation_id) VALUES ($1, $2)",
        &hash[..],
        id
    )
    .execute(&mut *c)
    .await?;
    let days = person.days.max(1) as u32;
    for &channel in channels {
        let recipient = match channel {
            Channel::Email => person.email.clone(),
            Channel::Sms => person.mobile.clone(),
        };
        let Some(recipient) = recipient else { continue };
        let message = NewMessage {
            org_id: Some(org),
            channel,
            recipient,
            locale: sender.locale.to_owned(),
            template: Template::Invitation {
                organisation: person.organisation.clone(),
                inviter: sender.inviter_name.clone(),
                name: person.name.clone(),
                path: format!("/join/{token}"),
                days,
                reminder,
                by_sms: channel == Channel::Sms,
            },
            // Not worth delivering once the link is dead.
            valid_for: Some(std::time::Duration::from_secs(u64::from(days) * 86_400)),
        };
        let outbox = notify::enqueue(&mut *c, sender.sealer, &message, sender.max_attempts).await?;
        sqlx::query!(
            r#"INSERT INTO invitation_messages (invitation_id, outbox_id, channel, kind)
               VALUES ($1, $2, $3, $4)"#,
            id,
            outbox,
            channel.as_str(),
            if reminder { "reminder" } else { "invitation" }
        )
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// The person's latest invitation with its messages' delivery, times in `zone`.
pub async fn latest(
    db: &PgPool,
    org: Uuid,
    person: Uuid,
    zone: crate::server::time::Tz,
) -> sqlx::Result<Option<InvitationInfo>> {
    let Some(row) = sqlx::query!(
        r#"SELECT i.id, i.created_at AS "created_at: DateTime<Utc>",
                  i.expires_at AS "expires_at: DateTime<Utc>", i.ended_reason,
                  i.accepted_at AS "accepted_at: DateTime<Utc>", i.reminders,
                  i.email, i.mobile, i.expires_at <= now() AS "expired!", b.name AS "inviter?"
             FROM invitations i LEFT JOIN accounts b ON b.org_id = i.org_id AND b.id = i.invited_by
            WHERE i.org_id = $1 AND i.account_id = $2
            ORDER BY i.created_at DESC LIMIT 1"#,
        org,
        person
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let messages = sqlx::query!(
        r#"SELECT m.channel, m.kind, m.created_at AS "created_at: DateTime<Utc>", o.status AS "status?", o.last_error
             FROM invitation_messages m LEFT JOIN outbox o ON o.id = m.outbox_id
            WHERE m.invitation_id = $1
            ORDER BY m.created_at DESC, m.channel"#,
        row.id
    )
    .fetch_all(db)
    .await?;
    let local = |at: DateTime<Utc>| crate::server::time::local(at, zone);
    let state = if row.accepted_at.is_some() {
        "accepted"
    } else if let Some(reason) = row.ended_reason.as_deref() {
        if reason == "revoked" {
            "revoked"
        } else {
            "replaced"
        }
    } else if row.expired {
        "expired"
    } else {
        "open"
    };
    Ok(Some(InvitationInfo {
        invited_at: local(row.created_at),
        invited_by: row.inviter,
        email: row.email,
        mobile: row.mobile,
        expires_at: local(row.expires_at),
        state: state.to_owned(),
        accepted_at: row.accepted_at.map(local),
        reminders: row.reminders,
        deliveries: messages
            .into_iter()
            .map(|m| Delivery {
                channel: m.channel,
                kind: m.kind,
                status: delivery_status(m.status.as_deref()).to_owned(),
                // The mail server's or gateway's words, shortened for the page.
                error: m
                    .last_error
                    .filter(|_| m.status.as_deref() == Some("failed"))
                    .map(|e| e.chars().take(200).collect()),
                at: local(m.created_at),
            })
            .collect(),
    }))
}

/// A message's delivery in the console's words: a row the outbox no longer
/// keeps was sent (only sent and expired rows are removed).
fn delivery_status(outbox: Option<&str>) -> &'static str {
    match outbox {
        Some("pending" | "sending") => "queued",
        Some("failed") => "failed",
        Some("expired") => "expired",
        _ => "sent",
    }
}

/// An invitation found by one of its links, with what the join page shows.
#[derive(Debug, Clone)]
pub struct Link {
    pub id: Uuid,
    pub org_id: Uuid,
    pub account_id: Uuid,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub expired: bool,
    pub ended_reason: Option<String>,
    pub accepted: bool,
    pub organisation: String,
    pub inviter: Option<String>,
    pub name: String,
    pub account_status: String,
    pub account_email: Option<String>,
    pub account_mobile: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub time_zone: String,
    pub renewal_asked_recently: bool,
}

impl Link {
    /// Why the link no longer works, if it does not: `used`, `revoked` or
    /// `expired`. A person who joined another way, or was disabled, or
    /// whose address changed since, holds a dead link too.
    pub fn dead(&self) -> Option<&'static str> {
        if self.accepted || self.account_status == "active" {
            Some("used")
        } else if self.ended_reason.is_some()
            || self.account_status != "not_activated"
            || !self.addresses_hold()
        {
            Some("revoked")
        } else if self.expired {
            Some("expired")
        } else {
            None
        }
    }

    /// Every address the link went to is still the person's.
    pub fn addresses_hold(&self) -> bool {
        let same = |sent: &Option<String>, now: &Option<String>| match sent {
            None => true,
            Some(s) => now.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(s)),
        };
        same(&self.email, &self.account_email) && same(&self.mobile, &self.account_mobile)
    }
}

/// The invitation one of whose links hashes to `hash`.
pub async fn by_hash(c: &mut PgConnection, hash: &[u8]) -> sqlx::Result<Option<Link>> {
    sqlx::query_as!(
        Link,
        r#"SELECT i.id, i.org_id, i.account_id, i.email, i.mobile,
                  i.expires_at <= now() AS "expired!", i.ended_reason,
                  i.accepted_at IS NOT NULL AS "accepted!", o.name AS organisation,
                  b.name AS "inviter?", a.name, a.status AS account_status,
                  a.email AS account_email, a.mobile AS account_mobile,
                  i.expires_at AS "expires_at: DateTime<Utc>",
                  o.time_zone,
                  coalesce(i.renewal_asked_at > now() - interval '1 day', false) AS "renewal_asked_recently!"
             FROM invitation_tokens t
             JOIN invitations i ON i.id = t.invitation_id
             JOIN accounts a ON a.org_id = i.org_id AND a.id = i.account_id
             JOIN organisations o ON o.id = i.org_id
             LEFT JOIN accounts b ON b.org_id = i.org_id AND b.id = i.invited_by
            WHERE t.token_hash = $1"#,
        hash
    )
    .fetch_optional(c)
    .await
}

/// Marks the invitation accepted, once: of parallel activations exactly
/// one gets `true` (the row is locked until the caller commits).
pub async fn accept(c: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE invitations SET accepted_at = now()
            WHERE id = $1 AND accepted_at IS NULL AND ended_at IS NULL AND expires_at > now()"#,
        id
    )
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Notes that the holder of a dead link asked for a new one; `false` when
/// they already did within a day (the administrators are told once a day).
pub async fn note_renewal_asked(c: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE invitations SET renewal_asked_at = now()
            WHERE id = $1 AND (renewal_asked_at IS NULL OR renewal_asked_at <= now() - interval '1 day')"#,
        id
    )
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The addresses of the administrators who may invite `person`: the
/// organisation's active super administrators and the members of admin
/// groups that may invite whose scope holds one of the person's
/// departments; who is told of a request for a new link (20 at most).
pub async fn inviters_of(
    c: &mut PgConnection,
    org: Uuid,
    person: Uuid,
) -> sqlx::Result<Vec<(Option<String>, Option<String>)>> {
    let rows = sqlx::query!(
        r#"SELECT a.email, a.mobile FROM accounts a
            WHERE a.org_id = $1 AND a.kind = 'member' AND a.status = 'active'
              AND (a.role = 'super_admin' OR EXISTS (
                    SELECT 1 FROM admin_group_members m JOIN admin_groups g ON g.id = m.group_id
                     WHERE m.account_id = a.id AND 'members.invite' = ANY (g.permissions)
                       AND (g.scope = 'organisation'
                            OR (g.scope = 'departments' AND EXISTS (
                                  SELECT 1 FROM admin_group_departments gd
                                    JOIN department_members pm ON pm.account_id = $2
                                    JOIN departments pd ON pd.id = pm.department_id
                                   WHERE gd.group_id = g.id AND pd.path @> ARRAY[gd.department_id]))
                            OR (g.scope = 'own_departments' AND EXISTS (
                                  SELECT 1 FROM department_members om
                                    JOIN department_members pm ON pm.account_id = $2
                                    JOIN departments pd ON pd.id = pm.department_id
                                   WHERE om.account_id = a.id AND pd.path @> ARRAY[om.department_id])))))
            ORDER BY a.role = 'super_admin' DESC, a.created_at LIMIT 20"#,
        org,
        person
    )
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|r| (r.email, r.mobile)).collect())
}

/// Keeps `known` (the hash of a link that exists) in the session under
/// `key`, or forgets whatever link was held there (an unknown link never
/// stands for an earlier one), and sends the browser on to `to` so the
/// token leaves its address bar.
pub async fn hold_link(
    session: &tower_sessions::Session,
    key: &str,
    known: Option<[u8; 32]>,
    to: &'static str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let kept = match known {
        Some(hash) => session.insert(key, hash.to_vec()).await.is_ok(),
        None => {
            let _ = session.remove::<Vec<u8>>(key).await;
            true
        }
    };
    if !kept {
        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        http::StatusCode::SEE_OTHER,
        [
            (http::header::LOCATION, to),
            (http::header::CACHE_CONTROL, "no-store"),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_kept_only_as_a_hash() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert!(well_formed(&a) && well_formed(&b), "{a}");
        assert_eq!(hash(&a), ha);
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}!", &a[..42])));
    }
}
