//! Reading the tree, the chart, the members and one employee. A scoped
//! administrator reads their subtrees only: a blank department means the
//! first top of them, and a department or person outside them is not found.
use super::common::*;
use super::*;
use crate::access::{Access, Permission, Target, require};
use crate::contacts::StatusFilter;
use crate::contacts::repo;
use crate::contacts::repo::members::{self, MemberQuery};
use crate::server::state::app_state;
use uuid::Uuid;

/// The department a request names, checked against the caller's scope;
/// blank: `None` for the whole organisation (its root), else the first top
/// of the caller's subtrees.
async fn start(access: &Access, raw: &str) -> Result<Option<Uuid>, AppError> {
    match raw.trim() {
        "" => match access.roots() {
            None => Ok(None),
            Some(roots) => {
                let state = app_state()?;
                let mut conn = state.db.acquire().await?;
                let tops = repo::tops(&mut conn, access.org, roots).await?;
                Ok(Some(tops.first().ok_or_else(AppError::not_found)?.id))
            }
        },
        raw => {
            let d = id(raw)?;
            access.check(Target::Department(d)).await?;
            Ok(Some(d))
        }
    }
}

async fn viewer() -> Result<Access, AppError> {
    require(Permission::ViewContacts, Target::InScope).await
}

pub async fn branch(department: String) -> Result<Branch, AppError> {
    let access = viewer().await?;
    let state = app_state()?;
    let selected = start(&access, &department).await?;
    let mut branch = repo::branch(&state.db, access.org, selected, access.roots())
        .await?
        .ok_or_else(AppError::not_found)?;
    let invite = access.grants.scope_of(Permission::InviteMembers);
    branch.may_invite = invite.is_some();
    branch.manages_join_link = invite.is_some_and(|s| s.is_organisation());
    branch.may_import = access.grants.scope_of(Permission::ManageContacts).is_some();
    Ok(branch)
}

pub async fn children(parent: String) -> Result<Vec<DepartmentNode>, AppError> {
    let access = viewer().await?;
    let state = app_state()?;
    let parent = id(&parent)?;
    access.check(Target::Department(parent)).await?;
    let mut conn = state.db.acquire().await?;
    repo::existing(&mut conn, access.org, parent)
        .await
        .map_err(AppError::from)?;
    Ok(repo::children(&state.db, access.org, parent).await?)
}

pub async fn tree(from: String) -> Result<TreeColumns, AppError> {
    let access = viewer().await?;
    let state = app_state()?;
    let org = access.org;
    let tops: Vec<Option<Uuid>> = match (from.trim(), access.roots()) {
        ("", Some(roots)) => {
            let mut conn = state.db.acquire().await?;
            repo::tops(&mut conn, org, roots)
                .await?
                .into_iter()
                .map(|d| Some(d.id))
                .collect()
        }
        _ => vec![start(&access, &from).await?],
    };
    // A scoped administrator's subtrees, one after another.
    let mut out = TreeColumns::default();
    for top in tops {
        let part = repo::tree(&state.db, org, top).await?;
        let offset = out.ids.len() as i32;
        out.parents.extend(
            part.parents
                .iter()
                .map(|&p| if p < 0 { p } else { p + offset }),
        );
        out.ids.extend(part.ids);
        out.names.extend(part.names);
        out.headcounts.extend(part.headcounts);
        out.versions.extend(part.versions);
    }
    if out.is_empty() && !from.trim().is_empty() {
        return Err(AppError::not_found());
    }
    Ok(out)
}

pub async fn chart(from: String, levels: i32) -> Result<Vec<ChartNode>, AppError> {
    let access = viewer().await?;
    let state = app_state()?;
    let from = start(&access, &from).await?;
    let levels = if levels <= 0 { 3 } else { levels.min(8) };
    let nodes = repo::chart(&state.db, access.org, from, levels, 500).await?;
    if nodes.is_empty() {
        return Err(AppError::not_found());
    }
    Ok(nodes)
}

pub async fn members(
    department: String,
    q: String,
    status: String,
    direct: bool,
    page: i64,
) -> Result<MemberPage, AppError> {
    let access = viewer().await?;
    let org = access.org;
    let state = app_state()?;
    let selected = start(&access, &department).await?;
    let mut conn = state.db.acquire().await?;
    let d = match selected {
        None => repo::root(&mut conn, org).await?,
        Some(d) => repo::department(&mut conn, org, d).await?,
    }
    .ok_or_else(AppError::not_found)?;
    drop(conn);
    let query = MemberQuery {
        direct_only: direct,
        search: q.chars().take(100).collect(),
        status: StatusFilter::parse(&status),
        page: page.max(1),
    };
    Ok(members::members(&state.db, org, &d, &query, access.roots()).await?)
}

pub async fn find_departments(q: String) -> Result<Vec<(String, String)>, AppError> {
    let access = viewer().await?;
    let state = app_state()?;
    let q: String = q.chars().take(64).collect();
    Ok(repo::search(&state.db, access.org, &q, 20, access.roots()).await?)
}

pub async fn find_people(q: String) -> Result<Vec<PersonOption>, AppError> {
    let access = viewer().await?;
    let state = app_state()?;
    let q: String = q.chars().take(64).collect();
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(
        members::search_people(&state.db, access.org, &q, 20, access.roots())
            .await?
            .into_iter()
            .map(|(id, name, userid, department)| PersonOption {
                id,
                name,
                userid,
                department,
            })
            .collect(),
    )
}

pub async fn employee(raw: String) -> Result<EmployeeDetail, AppError> {
    let access = viewer().await?;
    let person = id(&raw)?;
    access.check(Target::Person(person)).await?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, access.org).await?;
    members::detail(
        &state.db,
        access.org,
        person,
        access.principal.id(),
        zone,
        access.roots(),
    )
    .await?
    .ok_or_else(AppError::not_found)
}
