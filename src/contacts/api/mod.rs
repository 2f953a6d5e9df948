//! Server functions of the contacts console. Each one asks for its
//! permission first and works only inside the caller's organisation: ids
//! from the request are looked up within it, so another organisation's ids
//! are simply not found.
#![allow(clippy::too_many_arguments)]
use super::{Branch, ChartNode, DepartmentNode, EmployeeDetail, MemberPage, TreeColumns};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A person offered by a picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOption {
    pub id: String,
    pub name: String,
    pub userid: String,
    pub department: Option<String>,
}

/// The console's tree opened down to `department` (the root when blank).
#[server(prefix = "/api", endpoint = "contacts_branch")]
pub async fn contacts_branch(#[server(default)] department: String) -> Result<Branch, AppError> {
    imp::branch(department).await
}

/// The children of a department, for opening the tree one level.
#[server(prefix = "/api", endpoint = "contacts_children")]
pub async fn contacts_children(parent: String) -> Result<Vec<DepartmentNode>, AppError> {
    imp::children(parent).await
}

/// The whole tree, or the subtree under `from`, in columns and tree order.
#[server(prefix = "/api", endpoint = "contacts_tree", input = server_fn::codec::GetUrl)]
pub async fn contacts_tree(#[server(default)] from: String) -> Result<TreeColumns, AppError> {
    imp::tree(from).await
}

/// The org chart from `from` (the root when blank), `levels` deep (1-8), at most 500 boxes.
#[server(prefix = "/api", endpoint = "contacts_chart", input = server_fn::codec::GetUrl)]
pub async fn contacts_chart(
    #[server(default)] from: String,
    #[server(default)] levels: i32,
) -> Result<Vec<ChartNode>, AppError> {
    imp::chart(from, levels).await
}

/// A page of members: of the department and below, or (`direct`) the department alone.
#[server(prefix = "/api", endpoint = "contacts_members", input = server_fn::codec::GetUrl)]
pub async fn contacts_members(
    #[server(default)] department: String,
    #[server(default)] q: String,
    #[server(default)] status: String,
    #[server(default)] direct: bool,
    #[server(default)] page: i64,
) -> Result<MemberPage, AppError> {
    imp::members(department, q, status, direct, page).await
}

/// Departments whose name contains `q`: (id, path).
#[server(prefix = "/api", endpoint = "contacts_find_departments")]
pub async fn find_departments(q: String) -> Result<Vec<(String, String)>, AppError> {
    imp::find_departments(q).await
}

/// People matching `q`, for choosing managers and heads.
#[server(prefix = "/api", endpoint = "contacts_find_people")]
pub async fn find_people(q: String) -> Result<Vec<PersonOption>, AppError> {
    imp::find_people(q).await
}

/// An employee with departments, managers, reports and history.
#[server(prefix = "/api", endpoint = "contacts_employee")]
pub async fn contacts_employee(id: String) -> Result<EmployeeDetail, AppError> {
    imp::employee(id).await
}

/// Adds a department at the end of `parent`'s children; returns its id.
#[server(prefix = "/api", endpoint = "department_create")]
pub async fn create_department(parent: String, name: String) -> Result<String, AppError> {
    imp::create_department(parent, name).await
}

#[server(prefix = "/api", endpoint = "department_rename")]
pub async fn rename_department(id: String, name: String, version: i32) -> Result<(), AppError> {
    imp::rename_department(id, name, version).await
}

/// Moves the department, with everything below it, under `parent`.
#[server(prefix = "/api", endpoint = "department_move")]
pub async fn move_department(id: String, parent: String, version: i32) -> Result<(), AppError> {
    imp::move_department(id, parent, version).await
}

/// Puts the department at `index` (0-based) among its siblings.
#[server(prefix = "/api", endpoint = "department_reorder")]
pub async fn reorder_department(id: String, index: i32, version: i32) -> Result<(), AppError> {
    imp::reorder_department(id, index, version).await
}

/// Deletes an empty department; returns its parent's id.
#[server(prefix = "/api", endpoint = "department_delete")]
pub async fn delete_department(id: String, version: i32) -> Result<String, AppError> {
    imp::delete_department(id, version).await
}

/// Sets the department's heads from account ids (userids), separated by commas or spaces.
#[server(prefix = "/api", endpoint = "department_heads")]
pub async fn set_department_heads(
    id: String,
    #[server(default)] heads: String,
    version: i32,
) -> Result<(), AppError> {
    imp::set_heads(id, heads, version).await
}

/// Adds an employee; returns the new id. With `invite` (`on`), an
/// invitation goes out to every address they have, in the caller's
/// language, in the same transaction (the invite permission is needed).
#[server(prefix = "/api", endpoint = "employee_create")]
pub async fn create_employee(
    name: String,
    #[server(default)] userid: String,
    #[server(default)] mobile: String,
    #[server(default)] email: String,
    #[server(default)] position: String,
    #[server(default)] employee_no: String,
    #[server(default)] gender: String,
    #[server(default)] hire_date: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] main_department: String,
    #[server(default)] managers: String,
    #[server(default)] invite: String,
) -> Result<String, AppError> {
    let invite = matches!(invite.as_str(), "on" | "true");
    let form = imp::Form {
        name,
        userid,
        mobile,
        email,
        position,
        employee_no,
        gender,
        hire_date,
        departments,
        main_department,
        managers,
    };
    imp::create_employee(form, invite).await
}

/// Saves an employee's fields (`version` as loaded). Changing an
/// administrator's email or mobile needs the caller's own `password` (and
/// `code` when they have a second factor); a changed address ends the
/// person's sessions and is told at its old value.
#[server(prefix = "/api", endpoint = "employee_update")]
pub async fn update_employee(
    id: String,
    version: i32,
    name: String,
    #[server(default)] userid: String,
    #[server(default)] mobile: String,
    #[server(default)] email: String,
    #[server(default)] position: String,
    #[server(default)] employee_no: String,
    #[server(default)] gender: String,
    #[server(default)] hire_date: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] main_department: String,
    #[server(default)] managers: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    let form = imp::Form {
        name,
        userid,
        mobile,
        email,
        position,
        employee_no,
        gender,
        hire_date,
        departments,
        main_department,
        managers,
    };
    imp::update_employee(id, version, form, password, code).await
}

/// Enables, disables or marks as departed (`active`, `disabled`, `departed`).
#[server(prefix = "/api", endpoint = "employee_status")]
pub async fn set_employee_status(id: String, status: String, version: i32) -> Result<(), AppError> {
    imp::set_status(id, status, version).await
}

#[cfg(feature = "ssr")]
mod common;
#[cfg(feature = "ssr")]
mod departments;
#[cfg(feature = "ssr")]
mod employees;
#[cfg(feature = "ssr")]
mod reads;

/// Account ids (userids) as typed, separated by commas, spaces or 、:
/// lower-cased and de-duplicated, refused with `too_many` past `max`.
#[cfg(feature = "ssr")]
pub fn parse_member_userids(
    raw: &str,
    max: usize,
    field: &'static str,
    too_many: crate::error::Code,
) -> Result<Vec<String>, AppError> {
    departments::parse_userids(raw, max, field, too_many).map_err(AppError::from)
}

/// The server functions' bodies, one module per flow.
#[cfg(feature = "ssr")]
mod imp {
    pub use super::departments::*;
    pub use super::employees::*;
    pub use super::reads::*;
}
