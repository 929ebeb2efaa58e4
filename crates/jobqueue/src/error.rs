//! The errors of the queue and the history store.
//!
//! Every variant names the file (and where it helps the row, offset or job)
//! and says what to do about it. A refused [`crate::JobQueue::commit`]
//! changed nothing, in memory or on disk.

use std::path::PathBuf;

use proto::JobId;

/// Why a queue or history operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// SQLite refused an operation on the queue database.
    #[error("job queue {}: {what}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    /// The file exists but is not a job queue database (garbage, another
    /// program's database, or a newer schema). Nothing was written to it.
    #[error("{} is not an Aerie job queue database: {reason}; move it aside (the schedd then starts an empty queue) or point the schedd at the right file", path.display())]
    NotAQueue { path: PathBuf, reason: String },

    /// Another process (another schedd) has the queue open.
    #[error("job queue {} is in use by another process ({holder}); stop it first, or give this schedd its own SPOOL", path.display())]
    Locked { path: PathBuf, holder: String },

    /// SQLite found the database damaged (a disk error or an outside write).
    #[error("job queue {} is damaged: {reason}; keep a copy of the file, then try `sqlite3 {} .recover` into a new file", path.display(), path.display())]
    Corrupt { path: PathBuf, reason: String },

    /// Reading or writing a file (the history store, the queue's directory) failed.
    #[error("{}: {what}: {source}", path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// A change names a job that is not in the queue.
    #[error("job {0} is not in the queue")]
    NoSuchJob(JobId),

    /// A change names a cluster that is not in the queue.
    #[error("cluster {0} is not in the queue; create it with Change::NewCluster first")]
    NoSuchCluster(i64),

    /// `NewProc` for a job id already in the queue.
    #[error("job {0} is already in the queue")]
    JobExists(JobId),

    /// `NewCluster` for a cluster already in the queue.
    #[error("cluster {0} is already in the queue")]
    ClusterExists(i64),

    /// `NewCluster` for an id that `new_cluster` did not hand out (or that
    /// was already used): cluster ids are never reused.
    #[error("cluster id {0} was not reserved by JobQueue::new_cluster (or was already used); reserve a fresh id and retry")]
    ClusterNotReserved(i64),

    /// A change that can never be applied (a negative proc id, an empty attribute name, …).
    #[error("bad change: {0}")]
    BadChange(String),

    /// The history file holds something other than job ads and banners.
    /// Nothing was written to it.
    #[error("{} is not a job history file: {reason}", path.display())]
    NotAHistory { path: PathBuf, reason: String },

    /// An ad in the history file does not parse.
    #[error("history file {}, ad ending at byte {offset}: {message}", path.display())]
    HistoryParse { path: PathBuf, offset: u64, message: String },
}

impl QueueError {
    pub(crate) fn io<'a>(path: &'a std::path::Path, what: &'static str) -> impl FnOnce(std::io::Error) -> QueueError + 'a {
        move |source| QueueError::Io { path: path.to_path_buf(), what, source }
    }
}
