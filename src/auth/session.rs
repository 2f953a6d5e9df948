//! What the session remembers about sign-in, and the steps that change it.
//!
//! The session id is replaced at every step (password accepted, second
//! factor accepted), so an id seen before sign-in is worthless after it.
use super::{AccountKind, Stage};
use serde::{Deserialize, Serialize};
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

pub const AUTH_KEY: &str = "auth";

/// Stored in the session under [`AUTH_KEY`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthSession {
    pub account_id: Uuid,
    pub kind: AccountKind,
    pub stage: Stage,
    /// The account's session epoch at sign-in; bumping it ends the session.
    pub epoch: i32,
    /// Unix seconds.
    pub signed_in_at: i64,
    /// Unix seconds of the last request that counted as activity.
    pub last_seen: i64,
    /// Where to go once fully signed in (the page that asked for sign-in).
    #[serde(default)]
    pub next: Option<String>,
    /// This sign-in's row of `account_sessions` (`None` for sessions begun
    /// before sessions were listed).
    #[serde(default)]
    pub sid: Option<Uuid>,
}

pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[derive(Debug, thiserror::Error)]
#[error("session store: {0}")]
pub struct SessionError(#[from] tower_sessions::session::Error);

impl From<SessionError> for crate::error::AppError {
    fn from(e: SessionError) -> Self {
        crate::error::AppError::internal(e)
    }
}

/// Starts a sign-in at `stage` under a new session id; `sid` is its row of
/// `account_sessions` ([`super::devices::start`]).
pub async fn begin(
    session: &Session,
    account_id: Uuid,
    kind: AccountKind,
    epoch: i32,
    stage: Stage,
    next: Option<String>,
    sid: Uuid,
) -> Result<(), SessionError> {
    session.cycle_id().await?;
    let now = unix_now();
    session
        .insert(
            AUTH_KEY,
            AuthSession {
                account_id,
                kind,
                stage,
                epoch,
                signed_in_at: now,
                last_seen: now,
                next,
                sid: Some(sid),
            },
        )
        .await?;
    Ok(())
}

/// Moves the sign-in on to `stage` under a new session id.
pub async fn advance(
    session: &Session,
    mut auth: AuthSession,
    stage: Stage,
) -> Result<(), SessionError> {
    session.cycle_id().await?;
    auth.stage = stage;
    auth.last_seen = unix_now();
    session.insert(AUTH_KEY, auth).await?;
    Ok(())
}

/// Keeps this session alive after the account's epoch was bumped on
/// purpose (its row was carried over in the same transaction,
/// [`super::devices::carry`]).
pub async fn set_epoch(
    session: &Session,
    mut auth: AuthSession,
    epoch: i32,
) -> Result<(), SessionError> {
    auth.epoch = epoch;
    session.insert(AUTH_KEY, auth).await?;
    Ok(())
}

/// The session layer: PostgreSQL store, HttpOnly, SameSite=Lax, and the
/// `__Host-` prefix with `Secure` when served over https.
pub fn layer(
    db: sqlx::PgPool,
    secure: bool,
    idle: std::time::Duration,
) -> SessionManagerLayer<PostgresStore> {
    let name = if secure {
        "__Host-orgdesk_session"
    } else {
        "orgdesk_session"
    };
    let idle = time::Duration::seconds(idle.as_secs().min(i64::MAX as u64) as i64);
    SessionManagerLayer::new(PostgresStore::new(db))
        .with_name(name)
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}
