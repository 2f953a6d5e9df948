//! Server functions of the registration wizard. The applicant has no account:
//! each function finds the application through the session, and only an
//! application in `draft` or `rejected` can be changed.
//!
//! Every step saves what was typed before it validates, so a step that does
//! not pass loses nothing; `intent = back` saves without validating.
// One argument per form field keeps the forms plain HTML; the server macro
// also generates client code with the same arguments.
#![allow(clippy::too_many_arguments)]
use super::{Application, CodeSent};
use crate::error::AppError;
use leptos::prelude::*;

/// Starts an application in this browser (or goes on with the one it has).
#[server(prefix = "/api", endpoint = "registration_start")]
pub async fn start_registration() -> Result<(), AppError> {
    imp::start().await
}

/// The application this browser is filling, if any.
#[server(prefix = "/api", endpoint = "registration")]
pub async fn get_application() -> Result<Option<Application>, AppError> {
    imp::get().await
}

/// Step 1: the organisation.
#[server(prefix = "/api", endpoint = "registration_organisation")]
pub async fn save_organisation(
    #[server(default)] org_name: String,
    #[server(default)] industry: String,
    #[server(default)] size_band: String,
    #[server(default)] credit_code: String,
    /// Present when the applicant confirms a code whose check character fails.
    #[server(default)]
    confirm_checksum: Option<String>,
    #[server(default)] province: String,
    #[server(default)] city: String,
    #[server(default)] address: String,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    imp::save_organisation(imp::OrganisationInput {
        org_name,
        industry,
        size_band,
        credit_code,
        confirm_checksum: confirm_checksum.is_some(),
        province,
        city,
        address,
        intent,
    })
    .await
}

/// Sends a code to the administrator mobile (`channel = mobile`) or email,
/// and records the address on the application.
#[server(prefix = "/api", endpoint = "registration_send_code")]
pub async fn send_contact_code(
    channel: String,
    value: String,
    #[server(default)] challenge: String,
) -> Result<CodeSent, AppError> {
    imp::send_contact_code(channel, value, challenge).await
}

/// Proves the administrator mobile or email with the code sent to it.
#[server(prefix = "/api", endpoint = "registration_verify_code")]
pub async fn verify_contact_code(channel: String, code: String) -> Result<(), AppError> {
    imp::verify_contact_code(channel, code).await
}

/// Step 2: the administrator's name and password (the addresses are proven
/// by their own forms).
#[server(prefix = "/api", endpoint = "registration_administrator")]
pub async fn save_administrator(
    #[server(default)] admin_name: String,
    #[server(default)] password: String,
    #[server(default)] password_confirm: String,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    imp::save_administrator(admin_name, password, password_confirm, intent).await
}

/// Step 3: the legal representative.
#[server(prefix = "/api", endpoint = "registration_legal")]
pub async fn save_legal(
    #[server(default)] legal_name: String,
    #[server(default)] legal_id_number: String,
    #[server(default)] admin_is_legal: Option<String>,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    imp::save_legal(
        legal_name,
        legal_id_number,
        admin_is_legal.is_some(),
        intent,
    )
    .await
}

/// Step 4 is done: checks that the required documents are there.
#[server(prefix = "/api", endpoint = "registration_documents")]
pub async fn finish_documents(#[server(default)] intent: String) -> Result<(), AppError> {
    imp::finish_documents(intent).await
}

/// Removes an uploaded document.
#[server(prefix = "/api", endpoint = "registration_remove_document")]
pub async fn remove_document(kind: String) -> Result<(), AppError> {
    imp::remove_document(kind).await
}

/// Step 5: submits the application for review. Submitting again while it
/// waits for review changes nothing.
#[server(prefix = "/api", endpoint = "registration_submit")]
pub async fn submit_application(
    #[server(default)] accept_terms: Option<String>,
) -> Result<(), AppError> {
    imp::submit(accept_terms.is_some()).await
}

/// Resuming in another browser, first half: a code to the administrator
/// mobile or email. The answer is the same whether or not an application
/// uses that address.
#[server(prefix = "/api", endpoint = "registration_resume_code")]
pub async fn send_resume_code(
    identifier: String,
    #[server(default)] challenge: String,
) -> Result<CodeSent, AppError> {
    imp::send_resume_code(identifier, challenge).await
}

/// Resuming, second half: the code ties this browser to the application.
#[server(prefix = "/api", endpoint = "registration_resume")]
pub async fn resume_application(identifier: String, code: String) -> Result<(), AppError> {
    imp::resume(identifier, code).await
}

#[cfg(feature = "ssr")]
mod common;
#[cfg(feature = "ssr")]
mod contact_codes;
#[cfg(feature = "ssr")]
mod organisation;
#[cfg(feature = "ssr")]
mod resume;
#[cfg(feature = "ssr")]
mod steps;
#[cfg(feature = "ssr")]
mod submit;

/// The server functions' bodies, one module per flow.
#[cfg(feature = "ssr")]
mod imp {
    pub use super::contact_codes::*;
    pub use super::organisation::*;
    pub use super::resume::*;
    pub use super::steps::*;
    pub use super::submit::*;
}
