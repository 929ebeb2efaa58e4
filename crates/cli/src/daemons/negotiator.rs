//! `aerie negotiator` / `condor_negotiator`: run the negotiator.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_negotiator: not built yet");
    ExitCode::from(2)
}
