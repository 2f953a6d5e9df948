//! The audit log as a tool: filters, keyset paging, export, the hash chain
//! and retention.
use super::{branches, person, signed_in};
use crate::helpers::{Browser, TestApp, spawn_app};
use orgdesk::audit::chain;
use sqlx::PgPool;
use std::collections::HashSet;
use uuid::Uuid;

/// One page of the organisation's audit log through the API.
async fn audit(b: &mut Browser<'_>, form: &[(&str, &str)]) -> crate::helpers::Answer {
    b.call("admin_audit", form).await
}

fn actions(page: &crate::helpers::Answer) -> Vec<String> {
    page.json["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries: {}", page.text))
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Writes `n` rows for `org` at `at` (an SQL expression), as the server would.
async fn rows_at(db: &PgPool, org: Option<Uuid>, n: i32, at: &str, details: &str) {
    sqlx::query(&format!(
        "INSERT INTO audit_log (org_id, actor_kind, action, target_type, target_id, at, details)
         SELECT $1, 'system', 'security.settings_changed', 'organisation', $1::text, {at}, $3::jsonb
           FROM generate_series(1, $2)"
    ))
    .bind(org)
    .bind(n)
    .bind(details)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test]
async fn the_log_filters_by_actor_action_target_and_date_and_pages_by_keyset(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut br = branches(&app, &db).await;
    let lei = person(&mut br.boss, &db, "李雷", "lei@example.com", &[&br.south]).await;
    // Another organisation's rows never show, whatever is asked.
    let (_, other) = crate::contacts::admin(&app, &db, "别家公司", "other@example.com").await;
    rows_at(&db, Some(other), 3, "now()", "{}").await;

    let all = audit(&mut br.boss, &[]).await;
    assert_eq!(all.status, 200, "{}", all.text);

    let created = audit(&mut br.boss, &[("action", "department.created")]).await;
    assert_eq!(
        actions(&created),
        vec!["department.created"; 3],
        "{}",
        created.text
    );

    // By the person who acted: any word the contacts search knows.
    for words in ["boss@example", "Boss"] {
        let by = audit(&mut br.boss, &[("actor", words)]).await;
        let entries = by.json["entries"].as_array().unwrap();
        assert!(!entries.is_empty(), "{words}: {}", by.text);
        assert!(
            entries
                .iter()
                .all(|e| e["actor_name"] == all.json["entries"][0]["actor_name"])
        );
    }
    let nobody = audit(&mut br.boss, &[("actor", "nobody-at-all")]).await;
    assert_eq!(actions(&nobody), Vec::<String>::new());
    let lei_acted = audit(&mut br.boss, &[("actor", "李雷")]).await;
    assert!(actions(&lei_acted).is_empty(), "{}", lei_acted.text);

    // By what was acted on, named as it is today.
    let east = audit(&mut br.boss, &[("target", "华东")]).await;
    let entries = east.json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", east.text);
    assert_eq!(entries[0]["target_name"], "华东区");
    // A word several share: each one's rows, merged newest first.
    let branches_ = audit(
        &mut br.boss,
        &[("target", "区"), ("action", "department.created")],
    )
    .await;
    let mut names: Vec<String> = branches_.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["华东区", "华南区"], "{}", branches_.text);
    let everyone = audit(
        &mut br.boss,
        &[("actor", "example.com"), ("action", "department.created")],
    )
    .await;
    assert_eq!(actions(&everyone).len(), 3, "{}", everyone.text);
    let by_id = audit(&mut br.boss, &[("target", &lei.to_string())]).await;
    assert!(
        actions(&by_id).contains(&"employee.created".to_owned()),
        "{}",
        by_id.text
    );
    assert!(
        actions(&by_id).iter().all(|a| a.starts_with("employee.")),
        "{}",
        by_id.text
    );
    let theirs = audit(&mut br.boss, &[("target", &other.to_string())]).await;
    assert!(actions(&theirs).is_empty(), "{}", theirs.text);

    // By day, in the organisation's zone (Asia/Shanghai): 23:30 on the
    // 14th in Shanghai is the 14th, whatever UTC says.
    rows_at(
        &db,
        Some(br.org),
        1,
        "'2026-01-14 23:30+08'",
        r#"{"day":"14"}"#,
    )
    .await;
    rows_at(
        &db,
        Some(br.org),
        1,
        "'2026-01-15 00:30+08'",
        r#"{"day":"15"}"#,
    )
    .await;
    let day = audit(
        &mut br.boss,
        &[("from", "2026-01-14"), ("to", "2026-01-14")],
    )
    .await;
    let entries = day.json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", day.text);
    assert!(entries[0]["details"].as_str().unwrap().contains("\"14\""));
    let since = audit(
        &mut br.boss,
        &[
            ("from", "2026-01-15"),
            ("action", "security.settings_changed"),
        ],
    )
    .await;
    assert_eq!(
        since.json["entries"].as_array().unwrap().len(),
        1,
        "{}",
        since.text
    );

    // What is wrong is named, with what to do.
    for (form, field, code) in [
        (vec![("from", "15/01/2026")], "from", "audit.date_format"),
        (
            vec![("from", "2026-02-01"), ("to", "2026-01-01")],
            "to",
            "audit.date_order",
        ),
        (
            vec![("action", "no.such_action")],
            "action",
            "validation.choice",
        ),
    ] {
        let a = audit(&mut br.boss, &form).await;
        assert_eq!(a.status, 422, "{form:?}: {}", a.text);
        assert_eq!(a.field_code(field), Some(code), "{}", a.text);
    }
    let long = "x".repeat(101);
    let a = audit(&mut br.boss, &[("target", &long)]).await;
    assert_eq!(a.field_code("target"), Some("validation.too_long"));

    // 120 rows written in one instant page by (time, id) without a row lost
    // or shown twice.
    rows_at(&db, Some(br.org), 120, "'2026-03-01 12:00+08'", "{}").await;
    let form = [("from", "2026-03-01"), ("to", "2026-03-01")];
    let (mut seen, mut before, mut pages) = (HashSet::new(), None::<String>, 0);
    loop {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        if let Some(b) = &before {
            f.push(("before", b));
        }
        let page = audit(&mut br.boss, &f).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for e in page.json["entries"].as_array().unwrap() {
            assert!(seen.insert(e["id"].as_i64().unwrap()), "shown twice: {e}");
        }
        pages += 1;
        match page.json["next_before"].as_str() {
            Some(next) => before = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (120, 3));

    // A member without the permission, and a delegated administrator of a
    // branch, read nothing.
    person(&mut br.boss, &db, "韩梅梅", "mei@example.com", &[&br.east]).await;
    let mut mei = signed_in(&app, "mei@example.com").await;
    assert_eq!(audit(&mut mei, &[]).await.status, 403);
}

/// The bytes of an export, with its status and content type.
async fn export(b: &mut Browser<'_>, path: &str) -> (u16, String, Vec<u8>) {
    let res = b.get(path).await;
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

#[sqlx::test]
async fn exports_hold_the_filtered_rows_with_formulas_neutralised_and_are_recorded(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut br = branches(&app, &db).await;
    // A browser's user agent is the client's to write: a formula there
    // must reach the spreadsheet as text.
    rows_at(&db, Some(br.org), 2, "now()", r#"{"position":"+1 calc"}"#).await;
    sqlx::query(
        "INSERT INTO audit_log (org_id, actor_kind, action, target_type, target_id, user_agent, details)
         VALUES ($1, 'anonymous', 'sign_in.failed', 'account', '-2+3', $2, '{}')",
    )
    .bind(br.org)
    .bind("=HYPERLINK(\"http://evil.example\",\"x\")")
    .execute(&db)
    .await
    .unwrap();
    let (status, kind, body) = export(
        &mut br.boss,
        "/admin/audit/export?format=csv&action=security.settings_changed",
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // Only the filtered action, and no cell that a spreadsheet would evaluate.
    assert!(!text.contains("department.created"), "{text}");
    for line in &lines {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula left in {line}"
            );
        }
    }
    assert!(!text.contains("HYPERLINK"), "{text}");
    let failed = export(
        &mut br.boss,
        "/admin/audit/export?format=csv&action=sign_in.failed",
    )
    .await;
    let text = String::from_utf8(failed.2).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    for line in text.lines() {
        for cell in line.split(',') {
            assert!(
                !cell
                    .trim_start_matches('"')
                    .starts_with(['=', '+', '-', '@']),
                "{line}"
            );
        }
    }

    let (status, kind, body) = export(&mut br.boss, "/admin/audit/export?format=xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert_eq!(&body[..2], b"PK");

    let recorded: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE org_id = $1 AND action = 'audit.exported' ORDER BY id",
    )
    .bind(br.org)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[0]["rows"], 2);
    assert_eq!(recorded[0]["format"], "csv");

    // A filter that is wrong says so; a format not offered is refused.
    let (status, _, _) = export(&mut br.boss, "/admin/audit/export?format=pdf").await;
    assert_eq!(status, 422);
    let (status, _, body) = export(&mut br.boss, "/admin/audit/export?from=yesterday").await;
    assert_eq!(status, 422);
    // Followed as a link, the refusal says what to do, in both languages.
    let said = String::from_utf8(body).unwrap();
    assert!(
        said.contains("YYYY-MM-DD") && said.contains("日期"),
        "{said}"
    );

    // Nobody else gets the file: a member, a stranger, an operator.
    person(&mut br.boss, &db, "韩梅梅", "mei@example.com", &[&br.east]).await;
    let mut mei = signed_in(&app, "mei@example.com").await;
    // A member who administers nothing has no console: sent to their home.
    let (status, _, _) = export(&mut mei, "/admin/audit/export?format=csv").await;
    assert_eq!(status, 303);
    let mut stranger = Browser::new(&app);
    let res = stranger.get("/admin/audit/export?format=csv").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let (status, _, _) = export(&mut mei, "/operator/audit/export?format=csv").await;
    assert!(status == 403 || (300..400).contains(&status), "{status}");
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_log WHERE action = 'audit.exported'"
        )
        .fetch_one(&db)
        .await
        .unwrap(),
        3
    );
}

/// Runs `orgdesk audit verify` against the test's database.
async fn verify_command(db: &PgPool, args: &[&str]) -> (bool, String) {
    let o = db.connect_options();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap()
    );
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_orgdesk"))
        .args(["audit", "verify"])
        .args(args)
        .env("DATABASE_URL", url)
        .env("DATA_DIR", std::env::temp_dir().join("orgdesk-verify"))
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Changes the log behind the trigger's back, as someone with the
/// database's keys could.
async fn tamper(db: &PgPool, sql: &str, org: Uuid) {
    let mut tx = db.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(sql).bind(org).execute(&mut *tx).await.unwrap();
    sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_or_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test]
async fn the_chain_names_the_first_row_deleted_or_altered(db: PgPool) {
    let app: TestApp = spawn_app(db.clone()).await;
    let mut br = branches(&app, &db).await;
    let orgs = [
        br.org,
        crate::helpers::seed_organisation(&db, "乙公司").await,
        crate::helpers::seed_organisation(&db, "丙公司").await,
    ];
    for org in orgs {
        rows_at(&db, Some(org), 30, "now()", "{}").await;
    }
    rows_at(&db, None, 5, "now()", "{}").await;
    assert!(chain::seal_once(&db).await.unwrap() >= 95);
    // Rows written later join the same chains.
    let _ = audit(&mut br.boss, &[]).await;
    rows_at(&db, Some(br.org), 3, "now()", "{}").await;
    chain::seal_once(&db).await.unwrap();
    for org in orgs {
        let v = chain::verify(&db, Some(org)).await.unwrap();
        assert_eq!(v.broken, None, "{v:?}");
        assert_eq!(v.unsealed, 0);
        assert_eq!(v.rows as i64, v.head_seq);
    }
    let (ok, out) = verify_command(&db, &[]).await;
    assert!(ok, "{out}");
    assert!(out.contains("platform: intact"), "{out}");

    // The log refuses changes made the ordinary way, sealed or not.
    for sql in [
        "UPDATE audit_log SET details = '{}' WHERE org_id = $1",
        "DELETE FROM audit_log WHERE org_id = $1",
        "UPDATE audit_log SET seq = seq + 1000 WHERE org_id = $1",
    ] {
        let refused = sqlx::query(sql).bind(br.org).execute(&db).await;
        assert!(refused.is_err(), "{sql} was allowed");
    }

    // Altered: the row's own hash no longer matches.
    let (_, b, c) = (orgs[0], orgs[1], orgs[2]);
    let altered: i64 = sqlx::query_scalar("SELECT id FROM audit_log WHERE org_id = $1 AND seq = 7")
        .bind(b)
        .fetch_one(&db)
        .await
        .unwrap();
    tamper(
        &db,
        "UPDATE audit_log SET details = '{\"forged\":true}' WHERE org_id = $1 AND seq = 7",
        b,
    )
    .await;
    let v = chain::verify(&db, Some(b)).await.unwrap();
    assert_eq!(
        v.broken,
        Some(chain::Break::Altered {
            seq: 7,
            id: altered
        })
    );
    assert_eq!(v.rows, 6);

    // Deleted, in the middle and at the end.
    tamper(
        &db,
        "DELETE FROM audit_log WHERE org_id = $1 AND seq IN (12, 13)",
        c,
    )
    .await;
    let v = chain::verify(&db, Some(c)).await.unwrap();
    assert_eq!(v.broken, Some(chain::Break::Missing { from: 12, to: 13 }));
    tamper(&db, "DELETE FROM audit_log WHERE org_id = $1 AND seq = (SELECT max(seq) FROM audit_log WHERE org_id = $1)", br.org).await;
    let v = chain::verify(&db, Some(br.org)).await.unwrap();
    assert!(
        matches!(v.broken, Some(chain::Break::Missing { from, to }) if from == to && to == v.head_seq),
        "{v:?}"
    );

    // The chain's record moves only forward; one set back (behind the
    // trigger) leaves rows past its head, which verify names.
    let rolled = sqlx::query("UPDATE audit_chains SET last_seq = 5 WHERE org_id = $1")
        .bind(c)
        .execute(&db)
        .await;
    assert!(rolled.is_err());
    let d = crate::helpers::seed_organisation(&db, "丁公司").await;
    rows_at(&db, Some(d), 4, "now()", "{}").await;
    chain::seal_once(&db).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_chains DISABLE TRIGGER audit_chains_forward_only")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_chains WHERE org_id = $1")
        .bind(d)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_chains ENABLE TRIGGER audit_chains_forward_only")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let v = chain::verify(&db, Some(d)).await.unwrap();
    assert_eq!(v.broken, Some(chain::Break::BeyondHead { seq: 1, head: 0 }));
    // A hash wiped is named, not a crash.
    tamper(
        &db,
        "UPDATE audit_log SET hash = NULL WHERE org_id = $1 AND seq = 2",
        d,
    )
    .await;
    assert!(chain::verify(&db, Some(d)).await.unwrap().broken.is_some());
    // Sealing goes on for the other chains.
    rows_at(&db, Some(br.org), 2, "now()", "{}").await;
    rows_at(&db, Some(d), 2, "now()", "{}").await;
    chain::seal_once(&db).await.unwrap();
    assert_eq!(chain::verify(&db, Some(br.org)).await.unwrap().unsealed, 0);

    let (ok, out) = verify_command(&db, &["--org", &b.to_string()]).await;
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("audit id {altered}")), "{out}");
    assert!(!out.contains(&c.to_string()), "{out}");
    let (ok, out) = verify_command(&db, &[]).await;
    assert!(!ok);
    assert!(
        out.contains("rows 12 to 13 of the chain are missing"),
        "{out}"
    );
}

#[sqlx::test]
async fn retention_prunes_old_rows_and_the_chain_still_holds(db: PgPool) {
    let org = crate::helpers::seed_organisation(&db, "甲公司").await;
    rows_at(
        &db,
        Some(org),
        40,
        "now() - interval '400 days'",
        r#"{"old":true}"#,
    )
    .await;
    rows_at(
        &db,
        Some(org),
        20,
        "now() - interval '200 days'",
        r#"{"old":"less"}"#,
    )
    .await;
    rows_at(&db, Some(org), 10, "now() - interval '1 day'", "{}").await;
    rows_at(&db, None, 5, "now() - interval '400 days'", "{}").await;
    rows_at(&db, None, 5, "now()", "{}").await;
    chain::seal_once(&db).await.unwrap();
    let count = |o: Option<Uuid>| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM audit_log WHERE org_id IS NOT DISTINCT FROM $1",
            )
            .bind(o)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let before = count(Some(org)).await;

    // The default, 180 days, for the organisation; 365 for the platform.
    assert_eq!(chain::prune(&db, 365).await.unwrap(), 65);
    assert_eq!(count(Some(org)).await, before - 60);
    assert_eq!(count(None).await, 5);
    for o in [Some(org), None] {
        let v = chain::verify(&db, o).await.unwrap();
        assert_eq!(v.broken, None, "{v:?}");
    }
    assert_eq!(chain::verify(&db, Some(org)).await.unwrap().pruned, 60);

    // Longer retention keeps more; it is the organisation's own.
    rows_at(&db, Some(org), 5, "now() - interval '300 days'", "{}").await;
    sqlx::query("UPDATE organisations SET audit_retention_days = 365 WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    chain::seal_once(&db).await.unwrap();
    assert_eq!(chain::prune(&db, 365).await.unwrap(), 0);
    assert_eq!(chain::verify(&db, Some(org)).await.unwrap().broken, None);

    // A shorter retention set in the last 30 days waits behind the longer.
    sqlx::query(
        "UPDATE organisations SET audit_retention_days = 180, audit_retention_held_days = 365,
                audit_retention_held_until = now() + interval '30 days' WHERE id = $1",
    )
    .bind(org)
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(chain::prune(&db, 365).await.unwrap(), 0);

    // A row altered before its time came is not pruned away unseen: the
    // chain stays as it is, and verify names the row.
    let other = crate::helpers::seed_organisation(&db, "乙公司").await;
    rows_at(&db, Some(other), 6, "now() - interval '400 days'", "{}").await;
    chain::seal_once(&db).await.unwrap();
    tamper(
        &db,
        "UPDATE audit_log SET details = '{\"forged\":1}' WHERE org_id = $1 AND seq = 3",
        other,
    )
    .await;
    assert_eq!(chain::prune(&db, 365).await.unwrap(), 0);
    assert!(matches!(
        chain::verify(&db, Some(other)).await.unwrap().broken,
        Some(chain::Break::Altered { seq: 3, .. })
    ));

    // Pruning is the retention job's alone, and only of sealed rows past
    // the least retention.
    let mut tx = db.begin().await.unwrap();
    sqlx::query("SET LOCAL orgdesk.audit_prune = 'on'")
        .execute(&mut *tx)
        .await
        .unwrap();
    let young =
        sqlx::query("DELETE FROM audit_log WHERE org_id = $1 AND at > now() - interval '30 days'")
            .bind(org)
            .execute(&mut *tx)
            .await;
    assert!(young.is_err());
    drop(tx);
    assert!(
        sqlx::query("TRUNCATE audit_log")
            .execute(&db)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE org_id = $1")
            .bind(org)
            .execute(&db)
            .await
            .is_err()
    );
}
