//! The password step: the same answer for unknown accounts, throttles and locks, cross-origin refusal.
use super::*;
use crate::helpers::{
    Browser, heap_in_use_and_reset_peak, heap_peak, seed_member, seed_organisation, spawn_app,
    spawn_app_with,
};
use sqlx::PgPool;
use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use uuid::Uuid;

#[sqlx::test]
pub(super) async fn an_unknown_account_and_a_wrong_password_get_the_same_answer(db: PgPool) {
    // Throttling would slow the later tries down; the comparison is of the work.
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_DELAY_AFTER", "1000"),
            ("AUTH_LOCK_AFTER", "1000"),
            ("AUTH_IP_DELAY_AFTER", "1000"),
            ("AUTH_IP_LOCK_AFTER", "1000"),
        ],
    )
    .await;
    let org = seed_organisation(&db, "Same Answer Ltd").await;
    seed_member(&db, org, "employee", "known@example.com", PASSWORD).await;

    // Each answer is the same, and costs the same: one hash with the
    // parameters of real passwords, whether or not the account exists.
    let identifiers = ["nobody@example.com", "known@example.com"];
    let mut answers: [Vec<(reqwest::StatusCode, bool, Vec<u8>)>; 2] = [vec![], vec![]];
    let mut work: [Vec<BTreeMap<String, u64>>; 2] = [vec![], vec![]];
    for _ in 0..5 {
        for (i, identifier) in identifiers.iter().enumerate() {
            let before = app.hasher().evaluations();
            let res = app
                .post_form(
                    "/api/sign_in",
                    &[
                        ("kind", "member"),
                        ("identifier", identifier),
                        ("password", "not the password"),
                    ],
                )
                .await;
            let status = res.status();
            let sets_cookie = res.headers().contains_key("set-cookie");
            let body = res.bytes().await.unwrap().to_vec();
            answers[i].push((status, sets_cookie, body));
            let mut after = app.hasher().evaluations();
            for (cost, n) in before {
                *after.entry(cost).or_default() -= n;
            }
            after.retain(|_, n| *n > 0);
            work[i].push(after);
        }
    }
    let first = &answers[0][0];
    assert_eq!(first.0, 401);
    assert_eq!(&first.2[..], br#"{"kind":"invalid_credentials"}"#);
    for (i, list) in answers.iter().enumerate() {
        for answer in list {
            assert_eq!(answer, first, "{} answered differently", identifiers[i]);
        }
    }
    let stored: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE email = 'known@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    let cost: String = stored
        .split('$')
        .skip(1)
        .take(3)
        .collect::<Vec<_>>()
        .join("$");
    let one_real_hash = BTreeMap::from([(cost, 1)]);
    for (i, list) in work.iter().enumerate() {
        for hashes in list {
            assert_eq!(hashes, &one_real_hash, "the work for {}", identifiers[i]);
        }
    }
}

#[sqlx::test]
pub(super) async fn failed_sign_ins_slow_down_then_lock_the_account_and_a_success_resets_the_count(
    db: PgPool,
) {
    let mut vars = vec![
        ("AUTH_DELAY_AFTER", "3"),
        ("AUTH_DELAY_BASE_SECS", "1"),
        ("AUTH_LOCK_AFTER", "5"),
        ("AUTH_LOCK_SECS", "2"),
    ];
    vars.extend(HIGH_IP_LIMITS);
    let app = spawn_app_with(db.clone(), &vars).await;
    let org = seed_organisation(&db, "Throttle Ltd").await;
    seed_member(&db, org, "employee", "a@example.com", PASSWORD).await;
    seed_member(&db, org, "employee", "b@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    let a = "a@example.com";

    // A success forgets earlier failures: 2 + 2 failures never reach the delay of 3.
    for _ in 0..2 {
        assert_eq!(sign_in(&mut b, a, "wrong password").await.status, 401);
    }
    assert_eq!(sign_in(&mut b, a, PASSWORD).await.status, 200);
    for _ in 0..2 {
        let wrong = sign_in(&mut b, a, "wrong password").await;
        assert_eq!(wrong.kind(), Some("invalid_credentials"), "{}", wrong.text);
    }
    let right = sign_in(&mut b, a, PASSWORD).await;
    assert_eq!(right.status, 200, "{}", right.text);

    // Three failures: the next attempt must wait.
    for _ in 0..3 {
        let wrong = sign_in(&mut b, a, "wrong password").await;
        assert_eq!(wrong.kind(), Some("invalid_credentials"), "{}", wrong.text);
    }
    let waiting = sign_in(&mut b, a, PASSWORD).await;
    assert_eq!(waiting.status, 429, "{}", waiting.text);
    assert_eq!(waiting.kind(), Some("too_many_requests"));
    assert_eq!(waiting.json["retry_after_secs"], 1);
    assert_eq!(waiting.retry_after, Some(1), "Retry-After header");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sign_in(&mut b, a, "wrong password").await.status, 401);
    // The fourth failure doubled the delay to 2 s.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let locking = sign_in(&mut b, a, "wrong password").await;
    assert_eq!(locking.status, 429, "{}", locking.text);
    assert_eq!(locking.kind(), Some("locked"));

    // Locked: even the right password is refused, with the time to wait.
    let locked = sign_in(&mut b, a, PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.text);
    assert_eq!(locked.kind(), Some("locked"));
    let retry = locked.json["retry_after_secs"].as_u64().unwrap();
    assert!((1..=2).contains(&retry), "{}", locked.text);
    assert_eq!(locked.retry_after, Some(retry), "Retry-After header");

    // Another account from the same address is not affected.
    let mut other = Browser::new(&app);
    let answer = sign_in(&mut other, "b@example.com", PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let after = sign_in(&mut b, a, PASSWORD).await;
    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(after.json["stage"], "signed_in");
}

#[sqlx::test]
pub(super) async fn failures_from_one_address_lock_every_sign_in_from_it(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_IP_DELAY_AFTER", "100"),
            ("AUTH_IP_LOCK_AFTER", "4"),
            ("AUTH_IP_LOCK_SECS", "60"),
        ],
    )
    .await;
    let org = seed_organisation(&db, "Address Ltd").await;
    seed_member(&db, org, "employee", "ip@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    // One failure each for four identifiers: no account rule is anywhere near its limit.
    for identifier in [
        "ip@example.com",
        "x1@example.com",
        "x2@example.com",
        "x3@example.com",
    ] {
        assert_eq!(sign_in(&mut b, identifier, "guess").await.status, 401);
    }
    let answer = sign_in(&mut b, "ip@example.com", PASSWORD).await;
    assert_eq!(answer.status, 429, "{}", answer.text);
    assert_eq!(answer.kind(), Some("locked"));
    assert!(answer.json["retry_after_secs"].as_u64().unwrap() > 0);
}

/// How many wrong attempts of `factor` (`password` or `second_factor`) were
/// looked at for `account`: each writes one audit row.
pub(super) async fn failures_looked_at(db: &PgPool, account: Uuid, factor: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log
          WHERE action = 'sign_in.failed' AND target_id = $1 AND details->>'factor' = $2",
    )
    .bind(account.to_string())
    .bind(factor)
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test]
pub(super) async fn concurrent_wrong_passwords_get_no_more_tries_than_the_lock_allows(db: PgPool) {
    let mut vars = vec![
        ("AUTH_DELAY_AFTER", "5"),
        ("AUTH_LOCK_AFTER", "5"),
        ("AUTH_LOCK_SECS", "600"),
    ];
    vars.extend(HIGH_IP_LIMITS);
    let app = spawn_app_with(db.clone(), &vars).await;
    let org = seed_organisation(&db, "Burst Ltd").await;
    let id = seed_member(&db, org, "employee", "burst@example.com", PASSWORD).await;
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..40 {
        let (client, url) = (app.client.clone(), app.url("/api/sign_in"));
        guesses.spawn(async move {
            let guess = format!("guess number {n}");
            client
                .post(&url)
                .form(&[
                    ("kind", "member"),
                    ("identifier", "burst@example.com"),
                    ("password", guess.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = guesses.join_next().await {
        assert!([401, 429].contains(&status.unwrap().as_u16()));
    }
    let looked_at = failures_looked_at(&db, id, "password").await;
    assert!(looked_at <= 5, "{looked_at} guesses were checked");
}

#[sqlx::test]
pub(super) async fn a_thousand_bad_sign_ins_stay_bounded_and_leave_other_accounts_alone(
    db: PgPool,
) {
    const ATTEMPTS: usize = 1000;
    const AT_ONCE: usize = 32;
    const UNKNOWN_IDENTIFIERS: usize = 90;
    let app = spawn_app_with(db.clone(), &HIGH_IP_LIMITS).await;
    let org = seed_organisation(&db, "Flood Ltd").await;
    let target = seed_member(&db, org, "employee", "target@example.com", PASSWORD).await;
    let bystander = seed_member(&db, org, "employee", "bystander@example.com", PASSWORD).await;

    let before = heap_in_use_and_reset_peak();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..AT_ONCE {
        let (next, client, url) = (next.clone(), app.client.clone(), app.url("/api/sign_in"));
        workers.spawn(async move {
            let mut statuses = BTreeMap::<u16, usize>::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= ATTEMPTS {
                    return statuses;
                }
                let identifier = if i % 10 == 0 {
                    "target@example.com".to_owned()
                } else {
                    format!("nobody{}@example.com", i % UNKNOWN_IDENTIFIERS)
                };
                let res = client
                    .post(&url)
                    .form(&[
                        ("kind", "member"),
                        ("identifier", identifier.as_str()),
                        ("password", "guess"),
                    ])
                    .send()
                    .await
                    .expect("request");
                *statuses.entry(res.status().as_u16()).or_default() += 1;
            }
        });
    }
    let mut statuses = BTreeMap::<u16, usize>::new();
    while let Some(done) = workers.join_next().await {
        for (status, n) in done.unwrap() {
            *statuses.entry(status).or_default() += n;
        }
    }

    // Only refusals: wrong (401) or slowed down, locked or busy (429).
    assert_eq!(statuses.values().sum::<usize>(), ATTEMPTS);
    assert!(
        statuses.keys().all(|s| [401, 429].contains(s)),
        "{statuses:?}"
    );
    // Each password hash holds 19 MiB while it runs: they must have queued
    // for the few hashing slots, not all run at once.
    let peak_mib = heap_peak().saturating_sub(before) >> 20;
    assert!(peak_mib < 256, "the heap grew by up to {peak_mib} MiB");

    // One row per identifier tried, plus the address.
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_throttle")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        rows as usize <= UNKNOWN_IDENTIFIERS + 1 + 1,
        "{rows} throttle rows"
    );
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT key FROM auth_throttle WHERE key LIKE 'account:%'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(keys, vec![format!("account:{target}")], "not {bystander}");

    let mut b = Browser::new(&app);
    let answer = sign_in(&mut b, "bystander@example.com", PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "signed_in");
    assert_eq!(
        status_as(&app, "security_overview", b.session.as_deref().unwrap()).await,
        200
    );
}

#[sqlx::test]
pub(super) async fn a_cross_origin_sign_in_is_refused(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Origin Ltd").await;
    seed_member(&db, org, "employee", "origin@example.com", PASSWORD).await;
    let res = app
        .client
        .post(app.url("/api/sign_in"))
        .header("origin", "https://evil.example")
        .form(&[
            ("kind", "member"),
            ("identifier", "origin@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    // The attempt never reached sign-in.
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[sqlx::test]
pub(super) async fn a_parallel_burst_from_one_ip_does_not_pass_its_limit(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_IP_DELAY_AFTER", "100"),
            ("AUTH_IP_LOCK_AFTER", "2"),
            ("PASSWORD_HASH_QUEUE_MS", "60000"),
        ],
    )
    .await;
    let burst = (0..12).map(|i| {
        let app = &app;
        async move {
            sign_in(
                &mut Browser::new(app),
                &format!("burst{i}@example.com"),
                "wrong password",
            )
            .await
        }
    });
    let answers = futures::future::join_all(burst).await;
    let looked_at = answers.iter().filter(|a| a.status == 401).count();
    let refused = answers.iter().filter(|a| a.status == 429).count();
    assert!(
        looked_at <= 2,
        "{looked_at} passwords were checked past the IP limit"
    );
    assert_eq!(looked_at + refused, 12);
}
