//! condor_history.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_history: not built yet");
    ExitCode::from(2)
}
