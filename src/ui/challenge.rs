//! The proof-of-work field of the public forms that send a code: the
//! browser asks for a challenge when the form appears, solves it in small
//! slices (the page stays responsive) and puts the answer in a hidden field.
//! The server asks for it only once a client's requests approach their
//! hourly cap (see `codes::challenge`).
use super::CodeMessage;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A challenge as the server sends it (the ALTCHA scheme).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub algorithm: String,
    /// Hex of SHA-256(salt || number) for a secret number.
    pub challenge: String,
    /// Random, with `?expires=<unix time>`.
    pub salt: String,
    /// The number is at most this.
    pub max_number: u64,
    /// HMAC-SHA256 of `challenge` under the server's key.
    pub signature: String,
}

/// The answer the form sends back, as JSON in the `challenge` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeSolution {
    pub challenge: String,
    pub salt: String,
    pub number: u64,
    pub signature: String,
}

impl ChallengeSolution {
    /// The solution a form sent, if any (at most 512 bytes of JSON).
    pub fn from_form(raw: &str) -> Option<Self> {
        if raw.is_empty() || raw.len() > 512 {
            return None;
        }
        serde_json::from_str(raw).ok()
    }
}

/// Hex of SHA-256(salt || number in decimal).
pub fn challenge_digest(salt: &str, number: u64) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(number.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The number in `from..=to` that solves `c`, if it is there.
pub fn solve_range(c: &Challenge, from: u64, to: u64) -> Option<u64> {
    (from..=to.min(c.max_number)).find(|n| challenge_digest(&c.salt, *n) == c.challenge)
}

/// A fresh challenge for a form that sends a code.
#[server(prefix = "/api", endpoint = "code_challenge")]
pub async fn code_challenge() -> Result<Challenge, AppError> {
    let state = crate::server::state::app_state()?;
    Ok(state.codes.challenge())
}

/// The hidden `challenge` field, filled once the browser has solved one;
/// `data-challenge` says `pending` or `solved` (for tests and styling).
#[component]
pub fn ChallengeField(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let answer = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
        // Stops the search when the form goes away, before its signal does.
        let alive = std::sync::Arc::new(AtomicBool::new(true));
        let on_page = alive.clone();
        on_cleanup(move || on_page.store(false, Relaxed));
        leptos::task::spawn_local(async move {
            let Ok(c) = code_challenge().await else {
                return;
            };
            // Slices of 20,000 hashes, with a pause for the page in between.
            let mut from = 0u64;
            while alive.load(Relaxed) && from <= c.max_number {
                let to = from.saturating_add(19_999);
                if let Some(number) = solve_range(&c, from, to) {
                    let solution = ChallengeSolution {
                        challenge: c.challenge.clone(),
                        salt: c.salt.clone(),
                        number,
                        signature: c.signature.clone(),
                    };
                    if alive.load(Relaxed) {
                        answer.try_set(serde_json::to_string(&solution).unwrap_or_default());
                    }
                    return;
                }
                from = to + 1;
                pause().await;
            }
        });
    }
    let code = Signal::derive(move || error.get().and_then(|e| e.field_code("challenge")));
    view! {
        <input
            type="hidden"
            name="challenge"
            prop:value=move || answer.get()
            data-challenge=move || if answer.get().is_empty() { "pending" } else { "solved" }
        />
        <CodeMessage code alert=true />
    }
}

/// Yields to the browser until its next task (a zero-delay timeout).
#[cfg(feature = "hydrate")]
async fn pause() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_search_finds_the_number_and_forms_are_bounded() {
        let salt = "abc?expires=1";
        let c = Challenge {
            algorithm: "SHA-256".into(),
            challenge: challenge_digest(salt, 4_321),
            salt: salt.into(),
            max_number: 10_000,
            signature: String::new(),
        };
        assert_eq!(solve_range(&c, 0, 3_000), None);
        assert_eq!(solve_range(&c, 3_001, 10_000), Some(4_321));
        assert!(ChallengeSolution::from_form("").is_none());
        assert!(ChallengeSolution::from_form(&"x".repeat(600)).is_none());
        let s = ChallengeSolution {
            challenge: c.challenge.clone(),
            salt: salt.into(),
            number: 4_321,
            signature: "s".into(),
        };
        assert_eq!(
            ChallengeSolution::from_form(&serde_json::to_string(&s).unwrap()),
            Some(s)
        );
    }
}
