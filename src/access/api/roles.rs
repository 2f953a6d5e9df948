//! Super administrators and the creator.
use super::super::repo::{self};
use super::super::{AccessPage, AdminGroup, Permission, Target, require};
use super::*;
use crate::access::Access;
use crate::audit::Action;
use crate::audit::repo::Event;
use crate::auth::guard::RequestMeta;
use crate::error::Code;
use crate::server::state::{AppState, app_state};
use serde_json::json;
use uuid::Uuid;

use super::common::*;

pub async fn overview() -> Result<AccessPage, AppError> {
    let access = require(Permission::ManageAccess, Target::InScope).await?;
    let state = app_state()?;
    let mut conn = state.db.acquire().await?;
    let supers = repo::super_admins(&mut *conn, access.org).await?;
    let mut groups: Vec<AdminGroup> = repo::groups(&mut conn, access.org, None)
        .await?
        .into_iter()
        .filter(|g| {
            may_manage(
                &access,
                &permissions_of(&g.group),
                g.group.scope,
                &g.department_paths,
            )
        })
        .map(|g| g.group)
        .collect();
    // Members beyond a scoped caller stay in their groups, unseen.
    if let Some(roots) = access.roots() {
        let people: Vec<Uuid> = groups
            .iter()
            .flat_map(|g| g.members.iter().filter_map(|m| m.id.parse().ok()))
            .collect();
        let seen = repo::in_scope(&mut *conn, access.org, &people, roots).await?;
        for g in &mut groups {
            g.members
                .retain(|m| m.id.parse().is_ok_and(|id: Uuid| seen.contains(&id)));
        }
    }
    let caller = access.principal.id();
    let caller_is_creator = supers
        .iter()
        .any(|s| s.creator && s.admin.id == caller.to_string());
    let grantable = Permission::ALL
        .into_iter()
        .filter(|&p| access.grants.scope_of(p).is_some())
        .map(|p| p.as_str().to_owned())
        .collect();
    // Super administrators are listed to those who may change them.
    let supers = if access.is_super_admin() {
        supers
    } else {
        Vec::new()
    };
    Ok(AccessPage {
        creator: supers.iter().find(|s| s.creator).map(|s| s.admin.clone()),
        super_admins: supers.into_iter().map(|s| s.admin).collect(),
        groups,
        caller_is_super_admin: access.is_super_admin(),
        caller_is_creator,
        caller_id: caller.to_string(),
        grantable,
    })
}

/// Only a super administrator grants or removes that role, or passes
/// on the creator's.
/// Returns the caller, signed, and the account id asked about.
async fn super_admin_caller(
    raw: &str,
    password: &str,
    code: &str,
) -> Result<(Access, AppState, RequestMeta, String), AppError> {
    let access = require(Permission::ManageAccess, Target::Organisation).await?;
    if !access.is_super_admin() {
        return Err(AppError::forbidden());
    }
    let wanted = userid(raw)?;
    let state = app_state()?;
    let meta = RequestMeta::current();
    crate::auth::api::reauthenticate(&state, &meta, &access.principal, password, code).await?;
    Ok((access, state, meta, wanted))
}

pub async fn set_super_admin(
    raw: String,
    grant: bool,
    password: String,
    code: String,
) -> Result<(), AppError> {
    // Who is asked first; the person is only looked up after the signature.
    let (access, state, meta, wanted) = super_admin_caller(&raw, &password, &code).await?;
    let org = access.org;
    change(&state, org, async |c| {
        let p = person(c, org, &wanted).await?;
        let person = p.id;
        let is_super = p.role == "super_admin";
        if grant == is_super {
            return Ok(());
        }
        if grant {
            if p.status == "disabled" || p.status == "departed" {
                return Err(AppError::field("person", Code::AccessPersonInactive));
            }
        } else {
            if repo::creator(c, org).await? == Some(person) {
                return Err(AppError::field("person", Code::AccessCreatorStays));
            }
            if repo::other_active_super_admins(c, org, person).await? == 0 {
                return Err(AppError::field("person", Code::EmployeeLastSuperAdmin));
            }
        }
        let (before, after) = if grant {
            ("employee", "super_admin")
        } else {
            ("super_admin", "employee")
        };
        repo::set_role(c, org, person, after).await?;
        let action = if grant {
            Action::SuperAdminGranted
        } else {
            Action::SuperAdminRemoved
        };
        audit(
            c,
            &access,
            &meta,
            Event::new(action).target_account(person).details(json!({
                "name": p.name,
                "before": { "role": before },
                "after": { "role": after },
            })),
        )
        .await
    })
    .await
}

pub async fn transfer_creator(raw: String, password: String, code: String) -> Result<(), AppError> {
    let (access, state, meta, wanted) = super_admin_caller(&raw, &password, &code).await?;
    let org = access.org;
    let caller = access.principal.id();
    let sealer = state.codes.outbox_sealer().clone();
    let max_attempts = state.outbox_max_attempts;
    change(&state, org, async |c| {
        if repo::creator(c, org).await? != Some(caller) {
            return Err(AppError::forbidden());
        }
        let p = person(c, org, &wanted).await?;
        let person = p.id;
        if person == caller {
            return Ok(());
        }
        if p.role != "super_admin" || p.status != "active" {
            return Err(AppError::field("person", Code::AccessCreatorNotSuperAdmin));
        }
        let me = repo::person(c, org, caller)
            .await?
            .ok_or_else(AppError::not_found)?;
        repo::set_creator(c, org, person).await?;
        audit(
            c,
            &access,
            &meta,
            Event::new(Action::CreatorTransferred)
                .target_account(person)
                .details(json!({
                    "before": { "creator": me.name },
                    "after": { "creator": p.name },
                })),
        )
        .await?;
        let organisation = access
            .principal
            .account
            .org_name
            .clone()
            .unwrap_or_default();
        for (who, receiving) in [(&me, false), (&p, true)] {
            let (channel, recipient) = match (&who.email, &who.mobile) {
                (Some(e), _) => (crate::notify::Channel::Email, e.clone()),
                (None, Some(m)) => (crate::notify::Channel::Sms, m.clone()),
                (None, None) => continue,
            };
            let message = crate::notify::NewMessage {
                org_id: Some(org),
                channel,
                recipient,
                locale: meta.locale.to_owned(),
                template: crate::notify::Template::CreatorTransferred {
                    organisation: organisation.clone(),
                    from: me.name.clone(),
                    to: p.name.clone(),
                    receiving,
                },
                valid_for: None,
            };
            crate::notify::enqueue(&mut *c, &sealer, &message, max_attempts).await?;
        }
        Ok(())
    })
    .await
}
