//! Accounts and sign-in over HTTP: passwords and their throttling, the
//! second factor, sessions, password reset, first-run setup and who may read
//! which audit log.
mod logs_and_audit;
mod password;
mod recovery;
mod second_factor;
mod sessions;
mod setup;

use crate::helpers::{Answer, Browser, TestApp, seed_member, seed_organisation};
use sqlx::PgPool;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use uuid::Uuid;

pub(super) const PASSWORD: &str = "plum orchard at dawn";
pub(super) const NEW_PASSWORD: &str = "kites over the harbour";

/// Keeps the per-IP rule out of the way: every request of a test comes from 127.0.0.1.
pub(super) const HIGH_IP_LIMITS: [(&str, &str); 2] = [
    ("AUTH_IP_DELAY_AFTER", "100000"),
    ("AUTH_IP_LOCK_AFTER", "100000"),
];

pub(crate) async fn sign_in_as(
    b: &mut Browser<'_>,
    kind: &str,
    identifier: &str,
    password: &str,
) -> Answer {
    b.sign_in(kind, identifier, password).await
}

pub(super) async fn sign_in(b: &mut Browser<'_>, email: &str, password: &str) -> Answer {
    sign_in_as(b, "member", email, password).await
}

/// Signs in and checks that the answer is the `stage` expected.
pub(super) async fn signed_in_at(b: &mut Browser<'_>, email: &str, stage: &str) {
    let answer = sign_in(b, email, PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["stage"], stage, "{}", answer.text);
}

/// An organisation that does not require two factors of its administrators.
pub(super) async fn organisation_without_two_factor(db: &PgPool, name: &str) -> Uuid {
    let org = seed_organisation(db, name).await;
    sqlx::query("UPDATE organisations SET enforce_two_factor = false WHERE id = $1")
        .bind(org)
        .execute(db)
        .await
        .unwrap();
    org
}

/// Status of a call with only the session id `session`.
pub(super) async fn status_as(app: &TestApp, endpoint: &str, session: &str) -> u16 {
    app.post_form_as(&format!("/api/{endpoint}"), &[], Some(session))
        .await
        .status()
        .as_u16()
}

pub(super) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Waits, if need be, until at least `secs` of the current 30 s TOTP step
/// remain, and returns that step, so that "now" stays in it for a while.
pub(super) async fn step_with_at_least(secs: f64) -> u64 {
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
pub(super) async fn start_of_a_second() {
    let frac = unix_now().fract();
    if frac > 0.2 {
        tokio::time::sleep(Duration::from_secs_f64(1.02 - frac)).await;
    }
}

pub(super) fn code_at(seed: &[u8], step: u64) -> String {
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
pub(super) async fn enrolled_admin(app: &TestApp, db: &PgPool, email: &str) -> (Uuid, Enrolled) {
    let org = seed_organisation(db, "Enrolled Co").await;
    let id = seed_member(db, org, "super_admin", email, PASSWORD).await;
    let mut b = Browser::new(app);
    signed_in_at(&mut b, email, "must_enrol").await;
    (id, enrol(&mut b).await)
}

/// Signs in with the password, then with `code` as the second factor.
pub(super) async fn second_factor(b: &mut Browser<'_>, email: &str, code: &str) -> Answer {
    signed_in_at(b, email, "second_factor").await;
    b.verify_second_factor(code).await
}
