//! The first operator's setup, and an operator resetting an account's second factor.
use super::super::guard::{self, RequestMeta};
use super::super::repo::{self, NewAccount};
use super::super::session::{self};
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
    Ok(super::super::setup::is_open(&state.db, &token).await?)
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
    if !super::super::setup::is_open(&state.db, &token).await? {
        return Err(AppError::field("token", Code::AuthSetupToken));
    }
    let hash = state
        .hasher
        .hash(password.expose().to_owned())
        .await
        .map_err(AppError::from)?;

    let mut tx = state.db.begin().await?;
    if !super::super::setup::claim(&mut tx, &token).await? {
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
        &Event::new(crate::audit::Action::OperatorCreated)
            .target_account(id)
            .details(json!({ "via": "setup_link" })),
    )
    .await?;
    let account = repo::find_by_id(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("the operator just created is gone"))?;
    let sid = super::super::devices::start(&mut *tx, &account, &meta).await?;
    tx.commit().await?;
    // Signed in, but operators always need a second factor first.
    session::begin(
        &session,
        id,
        AccountKind::Operator,
        0,
        Stage::MustEnrol,
        None,
        sid,
    )
    .await
    .map_err(AppError::from)?;
    let step = next(Stage::MustEnrol, AccountKind::Operator, true);
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
    let p = crate::access::require_operator(crate::access::Permission::ViewApplicationData).await?;
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
        &Event::new(crate::audit::Action::TotpResetByOperator)
            .org(target.org_id)
            .target_account(id)
            .details(json!({ "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
