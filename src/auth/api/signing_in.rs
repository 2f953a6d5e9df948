//! Sign-in with a password, the second factor, and signing out.
use super::super::guard::{self, RequestMeta};
use super::super::repo::{self, Account, Identifier};
use super::super::session::{self, AUTH_KEY, AuthSession};
use super::super::throttle::{self, Key};
use super::super::totp::{self as otp, SecondFactorKeys};
use super::super::{AccountKind, Stage};
use super::common::*;
use super::*;
use crate::audit::repo::{Event, record};
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::{AppState, app_state};
use serde_json::json;
use sqlx::PgConnection;

pub async fn sign_in(
    kind: String,
    identifier: String,
    password: String,
    next_path: String,
) -> Result<NextStep, AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    let kind = parse_kind(&kind)?;
    let mut errors = FieldErrors::new();
    let ident = match Identifier::parse(&identifier) {
        Ok(ident) => Some(ident),
        Err(code) => {
            errors.push("identifier", code);
            None
        }
    };
    if password.is_empty() {
        errors.push("password", Code::PasswordRequired);
    }
    errors.finish()?;
    let ident = ident.expect("checked above");
    let ident_key = format!("{}:{}", kind.as_str(), ident.key());

    let candidates = repo::find_by_identifier(&state.db, kind, &ident).await?;
    let owner_key = match candidates.first() {
        Some(a) => Key::Account(a.id),
        None => Key::Unknown(&ident_key),
    };
    let settings = &state.auth;
    let mut conn = state.db.acquire().await?;
    // Counted before the check, per IP and per account, each in one
    // statement, so parallel guesses cannot pass either limit.
    let ip_key = meta.ip.map(Key::Ip);
    if let Some(key) = &ip_key {
        begin_attempt(&mut conn, key, &settings.ip).await?;
    }
    let attempt = begin_attempt(&mut conn, &owner_key, &settings.account).await?;
    drop(conn);

    let matched = match verify_password(&state, &candidates, &password).await {
        Ok(matched) => matched,
        Err(e) => {
            // Not looked at, so not held against the account or the client.
            throttle::forgive(&state.db, &owner_key).await?;
            if let Some(key) = &ip_key {
                throttle::forgive(&state.db, key).await?;
            }
            return Err(e.into());
        }
    };

    let mut tx = state.db.begin().await?;
    let Some(account) = matched else {
        let lock_for = settings.account.lock_for;
        let refused =
            record_failure(&mut tx, &meta, kind, candidates.first(), &attempt, lock_for).await?;
        tx.commit().await?;
        return Err(refused);
    };
    if !account.is_active() {
        record_own(
            &mut tx,
            &meta,
            &account,
            crate::audit::Action::SignInRefused,
            json!({ "status": account.status }),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::account_disabled());
    }
    throttle::reset(&mut *tx, &owner_key).await?;
    throttle::reset(&mut *tx, &Key::Account(account.id)).await?;
    if let Some(key) = &ip_key {
        throttle::forgive(&mut *tx, key).await?;
    }
    begin_session(tx, &session, &meta, &account, &next_path).await
}

/// The account among `candidates` (one person in several organisations)
/// whose password `password` is; with no candidate the dummy hash is
/// checked, so that the answer takes as long.
async fn verify_password(
    state: &AppState,
    candidates: &[Account],
    password: &str,
) -> Result<Option<Account>, crate::auth::password::HashError> {
    if candidates.is_empty() {
        state.hasher.verify(None, password.to_owned()).await?;
        return Ok(None);
    }
    for account in candidates {
        if state
            .hasher
            .verify(account.password_hash.clone(), password.to_owned())
            .await?
        {
            return Ok(Some(account.clone()));
        }
    }
    Ok(None)
}

/// A wrong password: audited (and the lock, when this failure set it),
/// and the answer to give, which does not say whether the account exists.
async fn record_failure(
    tx: &mut PgConnection,
    meta: &RequestMeta,
    kind: AccountKind,
    owner: Option<&Account>,
    failure: &throttle::Failure,
    lock_for: std::time::Duration,
) -> Result<AppError, AppError> {
    let mut event = Event::new(crate::audit::Action::SignInFailed)
        .org(owner.and_then(|a| a.org_id))
        .details(json!({
            "factor": "password",
            "kind": kind.as_str(),
            "known_account": owner.is_some(),
        }));
    if let Some(a) = owner {
        event = event.target_account(a.id);
    }
    record(&mut *tx, &meta.actor(None, "anonymous"), &event).await?;
    if failure.locked_now {
        let mut event = Event::new(crate::audit::Action::SignInLocked)
            .org(owner.and_then(|a| a.org_id))
            .details(json!({ "factor": "password", "failures": failure.failures }));
        if let Some(a) = owner {
            event = event.target_account(a.id);
        }
        record(&mut *tx, &meta.actor(None, "system"), &event).await?;
        return Ok(AppError::locked(lock_for.as_secs()));
    }
    Ok(AppError::invalid_credentials())
}

/// The password was right: the session moves to the next stage (the second
/// factor, enrolment, or signed in), under a new id.
pub(crate) async fn begin_session(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    session: &tower_sessions::Session,
    meta: &RequestMeta,
    account: &Account,
    next_path: &str,
) -> Result<NextStep, AppError> {
    let stage = if account.totp_enabled {
        Stage::SecondFactor
    } else if account.two_factor_required() {
        Stage::MustEnrol
    } else {
        Stage::SignedIn
    };
    let action = match stage {
        Stage::SecondFactor => crate::audit::Action::SignInPasswordAccepted,
        Stage::MustEnrol => crate::audit::Action::SignInEnrolmentRequired,
        Stage::SignedIn => crate::audit::Action::SignInSucceeded,
    };
    if stage != Stage::SecondFactor {
        repo::touch_sign_in(&mut tx, account.id).await?;
    }
    record_own(
        &mut tx,
        meta,
        account,
        action,
        json!({ "factors": ["password"] }),
    )
    .await?;
    // A sign-in in a browser that was signed in (another account, an
    // abandoned second step) closes that session's row.
    if let Ok(Some(previous)) = session.get::<AuthSession>(AUTH_KEY).await
        && let Some(sid) = previous.sid
    {
        super::super::devices::end(&mut *tx, previous.account_id, sid).await?;
    }
    let sid = super::super::devices::start(&mut *tx, account, meta).await?;
    tx.commit().await?;
    let after = safe_next(account.kind, next_path);
    session::begin(
        session,
        account.id,
        account.kind,
        account.session_epoch,
        stage,
        after.clone(),
        sid,
    )
    .await?;
    let step = landing_of(account, stage, after.as_deref());
    redirect_to(&step.path);
    Ok(step)
}

/// Why a second-factor code was refused.
pub(super) enum CodeProblem {
    Wrong,
    Replayed,
}

/// Checks a TOTP code (six digits) or else a recovery code, and uses it
/// up inside `tx`. Returns the factor that was used.
pub(super) async fn use_second_factor(
    tx: &mut PgConnection,
    keys: &SecondFactorKeys,
    account: &Account,
    code: &str,
) -> Result<Result<&'static str, CodeProblem>, AppError> {
    let trimmed = code.trim();
    let is_totp = trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit());
    if is_totp {
        let Some(secret) = account.totp_secret.as_deref().and_then(|s| keys.open(s)) else {
            return Ok(Err(CodeProblem::Wrong));
        };
        let Some(totp) = otp::totp(secret, &account.label()) else {
            return Err(AppError::internal("stored TOTP seed is invalid"));
        };
        let Some(step) = otp::matching_step(&totp, trimmed, otp::unix_now(), None) else {
            return Ok(Err(CodeProblem::Wrong));
        };
        // The database moves the last step forwards only: a replay on
        // any instance finds the step taken.
        if repo::accept_step(tx, account.id, step).await? {
            Ok(Ok("totp"))
        } else {
            Ok(Err(CodeProblem::Replayed))
        }
    } else if repo::use_recovery_code(tx, account.id, &keys.recovery_hash(trimmed)).await? {
        Ok(Ok("recovery_code"))
    } else {
        Ok(Err(CodeProblem::Wrong))
    }
}

/// Records a failed second factor (already counted by `begin_attempt`)
/// and answers with the right error.
pub(super) async fn second_factor_failed(
    state: &AppState,
    meta: &RequestMeta,
    account: &Account,
    problem: CodeProblem,
    context: &'static str,
    failure: throttle::Failure,
) -> Result<AppError, AppError> {
    let mut tx = state.db.begin().await?;
    let reason = match problem {
        CodeProblem::Wrong => "wrong",
        CodeProblem::Replayed => "replayed",
    };
    record_own(
        &mut tx,
        meta,
        account,
        crate::audit::Action::SignInFailed,
        json!({ "factor": "second_factor", "reason": reason, "during": context }),
    )
    .await?;
    if failure.locked_now {
        record(
            &mut tx,
            &meta.actor(None, "system"),
            &Event::new(crate::audit::Action::SignInLocked)
                .org(account.org_id)
                .target_account(account.id)
                .details(json!({ "factor": "second_factor", "failures": failure.failures })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(if failure.locked_now {
        AppError::locked(state.auth.second_factor.lock_for.as_secs())
    } else {
        match problem {
            CodeProblem::Wrong => AppError::field("code", Code::AuthInvalidCode),
            CodeProblem::Replayed => AppError::field("code", Code::AuthTotpReplayed),
        }
    })
}

pub async fn verify_second_factor(code: String) -> Result<NextStep, AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    let principal = guard::require_stage(&[Stage::SecondFactor]).await?;
    if code.trim().is_empty() {
        return Err(AppError::field("code", Code::ValidationRequired));
    }
    let account = principal.account.clone();
    let mut conn = state.db.acquire().await?;
    // Per client too: one client guessing for many half-signed-in accounts.
    let ip_key = meta.ip.map(Key::Ip);
    if let Some(key) = &ip_key {
        begin_attempt(&mut conn, key, &state.auth.ip).await?;
    }
    let attempt = begin_attempt(
        &mut conn,
        &Key::SecondFactor(account.id),
        &state.auth.second_factor,
    )
    .await?;
    drop(conn);

    let mut tx = state.db.begin().await?;
    let factor = match use_second_factor(&mut tx, &state.second_factor, &account, &code).await? {
        Ok(factor) => factor,
        Err(problem) => {
            tx.rollback().await?;
            return Err(
                second_factor_failed(&state, &meta, &account, problem, "sign_in", attempt).await?,
            );
        }
    };
    throttle::reset(&mut *tx, &Key::SecondFactor(account.id)).await?;
    if let Some(key) = &ip_key {
        throttle::forgive(&mut *tx, key).await?;
    }
    repo::touch_sign_in(&mut tx, account.id).await?;
    if factor == "recovery_code" {
        let left = repo::recovery_codes_left(&mut *tx, account.id).await?;
        record_own(
            &mut tx,
            &meta,
            &account,
            crate::audit::Action::RecoveryCodeUsed,
            json!({ "remaining": left }),
        )
        .await?;
    }
    record_own(
        &mut tx,
        &meta,
        &account,
        crate::audit::Action::SignInSucceeded,
        json!({ "factors": ["password", factor] }),
    )
    .await?;
    tx.commit().await?;
    let after = principal.auth.next.clone();
    session::advance(&session, principal.auth, Stage::SignedIn)
        .await
        .map_err(AppError::from)?;
    let step = landing_of(&account, Stage::SignedIn, after.as_deref());
    redirect_to(&step.path);
    Ok(step)
}

pub async fn sign_out() -> Result<(), AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    let auth = session
        .get::<AuthSession>(AUTH_KEY)
        .await
        .map_err(AppError::from)?;
    if let Some(auth) = &auth
        && let Some(account) = repo::find_by_id(&state.db, auth.account_id).await?
    {
        let mut tx = state.db.begin().await?;
        if let Some(sid) = auth.sid {
            super::super::devices::end(&mut *tx, account.id, sid).await?;
        }
        record_own(
            &mut tx,
            &meta,
            &account,
            crate::audit::Action::SignOut,
            json!({}),
        )
        .await?;
        tx.commit().await?;
    }
    session.flush().await.map_err(AppError::from)?;
    let kind = auth.map(|a| a.kind).unwrap_or(AccountKind::Member);
    redirect_to(kind.login_path());
    Ok(())
}

pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    let principal = guard::require_signed_in().await?;
    let mut tx = state.db.begin().await?;
    let epoch = repo::bump_epoch(&mut tx, principal.id()).await?;
    super::super::devices::carry(&mut *tx, principal.auth.sid, epoch).await?;
    record_own(
        &mut tx,
        &meta,
        &principal.account,
        crate::audit::Action::SignOutEverywhere,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    // This session stays; every other one is now stale.
    session::set_epoch(&session, principal.auth, epoch)
        .await
        .map_err(AppError::from)?;
    Ok(())
}
