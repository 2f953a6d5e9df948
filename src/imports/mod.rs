//! Contacts import and export (导入/导出通讯录): an administrator brings the
//! spreadsheet HR keeps, sees exactly what it would change (a dry run, row
//! by row), and has it applied as one transaction by a background job; the
//! same template goes out as an export, so that an export imported again
//! changes nothing.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
mod apply;
#[cfg(feature = "ssr")]
mod cells;
#[cfg(feature = "ssr")]
pub mod check;
pub mod columns;
#[cfg(feature = "ssr")]
pub mod export;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod plan;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
pub mod snapshot;
#[cfg(feature = "ssr")]
pub mod template;
#[cfg(feature = "ssr")]
pub mod web;

pub use columns::Column;
pub use pages::{ImportJobPage, ImportPage};

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    /// GB18030, which reads GBK and GB2312 as well.
    Gb18030,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf8",
            Encoding::Gb18030 => "gb18030",
        }
    }

    pub fn parse(s: &str) -> Option<Encoding> {
        match s {
            "utf8" => Some(Encoding::Utf8),
            "gb18030" => Some(Encoding::Gb18030),
            _ => None,
        }
    }
}

/// What the administrator chose for an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Departments a row names that do not exist are created.
    pub create_departments: bool,
    /// People already in contacts (matched by account ID, then mobile, then
    /// email) take the file's values; otherwise their rows are skipped.
    pub update_existing: bool,
    /// Full sync: people of the administrator's scope who are not in the
    /// file are disabled.
    pub full_sync: bool,
    /// Everyone the import creates is sent an invitation.
    pub invite: bool,
}

/// What one row will do (or did).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    /// An update that changes the person's departments.
    Move,
    Unchanged,
    /// Already in contacts, and the import does not update people.
    Skip,
    Error,
}

impl RowAction {
    pub const ALL: [RowAction; 6] = [
        RowAction::Create,
        RowAction::Update,
        RowAction::Move,
        RowAction::Unchanged,
        RowAction::Skip,
        RowAction::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Create => "create",
            RowAction::Update => "update",
            RowAction::Move => "move",
            RowAction::Unchanged => "unchanged",
            RowAction::Skip => "skip",
            RowAction::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<RowAction> {
        RowAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One problem of a row: the cell (its column), why, and what the file
/// said or which other row it clashes with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    pub column: Option<Column>,
    /// The error code's wire string.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The totals of a dry run (or of a run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub rows: i64,
    pub create: i64,
    pub update: i64,
    #[serde(rename = "move")]
    pub moved: i64,
    pub unchanged: i64,
    pub skip: i64,
    pub error: i64,
    /// People of the scope not in the file (full sync only).
    pub disable: i64,
    pub departments: i64,
}

impl Counts {
    pub fn add(&mut self, action: RowAction) {
        self.rows += 1;
        match action {
            RowAction::Create => self.create += 1,
            RowAction::Update => self.update += 1,
            RowAction::Move => self.moved += 1,
            RowAction::Unchanged => self.unchanged += 1,
            RowAction::Skip => self.skip += 1,
            RowAction::Error => self.error += 1,
        }
    }
}

/// One import as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportJobView {
    pub id: String,
    pub file_name: String,
    pub file_size: i64,
    /// `csv`, `xlsx` or `xls`.
    pub kind: String,
    /// A CSV's encoding: `utf8` or `gb18030`.
    pub encoding: Option<String>,
    /// The administrator chose the encoding (it was not detected).
    pub encoding_chosen: bool,
    /// The sheet read, and every sheet of the workbook.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub options: ImportOptions,
    pub unknown_columns: Vec<String>,
    /// `checked`, `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub counts: Counts,
    pub scope_size: i64,
    /// A full sync past WeCom's guard: running it needs the number typed.
    pub needs_confirmation: bool,
    pub rows_total: i64,
    pub rows_done: i64,
    pub error_code: Option<String>,
    pub checked_at: String,
    pub finished_at: Option<String>,
    /// Seconds since the run started (to its end once it ended).
    pub elapsed_secs: Option<f64>,
    /// The caller may invite people (the "invite everyone created" option).
    pub may_invite: bool,
}

/// One row of an import, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowView {
    pub line: i64,
    pub action: RowAction,
    pub person: Option<String>,
    pub name: String,
    pub userid: String,
    /// The row's mobile, else its email.
    pub contact: String,
    pub errors: Vec<CellError>,
    /// The columns an update changes (their keys).
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowsPage {
    pub rows: Vec<ImportRowView>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

/// An import in the list of the latest ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: String,
    pub file_name: String,
    pub status: String,
    pub counts: Counts,
    pub at: String,
}

/// A row's errors as one sentence per error, in `locale`: what the error
/// file's last column says.
pub fn describe(errors: &[CellError], locale: crate::i18n::Locale) -> String {
    let en = locale == crate::i18n::Locale::en;
    errors
        .iter()
        .map(|e| {
            let text = crate::error::Code::parse(&e.code).text(locale);
            let column = e.column.map(|c| if en { c.en() } else { c.zh() });
            // Chinese text takes full-width punctuation.
            let detail = match (e.detail.as_deref(), en) {
                (Some(d), true) => format!(" ({d})"),
                (Some(d), false) => format!("（{d}）"),
                (None, _) => String::new(),
            };
            match (column, en) {
                (Some(c), true) => format!("{c}: {text}{detail}"),
                (Some(c), false) => format!("{c}：{text}{detail}"),
                (None, _) => format!("{text}{detail}"),
            }
        })
        .collect::<Vec<_>>()
        .join(if en { "; " } else { "；" })
}

/// WeCom's guard on a full sync: removing more than 50 people and more than
/// a fifth of the scope, or up to 50 but more than four fifths of it, needs
/// a second confirmation that names the number.
pub fn needs_second_confirmation(disable: i64, scope: i64) -> bool {
    if disable == 0 || scope == 0 {
        return false;
    }
    if disable > 50 {
        disable * 5 > scope
    } else {
        disable * 5 > scope * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_sync_guard_follows_wecom() {
        // More than 50 and more than 20%.
        assert!(needs_second_confirmation(51, 200));
        assert!(!needs_second_confirmation(51, 255));
        assert!(needs_second_confirmation(51, 254));
        assert!(!needs_second_confirmation(100, 1000));
        assert!(needs_second_confirmation(201, 1000));
        // Up to 50 but more than 80%.
        assert!(needs_second_confirmation(50, 62));
        assert!(!needs_second_confirmation(40, 50));
        assert!(needs_second_confirmation(41, 50));
        assert!(!needs_second_confirmation(50, 1000));
        assert!(!needs_second_confirmation(0, 0));
    }
}
