//! The first operator's setup, and an operator resetting an account's second factor.
use super::super::guard::{self, RequestMeta};
use super::super::repo::{self, NewAccount};
use super::super::session::{self};
use super::super::setup::token_hash;
use super::super::{AccountKind, Stage};
use super::common::*;
use super::imp::*;
use super::*;
use crate::audit::repo::{Event, record};
use crate::domain::{Email, Password};
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::app_state;
use serde_json::json;
use uuid::Uuid;

pub async fn setup_status(token: String) -> Result<bool, AppError> {
    let state = app_state()?;
    setup_open(&state.db, &token).await
}

/// Whether `token` can still create the first operator: no operator
/// exists, and the token is a setup link's, unused and unexpired.
pub(super) async fn setup_open(db: &sqlx::PgPool, token: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE kind = 'operator')
              AND EXISTS (
                  SELECT 1 FROM setup_tokens
                  WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
              ) AS "open!""#,
        token_hash(token)
    )
    .fetch_one(db)
    .await?)
}

pub async fn setup_operator(
    token: String,
    name: String,
    email: String,
    password: String,
) -> Result<NextStep, AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    let mut errors = FieldErrors::new();
    let name = name.trim().to_owned();
    if name.is_empty() {
        errors.push("name", Code::ValidationRequired);
    } else if name.chars().count() > 64 {
        errors.push("name", Code::ValidationTooLong);
    }
    let email = errors.check("email", Email::parse(&email));
    let password = errors.check("password", Password::parse(&password));
    errors.finish()?;
    let (email, password) = (email.expect("checked"), password.expect("checked"));
    // A stranger's guess at the token costs one lookup, never a hash.
    if !setup_open(&state.db, &token).await? {
        return Err(AppError::field("token", Code::AuthSetupToken));
    }
    let hash = state
        .hasher
        .hash(password.expose().to_owned())
        .await
        .map_err(AppError::from)?;

    let mut tx = state.db.begin().await?;
    // One setup at a time; the first one to finish closes the door.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('orgdesk.operator_setup'))")
        .execute(&mut *tx)
        .await?;
    let open = sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE kind = 'operator') AS "open!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    let used = sqlx::query!(
        "UPDATE setup_tokens SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()",
        token_hash(&token)
    )
    .execute(&mut *tx)
    .await?;
    if !open || used.rows_affected() != 1 {
        return Err(AppError::field("token", Code::AuthSetupToken));
    }
    let id = repo::create(
        &mut tx,
        &NewAccount {
            kind: AccountKind::Operator,
            org_id: None,
            role: None,
            name: &name,
            email: Some(email.as_str()),
            mobile: None,
            password_hash: &hash,
        },
    )
    .await?;
    record(
        &mut tx,
        &meta.actor(Some(id), "operator"),
        &Event::new("operator.created")
            .target_account(id)
            .details(json!({ "via": "setup_link" })),
    )
    .await?;
    tx.commit().await?;
    // Signed in, but operators always need a second factor first.
    session::begin(
        &session,
        id,
        AccountKind::Operator,
        0,
        Stage::MustEnrol,
        None,
    )
    .await
    .map_err(AppError::from)?;
    let step = next(Stage::MustEnrol, AccountKind::Operator);
    redirect_to(&step.path);
    Ok(step)
}

pub async fn operator_reset_second_factor(
    account_id: String,
    reason: String,
    password: String,
    code: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let p = guard::require_operator().await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field("reason", Code::ValidationRequired));
    }
    // Refused, not cut: the audit log keeps what the operator wrote.
    if reason.chars().count() > 500 {
        return Err(AppError::field("reason", Code::ValidationTooLong));
    }
    let id: Uuid = account_id.parse().map_err(|_| AppError::not_found())?;
    let Some(target) = repo::find_by_id(&state.db, id).await? else {
        return Err(AppError::not_found());
    };
    if target.kind != AccountKind::Member {
        return Err(AppError::forbidden());
    }
    // Removing someone's second factor hands their account to whoever
    // holds the password: the operator proves it is them, now.
    reauthenticate(&state, &meta, &p, &password, &code).await?;
    let mut tx = state.db.begin().await?;
    repo::clear_totp(&mut tx, id).await?;
    record(
        &mut tx,
        &meta.actor(Some(p.id()), "operator"),
        &Event::new("totp.reset_by_operator")
            .org(target.org_id)
            .target_account(id)
            .details(json!({ "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
