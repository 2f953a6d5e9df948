//! Department queries. Every function takes the caller's organisation and
//! only ever reads or writes that organisation's rows.
mod departments;
pub mod employees;
pub mod members;
mod tree;
pub use departments::*;
pub use tree::*;

use crate::error::{AppError, Code, FieldError};
use sqlx::PgConnection;
use uuid::Uuid;

/// The largest uuid: `path || MAX_UUID` sorts after every path below `path`.
pub(super) const MAX_UUID: Uuid = Uuid::max();

/// The upper bound of the subtree at `path` on the path btree: arrays sort
/// element by element, so the subtree is exactly [path, path || MAX_UUID).
pub(crate) fn subtree_upper(path: &[Uuid]) -> Vec<Uuid> {
    let mut upper = Vec::with_capacity(path.len() + 1);
    upper.extend_from_slice(path);
    upper.push(MAX_UUID);
    upper
}

/// Why a contacts change was refused.
#[derive(Debug)]
pub enum ContactsError {
    NotFound,
    /// Changed by someone else since the caller loaded it.
    Changed,
    /// A rule was broken: (field, code).
    Rule(&'static str, Code),
    /// Several rules were broken at once: (field, code) each.
    Rules(Vec<(&'static str, Code)>),
    /// Refused by the permission check made under the lock.
    Refused(AppError),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for ContactsError {
    fn from(e: sqlx::Error) -> Self {
        ContactsError::Database(e)
    }
}

pub type Result<T> = std::result::Result<T, ContactsError>;

impl From<ContactsError> for AppError {
    fn from(e: ContactsError) -> Self {
        match e {
            ContactsError::NotFound => AppError::not_found(),
            ContactsError::Changed => AppError::conflict(),
            ContactsError::Rule(field, code) => AppError::field(field, code),
            ContactsError::Rules(list) => AppError::validation(
                list.into_iter()
                    .map(|(field, code)| FieldError {
                        field: field.into(),
                        code,
                    })
                    .collect(),
            ),
            ContactsError::Refused(e) => e,
            ContactsError::Database(e) => AppError::internal(e),
        }
    }
}

/// Serialises changes to one organisation's contacts for the rest of the
/// transaction, so paths, limits and headcounts are never computed from a
/// state another transaction is changing.
///
/// The wait is bounded by `wait` (PostgreSQL's `lock_timeout`, for the rest
/// of the transaction): past it the lock is not taken and the error's code
/// is `55P03` (see [`is_lock_timeout`]), so one organisation's long change
/// holds another's request, and a pool connection, for seconds at most.
pub async fn lock(
    conn: &mut PgConnection,
    org_id: Uuid,
    wait: std::time::Duration,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT set_config('lock_timeout', $1, true)",
        format!("{}ms", wait.as_millis().max(1))
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('contacts:' || $1::text, 0))",
        org_id.to_string()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

/// Whether `e` is a lock wait that ran past `lock_timeout`.
pub fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "55P03")
}

/// Creates the organisation's root department, named after it.
pub async fn create_root(
    conn: &mut PgConnection,
    org_id: Uuid,
    organisation: &str,
) -> std::result::Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO departments (id, org_id, parent_id, name, path) VALUES ($1, $2, NULL, $3, ARRAY[$1::uuid])",
        id,
        org_id,
        super::rules::root_name(organisation)
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A department row as the changes need it.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub path: Vec<Uuid>,
    pub headcount: i32,
    pub sort_order: i32,
    pub version: i32,
}

impl Department {
    pub fn depth(&self) -> usize {
        self.path.len()
    }
}

pub async fn department(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> std::result::Result<Option<Department>, sqlx::Error> {
    sqlx::query_as!(
        Department,
        r#"SELECT id, parent_id, name, path, headcount, sort_order, version
           FROM departments WHERE org_id = $1 AND id = $2"#,
        org_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await
}

pub async fn root(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> std::result::Result<Option<Department>, sqlx::Error> {
    sqlx::query_as!(
        Department,
        r#"SELECT id, parent_id, name, path, headcount, sort_order, version
           FROM departments WHERE org_id = $1 AND parent_id IS NULL"#,
        org_id
    )
    .fetch_optional(&mut *conn)
    .await
}

/// The tops of a scoped administrator's subtrees, highest first: those
/// under another top are left out (they are shown within it).
pub async fn tops(
    conn: &mut PgConnection,
    org_id: Uuid,
    roots: &[Uuid],
) -> std::result::Result<Vec<Department>, sqlx::Error> {
    let all = sqlx::query_as!(
        Department,
        r#"SELECT id, parent_id, name, path, headcount, sort_order, version
           FROM departments WHERE org_id = $1 AND id = ANY($2)
           ORDER BY cardinality(path), sort_order, id"#,
        org_id,
        roots
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = all.iter().map(|d| d.id).collect();
    Ok(all
        .into_iter()
        .filter(|d| !d.path[..d.depth() - 1].iter().any(|id| ids.contains(id)))
        .collect())
}

/// The department, or `NotFound` when it is not in this organisation.
pub async fn existing(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<Department> {
    department(conn, org_id, id)
        .await?
        .ok_or(ContactsError::NotFound)
}

pub(super) fn check_version(d: &Department, version: i32) -> Result<()> {
    if d.version == version {
        Ok(())
    } else {
        Err(ContactsError::Changed)
    }
}
