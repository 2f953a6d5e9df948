//! Time of one password hash with the production parameters (argon2id,
//! m=19456 KiB, t=2, p=1), one thread, and the sign-ins per second per core
//! that this allows at most.
//!
//! `cargo bench --features ssr --bench password_hash`; `scripts/bench-sign-in.sh`
//! runs it before the HTTP measurements.
use orgdesk::auth::password::{hash_blocking, verify_blocking};
use std::time::Instant;

fn main() {
    // Warm up the allocator and the CPU's caches.
    let phc = hash_blocking("bench-otter-lantern-42").expect("hash");
    let rounds = 100;
    let started = Instant::now();
    for _ in 0..rounds {
        assert!(verify_blocking(&phc, "bench-otter-lantern-42"));
    }
    let per_hash = started.elapsed().as_secs_f64() / f64::from(rounds);
    println!(
        "argon2id m=19456 KiB t=2 p=1: {:.2} ms per verification (mean of {rounds}), \
         at most {:.0} sign-ins/s per core",
        per_hash * 1000.0,
        1.0 / per_hash
    );
}
