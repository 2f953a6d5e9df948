//! Starting an application, reading it, and step 1 (the organisation).
use super::super::catalog::{INDUSTRIES, PROVINCES, SIZE_BANDS};
use super::super::repo::{self, OrganisationFields};
use super::super::{Status, Step};
use super::common::*;
use super::*;
use crate::auth::guard::{RequestMeta, session};
use crate::domain::CreditCode;
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::app_state;

pub async fn start() -> Result<(), AppError> {
    let state = app_state()?;
    // Go on with this browser's application, unless it is approved
    // (then this is another organisation's application).
    if let Some(id) = session_id().await?
        && let Some(status) = repo::status(&state.db, id).await?
        && status != Status::Approved
    {
        leptos_axum::redirect(if status.editable() {
            Step::Organisation.path()
        } else {
            "/register/status"
        });
        return Ok(());
    }
    let meta = RequestMeta::current();
    let Some(id) = repo::create_draft(
        &state.db,
        meta.locale,
        meta.ip,
        state.registration.drafts_per_ip_day,
    )
    .await?
    else {
        return Err(AppError::too_many_requests(Some(3600)));
    };
    let session = session().await?;
    repo::bind_session(&session, id)
        .await
        .map_err(AppError::from)?;
    leptos_axum::redirect(Step::Organisation.path());
    Ok(())
}

pub async fn get() -> Result<Option<Application>, AppError> {
    let state = app_state()?;
    let Some(id) = session_id().await? else {
        return Ok(None);
    };
    Ok(repo::application(&state.db, id, state.time_zone).await?)
}

pub struct OrganisationInput {
    pub org_name: String,
    pub industry: String,
    pub size_band: String,
    pub credit_code: String,
    pub confirm_checksum: bool,
    pub province: String,
    pub city: String,
    pub address: String,
    pub intent: String,
}

/// Checks the organisation fields; the credit code's own problems are
/// reported under `credit_code`.
pub(super) fn check_organisation(errors: &mut FieldErrors, f: &OrganisationFields<'_>) {
    length(errors, "org_name", f.org_name, 128);
    if f.org_name.chars().count() == 1 {
        errors.push("org_name", Code::RegistrationNameTooShort);
    }
    choice(errors, "industry", f.industry, INDUSTRIES);
    choice(errors, "size_band", f.size_band, SIZE_BANDS);
    match CreditCode::parse_allowing_bad_checksum(f.credit_code) {
        Ok((_, true)) => {}
        // A few early pilot codes are legal and fail the checksum.
        Ok((_, false)) if f.credit_code_confirmed => {}
        Ok((_, false)) => errors.push("credit_code", Code::CreditCodeChecksumConfirm),
        Err(e) => {
            errors.check::<(), _>("credit_code", Err(e));
        }
    }
    choice(errors, "province", f.province, PROVINCES);
    length(errors, "city", f.city, 64);
    length(errors, "address", f.address, 200);
}

pub async fn save_organisation(input: OrganisationInput) -> Result<(), AppError> {
    let state = app_state()?;
    let row = require_editable(&state).await?;
    let org_name = input.org_name.trim();
    let credit_code = normalise_code(&input.credit_code);
    let city = input.city.trim();
    let address = input.address.trim();
    // The confirmation belongs to the code it was given for.
    let confirmed =
        input.confirm_checksum || (row.credit_code_confirmed && row.credit_code == credit_code);
    let fields = OrganisationFields {
        org_name,
        industry: input.industry.trim(),
        size_band: input.size_band.trim(),
        credit_code: &credit_code,
        credit_code_confirmed: confirmed,
        province: input.province.trim(),
        city,
        address,
    };
    refuse_oversized(&[
        ("org_name", fields.org_name, 128),
        ("industry", fields.industry, 64),
        ("size_band", fields.size_band, 64),
        ("credit_code", fields.credit_code, 32),
        ("province", fields.province, 64),
        ("city", city, 64),
        ("address", address, 200),
    ])?;
    done(repo::save_organisation(&state.db, row.id, &fields).await?)?;
    if input.intent == "back" {
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    check_organisation(&mut errors, &fields);
    if errors.is_empty() {
        let mut conn = state.db.acquire().await?;
        if repo::credit_code_taken(&mut conn, &credit_code, row.id).await? {
            errors.push("credit_code", Code::RegistrationCreditCodeTaken);
        }
    }
    errors.finish()?;
    go(Step::Organisation.next());
    Ok(())
}
