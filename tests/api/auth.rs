//! Accounts and sign-in over HTTP: passwords and their throttling, the
//! second factor, sessions, password reset, first-run setup and who may read
//! which audit log.
use crate::helpers::{
    Answer, Browser, CapturedLogs, TestApp, heap_in_use_and_reset_peak, heap_peak, seed_member,
    seed_operator, seed_organisation, spawn_app, spawn_app_logging_to, spawn_app_with,
};
use sqlx::PgPool;
use std::{
    collections::{BTreeMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use uuid::Uuid;

const PASSWORD: &str = "plum orchard at dawn";
const NEW_PASSWORD: &str = "kites over the harbour";

/// Keeps the per-IP rule out of the way: every request of a test comes from 127.0.0.1.
const HIGH_IP_LIMITS: [(&str, &str); 2] = [
    ("AUTH_IP_DELAY_AFTER", "100000"),
    ("AUTH_IP_LOCK_AFTER", "100000"),
];

pub(crate) async fn sign_in_as(
    b: &mut Browser<'_>,
    kind: &str,
    identifier: &str,
    password: &str,
) -> Answer {
    b.call(
        "sign_in",
        &[
            ("kind", kind),
            ("identifier", identifier),
            ("password", password),
        ],
    )
    .await
}

async fn sign_in(b: &mut Browser<'_>, email: &str, password: &str) -> Answer {
    sign_in_as(b, "member", email, password).await
}

/// Signs in and checks that the answer is the `stage` expected.
async fn signed_in_at(b: &mut Browser<'_>, email: &str, stage: &str) {
    let answer = sign_in(b, email, PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], stage, "{}", answer.text);
}

/// An organisation that does not require two factors of its administrators.
async fn organisation_without_two_factor(db: &PgPool, name: &str) -> Uuid {
    let org = seed_organisation(db, name).await;
    sqlx::query("UPDATE organisations SET enforce_two_factor = false WHERE id = $1")
        .bind(org)
        .execute(db)
        .await
        .unwrap();
    org
}

/// Status of a call with only the session id `session`.
async fn status_as(app: &TestApp, endpoint: &str, session: &str) -> u16 {
    app.post_form_as(&format!("/api/{endpoint}"), &[], Some(session))
        .await
        .status()
        .as_u16()
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Waits, if need be, until at least `secs` of the current 30 s TOTP step
/// remain, and returns that step, so that "now" stays in it for a while.
async fn step_with_at_least(secs: f64) -> u64 {
    loop {
        let now = unix_now();
        let left = 30.0 - now % 30.0;
        if left >= secs {
            return (now / 30.0) as u64;
        }
        tokio::time::sleep(Duration::from_secs_f64(left + 0.05)).await;
    }
}

/// Waits until the wall clock is early in a second (sessions count whole seconds).
async fn start_of_a_second() {
    let frac = unix_now().fract();
    if frac > 0.2 {
        tokio::time::sleep(Duration::from_secs_f64(1.02 - frac)).await;
    }
}

fn code_at(seed: &[u8], step: u64) -> String {
    orgdesk::auth::totp::totp(seed.to_vec(), "test")
        .unwrap()
        .generate(step * 30)
}

/// A second factor switched on through the security page.
pub(crate) struct Enrolled {
    seed: Vec<u8>,
    /// As shown to type by hand.
    secret: String,
    otpauth_url: String,
    recovery_codes: Vec<String>,
    /// The code that confirmed it.
    code: String,
}

/// Enrols the signed-in (`must_enrol`) browser. Confirms with the previous
/// step's code, so the current and next steps are still unused afterwards.
pub(crate) async fn enrol(b: &mut Browser<'_>) -> Enrolled {
    let step = step_with_at_least(5.0).await;
    let started = b.call("start_enrolment", &[]).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let secret = started.json["secret"].as_str().unwrap().to_owned();
    assert!(
        started.json["qr_data_url"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    let seed = totp_rs::Secret::Encoded(secret.replace(' ', ""))
        .to_bytes()
        .expect("base32 secret");
    let code = code_at(&seed, step - 1);
    let done = b.call("confirm_enrolment", &[("code", &code)]).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json["next"]["stage"], "signed_in");
    let recovery_codes: Vec<String> = done.json["codes"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery_codes.len(), 10);
    Enrolled {
        seed,
        secret,
        otpauth_url: started.json["otpauth_url"].as_str().unwrap().to_owned(),
        recovery_codes,
        code,
    }
}

/// A super admin of an organisation that requires two factors, enrolled.
async fn enrolled_admin(app: &TestApp, db: &PgPool, email: &str) -> (Uuid, Enrolled) {
    let org = seed_organisation(db, "Enrolled Co").await;
    let id = seed_member(db, org, "super_admin", email, PASSWORD).await;
    let mut b = Browser::new(app);
    signed_in_at(&mut b, email, "must_enrol").await;
    (id, enrol(&mut b).await)
}

/// Signs in with the password, then with `code` as the second factor.
async fn second_factor(b: &mut Browser<'_>, email: &str, code: &str) -> Answer {
    signed_in_at(b, email, "second_factor").await;
    b.call("verify_second_factor", &[("code", code)]).await
}

#[sqlx::test]
async fn an_unknown_account_and_a_wrong_password_get_the_same_answer(db: PgPool) {
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

    // 20 tries of each, interleaved so that both see the same machine.
    let identifiers = ["nobody@example.com", "known@example.com"];
    let mut answers: [Vec<(reqwest::StatusCode, bool, Vec<u8>)>; 2] = [vec![], vec![]];
    let mut times: [Vec<Duration>; 2] = [vec![], vec![]];
    for _ in 0..20 {
        for (i, identifier) in identifiers.iter().enumerate() {
            let started = Instant::now();
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
            times[i].push(started.elapsed());
            answers[i].push((status, sets_cookie, body));
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
    // The same work: the median times are within 25% of each other.
    let median = |t: &mut Vec<Duration>| {
        t.sort();
        t[t.len() / 2]
    };
    let (unknown, wrong) = (median(&mut times[0]), median(&mut times[1]));
    let (low, high) = (unknown.min(wrong), unknown.max(wrong));
    assert!(
        high.as_secs_f64() <= low.as_secs_f64() * 1.25,
        "median of an unknown account {unknown:?}, of a wrong password {wrong:?}"
    );
}

#[sqlx::test]
async fn failed_sign_ins_slow_down_then_lock_the_account_and_a_success_resets_the_count(
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
async fn failures_from_one_address_lock_every_sign_in_from_it(db: PgPool) {
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
async fn failures_looked_at(db: &PgPool, account: Uuid, factor: &str) -> i64 {
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
async fn concurrent_wrong_passwords_get_no_more_tries_than_the_lock_allows(db: PgPool) {
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
async fn a_thousand_bad_sign_ins_stay_bounded_and_leave_other_accounts_alone(db: PgPool) {
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
async fn totp_codes_of_the_previous_current_and_next_step_work_and_two_steps_off_do_not(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let (id, enrolled) = enrolled_admin(&app, &db, "totp@example.com").await;
    // Enrolment used a step up; forget it so the window can be probed from
    // its oldest end, as for an account enrolled long ago.
    sqlx::query("UPDATE accounts SET totp_last_step = NULL WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();

    let step = step_with_at_least(10.0).await;
    for off in [-2i64, 2] {
        let mut b = Browser::new(&app);
        let code = code_at(&enrolled.seed, (step as i64 + off) as u64);
        let answer = second_factor(&mut b, "totp@example.com", &code).await;
        assert_eq!(answer.status, 422, "offset {off}: {}", answer.text);
        assert_eq!(answer.field_code("code"), Some("auth.invalid_code"));
        assert_eq!(
            status_as(&app, "security_overview", b.session.as_deref().unwrap()).await,
            401
        );
    }
    // Oldest first: a code is only taken when its step is newer than the last one used.
    for off in [-1i64, 0, 1] {
        let mut b = Browser::new(&app);
        let code = code_at(&enrolled.seed, (step as i64 + off) as u64);
        let answer = second_factor(&mut b, "totp@example.com", &code).await;
        assert_eq!(answer.status, 200, "offset {off}: {}", answer.text);
        assert_eq!(answer.json["stage"], "signed_in");
        assert_eq!(answer.json["path"], "/admin");
        assert_eq!(
            status_as(&app, "security_overview", b.session.as_deref().unwrap()).await,
            200
        );
    }
}

#[sqlx::test]
async fn a_used_totp_code_is_refused_even_by_another_instance(db: PgPool) {
    let first = spawn_app(db.clone()).await;
    let second = spawn_app(db.clone()).await;
    let (_, enrolled) = enrolled_admin(&first, &db, "replay@example.com").await;
    let step = step_with_at_least(5.0).await;
    let code = code_at(&enrolled.seed, step);

    let mut b = Browser::new(&first);
    let answer = second_factor(&mut b, "replay@example.com", &code).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    for (app, code) in [
        (&second, code.as_str()),
        (&first, code.as_str()),
        // An older code than the last one used is a replay too.
        (&second, enrolled.code.as_str()),
    ] {
        let mut b = Browser::new(app);
        let answer = second_factor(&mut b, "replay@example.com", code).await;
        assert_eq!(answer.status, 422, "{}", answer.text);
        assert_eq!(answer.field_code("code"), Some("auth.totp_replayed"));
        assert_eq!(
            status_as(app, "security_overview", b.session.as_deref().unwrap()).await,
            401
        );
    }
}

/// A six-digit code that no step in the window around now produces.
fn wrong_code(seed: &[u8], step: u64) -> String {
    let window: Vec<String> = (step - 1..=step + 1).map(|s| code_at(seed, s)).collect();
    (0..)
        .map(|n| format!("{:06}", (123_456 + n * 7_919) % 1_000_000))
        .find(|c| !window.contains(c))
        .unwrap()
}

#[sqlx::test]
async fn wrong_second_factor_codes_lock_it_across_fresh_password_steps(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_2FA_DELAY_AFTER", "10"),
            ("AUTH_2FA_LOCK_AFTER", "3"),
            ("AUTH_2FA_LOCK_SECS", "60"),
        ],
    )
    .await;
    let email = "guessed@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(5.0).await;
    let wrong = wrong_code(&enrolled.seed, step);
    // The password is right each time; only the codes are guessed.
    for attempt in 1..=3 {
        let mut b = Browser::new(&app);
        let answer = second_factor(&mut b, email, &wrong).await;
        if attempt < 3 {
            assert_eq!(
                answer.field_code("code"),
                Some("auth.invalid_code"),
                "{}",
                answer.text
            );
        } else {
            assert_eq!(answer.status, 429, "{}", answer.text);
            assert_eq!(answer.kind(), Some("locked"));
        }
    }
    let mut b = Browser::new(&app);
    let answer = second_factor(&mut b, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 429, "{}", answer.text);
    assert_eq!(answer.kind(), Some("locked"));
    assert_eq!(b.call("security_overview", &[]).await.status, 401);
    // Nor does a recovery code get round the lock.
    let answer = b
        .call(
            "verify_second_factor",
            &[("code", &enrolled.recovery_codes[0])],
        )
        .await;
    assert_eq!(answer.status, 429, "{}", answer.text);
}

#[sqlx::test]
async fn concurrent_wrong_codes_get_no_more_tries_than_the_second_factor_lock_allows(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("AUTH_2FA_DELAY_AFTER", "3"),
            ("AUTH_2FA_LOCK_AFTER", "3"),
            ("AUTH_2FA_LOCK_SECS", "600"),
        ],
    )
    .await;
    let email = "parallel@example.com";
    let (id, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(15.0).await;
    // The password is known; thirty sessions wait at the second factor.
    let mut sessions = vec![];
    for _ in 0..30 {
        let mut b = Browser::new(&app);
        signed_in_at(&mut b, email, "second_factor").await;
        sessions.push(b.session.unwrap());
    }
    let wrong = wrong_code(&enrolled.seed, step);
    let mut guesses = tokio::task::JoinSet::new();
    for session in sessions {
        let (client, url, wrong) = (
            app.client.clone(),
            app.url("/api/verify_second_factor"),
            wrong.clone(),
        );
        guesses.spawn(async move {
            client
                .post(&url)
                .header("cookie", format!("orgdesk_session={session}"))
                .form(&[("code", wrong.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = guesses.join_next().await {
        assert!([422, 429].contains(&status.unwrap().as_u16()));
    }
    let looked_at = failures_looked_at(&db, id, "second_factor").await;
    assert!(looked_at <= 3, "{looked_at} codes were checked");
}

#[sqlx::test]
async fn a_recovery_code_works_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (_, enrolled) = enrolled_admin(&app, &db, "recover@example.com").await;
    let code = &enrolled.recovery_codes[0];

    let mut b = Browser::new(&app);
    let answer = second_factor(&mut b, "recover@example.com", code).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "signed_in");
    let overview = b.call("security_overview", &[]).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    assert_eq!(overview.json["recovery_codes_left"], 9);
    assert_eq!(overview.json["totp_enabled"], true);

    let mut again = Browser::new(&app);
    let answer = second_factor(&mut again, "recover@example.com", code).await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.field_code("code"), Some("auth.invalid_code"));
    assert_eq!(
        status_as(&app, "security_overview", again.session.as_deref().unwrap()).await,
        401
    );
}

#[sqlx::test]
async fn changing_the_password_asks_for_the_current_one_and_a_code_and_ends_other_sessions(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let email = "change@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(8.0).await;
    let mut here = Browser::new(&app);
    let answer = second_factor(&mut here, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let mut elsewhere = Browser::new(&app);
    let answer = second_factor(&mut elsewhere, email, &enrolled.recovery_codes[0]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let change = |current: &'static str, code: String| {
        vec![
            ("current_password", current.to_owned()),
            ("new_password", NEW_PASSWORD.to_owned()),
            ("code", code),
        ]
    };
    let next_code = code_at(&enrolled.seed, step + 1);
    for (form, field, expected) in [
        (
            change("not the password", next_code.clone()),
            "current_password",
            "auth.wrong_password",
        ),
        (
            change(PASSWORD, String::new()),
            "code",
            "validation.required",
        ),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = here.call("change_password", &form).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(
            refused.field_code(field),
            Some(expected),
            "{}",
            refused.text
        );
    }
    let form = change(PASSWORD, next_code);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let changed = here.call("change_password", &form).await;
    assert_eq!(changed.status, 200, "{}", changed.text);

    assert_eq!(here.call("security_overview", &[]).await.status, 200);
    assert_eq!(elsewhere.call("security_overview", &[]).await.status, 401);
    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, PASSWORD).await.status, 401);
    assert_eq!(sign_in(&mut b, email, NEW_PASSWORD).await.status, 200);
}

#[sqlx::test]
async fn new_recovery_codes_replace_the_old_ones(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let email = "fresh-codes@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let step = step_with_at_least(5.0).await;
    let mut b = Browser::new(&app);
    let answer = second_factor(&mut b, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let fresh = b
        .call(
            "regenerate_recovery_codes",
            &[
                ("password", PASSWORD),
                ("code", &code_at(&enrolled.seed, step + 1)),
            ],
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let codes = fresh.json["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        b.call("security_overview", &[]).await.json["recovery_codes_left"],
        10
    );

    let answer = second_factor(&mut Browser::new(&app), email, &enrolled.recovery_codes[1]).await;
    assert_eq!(
        answer.field_code("code"),
        Some("auth.invalid_code"),
        "{}",
        answer.text
    );
    let answer = second_factor(&mut Browser::new(&app), email, codes[0].as_str().unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[sqlx::test]
async fn an_operator_resets_a_members_second_factor_and_the_member_enrols_again(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let email = "lost-phone@example.com";
    let (member, enrolled) = enrolled_admin(&app, &db, email).await;
    let mut member_session = Browser::new(&app);
    let answer = second_factor(&mut member_session, email, &enrolled.recovery_codes[0]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    seed_operator(&db, "ops@example.com", PASSWORD).await;
    let mut operator = Browser::new(&app);
    let answer = sign_in_as(&mut operator, "operator", "ops@example.com", PASSWORD).await;
    assert_eq!(answer.json["stage"], "must_enrol", "{}", answer.text);
    let operator_factor = enrol(&mut operator).await;

    let member_id = member.to_string();
    // Only operators may, and only with a reason.
    let refused = member_session
        .call(
            "operator_reset_second_factor",
            &[("account_id", member_id.as_str()), ("reason", "mine")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let no_reason = operator
        .call(
            "operator_reset_second_factor",
            &[("account_id", member_id.as_str()), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.field_code("reason"), Some("validation.required"));
    // A reason is kept whole or refused, never cut.
    let long_reason = "x".repeat(501);
    let too_long = operator
        .call(
            "operator_reset_second_factor",
            &[("account_id", member_id.as_str()), ("reason", &long_reason)],
        )
        .await;
    assert_eq!(too_long.field_code("reason"), Some("validation.too_long"));
    // The operator signs the reset with their own password and code.
    let reason = "lost phone, identity checked by call";
    let unsigned = operator
        .call(
            "operator_reset_second_factor",
            &[("account_id", member_id.as_str()), ("reason", reason)],
        )
        .await;
    assert_eq!(unsigned.field_code("password"), Some("password.required"));
    assert_eq!(unsigned.field_code("code"), Some("validation.required"));
    let step = step_with_at_least(3.0).await;
    let wrong = operator
        .call(
            "operator_reset_second_factor",
            &[
                ("account_id", member_id.as_str()),
                ("reason", reason),
                ("password", "not-the-operators-password"),
                ("code", &code_at(&operator_factor.seed, step + 1)),
            ],
        )
        .await;
    assert_eq!(wrong.field_code("password"), Some("auth.wrong_password"));
    assert_eq!(
        member_session.call("security_overview", &[]).await.status,
        200,
        "nothing was reset"
    );

    let done = operator
        .call(
            "operator_reset_second_factor",
            &[
                ("account_id", member_id.as_str()),
                ("reason", reason),
                ("password", PASSWORD),
                ("code", &code_at(&operator_factor.seed, step + 1)),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        member_session.call("security_overview", &[]).await.status,
        401
    );
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, email, "must_enrol").await;
    assert_eq!(
        b.call("security_overview", &[]).await.json["recovery_codes_left"],
        0
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'totp.reset_by_operator' AND target_id = $1",
    )
    .bind(&member_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test]
async fn the_session_id_changes_at_every_sign_in_step_and_old_ids_are_dead(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Fixation Ltd").await;
    seed_member(&db, org, "super_admin", "steps@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);

    // An id planted before sign-in is not adopted.
    let planted = "AAAAAAAAAAAAAAAAAAAAAA".to_owned();
    b.session = Some(planted.clone());
    signed_in_at(&mut b, "steps@example.com", "must_enrol").await;
    let must_enrol = b.session.clone().unwrap();
    assert_ne!(must_enrol, planted);
    // Enrolling finishes the sign-in under yet another id.
    let enrolled = enrol(&mut b).await;
    let after_enrolment = b.session.clone().unwrap();
    assert_ne!(after_enrolment, must_enrol);
    assert_eq!(status_as(&app, "security_overview", &must_enrol).await, 401);
    assert_eq!(
        status_as(&app, "security_overview", &after_enrolment).await,
        200
    );

    // Password step, from a browser that already holds a half-finished sign-in.
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "steps@example.com", "second_factor").await;
    let earlier = b.session.clone().unwrap();
    signed_in_at(&mut b, "steps@example.com", "second_factor").await;
    let password_step = b.session.clone().unwrap();
    assert_ne!(password_step, earlier);
    // Half signed in grants nothing.
    assert_eq!(
        status_as(&app, "security_overview", &password_step).await,
        401
    );
    let me = b.call("me", &[]).await;
    assert_eq!(me.json["stage"], "second_factor", "{}", me.text);
    // A password alone learns nothing about the account.
    for field in ["name", "id"] {
        assert_eq!(me.json[field], "", "{field}: {}", me.text);
    }
    for field in ["email", "mobile", "org_id", "org_name", "role"] {
        assert!(me.json[field].is_null(), "{field}: {}", me.text);
    }

    let step = step_with_at_least(3.0).await;
    let verified = b
        .call(
            "verify_second_factor",
            &[("code", &code_at(&enrolled.seed, step))],
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let signed_in = b.session.clone().unwrap();
    assert_ne!(signed_in, password_step);
    assert_eq!(status_as(&app, "security_overview", &signed_in).await, 200);

    for old in [&planted, &earlier, &password_step] {
        assert_eq!(
            status_as(&app, "security_overview", old).await,
            401,
            "{old}"
        );
        let me = app.post_form_as("/api/me", &[], Some(old)).await;
        assert_eq!(me.status(), 200);
        assert_eq!(me.text().await.unwrap(), "null", "{old}");
    }
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_and_same_site(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Cookie Ltd").await;
    seed_member(&db, org, "employee", "cookie@example.com", PASSWORD).await;
    let res = app
        .post_form(
            "/api/sign_in",
            &[
                ("kind", "member"),
                ("identifier", "cookie@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("orgdesk_session="))
        .expect("a session cookie");
    let attributes = cookie.to_ascii_lowercase();
    assert!(attributes.contains("; httponly"), "{cookie}");
    assert!(attributes.contains("; samesite=lax"), "{cookie}");
    assert!(attributes.contains("; path=/"), "{cookie}");
}

#[sqlx::test]
async fn signing_out_ends_the_session(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Sign Out Ltd").await;
    seed_member(&db, org, "employee", "out@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "out@example.com", "signed_in").await;
    let session = b.session.clone().unwrap();
    assert_eq!(status_as(&app, "security_overview", &session).await, 200);

    let out = b.call("sign_out", &[]).await;
    assert_eq!(out.status, 200, "{}", out.text);
    assert_eq!(b.session, None, "the cookie is removed");
    assert_eq!(status_as(&app, "security_overview", &session).await, 401);
}

#[sqlx::test]
async fn signing_out_everywhere_ends_the_other_sessions_but_keeps_this_one(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Everywhere Ltd").await;
    seed_member(&db, org, "employee", "many@example.com", PASSWORD).await;
    let mut here = Browser::new(&app);
    let mut elsewhere = Browser::new(&app);
    signed_in_at(&mut here, "many@example.com", "signed_in").await;
    signed_in_at(&mut elsewhere, "many@example.com", "signed_in").await;

    let answer = here.call("sign_out_everywhere", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(here.call("security_overview", &[]).await.status, 200);
    assert_eq!(elsewhere.call("security_overview", &[]).await.status, 401);
    // Still alive on the next call too.
    assert_eq!(here.call("security_overview", &[]).await.status, 200);
}

#[sqlx::test]
async fn an_idle_session_ends_and_activity_keeps_it_alive(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("SESSION_IDLE_SECS", "2")]).await;
    let org = seed_organisation(&db, "Idle Ltd").await;
    seed_member(&db, org, "employee", "idle@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "idle@example.com", "signed_in").await;

    // Three seconds of use, more than the idle time.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let answer = b.call("security_overview", &[]).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(b.call("security_overview", &[]).await.status, 401);
}

#[sqlx::test]
async fn a_session_ends_at_its_absolute_lifetime_despite_activity(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[("SESSION_IDLE_SECS", "2"), ("SESSION_ABSOLUTE_SECS", "3")],
    )
    .await;
    let org = seed_organisation(&db, "Absolute Ltd").await;
    seed_member(&db, org, "employee", "absolute@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    // The server counts whole seconds; starting early in one keeps the edges clear.
    start_of_a_second().await;
    let signed_in = Instant::now();
    signed_in_at(&mut b, "absolute@example.com", "signed_in").await;

    let last = loop {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let at = signed_in.elapsed();
        let status = b.call("security_overview", &[]).await.status;
        if at < Duration::from_millis(2500) {
            assert_eq!(status, 200, "at {at:?}");
        }
        if at >= Duration::from_secs(4) {
            break status;
        }
    };
    assert_eq!(last, 401, "alive after 4 s of use");
}

/// The reset code queued for `email`, and how many messages it was sent.
async fn reset_code(db: &PgPool, email: &str) -> (String, i64) {
    let codes = crate::helpers::queued_codes(db, email).await;
    (
        codes.last().cloned().expect("a message"),
        codes.len() as i64,
    )
}

async fn request_reset(app: &TestApp, email: &str) -> Answer {
    Browser::new(app)
        .call(
            "request_password_reset",
            &[("kind", "member"), ("identifier", email)],
        )
        .await
}

async fn reset(app: &TestApp, email: &str, code: &str) -> Answer {
    Browser::new(app)
        .call(
            "reset_password",
            &[
                ("kind", "member"),
                ("identifier", email),
                ("code", code),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await
}

#[sqlx::test]
async fn a_password_reset_works_once_ends_sessions_and_keeps_the_second_factor(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let email = "reset@example.com";
    let (_, enrolled) = enrolled_admin(&app, &db, email).await;
    let mut before = Browser::new(&app);
    let step = step_with_at_least(3.0).await;
    let answer = second_factor(&mut before, email, &code_at(&enrolled.seed, step)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    // Known and unknown accounts hear the same.
    let known = request_reset(&app, email).await;
    let unknown = request_reset(&app, "stranger@example.com").await;
    assert_eq!(known.status, 200, "{}", known.text);
    assert_eq!((known.status, &known.text), (unknown.status, &unknown.text));
    let strangers: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = $1")
        .bind("stranger@example.com")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(strangers, 0);
    let (code, sent) = reset_code(&db, email).await;
    assert_eq!(sent, 1);

    let done = reset(&app, email, &code).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let again = reset(&app, email, &code).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert_eq!(again.field_code("code"), Some("code.invalid"));

    // Every session of the account ended.
    assert_eq!(before.call("security_overview", &[]).await.status, 401);
    // The old password is gone; the new one still leads to the second factor.
    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, PASSWORD).await.status, 401);
    let answer = sign_in(&mut b, email, NEW_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "second_factor");
    assert_eq!(answer.json["path"], "/login/verify");
    assert_eq!(b.call("security_overview", &[]).await.status, 401);
}

#[sqlx::test]
async fn an_expired_reset_code_is_refused(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("CODE_TTL_SECS", "1")]).await;
    let org = seed_organisation(&db, "Expiry Ltd").await;
    let email = "late@example.com";
    seed_member(&db, org, "employee", email, PASSWORD).await;
    assert_eq!(request_reset(&app, email).await.status, 200);
    let (code, _) = reset_code(&db, email).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let answer = reset(&app, email, &code).await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.field_code("code"), Some("code.invalid"));
    // The password did not change.
    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, PASSWORD).await.status, 200);
}

#[sqlx::test]
async fn reset_answers_the_same_for_unknown_accounts_wrong_codes_and_malformed_codes(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Oracle Ltd").await;
    let known = "known@example.com";
    seed_member(&db, org, "employee", known, PASSWORD).await;

    // Asking: a known account, the same again inside the cooldown (not sent),
    // and an unknown one read the same.
    let first = request_reset(&app, known).await;
    let within_cooldown = request_reset(&app, known).await;
    let unknown = request_reset(&app, "nobody@example.com").await;
    assert_eq!(first.status, 200, "{}", first.text);
    for other in [&within_cooldown, &unknown] {
        assert_eq!((other.status, &other.text), (first.status, &first.text));
    }
    // The owner can see the request that was not sent.
    let not_sent: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'password.reset_not_sent'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(not_sent.len(), 1);
    assert_eq!(not_sent[0]["reason"], "limit");

    let (code, sent) = reset_code(&db, known).await;
    assert_eq!(sent, 1);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let answers = [
        reset(&app, "nobody@example.com", &code).await,
        reset(&app, "nobody@example.com", "12ab56").await,
        reset(&app, known, &wrong).await,
        reset(&app, known, "12ab56").await,
        reset(&app, known, "1234567").await,
    ];
    assert_eq!(answers[0].status, 422, "{}", answers[0].text);
    assert_eq!(answers[0].field_code("code"), Some("code.invalid"));
    for a in &answers[1..] {
        assert_eq!((a.status, &a.text), (answers[0].status, &answers[0].text));
    }
    // Killing the code with wrong tries changes nothing a stranger can see.
    for _ in 0..5 {
        let a = reset(&app, known, &wrong).await;
        assert_eq!((a.status, &a.text), (answers[0].status, &answers[0].text));
    }
    let dead = reset(&app, known, &code).await;
    assert_eq!(
        (dead.status, &dead.text),
        (answers[0].status, &answers[0].text)
    );
}

#[sqlx::test]
async fn a_busy_hasher_does_not_use_up_the_reset_code(db: PgPool) {
    // One hashing slot and almost no patience: a reset that arrives during a
    // storm of sign-ins is answered 429 (busy).
    let mut vars = vec![
        ("PASSWORD_HASH_SLOTS", "1"),
        ("PASSWORD_HASH_QUEUE_MS", "1"),
        ("CODE_RESEND_COOLDOWN_SECS", "0"),
        ("CODE_DAILY_LIMIT", "1000"),
        ("CODE_IP_HOURLY_LIMIT", "1000"),
    ];
    vars.extend(HIGH_IP_LIMITS);
    let app = spawn_app_with(db.clone(), &vars).await;
    let org = seed_organisation(&db, "Busy Ltd").await;
    let email = "busy@example.com";
    seed_member(&db, org, "employee", email, PASSWORD).await;
    seed_member(&db, org, "employee", "storm@example.com", PASSWORD).await;
    for _ in 0..30 {
        assert_eq!(request_reset(&app, email).await.status, 200);
        let (code, _) = reset_code(&db, email).await;
        let storm = (0..6).map(|_| {
            let app = &app;
            async move {
                sign_in(
                    &mut Browser::new(app),
                    "storm@example.com",
                    "wrong password",
                )
                .await
            }
        });
        let (busy, _) = tokio::join!(reset(&app, email, &code), futures::future::join_all(storm));
        if busy.status != 429 {
            continue;
        }
        // Once the storm has passed, the same code still works.
        let done = reset(&app, email, &code).await;
        assert_eq!(done.status, 200, "{}", done.text);
        return;
    }
    panic!("no reset met a busy hasher in 30 storms");
}

/// Ids of the audit rows of `org` (`None`: the platform's own rows).
async fn audit_ids(db: &PgPool, org: Option<Uuid>) -> HashSet<i64> {
    sqlx::query_scalar("SELECT id FROM audit_log WHERE org_id IS NOT DISTINCT FROM $1")
        .bind(org)
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

fn entry_ids(page: &Answer) -> HashSet<i64> {
    page.json["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries: {}", page.text))
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test]
async fn administrators_see_only_their_organisations_audit_log_and_operators_the_platforms(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let org_a = organisation_without_two_factor(&db, "Org A").await;
    let org_b = organisation_without_two_factor(&db, "Org B").await;
    seed_member(&db, org_a, "super_admin", "admin@a.example", PASSWORD).await;
    seed_member(&db, org_a, "employee", "staff@a.example", PASSWORD).await;
    seed_member(&db, org_b, "super_admin", "admin@b.example", PASSWORD).await;
    seed_operator(&db, "ops@example.com", PASSWORD).await;

    let mut admin_b = Browser::new(&app);
    assert_eq!(
        sign_in(&mut admin_b, "admin@b.example", "wrong")
            .await
            .status,
        401
    );
    signed_in_at(&mut admin_b, "admin@b.example", "signed_in").await;
    let mut admin_a = Browser::new(&app);
    signed_in_at(&mut admin_a, "admin@a.example", "signed_in").await;
    let mut staff = Browser::new(&app);
    signed_in_at(&mut staff, "staff@a.example", "signed_in").await;
    let mut operator = Browser::new(&app);
    let answer = sign_in_as(&mut operator, "operator", "ops@example.com", PASSWORD).await;
    assert_eq!(answer.json["stage"], "must_enrol", "{}", answer.text);
    enrol(&mut operator).await;

    let (rows_a, rows_b) = (
        audit_ids(&db, Some(org_a)).await,
        audit_ids(&db, Some(org_b)).await,
    );
    assert!(!rows_b.is_empty());
    let newest = rows_a.iter().chain(&rows_b).max().unwrap() + 1;
    for form in [vec![], vec![("before", newest.to_string())]] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = admin_a.call("admin_audit", &form).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let seen = entry_ids(&page);
        assert!(!seen.is_empty());
        assert!(seen.is_subset(&rows_a), "{}", page.text);
        assert!(seen.is_disjoint(&rows_b));
    }

    let forbidden = staff.call("admin_audit", &[]).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text);
    assert_eq!(forbidden.kind(), Some("forbidden"));
    assert_eq!(operator.call("admin_audit", &[]).await.status, 403);

    let page = operator.call("operator_audit", &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let seen = entry_ids(&page);
    assert!(!seen.is_empty());
    assert!(seen.is_subset(&audit_ids(&db, None).await), "{}", page.text);
    for member in [&mut admin_a, &mut staff] {
        let answer = member.call("operator_audit", &[]).await;
        assert_eq!(answer.status, 403, "{}", answer.text);
    }
}

#[sqlx::test]
async fn a_cross_origin_sign_in_is_refused(db: PgPool) {
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

/// Whether `needle` occurs in `text` as a whole word (not inside a longer run
/// of letters and digits, such as a request id).
fn contains_word(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The six-digit code in a message's text.
fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned()
}

#[sqlx::test]
async fn no_password_code_or_token_appears_in_the_logs(db: PgPool) {
    // As deployed: the delivery worker runs, email goes over SMTP.
    let mail = crate::mail::MailDev::start().await;
    let smtp = mail.smtp_url();
    let logs = CapturedLogs::default();
    let app = spawn_app_logging_to(&db, &[("SMTP_URL", &smtp)], logs.dispatch()).await;
    let org = seed_organisation(&db, "Quiet Ltd").await;
    let email = "quiet@example.com";
    seed_member(&db, org, "super_admin", email, PASSWORD).await;
    let wrong_password = "wrong horse staple";
    let mut secrets: Vec<String> =
        vec![PASSWORD.into(), NEW_PASSWORD.into(), wrong_password.into()];

    let mut b = Browser::new(&app);
    assert_eq!(sign_in(&mut b, email, wrong_password).await.status, 401);
    signed_in_at(&mut b, email, "must_enrol").await;
    let enrolled = enrol(&mut b).await;
    secrets.extend([
        enrolled.secret.clone(),
        enrolled.secret.replace(' ', ""),
        enrolled.code.clone(),
    ]);
    let recovery = enrolled.recovery_codes[0].clone();
    secrets.extend([recovery.clone(), recovery.replace('-', "")]);
    let mut b = Browser::new(&app);
    assert_eq!(second_factor(&mut b, email, &recovery).await.status, 200);
    let totp = code_at(&enrolled.seed, step_with_at_least(3.0).await);
    let mut b = Browser::new(&app);
    assert_eq!(second_factor(&mut b, email, &totp).await.status, 200);
    secrets.push(totp);

    assert_eq!(request_reset(&app, email).await.status, 200);
    // Delivered by the worker over SMTP; the code is read from the email.
    let sent = mail.wait_for(1).await;
    let reset_code = code_in(sent[0]["text"].as_str().unwrap());
    assert_eq!(reset(&app, email, &reset_code).await.status, 200);
    secrets.push(reset_code);

    let token = setup_token(&app, &db).await.expect("a link");
    let operator_password = "lantern by the quay";
    let answer = Browser::new(&app)
        .call(
            "setup_operator",
            &[
                ("token", token.as_str()),
                ("name", "Ops"),
                ("email", "ops@example.com"),
                ("password", operator_password),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    secrets.extend([token, operator_password.into()]);
    app.stop().await;

    let text = logs.text();
    // What the server printed, for whoever reads the test's output.
    println!("--- server log, SMTP transport ---\n{text}");
    assert!(
        text.contains("/api/sign_in"),
        "nothing was captured:\n{text}"
    );
    assert!(
        text.contains("outbox worker started"),
        "the worker did not run:\n{text}"
    );
    for secret in &secrets {
        assert!(
            !contains_word(&text, secret),
            "{secret:?} leaked into the logs:\n{text}"
        );
    }
    // The secret of the authenticator app, inside its otpauth:// URL.
    assert!(!text.contains(&enrolled.otpauth_url));
}

#[sqlx::test]
async fn through_the_log_transport_only_the_message_line_carries_the_code(db: PgPool) {
    // A production-like server (https, a master key) that an operator chose
    // to run with the log transport: the message is the one line with the code.
    let logs = CapturedLogs::default();
    let app = spawn_app_logging_to(
        &db,
        &[
            ("PUBLIC_BASE_URL", "https://od.example.com"),
            ("ALLOW_LOG_TRANSPORT", "true"),
            (
                "ORGDESK_MASTER_KEY",
                "5f1e8a0c7b3d2e4f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f",
            ),
        ],
        logs.dispatch(),
    )
    .await;
    let org = seed_organisation(&db, "Log Transport Ltd").await;
    let email = "logged@example.com";
    seed_member(&db, org, "super_admin", email, PASSWORD).await;
    assert_eq!(request_reset(&app, email).await.status, 200);
    // One log event per message; an event goes on over several lines.
    let events = |text: &str| -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for line in text.lines() {
            let starts = ["TRACE ", "DEBUG ", "INFO ", "WARN ", "ERROR "]
                .iter()
                .any(|level| line.trim_start().starts_with(level));
            match out.last_mut() {
                Some(event) if !starts => {
                    event.push('\n');
                    event.push_str(line);
                }
                _ => out.push(line.to_owned()),
            }
        }
        out
    };
    let mut code = None;
    for _ in 0..100 {
        if let Some(event) = events(&logs.text())
            .into_iter()
            .find(|e| e.contains("email (log transport)") && e.contains(email))
        {
            let body = event.split("email (log transport)").nth(1).unwrap();
            code = Some(code_in(body));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("the log transport printed the message");
    assert_eq!(reset(&app, email, &code).await.status, 200);
    app.stop().await;

    let text = logs.text();
    println!("--- server log, log transport ---\n{text}");
    let carrying: Vec<String> = events(&text)
        .into_iter()
        .filter(|e| contains_word(e, &code))
        .collect();
    assert!(
        carrying.len() == 1 && carrying[0].contains("email (log transport)"),
        "the code is in events other than the message: {carrying:#?}"
    );
    for secret in [PASSWORD, NEW_PASSWORD] {
        assert!(!contains_word(&text, secret), "{secret:?} leaked:\n{text}");
    }
}

async fn setup_token(app: &TestApp, db: &PgPool) -> Option<String> {
    let base = url::Url::parse(&app.address).unwrap();
    let ttl = std::time::Duration::from_secs(24 * 60 * 60);
    let link = orgdesk::auth::setup::first_run_link(db, &base, ttl)
        .await
        .unwrap()?;
    let link = url::Url::parse(&link.url).unwrap();
    assert_eq!(link.path(), "/setup");
    link.query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

/// The setup link's form, sent from a fresh browser with NEW_PASSWORD.
async fn setup_operator(app: &TestApp, token: &str, name: &str, email: &str) -> Answer {
    Browser::new(app)
        .call(
            "setup_operator",
            &[
                ("token", token),
                ("name", name),
                ("email", email),
                ("password", NEW_PASSWORD),
            ],
        )
        .await
}

#[sqlx::test]
async fn the_first_run_link_creates_one_operator_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let token = setup_token(&app, &db).await.expect("a link");
    let status = Browser::new(&app)
        .call("setup_status", &[("token", token.as_str())])
        .await;
    assert_eq!(status.text, "true");
    let wrong = Browser::new(&app)
        .call("setup_status", &[("token", "not-the-token")])
        .await;
    assert_eq!(wrong.text, "false");

    let form = [
        ("token", token.as_str()),
        ("name", "First Operator"),
        ("email", "first@example.com"),
        ("password", NEW_PASSWORD),
    ];
    let mut b = Browser::new(&app);
    let answer = b.call("setup_operator", &form).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], "must_enrol");
    assert_eq!(answer.json["path"], "/account/security");
    let me = b.call("me", &[]).await;
    assert_eq!(me.json["kind"], "operator", "{}", me.text);
    assert_eq!(me.json["stage"], "must_enrol");
    assert_eq!(me.json["email"], "first@example.com");

    // The token works once.
    let form = [
        ("token", token.as_str()),
        ("name", "Second Operator"),
        ("email", "second@example.com"),
        ("password", NEW_PASSWORD),
    ];
    let again = Browser::new(&app).call("setup_operator", &form).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert_eq!(again.field_code("token"), Some("auth.setup_token"));
    let status = Browser::new(&app)
        .call("setup_status", &[("token", token.as_str())])
        .await;
    assert_eq!(status.text, "false");
    let operators: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE kind = 'operator'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(operators, 1);
    // No further links once an operator exists.
    assert_eq!(setup_token(&app, &db).await, None);
}

#[sqlx::test]
async fn another_start_leaves_the_first_link_working(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    // Two instances start while no operator exists: each prints its own link.
    let first = setup_token(&app, &db).await.expect("a link");
    let second = setup_token(&app, &db).await.expect("another link");
    assert_ne!(first, second);
    for token in [&first, &second] {
        let status = Browser::new(&app)
            .call("setup_status", &[("token", token.as_str())])
            .await;
        assert_eq!(status.text, "true", "{token}");
    }
    let answer = setup_operator(&app, &first, "First Operator", "first@example.com").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // Once an operator exists, the other link is dead too.
    let status = Browser::new(&app)
        .call("setup_status", &[("token", second.as_str())])
        .await;
    assert_eq!(status.text, "false");
}

#[sqlx::test]
async fn an_expired_setup_link_is_refused_and_dropped(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let token = setup_token(&app, &db).await.expect("a link");
    sqlx::query("UPDATE setup_tokens SET expires_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    let status = Browser::new(&app)
        .call("setup_status", &[("token", token.as_str())])
        .await;
    assert_eq!(status.text, "false");
    let answer = setup_operator(&app, &token, "Late Operator", "late@example.com").await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.field_code("token"), Some("auth.setup_token"));
    let operators: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE kind = 'operator'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(operators, 0);
    // The next start drops it and prints a link that works.
    let fresh = setup_token(&app, &db).await.expect("a fresh link");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM setup_tokens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let status = Browser::new(&app)
        .call("setup_status", &[("token", fresh.as_str())])
        .await;
    assert_eq!(status.text, "true");
}

#[sqlx::test]
async fn guessing_the_setup_token_costs_no_password_hash(db: PgPool) {
    // One hashing slot and almost no patience: guesses that each hashed the
    // password would queue behind one another and get 429 (busy).
    let app = spawn_app_with(
        db.clone(),
        &[
            ("PASSWORD_HASH_SLOTS", "1"),
            ("PASSWORD_HASH_QUEUE_MS", "1"),
        ],
    )
    .await;
    setup_token(&app, &db).await.expect("a link");
    let guesses = (0..16).map(|i| {
        let app = &app;
        async move {
            let token = format!("guess-{i}");
            setup_operator(app, &token, "Stranger", "stranger@example.com").await
        }
    });
    for answer in futures::future::join_all(guesses).await {
        assert_eq!(answer.status, 422, "{}", answer.text);
        assert_eq!(answer.field_code("token"), Some("auth.setup_token"));
    }
}

#[sqlx::test]
async fn two_setups_at_once_with_one_link_create_one_operator(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let token = setup_token(&app, &db).await.expect("a link");
    let setup = |email: &'static str| {
        let token = token.clone();
        let app = &app;
        async move { setup_operator(app, &token, "Racer", email).await }
    };
    let (a, b) = tokio::join!(setup("a@example.com"), setup("b@example.com"));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "{} / {}", a.text, b.text);
    let operators: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE kind = 'operator'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(operators, 1);
}

#[sqlx::test]
async fn disabling_an_account_ends_its_sessions_at_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Disable Ltd").await;
    let id = seed_member(&db, org, "employee", "gone@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "gone@example.com", "signed_in").await;
    assert_eq!(b.call("security_overview", &[]).await.status, 200);

    let mut conn = db.acquire().await.unwrap();
    orgdesk::auth::repo::set_status(&mut conn, id, "disabled")
        .await
        .unwrap();
    drop(conn);
    assert_eq!(b.call("security_overview", &[]).await.status, 401);

    let answer = sign_in(&mut Browser::new(&app), "gone@example.com", PASSWORD).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert_eq!(answer.text, r#"{"kind":"account_disabled"}"#);
}

fn location(res: &reqwest::Response) -> String {
    assert!(
        [303, 307].contains(&res.status().as_u16()),
        "status {}",
        res.status()
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[sqlx::test]
async fn protected_pages_send_visitors_to_the_step_they_are_at(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut visitor = Browser::new(&app);
    assert_eq!(
        location(&visitor.get("/admin").await),
        "/login?next=%2Fadmin"
    );
    assert_eq!(
        location(&visitor.get("/admin/audit").await),
        "/login?next=%2Fadmin%2Faudit"
    );
    assert_eq!(location(&visitor.get("/operator").await), "/operator/login");

    let (_, _) = enrolled_admin(&app, &db, "pages@example.com").await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "pages@example.com", "second_factor").await;
    for path in ["/admin", "/account/security", "/operator"] {
        assert_eq!(location(&b.get(path).await), "/login/verify", "{path}");
    }

    // Signed in but not enrolled: only the security page is open.
    let org = seed_organisation(&db, "Pages Ltd").await;
    seed_member(&db, org, "super_admin", "unenrolled@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, "unenrolled@example.com", "must_enrol").await;
    assert_eq!(location(&b.get("/admin").await), "/account/security");
    assert_eq!(b.call("admin_audit", &[]).await.status, 401);
}

#[sqlx::test]
async fn the_sign_in_page_sends_a_signed_in_visitor_home(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Home Again Ltd").await;
    seed_member(&db, org, "employee", "home@example.com", PASSWORD).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.get("/login").await.status(), 200);
    signed_in_at(&mut b, "home@example.com", "signed_in").await;
    assert_eq!(location(&b.get("/login").await), "/admin");
    // Half signed in: the form is still what they need.
    let (_, _) = enrolled_admin(&app, &db, "half@example.com").await;
    let mut half = Browser::new(&app);
    signed_in_at(&mut half, "half@example.com", "second_factor").await;
    assert_eq!(half.get("/login").await.status(), 200);
}

#[sqlx::test]
async fn a_parallel_burst_from_one_ip_does_not_pass_its_limit(db: PgPool) {
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

#[sqlx::test]
async fn resets_that_were_not_sent_are_told_to_the_owner_after_sign_in(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let org = organisation_without_two_factor(&db, "Told Ltd").await;
    let email = "told@example.com";
    seed_member(&db, org, "super_admin", email, PASSWORD).await;
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, email, "signed_in").await;
    let nothing = b.call("security_notice", &[]).await;
    assert_eq!(nothing.status, 200, "{}", nothing.text);
    assert!(nothing.json.is_null(), "{}", nothing.text);

    // Someone asks three times within the cooldown: one is sent, two are not.
    for _ in 0..3 {
        assert_eq!(request_reset(&app, email).await.status, 200);
    }
    let mut b = Browser::new(&app);
    signed_in_at(&mut b, email, "signed_in").await;
    let told = b.call("security_notice", &[]).await;
    assert_eq!(told.json["resets_not_sent"], 2, "{}", told.text);
    // The console shows it, in the owner's language.
    let page = b.get("/admin").await.text().await.unwrap();
    assert!(page.contains("data-notice=\"resets-not-sent\""), "{page}");

    // Dismissed, it stays away until something new happens.
    assert_eq!(b.call("dismiss_security_notice", &[]).await.status, 200);
    assert!(b.call("security_notice", &[]).await.json.is_null());
    // Strangers get nothing.
    assert_eq!(
        Browser::new(&app).call("security_notice", &[]).await.status,
        401
    );
}
