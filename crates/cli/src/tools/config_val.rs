//! condor_config_val.

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("condor_config_val: not built yet");
    ExitCode::from(2)
}
