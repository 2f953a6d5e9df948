//! Limits of sign-in, read from the environment (see `.env.example`).
use std::time::Duration;

/// When failures slow down and then lock a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures after which each further attempt must wait (doubling each time).
    pub delay_after: i32,
    /// The first delay; it doubles with each further failure, up to `max_delay`.
    pub delay_base: Duration,
    pub max_delay: Duration,
    /// Failures after which the key is locked.
    pub lock_after: i32,
    pub lock_for: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Per account (or per unknown identifier), for passwords.
    pub account: ThrottleRule,
    /// Per client IP address, for passwords.
    pub ip: ThrottleRule,
    /// Per account, for TOTP and recovery codes.
    pub second_factor: ThrottleRule,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: Duration,
    /// A sign-in waits at most this long for a free hashing slot, then gets 429.
    pub hash_queue_wait: Duration,
    /// Parallel password hashes; defaults to the number of cores.
    pub hash_slots: usize,
    /// How long a first-run setup link works.
    pub setup_link_ttl: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            account: ThrottleRule {
                delay_after: 5,
                delay_base: Duration::from_secs(2),
                max_delay: Duration::from_secs(60),
                lock_after: 10,
                lock_for: Duration::from_secs(15 * 60),
                window: Duration::from_secs(60 * 60),
            },
            ip: ThrottleRule {
                delay_after: 50,
                delay_base: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                lock_after: 200,
                lock_for: Duration::from_secs(15 * 60),
                window: Duration::from_secs(60 * 60),
            },
            second_factor: ThrottleRule {
                delay_after: 3,
                delay_base: Duration::from_secs(2),
                max_delay: Duration::from_secs(60),
                lock_after: 10,
                lock_for: Duration::from_secs(15 * 60),
                window: Duration::from_secs(60 * 60),
            },
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            hash_queue_wait: Duration::from_secs(3),
            hash_slots: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            setup_link_ttl: Duration::from_secs(24 * 60 * 60),
        }
    }
}
