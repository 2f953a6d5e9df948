//! Reading the audit log.
use super::AuditPage;
use crate::error::AppError;
use leptos::prelude::*;

/// The caller's organisation's audit log (administrators), newest first,
/// filtered; `before` is the previous page's cursor.
#[server(prefix = "/api", endpoint = "admin_audit")]
pub async fn admin_audit(
    #[server(default)] actor: String,
    #[server(default)] action: String,
    #[server(default)] target: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    before: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::access::{Permission, Target, require};
    let org_id = require(Permission::ViewAuditLog, Target::Organisation)
        .await?
        .org;
    let state = crate::server::state::app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org_id).await?;
    let query = super::AuditQuery {
        actor,
        action,
        target,
        from,
        to,
    };
    let filter = super::repo::resolve(&state.db, Some(org_id), &query, zone).await?;
    Ok(super::repo::list(&state.db, &filter, before.as_deref(), zone).await?)
}

/// The platform's audit log (operators): rows that belong to no organisation.
#[server(prefix = "/api", endpoint = "operator_audit")]
pub async fn operator_audit(
    #[server(default)] actor: String,
    #[server(default)] action: String,
    #[server(default)] target: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    before: Option<String>,
) -> Result<AuditPage, AppError> {
    crate::access::require_operator(crate::access::Permission::ViewAuditLog).await?;
    let state = crate::server::state::app_state()?;
    let query = super::AuditQuery {
        actor,
        action,
        target,
        from,
        to,
    };
    let filter = super::repo::resolve(&state.db, None, &query, state.time_zone).await?;
    Ok(super::repo::list(&state.db, &filter, before.as_deref(), state.time_zone).await?)
}
