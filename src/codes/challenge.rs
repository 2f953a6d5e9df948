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
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// How long a challenge can be solved and used.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The HMAC covers the salt (and with it the expiry) as well as the digest:
/// moving digits of the number into the salt keeps the digest, not the
/// signature.
fn sign(key: &[u8; 32], challenge: &str, salt: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(challenge.as_bytes());
    mac.update(&[0]);
    mac.update(salt.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The expiry of a salt of the exact form we issue (16 base64url
/// characters, `?expires=`, 10 digits).
fn salt_expiry(salt: &str) -> Option<i64> {
    let (random, expires) = salt.split_once("?expires=")?;
    let well_formed = random.len() == 16
        && random
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && expires.len() == 10
        && expires.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| expires.parse().ok()).flatten()
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
        signature: sign(key, &challenge, &salt),
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
///
/// Runs on the caller's connection (the caller holds its network's lock:
/// taking a second connection there could starve the pool).
pub async fn check(
    conn: &mut sqlx::PgConnection,
    key: &[u8; 32],
    solution: &ChallengeSolution,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let Some(expires) = salt_expiry(&solution.salt) else {
        return Ok(Err(Refused::Malformed));
    };
    if solution.challenge.len() != 64 || solution.signature.len() != 64 {
        return Ok(Err(Refused::Malformed));
    }
    let expected = sign(key, &solution.challenge, &solution.salt);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        solution.signature.as_bytes(),
    )) {
        return Ok(Err(Refused::Forged));
    }
    if digest(&solution.salt, solution.number) != solution.challenge {
        return Ok(Err(Refused::Wrong));
    }
    let now = chrono::Utc::now().timestamp();
    // Never later than a challenge issued now would expire: none is kept longer.
    if expires < now || expires > now + CHALLENGE_TTL.as_secs() as i64 {
        return Ok(Err(Refused::Expired));
    }
    let fresh = sqlx::query(
        "INSERT INTO used_challenges (challenge, expires_at) VALUES ($1, to_timestamp($2))
         ON CONFLICT DO NOTHING",
    )
    .bind(&solution.challenge)
    .bind(expires as f64)
    .execute(&mut *conn)
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
        assert_eq!(sign(&key, &c.challenge, &c.salt), c.signature);
        assert_ne!(sign(&[8u8; 32], &c.challenge, &c.salt), c.signature);
        assert!(salt_expiry(&c.salt).is_some());
        // Digits of the number moved into the salt keep the digest, but the
        // salt is no longer the one signed, nor of the form issued.
        let moved = format!("{}{}", c.salt, n.to_string().chars().next().unwrap());
        assert_ne!(sign(&key, &c.challenge, &moved), c.signature);
        assert_eq!(salt_expiry(&moved), None);
    }
}
