//! condor_reschedule.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_reschedule: not built yet");
    ExitCode::from(2)
}
