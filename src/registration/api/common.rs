//! What every step shares: the browser's application, length and choice checks, where to go next.
use super::super::Step;
use super::super::catalog::{self};
use super::super::repo::{self, Row, Saved};
use super::*;
use crate::auth::guard::session;
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::AppState;
use uuid::Uuid;

pub(super) fn not_editable() -> AppError {
    AppError::field("application", Code::RegistrationNotEditable)
}

pub(super) fn no_application() -> AppError {
    AppError::field("application", Code::RegistrationNoApplication)
}

pub(super) fn done(saved: Saved) -> Result<(), AppError> {
    match saved {
        Saved::Done => Ok(()),
        Saved::NotEditable => Err(not_editable()),
    }
}

/// The application this session names (it may no longer exist).
pub(super) async fn session_id() -> Result<Option<Uuid>, AppError> {
    let session = session().await?;
    repo::session_registration(&session)
        .await
        .map_err(AppError::from)
}

pub(super) async fn require_editable(state: &AppState) -> Result<Row, AppError> {
    let id = session_id().await?.ok_or_else(no_application)?;
    let mut conn = state.db.acquire().await?;
    let row = repo::load(&mut conn, id, false)
        .await?
        .ok_or_else(no_application)?;
    if !row.status().editable() {
        return Err(not_editable());
    }
    Ok(row)
}

pub(super) fn go(step: Option<Step>) {
    leptos_axum::redirect(step.map(Step::path).unwrap_or("/register/review"));
}

pub(super) fn length(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    let n = value.chars().count();
    if n == 0 {
        errors.push(field, Code::ValidationRequired);
    } else if n > max {
        errors.push(field, Code::ValidationTooLong);
    }
}

/// Refuses the whole step, before anything is saved, when a value is
/// longer than its field may ever be (the schema's limits): a draft keeps
/// what was typed, but never more than a step could accept.
pub(super) fn refuse_oversized(fields: &[(&str, &str, usize)]) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    for (field, value, max) in fields {
        if value.chars().count() > *max {
            errors.push(field, Code::ValidationTooLong);
        }
    }
    errors.finish()
}

pub(super) fn choice(errors: &mut FieldErrors, field: &str, value: &str, list: &[catalog::Entry]) {
    if value.is_empty() {
        errors.push(field, Code::ValidationRequired);
    } else if !catalog::contains(list, value) {
        errors.push(field, Code::ValidationChoice);
    }
}

/// A credit code as stored: trimmed, upper case, no inner spaces.
pub(super) fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}
