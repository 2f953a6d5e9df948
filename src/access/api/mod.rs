//! Server functions of `/admin/access`: super administrators, the creator
//! and admin groups. Every change asks the caller to sign it with their
//! password (and second factor), runs in one transaction under the
//! organisation's contacts lock and is audited with before and after.
#![allow(clippy::too_many_arguments)]
use super::AccessPage;
use crate::error::AppError;
use leptos::prelude::*;

/// Super administrators, the creator and the admin groups the caller may manage.
#[server(prefix = "/api", endpoint = "access_overview")]
pub async fn access_overview() -> Result<AccessPage, AppError> {
    imp::overview().await
}

/// Makes the member with account id (userid) `person` a super administrator.
#[server(prefix = "/api", endpoint = "access_super_admin_grant")]
pub async fn grant_super_admin(
    person: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::set_super_admin(person, true, password, code).await
}

/// Takes the super administrator role from `person` (an account id): never
/// from the creator, nor from the last one who can act.
#[server(prefix = "/api", endpoint = "access_super_admin_remove")]
pub async fn remove_super_admin(
    person: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::set_super_admin(person, false, password, code).await
}

/// Passes the creator role to another super administrator (`person`, an
/// account id); the creator only. Both are told.
#[server(prefix = "/api", endpoint = "access_creator_transfer")]
pub async fn transfer_creator(
    person: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::transfer_creator(person, password, code).await
}

/// Creates an admin group (`id` blank) or saves a new version of one:
/// its name, permissions and scope (`organisation`, `departments` with
/// `departments` chosen, or `own_departments`). Returns the group's id.
#[server(prefix = "/api", endpoint = "access_group_save")]
pub async fn save_admin_group(
    #[server(default)] id: String,
    name: String,
    #[server(default)] permissions: Vec<String>,
    scope: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] version: i32,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<String, AppError> {
    let form = imp::GroupForm {
        name,
        permissions,
        scope,
        departments,
    };
    imp::save_group(id, form, version, password, code).await
}

#[server(prefix = "/api", endpoint = "access_group_delete")]
pub async fn delete_admin_group(
    id: String,
    version: i32,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::delete_group(id, version, password, code).await
}

/// Sets the group's members from account ids (userids) separated by commas or spaces.
#[server(prefix = "/api", endpoint = "access_group_members")]
pub async fn set_admin_group_members(
    id: String,
    #[server(default)] members: String,
    version: i32,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::set_members(id, members, version, password, code).await
}

#[cfg(feature = "ssr")]
mod common;
#[cfg(feature = "ssr")]
mod groups;
#[cfg(feature = "ssr")]
mod roles;

/// The server functions' bodies, one module per flow.
#[cfg(feature = "ssr")]
mod imp {
    pub use super::groups::*;
    pub use super::roles::*;
}
