//! One error type for every server function.
//!
//! The browser only ever sees a stable code (and, for validation, one code per
//! field); the UI translates codes. Internal causes are logged on the server
//! with the request id, and only the request id travels to the user so support
//! can find the log line.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

mod code;
pub use code::Code;

/// A problem with one input field, shown beside that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name, as in the form struct.
    pub field: String,
    /// Why, e.g. `validation.required` or `mobile.format`.
    pub code: Code,
}

/// The error every server function returns.
///
/// Build it with the constructor functions: on the server they also set the
/// HTTP status of the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("validation failed")]
    Validation { fields: Vec<FieldError> },
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict,
    /// Unknown account or wrong password: deliberately the same answer.
    #[error("wrong account or password")]
    InvalidCredentials,
    /// Too many failed sign-ins; try again after the given time.
    #[error("locked")]
    Locked { retry_after_secs: u64 },
    #[error("account disabled")]
    AccountDisabled,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: Option<u64> },
    #[error("internal error")]
    Internal { request_id: Option<String> },
    /// The call itself failed: the network, or a request the server could not decode.
    #[error("transport: {message}")]
    Transport { network: bool, message: String },
}

impl AppError {
    /// The stable code the UI translates.
    pub fn code(&self) -> Code {
        match self {
            AppError::Validation { .. } => Code::ValidationInvalid,
            AppError::Unauthenticated => Code::AuthUnauthenticated,
            AppError::Forbidden => Code::AuthForbidden,
            AppError::NotFound => Code::NotFound,
            AppError::Conflict => Code::Conflict,
            AppError::InvalidCredentials => Code::AuthInvalidCredentials,
            AppError::Locked { .. } => Code::AuthLocked,
            AppError::AccountDisabled => Code::AuthDisabled,
            AppError::TooManyRequests { .. } => Code::RateLimited,
            AppError::Internal { .. } => Code::Internal,
            AppError::Transport { network: true, .. } => Code::Network,
            AppError::Transport { network: false, .. } => Code::Unknown,
        }
    }

    /// The HTTP status that goes with this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict => 409,
            AppError::InvalidCredentials => 401,
            AppError::Locked { .. } => 429,
            AppError::AccountDisabled => 403,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::Transport { .. } => 400,
        }
    }

    /// The code for one field, when this is a validation error that mentions it.
    pub fn field_code(&self, field: &str) -> Option<Code> {
        match self {
            AppError::Validation { fields } => {
                fields.iter().find(|f| f.field == field).map(|f| f.code)
            }
            _ => None,
        }
    }

    /// A validation error for a single field.
    pub fn field(field: impl Into<String>, code: Code) -> Self {
        Self::validation(vec![FieldError {
            field: field.into(),
            code,
        }])
    }

    /// A validation error for several fields at once, so a form shows them all together.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        AppError::Validation { fields }.with_status()
    }

    pub fn unauthenticated() -> Self {
        AppError::Unauthenticated.with_status()
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden.with_status()
    }

    pub fn not_found() -> Self {
        AppError::NotFound.with_status()
    }

    pub fn conflict() -> Self {
        AppError::Conflict.with_status()
    }

    pub fn invalid_credentials() -> Self {
        AppError::InvalidCredentials.with_status()
    }

    pub fn locked(retry_after_secs: u64) -> Self {
        AppError::Locked { retry_after_secs }.with_status()
    }

    pub fn account_disabled() -> Self {
        AppError::AccountDisabled.with_status()
    }

    /// The wait a refusal names: after too many requests, or a lock.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_secs } => *retry_after_secs,
            AppError::Locked { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    pub fn too_many_requests(retry_after_secs: Option<u64>) -> Self {
        AppError::TooManyRequests { retry_after_secs }.with_status()
    }

    /// Logs `cause` with the current request id and returns an error that
    /// carries only that id.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let request_id = crate::server::telemetry::current_request_id();
        tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), error = %cause, "internal error");
        AppError::Internal { request_id }.with_status()
    }

    #[cfg(feature = "ssr")]
    fn with_status(self) -> Self {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(self.status())
        {
            res.set_status(status);
            if let Some(secs) = self.retry_after_secs() {
                res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
            }
        }
        self
    }

    #[cfg(not(feature = "ssr"))]
    fn with_status(self) -> Self {
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Arguments the server could not decode (a number that is text,
        // fractional or too large; a missing field) are the caller's mistake:
        // a 422, without the decoder's words, which would only echo internals.
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) = &value {
            tracing::info!(error = %message, "server function arguments not decoded");
            return AppError::field(argument_name(message), Code::ValidationFormat);
        }
        let network = matches!(value, ServerFnErrorErr::Request(_));
        AppError::Transport {
            network,
            message: value.to_string(),
        }
    }
}

/// The field a decoder's message names, when it names one (serde quotes it
/// in backticks: "missing field `submission_no`"), else "" (the whole form).
#[cfg(feature = "ssr")]
fn argument_name(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|f| {
            !f.is_empty()
                && f.len() <= 64
                && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .unwrap_or_default()
        .to_owned()
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::internal(err)
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        AppError::internal(format!("session store: {err}"))
    }
}

/// Collects field errors from several parsers, so a form reports every
/// problem at once instead of one per submit.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result` under `field` and returns the value if it parsed.
    pub fn check<T, E: crate::domain::ErrorCode>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.push(field, err.code());
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, code: Code) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else the validation error.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            AppError::unauthenticated().code().as_str(),
            "auth.unauthenticated"
        );
        assert_eq!(AppError::not_found().code().as_str(), "not_found");
        assert_eq!(
            AppError::field("name", Code::ValidationRequired)
                .code()
                .as_str(),
            "validation.invalid"
        );
    }

    #[test]
    fn field_errors_travel_per_field() {
        let err = AppError::validation(vec![
            FieldError {
                field: "name".into(),
                code: Code::ValidationRequired,
            },
            FieldError {
                field: "mobile".into(),
                code: Code::MobileFormat,
            },
        ]);
        let json = serde_json::to_string(&err).unwrap();
        assert!(json.contains(r#""code":"mobile.format""#), "{json}");
        let back: AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(back.field_code("mobile"), Some(Code::MobileFormat));
        assert_eq!(back.field_code("name"), Some(Code::ValidationRequired));
        assert_eq!(back.field_code("email"), None);
        assert_eq!(back.status(), 422);
    }

    #[test]
    fn internal_error_serialises_without_cause() {
        let err = AppError::Internal {
            request_id: Some("abc".into()),
        };
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(json, r#"{"kind":"internal","request_id":"abc"}"#);
    }

    #[test]
    fn collector_reports_every_field() {
        let mut errs = FieldErrors::new();
        errs.push("a", Code::ValidationRequired);
        errs.push("b", Code::ValidationRequired);
        match errs.finish() {
            Err(AppError::Validation { fields }) => assert_eq!(fields.len(), 2),
            other => panic!("expected validation error, got {other:?}"),
        }
        assert!(FieldErrors::new().finish().is_ok());
    }
}
