//! Sessions and devices: each sign-in is a row of `account_sessions`, so
//! a person (and their administrator) can see where they are signed in and
//! end any one session.
use super::repo::Account;
use super::{SessionInfo, guard::RequestMeta};
use sqlx::PgPool;
use uuid::Uuid;

/// Records a new sign-in of `account`; returns its id (kept in the session).
pub async fn start(
    db: impl sqlx::PgExecutor<'_>,
    account: &Account,
    meta: &RequestMeta,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let agent: Option<String> = meta
        .user_agent
        .as_deref()
        .map(|ua| ua.chars().take(512).collect());
    sqlx::query!(
        r#"INSERT INTO account_sessions (id, account_id, epoch, user_agent, ip)
           VALUES ($1, $2, $3, $4, $5)"#,
        id,
        account.id,
        account.session_epoch,
        agent,
        meta.ip.map(sqlx::types::ipnetwork::IpNetwork::from) as _
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// Notes activity on a session (at most once a minute, as the session itself).
pub async fn touch(db: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE account_sessions SET last_seen_at = now() WHERE id = $1 AND ended_at IS NULL",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The sessions of `account` that still work: not ended, of the current
/// epoch, used within `idle` and begun within `absolute`; newest first.
pub async fn list(
    db: &PgPool,
    account: &Account,
    idle: std::time::Duration,
    absolute: std::time::Duration,
    current: Option<Uuid>,
    zone: crate::server::time::Tz,
) -> Result<Vec<SessionInfo>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, user_agent, host(ip) AS ip,
                  started_at AS "started_at: chrono::DateTime<chrono::Utc>",
                  last_seen_at AS "last_seen_at: chrono::DateTime<chrono::Utc>"
             FROM account_sessions
            WHERE account_id = $1 AND epoch = $2 AND ended_at IS NULL
              AND last_seen_at > now() - make_interval(secs => $3)
              AND started_at > now() - make_interval(secs => $4)
            ORDER BY last_seen_at DESC
            LIMIT 50"#,
        account.id,
        account.session_epoch,
        idle.as_secs_f64(),
        absolute.as_secs_f64()
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (browser, system) = device(r.user_agent.as_deref().unwrap_or(""));
            SessionInfo {
                id: r.id.to_string(),
                browser,
                system,
                ip: r.ip,
                started_at: crate::server::time::local(r.started_at, zone),
                last_seen_at: crate::server::time::local(r.last_seen_at, zone),
                current: Some(r.id) == current,
            }
        })
        .collect())
}

/// Ends one session of `account`; false when there is no such session.
pub async fn end(
    db: impl sqlx::PgExecutor<'_>,
    account: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE account_sessions SET ended_at = now() WHERE account_id = $1 AND id = $2 AND ended_at IS NULL",
        account,
        id
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Moves the session that carries on after its account's epoch was bumped
/// on purpose (password changed, signed out elsewhere) to the new epoch.
pub async fn carry(
    db: impl sqlx::PgExecutor<'_>,
    id: Option<Uuid>,
    epoch: i32,
) -> Result<(), sqlx::Error> {
    if let Some(id) = id {
        // Reopened only when the epoch bump of this very transaction ended
        // it (now() is the transaction's start): a session ended before,
        // from a list of sessions, stays ended.
        sqlx::query!(
            r#"UPDATE account_sessions SET epoch = $2, ended_at = NULL
                WHERE id = $1 AND (ended_at IS NULL OR ended_at = now())"#,
            id,
            epoch
        )
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Whether the session was ended (here, or by an administrator).
pub async fn ended(db: &PgPool, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT ended_at IS NOT NULL AS "ended!" FROM account_sessions WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?
    .unwrap_or(true))
}

/// The browser and the system a user agent names, in words any language
/// shows as they are ("Chrome", "Windows"); "" when not recognised.
pub fn device(ua: &str) -> (String, String) {
    let has = |s: &str| ua.contains(s);
    let browser = if has("MicroMessenger") {
        "WeChat"
    } else if has("wxwork") {
        "WeCom"
    } else if has("DingTalk") {
        "DingTalk"
    } else if has("Edg/") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("Firefox/") {
        "Firefox"
    } else if has("Chrome/") || has("Chromium/") || has("CriOS/") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if has("iPhone") || has("iPad") {
        "iOS"
    } else if has("Android") {
        "Android"
    } else if has("HarmonyOS") {
        "HarmonyOS"
    } else if has("Windows") {
        "Windows"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Linux") {
        "Linux"
    } else {
        ""
    };
    (browser.to_owned(), system.to_owned())
}

#[cfg(test)]
mod tests {
    use super::device;

    #[test]
    fn common_user_agents_name_their_browser_and_system() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
                ("Chrome", "Windows"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
                ("Safari", "macOS"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44",
                ("WeChat", "iOS"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
                ("Chrome", "Android"),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                ("Firefox", "Linux"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0",
                ("Edge", "Windows"),
            ),
            ("curl/8.5.0", ("", "")),
        ];
        for (ua, (b, s)) in cases {
            assert_eq!(device(ua), (b.to_owned(), s.to_owned()), "{ua}");
        }
    }
}
