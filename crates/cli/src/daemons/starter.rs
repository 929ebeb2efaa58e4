//! `aerie starter` / `condor_starter`: run the starter.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_starter: not built yet");
    ExitCode::from(2)
}
