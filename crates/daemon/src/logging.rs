//! The daemon's log file (`$(LOG)/SchedLog`, `MasterLog`, …).

use std::path::Path;

/// Send this process's `tracing` output to `path` (appending), or to
/// standard error when `path` is `None`. `level` is `info`, `debug`, ….
pub fn init(path: Option<&Path>, level: &str) -> std::io::Result<()> {
    let max = match level.to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" | "d_full_debug" | "d_fulldebug" => tracing::Level::DEBUG,
        "warn" => tracing::Level::WARN,
        "error" => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    };
    let builder = tracing_subscriber::fmt().with_ansi(false).with_max_level(max).with_target(false);
    let result = match path {
        Some(p) => {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::OpenOptions::new().create(true).append(true).open(p)?;
            builder.with_writer(std::sync::Mutex::new(file)).try_init()
        }
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    // A second init in the same process (tests) keeps the first subscriber.
    let _ = result;
    Ok(())
}
