//! The pool's daemons as real processes: `aerie pool`, the master's
//! supervision, the collector, and the execute side (startd and starter)
//! driven through the real client, with a stand-in schedd receiving the
//! startd's reports. Every test starts its own pool in a temporary
//! directory (testkit) and stops it, even when it fails.

mod collector;
mod execute;
mod master;
mod status;
mod unprivileged;

use std::time::Duration;

use testkit::{Pool, PoolOptions};

/// The daemons built and tested here (the others join when they exist).
pub const EXECUTE_POOL: &[&str] = &["COLLECTOR", "STARTD"];

/// A pool of a collector and a startd with `slots` cpus and 1 GB.
pub fn execute_pool(slots: u32) -> Pool {
    let opts = PoolOptions { bin: Some(env!("CARGO_BIN_EXE_aerie").into()), ..PoolOptions::default() }
        .daemons(EXECUTE_POOL)
        .slots(slots)
        .memory(1024);
    Pool::start_with(opts).unwrap_or_else(|e| panic!("{e}"))
}

/// A pool with extra configuration.
pub fn pool_with(opts: PoolOptions) -> Pool {
    let opts = PoolOptions { bin: Some(env!("CARGO_BIN_EXE_aerie").into()), ..opts };
    Pool::start_with(opts).unwrap_or_else(|e| panic!("{e}"))
}

pub const SECS_5: Duration = Duration::from_secs(5);
pub const SECS_10: Duration = Duration::from_secs(10);
