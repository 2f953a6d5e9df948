//! What every server function's form must be before it is decoded: within
//! the size limit, valid UTF-8 once percent-decoded, and free of control
//! characters other than tab and line breaks. A form that is not gets a 422
//! naming the field, instead of being mangled into replacement characters
//! by the decoder or refused by PostgreSQL (a NUL byte) with a 500.
use crate::error::Code;
use crate::error::{AppError, FieldError};
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The largest form a server function takes. Documents are uploaded
/// elsewhere (`/register/documents/upload`), with their own limit.
pub const MAX_FORM_BYTES: usize = 128 * 1024;

/// How long a client may take to send a server function's form.
pub const FORM_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not UTF-8 once percent-decoded (e.g. `%FF%FE`).
    Encoding,
    /// A control character other than tab, line feed and carriage return (e.g. NUL).
    ControlCharacter,
}

impl Refusal {
    pub fn code(self) -> Code {
        match self {
            Refusal::Encoding => Code::ValidationEncoding,
            Refusal::ControlCharacter => Code::ValidationControlCharacters,
        }
    }
}

/// Checks an `application/x-www-form-urlencoded` string; returns the
/// refused fields (name and reason), in order, each once.
pub fn check_form(form: &[u8]) -> Vec<(String, Refusal)> {
    let mut refused: Vec<(String, Refusal)> = Vec::new();
    for pair in form.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let name_text = String::from_utf8_lossy(&percent_decode(name)).into_owned();
        let problem = match String::from_utf8(percent_decode(value)) {
            Err(_) => Some(Refusal::Encoding),
            Ok(text) if text.chars().any(is_refused_control) => Some(Refusal::ControlCharacter),
            Ok(_) => None,
        }
        .or_else(|| match std::str::from_utf8(&percent_decode(name)) {
            Err(_) => Some(Refusal::Encoding),
            Ok(n) if n.chars().any(is_refused_control) => Some(Refusal::ControlCharacter),
            Ok(_) => None,
        });
        if let Some(problem) = problem {
            // The field as the form names it: `heads[3]` is the field `heads`.
            let field = name_text
                .split(['[', '.'])
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>();
            if !refused.iter().any(|(f, _)| *f == field) {
                refused.push((field, problem));
            }
        }
    }
    refused
}

/// Tab, line feed and carriage return are text; every other C0 or C1
/// control character, and DEL, is not.
fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `application/x-www-form-urlencoded` decoding to bytes: `+` is a space,
/// `%XY` a byte; a malformed escape stays as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |at: usize| input.get(at).and_then(|b| (*b as char).to_digit(16));
                match (hex(i + 1), hex(i + 2)) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn refusal_response(status: StatusCode, fields: Vec<FieldError>) -> Response {
    let body = serde_json::to_string(&AppError::Validation { fields })
        .unwrap_or_else(|_| r#"{"kind":"validation","fields":[]}"#.into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Middleware: for `/api/*`, reads the form (up to [`MAX_FORM_BYTES`]) and
/// the query string, and refuses what [`check_form`] refuses.
pub async fn api_forms(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // A form arrives within seconds, or not at all.
    let read = tokio::time::timeout(
        FORM_READ_TIMEOUT,
        axum::body::to_bytes(body, MAX_FORM_BYTES),
    );
    let bytes: Bytes = match read.await {
        Ok(Ok(b)) => b,
        Err(_) => return StatusCode::REQUEST_TIMEOUT.into_response(),
        Ok(Err(_)) => {
            return refusal_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![FieldError {
                    field: String::new(),
                    code: Code::ValidationTooLong,
                }],
            );
        }
    };
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let mut refused = check_form(parts.uri.query().unwrap_or_default().as_bytes());
    if is_form {
        refused.extend(check_form(&bytes));
    }
    if !refused.is_empty() {
        return refusal_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            refused
                .into_iter()
                .map(|(field, r)| FieldError {
                    field,
                    code: r.code(),
                })
                .collect(),
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// How much of the server `/api/*` may take: requests at once (more are
/// shed at once with 503 rather than queued behind a stuck database), and
/// time per request (a request past it is dropped, its transaction rolled
/// back, and answered 503).
#[derive(Clone)]
pub struct ApiLimits {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    timeout: std::time::Duration,
}

impl ApiLimits {
    pub fn new(max_concurrent: usize, timeout: std::time::Duration) -> Self {
        ApiLimits {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(max_concurrent.max(1))),
            timeout,
        }
    }
}

fn busy(retry_after_secs: u64) -> Response {
    let body = serde_json::to_string(&AppError::TooManyRequests {
        retry_after_secs: Some(retry_after_secs),
    })
    .unwrap_or_default();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::RETRY_AFTER, retry_after_secs.to_string()),
        ],
        body,
    )
        .into_response()
}

/// Middleware: the concurrency limit with load shedding and the timeout of `/api/*`.
pub async fn api_limits(
    axum::extract::State(limits): axum::extract::State<ApiLimits>,
    req: Request,
    next: Next,
) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Ok(_permit) = limits.permits.clone().try_acquire_owned() else {
        tracing::warn!("api: at the concurrency limit; a request was shed");
        return busy(1);
    };
    match tokio::time::timeout(limits.timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(
                timeout_ms = limits.timeout.as_millis() as u64,
                "api: a request ran out of time"
            );
            busy(5)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_forms_pass() {
        assert!(check_form(b"name=%E7%A4%BA%E4%BE%8B+Ltd&note=line+1%0D%0Aline%092").is_empty());
        assert!(check_form(b"").is_empty());
        assert!(check_form(b"a=100%25&b=%").is_empty());
    }

    #[test]
    fn nul_and_other_controls_are_refused_by_field() {
        assert_eq!(
            check_form(b"org_name=ab%00c&city=ok&heads%5B0%5D=x%1B"),
            vec![
                ("org_name".to_string(), Refusal::ControlCharacter),
                ("heads".to_string(), Refusal::ControlCharacter)
            ]
        );
        // C1 controls too (U+0085 as UTF-8).
        assert_eq!(
            check_form(b"position=%C2%85"),
            vec![("position".to_string(), Refusal::ControlCharacter)]
        );
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        assert_eq!(
            check_form(b"name=%FF%FE"),
            vec![("name".to_string(), Refusal::Encoding)]
        );
    }
}
