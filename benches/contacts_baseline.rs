//! The yardstick for the contacts page (run by `scripts/bench-contacts.sh`):
//! a plain axum handler that does what `/admin/contacts?dept=…` does on the
//! server, the session lookup and the same queries, and writes the same
//! rows as HTML by hand, like TechEmpower's Fortunes. Not part of the product.
//!
//! `BASELINE_ADDR` (default 127.0.0.1:3399) and `DATABASE_URL` configure it;
//! it serves until killed.
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use orgdesk::auth::repo;
use orgdesk::auth::session::{AUTH_KEY, AuthSession};
use orgdesk::contacts::repo::members::{MemberQuery, members};
use orgdesk::contacts::{StatusFilter, repo as departments};
use sqlx::PgPool;
use std::fmt::Write;
use std::str::FromStr;
use tower_sessions::SessionStore;
use tower_sessions::session::Id;
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Clone)]
struct App {
    db: PgPool,
    store: PostgresStore,
}

#[derive(serde::Deserialize)]
struct Params {
    dept: Option<String>,
    page: Option<i64>,
}

fn escape(out: &mut String, s: &str) {
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

async fn page(State(app): State<App>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    // The session: cookie -> session row -> account, as the product's guard does.
    let Some(id) = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "orgdesk_session")
        .and_then(|(_, v)| Id::from_str(v).ok())
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(Some(record)) = app.store.load(&id).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(auth) = record
        .data
        .get(AUTH_KEY)
        .and_then(|v| serde_json::from_value::<AuthSession>(v.clone()).ok())
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(Some(account)) = repo::find_by_id(&app.db, auth.account_id).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(org) = account.org_id else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let selected = p.dept.as_deref().and_then(|d| Uuid::parse_str(d).ok());
    let Ok(Some(branch)) = departments::branch(&app.db, org, selected, None).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(department_id) = Uuid::parse_str(&branch.selected.node.id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(mut conn) = app.db.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let Ok(Some(department)) = departments::department(&mut conn, org, department_id).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    drop(conn);
    let query = MemberQuery {
        direct_only: false,
        search: String::new(),
        status: StatusFilter::Current,
        page: p.page.unwrap_or(1),
    };
    let Ok(list) = members(&app.db, org, &department, &query, None).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };

    let mut out = String::with_capacity(32 * 1024);
    out.push_str("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Contacts</title></head><body><nav><ul>");
    for n in &branch.nodes {
        let _ = write!(
            out,
            "<li data-department=\"{}\"><a href=\"/admin/contacts?dept={}\">",
            n.id, n.id
        );
        escape(&mut out, &n.name);
        let _ = write!(out, "</a> <span>{}</span></li>", n.headcount);
    }
    out.push_str("</ul></nav><main><h2>");
    escape(&mut out, &branch.selected.node.name);
    let _ = write!(out, "</h2><p>{} people</p><table><tbody>", list.total);
    for m in &list.items {
        let _ = write!(
            out,
            "<tr><td><a href=\"/admin/contacts/employees/{}\">",
            m.id
        );
        escape(&mut out, &m.name);
        out.push_str("</a></td><td>");
        escape(&mut out, &m.userid);
        out.push_str("</td><td>");
        escape(&mut out, m.position.as_deref().unwrap_or(""));
        out.push_str("</td><td>");
        escape(&mut out, &m.departments.join(", "));
        out.push_str("</td><td>");
        escape(&mut out, m.mobile.as_deref().unwrap_or(""));
        out.push_str("</td><td>");
        escape(&mut out, m.email.as_deref().unwrap_or(""));
        out.push_str("</td><td>");
        out.push_str(m.status.as_str());
        out.push_str("</td></tr>");
    }
    let _ = write!(
        out,
        "</tbody></table><p>Page {} of {}</p></main></body></html>",
        list.page, list.pages
    );
    Html(out).into_response()
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    // The server's own pool settings and allocator: the comparison is of
    // what happens between the queries and the bytes.
    let db = orgdesk::server::state::pool_options(16)
        .connect(&url)
        .await
        .expect("database");
    let app = App {
        store: PostgresStore::new(db.clone()),
        db,
    };
    let addr = std::env::var("BASELINE_ADDR").unwrap_or_else(|_| "127.0.0.1:3399".into());
    let router = axum::Router::new()
        .route("/members", axum::routing::get(page))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|s| {
        let _ = s.set_nodelay(true);
    });
    println!("baseline listening on http://{addr}");
    axum::serve(listener, router).await.expect("serve");
}
