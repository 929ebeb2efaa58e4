//! `condor_reschedule`: ask the schedd to have the negotiator run a cycle now.

use std::process::ExitCode;

use super::q::connect_schedd;

pub fn main(args: &[String]) -> ExitCode {
    let mut name = None;
    let mut pool = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-name" => {
                i += 1;
                name = args.get(i).cloned();
            }
            "-pool" => {
                i += 1;
                pool = args.get(i).cloned();
            }
            "-h" | "-help" => {
                println!("Usage: condor_reschedule [-name schedd] [-pool collector]");
                return ExitCode::SUCCESS;
            }
            other if !other.starts_with('-') => name = Some(other.to_string()),
            other => {
                eprintln!("condor_reschedule: unknown option {other}");
                return ExitCode::from(1);
            }
        }
        i += 1;
    }
    let client = match connect_schedd(name.as_deref(), pool.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("condor_reschedule: {e}");
            return ExitCode::from(1);
        }
    };
    match client::schedd::reschedule_blocking(&client) {
        Ok(()) => {
            // HTCondor names the daemon as `Daemon::idStr()` does.
            match &name {
                Some(n) => println!("Sent \"Reschedule\" command to schedd {n}"),
                None => println!("Sent \"Reschedule\" command to local schedd"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("condor_reschedule: {e}");
            ExitCode::from(1)
        }
    }
}
