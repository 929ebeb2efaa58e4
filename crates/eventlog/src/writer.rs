//! Appending events to a job event log.
//!
//! Each event is rendered in full and written with a single `write` on a file
//! opened with `O_APPEND`, so concurrent writers (several schedd tasks, or a
//! schedd and DAGMan) never interleave inside an event.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::event::Event;
use crate::format::{format_event, format_event_as, LogFormat, TimeFormat};

/// An open job event log.
#[derive(Debug)]
pub struct UserLog {
    path: PathBuf,
    file: File,
    time_format: TimeFormat,
}

impl UserLog {
    /// Open (creating if needed) the log at `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<UserLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(UserLog { path: path.to_path_buf(), file, time_format: TimeFormat::default() })
    }

    /// Use another header time format (e.g. UTC with `Z`).
    pub fn with_time_format(mut self, tf: TimeFormat) -> UserLog {
        self.time_format = tf;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True while the path still names the file this log has open: false
    /// once the user deleted, moved or replaced it (a writer keeping logs
    /// open must then open the path again, as HTCondor opens it per event).
    pub fn still_at_path(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(&self.path), self.file.metadata()) {
            (Ok(at_path), Ok(open)) => at_path.dev() == open.dev() && at_path.ino() == open.ino(),
            _ => false,
        }
    }

    /// Append one event.
    pub fn write(&mut self, ev: &Event) -> std::io::Result<()> {
        self.file.write_all(format_event(ev, self.time_format).as_bytes())
    }

    /// Append several events in one write, each in its format.
    pub fn write_formatted(&mut self, events: &[(Event, LogFormat)]) -> std::io::Result<()> {
        let mut buf = String::new();
        for (ev, f) in events {
            buf.push_str(&format_event_as(ev, self.time_format, *f));
        }
        self.file.write_all(buf.as_bytes())
    }

    /// Append several events in one write.
    pub fn write_all(&mut self, events: &[Event]) -> std::io::Result<()> {
        let mut buf = String::new();
        for ev in events {
            buf.push_str(&format_event(ev, self.time_format));
        }
        self.file.write_all(buf.as_bytes())
    }
}
