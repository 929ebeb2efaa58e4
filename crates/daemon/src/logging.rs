//! The daemon's log file (`$(LOG)/SchedLog`, `MasterLog`, …).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn level_of(level: &str) -> tracing::Level {
    match level.to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" | "d_full_debug" | "d_fulldebug" => tracing::Level::DEBUG,
        "warn" => tracing::Level::WARN,
        "error" => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    }
}

fn open(p: &Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new().create(true).append(true).open(p)
}

/// Send this process's `tracing` output to `path` (appending), or to
/// standard error when `path` is `None`. `level` is `info`, `debug`, ….
pub fn init(path: Option<&Path>, level: &str) -> std::io::Result<()> {
    let builder = tracing_subscriber::fmt().with_ansi(false).with_max_level(level_of(level)).with_target(false);
    let result = match path {
        Some(p) => builder.with_writer(Mutex::new(open(p)?)).try_init(),
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    // A second init in the same process (tests) keeps the first subscriber.
    let _ = result;
    Ok(())
}

/// A log whose file can be changed later ([`init_reopenable`]).
#[derive(Clone)]
pub struct Reopen {
    file: Arc<Mutex<Option<std::fs::File>>>,
    path: Arc<Mutex<Option<PathBuf>>>,
}

impl Reopen {
    /// Write from now on to `path` (appending).
    pub fn reopen(&self, path: &Path) -> std::io::Result<()> {
        let f = open(path)?;
        if let Ok(mut g) = self.file.lock() {
            *g = Some(f);
        }
        if let Ok(mut g) = self.path.lock() {
            *g = Some(path.to_path_buf());
        }
        Ok(())
    }

    /// The file written to now.
    pub fn path(&self) -> Option<PathBuf> {
        self.path.lock().ok().and_then(|g| g.clone())
    }
}

struct ReopenWriter(Reopen);

impl Write for ReopenWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.file.lock() {
            Ok(mut g) => match g.as_mut() {
                Some(f) => f.write(buf),
                None => std::io::stderr().write(buf),
            },
            Err(_) => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Like [`init`], with a handle to move the log to another file later (a
/// spare starter learns its slot, and so its log's name, with its first job).
pub fn init_reopenable(path: Option<&Path>, level: &str) -> std::io::Result<Reopen> {
    let handle = Reopen { file: Arc::new(Mutex::new(None)), path: Arc::new(Mutex::new(None)) };
    if let Some(p) = path {
        handle.reopen(p)?;
    }
    let h = handle.clone();
    let _ = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(level_of(level))
        .with_target(false)
        .with_writer(move || ReopenWriter(h.clone()))
        .try_init();
    Ok(handle)
}
