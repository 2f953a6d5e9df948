//! `/healthz`: answers 200 when the database answers, 503 otherwise, so a
//! load balancer takes an instance out of rotation when it cannot serve.
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz(State(db): State<PgPool>) -> impl IntoResponse {
    let probe = sqlx::query_scalar!(r#"SELECT 1 AS "ok!""#).fetch_one(&db);
    match tokio::time::timeout(DATABASE_TIMEOUT, probe).await {
        Ok(Ok(1)) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        Ok(Ok(_)) | Ok(Err(_)) | Err(_) => {
            tracing::warn!("health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unavailable" })),
            )
        }
    }
}
