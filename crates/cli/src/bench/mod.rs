//! `aerie bench`: measure Aerie against the machine's process-creation
//! floor and against peers.
//!
//! Every subcommand prints a table and ends with one summary line; numbers
//! that are compared are measured in the same run, so ratios hold up on a
//! noisy machine. The workloads go through the commands a user runs: a
//! fresh personal pool from `aerie pool start` (`pool.rs`), `condor_submit`,
//! `condor_wait`, `condor_q`. `benches/README.md` says what each number means.

mod burst;
mod floor;
mod latency;
mod negotiate;
mod peers;
mod pool;
mod queue;
mod submit;
mod table;

use std::process::ExitCode;

const USAGE: &str = "\
usage: aerie bench <what> [options]

  floor [--jobs N]     spawn+wait of /bin/true N times, sequentially and with one worker per core
  burst [--jobs N] [--peer P] [--peer-jobs M]
                       the floor, then N /bin/true jobs (one cluster) through a fresh personal pool
                       (default N = 10000); last line: aerie jobs/s, floor jobs/s and their ratio
  latency [--jobs N] [--peer P] [--peer-jobs M]
                       N jobs one at a time, condor_submit to condor_wait returning; p50/p99 in ms
  submit [--procs N]   one durable condor_submit of N held procs (default 100000)
  queue [--jobs N] [--chunk C]  (C procs per condor_submit, default 100000)
                       N held jobs in the queue (default 1000000), then condor_q -totals,
                       -constraint, -af streaming, one job by id, and the schedd's RSS
  negotiate [--jobs N] [--slots M] [--shapes K] [--users U] [--kind static|partitionable|mixed] [--cycles C]
                       the matchmaking core alone on synthetic ads: time per negotiation cycle

  --peer hyperqueue|htcondor|slurm|all (repeatable, or comma-separated)
                       also run the burst or latency workload through that system where it is
                       installed, and print aerie/peer; a missing peer is skipped with the reason
                       (benches/peers/ has a set-up script for each); --peer-jobs M runs the
                       peers with M jobs instead of N (for a slow peer: rates are compared)";

pub fn main(args: &[String]) -> ExitCode {
    let Some((what, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if let Err(e) = check_options(what, rest) {
        eprintln!("aerie bench {what}: {e}\n\n{USAGE}");
        return ExitCode::from(2);
    }
    pool::stop_pools_on_signals();
    let result = match what.as_str() {
        "floor" => floor::main(rest),
        "burst" => burst::main(rest),
        "latency" => latency::main(rest),
        "submit" => submit::main(rest),
        "queue" => queue::main(rest),
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

/// The options each benchmark takes (every one takes a value).
fn options_of(what: &str) -> &'static [&'static str] {
    match what {
        "floor" => &["--jobs"],
        "burst" | "latency" => &["--jobs", "--peer", "--peer-jobs"],
        "submit" => &["--procs"],
        "queue" => &["--jobs", "--chunk"],
        "negotiate" => &["--jobs", "--slots", "--shapes", "--users", "--kind", "--cycles"],
        _ => &[],
    }
}

/// Refuse what a benchmark does not take, rather than run it with defaults.
fn check_options(what: &str, args: &[String]) -> Result<(), String> {
    let known = options_of(what);
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some((name, _)) = a.split_once('=') {
            if known.contains(&name) {
                i += 1;
                continue;
            }
        }
        if !known.contains(&a) {
            return Err(if known.is_empty() {
                format!("unexpected argument '{a}'")
            } else {
                format!("unknown option '{a}' (this benchmark takes {})", known.join(", "))
            });
        }
        i += 2;
    }
    Ok(())
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

#[cfg(test)]
mod option_tests {
    use super::check_options;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_misspelt_option_is_refused_not_ignored() {
        assert!(check_options("burst", &args(&["--jobs", "10", "--peer", "hyperqueue"])).is_ok());
        let e = check_options("burst", &args(&["--job", "10"])).unwrap_err();
        assert!(e.contains("'--job'") && e.contains("--jobs"), "{e}");
        assert!(check_options("submit", &args(&["--jobs", "10"])).is_err());
        assert!(check_options("latency", &args(&["--peer=slurm", "--jobs", "3"])).is_ok());
    }
}
