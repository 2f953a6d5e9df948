//! Resuming an application in another browser by proving the administrator's address.
use super::super::repo::{self, Channel};
use super::super::{Status, Step};
use super::imp::*;
use super::*;
use crate::auth::guard::{RequestMeta, session};
use crate::codes::{CodeError, CodeRequest, Destination, Purpose};
use crate::error::Code;
use crate::server::state::app_state;

/// Mobile or email, by the look of it.
pub(super) fn resume_destination(identifier: &str) -> Result<(Channel, Destination), AppError> {
    let identifier = identifier.trim();
    if identifier.is_empty() {
        return Err(AppError::field("identifier", Code::ValidationRequired));
    }
    let channel = if identifier.contains('@') {
        Channel::Email
    } else {
        Channel::Mobile
    };
    Ok((channel, destination(channel, identifier, "identifier")?))
}

/// The same answer, after the same checks, whether or not an application
/// is waiting for this address: limits of a known address are not
/// reported (they would tell it apart); only the caller's own IP caps are.
pub async fn send_resume_code(identifier: String, challenge: String) -> Result<CodeSent, AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = crate::auth::guard::session().await?;
    let (channel, dest) = resume_destination(&identifier)?;
    let sent = CodeSent {
        cooldown_secs: state.codes.settings().resend_cooldown.as_secs(),
    };
    state
        .codes
        .admit_request(&state.db, &session, meta.ip, &challenge)
        .await?;
    if repo::find_resumable(&state.db, channel, destination_text(&dest))
        .await?
        .is_none()
    {
        return Ok(sent);
    }
    let request = CodeRequest {
        purpose: Purpose::ResumeRegistration,
        destination: dest,
        locale: meta.locale.to_owned(),
        client_ip: meta.ip,
        org_id: None,
    };
    let mut tx = state.db.begin().await?;
    match state.codes.issue(&mut tx, &request).await {
        Ok(_) => tx.commit().await?,
        Err(CodeError::Database(e)) => return Err(e.into()),
        Err(_) => {}
    }
    Ok(sent)
}

/// Every refusal reads the same (`code.invalid`), with or without an application.
pub async fn resume(identifier: String, code: String) -> Result<(), AppError> {
    let state = app_state()?;
    let (channel, dest) = resume_destination(&identifier)?;
    let application = repo::find_resumable(&state.db, channel, destination_text(&dest)).await?;
    state
        .codes
        .verify(&state.db, Purpose::ResumeRegistration, &dest, &code)
        .await
        .map_err(CodeError::public)?;
    let id = application.ok_or_else(|| CodeError::NotSent.public())?;
    let session = session().await?;
    repo::bind_session(&session, id)
        .await
        .map_err(AppError::from)?;
    let status = repo::status(&state.db, id).await?;
    leptos_axum::redirect(match status {
        Some(Status::Draft) => Step::Organisation.path(),
        _ => "/register/status",
    });
    Ok(())
}
