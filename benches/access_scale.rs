//! Permissions and the security check-up at scale (run by
//! `scripts/bench-access.sh`): an organisation of 100,000 people in 10,000
//! departments with 200 delegated administrators, each scoped to a
//! subtree. Measures, against the database in `DATABASE_URL` only:
//!   1. the permission check of a person target for a scoped administrator
//!      (`access::check_target`: one index read of the person's
//!      departments), p50 and p99 over 20,000 random people;
//!   2. loading a delegated administrator's grants (`access::load`);
//!   3. the security check-up of the whole organisation, p50 and p99 of 30 runs.
//!
//! Not part of the product; stops by itself.
use orgdesk::access::{Scope, Target, check_target, load};
use rand::prelude::*;
use std::time::{Duration, Instant};

fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let url = std::env::var("DATABASE_URL")?;
    let members: usize = std::env::var("MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let departments: usize = std::env::var("DEPARTMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await?;
    sqlx::migrate!("./migrations").run(&db).await?;

    let started = Instant::now();
    let seeded = orgdesk::contacts::seed::seed(
        &db,
        &orgdesk::contacts::seed::SeedSpec {
            name: format!("Access bench {}", uuid::Uuid::now_v7()),
            admin_email: format!("bench-access-{}@orgdesk.example", uuid::Uuid::now_v7()),
            password_hash: "x".into(),
            members,
            departments,
            rng_seed: 7,
        },
    )
    .await?;
    let org = seeded.org_id;
    eprintln!(
        "seeded {members} people in {departments} departments in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 200 delegated administrators, each in a group scoped to a random
    // department (and what is below it).
    let depts: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT id FROM departments WHERE org_id = $1 AND parent_id IS NOT NULL",
    )
    .bind(org)
    .fetch_all(&db)
    .await?;
    let people: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE org_id = $1 AND role = 'employee'")
            .bind(org)
            .fetch_all(&db)
            .await?;
    let mut rng = StdRng::seed_from_u64(11);
    let mut admins = Vec::new();
    for (i, &admin) in people.iter().take(200).enumerate() {
        let group = uuid::Uuid::now_v7();
        let dept = *depts.choose(&mut rng).unwrap();
        sqlx::query("INSERT INTO admin_groups (id, org_id, name, permissions, scope) VALUES ($1, $2, $3, $4, 'departments')")
            .bind(group)
            .bind(org)
            .bind(format!("分级管理员 {i}"))
            .bind(vec!["contacts.manage".to_owned()])
            .execute(&db)
            .await?;
        sqlx::query("INSERT INTO admin_group_departments (org_id, group_id, department_id) VALUES ($1, $2, $3)")
            .bind(org)
            .bind(group)
            .bind(dept)
            .execute(&db)
            .await?;
        sqlx::query(
            "INSERT INTO admin_group_members (org_id, group_id, account_id) VALUES ($1, $2, $3)",
        )
        .bind(org)
        .bind(group)
        .bind(admin)
        .execute(&db)
        .await?;
        admins.push((admin, dept));
    }

    // 1. The person check, for a scoped administrator.
    let mut conn = db.acquire().await?;
    let mut samples = Vec::new();
    let mut inside = 0;
    for _ in 0..20_000 {
        let (_, dept) = admins[rng.random_range(0..admins.len())];
        let scope = Scope::Departments(vec![dept]);
        let person = people[rng.random_range(0..people.len())];
        let t = Instant::now();
        let ok = check_target(&mut conn, org, &scope, Target::Person(person))
            .await
            .is_ok();
        samples.push(t.elapsed());
        inside += ok as usize;
    }
    println!(
        "person check (scoped): p50 {}  p99 {}  ({} of 20000 inside)",
        ms(pct(&mut samples, 0.5)),
        ms(pct(&mut samples, 0.99)),
        inside
    );

    // 2. Loading a delegated administrator's grants.
    let mut samples = Vec::new();
    for _ in 0..5_000 {
        let (admin, _) = admins[rng.random_range(0..admins.len())];
        let t = Instant::now();
        let grants = load(&db, org, admin, false).await?;
        samples.push(t.elapsed());
        assert!(!grants.groups.is_empty());
    }
    println!(
        "grants load: p50 {}  p99 {}",
        ms(pct(&mut samples, 0.5)),
        ms(pct(&mut samples, 0.99))
    );

    // 3. The security check-up.
    let mut samples = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let c = orgdesk::security::checkup::run(
            &db,
            org,
            Duration::from_secs(12 * 3600),
            orgdesk::server::time::DEFAULT_ZONE,
        )
        .await?;
        samples.push(t.elapsed());
        assert!(c.not_activated.total == 0 || c.not_activated.people.len() <= 50);
    }
    println!(
        "security check-up ({members} people): p50 {}  p99 {}",
        ms(pct(&mut samples, 0.5)),
        ms(pct(&mut samples, 0.99))
    );
    Ok(())
}
