//! Changing a password, and resetting a forgotten one by code.
use super::super::Stage;
use super::super::guard::{self, RequestMeta};
use super::super::repo::{self, Account, Identifier};
use super::super::session::{self};
use super::super::throttle::{self, Key};
use super::common::*;
use super::imp::*;
use super::*;
use crate::audit::repo::{Event, record};
use crate::codes::{CodeError, CodeRequest, Purpose};
use crate::domain::{ErrorCode, Password};
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::app_state;
use serde_json::json;

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
    p.account
        .check_new_password(&new)
        .map_err(|e| AppError::field("new_password", e.code()))?;
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
        .map_err(AppError::from)?;
    let mut tx = state.db.begin().await?;
    let epoch = repo::set_password(&mut tx, p.id(), &hash).await?;
    super::super::devices::carry(&mut *tx, p.auth.sid, epoch).await?;
    record_own(
        &mut tx,
        &meta,
        &p.account,
        crate::audit::Action::PasswordChanged,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    // Every other session ended with the new epoch; this one carries on.
    session::set_epoch(&session, p.auth, epoch)
        .await
        .map_err(AppError::from)?;
    Ok(())
}

pub(super) fn parse_identifier(identifier: &str) -> Result<Identifier, AppError> {
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
        Ok(_) => crate::audit::Action::PasswordResetRequested,
        Err(CodeError::Database(e)) => return Err(e.into()),
        // Limits are not reported to the caller: they exist only for real
        // accounts. The owner sees the refused request in their audit log.
        Err(_) => crate::audit::Action::PasswordResetNotSent,
    };
    let reason = (action == crate::audit::Action::PasswordResetNotSent).then_some("limit");
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
        errors.push("code", Code::ValidationRequired);
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
        begin_attempt(&mut conn, key, &state.auth.ip).await?;
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
    // The code proved the address: its accounts' policies may now be told,
    // and the code stays good for a better password.
    for account in &accounts {
        account
            .check_new_password(&new)
            .map_err(|e| AppError::field("new_password", e.code()))?;
    }
    // Hashed before the code is used up, and outside any transaction: a
    // busy hasher answers 429 and the code still works on the next try.
    // A flow open to anyone: it hashes within the strangers' share.
    let hash = state
        .hasher
        .hash_for_stranger(new.expose().to_owned())
        .await
        .map_err(AppError::from)?;
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
            &Event::new(crate::audit::Action::PasswordReset)
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
