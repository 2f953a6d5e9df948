use super::*;
use crate::approvals::builtin;
use crate::approvals::form::Value;

struct Who(&'static str, &'static [&'static str]);

impl Submitter for Who {
    fn under(&self, department: &str) -> bool {
        self.1.contains(&department)
    }
    fn is(&self, person: &str) -> bool {
        self.0 == person
    }
}

fn compare(field: &str, op: Cmp, value: f64) -> Test {
    Test::Compare {
        field: field.into(),
        op,
        value,
    }
}

#[test]
fn comparisons_work_to_the_cent() {
    assert!(Cmp::Gt.holds(5000.01, 5000.0));
    assert!(!Cmp::Gt.holds(5000.0, 5000.0));
    assert!(Cmp::Ge.holds(5000.0, 5000.0));
    assert!(Cmp::Eq.holds(0.1 + 0.2, 0.3));
    assert!(Cmp::Lt.holds(2.5, 3.0));
    assert!(Cmp::Le.holds(3.0, 3.0));
}

#[test]
fn a_condition_is_any_group_of_all_tests() {
    let values = Values::from([
        ("amount".to_string(), Value::Money(600_000)),
        ("kind".to_string(), Value::Choice(vec!["travel".into()])),
    ]);
    let who = Who("u1", &["root", "sales"]);
    let c = |any: Vec<Vec<Test>>| Condition { any }.holds(&values, &who);
    assert!(c(vec![vec![compare("amount", Cmp::Gt, 5000.0)]]));
    assert!(!c(vec![vec![
        compare("amount", Cmp::Gt, 5000.0),
        Test::SubmitterUnder {
            departments: vec!["finance".into()]
        }
    ]]));
    assert!(c(vec![
        vec![Test::SubmitterIs {
            people: vec!["u9".into()]
        }],
        vec![Test::OneOf {
            field: "kind".into(),
            options: vec!["meals".into(), "travel".into()]
        }],
    ]));
    // A blank field fails every comparison, both ways.
    assert!(!c(vec![vec![compare("missing", Cmp::Lt, 1.0)]]));
    assert!(!c(vec![vec![compare("missing", Cmp::Ge, 1.0)]]));
    assert!(c(vec![vec![Test::SubmitterUnder {
        departments: vec!["sales".into()]
    }]]));
}

#[test]
fn the_flow_check_finds_broken_rules_and_branches() {
    let b = builtin::leave();
    let mut flow = b.flow.clone();
    let Node::Branch(br) = &mut flow.nodes[1] else {
        panic!("a branch node")
    };
    // The default branch moved first; a condition on a text field.
    br.branches.swap(0, 1);
    br.branches[1].condition = Some(Condition {
        any: vec![vec![compare("reason", Cmp::Gt, 3.0)]],
    });
    flow.nodes.push(Node::Approval(ApprovalNode {
        id: "manager".into(),
        name_en: "".into(),
        name_zh: "x".into(),
        approvers: Approvers::Manager { level: 0 },
        mode: Mode::Any,
        if_empty: IfEmpty::Skip,
        time_limit_hours: Some(0),
        on_timeout: OnTimeout::Remind,
    }));
    flow.nodes.push(Node::Cc(CcNode {
        id: "cc".into(),
        name_en: "CC".into(),
        name_zh: "抄送".into(),
        who: Approvers::Field {
            field: "reason".into(),
        },
        timing: CcTiming::Both,
    }));
    let e: Vec<(String, Code)> = flow
        .check(&b.form)
        .into_iter()
        .map(|f| (f.field, f.code))
        .collect();
    for expected in [
        ("node:manager", Code::ApprovalsNodeId),
        ("nodes.1.branches.0.condition", Code::ApprovalsBranchDefault),
        ("nodes.1.branches.1.condition", Code::ApprovalsBranchDefault),
        ("nodes.2.name", Code::ApprovalsLabel),
        ("nodes.2.approvers", Code::ApprovalsRule),
        ("nodes.2.time_limit_hours", Code::ApprovalsLimits),
        ("nodes.3.who", Code::ApprovalsRule),
    ] {
        assert!(
            e.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} in {e:?}"
        );
    }
    assert_eq!(
        Flow::default().check(&b.form)[0].code,
        Code::ApprovalsFlowEmpty
    );
}

#[test]
fn a_text_field_cannot_be_compared() {
    let b = builtin::leave();
    let mut flow = b.flow.clone();
    let Node::Branch(br) = &mut flow.nodes[1] else {
        panic!("a branch node")
    };
    br.branches[0].condition = Some(Condition {
        any: vec![vec![compare("reason", Cmp::Gt, 3.0)]],
    });
    let e = flow.check(&b.form);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "nodes.1.branches.0.condition.0.0");
    assert_eq!(e[0].code, Code::ApprovalsCondition);
}

#[test]
fn flows_survive_json() {
    for b in builtin::all() {
        let json = serde_json::to_string(&b.flow).unwrap();
        assert_eq!(serde_json::from_str::<Flow>(&json).unwrap(), b.flow);
    }
}
