//! condor_status.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_status: not built yet");
    ExitCode::from(2)
}
