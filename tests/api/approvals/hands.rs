//! Tasks changing hands: transfer, approvers added before and after,
//! delegation and its timeline, a hand-over, urging, batch approval, and
//! what people are told.
use super::*;
use crate::helpers::{count, spawn_app};

async fn pending_task(b: &mut Browser<'_>) -> String {
    inbox(b, "pending").await["page"]["rows"][0]["task"]
        .as_str()
        .expect("a pending task")
        .to_owned()
}

async fn timeline(b: &mut Browser<'_>, request: &str) -> Vec<(String, String, String)> {
    let d = detail(b, request).await;
    assert_eq!(d.status, 200, "{}", d.text);
    d.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap_or("").to_owned(),
                e["on_behalf_of"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[sqlx::test]
async fn a_task_is_transferred_and_approvers_are_added_before_and_after(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let leave_id = leave["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let mut fay = member(&app, "fay@acme.example.com").await;
    let mut fen = member(&app, "fen@acme.example.com").await;
    let form = leave_form("2026-12-07 am/2026-12-08 pm");

    // Transfer: a comment is required; Fay then decides alone.
    let request = text(&submit(&mut ann, leave_id, &form).await);
    let task = pending_task(&mut max).await;
    let bare = max
        .call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.fay.to_string()),
                ("how", "transfer"),
            ],
        )
        .await;
    assert_eq!(
        bare.field_code("comment"),
        Some("approvals.comment_required")
    );
    let to_submitter = max
        .call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.ann.to_string()),
                ("how", "transfer"),
                ("comment", "x"),
            ],
        )
        .await;
    assert_eq!(to_submitter.field_code("to"), Some("approvals.hand_to"));
    let moved = max
        .call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.fay.to_string()),
                ("how", "transfer"),
                ("comment", "Fay covers Web"),
            ],
        )
        .await;
    assert_eq!(text(&moved), "pending");
    assert_eq!(inbox(&mut max, "pending").await["pending"], 0);
    let fay_task = pending_task(&mut fay).await;
    assert_eq!(
        text(
            &fay.call(
                "approval_decide",
                &[("task", &fay_task), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let kinds: Vec<String> = timeline(&mut ann, &request)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(kinds, vec!["submitted", "transferred", "approved"]);

    // Before: Fen decides first, then the task is Max's again.
    let request = text(&submit(&mut ann, leave_id, &form).await);
    let task = pending_task(&mut max).await;
    let before = max
        .call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.fen.to_string()),
                ("how", "before"),
                ("comment", "Fen knows the project"),
            ],
        )
        .await;
    assert_eq!(text(&before), "pending");
    assert_eq!(
        inbox(&mut max, "pending").await["pending"],
        0,
        "Max waits for Fen"
    );
    let fen_task = pending_task(&mut fen).await;
    assert_eq!(
        text(
            &fen.call(
                "approval_decide",
                &[("task", &fen_task), ("decision", "approve")]
            )
            .await
        ),
        "pending"
    );
    assert_eq!(pending_task(&mut max).await, task, "back to Max");
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

    // After: Max approves, and the request waits for Fen before it passes.
    let request2 = text(&submit(&mut ann, leave_id, &form).await);
    let task = pending_task(&mut max).await;
    let after = max
        .call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.fen.to_string()),
                ("how", "after"),
                ("comment", "Fen to confirm"),
            ],
        )
        .await;
    assert_eq!(text(&after), "pending");
    let fen_task = pending_task(&mut fen).await;
    assert_eq!(
        text(
            &fen.call(
                "approval_decide",
                &[("task", &fen_task), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let kinds: Vec<String> = timeline(&mut ann, &request2)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(kinds, vec!["submitted", "added_after", "approved"]);
    let _ = request;
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action IN ('approval.transferred', 'approval.approver_added')", o.org).await,
        3
    );
}

#[sqlx::test]
async fn a_delegate_approves_for_the_manager_while_away(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let leave_id = leave["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let mut fay = member(&app, "fay@acme.example.com").await;
    let form = leave_form("2026-12-07 am/2026-12-08 pm");

    // A task that waits already moves when the window opens.
    let waiting = text(&submit(&mut ann, leave_id, &form).await);
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let starts = (now - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let ends = (now + chrono::Duration::days(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let set = max
        .call(
            "approval_delegate",
            &[
                ("delegate", &o.fay.to_string()),
                ("starts", &starts),
                ("ends", &ends),
            ],
        )
        .await;
    let delegation = text(&set);
    assert_eq!(inbox(&mut max, "pending").await["pending"], 0);
    assert_eq!(inbox(&mut fay, "pending").await["pending"], 1);

    // A cycle is refused: Fay cannot delegate back to Max in the window.
    let cycle = fay
        .call(
            "approval_delegate",
            &[
                ("delegate", &o.max.to_string()),
                ("starts", &starts),
                ("ends", &ends),
            ],
        )
        .await;
    assert_eq!(
        cycle.field_code("delegate"),
        Some("approvals.delegation_cycle")
    );
    // Nor a second window over the first.
    let overlap = max
        .call(
            "approval_delegate",
            &[
                ("delegate", &o.fen.to_string()),
                ("starts", &starts),
                ("ends", &ends),
            ],
        )
        .await;
    assert_eq!(
        overlap.field_code("starts"),
        Some("approvals.delegation_overlap")
    );

    // A new request goes to Fay for Max; the timeline and audit say both.
    let fresh = text(&submit(&mut ann, leave_id, &form).await);
    assert_eq!(inbox(&mut fay, "pending").await["pending"], 2);
    let rows = inbox(&mut fay, "pending").await["page"]["rows"].clone();
    let task = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == fresh.as_str())
        .unwrap()["task"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text(
            &fay.call(
                "approval_decide",
                &[("task", &task), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let events = timeline(&mut ann, &fresh).await;
    assert!(
        events.contains(&("approved".into(), "fay".into(), "max".into())),
        "{events:?}"
    );
    let on_behalf: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'approval.approved' AND details->>'on_behalf_of' = $2",
    )
    .bind(o.org)
    .bind(o.max.to_string())
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(on_behalf, 1);
    // Max may still open the request he was delegated for.
    assert_eq!(detail(&mut max, &fresh).await.status, 200);

    // Cancelled: the task still waiting comes back to Max.
    assert_eq!(
        max.call("approval_delegate_cancel", &[("id", &delegation)])
            .await
            .status,
        200
    );
    assert_eq!(inbox(&mut fay, "pending").await["pending"], 0);
    assert_eq!(inbox(&mut max, "pending").await["pending"], 1);
    let _ = waiting;
    let mine = read(&mut max, "approval_delegations", &[]).await;
    assert_eq!(mine.json["mine"][0]["state"], "cancelled", "{}", mine.text);
}

#[sqlx::test]
async fn an_administrator_hands_a_leavers_tasks_to_someone(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut fen = member(&app, "fen@acme.example.com").await;
    for _ in 0..3 {
        submit(
            &mut ann,
            leave["id"].as_str().unwrap(),
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await;
    }
    let moved = admin
        .call(
            "approval_hand_over",
            &[("from", &o.max.to_string()), ("to", &o.fen.to_string())],
        )
        .await;
    assert_eq!(moved.json, 3, "{}", moved.text);
    assert_eq!(inbox(&mut fen, "pending").await["pending"], 3);
    // An employee cannot.
    let mut max = member(&app, "max@acme.example.com").await;
    let refused = max
        .call(
            "approval_hand_over",
            &[("from", &o.fen.to_string()), ("to", &o.max.to_string())],
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[sqlx::test]
async fn urging_is_once_an_hour_and_many_tasks_are_approved_at_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let mut requests = Vec::new();
    for _ in 0..3 {
        requests.push(text(
            &submit(
                &mut ann,
                leave["id"].as_str().unwrap(),
                &leave_form("2026-12-07 am/2026-12-08 pm"),
            )
            .await,
        ));
    }
    assert_eq!(
        ann.call("approval_urge", &[("id", &requests[0])])
            .await
            .status,
        200
    );
    let again = ann.call("approval_urge", &[("id", &requests[0])]).await;
    assert_eq!(
        again.field_code("request"),
        Some("approvals.urged_recently")
    );
    assert_eq!(
        max.call("approval_urge", &[("id", &requests[0])])
            .await
            .status,
        404,
        "only its submitter urges"
    );

    let rows = inbox(&mut max, "pending").await["page"]["rows"].clone();
    let mut tasks: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["task"].as_str().unwrap().to_owned())
        .collect();
    // One of them decided meanwhile.
    assert_eq!(
        text(
            &max.call(
                "approval_decide",
                &[("task", &tasks[0]), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    tasks.push(Uuid::now_v7().to_string());
    let many = max
        .call("approval_decide_many", &[("tasks", &tasks.join(","))])
        .await;
    assert_eq!(many.json, json!([2, 2]), "{}", many.text);
    assert_eq!(inbox(&mut max, "pending").await["pending"], 0);

    // What people were told: Max of three tasks and an urging, Ann of three decisions.
    let notices = |who: Uuid, kind: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM approval_notices WHERE account_id = $1 AND kind = $2",
            )
            .bind(who)
            .bind(kind)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(notices(o.max, "task").await, 3);
    assert_eq!(notices(o.max, "urged").await, 1);
    assert_eq!(notices(o.ann, "decided").await, 3);
    // The sweep turns them into messages, each once.
    let state = app.state();
    let (_, _, queued) =
        orgdesk::approvals::engine::clock::sweep(&state.db, state.codes.outbox_sealer(), 3).await;
    assert_eq!(queued, 7);
    let (_, _, again) =
        orgdesk::approvals::engine::clock::sweep(&state.db, state.codes.outbox_sealer(), 3).await;
    assert_eq!(again, 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM outbox WHERE org_id = $1 AND template = 'approval'",
            o.org
        )
        .await,
        7
    );
}

#[sqlx::test]
async fn a_digest_reader_gets_one_message_for_many_tasks(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    assert_eq!(
        max.call("approval_notices_set", &[("mode", "digest")])
            .await
            .status,
        200
    );
    for _ in 0..4 {
        submit(
            &mut ann,
            leave["id"].as_str().unwrap(),
            &leave_form("2026-12-07 am/2026-12-08 pm"),
        )
        .await;
    }
    let state = app.state();
    orgdesk::approvals::engine::clock::sweep(&state.db, state.codes.outbox_sealer(), 3).await;
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM outbox WHERE org_id = $1 AND template = 'approval_digest'",
            o.org
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM outbox WHERE org_id = $1 AND template = 'approval'",
            o.org
        )
        .await,
        0
    );
    // Another task the same day waits for tomorrow's digest.
    submit(
        &mut ann,
        leave["id"].as_str().unwrap(),
        &leave_form("2026-12-07 am/2026-12-08 pm"),
    )
    .await;
    orgdesk::approvals::engine::clock::sweep(&state.db, state.codes.outbox_sealer(), 3).await;
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM outbox WHERE org_id = $1 AND template LIKE 'approval%'",
            o.org
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn a_time_limit_approves_or_rejects_as_the_node_says(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, _o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let overtime = template(&mut admin, "overtime").await;
    let mut d = design(&mut admin, overtime["id"].as_str().unwrap()).await;
    d["flow"]["nodes"][0]["time_limit_hours"] = json!(24);
    d["flow"]["nodes"][0]["on_timeout"] = json!("approve");
    publish(&mut admin, &overtime, &d).await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let form = json!({ "fields": { "period": "2026-12-05T09:00/2026-12-05T18:00", "compensation": "pay", "reason": "Release" } }).to_string();
    let request = text(&submit(&mut ann, overtime["id"].as_str().unwrap(), &form).await);
    let state = app.state();
    // Not yet due: nothing happens.
    let (timed, _, _) =
        orgdesk::approvals::engine::clock::sweep(&state.db, state.codes.outbox_sealer(), 3).await;
    assert_eq!(timed, 0);
    sqlx::query(
        "UPDATE approval_tasks SET due_at = now() - interval '1 minute' WHERE request_id = $1",
    )
    .bind(Uuid::parse_str(&request).unwrap())
    .execute(&db)
    .await
    .unwrap();
    let (timed, _, _) =
        orgdesk::approvals::engine::clock::sweep(&state.db, state.codes.outbox_sealer(), 3).await;
    assert_eq!(timed, 1);
    let d = detail(&mut ann, &request).await;
    assert_eq!(d.json["row"]["status"], "approved", "{}", d.text);
    let kinds: Vec<&str> = d.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["submitted", "timed_out"]);
}

#[sqlx::test]
async fn handing_on_keeps_the_order_and_nobody_approves_their_own_request(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    let leave = template(&mut admin, "leave").await;
    let leave_id = leave["id"].as_str().unwrap();
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let mut fay = member(&app, "fay@acme.example.com").await;
    let mut fen = member(&app, "fen@acme.example.com").await;
    let form = leave_form("2026-12-07 am/2026-12-08 pm");

    // Max adds Fay before himself; Fay hands that on to Fen; Fen's approval
    // gives the task back to Max.
    text(&submit(&mut ann, leave_id, &form).await);
    let task = pending_task(&mut max).await;
    let added = max
        .call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.fay.to_string()),
                ("how", "before"),
                ("comment", "Fay first"),
            ],
        )
        .await;
    assert_eq!(text(&added), "pending");
    let fay_task = pending_task(&mut fay).await;
    let on = fay
        .call(
            "approval_hand",
            &[
                ("task", &fay_task),
                ("to", &o.fen.to_string()),
                ("how", "transfer"),
                ("comment", "Fen knows"),
            ],
        )
        .await;
    assert_eq!(text(&on), "pending");
    let fen_task = pending_task(&mut fen).await;
    assert_eq!(
        text(
            &fen.call(
                "approval_decide",
                &[("task", &fen_task), ("decision", "approve")]
            )
            .await
        ),
        "pending"
    );
    assert_eq!(pending_task(&mut max).await, task, "back to Max");
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

    // A return the flow does not allow is refused, not made a rejection.
    let request = text(&submit(&mut ann, leave_id, &form).await);
    let task = pending_task(&mut max).await;
    let back = max
        .call(
            "approval_decide",
            &[
                ("task", &task),
                ("decision", "reject"),
                ("comment", "No"),
                ("back_to", "submitter"),
            ],
        )
        .await;
    assert_eq!(back.field_code("back_to"), Some("approvals.no_return"));
    assert_eq!(
        detail(&mut ann, &request).await.json["row"]["status"],
        "pending"
    );

    // Max's delegate is Ann: Ann's own request stays with Max.
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let starts = (now - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let ends = (now + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    text(
        &max.call(
            "approval_delegate",
            &[
                ("delegate", &o.ann.to_string()),
                ("starts", &starts),
                ("ends", &ends),
            ],
        )
        .await,
    );
    assert_eq!(
        inbox(&mut ann, "pending").await["pending"],
        0,
        "not Ann's own request"
    );
    assert_eq!(inbox(&mut max, "pending").await["pending"], 1);
    text(&submit(&mut ann, leave_id, &form).await);
    assert_eq!(inbox(&mut ann, "pending").await["pending"], 0);
    assert_eq!(inbox(&mut max, "pending").await["pending"], 2);
}

#[sqlx::test]
async fn someone_who_did_not_approve_themselves_is_not_deduplicated(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut admin, o) = organisation(&app, &db, "Acme Ltd", "boss@acme.example.com").await;
    // Max heads Web: on a long leave he is both the manager and the head.
    sqlx::query("UPDATE department_members SET is_head = true WHERE account_id = $1")
        .bind(o.max)
        .execute(&db)
        .await
        .unwrap();
    let leave = template(&mut admin, "leave").await;
    let mut ann = member(&app, "ann@acme.example.com").await;
    let mut max = member(&app, "max@acme.example.com").await;
    let mut fay = member(&app, "fay@acme.example.com").await;
    let request = text(
        &submit(
            &mut ann,
            leave["id"].as_str().unwrap(),
            &leave_form("2026-12-07 am/2026-12-14 pm"),
        )
        .await,
    );
    // Max hands the first node to Fay: he never approved it himself.
    let task = pending_task(&mut max).await;
    text(
        &max.call(
            "approval_hand",
            &[
                ("task", &task),
                ("to", &o.fay.to_string()),
                ("how", "transfer"),
                ("comment", "Away"),
            ],
        )
        .await,
    );
    let fay_task = pending_task(&mut fay).await;
    assert_eq!(
        text(
            &fay.call(
                "approval_decide",
                &[("task", &fay_task), ("decision", "approve")]
            )
            .await
        ),
        "pending"
    );
    let head_task = pending_task(&mut max).await;
    assert_eq!(
        text(
            &max.call(
                "approval_decide",
                &[("task", &head_task), ("decision", "approve")]
            )
            .await
        ),
        "approved"
    );
    let kinds: Vec<String> = timeline(&mut ann, &request)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        kinds,
        vec!["submitted", "transferred", "approved", "approved"]
    );
}
