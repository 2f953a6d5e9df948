//! The audit log at 10 million rows (run by `scripts/bench-audit.sh`): one
//! organisation of 5,000 people in 500 departments whose log holds ROWS
//! rows (default 10,000,000) over 180 days: 40 actions, every person acting
//! and acted on. Measures, against the database in `DATABASE_URL` only,
//! what `admin_audit` runs for a page (resolving the filters, the keyset
//! query, the targets' names), p50 and p99 over many random requests:
//!   1. the newest page, no filter;
//!   2. a page deep in the log (a cursor from a random point in time);
//!   3. by action; by actor (a name typed); by target; by a day's range;
//!      action and date together;
//!   4. the export of 100,000 rows as CSV.
//!
//! The rows are written with `generate_series` and sealed with stand-in
//! hashes (the chain is not what is measured here). Stops by itself.
use orgdesk::audit::{Action, AuditQuery, repo};
use orgdesk::server::time::DEFAULT_ZONE;
use rand::prelude::*;
use std::time::{Duration, Instant};

fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let url = std::env::var("DATABASE_URL")?;
    let rows: i64 = std::env::var("ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await?;
    sqlx::migrate!("./migrations").run(&db).await?;

    // MEASURE_ONLY=1 measures a log seeded by an earlier run (the seeding
    // can then run while the machine is busy, the measuring when it is not).
    let earlier: Option<uuid::Uuid> = if std::env::var("MEASURE_ONLY").is_ok_and(|v| v == "1") {
        sqlx::query_scalar(
            "SELECT org_id FROM audit_log WHERE org_id IS NOT NULL ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&db)
        .await?
    } else {
        None
    };
    let (org, people, actions) = match earlier {
        Some(org) => {
            let people: Vec<(uuid::Uuid, String)> =
                sqlx::query_as("SELECT id, name FROM accounts WHERE org_id = $1")
                    .bind(org)
                    .fetch_all(&db)
                    .await?;
            let actions: Vec<&str> = Action::ALL.iter().take(40).map(|a| a.as_str()).collect();
            (org, people, actions)
        }
        None => seed(&db, rows).await?,
    };
    let mut rng = StdRng::seed_from_u64(3);
    let day = |rng: &mut StdRng| {
        let d = chrono::Utc::now() - chrono::Duration::days(rng.random_range(1..179));
        d.format("%Y-%m-%d").to_string()
    };
    type Make = Box<dyn Fn(&mut StdRng) -> (AuditQuery, Option<String>)>;
    let people_names: Vec<String> = people.iter().map(|p| p.1.clone()).collect();
    let ids: Vec<String> = people.iter().map(|p| p.0.to_string()).collect();
    let acts: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let cases: Vec<(&str, Make)> = vec![
        (
            "newest page, no filter",
            Box::new(|_| (AuditQuery::default(), None)),
        ),
        (
            "a page deep in the log",
            Box::new(|rng| {
                let at = chrono::Utc::now()
                    - chrono::Duration::seconds(rng.random_range(0..180 * 86400));
                (
                    AuditQuery::default(),
                    Some(format!("{}_{}", at.timestamp_micros(), i64::MAX)),
                )
            }),
        ),
        ("by action", {
            let acts = acts.clone();
            Box::new(move |rng| {
                (
                    AuditQuery {
                        action: acts.choose(rng).unwrap().clone(),
                        ..Default::default()
                    },
                    None,
                )
            })
        }),
        ("by actor (a name typed)", {
            let names = people_names.clone();
            Box::new(move |rng| {
                (
                    AuditQuery {
                        actor: names.choose(rng).unwrap().clone(),
                        ..Default::default()
                    },
                    None,
                )
            })
        }),
        ("by target (an id)", {
            let ids = ids.clone();
            Box::new(move |rng| {
                (
                    AuditQuery {
                        target: ids.choose(rng).unwrap().clone(),
                        ..Default::default()
                    },
                    None,
                )
            })
        }),
        (
            "one day",
            Box::new(move |rng| {
                let d = day(rng);
                (
                    AuditQuery {
                        from: d.clone(),
                        to: d,
                        ..Default::default()
                    },
                    None,
                )
            }),
        ),
        ("action within a month", {
            let acts = acts.clone();
            Box::new(move |rng| {
                let to = chrono::Utc::now() - chrono::Duration::days(rng.random_range(1..150));
                let from = to - chrono::Duration::days(30);
                (
                    AuditQuery {
                        action: acts.choose(rng).unwrap().clone(),
                        from: from.format("%Y-%m-%d").to_string(),
                        to: to.format("%Y-%m-%d").to_string(),
                        ..Default::default()
                    },
                    None,
                )
            })
        }),
    ];
    for (name, make) in &cases {
        let mut samples = Vec::new();
        let mut shown = 0;
        for _ in 0..300 {
            let (q, before) = make(&mut rng);
            let t = Instant::now();
            let filter = repo::resolve(&db, Some(org), &q, DEFAULT_ZONE).await?;
            let page = repo::list(&db, &filter, before.as_deref(), DEFAULT_ZONE).await?;
            samples.push(t.elapsed());
            shown += page.entries.len();
        }
        println!(
            "{name}: p50 {}  p99 {}  ({:.0} rows a page on average)",
            ms(pct(&mut samples, 0.5)),
            ms(pct(&mut samples, 0.99)),
            shown as f64 / 300.0
        );
    }

    // The export: the newest 100,000 rows as CSV.
    let t = Instant::now();
    let filter = repo::resolve(&db, Some(org), &AuditQuery::default(), DEFAULT_ZONE).await?;
    let mut sheet = orgdesk::server::sheet::Sheet::new(
        orgdesk::server::sheet::Format::Csv,
        "audit",
        &["at", "action", "actor", "target", "details"],
    )?;
    let n = repo::all(&db, &filter, 100_000, DEFAULT_ZONE, |e| {
        sheet
            .row([
                e.at.as_str(),
                e.action.as_str(),
                e.actor_name.as_deref().unwrap_or(""),
                e.target.as_deref().unwrap_or(""),
                e.details.as_str(),
            ])
            .map_err(orgdesk::error::AppError::internal)
    })
    .await?;
    let bytes = sheet.finish()?.len();
    println!(
        "export of {n} rows as CSV: {:.2} s, {:.1} MB",
        t.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    Ok(())
}

/// Seeds the organisation and its log of `rows` rows.
async fn seed(
    db: &sqlx::PgPool,
    rows: i64,
) -> Result<
    (uuid::Uuid, Vec<(uuid::Uuid, String)>, Vec<&'static str>),
    Box<dyn std::error::Error + Send + Sync>,
> {
    let seeded = orgdesk::contacts::seed::seed(
        db,
        &orgdesk::contacts::seed::SeedSpec {
            name: format!("Audit bench {}", uuid::Uuid::now_v7()),
            admin_email: format!("bench-audit-{}@orgdesk.example", uuid::Uuid::now_v7()),
            password_hash: "x".into(),
            members: 5_000,
            departments: 500,
            rng_seed: 5,
        },
    )
    .await?;
    let org = seeded.org_id;
    let people: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM accounts WHERE org_id = $1")
            .bind(org)
            .fetch_all(db)
            .await?;
    let actions: Vec<&str> = Action::ALL.iter().take(40).map(|a| a.as_str()).collect();

    // The log, a million rows per statement: times spread evenly over 180
    // days, actors and targets drawn from the people.
    let started = Instant::now();
    let mut conn = db.acquire().await?;
    sqlx::query("CREATE TEMP TABLE bench_people AS SELECT (row_number() OVER (ORDER BY id))::int AS n, id FROM accounts WHERE org_id = $1")
        .bind(org)
        .execute(&mut *conn)
        .await?;
    let n_people = people.len() as i64;
    let chunk = 1_000_000i64;
    let mut written = 0;
    while written < rows {
        let take = chunk.min(rows - written);
        sqlx::query(
            "INSERT INTO audit_log (org_id, actor_id, actor_kind, action, target_type, target_id,
                                    ip, user_agent, at, details, seq, prev_hash, hash)
             SELECT $1, a.id, 'member', ($2::text[])[1 + (g % array_length($2::text[], 1))],
                    'account', t.id::text, '10.0.0.1', 'Mozilla/5.0 bench',
                    now() - make_interval(secs => (($4 - g)::float8 / $4) * 180 * 86400),
                    jsonb_build_object('before', jsonb_build_object('position', 'A'),
                                       'after', jsonb_build_object('position', 'B')),
                    g, '\\x00', '\\x00'
               FROM generate_series($3 + 1, $3 + $5) g
               JOIN bench_people a ON a.n = 1 + (g * 7919) % $6
               JOIN bench_people t ON t.n = 1 + (g * 104729) % $6",
        )
        .bind(org)
        .bind(&actions)
        .bind(written)
        .bind(rows)
        .bind(take)
        .bind(n_people)
        .execute(&mut *conn)
        .await?;
        written += take;
        eprintln!(
            "{written} rows written in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    drop(conn);
    sqlx::query("ANALYZE audit_log").execute(db).await?;
    let size: String =
        sqlx::query_scalar("SELECT pg_size_pretty(pg_total_relation_size('audit_log'))")
            .fetch_one(db)
            .await?;
    println!(
        "audit log: {rows} rows ({size} with indexes), written in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    Ok((org, people, actions))
}
