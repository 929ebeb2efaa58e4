//! `aerie negotiator` / `condor_negotiator`: run the negotiator.
//!
//! Started by the master with `CONDOR_CONFIG` set; reads the `NEGOTIATOR`
//! view of the configuration, logs to `NEGOTIATOR_LOG` and runs until
//! SIGTERM (see `negotiator::service`).

use std::process::ExitCode;

use proto::address::Daemon;

pub fn main(_args: &[String]) -> ExitCode {
    daemon::run_main(Daemon::Negotiator, 2, negotiator::service::run)
}
