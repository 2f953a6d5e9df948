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

/// Where the caller's account is signed in: each session that still works.
#[server(prefix = "/api", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<super::SessionInfo>, AppError> {
    imp::my_sessions().await
}

/// Ends one of the caller's other sessions.
#[server(prefix = "/api", endpoint = "end_my_session")]
pub async fn end_my_session(id: String) -> Result<(), AppError> {
    imp::end_my_session(id).await
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
pub(crate) use common::begin_attempt;
#[cfg(feature = "ssr")]
pub(crate) use imp::{reauthenticate, sessions_of};
#[cfg(feature = "ssr")]
pub(crate) use signing_in::begin_session;

#[cfg(feature = "ssr")]
mod account;
#[cfg(feature = "ssr")]
mod common;
#[cfg(feature = "ssr")]
mod enrolment;
#[cfg(feature = "ssr")]
mod password;
#[cfg(feature = "ssr")]
mod setup;
#[cfg(feature = "ssr")]
mod signing_in;

/// The server functions' bodies, one module per flow.
#[cfg(feature = "ssr")]
mod imp {
    pub use super::account::*;
    pub use super::enrolment::*;
    pub use super::password::*;
    pub use super::setup::*;
    pub use super::signing_in::*;
}
