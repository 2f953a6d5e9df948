//! What every contacts change shares: ids, the actor, the audit row and the locked transaction.
use super::*;
use crate::audit::repo::{Actor, Event, record};
use crate::auth::guard::{Principal, RequestMeta};
use crate::contacts::repo::{self, ContactsError};
use crate::server::state::app_state;
use sqlx::PgConnection;
use uuid::Uuid;

/// An id from the request; anything that is not one is simply not found.
pub(super) fn id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
}

pub(super) fn actor(p: &Principal) -> Actor {
    RequestMeta::current().actor(Some(p.id()), "member")
}

/// What a contacts change is about.
pub(super) enum Subject {
    Department(Uuid),
    Employee(Uuid),
}

/// Writes the audit row of one change, in its transaction.
pub(super) async fn audit(
    c: &mut PgConnection,
    actor: &Actor,
    org: Uuid,
    action: crate::audit::Action,
    target: Subject,
    details: serde_json::Value,
) -> Result<(), ContactsError> {
    let event = Event::new(action).org(Some(org)).details(details);
    let event = match target {
        Subject::Department(id) => event.target("department", id.to_string()),
        Subject::Employee(id) => event.target_account(id),
    };
    record(c, actor, &event).await?;
    Ok(())
}

/// Runs one change, with its audit row, in a transaction under the
/// organisation's contacts lock.
pub(super) async fn change<T>(
    org: Uuid,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, ContactsError>,
) -> Result<T, AppError> {
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    match repo::lock(&mut tx, org, state.contacts.lock_wait).await {
        Ok(()) => {}
        // Another change of this organisation's contacts is still running.
        Err(e) if repo::is_lock_timeout(&e) => {
            return Err(AppError::too_many_requests(Some(2)));
        }
        Err(e) => return Err(e.into()),
    }
    let out = work(&mut tx).await.map_err(AppError::from)?;
    tx.commit().await?;
    Ok(out)
}
