//! `orgdesk seed --members N --departments M`: a realistic organisation for
//! trying the console at scale and for the contacts benchmark. A tree 8-15
//! levels deep with Chinese and English names, members in one to three
//! departments, a head per department and managers from the heads.
//!
//! The super administrator signs in with the email and the password given on
//! standard input; the organisation does not enforce two factors, so a
//! benchmark can sign in with a password alone. Never use it for real data.
//!
//! `orgdesk seed --csv FILE` writes the same people as a contacts import
//! file in the template's columns instead (the import benchmark's input).
use super::pinyin::search_keys;
use super::{MAX_DEPTH, headcount};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use uuid::Uuid;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "晨", "浩", "宇", "欣", "婷", "俊", "子涵", "雨轩",
    "思远", "嘉怡", "一鸣", "梓萱",
];
const FIRST: &[&str] = &[
    "Alice", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack", "Lucy",
    "Mark", "Nina", "Oscar", "Paul", "Rose", "Sam", "Tina", "Victor", "Zoe",
];
const LAST: &[&str] = &[
    "Smith", "Brown", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young", "King", "Wright",
];
const UNITS: &[&str] = &[
    "总经办",
    "财务部",
    "人力资源部",
    "市场部",
    "销售部",
    "研发中心",
    "产品部",
    "客服中心",
    "法务部",
    "采购部",
    "华东区",
    "华南区",
    "华北区",
    "西南区",
    "Sales",
    "Engineering",
    "Operations",
    "Marketing",
    "Support",
    "Platform",
    "Design",
    "Research",
    "Logistics",
    "Quality",
];
const POSITIONS: &[&str] = &[
    "工程师",
    "高级工程师",
    "经理",
    "专员",
    "主管",
    "总监",
    "Designer",
    "Analyst",
    "会计",
    "销售代表",
];

/// What to create.
pub struct SeedSpec {
    pub name: String,
    pub admin_email: String,
    pub password_hash: String,
    pub members: usize,
    pub departments: usize,
    pub rng_seed: u64,
}

/// What was created, for the command's output.
pub struct Seeded {
    pub org_id: Uuid,
    pub departments: usize,
    pub members: usize,
    pub max_depth: usize,
    /// A department about halfway down with a few thousand people below it,
    /// for benchmarks: (id, depth, headcount).
    pub mid_level: (Uuid, usize, i32),
}

struct Member {
    id: Uuid,
    name: String,
    userid: String,
    mobile: String,
    email: String,
    position: Option<String>,
    pinyin: String,
    initials: String,
    main: Uuid,
}

struct Dept {
    id: Uuid,
    parent: Option<usize>,
    depth: usize,
    path: Vec<Uuid>,
    children: usize,
}

/// The tree, its names, the people and their extra departments, drawn from
/// `rng_seed`: the same every time for the same numbers.
struct Generated {
    tree: Vec<Dept>,
    names: Vec<String>,
    /// Each department's sort order among its siblings.
    orders: Vec<i32>,
    members: Vec<Member>,
    /// Departments besides the main one: (member index, department).
    extra: Vec<(usize, Uuid)>,
}

fn generate(spec: &SeedSpec, root: Uuid) -> Generated {
    let mut rng = StdRng::seed_from_u64(spec.rng_seed);
    let departments = spec.departments.clamp(1, super::MAX_DEPARTMENTS as usize);
    // The tree: a few wide top levels, then chains that reach 8-15 levels.
    let mut tree = vec![Dept {
        id: root,
        parent: None,
        depth: 1,
        path: vec![root],
        children: 0,
    }];
    while tree.len() < departments {
        let n = tree.len();
        let parent = if n < 40 {
            rng.random_range(0..n.min(8))
        } else if rng.random_bool(0.55) {
            // Recent departments: grows chains downwards.
            rng.random_range(n.saturating_sub(30)..n)
        } else {
            rng.random_range(0..n)
        };
        if tree[parent].depth >= MAX_DEPTH {
            continue;
        }
        let id = Uuid::now_v7();
        let mut path = tree[parent].path.clone();
        path.push(id);
        tree[parent].children += 1;
        let depth = tree[parent].depth + 1;
        tree.push(Dept {
            id,
            parent: Some(parent),
            depth,
            path,
            children: 0,
        });
    }
    let mut sibling_no = vec![0usize; tree.len()];
    let mut names = Vec::with_capacity(tree.len());
    let mut orders = Vec::with_capacity(tree.len());
    for d in &tree {
        let name = match d.parent {
            None => super::rules::root_name(&spec.name),
            Some(p) => {
                sibling_no[p] += 1;
                let unit = UNITS[rng.random_range(0..UNITS.len())];
                format!("{unit} {}", sibling_no[p])
            }
        };
        names.push(name);
        orders.push(d.parent.map_or(0, |p| sibling_no[p] as i32));
    }

    // Members: mostly in leaf-ish departments, one in ten in a second or third.
    let mut members: Vec<Member> = Vec::with_capacity(spec.members + 1);
    let leaves: Vec<usize> = (0..tree.len())
        .filter(|i| tree[*i].children == 0 || rng.random_bool(0.3))
        .collect();
    for i in 0..spec.members {
        let name = if rng.random_bool(0.8) {
            format!(
                "{}{}",
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                GIVEN[rng.random_range(0..GIVEN.len())]
            )
        } else {
            format!(
                "{} {}",
                FIRST[rng.random_range(0..FIRST.len())],
                LAST[rng.random_range(0..LAST.len())]
            )
        };
        let id = Uuid::now_v7();
        let main = tree[leaves[rng.random_range(0..leaves.len())]].id;
        let (pinyin, initials) = search_keys(&name);
        members.push(Member {
            id,
            name,
            userid: format!("u{i}"),
            mobile: format!("+86138{:08}", i),
            email: format!("u{i}@seed.example"),
            position: Some(POSITIONS[rng.random_range(0..POSITIONS.len())].to_owned()),
            pinyin,
            initials,
            main,
        });
    }
    let mut extra = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if rng.random_bool(0.1) {
            for _ in 0..rng.random_range(1..=2) {
                let d = tree[leaves[rng.random_range(0..leaves.len())]].id;
                if d != m.main && !extra.iter().rev().take(2).any(|e| *e == (i, d)) {
                    extra.push((i, d));
                }
            }
        }
    }
    Generated {
        tree,
        names,
        orders,
        members,
        extra,
    }
}

/// Writes the people `spec` describes as an import file (UTF-8 CSV with a
/// byte-order mark, the template's columns): departments as paths from the
/// top, the main one first; each person's manager the first person of their
/// main department. Returns the number of rows.
pub fn write_csv(spec: &SeedSpec, out: impl std::io::Write) -> std::io::Result<usize> {
    use crate::imports::Column;
    use std::collections::HashMap;
    let g = generate(spec, Uuid::now_v7());
    let name_of: HashMap<Uuid, &str> = g
        .tree
        .iter()
        .zip(&g.names)
        .map(|(d, n)| (d.id, n.as_str()))
        .collect();
    let path_of: HashMap<Uuid, String> = g
        .tree
        .iter()
        .map(|d| {
            let names: Vec<&str> = d.path.iter().map(|id| name_of[id]).collect();
            (d.id, names.join("/"))
        })
        .collect();
    let mut extra: HashMap<usize, Vec<Uuid>> = HashMap::new();
    for (i, d) in &g.extra {
        extra.entry(*i).or_default().push(*d);
    }
    let mut head: HashMap<Uuid, usize> = HashMap::new();
    for (i, m) in g.members.iter().enumerate() {
        head.entry(m.main).or_insert(i);
        for d in extra.get(&i).into_iter().flatten() {
            head.entry(*d).or_insert(i);
        }
    }
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(Column::ALL.iter().map(|c| c.header()))?;
    for (i, m) in g.members.iter().enumerate() {
        let departments: Vec<&str> = std::iter::once(&m.main)
            .chain(extra.get(&i).into_iter().flatten())
            .map(|d| path_of[d].as_str())
            .collect();
        let manager = head
            .get(&m.main)
            .filter(|h| **h != i)
            .map(|h| g.members[*h].userid.as_str())
            .unwrap_or("");
        let row = Column::ALL.map(|c| match c {
            Column::Name => m.name.as_str(),
            Column::Userid => m.userid.as_str(),
            Column::Mobile => m.mobile.trim_start_matches("+86"),
            Column::Email => m.email.as_str(),
            Column::Departments => "",
            Column::Position => m.position.as_deref().unwrap_or(""),
            Column::Manager => manager,
            Column::Status => "启用",
            _ => "",
        });
        let departments = departments.join(";");
        csv.write_record(row.iter().zip(Column::ALL).map(|(cell, c)| {
            if c == Column::Departments {
                departments.as_str()
            } else {
                cell
            }
        }))?;
    }
    csv.flush()?;
    Ok(g.members.len())
}

/// Creates the organisation in one transaction.
pub async fn seed(
    db: &PgPool,
    spec: &SeedSpec,
) -> Result<Seeded, Box<dyn std::error::Error + Send + Sync>> {
    let mut tx = db.begin().await?;
    let created = crate::organisations::create(
        &mut tx,
        &crate::organisations::NewOrganisation {
            name: &spec.name,
            enforce_two_factor: Some(false),
            ..Default::default()
        },
    )
    .await?;
    let org_id = created.id;
    let root = created.root;
    let Generated {
        tree,
        names,
        orders,
        members: mut member_rows,
        extra,
    } = generate(spec, root);
    let paths: Vec<String> = tree
        .iter()
        .map(|d| {
            format!(
                "{{{}}}",
                d.path
                    .iter()
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    let ids: Vec<Uuid> = tree.iter().map(|d| d.id).collect();
    let parents: Vec<Option<Uuid>> = tree.iter().map(|d| d.parent.map(|p| tree[p].id)).collect();
    // Parents come before children, so each chunk's parents already exist;
    // the root is there already.
    for chunk in (1..tree.len()).collect::<Vec<_>>().chunks(5000) {
        let (a, b) = (chunk[0], chunk[chunk.len() - 1] + 1);
        sqlx::query(
            r#"INSERT INTO departments (id, org_id, parent_id, name, sort_order, path)
               SELECT id, $1, parent, name, ord, path::uuid[]
               FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int4[], $6::text[])
                 AS x(id, parent, name, ord, path)"#,
        )
        .bind(org_id)
        .bind(&ids[a..b])
        .bind(&parents[a..b])
        .bind(&names[a..b])
        .bind(&orders[a..b])
        .bind(&paths[a..b])
        .execute(&mut *tx)
        .await?;
    }

    let admin_id = Uuid::now_v7();
    let (pinyin, initials) = search_keys("Seed Admin");
    member_rows.push(Member {
        id: admin_id,
        name: "Seed Admin".into(),
        userid: "admin".into(),
        mobile: "+8613900000000".into(),
        email: spec.admin_email.clone(),
        position: None,
        pinyin,
        initials,
        main: root,
    });
    for chunk in member_rows.chunks(5000) {
        let col = |f: fn(&Member) -> String| chunk.iter().map(f).collect::<Vec<String>>();
        let ids: Vec<Uuid> = chunk.iter().map(|m| m.id).collect();
        let mains: Vec<Uuid> = chunk.iter().map(|m| m.main).collect();
        let positions: Vec<Option<String>> = chunk.iter().map(|m| m.position.clone()).collect();
        sqlx::query(
            r#"INSERT INTO accounts (id, kind, org_id, role, name, userid, mobile, email, position,
                                     name_pinyin, name_initials, main_department_id, status)
               SELECT id, 'member', $1, CASE WHEN userid = 'admin' THEN 'super_admin' ELSE 'employee' END,
                      name, userid, mobile, email, position, py, ini, main,
                      CASE WHEN userid = 'admin' THEN 'active' ELSE 'not_activated' END
               FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                           $8::text[], $9::text[], $10::uuid[])
                 AS x(id, name, userid, mobile, email, position, py, ini, main)"#,
        )
        .bind(org_id)
        .bind(&ids)
        .bind(col(|m| m.name.clone()))
        .bind(col(|m| m.userid.clone()))
        .bind(col(|m| m.mobile.clone()))
        .bind(col(|m| m.email.clone()))
        .bind(&positions)
        .bind(col(|m| m.pinyin.clone()))
        .bind(col(|m| m.initials.clone()))
        .bind(&mains)
        .execute(&mut *tx)
        .await?;
    }
    crate::organisations::set_creator(&mut tx, org_id, admin_id).await?;
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, password_changed_at = now() WHERE id = $1",
    )
    .bind(admin_id)
    .bind(&spec.password_hash)
    .execute(&mut *tx)
    .await?;

    // Memberships: the main department, and sometimes one or two more.
    let mut links: (Vec<Uuid>, Vec<Uuid>) = Default::default();
    for r in &member_rows {
        links.0.push(r.main);
        links.1.push(r.id);
    }
    for (i, d) in &extra {
        links.0.push(*d);
        links.1.push(member_rows[*i].id);
    }
    for (d, a) in links.0.chunks(20000).zip(links.1.chunks(20000)) {
        sqlx::query(
            r#"INSERT INTO department_members (org_id, department_id, account_id)
               SELECT $1, d, a FROM unnest($2::uuid[], $3::uuid[]) AS x(d, a)
               ON CONFLICT DO NOTHING"#,
        )
        .bind(org_id)
        .bind(d)
        .bind(a)
        .execute(&mut *tx)
        .await?;
    }
    // A head for each department with members, and heads as managers.
    sqlx::query(
        r#"UPDATE department_members dm SET is_head = true
           FROM (SELECT DISTINCT ON (department_id) department_id, account_id
                 FROM department_members WHERE org_id = $1 ORDER BY department_id, account_id) h
           WHERE dm.department_id = h.department_id AND dm.account_id = h.account_id"#,
    )
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        r#"INSERT INTO account_managers (org_id, account_id, manager_id, rank)
           SELECT $1, a.id, h.account_id, 1
           FROM accounts a
           JOIN department_members h ON h.department_id = a.main_department_id AND h.is_head
           WHERE a.org_id = $1 AND h.account_id <> a.id"#,
    )
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    let counts = headcount::recount(&mut tx, org_id).await?;
    let (d, n): (Vec<Uuid>, Vec<i32>) = counts.into_iter().map(|(d, n)| (d, n as i32)).unzip();
    sqlx::query(
        r#"UPDATE departments d SET headcount = x.n FROM unnest($1::uuid[], $2::int4[]) AS x(id, n)
           WHERE d.id = x.id"#,
    )
    .bind(&d)
    .bind(&n)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE departments, accounts, department_members, account_managers")
        .execute(db)
        .await?;

    let mid = sqlx::query_as::<_, (Uuid, i32, i32)>(
        r#"SELECT id, cardinality(path), headcount FROM departments
           WHERE org_id = $1 AND cardinality(path) BETWEEN 3 AND 6 AND headcount BETWEEN 500 AND 5000
           ORDER BY abs(headcount - 2000) LIMIT 1"#,
    )
    .bind(org_id)
    .fetch_optional(db)
    .await?
    .unwrap_or((root, 1, spec.members as i32));
    Ok(Seeded {
        org_id,
        departments: tree.len(),
        members: spec.members,
        max_depth: tree.iter().map(|d| d.depth).max().unwrap_or(1),
        mid_level: (mid.0, mid.1 as usize, mid.2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::check::{Department, Snapshot, plan};
    use crate::imports::{ImportOptions, RowAction};

    #[test]
    fn the_import_file_goes_into_an_empty_organisation_whole() {
        let spec = SeedSpec {
            name: "Seed Co".into(),
            admin_email: "admin@seed.example".into(),
            password_hash: String::new(),
            members: 400,
            departments: 60,
            rng_seed: 7,
        };
        let mut bytes = Vec::new();
        assert_eq!(write_csv(&spec, &mut bytes).unwrap(), 400);
        let mut table = crate::imports::read::read(&bytes, None, 1_000).unwrap();
        let (at, header) = crate::imports::columns::find_header(&table.rows).unwrap();
        assert!(header.missing.is_empty() && header.unknown.is_empty());
        let root = Uuid::now_v7();
        let snapshot = Snapshot {
            root,
            root_name: crate::contacts::rules::root_name("Seed Co"),
            departments: [(
                String::new(),
                Department {
                    id: root,
                    path: vec![root],
                },
            )]
            .into(),
            people: Vec::new(),
            room: None,
            scope: crate::access::Scope::Organisation,
            caller: Uuid::now_v7(),
            caller_super_admin: true,
        };
        let options = ImportOptions {
            create_departments: true,
            ..ImportOptions::default()
        };
        let rows = std::mem::take(&mut table.rows);
        let p = plan(&snapshot, rows, &table.lines, at, &header, options);
        let wrong: Vec<_> = p.rows.iter().filter(|r| !r.errors.is_empty()).collect();
        assert!(wrong.is_empty(), "{:?}", wrong.first().map(|r| &r.errors));
        assert_eq!(p.counts.create, 400);
        // Every department but the top one, where somebody is.
        assert!(
            p.counts.departments > 20 && p.counts.departments < 60,
            "{}",
            p.counts.departments
        );
        assert!(p.rows.iter().all(|r| r.action == RowAction::Create));
        // Managers are people of the file.
        assert!(
            p.rows
                .iter()
                .filter(|r| r.values.managers.as_ref().is_some_and(|m| !m.is_empty()))
                .count()
                > 300
        );
    }
}
