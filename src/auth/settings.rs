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
    /// The niceness of the hashing threads (0 to 19): above 0 they yield the
    /// cores to the threads that serve pages whenever both want them.
    pub hash_nice: i32,
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
            // Ten guesses, then three hours locked: under 100 guesses a day
            // per account, as NIST SP 800-63B-4 asks of rate limiting.
            second_factor: ThrottleRule {
                delay_after: 3,
                delay_base: Duration::from_secs(2),
                max_delay: Duration::from_secs(60),
                lock_after: 10,
                lock_for: Duration::from_secs(3 * 60 * 60),
                window: Duration::from_secs(60 * 60),
            },
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            hash_queue_wait: Duration::from_secs(3),
            hash_slots: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            hash_nice: 10,
            setup_link_ttl: Duration::from_secs(24 * 60 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most failures one key can take in a day under `rule`, guessing
    /// as soon as it is allowed (the throttle's own arithmetic, replayed).
    fn most_failures_per_day(rule: &ThrottleRule) -> u32 {
        let day = Duration::from_secs(24 * 60 * 60);
        let (mut now, mut total, mut failures) = (Duration::ZERO, 0u32, 0i32);
        while now < day {
            total += 1;
            failures += 1;
            now += if failures >= rule.lock_after {
                // A lock that has run out starts afresh.
                failures = 0;
                rule.lock_for
            } else if failures >= rule.delay_after {
                crate::auth::throttle::delay_for(rule, failures)
            } else {
                Duration::from_millis(100)
            };
        }
        total
    }

    #[test]
    fn second_factor_guesses_stay_under_100_a_day() {
        let rule = AuthSettings::default().second_factor;
        let most = most_failures_per_day(&rule);
        assert!(most < 100, "{most} guesses a day");
    }
}
