use crate::helpers::CapturedLogs;
use crate::mail::MailDev;
use crate::notify::{base_url, worker};
use orgdesk::codes::{CodeError, CodeRequest, CodeService, CodeSettings, Destination, Purpose};
use orgdesk::domain::{Email, Mobile};
use orgdesk::notify::{sms::LogSms, worker::WorkerSettings};
use sqlx::PgPool;
use std::{collections::BTreeSet, net::IpAddr, sync::Arc, time::Duration};

fn email(s: &str) -> Destination {
    Destination::Email(Email::parse(s).unwrap())
}

fn mobile(s: &str) -> Destination {
    Destination::Mobile(Mobile::parse(s).unwrap())
}

fn request(purpose: Purpose, destination: Destination) -> CodeRequest {
    CodeRequest {
        purpose,
        destination,
        locale: "en".into(),
        client_ip: Some("203.0.113.7".parse().unwrap()),
        org_id: None,
    }
}

async fn service(db: &PgPool, settings: CodeSettings) -> CodeService {
    CodeService::load(db, settings, 8, None).await.unwrap()
}

fn no_cooldown() -> CodeSettings {
    CodeSettings {
        resend_cooldown: Duration::ZERO,
        ..CodeSettings::default()
    }
}

/// Issues a code and reads it back from its queued message.
async fn issue(db: &PgPool, codes: &CodeService, req: &CodeRequest) -> Result<String, CodeError> {
    let mut tx = db.begin().await.unwrap();
    let issued = codes.issue(&mut tx, req).await?;
    tx.commit().await.unwrap();
    let payload = sqlx::query_scalar!("SELECT payload FROM outbox WHERE id = $1", issued.outbox_id)
        .fetch_one(db)
        .await
        .unwrap();
    match orgdesk::notify::outbox::open_payload(codes.outbox_sealer(), issued.outbox_id, &payload) {
        Some(orgdesk::notify::Template::VerificationCode { code, .. }) => Ok(code),
        other => panic!("expected a code, got {other:?}"),
    }
}

fn other_code(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[sqlx::test]
async fn a_code_works_once(db: PgPool) {
    let codes = service(&db, CodeSettings::default()).await;
    let to = email("Li.Lei@Example.com");
    let code = issue(&db, &codes, &request(Purpose::RegisterEmail, to.clone()))
        .await
        .unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    codes
        .verify(&db, Purpose::RegisterEmail, &to, &code)
        .await
        .unwrap();
    let again = codes
        .verify(&db, Purpose::RegisterEmail, &to, &code)
        .await
        .unwrap_err();
    assert_eq!(again.code().as_str(), "code.used");
    // Only a hash is stored.
    let stored = sqlx::query_scalar!("SELECT code_hash FROM one_time_codes")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert!(!stored.windows(6).any(|w| w == code.as_bytes()));
}

#[sqlx::test]
async fn an_expired_code_is_refused(db: PgPool) {
    let codes = service(&db, CodeSettings::default()).await;
    let to = mobile("13800138000");
    let code = issue(&db, &codes, &request(Purpose::RegisterMobile, to.clone()))
        .await
        .unwrap();
    sqlx::query!("UPDATE one_time_codes SET expires_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    let err = codes
        .verify(&db, Purpose::RegisterMobile, &to, &code)
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "code.expired");
}

#[sqlx::test]
async fn a_resend_within_the_cooldown_says_how_long_to_wait(db: PgPool) {
    let codes = service(&db, CodeSettings::default()).await;
    let req = request(Purpose::RegisterMobile, mobile("13800138001"));
    issue(&db, &codes, &req).await.unwrap();
    match issue(&db, &codes, &req).await.unwrap_err() {
        CodeError::Cooldown { retry_after_secs } => assert!((1..=60).contains(&retry_after_secs)),
        other => panic!("expected a cooldown, got {other:?}"),
    }
    // Once the minute has passed, a new code may be sent.
    sqlx::query!("UPDATE one_time_codes SET created_at = created_at - interval '61 seconds'")
        .execute(&db)
        .await
        .unwrap();
    issue(&db, &codes, &req).await.unwrap();
}

#[sqlx::test]
async fn a_new_code_replaces_the_previous_one(db: PgPool) {
    let codes = service(&db, no_cooldown()).await;
    let to = email("replace@example.com");
    let req = request(Purpose::RegisterEmail, to.clone());
    let first = issue(&db, &codes, &req).await.unwrap();
    let mut second = issue(&db, &codes, &req).await.unwrap();
    while second == first {
        second = issue(&db, &codes, &req).await.unwrap();
    }
    let err = codes
        .verify(&db, Purpose::RegisterEmail, &to, &first)
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "code.mismatch");
    codes
        .verify(&db, Purpose::RegisterEmail, &to, &second)
        .await
        .unwrap();
}

#[sqlx::test]
async fn five_wrong_tries_kill_the_code(db: PgPool) {
    let codes = service(&db, CodeSettings::default()).await;
    let to = mobile("+86 139 0000 0000");
    let code = issue(&db, &codes, &request(Purpose::ResetPassword, to.clone()))
        .await
        .unwrap();
    let wrong = other_code(&code);
    for expected_remaining in (1..=4).rev() {
        match codes
            .verify(&db, Purpose::ResetPassword, &to, &wrong)
            .await
            .unwrap_err()
        {
            CodeError::Mismatch { remaining_attempts } => {
                assert_eq!(remaining_attempts, expected_remaining)
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }
    let fifth = codes
        .verify(&db, Purpose::ResetPassword, &to, &wrong)
        .await
        .unwrap_err();
    assert_eq!(fifth.code().as_str(), "code.too_many_attempts");
    // Even the right code no longer works.
    let right = codes
        .verify(&db, Purpose::ResetPassword, &to, &code)
        .await
        .unwrap_err();
    assert_eq!(right.code().as_str(), "code.too_many_attempts");
}

#[sqlx::test]
async fn at_most_ten_codes_a_day_per_destination(db: PgPool) {
    let codes = service(&db, no_cooldown()).await;
    let req = request(Purpose::RegisterEmail, email("daily@example.com"));
    for _ in 0..10 {
        issue(&db, &codes, &req).await.unwrap();
    }
    let err = issue(&db, &codes, &req).await.unwrap_err();
    assert_eq!(err.code().as_str(), "code.daily_limit");
    // Another destination is not affected.
    issue(
        &db,
        &codes,
        &request(Purpose::RegisterEmail, email("other@example.com")),
    )
    .await
    .unwrap();
}

#[sqlx::test]
async fn one_client_ip_is_capped_per_hour_whatever_it_asks_for(db: PgPool) {
    let settings = CodeSettings {
        hourly_limit_per_ip: 3,
        challenge_after_percent: 100,
        ..no_cooldown()
    };
    let codes = service(&db, settings).await;
    let ip: IpAddr = "203.0.113.7".parse().unwrap();
    for _ in 0..3 {
        codes.admit(&db, Some(ip), None).await.unwrap();
    }
    let err = codes.admit(&db, Some(ip), None).await.unwrap_err();
    assert_eq!(err.code().as_str(), "code.ip_limit");
    // Another address of the same network still has its own share.
    codes
        .admit(&db, Some("203.0.113.8".parse().unwrap()), None)
        .await
        .unwrap();
    codes
        .admit(&db, Some("198.51.100.1".parse().unwrap()), None)
        .await
        .unwrap();
    // An hour later the client may ask again.
    sqlx::query!("UPDATE code_requests SET created_at = created_at - interval '61 minutes'")
        .execute(&db)
        .await
        .unwrap();
    codes.admit(&db, Some(ip), None).await.unwrap();
}

#[sqlx::test]
async fn one_network_is_capped_per_hour_ipv4_by_24_and_ipv6_by_64(db: PgPool) {
    let settings = CodeSettings {
        hourly_limit_per_network: 4,
        challenge_after_percent: 100,
        ..no_cooldown()
    };
    let codes = service(&db, settings).await;
    for i in 1..=4 {
        let ip: IpAddr = format!("203.0.113.{i}").parse().unwrap();
        codes.admit(&db, Some(ip), None).await.unwrap();
    }
    let err = codes
        .admit(&db, Some("203.0.113.200".parse().unwrap()), None)
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "code.ip_limit");
    codes
        .admit(&db, Some("203.0.114.1".parse().unwrap()), None)
        .await
        .unwrap();

    for i in 1..=4 {
        let ip: IpAddr = format!("2001:db8:5:6::{i:x}").parse().unwrap();
        codes.admit(&db, Some(ip), None).await.unwrap();
    }
    let err = codes
        .admit(&db, Some("2001:db8:5:6:ffff::1".parse().unwrap()), None)
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "code.ip_limit");
    codes
        .admit(&db, Some("2001:db8:5:7::1".parse().unwrap()), None)
        .await
        .unwrap();
}

#[sqlx::test]
async fn a_parallel_burst_does_not_pass_the_ip_cap(db: PgPool) {
    let settings = CodeSettings {
        hourly_limit_per_ip: 5,
        challenge_after_percent: 100,
        ..no_cooldown()
    };
    let codes = service(&db, settings).await;
    let ip: IpAddr = "203.0.113.9".parse().unwrap();
    let burst = (0..20).map(|_| codes.admit(&db, Some(ip), None));
    let admitted = futures::future::join_all(burst)
        .await
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(admitted, 5);
}

#[sqlx::test]
async fn a_code_for_one_purpose_leaves_another_purposes_code_and_limits_alone(db: PgPool) {
    let codes = service(&db, CodeSettings::default()).await;
    let to = email("victim@example.com");
    let reset = issue(&db, &codes, &request(Purpose::ResetPassword, to.clone()))
        .await
        .unwrap();
    // A stranger starts registrations with the victim's address: each is
    // sent (no cooldown of the reset flow applies) and none kills the reset code.
    issue(&db, &codes, &request(Purpose::RegisterEmail, to.clone()))
        .await
        .unwrap();
    assert!(matches!(
        issue(&db, &codes, &request(Purpose::RegisterEmail, to.clone())).await,
        Err(CodeError::Cooldown { .. })
    ));
    let resume = issue(
        &db,
        &codes,
        &request(Purpose::ResumeRegistration, to.clone()),
    )
    .await
    .unwrap();
    codes
        .verify(&db, Purpose::ResetPassword, &to, &reset)
        .await
        .unwrap();
    // Nor does a code of another flow pass for this one.
    let err = codes
        .verify(&db, Purpose::RegisterEmail, &to, &resume)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CodeError::Mismatch { .. }),
        "expected a mismatch, got {err:?}"
    );
}

#[test]
fn every_refusal_has_its_own_code() {
    let all = [
        CodeError::Cooldown {
            retry_after_secs: 1,
        },
        CodeError::DailyLimit,
        CodeError::IpLimit,
        CodeError::Format,
        CodeError::NotSent,
        CodeError::Expired,
        CodeError::Used,
        CodeError::TooManyAttempts,
        CodeError::Mismatch {
            remaining_attempts: 1,
        },
    ];
    let codes: BTreeSet<&str> = all.iter().map(|e| e.code().as_str()).collect();
    assert_eq!(codes.len(), all.len());
}

#[sqlx::test]
async fn concurrent_requests_for_one_destination_send_one_code(db: PgPool) {
    let codes = service(&db, CodeSettings::default()).await;
    let req = request(Purpose::RegisterMobile, mobile("13700137000"));
    let (a, b) = tokio::join!(issue(&db, &codes, &req), issue(&db, &codes, &req));
    assert!(
        a.is_ok() != b.is_ok(),
        "exactly one may succeed: {a:?} / {b:?}"
    );
}

#[sqlx::test]
async fn the_code_appears_in_logs_only_through_the_log_transport(db: PgPool) {
    use tracing::instrument::WithSubscriber as _;
    // With a second dispatcher alive, tracing asks every dispatcher instead of
    // trusting interest cached while another test's thread hit a callsite.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());
    let mail = MailDev::start().await;
    let codes = service(&db, no_cooldown()).await;
    let to = email("quiet@example.com");
    let req = request(Purpose::RegisterEmail, to.clone());

    // Through SMTP: issue, a wrong try, delivery, the right try. No log line holds the code.
    let logs = CapturedLogs::default();
    let code = async {
        let code = issue(&db, &codes, &req).await.unwrap();
        let _ = codes
            .verify(&db, Purpose::RegisterEmail, &to, &other_code(&code))
            .await;
        worker(
            &db,
            &mail.smtp_url(),
            Arc::new(LogSms),
            WorkerSettings::default(),
        )
        .await
        .run_once()
        .await
        .unwrap();
        codes
            .verify(&db, Purpose::RegisterEmail, &to, &code)
            .await
            .unwrap();
        code
    }
    .with_subscriber(logs.dispatch())
    .await;
    let emails = mail.wait_for(1).await;
    assert!(
        emails[0]["text"].as_str().unwrap().contains(&code),
        "the email carries the code"
    );
    assert!(
        !logs.text().contains(&code),
        "code leaked into logs:\n{}",
        logs.text()
    );

    // The log transport is the one place that prints it: proves the capture works.
    let logs = CapturedLogs::default();
    async {
        let code = issue(&db, &codes, &req).await.unwrap();
        let email = orgdesk::notify::email::EmailTransport::Log;
        orgdesk::notify::worker::Worker::new(
            db.clone(),
            orgdesk::notify::outbox::load_sealer(&db, None)
                .await
                .unwrap(),
            Arc::new(email),
            Arc::new(LogSms),
            base_url(),
            WorkerSettings::default(),
        )
        .run_once()
        .await
        .unwrap();
        assert!(
            logs.text().contains(&code),
            "log transport did not print the code"
        );
    }
    .with_subscriber(logs.dispatch())
    .await;
}
