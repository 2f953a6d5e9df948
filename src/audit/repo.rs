//! Writing and reading audit rows.
use super::{Action, AuditEntry, AuditPage, AuditQuery, MAX_FILTER_CHARS, PAGE_SIZE};
use crate::error::{AppError, Code, FieldErrors};
use crate::server::{sql::like_escape, time::Tz};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, types::ipnetwork::IpNetwork};
use std::{collections::HashMap, net::IpAddr};
use uuid::Uuid;

/// Who did something, from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub id: Option<Uuid>,
    /// `operator`, `member`, `system` or `anonymous`.
    pub kind: &'static str,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// The server itself (start-up, command line).
    pub fn system() -> Self {
        Actor {
            kind: "system",
            ..Actor::default()
        }
    }
}

/// One audit row to write. `details` must never hold a secret.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub org_id: Option<Uuid>,
    pub action: super::Action,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn new(action: super::Action) -> Self {
        Event {
            org_id: None,
            action,
            target_type: None,
            target_id: None,
            details: serde_json::json!({}),
        }
    }

    pub fn org(mut self, org_id: Option<Uuid>) -> Self {
        self.org_id = org_id;
        self
    }

    pub fn target_account(mut self, id: Uuid) -> Self {
        self.target_type = Some("account");
        self.target_id = Some(id.to_string());
        self
    }

    pub fn target(mut self, kind: &'a str, id: String) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends a row, inside the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    // User agents are client-controlled; keep them to a sane length.
    let user_agent = actor
        .user_agent
        .as_deref()
        .map(|ua| ua.chars().take(256).collect::<String>());
    sqlx::query!(
        r#"INSERT INTO audit_log (org_id, actor_id, actor_kind, action, target_type, target_id, ip, user_agent, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        event.org_id,
        actor.id,
        actor.kind,
        event.action.as_str(),
        event.target_type,
        event.target_id,
        actor.ip.map(IpNetwork::from),
        user_agent,
        event.details
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An [`AuditQuery`] resolved against the database: who and what its words
/// name. `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The organisation's rows, or (None) the platform's own.
    pub org: Option<Uuid>,
    pub actors: Option<Vec<Uuid>>,
    pub action: Option<String>,
    /// `(target_type, target_id)` pairs.
    pub targets: Option<Vec<(String, String)>>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
}

impl Filter {
    /// Nothing can match (a name that names no one).
    pub fn is_void(&self) -> bool {
        self.actors.as_ref().is_some_and(Vec::is_empty)
            || self.targets.as_ref().is_some_and(Vec::is_empty)
    }
}

/// How many people, departments or groups one word may stand for.
const MAX_NAMED: i64 = 50;

/// The kinds of target an id may be, when the reader types one.
const TARGET_TYPES: [&str; 5] = [
    "account",
    "department",
    "admin_group",
    "organisation",
    "registration",
];

/// Checks the query and resolves its words; a field that is wrong is named.
pub async fn resolve(
    db: &PgPool,
    org: Option<Uuid>,
    query: &AuditQuery,
    zone: Tz,
) -> Result<Filter, AppError> {
    let mut errors = FieldErrors::new();
    for field in AuditQuery::FIELDS {
        if query.get(field).chars().count() > MAX_FILTER_CHARS {
            errors.push(field, Code::ValidationTooLong);
        }
    }
    errors.finish()?;
    let day = |field: &str| -> Result<Option<NaiveDate>, AppError> {
        let text = query.get(field);
        if text.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=9999).contains(&d.year()))
            .map(Some)
            .ok_or_else(|| AppError::field(field, Code::AuditDateFormat))
    };
    let (from_day, to_day) = (day("from")?, day("to")?);
    if let (Some(f), Some(t)) = (from_day, to_day)
        && f > t
    {
        return Err(AppError::field("to", Code::AuditDateOrder));
    }
    // The day's first instant in the zone: midnight, or where a clock that
    // jumps at midnight (Cairo, Santiago) lands after the gap.
    let midnight = |d: NaiveDate| {
        (0..=3)
            .filter_map(|h| d.and_hms_opt(h, 0, 0))
            .find_map(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let action = match query.action.as_str() {
        "" => None,
        a => match Action::parse(a) {
            Some(action) => Some(action.as_str().to_owned()),
            None => return Err(AppError::field("action", Code::ValidationChoice)),
        },
    };
    let actors = match query.actor.as_str() {
        "" => None,
        words => Some(people(db, org, words).await?),
    };
    let targets = match query.target.as_str() {
        "" => None,
        words => Some(targets(db, org, words).await?),
    };
    Ok(Filter {
        org,
        actors,
        action,
        targets,
        from: from_day.and_then(midnight),
        until: to_day.and_then(|d| d.succ_opt()).and_then(midnight),
    })
}

/// The people `words` names: members of the organisation by any word the
/// contacts search knows, or operators by name or email.
async fn people(db: &PgPool, org: Option<Uuid>, words: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    let pattern = format!("%{}%", like_escape(&words.to_lowercase()));
    match org {
        Some(org) => {
            sqlx::query_scalar!(
                "SELECT id FROM accounts
                  WHERE kind = 'member' AND org_id = $1 AND search_text LIKE $2
                  ORDER BY name_pinyin, id LIMIT $3",
                org,
                pattern,
                MAX_NAMED
            )
            .fetch_all(db)
            .await
        }
        None => {
            sqlx::query_scalar!(
                "SELECT id FROM accounts
                  WHERE kind = 'operator'
                    AND (lower(name) LIKE $1 OR lower(coalesce(email, '')) LIKE $1)
                  ORDER BY name, id LIMIT $2",
                pattern,
                MAX_NAMED
            )
            .fetch_all(db)
            .await
        }
    }
}

/// What `words` names as a target: people, departments, admin groups and
/// (for the platform) organisations by name, or anything by its id.
async fn targets(
    db: &PgPool,
    org: Option<Uuid>,
    words: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut out: Vec<(String, String)> = Vec::new();
    let pair = |kind: &str, id: Uuid| (kind.to_owned(), id.to_string());
    out.extend(
        people(db, org, words)
            .await?
            .into_iter()
            .map(|id| pair("account", id)),
    );
    let pattern = format!("%{}%", like_escape(&words.to_lowercase()));
    match org {
        Some(org) => {
            let departments = sqlx::query_scalar!(
                "SELECT id FROM departments WHERE org_id = $1 AND lower(name) LIKE $2 LIMIT $3",
                org,
                pattern,
                MAX_NAMED
            )
            .fetch_all(db)
            .await?;
            out.extend(departments.into_iter().map(|id| pair("department", id)));
            let groups = sqlx::query_scalar!(
                "SELECT id FROM admin_groups WHERE org_id = $1 AND lower(name) LIKE $2 LIMIT $3",
                org,
                pattern,
                MAX_NAMED
            )
            .fetch_all(db)
            .await?;
            out.extend(groups.into_iter().map(|id| pair("admin_group", id)));
        }
        None => {
            let orgs = sqlx::query_scalar!(
                "SELECT id FROM organisations WHERE lower(name) LIKE $1 LIMIT $2",
                pattern,
                MAX_NAMED
            )
            .fetch_all(db)
            .await?;
            out.extend(orgs.into_iter().map(|id| pair("organisation", id)));
        }
    }
    if let Ok(id) = Uuid::parse_str(words.trim()) {
        // The kinds that hold this id today; an id no longer held (a group
        // deleted, an application) may be any of them.
        let held: Vec<String> = sqlx::query_scalar(
            "SELECT 'account' FROM accounts WHERE id = $1
             UNION ALL SELECT 'department' FROM departments WHERE id = $1
             UNION ALL SELECT 'admin_group' FROM admin_groups WHERE id = $1
             UNION ALL SELECT 'organisation' FROM organisations WHERE id = $1
             UNION ALL SELECT 'registration' FROM registrations WHERE id = $1",
        )
        .bind(id)
        .fetch_all(db)
        .await?;
        if held.is_empty() {
            out.extend(TARGET_TYPES.iter().map(|t| pair(t, id)));
        } else {
            out.extend(held.iter().map(|t| pair(t, id)));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The rows of `filter`, newest first, after the cursor, at most `limit`.
fn select<'a>(
    filter: &'a Filter,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> QueryBuilder<'a, Postgres> {
    // Several people or targets (a name many share): the newest `limit` of
    // each, read in index order one by one, then merged. As one set, the
    // planner either sorts every row of all of them or walks the whole log
    // in time order hoping to meet them early (a second at 10 million rows).
    let (actors, targets) = (filter.actors.as_deref(), filter.targets.as_deref());
    let (by_actor, by_target) = match (actors, targets) {
        (Some(a), _) if a.len() > 1 => (true, false),
        (_, Some(t)) if t.len() > 1 => (false, true),
        _ => (false, false),
    };
    let mut q = QueryBuilder::new("");
    if by_actor {
        q.push("SELECT x.* FROM unnest(")
            .push_bind(actors.unwrap_or_default())
            .push("::uuid[]) AS k(actor) CROSS JOIN LATERAL (");
    } else if by_target {
        let targets = targets.unwrap_or_default();
        let kinds: Vec<&str> = targets.iter().map(|(k, _)| k.as_str()).collect();
        let ids: Vec<&str> = targets.iter().map(|(_, id)| id.as_str()).collect();
        q.push("SELECT x.* FROM unnest(")
            .push_bind(kinds)
            .push("::text[], ")
            .push_bind(ids)
            .push("::text[]) AS k(kind, target) CROSS JOIN LATERAL (");
    }
    q.push(
        "SELECT l.id, l.at, l.action, l.actor_kind, a.name AS actor_name, l.target_type, \
         l.target_id, host(l.ip) AS ip, l.user_agent, l.details::text AS details \
         FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id WHERE ",
    );
    // Spelled out, not `IS NOT DISTINCT FROM`, which no index serves.
    match filter.org {
        Some(org) => q.push("l.org_id = ").push_bind(org),
        None => q.push("l.org_id IS NULL"),
    };
    match actors {
        _ if by_actor => {
            q.push(" AND l.actor_id = k.actor");
        }
        Some([one]) => {
            q.push(" AND l.actor_id = ").push_bind(*one);
        }
        // Several, with several targets too: the targets lead.
        Some(many) => {
            q.push(" AND l.actor_id = ANY(").push_bind(many).push(")");
        }
        None => {}
    }
    if let Some(action) = &filter.action {
        q.push(" AND l.action = ").push_bind(action);
    }
    match targets {
        _ if by_target => {
            q.push(" AND l.target_type = k.kind AND l.target_id = k.target");
        }
        Some([(kind, id)]) => {
            q.push(" AND l.target_type = ")
                .push_bind(kind)
                .push(" AND l.target_id = ")
                .push_bind(id);
        }
        Some(many) => {
            q.push(" AND (l.target_type, l.target_id) IN (");
            let mut list = q.separated(", ");
            for (kind, id) in many {
                list.push("(")
                    .push_bind_unseparated(kind)
                    .push_unseparated(", ")
                    .push_bind_unseparated(id)
                    .push_unseparated(")");
            }
            q.push(")");
        }
        None => {}
    }
    if let Some(from) = filter.from {
        q.push(" AND l.at >= ").push_bind(from);
    }
    if let Some(until) = filter.until {
        q.push(" AND l.at < ").push_bind(until);
    }
    if let Some((at, id)) = after {
        q.push(" AND (l.at, l.id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY l.at DESC, l.id DESC LIMIT ")
        .push_bind(limit);
    if by_actor || by_target {
        q.push(") x ORDER BY x.at DESC, x.id DESC LIMIT ")
            .push_bind(limit);
    }
    q
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    action: String,
    actor_kind: Option<String>,
    actor_name: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    details: String,
}

/// The names today of the targets among `rows`, by `(type, id)`: for an
/// organisation's rows, only its own people, departments and groups.
async fn target_names(
    db: &PgPool,
    org: Option<Uuid>,
    rows: &[Row],
) -> Result<HashMap<(String, String), String>, sqlx::Error> {
    let ids = |kind: &str| -> Vec<Uuid> {
        rows.iter()
            .filter(|r| r.target_type.as_deref() == Some(kind))
            .filter_map(|r| {
                r.target_id
                    .as_deref()
                    .and_then(|id| Uuid::parse_str(id).ok())
            })
            .collect()
    };
    let mut names = HashMap::new();
    for (kind, sql) in [
        (
            "account",
            "SELECT id, name FROM accounts WHERE id = ANY($1) AND ($2::uuid IS NULL OR org_id = $2)",
        ),
        (
            "department",
            "SELECT id, name FROM departments WHERE id = ANY($1) AND ($2::uuid IS NULL OR org_id = $2)",
        ),
        (
            "admin_group",
            "SELECT id, name FROM admin_groups WHERE id = ANY($1) AND ($2::uuid IS NULL OR org_id = $2)",
        ),
        (
            "organisation",
            "SELECT id, name FROM organisations WHERE id = ANY($1) AND ($2::uuid IS NULL OR id = $2)",
        ),
    ] {
        let wanted = ids(kind);
        if wanted.is_empty() {
            continue;
        }
        let found: Vec<(Uuid, String)> = sqlx::query_as(sql)
            .bind(&wanted)
            .bind(org)
            .fetch_all(db)
            .await?;
        for (id, name) in found {
            names.insert((kind.to_owned(), id.to_string()), name);
        }
    }
    Ok(names)
}

fn entries(rows: Vec<Row>, names: &HashMap<(String, String), String>, zone: Tz) -> Vec<AuditEntry> {
    rows.into_iter()
        .map(|r| {
            let target_name = match (&r.target_type, &r.target_id) {
                (Some(t), Some(id)) => names.get(&(t.clone(), id.clone())).cloned(),
                _ => None,
            };
            AuditEntry {
                id: r.id,
                at: r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                at_local: crate::server::time::local(r.at, zone),
                action: r.action,
                actor_name: r.actor_name,
                actor_kind: r.actor_kind,
                target: match (&r.target_type, &r.target_id) {
                    (Some(t), Some(id)) => Some(format!("{t}:{id}")),
                    _ => None,
                },
                target_type: r.target_type,
                target_name,
                ip: r.ip,
                user_agent: r.user_agent,
                details: r.details,
            }
        })
        .collect()
}

/// A keyset cursor: the time (microseconds) and id of the last row shown.
fn cursor(at: DateTime<Utc>, id: i64) -> String {
    format!("{}_{id}", at.timestamp_micros())
}

fn parse_cursor(s: &str) -> Option<(DateTime<Utc>, i64)> {
    let (micros, id) = s.split_once('_')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at, id.parse().ok()?))
}

/// A page of rows, newest first, older than `before` (a cursor from the
/// previous page; one that does not parse starts from the newest).
pub async fn list(
    db: &PgPool,
    filter: &Filter,
    before: Option<&str>,
    zone: Tz,
) -> Result<AuditPage, sqlx::Error> {
    if filter.is_void() {
        return Ok(AuditPage {
            entries: Vec::new(),
            next_before: None,
        });
    }
    let after = before.and_then(parse_cursor);
    let mut rows: Vec<Row> = select(filter, after, PAGE_SIZE + 1)
        .build_query_as()
        .fetch_all(db)
        .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next_before = if more {
        rows.last().map(|r| cursor(r.at, r.id))
    } else {
        None
    };
    let names = target_names(db, filter.org, &rows).await?;
    Ok(AuditPage {
        entries: entries(rows, &names, zone),
        next_before,
    })
}

/// Every row of `filter`, newest first, at most `limit`, read in batches.
pub async fn all(
    db: &PgPool,
    filter: &Filter,
    limit: usize,
    zone: Tz,
    mut each: impl FnMut(AuditEntry) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    if filter.is_void() {
        return Ok(0);
    }
    const BATCH: usize = 2_000;
    let (mut after, mut seen) = (None, 0);
    while seen < limit {
        let rows: Vec<Row> = select(filter, after, BATCH.min(limit - seen) as i64)
            .build_query_as()
            .fetch_all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.at, last.id));
        let got = rows.len();
        let names = target_names(db, filter.org, &rows).await?;
        for entry in entries(rows, &names, zone) {
            each(entry)?;
        }
        seen += got;
        if got < BATCH {
            break;
        }
    }
    Ok(seen)
}
