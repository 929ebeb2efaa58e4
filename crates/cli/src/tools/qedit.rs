//! condor_qedit.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_qedit: not built yet");
    ExitCode::from(2)
}
