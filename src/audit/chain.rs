//! The audit log's hash chain: each organisation's rows (and the platform's
//! own) are sealed in order, each row's hash covering its fields and the
//! previous row's hash, so that a row deleted or altered afterwards breaks
//! the chain where it was. Rows are sealed after they commit, by a job
//! every instance runs (the chain's row is locked while one seals it);
//! retention prunes from the start of a chain and remembers where the
//! pruned part ended.
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// The hash before a chain's first row.
const GENESIS: [u8; 32] = [0; 32];
/// Rows sealed (or pruned) per transaction.
const BATCH: i64 = 1_000;

/// One row as the chain covers it (text as PostgreSQL prints it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sealed {
    pub id: i64,
    pub org_id: Option<Uuid>,
    pub at_micros: i64,
    pub actor_id: Option<Uuid>,
    pub actor_kind: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: String,
}

const FIELDS: &str = "id, org_id, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, \
     actor_id, actor_kind, action, target_type, target_id, ip::text AS ip, user_agent, \
     details::text AS details";

/// SHA-256 over a version tag, the previous hash, the row's place and every
/// recorded field, each length-prefixed (a missing one marked apart from an
/// empty one).
pub fn digest(prev: &[u8], seq: i64, row: &Sealed) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"orgdesk-audit-v1");
    h.update(prev);
    let mut field = |v: Option<&[u8]>| match v {
        Some(bytes) => {
            h.update((bytes.len() as u32).to_be_bytes());
            h.update(bytes);
        }
        None => h.update(u32::MAX.to_be_bytes()),
    };
    let (org, actor) = (
        row.org_id.map(|u| u.to_string()),
        row.actor_id.map(|u| u.to_string()),
    );
    field(Some(seq.to_string().as_bytes()));
    field(Some(row.id.to_string().as_bytes()));
    field(org.as_deref().map(str::as_bytes));
    field(Some(row.at_micros.to_string().as_bytes()));
    field(actor.as_deref().map(str::as_bytes));
    field(row.actor_kind.as_deref().map(str::as_bytes));
    field(Some(row.action.as_bytes()));
    field(row.target_type.as_deref().map(str::as_bytes));
    field(row.target_id.as_deref().map(str::as_bytes));
    field(row.ip.as_deref().map(str::as_bytes));
    field(row.user_agent.as_deref().map(str::as_bytes));
    field(Some(row.details.as_bytes()));
    h.finalize().into()
}

/// `org_id = $1`, or for the platform `org_id IS NULL` (with `$1` NULL), so
/// that the indexes serve both.
fn org_is(org: Option<Uuid>, column: &str) -> String {
    match org {
        Some(_) => format!("{column} = $1"),
        None => format!("{column} IS NULL AND $1::uuid IS NULL"),
    }
}

/// Seals what has committed since the last run, chain by chain; returns
/// the rows sealed.
pub async fn seal_once(db: &PgPool) -> Result<u64, sqlx::Error> {
    let chains: Vec<Option<Uuid>> = sqlx::query_scalar(
        "SELECT DISTINCT org_id FROM
            (SELECT org_id FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT 10000) waiting",
    )
    .fetch_all(db)
    .await?;
    let mut sealed = 0;
    for org in chains {
        // One chain that cannot be sealed (its record damaged) does not
        // hold up the others; `verify` names what is wrong with it.
        loop {
            match seal_batch(db, org).await {
                Ok(n) => {
                    sealed += n;
                    if n < BATCH as u64 {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, org = ?org, "an audit chain could not be sealed; run `orgdesk audit verify`");
                    break;
                }
            }
        }
    }
    Ok(sealed)
}

async fn seal_batch(db: &PgPool, org: Option<Uuid>) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO audit_chains (org_id) VALUES ($1) ON CONFLICT ON CONSTRAINT audit_chains_org_key DO NOTHING")
        .bind(org)
        .execute(&mut *tx)
        .await?;
    let (last_seq, last_hash): (i64, Option<Vec<u8>>) = sqlx::query_as(&format!(
        "SELECT last_seq, last_hash FROM audit_chains WHERE {} FOR UPDATE",
        org_is(org, "org_id")
    ))
    .bind(org)
    .fetch_one(&mut *tx)
    .await?;
    let rows: Vec<Sealed> = sqlx::query_as(&format!(
        "SELECT {FIELDS} FROM audit_log WHERE {} AND seq IS NULL ORDER BY id LIMIT $2",
        org_is(org, "org_id")
    ))
    .bind(org)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut prev = last_hash.unwrap_or_else(|| GENESIS.to_vec());
    let (mut ids, mut seqs, mut prevs, mut hashes) = (vec![], vec![], vec![], vec![]);
    for (i, row) in rows.iter().enumerate() {
        let seq = last_seq + 1 + i as i64;
        let hash = digest(&prev, seq, row).to_vec();
        ids.push(row.id);
        seqs.push(seq);
        prevs.push(std::mem::replace(&mut prev, hash.clone()));
        hashes.push(hash);
    }
    sqlx::query(
        "UPDATE audit_log l SET seq = u.seq, prev_hash = u.prev, hash = u.hash
           FROM UNNEST($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[]) AS u(id, seq, prev, hash)
          WHERE l.id = u.id",
    )
    .bind(&ids)
    .bind(&seqs)
    .bind(&prevs)
    .bind(&hashes)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "UPDATE audit_chains SET last_seq = $2, last_hash = $3, sealed_at = now() WHERE {}",
        org_is(org, "org_id")
    ))
    .bind(org)
    .bind(last_seq + rows.len() as i64)
    .bind(&prev)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Seals every `every`, for as long as the server runs.
pub async fn run(db: PgPool, every: Duration) {
    let mut timer = tokio::time::interval(every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        if let Err(e) = seal_once(&db).await {
            tracing::warn!(error = %e, "sealing the audit log failed; it runs again later");
        }
    }
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Rows `from..=to` of the chain are gone.
    Missing { from: i64, to: i64 },
    /// The row does not link to the row before it.
    Unlinked { seq: i64, id: i64 },
    /// The row is not as it was sealed.
    Altered { seq: i64, id: i64 },
    /// Sealed rows lie past the head the chain's record names: the record
    /// was set back (or lost).
    BeyondHead { seq: i64, head: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Missing { from, to } if from == to => {
                write!(f, "row {from} of the chain is missing")
            }
            Break::Missing { from, to } => {
                write!(f, "rows {from} to {to} of the chain are missing")
            }
            Break::Unlinked { seq, id } => write!(
                f,
                "row {seq} of the chain (audit id {id}) does not link to the row before it"
            ),
            Break::Altered { seq, id } => write!(
                f,
                "row {seq} of the chain (audit id {id}) was changed after it was sealed"
            ),
            Break::BeyondHead { seq, head } => write!(
                f,
                "row {seq} of the chain lies past the head its record names ({head}): the record was set back"
            ),
        }
    }
}

/// What a check of one chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub org: Option<Uuid>,
    /// Rows checked.
    pub rows: u64,
    /// The chain's head: its last row and hash (hex), to be noted elsewhere
    /// by whoever wants to prove later that the end was not cut off.
    pub head_seq: i64,
    pub head_hash: Option<String>,
    /// Rows pruned by retention before the first one kept.
    pub pruned: i64,
    /// Rows written but not sealed yet.
    pub unsealed: i64,
    /// The first break, if any.
    pub broken: Option<Break>,
}

/// A chain's ends, as `audit_chains` keeps them.
#[derive(Debug, Default, sqlx::FromRow)]
struct Head {
    last_seq: i64,
    last_hash: Option<Vec<u8>>,
    pruned_seq: i64,
    pruned_hash: Option<Vec<u8>>,
}

/// A sealed row with its place in the chain.
#[derive(Debug, sqlx::FromRow)]
struct Link {
    seq: i64,
    prev_hash: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
    #[sqlx(flatten)]
    row: Sealed,
    /// Older than the retention period (read by pruning only).
    #[sqlx(default)]
    old: bool,
}

/// Whether `link` follows `prev` at `expected`: the first thing wrong with
/// it, if anything.
fn check_link(link: &Link, expected: i64, prev: &[u8]) -> Option<Break> {
    let (seq, id) = (link.seq, link.row.id);
    if seq != expected {
        return Some(Break::Missing {
            from: expected,
            to: seq - 1,
        });
    }
    if link.prev_hash.as_deref() != Some(prev) {
        return Some(Break::Unlinked { seq, id });
    }
    if link.hash.as_deref() != Some(digest(prev, seq, &link.row).as_slice()) {
        return Some(Break::Altered { seq, id });
    }
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The chains there are, or should be: the platform's (None) and each
/// organisation's (one whose record is lost is still checked).
pub async fn chains(db: &PgPool) -> Result<Vec<Option<Uuid>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT NULL::uuid AS org_id
         UNION SELECT org_id FROM audit_chains WHERE org_id IS NOT NULL
         UNION SELECT id FROM organisations
         ORDER BY org_id NULLS FIRST",
    )
    .fetch_all(db)
    .await
}

/// Checks one chain from its first kept row to its head, reading rows as a
/// stream (millions of rows do not sit in memory).
pub async fn verify(db: &PgPool, org: Option<Uuid>) -> Result<Verdict, sqlx::Error> {
    // One snapshot: rows pruned or sealed meanwhile do not look missing.
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let head: Option<Head> = sqlx::query_as(&format!(
        "SELECT last_seq, last_hash, pruned_seq, pruned_hash FROM audit_chains WHERE {}",
        org_is(org, "org_id")
    ))
    .bind(org)
    .fetch_optional(&mut *tx)
    .await?;
    let Head {
        last_seq,
        last_hash,
        pruned_seq,
        pruned_hash,
    } = head.unwrap_or_default();
    let unsealed: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM audit_log WHERE {} AND seq IS NULL",
        org_is(org, "org_id")
    ))
    .bind(org)
    .fetch_one(&mut *tx)
    .await?;
    let sql = format!(
        "SELECT seq, prev_hash, hash, {FIELDS} FROM audit_log
          WHERE {} AND seq > $2 AND seq <= $3 ORDER BY seq",
        org_is(org, "org_id")
    );
    let mut expected = pruned_seq + 1;
    let mut prev = pruned_hash.unwrap_or_else(|| GENESIS.to_vec());
    let mut checked = 0u64;
    let mut broken = None;
    {
        let mut rows = sqlx::query_as::<_, Link>(&sql)
            .bind(org)
            .bind(pruned_seq)
            .bind(last_seq)
            .fetch(&mut *tx);
        while let Some(link) = rows.try_next().await? {
            if let Some(b) = check_link(&link, expected, &prev) {
                broken = Some(b);
                break;
            }
            prev = link.hash.unwrap_or_default();
            expected += 1;
            checked += 1;
        }
    }
    if broken.is_none() && expected <= last_seq {
        broken = Some(Break::Missing {
            from: expected,
            to: last_seq,
        });
    }
    if broken.is_none() {
        let beyond: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT min(seq) FROM audit_log WHERE {} AND seq > $2",
            org_is(org, "org_id")
        ))
        .bind(org)
        .bind(last_seq)
        .fetch_one(&mut *tx)
        .await?;
        broken = beyond.map(|seq| Break::BeyondHead {
            seq,
            head: last_seq,
        });
    }
    tx.commit().await?;
    Ok(Verdict {
        org,
        rows: checked,
        head_seq: last_seq,
        head_hash: last_hash.as_deref().map(hex),
        pruned: pruned_seq,
        unsealed,
        broken,
    })
}

/// The least and most days any chain is kept (the trigger on `audit_log`
/// refuses to delete rows younger than the least).
const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 180..=36_500;

/// Deletes each chain's sealed rows older than its organisation's retention
/// (`platform_days` for the platform's own rows), oldest first, a batch per
/// transaction, after checking that they still link up (rows tampered with
/// are kept, and the chain is not pruned, so that `verify` can name them).
/// Notes where the pruned part ended. Returns the rows deleted.
pub async fn prune(db: &PgPool, platform_days: i64) -> Result<u64, sqlx::Error> {
    // A shorter retention set in the last 30 days waits (see the migration).
    let chains: Vec<(Option<Uuid>, i64)> = sqlx::query_as(
        "SELECT c.org_id,
                (CASE WHEN o.id IS NULL THEN $1
                      WHEN o.audit_retention_held_until > now()
                      THEN greatest(o.audit_retention_days, o.audit_retention_held_days)
                      ELSE o.audit_retention_days END)::bigint
           FROM audit_chains c LEFT JOIN organisations o ON o.id = c.org_id",
    )
    .bind(platform_days)
    .fetch_all(db)
    .await?;
    let mut deleted = 0;
    for (org, days) in chains {
        let days = days.clamp(*RETENTION_DAYS.start(), *RETENTION_DAYS.end());
        loop {
            match prune_batch(db, org, days).await {
                Ok(0) => break,
                Ok(n) => deleted += n,
                Err(e) => {
                    tracing::error!(error = %e, org = ?org, "pruning an audit chain failed; it is tried again later");
                    break;
                }
            }
        }
    }
    Ok(deleted)
}

async fn prune_batch(db: &PgPool, org: Option<Uuid>, days: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let head: Head = sqlx::query_as(&format!(
        "SELECT last_seq, last_hash, pruned_seq, pruned_hash FROM audit_chains WHERE {} FOR UPDATE",
        org_is(org, "org_id")
    ))
    .bind(org)
    .fetch_one(&mut *tx)
    .await?;
    let age = "at < now() - make_interval(days => $2::int)";
    // Most runs find the chain's first row young: one row read.
    let first_old: Option<bool> = sqlx::query_scalar(&format!(
        "SELECT {age} FROM audit_log WHERE {} AND seq = $3",
        org_is(org, "org_id")
    ))
    .bind(org)
    .bind(days as i32)
    .bind(head.pruned_seq + 1)
    .fetch_optional(&mut *tx)
    .await?;
    if first_old != Some(true) {
        return Ok(0);
    }
    // The chain's oldest rows, in chain order: the run of them older than
    // the retention period goes (a row sealed after a newer one waits for it).
    let links: Vec<Link> = sqlx::query_as(&format!(
        "SELECT seq, prev_hash, hash, {FIELDS}, {age} AS old FROM audit_log
          WHERE {} AND seq > $3 AND seq <= $4 ORDER BY seq LIMIT $5",
        org_is(org, "org_id")
    ))
    .bind(org)
    .bind(days as i32)
    .bind(head.pruned_seq)
    .bind(head.last_seq)
    .bind(BATCH * 10)
    .fetch_all(&mut *tx)
    .await?;
    let (mut upto, mut prev) = (
        head.pruned_seq,
        head.pruned_hash.unwrap_or_else(|| GENESIS.to_vec()),
    );
    for link in links.iter().take_while(|l| l.old) {
        if let Some(b) = check_link(link, upto + 1, &prev) {
            tracing::error!(org = ?org, "not pruning an audit chain that is broken: {b}; run `orgdesk audit verify`");
            return Ok(0);
        }
        upto = link.seq;
        prev = link.hash.clone().unwrap_or_default();
    }
    if upto == head.pruned_seq {
        return Ok(0);
    }
    sqlx::query("SET LOCAL orgdesk.audit_prune = 'on'")
        .execute(&mut *tx)
        .await?;
    let n = sqlx::query(&format!(
        "DELETE FROM audit_log WHERE {} AND seq > $2 AND seq <= $3",
        org_is(org, "org_id")
    ))
    .bind(org)
    .bind(head.pruned_seq)
    .bind(upto)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(&format!(
        "UPDATE audit_chains SET pruned_seq = $2, pruned_hash = $3 WHERE {}",
        org_is(org, "org_id")
    ))
    .bind(org)
    .bind(upto)
    .bind(&prev)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Sealed {
        Sealed {
            id: 7,
            org_id: Some(Uuid::nil()),
            at_micros: 1_764_000_000_000_000,
            actor_id: None,
            actor_kind: Some("member".into()),
            action: "member.updated".into(),
            target_type: Some("account".into()),
            target_id: Some("x".into()),
            ip: Some("127.0.0.1/32".into()),
            user_agent: None,
            details: "{}".into(),
        }
    }

    #[test]
    fn every_field_and_the_link_count() {
        let base = digest(&GENESIS, 1, &row());
        assert_eq!(base, digest(&GENESIS, 1, &row()));
        assert_ne!(base, digest(&[1; 32], 1, &row()));
        assert_ne!(base, digest(&GENESIS, 2, &row()));
        let changes: [fn(&mut Sealed); 6] = [
            |r| r.details = "{\"a\": 1}".into(),
            |r| r.action = "member.created".into(),
            |r| r.at_micros += 1,
            |r| r.ip = None,
            // An empty value differs from a missing one.
            |r| r.user_agent = Some(String::new()),
            |r| r.actor_id = Some(Uuid::nil()),
        ];
        for change in changes {
            let mut r = row();
            change(&mut r);
            assert_ne!(base, digest(&GENESIS, 1, &r));
        }
    }
}
