//! Reading the audit log.
use super::AuditPage;
use crate::error::AppError;
use leptos::prelude::*;

/// The caller's organisation's audit log (administrators), newest first.
#[server(prefix = "/api", endpoint = "admin_audit")]
pub async fn admin_audit(before: Option<i64>) -> Result<AuditPage, AppError> {
    use crate::access::{Permission, Target, require};
    let org_id = require(Permission::ViewAuditLog, Target::Organisation)
        .await?
        .org;
    let state = crate::server::state::app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org_id).await?;
    Ok(super::repo::list(&state.db, Some(org_id), before, zone).await?)
}

/// The platform's audit log (operators): rows that belong to no organisation.
#[server(prefix = "/api", endpoint = "operator_audit")]
pub async fn operator_audit(before: Option<i64>) -> Result<AuditPage, AppError> {
    crate::access::require_operator(crate::access::Permission::ViewAuditLog).await?;
    let state = crate::server::state::app_state()?;
    Ok(super::repo::list(&state.db, None, before, state.time_zone).await?)
}
