//! Proof of work for the public endpoints that send a code (the ALTCHA
//! scheme, with no third party): the server picks a secret number below
//! `max_number` and sends SHA-256(salt || number) with an HMAC of it; the
//! browser finds the number by trying them all (about a second of work at
//! the default size), and the server checks the answer with two hashes. A
//! solved challenge works once (kept until it expires, in PostgreSQL, so
//! every instance knows) and for a few minutes.
//!
//! It is asked for only once a client's hourly requests approach their cap
//! (`CODE_CHALLENGE_AFTER`): an SMS-pumping script then pays a second of CPU
//! per message, a person asking for one code never notices.
use crate::ui::challenge::{Challenge, ChallengeSolution, challenge_digest as digest};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// How long a challenge can be solved and used.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sign(key: &[u8; 32], challenge: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(challenge.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// A new challenge, signed with `key`.
pub fn issue(key: &[u8; 32], max_number: u64) -> Challenge {
    let mut salt_bytes = [0u8; 12];
    rand::Rng::fill(&mut rand::rng(), &mut salt_bytes[..]);
    let expires = chrono::Utc::now().timestamp() + CHALLENGE_TTL.as_secs() as i64;
    let salt = format!(
        "{}?expires={expires}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(salt_bytes)
    );
    let number = rand::Rng::random_range(&mut rand::rng(), 0..=max_number);
    let challenge = digest(&salt, number);
    Challenge {
        algorithm: "SHA-256".into(),
        signature: sign(key, &challenge),
        challenge,
        salt,
        max_number,
    }
}

/// Why a solution is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Malformed,
    Forged,
    Wrong,
    Expired,
    Used,
}

/// Checks a solution: signed by us, solved, unexpired and never used
/// before (recorded as used, shared by every instance).
pub async fn check(
    db: &PgPool,
    key: &[u8; 32],
    solution: &ChallengeSolution,
) -> Result<Result<(), Refused>, sqlx::Error> {
    if solution.challenge.len() != 64 || solution.signature.len() != 64 || solution.salt.len() > 64
    {
        return Ok(Err(Refused::Malformed));
    }
    let expected = sign(key, &solution.challenge);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        solution.signature.as_bytes(),
    )) {
        return Ok(Err(Refused::Forged));
    }
    if digest(&solution.salt, solution.number) != solution.challenge {
        return Ok(Err(Refused::Wrong));
    }
    let expires = solution
        .salt
        .split_once("?expires=")
        .and_then(|(_, t)| t.parse::<i64>().ok());
    let Some(expires) = expires else {
        return Ok(Err(Refused::Malformed));
    };
    if expires < chrono::Utc::now().timestamp() {
        return Ok(Err(Refused::Expired));
    }
    let fresh = sqlx::query(
        "INSERT INTO used_challenges (challenge, expires_at) VALUES ($1, to_timestamp($2))
         ON CONFLICT DO NOTHING",
    )
    .bind(&solution.challenge)
    .bind(expires as f64)
    .execute(db)
    .await?
    .rows_affected()
        == 1;
    Ok(if fresh { Ok(()) } else { Err(Refused::Used) })
}

/// Finds the number (what the browser does); `None` past `max_number`.
pub fn solve(challenge: &Challenge) -> Option<u64> {
    (0..=challenge.max_number).find(|n| digest(&challenge.salt, *n) == challenge.challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_is_solved_by_search_and_signed() {
        let key = [7u8; 32];
        let c = issue(&key, 2_000);
        let n = solve(&c).expect("within max_number");
        assert_eq!(digest(&c.salt, n), c.challenge);
        assert_eq!(sign(&key, &c.challenge), c.signature);
        assert_ne!(sign(&[8u8; 32], &c.challenge), c.signature);
        assert!(c.salt.contains("?expires="));
    }
}
