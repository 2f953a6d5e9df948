//! The dry run's rules, one test each.
use super::super::cells::*;
use super::*;
use chrono::NaiveDate;

struct Org {
    snapshot: Snapshot,
    market: Uuid,
    east: Uuid,
    lab: Uuid,
    wang: Uuid,
    li: Uuid,
    admin: Uuid,
}

fn person(id: Uuid, name: &str, userid: &str, mobile: &str, departments: Vec<Uuid>) -> Person {
    Person {
        id,
        name: name.into(),
        userid: userid.into(),
        mobile: Some(mobile.into()),
        email: None,
        position: None,
        employee_no: None,
        gender: None,
        hire_date: None,
        status: EmployeeStatus::Active,
        departments,
        managers: Vec::new(),
        administrator: false,
        super_admin: false,
    }
}

fn org() -> Org {
    let (root, market, east, lab) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let departments = [
        ("", root, vec![root]),
        ("市场部", market, vec![root, market]),
        ("市场部/华东区", east, vec![root, market, east]),
        ("研发部", lab, vec![root, lab]),
    ]
    .into_iter()
    .map(|(k, id, path)| (k.to_owned(), Department { id, path }))
    .collect();
    let (wang, li, admin) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let mut boss = person(admin, "管理员", "admin", "+8613900000000", vec![root]);
    boss.administrator = true;
    boss.super_admin = true;
    Org {
        snapshot: Snapshot {
            root,
            root_name: "总公司".into(),
            departments,
            people: vec![
                person(wang, "王伟", "wangwei", "+8613800000001", vec![market]),
                person(li, "李娜", "lina", "+8613800000002", vec![lab]),
                boss,
            ],
            room: None,
            scope: Scope::Organisation,
            caller: admin,
            caller_super_admin: true,
        },
        market,
        east,
        lab,
        wang,
        li,
        admin,
    }
}

const HEADER: &[&str] = &[
    "姓名 Name",
    "账号 Account ID",
    "手机 Mobile",
    "部门 Department",
    "直属上级 Manager",
    "状态 Status",
];

fn run(snapshot: &Snapshot, rows: &[&[&str]], options: ImportOptions) -> Plan {
    let mut all: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    all.extend(
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect()),
    );
    let header = Header::read(&all[0]);
    plan(snapshot, all, &[], 0, &header, options)
}

fn codes(row: &RowPlan) -> Vec<(Option<Column>, String)> {
    row.errors
        .iter()
        .map(|e| (e.column, e.code.clone()))
        .collect()
}

const UPDATE: ImportOptions = ImportOptions {
    create_departments: false,
    update_existing: true,
    full_sync: false,
    invite: false,
};

#[test]
fn each_row_says_what_it_does() {
    let o = org();
    let p = run(
        &o.snapshot,
        &[
            &["张三", "", "13800000009", "总公司/市场部/华东区", "", ""],
            &["王伟", "wangwei", "", "市场部", "", ""],
            &["王伟伟", "wangwei", "", "", "", ""],
            &["李娜", "", "+86 138 0000 0002", "市场部;研发部", "", ""],
            &["", "", "", "", "", ""],
        ],
        UPDATE,
    );
    let actions: Vec<_> = p.rows.iter().map(|r| r.action).collect();
    assert_eq!(p.rows.len(), 4, "a blank row is no row");
    assert_eq!(actions[0], RowAction::Create);
    assert_eq!(
        p.rows[0].values.departments,
        Some(vec![DepartmentRef::Existing(o.east)])
    );
    assert_eq!(p.rows[0].line, 2);
    // Same values: unchanged; a new name: an update; new departments: a move.
    assert_eq!(
        actions[1],
        RowAction::Error,
        "wangwei twice: {:?}",
        codes(&p.rows[1])
    );
    assert_eq!(
        codes(&p.rows[2]),
        vec![(Some(Column::Userid), "import.duplicate".to_owned())]
    );
    assert_eq!(p.rows[2].errors[0].detail.as_deref(), Some("3"));
    assert_eq!(actions[3], RowAction::Move);
    assert_eq!(p.rows[3].person, Some(o.li));
    assert_eq!(
        p.rows[3].values.departments,
        Some(vec![
            DepartmentRef::Existing(o.market),
            DepartmentRef::Existing(o.lab)
        ])
    );
    let single = run(
        &o.snapshot,
        &[
            &["王伟", "wangwei", "", "市场部", "", ""],
            &["李娜", "lina", "", "", "", ""],
        ],
        UPDATE,
    );
    assert_eq!(single.rows[0].action, RowAction::Unchanged);
    assert_eq!(
        single.rows[1].action,
        RowAction::Unchanged,
        "empty cells change nothing"
    );
    let renamed = run(
        &o.snapshot,
        &[&["王小伟", "WANGWEI", "", "", "", ""]],
        UPDATE,
    );
    assert_eq!(renamed.rows[0].action, RowAction::Update);
    assert_eq!(renamed.rows[0].changes, vec![Column::Name, Column::Userid]);
    let skipped = run(
        &o.snapshot,
        &[&["王小伟", "wangwei", "", "", "", ""]],
        ImportOptions::default(),
    );
    assert_eq!(skipped.rows[0].action, RowAction::Skip);
    assert_eq!(skipped.counts.skip, 1);
}

#[test]
fn bad_cells_are_named() {
    let o = org();
    let p = run(
        &o.snapshot,
        &[
            &["", "", "13800000010", "市场部", "", ""],
            &["赵六", "", "12345", "市场部", "", ""],
            &["钱七", "", "13800000011", "市场部/华南区", "", ""],
            &["孙八", "bad id!", "", "", "", "maybe"],
            &["周九", "", "13800000001", "研发部", "", ""],
            &["吴十", "lina", "13900000000", "研发部", "", ""],
        ],
        UPDATE,
    );
    assert_eq!(
        codes(&p.rows[0]),
        vec![(Some(Column::Name), "validation.required".into())]
    );
    assert_eq!(
        codes(&p.rows[1]),
        vec![(Some(Column::Mobile), "mobile.mainland".into())]
    );
    assert_eq!(
        codes(&p.rows[2]),
        vec![(
            Some(Column::Departments),
            "employee.department_unknown".into()
        )]
    );
    assert_eq!(p.rows[2].errors[0].detail.as_deref(), Some("市场部/华南区"));
    let row3 = codes(&p.rows[3]);
    assert!(
        row3.contains(&(Some(Column::Userid), "employee.userid_format".into())),
        "{row3:?}"
    );
    assert!(
        row3.contains(&(Some(Column::Status), "employee.status_invalid".into())),
        "{row3:?}"
    );
    assert!(
        row3.contains(&(Some(Column::Mobile), "employee.contact_required".into())),
        "{row3:?}"
    );
    assert!(
        row3.contains(&(
            Some(Column::Departments),
            "employee.department_required".into()
        )),
        "{row3:?}"
    );
    // A mobile of someone in contacts is that person: an update of 王伟.
    assert_eq!(p.rows[4].person, Some(o.wang));
    assert_eq!(p.rows[4].action, RowAction::Move);
    // lina's account ID with the administrator's mobile: a conflict.
    assert!(codes(&p.rows[5]).contains(&(Some(Column::Mobile), "employee.mobile_taken".into())));
    assert_eq!(p.counts.error, 5);
}

#[test]
fn missing_departments_are_planned_parents_first_when_allowed() {
    let o = org();
    let rows: &[&[&str]] = &[&[
        "钱七",
        "",
        "13800000011",
        "总公司/市场部/华南区/广州",
        "",
        "",
    ]];
    let create = ImportOptions {
        create_departments: true,
        ..UPDATE
    };
    let p = run(&o.snapshot, rows, create);
    assert_eq!(p.rows[0].action, RowAction::Create);
    assert_eq!(
        p.new_departments.keys().collect::<Vec<_>>(),
        vec!["市场部/华南区", "市场部/华南区/广州"]
    );
    assert_eq!(p.counts.departments, 2);
    let deep = format!(
        "总公司/{}",
        (1..=15)
            .map(|i| format!("d{i}"))
            .collect::<Vec<_>>()
            .join("/")
    );
    let p = run(
        &o.snapshot,
        &[&["钱七", "", "13800000011", &deep, "", ""]],
        create,
    );
    assert_eq!(
        codes(&p.rows[0]),
        vec![(Some(Column::Departments), "department.too_deep".into())]
    );
    assert!(p.new_departments.is_empty());
    // A department for a row with other errors is not made.
    let p = run(
        &o.snapshot,
        &[&["钱七", "", "123", "新部门", "", ""]],
        create,
    );
    assert!(p.new_departments.is_empty());
}

#[test]
fn managers_from_contacts_and_from_the_file() {
    let o = org();
    let p = run(
        &o.snapshot,
        &[
            &["张三", "zhangsan", "13800000020", "市场部", "wangwei", ""],
            &[
                "李四",
                "lisi",
                "13800000021",
                "市场部",
                "zhangsan;WANGWEI",
                "",
            ],
            &["王五", "wangwu", "13800000022", "市场部", "nobody", ""],
            &["赵六", "zhaoliu", "bad", "市场部", "", ""],
            &["钱七", "qianqi", "13800000023", "市场部", "zhaoliu", ""],
            &["孙八", "sunba", "13800000024", "市场部", "sunba", ""],
        ],
        UPDATE,
    );
    assert_eq!(
        p.rows[0].values.managers,
        Some(vec![ManagerRef::Existing(o.wang)])
    );
    assert_eq!(
        p.rows[1].values.managers,
        Some(vec![ManagerRef::Row(0), ManagerRef::Existing(o.wang)])
    );
    assert_eq!(
        codes(&p.rows[2]),
        vec![(Some(Column::Manager), "employee.manager_unknown".into())]
    );
    assert_eq!(
        codes(&p.rows[4]),
        vec![(Some(Column::Manager), "import.manager_row_wrong".into())]
    );
    assert_eq!(p.rows[4].errors[0].detail.as_deref(), Some("5"));
    assert_eq!(
        codes(&p.rows[5]),
        vec![(Some(Column::Manager), "employee.manager_self".into())]
    );
}

#[test]
fn scope_cap_and_administrators() {
    let mut o = org();
    o.snapshot.scope = Scope::Departments(vec![o.market]);
    o.snapshot.room = Some(1);
    let p = run(
        &o.snapshot,
        &[
            &["张三", "", "13800000030", "市场部/华东区", "", ""],
            &["李四", "", "13800000031", "市场部", "", ""],
            &["王五", "", "13800000032", "研发部", "", ""],
            &["李娜", "lina", "", "市场部", "", ""],
            &["管理员", "admin", "13900000009", "", "", ""],
        ],
        UPDATE,
    );
    assert_eq!(p.rows[0].action, RowAction::Create);
    assert_eq!(
        codes(&p.rows[1]),
        vec![(None, "organisation.member_cap".into())]
    );
    assert_eq!(
        codes(&p.rows[2]),
        vec![(Some(Column::Departments), "import.outside_scope".into())]
    );
    assert_eq!(
        codes(&p.rows[3]),
        vec![(None, "import.outside_scope".into())]
    );
    o.snapshot.scope = Scope::Organisation;
    let p = run(
        &o.snapshot,
        &[
            &["管理员", "admin", "13900000009", "", "", ""],
            &["王伟", "wangwei", "", "", "", "已禁用"],
        ],
        UPDATE,
    );
    assert_eq!(
        codes(&p.rows[0]),
        vec![(Some(Column::Mobile), "import.administrator_address".into())]
    );
    assert_eq!(p.rows[1].action, RowAction::Update);
    assert_eq!(p.rows[1].changes, vec![Column::Status]);
    let me = run(
        &o.snapshot,
        &[&["管理员", "admin", "", "", "", "disabled"]],
        UPDATE,
    );
    assert_eq!(
        codes(&me.rows[0]),
        vec![(Some(Column::Status), "employee.status_self".into())]
    );
    let _ = o.admin;
}

#[test]
fn a_full_sync_disables_the_scope_not_in_the_file() {
    let o = org();
    let sync = ImportOptions {
        full_sync: true,
        ..UPDATE
    };
    let p = run(&o.snapshot, &[&["王伟", "wangwei", "", "", "", ""]], sync);
    // 李娜 goes; the caller (a super administrator) never does.
    assert_eq!(p.disable, vec![o.li]);
    assert_eq!(p.counts.disable, 1);
    assert_eq!(p.scope_size, 3);
    // 1 of 3 is under 80%: no second confirmation.
    assert!(!p.needs_second_confirmation());
    let none = run(
        &o.snapshot,
        &[&["新人", "", "13800000040", "市场部", "", ""]],
        sync,
    );
    assert_eq!(none.disable.len(), 2);
    // 2 of 3 is not more than 80%.
    assert!(!none.needs_second_confirmation());
}

#[test]
fn rules_of_the_person_page_hold_in_an_import() {
    let mut o = org();
    // A delegated administrator (not a super administrator) changes no
    // administrator.
    o.snapshot.caller_super_admin = false;
    o.snapshot.people[0].administrator = true;
    let p = run(
        &o.snapshot,
        &[&["王小伟", "wangwei", "", "", "", ""]],
        UPDATE,
    );
    assert_eq!(
        codes(&p.rows[0]),
        vec![(None, "import.administrator".into())]
    );
    o.snapshot.people[0].administrator = false;
    // A scoped administrator moves or disables nobody who is also
    // elsewhere.
    o.snapshot.people[0].departments = vec![o.market, o.lab];
    o.snapshot.scope = Scope::Departments(vec![o.market]);
    let p = run(
        &o.snapshot,
        &[&["王伟", "wangwei", "", "市场部/华东区", "", "禁用"]],
        UPDATE,
    );
    assert_eq!(
        codes(&p.rows[0]),
        vec![
            (Some(Column::Departments), "access.person_elsewhere".into()),
            (Some(Column::Status), "access.person_elsewhere".into())
        ]
    );
    // What an export of the scope says of such a person goes back in
    // unchanged: the department and the manager outside the scope are the
    // ones the person has; naming them for anyone else is refused.
    o.snapshot.people[0].managers = vec![o.li];
    let p = run(
        &o.snapshot,
        &[
            &["王伟", "wangwei", "", "市场部;研发部", "lina", ""],
            &["新人", "", "13800000051", "市场部;研发部", "", ""],
            &["新人二", "", "13800000052", "市场部", "lina", ""],
        ],
        UPDATE,
    );
    assert_eq!(
        p.rows[0].action,
        RowAction::Unchanged,
        "{:?}",
        codes(&p.rows[0])
    );
    assert_eq!(
        codes(&p.rows[1]),
        vec![(Some(Column::Departments), "import.outside_scope".into())]
    );
    assert_eq!(p.rows[1].errors[0].detail.as_deref(), Some("研发部"));
    assert_eq!(
        codes(&p.rows[2]),
        vec![(Some(Column::Manager), "employee.manager_unknown".into())]
    );
    // Nor through a row of the file that names the person outside the
    // scope (that row is refused, and does not make them a manager).
    let p = run(
        &o.snapshot,
        &[
            &["李娜", "lina", "", "", "", ""],
            &["新人三", "", "13800000053", "市场部", "lina", ""],
        ],
        UPDATE,
    );
    assert_eq!(
        codes(&p.rows[0]),
        vec![(None, "import.outside_scope".into())]
    );
    assert_eq!(
        codes(&p.rows[1]),
        vec![(Some(Column::Manager), "employee.manager_unknown".into())]
    );
    // A manager who has left stays the manager of those who have them (as
    // an export writes it), and is nobody else's.
    o.snapshot.scope = Scope::Organisation;
    o.snapshot.people[1].status = EmployeeStatus::Departed;
    let p = run(
        &o.snapshot,
        &[
            &["王伟", "wangwei", "", "", "lina", ""],
            &["新人四", "", "13800000054", "市场部", "lina", ""],
        ],
        UPDATE,
    );
    assert_eq!(
        p.rows[0].action,
        RowAction::Unchanged,
        "{:?}",
        codes(&p.rows[0])
    );
    assert_eq!(
        codes(&p.rows[1]),
        vec![(Some(Column::Manager), "employee.manager_unknown".into())]
    );
    o.snapshot.people[1].status = EmployeeStatus::Active;
    o.snapshot.scope = Scope::Departments(vec![o.market]);
    // Nor does a full sync.
    let sync = ImportOptions {
        full_sync: true,
        ..UPDATE
    };
    assert!(
        run(
            &o.snapshot,
            &[&["新人", "", "13800000050", "市场部", "", ""]],
            sync
        )
        .disable
        .is_empty()
    );
}

#[test]
fn one_person_twice_by_different_keys_stops_both_rows() {
    let o = org();
    let p = run(
        &o.snapshot,
        &[
            &["王伟", "wangwei", "", "", "", ""],
            &["王伟", "", "13800000001", "", "", ""],
        ],
        UPDATE,
    );
    assert_eq!(p.rows[0].action, RowAction::Error);
    assert_eq!(p.rows[1].action, RowAction::Error);
    assert_eq!(p.rows[0].errors[0].detail.as_deref(), Some("3"));
}

#[test]
fn the_fingerprint_changes_with_what_a_row_does() {
    let o = org();
    let a = run(&o.snapshot, &[&["王伟", "wangwei", "", "", "", ""]], UPDATE);
    let same = run(&o.snapshot, &[&["王伟", "wangwei", "", "", "", ""]], UPDATE);
    let renamed = run(
        &o.snapshot,
        &[&["王小伟", "wangwei", "", "", "", ""]],
        UPDATE,
    );
    assert_eq!(a.fingerprint, same.fingerprint);
    assert_ne!(a.fingerprint, renamed.fingerprint);
    assert_eq!(a.fingerprint.len(), 64);
}

#[test]
fn cells_in_other_shapes() {
    assert_eq!(
        date("2024/3/5"),
        Ok(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap())
    );
    assert_eq!(
        date("2024年3月5日"),
        Ok(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap())
    );
    assert_eq!(
        date("2024-03-05 00:00"),
        Ok(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap())
    );
    assert_eq!(date("1800-01-01"), Err(Code::EmployeeDateRange));
    assert_eq!(date("5 March"), Err(Code::EmployeeDateFormat));
    assert_eq!(gender("男"), Some("male"));
    assert_eq!(gender("F"), Some("female"));
    assert_eq!(status("未激活"), Some(true));
    assert_eq!(status("Disabled"), Some(false));
    assert_eq!(items("a; b；c,d", false), vec!["a", "b", "c,d"]);
    assert_eq!(items("a，b", true), vec!["a", "b"]);
    assert_eq!(
        department_path("总公司／市场部 / 华东区", "总公司"),
        Ok(vec!["市场部".to_owned(), "华东区".to_owned()])
    );
    assert_eq!(department_path("总公司", "总公司"), Ok(vec![]));
    assert_eq!(
        department_path("a/b*c", "总公司"),
        Err(Code::DepartmentNameChars)
    );
}
