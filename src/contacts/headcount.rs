//! Keeps `departments.headcount` right: the people (not departed) in a
//! department and every department below it, each person counted once even
//! when they belong to several departments of the subtree.
//!
//! A person counts in the union of the paths of their departments. A change
//! to someone's departments or status moves them out of some departments'
//! union and into others': [`Snapshot`] takes the union before and after and
//! applies the difference. Callers hold the organisation's contacts lock.
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Each account's set of counting departments at one moment.
#[derive(Debug, Default)]
pub struct Snapshot(HashMap<Uuid, HashSet<Uuid>>);

impl Snapshot {
    /// Reads the counting departments of `accounts`.
    pub async fn take(
        conn: &mut PgConnection,
        org_id: Uuid,
        accounts: &[Uuid],
    ) -> Result<Self, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT DISTINCT dm.account_id AS "account!", anc AS "department!"
               FROM department_members dm
               JOIN departments d ON d.id = dm.department_id
               JOIN accounts a ON a.id = dm.account_id
               CROSS JOIN LATERAL unnest(d.path) AS anc
               WHERE dm.org_id = $1 AND dm.account_id = ANY($2) AND a.status <> 'departed'"#,
            org_id,
            accounts
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut map: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for r in rows {
            map.entry(r.account).or_default().insert(r.department);
        }
        Ok(Snapshot(map))
    }

    /// Adds to `deltas` what changed between `self` (before) and `after`.
    pub fn diff_into(&self, after: &Snapshot, deltas: &mut Deltas) {
        let empty = HashSet::new();
        let accounts: HashSet<&Uuid> = self.0.keys().chain(after.0.keys()).collect();
        for account in accounts {
            let before = self.0.get(account).unwrap_or(&empty);
            let now = after.0.get(account).unwrap_or(&empty);
            for d in now.difference(before) {
                deltas.add(*d, 1);
            }
            for d in before.difference(now) {
                deltas.add(*d, -1);
            }
        }
    }
}

/// Pending changes to headcounts.
#[derive(Debug, Default)]
pub struct Deltas(HashMap<Uuid, i32>);

impl Deltas {
    pub fn add(&mut self, department: Uuid, n: i32) {
        *self.0.entry(department).or_default() += n;
    }

    /// Writes the changes in one statement.
    pub async fn apply(self, conn: &mut PgConnection, org_id: Uuid) -> Result<(), sqlx::Error> {
        let (ids, deltas): (Vec<Uuid>, Vec<i32>) =
            self.0.into_iter().filter(|(_, n)| *n != 0).unzip();
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            r#"UPDATE departments d SET headcount = d.headcount + x.delta
               FROM unnest($2::uuid[], $3::int4[]) AS x(id, delta)
               WHERE d.id = x.id AND d.org_id = $1"#,
            org_id,
            &ids,
            &deltas
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// Runs `change` and keeps the headcounts of `accounts` right around it.
pub async fn around<T, F>(
    conn: &mut PgConnection,
    org_id: Uuid,
    accounts: &[Uuid],
    change: F,
) -> Result<T, sqlx::Error>
where
    F: AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
{
    let before = Snapshot::take(conn, org_id, accounts).await?;
    let out = change(&mut *conn).await?;
    let after = Snapshot::take(conn, org_id, accounts).await?;
    let mut deltas = Deltas::default();
    before.diff_into(&after, &mut deltas);
    deltas.apply(conn, org_id).await?;
    Ok(out)
}

/// Every department's headcount computed from scratch: (department, count),
/// departments with nobody left out. For checks and repairs.
pub async fn recount(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<Vec<(Uuid, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT anc AS "department!", count(DISTINCT dm.account_id) AS "n!"
           FROM department_members dm
           JOIN departments d ON d.id = dm.department_id
           JOIN accounts a ON a.id = dm.account_id
           CROSS JOIN LATERAL unnest(d.path) AS anc
           WHERE dm.org_id = $1 AND a.status <> 'departed'
           GROUP BY anc"#,
        org_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.department, r.n)).collect())
}

/// Departments whose stored headcount differs from [`recount`]: (department, stored, actual).
pub async fn drift(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<Vec<(Uuid, i32, i64)>, sqlx::Error> {
    let actual: HashMap<Uuid, i64> = recount(conn, org_id).await?.into_iter().collect();
    let stored = sqlx::query!(
        "SELECT id, headcount FROM departments WHERE org_id = $1",
        org_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(stored
        .into_iter()
        .filter_map(|r| {
            let n = actual.get(&r.id).copied().unwrap_or(0);
            (i64::from(r.headcount) != n).then_some((r.id, r.headcount, n))
        })
        .collect())
}
