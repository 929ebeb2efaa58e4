//! `aerie startd` / `condor_startd`: run the startd.

use std::process::ExitCode;

use proto::address::Daemon;

pub fn main(_args: &[String]) -> ExitCode {
    daemon::run_main(Daemon::Startd, 1, startd::service::run)
}
