//! `aerie schedd` / `condor_schedd`: run the schedd.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_schedd: not built yet");
    ExitCode::from(2)
}
