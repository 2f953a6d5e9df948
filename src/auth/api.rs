//! Server functions of sign-in, the second factor, sessions and recovery.
//! Each checks the session first, then validates, then does its work in one
//! transaction with its audit row.
use super::{
    AccountNotice, CurrentAccount, Enrolment, EnrolmentDone, NextStep, RecoveryCodes,
    SecurityOverview,
};
use crate::error::AppError;
use leptos::prelude::*;

/// Password step of sign-in, for members (`kind = member`) or operators.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    kind: String,
    identifier: String,
    password: String,
    /// Where to go once fully signed in (a path inside the account's area).
    #[server(default)]
    next: String,
) -> Result<NextStep, AppError> {
    imp::sign_in(kind, identifier, password, next).await
}

/// Second step: a TOTP code, or a recovery code instead.
#[server(prefix = "/api", endpoint = "verify_second_factor")]
pub async fn verify_second_factor(code: String) -> Result<NextStep, AppError> {
    imp::verify_second_factor(code).await
}

/// Ends this session.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    imp::sign_out().await
}

/// Ends every other session of the account.
#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    imp::sign_out_everywhere().await
}

/// The caller, at whatever sign-in stage, or `None`.
#[server(prefix = "/api", endpoint = "me")]
pub async fn who_am_i() -> Result<Option<CurrentAccount>, AppError> {
    imp::who_am_i().await
}

/// What the signed-in account's owner should know: password resets asked
/// for and not sent since the notice was last dismissed.
#[server(prefix = "/api", endpoint = "security_notice")]
pub async fn security_notice() -> Result<Option<AccountNotice>, AppError> {
    imp::security_notice().await
}

/// Dismisses the security notice.
#[server(prefix = "/api", endpoint = "dismiss_security_notice")]
pub async fn dismiss_security_notice() -> Result<(), AppError> {
    imp::dismiss_security_notice().await
}

#[server(prefix = "/api", endpoint = "security_overview")]
pub async fn get_security_overview() -> Result<SecurityOverview, AppError> {
    imp::get_security_overview().await
}

/// A new TOTP seed to scan. Replacing an enrolled one asks for the password
/// and a current code first.
#[server(prefix = "/api", endpoint = "start_enrolment")]
pub async fn start_enrolment(
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<Enrolment, AppError> {
    imp::start_enrolment(password, code).await
}

/// Switches the new seed on once a code from it is right; returns the recovery codes.
#[server(prefix = "/api", endpoint = "confirm_enrolment")]
pub async fn confirm_enrolment(code: String) -> Result<EnrolmentDone, AppError> {
    imp::confirm_enrolment(code).await
}

#[server(prefix = "/api", endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(
    password: String,
    #[server(default)] code: String,
) -> Result<RecoveryCodes, AppError> {
    imp::regenerate_recovery_codes(password, code).await
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::change_password(current_password, new_password, code).await
}

/// Sends a reset code if an account is known by `identifier`; answers the
/// same either way. `challenge`: a solved proof of work, asked for once the
/// client's requests approach their cap.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(
    kind: String,
    identifier: String,
    #[server(default)] challenge: String,
) -> Result<u64, AppError> {
    imp::request_password_reset(kind, identifier, challenge).await
}

/// Sets a new password with the code sent to the account's email or mobile.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(
    kind: String,
    identifier: String,
    code: String,
    new_password: String,
) -> Result<NextStep, AppError> {
    imp::reset_password(kind, identifier, code, new_password).await
}

/// Whether a first-run setup token is valid (the setup page asks before showing the form).
#[server(prefix = "/api", endpoint = "setup_status")]
pub async fn setup_status(token: String) -> Result<bool, AppError> {
    imp::setup_status(token).await
}

/// Creates the first operator from the first-run link.
#[server(prefix = "/api", endpoint = "setup_operator")]
pub async fn setup_operator(
    token: String,
    name: String,
    email: String,
    password: String,
) -> Result<NextStep, AppError> {
    imp::setup_operator(token, name, email, password).await
}

/// An operator turns off a member's second factor (lost device and recovery
/// codes); the member enrols again at the next sign-in. The operator signs
/// the act with their own password and code. Audited.
#[server(prefix = "/api", endpoint = "operator_reset_second_factor")]
pub async fn operator_reset_second_factor(
    account_id: String,
    reason: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::operator_reset_second_factor(account_id, reason, password, code).await
}

#[cfg(feature = "ssr")]
pub(crate) use imp::reauthenticate;

#[cfg(feature = "ssr")]
mod imp {
    use super::super::guard::{self, Principal, RequestMeta};
    use super::super::repo::{self, Account, Identifier, NewAccount};
    use super::super::session::{self, AUTH_KEY, AuthSession};
    use super::super::setup::token_hash;
    use super::super::throttle::{self, Key, ThrottleError};
    use super::super::totp::{self as otp, SecondFactorKeys};
    use super::super::{AccountKind, Stage};
    use super::*;
    use crate::audit::repo::{Event, record};
    use crate::codes::{CodeError, CodeRequest, Purpose};
    use crate::domain::{Email, Password};
    use crate::error::FieldErrors;
    use crate::server::state::{AppState, app_state};
    use serde_json::json;
    use sqlx::PgConnection;
    use uuid::Uuid;

    fn store_error(e: impl std::fmt::Display) -> AppError {
        AppError::internal(format!("session store: {e}"))
    }

    fn hash_error(e: super::super::password::HashError) -> AppError {
        match e {
            super::super::password::HashError::Busy => AppError::too_many_requests(Some(1)),
            other => AppError::internal(other),
        }
    }

    fn parse_kind(kind: &str) -> Result<AccountKind, AppError> {
        AccountKind::parse(kind).ok_or_else(|| AppError::field("kind", "validation.choice"))
    }

    /// An audit row for something an account did to itself.
    async fn record_own(
        tx: &mut PgConnection,
        meta: &RequestMeta,
        account: &Account,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        let event = Event::new(action)
            .org(account.org_id)
            .target_account(account.id)
            .details(details);
        record(
            tx,
            &meta.actor(Some(account.id), account.kind.as_str()),
            &event,
        )
        .await
    }

    /// Refuses the attempt while any of `keys` is throttled.
    async fn check_throttle(conn: &mut PgConnection, keys: &[Key<'_>]) -> Result<(), AppError> {
        for key in keys {
            match throttle::check(conn, key).await {
                Ok(()) => {}
                Err(ThrottleError::Throttled(t)) if t.locked => {
                    return Err(AppError::locked(t.retry_after_secs));
                }
                Err(ThrottleError::Throttled(t)) => {
                    return Err(AppError::too_many_requests(Some(t.retry_after_secs)));
                }
                Err(ThrottleError::Database(e)) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Counts an attempt on `key` before it is checked; refuses it while locked or delayed.
    async fn begin_attempt(
        conn: &mut PgConnection,
        key: &Key<'_>,
        rule: &super::super::settings::ThrottleRule,
    ) -> Result<throttle::Failure, AppError> {
        match throttle::begin_attempt(conn, key, rule).await {
            Ok(f) => Ok(f),
            Err(ThrottleError::Throttled(t)) if t.locked => {
                Err(AppError::locked(t.retry_after_secs))
            }
            Err(ThrottleError::Throttled(t)) => {
                Err(AppError::too_many_requests(Some(t.retry_after_secs)))
            }
            Err(ThrottleError::Database(e)) => Err(e.into()),
        }
    }

    fn redirect_to(path: &str) {
        leptos_axum::redirect(path);
    }

    fn next(stage: Stage, kind: AccountKind) -> NextStep {
        NextStep {
            stage,
            path: stage.next_path(kind).to_owned(),
        }
    }

    /// `next` if it is a path inside the area of `kind` (never another site).
    fn safe_next(kind: AccountKind, next: &str) -> Option<String> {
        let ok_prefix = match kind {
            AccountKind::Member => ["/admin", "/account"],
            AccountKind::Operator => ["/operator", "/account"],
        };
        let path_only = next.starts_with('/')
            && !next.starts_with("//")
            && !next.contains('\\')
            && !next.contains("://");
        (path_only
            && ok_prefix.iter().any(|p| {
                next == *p
                    || next.starts_with(&format!("{p}/"))
                    || next.starts_with(&format!("{p}?"))
            }))
        .then(|| next.to_owned())
    }

    fn landing(stage: Stage, kind: AccountKind, next: Option<&str>) -> NextStep {
        match (stage, next) {
            (Stage::SignedIn, Some(path)) => NextStep {
                stage,
                path: path.to_owned(),
            },
            _ => self::next(stage, kind),
        }
    }

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
            errors.push("password", "password.required");
        }
        errors.finish()?;
        let ident = ident.expect("checked above");
        let ident_key = format!("{}:{}", kind.as_str(), ident.key());

        let candidates = repo::find_by_identifier(&state.db, kind, &ident).await?;
        let owner_key = match candidates.first() {
            Some(a) => Key::Account(a.id),
            None => Key::Unknown(&ident_key),
        };
        let settings = &state.config.auth;
        let mut conn = state.db.acquire().await?;
        // Counted before the check, per IP and per account, each in one
        // statement, so parallel guesses cannot pass either limit.
        let ip_key = meta.ip.map(Key::Ip);
        if let Some(key) = &ip_key {
            begin_attempt(&mut conn, key, &settings.ip).await?;
        }
        let attempt = begin_attempt(&mut conn, &owner_key, &settings.account).await?;
        drop(conn);

        // Every candidate is tried (one person, several organisations); with
        // none, the dummy hash is, so that the answer takes as long.
        let mut matched: Option<Account> = None;
        let mut hashing = Ok(());
        if candidates.is_empty() {
            hashing = state
                .hasher
                .verify(None, password.clone())
                .await
                .map(|_| ());
        }
        for account in &candidates {
            match state
                .hasher
                .verify(account.password_hash.clone(), password.clone())
                .await
            {
                Ok(true) => {
                    matched = Some(account.clone());
                    break;
                }
                Ok(false) => {}
                Err(e) => {
                    hashing = Err(e);
                    break;
                }
            }
        }
        if let Err(e) = hashing {
            // Not looked at, so not held against the account or the client.
            throttle::forgive(&state.db, &owner_key).await?;
            if let Some(key) = &ip_key {
                throttle::forgive(&state.db, key).await?;
            }
            return Err(hash_error(e));
        }

        let settings = &state.config.auth;
        let mut tx = state.db.begin().await?;
        let Some(account) = matched else {
            let owner = candidates.first();
            let failure = attempt;
            let mut event = Event::new("sign_in.failed")
                .org(owner.and_then(|a| a.org_id))
                .details(json!({
                    "factor": "password",
                    "kind": kind.as_str(),
                    "known_account": owner.is_some(),
                }));
            if let Some(a) = owner {
                event = event.target_account(a.id);
            }
            record(&mut tx, &meta.actor(None, "anonymous"), &event).await?;
            if failure.locked_now {
                let mut event = Event::new("sign_in.locked")
                    .org(owner.and_then(|a| a.org_id))
                    .details(json!({ "factor": "password", "failures": failure.failures }));
                if let Some(a) = owner {
                    event = event.target_account(a.id);
                }
                record(&mut tx, &meta.actor(None, "system"), &event).await?;
            }
            tx.commit().await?;
            return Err(if failure.locked_now {
                AppError::locked(settings.account.lock_for.as_secs())
            } else {
                AppError::invalid_credentials()
            });
        };
        if !account.is_active() {
            record_own(
                &mut tx,
                &meta,
                &account,
                "sign_in.refused",
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
        let stage = if account.totp_enabled {
            Stage::SecondFactor
        } else if account.two_factor_required() {
            Stage::MustEnrol
        } else {
            Stage::SignedIn
        };
        let action = match stage {
            Stage::SecondFactor => "sign_in.password_accepted",
            Stage::MustEnrol => "sign_in.enrolment_required",
            Stage::SignedIn => "sign_in.succeeded",
        };
        if stage != Stage::SecondFactor {
            repo::touch_sign_in(&mut tx, account.id).await?;
        }
        record_own(
            &mut tx,
            &meta,
            &account,
            action,
            json!({ "factors": ["password"] }),
        )
        .await?;
        tx.commit().await?;
        let after = safe_next(account.kind, &next_path);
        session::begin(
            &session,
            account.id,
            account.kind,
            account.session_epoch,
            stage,
            after.clone(),
        )
        .await
        .map_err(store_error)?;
        let step = landing(stage, account.kind, after.as_deref());
        redirect_to(&step.path);
        Ok(step)
    }

    /// Why a second-factor code was refused.
    enum CodeProblem {
        Wrong,
        Replayed,
    }

    /// Checks a TOTP code (six digits) or else a recovery code, and uses it
    /// up inside `tx`. Returns the factor that was used.
    async fn use_second_factor(
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
    async fn second_factor_failed(
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
            "sign_in.failed",
            json!({ "factor": "second_factor", "reason": reason, "during": context }),
        )
        .await?;
        if failure.locked_now {
            record(
                &mut tx,
                &meta.actor(None, "system"),
                &Event::new("sign_in.locked")
                    .org(account.org_id)
                    .target_account(account.id)
                    .details(json!({ "factor": "second_factor", "failures": failure.failures })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(if failure.locked_now {
            AppError::locked(state.config.auth.second_factor.lock_for.as_secs())
        } else {
            match problem {
                CodeProblem::Wrong => AppError::field("code", "auth.invalid_code"),
                CodeProblem::Replayed => AppError::field("code", "auth.totp_replayed"),
            }
        })
    }

    pub async fn verify_second_factor(code: String) -> Result<NextStep, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        let principal = guard::require_stage(&[Stage::SecondFactor]).await?;
        if code.trim().is_empty() {
            return Err(AppError::field("code", "validation.required"));
        }
        let account = principal.account.clone();
        let mut conn = state.db.acquire().await?;
        // Per client too: one client guessing for many half-signed-in accounts.
        let ip_key = meta.ip.map(Key::Ip);
        if let Some(key) = &ip_key {
            begin_attempt(&mut conn, key, &state.config.auth.ip).await?;
        }
        let attempt = begin_attempt(
            &mut conn,
            &Key::SecondFactor(account.id),
            &state.config.auth.second_factor,
        )
        .await?;
        drop(conn);

        let mut tx = state.db.begin().await?;
        let factor = match use_second_factor(&mut tx, &state.second_factor, &account, &code).await?
        {
            Ok(factor) => factor,
            Err(problem) => {
                tx.rollback().await?;
                return Err(second_factor_failed(
                    &state, &meta, &account, problem, "sign_in", attempt,
                )
                .await?);
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
                "recovery_code.used",
                json!({ "remaining": left }),
            )
            .await?;
        }
        record_own(
            &mut tx,
            &meta,
            &account,
            "sign_in.succeeded",
            json!({ "factors": ["password", factor] }),
        )
        .await?;
        tx.commit().await?;
        let after = principal.auth.next.clone();
        session::advance(&session, principal.auth, Stage::SignedIn)
            .await
            .map_err(store_error)?;
        let step = landing(Stage::SignedIn, account.kind, after.as_deref());
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
            .map_err(store_error)?;
        if let Some(auth) = &auth
            && let Some(account) = repo::find_by_id(&state.db, auth.account_id).await?
        {
            let mut tx = state.db.begin().await?;
            record_own(&mut tx, &meta, &account, "sign_out", json!({})).await?;
            tx.commit().await?;
        }
        session.flush().await.map_err(store_error)?;
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
        record_own(
            &mut tx,
            &meta,
            &principal.account,
            "sign_out.everywhere",
            json!({}),
        )
        .await?;
        tx.commit().await?;
        // This session stays; every other one is now stale.
        session::set_epoch(&session, principal.auth, epoch)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Before the second factor, a session proves only a password: it
    /// learns its stage and nothing about the account.
    pub async fn security_notice() -> Result<Option<AccountNotice>, AppError> {
        let state = app_state()?;
        let p = guard::require_signed_in().await?;
        let resets_not_sent = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM audit_log
                WHERE target_type = 'account' AND target_id = $1
                  AND action = 'password.reset_not_sent'
                  AND at > (SELECT coalesce(notices_seen_at, '-infinity') FROM accounts WHERE id = $2)"#,
            p.id().to_string(),
            p.id()
        )
        .fetch_one(&state.db)
        .await?;
        Ok((resets_not_sent > 0).then_some(AccountNotice { resets_not_sent }))
    }

    pub async fn dismiss_security_notice() -> Result<(), AppError> {
        let state = app_state()?;
        let p = guard::require_signed_in().await?;
        sqlx::query!(
            "UPDATE accounts SET notices_seen_at = now() WHERE id = $1",
            p.id()
        )
        .execute(&state.db)
        .await?;
        Ok(())
    }

    pub async fn who_am_i() -> Result<Option<CurrentAccount>, AppError> {
        Ok(guard::current().await?.map(|p| match p.auth.stage {
            Stage::SecondFactor => CurrentAccount {
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
            errors.push("password", "password.required");
        }
        if account.totp_enabled && code.trim().is_empty() {
            errors.push("code", "validation.required");
        }
        errors.finish()?;
        let password_key = Key::Account(account.id);
        let code_key = Key::SecondFactor(account.id);
        let mut conn = state.db.acquire().await?;
        if account.totp_enabled {
            check_throttle(&mut conn, std::slice::from_ref(&code_key)).await?;
        }
        let failure = begin_attempt(&mut conn, &password_key, &state.config.auth.account).await?;
        drop(conn);
        let ok = match state
            .hasher
            .verify(account.password_hash.clone(), password.to_owned())
            .await
        {
            Ok(ok) => ok,
            Err(e) => {
                throttle::forgive(&state.db, &password_key).await?;
                return Err(hash_error(e));
            }
        };
        if !ok {
            let mut fail = state.db.begin().await?;
            record_own(
                &mut fail,
                meta,
                account,
                "reauth.failed",
                json!({ "factor": "password" }),
            )
            .await?;
            fail.commit().await?;
            return Err(if failure.locked_now {
                AppError::locked(state.config.auth.account.lock_for.as_secs())
            } else {
                AppError::field("password", "auth.wrong_password")
            });
        }
        throttle::reset(&state.db, &password_key).await?;
        if !account.totp_enabled {
            return Ok(None);
        }
        let mut conn = state.db.acquire().await?;
        let attempt = begin_attempt(&mut conn, &code_key, &state.config.auth.second_factor).await?;
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

    pub async fn start_enrolment(password: String, code: String) -> Result<Enrolment, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let p = guard::require_stage(&[Stage::SignedIn, Stage::MustEnrol]).await?;
        if p.account.totp_enabled {
            reauthenticate(&state, &meta, &p, &password, &code).await?;
        }
        let mut tx = state.db.begin().await?;
        let secret = otp::new_secret();
        let totp = otp::totp(secret.clone(), &p.account.label())
            .ok_or_else(|| AppError::internal("TOTP seed rejected"))?;
        let qr = totp.get_qr_base64().map_err(AppError::internal)?;
        repo::set_pending_totp(&mut tx, p.id(), &state.second_factor.seal(&secret)).await?;
        tx.commit().await?;
        Ok(Enrolment {
            qr_data_url: format!("data:image/png;base64,{qr}"),
            secret: otp::group_secret(&totp.get_secret_base32()),
            otpauth_url: totp.get_url(),
        })
    }

    fn fresh_recovery_codes(keys: &SecondFactorKeys) -> (Vec<String>, Vec<Vec<u8>>) {
        let codes = otp::new_recovery_codes();
        let hashes = codes.iter().map(|c| keys.recovery_hash(c)).collect();
        (codes, hashes)
    }

    pub async fn confirm_enrolment(code: String) -> Result<EnrolmentDone, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        let p = guard::require_stage(&[Stage::SignedIn, Stage::MustEnrol]).await?;
        if code.trim().is_empty() {
            return Err(AppError::field("code", "validation.required"));
        }
        let Some(sealed) = repo::pending_totp(&state.db, p.id()).await? else {
            return Err(AppError::field("code", "auth.enrolment_missing"));
        };
        let mut conn = state.db.acquire().await?;
        let attempt = begin_attempt(
            &mut conn,
            &Key::SecondFactor(p.id()),
            &state.config.auth.second_factor,
        )
        .await?;
        drop(conn);
        let secret = state
            .second_factor
            .open(&sealed)
            .ok_or_else(|| AppError::internal("pending TOTP seed does not open"))?;
        let totp = otp::totp(secret, &p.account.label())
            .ok_or_else(|| AppError::internal("TOTP seed rejected"))?;
        let Some(step) = otp::matching_step(&totp, &code, otp::unix_now(), None) else {
            return Err(second_factor_failed(
                &state,
                &meta,
                &p.account,
                CodeProblem::Wrong,
                "enrolment",
                attempt,
            )
            .await?);
        };
        let (codes, hashes) = fresh_recovery_codes(&state.second_factor);
        let mut tx = state.db.begin().await?;
        if !repo::enable_totp(&mut tx, p.id(), &sealed, step).await? {
            // Another enrolment started meanwhile and replaced the seed.
            return Err(AppError::conflict());
        }
        repo::replace_recovery_codes(&mut tx, p.id(), &hashes).await?;
        throttle::reset(&mut *tx, &Key::SecondFactor(p.id())).await?;
        let replaced = p.account.totp_enabled;
        // A new second factor ends the account's other sessions.
        let epoch = repo::bump_epoch(&mut tx, p.id()).await?;
        record_own(
            &mut tx,
            &meta,
            &p.account,
            if replaced {
                "totp.replaced"
            } else {
                "totp.enabled"
            },
            json!({ "recovery_codes": codes.len() }),
        )
        .await?;
        if p.auth.stage == Stage::MustEnrol {
            repo::touch_sign_in(&mut tx, p.id()).await?;
            record_own(
                &mut tx,
                &meta,
                &p.account,
                "sign_in.succeeded",
                json!({ "factors": ["password", "totp"] }),
            )
            .await?;
        }
        tx.commit().await?;
        let mut auth = p.auth.clone();
        auth.epoch = epoch;
        session::advance(&session, auth, Stage::SignedIn)
            .await
            .map_err(store_error)?;
        Ok(EnrolmentDone {
            codes: RecoveryCodes { codes },
            next: landing(Stage::SignedIn, p.account.kind, p.auth.next.as_deref()),
        })
    }

    pub async fn regenerate_recovery_codes(
        password: String,
        code: String,
    ) -> Result<RecoveryCodes, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let p = guard::require_signed_in().await?;
        if !p.account.totp_enabled {
            return Err(AppError::field("code", "auth.enrolment_missing"));
        }
        reauthenticate(&state, &meta, &p, &password, &code).await?;
        let mut tx = state.db.begin().await?;
        let (codes, hashes) = fresh_recovery_codes(&state.second_factor);
        repo::replace_recovery_codes(&mut tx, p.id(), &hashes).await?;
        record_own(
            &mut tx,
            &meta,
            &p.account,
            "recovery_codes.regenerated",
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(RecoveryCodes { codes })
    }

    pub async fn change_password(
        current_password: String,
        new_password: String,
        code: String,
    ) -> Result<(), AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        let p = guard::require_signed_in().await?;
        let mut errors = FieldErrors::new();
        let new = errors.check("new_password", Password::parse(&new_password));
        errors.finish()?;
        let new = new.expect("checked above");
        reauthenticate(&state, &meta, &p, &current_password, &code)
            .await
            .map_err(|e| match e.field_code("password") {
                Some(code) => AppError::field("current_password", code),
                None => e,
            })?;
        let hash = state
            .hasher
            .hash(new.expose().to_owned())
            .await
            .map_err(hash_error)?;
        let mut tx = state.db.begin().await?;
        let epoch = repo::set_password(&mut tx, p.id(), &hash).await?;
        record_own(&mut tx, &meta, &p.account, "password.changed", json!({})).await?;
        tx.commit().await?;
        // Every other session ended with the new epoch; this one carries on.
        session::set_epoch(&session, p.auth, epoch)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    fn parse_identifier(identifier: &str) -> Result<Identifier, AppError> {
        Identifier::parse(identifier).map_err(|code| AppError::field("identifier", code))
    }

    pub async fn request_password_reset(
        kind: String,
        identifier: String,
        challenge: String,
    ) -> Result<u64, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        let kind = parse_kind(&kind)?;
        let ident = parse_identifier(&identifier)?;
        let cooldown = state.codes.settings().resend_cooldown.as_secs();
        // Counted before the address is looked at, known or not.
        state
            .codes
            .admit_request(&state.db, &session, meta.ip, &challenge)
            .await
            .map_err(AppError::from)?;
        let accounts = repo::find_by_identifier(&state.db, kind, &ident).await?;
        let Some(account) = accounts.iter().find(|a| a.is_active()) else {
            // Same answer as for a known account: nothing tells them apart.
            return Ok(cooldown);
        };
        let channel = match ident {
            Identifier::Email(_) => "email",
            Identifier::Mobile(_) => "sms",
        };
        let mut tx = state.db.begin().await?;
        let request = CodeRequest {
            purpose: Purpose::ResetPassword,
            destination: ident.to_destination(),
            locale: meta.locale.to_owned(),
            client_ip: meta.ip,
            org_id: account.org_id,
        };
        let action = match state.codes.issue(&mut tx, &request).await {
            Ok(_) => "password.reset_requested",
            Err(CodeError::Database(e)) => return Err(e.into()),
            // Limits are not reported to the caller: they exist only for real
            // accounts. The owner sees the refused request in their audit log.
            Err(_) => "password.reset_not_sent",
        };
        let reason = (action == "password.reset_not_sent").then_some("limit");
        record(
            &mut tx,
            &meta.actor(None, "anonymous"),
            &Event::new(action)
                .org(account.org_id)
                .target_account(account.id)
                .details(json!({ "channel": channel, "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        Ok(cooldown)
    }

    pub async fn reset_password(
        kind: String,
        identifier: String,
        code: String,
        new_password: String,
    ) -> Result<NextStep, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let kind = parse_kind(&kind)?;
        let mut errors = FieldErrors::new();
        let ident = match Identifier::parse(&identifier) {
            Ok(i) => Some(i),
            Err(c) => {
                errors.push("identifier", c);
                None
            }
        };
        if code.trim().is_empty() {
            errors.push("code", "validation.required");
        }
        let new = errors.check("new_password", Password::parse(&new_password));
        errors.finish()?;
        let (ident, new) = (ident.expect("checked"), new.expect("checked"));
        // The same reads and the same check of the code whether or not the
        // address belongs to an account (a reset code exists only for one),
        // and one answer for every refusal: nothing tells a stranger which
        // addresses are known.
        // Guesses of codes count against the client like guesses of passwords.
        let ip_key = meta.ip.map(Key::Ip);
        if let Some(key) = &ip_key {
            let mut conn = state.db.acquire().await?;
            begin_attempt(&mut conn, key, &state.config.auth.ip).await?;
        }
        let accounts: Vec<Account> = repo::find_by_identifier(&state.db, kind, &ident)
            .await?
            .into_iter()
            .filter(|a| a.is_active())
            .collect();
        let code_id = state
            .codes
            .check(
                &state.db,
                Purpose::ResetPassword,
                &ident.to_destination(),
                &code,
            )
            .await
            .map_err(CodeError::public)?;
        if accounts.is_empty() {
            return Err(CodeError::NotSent.public());
        }
        // Hashed before the code is used up, and outside any transaction: a
        // busy hasher answers 429 and the code still works on the next try.
        // A flow open to anyone: it hashes within the strangers' share.
        let hash = state
            .hasher
            .hash_for_stranger(new.expose().to_owned())
            .await
            .map_err(hash_error)?;
        let mut tx = state.db.begin().await?;
        state
            .codes
            .consume(&mut tx, code_id)
            .await
            .map_err(CodeError::public)?;
        if let Some(key) = &ip_key {
            throttle::forgive(&mut *tx, key).await?;
        }
        // The channel is proven for every account known by it (one person, several organisations).
        for account in &accounts {
            repo::set_password(&mut tx, account.id, &hash).await?;
            throttle::reset(&mut *tx, &Key::Account(account.id)).await?;
            record(
                &mut tx,
                &meta.actor(None, "anonymous"),
                &Event::new("password.reset")
                    .org(account.org_id)
                    .target_account(account.id)
                    .details(json!({ "via": match ident { Identifier::Email(_) => "email", Identifier::Mobile(_) => "sms" } })),
            )
            .await?;
        }
        tx.commit().await?;
        // Sign-in (with the second factor, if any) comes next.
        let step = NextStep {
            stage: Stage::SecondFactor,
            path: kind.login_path().to_owned(),
        };
        redirect_to(&step.path);
        Ok(step)
    }

    pub async fn setup_status(token: String) -> Result<bool, AppError> {
        let state = app_state()?;
        setup_open(&state.db, &token).await
    }

    /// Whether `token` can still create the first operator: no operator
    /// exists, and the token is a setup link's, unused and unexpired.
    async fn setup_open(db: &sqlx::PgPool, token: &str) -> Result<bool, AppError> {
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
            errors.push("name", "validation.required");
        } else if name.chars().count() > 64 {
            errors.push("name", "validation.too_long");
        }
        let email = errors.check("email", Email::parse(&email));
        let password = errors.check("password", Password::parse(&password));
        errors.finish()?;
        let (email, password) = (email.expect("checked"), password.expect("checked"));
        // A stranger's guess at the token costs one lookup, never a hash.
        if !setup_open(&state.db, &token).await? {
            return Err(AppError::field("token", "auth.setup_token"));
        }
        let hash = state
            .hasher
            .hash(password.expose().to_owned())
            .await
            .map_err(hash_error)?;

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
            return Err(AppError::field("token", "auth.setup_token"));
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
        .map_err(store_error)?;
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
            return Err(AppError::field("reason", "validation.required"));
        }
        // Refused, not cut: the audit log keeps what the operator wrote.
        if reason.chars().count() > 500 {
            return Err(AppError::field("reason", "validation.too_long"));
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

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn next_stays_inside_the_accounts_area() {
            let m = AccountKind::Member;
            assert_eq!(
                safe_next(m, "/admin/audit").as_deref(),
                Some("/admin/audit")
            );
            assert_eq!(safe_next(m, "/admin").as_deref(), Some("/admin"));
            assert_eq!(
                safe_next(m, "/admin?before=3").as_deref(),
                Some("/admin?before=3")
            );
            assert_eq!(
                safe_next(m, "/account/security").as_deref(),
                Some("/account/security")
            );
            for bad in [
                "",
                "//evil.example/admin",
                "https://evil.example/admin",
                "/administrator",
                "/operator",
                "/\\evil.example",
                "admin",
            ] {
                assert_eq!(safe_next(m, bad), None, "{bad}");
            }
            assert_eq!(
                safe_next(AccountKind::Operator, "/operator/audit").as_deref(),
                Some("/operator/audit")
            );
            assert_eq!(safe_next(AccountKind::Operator, "/admin"), None);
        }
    }
}
