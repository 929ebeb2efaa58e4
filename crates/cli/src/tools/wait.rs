//! condor_wait.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_wait: not built yet");
    ExitCode::from(2)
}
