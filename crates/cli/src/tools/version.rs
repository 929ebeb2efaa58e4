//! `condor_version`: the HTCondor version Aerie speaks, and Aerie's own.
//!
//! Clients (dask-jobqueue, parsl, the `htcondor` bindings' checks) parse the
//! first two lines, so they keep HTCondor's exact shape:
//! `$CondorVersion: 25.0.14 <date> <build> $` and `$CondorPlatform: … $`.
//! A third line names Aerie's own version.

use std::process::ExitCode;

/// `$CondorVersion: 25.0.14 <date> Aerie $`.
pub fn version_line() -> String {
    daemon::version::condor_version_line()
}

/// `$CondorPlatform: X86_64-Debian_12 $`.
pub fn platform_line() -> String {
    daemon::version::condor_platform_line()
}

pub fn main(args: &[String]) -> ExitCode {
    if let Some(a) = args.first() {
        match a.trim_start_matches('-') {
            "arch" => {
                println!("{}", daemon::host::os_facts().arch);
                return ExitCode::SUCCESS;
            }
            "opsys" => {
                println!("{}", daemon::host::os_facts().opsys);
                return ExitCode::SUCCESS;
            }
            "help" | "h" => {
                println!("Usage: condor_version [-arch] [-opsys]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("Usage: condor_version [-arch] [-opsys]\n  unknown option -{other}");
                return ExitCode::from(1);
            }
        }
    }
    println!("{}", version_line());
    println!("{}", platform_line());
    println!("{}", daemon::version::aerie_version_line());
    ExitCode::SUCCESS
}
