//! `aerie bench`: measure Aerie against the machine's process-creation floor.
//!
//! Every subcommand prints a table and ends with one summary line; numbers
//! that are compared are measured in the same run, so ratios hold up on a
//! noisy machine.

mod floor;
mod negotiate;

use std::process::ExitCode;

pub use floor::{measure_floor, FloorResult};

const USAGE: &str = "\
usage: aerie bench <what> [options]

  floor [--jobs N]     spawn+wait of /bin/true N times, sequentially and with one worker per core
  negotiate [--jobs N] [--slots M] [--shapes K] [--users U] [--kind static|partitionable|mixed] [--cycles C]
                       the matchmaking core alone on synthetic ads: time per negotiation cycle";

pub fn main(args: &[String]) -> ExitCode {
    let Some((what, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match what.as_str() {
        "floor" => floor::main(rest),
        "negotiate" => negotiate::main(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(anyhow::anyhow!("unknown benchmark '{other}'\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aerie bench {what}: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `--name VALUE` from an argument list, parsed, or `default`.
pub(crate) fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => {
            let v = args.get(i + 1).ok_or_else(|| anyhow::anyhow!("{name} needs a value"))?;
            v.parse().map_err(|_| anyhow::anyhow!("{name}: '{v}' is not a valid value"))
        }
    }
}
