//! Secrets at rest: queued codes are sealed, stale codes are never sent, and
//! the server keys can be wrapped by a key the database does not hold.
use crate::notify::worker;
use orgdesk::codes::{CodeRequest, CodeService, CodeSettings, Destination, Purpose};
use orgdesk::domain::Email;
use orgdesk::notify::sms::LogSms;
use orgdesk::notify::worker::WorkerSettings;
use orgdesk::server::keys::{KeyError, MasterKey};
use sqlx::PgPool;
use std::sync::Arc;

const MASTER: &str = "5f1e8a0c7b3d2e4f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";
const OTHER_MASTER: &str = "0000000000000000000000000000000000000000000000000000000000000001";

fn request(to: &str) -> CodeRequest {
    CodeRequest {
        purpose: Purpose::ResetPassword,
        destination: Destination::Email(Email::parse(to).unwrap()),
        locale: "en".into(),
        client_ip: None,
        org_id: None,
    }
}

async fn service(db: &PgPool, master: Option<&str>) -> Result<CodeService, KeyError> {
    let master = master.map(|m| MasterKey::parse(m).unwrap());
    CodeService::load(db, CodeSettings::default(), 8, master.as_ref()).await
}

/// Issues a code; returns it (as the worker would open it) and its message's id.
async fn issue(db: &PgPool, codes: &CodeService, to: &str) -> (String, uuid::Uuid) {
    let mut tx = db.begin().await.unwrap();
    let issued = codes.issue(&mut tx, &request(to)).await.unwrap();
    tx.commit().await.unwrap();
    let payload: serde_json::Value = sqlx::query_scalar("SELECT payload FROM outbox WHERE id = $1")
        .bind(issued.outbox_id)
        .fetch_one(db)
        .await
        .unwrap();
    match orgdesk::notify::outbox::open_payload(codes.outbox_sealer(), issued.outbox_id, &payload) {
        Some(orgdesk::notify::Template::VerificationCode { code, .. }) => (code, issued.outbox_id),
        other => panic!("expected a code, got {other:?}"),
    }
}

#[sqlx::test]
async fn a_queued_code_is_sealed_and_bound_to_its_row(db: PgPool) {
    let codes = service(&db, None).await.unwrap();
    let (code, id) = issue(&db, &codes, "li.lei@example.com").await;
    let stored: serde_json::Value = sqlx::query_scalar("SELECT payload FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let text = stored.to_string();
    assert!(
        !text.contains(&code),
        "the clear code is in the outbox: {text}"
    );
    assert!(stored.get("code").is_none(), "{text}");
    // Moved to another row, the sealed payload does not open.
    let sealer = orgdesk::notify::outbox::load_sealer(&db, None)
        .await
        .unwrap();
    assert!(orgdesk::notify::outbox::open_payload(&sealer, id, &stored).is_some());
    assert!(
        orgdesk::notify::outbox::open_payload(&sealer, uuid::Uuid::now_v7(), &stored).is_none()
    );
}

#[sqlx::test]
async fn a_code_past_its_lifetime_is_dropped_not_delivered(db: PgPool) {
    let codes = service(&db, None).await.unwrap();
    let (_, stale) = issue(&db, &codes, "stale@example.com").await;
    let (_, fresh) = issue(&db, &codes, "fresh@example.com").await;
    sqlx::query("UPDATE outbox SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(stale)
        .execute(&db)
        .await
        .unwrap();
    // Nothing listens on port 9: a delivery attempt would fail and be counted.
    let w = worker(
        &db,
        "smtp://127.0.0.1:9",
        Arc::new(LogSms),
        WorkerSettings::default(),
    )
    .await;
    assert_eq!(
        w.run_once().await.unwrap(),
        1,
        "only the fresh code is claimed"
    );
    let row: (String, i32, Option<String>, serde_json::Value) =
        sqlx::query_as("SELECT status, attempts, last_error, payload FROM outbox WHERE id = $1")
            .bind(stale)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(row.0, "expired");
    assert_eq!(row.1, 0, "never tried");
    assert!(row.2.unwrap().contains("expired"));
    assert_eq!(row.3, serde_json::json!({}));
    let fresh_attempts: i32 = sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = $1")
        .bind(fresh)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(fresh_attempts, 1);
}

#[sqlx::test]
async fn with_a_master_key_the_database_alone_opens_no_server_key(db: PgPool) {
    // Keys made before the master key was set are wrapped at the next start,
    // and what they protect still works.
    let clear = service(&db, None).await.unwrap();
    let (code, _) = issue(&db, &clear, "wang.fang@example.com").await;
    let clear_keys: Vec<Vec<u8>> = sqlx::query_scalar("SELECT key FROM server_keys ORDER BY name")
        .fetch_all(&db)
        .await
        .unwrap();

    let wrapped = service(&db, Some(MASTER)).await.unwrap();
    orgdesk::auth::totp::SecondFactorKeys::load(&db, Some(&MasterKey::parse(MASTER).unwrap()))
        .await
        .unwrap();
    let rows: Vec<(String, Vec<u8>, bool)> =
        sqlx::query_as("SELECT name, key, wrapped FROM server_keys ORDER BY name")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(rows.len() >= 4, "{rows:?}");
    for (name, key, is_wrapped) in &rows {
        assert!(is_wrapped, "{name} is not wrapped");
        assert!(key.len() > 32, "{name} is stored as a bare key");
        assert!(!clear_keys.contains(key), "{name} is still stored in clear");
    }
    let email = Destination::Email(Email::parse("wang.fang@example.com").unwrap());
    wrapped
        .verify(&db, Purpose::ResetPassword, &email, &code)
        .await
        .expect("a code issued before the wrapping still checks");

    // Without the key, or with another, the server does not start.
    assert!(matches!(
        service(&db, None).await,
        Err(KeyError::MasterKeyMissing(_))
    ));
    assert!(matches!(
        service(&db, Some(OTHER_MASTER)).await,
        Err(KeyError::MasterKeyWrong(_))
    ));
    // With it, the keys are the same at every start (and on every instance).
    let again = service(&db, Some(MASTER)).await.unwrap();
    let (code, id) = issue(&db, &again, "zhao.lei@example.com").await;
    let payload: serde_json::Value = sqlx::query_scalar("SELECT payload FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(orgdesk::notify::outbox::open_payload(wrapped.outbox_sealer(), id, &payload).is_some());
    let to = Destination::Email(Email::parse("zhao.lei@example.com").unwrap());
    wrapped
        .verify(&db, Purpose::ResetPassword, &to, &code)
        .await
        .unwrap();
}

#[sqlx::test]
async fn the_server_starts_with_a_master_key_and_refuses_a_wrong_one(db: PgPool) {
    let app = crate::helpers::spawn_app_with(db.clone(), &[("ORGDESK_MASTER_KEY", MASTER)]).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let config = orgdesk::server::config::Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some("postgres://unused".into()),
        "ORGDESK_MASTER_KEY" => Some(OTHER_MASTER.into()),
        _ => None,
    })
    .unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("orgdesk")
        .build();
    let refused = orgdesk::server::state::AppState::load(options, db, config)
        .await
        .err()
        .expect("a wrong master key stops start-up");
    assert!(
        refused.to_string().contains("ORGDESK_MASTER_KEY"),
        "{refused}"
    );
}
