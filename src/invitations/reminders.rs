//! Reminders to people who have not activated: once a day, at most three
//! times, while the link is alive and the organisation wants them (WeCom
//! reminds for three days). Every instance runs the job; `SKIP LOCKED`
//! lets two of them share the work without sending a reminder twice.
use super::repo::{self, Invitee, Sender};
use crate::audit::Action;
use crate::audit::repo::{Actor, Event, record};
use crate::notify::Channel;
use crate::server::keys::Sealer;
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

/// Reminders sent per run at most (the rest wait for the next run).
const BATCH: i64 = 500;

/// Sends the reminders that are due; returns how many invitations were reminded.
pub async fn run_once(db: &PgPool, sealer: &Sealer, max_attempts: i32) -> sqlx::Result<usize> {
    let mut tx = db.begin().await?;
    let due = sqlx::query!(
        r#"SELECT i.id, i.org_id, i.account_id, i.email, i.mobile, i.locale, i.reminders,
                  a.name, o.name AS organisation,
                  greatest(1, ceil(extract(epoch FROM i.expires_at - now()) / 86400))::int4 AS "days_left!",
                  coalesce(b.name, '') AS "inviter!"
             FROM invitations i
             JOIN organisations o ON o.id = i.org_id
             JOIN accounts a ON a.org_id = i.org_id AND a.id = i.account_id
             LEFT JOIN accounts b ON b.org_id = i.org_id AND b.id = i.invited_by
            WHERE i.ended_at IS NULL AND i.accepted_at IS NULL AND i.reminders < 3
              AND i.expires_at > now() + interval '1 hour'
              AND coalesce(i.reminded_at, i.created_at) <= now() - interval '1 day'
              AND o.invitation_reminders AND a.status = 'not_activated'
              AND lower(a.email) IS NOT DISTINCT FROM lower(coalesce(i.email, a.email))
              AND a.mobile IS NOT DISTINCT FROM coalesce(i.mobile, a.mobile)
            ORDER BY i.created_at
            LIMIT $1
              FOR UPDATE OF i SKIP LOCKED"#,
        BATCH
    )
    .fetch_all(&mut *tx)
    .await?;
    let system = Actor::system();
    for row in &due {
        let person = Invitee {
            id: row.account_id,
            name: row.name.clone(),
            email: row.email.clone(),
            mobile: row.mobile.clone(),
            status: "not_activated".to_owned(),
            organisation: row.organisation.clone(),
            // The reminder says how long the link still works.
            days: row.days_left,
        };
        let mut channels = Vec::new();
        if row.email.is_some() {
            channels.push(Channel::Email);
        }
        if row.mobile.is_some() {
            channels.push(Channel::Sms);
        }
        let sender = Sender {
            sealer,
            max_attempts,
            inviter: None,
            inviter_name: row.inviter.clone(),
            locale: &row.locale,
        };
        repo::send(
            &mut tx, &sender, row.org_id, row.id, &person, &channels, true,
        )
        .await?;
        sqlx::query!(
            "UPDATE invitations SET reminders = reminders + 1, reminded_at = now() WHERE id = $1",
            row.id
        )
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            &system,
            &Event::new(Action::InvitationReminded)
                .org(Some(row.org_id))
                .target_account(row.account_id)
                .details(json!({ "invitation": row.id.to_string(), "remaining": super::MAX_REMINDERS - row.reminders - 1 })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Runs [`run_once`] every `every`, for ever.
pub async fn run(db: PgPool, sealer: Sealer, max_attempts: i32, every: Duration) {
    let mut timer = tokio::time::interval(every);
    loop {
        timer.tick().await;
        match run_once(&db, &sealer, max_attempts).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "invitation reminders queued"),
            Err(e) => {
                tracing::warn!(error = %e, "invitation reminders failed; they run again later")
            }
        }
    }
}
