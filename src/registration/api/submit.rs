//! Submitting: every step checked again, and the snapshot the operators review.
use super::super::DocumentKind;
use super::super::repo::{self, OrganisationFields, Row};
use super::super::verifier::IdentitySubject;
use super::common::*;
use super::imp::*;
use super::*;
use crate::audit::repo::{Event, record};
use crate::auth::guard::RequestMeta;
use crate::domain::ResidentId;
use crate::error::Code;
use crate::error::FieldErrors;
use crate::server::state::app_state;
use serde_json::json;

/// Everything the review page checks, with the fields named as in the steps.
pub(super) fn check_all(row: &Row, documents: &[DocumentKind]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    check_organisation(
        &mut errors,
        &OrganisationFields {
            org_name: row.org_name.trim(),
            industry: &row.industry,
            size_band: &row.size_band,
            credit_code: &row.credit_code,
            credit_code_confirmed: row.credit_code_confirmed,
            province: &row.province,
            city: &row.city,
            address: &row.address,
        },
    );
    check_administrator(&mut errors, row);
    check_legal(&mut errors, &row.legal_name, &row.legal_id_number);
    check_documents(&mut errors, documents);
    errors
}

/// What was submitted, frozen for the review and the next review's diff.
pub(super) fn snapshot(
    row: &Row,
    documents: &[(super::super::DocumentView, String)],
) -> serde_json::Value {
    let docs: serde_json::Map<String, serde_json::Value> = documents
        .iter()
        .map(|(d, sha)| (d.kind.as_str().to_owned(), json!(sha)))
        .collect();
    json!({
        "org_name": row.org_name,
        "industry": row.industry,
        "size_band": row.size_band,
        "credit_code": row.credit_code,
        "credit_code_confirmed": row.credit_code_confirmed,
        "province": row.province,
        "city": row.city,
        "address": row.address,
        "admin_name": row.admin_name,
        "admin_mobile": row.admin_mobile,
        "admin_email": row.admin_email,
        "legal_name": row.legal_name,
        "legal_id_number": row.legal_id_number,
        "admin_is_legal": row.admin_is_legal,
        "documents": docs,
    })
}

pub async fn submit(accept_terms: bool) -> Result<(), AppError> {
    let state = app_state()?;
    let id = session_id().await?.ok_or_else(no_application)?;
    let meta = RequestMeta::current();
    let mut tx = state.db.begin().await?;
    let row = repo::load(&mut tx, id, true)
        .await?
        .ok_or_else(no_application)?;
    if !row.status().editable() {
        // A second submit (double click, resent form) changes nothing.
        leptos_axum::redirect("/register/status");
        return Ok(());
    }
    let documents = repo::documents(&mut tx, id).await?;
    let kinds: Vec<DocumentKind> = documents.iter().map(|(d, _)| d.kind).collect();
    let mut errors = check_all(&row, &kinds);
    if !accept_terms {
        errors.push("accept_terms", Code::RegistrationTermsRequired);
    }
    if errors.is_empty() && repo::credit_code_taken(&mut tx, &row.credit_code, id).await? {
        errors.push("credit_code", Code::RegistrationCreditCodeTaken);
    }
    errors.finish()?;

    let resident_id = ResidentId::parse(&row.legal_id_number)
        .map_err(|_| AppError::field("legal_id_number", Code::ResidentIdFormat))?;
    let verdict = state
        .identity
        .verify(IdentitySubject {
            name: &row.legal_name,
            resident_id: &resident_id,
        })
        .await
        .map_err(AppError::internal)?;
    let submission_no = row.submission_no + 1;
    let snap = snapshot(&row, &documents);
    if let Err(e) = repo::submit(&mut tx, id, submission_no, &snap, &verdict.as_stored()).await {
        // Two applications for one code submitted at the same moment.
        if let sqlx::Error::Database(db) = &e
            && db.constraint() == Some("registrations_credit_code_active_key")
        {
            return Err(AppError::field(
                "credit_code",
                Code::RegistrationCreditCodeTaken,
            ));
        }
        return Err(e.into());
    }
    record(
        &mut tx,
        &meta.actor(None, "anonymous"),
        &Event::new(crate::audit::Action::RegistrationSubmitted)
            .target("registration", id.to_string())
            .details(json!({
                "submission_no": submission_no,
                "organisation": row.org_name,
                "identity_check": verdict.as_stored(),
            })),
    )
    .await?;
    tx.commit().await?;
    leptos_axum::redirect("/register/status");
    Ok(())
}
