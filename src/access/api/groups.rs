//! Admin groups: their permissions, scope and members.
use super::super::repo::{self, GroupInput};
use super::super::{
    AdminGroup, GroupScope, MAX_GROUP_DEPARTMENTS, MAX_GROUP_MEMBERS, MAX_GROUPS, Permission,
    Target, require,
};
use super::*;
use crate::access::Access;
use crate::audit::Action;
use crate::audit::repo::Event;
use crate::auth::guard::RequestMeta;
use crate::error::{Code, FieldErrors};
use crate::server::state::app_state;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::common::*;

/// The group form as typed.
pub struct GroupForm {
    pub name: String,
    pub permissions: Vec<String>,
    pub scope: String,
    pub departments: Vec<String>,
}

/// Checks everything that needs no database, reporting every field at once.
fn parse(form: &GroupForm) -> Result<(GroupInput, Vec<Permission>), AppError> {
    let mut errors = FieldErrors::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.push("name", Code::ValidationRequired);
    } else if name.chars().count() > 64 {
        errors.push("name", Code::ValidationTooLong);
    }
    if form.permissions.len() > Permission::ALL.len()
        || form.departments.len() > MAX_GROUP_DEPARTMENTS
    {
        return Err(AppError::field(
            "departments",
            Code::AccessTooManyDepartments,
        ));
    }
    let mut permissions = Vec::new();
    for raw in &form.permissions {
        match Permission::parse(raw.trim()) {
            Some(p) if !p.operators_only() => {
                if !permissions.contains(&p) {
                    permissions.push(p);
                }
            }
            _ => errors.push("permissions", Code::ValidationChoice),
        }
    }
    if permissions.is_empty() && form.permissions.is_empty() {
        errors.push("permissions", Code::AccessPermissionsRequired);
    }
    let scope = GroupScope::parse(form.scope.trim());
    if scope.is_none() {
        errors.push("scope", Code::ValidationChoice);
    }
    let mut departments = Vec::new();
    if scope == Some(GroupScope::Departments) {
        for raw in &form.departments {
            match Uuid::parse_str(raw.trim()) {
                Ok(d) if !departments.contains(&d) => departments.push(d),
                Ok(_) => {}
                Err(_) => errors.push("departments", Code::EmployeeDepartmentUnknown),
            }
        }
        if departments.is_empty() && form.departments.is_empty() {
            errors.push("departments", Code::AccessDepartmentsRequired);
        }
    }
    errors.finish()?;
    // Stored in the fixed list's order, so two saves of one choice compare equal.
    permissions.sort_by_key(|p| Permission::ALL.iter().position(|q| q == p));
    Ok((
        GroupInput {
            name,
            permissions: permissions.iter().map(|p| p.as_str().to_owned()).collect(),
            scope: scope.unwrap_or(GroupScope::Departments),
            departments,
        },
        permissions,
    ))
}

fn group_record(g: &AdminGroup) -> serde_json::Value {
    json!({
        "name": g.name,
        "permissions": g.permissions.join(", "),
        "scope": g.scope.as_str(),
        "departments": g.departments.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join("; "),
    })
}

/// The group as saved, for the audit log.
async fn saved(c: &mut PgConnection, org: Uuid, group: Uuid) -> Result<repo::GroupRow, AppError> {
    repo::groups(c, org, Some(group))
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// A group the caller may manage, locked at `version`.
async fn manageable(
    c: &mut PgConnection,
    access: &Access,
    group: Uuid,
    version: i32,
) -> Result<repo::GroupRow, AppError> {
    let current = repo::group_version(c, access.org, group)
        .await?
        .ok_or_else(AppError::not_found)?;
    let row = saved(c, access.org, group).await?;
    if !may_manage(
        access,
        &permissions_of(&row.group),
        row.group.scope,
        &row.department_paths,
    ) {
        // Beyond the caller's own grants: as if it were not there.
        return Err(AppError::not_found());
    }
    if current != version {
        return Err(AppError::conflict());
    }
    Ok(row)
}

pub async fn save_group(
    raw: String,
    form: GroupForm,
    version: i32,
    password: String,
    code: String,
) -> Result<String, AppError> {
    let access = require(Permission::ManageAccess, Target::InScope).await?;
    let existing = match raw.trim() {
        "" => None,
        raw => Some(id(raw)?),
    };
    let (input, permissions) = parse(&form)?;
    let state = app_state()?;
    let meta = RequestMeta::current();
    crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code).await?;
    let org = access.org;
    change(&state, org, async |c| {
        // A group beyond the caller is not found, whatever the form says.
        let current = match existing {
            Some(group) => Some(manageable(c, &access, group, version).await?),
            None => None,
        };
        let paths = repo::department_paths(c, org, &input.departments)
            .await?
            .ok_or_else(|| AppError::field("departments", Code::EmployeeDepartmentUnknown))?;
        if !may_manage(&access, &permissions, input.scope, &paths) {
            return Err(AppError::field("permissions", Code::AccessBeyondOwn));
        }
        if repo::name_taken(c, org, &input.name, existing).await? {
            return Err(AppError::field("name", Code::AccessGroupNameTaken));
        }
        let (group, before) = match (existing, current) {
            (Some(group), Some(before)) => {
                let mut had: Vec<&str> = before
                    .group
                    .departments
                    .iter()
                    .map(|(id, _)| id.as_str())
                    .collect();
                let mut has: Vec<String> = input.departments.iter().map(Uuid::to_string).collect();
                had.sort_unstable();
                has.sort_unstable();
                let unchanged = before.group.name == input.name
                    && before.group.permissions == input.permissions
                    && before.group.scope == input.scope
                    && had == has.iter().map(String::as_str).collect::<Vec<_>>();
                if unchanged {
                    // Saved as it was: no new version, nothing to record.
                    return Ok(group.to_string());
                }
                (group, Some(group_record(&before.group)))
            }
            _ => {
                if repo::group_count(c, org).await? >= MAX_GROUPS as i64 {
                    return Err(AppError::field("name", Code::AccessTooManyGroups));
                }
                (Uuid::now_v7(), None)
            }
        };
        repo::save_group(c, org, group, &input, before.is_none()).await?;
        let after = group_record(&saved(c, org, group).await?.group);
        let event = Event::new(if before.is_some() {
            Action::AdminGroupChanged
        } else {
            Action::AdminGroupCreated
        })
        .target("admin_group", group.to_string());
        let details = match before {
            Some(before) => {
                let (before, after) = crate::contacts::repo::members::changed(&before, &after);
                if after.as_object().is_none_or(|o| o.is_empty()) {
                    return Ok(group.to_string());
                }
                json!({ "group": input.name, "before": before, "after": after })
            }
            None => json!({ "after": after }),
        };
        audit(c, &access, &meta, event.details(details)).await?;
        Ok(group.to_string())
    })
    .await
}

pub async fn delete_group(
    raw: String,
    version: i32,
    password: String,
    code: String,
) -> Result<(), AppError> {
    let access = require(Permission::ManageAccess, Target::InScope).await?;
    let group = id(&raw)?;
    let state = app_state()?;
    let meta = RequestMeta::current();
    crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code).await?;
    let org = access.org;
    change(&state, org, async |c| {
        let before = manageable(c, &access, group, version).await?;
        repo::delete_group(c, org, group).await?;
        let mut record = group_record(&before.group);
        record["members"] = json!(member_names(&before.group));
        audit(
            c,
            &access,
            &meta,
            Event::new(Action::AdminGroupDeleted)
                .target("admin_group", group.to_string())
                .details(json!({ "before": record })),
        )
        .await
    })
    .await
}

fn member_names(g: &AdminGroup) -> String {
    g.members
        .iter()
        .map(|m| format!("{} ({})", m.name, m.userid))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn set_members(
    raw: String,
    members: String,
    version: i32,
    password: String,
    code: String,
) -> Result<(), AppError> {
    let access = require(Permission::ManageAccess, Target::InScope).await?;
    let group = id(&raw)?;
    let wanted = crate::contacts::api::parse_member_userids(
        &members,
        MAX_GROUP_MEMBERS,
        "members",
        Code::AccessTooManyMembers,
    )?;
    let state = app_state()?;
    // A group beyond the caller is not found, whoever is named.
    manageable(&mut *state.db.acquire().await?, &access, group, version).await?;
    let meta = RequestMeta::current();
    crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code).await?;
    let found = repo::resolve(&state.db, access.org, &wanted).await?;
    if found.len() != wanted.len() {
        return Err(AppError::field("members", Code::AccessMemberUnknown));
    }
    let ids: Vec<Uuid> = found.iter().map(|(id, _)| *id).collect();
    if !access.is_super_admin() {
        // A delegated administrator appoints people of their own scope only.
        for &person in &ids {
            access
                .check(Target::Person(person))
                .await
                .map_err(|_| AppError::field("members", Code::AccessMemberUnknown))?;
        }
    }
    let org = access.org;
    change(&state, org, async |c| {
        let before = manageable(c, &access, group, version).await?;
        let mut ids = ids.clone();
        if let Some(roots) = access.roots() {
            // Members beyond a scoped caller are not theirs to remove.
            let current: Vec<Uuid> = before
                .group
                .members
                .iter()
                .filter_map(|m| m.id.parse().ok())
                .collect();
            let seen = repo::in_scope(&mut *c, org, &current, roots).await?;
            for id in current {
                if !seen.contains(&id) && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let (added, removed) = repo::set_members(c, org, group, &ids).await?;
        if added.is_empty() && removed.is_empty() {
            return Ok(());
        }
        let after = saved(c, org, group).await?;
        audit(
            c,
            &access,
            &meta,
            Event::new(Action::AdminGroupMembersChanged)
                .target("admin_group", group.to_string())
                .details(json!({
                    "group": before.group.name,
                    "before": { "members": member_names(&before.group) },
                    "after": { "members": member_names(&after.group) },
                })),
        )
        .await
    })
    .await
}
