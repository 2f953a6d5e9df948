//! Imports at the edges: files far past the limits are refused without
//! being held, a department removed between the dry run and the run stops
//! the run, and a run cut off halfway leaves nothing and can run again.
use super::{ALL, job, job_id, upload};
use crate::contacts::{admin, create_department, root_id, version};
use crate::helpers::{count, spawn_app};
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test]
async fn files_far_past_the_limits_are_refused(db: PgPool) {
    // The limits as shipped: 10 MiB and 100,000 rows.
    let app = spawn_app(db.clone()).await;
    let (b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let refused = |code: &str| format!("/admin/contacts/import?error={code}");
    // One more row than a spreadsheet holds, in 4 MiB.
    let rows = "姓名,部门\n".to_owned() + &"a,b\n".repeat(1_048_577);
    assert_eq!(
        upload(&b, "rows.csv", rows.into_bytes(), ALL).await,
        refused("import.too_many_rows")
    );
    // 200 MB: refused once 10 MiB have arrived.
    assert_eq!(
        upload(&b, "huge.csv", vec![b'a'; 200 << 20], ALL).await,
        refused("import.file_too_large")
    );
    // A workbook of a few hundred kilobytes that unpacks to 300 MiB.
    let bomb = {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..300 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    assert_eq!(
        upload(&b, "bomb.xlsx", bomb, ALL).await,
        refused("import.unpacked_too_large")
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
}

#[sqlx::test]
async fn a_department_removed_after_the_dry_run_stops_the_run(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    let root = root_id(&mut b).await;
    let market = create_department(&mut b, &root, "市场部").await;
    let file = "姓名,手机,部门\n张三,13800000001,总公司/市场部\n";
    let options = [("update_existing", "on")];
    let id = job_id(&upload(&b, "a.csv", file.as_bytes().to_vec(), &options).await);
    assert_eq!(job(&mut b, &id).await["counts"]["create"], 1);
    let v = version(&mut b, &market).await;
    assert_eq!(b.delete_department(&market, &v).await.status, 200);
    let a = super::run(&app, &mut b, &id, "").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let j = job(&mut b, &id).await;
    assert_eq!(
        (j["status"].as_str(), j["error_code"].as_str()),
        (Some("failed"), Some("import.changed"))
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND name = '张三'",
            org
        )
        .await,
        0
    );
    // Checked again, the row names a department that is gone.
    let a = b
        .call(
            "import_recheck",
            &[("id", &id), ("update_existing", "true")],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let rows = crate::contacts::read(&mut b, "import_rows", &[("id", &id)]).await;
    assert_eq!(
        rows.json["rows"][0]["errors"][0]["code"], "employee.department_unknown",
        "{}",
        rows.text
    );
}

#[sqlx::test]
async fn a_run_cut_off_halfway_leaves_nothing_and_runs_again(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "总公司", "admin@acme.test").await;
    sqlx::query("UPDATE organisations SET member_cap = 0 WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    let people = || {
        count(
            &db,
            "SELECT count(*) FROM accounts WHERE org_id = $1 AND kind = 'member'",
            org,
        )
    };
    let departments = || {
        count(
            &db,
            "SELECT count(*) FROM departments WHERE org_id = $1",
            org,
        )
    };
    let (before, before_departments) = (people().await, departments().await);
    const ROWS: usize = 20_000;
    let mut file = String::from("姓名,手机,部门\n");
    for i in 0..ROWS {
        file.push_str(&format!("员工{i},138{i:08},总公司/部门{}\n", i % 50));
    }
    let id = job_id(&upload(&b, "many.csv", file.into_bytes(), ALL).await);
    assert_eq!(job(&mut b, &id).await["counts"]["create"], ROWS);
    let a = b.call("import_run", &[("id", &id)]).await;
    assert_eq!(a.status, 200, "{}", a.text);

    // The server stops while the run is writing: its work is dropped where
    // it stands, as when the process dies.
    let state = app.state().clone();
    let running = tokio::spawn(async move { orgdesk::imports::run::run_pending(&state).await });
    let job_uuid: uuid::Uuid = id.parse().unwrap();
    let progress = || async {
        sqlx::query_as::<_, (String, i32)>(
            "SELECT status, rows_done FROM import_jobs WHERE id = $1",
        )
        .bind(job_uuid)
        .fetch_one(&db)
        .await
        .unwrap()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, done) = progress().await;
        assert!(
            status == "queued" || status == "running",
            "the run ended ({status}) before it could be cut off"
        );
        if done > 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    running.abort();
    let _ = running.await;
    assert_eq!(people().await, before, "nothing half-written");
    assert_eq!(departments().await, before_departments);
    // Left running, as a dead server leaves it, until another instance sees
    // its heartbeat stop.
    assert_eq!(progress().await.0, "running");
    assert_eq!(orgdesk::imports::repo::reap(&db, 0).await.unwrap(), 1);
    let j = job(&mut b, &id).await;
    assert_eq!(
        (j["status"].as_str(), j["error_code"].as_str()),
        (Some("failed"), Some("import.interrupted"))
    );
    // Run again, it does all of it.
    let a = super::run(&app, &mut b, &id, "").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(job(&mut b, &id).await["status"], "done");
    assert_eq!(people().await, before + ROWS as i64);
    assert_eq!(departments().await, before_departments + 50);
}
