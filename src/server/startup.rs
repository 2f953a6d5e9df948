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
use tower_http::{CompressionLevel, catch_panic::CatchPanicLayer, compression::CompressionLayer};

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
    let trusted = security::TrustedOrigins(Arc::new(vec![state.config.public_origin()]));

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
            post(crate::registration::documents::upload).layer(
                axum::extract::DefaultBodyLimit::max(
                    crate::registration::MAX_DOCUMENT_BYTES + 64 * 1024,
                ),
            ),
        )
        .route(
            "/register/files/{kind}",
            get(crate::registration::documents::applicant_file),
        )
        .route(
            "/operator/reviews/{id}/files/{kind}",
            get(crate::registration::documents::operator_file),
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
