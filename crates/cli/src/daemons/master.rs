//! `aerie master` / `condor_master`: run the master.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_master: not built yet");
    ExitCode::from(2)
}
