//! Shared application state, handed to axum handlers and to server functions.
use super::config::Config;
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

/// How the server's connection pool behaves, for every binary that serves.
/// A connection is not pinged each time it is taken from the pool (a round
/// trip per query, and most pages run several); a broken one fails its query
/// and is dropped instead.
pub fn pool_options(max_connections: u32) -> sqlx::postgres::PgPoolOptions {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .test_before_acquire(false)
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    /// The server's own settings, for the router, the outbox worker and
    /// housekeeping. Features read the settings below, handed to them here.
    pub config: Arc<Config>,
    /// Sign-in throttles and session lifetimes.
    pub auth: Arc<crate::auth::settings::AuthSettings>,
    /// Limits of the registration wizard.
    pub registration: crate::registration::RegistrationSettings,
    /// Limits of contacts changes.
    pub contacts: crate::contacts::ContactsSettings,
    /// Delivery attempts of each queued message before it is given up.
    pub outbox_max_attempts: i32,
    /// The zone times are shown in where no organisation's own zone applies
    /// (the operators' pages).
    pub time_zone: crate::server::time::Tz,
    /// Whether cookies the features set carry `Secure`.
    pub cookie_secure: bool,
    pub codes: crate::codes::CodeService,
    pub hasher: crate::auth::password::Hasher,
    pub second_factor: crate::auth::totp::SecondFactorKeys,
    /// Where registration documents are kept.
    pub documents: crate::storage::DocumentStore,
    /// How the legal representative's identity is checked on submission.
    pub identity: Arc<dyn crate::registration::verifier::IdentityVerifier>,
}

impl AppState {
    /// Loads the server keys (creating them on first start) and builds the state.
    pub async fn load(
        leptos_options: LeptosOptions,
        db: PgPool,
        config: Config,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        // Checked here so that a bad store setting stops start-up with its reason.
        document_store(&config)?;
        let master = config.master_key.as_ref();
        let codes = crate::codes::CodeService::load(
            &db,
            config.codes.clone(),
            config.outbox_max_attempts,
            master,
        )
        .await?;
        let second_factor = crate::auth::totp::SecondFactorKeys::load(&db, master).await?;
        Ok(Self::with_parts(
            leptos_options,
            db,
            config,
            codes,
            second_factor,
        ))
    }

    /// Builds the state from keys at hand (tools, and tests without a database).
    ///
    /// # Panics
    /// When the document store setting is unusable; [`AppState::load`] reports it instead.
    pub fn with_parts(
        leptos_options: LeptosOptions,
        db: PgPool,
        config: Config,
        codes: crate::codes::CodeService,
        second_factor: crate::auth::totp::SecondFactorKeys,
    ) -> Self {
        let hasher = crate::auth::password::Hasher::with_niceness(
            config.auth.hash_slots,
            config.auth.hash_queue_wait,
            config.auth.hash_nice,
        );
        let documents = document_store(&config).unwrap_or_else(|e| panic!("document store: {e}"));
        AppState {
            auth: Arc::new(config.auth.clone()),
            registration: crate::registration::RegistrationSettings {
                drafts_per_ip_day: config.registration_drafts_per_ip_day,
            },
            contacts: crate::contacts::ContactsSettings {
                lock_wait: config.contacts_lock_wait,
                import_max_bytes: config.import_max_bytes,
                import_max_rows: config.import_max_rows,
            },
            outbox_max_attempts: config.outbox_max_attempts,
            time_zone: config.time_zone,
            cookie_secure: config.cookie_secure,
            documents,
            identity: Arc::new(crate::registration::verifier::ManualReview),
            leptos_options,
            db,
            config: Arc::new(config),
            codes,
            hasher,
            second_factor,
        }
    }
}

/// The state, from inside a server function or a server-rendered component.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the Leptos context"))
}

/// The document store the configuration names.
fn document_store(config: &Config) -> Result<crate::storage::DocumentStore, String> {
    crate::storage::DocumentStore::open(
        config.document_store_url.as_ref(),
        &config.s3_options,
        &config.data_dir.join("documents"),
    )
}

/// The outbox worker with the transports the configuration asks for: SMTP
/// and the SMS gateway when set, else the server log.
pub fn outbox_worker(
    config: &Config,
    db: &PgPool,
    sealer: &crate::server::keys::Sealer,
) -> Result<crate::notify::worker::Worker, String> {
    use crate::notify::{email::EmailTransport, sms::SmsSender};
    use secrecy::ExposeSecret as _;
    let email = EmailTransport::from_config(
        config.smtp_url.as_ref().map(|s| s.expose_secret()),
        config.mail_from.as_deref(),
    )?;
    if matches!(email, EmailTransport::Log) {
        tracing::info!("SMTP_URL is not set: email goes to the server log");
    }
    let sms: Arc<dyn SmsSender> = match &config.sms_gateway_url {
        Some(url) => Arc::new(crate::notify::sms::HttpGateway::new(
            url.clone(),
            config.sms_gateway_token.clone(),
        )),
        None => {
            tracing::info!("SMS_GATEWAY_URL is not set: SMS go to the server log");
            Arc::new(crate::notify::sms::LogSms)
        }
    };
    Ok(crate::notify::worker::Worker::new(
        db.clone(),
        sealer.clone(),
        Arc::new(email),
        sms,
        config.base_url.clone(),
        config.outbox.clone(),
    ))
}
