//! Failed attempts per key, kept in PostgreSQL so every instance sees them.
//!
//! After `delay_after` failures each further attempt must wait, twice as long
//! each time; after `lock_after` the key is locked for `lock_for`. Keys are
//! independent: failures against one account never slow down another.
use super::settings::ThrottleRule;
use sqlx::PgConnection;
use std::net::IpAddr;
use uuid::Uuid;

/// What is being throttled.
pub enum Key<'a> {
    Account(Uuid),
    /// An identifier with no account behind it, throttled exactly like an account.
    Unknown(&'a str),
    Ip(IpAddr),
    SecondFactor(Uuid),
}

impl Key<'_> {
    fn render(&self) -> String {
        match self {
            Key::Account(id) => format!("account:{id}"),
            Key::Unknown(ident) => format!("unknown:{}", ident.to_lowercase()),
            // One IPv6 subscriber usually holds a whole /64.
            Key::Ip(ip @ IpAddr::V4(_)) => format!("ip:{ip}"),
            Key::Ip(ip @ IpAddr::V6(_)) => format!("ip:{}", crate::codes::network_of(*ip)),
            Key::SecondFactor(id) => format!("2fa:{id}"),
        }
    }
}

/// The attempt may not be looked at yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_secs: u64,
    /// Locked (as opposed to a growing delay).
    pub locked: bool,
}

/// Refuses the attempt while `key` is locked or waiting out a delay.
pub async fn check(conn: &mut PgConnection, key: &Key<'_>) -> Result<(), ThrottleError> {
    let key = key.render();
    let row = sqlx::query!(
        r#"SELECT EXTRACT(EPOCH FROM locked_until - now())::float8 AS "locked_secs",
                  EXTRACT(EPOCH FROM next_attempt_at - now())::float8 AS "delay_secs"
             FROM auth_throttle WHERE key = $1"#,
        key
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(()) };
    if let Some(secs) = row.locked_secs.filter(|s| *s > 0.0) {
        return Err(ThrottleError::Throttled(Throttled {
            retry_after_secs: secs.ceil() as u64,
            locked: true,
        }));
    }
    if let Some(secs) = row.delay_secs.filter(|s| *s > 0.0) {
        return Err(ThrottleError::Throttled(Throttled {
            retry_after_secs: secs.ceil() as u64,
            locked: false,
        }));
    }
    Ok(())
}

/// Counts an attempt before it is checked, in one statement, and refuses it
/// while the key is locked or waiting out a delay. Counting first means
/// parallel attempts cannot all slip in before the first failure is
/// recorded: each takes its own number, and the one that reaches the limit
/// locks the key for the rest. A success then calls [`reset`].
pub async fn begin_attempt(
    conn: &mut PgConnection,
    key: &Key<'_>,
    rule: &ThrottleRule,
) -> Result<Failure, ThrottleError> {
    let rendered = key.render();
    // The CASE repeated below is this attempt's number: a lock that has run
    // out, or failures older than the window, start afresh.
    let counted = sqlx::query_scalar!(
        r#"INSERT INTO auth_throttle AS t (key, failures, last_failure_at, next_attempt_at, locked_until)
           VALUES ($1, 1, now(),
                   CASE WHEN 1 >= $6 THEN NULL
                        WHEN 1 >= $3 THEN now() + make_interval(secs => $4) END,
                   CASE WHEN 1 >= $6 THEN now() + make_interval(secs => $7) END)
           ON CONFLICT (key) DO UPDATE SET
               failures = (CASE WHEN t.last_failure_at < now() - make_interval(secs => $2) OR (t.locked_until IS NOT NULL AND t.locked_until <= now()) THEN 1 ELSE t.failures + 1 END),
               last_failure_at = now(),
               next_attempt_at = CASE
                   WHEN (CASE WHEN t.last_failure_at < now() - make_interval(secs => $2) OR (t.locked_until IS NOT NULL AND t.locked_until <= now()) THEN 1 ELSE t.failures + 1 END) >= $6 THEN NULL
                   WHEN (CASE WHEN t.last_failure_at < now() - make_interval(secs => $2) OR (t.locked_until IS NOT NULL AND t.locked_until <= now()) THEN 1 ELSE t.failures + 1 END) >= $3 THEN now() + make_interval(secs =>
                        least($5, $4 * power(2, (CASE WHEN t.last_failure_at < now() - make_interval(secs => $2) OR (t.locked_until IS NOT NULL AND t.locked_until <= now()) THEN 1 ELSE t.failures + 1 END) - $3)))
                   END,
               locked_until = CASE WHEN (CASE WHEN t.last_failure_at < now() - make_interval(secs => $2) OR (t.locked_until IS NOT NULL AND t.locked_until <= now()) THEN 1 ELSE t.failures + 1 END) >= $6 THEN now() + make_interval(secs => $7) END
            WHERE (t.locked_until IS NULL OR t.locked_until <= now())
              AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= now())
           RETURNING t.failures"#,
        rendered,
        rule.window.as_secs_f64(),
        rule.delay_after,
        rule.delay_base.as_secs_f64(),
        rule.max_delay.as_secs_f64(),
        rule.lock_after,
        rule.lock_for.as_secs_f64(),
    )
    .fetch_optional(&mut *conn)
    .await?;
    match counted {
        Some(failures) => Ok(Failure {
            failures,
            locked_now: failures == rule.lock_after,
        }),
        // The row is locked or delayed: say until when.
        None => match check(conn, key).await {
            Err(e) => Err(e),
            // It ran out in between: one more go.
            Ok(()) => Box::pin(begin_attempt(conn, key, rule)).await,
        },
    }
}

/// What a failure did to the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub failures: i32,
    /// This failure locked the key.
    pub locked_now: bool,
}

/// Counts a failure and sets the delay or lock that follows from it.
pub async fn record_failure(
    conn: &mut PgConnection,
    key: &Key<'_>,
    rule: &ThrottleRule,
) -> Result<Failure, sqlx::Error> {
    let key = key.render();
    // A lock that has run out, or failures older than the window, start afresh.
    let failures = sqlx::query_scalar!(
        r#"INSERT INTO auth_throttle AS t (key, failures, last_failure_at)
           VALUES ($1, 1, now())
           ON CONFLICT (key) DO UPDATE SET
               failures = CASE
                   WHEN t.last_failure_at < now() - make_interval(secs => $2)
                     OR (t.locked_until IS NOT NULL AND t.locked_until <= now())
                   THEN 1 ELSE t.failures + 1 END,
               locked_until = CASE WHEN t.locked_until > now() THEN t.locked_until END,
               next_attempt_at = NULL,
               last_failure_at = now()
           RETURNING failures"#,
        key,
        rule.window.as_secs_f64()
    )
    .fetch_one(&mut *conn)
    .await?;

    let locked_now = failures == rule.lock_after;
    if failures >= rule.lock_after {
        if locked_now {
            sqlx::query!(
                "UPDATE auth_throttle SET locked_until = now() + make_interval(secs => $2) WHERE key = $1",
                key,
                rule.lock_for.as_secs_f64()
            )
            .execute(&mut *conn)
            .await?;
        }
    } else if failures >= rule.delay_after {
        let delay = delay_for(rule, failures);
        sqlx::query!(
            "UPDATE auth_throttle SET next_attempt_at = now() + make_interval(secs => $2) WHERE key = $1",
            key,
            delay.as_secs_f64()
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(Failure {
        failures,
        locked_now,
    })
}

/// The wait after the `failures`-th failure: base, then doubling, capped.
pub fn delay_for(rule: &ThrottleRule, failures: i32) -> std::time::Duration {
    let doublings = (failures - rule.delay_after).clamp(0, 20) as u32;
    rule.delay_base
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(rule.max_delay)
}

/// Forgets the failures of `key` (after a success).
pub async fn reset(conn: impl sqlx::PgExecutor<'_>, key: &Key<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM auth_throttle WHERE key = $1", key.render())
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes back an attempt that was counted but never checked (the server was
/// too busy), or that succeeded where the key counts only failures (a client IP).
pub async fn forgive(db: impl sqlx::PgExecutor<'_>, key: &Key<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE auth_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1",
        key.render()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Drops rows nobody has failed on for a day (run periodically).
pub async fn prune(db: &sqlx::PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM auth_throttle WHERE last_failure_at < now() - interval '1 day'
            AND (locked_until IS NULL OR locked_until < now())"
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    #[error("throttled for {} s", .0.retry_after_secs)]
    Throttled(Throttled),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn delays_double_up_to_the_cap() {
        let rule = ThrottleRule {
            delay_after: 5,
            delay_base: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            lock_after: 10,
            lock_for: Duration::from_secs(900),
            window: Duration::from_secs(3600),
        };
        assert_eq!(delay_for(&rule, 5), Duration::from_secs(2));
        assert_eq!(delay_for(&rule, 6), Duration::from_secs(4));
        assert_eq!(delay_for(&rule, 8), Duration::from_secs(16));
        assert_eq!(delay_for(&rule, 9), Duration::from_secs(32));
        assert_eq!(delay_for(&rule, 40), Duration::from_secs(60));
    }

    #[test]
    fn keys_are_separate_per_kind() {
        let id = Uuid::nil();
        assert_ne!(Key::Account(id).render(), Key::SecondFactor(id).render());
        assert_eq!(
            Key::Unknown("A@Example.com").render(),
            Key::Unknown("a@example.com").render()
        );
        let ip = |s: &str| Key::Ip(s.parse().unwrap()).render();
        assert_eq!(ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_ne!(ip("198.51.100.1"), ip("198.51.100.2"));
    }
}
