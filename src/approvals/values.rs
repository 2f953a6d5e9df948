//! A control's value from the text a form sends, and back: numbers,
//! amounts in fen, dates, ranges, lists of ids.
use super::form::{
    Control, ControlKind, Half, MAX_MONEY_FEN, MAX_PICKED, Picked, RangeUnit, Value,
};
use crate::error::Code;
use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// One control's value from its text: `Ok(None)` when left blank.
pub(super) fn read_one(
    c: &Control,
    text: &str,
    known: &dyn Fn(Picked, &str) -> bool,
) -> Result<Option<Value>, Code> {
    let text = text.trim();
    if text.is_empty() || matches!(c.kind, ControlKind::Note { .. }) {
        return Ok(None);
    }
    if text.len() > 20_000 {
        return Err(Code::ValidationTooLong);
    }
    let value = match &c.kind {
        ControlKind::Text { max_len } | ControlKind::LongText { max_len } => {
            if text.chars().count() > *max_len as usize {
                return Err(Code::ValidationTooLong);
            }
            let one_line = matches!(c.kind, ControlKind::Text { .. });
            let text = text.replace("\r\n", "\n");
            if text
                .chars()
                .any(|ch| ch.is_control() && (one_line || ch != '\n'))
            {
                return Err(Code::ValidationFormat);
            }
            Value::Text(text)
        }
        ControlKind::Number {
            min, max, decimals, ..
        } => {
            let n = number(text, *decimals).ok_or(Code::ValidationFormat)?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(Code::ApprovalsOutOfRange);
            }
            Value::Number(n)
        }
        ControlKind::Money { max_fen } => {
            let fen = money(text).ok_or(Code::ApprovalsMoneyFormat)?;
            if fen < 0 || fen > max_fen.unwrap_or(MAX_MONEY_FEN) {
                return Err(Code::ApprovalsOutOfRange);
            }
            Value::Money(fen)
        }
        ControlKind::Date => Value::Date(date(text).ok_or(Code::ValidationFormat)?),
        ControlKind::DateRange { unit } => range(*unit, text)?,
        ControlKind::Choice { options, multiple } => {
            let keys: Vec<String> = list(text);
            if keys.is_empty() {
                return Ok(None);
            }
            if (!multiple && keys.len() > 1)
                || keys.iter().any(|k| !options.iter().any(|o| &o.key == k))
            {
                return Err(Code::ApprovalsOption);
            }
            Value::Choice(keys)
        }
        ControlKind::Person { multiple } | ControlKind::Department { multiple } => {
            let what = if matches!(c.kind, ControlKind::Person { .. }) {
                Picked::Person
            } else {
                Picked::Department
            };
            let ids = list(text);
            if ids.is_empty() {
                return Ok(None);
            }
            if (!multiple && ids.len() > 1) || ids.len() > MAX_PICKED {
                return Err(Code::ApprovalsTooManyPicked);
            }
            if ids.iter().any(|id| !known(what, id)) {
                return Err(Code::ApprovalsUnknownPick);
            }
            match what {
                Picked::Person => Value::People(ids),
                _ => Value::Departments(ids),
            }
        }
        ControlKind::Attachment { max_files } => {
            let ids = list(text);
            if ids.len() > usize::from(*max_files) {
                return Err(Code::ApprovalsTooManyFiles);
            }
            if ids.iter().any(|id| !known(Picked::File, id)) {
                return Err(Code::ApprovalsUnknownPick);
            }
            Value::Files(ids)
        }
        ControlKind::Table { .. } | ControlKind::Note { .. } => return Ok(None),
    };
    Ok(Some(value))
}

/// `a,b,,c` as distinct non-empty items, in order.
fn list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

fn number(text: &str, decimals: u8) -> Option<f64> {
    let t = text.replace([',', '，'], "");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    let digits = int.strip_prefix('-').unwrap_or(int);
    if digits.is_empty()
        || digits.len() > 12
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > usize::from(decimals)
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (t.contains('.') && frac.is_empty())
    {
        return None;
    }
    t.parse().ok()
}

/// An amount of yuan (`1234.5`, `1,234.50`, `¥12`) in fen.
pub fn money(text: &str) -> Option<i64> {
    let t = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .replace([',', '，'], "");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || int.len() > 9
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (t.contains('.') && frac.is_empty())
    {
        return None;
    }
    let yuan: i64 = int.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(yuan * 100 + fen)
}

/// Fen as yuan with two decimals: `123456` is `1,234.56`.
pub fn yuan(fen: i64) -> String {
    let int = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{:02}", fen % 100)
}

fn date(text: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (2000..=2100).contains(&d.year()).then_some(d)
}

fn datetime(text: &str) -> Option<NaiveDateTime> {
    let d = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()?;
    (2000..=2100).contains(&d.year()).then_some(d)
}

/// A range as `start/end`; half days as `2026-12-07 am/2026-12-08 pm`.
fn range(unit: RangeUnit, text: &str) -> Result<Value, Code> {
    let (a, b) = text.split_once('/').ok_or(Code::ValidationFormat)?;
    let (a, b) = (a.trim(), b.trim());
    let value = match unit {
        RangeUnit::Day => {
            let (start, end) = (date(a), date(b));
            let (Some(start), Some(end)) = (start, end) else {
                return Err(Code::ValidationFormat);
            };
            if end < start {
                return Err(Code::ApprovalsRangeOrder);
            }
            Value::Days { start, end }
        }
        RangeUnit::HalfDay => {
            let half = |s: &str| -> Option<(NaiveDate, Half)> {
                let (d, h) = s.split_once(' ')?;
                let h = match h.trim() {
                    "am" => Half::Am,
                    "pm" => Half::Pm,
                    _ => return None,
                };
                Some((date(d)?, h))
            };
            let (Some((start, start_half)), Some((end, end_half))) = (half(a), half(b)) else {
                return Err(Code::ValidationFormat);
            };
            if (end, end_half) < (start, start_half) {
                return Err(Code::ApprovalsRangeOrder);
            }
            Value::HalfDays {
                start,
                start_half,
                end,
                end_half,
            }
        }
        RangeUnit::Hour => {
            let (Some(start), Some(end)) = (datetime(a), datetime(b)) else {
                return Err(Code::ValidationFormat);
            };
            if end <= start {
                return Err(Code::ApprovalsRangeOrder);
            }
            Value::Hours { start, end }
        }
    };
    if matches!(value.duration(), Some(d) if d > 366.0 * 24.0) {
        return Err(Code::ApprovalsOutOfRange);
    }
    if matches!(value, Value::Days { start, end } | Value::HalfDays { start, end, .. } if (end - start).num_days() > 366)
    {
        return Err(Code::ApprovalsOutOfRange);
    }
    Ok(value)
}

/// A value as the text its control takes (the inverse of reading it).
pub fn show(v: &Value) -> String {
    let half = |h: Half| if h == Half::Am { "am" } else { "pm" };
    match v {
        Value::Text(t) => t.clone(),
        Value::Number(n) => n.to_string(),
        Value::Money(f) => format!("{}.{:02}", f / 100, f % 100),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::HalfDays {
            start,
            start_half,
            end,
            end_half,
        } => format!(
            "{} {}/{} {}",
            start.format("%Y-%m-%d"),
            half(*start_half),
            end.format("%Y-%m-%d"),
            half(*end_half)
        ),
        Value::Days { start, end } => {
            format!("{}/{}", start.format("%Y-%m-%d"), end.format("%Y-%m-%d"))
        }
        Value::Hours { start, end } => format!(
            "{}/{}",
            start.format("%Y-%m-%dT%H:%M"),
            end.format("%Y-%m-%dT%H:%M")
        ),
        Value::Choice(v) | Value::People(v) | Value::Departments(v) | Value::Files(v) => {
            v.join(",")
        }
        Value::Table(_) => String::new(),
    }
}
