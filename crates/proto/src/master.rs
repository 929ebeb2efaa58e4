//! The master's API: what it supervises, and stopping the pool.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/master/status` | — (`{}`) → [`MasterStatus`] |
//! | POST | `/v1/master/off` | [`Off`] → [`MasterStatus`] (as it was when the request arrived) |
//! | POST | `/v1/master/on` | [`On`] → [`MasterStatus`] |
//!
//! `off` with no daemons (`condor_off -master`, `aerie pool stop`) stops
//! every child gracefully (SIGTERM, then SIGKILL after
//! `SHUTDOWN_GRACEFUL_TIMEOUT`), in the reverse of their start order, and
//! then the master exits; SIGTERM to the master does the same. `on` starts
//! named daemons that were turned off (all of them when none are named)
//! and `restart` in [`On`] stops and starts them again (`condor_restart`).
//!
//! The master writes `$(LOG)/.master_address` once it answers and
//! `$(LOG)/.master_pid` with its process id (what `aerie pool stop` signals).

use serde::{Deserialize, Serialize};

/// The master and its children.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MasterStatus {
    pub pid: u32,
    /// The master's `Name` (as in its `DaemonMaster` ad).
    pub name: String,
    /// Seconds since the epoch when the master started.
    pub start_time: i64,
    /// True once a shutdown was asked for.
    pub shutting_down: bool,
    /// One entry per `DAEMON_LIST` daemon other than the master, in start order.
    pub daemons: Vec<ChildStatus>,
}

/// One supervised daemon.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChildStatus {
    /// The `DAEMON_LIST` name (`SCHEDD`).
    pub name: String,
    pub state: ChildState,
    pub pid: Option<u32>,
    /// How many times the master has started it.
    pub starts: u32,
    /// Seconds since the epoch of the latest start.
    pub started_at: Option<i64>,
    /// The addresses from its address file, once it answers.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// How it last ended (`exited with status 1`, `killed by signal 9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit: Option<String>,
    /// When it is restarted next (seconds since the epoch) while backing off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_at: Option<i64>,
    /// Its log file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

/// Where a supervised daemon is in its life.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChildState {
    /// Not started yet (waiting for the collector to answer first).
    Waiting,
    /// Started; its address file has not appeared yet.
    Starting,
    /// Answering (its address file exists).
    Running,
    /// Exited; restarted at `restart_at`.
    Backoff,
    /// Asked to stop; not exited yet.
    Stopping,
    /// Stopped and not restarted.
    Stopped,
}

impl ChildState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChildState::Waiting => "waiting",
            ChildState::Starting => "starting",
            ChildState::Running => "running",
            ChildState::Backoff => "backoff",
            ChildState::Stopping => "stopping",
            ChildState::Stopped => "stopped",
        }
    }
}

/// Stop daemons (`condor_off`). With no `daemons`, stop every child and
/// then the master itself; otherwise stop only the named children (they are
/// not restarted until the master is told to start them again).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Off {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub daemons: Vec<String>,
    /// Kill at once (SIGKILL) instead of a graceful stop (`-fast`).
    #[serde(default)]
    pub fast: bool,
}

/// Start daemons turned off by [`Off`] (`condor_on`), or restart running
/// ones (`condor_restart`). With no `daemons`: every `DAEMON_LIST` daemon.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct On {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub daemons: Vec<String>,
    /// Stop (gracefully) and start again those already running.
    #[serde(default)]
    pub restart: bool,
}

/// An empty request body (`{}`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_reads_an_empty_object() {
        let off: Off = serde_json::from_str("{}").unwrap();
        assert_eq!(off, Off::default());
        let st = serde_json::to_string(&ChildState::Backoff).unwrap();
        assert_eq!(st, "\"backoff\"");
    }
}
