//! Logging and request ids.
//!
//! Every request gets a fresh id (any id a client sends is replaced, so log
//! lines cannot be forged), unless it came through a trusted proxy with a
//! well-formed `x-request-id`, which is kept so that one id follows the
//! request through the proxy's logs and ours; it is returned in `x-request-id` and recorded on
//! every log line of the request. Only the method and path are logged: query
//! strings and bodies may carry codes, tokens or personal data.
use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Span;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Installs the global subscriber; `RUST_LOG` overrides the default filter.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init()
    } else {
        registry.with(fmt::layer()).try_init()
    };
    // A second init (tests spawn many apps in one process) is harmless.
    let _ = result;
}

/// The id of the request being handled, if any.
pub fn current_request_id() -> Option<String> {
    if let Ok(id) = REQUEST_ID.try_with(|id| id.clone()) {
        return Some(id);
    }
    // Work spawned off the request task still sees the request's parts.
    leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(&REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    })
}

/// Middleware: assigns the request id, opens the request span, logs the outcome.
pub async fn request_context(mut req: Request, next: Next) -> Response {
    let forwarded = req
        .extensions()
        .get::<super::proxy::ClientAddress>()
        .is_some_and(|c| c.via_trusted_proxy)
        .then(|| req.headers().get(&REQUEST_ID_HEADER))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed_id(v))
        .map(str::to_owned);
    let id = forwarded.unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let header = HeaderValue::from_str(&id).expect("checked characters make a valid header value");
    req.headers_mut().insert(REQUEST_ID_HEADER, header.clone());

    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %loggable_path(req.uri().path()),
        status = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let mut res =
        tracing::Instrument::instrument(REQUEST_ID.scope(id, next.run(req)), span.clone()).await;
    res.headers_mut().insert(REQUEST_ID_HEADER, header);
    record_outcome(&span, res.status().as_u16(), started.elapsed());
    res
}

/// The path as the log may keep it: an invitation link's token is a
/// credential and stays out.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/join/") {
        "/join/…"
    } else {
        path
    }
}

/// 1 to 128 letters, digits, `-`, `_`, `.` (UUIDs, nginx's `$request_id`).
fn well_formed_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn record_outcome(span: &Span, status: u16, elapsed: std::time::Duration) {
    span.record("status", status);
    let ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, ms, "request failed");
        } else {
            tracing::debug!(status, ms, "request");
        }
    });
}
