//! Requests from submission to decision, the simulator against real
//! submissions, returns and withdrawal, and the line between organisations.
use super::*;
use crate::helpers::{count, spawn_app};

#[sqlx::test]
async fn leave_goes_to_the_manager_and_is_approved(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let leave_id = leave["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;

    let catalog = read(&mut ann, "approval_catalog", &[]).await;
    assert_eq!(
        catalog.json.as_array().unwrap().len(),
        3,
        "{}",
        catalog.text
    );

    // Two days: the manager only (the head comes in over 3 days).
    let preview = ann
        .call(
            "approval_preview",
            &[
                ("id", leave_id),
                ("form", &leave_form("2026-12-07 am/2026-12-08 pm")),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(
        preview.json["route"]["steps"][0]["approvers"][0]["person"],
        o.max.to_string()
    );

    let request = text(
        &submit(
            &mut ann,
            leave_id,
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await,
    );
    let pending = inbox(&mut max, "pending").await;
    assert_eq!(pending["pending"], 1);
    let row = &pending["page"]["rows"][0];
    assert_eq!(row["id"], request.as_str());
    assert_eq!(row["submitter_name"], "ann");
    let task = row["task"].as_str().unwrap().to_owned();
    // Filtered by Ann, a tab with none of her requests still names her.
    let ann_id = o.ann.to_string();
    let by_ann = read(
        &mut max,
        "approval_inbox",
        &[("tab", "handled"), ("submitter", &ann_id)],
    )
    .await;
    assert_eq!(by_ann.json["page"]["total"], 0, "{}", by_ann.text);
    assert_eq!(by_ann.json["submitter_name"], "ann");

    // Nobody else sees it; Ann cannot decide her manager's task.
    assert_eq!(inbox(&mut ann, "pending").await["pending"], 0);
    let mine = ann
        .call(
            "approval_decide",
            &[("task", &task), ("decision", "approve")],
        )
        .await;
    assert_eq!(mine.status, 404, "{}", mine.text);

    let approved = max
        .call(
            "approval_decide",
            &[("task", &task), ("decision", "approve")],
        )
        .await;
    assert_eq!(text(&approved), "approved");
    let d = detail(&mut ann, &request).await;
    assert_eq!(d.json["row"]["status"], "approved");
    let kinds: Vec<&str> = d.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["submitted", "approved"], "{}", d.text);
    assert_eq!(d.json["timeline"][1]["actor"], "max");
    assert_eq!(inbox(&mut max, "handled").await["handled"], 1);
    assert_eq!(inbox(&mut max, "pending").await["pending"], 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action LIKE 'approval.%'",
            o.org
        )
        .await,
        2,
        "submitted and approved"
    );
    // Someone the request does not concern cannot open it.
    let mut fay = member(&app, "fay@acme.example.com").await;
    assert_eq!(detail(&mut fay, &request).await.status, 404);
}

#[sqlx::test]
async fn a_long_leave_goes_to_the_head_who_approves_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let leave_id = leave["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    // Monday to the next Monday: 6 working days, over 3. Web has no head:
    // the head's node finds nobody and is passed.
    let form = leave_form("2026-12-07 am/2026-12-14 pm");
    let first = text(&submit(&mut ann, leave_id, &form).await);
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text(
            &max.call(
                "approval_decide",
                &[("task", &task), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let d = detail(&mut ann, &first).await;
    assert_eq!(d.json["route"]["steps"][1]["outcome"], "skip", "{}", d.text);

    // Max becomes Web's head: he is also the head's node, and approves once.
    sqlx::query("UPDATE department_members SET is_head = true WHERE account_id = $1")
        .bind(o.max)
        .execute(&db)
        .await
        .unwrap();
    let second = text(&submit(&mut ann, leave_id, &form).await);
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text(
            &max.call(
                "approval_decide",
                &[("task", &task), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let d = detail(&mut ann, &second).await;
    let kinds: Vec<&str> = d.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["submitted", "approved", "auto_approved"],
        "{}",
        d.text
    );
    assert_eq!(
        d.json["route"]["steps"][1]["approvers"][0]["auto"]["auto"],
        "duplicate"
    );
}

#[sqlx::test]
async fn the_simulator_says_what_a_submission_then_does(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    // Web gets a head, so the long-leave branch finds someone.
    sqlx::query("UPDATE department_members SET is_head = true WHERE account_id = $1")
        .bind(o.max)
        .execute(&db)
        .await
        .unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let reimbursement_form = |amount: &str| {
        json!({
            "fields": { "reason": "Client visit" },
            "tables": { "items": [{ "date": "2026-12-01", "category": "travel", "amount": amount }] }
        })
        .to_string()
    };
    let overtime_form = json!({ "fields": {
        "period": "2026-12-05T09:00/2026-12-05T18:00", "compensation": "time_off", "reason": "Release"
    }})
    .to_string();

    // Three custom templates: finance over 5,000 (a branch on a table's
    // total), everyone up to Hal in order with CC, a picked reviewer.
    let custom = |name: &str| name.to_string();
    let mut cases: Vec<(Value, String)> = vec![
        (
            template(&mut admin, "leave").await,
            leave_form("2026-12-07 am/2026-12-14 pm"),
        ),
        (
            template(&mut admin, "leave").await,
            leave_form("2026-12-07 am/2026-12-07 pm"),
        ),
        (
            template(&mut admin, "reimbursement").await,
            reimbursement_form("800"),
        ),
        (
            template(&mut admin, "overtime").await,
            overtime_form.clone(),
        ),
    ];
    let reimb = template(&mut admin, "reimbursement").await;
    let mut expense = design(&mut admin, reimb["id"].as_str().unwrap()).await;
    expense["flow"]["nodes"] = json!([
        { "type": "approval", "id": "manager", "name_en": "Manager", "name_zh": "上级",
          "approvers": { "by": "manager", "level": 1 }, "mode": "any" },
        { "type": "branch", "id": "amount", "branches": [
            { "name_en": "Over 5,000", "name_zh": "超过 5000",
              "condition": { "any": [[{ "test": "compare", "field": "items", "op": "gt", "value": 5000.0 }]] },
              "nodes": [{ "type": "approval", "id": "finance", "name_en": "Finance", "name_zh": "财务",
                          "approvers": { "by": "role", "role": { "kind": "admin_group", "id": o.finance.to_string() } },
                          "mode": "all" }] },
            { "name_en": "Otherwise", "name_zh": "其他", "nodes": [] }
        ]}
    ]);
    for (i, (name, flow)) in [
        (custom("Expenses"), expense["flow"].clone()),
        (
            custom("Purchase"),
            json!({ "nodes": [
                { "type": "approval", "id": "chain", "name_en": "Managers", "name_zh": "各级上级",
                  "approvers": { "by": "manager_chain", "to_level": 3 }, "mode": "sequential" },
                { "type": "cc", "id": "cc", "name_en": "Finance", "name_zh": "财务", "timing": "both",
                  "who": { "by": "people", "people": [o.fay.to_string()] } }
            ]}),
        ),
        (
            custom("Review"),
            json!({ "nodes": [
                { "type": "approval", "id": "reviewer", "name_en": "Reviewer", "name_zh": "评审人",
                  "approvers": { "by": "field", "field": "reviewer" }, "mode": "any", "if_empty": "admin" },
                { "type": "approval", "id": "head", "name_en": "Head", "name_zh": "负责人",
                  "approvers": { "by": "department_head", "level": 2 }, "mode": "any" }
            ]}),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let made = admin
            .call("approval_template_create", &[("name_en", &name), ("name_zh", &format!("自定义{i}"))])
            .await;
        let id = text(&made);
        let t = template_by_id(&mut admin, &id).await;
        let form = if i == 0 {
            expense["form"].clone()
        } else {
            json!({ "controls": [
                { "id": "what", "label_en": "What", "label_zh": "事项", "required": true, "type": "text", "max_len": 100 },
                { "id": "reviewer", "label_en": "Reviewer", "label_zh": "评审人", "type": "person" }
            ]})
        };
        publish(&mut admin, &t, &json!({ "form": form, "flow": flow })).await;
        let t = template_by_id(&mut admin, &id).await;
        let filled = if i == 0 {
            reimbursement_form("6200.50")
        } else {
            json!({ "fields": { "what": "Laptop", "reviewer": if i == 2 { o.fen.to_string() } else { String::new() } } })
                .to_string()
        };
        cases.push((t, filled));
    }

    for (t, form) in cases {
        let id = t["id"].as_str().unwrap();
        let simulated = admin
            .call(
                "approval_simulate",
                &[
                    ("id", id),
                    ("number", &t["published"].to_string()),
                    ("submitter", &o.ann.to_string()),
                    ("form", &form),
                ],
            )
            .await;
        assert_eq!(simulated.status, 200, "{}", simulated.text);
        let request = text(&submit(&mut ann, id, &form).await);
        let stored: Value = sqlx::query_scalar("SELECT route FROM approval_requests WHERE id = $1")
            .bind(Uuid::parse_str(&request).unwrap())
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(
            simulated.json["route"], stored,
            "{} with {form}",
            t["name_en"]
        );
        // The tasks opened are the first deciding step's approvers.
        let step = stored["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["outcome"] == "decide")
            .unwrap();
        let open: Vec<String> = sqlx::query_scalar(
            "SELECT assignee_id::text FROM approval_tasks WHERE request_id = $1 AND status = 'pending' ORDER BY position",
        )
        .bind(Uuid::parse_str(&request).unwrap())
        .fetch_all(&db)
        .await
        .unwrap();
        let first: Vec<String> = match step["mode"].as_str().unwrap() {
            "sequential" => vec![step["approvers"][0]["person"].as_str().unwrap().to_owned()],
            _ => step["approvers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["person"].as_str().unwrap().to_owned())
                .collect(),
        };
        assert_eq!(open, first, "{}", t["name_en"]);
    }
    // The expense over 5,000 went to both finance people after the manager.
    let over: Value = sqlx::query_scalar(
        "SELECT route FROM approval_requests r JOIN approval_templates t ON t.id = r.template_id WHERE t.name_en = 'Expenses'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(over["branches"][0]["taken"], 0);
    // Every manager up to three levels: Max, then Hal (there is no third).
    let chain: Value = sqlx::query_scalar(
        "SELECT route FROM approval_requests r JOIN approval_templates t ON t.id = r.template_id WHERE t.name_en = 'Purchase'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let people: Vec<&str> = chain["steps"][0]["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["person"].as_str().unwrap())
        .collect();
    assert_eq!(people, vec![o.max.to_string(), o.hal.to_string()]);
    assert_eq!(over["steps"][1]["approvers"].as_array().unwrap().len(), 2);
}

pub(crate) async fn template_by_id(admin: &mut Browser<'_>, id: &str) -> Value {
    let a = read(admin, "approval_templates", &[]).await;
    a.json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap()
}

#[sqlx::test]
async fn a_rejection_returns_the_request_to_be_changed_and_resubmitted(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, _o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut d = design(&mut admin, leave["id"].as_str().unwrap()).await;
    d["flow"]["settings"]["on_reject"] = json!("return");
    publish(&mut admin, &leave, &d).await;
    let leave_id = leave["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let request = text(
        &submit(
            &mut ann,
            leave_id,
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await,
    );
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();

    let no_comment = max
        .call(
            "approval_decide",
            &[("task", &task), ("decision", "reject")],
        )
        .await;
    assert_eq!(
        no_comment.field_code("comment"),
        Some("approvals.comment_required")
    );
    let back = max
        .call(
            "approval_decide",
            &[
                ("task", &task),
                ("decision", "reject"),
                ("comment", "Say which project"),
                ("back_to", "submitter"),
            ],
        )
        .await;
    assert_eq!(text(&back), "returned");

    // The form comes back filled; Ann changes the reason and resubmits.
    let f = read(
        &mut ann,
        "approval_form",
        &[("id", leave_id), ("from", &request)],
    )
    .await;
    assert_eq!(f.json[1]["fields"]["reason"], "Family visit", "{}", f.text);
    let changed = json!({ "fields": { "leave_type": "annual", "period": "2026-12-07 am/2026-12-08 pm", "reason": "Family visit; Atlas handed to Max" } }).to_string();
    let again = ann
        .call(
            "approval_submit",
            &[("id", leave_id), ("form", &changed), ("resubmit", &request)],
        )
        .await;
    assert_eq!(text(&again), request);
    let task2 = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(task, task2);
    assert_eq!(
        text(
            &max.call(
                "approval_decide",
                &[("task", &task2), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let d = detail(&mut ann, &request).await;
    let kinds: Vec<&str> = d.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "submitted",
            "rejected",
            "returned",
            "resubmitted",
            "approved"
        ],
        "{}",
        d.text
    );
    assert_eq!(d.json["timeline"][1]["comment"], "Say which project");
    // A returned request cannot be resubmitted twice.
    let twice = ann
        .call(
            "approval_submit",
            &[("id", leave_id), ("form", &changed), ("resubmit", &request)],
        )
        .await;
    assert_eq!(twice.field_code("resubmit"), Some("approvals.decided"));
}

#[sqlx::test]
async fn a_withdrawn_request_takes_no_decision(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let request = text(
        &submit(
            &mut ann,
            leave["id"].as_str().unwrap(),
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await,
    );
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();
    // Only its submitter withdraws it.
    assert_eq!(
        max.call("approval_withdraw", &[("id", &request)])
            .await
            .status,
        404
    );
    assert_eq!(
        text(&ann.call("approval_withdraw", &[("id", &request)]).await),
        "withdrawn"
    );
    let late = max
        .call(
            "approval_decide",
            &[("task", &task), ("decision", "approve")],
        )
        .await;
    assert_eq!(
        late.field_code("task"),
        Some("approvals.decided"),
        "{}",
        late.text
    );
    assert_eq!(inbox(&mut max, "pending").await["pending"], 0);
    // Approved requests are not withdrawn by default (a window of 0 days).
    let again = ann.call("approval_withdraw", &[("id", &request)]).await;
    assert_eq!(
        again.field_code("request"),
        Some("approvals.not_withdrawable")
    );
    let _ = o;
}

#[sqlx::test]
async fn templates_and_requests_stay_in_their_organisation(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin_a, _a) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let (mut admin_b, b) = organisation(&app, &db, "Bolt Ltd", "boss@bolt.example.com").await;
    let leave_a = template(&mut admin_a, "leave").await;
    let leave_a_id = leave_a["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let request = text(
        &submit(
            &mut ann,
            leave_a_id,
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await,
    );
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bolt's administrator and people reach nothing of Acme's.
    assert_eq!(
        read(&mut admin_b, "approval_template", &[("id", leave_a_id)])
            .await
            .status,
        404
    );
    let sim = admin_b
        .call(
            "approval_simulate",
            &[
                ("id", leave_a_id),
                ("number", "1"),
                ("submitter", &b.ann.to_string()),
                ("form", "{}"),
            ],
        )
        .await;
    assert_eq!(sim.status, 404, "{}", sim.text);
    let publish_other = admin_b
        .call(
            "approval_template_publish",
            &[("id", leave_a_id), ("version", "0")],
        )
        .await;
    assert_eq!(publish_other.status, 404, "{}", publish_other.text);
    assert_eq!(
        read(
            &mut admin_b,
            "approval_template_version",
            &[("id", leave_a_id), ("number", "1")]
        )
        .await
        .status,
        404
    );
    let mut bolt_ann = member(&app, "ann@bolt.example.com").await;
    assert_eq!(detail(&mut bolt_ann, &request).await.status, 404);
    assert_eq!(
        submit(
            &mut bolt_ann,
            leave_a_id,
            &leave_form("2026-12-07 am/2026-12-08 pm")
        )
        .await
        .status,
        404
    );
    let mut bolt_max = member(&app, "max@bolt.example.com").await;
    assert_eq!(
        bolt_max
            .call(
                "approval_decide",
                &[("task", &task), ("decision", "approve")]
            )
            .await
            .status,
        404
    );
    assert_eq!(
        bolt_ann
            .call("approval_withdraw", &[("id", &request)])
            .await
            .status,
        404
    );
    // Acme's simulator does not take Bolt's people.
    let foreign = admin_a
        .call(
            "approval_simulate",
            &[
                ("id", leave_a_id),
                ("number", "1"),
                ("submitter", &b.ann.to_string()),
                ("form", "{}"),
            ],
        )
        .await;
    assert_eq!(foreign.field_code("submitter"), Some("validation.invalid"));
    // An employee does not manage templates.
    assert_eq!(read(&mut ann, "approval_templates", &[]).await.status, 403);
    assert_eq!(
        read(
            &mut ann,
            "approval_template_version",
            &[("id", leave_a_id), ("number", "1")]
        )
        .await
        .status,
        403
    );
    // A form naming a person of another organisation is refused.
    let t = template(&mut admin_a, "leave").await;
    let mut d = design(&mut admin_a, leave_a_id).await;
    d["form"]["controls"].as_array_mut().unwrap().push(json!({
        "id": "cover", "label_en": "Cover", "label_zh": "代理人", "type": "person" }));
    publish(&mut admin_a, &t, &d).await;
    let with_foreigner =
        json!({ "fields": { "leave_type": "annual", "period": "2026-12-07 am/2026-12-08 pm",
        "reason": "x", "cover": b.max.to_string() } })
        .to_string();
    let refused = submit(&mut ann, leave_a_id, &with_foreigner).await;
    assert_eq!(
        refused.field_code("cover"),
        Some("approvals.unknown_pick"),
        "{}",
        refused.text
    );
}

#[sqlx::test]
async fn the_database_enforces_the_state_machines(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, _o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let request = Uuid::parse_str(&text(
        &submit(
            &mut ann,
            leave["id"].as_str().unwrap(),
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await,
    ))
    .unwrap();
    let task = inbox(&mut max, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .unwrap()
        .to_owned();
    let task = Uuid::parse_str(&task).unwrap();

    let refused = |sql: &'static str| {
        let db = db.clone();
        async move {
            let e = sqlx::query(sql).bind(request).bind(task).execute(&db).await;
            assert!(e.is_err(), "allowed: {sql}");
            let e = e.unwrap_err().to_string();
            assert!(
                e.contains("approval") || e.contains("violates"),
                "{sql}: {e}"
            );
        }
    };
    // A pending request is not approved with its task still open.
    refused("UPDATE approval_requests SET status = 'approved', finished_at = now(), current_node = NULL WHERE id = $1 AND $2 IS NOT NULL").await;
    // Nor moved along an edge that does not exist.
    refused("UPDATE approval_requests SET status = 'revoked', revoked_at = now(), finished_at = now(), current_node = NULL WHERE id = $1 AND $2 IS NOT NULL").await;
    refused(
        "UPDATE approval_template_versions SET form = '{}' WHERE $1 IS NOT NULL AND $2 IS NOT NULL",
    )
    .await;
    refused("UPDATE approval_events SET comment = 'x' WHERE request_id = $1 AND $2 IS NOT NULL")
        .await;

    assert_eq!(
        text(
            &max.call(
                "approval_decide",
                &[("task", &task.to_string()), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    // A decided task never goes back, nor changes its comment.
    refused("UPDATE approval_tasks SET status = 'pending', decided_at = NULL WHERE id = $2 AND $1 IS NOT NULL").await;
    refused("UPDATE approval_tasks SET comment = 'changed' WHERE id = $2 AND $1 IS NOT NULL").await;
    // An approved request is never pending again, and takes no new task.
    refused("UPDATE approval_requests SET status = 'pending', finished_at = NULL, current_node = 0 WHERE id = $1 AND $2 IS NOT NULL").await;
    refused(
        "INSERT INTO approval_tasks (id, org_id, request_id, round, node, assignee_id, status, activated_at)
         SELECT gen_random_uuid(), org_id, id, 1, 0, submitter_id, 'pending', now() FROM approval_requests WHERE id = $1 AND $2 IS NOT NULL",
    )
    .await;
}

#[sqlx::test]
async fn the_simulator_runs_unsaved_work_and_any_version(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let t = template(&mut admin, "leave").await;
    let id = t["id"].as_str().unwrap().to_owned();
    let published = design(&mut admin, &id).await;
    let form = leave_form("2026-12-07 am/2026-12-08 pm");
    let ann = o.ann.to_string();
    let simulate = |number: &'static str, design: String| {
        vec![
            ("id".to_owned(), id.clone()),
            ("number".to_owned(), number.to_owned()),
            ("submitter".to_owned(), ann.clone()),
            ("form".to_owned(), form.clone()),
            ("design".to_owned(), design),
        ]
    };
    // Fay named as the only approver, not saved: the simulator follows it
    // and the template keeps no draft.
    let mut unsaved = published.clone();
    unsaved["flow"]["nodes"] = json!([{ "type": "approval", "id": "fay", "name_en": "Fay",
        "name_zh": "费", "approvers": { "by": "people", "people": [o.fay.to_string()] }, "mode": "any" }]);
    let args = simulate("0", unsaved.to_string());
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let route = admin.call("approval_simulate", &args).await;
    assert_eq!(route.status, 200, "{}", route.text);
    assert_eq!(
        route.json["route"]["steps"][0]["approvers"][0]["person"],
        json!(o.fay.to_string())
    );
    assert_eq!(
        template_by_id(&mut admin, &id).await["has_draft"],
        json!(false)
    );
    // Version 1, by its number, still goes to the manager; its design
    // comes back with the names it mentions.
    let args = simulate("1", String::new());
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let route = admin.call("approval_simulate", &args).await;
    assert_eq!(
        route.json["route"]["steps"][0]["approvers"][0]["person"],
        json!(o.max.to_string()),
        "{}",
        route.text
    );
    let v1 = read(
        &mut admin,
        "approval_template_version",
        &[("id", &id), ("number", "1")],
    )
    .await;
    assert_eq!(v1.status, 200, "{}", v1.text);
    assert_eq!(v1.json[0], published);
    let missing = read(
        &mut admin,
        "approval_template_version",
        &[("id", &id), ("number", "9")],
    )
    .await;
    assert_eq!(missing.status, 404);
    // Unsaved work too large for the store is refused.
    let mut huge = published.clone();
    huge["form"]["controls"][0]["label_en"] = json!("x".repeat(70_000));
    let args = simulate("0", huge.to_string());
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = admin.call("approval_simulate", &args).await;
    assert_eq!(
        refused.field_code("design"),
        Some("approvals.design_too_large"),
        "{}",
        refused.text
    );
}

#[sqlx::test]
async fn the_approval_administrator_decides_steps_that_find_nobody(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let (_admin_b, b) = organisation(&app, &db, "Bolt Ltd", "boss@bolt.example.com").await;
    let t = template(&mut admin, "leave").await;
    let id = t["id"].as_str().unwrap().to_owned();
    // Until someone is chosen, the creator.
    let before = read(&mut admin, "approval_admin", &[]).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_ne!(before.json[0], json!(o.hal.to_string()));
    let set = admin
        .call("approval_admin_set", &[("person", &o.hal.to_string())])
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(
        read(&mut admin, "approval_admin", &[]).await.json[0],
        json!(o.hal.to_string())
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'approval.admin_set'",
            o.org
        )
        .await,
        1
    );
    // A step whose position nobody holds goes to Hal.
    let mut d = design(&mut admin, &id).await;
    d["flow"]["nodes"] = json!([{ "type": "approval", "id": "nobody", "name_en": "Nobody",
        "name_zh": "无人", "approvers": { "by": "role", "role": { "kind": "position", "name": "Astronaut" } },
        "mode": "any", "if_empty": "admin" }]);
    let route = admin
        .call(
            "approval_simulate",
            &[
                ("id", &id),
                ("number", "0"),
                ("submitter", &o.ann.to_string()),
                ("form", &leave_form("2026-12-07 am/2026-12-08 pm")),
                ("design", &d.to_string()),
            ],
        )
        .await;
    assert_eq!(
        route.json["route"]["steps"][0]["approvers"][0]["person"],
        json!(o.hal.to_string()),
        "{}",
        route.text
    );
    // Someone of another organisation is refused; an employee may not set it.
    let foreign = admin
        .call("approval_admin_set", &[("person", &b.hal.to_string())])
        .await;
    assert_eq!(
        foreign.field_code("person"),
        Some("approvals.admin_inactive"),
        "{}",
        foreign.text
    );
    let mut ann = member(&app, "ann@acme.example.com").await;
    assert_eq!(
        ann.call("approval_admin_set", &[("person", &o.ann.to_string())])
            .await
            .status,
        403
    );
}
