//! Password hashing with argon2id (OWASP: m=19456 KiB, t=2, p=1, PHC string).
//!
//! Hashing is deliberately slow, so it runs on tokio's blocking pool and at
//! most `slots` hashes run at once; a request that waits longer than the
//! configured time for a slot is told to try again instead of piling up.
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Semaphore;

/// Every hashing slot stayed busy for longer than the allowed wait.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("all password hashing slots are busy")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` (blocking; call through [`Hasher`]).
pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

/// Checks `password` against a PHC string (blocking). A malformed hash never matches.
pub fn verify_blocking(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        // The parameters come from the stored string, so old hashes keep working.
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Runs hashes off the async runtime, a bounded number at a time.
#[derive(Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    wait: Duration,
    /// Checked when the account does not exist, so that the answer takes as long.
    dummy: Arc<String>,
}

impl Hasher {
    pub fn new(slots: usize, wait: Duration) -> Self {
        let dummy = hash_blocking("orgdesk-dummy-password-for-unknown-accounts")
            .expect("hashing a constant works");
        Hasher {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
            dummy: Arc::new(dummy),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)?;
        let out = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))?;
        Ok(out)
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Checks `password` against `phc`, or against the dummy hash when there
    /// is no account, which always fails but costs the same.
    pub async fn verify(&self, phc: Option<String>, password: String) -> Result<bool, HashError> {
        let real = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.as_str().to_owned());
        let ok = self.run(move || verify_blocking(&phc, &password)).await?;
        Ok(real && ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let phc = hash_blocking("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking(&phc, "correct horse battery"));
        assert!(!verify_blocking(&phc, "correct horse batterY"));
        assert!(!verify_blocking("not a hash", "correct horse battery"));
        // A fresh salt each time.
        assert_ne!(phc, hash_blocking("correct horse battery").unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = Hasher::new(1, Duration::from_secs(5));
        assert!(
            !hasher
                .verify(None, "orgdesk-dummy-password-for-unknown-accounts".into())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_full_pool_answers_busy() {
        let hasher = Hasher::new(1, Duration::from_millis(1));
        let held = hasher.slots.clone().acquire_owned().await.unwrap();
        assert!(matches!(
            hasher.hash("whatever-pass".into()).await,
            Err(HashError::Busy)
        ));
        drop(held);
        assert!(hasher.hash("whatever-pass".into()).await.is_ok());
    }
}
