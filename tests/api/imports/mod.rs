//! Contacts import over HTTP: a file uploaded is checked row by row, the run
//! applies exactly that in one transaction, bad files are refused with a
//! reason, and an import belongs to its organisation only.
use crate::contacts::{admin, read};
use crate::helpers::{Browser, SESSION_COOKIE, TestApp, count, spawn_app, spawn_app_with};
use sqlx::PgPool;

mod limits;
use uuid::Uuid;

/// Uploads `bytes` as `name` with these form fields; the redirect's target.
pub(super) async fn upload(
    b: &Browser<'_>,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> String {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    let mut req = b
        .app
        .client
        .post(b.app.url("/admin/contacts/import/upload"))
        .multipart(form);
    if let Some(s) = &b.session {
        req = req.header("cookie", format!("{SESSION_COOKIE}={s}"));
    }
    let res = req.send().await.expect("upload");
    assert_eq!(res.status(), 303, "the upload answers with a redirect");
    res.headers()["location"].to_str().unwrap().to_owned()
}

pub(super) const ALL: &[(&str, &str)] = &[("create_departments", "on"), ("update_existing", "on")];

/// The import's id from where an upload sent the browser.
pub(super) fn job_id(location: &str) -> String {
    location
        .strip_prefix("/admin/contacts/import/")
        .unwrap_or_else(|| panic!("not an import: {location}"))
        .to_owned()
}

pub(super) async fn job(b: &mut Browser<'_>, id: &str) -> serde_json::Value {
    let a = read(b, "import_job", &[("id", id)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

pub(super) async fn run(
    app: &TestApp,
    b: &mut Browser<'_>,
    id: &str,
    confirm: &str,
) -> crate::helpers::Answer {
    let a = b
        .call("import_run", &[("id", id), ("confirm", confirm)])
        .await;
    if a.status == 200 {
        orgdesk::imports::run::run_pending(app.state()).await;
    }
    a
}

const FILE: &str = "手机 Mobile,Name,部门,账号,直属上级,备注\n\
13800000001,张三,总公司/市场部/华东区,zhangsan,,first\n\
13800000002,李四,总公司/市场部/华东区;总公司/研发部,lisi,zhangsan,\n\
12345,王五,总公司/市场部,wangwu,,bad mobile\n\
13800000004,赵六,总公司/研发部,wangwu,,same account ID as 王五\n\
\n\
13800000005,钱七,总公司,qianqi,,\n";

#[sqlx::test]
async fn a_file_is_checked_row_by_row_then_applied_at_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let people = || {
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND kind = 'member'",
            org,
        )
    };
    let before = people().await;
    let location = upload(&b, "people.csv", FILE.as_bytes().to_vec(), ALL).await;
    let id = job_id(&location);
    let j = job(&mut b, &id).await;
    assert_eq!(j["status"], "checked");
    assert_eq!(j["kind"], "csv");
    assert_eq!(j["encoding"], "utf8");
    assert_eq!(j["unknown_columns"], serde_json::json!(["备注"]));
    let c = &j["counts"];
    assert_eq!(
        (
            c["rows"].as_i64(),
            c["create"].as_i64(),
            c["error"].as_i64()
        ),
        (Some(5), Some(3), Some(2)),
        "{c}"
    );
    // 市场部, 市场部/华东区 and 研发部 would be made.
    assert_eq!(c["departments"], 3);
    // Nothing has changed yet.
    assert_eq!(people().await, before);

    let errors = read(&mut b, "import_rows", &[("id", &id), ("action", "error")]).await;
    let lines: Vec<i64> = errors.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![4, 5]);
    let row4 = &errors.json["rows"][0]["errors"][0];
    assert_eq!(
        (row4["column"].as_str(), row4["code"].as_str()),
        (Some("mobile"), Some("mobile.mainland"))
    );
    let dup = &errors.json["rows"][1]["errors"][0];
    assert_eq!(
        (dup["code"].as_str(), dup["detail"].as_str()),
        (Some("import.duplicate"), Some("4"))
    );

    // The rows with errors as a file to fix, the errors in words.
    let res = b
        .get(&format!("/admin/contacts/import/{id}/errors?format=csv"))
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "{text}");
    assert_eq!(text.lines().count(), 3, "a header and two rows: {text}");
    assert!(text.contains("王五") && text.contains("12345"), "{text}");

    let a = run(&app, &mut b, &id, "").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let j = job(&mut b, &id).await;
    assert_eq!(j["status"], "done", "{j}");
    assert_eq!(people().await, before + 3);
    // 张三 in 华东区, 李四 in 华东区 and 研发部 with 张三 as manager.
    let zhang: Uuid =
        sqlx::query_scalar("SELECT id FROM accounts WHERE org_id = $1 AND userid = 'zhangsan'")
            .bind(org)
            .fetch_one(&db)
            .await
            .unwrap();
    let li_manager: Uuid = sqlx::query_scalar(
        "SELECT m.manager_id FROM account_managers m JOIN accounts a ON a.id = m.account_id WHERE a.org_id = $1 AND a.userid = 'lisi'",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(li_manager, zhang);
    let east: i32 = sqlx::query_scalar(
        "SELECT headcount FROM departments WHERE org_id = $1 AND name = '华东区'",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(east, 2);
    let market: i32 = sqlx::query_scalar(
        "SELECT headcount FROM departments WHERE org_id = $1 AND name = '市场部'",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(market, 2, "the people below count in the parent");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'contacts.imported'",
            org
        )
        .await,
        1
    );
    // A run is not run twice.
    let again = b.call("import_run", &[("id", &id)]).await;
    assert_eq!(
        again.field_code("id"),
        Some("import.busy"),
        "{}",
        again.text
    );
}

#[sqlx::test]
async fn a_change_after_the_check_is_caught_by_the_run(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let file = "姓名,手机,部门\n张三,13800000001,总公司\n李四,13800000002,总公司\n";
    let id = job_id(&upload(&b, "a.csv", file.as_bytes().to_vec(), ALL).await);
    // Someone adds 李四 by hand meanwhile: the run would now update, not create.
    sqlx::query(
        "INSERT INTO accounts (id, kind, org_id, role, name, mobile, status) VALUES ($1, 'member', $2, 'employee', '李四', '+8613800000002', 'not_activated')",
    )
    .bind(Uuid::now_v7())
    .bind(org)
    .execute(&db)
    .await
    .unwrap();
    let before = count(&db, "SELECT count(*) FROM accounts WHERE org_id = $1", org).await;
    let a = run(&app, &mut b, &id, "").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let j = job(&mut b, &id).await;
    assert_eq!(
        (j["status"].as_str(), j["error_code"].as_str()),
        (Some("failed"), Some("import.changed"))
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM accounts WHERE org_id = $1", org).await,
        before,
        "nothing written"
    );
    // Checked again, it says so, and runs.
    let a = b
        .call(
            "import_recheck",
            &[
                ("id", &id),
                ("create_departments", "true"),
                ("update_existing", "true"),
            ],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let j = job(&mut b, &id).await;
    assert_eq!(
        (
            j["counts"]["create"].as_i64(),
            j["counts"]["update"].as_i64()
        ),
        (Some(1), Some(0)),
        "{j}"
    );
    assert_eq!(
        j["counts"]["move"], 1,
        "李四 joins the root department: {j}"
    );
    assert_eq!(run(&app, &mut b, &id, "").await.status, 200);
    assert_eq!(job(&mut b, &id).await["status"], "done");
}

#[sqlx::test]
async fn a_large_full_sync_asks_for_the_number(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    for i in 0..5 {
        sqlx::query(
            "INSERT INTO accounts (id, kind, org_id, role, name, mobile, status, main_department_id) SELECT $1, 'member', $2, 'employee', $3, $4, 'active', id FROM departments WHERE org_id = $2 AND parent_id IS NULL",
        )
        .bind(Uuid::now_v7())
        .bind(org)
        .bind(format!("员工{i}"))
        .bind(format!("+861380000010{i}"))
        .execute(&db)
        .await
        .unwrap();
    }
    let file = "姓名,手机,部门\n新人,13800000099,总公司\n";
    let id = job_id(
        &upload(
            &b,
            "sync.csv",
            file.as_bytes().to_vec(),
            &[("full_sync", "on")],
        )
        .await,
    );
    let j = job(&mut b, &id).await;
    assert_eq!(j["counts"]["disable"], 5, "{j}");
    assert_eq!(j["needs_confirmation"], true);
    let a = b.call("import_run", &[("id", &id)]).await;
    assert_eq!(a.field_code("confirm"), Some("import.confirm_sync"));
    let a = b.call("import_run", &[("id", &id), ("confirm", "4")]).await;
    assert_eq!(a.field_code("confirm"), Some("import.confirm_sync"));
    assert_eq!(run(&app, &mut b, &id, "5").await.status, 200);
    assert_eq!(job(&mut b, &id).await["status"], "done");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND status = 'disabled'",
            org
        )
        .await,
        5
    );
}

#[sqlx::test]
async fn bad_files_are_refused_with_a_reason(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[("IMPORT_MAX_ROWS", "3"), ("IMPORT_MAX_BYTES", "4096")],
    )
    .await;
    let (b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let refused = |code: &str| format!("/admin/contacts/import?error={code}");
    let png = [
        &[
            0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13,
        ][..],
        &[7u8; 200],
    ]
    .concat();
    assert_eq!(
        upload(&b, "people.csv", png, ALL).await,
        refused("import.file_type")
    );
    assert_eq!(
        upload(&b, "people.csv", Vec::new(), ALL).await,
        refused("import.empty")
    );
    assert_eq!(
        upload(&b, "people.csv", vec![b'a'; 5000], ALL).await,
        refused("import.file_too_large")
    );
    let rows = "姓名,部门\n".to_owned() + &"某人,总公司\n".repeat(4);
    assert_eq!(
        upload(&b, "people.csv", rows.into_bytes(), ALL).await,
        refused("import.too_many_rows")
    );
    assert_eq!(
        upload(
            &b,
            "people.csv",
            "姓名,手机\n张三,13800000001\n".as_bytes().to_vec(),
            ALL
        )
        .await,
        refused("import.missing_columns")
    );
    let (gbk, _, _) = encoding_rs::GBK.encode("李娜,总公司\n");
    let mixed = ["姓名,部门\n王伟,总公司\n".as_bytes(), &gbk].concat();
    assert_eq!(
        upload(&b, "people.csv", mixed, ALL).await,
        refused("import.mixed_encodings")
    );
    let xls = [
        &[0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
        &[0u8; 512],
    ]
    .concat();
    assert_eq!(
        upload(&b, "people.xls", xls, ALL).await,
        refused("import.old_excel")
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM import_jobs WHERE org_id = $1",
            org
        )
        .await,
        0
    );
    // GBK alone is read as such.
    let (gbk, _, _) = encoding_rs::GBK.encode("姓名,手机,部门\n王伟,13800000001,总公司\n");
    let location = upload(&b, "gbk.csv", gbk.into_owned(), ALL).await;
    assert!(
        location.starts_with("/admin/contacts/import/0"),
        "{location}"
    );
}

#[sqlx::test]
async fn an_import_is_its_organisations_only(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (a, _) = admin(&app, &db, "甲公司", "admin@a.test").await;
    let (mut other, _) = admin(&app, &db, "乙公司", "admin@b.test").await;
    let id = job_id(
        &upload(
            &a,
            "a.csv",
            "姓名,手机,部门\n张三,13800000001,甲公司\n"
                .as_bytes()
                .to_vec(),
            ALL,
        )
        .await,
    );
    assert_eq!(
        read(&mut other, "import_job", &[("id", &id)]).await.status,
        404
    );
    assert_eq!(
        read(&mut other, "import_rows", &[("id", &id)]).await.status,
        404
    );
    assert_eq!(other.call("import_run", &[("id", &id)]).await.status, 404);
    assert_eq!(
        other
            .get(&format!("/admin/contacts/import/{id}/errors"))
            .await
            .status(),
        404
    );
    // Another administrator of the same organisation neither: an import
    // runs with the rights of whoever uploaded it.
    let colleague_org: Uuid =
        sqlx::query_scalar("SELECT org_id FROM import_jobs WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&db)
            .await
            .unwrap();
    crate::helpers::seed_member(
        &db,
        colleague_org,
        "super_admin",
        "second@a.test",
        crate::contacts::PASSWORD,
    )
    .await;
    let mut colleague = Browser::new(&app);
    let signed = colleague
        .sign_in("member", "second@a.test", crate::contacts::PASSWORD)
        .await;
    assert_eq!(signed.json["stage"], "signed_in", "{}", signed.text);
    assert_eq!(
        read(&mut colleague, "import_job", &[("id", &id)])
            .await
            .status,
        404
    );
    assert_eq!(
        colleague.call("import_run", &[("id", &id)]).await.status,
        404
    );
    assert_eq!(
        read(&mut colleague, "import_recent", &[]).await.json,
        serde_json::json!([])
    );
    let recent = read(&mut other, "import_recent", &[]).await;
    assert_eq!(recent.json, serde_json::json!([]));
    // Nobody signed in gets anything: they are sent to sign in.
    let mut stranger = Browser::new(&app);
    let res = stranger
        .get("/admin/contacts/import/template?format=csv")
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[sqlx::test]
async fn an_export_imported_again_changes_nothing(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let file = "姓名,账号,手机,邮箱,部门,职位,性别,入职日期,直属上级,状态\n\
张三,zhangsan,13800000001,zs@acme.test,总公司/市场部/华东区;总公司/研发部,=经理,男,2024-03-01,,启用\n\
李四,lisi,+447911123456,,总公司/市场部,,女,,zhangsan,禁用\n";
    let id = job_id(&upload(&b, "a.csv", file.as_bytes().to_vec(), ALL).await);
    assert_eq!(job(&mut b, &id).await["counts"]["create"], 2);
    assert_eq!(run(&app, &mut b, &id, "").await.status, 200);
    for format in ["csv", "xlsx"] {
        let res = b
            .get(&format!("/admin/contacts/export?format={format}"))
            .await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap().to_vec();
        if format == "csv" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            // A formula is written as text; the number keeps its plus.
            assert!(
                text.contains("'=经理") && text.contains("'+447911123456"),
                "{text}"
            );
            assert!(
                text.contains("总公司/市场部/华东区;总公司/研发部"),
                "{text}"
            );
        }
        let again = job_id(&upload(&b, &format!("export.{format}"), bytes, ALL).await);
        let c = job(&mut b, &again).await["counts"].clone();
        assert_eq!(
            (
                c["rows"].as_i64(),
                c["unchanged"].as_i64(),
                c["error"].as_i64()
            ),
            (Some(3), Some(3), Some(0)),
            "{format}: {c}"
        );
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'contacts.exported'",
            org
        )
        .await,
        2
    );
}

#[sqlx::test]
async fn an_address_an_import_replaces_is_told(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let first = "姓名,账号,手机,邮箱,部门\n张三,zhangsan,13800000001,old@acme.test,总公司\n";
    let id = job_id(&upload(&b, "a.csv", first.as_bytes().to_vec(), ALL).await);
    assert_eq!(run(&app, &mut b, &id, "").await.status, 200);
    let told = |to: &'static str| crate::helpers::queued_messages(&db, to, Some("contact_changed"));
    assert!(told("old@acme.test").await.is_empty());
    let second = "姓名,账号,手机,邮箱,部门\n张三,zhangsan,13800000009,new@acme.test,总公司\n";
    let id = job_id(&upload(&b, "b.csv", second.as_bytes().to_vec(), ALL).await);
    assert_eq!(job(&mut b, &id).await["counts"]["update"], 1);
    assert_eq!(run(&app, &mut b, &id, "").await.status, 200);
    assert_eq!(job(&mut b, &id).await["status"], "done");
    assert_eq!(told("old@acme.test").await.len(), 1);
    assert_eq!(told("+8613800000001").await.len(), 1);
    assert!(told("new@acme.test").await.is_empty());
}
