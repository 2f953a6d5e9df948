//! The security check-up (`/admin/security/checkup`): what in the
//! organisation deserves an administrator's attention, each finding with
//! the people it names and, where there is one, its fix. Every query reads
//! an index of the organisation's rows: the page stays fast at 100,000 people.
use super::{Checkup, Finding, FindingPerson};
use sqlx::PgPool;
use uuid::Uuid;

/// People a finding lists at most; its count says how many there are.
pub const LISTED: i64 = 50;

fn people(rows: Vec<(Uuid, String, Option<String>, String)>) -> Vec<FindingPerson> {
    rows.into_iter()
        .map(|(id, name, userid, detail)| FindingPerson {
            id: id.to_string(),
            name,
            userid: userid.unwrap_or_default(),
            detail,
        })
        .collect()
}

/// Runs every check for `org`; `absolute` is the longest a session may last there.
pub async fn run(
    db: &PgPool,
    org: Uuid,
    absolute: std::time::Duration,
    zone: crate::server::time::Tz,
) -> Result<Checkup, sqlx::Error> {
    let local = |t: chrono::DateTime<chrono::Utc>| crate::server::time::local(t, zone);

    // Administrators (super or delegated, active) without a second factor.
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid, count(*) OVER () AS "total!"
             FROM accounts a
            WHERE a.org_id = $1 AND a.kind = 'member' AND a.status = 'active'
              AND a.totp_enabled_at IS NULL
              AND (a.role = 'super_admin'
                   OR EXISTS (SELECT 1 FROM admin_group_members m WHERE m.account_id = a.id))
            ORDER BY a.name_pinyin, a.id LIMIT $2"#,
        org,
        LISTED
    )
    .fetch_all(db)
    .await?;
    let without_second_factor = Finding {
        total: rows.first().map_or(0, |r| r.total),
        people: people(
            rows.into_iter()
                .map(|r| (r.id, r.name, r.userid, String::new()))
                .collect(),
        ),
    };

    // Added more than 7 days ago and never activated.
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid,
                  a.created_at AS "created_at: chrono::DateTime<chrono::Utc>",
                  count(*) OVER () AS "total!"
             FROM accounts a
            WHERE a.org_id = $1 AND a.kind = 'member' AND a.status = 'not_activated'
              AND a.created_at < now() - interval '7 days'
            ORDER BY a.created_at, a.id LIMIT $2"#,
        org,
        LISTED
    )
    .fetch_all(db)
    .await?;
    let not_activated = Finding {
        total: rows.first().map_or(0, |r| r.total),
        people: people(
            rows.into_iter()
                .map(|r| (r.id, r.name, r.userid, local(r.created_at)))
                .collect(),
        ),
    };

    // Departed people with a session that still works.
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid,
                  max(s.last_seen_at) AS "last_seen!: chrono::DateTime<chrono::Utc>",
                  count(*) OVER () AS "total!"
             FROM account_sessions s JOIN accounts a ON a.id = s.account_id
            WHERE a.org_id = $1 AND a.status = 'departed'
              AND s.ended_at IS NULL AND s.epoch = a.session_epoch
              AND s.started_at > now() - make_interval(secs => $3)
            GROUP BY a.id, a.name, a.userid
            ORDER BY a.name_pinyin, a.id LIMIT $2"#,
        org,
        LISTED,
        absolute.as_secs_f64()
    )
    .fetch_all(db)
    .await?;
    let departed_with_sessions = Finding {
        total: rows.first().map_or(0, |r| r.total),
        people: people(
            rows.into_iter()
                .map(|r| (r.id, r.name, r.userid, local(r.last_seen)))
                .collect(),
        ),
    };

    let super_admins = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM accounts
            WHERE org_id = $1 AND kind = 'member' AND role = 'super_admin' AND status = 'active'"#,
        org
    )
    .fetch_one(db)
    .await?;

    // Sessions begun longer ago than the policy allows and not ended.
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid,
                  min(s.started_at) AS "started!: chrono::DateTime<chrono::Utc>",
                  count(*) OVER () AS "total!"
             FROM account_sessions s JOIN accounts a ON a.id = s.account_id
            WHERE a.org_id = $1 AND s.ended_at IS NULL AND s.epoch = a.session_epoch
              AND s.started_at <= now() - make_interval(secs => $3)
              AND s.last_seen_at > now() - interval '30 days'
            GROUP BY a.id, a.name, a.userid
            ORDER BY a.name_pinyin, a.id LIMIT $2"#,
        org,
        LISTED,
        absolute.as_secs_f64()
    )
    .fetch_all(db)
    .await?;
    let stale_sessions = Finding {
        total: rows.first().map_or(0, |r| r.total),
        people: people(
            rows.into_iter()
                .map(|r| (r.id, r.name, r.userid, local(r.started)))
                .collect(),
        ),
    };

    // Accounts locked by failed sign-ins in the last 7 days.
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.userid,
                  max(l.at) AS "last!: chrono::DateTime<chrono::Utc>",
                  count(*) OVER () AS "total!"
             FROM audit_log l JOIN accounts a ON a.id::text = l.target_id
            WHERE l.org_id = $1 AND l.action = 'sign_in.locked' AND l.target_type = 'account'
              AND l.at > now() - interval '7 days'
            GROUP BY a.id, a.name, a.userid
            ORDER BY max(l.at) DESC LIMIT $2"#,
        org,
        LISTED
    )
    .fetch_all(db)
    .await?;
    let lockouts = Finding {
        total: rows.first().map_or(0, |r| r.total),
        people: people(
            rows.into_iter()
                .map(|r| (r.id, r.name, r.userid, local(r.last)))
                .collect(),
        ),
    };

    let failed_messages = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM outbox
            WHERE org_id = $1 AND status = 'failed' AND created_at > now() - interval '30 days'"#,
        org
    )
    .fetch_one(db)
    .await?;

    Ok(Checkup {
        without_second_factor,
        not_activated,
        departed_with_sessions,
        super_admins,
        stale_sessions,
        lockouts,
        failed_messages,
    })
}
