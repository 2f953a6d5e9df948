//! The HTTP stack: routes, middleware and the serving loop.
use super::{health, security, state::AppState, telemetry};
use crate::app::{App, shell};
use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    CompressionLevel, catch_panic::CatchPanicLayer, compression::CompressionLayer,
    services::ServeDir,
};

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // Runs inside the request's task, so the id matches the log line.
    let id = telemetry::current_request_id().unwrap_or_else(|| "-".into());
    let body = include_str!("panic.html").replace("{request_id}", &id);
    let mut res = (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let hashed = options.hash_files;
    let hsts = state.config.base_url.scheme() == "https";
    let trusted = security::TrustedOrigins(Arc::new(state.config.public_origins()));
    let proxies = state.config.trusted_proxies.clone();

    let context_state = state.clone();
    let sessions = crate::auth::session::layer(
        state.db.clone(),
        state.config.cookie_secure,
        state.config.auth.session_idle,
    );
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/{*fn_name}", post(server_fn_handler))
        .route(
            "/register/documents/upload",
            // The whole documents form, sent without JavaScript, carries
            // every document at once; each file is held to its own limit.
            post(crate::registration::documents::upload).layer(
                axum::extract::DefaultBodyLimit::max(
                    crate::registration::DocumentKind::ALL.len()
                        * (crate::registration::MAX_DOCUMENT_BYTES + 64 * 1024),
                ),
            ),
        )
        .route(
            "/register/files/{kind}",
            get(crate::registration::documents::applicant_file),
        )
        .route("/join/{token}", get(crate::invitations::join::open_link))
        .route(
            "/join/org/{token}",
            get(crate::invitations::link::open_link),
        )
        .route(
            "/admin/contacts/join/qr.png",
            get(crate::invitations::link::qr_png),
        )
        .route(
            "/admin/audit/export",
            get(crate::audit::export::admin_export),
        )
        .route(
            "/admin/contacts/import/upload",
            // The file is held to its own limit as it arrives.
            post(crate::imports::web::upload).layer(axum::extract::DefaultBodyLimit::max(
                state.contacts.import_max_bytes + 64 * 1024,
            )),
        )
        .route(
            "/admin/contacts/export",
            get(crate::imports::export::export),
        )
        .route(
            "/admin/contacts/import/template",
            get(crate::imports::web::template),
        )
        .route(
            "/admin/contacts/import/{id}/errors",
            get(crate::imports::web::errors),
        )
        .route(
            "/me/approvals/files",
            // The file is held to its own limit as it arrives.
            post(crate::approvals::files::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::approvals::files::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/me/approvals/files/{id}",
            get(crate::approvals::files::download),
        )
        .route(
            "/operator/audit/export",
            get(crate::audit::export::operator_export),
        )
        .route(
            "/operator/reviews/{id}/files/{kind}",
            get(crate::registration::documents::operator_file),
        )
        // The front end's files, served as compressed at build time when
        // that was done (`scripts/precompress.mjs`: brotli and gzip at their
        // best, beyond what compressing each answer can afford); the
        // compression layer below skips what arrives compressed.
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServeDir::new(std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    proxies,
                    super::proxy::client_address,
                ))
                .layer(middleware::from_fn(telemetry::request_context))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(middleware::from_fn_with_state(
                    hsts,
                    security::security_headers,
                ))
                .layer(middleware::from_fn_with_state(
                    trusted,
                    security::origin_guard,
                ))
                // Before sessions: a refused form costs no session lookup. And
                // before the concurrency limit: a client that sends its form
                // slowly holds no place among the requests being served.
                .layer(middleware::from_fn(super::input::api_forms))
                .layer(middleware::from_fn_with_state(
                    super::input::ApiLimits::new(
                        state.config.api_max_concurrent,
                        state.config.api_timeout,
                    ),
                    super::input::api_limits,
                ))
                .layer(sessions)
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::auth::guard::page_guard,
                ))
                // Pages are compressed as they are made, with gzip at level 4:
                // about 7x smaller (the contacts page: 67 KB to 10 KB). Brotli
                // at its default quality spent more CPU on that page than
                // rendering it (26 ms against 9), and even at quality 4 it
                // zeroes large tables for every answer.
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                .layer(middleware::from_fn_with_state(
                    hashed,
                    security::cache_policy,
                )),
        )
        .with_state(state)
}

/// Binds the listening socket; port 0 picks a free port (tests).
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// What `orgdesk serve` says when the socket cannot be bound, with what to do.
pub fn bind_error(addr: SocketAddr, err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "cannot listen on {addr}: another program is using that port. Stop it, or choose \
             another address, e.g. LEPTOS_SITE_ADDR=127.0.0.1:{} make run",
            addr.port().wrapping_add(5)
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "cannot listen on {addr}: permission denied (ports below 1024 need privileges); \
             choose another address with LEPTOS_SITE_ADDR"
        ),
        _ => format!("cannot listen on {addr}: {err}"),
    }
}

/// The lines printed once the server listens: where it is, how the first
/// operator gets in, and where the rest is explained. `setup` is the one-time
/// link when no operator exists yet.
pub fn ready_banner(
    listening: SocketAddr,
    base: &url::Url,
    setup: Option<&crate::auth::setup::SetupLink>,
) -> String {
    let base = base.as_str().trim_end_matches('/');
    let next = match setup {
        Some(link) => format!(
            "  First operator: open {} (it works once, until {} UTC)",
            link.url,
            link.expires_at.format("%Y-%m-%d %H:%M")
        ),
        None => format!(
            "  An operator exists: sign in at {base}/operator/login; organisations apply at {base}/register"
        ),
    };
    format!(
        "Orgdesk is ready on http://{listening}\n{next}\n  Next: README.md, sections \"Accounts and sign-in\" and \"Registration and review\""
    )
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Without TCP_NODELAY each streamed chunk of a page waits for a delayed ACK (~40 ms).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_leads_to_the_setup_link_or_the_sign_in_page() {
        let listening: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let base = url::Url::parse("http://127.0.0.1:3000").unwrap();
        let link = crate::auth::setup::SetupLink {
            url: "http://127.0.0.1:3000/setup?token=abc".into(),
            expires_at: chrono::DateTime::from_timestamp(1_796_256_000, 0).unwrap(),
        };
        let first = ready_banner(listening, &base, Some(&link));
        assert_eq!(first.lines().count(), 3, "{first}");
        assert!(first.starts_with("Orgdesk is ready on http://127.0.0.1:3000\n"));
        assert!(first.contains(&link.url), "{first}");
        assert!(first.contains("until 2026-12-03 00:00 UTC"), "{first}");
        assert!(first.contains("Accounts and sign-in"), "{first}");
        let later = ready_banner(listening, &base, None);
        assert_eq!(later.lines().count(), 3, "{later}");
        assert!(!later.contains("setup?token"), "{later}");
        assert!(
            later.contains("http://127.0.0.1:3000/operator/login"),
            "{later}"
        );
    }

    #[test]
    fn a_taken_port_says_what_to_do() {
        let addr: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let err = std::io::Error::from(std::io::ErrorKind::AddrInUse);
        let text = bind_error(addr, &err);
        assert!(text.contains("127.0.0.1:3000"), "{text}");
        assert!(text.contains("LEPTOS_SITE_ADDR=127.0.0.1:3005"), "{text}");
    }
}
