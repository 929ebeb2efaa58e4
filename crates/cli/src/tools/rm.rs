//! condor_rm, condor_hold, condor_release, condor_vacate_job.

use std::process::ExitCode;

pub fn main(_verb: &str, _args: &[String]) -> ExitCode {
    eprintln!("condor_rm: not built yet");
    ExitCode::from(2)
}
