//! Cross-origin request refusal, security headers and cache policy.
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::sync::Arc;

/// The CSP nonce of one HTML response, put into the request's extensions so
/// the page shell can stamp it on Leptos' inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn generate() -> Self {
        use base64::Engine as _;
        use rand::RngCore as _;
        let mut bytes = [0u8; 18];
        rand::rng().fill_bytes(&mut bytes);
        CspNonce(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// Origins allowed to send state-changing requests besides the request's own host.
#[derive(Clone, Debug)]
pub struct TrustedOrigins(pub Arc<Vec<String>>);

/// Whether a state-changing request comes from one of our own pages.
///
/// Browsers mark cross-site requests with `Sec-Fetch-Site` and `Origin`; a
/// request with neither comes from a non-browser client (curl, tests,
/// integrations), which a cross-site page cannot forge, so it passes.
pub fn is_same_origin(headers: &HeaderMap, trusted: &[String]) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        match site {
            "same-origin" | "none" => return true,
            // A trusted origin on another host (e.g. a separate admin host) may still pass below.
            _ if origin.is_none() => return false,
            _ => {}
        }
    }
    let Some(origin) = origin else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    if trusted.iter().any(|t| t.eq_ignore_ascii_case(origin)) {
        return true;
    }
    // Origin's host must equal the Host the browser addressed.
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Middleware: refuses state-changing requests from other origins with 403.
pub async fn origin_guard(
    State(trusted): State<TrustedOrigins>,
    req: Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && !is_same_origin(req.headers(), &trusted.0) {
        tracing::warn!("refused cross-origin request");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"kind":"forbidden","code":"cross_origin"}"#,
        )
            .into_response();
    }
    next.run(req).await
}

fn csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Middleware: security headers on every response, and the CSP nonce for pages.
pub async fn security_headers(State(hsts): State<bool>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    req.extensions_mut().insert(nonce.clone());
    // An invitation's pages carry a secret in their address (or did a moment
    // ago): nothing of it may reach another site.
    let private_address = req.uri().path().starts_with("/join");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A handler may set a stricter policy of its own (e.g. served documents).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&csp(&nonce.0))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(if private_address {
            "no-referrer"
        } else {
            "strict-origin-when-cross-origin"
        }),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// Middleware: cache lifetimes. Files under `/pkg` carry a content hash in
/// their names when `hash-files` is on, so they can be cached for a year;
/// pages and API answers are per user and never cached.
pub async fn cache_policy(State(hashed): State<bool>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let pkg = path.starts_with("/pkg/");
    if pkg
        && !res.headers().get_all(header::VARY).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
        })
    {
        // The front end's files go in the encoding the browser asked for
        // (copies made at build time): a shared cache must keep them apart.
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let value = if pkg && res.status().is_success() {
        if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    } else if !res.status().is_success()
        || res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"))
    {
        // Pages, answers and every error (a 405 or 404 cached by a proxy
        // would outlive the fix or the deployment that answered it).
        "no-store"
    } else {
        "public, max-age=3600"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn same_origin_passes() {
        let h = headers(&[
            ("host", "app.example.com"),
            ("origin", "https://app.example.com"),
        ]);
        assert!(is_same_origin(&h, &[]));
        let h = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://app.example.com"),
        ]);
        assert!(is_same_origin(&h, &[]));
    }

    #[test]
    fn cross_origin_is_refused() {
        let h = headers(&[
            ("host", "app.example.com"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!is_same_origin(&h, &[]));
        let h = headers(&[
            ("host", "app.example.com"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(!is_same_origin(&h, &[]));
        let h = headers(&[("host", "app.example.com"), ("sec-fetch-site", "same-site")]);
        assert!(!is_same_origin(&h, &[]));
        let h = headers(&[("host", "app.example.com"), ("origin", "null")]);
        assert!(!is_same_origin(&h, &[]));
        // A port is part of the origin.
        let h = headers(&[
            ("host", "app.example.com"),
            ("origin", "https://app.example.com:8443"),
        ]);
        assert!(!is_same_origin(&h, &[]));
    }

    #[test]
    fn trusted_origin_passes_even_cross_site() {
        let trusted = vec!["https://admin.example.com".to_string()];
        let h = headers(&[
            ("host", "app.example.com"),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://admin.example.com"),
        ]);
        assert!(is_same_origin(&h, &trusted));
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(is_same_origin(
            &headers(&[("host", "app.example.com")]),
            &[]
        ));
    }

    #[test]
    fn policy_has_nonce_and_no_unsafe_inline_script() {
        let p = csp("abc");
        assert!(p.contains("script-src 'self' 'nonce-abc'"));
        assert!(!p.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
    }
}
