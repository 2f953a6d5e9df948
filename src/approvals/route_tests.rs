use super::*;
use crate::approvals::flow::{ApprovalNode, FlowSettings};
use crate::approvals::form::Value;

/// An organisation: sub (the submitter) reports to m1, m1 to m2, m2 to
/// m3 (the CFO), m3 to ceo. Departments root > eng > web; sub is in web.
pub(super) fn facts() -> Facts {
    let s = |x: &str| x.to_string();
    let mut f = Facts {
        submitter: s("sub"),
        chain: vec![s("root"), s("eng"), s("web")],
        under: ["root", "eng", "web"].into_iter().map(s).collect(),
        approval_admin: Some(s("admin")),
        ..Facts::default()
    };
    for (p, m) in [("sub", "m1"), ("m1", "m2"), ("m2", "m3"), ("m3", "ceo")] {
        f.managers.insert(s(p), s(m));
    }
    f.heads.insert(s("web"), vec![s("m1")]);
    f.heads.insert(s("eng"), vec![s("m2"), s("m2b")]);
    f.heads.insert(s("root"), vec![s("ceo")]);
    f.heads.insert(s("fin"), vec![s("cfo")]);
    f.groups.insert(s("g-fin"), vec![s("fin1"), s("fin2")]);
    f.positions.insert(s("cfo"), vec![s("m3")]);
    for p in [
        "sub", "m1", "m2", "m2b", "m3", "ceo", "cfo", "fin1", "fin2", "admin", "p1", "p2",
    ] {
        f.active.insert(s(p));
    }
    f
}

pub(super) fn node(id: &str, approvers: Approvers, mode: Mode) -> Node {
    Node::Approval(ApprovalNode {
        id: id.into(),
        name_en: id.into(),
        name_zh: id.into(),
        approvers,
        mode,
        if_empty: IfEmpty::Skip,
        time_limit_hours: None,
        on_timeout: OnTimeout::Remind,
    })
}

fn with_empty(n: Node, rule: IfEmpty) -> Node {
    match n {
        Node::Approval(mut a) => {
            a.if_empty = rule;
            Node::Approval(a)
        }
        other => other,
    }
}

pub(super) fn flow(nodes: Vec<Node>) -> Flow {
    Flow {
        nodes,
        settings: FlowSettings::default(),
    }
}

pub(super) fn run(flow: &Flow, facts: &Facts) -> Route {
    resolve(flow, &Values::new(), facts, &BTreeMap::new()).unwrap()
}

pub(super) fn people(step: &Step) -> Vec<&str> {
    step.approvers.iter().map(|p| p.person.as_str()).collect()
}

#[test]
fn manager_n_levels_up() {
    let f = facts();
    for (level, who) in [(1, "m1"), (2, "m2"), (3, "m3"), (4, "ceo")] {
        let r = run(
            &flow(vec![node("n", Approvers::Manager { level }, Mode::Any)]),
            &f,
        );
        assert_eq!(people(&r.steps[0]), vec![who]);
        assert_eq!(r.steps[0].approvers[0].why, Why::Manager { level });
    }
    // Nobody five levels up: the node is empty and skipped.
    let r = run(
        &flow(vec![node("n", Approvers::Manager { level: 5 }, Mode::Any)]),
        &f,
    );
    assert_eq!(r.steps[0].outcome, Outcome::Skip);
    assert!(
        r.steps[0]
            .left_out
            .iter()
            .any(|l| l.why == Gap::NoManager { level: 5 })
    );
}

#[test]
fn manager_chain_to_a_level_or_a_role() {
    let f = facts();
    let r = run(
        &flow(vec![node(
            "n",
            Approvers::ManagerChain {
                to_level: Some(3),
                to_role: None,
            },
            Mode::Sequential,
        )]),
        &f,
    );
    assert_eq!(people(&r.steps[0]), vec!["m1", "m2", "m3"]);
    assert_eq!(r.steps[0].approvers[2].why, Why::ManagerChain { level: 3 });

    // Up to the holder of the CFO position (m3), included.
    let cfo = Role::Position { name: "CFO".into() };
    let r = run(
        &flow(vec![node(
            "n",
            Approvers::ManagerChain {
                to_level: None,
                to_role: Some(cfo.clone()),
            },
            Mode::Sequential,
        )]),
        &f,
    );
    assert_eq!(people(&r.steps[0]), vec!["m1", "m2", "m3"]);

    // Nobody holds the role: all the way up.
    let nobody = Role::AdminGroup { id: "none".into() };
    let r = run(
        &flow(vec![node(
            "n",
            Approvers::ManagerChain {
                to_level: None,
                to_role: Some(nobody),
            },
            Mode::Sequential,
        )]),
        &f,
    );
    assert_eq!(people(&r.steps[0]), vec!["m1", "m2", "m3", "ceo"]);
}

#[test]
fn a_loop_in_reporting_lines_ends_the_chain() {
    let mut f = facts();
    f.managers.insert("m2".into(), "m1".into());
    let r = run(
        &flow(vec![node(
            "n",
            Approvers::ManagerChain {
                to_level: Some(10),
                to_role: None,
            },
            Mode::Sequential,
        )]),
        &f,
    );
    assert_eq!(people(&r.steps[0]), vec!["m1", "m2"]);
}

#[test]
fn department_head_bottom_up_and_top_down() {
    let f = facts();
    let head = |level, top_down| {
        run(
            &flow(vec![node(
                "n",
                Approvers::DepartmentHead { level, top_down },
                Mode::Any,
            )]),
            &f,
        )
    };
    assert_eq!(people(&head(1, false).steps[0]), vec!["m1"]);
    assert_eq!(people(&head(2, false).steps[0]), vec!["m2", "m2b"]);
    assert_eq!(people(&head(3, false).steps[0]), vec!["ceo"]);
    assert_eq!(people(&head(1, true).steps[0]), vec!["ceo"]);
    assert_eq!(people(&head(2, true).steps[0]), vec!["m2", "m2b"]);
    assert_eq!(
        head(2, false).steps[0].approvers[0].why,
        Why::DepartmentHead {
            department: "eng".into(),
            level: 2
        }
    );
    // Above the top of the tree: nobody.
    let r = head(4, false);
    assert_eq!(r.steps[0].outcome, Outcome::Skip);
    assert!(r.steps[0].left_out.iter().any(|l| matches!(
        l.why,
        Gap::NoHead {
            department: None,
            level: 4
        }
    )));
}

#[test]
fn a_department_without_a_head_is_named_in_the_gap() {
    let mut f = facts();
    f.heads.remove("eng");
    let r = run(
        &flow(vec![node(
            "n",
            Approvers::DepartmentHead {
                level: 2,
                top_down: false,
            },
            Mode::Any,
        )]),
        &f,
    );
    assert_eq!(
        r.steps[0].left_out[0].why,
        Gap::NoHead {
            department: Some("eng".into()),
            level: 2
        }
    );
}

#[test]
fn named_people_roles_and_positions() {
    let f = facts();
    let r = run(
        &flow(vec![
            node(
                "a",
                Approvers::People {
                    people: vec!["p1".into(), "p2".into(), "p1".into()],
                },
                Mode::All,
            ),
            node(
                "b",
                Approvers::Role {
                    role: Role::AdminGroup { id: "g-fin".into() },
                },
                Mode::Any,
            ),
            node(
                "c",
                Approvers::Role {
                    role: Role::Position { name: "cfo".into() },
                },
                Mode::Any,
            ),
        ]),
        &f,
    );
    assert_eq!(people(&r.steps[0]), vec!["p1", "p2"], "a person once");
    assert_eq!(people(&r.steps[1]), vec!["fin1", "fin2"]);
    assert_eq!(people(&r.steps[2]), vec!["m3"]);
}

#[test]
fn approvers_from_a_form_field() {
    let f = facts();
    let fl = flow(vec![
        node(
            "a",
            Approvers::Field {
                field: "reviewer".into(),
            },
            Mode::Any,
        ),
        node(
            "b",
            Approvers::Field {
                field: "cost_centre".into(),
            },
            Mode::Any,
        ),
    ]);
    let mut values = Values::new();
    values.insert("reviewer".into(), Value::People(vec!["p2".into()]));
    values.insert(
        "cost_centre".into(),
        Value::Departments(vec!["fin".into(), "nowhere".into()]),
    );
    let r = resolve(&fl, &values, &f, &BTreeMap::new()).unwrap();
    assert_eq!(people(&r.steps[0]), vec!["p2"]);
    assert_eq!(people(&r.steps[1]), vec!["cfo"]);
    assert_eq!(
        r.steps[1].approvers[0].why,
        Why::FieldHead {
            field: "cost_centre".into(),
            department: "fin".into()
        }
    );
    assert!(
        r.steps[1]
            .left_out
            .iter()
            .any(|l| matches!(&l.why, Gap::NoHead { department: Some(d), .. } if d == "nowhere"))
    );
    // The field left blank: nobody, skipped.
    let r = run(&fl, &f);
    assert_eq!(r.steps[0].outcome, Outcome::Skip);
    assert_eq!(r.steps[0].left_out[0].why, Gap::NobodyFound);
}

#[test]
fn chosen_by_the_submitter_within_a_range() {
    let f = facts();
    let fl = flow(vec![node(
        "pick",
        Approvers::Chosen {
            range: vec!["p1".into(), "p2".into()],
            multiple: false,
        },
        Mode::Any,
    )]);
    let r = run(&fl, &f);
    assert!(r.steps[0].needs_choice, "nothing chosen yet");
    assert_eq!(r.steps[0].outcome, Outcome::Decide);

    let chosen = BTreeMap::from([("pick".to_string(), vec!["p2".to_string()])]);
    let r = resolve(&fl, &Values::new(), &f, &chosen).unwrap();
    assert!(!r.steps[0].needs_choice);
    assert_eq!(people(&r.steps[0]), vec!["p2"]);
    assert_eq!(r.steps[0].approvers[0].why, Why::Chosen);

    for bad in [vec!["m1"], vec!["p1", "p2"]] {
        let chosen = BTreeMap::from([(
            "pick".to_string(),
            bad.iter().map(|s| s.to_string()).collect(),
        )]);
        assert_eq!(
            resolve(&fl, &Values::new(), &f, &chosen),
            Err(RouteError::BadChoice {
                node_id: "pick".into()
            })
        );
    }
}

#[test]
fn inactive_people_are_left_out() {
    let mut f = facts();
    f.active.remove("m1");
    let r = run(
        &flow(vec![node("n", Approvers::Manager { level: 1 }, Mode::Any)]),
        &f,
    );
    assert_eq!(r.steps[0].outcome, Outcome::Skip);
    assert_eq!(
        r.steps[0].left_out[0],
        LeftOut {
            person: Some("m1".into()),
            why: Gap::Inactive
        }
    );
}

#[test]
fn empty_node_rules_skip_admin_reject() {
    let f = facts();
    let empty = || node("n", Approvers::Manager { level: 9 }, Mode::Any);
    let r = run(&flow(vec![with_empty(empty(), IfEmpty::Skip)]), &f);
    assert_eq!(r.steps[0].outcome, Outcome::Skip);
    assert!(r.steps[0].left_out.iter().any(|l| l.why == Gap::Skipped));

    let r = run(&flow(vec![with_empty(empty(), IfEmpty::Admin)]), &f);
    assert_eq!(r.steps[0].outcome, Outcome::Decide);
    assert_eq!(people(&r.steps[0]), vec!["admin"]);
    assert_eq!(r.steps[0].approvers[0].why, Why::ApprovalAdmin);

    let r = run(&flow(vec![with_empty(empty(), IfEmpty::Reject)]), &f);
    assert_eq!(r.steps[0].outcome, Outcome::Reject);

    // No administrator who can act: skipped, and said why.
    let mut g = facts();
    g.active.remove("admin");
    let r = run(&flow(vec![with_empty(empty(), IfEmpty::Admin)]), &g);
    assert_eq!(r.steps[0].outcome, Outcome::Skip);
    assert!(r.steps[0].left_out.iter().any(|l| l.why == Gap::NoAdmin));
}

fn self_flow(rule: SelfRule) -> Flow {
    Flow {
        nodes: vec![node(
            "n",
            Approvers::People {
                people: vec!["sub".into(), "p1".into()],
            },
            Mode::All,
        )],
        settings: FlowSettings {
            self_rule: rule,
            ..FlowSettings::default()
        },
    }
}

#[test]
fn submitter_as_approver_goes_to_their_manager_by_default() {
    let r = run(&self_flow(SelfRule::Manager), &facts());
    assert_eq!(people(&r.steps[0]), vec!["m1", "p1"]);
    assert_eq!(r.steps[0].approvers[0].why, Why::ForSubmitter);
    assert!(
        r.steps[0]
            .left_out
            .iter()
            .any(|l| l.person.as_deref() == Some("sub") && l.why == Gap::Submitter)
    );
}

#[test]
fn submitter_as_approver_skip_auto_or_decide() {
    let f = facts();
    let r = run(&self_flow(SelfRule::Skip), &f);
    assert_eq!(people(&r.steps[0]), vec!["p1"]);

    let r = run(&self_flow(SelfRule::AutoApprove), &f);
    assert_eq!(people(&r.steps[0]), vec!["sub", "p1"]);
    assert_eq!(r.steps[0].approvers[0].auto, Some(Auto::Submitter));
    assert_eq!(r.steps[0].approvers[1].auto, None);

    let r = run(&self_flow(SelfRule::Decide), &f);
    assert_eq!(people(&r.steps[0]), vec!["sub", "p1"]);
    assert!(r.steps[0].approvers.iter().all(|p| p.auto.is_none()));
}

#[test]
fn submitter_without_a_manager_leaves_the_node_to_its_empty_rule() {
    let mut f = facts();
    f.managers.remove("sub");
    let fl = Flow {
        nodes: vec![with_empty(
            node(
                "n",
                Approvers::People {
                    people: vec!["sub".into()],
                },
                Mode::Any,
            ),
            IfEmpty::Reject,
        )],
        settings: FlowSettings::default(),
    };
    let r = run(&fl, &f);
    assert_eq!(r.steps[0].outcome, Outcome::Reject);
    assert!(
        r.steps[0]
            .left_out
            .iter()
            .any(|l| l.why == Gap::NoManager { level: 1 })
    );
}

#[test]
fn the_same_person_on_consecutive_nodes_approves_once() {
    let f = facts();
    let mut fl = flow(vec![
        node("a", Approvers::Manager { level: 1 }, Mode::Any),
        node(
            "b",
            Approvers::DepartmentHead {
                level: 1,
                top_down: false,
            },
            Mode::Any,
        ),
        node("c", Approvers::Manager { level: 2 }, Mode::Any),
    ]);
    let r = run(&fl, &f);
    assert_eq!(people(&r.steps[1]), vec!["m1"]);
    assert_eq!(
        r.steps[1].approvers[0].auto,
        Some(Auto::Duplicate {
            node_id: "a".into()
        })
    );
    assert_eq!(r.steps[2].approvers[0].auto, None);

    // Switched off: m1 decides twice.
    fl.settings.dedupe = false;
    let r = run(&fl, &f);
    assert_eq!(r.steps[1].approvers[0].auto, None);
}

#[test]
fn dedupe_is_not_assumed_after_an_any_one_node_of_several() {
    let f = facts();
    let fl = flow(vec![
        node(
            "a",
            Approvers::People {
                people: vec!["p1".into(), "p2".into()],
            },
            Mode::Any,
        ),
        node(
            "b",
            Approvers::People {
                people: vec!["p1".into()],
            },
            Mode::Any,
        ),
        node(
            "c",
            Approvers::People {
                people: vec!["p1".into(), "p2".into()],
            },
            Mode::All,
        ),
        node(
            "d",
            Approvers::People {
                people: vec!["p2".into()],
            },
            Mode::Any,
        ),
    ]);
    let r = run(&fl, &f);
    // p2 may have decided "a": p1 must still decide "b".
    assert_eq!(r.steps[1].approvers[0].auto, None);
    // After "c", where both approved, p2 approves "d" once.
    assert!(matches!(
        r.steps[3].approvers[0].auto,
        Some(Auto::Duplicate { .. })
    ));
}

#[test]
fn dedupe_looks_past_skipped_nodes() {
    let f = facts();
    let fl = flow(vec![
        node("a", Approvers::Manager { level: 1 }, Mode::Any),
        node("gap", Approvers::Manager { level: 9 }, Mode::Any),
        node("b", Approvers::Manager { level: 1 }, Mode::Any),
    ]);
    let r = run(&fl, &f);
    assert_eq!(r.steps[1].outcome, Outcome::Skip);
    assert!(
        matches!(r.steps[2].approvers[0].auto, Some(Auto::Duplicate { ref node_id }) if node_id == "a")
    );
    assert_eq!(r.next_step(1), Some(2));
}
