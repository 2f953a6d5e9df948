//! Department changes: create, rename, move, reorder, delete and heads.
use super::common::*;
use super::*;
use crate::access::{Access, Permission, Target, require};
use crate::contacts::repo::{self, ContactsError, members};
use crate::contacts::{MAX_HEADS, rules};
use crate::error::Code;
use serde_json::json;

/// A caller who manages contacts somewhere; each function then checks its targets.
pub(super) async fn manager() -> Result<Access, AppError> {
    require(Permission::ManageContacts, Target::InScope).await
}

pub(super) fn department_name(raw: &str) -> Result<String, AppError> {
    rules::department_name(raw).map_err(|code| AppError::field("name", code))
}

pub async fn create_department(parent: String, name: String) -> Result<String, AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let parent = id(&parent)?;
    access.check(Target::Department(parent)).await?;
    let name = department_name(&name)?;
    let actor = actor(p);
    change(org, async |c| {
        let d = repo::create(c, org, parent, &name).await?;
        audit(
            c,
            &actor,
            org,
            crate::audit::Action::DepartmentCreated,
            Subject::Department(d.id),
            json!({ "after": { "name": d.name, "parent": parent.to_string() } }),
        )
        .await?;
        Ok(d.id.to_string())
    })
    .await
}

pub async fn rename_department(raw: String, name: String, version: i32) -> Result<(), AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let department = id(&raw)?;
    access.check(Target::Department(department)).await?;
    let name = department_name(&name)?;
    let actor = actor(p);
    change(org, async |c| {
        let before = repo::rename(c, org, department, &name, version).await?;
        audit(
            c,
            &actor,
            org,
            crate::audit::Action::DepartmentRenamed,
            Subject::Department(department),
            json!({ "before": { "name": before.name }, "after": { "name": name } }),
        )
        .await?;
        Ok(())
    })
    .await
}

pub async fn move_department(raw: String, parent: String, version: i32) -> Result<(), AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let department = id(&raw)?;
    let parent = id(&parent)?;
    access.check(Target::DepartmentBelow(department)).await?;
    access.check(Target::Department(parent)).await?;
    let actor = actor(p);
    change(org, async |c| {
        // Again under the lock: another move may have carried either one
        // out of the caller's scope since.
        for target in [
            Target::DepartmentBelow(department),
            Target::Department(parent),
        ] {
            access
                .check_in(c, target)
                .await
                .map_err(ContactsError::Refused)?;
        }
        let moved = repo::move_to(c, org, department, parent, version).await?;
        audit(
            c,
            &actor,
            org,
            crate::audit::Action::DepartmentMoved,
            Subject::Department(department),
            json!({
                "name": moved.before.name,
                "before": { "parent": moved.before.parent_id.map(|p| p.to_string()) },
                "after": { "parent": parent.to_string(), "parent_name": moved.new_parent.name },
                "descendants": moved.descendants,
            }),
        )
        .await?;
        Ok(())
    })
    .await
}

pub async fn reorder_department(raw: String, index: i32, version: i32) -> Result<(), AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let department = id(&raw)?;
    access.check(Target::DepartmentBelow(department)).await?;
    let actor = actor(p);
    change(org, async |c| {
        let (old, new) = repo::reorder(c, org, department, index, version).await?;
        if old != new {
            audit(
                c,
                &actor,
                org,
                crate::audit::Action::DepartmentReordered,
                Subject::Department(department),
                json!({ "before": { "position": old + 1 }, "after": { "position": new + 1 } }),
            )
            .await?;
        }
        Ok(())
    })
    .await
}

pub async fn delete_department(raw: String, version: i32) -> Result<String, AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let department = id(&raw)?;
    access.check(Target::DepartmentBelow(department)).await?;
    let actor = actor(p);
    change(org, async |c| {
        let d = repo::delete(c, org, department, version).await?;
        let parent = d.parent_id.map(|p| p.to_string()).unwrap_or_default();
        audit(
            c,
            &actor,
            org,
            crate::audit::Action::DepartmentDeleted,
            Subject::Department(department),
            json!({ "before": { "name": d.name, "parent": parent } }),
        )
        .await?;
        Ok(parent)
    })
    .await
}

/// Account ids (userids) as typed, separated by commas, spaces or 、:
/// lower-cased and de-duplicated in one pass, and refused with
/// `too_many` past `max` distinct ids, all before any query or lock.
pub(crate) fn parse_userids(
    raw: &str,
    max: usize,
    field: &'static str,
    too_many: Code,
) -> Result<Vec<String>, ContactsError> {
    let mut seen = std::collections::HashSet::new();
    let mut wanted = Vec::new();
    for u in raw
        .split(|ch: char| ch == ',' || ch == '，' || ch == '、' || ch.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let u = u.to_lowercase();
        if seen.insert(u.clone()) {
            if wanted.len() == max {
                return Err(ContactsError::Rule(field, too_many));
            }
            wanted.push(u);
        }
    }
    Ok(wanted)
}

pub async fn set_heads(raw: String, heads: String, version: i32) -> Result<(), AppError> {
    let access = manager().await?;
    let (p, org) = (&access.principal, access.org);
    let department = id(&raw)?;
    access.check(Target::Department(department)).await?;
    let heads = parse_userids(&heads, MAX_HEADS, "heads", Code::DepartmentTooManyHeads)
        .map_err(AppError::from)?;
    let actor = actor(p);
    change(org, async |c| {
        let ids = members::resolve_userids(c, org, &heads, "heads", Code::DepartmentHeadNotMember)
            .await?;
        let (before, after) = repo::set_heads(c, org, department, &ids, version).await?;
        audit(
            c,
            &actor,
            org,
            crate::audit::Action::DepartmentHeadsChanged,
            Subject::Department(department),
            json!({
                "before": { "heads": before.join(", ") },
                "after": { "heads": after.join(", ") },
            }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// The employee form as typed.
pub struct Form {
    pub name: String,
    pub userid: String,
    pub mobile: String,
    pub email: String,
    pub position: String,
    pub employee_no: String,
    pub gender: String,
    pub hire_date: String,
    pub departments: Vec<String>,
    pub main_department: String,
    pub managers: String,
}
