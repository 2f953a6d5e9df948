//! The Orgdesk server.
//!
//! `orgdesk` (or `orgdesk serve`) runs the web server; `orgdesk migrate`
//! applies database migrations and exits.
use leptos::config::get_configuration;
use orgdesk::codes::CodeService;
use orgdesk::notify::{
    email::EmailTransport,
    sms::{HttpGateway, LogSms, SmsSender},
    worker::Worker,
};
use orgdesk::server::{
    config::Config,
    startup::{bind, router, serve, shutdown_signal},
    state::AppState,
    telemetry,
};
use secrecy::ExposeSecret;
use sqlx::{PgPool, migrate::MigrateDatabase, postgres::PgPoolOptions};
use std::{process::ExitCode, sync::Arc, time::Duration};
use tokio::sync::watch;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("orgdesk: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let config = Config::from_env()?;
    telemetry::init(config.log_json);

    // A fresh machine has the server but not our database yet.
    if !sqlx::Postgres::database_exists(config.database_url()).await? {
        tracing::info!("creating the database named in DATABASE_URL");
        sqlx::Postgres::create_database(config.database_url()).await?;
    }
    let db = PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(config.database_url())
        .await
        .map_err(|e| format!("cannot connect to the database in DATABASE_URL: {e}"))?;
    sqlx::migrate!("./migrations").run(&db).await?;

    match command.as_str() {
        "migrate" => {
            tracing::info!("migrations applied");
            Ok(())
        }
        "serve" => {
            let leptos_options = get_configuration(None)?.leptos_options;
            let addr = leptos_options.site_addr;
            let codes =
                CodeService::load(&db, config.codes.clone(), config.outbox_max_attempts).await?;
            let worker = delivery_worker(&config, &db)?;
            let state = AppState {
                leptos_options,
                db,
                config: Arc::new(config),
                codes,
            };
            let (stop, stopped) = watch::channel(false);
            let worker = tokio::spawn(worker.run(stopped));

            let listener = bind(addr).await?;
            let local = listener.local_addr()?;
            tracing::info!("Orgdesk is ready on http://{local}");
            println!("Orgdesk is ready on http://{local}");
            serve(listener, router(state.clone()), shutdown_signal()).await?;
            // In-flight requests are done; let the worker finish its current batch.
            let _ = stop.send(true);
            if tokio::time::timeout(Duration::from_secs(35), worker)
                .await
                .is_err()
            {
                tracing::warn!("outbox worker did not stop in time; unsent claims will be retried");
            }
            state.db.close().await;
            Ok(())
        }
        other => Err(format!("unknown command {other:?}; expected serve or migrate").into()),
    }
}

/// The outbox worker with the transports the configuration asks for.
fn delivery_worker(config: &Config, db: &PgPool) -> Result<Worker, String> {
    let email = EmailTransport::from_config(
        config.smtp_url.as_ref().map(|s| s.expose_secret()),
        config.mail_from.as_deref(),
    )?;
    if matches!(email, EmailTransport::Log) {
        tracing::info!("SMTP_URL is not set: email goes to the server log");
    }
    let sms: Arc<dyn SmsSender> = match &config.sms_gateway_url {
        Some(url) => Arc::new(HttpGateway::new(
            url.clone(),
            config.sms_gateway_token.clone(),
        )),
        None => {
            tracing::info!("SMS_GATEWAY_URL is not set: SMS go to the server log");
            Arc::new(LogSms)
        }
    };
    Ok(Worker::new(
        db.clone(),
        Arc::new(email),
        sms,
        config.base_url.clone(),
        config.outbox.clone(),
    ))
}
