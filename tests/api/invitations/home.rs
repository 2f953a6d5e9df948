//! The member's home: the directory and their own mobile.
use super::*;

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
