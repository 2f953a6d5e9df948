//! Reading failed deliveries (operators only).
use super::FailedDeliveries;
use crate::error::AppError;
use leptos::prelude::*;

/// Messages given up on, newest first; `before` is the `next_before` of the
/// previous page.
#[server(prefix = "/api", endpoint = "operator_failed_deliveries")]
pub async fn load_failed_deliveries(before: Option<String>) -> Result<FailedDeliveries, AppError> {
    crate::access::require_operator(crate::access::Permission::ViewApplicationData).await?;
    let before = match before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b) => Some(
            uuid::Uuid::try_parse(b)
                .map_err(|_| AppError::field("before", crate::error::Code::ValidationFormat))?,
        ),
    };
    let state = crate::server::state::app_state()?;
    Ok(super::repo::failed(&state.db, before, state.time_zone).await?)
}
