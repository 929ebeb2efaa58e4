//! `aerie collector` / `condor_collector`: run the collector.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_collector: not built yet");
    ExitCode::from(2)
}
