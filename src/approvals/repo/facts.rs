//! What a flow needs to know of the organisation's contacts, read for one
//! submitter in a handful of queries (a route never walks the tree row by row).
use crate::approvals::flow::{Approvers, Flow, Node, Role};
use crate::approvals::form::{Value, Values};
use crate::approvals::route::Facts;
use crate::error::AppError;
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// How far up reporting lines are read (deeper than any flow looks).
const MAX_CHAIN: i32 = 25;

fn uuids<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<Uuid> {
    ids.into_iter()
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect()
}

/// The submitter's departments: `(id, path)`, the main one first.
pub async fn departments_of(
    c: &mut PgConnection,
    org: Uuid,
    person: Uuid,
) -> Result<Vec<(Uuid, Vec<Uuid>)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT d.id, d.path FROM department_members dm
           JOIN departments d ON d.id = dm.department_id
           JOIN accounts a ON a.id = dm.account_id
           WHERE dm.org_id = $1 AND dm.account_id = $2
           ORDER BY (d.id = a.main_department_id) DESC, d.path"#,
        org,
        person
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.path)).collect())
}

/// Reads the facts `flow` needs for `submitter`, filing the request under
/// `department` (one of theirs), with the form's `values` and the people
/// the submitter `chosen`.
#[allow(clippy::too_many_arguments)]
pub async fn load(
    c: &mut PgConnection,
    org: Uuid,
    submitter: Uuid,
    department: &[Uuid],
    flow: &Flow,
    values: &Values,
    chosen: &BTreeMap<String, Vec<String>>,
    all_departments: &[(Uuid, Vec<Uuid>)],
) -> Result<Facts, AppError> {
    let s = |u: &Uuid| u.to_string();
    let mut facts = Facts {
        submitter: submitter.to_string(),
        chain: department.iter().map(s).collect(),
        under: all_departments
            .iter()
            .flat_map(|(_, path)| path.iter().map(s))
            .collect(),
        ..Facts::default()
    };

    let chain = sqlx::query!(
        r#"WITH RECURSIVE up (account_id, manager_id, depth) AS (
               SELECT account_id, manager_id, 1 FROM account_managers
               WHERE org_id = $1 AND account_id = $2 AND rank = 1
               UNION ALL
               SELECT m.account_id, m.manager_id, up.depth + 1
               FROM account_managers m JOIN up ON m.account_id = up.manager_id AND m.rank = 1
               WHERE up.depth < $3
           )
           SELECT account_id AS "account_id!", manager_id AS "manager_id!" FROM up"#,
        org,
        submitter,
        MAX_CHAIN
    )
    .fetch_all(&mut *c)
    .await?;
    for r in chain {
        facts.managers.insert(s(&r.account_id), s(&r.manager_id));
    }

    // Departments whose heads a rule may ask for: the request's chain and
    // any a form field names.
    let mut wanted: Vec<Uuid> = department.to_vec();
    let mut groups = Vec::new();
    let mut positions = Vec::new();
    let mut named: Vec<Uuid> = Vec::new();
    for node in flow.walk() {
        let rule = match node {
            Node::Approval(a) => &a.approvers,
            Node::Cc(c) => &c.who,
            Node::Branch(_) => continue,
        };
        let mut role = |r: &Role| match r {
            Role::AdminGroup { id } => groups.extend(uuids([id])),
            Role::Position { name } => positions.push(name.to_lowercase()),
        };
        match rule {
            Approvers::Role { role: r } => role(r),
            Approvers::ManagerChain {
                to_role: Some(r), ..
            } => role(r),
            Approvers::People { people } => named.extend(uuids(people)),
            Approvers::Field { field } => match values.get(field) {
                Some(Value::Departments(d)) => wanted.extend(uuids(d)),
                Some(Value::People(p)) => named.extend(uuids(p)),
                _ => {}
            },
            _ => {}
        }
    }
    named.extend(chosen.values().flat_map(uuids));

    let heads = sqlx::query!(
        r#"SELECT department_id, account_id FROM department_members
           WHERE org_id = $1 AND department_id = ANY($2) AND is_head
           ORDER BY added_at, account_id"#,
        org,
        &wanted
    )
    .fetch_all(&mut *c)
    .await?;
    for r in heads {
        facts
            .heads
            .entry(s(&r.department_id))
            .or_default()
            .push(s(&r.account_id));
    }

    if !groups.is_empty() {
        let rows = sqlx::query!(
            r#"SELECT group_id, account_id FROM admin_group_members
               WHERE org_id = $1 AND group_id = ANY($2) ORDER BY added_at, account_id"#,
            org,
            &groups
        )
        .fetch_all(&mut *c)
        .await?;
        for r in rows {
            facts
                .groups
                .entry(s(&r.group_id))
                .or_default()
                .push(s(&r.account_id));
        }
    }
    if !positions.is_empty() {
        // One more than a node takes, so too many is seen as too many.
        let rows = sqlx::query!(
            r#"SELECT lower(position) AS "position!", id FROM accounts
               WHERE org_id = $1 AND kind = 'member' AND status = 'active'
                 AND lower(position) = ANY($2)
               ORDER BY name_pinyin, id LIMIT 1000"#,
            org,
            &positions
        )
        .fetch_all(&mut *c)
        .await?;
        for r in rows {
            facts
                .positions
                .entry(r.position)
                .or_default()
                .push(s(&r.id));
        }
    }
    let admin = sqlx::query_scalar!(
        "SELECT coalesce(approval_admin_id, creator_id) FROM organisations WHERE id = $1",
        org
    )
    .fetch_one(&mut *c)
    .await?;
    facts.approval_admin = admin.as_ref().map(s);

    let mut everyone: HashSet<Uuid> = named.into_iter().collect();
    everyone.insert(submitter);
    everyone.extend(admin);
    let parse = |x: &String| Uuid::parse_str(x).ok();
    everyone.extend(facts.managers.values().filter_map(parse));
    everyone.extend(facts.heads.values().flatten().filter_map(parse));
    everyone.extend(facts.groups.values().flatten().filter_map(parse));
    everyone.extend(facts.positions.values().flatten().filter_map(parse));
    let everyone: Vec<Uuid> = everyone.into_iter().collect();
    let active = sqlx::query_scalar!(
        r#"SELECT id FROM accounts
           WHERE org_id = $1 AND id = ANY($2) AND kind = 'member' AND status = 'active'"#,
        org,
        &everyone
    )
    .fetch_all(&mut *c)
    .await?;
    facts.active = active.iter().map(s).collect();
    Ok(facts)
}
