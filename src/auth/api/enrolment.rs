//! Enrolling an authenticator and the recovery codes.
use super::super::Stage;
use super::super::guard::{self, RequestMeta};
use super::super::repo::{self};
use super::super::session::{self};
use super::super::throttle::{self, Key};
use super::super::totp::{self as otp, SecondFactorKeys};
use super::common::*;
use super::imp::*;
use super::*;
use crate::error::Code;
use crate::server::state::app_state;
use serde_json::json;

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

pub(super) fn fresh_recovery_codes(keys: &SecondFactorKeys) -> (Vec<String>, Vec<Vec<u8>>) {
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
        return Err(AppError::field("code", Code::ValidationRequired));
    }
    let Some(sealed) = repo::pending_totp(&state.db, p.id()).await? else {
        return Err(AppError::field("code", Code::AuthEnrolmentMissing));
    };
    let mut conn = state.db.acquire().await?;
    let attempt = begin_attempt(
        &mut conn,
        &Key::SecondFactor(p.id()),
        &state.auth.second_factor,
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
            crate::audit::Action::TotpReplaced
        } else {
            crate::audit::Action::TotpEnabled
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
            crate::audit::Action::SignInSucceeded,
            json!({ "factors": ["password", "totp"] }),
        )
        .await?;
    }
    super::super::devices::carry(&mut *tx, p.auth.sid, epoch).await?;
    tx.commit().await?;
    let mut auth = p.auth.clone();
    auth.epoch = epoch;
    session::advance(&session, auth, Stage::SignedIn)
        .await
        .map_err(AppError::from)?;
    Ok(EnrolmentDone {
        codes: RecoveryCodes { codes },
        next: landing_of(&p.account, Stage::SignedIn, p.auth.next.as_deref()),
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
        return Err(AppError::field("code", Code::AuthEnrolmentMissing));
    }
    reauthenticate(&state, &meta, &p, &password, &code).await?;
    let mut tx = state.db.begin().await?;
    let (codes, hashes) = fresh_recovery_codes(&state.second_factor);
    repo::replace_recovery_codes(&mut tx, p.id(), &hashes).await?;
    record_own(
        &mut tx,
        &meta,
        &p.account,
        crate::audit::Action::RecoveryCodesRegenerated,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(RecoveryCodes { codes })
}
