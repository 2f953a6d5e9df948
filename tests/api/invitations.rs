//! Invitations over HTTP: sending with a new employee, the link moving into
//! the session, activation by code and password (once, however many try),
//! revoking and resending, dead links asking for a new one, and the lines
//! between organisations.
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
async fn members_read_their_own_organisations_directory_with_hidden_contacts_unsearchable(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, _) = invited(&app, &db, "acme").await;
    let root = root_id(&mut b).await;
    let wang = create_employee(&mut b, "王五", &[&root], &[("mobile", "13900139222")]).await;
    let wang = wang.json.as_str().unwrap().to_owned();
    let link = links(&db, "li.si@acme.test").await.remove(0);
    let mut p = activated(&app, &db, &link, "email", "li.si@acme.test").await;

    let found = read(&mut p, "directory", &[("q", "wangwu")]).await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json["people"]["total"], 1);
    assert_eq!(found.json["people"]["items"][0]["mobile"], "+8613900139222");
    let by_digits = read(&mut p, "directory", &[("q", "139001")]).await;
    assert_eq!(by_digits.json["people"]["total"], 1);
    let card = read(&mut p, "directory_person", &[("id", &wang)]).await;
    assert_eq!(card.json["name"], "王五", "{}", card.text);

    // Hidden from members: not shown, and not found by its digits either.
    sqlx::query("UPDATE organisations SET directory_hides_contacts = true WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    let hidden = read(&mut p, "directory", &[("q", "wangwu")]).await;
    assert!(hidden.json["people"]["items"][0]["mobile"].is_null());
    let by_digits = read(&mut p, "directory", &[("q", "wangwu 139001")]).await;
    assert_eq!(
        by_digits.json["people"]["total"], 1,
        "digits are not searched"
    );
    let by_digits = read(&mut p, "directory", &[("q", "139001")]).await;
    assert!(!by_digits.text.contains("13900139222"));
    let card = read(&mut p, "directory_person", &[("id", &wang)]).await;
    assert!(card.json["mobile"].is_null());
    assert_eq!(card.json["contacts_hidden"], true);

    // A disabled colleague has no card; another organisation's people are not there.
    let e = crate::contacts::employee(&mut b, &wang).await;
    let off = b
        .employee_status(&wang, "disabled", &e["version"].to_string())
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(
        read(&mut p, "directory_person", &[("id", &wang)])
            .await
            .status,
        404
    );
    let gone = read(&mut p, "directory", &[("q", "wangwu")]).await;
    assert_eq!(gone.json["people"]["total"], 0, "{}", gone.text);
    let (mut other, _) = admin(&app, &db, "globex", "admin@globex.test").await;
    let theirs = read(&mut other, "directory_person", &[("id", &wang)]).await;
    assert_eq!(theirs.status, 404);
    let their_root = root_id(&mut other).await;
    assert_eq!(
        read(&mut p, "directory", &[("department", &their_root)])
            .await
            .status,
        404
    );
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

#[sqlx::test]
async fn a_member_changes_their_own_mobile_by_proving_the_new_one(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, id) = invited(&app, &db, "acme").await;
    let root = root_id(&mut b).await;
    create_employee(&mut b, "王五", &[&root], &[("mobile", "13900139222")]).await;
    let link = links(&db, "li.si@acme.test").await.remove(0);
    let mut p = activated(&app, &db, &link, "email", "li.si@acme.test").await;
    let mut elsewhere = Browser::new(&app);
    let signed = elsewhere
        .sign_in("member", "li.si@acme.test", NEW_PASSWORD)
        .await;
    assert_eq!(signed.status, 200, "{}", signed.text);

    let bad = p
        .call(
            "me_contact_code",
            &[("field", "mobile"), ("value", "12345")],
        )
        .await;
    assert!(bad.field_code("value").is_some(), "{}", bad.text);
    let sent = p
        .call(
            "me_contact_code",
            &[("field", "mobile"), ("value", "13800138999")],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let code = queued_codes(&db, "+8613800138999").await.pop().unwrap();
    let refused = p
        .call(
            "me_contact_change",
            &[
                ("field", "mobile"),
                ("value", "13800138999"),
                ("confirmation", "000000"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(
        refused.field_code("confirmation").is_some(),
        "{}",
        refused.text
    );
    let unsigned = p
        .call(
            "me_contact_change",
            &[
                ("field", "mobile"),
                ("value", "13800138999"),
                ("confirmation", &code),
            ],
        )
        .await;
    assert!(
        unsigned.field_code("password").is_some(),
        "{}",
        unsigned.text
    );
    let done = p
        .call(
            "me_contact_change",
            &[
                ("field", "mobile"),
                ("value", "13800138999"),
                ("confirmation", &code),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let mobile: String = sqlx::query_scalar("SELECT mobile FROM accounts WHERE id = $1::uuid")
        .bind(&id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(mobile, "+8613800138999");
    // The old number is told; this session carries on, the other one ended.
    assert_eq!(
        queued_messages(&db, "+8613800138111", Some("contact_changed"))
            .await
            .len(),
        1
    );
    assert_eq!(read(&mut p, "me_home", &[]).await.status, 200);
    assert_eq!(read(&mut elsewhere, "me_home", &[]).await.status, 401);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'employee.updated'",
            org
        )
        .await,
        1
    );

    // A number someone else of the organisation has is refused, after the proof.
    assert_eq!(
        p.call(
            "me_contact_code",
            &[("field", "mobile"), ("value", "13900139222")]
        )
        .await
        .status,
        200
    );
    let code = queued_codes(&db, "+8613900139222").await.pop().unwrap();
    let taken = p
        .call(
            "me_contact_change",
            &[
                ("field", "mobile"),
                ("value", "13900139222"),
                ("confirmation", &code),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        taken.field_code("value"),
        Some("employee.mobile_taken"),
        "{}",
        taken.text
    );
}

/// The organisation's join link, made by its administrator: (path, token).
async fn join_link(b: &mut Browser<'_>) -> String {
    let made = b.call("join_link_rotate", &[]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let v = read(b, "join_link_state", &[]).await;
    assert_eq!(v.status, 200, "{}", v.text);
    let url = v.json["url"].as_str().unwrap().to_owned();
    assert!(v.json["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let path = url::Url::parse(&url).unwrap().path().to_owned();
    assert!(path.starts_with("/join/org/"), "{path}");
    path
}

/// A stranger's browser holding the join link at `path`.
async fn asker<'a>(app: &'a TestApp, path: &str) -> Browser<'a> {
    let mut s = Browser::new(app);
    let res = s.get(path).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/join/request");
    s
}

/// Asks to join as `name` with `mobile` (11 digits), proving it.
async fn ask(s: &mut Browser<'_>, db: &PgPool, name: &str, mobile: &str) -> crate::helpers::Answer {
    let sent = s.call("join_request_code", &[("mobile", mobile)]).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let code = queued_codes(db, &format!("+86{mobile}"))
        .await
        .pop()
        .unwrap();
    let email = format!("{mobile}@ask.test");
    s.call(
        "join_request_submit",
        &[
            ("name", name),
            ("mobile", mobile),
            ("code", &code),
            ("email", &email),
            ("department", "市场部"),
        ],
    )
    .await
}

#[sqlx::test]
async fn a_request_through_the_join_link_is_approved_into_an_invited_employee(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org, _) = invited(&app, &db, "acme").await;
    let root = root_id(&mut b).await;
    let path = join_link(&mut b).await;
    let mut s = asker(&app, &path).await;
    let v = read(&mut s, "join_request_state", &[]).await;
    assert_eq!(v.json["Open"]["organisation"], "acme", "{}", v.text);

    let wrong = s
        .call(
            "join_request_submit",
            &[
                ("name", "赵六"),
                ("mobile", "13700137001"),
                ("code", "000000"),
            ],
        )
        .await;
    assert!(wrong.field_code("code").is_some(), "{}", wrong.text);
    let asked = ask(&mut s, &db, "赵六", "13700137001").await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    // Someone already in the organisation asks too: the same answer; the
    // administrators see a duplicate.
    let mut again = asker(&app, &path).await;
    let dup = ask(&mut again, &db, "李四", "13800138111").await;
    assert_eq!(
        (dup.status, dup.text.as_str()),
        (asked.status, asked.text.as_str())
    );

    let list = read(&mut b, "join_requests", &[]).await;
    assert_eq!(list.json["total"], 2, "{}", list.text);
    let items = list.json["items"].as_array().unwrap().clone();
    let zhao = items.iter().find(|r| r["name"] == "赵六").unwrap();
    let li = items.iter().find(|r| r["name"] == "李四").unwrap();
    assert_eq!(
        (zhao["duplicate"].as_bool(), li["duplicate"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(zhao["department"], "市场部");
    assert_eq!(
        read(&mut b, "console_overview", &[]).await.json["pending_join_requests"],
        2
    );

    // Approved into a department: an employee not joined yet, invited by SMS.
    let zhao_id = zhao["id"].as_str().unwrap().to_owned();
    let approved = b
        .call(
            "join_request_approve",
            &[("id", &zhao_id), ("departments[]", &root)],
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(
        count(&db, "SELECT count(*) FROM accounts WHERE org_id = $1 AND mobile = '+8613700137001' AND status = 'not_activated'", org).await,
        1
    );
    assert_eq!(links(&db, "+8613700137001").await.len(), 1);
    // The email was never proven: not the employee's, and nothing goes there.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND email = '13700137001@ask.test'",
            org
        )
        .await,
        0
    );
    assert!(links(&db, "13700137001@ask.test").await.is_empty());
    let twice = b
        .call(
            "join_request_approve",
            &[("id", &zhao_id), ("departments[]", &root)],
        )
        .await;
    assert_eq!(twice.field_code("id"), Some("join_request.decided"));

    // The duplicate is rejected with a reason, told by SMS.
    let li_id = li["id"].as_str().unwrap().to_owned();
    let no_reason = b
        .call("join_request_reject", &[("id", &li_id), ("reason", " ")])
        .await;
    assert_eq!(no_reason.field_code("reason"), Some("validation.required"));
    let rejected = b
        .call(
            "join_request_reject",
            &[("id", &li_id), ("reason", "已在通讯录中")],
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    let told = queued_messages(&db, "+8613800138111", Some("join_request_rejected")).await;
    assert_eq!(told.len(), 1);
    let decided = read(&mut b, "join_requests", &[("status", "decided")]).await;
    assert_eq!(decided.json["total"], 2);

    // A new link kills the old one, printed posters included.
    let fresh = join_link(&mut b).await;
    assert_ne!(fresh, path);
    let mut late = asker(&app, &path).await;
    assert_eq!(
        read(&mut late, "join_request_state", &[]).await.json,
        "NoLink"
    );
    // One who held the old link and opens another that does not work holds none.
    let mut held = asker(&app, &fresh).await;
    assert!(
        read(&mut held, "join_request_state", &[])
            .await
            .json
            .get("Open")
            .is_some()
    );
    let _ = held.get(&path).await;
    assert_eq!(
        read(&mut held, "join_request_state", &[]).await.json,
        "NoLink"
    );
    let refused = s
        .call("join_request_code", &[("mobile", "13700137002")])
        .await;
    assert_eq!(
        refused.field_code("link"),
        Some("join_link.dead"),
        "{}",
        refused.text
    );
    // Switched off in the security policy, or past its 7 days: dead too.
    let mut current = asker(&app, &fresh).await;
    sqlx::query("UPDATE join_links SET expires_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        read(&mut current, "join_request_state", &[]).await.json,
        "Dead"
    );
    assert_eq!(b.call("join_link_renew", &[]).await.status, 200);
    assert!(
        read(&mut current, "join_request_state", &[])
            .await
            .json
            .get("Open")
            .is_some()
    );
    sqlx::query("UPDATE organisations SET join_link = 'off' WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        read(&mut current, "join_request_state", &[]).await.json,
        "Dead"
    );

    // Another organisation's administrator sees none of it.
    let (mut other, _) = admin(&app, &db, "globex", "admin@globex.test").await;
    assert_eq!(
        read(&mut other, "join_requests", &[("status", "decided")])
            .await
            .json["total"],
        0
    );
    let theirs = other
        .call("join_request_reject", &[("id", &li_id), ("reason", "x")])
        .await;
    assert_eq!(theirs.status, 404, "{}", theirs.text);
    // The QR code downloads for the administrator only.
    let png = b.get("/admin/contacts/join/qr.png").await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..4], b"\x89PNG");
    let stranger = Browser::new(&app).get("/admin/contacts/join/qr.png").await;
    assert!(stranger.status().is_redirection(), "{}", stranger.status());
}
