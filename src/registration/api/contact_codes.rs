//! Codes that prove the administrator's mobile and email.
use super::super::repo::{self, Channel};
use super::common::*;
use super::*;
use crate::auth::guard::RequestMeta;
use crate::codes::{CodeRequest, Destination, Purpose};
use crate::domain::{Email, Mobile};
use crate::error::Code;
use crate::server::state::{AppState, app_state};

pub(super) fn parse_channel(channel: &str) -> Result<Channel, AppError> {
    Channel::parse(channel).ok_or_else(|| AppError::field("channel", Code::ValidationChoice))
}

pub(super) fn destination(
    channel: Channel,
    value: &str,
    field: &str,
) -> Result<Destination, AppError> {
    match channel {
        Channel::Mobile => Mobile::parse(value)
            .map(Destination::Mobile)
            .map_err(|e| AppError::field(field, crate::domain::ErrorCode::code(&e))),
        Channel::Email => Email::parse(value)
            .map(Destination::Email)
            .map_err(|e| AppError::field(field, crate::domain::ErrorCode::code(&e))),
    }
}

pub(super) fn destination_text(d: &Destination) -> &str {
    match d {
        Destination::Mobile(m) => m.as_str(),
        Destination::Email(e) => e.as_str(),
    }
}

pub async fn send_contact_code(
    channel: String,
    value: String,
    challenge: String,
) -> Result<CodeSent, AppError> {
    let state = app_state()?;
    let channel = parse_channel(&channel)?;
    let row = require_editable(&state).await?;
    let field = match channel {
        Channel::Mobile => "admin_mobile",
        Channel::Email => "admin_email",
    };
    let dest = match destination(channel, &value, field) {
        Ok(d) => d,
        Err(e) => {
            refuse_oversized(&[(
                field,
                value.trim(),
                if field == "admin_email" { 254 } else { 32 },
            )])?;
            // Keep what was typed, so the page shows it with the error.
            let mut conn = state.db.acquire().await?;
            repo::set_contact(&mut conn, row.id, channel, value.trim()).await?;
            return Err(e);
        }
    };
    let purpose = match channel {
        Channel::Mobile => Purpose::RegisterMobile,
        Channel::Email => Purpose::RegisterEmail,
    };
    let mut tx = state.db.begin().await?;
    done(repo::set_contact(&mut tx, row.id, channel, destination_text(&dest)).await?)?;
    let sent = issue_code(&state, &mut tx, purpose, dest, &challenge).await?;
    tx.commit().await?;
    Ok(sent)
}

/// Queues a code to `dest` in the caller's transaction, in the visitor's language.
pub(super) async fn issue_code(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    purpose: Purpose,
    dest: Destination,
    challenge: &str,
) -> Result<CodeSent, AppError> {
    let meta = RequestMeta::current();
    let session = crate::auth::guard::session().await?;
    let request = CodeRequest {
        purpose,
        destination: dest,
        locale: meta.locale.to_owned(),
        client_ip: meta.ip,
        org_id: None,
    };
    state
        .codes
        .admit_request(&state.db, &session, meta.ip, challenge)
        .await?;
    state.codes.issue(tx, &request).await?;
    Ok(CodeSent {
        cooldown_secs: state.codes.settings().resend_cooldown.as_secs(),
    })
}

pub async fn verify_contact_code(channel: String, code: String) -> Result<(), AppError> {
    let state = app_state()?;
    let channel = parse_channel(&channel)?;
    let row = require_editable(&state).await?;
    let (value, purpose, field) = match channel {
        Channel::Mobile => (&row.admin_mobile, Purpose::RegisterMobile, "admin_mobile"),
        Channel::Email => (&row.admin_email, Purpose::RegisterEmail, "admin_email"),
    };
    if value.is_empty() {
        return Err(AppError::field("code", Code::CodeNotSent));
    }
    let dest = destination(channel, value, field)?;
    state.codes.verify(&state.db, purpose, &dest, &code).await?;
    done(repo::mark_verified(&state.db, row.id, channel, destination_text(&dest)).await?)
}
