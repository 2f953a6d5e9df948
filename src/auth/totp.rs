//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s steps) and
//! recovery codes.
//!
//! A code is accepted for the current step and one step either side. The step
//! of the last accepted code is stored, and the database only moves it
//! forwards, so a code (or an older one) is never accepted twice, whichever
//! instance sees it. Seeds are sealed with AES-256-GCM under a server key;
//! recovery codes are kept as HMAC-SHA256 under another.
use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng},
};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

pub const STEP_SECS: u64 = 30;
const SKEW_STEPS: i64 = 1;
const ISSUER: &str = "Orgdesk";
/// Alphabet of recovery codes: no 0/O, 1/l/I.
const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Server keys for second factors, shared by every instance.
#[derive(Clone)]
pub struct SecondFactorKeys {
    seal: Arc<Aes256Gcm>,
    recovery: Arc<[u8; 32]>,
}

impl SecondFactorKeys {
    pub async fn load(
        db: &PgPool,
        master: Option<&crate::server::keys::MasterKey>,
    ) -> Result<Self, crate::server::keys::KeyError> {
        let seal = crate::server::keys::load_or_create(db, "totp_seal", master).await?;
        let recovery = crate::server::keys::load_or_create(db, "recovery_codes", master).await?;
        Ok(Self::from_keys(seal, recovery))
    }

    pub fn from_keys(seal: [u8; 32], recovery: [u8; 32]) -> Self {
        SecondFactorKeys {
            seal: Arc::new(Aes256Gcm::new(&seal.into())),
            recovery: Arc::new(recovery),
        }
    }

    /// Encrypts a seed: 12-byte nonce followed by the ciphertext.
    pub fn seal(&self, secret: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.seal
                .encrypt(&nonce, secret)
                .expect("AES-GCM encryption of a short seed"),
        );
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 {
            return None;
        }
        let (nonce, body) = sealed.split_at(12);
        self.seal.decrypt(Nonce::from_slice(nonce), body).ok()
    }

    /// The keyed hash a recovery code is stored and looked up as.
    pub fn recovery_hash(&self, code: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.recovery[..]).expect("any key length");
        mac.update(normalise_recovery_code(code).as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Lower-case, without the spaces and dashes people type.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A fresh seed of 20 random bytes (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::Rng::fill(&mut rand::rng(), &mut secret[..]);
    secret
}

/// Ten codes like `7kq4m-x2p9h`.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut s = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    s.push('-');
                }
                let idx = rand::Rng::random_range(&mut rng, 0..RECOVERY_ALPHABET.len());
                s.push(RECOVERY_ALPHABET[idx] as char);
            }
            s
        })
        .collect()
}

/// The generator for a seed; `label` is what the authenticator app shows.
pub fn totp(secret: Vec<u8>, label: &str) -> Option<TOTP> {
    // Authenticator apps show "issuer:label"; a colon in the label would break it.
    let label = label.replace(':', " ");
    TOTP::new(
        Algorithm::SHA1,
        6,
        SKEW_STEPS as u8,
        STEP_SECS,
        secret,
        Some(ISSUER.to_string()),
        label,
    )
    .ok()
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The step `code` belongs to, if it matches the current step or one either
/// side and is newer than `last_step`. Compared in constant time.
pub fn matching_step(totp: &TOTP, code: &str, now: u64, last_step: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = (now / STEP_SECS) as i64;
    let mut found = None;
    // Every candidate is computed and compared, whichever matches.
    for step in (current - SKEW_STEPS)..=(current + SKEW_STEPS) {
        let expected = totp.generate(step as u64 * STEP_SECS);
        let equal: bool = expected.as_bytes().ct_eq(code.as_bytes()).into();
        if equal && found.is_none() {
            found = Some(step);
        }
    }
    found.filter(|step| last_step.is_none_or(|last| *step > last))
}

/// Groups a base32 key in fours for reading aloud or typing.
pub fn group_secret(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> TOTP {
        totp(b"12345678901234567890".to_vec(), "admin@example.com").unwrap()
    }

    #[test]
    fn rfc_6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the last six.
        assert_eq!(fixed().generate(59), "287082");
    }

    #[test]
    fn window_is_one_step_either_side() {
        let t = fixed();
        let now = 1_700_000_015;
        let step = (now / STEP_SECS) as i64;
        for off in [-1i64, 0, 1] {
            let code = t.generate((step + off) as u64 * STEP_SECS);
            assert_eq!(matching_step(&t, &code, now, None), Some(step + off));
        }
        for off in [-2i64, 2] {
            let code = t.generate((step + off) as u64 * STEP_SECS);
            assert_eq!(matching_step(&t, &code, now, None), None, "offset {off}");
        }
    }

    #[test]
    fn used_and_older_steps_are_refused() {
        let t = fixed();
        let now = 1_700_000_015;
        let step = (now / STEP_SECS) as i64;
        let code = t.generate(step as u64 * STEP_SECS);
        assert_eq!(matching_step(&t, &code, now, Some(step)), None);
        let older = t.generate((step - 1) as u64 * STEP_SECS);
        assert_eq!(matching_step(&t, &older, now, Some(step)), None);
        assert_eq!(matching_step(&t, "12345", now, None), None);
        assert_eq!(matching_step(&t, "abcdef", now, None), None);
    }

    #[test]
    fn seeds_round_trip_sealed_and_differ_each_time() {
        let keys = SecondFactorKeys::from_keys([1; 32], [2; 32]);
        let secret = new_secret();
        let a = keys.seal(&secret);
        let b = keys.seal(&secret);
        assert_ne!(a, b);
        assert_eq!(keys.open(&a).unwrap(), secret);
        let other = SecondFactorKeys::from_keys([3; 32], [2; 32]);
        assert!(other.open(&a).is_none());
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODE_COUNT);
        let keys = SecondFactorKeys::from_keys([1; 32], [2; 32]);
        let code = &codes[0];
        assert_eq!(code.len(), 11);
        let typed = format!(" {} ", code.to_uppercase().replace('-', " "));
        assert_eq!(keys.recovery_hash(code), keys.recovery_hash(&typed));
        assert_ne!(keys.recovery_hash(code), keys.recovery_hash(&codes[1]));
    }
}
