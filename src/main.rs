//! The Orgdesk server.
//!
//! `orgdesk` (or `orgdesk serve`) runs the web server; `orgdesk migrate`
//! applies database migrations and exits.
use leptos::config::get_configuration;
use orgdesk::server::{
    config::Config,
    startup::{bind, router, serve, shutdown_signal},
    state::AppState,
    telemetry,
};
use sqlx::{migrate::MigrateDatabase, postgres::PgPoolOptions};
use std::{process::ExitCode, sync::Arc, time::Duration};

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
            let state = AppState {
                leptos_options,
                db,
                config: Arc::new(config),
            };
            let listener = bind(addr).await?;
            let local = listener.local_addr()?;
            tracing::info!("Orgdesk is ready on http://{local}");
            println!("Orgdesk is ready on http://{local}");
            serve(listener, router(state.clone()), shutdown_signal()).await?;
            state.db.close().await;
            Ok(())
        }
        other => Err(format!("unknown command {other:?}; expected serve or migrate").into()),
    }
}
