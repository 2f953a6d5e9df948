use leptos::config::LeptosOptions;
use orgdesk::server::{config::Config, startup, state::AppState};
use sqlx::PgPool;
use std::{collections::HashMap, net::SocketAddr, sync::Arc};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_with_language(&self, path: &str, accept_language: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("accept-language", accept_language)
            .send()
            .await
            .expect("request")
    }
}

/// Starts the real router on 127.0.0.1:0 over `db`.
pub async fn spawn_app(db: PgPool) -> TestApp {
    let listener = startup::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    let vars: HashMap<&'static str, String> = HashMap::from([
        ("DATABASE_URL", "postgres://unused-in-tests".to_string()),
        ("PUBLIC_BASE_URL", address.clone()),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("config");
    let leptos_options = LeptosOptions::builder()
        .output_name("orgdesk")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .site_addr(SocketAddr::from(([127, 0, 0, 1], port)))
        .build();
    // The health test runs against a database that is down.
    let codes = match orgdesk::codes::CodeService::load(
        &db,
        config.codes.clone(),
        config.outbox_max_attempts,
    )
    .await
    {
        Ok(codes) => codes,
        Err(_) => orgdesk::codes::CodeService::with_key(
            [7; 32],
            config.codes.clone(),
            config.outbox_max_attempts,
        ),
    };
    let state = AppState {
        leptos_options,
        db,
        config: Arc::new(config),
        codes,
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(startup::serve(
        listener,
        startup::router(state),
        async move {
            let _ = rx.await;
        },
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        _shutdown: tx,
    }
}

/// A pool that points at a port where nothing listens: the database is down.
pub fn unreachable_pool() -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:9/orgdesk")
        .expect("lazy pool")
}
