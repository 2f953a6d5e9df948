//! Reading single cells of a row: lists, words for a status or a gender,
//! dates in the shapes spreadsheets write them, department paths.
use super::{CellError, Column};
use crate::contacts::{MAX_DEPTH, rules};
use crate::error::Code;
use chrono::NaiveDate;

pub(super) fn err(column: Option<Column>, code: Code, detail: Option<String>) -> CellError {
    CellError {
        column,
        code: code.as_str().to_owned(),
        detail,
    }
}

/// Cells of a list: `;` or `；` between items (and `,` for managers).
pub(super) fn items(cell: &str, commas: bool) -> Vec<&str> {
    cell.split(|c| c == ';' || c == '；' || (commas && (c == ',' || c == '，')))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The words for a person's status: enabled, or disabled.
pub(super) fn status(cell: &str) -> Option<bool> {
    let s = cell.trim().to_lowercase();
    match s.as_str() {
        "已激活" | "未激活" | "启用" | "已启用" | "正常" | "在职" | "active" | "not activated"
        | "enabled" | "activated" => Some(true),
        "已禁用" | "禁用" | "停用" | "disabled" | "inactive" => Some(false),
        _ => None,
    }
}

pub(super) fn gender(cell: &str) -> Option<&'static str> {
    match cell.trim().to_lowercase().as_str() {
        "男" | "male" | "m" => Some("male"),
        "女" | "female" | "f" => Some("female"),
        _ => None,
    }
}

pub(super) fn date(cell: &str) -> Result<NaiveDate, Code> {
    let cell = cell.trim();
    // Excel writes a date cell with a time when it has one.
    let day = cell.split_whitespace().next().unwrap_or("");
    let parsed = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())
        .ok_or(Code::EmployeeDateFormat)?;
    if (1900..=2100).contains(&chrono::Datelike::year(&parsed)) {
        Ok(parsed)
    } else {
        Err(Code::EmployeeDateRange)
    }
}

/// The path key of a department cell: its names below the root (a first
/// name equal to the root's is the root), checked.
pub(super) fn department_path(cell: &str, root_name: &str) -> Result<Vec<String>, Code> {
    let mut names: Vec<&str> = cell
        .split(['/', '／'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if names.first() == Some(&root_name.trim()) {
        names.remove(0);
    }
    if names.len() + 1 > MAX_DEPTH {
        return Err(Code::DepartmentTooDeep);
    }
    names.into_iter().map(rules::department_name).collect()
}
