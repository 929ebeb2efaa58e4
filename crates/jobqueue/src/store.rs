//! The SQLite side of the queue: schema, opening, loading, writing.
//!
//! ```sql
//! meta     (key TEXT PRIMARY KEY, value INTEGER)          -- schema_version, next_cluster
//! clusters (cluster INTEGER PRIMARY KEY, ad BLOB)          -- the cluster ad
//! jobs     (id INTEGER PRIMARY KEY, ad BLOB)                -- id = cluster << 32 | proc
//! ```
//!
//! Cluster and proc ids are below 2^31 (HTCondor's are 32-bit too), so a
//! job's key is one integer: rows sort in job-id order, appending a
//! cluster's procs appends to the B-tree, and a lookup compares integers.
//!
//! `ad` columns hold [`crate::codec`] records of the ad's own attributes. The
//! database is identified by `PRAGMA application_id` so that a foreign
//! database is refused, and a file that does not start with SQLite's header
//! is refused before SQLite touches it (nothing is ever written to a file
//! that is not a queue).

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, ErrorCode, OpenFlags};

use crate::QueueError;

/// `PRAGMA application_id` of an Aerie job queue ("AEJQ").
pub const APPLICATION_ID: i32 = 0x4145_4a51;
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE clusters (cluster INTEGER PRIMARY KEY, ad BLOB NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, ad BLOB NOT NULL);
";

/// Cluster and proc ids must be below this (they share one 64-bit key).
pub const ID_LIMIT: i64 = 1 << 31;

/// The `jobs` key of a job.
pub fn job_key(id: proto::JobId) -> i64 {
    (id.cluster << 32) | id.proc
}

/// The job of a `jobs` key.
pub fn key_job(key: i64) -> proto::JobId {
    proto::JobId { cluster: key >> 32, proc: key & 0xffff_ffff }
}

/// How hard a commit works to survive a power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `PRAGMA synchronous = NORMAL` (the default): a committed transaction
    /// survives a crash of the process (kill -9, panic, OOM kill) because
    /// it is in the WAL file when `commit` returns; after a power loss or
    /// kernel crash the queue is consistent but the last transactions
    /// before the outage may be missing.
    #[default]
    Normal,
    /// `PRAGMA synchronous = FULL`: the WAL is fsync'ed at every commit, so
    /// a committed transaction also survives a power loss (costs one fsync
    /// per commit; group commit keeps that per batch, not per job).
    Full,
}

/// Options for [`crate::JobQueue::open_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptions {
    pub synchronous: Synchronous,
}

/// Map SQLite's "this is not / no longer a database" to our typed refusals.
pub fn classify(path: &Path, what: &'static str, e: rusqlite::Error) -> QueueError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            QueueError::NotAQueue { path: path.to_path_buf(), reason: e.to_string() }
        }
        Some(ErrorCode::DatabaseCorrupt) => QueueError::Corrupt { path: path.to_path_buf(), reason: e.to_string() },
        _ => QueueError::Sqlite { path: path.to_path_buf(), what, source: e },
    }
}

/// Refuse a non-empty file that does not start with SQLite's header, without opening it.
fn check_header(path: &Path) -> Result<(), QueueError> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(QueueError::io(path, "opening the queue database")(e)),
    };
    let meta = f.metadata().map_err(QueueError::io(path, "reading the queue database"))?;
    if !meta.is_file() {
        return Err(QueueError::NotAQueue { path: path.to_path_buf(), reason: "it is not a regular file".into() });
    }
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(QueueError::io(path, "reading the queue database")(e)),
        }
    }
    if got == 0 {
        return Ok(());
    }
    if got < 16 || &head != b"SQLite format 3\0" {
        return Err(QueueError::NotAQueue {
            path: path.to_path_buf(),
            reason: "it does not start with the SQLite header".into(),
        });
    }
    Ok(())
}

/// An exclusive `flock` on `PATH.lock`, held while the queue is open, so
/// that two schedds never share one queue (each would hand out the same
/// cluster ids and miss the other's changes). The file holds the holder's pid.
pub struct QueueLock {
    _lock: nix::fcntl::Flock<File>,
}

fn lock(path: &Path) -> Result<QueueLock, QueueError> {
    use nix::fcntl::{Flock, FlockArg};
    let lock_path = PathBuf::from(format!("{}.lock", path.display()));
    let io = |what| QueueError::io(&lock_path, what);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io("opening the queue lock file"))?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(mut l) => {
            l.set_len(0)
                .and_then(|_| l.rewind())
                .and_then(|_| writeln!(l, "{}", std::process::id()))
                .map_err(io("writing the queue lock file"))?;
            Ok(QueueLock { _lock: l })
        }
        Err((mut f, nix::errno::Errno::EWOULDBLOCK)) => {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            let pid = pid.trim();
            Err(QueueError::Locked {
                path: path.to_path_buf(),
                holder: if pid.is_empty() { "unknown pid".into() } else { format!("pid {pid}") },
            })
        }
        Err((_, e)) => Err(io("locking the queue")(std::io::Error::from(e))),
    }
}

/// Open (creating if needed) the queue database and return it with its `next_cluster`.
pub fn open(path: &Path, opts: OpenOptions) -> Result<(Connection, QueueLock, i64, bool), QueueError> {
    check_header(path)?;
    let lock = lock(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, "opening", e))?;
    let q = |what: &'static str| move |e| classify(path, what, e);
    // Only this process writes (see `lock`), but a reader such as the
    // sqlite3 shell may briefly hold a lock: wait for it rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(q("setting the busy timeout"))?;

    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(q("reading the header"))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(q("reading the schema"))?;
    let created = tables == 0;
    if !created && app_id != APPLICATION_ID {
        return Err(QueueError::NotAQueue {
            path: path.to_path_buf(),
            reason: format!("it is an SQLite database of another program (application_id {app_id:#x}, {tables} schema entries)"),
        });
    }

    let mode: String =
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(q("switching to WAL mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(QueueError::NotAQueue {
            path: path.to_path_buf(),
            reason: format!("SQLite refused WAL mode (journal mode stays {mode}); is the file on a network file system?"),
        });
    }
    let sync = match opts.synchronous {
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
    };
    // After a checkpoint the WAL is cut back to 64 MiB, so one huge submit
    // does not leave a huge WAL file behind.
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {sync}; PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864;"
    ))
        .map_err(q("setting pragmas"))?;

    if created {
        let tx_sql = format!(
            "BEGIN IMMEDIATE; {SCHEMA}
             INSERT INTO meta (key, value) VALUES ('schema_version', {SCHEMA_VERSION}), ('next_cluster', 1);
             PRAGMA application_id = {APPLICATION_ID};
             COMMIT;"
        );
        if let Err(e) = conn.execute_batch(&tx_sql) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(classify(path, "creating the schema", e));
        }
    }

    let meta = |key: &str| -> Result<Option<i64>, QueueError> {
        let mut st = conn.prepare("SELECT value FROM meta WHERE key = ?1").map_err(q("reading meta"))?;
        let mut rows = st.query(params![key]).map_err(q("reading meta"))?;
        match rows.next().map_err(q("reading meta"))? {
            Some(r) => Ok(Some(r.get(0).map_err(q("reading meta"))?)),
            None => Ok(None),
        }
    };
    let version = meta("schema_version")?;
    if version != Some(SCHEMA_VERSION) {
        return Err(QueueError::NotAQueue {
            path: path.to_path_buf(),
            reason: match version {
                Some(v) => format!("its schema version is {v}, this build reads version {SCHEMA_VERSION}"),
                None => "its meta table has no schema_version".into(),
            },
        });
    }
    let next = meta("next_cluster")?.unwrap_or(1);
    // Defensive: never hand out an id that any row already uses.
    let max_used: i64 = conn
        .query_row(
            "SELECT max(coalesce((SELECT max(cluster) FROM clusters), 0), coalesce((SELECT max(id) >> 32 FROM jobs), 0))",
            [],
            |r| r.get(0),
        )
        .map_err(q("reading cluster ids"))?;
    Ok((conn, lock, next.max(max_used + 1).max(1), created))
}

/// The path-carrying context every later statement error gets.
pub struct Db {
    pub conn: Connection,
    pub path: PathBuf,
    pub _lock: QueueLock,
}

impl Db {
    pub fn err(&self, what: &'static str) -> impl FnOnce(rusqlite::Error) -> QueueError + '_ {
        move |e| classify(&self.path, what, e)
    }
}
