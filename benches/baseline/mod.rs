//! What the hand-written baselines share: the server's pool and allocator,
//! the session lookup the product's guard does, HTML escaping, and serving.
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk::auth::repo;
use orgdesk::auth::session::{AUTH_KEY, AuthSession};
use sqlx::PgPool;
use std::str::FromStr;
use tower_sessions::SessionStore;
use tower_sessions::session::Id;
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

#[derive(Clone)]
pub struct App {
    pub db: PgPool,
    pub store: PostgresStore,
}

/// The organisation and account a request's session belongs to: cookie ->
/// session row -> account, as the product's guard does; else the answer.
pub async fn signed_in(app: &App, headers: &HeaderMap) -> Result<(Uuid, Uuid), Response> {
    let unauthorised = || StatusCode::UNAUTHORIZED.into_response();
    let id = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "orgdesk_session")
        .and_then(|(_, v)| Id::from_str(v).ok())
        .ok_or_else(unauthorised)?;
    let Ok(Some(record)) = app.store.load(&id).await else {
        return Err(unauthorised());
    };
    let auth = record
        .data
        .get(AUTH_KEY)
        .and_then(|v| serde_json::from_value::<AuthSession>(v.clone()).ok())
        .ok_or_else(unauthorised)?;
    let Ok(Some(account)) = repo::find_by_id(&app.db, auth.account_id).await else {
        return Err(unauthorised());
    };
    let org = account
        .org_id
        .ok_or_else(|| StatusCode::FORBIDDEN.into_response())?;
    Ok((org, account.id))
}

pub fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Serves `router` (given the app) on `BASELINE_ADDR`, else `default_addr`,
/// with the server's own pool settings, until killed.
pub async fn serve(default_addr: &str, router: impl FnOnce(App) -> axum::Router) {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    // The server's own pool settings (and, in each baseline, its
    // allocator): the comparison is of what happens between the queries
    // and the bytes.
    let db = orgdesk::server::state::pool_options(16)
        .connect(&url)
        .await
        .expect("database");
    let app = App {
        store: PostgresStore::new(db.clone()),
        db,
    };
    let addr = std::env::var("BASELINE_ADDR").unwrap_or_else(|_| default_addr.into());
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|s| {
        let _ = s.set_nodelay(true);
    });
    println!("baseline listening on http://{addr}");
    axum::serve(listener, router(app)).await.expect("serve");
}
