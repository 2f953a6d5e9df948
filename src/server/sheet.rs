//! Spreadsheets handed out (the audit log; contacts later): CSV in UTF-8
//! with a byte-order mark, so that Excel opens Chinese text as written, and
//! XLSX. A cell that a spreadsheet would take for a formula is neutralised.
use std::borrow::Cow;

/// Rows beyond this are not exported; the page says so.
pub const MAX_ROWS: usize = 100_000;

/// A cell as written, unless a spreadsheet would read it as a formula (it
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return): then with a
/// leading apostrophe, which shows the text and keeps it text (OWASP's
/// advice against CSV injection). XLSX marks such a cell as text instead.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The formats offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A sheet being written: a header row, then rows, every cell neutralised.
pub enum Sheet {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Xlsx {
        book: Box<rust_xlsxwriter::Workbook>,
        row: u32,
        /// Text that starts like a formula, shown as written and kept as
        /// text (Excel's quote prefix, not an apostrophe in the data).
        as_text: rust_xlsxwriter::Format,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Sheet {
    /// A new sheet named `name` (XLSX) with its header row.
    pub fn new(format: Format, name: &str, header: &[&str]) -> Result<Sheet, SheetError> {
        let mut sheet = match format {
            Format::Csv => {
                let mut out = Vec::with_capacity(64 * 1024);
                out.extend_from_slice(b"\xEF\xBB\xBF");
                Sheet::Csv(Box::new(csv::WriterBuilder::new().from_writer(out)))
            }
            Format::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let ws = book.add_worksheet_with_constant_memory()?;
                ws.set_name(name)?;
                Sheet::Xlsx {
                    book: Box::new(book),
                    row: 0,
                    as_text: rust_xlsxwriter::Format::new().set_quote_prefix(),
                }
            }
        };
        sheet.row(header.iter().copied())?;
        if let Sheet::Xlsx { book, .. } = &mut sheet {
            book.worksheet_from_index(0)?.set_freeze_panes(1, 0)?;
        }
        Ok(sheet)
    }

    /// Appends one row.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), SheetError> {
        match self {
            Sheet::Csv(w) => {
                w.write_record(cells.into_iter().map(|c| neutralise(c).into_owned()))?;
            }
            Sheet::Xlsx { book, row, as_text } => {
                let ws = book.worksheet_from_index(0)?;
                for (col, cell) in cells.into_iter().enumerate() {
                    match neutralise(cell) {
                        _ if cell.is_empty() => {}
                        Cow::Borrowed(text) => {
                            ws.write_string(*row, col as u16, text)?;
                        }
                        Cow::Owned(_) => {
                            ws.write_string_with_format(*row, col as u16, cell, as_text)?;
                        }
                    }
                }
                *row += 1;
            }
        }
        Ok(())
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, SheetError> {
        match self {
            Sheet::Csv(w) => w.into_inner().map_err(|e| SheetError::Io(e.into_error())),
            Sheet::Xlsx { mut book, .. } => Ok(book.save_to_buffer()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_kept_as_text() {
        for cell in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["", "张三", "a=b", "13800138000", "'quoted"] {
            assert_eq!(neutralise(cell), cell);
        }
    }

    #[test]
    fn csv_starts_with_a_byte_order_mark_and_quotes_what_needs_it() {
        let mut sheet = Sheet::new(Format::Csv, "log", &["a", "b"]).unwrap();
        sheet.row(["x,y", "=cmd|' /C calc'!A0"]).unwrap();
        sheet.row(["line\nbreak", "\"q\""]).unwrap();
        let text = String::from_utf8(sheet.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}a,b\n\"x,y\",'=cmd|' /C calc'!A0\n\"line\nbreak\",\"\"\"q\"\"\"\n"
        );
    }

    #[test]
    fn xlsx_is_a_zip_holding_the_neutralised_text() {
        let mut sheet = Sheet::new(Format::Xlsx, "log", &["a"]).unwrap();
        sheet.row(["=HYPERLINK(\"http://x\")"]).unwrap();
        let bytes = sheet.finish().unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
