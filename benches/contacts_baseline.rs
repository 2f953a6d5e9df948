//! The yardstick for the contacts page (run by `scripts/bench-contacts.sh`):
//! a plain axum handler that does what `/admin/contacts?dept=…` does on the
//! server, the session lookup and the same queries, and writes the same
//! rows as HTML by hand, like TechEmpower's Fortunes. Not part of the product.
//!
//! `BASELINE_ADDR` (default 127.0.0.1:3399) and `DATABASE_URL` configure it;
//! it serves until killed.
mod baseline;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use baseline::{App, escape};
use orgdesk::contacts::repo::members::{MemberQuery, members};
use orgdesk::contacts::{StatusFilter, repo as departments};
use std::fmt::Write;
use uuid::Uuid;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(serde::Deserialize)]
struct Params {
    dept: Option<String>,
    page: Option<i64>,
}

async fn page(State(app): State<App>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    // The session: cookie -> session row -> account, as the product's guard does.
    let (org, _) = match baseline::signed_in(&app, &headers).await {
        Ok(who) => who,
        Err(answer) => return answer,
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
    baseline::serve("127.0.0.1:3399", |app| {
        axum::Router::new()
            .route("/members", axum::routing::get(page))
            .with_state(app)
    })
    .await;
}
