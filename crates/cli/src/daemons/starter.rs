//! `aerie starter` / `condor_starter`: run a claim's starter (the startd
//! starts it, one per claim: `condor_starter --slot slot1_1`; a spare
//! starter started ahead of a claim has no `--slot` and takes its slot,
//! and its log's name, from its first job).

use std::process::ExitCode;

pub fn main(args: &[String]) -> ExitCode {
    let mut slot: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--slot" || a == "-slot" {
            if let Some(s) = it.next() {
                slot = Some(s.clone());
            }
        }
    }
    let settings = match daemon::Settings::load("STARTER") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("condor_starter: {e}");
            return ExitCode::from(1);
        }
    };
    let log = slot.as_ref().and_then(|slot| starter::service::log_path(&settings, slot));
    let reopen = daemon::logging::init_reopenable(log.as_deref(), &settings.get_or("STARTER_DEBUG", "info")).ok();
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("condor_starter: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(starter::service::run(settings, slot, reopen)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("condor_starter: {e:#}");
            ExitCode::from(1)
        }
    }
}
