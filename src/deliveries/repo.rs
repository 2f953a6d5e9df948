use super::{FailedDeliveries, FailedDelivery, PAGE_SIZE};
use sqlx::PgPool;
use uuid::Uuid;

/// A page of failed messages (ids are time-ordered UUIDv7, so they page).
pub async fn failed(
    db: &PgPool,
    before: Option<Uuid>,
    zone: crate::server::time::Tz,
) -> Result<FailedDeliveries, sqlx::Error> {
    let total =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM outbox WHERE status = 'failed'"#)
            .fetch_one(db)
            .await?;
    let rows = sqlx::query!(
        r#"SELECT id, created_at AS "created_at: chrono::DateTime<chrono::Utc>", channel, recipient, template, attempts, last_error
             FROM outbox
            WHERE status = 'failed' AND ($1::uuid IS NULL OR id < $1)
            ORDER BY id DESC
            LIMIT $2"#,
        before,
        PAGE_SIZE + 1,
    )
    .fetch_all(db)
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<FailedDelivery> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| FailedDelivery {
            id: r.id.to_string(),
            queued_at: r
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            queued_at_local: crate::server::time::local(r.created_at, zone),
            recipient: mask_recipient(&r.recipient),
            channel: r.channel,
            template: r.template,
            attempts: r.attempts,
            last_error: r.last_error,
        })
        .collect();
    let next_before = more.then(|| entries.last().map(|e| e.id.clone())).flatten();
    Ok(FailedDeliveries {
        total,
        entries,
        next_before,
    })
}

/// Enough of an address or number to recognise it, not to copy it:
/// `z***@example.com`, `+86138****8000`.
pub fn mask_recipient(recipient: &str) -> String {
    if let Some((local, domain)) = recipient.rsplit_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = recipient.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (chars.len() - 8, 4);
    let mut out: String = chars[..head].iter().collect();
    out.push_str("****");
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask_recipient;

    #[test]
    fn recipients_are_partly_hidden() {
        assert_eq!(mask_recipient("zhang.san@example.com"), "z***@example.com");
        assert_eq!(mask_recipient("+8613800138000"), "+86138****8000");
        assert_eq!(mask_recipient("+4412345"), "********");
    }
}
