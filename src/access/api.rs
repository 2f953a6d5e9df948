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
mod imp {
    use super::super::repo::{self, GroupInput};
    use super::super::{
        AccessPage, AdminGroup, GroupScope, MAX_GROUP_DEPARTMENTS, MAX_GROUP_MEMBERS, MAX_GROUPS,
        Permission, Target, require,
    };
    use super::*;
    use crate::access::Access;
    use crate::audit::Action;
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::RequestMeta;
    use crate::error::{Code, FieldErrors};
    use crate::server::state::{AppState, app_state};
    use serde_json::json;
    use sqlx::PgConnection;
    use uuid::Uuid;

    fn id(raw: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
    }

    /// An account id as typed, bounded before any query.
    fn userid(raw: &str) -> Result<String, AppError> {
        let u = raw.trim();
        if u.is_empty() {
            return Err(AppError::field("person", Code::ValidationRequired));
        }
        if u.chars().count() > 64 {
            return Err(AppError::field("person", Code::AccessMemberUnknown));
        }
        Ok(u.to_owned())
    }

    async fn person(
        c: &mut PgConnection,
        org: Uuid,
        userid: &str,
    ) -> Result<repo::Person, AppError> {
        repo::person_by_userid(c, org, userid)
            .await?
            .ok_or_else(|| AppError::field("person", Code::AccessMemberUnknown))
    }

    /// Runs one change in a transaction under the organisation's contacts lock.
    async fn change<T>(
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

    async fn audit(
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
    fn may_manage(
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

    fn permissions_of(group: &AdminGroup) -> Vec<Permission> {
        group
            .permissions
            .iter()
            .filter_map(|p| Permission::parse(p))
            .collect()
    }

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

    pub async fn transfer_creator(
        raw: String,
        password: String,
        code: String,
    ) -> Result<(), AppError> {
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
    async fn saved(
        c: &mut PgConnection,
        org: Uuid,
        group: Uuid,
    ) -> Result<repo::GroupRow, AppError> {
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
        crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code)
            .await?;
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
                    let mut has: Vec<String> =
                        input.departments.iter().map(Uuid::to_string).collect();
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
        crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code)
            .await?;
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
        crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code)
            .await?;
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
}
