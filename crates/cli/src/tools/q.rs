//! condor_q.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_q: not built yet");
    ExitCode::from(2)
}
