//! Steps 2 to 4: the administrator, the legal representative and the documents.
use super::super::repo::{self, Row};
use super::super::{DocumentKind, Step};
use super::common::*;
use super::*;
use crate::auth::guard::RequestMeta;
use crate::domain::{Password, ResidentId};
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::app_state;

pub(super) fn check_administrator(errors: &mut FieldErrors, row: &Row) {
    length(errors, "admin_name", row.admin_name.trim(), 64);
    if !row.mobile_verified() {
        errors.push(
            "admin_mobile",
            if row.admin_mobile.is_empty() {
                Code::MobileRequired
            } else {
                Code::RegistrationMobileUnverified
            },
        );
    }
    if !row.email_verified() {
        errors.push(
            "admin_email",
            if row.admin_email.is_empty() {
                Code::EmailRequired
            } else {
                Code::RegistrationEmailUnverified
            },
        );
    }
    if row.admin_password_hash.is_none() {
        errors.push("password", Code::PasswordRequired);
    }
}

pub async fn save_administrator(
    admin_name: String,
    password: String,
    password_confirm: String,
    intent: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    let row = require_editable(&state).await?;
    let name = admin_name.trim();
    refuse_oversized(&[("admin_name", name, 64)])?;
    let mut errors = FieldErrors::new();
    // A new password is taken only when it is valid and confirmed; it is
    // never kept in clear, so an invalid one is simply not saved.
    let mut hash = None;
    if !password.is_empty()
        && let Some(p) = errors.check("password", Password::parse(&password))
    {
        if password != password_confirm {
            errors.push("password_confirm", Code::PasswordMismatch);
        } else {
            // Each hash a stranger asks for counts against their IP's
            // allowance, the one that bounds failed sign-ins.
            if let Some(ip) = RequestMeta::current().ip {
                let mut conn = state.db.acquire().await?;
                crate::auth::throttle::begin_attempt(
                    &mut conn,
                    &crate::auth::throttle::Key::Ip(ip),
                    &state.auth.ip,
                )
                .await
                .map_err(|e| match e {
                    crate::auth::throttle::ThrottleError::Database(e) => AppError::internal(e),
                    crate::auth::throttle::ThrottleError::Throttled(t) => {
                        AppError::too_many_requests(Some(t.retry_after_secs))
                    }
                })?;
            }
            hash = Some(
                state
                    .hasher
                    .hash_for_stranger(p.expose().to_owned())
                    .await?,
            );
        }
    }
    done(repo::save_administrator(&state.db, row.id, name, hash.as_deref()).await?)?;
    if intent == "back" {
        go(Step::Administrator.previous());
        return Ok(());
    }
    // The row as just saved.
    let mut row = row;
    row.admin_name = name.to_owned();
    if hash.is_some() {
        row.admin_password_hash = hash;
    }
    check_administrator(&mut errors, &row);
    errors.finish()?;
    go(Step::Administrator.next());
    Ok(())
}

pub(super) fn check_legal(errors: &mut FieldErrors, name: &str, id_number: &str) {
    length(errors, "legal_name", name, 64);
    errors.check("legal_id_number", ResidentId::parse(id_number));
}

pub async fn save_legal(
    legal_name: String,
    legal_id_number: String,
    admin_is_legal: bool,
    intent: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    let row = require_editable(&state).await?;
    let mut name = legal_name.trim().to_owned();
    if admin_is_legal && name.is_empty() {
        name = row.admin_name.trim().to_owned();
    }
    let id_number = legal_id_number.trim().to_uppercase();
    refuse_oversized(&[
        ("legal_name", &name, 64),
        ("legal_id_number", &id_number, 32),
    ])?;
    done(repo::save_legal(&state.db, row.id, &name, &id_number, admin_is_legal).await?)?;
    if intent == "back" {
        go(Step::Legal.previous());
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    check_legal(&mut errors, &name, &id_number);
    errors.finish()?;
    go(Step::Legal.next());
    Ok(())
}

pub(super) fn check_documents(errors: &mut FieldErrors, present: &[DocumentKind]) {
    for kind in DocumentKind::missing(present) {
        errors.push(kind.as_str(), Code::DocumentRequired);
    }
}

pub async fn finish_documents(intent: String) -> Result<(), AppError> {
    let state = app_state()?;
    let row = require_editable(&state).await?;
    if intent == "back" {
        go(Step::Documents.previous());
        return Ok(());
    }
    let present = super::super::documents::present(&state.db, row.id).await?;
    let mut errors = FieldErrors::new();
    check_documents(&mut errors, &present);
    errors.finish()?;
    go(Step::Documents.next());
    Ok(())
}

pub async fn remove_document(kind: String) -> Result<(), AppError> {
    let state = app_state()?;
    let row = require_editable(&state).await?;
    let kind = DocumentKind::parse(&kind)
        .ok_or_else(|| AppError::field("kind", Code::ValidationChoice))?;
    done(repo::remove_document(&state.db, row.id, kind).await?)?;
    let _ = super::super::documents::sweep_orphans(&state.documents, &state.db).await;
    Ok(())
}
