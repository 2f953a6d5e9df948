//! What approvals tell people. A notice is written in the transaction of
//! the change that causes it (so a decision raced a hundred times tells
//! once); [`deliver`] turns notices into outbox messages, each at once, or
//! one digest a day for people who chose that.
use crate::error::AppError;
use crate::notify::{Channel, NewMessage, Template};
use crate::server::keys::Sealer;
use sqlx::PgConnection;
use uuid::Uuid;

/// The language of notices written outside a request (the sweeps).
const DEFAULT_LOCALE: &str = "zh-CN";

fn locale() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<crate::auth::guard::RequestMeta>()
            .map(|m| m.locale)
            .unwrap_or(DEFAULT_LOCALE)
    }
}

/// Tells `people` about `request` (`kind`: task, decided, cc, reminder, urged).
pub async fn tell(
    c: &mut PgConnection,
    org: Uuid,
    request: Uuid,
    people: &[Uuid],
    kind: &str,
) -> Result<(), AppError> {
    if people.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        r#"INSERT INTO approval_notices (org_id, account_id, request_id, kind, locale)
           SELECT $1, person, $2, $3, $4 FROM unnest($5::uuid[]) AS person"#,
        org,
        request,
        kind,
        locale(),
        people
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Tells the assignee of a task that has just become theirs.
pub async fn task_opened(c: &mut PgConnection, org: Uuid, task: Uuid) -> Result<(), AppError> {
    let t = sqlx::query!(
        "SELECT request_id, assignee_id FROM approval_tasks WHERE org_id = $1 AND id = $2 AND status = 'pending'",
        org,
        task
    )
    .fetch_optional(&mut *c)
    .await?;
    if let Some(t) = t {
        tell(c, org, t.request_id, &[t.assignee_id], "task").await?;
    }
    Ok(())
}

/// Reminds the assignee of a task whose time limit passed.
pub async fn task_reminder(c: &mut PgConnection, org: Uuid, task: Uuid) -> Result<(), AppError> {
    let t = sqlx::query!(
        "SELECT request_id, assignee_id FROM approval_tasks WHERE org_id = $1 AND id = $2",
        org,
        task
    )
    .fetch_one(&mut *c)
    .await?;
    tell(c, org, t.request_id, &[t.assignee_id], "reminder").await
}

/// Turns waiting notices into outbox messages: every notice of a person who
/// hears at once; for those who chose a digest, one message a day saying
/// how many requests wait. Returns how many messages were queued.
pub async fn deliver(
    c: &mut PgConnection,
    sealer: &Sealer,
    max_attempts: i32,
) -> Result<u64, AppError> {
    let rows = sqlx::query!(
        r#"SELECT n.id, n.org_id, n.account_id, n.kind, n.locale, n.request_id, a.email, a.mobile, a.approval_notices,
                  (a.approval_digest_at IS NULL OR a.approval_digest_at <= now() - interval '1 day') AS "digest_due!",
                  a.status, o.name AS organisation, r.number, r.status AS request_status,
                  t.name_en, t.name_zh, s.name AS submitter
           FROM approval_notices n
           JOIN accounts a ON a.id = n.account_id
           JOIN organisations o ON o.id = n.org_id
           JOIN approval_requests r ON r.id = n.request_id
           JOIN approval_templates t ON t.id = r.template_id
           JOIN accounts s ON s.id = r.submitter_id
           WHERE n.sent_at IS NULL
             AND (a.approval_notices = 'immediate' OR a.approval_digest_at IS NULL
                  OR a.approval_digest_at <= now() - interval '1 day')
           ORDER BY n.id LIMIT 500
           FOR UPDATE OF n SKIP LOCKED"#
    )
    .fetch_all(&mut *c)
    .await?;
    let mut queued = 0;
    let mut digested: Vec<Uuid> = Vec::new();
    let mut done: Vec<i64> = Vec::new();
    for n in rows {
        let digest = n.approval_notices == "digest";
        if digest && !n.digest_due {
            continue;
        }
        done.push(n.id);
        // Nobody to reach, or nobody who can act any more.
        let (channel, recipient) = match (&n.email, &n.mobile) {
            (Some(e), _) => (Channel::Email, e.clone()),
            (None, Some(m)) => (Channel::Sms, m.clone()),
            (None, None) => continue,
        };
        if n.status != "active" {
            continue;
        }
        let template = if digest {
            let account = n.account_id;
            if digested.contains(&account) {
                continue;
            }
            digested.push(account);
            let waiting = sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM approval_tasks WHERE assignee_id = $1 AND status = 'pending'"#,
                account
            )
            .fetch_one(&mut *c)
            .await?;
            Template::ApprovalDigest {
                organisation: n.organisation.clone(),
                waiting,
            }
        } else {
            Template::Approval {
                organisation: n.organisation.clone(),
                what: n.kind.clone(),
                template_en: n.name_en.clone(),
                template_zh: n.name_zh.clone(),
                submitter: n.submitter.clone(),
                number: n.number,
                status: n.request_status.clone(),
                path: format!("/me/requests/{}", n.request_id),
            }
        };
        crate::notify::enqueue(
            c,
            sealer,
            &NewMessage {
                org_id: Some(n.org_id),
                channel,
                recipient,
                locale: n.locale.clone(),
                template,
                valid_for: None,
            },
            max_attempts,
        )
        .await?;
        queued += 1;
    }
    // A digest covers every waiting notice of its person.
    sqlx::query!(
        r#"UPDATE approval_notices SET sent_at = now()
           WHERE id = ANY($1) OR (account_id = ANY($2) AND sent_at IS NULL)"#,
        &done,
        &digested
    )
    .execute(&mut *c)
    .await?;
    sqlx::query!(
        "UPDATE accounts SET approval_digest_at = now() WHERE id = ANY($1)",
        &digested
    )
    .execute(&mut *c)
    .await?;
    Ok(queued)
}
