//! An approval form: the controls a template asks for (after WeCom's
//! control types) and the values a submitter gives them.
//!
//! The same checks run in the browser, as the submitter types, and on the
//! server, which trusts nothing the browser sent: [`FormSchema::check`]
//! judges a template's form in the designer, [`FormSchema::read`] turns the
//! strings of a filled form into [`Values`] or says, field by field, what is
//! wrong.
use crate::error::{Code, FieldError};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

use super::values::read_one;
pub use super::values::{money, show, yuan};

/// Controls in one form (a table's columns count too).
pub const MAX_CONTROLS: usize = 50;
/// Columns of one table control.
pub const MAX_COLUMNS: usize = 10;
/// Rows a submitter may add to one table.
pub const MAX_TABLE_ROWS: usize = 100;
/// Attachments of one request, all controls together (WeCom's limit).
pub const MAX_FILES: usize = 6;
/// Choices of one choice control.
pub const MAX_OPTIONS: usize = 50;
/// People or departments picked in one control.
pub const MAX_PICKED: usize = 50;
/// A control's label, and a template's name (WeCom's limit).
pub const MAX_LABEL: usize = 40;
pub const MAX_TEXT: usize = 200;
pub const MAX_LONG_TEXT: usize = 2000;
/// The largest amount of money a form takes: CNY 100,000,000.00, in fen.
pub const MAX_MONEY_FEN: i64 = 10_000_000_000;

/// A template's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FormSchema {
    pub controls: Vec<Control>,
}

/// One control of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    /// A key unique in the form (`[a-z][a-z0-9_]*`, at most 32): values and
    /// flow conditions refer to the control by it.
    pub id: String,
    pub label_en: String,
    pub label_zh: String,
    #[serde(default)]
    pub required: bool,
    #[serde(flatten)]
    pub kind: ControlKind,
}

/// What a control takes, and its limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ControlKind {
    /// One line of text.
    Text {
        max_len: u32,
    },
    /// Several lines of text.
    LongText {
        max_len: u32,
    },
    /// A number, with at most `decimals` places, within the bounds.
    Number {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
        #[serde(default)]
        decimals: u8,
        #[serde(default)]
        unit_en: String,
        #[serde(default)]
        unit_zh: String,
    },
    /// An amount in CNY with two decimals, kept in fen.
    Money {
        #[serde(default)]
        max_fen: Option<i64>,
    },
    Date,
    /// From one time to another; its duration is computed.
    DateRange {
        unit: RangeUnit,
    },
    /// One of the options, or several.
    Choice {
        options: Vec<ChoiceOption>,
        #[serde(default)]
        multiple: bool,
    },
    /// People of the organisation.
    Person {
        #[serde(default)]
        multiple: bool,
    },
    /// Departments of the organisation.
    Department {
        #[serde(default)]
        multiple: bool,
    },
    /// Files (the request's files together are at most [`MAX_FILES`]).
    Attachment {
        max_files: u8,
    },
    /// Rows of sub-fields (no table inside a table); the total of its
    /// first money column is computed.
    Table {
        columns: Vec<Control>,
    },
    /// Text shown to the submitter; takes no value.
    Note {
        text_en: String,
        text_zh: String,
    },
}

/// How a date range is given and its duration counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeUnit {
    /// Whole days, each end in the morning or the afternoon (leave);
    /// weekends are not counted.
    HalfDay,
    /// Whole calendar days.
    Day,
    /// Date and time to the minute; the duration in hours (overtime).
    Hour,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// Stable key stored in values and conditions.
    pub key: String,
    pub en: String,
    pub zh: String,
}

/// One end of a half-day range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Half {
    Am,
    Pm,
}

/// A filled form, keyed by control id.
pub type Values = BTreeMap<String, Value>;

/// A control's value, as stored with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Value {
    Text(String),
    Number(f64),
    /// In fen.
    Money(i64),
    Date(NaiveDate),
    HalfDays {
        start: NaiveDate,
        start_half: Half,
        end: NaiveDate,
        end_half: Half,
    },
    Days {
        start: NaiveDate,
        end: NaiveDate,
    },
    Hours {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
    /// Option keys.
    Choice(Vec<String>),
    /// Account ids.
    People(Vec<String>),
    /// Department ids.
    Departments(Vec<String>),
    /// Attachment ids.
    Files(Vec<String>),
    Table(Vec<Values>),
}

impl Value {
    /// The number a condition compares: a number, an amount in yuan, a
    /// range's duration (days or hours), a table's total in yuan.
    pub fn measure(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Money(fen) => Some(*fen as f64 / 100.0),
            Value::HalfDays { .. } | Value::Days { .. } | Value::Hours { .. } => self.duration(),
            Value::Table(rows) => Some(table_total(rows) as f64 / 100.0),
            _ => None,
        }
    }

    /// Days of a day range (weekends not counted for half days), hours of
    /// an hour range (to the half hour, rounded down).
    pub fn duration(&self) -> Option<f64> {
        match *self {
            Value::HalfDays {
                start,
                start_half,
                end,
                end_half,
            } => {
                let mut halves = 0u32;
                let mut day = start;
                while day <= end {
                    if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                        let first = if day == start { start_half } else { Half::Am };
                        let last = if day == end { end_half } else { Half::Pm };
                        halves += u32::from(last == Half::Pm) + u32::from(first == Half::Am);
                    }
                    day = day.succ_opt()?;
                }
                Some(f64::from(halves) / 2.0)
            }
            Value::Days { start, end } => Some((end - start).num_days() as f64 + 1.0),
            Value::Hours { start, end } => {
                let halves = (end - start).num_minutes() / 30;
                Some(halves as f64 / 2.0)
            }
            _ => None,
        }
    }

    /// Attachment ids in this value (a table's rows included).
    pub fn files(&self) -> Vec<&str> {
        match self {
            Value::Files(ids) => ids.iter().map(String::as_str).collect(),
            Value::Table(rows) => rows
                .iter()
                .flat_map(|r| r.values().flat_map(Value::files))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The total of a table's money cells, in fen: the first money column's.
fn table_total(rows: &[Values]) -> i64 {
    let column = rows.iter().find_map(|r| {
        r.iter()
            .find(|(_, v)| matches!(v, Value::Money(_)))
            .map(|(k, _)| k)
    });
    let Some(column) = column else { return 0 };
    rows.iter()
        .filter_map(|r| match r.get(column) {
            Some(Value::Money(f)) => Some(*f),
            _ => None,
        })
        .sum()
}

/// A filled form as the browser sends it: strings, keyed by control id. A
/// list is `a,b`; a table is a list of such maps, under the table's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RawForm {
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub tables: BTreeMap<String, Vec<BTreeMap<String, String>>>,
}

fn err(field: impl Into<String>, code: Code) -> FieldError {
    FieldError {
        field: field.into(),
        code,
    }
}

fn is_key(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 32
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn label_ok(s: &str) -> bool {
    let n = s.chars().count();
    (1..=MAX_LABEL).contains(&n) && s.trim() == s && !s.chars().any(char::is_control)
}

impl FormSchema {
    /// Every control, a table's columns after the table, with its path.
    pub fn walk(&self) -> impl Iterator<Item = &Control> {
        self.controls.iter().flat_map(|c| {
            let columns: &[Control] = match &c.kind {
                ControlKind::Table { columns } => columns,
                _ => &[],
            };
            std::iter::once(c).chain(columns.iter())
        })
    }

    /// The top-level control with this id.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// Judges a form made in the designer: every problem, by path
    /// (`controls.3.label_en`, `controls.2.columns.0.id`).
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.controls.is_empty() {
            errors.push(err("controls", Code::ApprovalsFormEmpty));
        }
        if self.walk().count() > MAX_CONTROLS {
            errors.push(err("controls", Code::ApprovalsTooManyControls));
        }
        let mut seen = HashSet::new();
        let mut files = 0usize;
        for (i, c) in self.controls.iter().enumerate() {
            check_control(c, &format!("controls.{i}"), true, &mut seen, &mut errors);
            files += match &c.kind {
                ControlKind::Attachment { max_files } => usize::from(*max_files),
                _ => 0,
            };
        }
        if files > MAX_FILES {
            errors.push(err("controls", Code::ApprovalsTooManyFiles));
        }
        errors
    }

    /// Reads a filled form against this schema. `known` says whether an
    /// id names a person, a department or an attachment the submitter may
    /// use (the server looks them up; the browser trusts its pickers).
    pub fn read(
        &self,
        raw: &RawForm,
        known: &dyn Fn(Picked, &str) -> bool,
    ) -> Result<Values, Vec<FieldError>> {
        let mut values = Values::new();
        let mut errors = Vec::new();
        for c in &self.controls {
            if let ControlKind::Table { columns } = &c.kind {
                let rows = raw.tables.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
                // Blank rows are left out; errors name rows as the form shows them.
                let rows: Vec<_> = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.values().any(|v| !v.trim().is_empty()))
                    .collect();
                if rows.len() > MAX_TABLE_ROWS {
                    errors.push(err(&c.id, Code::ApprovalsTooManyRows));
                    continue;
                }
                if rows.is_empty() {
                    if c.required {
                        errors.push(err(&c.id, Code::ValidationRequired));
                    }
                    continue;
                }
                let mut table = Vec::with_capacity(rows.len());
                for (r, row) in rows {
                    let mut cells = Values::new();
                    for col in columns {
                        let path = format!("{}.{r}.{}", c.id, col.id);
                        let text = row.get(&col.id).map(String::as_str).unwrap_or("");
                        match read_one(col, text, known) {
                            Ok(Some(v)) => {
                                cells.insert(col.id.clone(), v);
                            }
                            Ok(None) if col.required => {
                                errors.push(err(path, Code::ValidationRequired))
                            }
                            Ok(None) => {}
                            Err(code) => errors.push(err(path, code)),
                        }
                    }
                    table.push(cells);
                }
                values.insert(c.id.clone(), Value::Table(table));
                continue;
            }
            let text = raw.fields.get(&c.id).map(String::as_str).unwrap_or("");
            match read_one(c, text, known) {
                Ok(Some(v)) => {
                    values.insert(c.id.clone(), v);
                }
                Ok(None) if c.required && !matches!(c.kind, ControlKind::Note { .. }) => {
                    errors.push(err(&c.id, Code::ValidationRequired))
                }
                Ok(None) => {}
                Err(code) => errors.push(err(&c.id, code)),
            }
        }
        let files: usize = values.values().map(|v| v.files().len()).sum();
        if files > MAX_FILES {
            errors.push(err("files", Code::ApprovalsTooManyFiles));
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }

    /// The values written back as the strings a form shows (to edit a
    /// returned request, or copy a rejected one).
    pub fn raw(&self, values: &Values) -> RawForm {
        let mut raw = RawForm::default();
        for c in &self.controls {
            match values.get(&c.id) {
                Some(Value::Table(rows)) => {
                    let rows = rows
                        .iter()
                        .map(|r| r.iter().map(|(k, v)| (k.clone(), show(v))).collect())
                        .collect();
                    raw.tables.insert(c.id.clone(), rows);
                }
                Some(v) => {
                    raw.fields.insert(c.id.clone(), show(v));
                }
                None => {}
            }
        }
        raw
    }
}

/// What a picker's id is meant to name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    Person,
    Department,
    File,
}

fn check_control(
    c: &Control,
    path: &str,
    top: bool,
    seen: &mut HashSet<String>,
    errors: &mut Vec<FieldError>,
) {
    if !is_key(&c.id) {
        errors.push(err(format!("{path}.id"), Code::ApprovalsControlId));
    } else if !seen.insert(c.id.clone()) {
        errors.push(err(format!("{path}.id"), Code::ApprovalsDuplicateControl));
    }
    if !label_ok(&c.label_en) {
        errors.push(err(format!("{path}.label_en"), Code::ApprovalsLabel));
    }
    if !label_ok(&c.label_zh) {
        errors.push(err(format!("{path}.label_zh"), Code::ApprovalsLabel));
    }
    let limits = format!("{path}.limits");
    match &c.kind {
        ControlKind::Text { max_len } if !(1..=MAX_TEXT as u32).contains(max_len) => {
            errors.push(err(limits, Code::ApprovalsLimits))
        }
        ControlKind::LongText { max_len } if !(1..=MAX_LONG_TEXT as u32).contains(max_len) => {
            errors.push(err(limits, Code::ApprovalsLimits))
        }
        ControlKind::Number {
            min,
            max,
            decimals,
            unit_en,
            unit_zh,
        } => {
            let finite = |x: &Option<f64>| x.is_none_or(|v| v.is_finite() && v.abs() < 1e12);
            if *decimals > 4
                || !finite(min)
                || !finite(max)
                || matches!((min, max), (Some(a), Some(b)) if a > b)
                || unit_en.chars().count() > 10
                || unit_zh.chars().count() > 10
            {
                errors.push(err(limits, Code::ApprovalsLimits))
            }
        }
        ControlKind::Money { max_fen } if max_fen.is_some_and(|m| m <= 0 || m > MAX_MONEY_FEN) => {
            errors.push(err(limits, Code::ApprovalsLimits))
        }
        ControlKind::Choice { options, .. } => {
            let mut keys = HashSet::new();
            if options.is_empty()
                || options.len() > MAX_OPTIONS
                || options.iter().any(|o| {
                    !is_key(&o.key) || !keys.insert(&o.key) || !label_ok(&o.en) || !label_ok(&o.zh)
                })
            {
                errors.push(err(format!("{path}.options"), Code::ApprovalsOptions))
            }
        }
        ControlKind::Attachment { max_files } if !(1..=MAX_FILES as u8).contains(max_files) => {
            errors.push(err(limits, Code::ApprovalsLimits))
        }
        ControlKind::Table { columns } => {
            if !top || columns.is_empty() || columns.len() > MAX_COLUMNS {
                errors.push(err(format!("{path}.columns"), Code::ApprovalsTableColumns));
            }
            let mut inner = HashSet::new();
            for (j, col) in columns.iter().enumerate() {
                let p = format!("{path}.columns.{j}");
                if matches!(
                    col.kind,
                    ControlKind::Table { .. } | ControlKind::Note { .. }
                ) {
                    errors.push(err(format!("{p}.type"), Code::ApprovalsTableColumns));
                    continue;
                }
                check_control(col, &p, false, &mut HashSet::new(), errors);
                if is_key(&col.id) && !inner.insert(col.id.clone()) {
                    errors.push(err(format!("{p}.id"), Code::ApprovalsDuplicateControl));
                }
            }
        }
        ControlKind::Note { text_en, text_zh }
            if text_en.chars().count() > 500 || text_zh.chars().count() > 500 =>
        {
            errors.push(err(limits, Code::ApprovalsLimits))
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
