//! `aerie collector` / `condor_collector`: run the collector.

use std::process::ExitCode;

use proto::address::Daemon;

pub fn main(_args: &[String]) -> ExitCode {
    daemon::run_main(Daemon::Collector, 1, collector::service::run)
}
