//! The three templates every organisation starts with: leave (请假),
//! reimbursement (报销) and overtime (加班), each with its form and a flow
//! the administrator can change before or after publishing.
use super::flow::{
    ApprovalNode, Approvers, Branch, BranchNode, Cmp, Condition, Flow, FlowSettings, IfEmpty, Mode,
    Node, OnTimeout, Test,
};
use super::form::{ChoiceOption, Control, ControlKind, FormSchema, RangeUnit};

/// The kinds of built-in template.
pub const KINDS: [&str; 3] = ["leave", "reimbursement", "overtime"];

/// A built-in template: names, form and first flow.
pub struct Builtin {
    pub kind: &'static str,
    pub name_en: &'static str,
    pub name_zh: &'static str,
    pub description_en: &'static str,
    pub description_zh: &'static str,
    pub form: FormSchema,
    pub flow: Flow,
}

fn control(id: &str, en: &str, zh: &str, required: bool, kind: ControlKind) -> Control {
    Control {
        id: id.into(),
        label_en: en.into(),
        label_zh: zh.into(),
        required,
        kind,
    }
}

fn options(list: &[(&str, &str, &str)]) -> Vec<ChoiceOption> {
    list.iter()
        .map(|(key, en, zh)| ChoiceOption {
            key: (*key).into(),
            en: (*en).into(),
            zh: (*zh).into(),
        })
        .collect()
}

fn manager_node() -> Node {
    Node::Approval(ApprovalNode {
        id: "manager".into(),
        name_en: "Direct manager".into(),
        name_zh: "直属上级".into(),
        approvers: Approvers::Manager { level: 1 },
        mode: Mode::Any,
        if_empty: IfEmpty::Admin,
        time_limit_hours: None,
        on_timeout: OnTimeout::Remind,
    })
}

/// The leave types a new organisation has (the options of the leave form).
pub const LEAVE_TYPES: [(&str, &str, &str); 8] = [
    ("annual", "Annual leave", "年假"),
    ("personal", "Personal leave", "事假"),
    ("sick", "Sick leave", "病假"),
    ("time_off", "Time off in lieu", "调休"),
    ("marriage", "Marriage leave", "婚假"),
    ("maternity", "Maternity leave", "产假"),
    ("paternity", "Paternity leave", "陪产假"),
    ("bereavement", "Bereavement leave", "丧假"),
];

pub fn leave() -> Builtin {
    Builtin {
        kind: "leave",
        name_en: "Leave",
        name_zh: "请假",
        description_en: "Time away from work: annual, sick, personal and other leave.",
        description_zh: "年假、病假、事假等各类请假。",
        form: FormSchema {
            controls: vec![
                control(
                    "leave_type",
                    "Leave type",
                    "请假类型",
                    true,
                    ControlKind::Choice {
                        options: options(&LEAVE_TYPES),
                        multiple: false,
                    },
                ),
                control(
                    "period",
                    "Period",
                    "请假时间",
                    true,
                    ControlKind::DateRange {
                        unit: RangeUnit::HalfDay,
                    },
                ),
                control(
                    "reason",
                    "Reason",
                    "请假事由",
                    true,
                    ControlKind::LongText { max_len: 500 },
                ),
                control(
                    "files",
                    "Attachments",
                    "附件",
                    false,
                    ControlKind::Attachment { max_files: 6 },
                ),
            ],
        },
        flow: Flow {
            nodes: vec![
                manager_node(),
                Node::Branch(BranchNode {
                    id: "long_leave".into(),
                    branches: vec![
                        Branch {
                            name_en: "More than 3 days".into(),
                            name_zh: "超过 3 天".into(),
                            condition: Some(Condition {
                                any: vec![vec![Test::Compare {
                                    field: "period".into(),
                                    op: Cmp::Gt,
                                    value: 3.0,
                                }]],
                            }),
                            nodes: vec![Node::Approval(ApprovalNode {
                                id: "head".into(),
                                name_en: "Department head".into(),
                                name_zh: "部门负责人".into(),
                                approvers: Approvers::DepartmentHead {
                                    level: 1,
                                    top_down: false,
                                },
                                mode: Mode::Any,
                                if_empty: IfEmpty::Skip,
                                time_limit_hours: None,
                                on_timeout: OnTimeout::Remind,
                            })],
                        },
                        Branch {
                            name_en: "Otherwise".into(),
                            name_zh: "其他情况".into(),
                            condition: None,
                            nodes: vec![],
                        },
                    ],
                }),
            ],
            settings: FlowSettings::default(),
        },
    }
}

pub fn reimbursement() -> Builtin {
    Builtin {
        kind: "reimbursement",
        name_en: "Reimbursement",
        name_zh: "报销",
        description_en: "Expenses paid for the organisation, item by item with invoices.",
        description_zh: "为单位垫付的费用，逐项填写并附发票。",
        form: FormSchema {
            controls: vec![
                control(
                    "items",
                    "Expense items",
                    "报销明细",
                    true,
                    ControlKind::Table {
                        columns: vec![
                            control("date", "Date", "日期", true, ControlKind::Date),
                            control(
                                "category",
                                "Category",
                                "费用类型",
                                true,
                                ControlKind::Choice {
                                    options: options(&[
                                        ("travel", "Travel", "差旅费"),
                                        ("transport", "Transport", "交通费"),
                                        ("meals", "Meals", "餐费"),
                                        ("lodging", "Lodging", "住宿费"),
                                        ("office", "Office supplies", "办公用品"),
                                        ("other", "Other", "其他"),
                                    ]),
                                    multiple: false,
                                },
                            ),
                            control(
                                "amount",
                                "Amount (CNY)",
                                "金额（元）",
                                true,
                                ControlKind::Money { max_fen: None },
                            ),
                            control(
                                "invoice",
                                "Invoice",
                                "发票",
                                false,
                                ControlKind::Attachment { max_files: 6 },
                            ),
                        ],
                    },
                ),
                control(
                    "reason",
                    "Purpose",
                    "报销事由",
                    true,
                    ControlKind::LongText { max_len: 500 },
                ),
            ],
        },
        flow: Flow {
            nodes: vec![manager_node()],
            settings: FlowSettings::default(),
        },
    }
}

pub fn overtime() -> Builtin {
    Builtin {
        kind: "overtime",
        name_en: "Overtime",
        name_zh: "加班",
        description_en: "Hours worked beyond the schedule, paid or taken back as time off.",
        description_zh: "计划外的工作时间，可选加班费或调休。",
        form: FormSchema {
            controls: vec![
                control(
                    "period",
                    "Overtime period",
                    "加班时间",
                    true,
                    ControlKind::DateRange {
                        unit: RangeUnit::Hour,
                    },
                ),
                control(
                    "compensation",
                    "Compensation",
                    "补偿方式",
                    true,
                    ControlKind::Choice {
                        options: options(&[
                            ("pay", "Overtime pay", "加班费"),
                            ("time_off", "Time off", "调休"),
                        ]),
                        multiple: false,
                    },
                ),
                control(
                    "reason",
                    "Reason",
                    "加班原因",
                    true,
                    ControlKind::LongText { max_len: 500 },
                ),
            ],
        },
        flow: Flow {
            nodes: vec![manager_node()],
            settings: FlowSettings::default(),
        },
    }
}

/// Every built-in template, in the order they are listed.
pub fn all() -> [Builtin; 3] {
    [leave(), reimbursement(), overtime()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_form_and_flow_passes_the_designer_checks() {
        for b in all() {
            assert_eq!(b.form.check(), vec![], "{} form", b.kind);
            assert_eq!(b.flow.check(&b.form), vec![], "{} flow", b.kind);
        }
    }
}
