//! `aerie conformance classad|config|submit FILE...`: run corpora answered by
//! HTCondor itself and report `N passed, M failed`.

use std::process::ExitCode;

mod classad;
mod config;
mod submit;

pub fn main(args: &[String]) -> ExitCode {
    let Some((kind, files)) = args.split_first() else {
        eprintln!("usage: aerie conformance classad|config|submit FILE...");
        return ExitCode::from(2);
    };
    if files.is_empty() {
        eprintln!("aerie conformance {kind}: name at least one corpus file (JSON Lines)");
        return ExitCode::from(2);
    }
    let result = match kind.as_str() {
        "classad" => classad::run(files),
        "config" => config::run(files),
        "submit" => submit::run(files),
        other => {
            eprintln!("aerie conformance: unknown corpus kind '{other}' (expected classad, config or submit)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(tally) => tally.finish(),
        Err(e) => {
            eprintln!("aerie conformance {kind}: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Counts of one conformance run.
#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Tally {
    /// Print the closing line and turn the counts into the exit status.
    fn finish(&self) -> ExitCode {
        if self.skipped > 0 {
            println!("{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped);
        } else {
            println!("{} passed, {} failed", self.passed, self.failed);
        }
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
