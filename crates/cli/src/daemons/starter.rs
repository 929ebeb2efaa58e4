//! `aerie starter` / `condor_starter`: run a claim's starter.
//!
//! The startd starts one per claim: `condor_starter --slot slot1_1 --log
//! $(STARTER_LOG) --debug LEVEL [--no-cgroups]`; with `--log` given the
//! starter reads no configuration (so it is up within a millisecond or
//! two). A spare starter, started ahead of a claim, has no `--slot` and
//! takes its slot, and its log's name, from its first job. Without `--log`
//! the configuration (`STARTER_LOG`, `STARTER_DEBUG`,
//! `STARTER_USE_CGROUPS`) is read as usual.

use std::process::ExitCode;

use starter::service::StarterOptions;

pub fn main(args: &[String]) -> ExitCode {
    let mut slot: Option<String> = None;
    let mut log_base: Option<std::path::PathBuf> = None;
    let mut debug: Option<String> = None;
    let mut cgroups = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--slot" | "-slot" => slot = it.next().cloned(),
            "--log" => log_base = it.next().map(std::path::PathBuf::from),
            "--debug" => debug = it.next().cloned(),
            "--no-cgroups" => cgroups = false,
            other => {
                eprintln!("condor_starter: unknown argument {other} (the startd starts starters; see `aerie startd`)");
                return ExitCode::from(2);
            }
        }
    }
    let opts = if log_base.is_some() {
        StarterOptions { log_base, debug: debug.unwrap_or_else(|| "info".into()), use_cgroups: cgroups }
    } else {
        let settings = match daemon::Settings::load("STARTER") {
            Ok(s) => s,
            Err(e) => {
                eprintln!("condor_starter: {e}");
                return ExitCode::from(1);
            }
        };
        StarterOptions {
            log_base: settings.path("STARTER_LOG"),
            debug: debug.unwrap_or_else(|| settings.get_or("STARTER_DEBUG", "info")),
            use_cgroups: cgroups && settings.bool("STARTER_USE_CGROUPS", true),
        }
    };
    let log = slot.as_ref().and_then(|slot| opts.log_path(slot));
    let reopen = daemon::logging::init_reopenable(log.as_deref(), &opts.debug).ok();
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("condor_starter: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(starter::service::run(opts, slot, reopen)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("condor_starter: {e:#}");
            ExitCode::from(1)
        }
    }
}
