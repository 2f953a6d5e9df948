//! Keys the server generates on first use and keeps in `server_keys`, so that
//! every instance shares them, and the sealing they are used for.
//!
//! With `ORGDESK_MASTER_KEY` set, each stored key is wrapped (AES-256-GCM,
//! bound to its name) by that key, which lives only in the environment: a
//! dump of the database alone then opens no TOTP seed, no queued message and
//! allows no offline guessing of code hashes. This is the envelope scheme of
//! Vaultwarden's and Keycloak's vaults: data keys in the database, the key
//! that opens them outside it. Keys stored in clear before the variable was
//! set are wrapped at the next start.
use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use sqlx::PgPool;
use std::sync::Arc;

const NONCE_LEN: usize = 12;

/// AES-256-GCM under one key: what is sealed is a 12-byte random nonce
/// followed by the ciphertext, bound to `context` (authenticated, not stored).
#[derive(Clone)]
pub struct Sealer(Arc<Aes256Gcm>);

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Sealer(Arc::new(Aes256Gcm::new(key.into())))
    }

    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.0
                .encrypt(
                    &nonce,
                    Payload {
                        msg: plain,
                        aad: context,
                    },
                )
                .expect("AES-GCM encryption of a short message"),
        );
        out
    }

    /// The plain text, or `None` when `sealed` was not sealed by this key for `context`.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .ok()
    }
}

/// The key from `ORGDESK_MASTER_KEY` that wraps the stored keys.
#[derive(Clone)]
pub struct MasterKey(Sealer);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// 32 bytes, written as 64 hexadecimal digits or in base64 (what
    /// `openssl rand -hex 32` or `openssl rand -base64 32` print).
    pub fn parse(text: &str) -> Result<Self, String> {
        use base64::Engine as _;
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex digits"))
                .collect::<Vec<u8>>()
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(
                    |_| "expected 32 bytes as 64 hex digits or base64 (openssl rand -hex 32)",
                )?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            "expected 32 bytes as 64 hex digits or base64 (openssl rand -hex 32)".to_string()
        })?;
        Ok(MasterKey(Sealer::new(&key)))
    }
}

/// Why the stored keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(
        "server key {0} is wrapped by a master key: set ORGDESK_MASTER_KEY to the key it was wrapped with"
    )]
    MasterKeyMissing(String),
    #[error(
        "ORGDESK_MASTER_KEY does not open server key {0}: it is not the key the keys were wrapped with"
    )]
    MasterKeyWrong(String),
    #[error("server key {0} is damaged (wrong length)")]
    Damaged(String),
}

/// The 32-byte key called `name`, created at random if it does not exist yet,
/// wrapped by `master` when there is one.
pub async fn load_or_create(
    db: &PgPool,
    name: &str,
    master: Option<&MasterKey>,
) -> Result<[u8; 32], KeyError> {
    let mut fresh = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut fresh[..]);
    let (stored, wrapped) = match master {
        Some(m) => (m.0.seal(&fresh, name.as_bytes()), true),
        None => (fresh.to_vec(), false),
    };
    sqlx::query!(
        "INSERT INTO server_keys (name, key, wrapped) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        name,
        &stored[..],
        wrapped
    )
    .execute(db)
    .await?;
    let row = sqlx::query!("SELECT key, wrapped FROM server_keys WHERE name = $1", name)
        .fetch_one(db)
        .await?;
    let key: [u8; 32] = match (row.wrapped, master) {
        (true, Some(m)) => {
            m.0.open(&row.key, name.as_bytes())
                .ok_or_else(|| KeyError::MasterKeyWrong(name.to_owned()))?
                .try_into()
                .map_err(|_| KeyError::Damaged(name.to_owned()))?
        }
        (true, None) => return Err(KeyError::MasterKeyMissing(name.to_owned())),
        (false, _) => row
            .key
            .try_into()
            .map_err(|_| KeyError::Damaged(name.to_owned()))?,
    };
    if let (false, Some(m)) = (row.wrapped, master) {
        // Kept in clear before the master key was set: wrap it now. Another
        // instance doing the same at once writes an equivalent wrapping.
        let wrapped = sqlx::query!(
            "UPDATE server_keys SET key = $2, wrapped = true WHERE name = $1 AND NOT wrapped",
            name,
            &m.0.seal(&key, name.as_bytes())[..]
        )
        .execute(db)
        .await?;
        if wrapped.rows_affected() == 1 {
            tracing::warn!(
                key = name,
                "a server key is now wrapped by ORGDESK_MASTER_KEY: keep a copy of that \
                 value, nothing opens the key without it"
            );
        }
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_context() {
        let a = Sealer::new(&[1; 32]);
        let sealed = a.seal(b"123456", b"row-1");
        assert!(!sealed.windows(6).any(|w| w == b"123456"));
        assert_eq!(a.open(&sealed, b"row-1").unwrap(), b"123456");
        assert!(a.open(&sealed, b"row-2").is_none());
        assert!(Sealer::new(&[2; 32]).open(&sealed, b"row-1").is_none());
        assert!(a.open(&sealed[..5], b"row-1").is_none());
    }

    #[test]
    fn master_keys_are_hex_or_base64_of_32_bytes() {
        let hex = "00".repeat(31) + "ff";
        assert!(MasterKey::parse(&hex).is_ok());
        assert!(MasterKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_ok());
        assert!(MasterKey::parse("too short").is_err());
        assert!(MasterKey::parse(&"00".repeat(16)).is_err());
        assert_eq!(
            format!("{:?}", MasterKey::parse(&hex).unwrap()),
            "MasterKey(..)"
        );
    }
}
