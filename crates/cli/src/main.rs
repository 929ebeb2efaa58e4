//! The `aerie` multi-call binary.
//!
//! Invoked as `aerie <command> …` or through a link named after an HTCondor
//! tool (`condor_submit`, `condor_config_val`, …), in which case the link's
//! name selects the command.

mod bench;
mod conformance;
mod daemons;
mod tools;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let argv0 = args
        .first()
        .map(|a| {
            std::path::Path::new(a)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    // `condor_submit ARGS` and `aerie condor_submit ARGS` / `aerie submit ARGS` are the same.
    let (command, rest): (String, Vec<String>) = if argv0.starts_with("condor_") {
        (argv0.clone(), args.split_off(1))
    } else if args.len() >= 2 {
        let cmd = args[1].clone();
        (cmd, args.split_off(2))
    } else {
        eprintln!("{}", USAGE);
        return ExitCode::from(2);
    };
    let name = command.strip_prefix("condor_").unwrap_or(&command);
    match name {
        "conformance" => conformance::main(&rest),
        "bench" => bench::main(&rest),
        "version" => tools::version::main(&rest),
        "config_val" => tools::config_val::main(&rest),
        "submit" => tools::submit::main(&rest),
        "q" => tools::q::main(&rest),
        "rm" => tools::rm::main("rm", &rest),
        "hold" => tools::rm::main("hold", &rest),
        "release" => tools::rm::main("release", &rest),
        "vacate_job" => tools::rm::main("vacate_job", &rest),
        "qedit" => tools::qedit::main(&rest),
        "history" => tools::history::main(&rest),
        "wait" => tools::wait::main(&rest),
        "status" => tools::status::main(&rest),
        "reschedule" => tools::reschedule::main(&rest),
        "watch_q" => tools::watch_q::main(&rest),
        "transfer_data" => tools::transfer_data::main(&rest),
        "tail" => tools::tail::main(&rest),
        "userprio" => tools::userprio::main(&rest),
        "ping" => tools::ping::main(&rest),
        "pool" => tools::pool::main(&rest),
        "master" => daemons::master::main(&rest),
        "collector" => daemons::collector::main(&rest),
        "negotiator" => daemons::negotiator::main(&rest),
        "schedd" => daemons::schedd::main(&rest),
        "startd" => daemons::startd::main(&rest),
        "starter" => daemons::starter::main(&rest),
        "help" | "-h" | "--help" => tools::help::main(&rest, USAGE),
        other => {
            eprintln!("aerie: unknown command '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "\
usage: aerie <command> [args...]   (or run a condor_<command> link to the aerie binary)

commands:
  conformance classad|config|submit FILE...   check Aerie against HTCondor's answers
  bench floor|...                              benchmarks (see `aerie bench help`)
  config_val  ARGS...                          condor_config_val
  submit      ARGS...                          condor_submit
  version                                      condor_version
  q, rm, hold, release, qedit, history, wait   the job commands (condor_q, …)
  watch_q, transfer_data, tail                 more job commands (condor_watch_q, …)
  status, reschedule, userprio, ping           pool commands (condor_status, …)
  help [COMMAND]                               a command's options, JSON output and exit status
  pool start|stop|status DIR                   a personal pool in DIR
  master, collector, negotiator, schedd,
  startd, starter                              run a daemon (normally started by the master)";
