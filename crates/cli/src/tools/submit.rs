//! condor_submit.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_submit: not built yet");
    ExitCode::from(2)
}
