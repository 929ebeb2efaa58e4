//! `aerie master` / `condor_master`: run the master.
//!
//! Like HTCondor's, the master runs in the foreground when started with
//! `-f`, and otherwise too (detaching is `aerie pool start`'s job).

use std::process::ExitCode;

use proto::address::Daemon;

pub fn main(_args: &[String]) -> ExitCode {
    daemon::run_main(Daemon::Master, 1, master::service::run)
}
