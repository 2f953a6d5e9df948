//! The writes of a run, each in the run's transaction: departments,
//! people in batches, memberships, managers, disables, headcounts and
//! invitations.
use super::RowAction;
use super::check::{DepartmentRef, ManagerRef, Plan, RowPlan};
use super::repo::Job;
use crate::access::Scope;
use crate::contacts::pinyin::search_keys;
use crate::server::state::AppState;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The departments the plan makes, in one statement: path key -> id, with
/// every existing department too.
///
/// One statement, not one per department: each insert also counts the
/// organisation's departments on its row, and thousands of updates of that
/// one row in a transaction leave thousands of versions every later check
/// of the organisation reads through. The connection's plans are dropped
/// first (see [`fresh_plans`]).
pub(super) async fn create_departments(
    conn: &mut PgConnection,
    org: Uuid,
    snapshot: &super::check::Snapshot,
    plan: &Plan,
) -> sqlx::Result<HashMap<String, Uuid>> {
    let mut known: HashMap<String, (Uuid, Vec<Uuid>)> = snapshot
        .departments
        .iter()
        .map(|(k, d)| (k.clone(), (d.id, d.path.clone())))
        .collect();
    if plan.new_departments.is_empty() {
        return Ok(known.into_iter().map(|(k, (id, _))| (k, id)).collect());
    }
    let parent_key = |key: &str| key.rsplit_once('/').map_or("", |(p, _)| p).to_owned();
    // New siblings go after those there are.
    let existing_parents: Vec<Uuid> = plan
        .new_departments
        .keys()
        .filter_map(|k| snapshot.departments.get(&parent_key(k)).map(|d| d.id))
        .collect::<HashSet<Uuid>>()
        .into_iter()
        .collect();
    let mut next: HashMap<Uuid, i32> = sqlx::query!(
        r#"SELECT parent_id AS "parent!", max(sort_order) AS "last!"
             FROM departments WHERE org_id = $1 AND parent_id = ANY($2)
            GROUP BY parent_id"#,
        org,
        &existing_parents
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.parent, r.last + 1))
    .collect();
    // Parents first: a key's parent is a shorter path.
    let mut new: Vec<(&String, &Vec<String>)> = plan.new_departments.iter().collect();
    new.sort_by_key(|(_, names)| names.len());
    let (mut ids, mut parents, mut names, mut orders, mut paths) =
        (vec![], vec![], vec![], vec![], vec![]);
    for (key, path_names) in new {
        let Some((parent, parent_path)) = known.get(&parent_key(key)).cloned() else {
            continue;
        };
        let id = Uuid::now_v7();
        let order = next.entry(parent).or_insert(1);
        let mut path = parent_path;
        path.push(id);
        ids.push(id);
        parents.push(parent);
        names.push(path_names.last().cloned().unwrap_or_default());
        orders.push(*order);
        *order += 1;
        paths.push(format!(
            "{{{}}}",
            path.iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ));
        known.insert(key.clone(), (id, path));
    }
    fresh_plans(conn).await?;
    sqlx::query!(
        r#"INSERT INTO departments (id, org_id, parent_id, name, sort_order, path)
           SELECT id, $1, parent, name, ord, path::uuid[]
             FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int4[], $6::text[])
               AS x(id, parent, name, ord, path)"#,
        org,
        &ids,
        &parents,
        &names,
        &orders,
        &paths
    )
    .execute(&mut *conn)
    .await?;
    Ok(known.into_iter().map(|(k, (id, _))| (k, id)).collect())
}

/// Drops the plans this connection keeps, before a run fills tables with
/// many rows. PostgreSQL plans each foreign-key check once per connection:
/// one first planned when its table was tiny (a fresh organisation on a
/// fresh server) scans the whole table, and would do so for each of
/// thousands of new rows (and again for each update of a row made in the
/// same transaction): 10,000 departments took 5 s to insert and 11 s to
/// count. Planned again, the checks see the table as it is. Unlike ANALYZE
/// this takes no lock and leaves the shared statistics alone.
pub(super) async fn fresh_plans(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("DISCARD PLANS").execute(&mut *conn).await?;
    Ok(())
}

fn department_id(r: &DepartmentRef, departments: &HashMap<String, Uuid>) -> Option<Uuid> {
    match r {
        DepartmentRef::Existing(id) => Some(*id),
        DepartmentRef::New(key) => departments.get(&**key).copied(),
    }
}

/// Account IDs made from names' pinyin, none taken in the organisation or
/// named by a row of the file.
pub(super) struct UserIds {
    taken: HashSet<String>,
}

impl UserIds {
    pub(super) fn new(mut taken: HashSet<String>, plan: &Plan) -> Self {
        taken.extend(
            plan.rows
                .iter()
                .filter_map(|r| r.values.userid.as_ref().map(|u| u.to_lowercase())),
        );
        UserIds { taken }
    }

    fn make(&mut self, pinyin: &str) -> String {
        let mut base: String = pinyin
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(48)
            .collect();
        if base.is_empty() {
            base = "user".into();
        }
        let mut candidate = base.clone();
        let mut n = 1;
        while self.taken.contains(&candidate.to_lowercase()) {
            n += 1;
            candidate = format!("{base}{n}");
        }
        self.taken.insert(candidate.to_lowercase());
        candidate
    }
}

pub(super) async fn insert_people(
    conn: &mut PgConnection,
    org: Uuid,
    rows: &[(usize, &RowPlan)],
    departments: &HashMap<String, Uuid>,
    userids: &mut UserIds,
    created: &mut HashMap<usize, Uuid>,
) -> sqlx::Result<()> {
    let n = rows.len();
    let (mut ids, mut names, mut uids, mut pys, mut inis) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (
        mut mobiles,
        mut emails,
        mut positions,
        mut numbers,
        mut genders,
        mut dates,
        mut mains,
        mut statuses,
    ) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let (mut link_d, mut link_a) = (Vec::new(), Vec::new());
    for (index, r) in rows {
        let v = &r.values;
        let id = Uuid::now_v7();
        let name = v.name.clone().unwrap_or_default();
        let (py, ini) = search_keys(&name);
        let userid = v.userid.clone().unwrap_or_else(|| userids.make(&py));
        let depts: Vec<Uuid> = v
            .departments
            .iter()
            .flatten()
            .filter_map(|d| department_id(d, departments))
            .collect();
        ids.push(id);
        names.push(name);
        uids.push(userid);
        pys.push(py);
        inis.push(ini);
        mobiles.push(v.mobile.clone());
        emails.push(v.email.clone());
        positions.push(v.position.clone());
        numbers.push(v.employee_no.clone());
        genders.push(v.gender.clone());
        dates.push(v.hire_date);
        mains.push(depts.first().copied());
        statuses.push(if v.enabled == Some(false) {
            "disabled"
        } else {
            "not_activated"
        });
        for d in depts {
            link_d.push(d);
            link_a.push(id);
        }
        created.insert(*index, id);
    }
    sqlx::query!(
        r#"INSERT INTO accounts (id, kind, org_id, role, name, userid, name_pinyin, name_initials,
                                 mobile, email, position, employee_no, gender, hire_date,
                                 main_department_id, status)
           SELECT id, 'member', $1, 'employee', name, userid, py, ini, mobile, email, position,
                  number, gender, hired, main, status
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[], $11::text[], $12::date[], $13::uuid[],
                         $14::text[])
               AS x(id, name, userid, py, ini, mobile, email, position, number, gender, hired,
                    main, status)"#,
        org,
        &ids,
        &names,
        &uids,
        &pys,
        &inis,
        &mobiles as &[Option<String>],
        &emails as &[Option<String>],
        &positions as &[Option<String>],
        &numbers as &[Option<String>],
        &genders as &[Option<String>],
        &dates as &[Option<chrono::NaiveDate>],
        &mains as &[Option<Uuid>],
        &statuses as &[&str],
    )
    .execute(&mut *conn)
    .await?;
    join(conn, org, &link_d, &link_a).await
}

/// Puts each person of `people` in the department beside it (pairs already
/// there are left as they are, head marks included).
async fn join(
    conn: &mut PgConnection,
    org: Uuid,
    departments: &[Uuid],
    people: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO department_members (org_id, department_id, account_id)
           SELECT $1, d, a FROM unnest($2::uuid[], $3::uuid[]) AS x(d, a)
           ON CONFLICT DO NOTHING"#,
        org,
        departments,
        people
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn update_people(
    conn: &mut PgConnection,
    org: Uuid,
    rows: &[&RowPlan],
    departments: &HashMap<String, Uuid>,
) -> sqlx::Result<()> {
    let n = rows.len();
    let mut ids = Vec::with_capacity(n);
    let (mut names, mut pys, mut inis, mut uids, mut mobiles, mut emails) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut positions, mut numbers, mut genders, mut dates, mut mains, mut enabled) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut moved, mut link_d, mut link_a) = (Vec::new(), Vec::new(), Vec::new());
    let mut new_address = Vec::new();
    for r in rows {
        let Some(id) = r.person else { continue };
        let v = &r.values;
        let keys = v.name.as_deref().map(search_keys);
        ids.push(id);
        names.push(v.name.clone());
        pys.push(keys.as_ref().map(|k| k.0.clone()));
        inis.push(keys.map(|k| k.1));
        uids.push(v.userid.clone());
        mobiles.push(v.mobile.clone());
        emails.push(v.email.clone());
        positions.push(v.position.clone());
        numbers.push(v.employee_no.clone());
        genders.push(v.gender.clone());
        dates.push(v.hire_date);
        enabled.push(v.enabled);
        let depts: Vec<Uuid> = if r.changes.contains(&super::Column::Departments) {
            v.departments
                .iter()
                .flatten()
                .filter_map(|d| department_id(d, departments))
                .collect()
        } else {
            Vec::new()
        };
        mains.push(depts.first().copied());
        if !depts.is_empty() {
            moved.push(id);
            for d in depts {
                link_d.push(d);
                link_a.push(id);
            }
        }
        // A link sent to an address the person no longer has, or to a
        // person now disabled, dies; so do their sessions (above).
        if r.changes.contains(&super::Column::Mobile)
            || r.changes.contains(&super::Column::Email)
            || (v.enabled == Some(false) && r.changes.contains(&super::Column::Status))
        {
            new_address.push(id);
        }
    }
    // A blank cell keeps the value; disabling or a new address ends the
    // person's sessions; enabling gives back the status the person had
    // (joined or not).
    sqlx::query!(
        r#"UPDATE accounts a
              SET name = coalesce(x.name, a.name),
                  name_pinyin = coalesce(x.py, a.name_pinyin),
                  name_initials = coalesce(x.ini, a.name_initials),
                  userid = coalesce(x.userid, a.userid),
                  mobile = coalesce(x.mobile, a.mobile),
                  email = coalesce(x.email, a.email),
                  position = coalesce(x.position, a.position),
                  employee_no = coalesce(x.number, a.employee_no),
                  gender = coalesce(x.gender, a.gender),
                  hire_date = coalesce(x.hired, a.hire_date),
                  main_department_id = coalesce(x.main, a.main_department_id),
                  status = CASE
                      WHEN x.enabled IS FALSE THEN 'disabled'
                      WHEN x.enabled IS TRUE AND a.status = 'disabled'
                          THEN CASE WHEN a.password_hash IS NULL THEN 'not_activated' ELSE 'active' END
                      ELSE a.status END,
                  session_epoch = a.session_epoch + CASE
                      WHEN x.enabled IS FALSE AND a.status <> 'disabled' THEN 1
                      WHEN x.mobile IS DISTINCT FROM NULL AND x.mobile IS DISTINCT FROM a.mobile THEN 1
                      WHEN x.email IS DISTINCT FROM NULL AND x.email IS DISTINCT FROM a.email THEN 1
                      ELSE 0 END,
                  version = a.version + 1,
                  updated_at = now()
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[], $11::text[], $12::date[], $13::uuid[],
                         $14::bool[])
               AS x(id, name, py, ini, userid, mobile, email, position, number, gender, hired, main, enabled)
            WHERE a.org_id = $1 AND a.id = x.id AND a.kind = 'member'"#,
        org,
        &ids,
        &names as &[Option<String>],
        &pys as &[Option<String>],
        &inis as &[Option<String>],
        &uids as &[Option<String>],
        &mobiles as &[Option<String>],
        &emails as &[Option<String>],
        &positions as &[Option<String>],
        &numbers as &[Option<String>],
        &genders as &[Option<String>],
        &dates as &[Option<chrono::NaiveDate>],
        &mains as &[Option<Uuid>],
        &enabled as &[Option<bool>],
    )
    .execute(&mut *conn)
    .await?;
    if !moved.is_empty() {
        // Memberships the file no longer names go; the ones it keeps keep
        // their head marks.
        sqlx::query!(
            r#"DELETE FROM department_members dm
                WHERE dm.org_id = $1 AND dm.account_id = ANY($2)
                  AND NOT EXISTS (SELECT 1 FROM unnest($3::uuid[], $4::uuid[]) AS x(d, a)
                                   WHERE x.d = dm.department_id AND x.a = dm.account_id)"#,
            org,
            &moved,
            &link_d,
            &link_a
        )
        .execute(&mut *conn)
        .await?;
        join(conn, org, &link_d, &link_a).await?;
    }
    // A link sent to an address the person no longer has dies.
    for id in new_address {
        crate::invitations::repo::end_open(conn, id, "revoked").await?;
    }
    Ok(())
}

pub(super) async fn set_managers(
    conn: &mut PgConnection,
    org: Uuid,
    plan: &Plan,
    first: usize,
    rows: &[RowPlan],
    created: &HashMap<usize, Uuid>,
) -> sqlx::Result<()> {
    let (mut people, mut a, mut m, mut rank) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (offset, r) in rows.iter().enumerate() {
        let index = first + offset;
        let Some(managers) = &r.values.managers else {
            continue;
        };
        let person = match r.action {
            RowAction::Create => created.get(&index).copied(),
            RowAction::Update | RowAction::Move if r.changes.contains(&super::Column::Manager) => {
                r.person
            }
            _ => None,
        };
        let Some(person) = person else { continue };
        people.push(person);
        for (i, mr) in managers.iter().enumerate() {
            let id = match mr {
                ManagerRef::Existing(id) => Some(*id),
                ManagerRef::Row(row) => created.get(row).copied().or(plan.rows[*row].person),
            };
            if let Some(id) = id {
                a.push(person);
                m.push(id);
                rank.push(i as i16 + 1);
            }
        }
    }
    if people.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "DELETE FROM account_managers WHERE org_id = $1 AND account_id = ANY($2)",
        org,
        &people
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO account_managers (org_id, account_id, manager_id, rank)
           SELECT $1, a, m, r FROM unnest($2::uuid[], $3::uuid[], $4::int2[]) AS x(a, m, r)"#,
        org,
        &a,
        &m,
        &rank
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The people a full sync leaves out: disabled, their sessions ended.
pub(super) async fn disable(
    conn: &mut PgConnection,
    org: Uuid,
    people: &[Uuid],
) -> sqlx::Result<()> {
    if people.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        r#"UPDATE accounts SET status = 'disabled', session_epoch = session_epoch + 1,
                               version = version + 1, updated_at = now()
            WHERE org_id = $1 AND id = ANY($2) AND kind = 'member' AND status IN ('active', 'not_activated')"#,
        org,
        people
    )
    .execute(&mut *conn)
    .await?;
    for id in people {
        crate::invitations::repo::end_open(conn, *id, "revoked").await?;
    }
    Ok(())
}

/// Every department's headcount, counted once (0 where nobody is).
pub(super) async fn recount(conn: &mut PgConnection, org: Uuid) -> sqlx::Result<()> {
    let counts: HashMap<Uuid, i64> = crate::contacts::headcount::recount(conn, org)
        .await?
        .into_iter()
        .collect();
    let all = sqlx::query_scalar!("SELECT id FROM departments WHERE org_id = $1", org)
        .fetch_all(&mut *conn)
        .await?;
    let (d, n): (Vec<Uuid>, Vec<i32>) = all
        .into_iter()
        .map(|d| (d, counts.get(&d).copied().unwrap_or(0) as i32))
        .unzip();
    sqlx::query!(
        r#"UPDATE departments d SET headcount = x.n
             FROM unnest($2::uuid[], $3::int4[]) AS x(id, n)
            WHERE d.id = x.id AND d.org_id = $1 AND d.headcount IS DISTINCT FROM x.n"#,
        org,
        &d,
        &n
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Invitations to the people the run created, where the administrator may
/// invite them and they have an address; how many went out.
pub(super) async fn invite(
    state: &AppState,
    conn: &mut PgConnection,
    org: Uuid,
    job: &Job,
    may: Option<&Scope>,
    created: &HashMap<usize, Uuid>,
) -> sqlx::Result<i64> {
    use crate::invitations::repo as invitations;
    let Some(scope) = may else { return Ok(0) };
    let mut people: Vec<Uuid> = created.values().copied().collect();
    people.sort();
    if let Some(roots) = scope.roots() {
        let inside = crate::access::repo::in_scope(&mut *conn, org, &people, roots).await?;
        people.retain(|p| inside.contains(p));
    }
    let name = sqlx::query_scalar!("SELECT name FROM accounts WHERE id = $1", job.created_by)
        .fetch_one(&mut *conn)
        .await?;
    let sender = invitations::Sender {
        sealer: state.codes.outbox_sealer(),
        max_attempts: state
            .outbox_max_attempts
            .max(crate::invitations::api::imp::invitation_attempts()),
        inviter: Some(job.created_by),
        inviter_name: name,
        locale: &job.locale,
    };
    let mut sent = 0;
    for person in people {
        let Some(invitee) = invitations::invitee(&mut *conn, org, person).await? else {
            continue;
        };
        let channels = invitations::channels_of(&invitee, &[]);
        if invitee.status != "not_activated" || channels.is_empty() {
            continue;
        }
        invitations::issue(&mut *conn, &sender, org, &invitee, &channels).await?;
        sent += 1;
    }
    Ok(sent)
}

/// Old addresses a run replaced are told, as the person's page tells them
/// (they may belong to the real owner). How many messages were queued.
pub(super) async fn tell_old_addresses(
    state: &AppState,
    conn: &mut PgConnection,
    org: Uuid,
    job: &Job,
    snapshot: &super::check::Snapshot,
    plan: &Plan,
) -> sqlx::Result<i64> {
    use super::Column;
    use crate::notify::{Channel, NewMessage, Template, enqueue};
    let people: HashMap<Uuid, &super::check::Person> =
        snapshot.people.iter().map(|p| (p.id, p)).collect();
    let mut organisation: Option<String> = None;
    let mut told = 0;
    for row in plan
        .rows
        .iter()
        .filter(|r| matches!(r.action, RowAction::Update | RowAction::Move))
    {
        let Some(person) = row.person.and_then(|p| people.get(&p)) else {
            continue;
        };
        for (column, field, channel, old) in [
            (Column::Email, "email", Channel::Email, &person.email),
            (Column::Mobile, "mobile", Channel::Sms, &person.mobile),
        ] {
            let Some(old) = old.as_ref().filter(|_| row.changes.contains(&column)) else {
                continue;
            };
            if organisation.is_none() {
                organisation = Some(
                    sqlx::query_scalar!("SELECT name FROM organisations WHERE id = $1", org)
                        .fetch_one(&mut *conn)
                        .await?,
                );
            }
            let message = NewMessage {
                org_id: Some(org),
                channel,
                recipient: old.clone(),
                locale: job.locale.clone(),
                template: Template::ContactChanged {
                    organisation: organisation.clone().unwrap_or_default(),
                    field: field.to_owned(),
                },
                valid_for: None,
            };
            enqueue(
                &mut *conn,
                state.codes.outbox_sealer(),
                &message,
                state.outbox_max_attempts,
            )
            .await?;
            told += 1;
        }
    }
    Ok(told)
}
