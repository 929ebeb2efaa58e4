//! `condor_version`: the HTCondor version Aerie speaks, and Aerie's own.
//!
//! Clients (dask-jobqueue, parsl, the `htcondor` bindings' checks) parse the
//! first two lines, so they keep HTCondor's exact shape.

use std::process::ExitCode;

/// The HTCondor release whose languages and outputs Aerie matches.
pub const CONDOR_VERSION: &str = "25.0.14";

pub fn version_line() -> String {
    let date = env!("AERIE_BUILD_DATE");
    format!("$CondorVersion: {CONDOR_VERSION} {date} Aerie $")
}

pub fn platform_line() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "X86_64",
        "aarch64" => "AARCH64",
        other => other,
    };
    format!("$CondorPlatform: {arch}-Linux $")
}

pub fn main(_args: &[String]) -> ExitCode {
    println!("{}", version_line());
    println!("{}", platform_line());
    println!("$AerieVersion: {} $", env!("CARGO_PKG_VERSION"));
    ExitCode::SUCCESS
}
