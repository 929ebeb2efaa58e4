//! `aerie schedd` / `condor_schedd`: run the schedd (normally started by
//! the master with the pool's `CONDOR_CONFIG`).

use std::process::ExitCode;

pub fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: condor_schedd\n\nRuns the schedd with the configuration named by CONDOR_CONFIG (normally started by condor_master).");
        return ExitCode::SUCCESS;
    }
    let settings = match daemon::Settings::load("SCHEDD") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("condor_schedd: {e}");
            return ExitCode::from(1);
        }
    };
    match schedd::run(settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("condor_schedd: {e:#}");
            ExitCode::from(1)
        }
    }
}
