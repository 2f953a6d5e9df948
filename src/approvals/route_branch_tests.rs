//! Route resolution: condition branches, CC and the limits of one node.
use super::tests::{facts, flow, node, people, run};
use super::*;
use crate::approvals::flow::{Branch, BranchNode, CcNode, Cmp, Condition, Test};
use crate::approvals::form::Value;

fn amount_branches() -> Flow {
    let over = |v: f64| Condition {
        any: vec![vec![Test::Compare {
            field: "amount".into(),
            op: Cmp::Gt,
            value: v,
        }]],
    };
    flow(vec![
        node("manager", Approvers::Manager { level: 1 }, Mode::Any),
        Node::Branch(BranchNode {
            id: "by_amount".into(),
            branches: vec![
                Branch {
                    name_en: "Over 5,000".into(),
                    name_zh: "大于 5000".into(),
                    condition: Some(over(5000.0)),
                    nodes: vec![node(
                        "finance",
                        Approvers::Role {
                            role: Role::AdminGroup { id: "g-fin".into() },
                        },
                        Mode::Any,
                    )],
                },
                Branch {
                    name_en: "Engineering".into(),
                    name_zh: "研发".into(),
                    condition: Some(Condition {
                        any: vec![vec![Test::SubmitterUnder {
                            departments: vec!["eng".into()],
                        }]],
                    }),
                    nodes: vec![node("cto", Approvers::Manager { level: 2 }, Mode::Any)],
                },
                Branch {
                    name_en: "Otherwise".into(),
                    name_zh: "其他".into(),
                    condition: None,
                    nodes: vec![],
                },
            ],
        }),
        Node::Cc(CcNode {
            id: "cc".into(),
            name_en: "Finance".into(),
            name_zh: "财务".into(),
            who: Approvers::Role {
                role: Role::AdminGroup { id: "g-fin".into() },
            },
            timing: CcTiming::Finish,
        }),
    ])
}

#[test]
fn branches_are_tested_top_to_bottom_with_a_default() {
    let fl = amount_branches();
    let f = facts();
    let with = |fen: i64| {
        let values = Values::from([("amount".to_string(), Value::Money(fen))]);
        resolve(&fl, &values, &f, &BTreeMap::new()).unwrap()
    };
    let big = with(500_001);
    assert_eq!(big.branches[0].taken, 0);
    assert_eq!(big.steps[1].node_id, "finance");
    // Exactly 5,000 is not over 5,000: the next branch (engineering) holds.
    let even = with(500_000);
    assert_eq!(even.branches[0].taken, 1);
    assert_eq!(even.steps[1].node_id, "cto");
    assert_eq!(people(&even.steps[1]), vec!["m2"]);

    // Someone outside engineering with a small amount: the default.
    let mut g = facts();
    g.under = ["root", "sales"].into_iter().map(String::from).collect();
    let values = Values::from([("amount".to_string(), Value::Money(100))]);
    let r = resolve(&fl, &values, &g, &BTreeMap::new()).unwrap();
    assert_eq!(r.branches[0].taken, 2);
    assert!(r.branches[0].default);
    assert_eq!(r.steps.len(), 1);
    // CC'd people, once each, at the finish.
    assert_eq!(
        r.cc.iter().map(|c| c.person.as_str()).collect::<Vec<_>>(),
        vec!["fin1", "fin2"]
    );
    assert!(r.cc.iter().all(|c| c.timing == CcTiming::Finish));
}

#[test]
fn the_submitter_is_never_copied_on_their_own_request() {
    let mut f = facts();
    f.groups
        .insert("g-fin".into(), vec!["sub".into(), "fin1".into()]);
    let r = run(&amount_branches(), &f);
    assert_eq!(
        r.cc.iter().map(|c| c.person.as_str()).collect::<Vec<_>>(),
        vec!["fin1"]
    );
}

#[test]
fn too_many_approvers_on_one_node_is_an_error() {
    let mut f = facts();
    let many: Vec<String> = (0..=MAX_NODE_APPROVERS).map(|i| format!("x{i}")).collect();
    f.active.extend(many.iter().cloned());
    f.positions.insert("engineer".into(), many);
    let fl = flow(vec![node(
        "n",
        Approvers::Role {
            role: Role::Position {
                name: "Engineer".into(),
            },
        },
        Mode::Any,
    )]);
    assert_eq!(
        resolve(&fl, &Values::new(), &f, &BTreeMap::new()),
        Err(RouteError::TooManyApprovers {
            node_id: "n".into()
        })
    );
}

#[test]
fn the_route_names_everyone_once() {
    let values = Values::from([("amount".to_string(), Value::Money(900_000))]);
    let r = resolve(&amount_branches(), &values, &facts(), &BTreeMap::new()).unwrap();
    assert_eq!(r.people(), vec!["fin1", "fin2", "m1"]);
}
