//! The signed-in account: who it is, its notices, its security overview, and re-authentication.
use super::super::Stage;
use super::super::guard::{self, Principal, RequestMeta};
use super::super::repo::{self, Account};
use super::super::throttle::{self, Key};
use super::common::*;
use super::imp::*;
use super::*;
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::{AppState, app_state};
use serde_json::json;

/// Before the second factor, a session proves only a password: it
/// learns its stage and nothing about the account.
pub async fn security_notice() -> Result<Option<AccountNotice>, AppError> {
    let state = app_state()?;
    let p = guard::require_signed_in().await?;
    let resets_not_sent = repo::resets_not_sent_since_seen(&state.db, p.id()).await?;
    Ok((resets_not_sent > 0).then_some(AccountNotice { resets_not_sent }))
}

pub async fn dismiss_security_notice() -> Result<(), AppError> {
    let state = app_state()?;
    let p = guard::require_signed_in().await?;
    repo::mark_notices_seen(&state.db, p.id()).await?;
    Ok(())
}

pub async fn who_am_i() -> Result<Option<CurrentAccount>, AppError> {
    Ok(guard::current().await?.map(|p| match p.auth.stage {
        Stage::SecondFactor => CurrentAccount {
            administrator: false,
            id: String::new(),
            kind: p.account.kind,
            name: String::new(),
            email: None,
            mobile: None,
            org_id: None,
            org_name: None,
            role: None,
            stage: Stage::SecondFactor,
            totp_enabled: true,
            password_expired: false,
            password_min_chars: 0,
        },
        _ => p.current(),
    }))
}

pub async fn get_security_overview() -> Result<SecurityOverview, AppError> {
    let state = app_state()?;
    let p = guard::require_stage(&[Stage::SignedIn, Stage::MustEnrol]).await?;
    let left = repo::recovery_codes_left(&state.db, p.id()).await?;
    Ok(SecurityOverview {
        totp_enabled: p.account.totp_enabled,
        totp_required: p.account.two_factor_required(),
        recovery_codes_left: left,
        password_changed_at: p
            .account
            .password_changed_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        account: p.current(),
    })
}

/// Asks again for the password, and the second factor when enrolled,
/// before a sensitive change. Called before the change's transaction
/// begins: no pool connection is held while the password waits for a
/// hashing slot, and the second-factor code is used up in a short
/// transaction of its own (it stays used even if the change then fails).
pub(crate) async fn reauthenticate(
    state: &AppState,
    meta: &RequestMeta,
    p: &Principal,
    password: &str,
    code: &str,
) -> Result<Option<&'static str>, AppError> {
    let account = &p.account;
    let mut errors = FieldErrors::new();
    if password.is_empty() {
        errors.push("password", Code::PasswordRequired);
    }
    if account.totp_enabled && code.trim().is_empty() {
        errors.push("code", Code::ValidationRequired);
    }
    errors.finish()?;
    let password_key = Key::Account(account.id);
    let code_key = Key::SecondFactor(account.id);
    let mut conn = state.db.acquire().await?;
    if account.totp_enabled {
        check_throttle(&mut conn, std::slice::from_ref(&code_key)).await?;
    }
    let failure = begin_attempt(&mut conn, &password_key, &state.auth.account).await?;
    drop(conn);
    let ok = match state
        .hasher
        .verify(account.password_hash.clone(), password.to_owned())
        .await
    {
        Ok(ok) => ok,
        Err(e) => {
            throttle::forgive(&state.db, &password_key).await?;
            return Err(e.into());
        }
    };
    if !ok {
        let mut fail = state.db.begin().await?;
        record_own(
            &mut fail,
            meta,
            account,
            crate::audit::Action::ReauthFailed,
            json!({ "factor": "password" }),
        )
        .await?;
        fail.commit().await?;
        return Err(if failure.locked_now {
            AppError::locked(state.auth.account.lock_for.as_secs())
        } else {
            AppError::field("password", Code::AuthWrongPassword)
        });
    }
    throttle::reset(&state.db, &password_key).await?;
    if !account.totp_enabled {
        return Ok(None);
    }
    let mut conn = state.db.acquire().await?;
    let attempt = begin_attempt(&mut conn, &code_key, &state.auth.second_factor).await?;
    drop(conn);
    let mut tx = state.db.begin().await?;
    match use_second_factor(&mut tx, &state.second_factor, account, code).await? {
        Ok(factor) => {
            throttle::reset(&mut *tx, &code_key).await?;
            tx.commit().await?;
            Ok(Some(factor))
        }
        Err(problem) => {
            Err(second_factor_failed(state, meta, account, problem, "reauth", attempt).await?)
        }
    }
}

/// The sessions of `account` that still work, for its owner or an administrator.
pub(crate) async fn sessions_of(
    state: &AppState,
    account: &Account,
    current: Option<uuid::Uuid>,
) -> Result<Vec<crate::auth::SessionInfo>, AppError> {
    let zone = match account.org_id {
        Some(org) => crate::organisations::time_zone(&state.db, org).await?,
        None => state.time_zone,
    };
    let policy = &account.policy;
    let idle = policy
        .session_idle_minutes
        .map(|m| std::time::Duration::from_secs(m.max(1) as u64 * 60))
        .map_or(state.auth.session_idle, |d| d.min(state.auth.session_idle));
    let absolute = policy
        .session_absolute_hours
        .map(|h| std::time::Duration::from_secs(h.max(1) as u64 * 3600))
        .map_or(state.auth.session_absolute, |d| {
            d.min(state.auth.session_absolute)
        });
    Ok(crate::auth::devices::list(&state.db, account, idle, absolute, current, zone).await?)
}

pub async fn my_sessions() -> Result<Vec<crate::auth::SessionInfo>, AppError> {
    let state = app_state()?;
    let p = guard::require_signed_in().await?;
    sessions_of(&state, &p.account, p.auth.sid).await
}

pub async fn end_my_session(raw: String) -> Result<(), AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let p = guard::require_signed_in().await?;
    let id = uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())?;
    if Some(id) == p.auth.sid {
        // This one is ended by signing out.
        return Err(AppError::field("id", Code::SessionCurrent));
    }
    let mut tx = state.db.begin().await?;
    if !crate::auth::devices::end(&mut *tx, p.id(), id).await? {
        return Err(AppError::not_found());
    }
    record_own(
        &mut tx,
        &meta,
        &p.account,
        crate::audit::Action::SessionEnded,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
