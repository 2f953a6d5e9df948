//! The columns of the contacts template, and recognising them in a header
//! row written in either language, in any order, as HR systems export them.
use serde::{Deserialize, Serialize};

/// One column of the template, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Name,
    Userid,
    Mobile,
    Email,
    Departments,
    Position,
    EmployeeNo,
    Gender,
    Manager,
    HireDate,
    Status,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Name,
        Column::Userid,
        Column::Mobile,
        Column::Email,
        Column::Departments,
        Column::Position,
        Column::EmployeeNo,
        Column::Gender,
        Column::Manager,
        Column::HireDate,
        Column::Status,
    ];

    /// A file must have these; the others may be left out.
    pub const REQUIRED: [Column; 2] = [Column::Name, Column::Departments];

    /// The stable name: the field the row's errors name.
    pub const fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Userid => "userid",
            Column::Mobile => "mobile",
            Column::Email => "email",
            Column::Departments => "departments",
            Column::Position => "position",
            Column::EmployeeNo => "employee_no",
            Column::Gender => "gender",
            Column::Manager => "manager",
            Column::HireDate => "hire_date",
            Column::Status => "status",
        }
    }

    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    pub const fn zh(self) -> &'static str {
        match self {
            Column::Name => "姓名",
            Column::Userid => "账号",
            Column::Mobile => "手机",
            Column::Email => "邮箱",
            Column::Departments => "部门",
            Column::Position => "职位",
            Column::EmployeeNo => "工号",
            Column::Gender => "性别",
            Column::Manager => "直属上级",
            Column::HireDate => "入职日期",
            Column::Status => "状态",
        }
    }

    pub const fn en(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Userid => "Account ID",
            Column::Mobile => "Mobile",
            Column::Email => "Email",
            Column::Departments => "Department",
            Column::Position => "Position",
            Column::EmployeeNo => "Employee number",
            Column::Gender => "Gender",
            Column::Manager => "Manager",
            Column::HireDate => "Hire date",
            Column::Status => "Status",
        }
    }

    /// The template's header: both languages, `姓名 Name`.
    pub fn header(self) -> String {
        format!("{} {}", self.zh(), self.en())
    }

    /// Other words HR systems and WeCom's own export use for the column.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["名字", "员工姓名", "full name", "employee name"],
            Column::Userid => &["帐号", "账号id", "userid", "user id", "account", "username"],
            Column::Mobile => &[
                "手机号",
                "手机号码",
                "电话",
                "mobile phone",
                "phone",
                "cell",
            ],
            Column::Email => &[
                "邮件",
                "电子邮箱",
                "邮箱地址",
                "e-mail",
                "email address",
                "mail",
            ],
            Column::Departments => &["所在部门", "部门路径", "departments", "dept"],
            Column::Position => &["职务", "岗位", "title", "job title"],
            Column::EmployeeNo => &["员工编号", "employee no", "employee id", "staff no"],
            Column::Gender => &["sex"],
            Column::Manager => &["上级", "汇报对象", "直属领导", "reports to", "supervisor"],
            Column::HireDate => &["入职时间", "入职", "start date", "date of hire"],
            Column::Status => &["账号状态", "员工状态", "state"],
        }
    }
}

/// A header cell as compared: no byte-order mark, no marks of a required
/// column (`*`, `（必填）`), no spaces, underscores or case.
fn normalise(cell: &str) -> String {
    let cell = cell.trim_start_matches('\u{feff}');
    let cell = cell
        .replace("（必填）", "")
        .replace("(必填)", "")
        .replace("(required)", "")
        .replace("(optional)", "")
        .replace("（选填）", "")
        .replace("(选填)", "");
    cell.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '＊'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column a header cell names, in either language or both.
pub fn recognise(cell: &str) -> Option<Column> {
    let seen = normalise(cell);
    if seen.is_empty() {
        return None;
    }
    Column::ALL.into_iter().find(|c| {
        let names = [c.zh(), c.en(), c.key()];
        names.iter().any(|n| normalise(n) == seen)
            || normalise(&c.header()) == seen
            || normalise(&format!("{}{}", c.en(), c.zh())) == seen
            || c.synonyms().iter().any(|n| normalise(n) == seen)
    })
}

/// What a header row says: the column of each cell, and what is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// For each cell of the header row, its column (or none: unknown).
    pub columns: Vec<Option<Column>>,
    /// Cells that name no column: (1-based position, text). Reported, not fatal.
    pub unknown: Vec<(usize, String)>,
    /// A column named twice: the second one is ignored and reported.
    pub repeated: Vec<(usize, Column)>,
    /// Required columns the file does not have.
    pub missing: Vec<Column>,
}

impl Header {
    pub fn read(cells: &[String]) -> Header {
        let mut header = Header::default();
        for (i, cell) in cells.iter().enumerate() {
            match recognise(cell) {
                Some(c) if header.columns.contains(&Some(c)) => {
                    header.repeated.push((i + 1, c));
                    header.columns.push(None);
                }
                Some(c) => header.columns.push(Some(c)),
                None => {
                    if !cell.trim().is_empty() {
                        header
                            .unknown
                            .push((i + 1, cell.trim().chars().take(64).collect()));
                    }
                    header.columns.push(None);
                }
            }
        }
        header.missing = Column::REQUIRED
            .into_iter()
            .filter(|c| !header.columns.contains(&Some(*c)))
            .collect();
        header
    }

    /// Whether this row looks like a header at all: it names at least two
    /// columns (a file with no header row starts with people).
    pub fn is_header(&self) -> bool {
        self.columns.iter().flatten().count() >= 2
    }

    /// The position of `column` in a row, if the file has it.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(column))
    }

    /// The cell of `column` in `row`, trimmed ("" when absent).
    pub fn cell<'a>(&self, row: &'a [String], column: Column) -> &'a str {
        self.position(column)
            .and_then(|i| row.get(i))
            .map_or("", |s| s.trim())
    }
}

/// The header row of a file: the first of its first rows that names
/// columns, else its first row with anything in it (whose missing columns
/// are then reported). `None`: a file of blank rows.
pub fn find_header(rows: &[Vec<String>]) -> Option<(usize, Header)> {
    let filled = |r: &&Vec<String>| r.iter().any(|c| !c.trim().is_empty());
    rows.iter()
        .enumerate()
        .take(20)
        .filter(|(_, r)| filled(r))
        .map(|(i, r)| (i, Header::read(r)))
        .find(|(_, h)| h.is_header())
        .or_else(|| {
            rows.iter()
                .enumerate()
                .find(|(_, r)| filled(r))
                .map(|(i, r)| (i, Header::read(r)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_language_and_both_are_recognised() {
        for c in Column::ALL {
            assert_eq!(recognise(c.zh()), Some(c), "{}", c.zh());
            assert_eq!(recognise(c.en()), Some(c), "{}", c.en());
            assert_eq!(recognise(&c.header()), Some(c), "{}", c.header());
            assert_eq!(recognise(&c.en().to_uppercase()), Some(c));
        }
        assert_eq!(recognise("\u{feff}姓名"), Some(Column::Name));
        assert_eq!(recognise("*手机号码"), Some(Column::Mobile));
        assert_eq!(recognise("部门（必填）"), Some(Column::Departments));
        assert_eq!(recognise("E-mail"), Some(Column::Email));
        assert_eq!(recognise("hire_date"), Some(Column::HireDate));
        assert_eq!(recognise("备注"), None);
        assert_eq!(recognise("  "), None);
    }

    #[test]
    fn no_two_columns_share_a_word() {
        for a in Column::ALL {
            let words: Vec<String> = [a.zh(), a.en(), a.key()]
                .iter()
                .copied()
                .chain(a.synonyms().iter().copied())
                .map(normalise)
                .collect();
            for w in words {
                assert_eq!(recognise(&w), Some(a), "{w} names {a:?} and another column");
            }
        }
    }

    #[test]
    fn a_header_in_any_order_with_unknown_and_repeated_cells() {
        let h = Header::read(&cells(&["Mobile", "部门", "备注", "姓名 Name", "手机", ""]));
        assert_eq!(
            h.columns,
            vec![
                Some(Column::Mobile),
                Some(Column::Departments),
                None,
                Some(Column::Name),
                None,
                None
            ]
        );
        assert_eq!(h.unknown, vec![(3, "备注".to_owned())]);
        assert_eq!(h.repeated, vec![(5, Column::Mobile)]);
        assert!(h.missing.is_empty());
        assert!(h.is_header());
        let row = cells(&["+8613800000000", " 总公司/市场部 ", "x", "王伟"]);
        assert_eq!(h.cell(&row, Column::Departments), "总公司/市场部");
        assert_eq!(h.cell(&row, Column::Email), "");
    }

    #[test]
    fn required_columns_are_named_when_missing() {
        let h = Header::read(&cells(&["姓名", "手机"]));
        assert_eq!(h.missing, vec![Column::Departments]);
        let people = Header::read(&cells(&["王伟", "13800000000"]));
        assert!(!people.is_header());
    }
}
