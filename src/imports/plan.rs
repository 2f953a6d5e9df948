//! What a dry run says: the plan's types, and its passes over the whole
//! file once every row was read.
use super::cells::err;
use super::{CellError, Column, Counts, ImportOptions, RowAction};
use crate::access::Scope;
use crate::contacts::EmployeeStatus;
use crate::error::Code;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// A department as the check needs it.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: Uuid,
    /// Ids from the root down to the department itself.
    pub path: Vec<Uuid>,
}

/// A person already in contacts.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub userid: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub employee_no: Option<String>,
    pub gender: Option<String>,
    pub hire_date: Option<NaiveDate>,
    pub status: EmployeeStatus,
    /// The main department first.
    pub departments: Vec<Uuid>,
    pub managers: Vec<Uuid>,
    /// A super administrator or a member of an admin group.
    pub administrator: bool,
    pub super_admin: bool,
}

/// The organisation's contacts as the check reads them.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub root: Uuid,
    pub root_name: String,
    /// Every department by its path of names below the root, joined by `/`
    /// and lower-cased (the root itself: "").
    pub departments: HashMap<String, Department>,
    pub people: Vec<Person>,
    /// How many more members the organisation may have (None: no cap).
    pub room: Option<i64>,
    /// The administrator importing: their scope, and themselves.
    pub scope: Scope,
    pub caller: Uuid,
    pub caller_super_admin: bool,
}

/// A department a row names: one that exists, or one the import creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DepartmentRef {
    Existing(Uuid),
    /// Its path key (names below the root joined by `/`), shared by the
    /// rows that name it.
    New(std::sync::Arc<str>),
}

/// A manager a row names: a person in contacts, or a person of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerRef {
    Existing(Uuid),
    /// The index of the row (in `Plan::rows`) that creates them.
    Row(usize),
}

/// A row's values, checked. Absent cells are `None` and change nothing.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: Option<String>,
    pub userid: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub employee_no: Option<String>,
    pub gender: Option<String>,
    pub hire_date: Option<NaiveDate>,
    /// The main department first.
    pub departments: Option<Vec<DepartmentRef>>,
    pub managers: Option<Vec<ManagerRef>>,
    /// `Some(true)`: enabled, `Some(false)`: disabled.
    pub enabled: Option<bool>,
}

/// What one row does.
#[derive(Debug, Clone)]
pub struct RowPlan {
    /// The row's position among the file's rows.
    pub index: usize,
    /// The row's number as the administrator sees it (its line, its row).
    pub line: u32,
    pub action: RowAction,
    /// The person in contacts it matched.
    pub person: Option<Uuid>,
    pub values: Values,
    pub errors: Vec<CellError>,
    /// The columns an update changes.
    pub changes: Vec<Column>,
    /// A row with wrong cells as the list of rows shows it, from its cells
    /// as written (the others are shown by their values: [`RowPlan::shown`]).
    pub shown: Option<Box<Shown>>,
}

impl RowPlan {
    /// Name, account ID and contact as the list of rows shows them.
    pub fn shown(&self) -> (&str, &str, &str) {
        match &self.shown {
            Some(s) => (&s.name, &s.userid, &s.contact),
            None => (
                self.values.name.as_deref().unwrap_or_default(),
                self.values.userid.as_deref().unwrap_or_default(),
                self.values
                    .mobile
                    .as_deref()
                    .or(self.values.email.as_deref())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// A row's name, account ID and mobile (else email) as written, at most
/// 128 characters each: all that is kept of a wrong row's cells once judged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub name: String,
    pub userid: String,
    pub contact: String,
}

/// A dry run's whole answer.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Rows with something in them, in file order.
    pub rows: Vec<RowPlan>,
    /// Departments to create, parents before children: path key -> names.
    pub new_departments: BTreeMap<String, Vec<String>>,
    /// People a full sync disables.
    pub disable: Vec<Uuid>,
    /// People in the administrator's scope (the guard's base).
    pub scope_size: i64,
    pub counts: Counts,
    /// A digest of what the plan does (see [`fingerprint`]).
    pub fingerprint: String,
}

impl Plan {
    pub fn needs_second_confirmation(&self) -> bool {
        super::needs_second_confirmation(self.counts.disable, self.scope_size)
    }
}

impl Plan {
    /// Rows that name as manager a row of the file that has errors cannot go
    /// in either (that manager will not exist), and so on down the chain: one
    /// pass over who names whom.
    pub(super) fn propagate_manager_errors(&mut self) {
        let plan = self;
        let mut named_by: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, row) in plan.rows.iter().enumerate() {
            for m in row.values.managers.iter().flatten() {
                if let ManagerRef::Row(r) = m {
                    named_by.entry(*r).or_default().push(i);
                }
            }
        }
        let mut wrong: Vec<usize> = (0..plan.rows.len())
            .filter(|&i| plan.rows[i].action == RowAction::Error)
            .collect();
        while let Some(r) = wrong.pop() {
            let line = plan.rows[r].line;
            for &i in named_by.get(&r).map(Vec::as_slice).unwrap_or(&[]) {
                if plan.rows[i].action != RowAction::Error {
                    plan.rows[i].errors.push(err(
                        Some(Column::Manager),
                        Code::ImportManagerRowWrong,
                        Some(line.to_string()),
                    ));
                    plan.rows[i].action = RowAction::Error;
                    wrong.push(i);
                }
            }
        }
    }

    /// What a plan would do, as a digest: the run applies a file only when its
    /// plan now has the digest of the one the administrator saw.
    pub(super) fn digest(&self) -> String {
        let plan = self;
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for r in &plan.rows {
            h.update(r.line.to_le_bytes());
            h.update(r.action.as_str());
            h.update(r.person.map(|p| *p.as_bytes()).unwrap_or_default());
            for c in &r.changes {
                h.update(c.key());
            }
            h.update(b";");
        }
        let mut disable = plan.disable.clone();
        disable.sort();
        for d in disable {
            h.update(d.as_bytes());
        }
        for k in plan.new_departments.keys() {
            h.update(k.as_bytes());
            h.update(b"/");
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The columns on which `v` changes `p` (an empty cell changes nothing).
impl Person {
    /// The columns on which `v` changes this person (an empty cell changes nothing).
    pub(super) fn changes(&self, v: &Values) -> Vec<Column> {
        let p = self;
        let mut changes = Vec::new();
        let mut differs = |c: Column, new: Option<&str>, old: Option<&str>| {
            if let Some(new) = new
                && Some(new) != old
            {
                changes.push(c);
            }
        };
        differs(Column::Name, v.name.as_deref(), Some(&p.name));
        differs(Column::Userid, v.userid.as_deref(), Some(&p.userid));
        differs(Column::Mobile, v.mobile.as_deref(), p.mobile.as_deref());
        differs(Column::Email, v.email.as_deref(), p.email.as_deref());
        differs(
            Column::Position,
            v.position.as_deref(),
            p.position.as_deref(),
        );
        differs(
            Column::EmployeeNo,
            v.employee_no.as_deref(),
            p.employee_no.as_deref(),
        );
        differs(Column::Gender, v.gender.as_deref(), p.gender.as_deref());
        if let Some(d) = v.hire_date
            && Some(d) != p.hire_date
        {
            changes.push(Column::HireDate);
        }
        if let Some(departments) = &v.departments {
            let same = departments.first()
                == p.departments
                    .first()
                    .map(|d| DepartmentRef::Existing(*d))
                    .as_ref()
                && departments.len() == p.departments.len()
                && departments.iter().all(
                    |d| matches!(d, DepartmentRef::Existing(id) if p.departments.contains(id)),
                );
            if !same && !departments.is_empty() {
                changes.push(Column::Departments);
            }
        }
        if let Some(enabled) = v.enabled
            && enabled != (p.status != EmployeeStatus::Disabled)
        {
            changes.push(Column::Status);
        }
        changes
    }
}

/// The department with these names below the root: one that exists
/// (whether the caller may name it is judged with the row's person), or a
/// new one (with every missing parent) when the import may create them
/// and the nearest existing one lies in the administrator's scope.
pub(super) fn department(
    snapshot: &Snapshot,
    names: &[String],
    options: ImportOptions,
    plan: &mut Plan,
    made: &mut HashMap<String, Arc<str>>,
) -> Result<DepartmentRef, Code> {
    // Sibling names are unique regardless of case, as in the tree.
    let key = names.join("/").to_lowercase();
    if let Some(d) = snapshot.departments.get(&key) {
        // Whether the caller may name it depends on the row's person.
        return Ok(DepartmentRef::Existing(d.id));
    }
    if !options.create_departments {
        return Err(Code::EmployeeDepartmentUnknown);
    }
    // Judged once for every row that names it, and its key shared.
    if let Some(key) = made.get(&key) {
        return Ok(DepartmentRef::New(key.clone()));
    }
    // The nearest existing ancestor decides whether the administrator may
    // create below it.
    let existing = (0..names.len())
        .rev()
        .find_map(|n| {
            snapshot
                .departments
                .get(&names[..n].join("/").to_lowercase())
        })
        .ok_or(Code::EmployeeDepartmentUnknown)?;
    if !snapshot.scope.covers(&existing.path) {
        return Err(Code::ImportOutsideScope);
    }
    for n in 1..=names.len() {
        let k = names[..n].join("/").to_lowercase();
        if !snapshot.departments.contains_key(&k) {
            plan.new_departments
                .entry(k)
                .or_insert_with(|| names[..n].to_vec());
        }
    }
    let shared: Arc<str> = Arc::from(key.as_str());
    made.insert(key, shared.clone());
    Ok(DepartmentRef::New(shared))
}
