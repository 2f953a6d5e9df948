//! The dry run: what each row of a file would do to an organisation's
//! contacts, judged against a snapshot of them, with every problem named by
//! its cell. The run checks again, inside its transaction, with the same
//! code, so what it applies is exactly what a dry run of that moment says.
//! The plan's types and its passes over the whole file are in `plan.rs`,
//! the reading of single cells in `cells.rs`.
use super::cells::*;
use super::columns::Header;
pub use super::plan::*;
use super::{CellError, Column, ImportOptions, RowAction};
use crate::access::Scope;
use crate::contacts::{
    EmployeeStatus, MAX_DEPARTMENTS, MAX_DEPARTMENTS_PER_PERSON, MAX_MANAGERS, rules,
};
use crate::domain::{Email, ErrorCode, Mobile};
use crate::error::Code;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

/// The keys a row is known by, for duplicates within the file.
struct Seen {
    userid: HashMap<String, usize>,
    mobile: HashMap<String, usize>,
    email: HashMap<String, usize>,
    person: HashMap<Uuid, usize>,
}

/// Judges every row of a file against `snapshot`. The rows are let go one
/// by one as they are judged, so a large file is not held beside its plan.
pub fn plan(
    snapshot: &Snapshot,
    rows: Vec<Vec<String>>,
    lines: &[u32],
    at: usize,
    header: &Header,
    options: ImportOptions,
) -> Plan {
    let mut plan = Plan::default();
    // Sized once: a growing vector of 100,000 rows would hold up to twice
    // its size, and both copies while it moves.
    plan.rows.reserve_exact(rows.len().saturating_sub(at + 1));
    let by_userid: HashMap<String, usize> = index(snapshot, |p| Some(p.userid.to_lowercase()));
    let by_mobile = index(snapshot, |p| p.mobile.clone());
    let by_email = index(snapshot, |p| p.email.as_ref().map(|e| e.to_lowercase()));
    let by_id: HashMap<Uuid, usize> = snapshot
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let paths: HashMap<Uuid, &[Uuid]> = snapshot
        .departments
        .values()
        .map(|d| (d.id, d.path.as_slice()))
        .collect();
    let in_scope = |departments: &[Uuid]| match &snapshot.scope {
        Scope::Organisation => true,
        scope => departments
            .iter()
            .any(|d| paths.get(d).is_some_and(|path| scope.covers(path))),
    };
    // Every department of the person in the scope: only then may a scoped
    // administrator move or disable them (as on the person's page).
    let inside_all = |departments: &[Uuid]| match &snapshot.scope {
        Scope::Organisation => true,
        scope => departments
            .iter()
            .all(|d| paths.get(d).is_some_and(|path| scope.covers(path))),
    };
    let mut seen = Seen {
        userid: HashMap::with_capacity(rows.len()),
        mobile: HashMap::with_capacity(rows.len()),
        email: HashMap::with_capacity(rows.len()),
        person: HashMap::new(),
    };
    let mut made: HashMap<String, Arc<str>> = HashMap::new();
    let mut manager_cells: Vec<(usize, Vec<String>)> = Vec::new();

    for (i, cells) in rows.into_iter().enumerate().skip(at + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = lines.get(i).copied().unwrap_or(i as u32 + 1);
        let cell = |c: Column| header.cell(&cells, c);
        let mut errors = Vec::new();
        let mut v = Values::default();
        let text = |c: Column, max: usize, errors: &mut Vec<CellError>| match rules::optional_text(
            cell(c),
            max,
        ) {
            Ok(t) => t,
            Err(code) => {
                errors.push(err(Some(c), code, None));
                None
            }
        };
        if !cell(Column::Name).is_empty() {
            match rules::person_name(cell(Column::Name)) {
                Ok(n) => v.name = Some(n),
                Err(code) => errors.push(err(Some(Column::Name), code, None)),
            }
        }
        if !cell(Column::Userid).is_empty() {
            match rules::userid(cell(Column::Userid)) {
                Ok(u) => v.userid = Some(u),
                Err(code) => errors.push(err(Some(Column::Userid), code, None)),
            }
        }
        if !cell(Column::Mobile).is_empty() {
            match Mobile::parse(cell(Column::Mobile)) {
                Ok(m) => v.mobile = Some(m.as_str().to_owned()),
                Err(e) => errors.push(err(Some(Column::Mobile), e.code(), None)),
            }
        }
        if !cell(Column::Email).is_empty() {
            match Email::parse(cell(Column::Email)) {
                Ok(m) => v.email = Some(m.as_str().to_owned()),
                Err(e) => errors.push(err(Some(Column::Email), e.code(), None)),
            }
        }
        v.position = text(Column::Position, 128, &mut errors);
        v.employee_no = text(Column::EmployeeNo, 64, &mut errors);
        if !cell(Column::Gender).is_empty() {
            match gender(cell(Column::Gender)) {
                Some(g) => v.gender = Some(g.to_owned()),
                None => errors.push(err(Some(Column::Gender), Code::ValidationChoice, None)),
            }
        }
        if !cell(Column::HireDate).is_empty() {
            match date(cell(Column::HireDate)) {
                Ok(d) => v.hire_date = Some(d),
                Err(code) => errors.push(err(Some(Column::HireDate), code, None)),
            }
        }
        if !cell(Column::Status).is_empty() {
            match status(cell(Column::Status)) {
                Some(s) => v.enabled = Some(s),
                None => errors.push(err(Some(Column::Status), Code::EmployeeStatusInvalid, None)),
            }
        }
        let named = items(cell(Column::Departments), false);
        // Departments outside the scope: allowed only where the person
        // already is (an export of the scope names them), judged once the
        // row's person is known.
        let mut outside: Vec<(String, Uuid)> = Vec::new();
        if !named.is_empty() {
            if named.len() > MAX_DEPARTMENTS_PER_PERSON {
                errors.push(err(
                    Some(Column::Departments),
                    Code::EmployeeTooManyDepartments,
                    None,
                ));
            } else {
                let mut refs: Vec<DepartmentRef> = Vec::new();
                for raw in named {
                    match department_path(raw, &snapshot.root_name) {
                        Err(code) => {
                            errors.push(err(Some(Column::Departments), code, Some(raw.to_owned())))
                        }
                        Ok(names) => {
                            match department(snapshot, &names, options, &mut plan, &mut made) {
                                Ok(r) => {
                                    if let DepartmentRef::Existing(id) = r
                                        && !paths.get(&id).is_some_and(|p| snapshot.scope.covers(p))
                                    {
                                        outside.push((raw.to_owned(), id));
                                    }
                                    if !refs.contains(&r) {
                                        refs.push(r);
                                    }
                                }
                                Err(code) => errors.push(err(
                                    Some(Column::Departments),
                                    code,
                                    Some(raw.to_owned()),
                                )),
                            }
                        }
                    }
                }
                v.departments = Some(refs);
            }
        }
        let managers: Vec<String> = items(cell(Column::Manager), true)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if managers.len() > MAX_MANAGERS {
            errors.push(err(
                Some(Column::Manager),
                Code::EmployeeTooManyManagers,
                None,
            ));
        }

        // Who the row is: account ID, then mobile, then email.
        let found = |key: &Option<String>, by: &HashMap<String, usize>, lower: bool| {
            key.as_ref()
                .and_then(|k| by.get(&if lower { k.to_lowercase() } else { k.clone() }))
                .copied()
        };
        let keys = [
            (
                Column::Userid,
                found(&v.userid, &by_userid, true),
                Code::EmployeeUseridTaken,
            ),
            (
                Column::Mobile,
                found(&v.mobile, &by_mobile, false),
                Code::EmployeeMobileTaken,
            ),
            (
                Column::Email,
                found(&v.email, &by_email, true),
                Code::EmployeeEmailTaken,
            ),
        ];
        let matched = keys.iter().find_map(|(_, p, _)| *p);
        for (column, p, code) in keys {
            if let (Some(p), Some(m)) = (p, matched)
                && p != m
            {
                errors.push(err(Some(column), code, None));
            }
        }
        let person = matched.map(|p| &snapshot.people[p]);
        for (raw, id) in outside {
            if person.is_none_or(|p| !p.departments.contains(&id)) {
                errors.push(err(
                    Some(Column::Departments),
                    Code::ImportOutsideScope,
                    Some(raw),
                ));
            }
        }
        let mut action = match person {
            None => RowAction::Create,
            Some(_) if !options.update_existing => RowAction::Skip,
            Some(_) => RowAction::Unchanged,
        };
        let mut changes = Vec::new();
        if let Some(p) = person {
            if p.status == EmployeeStatus::Departed {
                errors.push(err(
                    keys.iter().find(|k| k.1.is_some()).map(|k| k.0),
                    Code::ImportPersonLeft,
                    None,
                ));
            } else if !in_scope(&p.departments) {
                errors.push(err(None, Code::ImportOutsideScope, None));
            } else if action != RowAction::Skip {
                changes = p.changes(&v);
                // Administrators are changed on their page, by a super
                // administrator, as the contacts console allows.
                if p.administrator && !changes.is_empty() && !snapshot.caller_super_admin {
                    errors.push(err(None, Code::ImportAdministrator, None));
                }
                let disabling = v.enabled == Some(false) && changes.contains(&Column::Status);
                if !inside_all(&p.departments) {
                    if changes.contains(&Column::Departments) {
                        errors.push(err(
                            Some(Column::Departments),
                            Code::AccessPersonElsewhere,
                            None,
                        ));
                    }
                    if disabling {
                        errors.push(err(Some(Column::Status), Code::AccessPersonElsewhere, None));
                    }
                }
                if p.administrator
                    && (changes.contains(&Column::Mobile) || changes.contains(&Column::Email))
                {
                    let c = if changes.contains(&Column::Mobile) {
                        Column::Mobile
                    } else {
                        Column::Email
                    };
                    errors.push(err(Some(c), Code::ImportAdministratorAddress, None));
                }
                if v.enabled == Some(false) && changes.contains(&Column::Status) {
                    if p.id == snapshot.caller {
                        errors.push(err(Some(Column::Status), Code::EmployeeStatusSelf, None));
                    } else if p.super_admin {
                        errors.push(err(Some(Column::Status), Code::ImportSuperAdmin, None));
                    }
                }
                action = if changes.contains(&Column::Departments) {
                    RowAction::Move
                } else if changes.is_empty() {
                    RowAction::Unchanged
                } else {
                    RowAction::Update
                };
            }
        } else {
            if v.name.is_none() && !errors.iter().any(|e| e.column == Some(Column::Name)) {
                errors.push(err(Some(Column::Name), Code::ValidationRequired, None));
            }
            if v.mobile.is_none()
                && v.email.is_none()
                && !errors
                    .iter()
                    .any(|e| matches!(e.column, Some(Column::Mobile | Column::Email)))
            {
                errors.push(err(
                    Some(Column::Mobile),
                    Code::EmployeeContactRequired,
                    None,
                ));
            }
            if v.departments.as_ref().is_none_or(Vec::is_empty)
                && !errors.iter().any(|e| e.column == Some(Column::Departments))
            {
                errors.push(err(
                    Some(Column::Departments),
                    Code::EmployeeDepartmentRequired,
                    None,
                ));
            }
        }
        let index = plan.rows.len();
        // The same person twice in the file: every row involved is wrong.
        let clash = |map: &mut HashMap<String, usize>,
                     key: Option<String>,
                     column: Column,
                     errors: &mut Vec<CellError>,
                     rows: &mut Vec<RowPlan>| {
            let Some(key) = key else { return };
            if let Some(&other) = map.get(&key) {
                errors.push(err(
                    Some(column),
                    Code::ImportDuplicate,
                    Some(rows[other].line.to_string()),
                ));
                let first = &mut rows[other];
                first.errors.push(err(
                    Some(column),
                    Code::ImportDuplicate,
                    Some(line.to_string()),
                ));
                first.action = RowAction::Error;
            } else {
                map.insert(key, index);
            }
        };
        clash(
            &mut seen.userid,
            v.userid.as_ref().map(|u| u.to_lowercase()),
            Column::Userid,
            &mut errors,
            &mut plan.rows,
        );
        clash(
            &mut seen.mobile,
            v.mobile.clone(),
            Column::Mobile,
            &mut errors,
            &mut plan.rows,
        );
        clash(
            &mut seen.email,
            v.email.as_ref().map(|e| e.to_lowercase()),
            Column::Email,
            &mut errors,
            &mut plan.rows,
        );
        if let Some(p) = person {
            if let Some(&other) = seen.person.get(&p.id) {
                if !errors
                    .iter()
                    .any(|e| e.code == Code::ImportDuplicate.as_str())
                {
                    errors.push(err(
                        None,
                        Code::ImportDuplicate,
                        Some(plan.rows[other].line.to_string()),
                    ));
                    let first = &mut plan.rows[other];
                    if !first
                        .errors
                        .iter()
                        .any(|e| e.code == Code::ImportDuplicate.as_str())
                    {
                        first
                            .errors
                            .push(err(None, Code::ImportDuplicate, Some(line.to_string())));
                    }
                    first.action = RowAction::Error;
                }
            } else {
                seen.person.insert(p.id, index);
            }
        }
        if !managers.is_empty() {
            manager_cells.push((index, managers));
        }
        if !errors.is_empty() {
            action = RowAction::Error;
        }
        // A row whose cells are wrong is shown as written; the others by
        // their values.
        let shown = (!errors.is_empty()).then(|| {
            let shown = |c: Column| cell(c).chars().take(128).collect::<String>();
            Box::new(Shown {
                name: shown(Column::Name),
                userid: shown(Column::Userid),
                contact: match shown(Column::Mobile) {
                    m if m.is_empty() => shown(Column::Email),
                    m => m,
                },
            })
        });
        plan.rows.push(RowPlan {
            index: i,
            line,
            action,
            person: person.map(|p| p.id),
            values: v,
            errors,
            changes,
            shown,
        });
    }

    // Managers: people of the file (by account ID) or of contacts.
    for (index, names) in manager_cells {
        let mut refs = Vec::new();
        for name in &names {
            let key = name.to_lowercase();
            // A manager from contacts (named by a row of the file or not)
            // is someone the administrator sees who has not left, or the
            // one the person already has.
            let already = |m: &Person| {
                plan.rows[index].person.is_some_and(|p| {
                    by_id
                        .get(&p)
                        .is_some_and(|&i| snapshot.people[i].managers.contains(&m.id))
                })
            };
            let allowed = |m: &Person| {
                (m.status != EmployeeStatus::Departed && in_scope(&m.departments)) || already(m)
            };
            let r = match seen.userid.get(&key) {
                Some(&row) => match plan.rows[row].person {
                    Some(p) => by_id
                        .get(&p)
                        .map(|&i| &snapshot.people[i])
                        .filter(|m| allowed(m))
                        .map(|m| ManagerRef::Existing(m.id)),
                    None => Some(ManagerRef::Row(row)),
                },
                None => by_userid
                    .get(&key)
                    .map(|&p| &snapshot.people[p])
                    .filter(|m| allowed(m))
                    .map(|m| ManagerRef::Existing(m.id)),
            };
            match r {
                None => plan.rows[index].errors.push(err(
                    Some(Column::Manager),
                    Code::EmployeeManagerUnknown,
                    Some(name.clone()),
                )),
                Some(r)
                    if r == ManagerRef::Row(index)
                        || Some(r) == plan.rows[index].person.map(ManagerRef::Existing) =>
                {
                    plan.rows[index].errors.push(err(
                        Some(Column::Manager),
                        Code::EmployeeManagerSelf,
                        Some(name.clone()),
                    ));
                }
                Some(r) => {
                    if !refs.contains(&r) {
                        refs.push(r);
                    }
                }
            }
        }
        let row = &mut plan.rows[index];
        if let Some(p) = row
            .person
            .and_then(|id| by_id.get(&id))
            .map(|&i| &snapshot.people[i])
        {
            let wanted: HashSet<Uuid> = refs
                .iter()
                .filter_map(|r| match r {
                    ManagerRef::Existing(id) => Some(*id),
                    ManagerRef::Row(_) => None,
                })
                .collect();
            let had: HashSet<Uuid> = p.managers.iter().copied().collect();
            if refs.iter().any(|r| matches!(r, ManagerRef::Row(_))) || wanted != had {
                // Managers the administrator cannot see are not replaced
                // from here.
                let hidden = p.managers.iter().any(|m| {
                    by_id
                        .get(m)
                        .is_none_or(|&i| !in_scope(&snapshot.people[i].departments))
                });
                if hidden {
                    row.errors.push(err(
                        Some(Column::Manager),
                        Code::AccessPersonElsewhere,
                        None,
                    ));
                }
                row.changes.push(Column::Manager);
                if row.action == RowAction::Unchanged {
                    row.action = RowAction::Update;
                }
            }
        }
        row.values.managers = Some(refs);
        if !row.errors.is_empty() {
            row.action = RowAction::Error;
        }
    }
    // The member cap, in file order.
    if let Some(room) = snapshot.room {
        let mut left = room;
        for row in plan
            .rows
            .iter_mut()
            .filter(|r| r.action == RowAction::Create)
        {
            if left <= 0 {
                row.errors.push(err(None, Code::MemberCapReached, None));
                row.action = RowAction::Error;
            } else {
                left -= 1;
            }
        }
    }
    plan.propagate_manager_errors();
    // Departments only rows that go in need.
    let wanted: HashSet<String> = plan
        .rows
        .iter()
        .filter(|r| r.action != RowAction::Error)
        .flat_map(|r| r.values.departments.iter().flatten())
        .filter_map(|d| match d {
            DepartmentRef::New(key) => Some(key.to_string()),
            DepartmentRef::Existing(_) => None,
        })
        .collect();
    let needed: HashSet<String> = wanted
        .iter()
        .flat_map(|w| {
            let names: Vec<&str> = w.split('/').collect();
            (1..=names.len()).map(move |n| names[..n].join("/"))
        })
        .collect();
    plan.new_departments.retain(|key, _| needed.contains(key));
    if snapshot.departments.len() as i64 + plan.new_departments.len() as i64 > MAX_DEPARTMENTS {
        for row in plan.rows.iter_mut() {
            if row
                .values
                .departments
                .iter()
                .flatten()
                .any(|d| matches!(d, DepartmentRef::New(_)))
            {
                row.errors
                    .push(err(Some(Column::Departments), Code::DepartmentLimit, None));
                row.action = RowAction::Error;
            }
        }
        plan.new_departments.clear();
        plan.propagate_manager_errors();
    }

    // Full sync: everyone of the scope the file does not name.
    let named: HashSet<Uuid> = plan.rows.iter().filter_map(|r| r.person).collect();
    let in_scope: Vec<&Person> = snapshot
        .people
        .iter()
        .filter(|p| p.status != EmployeeStatus::Departed && in_scope(&p.departments))
        .collect();
    plan.scope_size = in_scope.len() as i64;
    if options.full_sync {
        plan.disable = in_scope
            .iter()
            .filter(|p| {
                !named.contains(&p.id)
                    && p.status != EmployeeStatus::Disabled
                    && p.id != snapshot.caller
                    && !p.administrator
                    && inside_all(&p.departments)
            })
            .map(|p| p.id)
            .collect();
    }
    for row in &plan.rows {
        plan.counts.add(row.action);
    }
    plan.counts.disable = plan.disable.len() as i64;
    plan.counts.departments = plan.new_departments.len() as i64;
    plan.fingerprint = plan.digest();
    plan
}

fn index(snapshot: &Snapshot, key: impl Fn(&Person) -> Option<String>) -> HashMap<String, usize> {
    snapshot
        .people
        .iter()
        .enumerate()
        .filter_map(|(i, p)| key(p).map(|k| (k, i)))
        .collect()
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
