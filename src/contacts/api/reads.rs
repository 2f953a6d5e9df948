//! Reading the tree, the chart, the members and one employee.
use super::common::*;
use super::*;
use crate::access::{Permission, require};
use crate::contacts::StatusFilter;
use crate::contacts::repo;
use crate::contacts::repo::members::{self, MemberQuery};
use crate::server::state::app_state;

pub async fn branch(department: String) -> Result<Branch, AppError> {
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let selected = match department.trim() {
        "" => None,
        raw => Some(id(raw)?),
    };
    repo::branch(&state.db, org, selected)
        .await?
        .ok_or_else(AppError::not_found)
}

pub async fn children(parent: String) -> Result<Vec<DepartmentNode>, AppError> {
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let parent = id(&parent)?;
    let mut conn = state.db.acquire().await?;
    repo::existing(&mut conn, org, parent)
        .await
        .map_err(AppError::from)?;
    Ok(repo::children(&state.db, org, parent).await?)
}

pub async fn tree(from: String) -> Result<TreeColumns, AppError> {
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let from = match from.trim() {
        "" => None,
        raw => Some(id(raw)?),
    };
    let nodes = repo::tree(&state.db, org, from).await?;
    if nodes.is_empty() && from.is_some() {
        return Err(AppError::not_found());
    }
    Ok(nodes)
}

pub async fn chart(from: String, levels: i32) -> Result<Vec<ChartNode>, AppError> {
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let from = match from.trim() {
        "" => None,
        raw => Some(id(raw)?),
    };
    let levels = if levels <= 0 { 3 } else { levels.min(8) };
    let nodes = repo::chart(&state.db, org, from, levels, 500).await?;
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
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let mut conn = state.db.acquire().await?;
    let d = match department.trim() {
        "" => repo::root(&mut conn, org).await?,
        raw => repo::department(&mut conn, org, id(raw)?).await?,
    }
    .ok_or_else(AppError::not_found)?;
    drop(conn);
    let query = MemberQuery {
        direct_only: direct,
        search: q.chars().take(100).collect(),
        status: StatusFilter::parse(&status),
        page: page.max(1),
    };
    Ok(members::members(&state.db, org, &d, &query).await?)
}

pub async fn find_departments(q: String) -> Result<Vec<(String, String)>, AppError> {
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    Ok(repo::search(&state.db, org, &q.chars().take(64).collect::<String>(), 20).await?)
}

pub async fn find_people(q: String) -> Result<Vec<PersonOption>, AppError> {
    let (_, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let q: String = q.chars().take(64).collect();
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(members::search_people(&state.db, org, &q, 20)
        .await?
        .into_iter()
        .map(|(id, name, userid, department)| PersonOption {
            id,
            name,
            userid,
            department,
        })
        .collect())
}

pub async fn employee(raw: String) -> Result<EmployeeDetail, AppError> {
    let (p, org) = require(Permission::ViewContacts).await?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, org).await?;
    members::detail(&state.db, org, id(&raw)?, p.id(), zone)
        .await?
        .ok_or_else(AppError::not_found)
}
