//! `aerie starter` / `condor_starter`: run a claim's starter (the startd
//! starts it, one per claim: `condor_starter --slot slot1_1`).

use std::process::ExitCode;

pub fn main(args: &[String]) -> ExitCode {
    let mut slot = String::from("slot");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--slot" || a == "-slot" {
            if let Some(s) = it.next() {
                slot = s.clone();
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
    let log = settings.path("STARTER_LOG").map(|p| {
        let mut s = p.into_os_string();
        s.push(format!(".{slot}"));
        std::path::PathBuf::from(s)
    });
    let _ = daemon::logging::init(log.as_deref(), &settings.get_or("STARTER_DEBUG", "info"));
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("condor_starter: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(starter::service::run(settings, slot)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("condor_starter: {e:#}");
            ExitCode::from(1)
        }
    }
}
