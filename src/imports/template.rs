//! The contacts template: the header row in both languages, an example
//! row, and (in the workbook) a second sheet that explains each column.
use super::Column;
use crate::server::sheet::{Format, Sheet, SheetError};

/// The example row, column by column.
fn example(column: Column, root: &str) -> String {
    match column {
        Column::Name => "张伟".into(),
        Column::Userid => "zhangwei".into(),
        Column::Mobile => "13800138000".into(),
        Column::Email => "zhangwei@example.com".into(),
        Column::Departments => format!("{root}/市场部/华东区;{root}/销售部"),
        Column::Position => "销售经理".into(),
        Column::EmployeeNo => "A0001".into(),
        Column::Gender => "男".into(),
        Column::Manager => "lina".into(),
        Column::HireDate => "2024-03-01".into(),
        Column::Status => "启用".into(),
    }
}

/// What each column takes: (required, Chinese, English).
fn explanation(column: Column) -> (bool, &'static str, &'static str) {
    match column {
        Column::Name => (true, "1 至 64 个字符。", "1 to 64 characters."),
        Column::Userid => (
            false,
            "成员在企业内的唯一账号：字母、数字和 _ . @ -，最多 64 个。留空则按姓名拼音生成。用于匹配已有成员。",
            "The person's unique ID in the organisation: letters, digits and _ . @ -, at most 64. Left blank, it is made from the name's pinyin. Used to match people already in contacts.",
        ),
        Column::Mobile => (
            false,
            "中国大陆手机号可不带 +86；其他国家或地区请以 + 和国家码开头。手机和邮箱至少填一项。",
            "A mainland China number may leave out +86; others start with + and the country code. A mobile or an email is required.",
        ),
        Column::Email => (false, "邮箱地址。", "An email address."),
        Column::Departments => (
            true,
            "部门路径，用 / 分隔层级（如 总公司/市场部/华东区），多个部门用 ; 分隔，第一个为主部门。",
            "Department paths with / between levels (e.g. HQ/Marketing/East), several separated by ;, the first being the main one.",
        ),
        Column::Position => (false, "最多 128 个字符。", "At most 128 characters."),
        Column::EmployeeNo => (false, "最多 64 个字符。", "At most 64 characters."),
        Column::Gender => (
            false,
            "男 或 女（male / female）。",
            "male or female (男 / 女).",
        ),
        Column::Manager => (
            false,
            "直属上级的账号，最多 5 个，用 ; 分隔；可以是本文件中的成员。",
            "The account IDs of the person's managers, at most 5, separated by ;. They may be people of this file.",
        ),
        Column::HireDate => (false, "日期，如 2024-03-01。", "A date, e.g. 2024-03-01."),
        Column::Status => (
            false,
            "启用 或 禁用（enabled / disabled）；留空不变。",
            "enabled or disabled (启用 / 禁用); blank leaves it as it is.",
        ),
    }
}

const NOTES: &[(&str, &str)] = &[
    (
        "表头可以是中文、英文或两者，列的顺序不限；无法识别的列会被列出并忽略。",
        "Headers may be in Chinese, English or both, in any order; columns that are not recognised are listed and ignored.",
    ),
    (
        "更新已有成员时，空白单元格保持原值不变。",
        "When people already in contacts are updated, blank cells leave their values as they are.",
    ),
    (
        "导入前会先检查整份文件，列出每一行将要进行的操作和错误。",
        "Before anything changes, the whole file is checked and every row's outcome and errors are listed.",
    ),
];

/// The template as a file; `root` is the organisation's top department.
pub fn template(format: Format, root: &str) -> Result<Vec<u8>, SheetError> {
    let headers: Vec<String> = Column::ALL.iter().map(|c| c.header()).collect();
    let row: Vec<String> = Column::ALL.iter().map(|c| example(*c, root)).collect();
    match format {
        Format::Csv => {
            let header: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut sheet = Sheet::new(Format::Csv, "", &header)?;
            sheet.row(row.iter().map(String::as_str))?;
            sheet.finish()
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let text = rust_xlsxwriter::Format::new().set_num_format("@");
            let people = book.add_worksheet();
            people.set_name("成员 People")?;
            for (i, (h, cell)) in headers.iter().zip(&row).enumerate() {
                let col = i as u16;
                people.write_string_with_format(0, col, h, &bold)?;
                // Text columns stay text: a mobile number is not a number.
                people.set_column_format(col, &text)?;
                people.write_string(1, col, cell)?;
                people.set_column_width(col, if i == 4 { 40 } else { 16 })?;
            }
            people.set_freeze_panes(1, 0)?;
            let notes = book.add_worksheet();
            notes.set_name("说明 Notes")?;
            for (col, h) in ["列 Column", "必填 Required", "说明", "Notes"]
                .iter()
                .enumerate()
            {
                notes.write_string_with_format(0, col as u16, *h, &bold)?;
            }
            for (i, c) in Column::ALL.iter().enumerate() {
                let (required, zh, en) = explanation(*c);
                let r = i as u32 + 1;
                notes.write_string(r, 0, c.header())?;
                notes.write_string(r, 1, if required { "是 Yes" } else { "否 No" })?;
                notes.write_string(r, 2, zh)?;
                notes.write_string(r, 3, en)?;
            }
            let first = Column::ALL.len() as u32 + 2;
            for (i, (zh, en)) in NOTES.iter().enumerate() {
                notes.write_string(first + i as u32, 2, *zh)?;
                notes.write_string(first + i as u32, 3, *en)?;
            }
            notes.set_column_width(0, 22)?;
            notes.set_column_width(1, 12)?;
            notes.set_column_width(2, 60)?;
            notes.set_column_width(3, 80)?;
            Ok(book.save_to_buffer()?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::columns::Header;
    use crate::imports::read::read;

    #[test]
    fn the_template_reads_back_as_its_own_columns() {
        for format in [Format::Csv, Format::Xlsx] {
            let bytes = template(format, "总公司").unwrap();
            let table = read(&bytes, None, 10).unwrap();
            let header = Header::read(&table.rows[0]);
            assert_eq!(header.columns, Column::ALL.map(Some).to_vec(), "{format:?}");
            assert!(header.unknown.is_empty() && header.missing.is_empty());
            assert_eq!(header.cell(&table.rows[1], Column::Mobile), "13800138000");
            assert_eq!(
                header.cell(&table.rows[1], Column::Departments),
                "总公司/市场部/华东区;总公司/销售部"
            );
            if format == Format::Xlsx {
                assert_eq!(table.sheets, vec!["成员 People", "说明 Notes"]);
            }
        }
    }
}
