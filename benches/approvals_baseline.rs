//! The yardstick for the approver's inbox (run by `scripts/bench-approvals.sh`):
//! a plain axum handler that does what `/me/approvals` (the pending tab)
//! does on the server, and writes the same rows as HTML by hand, like
//! TechEmpower's Fortunes. Not part of the product.
//!
//! Per request, as the page: the session lookup (`baseline::signed_in`, as
//! in the contacts baseline); the inbox server function's queries (the
//! organisation's time zone, one page of the tab by the product's own
//! `inbox::page`, the three tab counts, the template list); and the
//! out-of-office panel's queries (the time zone again, the delegations, how
//! the person hears about approvals), which the page loads beside the inbox.
//!
//! `BASELINE_ADDR` (default 127.0.0.1:3398) and `DATABASE_URL` configure it;
//! it serves until killed.
mod baseline;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use baseline::{App, escape};
use orgdesk::approvals::api::inbox;
use orgdesk::approvals::repo::templates;
use sqlx::Row;
use std::fmt::Write;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rows on a page of the inbox (the product's `member::PER_PAGE`).
const PER_PAGE: i64 = 20;

#[derive(serde::Deserialize)]
struct Params {
    page: Option<i64>,
}

/// The inbox server function's tab counts, word for word.
const COUNTS: &str = r#"SELECT
             (SELECT count(*) FROM approval_tasks WHERE assignee_id = $2 AND org_id = $1 AND status = 'pending') AS "pending!",
             (SELECT count(*) FROM approval_tasks WHERE assignee_id = $2 AND org_id = $1
                AND status IN ('approved', 'rejected', 'transferred') AND NOT automatic) AS "handled!",
             (SELECT count(*) FROM approval_cc WHERE account_id = $2 AND org_id = $1 AND shown_at IS NOT NULL) AS "cc!""#;

/// The out-of-office panel's delegations, word for word.
const DELEGATIONS: &str = r#"SELECT d.id, d.principal_id, a.name AS principal_name, b.name AS delegate_name,
                  d.starts_at AS "starts_at: chrono::DateTime<chrono::Utc>",
                  d.ends_at AS "ends_at: chrono::DateTime<chrono::Utc>",
                  CASE WHEN d.cancelled_at IS NOT NULL THEN 'cancelled'
                       WHEN d.ends_at <= now() THEN 'ended'
                       WHEN d.starts_at <= now() THEN 'open'
                       ELSE 'upcoming' END AS "state!"
           FROM approval_delegations d
           JOIN accounts a ON a.id = d.principal_id
           JOIN accounts b ON b.id = d.delegate_id
           WHERE d.org_id = $1 AND (d.principal_id = $2 OR d.delegate_id = $2)
             AND d.ends_at > now() - interval '30 days'
           ORDER BY d.starts_at DESC LIMIT 100"#;

async fn page(State(app): State<App>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    // The session: cookie -> session row -> account, as the product's guard does.
    let (org, me) = match baseline::signed_in(&app, &headers).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let page = p.page.unwrap_or(1).clamp(1, 10_000);

    // The inbox server function: `member::inbox` with the pending tab.
    let Ok(zone) = orgdesk::organisations::time_zone(&app.db, org).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(mut conn) = app.db.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let Ok((total, rows)) = inbox::page(
        &mut conn,
        inbox::Query {
            org,
            me,
            tab: "pending",
            template: None,
            submitter: None,
            from: None,
            to: None,
            zone,
            number: None,
            pattern: None,
            page,
        },
    )
    .await
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(counts) = sqlx::query(COUNTS)
        .bind(org)
        .bind(me)
        .fetch_one(&mut *conn)
        .await
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let (pending, handled, cc): (i64, i64, i64) = (counts.get(0), counts.get(1), counts.get(2));
    let Ok(template_list) = templates::list(&mut conn, org).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    drop(conn);

    // The out-of-office panel: `hands::delegations`.
    let Ok(zone2) = orgdesk::organisations::time_zone(&app.db, org).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(delegations) = sqlx::query(DELEGATIONS)
        .bind(org)
        .bind(me)
        .fetch_all(&app.db)
        .await
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(notices) =
        sqlx::query_scalar::<_, String>("SELECT approval_notices FROM accounts WHERE id = $1")
            .bind(me)
            .fetch_one(&app.db)
            .await
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };

    let mut out = String::with_capacity(32 * 1024);
    out.push_str(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Approvals</title></head><body><main><h1>Approvals</h1><nav>",
    );
    let _ = write!(
        out,
        "<a href=\"/me/approvals?tab=pending\">Pending <span>{pending}</span></a>\
         <a href=\"/me/approvals?tab=handled\">Handled <span>{handled}</span></a>\
         <a href=\"/me/approvals?tab=cc\">CC <span>{cc}</span></a></nav>\
         <form method=\"get\" action=\"/me/approvals\"><select name=\"template\"><option value=\"\">All</option>"
    );
    for t in &template_list {
        let _ = write!(out, "<option value=\"{}\">", t.id);
        escape(&mut out, &t.name_en);
        out.push_str("</option>");
    }
    out.push_str("</select></form><ul>");
    for r in &rows {
        let _ = write!(out, "<li data-request=\"{}\">", r.id);
        if let Some(task) = &r.task {
            let _ = write!(out, "<input type=\"checkbox\" data-task=\"{task}\">");
        }
        let _ = write!(out, "<a href=\"/me/requests/{}\"><strong>", r.id);
        escape(&mut out, &r.template_en);
        out.push_str("</strong> <span>");
        escape(&mut out, &r.status);
        out.push_str("</span> <span>");
        escape(&mut out, &r.summary);
        out.push_str("</span> <span>");
        escape(&mut out, &r.submitter_name);
        out.push_str(" · ");
        escape(&mut out, &r.submitted_at);
        let _ = write!(out, " · #{}</span>", r.number);
        if !r.waiting_for.is_empty() {
            out.push_str(" <span>Waiting for: ");
            escape(&mut out, &r.waiting_for.join("、"));
            out.push_str("</span>");
        }
        out.push_str("</a></li>");
    }
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let _ = write!(out, "</ul><p>Page {page} of {pages}</p><section><ul>");
    for d in &delegations {
        let starts: chrono::DateTime<chrono::Utc> = d.get(4);
        let ends: chrono::DateTime<chrono::Utc> = d.get(5);
        out.push_str("<li>");
        escape(&mut out, d.get::<&str, _>(3));
        let _ = write!(
            out,
            " · {} – {} · {}</li>",
            orgdesk::server::time::local(starts, zone2),
            orgdesk::server::time::local(ends, zone2),
            d.get::<&str, _>(6)
        );
    }
    let _ = write!(
        out,
        "</ul><p>Notices: {notices}</p></section></main></body></html>"
    );
    Html(out).into_response()
}

#[tokio::main]
async fn main() {
    baseline::serve("127.0.0.1:3398", |app| {
        axum::Router::new()
            .route("/inbox", axum::routing::get(page))
            .with_state(app)
    })
    .await;
}
