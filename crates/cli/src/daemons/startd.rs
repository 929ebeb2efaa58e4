//! `aerie startd` / `condor_startd`: run the startd.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_startd: not built yet");
    ExitCode::from(2)
}
