//! Search and the members list: pinyin, subtrees, paging, and headcounts across a seeded organisation.
use super::*;
use crate::helpers::{Browser, count, spawn_app};
use sqlx::PgPool;
use uuid::Uuid;

pub(super) async fn li_department(b: &mut Browser<'_>, id: &str) -> String {
    employee(b, id).await["departments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[sqlx::test]
pub(super) async fn search_finds_names_pinyin_and_addresses_within_the_subtree(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (mut b, _) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let market = create_department(&mut b, &root, "市场部").await;
    let east = create_department(&mut b, &market, "华东区").await;
    let finance = create_department(&mut b, &root, "财务部").await;
    for (name, dept, mobile, email, position) in [
        ("张三", &east, "13800138000", "zs@acme.test", "销售"),
        (
            "张珊珊",
            &finance,
            "13800138001",
            "shanshan@acme.test",
            "会计",
        ),
        (
            "Zoe Smith",
            &market,
            "13800138002",
            "zoe@acme.test",
            "Designer",
        ),
        ("李四", &east, "13900139000", "lisi@acme.test", "销售经理"),
    ] {
        let a = create_employee(
            &mut b,
            name,
            &[dept],
            &[("mobile", mobile), ("email", email), ("position", position)],
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
    }
    let find = |q: &'static str, dept: String| (q, dept);
    let cases = [
        (find("zhangsan", root.clone()), vec!["张三"]),
        // Initials match from their start: zs, zss.
        (
            find("zs", root.clone()),
            vec!["张三", "张珊珊", "Zoe Smith"],
        ),
        (find("zss", root.clone()), vec!["张珊珊"]),
        (find("zhang", root.clone()), vec!["张三", "张珊珊"]),
        (find("张", root.clone()), vec!["张三", "张珊珊"]),
        (find("zhang san", root.clone()), vec!["张三"]),
        (find("13900139000", root.clone()), vec!["李四"]),
        (find("SHANSHAN@", root.clone()), vec!["张珊珊"]),
        (find("lisi", root.clone()), vec!["李四"]),
        (find("销售", root.clone()), vec!["李四", "张三"]),
        (find("zhang", market.clone()), vec!["张三"]),
        (find("100%", root.clone()), vec![]),
    ];
    for ((q, dept), expected) in cases {
        let mut found = members(&mut b, &[("department", &dept), ("q", q)]).await;
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "search {q:?}");
    }
    // The department alone, without its sub-departments.
    assert_eq!(
        members(&mut b, &[("department", &market), ("direct", "true")]).await,
        ["Zoe Smith"]
    );
    let all = members(&mut b, &[("department", &market)]).await;
    assert_eq!(all.len(), 3, "{all:?}");
    // Pinyin order: li, zhang, zhang shan, zoe.
    assert_eq!(
        members(&mut b, &[("department", &root)]).await,
        ["boss", "李四", "张三", "张珊珊", "Zoe Smith"]
    );
}

/// The page of `contacts_members` as (names, total, page, pages).
pub(crate) async fn member_page(
    b: &mut Browser<'_>,
    query: &[(&str, &str)],
) -> (Vec<String>, i64, i64, i64) {
    let a = read(b, "contacts_members", query).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let names = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    let n = |k: &str| a.json[k].as_i64().unwrap();
    (names, n("total"), n("page"), n("pages"))
}

#[sqlx::test]
pub(super) async fn the_members_list_pages_a_subtree_in_pinyin_order_and_follows_changes(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let (mut b, org) = admin(&app, &db, "Acme", "boss@acme.test").await;
    let root = root_id(&mut b).await;
    let sales = create_department(&mut b, &root, "销售部").await;
    let north = create_department(&mut b, &sales, "华北区").await;
    let south = create_department(&mut b, &sales, "华南区").await;
    let other = create_department(&mut b, &root, "财务部").await;
    // 60 people below 销售部, every third one in both regions (counted
    // once), and one elsewhere.
    let mut ids = Vec::new();
    for i in 0..60 {
        let name = format!("Member {i:02}");
        let mobile = format!("1380013{i:04}");
        let departments: Vec<&str> = match i % 3 {
            0 => vec![north.as_str(), south.as_str()],
            1 => vec![north.as_str()],
            _ => vec![south.as_str()],
        };
        let a = create_employee(&mut b, &name, &departments, &[("mobile", &mobile)]).await;
        assert_eq!(a.status, 200, "{}", a.text);
        ids.push(a.json.as_str().unwrap().to_owned());
    }
    let a = create_employee(&mut b, "Outsider", &[&other], &[("mobile", "13900139000")]).await;
    assert_eq!(a.status, 200, "{}", a.text);

    let expected: Vec<String> = (0..60).map(|i| format!("Member {i:02}")).collect();
    let (first, total, page, pages) = member_page(&mut b, &[("department", &sales)]).await;
    assert_eq!((total, page, pages), (60, 1, 2));
    assert_eq!(first, expected[..50]);
    let (second, ..) = member_page(&mut b, &[("department", &sales), ("page", "2")]).await;
    assert_eq!(second, expected[50..]);
    // A page past the end shows the last one.
    let (last, _, page, _) = member_page(&mut b, &[("department", &sales), ("page", "9")]).await;
    assert_eq!((last.len(), page), (10, 2));
    // One region alone, and a region with its (empty) subtree.
    let (direct, total, ..) =
        member_page(&mut b, &[("department", &north), ("direct", "true")]).await;
    assert_eq!(total, 40);
    assert!(direct.iter().all(|n| {
        let i: usize = n[7..].parse().unwrap();
        i % 3 != 2
    }));
    assert_eq!(member_page(&mut b, &[("department", &south)]).await.1, 40);

    // A new name moves the person to their new place in the order.
    let v = employee(&mut b, &ids[0]).await["version"].to_string();
    let renamed = b
        .call(
            "employee_update",
            &[
                ("id", ids[0].as_str()),
                ("version", &v),
                ("name", "Aaron"),
                ("mobile", "13800130000"),
                ("departments[]", &north),
                ("departments[]", &south),
            ],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let (first, ..) = member_page(&mut b, &[("department", &sales)]).await;
    assert_eq!(first[0], "Aaron");
    assert_eq!(first[1], "Member 01");

    // Departed people leave the list and its count, and are listed apart.
    let v = employee(&mut b, &ids[1]).await["version"].to_string();
    let gone = b.employee_status(ids[1].as_str(), "departed", &v).await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    let (first, total, ..) = member_page(&mut b, &[("department", &sales)]).await;
    assert_eq!(total, 59);
    assert_eq!(&first[..2], ["Aaron", "Member 02"]);
    assert_eq!(headcount(&mut b, &sales).await, 59);
    let (departed, total, ..) =
        member_page(&mut b, &[("department", &sales), ("status", "departed")]).await;
    assert_eq!((departed, total), (vec!["Member 01".to_owned()], 1));
    assert_eq!(
        member_page(
            &mut b,
            &[
                ("department", &north),
                ("status", "all"),
                ("direct", "true")
            ]
        )
        .await
        .1,
        40
    );
    // A search within the subtree counts what it finds (mobiles 138001300 50–59).
    let (found, total, ..) = member_page(&mut b, &[("department", &sales), ("q", "0013005")]).await;
    assert_eq!(total, 10);
    assert_eq!(found[0], "Member 50");
    // The copies on the membership rows match their accounts.
    let stale: i64 = count(&db, "SELECT count(*) FROM department_members dm JOIN accounts a ON a.id = dm.account_id
         WHERE dm.org_id = $1 AND (dm.sort_key <> a.name_pinyin OR dm.is_current <> (a.status <> 'departed'))", org).await;
    assert_eq!(stale, 0);
    no_drift(&db, org).await;
}

#[sqlx::test]
pub(super) async fn moves_across_a_seeded_organisation_keep_every_headcount_exact(db: PgPool) {
    use orgdesk::contacts::{headcount, repo, seed};
    use rand::{Rng, SeedableRng, rngs::StdRng};
    let seeded = seed::seed(
        &db,
        &seed::SeedSpec {
            name: "Moves Co".into(),
            admin_email: "moves@orgdesk.example".into(),
            password_hash: String::new(),
            members: 800,
            departments: 160,
            rng_seed: 11,
        },
    )
    .await
    .unwrap();
    let org = seeded.org_id;
    // One person in six has left: still members of their departments, no
    // longer counted.
    let people: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE org_id = $1 AND kind = 'member' ORDER BY id",
    )
    .bind(org)
    .fetch_all(&db)
    .await
    .unwrap();
    let left: Vec<Uuid> = people.iter().step_by(6).copied().collect();
    let mut conn = db.acquire().await.unwrap();
    headcount::around(&mut conn, org, &left, async |c| {
        sqlx::query("UPDATE accounts SET status = 'departed' WHERE id = ANY($1)")
            .bind(&left)
            .execute(c)
            .await
            .map(|_| ())
    })
    .await
    .unwrap();
    drop(conn);
    no_drift(&db, org).await;

    let mut rng = StdRng::seed_from_u64(5);
    let (mut moved, mut refused) = (0, 0);
    for _ in 0..60 {
        let rows: Vec<(Uuid, Option<Uuid>, i32)> = sqlx::query_as(
            "SELECT id, parent_id, version FROM departments WHERE org_id = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&db)
        .await
        .unwrap();
        let (id, parent, version) = rows[rng.random_range(0..rows.len())];
        let target = rows[rng.random_range(0..rows.len())].0;
        if parent.is_none() {
            continue;
        }
        let mut tx = db.begin().await.unwrap();
        repo::lock(&mut tx, org, std::time::Duration::from_secs(5))
            .await
            .unwrap();
        match repo::move_to(&mut tx, org, id, target, version).await {
            Ok(_) => {
                tx.commit().await.unwrap();
                moved += 1;
                no_drift(&db, org).await;
            }
            // Into its own subtree, to the same parent, too deep, a name taken.
            Err(repo::ContactsError::Rule(..)) => refused += 1,
            Err(e) => panic!("moving {id} under {target}: {e:?}"),
        }
    }
    assert!(moved >= 20, "{moved} moves were made and {refused} refused");
    let paths_match_parents: bool = sqlx::query_scalar(
        "SELECT bool_and(d.path = p.path || d.id) FROM departments d
         JOIN departments p ON p.id = d.parent_id WHERE d.org_id = $1",
    )
    .bind(org)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(paths_match_parents);
}
