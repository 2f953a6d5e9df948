//! The department tree and employees.
use super::{Answer, Browser};

calls! {
    /// `department_create` under `parent`.
    create_department => "department_create"(parent, name);
    /// `department_rename` of `id` at `version`.
    rename_department => "department_rename"(id, name, version);
    /// `department_move` of `id` (at `version`) under `parent`.
    move_department => "department_move"(id, parent, version);
    /// `department_reorder`: `id` (at `version`) to position `index` among its siblings.
    reorder_department => "department_reorder"(id, index, version);
    /// `department_heads`: the heads of `id` (at `version`), ids separated by commas.
    department_heads => "department_heads"(id, heads, version);
    /// `department_delete` of `id` at `version`.
    delete_department => "department_delete"(id, version);
    /// `contacts_branch`: the tree opened at `department` ("" for the root).
    branch => "contacts_branch"(department);
    /// `contacts_branch` with no department: the tree as it first opens.
    first_branch => "contacts_branch"();
    /// `employee_status` of `id` (at `version`): `active`, `disabled` or `left`.
    employee_status => "employee_status"(id, status, version);
}
