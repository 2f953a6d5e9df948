use super::*;
use crate::approvals::builtin;

fn anything(_: Picked, _: &str) -> bool {
    true
}

fn raw(fields: &[(&str, &str)]) -> RawForm {
    RawForm {
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        tables: BTreeMap::new(),
    }
}

fn codes(e: Vec<FieldError>) -> Vec<(String, Code)> {
    e.into_iter().map(|f| (f.field, f.code)).collect()
}

#[test]
fn money_is_read_in_fen_exactly() {
    assert_eq!(money("1280.5"), Some(128_050));
    assert_eq!(money("¥1,234.56"), Some(123_456));
    assert_eq!(money("0.01"), Some(1));
    assert_eq!(money("12"), Some(1200));
    for bad in ["1.234", "1.", "-5", "abc", "1e3", "", "1234567890"] {
        assert_eq!(money(bad), None, "{bad}");
    }
    assert_eq!(yuan(123_456_789), "1,234,567.89");
    assert_eq!(yuan(5), "0.05");
}

#[test]
fn half_day_leave_counts_working_days() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let v = |a: &str, ah, b: &str, bh| Value::HalfDays {
        start: d(a),
        start_half: ah,
        end: d(b),
        end_half: bh,
    };
    // Monday 7 December 2026, morning to afternoon: one day.
    assert_eq!(
        v("2026-12-07", Half::Am, "2026-12-07", Half::Pm).duration(),
        Some(1.0)
    );
    assert_eq!(
        v("2026-12-07", Half::Pm, "2026-12-07", Half::Pm).duration(),
        Some(0.5)
    );
    // Friday afternoon to Monday morning: the weekend not counted.
    assert_eq!(
        v("2026-12-11", Half::Pm, "2026-12-14", Half::Am).duration(),
        Some(1.0)
    );
    // Monday to Friday of the next week.
    assert_eq!(
        v("2026-12-07", Half::Am, "2026-12-18", Half::Pm).duration(),
        Some(10.0)
    );
}

#[test]
fn hours_round_down_to_the_half_hour() {
    let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
    let v = Value::Hours {
        start: t("2026-12-05T09:00"),
        end: t("2026-12-05T12:50"),
    };
    assert_eq!(v.duration(), Some(3.5));
}

#[test]
fn the_leave_form_reads_and_writes_back() {
    let form = builtin::leave().form;
    let r = raw(&[
        ("leave_type", "annual"),
        ("period", "2026-12-07 am/2026-12-09 pm"),
        ("reason", "Family visit\r\nback on Thursday"),
    ]);
    let values = form.read(&r, &anything).unwrap();
    assert_eq!(values["period"].measure(), Some(3.0));
    assert_eq!(
        values["reason"],
        Value::Text("Family visit\nback on Thursday".into())
    );
    let back = form.raw(&values);
    assert_eq!(form.read(&back, &anything).unwrap(), values);
}

#[test]
fn required_formats_ranges_and_options_are_reported_per_field() {
    let form = builtin::leave().form;
    let e = form
        .read(
            &raw(&[
                ("leave_type", "holiday"),
                ("period", "2026-12-09 am/2026-12-07 pm"),
            ]),
            &anything,
        )
        .unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("leave_type".into(), Code::ApprovalsOption),
            ("period".into(), Code::ApprovalsRangeOrder),
            ("reason".into(), Code::ValidationRequired),
        ]
    );
    let e = form
        .read(
            &raw(&[
                ("leave_type", "annual,sick"),
                ("period", "2026-12-07/2026-12-08"),
                ("reason", &"x".repeat(501)),
            ]),
            &anything,
        )
        .unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("leave_type".into(), Code::ApprovalsOption),
            ("period".into(), Code::ValidationFormat),
            ("reason".into(), Code::ValidationTooLong),
        ]
    );
}

#[test]
fn a_reimbursement_table_totals_its_amounts() {
    let form = builtin::reimbursement().form;
    let row = |date: &str, cat: &str, amount: &str| {
        BTreeMap::from([
            ("date".to_string(), date.to_string()),
            ("category".to_string(), cat.to_string()),
            ("amount".to_string(), amount.to_string()),
        ])
    };
    let mut r = raw(&[("reason", "Client visit")]);
    r.tables.insert(
        "items".into(),
        vec![
            row("2026-12-01", "travel", "4,200.50"),
            // A blank row is left out, not an error.
            row("", "", ""),
            row("2026-12-02", "meals", "800"),
        ],
    );
    let values = form.read(&r, &anything).unwrap();
    let Value::Table(rows) = &values["items"] else {
        panic!("a table")
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(values["items"].measure(), Some(5000.5));

    r.tables.get_mut("items").unwrap()[2] = row("2026-12-02", "meals", "");
    let e = form.read(&r, &anything).unwrap_err();
    assert_eq!(
        codes(e),
        vec![("items.2.amount".into(), Code::ValidationRequired)]
    );

    r.tables.insert("items".into(), vec![]);
    let e = form.read(&r, &anything).unwrap_err();
    assert_eq!(codes(e), vec![("items".into(), Code::ValidationRequired)]);
}

#[test]
fn pickers_and_files_are_checked_by_the_lookup() {
    let form = FormSchema {
        controls: vec![
            Control {
                id: "who".into(),
                label_en: "Who".into(),
                label_zh: "人员".into(),
                required: true,
                kind: ControlKind::Person { multiple: false },
            },
            Control {
                id: "files".into(),
                label_en: "Files".into(),
                label_zh: "附件".into(),
                required: false,
                kind: ControlKind::Attachment { max_files: 6 },
            },
        ],
    };
    let known = |what: Picked, id: &str| match what {
        Picked::Person => id == "p1",
        Picked::File => id.starts_with('f'),
        Picked::Department => false,
    };
    assert!(
        form.read(&raw(&[("who", "p1"), ("files", "f1,f2")]), &known)
            .is_ok()
    );
    let e = form
        .read(&raw(&[("who", "p1,p2"), ("files", "f1,x")]), &known)
        .unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("who".into(), Code::ApprovalsTooManyPicked),
            ("files".into(), Code::ApprovalsUnknownPick),
        ]
    );
    let e = form
        .read(
            &raw(&[("who", "p9"), ("files", "f1,f2,f3,f4,f5,f6,f7")]),
            &known,
        )
        .unwrap_err();
    assert_eq!(
        codes(e),
        vec![
            ("who".into(), Code::ApprovalsUnknownPick),
            ("files".into(), Code::ApprovalsTooManyFiles),
        ]
    );
}

#[test]
fn the_designer_check_names_each_problem() {
    let mut form = builtin::reimbursement().form;
    form.controls[1].id = "items".into();
    form.controls[1].label_zh = " 事由".into();
    if let ControlKind::Table { columns } = &mut form.controls[0].kind {
        columns[1].id = "date".into();
        columns.push(Control {
            id: "inner".into(),
            label_en: "Inner".into(),
            label_zh: "内表".into(),
            required: false,
            kind: ControlKind::Table { columns: vec![] },
        });
    }
    form.controls.push(Control {
        id: "Bad Key".into(),
        label_en: "x".repeat(41),
        label_zh: "好".into(),
        required: false,
        kind: ControlKind::Choice {
            options: vec![],
            multiple: false,
        },
    });
    let e = codes(form.check());
    for expected in [
        ("controls.0.columns.1.id", Code::ApprovalsDuplicateControl),
        ("controls.0.columns.4.type", Code::ApprovalsTableColumns),
        ("controls.1.id", Code::ApprovalsDuplicateControl),
        ("controls.1.label_zh", Code::ApprovalsLabel),
        ("controls.2.id", Code::ApprovalsControlId),
        ("controls.2.label_en", Code::ApprovalsLabel),
        ("controls.2.options", Code::ApprovalsOptions),
    ] {
        assert!(
            e.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} in {e:?}"
        );
    }
    assert_eq!(
        codes(FormSchema::default().check()),
        vec![("controls".into(), Code::ApprovalsFormEmpty)]
    );
}

#[test]
fn schema_and_values_survive_json() {
    for b in builtin::all() {
        let json = serde_json::to_string(&b.form).unwrap();
        assert_eq!(serde_json::from_str::<FormSchema>(&json).unwrap(), b.form);
    }
    let v = Value::Money(12);
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"t":"money","v":12}"#
    );
}
