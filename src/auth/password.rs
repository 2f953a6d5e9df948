//! Password hashing with argon2id (OWASP: m=19456 KiB, t=2, p=1, PHC string).
//!
//! Hashing is deliberately slow, so it runs off the async runtime on `slots`
//! threads of its own, at most one hash each; a request that waits longer
//! than the configured time for a slot is told to try again instead of piling
//! up. Fixed threads also bound memory: each hash allocates 19 MiB, and the
//! allocator keeps freed memory per thread, so hashing on tokio's blocking
//! pool (up to 512 threads) let the resident size grow with every new thread.
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};
use tokio::sync::Semaphore;

type Job = Box<dyn FnOnce() + Send>;

/// Every hashing slot stayed busy for longer than the allowed wait.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("all password hashing slots are busy")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

#[cfg(feature = "ssr")]
impl From<HashError> for crate::error::AppError {
    /// Busy slots are a moment's wait for the caller; a failure is ours.
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => crate::error::AppError::too_many_requests(Some(1)),
            other => crate::error::AppError::internal(other),
        }
    }
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

thread_local! {
    /// Each hashing thread fills the same 19 MiB again and again, instead of
    /// asking the allocator for it at every sign-in.
    static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks `password` against a PHC string (blocking). A malformed hash never
/// matches. The parameters come from the stored string, so hashes made with
/// other parameters keep working.
pub fn verify_blocking(phc: &str, password: &str) -> bool {
    fn check(phc: &str, password: &str) -> Option<bool> {
        let parsed = PasswordHash::new(phc).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::V0x13,
        };
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt_buf = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
        let mut out = vec![0u8; expected.len()];
        let blocks = params.block_count();
        let hasher = Argon2::new(algorithm, version, params);
        MEMORY.with(|memory| {
            let mut memory = memory.borrow_mut();
            if memory.len() < blocks {
                memory.resize(blocks, argon2::Block::default());
            }
            hasher
                .hash_password_into_with_memory(
                    password.as_bytes(),
                    salt,
                    &mut out,
                    &mut memory[..blocks],
                )
                .ok()
        })?;
        Some(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), &out[..]).into())
    }
    check(phc, password).unwrap_or(false)
}

/// Lowers the calling thread's scheduling priority to niceness `nice`.
#[cfg(target_os = "linux")]
fn lower_priority(nice: i32) {
    if nice <= 0 {
        return;
    }
    // SAFETY: both calls only read their integer arguments. On Linux,
    // PRIO_PROCESS with a thread id changes that thread alone.
    let result = unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, nice)
    };
    if result != 0 {
        tracing::warn!(
            nice,
            "could not lower the priority of a password hashing thread"
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_nice: i32) {}

/// Runs hashes off the async runtime, a bounded number at a time.
#[derive(Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    /// To the hashing threads; they stop when the last `Hasher` is dropped.
    jobs: mpsc::Sender<Job>,
    wait: Duration,
    /// Checked when the account does not exist, so that the answer takes as long.
    dummy: Arc<String>,
    /// The share of the slots that flows open to anyone (registration,
    /// password reset) may hold at once: half, so that however many of them
    /// arrive, sign-in keeps at least half of the slots.
    strangers: Arc<Semaphore>,
    /// How many hashes ran, by what they cost: see [`Hasher::evaluations`].
    evaluations: Arc<Mutex<BTreeMap<String, u64>>>,
}

/// The part of a PHC string that fixes what checking it costs: algorithm,
/// version and parameters (`argon2id$v=19$m=19456,t=2,p=1`), without salt or hash.
fn cost_of(phc: &str) -> String {
    phc.split('$').skip(1).take(3).collect::<Vec<_>>().join("$")
}

impl Hasher {
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self::with_niceness(slots, wait, 0)
    }

    /// Hashing threads at niceness `nice` (Linux): a storm of sign-ins then
    /// takes the cores only when the threads that serve pages leave them idle.
    pub fn with_niceness(slots: usize, wait: Duration, nice: i32) -> Self {
        let dummy = hash_blocking("orgdesk-dummy-password-for-unknown-accounts")
            .expect("hashing a constant works");
        let slots = slots.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..slots {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    lower_priority(nice);
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking job must not take its thread with it.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                })
                .expect("start a password hashing thread");
        }
        Hasher {
            jobs,
            strangers: Arc::new(Semaphore::new((slots / 2).max(1))),
            slots: Arc::new(Semaphore::new(slots)),
            wait,
            dummy: Arc::new(dummy),
            evaluations: Arc::default(),
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
        self.run_with(permit, work).await
    }

    async fn run_with<T: Send + 'static>(
        &self,
        permit: tokio::sync::OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
                drop(permit);
            }))
            .map_err(|_| HashError::Failed("hashing threads stopped".into()))?;
        result
            .await
            .map_err(|_| HashError::Failed("a hashing job was dropped".into()))
    }

    /// How many hashes this hasher has been given (made or checked), counted by what
    /// each cost. Two paths that must take the same time, whatever a stranger
    /// asks, compare these counts instead of a clock.
    pub fn evaluations(&self) -> BTreeMap<String, u64> {
        self.evaluations
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }

    fn count(&self, phc: &str) {
        if let Ok(mut e) = self.evaluations.lock() {
            *e.entry(cost_of(phc)).or_default() += 1;
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.count(&self.dummy);
        self.run(move || hash_blocking(&password)).await?
    }

    /// Like [`Hasher::hash`], for a flow anyone can start without an
    /// account: it first takes a place in the strangers' share, within the
    /// same wait.
    pub async fn hash_for_stranger(&self, password: String) -> Result<String, HashError> {
        let started = tokio::time::Instant::now();
        let _share = tokio::time::timeout(self.wait, self.strangers.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)?;
        let left = self.wait.saturating_sub(started.elapsed());
        let permit = tokio::time::timeout(left, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)?;
        self.count(&self.dummy);
        self.run_with(permit, move || hash_blocking(&password))
            .await?
    }

    /// Checks `password` against `phc`, or against the dummy hash when there
    /// is no account, which always fails but costs the same.
    pub async fn verify(&self, phc: Option<String>, password: String) -> Result<bool, HashError> {
        let real = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.as_str().to_owned());
        self.count(&phc);
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
        // The stock verifier agrees, both ways.
        use argon2::PasswordVerifier;
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let stock = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 3, 1, None).unwrap(),
        )
        .hash_password(b"other params", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify_blocking(&stock, "other params"));
        assert!(!verify_blocking(&stock, "other paramz"));
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

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_the_niceness_asked_for() {
        // SAFETY: getpriority and gettid only read their integer arguments.
        let niceness =
            || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let low = Hasher::with_niceness(1, Duration::from_secs(5), 7);
        assert_eq!(low.run(niceness).await.unwrap(), 7);
        let plain = Hasher::new(1, Duration::from_secs(5));
        assert_eq!(plain.run(niceness).await.unwrap(), niceness());
    }

    #[tokio::test]
    async fn strangers_never_hold_more_than_half_the_slots() {
        let hasher = Hasher::new(4, Duration::from_millis(50));
        // Two strangers' hashes hold their whole share...
        let share_a = hasher.strangers.clone().try_acquire_owned().unwrap();
        let share_b = hasher.strangers.clone().try_acquire_owned().unwrap();
        // ...so a third stranger is told to wait, while sign-in still hashes.
        assert!(matches!(
            hasher.hash_for_stranger("whatever-pass".into()).await,
            Err(HashError::Busy)
        ));
        assert!(hasher.verify(None, "whatever-pass".into()).await.is_ok());
        drop((share_a, share_b));
        assert!(
            hasher
                .hash_for_stranger("whatever-pass".into())
                .await
                .is_ok()
        );
    }
}
