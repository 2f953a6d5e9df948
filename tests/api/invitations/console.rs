//! The console's first page and the member cap.
use super::*;

#[sqlx::test]
async fn the_consoles_first_page_counts_people_and_ticks_its_checklist(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, _) = invited(&app, &db, "acme").await;
    let steps = |o: &serde_json::Value| -> Vec<(String, bool)> {
        o["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s[0].as_str().unwrap().to_owned(), s[1].as_bool().unwrap()))
            .collect()
    };
    let o = read(&mut b, "console_overview", &[]).await;
    assert_eq!(o.status, 200, "{}", o.text);
    assert_eq!(
        (
            o.json["headcount"].as_i64(),
            o.json["active"].as_i64(),
            o.json["not_activated"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    let done: Vec<(String, bool)> = steps(&o.json);
    assert_eq!(
        done,
        [
            ("departments".to_owned(), false),
            ("people".to_owned(), true),
            ("invitations".to_owned(), true),
            ("two_factor".to_owned(), false),
            ("delegated".to_owned(), false),
            ("approvals".to_owned(), false),
        ]
    );
    // A message that could not be delivered is counted once per person.
    sqlx::query("UPDATE outbox SET status = 'failed', last_error = 'mailbox unavailable' WHERE org_id = $1 AND template = 'invitation'")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    let root = root_id(&mut b).await;
    crate::contacts::create_department(&mut b, &root, "市场部").await;
    let o = read(&mut b, "console_overview", &[]).await;
    assert_eq!(o.json["failed_invitations"], 1);
    assert!(steps(&o.json)[0].1, "departments ticked");
    // The person's page says why.
    let id: String = sqlx::query_scalar("SELECT id::text FROM accounts WHERE name = '李四'")
        .fetch_one(&db)
        .await
        .unwrap();
    let info = read(&mut b, "invitation_of", &[("id", &id)]).await;
    let deliveries = info.json["latest"]["deliveries"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        deliveries
            .iter()
            .all(|d| d["status"] == "failed" && d["error"] == "mailbox unavailable"),
        "{deliveries:?}"
    );
}

#[sqlx::test]
async fn the_member_cap_holds_on_adding_and_inviting(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, id) = invited(&app, &db, "acme").await;
    let root = root_id(&mut b).await;
    let set = |cap: Option<i32>, verified: bool| {
        let db = db.clone();
        async move {
            sqlx::query(
                "UPDATE organisations SET member_cap = $2,
                        verified_at = CASE WHEN $3 THEN now() END WHERE id = $1",
            )
            .bind(org)
            .bind(cap)
            .bind(verified)
            .execute(&db)
            .await
            .unwrap();
        }
    };
    // Not verified yet: 200 by default, said on the first page.
    let o = read(&mut b, "console_overview", &[]).await;
    assert_eq!(o.json["member_cap"], 200, "{}", o.text);
    // At the cap (the administrator and 李四): nobody more is added.
    set(Some(2), false).await;
    let refused = create_employee(&mut b, "王五", &[&root], &[("email", "wang@acme.test")]).await;
    assert_eq!(
        refused.field_code("member_cap"),
        Some("organisation.member_cap"),
        "{}",
        refused.text
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM accounts WHERE org_id = $1", org).await,
        2
    );
    // At it, those already in are still invited; past it (lowered), not.
    assert_eq!(b.call("invitation_send", &[("id", &id)]).await.status, 200);
    set(Some(1), false).await;
    let past = b.call("invitation_send", &[("id", &id)]).await;
    assert_eq!(
        past.field_code("member_cap"),
        Some("organisation.member_cap")
    );
    // No cap (0), or verified with the default: room again.
    set(Some(0), false).await;
    let added = create_employee(&mut b, "王五", &[&root], &[("email", "wang@acme.test")]).await;
    assert_eq!(added.status, 200, "{}", added.text);
    set(None, true).await;
    let o = read(&mut b, "console_overview", &[]).await;
    assert!(o.json["member_cap"].is_null());
    let added = create_employee(&mut b, "赵六", &[&root], &[("email", "zhao@acme.test")]).await;
    assert_eq!(added.status, 200, "{}", added.text);
}
