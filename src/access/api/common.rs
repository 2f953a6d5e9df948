//! What the access functions share: ids, the locked transaction, the audit row and the rule of who may manage a group.
use super::super::repo::{self};
use super::super::{AdminGroup, GroupScope, Permission};
use super::*;
use crate::access::Access;
use crate::audit::repo::{Event, record};
use crate::auth::guard::RequestMeta;
use crate::error::Code;
use crate::server::state::AppState;
use sqlx::PgConnection;
use uuid::Uuid;

pub(super) fn id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
}

/// An account id as typed, bounded before any query.
pub(super) fn userid(raw: &str) -> Result<String, AppError> {
    let u = raw.trim();
    if u.is_empty() {
        return Err(AppError::field("person", Code::ValidationRequired));
    }
    if u.chars().count() > 64 {
        return Err(AppError::field("person", Code::AccessMemberUnknown));
    }
    Ok(u.to_owned())
}

pub(super) async fn person(
    c: &mut PgConnection,
    org: Uuid,
    userid: &str,
) -> Result<repo::Person, AppError> {
    repo::person_by_userid(c, org, userid)
        .await?
        .ok_or_else(|| AppError::field("person", Code::AccessMemberUnknown))
}

/// Runs one change in a transaction under the organisation's contacts lock.
pub(super) async fn change<T>(
    state: &AppState,
    org: Uuid,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut tx = state.db.begin().await?;
    match crate::contacts::repo::lock(&mut tx, org, state.contacts.lock_wait).await {
        Ok(()) => {}
        Err(e) if crate::contacts::repo::is_lock_timeout(&e) => {
            return Err(AppError::too_many_requests(Some(2)));
        }
        Err(e) => return Err(e.into()),
    }
    let out = work(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn audit(
    c: &mut PgConnection,
    access: &Access,
    meta: &RequestMeta,
    event: Event<'_>,
) -> Result<(), AppError> {
    let actor = meta.actor(Some(access.principal.id()), "member");
    record(c, &actor, &event.org(Some(access.org))).await?;
    Ok(())
}

/// Whether the caller may create, change or fill a group with these
/// permissions over this scope: a super administrator may; anyone else
/// only within what they hold themselves.
pub(super) fn may_manage(
    access: &Access,
    permissions: &[Permission],
    scope: GroupScope,
    paths: &[Vec<Uuid>],
) -> bool {
    // The group lies where the caller manages roles (a group of each
    // holder's own departments can lie anywhere: only an
    // organisation-wide manager reaches it) ...
    let within = access
        .scope
        .contains(paths, scope != GroupScope::Departments);
    // ... and hands on nothing the caller does not hold there.
    within
        && access.grants.may_grant(
            permissions,
            scope == GroupScope::Organisation,
            scope == GroupScope::OwnDepartments,
            paths,
        )
}

pub(super) fn permissions_of(group: &AdminGroup) -> Vec<Permission> {
    group
        .permissions
        .iter()
        .filter_map(|p| Permission::parse(p))
        .collect()
}
