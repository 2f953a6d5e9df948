//! Invitations over HTTP: sending with a new employee, the link moving into
//! the session, activation by code and password (once, however many try),
//! revoking and resending, dead links asking for a new one, and the lines
//! between organisations; the member's home (`home`), the console's first
//! page and the member cap (`console`) and the join link (`link`) in their own files.
mod console;
mod home;
mod link;
use crate::contacts::{admin, create_employee, read, root_id};
use crate::helpers::{Browser, TestApp, count, queued_codes, queued_messages, spawn_app};
use sqlx::PgPool;
use uuid::Uuid;

const NEW_PASSWORD: &str = "copper-meadow-sparrow-71";

/// The links queued for `recipient`, oldest first.
async fn links(db: &PgPool, recipient: &str) -> Vec<String> {
    queued_messages(db, recipient, Some("invitation"))
        .await
        .into_iter()
        .filter_map(|t| match t {
            orgdesk::notify::Template::Invitation { path, .. } => Some(path),
            _ => None,
        })
        .collect()
}

/// A new browser holding `link` (opened, so it moved into its session).
async fn holder<'a>(app: &'a TestApp, link: &str) -> Browser<'a> {
    let mut p = Browser::new(app);
    let res = p.get(link).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/join");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    p
}

async fn state(p: &mut Browser<'_>) -> serde_json::Value {
    let a = read(p, "join_state", &[]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

/// An organisation's admin and a new employee added with an invitation.
async fn invited<'a>(app: &'a TestApp, db: &PgPool, org: &str) -> (Browser<'a>, Uuid, String) {
    let (mut b, org_id) = admin(app, db, org, &format!("admin@{org}.test")).await;
    let root = root_id(&mut b).await;
    let email = format!("li.si@{org}.test");
    let a = create_employee(
        &mut b,
        "李四",
        &[&root],
        &[
            ("email", &email),
            ("mobile", "13800138111"),
            ("invite", "on"),
        ],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.json.as_str().unwrap().to_owned();
    (b, org_id, id)
}

#[sqlx::test]
async fn an_invited_employee_joins_by_the_link_once_and_lands_at_home(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, id) = invited(&app, &db, "acme").await;
    // One message by each channel, each with its own link.
    let by_mail = links(&db, "li.si@acme.test").await;
    let by_sms = links(&db, "+8613800138111").await;
    assert_eq!((by_mail.len(), by_sms.len()), (1, 1));
    assert!(by_mail[0].starts_with("/join/") && by_mail[0].len() == 6 + 43);
    // Only hashes are kept.
    let token = by_mail[0].trim_start_matches("/join/");
    assert_eq!(
        count(&db, "SELECT count(*) FROM invitation_tokens t JOIN invitations i ON i.id = t.invitation_id WHERE i.org_id = $1", org).await,
        1
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM invitation_tokens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes());

    let info = read(&mut b, "invitation_of", &[("id", &id)]).await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.json["latest"]["state"], "open");
    assert_eq!(
        info.json["latest"]["deliveries"].as_array().unwrap().len(),
        2
    );
    assert_eq!(info.json["latest"]["invited_by"], "admin");

    let mut p = holder(&app, &by_sms[0]).await;
    let v = state(&mut p).await;
    assert_eq!(v["Open"]["name"], "李四", "{v}");
    assert_eq!(v["Open"]["organisation"], "acme");
    assert_eq!(v["Open"]["channels"].as_array().unwrap().len(), 2);
    // The addresses are shown in part only.
    assert!(!v.to_string().contains("li.si@acme.test"));

    let sent = p.call("join_send_code", &[("channel", "email")]).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let code = queued_codes(&db, "li.si@acme.test").await.pop().unwrap();
    let wrong = p
        .call(
            "join_activate",
            &[
                ("channel", "email"),
                ("code", "000000"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.field_code("code").is_some());
    let weak = p
        .call(
            "join_activate",
            &[
                ("channel", "email"),
                ("code", &code),
                ("new_password", "short"),
            ],
        )
        .await;
    assert!(weak.field_code("new_password").is_some(), "{}", weak.text);
    let done = p
        .call(
            "join_activate",
            &[
                ("channel", "email"),
                ("code", &code),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json["path"], "/me");
    assert_eq!(
        count(&db, "SELECT count(*) FROM accounts WHERE org_id = $1 AND status = 'active' AND name = '李四'", org).await,
        1
    );
    // Signed in: the home opens, the console sends them home.
    let home = read(&mut p, "me_home", &[]).await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert_eq!(home.json["profile"]["name"], "李四");
    assert_eq!(home.json["administrator"], false);
    let console = p.get("/admin/contacts").await;
    assert_eq!(console.status(), 303);
    assert_eq!(console.headers()["location"], "/me");

    // Every link of the invitation is used up now, in any browser.
    for link in [&by_mail[0], &by_sms[0]] {
        let mut q = holder(&app, link).await;
        assert_eq!(state(&mut q).await["Dead"]["reason"], "used");
        let again = q.call("join_send_code", &[("channel", "email")]).await;
        assert_eq!(
            again.field_code("link"),
            Some("invitation.used"),
            "{}",
            again.text
        );
    }
    let info = read(&mut b, "invitation_of", &[("id", &id)]).await;
    assert_eq!(info.json["latest"]["state"], "accepted");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'member.activated'",
            org
        )
        .await,
        1
    );
    // They sign in with the password they chose.
    let mut again = Browser::new(&app);
    let signed = again
        .sign_in("member", "li.si@acme.test", NEW_PASSWORD)
        .await;
    assert_eq!(signed.json["path"], "/me", "{}", signed.text);
}

#[sqlx::test]
async fn fifty_parallel_activations_of_one_link_activate_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (_b, org, _) = invited(&app, &db, "acme").await;
    let link = links(&db, "li.si@acme.test").await.remove(0);
    let mut p = holder(&app, &link).await;
    assert_eq!(
        p.call("join_send_code", &[("channel", "sms")]).await.status,
        200
    );
    let code = queued_codes(&db, "+8613800138111").await.pop().unwrap();
    let session = p.session.clone();
    let tries = (0..50).map(|_| {
        let mut b = Browser::new(&app);
        b.session = session.clone();
        let code = code.clone();
        async move {
            b.call(
                "join_activate",
                &[
                    ("channel", "sms"),
                    ("code", &code),
                    ("new_password", NEW_PASSWORD),
                ],
            )
            .await
        }
    });
    let answers = futures::future::join_all(tries).await;
    let won = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(
        won,
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|a| a.status == 200 || a.status >= 400));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM invitations WHERE org_id = $1 AND accepted_at IS NOT NULL",
            org
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'member.activated'",
            org
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn a_revoked_or_replaced_link_is_refused_even_after_its_page_loaded(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, id) = invited(&app, &db, "acme").await;
    let first = links(&db, "li.si@acme.test").await.remove(0);
    let mut p = holder(&app, &first).await;
    assert!(state(&mut p).await.get("Open").is_some());
    assert_eq!(
        p.call("join_send_code", &[("channel", "email")])
            .await
            .status,
        200
    );
    let code = queued_codes(&db, "li.si@acme.test").await.pop().unwrap();

    // An administrator who may invite only elsewhere is not told of this person.
    let root = root_id(&mut b).await;
    let elsewhere = crate::contacts::create_department(&mut b, &root, "华南区").await;
    let scoped = crate::helpers::seed_member(&db, org, "employee", "scoped@acme.test", "x").await;
    crate::helpers::seed_admin_group(
        &db,
        org,
        "华南邀请",
        &["members.invite"],
        "departments",
        &[elsewhere.parse().unwrap()],
        &[scoped],
    )
    .await;
    let wide = crate::helpers::seed_member(&db, org, "employee", "wide@acme.test", "x").await;
    crate::helpers::seed_admin_group(
        &db,
        org,
        "全员邀请",
        &["members.invite"],
        "organisation",
        &[],
        &[wide],
    )
    .await;
    let revoked = b.call("invitation_revoke", &[("id", &id)]).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let late = p
        .call(
            "join_activate",
            &[
                ("channel", "email"),
                ("code", &code),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        late.field_code("link"),
        Some("invitation.dead"),
        "{}",
        late.text
    );
    assert_eq!(state(&mut p).await["Dead"]["reason"], "revoked");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND status = 'not_activated'",
            org
        )
        .await,
        1
    );
    // Nothing left to revoke.
    let twice = b.call("invitation_revoke", &[("id", &id)]).await;
    assert_eq!(twice.field_code("invitation"), Some("invitation.none_open"));

    // The holder asks for a new link: the administrators are told, once a day.
    let asked = p.call("join_ask_new_link", &[]).await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(p.call("join_ask_new_link", &[]).await.status, 200);
    let told = queued_messages(&db, "admin@acme.test", Some("invitation_renewal")).await;
    assert_eq!(told.len(), 1);
    assert_eq!(
        queued_messages(&db, "wide@acme.test", Some("invitation_renewal"))
            .await
            .len(),
        1
    );
    assert!(
        queued_messages(&db, "scoped@acme.test", Some("invitation_renewal"))
            .await
            .is_empty()
    );
    // A link nobody issued is not kept (no session row for a stranger) and tells no one.
    let mut stranger = holder(&app, &format!("/join/{}", "A".repeat(43))).await;
    assert!(stranger.session.is_none());
    assert_eq!(state(&mut stranger).await, "NoLink");
    assert_eq!(stranger.call("join_ask_new_link", &[]).await.status, 200);
    assert_eq!(
        queued_messages(&db, "admin@acme.test", Some("invitation_renewal"))
            .await
            .len(),
        1
    );

    // A new link works; sending it again ends the one before.
    let sent = b
        .call("invitation_send", &[("id", &id), ("channels[]", "email")])
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let second = links(&db, "li.si@acme.test").await.pop().unwrap();
    assert_eq!(links(&db, "+8613800138111").await.len(), 1, "email only");
    let mut q = holder(&app, &second).await;
    assert!(state(&mut q).await.get("Open").is_some());
    assert_eq!(b.call("invitation_send", &[("id", &id)]).await.status, 200);
    assert_eq!(state(&mut q).await["Dead"]["reason"], "revoked");
}

#[sqlx::test]
async fn an_expired_link_says_so_and_cannot_send_codes(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (_b, _org, _) = invited(&app, &db, "acme").await;
    let link = links(&db, "li.si@acme.test").await.remove(0);
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    let mut p = holder(&app, &link).await;
    assert_eq!(state(&mut p).await["Dead"]["reason"], "expired");
    let refused = p.call("join_send_code", &[("channel", "email")]).await;
    assert_eq!(refused.field_code("link"), Some("invitation.expired"));
    assert!(queued_codes(&db, "li.si@acme.test").await.is_empty());
    // No link in the session at all.
    let mut nobody = Browser::new(&app);
    assert_eq!(state(&mut nobody).await, "NoLink");
}

#[sqlx::test]
async fn invitations_stay_inside_the_organisation_and_the_inviters_scope(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut a, _org_a, person) = invited(&app, &db, "acme").await;
    let (mut other, _) = admin(&app, &db, "globex", "admin@globex.test").await;
    for (endpoint, form) in [
        ("invitation_send", vec![("id", person.as_str())]),
        ("invitation_revoke", vec![("id", person.as_str())]),
    ] {
        let refused = other.call(endpoint, &form).await;
        assert_eq!(refused.status, 404, "{endpoint}: {}", refused.text);
    }
    assert_eq!(
        read(&mut other, "invitation_of", &[("id", &person)])
            .await
            .status,
        404
    );
    // In bulk, someone of another organisation reads as unknown, someone
    // who joined is named with the reason, and the rest go out.
    let root = root_id(&mut a).await;
    let wang = create_employee(&mut a, "王五", &[&root], &[("email", "wang@acme.test")]).await;
    let wang = wang.json.as_str().unwrap().to_owned();
    let joined: String =
        sqlx::query_scalar("SELECT id::text FROM accounts WHERE email = 'admin@acme.test'")
            .fetch_one(&db)
            .await
            .unwrap();
    let stranger: String =
        sqlx::query_scalar("SELECT id::text FROM accounts WHERE email = 'admin@globex.test'")
            .fetch_one(&db)
            .await
            .unwrap();
    let bulk = a
        .call(
            "invitation_bulk",
            &[
                ("ids[]", &wang),
                ("ids[]", &joined),
                ("ids[]", &stranger),
                ("ids[]", &person),
            ],
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    assert_eq!(bulk.json["invited"], 1);
    let reasons: Vec<&str> = bulk.json["not_invited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reason"].as_str().unwrap())
        .collect();
    // 李四's link from when they were added is still on its way: not sent twice.
    assert_eq!(
        reasons,
        [
            "invitation.already_joined",
            "not_found",
            "invitation.already_open"
        ]
    );
    assert_eq!(links(&db, "wang@acme.test").await.len(), 1);
    assert_eq!(links(&db, "li.si@acme.test").await.len(), 1);
    // The console lists those not joined yet, at the top and below it.
    for department in ["", root.as_str()] {
        let waiting = read(
            &mut a,
            "contacts_members",
            &[("department", department), ("status", "not_activated")],
        )
        .await;
        assert_eq!(waiting.status, 200, "{}", waiting.text);
        let names: Vec<&str> = waiting.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["李四", "王五"], "{department:?}");
        assert_eq!(waiting.json["total"], 2);
    }
    // A whole department: everyone not activated below it, once their
    // links have died.
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    let all = a.call("invitation_bulk", &[("department", &root)]).await;
    assert_eq!(all.json["invited"], 2, "{}", all.text);
    assert_eq!(links(&db, "wang@acme.test").await.len(), 2);
    // Too many at once is refused before anything is looked up.
    let many: Vec<(&str, String)> = (0..1001)
        .map(|_| ("ids[]", Uuid::now_v7().to_string()))
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = a.call("invitation_bulk", &many).await;
    assert_eq!(
        refused.field_code("ids"),
        Some("invitation.too_many"),
        "{}",
        refused.text
    );
}

/// Activates the person holding `link` by the code sent to `channel` at `to`.
async fn activated<'a>(
    app: &'a TestApp,
    db: &PgPool,
    link: &str,
    channel: &str,
    to: &str,
) -> Browser<'a> {
    let mut p = holder(app, link).await;
    let sent = p.call("join_send_code", &[("channel", channel)]).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let code = queued_codes(db, to).await.pop().unwrap();
    let done = p
        .call(
            "join_activate",
            &[
                ("channel", channel),
                ("code", &code),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    p
}

#[sqlx::test]
async fn a_link_ended_by_a_new_address_or_a_disabling_stays_dead(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _org, id) = invited(&app, &db, "acme").await;
    let link = links(&db, "li.si@acme.test").await.remove(0);
    let root = root_id(&mut b).await;
    let version = |v: &serde_json::Value| v["version"].to_string();
    // The email changes and changes back: the link sent to it stays dead.
    for email in ["other@acme.test", "li.si@acme.test"] {
        let e = crate::contacts::employee(&mut b, &id).await;
        let saved = b
            .call(
                "employee_update",
                &[
                    ("id", &id),
                    ("version", &version(&e)),
                    ("name", "李四"),
                    ("email", email),
                    ("mobile", "13800138111"),
                    ("departments[]", &root),
                ],
            )
            .await;
        assert_eq!(saved.status, 200, "{}", saved.text);
    }
    let mut p = holder(&app, &link).await;
    assert_eq!(state(&mut p).await["Dead"]["reason"], "revoked");
    // A new link; disabled and enabled again, it stays dead too.
    assert_eq!(b.call("invitation_send", &[("id", &id)]).await.status, 200);
    let second = links(&db, "li.si@acme.test").await.pop().unwrap();
    for status in ["disabled", "active"] {
        let e = crate::contacts::employee(&mut b, &id).await;
        let a = b.employee_status(&id, status, &version(&e)).await;
        assert_eq!(a.status, 200, "{status}: {}", a.text);
    }
    let mut q = holder(&app, &second).await;
    assert_eq!(state(&mut q).await["Dead"]["reason"], "revoked");
}

#[sqlx::test]
async fn an_administrator_who_may_not_invite_still_adds_people(db: PgPool) {
    use crate::helpers::seed_admin_group;
    let app = spawn_app(db.clone()).await;
    let (mut b, org, _) = invited(&app, &db, "acme").await;
    let root = root_id(&mut b).await;
    let clerk = crate::contacts::create_employee(
        &mut b,
        "文员",
        &[&root],
        &[("email", "clerk@acme.test"), ("invite", "on")],
    )
    .await;
    let clerk: Uuid = clerk.json.as_str().unwrap().parse().unwrap();
    seed_admin_group(
        &db,
        org,
        "通讯录",
        &["contacts.view", "contacts.manage"],
        "organisation",
        &[],
        &[clerk],
    )
    .await;
    let link = links(&db, "clerk@acme.test").await.remove(0);
    let mut c = activated(&app, &db, &link, "email", "clerk@acme.test").await;
    let added = create_employee(
        &mut c,
        "赵六",
        &[&root],
        &[("email", "zhao@acme.test"), ("invite", "on")],
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert!(links(&db, "zhao@acme.test").await.is_empty());
    let id = added.json.as_str().unwrap().to_owned();
    let v = read(&mut c, "invitation_of", &[("id", &id)]).await;
    assert_eq!(v.json["may_invite"], false, "{}", v.text);
    assert!(v.json["latest"].is_null());
    assert_eq!(c.call("invitation_send", &[("id", &id)]).await.status, 403);
}
