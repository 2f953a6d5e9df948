//! Reading an uploaded contacts file into rows of text: CSV in UTF-8 (with
//! or without a byte-order mark) or GB18030/GBK, XLSX or XLS. The type is
//! judged by the bytes, never by the name; a file that is none of these, or
//! mixes encodings, is refused with a reason the administrator can act on.
use super::Encoding;
use crate::error::Code;
use std::borrow::Cow;
use std::io::Cursor;

/// What a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
    Xls,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Csv => "csv",
            FileKind::Xlsx => "xlsx",
            FileKind::Xls => "xls",
        }
    }
}

/// A file read whole: its rows of cells, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub kind: FileKind,
    /// The text encoding a CSV was read in.
    pub encoding: Option<Encoding>,
    /// A workbook's sheets, in order, and the one read (the first that has
    /// a header row; the others are reported as not read).
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// Every row (at most [`MAX_COLUMNS`] cells each).
    pub rows: Vec<Vec<String>>,
    /// Each row's number as the administrator sees it: its line in a text
    /// file (where a record starts), its row in a sheet.
    pub lines: Vec<u32>,
}

/// Cells read per row; the template has 11 columns, HR exports a few dozen.
pub const MAX_COLUMNS: usize = 64;

/// Why a file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    Empty,
    /// A picture, a PDF, an archive, a program: not a spreadsheet.
    NotSpreadsheet,
    /// Lines in UTF-8 and lines in another encoding.
    MixedEncodings,
    /// Not text in the encoding the administrator chose.
    NotInEncoding,
    /// A workbook that does not open (damaged, or protected by a password).
    Unreadable,
    /// More rows of people than one file may hold.
    TooManyRows,
    /// The old binary Excel format, which is not read (see [`read`]).
    OldExcel,
    /// A workbook that unpacks to more than [`MAX_UNPACKED`] bytes.
    Unpacked,
}

impl ReadError {
    pub fn code(self) -> Code {
        match self {
            ReadError::Empty => Code::ImportEmpty,
            ReadError::NotSpreadsheet => Code::ImportFileType,
            ReadError::MixedEncodings => Code::ImportMixedEncodings,
            ReadError::NotInEncoding => Code::ImportEncoding,
            ReadError::Unreadable => Code::ImportUnreadable,
            ReadError::TooManyRows => Code::ImportTooManyRows,
            ReadError::OldExcel => Code::ImportOldExcel,
            ReadError::Unpacked => Code::ImportUnpackedTooLarge,
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";

/// What a workbook may unpack to: a 100,000-row sheet of the template's
/// columns is about 60 MB of XML, its shared strings a third of that.
pub const MAX_UNPACKED: u64 = 256 << 20;
/// Parts of a workbook: a dozen, and one or two per sheet or picture.
const MAX_PARTS: usize = 5_000;

/// Inflates every part of a zip into nothing, counting: refuses one that
/// would unpack to more than `limit` bytes, whatever its headers claim,
/// before anything keeps a byte of it.
fn unpacks_within(bytes: &[u8], limit: u64) -> Result<(), ReadError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    if archive.len() > MAX_PARTS {
        return Err(ReadError::Unreadable);
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|_| ReadError::Unreadable)?;
        let left = limit - total;
        let read = std::io::copy(
            &mut std::io::Read::take(part, left + 1),
            &mut std::io::sink(),
        )
        .map_err(|_| ReadError::Unreadable)?;
        if read > left {
            return Err(ReadError::Unpacked);
        }
        total += read;
    }
    Ok(())
}
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads `bytes` (at most `max_rows` rows of people after the header), in
/// `encoding` when the administrator chose one for a CSV.
///
/// The old binary format (.xls) is refused with a request to save the file
/// as .xlsx: the reader sizes its cell buffer from the file's own
/// dimensions record, so a crafted .xls could make the server reserve more
/// memory than it has and stop.
pub fn read(bytes: &[u8], encoding: Option<Encoding>, max_rows: usize) -> Result<Table, ReadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(ZIP) {
        unpacks_within(bytes, MAX_UNPACKED)?;
        return workbook(bytes, FileKind::Xlsx, max_rows);
    }
    if bytes.starts_with(OLE) {
        return Err(ReadError::OldExcel);
    }
    if looks_binary(bytes) {
        return Err(ReadError::NotSpreadsheet);
    }
    let (text, encoding) = decode(bytes, encoding)?;
    csv_rows(&text, max_rows).map(|(rows, lines)| Table {
        kind: FileKind::Csv,
        encoding: Some(encoding),
        sheets: Vec::new(),
        sheet: None,
        rows,
        lines,
    })
}

/// NUL bytes or many control characters in the first 8 KiB: no text file
/// a spreadsheet saves looks like that.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|b| matches!(b, 0..=8 | 14..=31 | 127) && **b != 0x1b)
        .count();
    head.contains(&0) || control * 100 > head.len().max(1)
}

/// The file's text: as chosen, else UTF-8 when it is UTF-8 throughout,
/// else GB18030 (a superset of GBK and GB2312, what Excel saves on a
/// Chinese Windows) when it is that throughout.
fn decode(bytes: &[u8], chosen: Option<Encoding>) -> Result<(Cow<'_, str>, Encoding), ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // UTF-8 is read in place; only another encoding makes a copy.
    let utf8 = || std::str::from_utf8(bytes).ok().map(Cow::Borrowed);
    let gb = || encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes);
    match chosen {
        Some(Encoding::Utf8) => utf8()
            .map(|t| (t, Encoding::Utf8))
            .ok_or(ReadError::NotInEncoding),
        Some(Encoding::Gb18030) => gb()
            .map(|t| (t, Encoding::Gb18030))
            .ok_or(ReadError::NotInEncoding),
        None => {
            if let Some(t) = utf8() {
                return Ok((t, Encoding::Utf8));
            }
            // Some lines are UTF-8 with Chinese text and others are not:
            // two files pasted together. Neither reading would be right.
            let (mut in_utf8, mut not_utf8) = (false, false);
            for line in bytes.split(|b| *b == b'\n') {
                if line.is_ascii() {
                    continue;
                }
                match std::str::from_utf8(line) {
                    Ok(_) => in_utf8 = true,
                    Err(_) => not_utf8 = true,
                }
            }
            if in_utf8 && not_utf8 {
                return Err(ReadError::MixedEncodings);
            }
            gb().map(|t| (t, Encoding::Gb18030))
                .ok_or(ReadError::NotSpreadsheet)
        }
    }
}

/// The separator of a text file: a comma, or the semicolon or tab its
/// first line uses more (Excel in some locales, tab-separated exports).
fn separator(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|(b, n)| (*n, *b == b','))
        .map_or(b',', |(b, _)| b)
}

fn csv_rows(text: &str, max_rows: usize) -> Result<(Vec<Vec<String>>, Vec<u32>), ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    let (mut rows, mut lines) = (Vec::new(), Vec::new());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The header (and a few lines above it), then at most
                // `max_rows` people.
                if rows.len() > max_rows + HEADER_SEARCH {
                    return Err(ReadError::TooManyRows);
                }
                rows.push(record.iter().take(MAX_COLUMNS).map(restore).collect());
                lines.push(line_of(text, record.position(), rows.len()));
            }
            // The text was decoded already; a quote left open runs to the
            // end of the file and reads as one long cell, not an error.
            Err(_) => return Err(ReadError::NotSpreadsheet),
        }
    }
    Ok((rows, lines))
}

/// The line a record starts on: where the reader says it starts, past the
/// blank lines it skipped on the way.
fn line_of(text: &str, position: Option<&csv::Position>, nth: usize) -> u32 {
    let Some(p) = position else { return nth as u32 };
    let mut line = p.line();
    for b in text.as_bytes().iter().skip(p.byte() as usize) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line as u32
}

/// Rows above the header that a file may have (a title, a blank line).
pub const HEADER_SEARCH: usize = 20;

/// A cell as it was before an export neutralised it (`'=x` was `=x`), so
/// that an export imported again reads what was exported.
fn restore(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

fn workbook(bytes: &[u8], kind: FileKind, max_rows: usize) -> Result<Table, ReadError> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    let sheets = book.sheet_names();
    let mut first: Option<(String, Vec<Vec<String>>)> = None;
    for name in &sheets {
        // Cell by cell, so that a sheet claiming a million rows or columns
        // costs nothing before it is refused.
        let Ok(mut cells) = book.worksheet_cells_reader(name) else {
            continue;
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        loop {
            let cell = match cells.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(_) => return Err(ReadError::Unreadable),
            };
            let (row, col) = cell.get_position();
            let (row, col) = (row as usize, col as usize);
            if col >= MAX_COLUMNS {
                continue;
            }
            let text = cell_text(&calamine::Data::from(cell.get_value().clone()));
            if text.is_empty() {
                continue;
            }
            if row > max_rows + HEADER_SEARCH {
                return Err(ReadError::TooManyRows);
            }
            if rows.len() <= row {
                rows.resize(row + 1, Vec::new());
            }
            let cells_of = &mut rows[row];
            if cells_of.len() <= col {
                cells_of.resize(col + 1, String::new());
            }
            cells_of[col] = text;
        }
        let lines = (1..=rows.len() as u32).collect();
        let header = rows.iter().find(|r| !r.is_empty());
        if header.is_some_and(|h| super::columns::Header::read(h).is_header()) {
            return Ok(Table {
                kind,
                encoding: None,
                sheets: sheets.clone(),
                sheet: Some(name.clone()),
                rows,
                lines,
            });
        }
        if first.is_none() && header.is_some() {
            first = Some((name.clone(), rows));
        }
    }
    match first {
        Some((name, rows)) => Ok(Table {
            kind,
            encoding: None,
            sheets: sheets.clone(),
            sheet: Some(name),
            lines: (1..=rows.len() as u32).collect(),
            rows,
        }),
        None if sheets.is_empty() => Err(ReadError::Unreadable),
        None => Err(ReadError::Empty),
    }
}

/// A cell as the text a person typed: numbers without a trailing `.0`
/// (a mobile number typed as a number), dates as `YYYY-MM-DD`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => {
                t.date().format("%Y-%m-%d").to_string()
            }
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_a_byte_order_mark() {
        for bytes in [
            "姓名,部门\n王伟,总公司/市场部\n".as_bytes().to_vec(),
            [
                b"\xEF\xBB\xBF".as_slice(),
                "姓名,部门\n王伟,总公司/市场部\n".as_bytes(),
            ]
            .concat(),
        ] {
            let t = read(&bytes, None, 10).unwrap();
            assert_eq!(t.kind, FileKind::Csv);
            assert_eq!(t.encoding, Some(Encoding::Utf8));
            assert_eq!(t.rows[0], vec!["姓名", "部门"]);
            assert_eq!(t.rows[1], vec!["王伟", "总公司/市场部"]);
        }
    }

    #[test]
    fn gbk_is_detected_and_can_be_chosen() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名,部门\n王伟,总公司/市场部\n");
        let t = read(&bytes, None, 10).unwrap();
        assert_eq!(t.encoding, Some(Encoding::Gb18030));
        assert_eq!(t.rows[1][0], "王伟");
        assert_eq!(
            read(&bytes, Some(Encoding::Utf8), 10),
            Err(ReadError::NotInEncoding)
        );
        let utf8 = "姓名,部门\n".as_bytes();
        // UTF-8 Chinese read as GB18030 decodes to other characters: the
        // administrator's choice is followed, and the page shows the result.
        assert_eq!(
            read(utf8, Some(Encoding::Gb18030), 10).unwrap().encoding,
            Some(Encoding::Gb18030)
        );
    }

    #[test]
    fn mixed_encodings_are_refused() {
        let (gbk, _, _) = encoding_rs::GBK.encode("李娜,总公司\n");
        let bytes = ["姓名,部门\n王伟,总公司\n".as_bytes(), &gbk].concat();
        assert_eq!(read(&bytes, None, 10), Err(ReadError::MixedEncodings));
    }

    #[test]
    fn quotes_embedded_newlines_and_other_separators() {
        let t = read(
            "姓名;部门;职位\n\"王\"\"伟\";\"总公司\n市场部\";经理\n".as_bytes(),
            None,
            10,
        )
        .unwrap();
        assert_eq!(t.rows[1], vec!["王\"伟", "总公司\n市场部", "经理"]);
        let t = read(b"Name\tDepartment\nAlice\tHQ\n", None, 10).unwrap();
        assert_eq!(t.rows[1], vec!["Alice", "HQ"]);
        assert_eq!(separator("a,b,c\n"), b',');
        // What an export neutralised reads as it was; other apostrophes stay.
        let t = read(
            "姓名,手机\n王伟,'+8613800000001\n'quoted,'=1+1\n".as_bytes(),
            None,
            10,
        )
        .unwrap();
        assert_eq!(t.rows[1], vec!["王伟", "+8613800000001"]);
        assert_eq!(t.rows[2], vec!["'quoted", "=1+1"]);
    }

    #[test]
    fn binaries_and_empty_files_are_not_spreadsheets() {
        assert_eq!(read(b"", None, 10), Err(ReadError::Empty));
        assert_eq!(read(b" \n\r\n", None, 10), Err(ReadError::Empty));
        let png = [
            &[
                0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13,
            ][..],
            &[7u8; 64],
        ]
        .concat();
        assert_eq!(read(&png, None, 10), Err(ReadError::NotSpreadsheet));
        assert_eq!(
            read(b"PK\x03\x04not really a zip", None, 10),
            Err(ReadError::Unreadable)
        );
        assert_eq!(
            read(&[OLE, b"junk"].concat(), None, 10),
            Err(ReadError::OldExcel)
        );
    }

    #[test]
    fn rows_past_the_limit_are_refused() {
        let mut text = String::from("姓名,部门\n");
        for i in 0..11 {
            text.push_str(&format!("p{i},总公司\n"));
        }
        assert_eq!(
            read(text.as_bytes(), None, 11).map(|t| t.rows.len()),
            Ok(12)
        );
        let mut many = String::from("姓名,部门\n");
        for i in 0..(10 + HEADER_SEARCH + 1) {
            many.push_str(&format!("p{i},总公司\n"));
        }
        assert_eq!(read(many.as_bytes(), None, 10), Err(ReadError::TooManyRows));
        // Blank lines are skipped; a row keeps the number of its line.
        let t = read(
            "姓名,部门\n\n王伟,总公司\n\"李\n娜\",总公司\n赵六,总公司\n".as_bytes(),
            None,
            10,
        )
        .unwrap();
        assert_eq!(t.lines, vec![1, 3, 4, 6]);
        // Cells past the 64th are not read.
        let wide = format!("姓名,部门{}\n", ",x".repeat(100));
        assert_eq!(
            read(wide.as_bytes(), None, 10).unwrap().rows[0].len(),
            MAX_COLUMNS
        );
    }

    #[test]
    fn a_workbook_that_unpacks_past_the_limit_is_refused() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", deflated).unwrap();
        zip.write_all(&vec![b'a'; 4 << 20]).unwrap();
        let bomb = zip.finish().unwrap().into_inner();
        // 4 MiB of text in a few kilobytes.
        assert!(bomb.len() < 64 << 10, "{}", bomb.len());
        assert_eq!(unpacks_within(&bomb, 1 << 20), Err(ReadError::Unpacked));
        assert_eq!(unpacks_within(&bomb, 8 << 20), Ok(()));
        // A real workbook is far within the limit.
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "姓名").unwrap();
        assert_eq!(
            unpacks_within(&book.save_to_buffer().unwrap(), MAX_UNPACKED),
            Ok(())
        );
    }

    #[test]
    fn an_xlsx_reads_its_first_sheet_with_a_header() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let notes = book.add_worksheet();
        notes.set_name("说明 Notes").unwrap();
        notes
            .write_string(0, 0, "This sheet explains the columns")
            .unwrap();
        let people = book.add_worksheet();
        people.set_name("People").unwrap();
        people.write_string(0, 0, "姓名 Name").unwrap();
        people.write_string(0, 1, "手机 Mobile").unwrap();
        people.write_string(0, 2, "部门 Department").unwrap();
        people.write_string(1, 0, "王伟").unwrap();
        people.write_number(1, 1, 13800138000.0).unwrap();
        people.write_string(1, 2, "总公司").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read(&bytes, None, 10).unwrap();
        assert_eq!(t.kind, FileKind::Xlsx);
        assert_eq!(t.sheets, vec!["说明 Notes", "People"]);
        assert_eq!(t.sheet.as_deref(), Some("People"));
        assert_eq!(t.rows[1], vec!["王伟", "13800138000", "总公司"]);
    }
}
