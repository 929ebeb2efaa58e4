//! The schedd's durable job queue and its job history store (no networking).
//!
//! - [`JobQueue`]: every job of the schedd, in SQLite (WAL mode) on disk and
//!   in memory for queries. [`JobQueue::commit`] applies a batch of
//!   [`Change`]s as one transaction and returns after it commits; proc ads
//!   are chained to their cluster ad and hold only their own attributes.
//! - [`Filter`] selects jobs for [`JobQueue::scan`] and [`JobQueue::totals`].
//! - [`History`]: the append-only history file in HTCondor's format
//!   (`condor_history -file` reads it), read newest first.
//!
//! Data flow of a write: `Vec<Change>` → stage (validate, copy-on-write of
//! the touched ads) → one SQLite transaction → install into the index.
//! Data flow of a restart: SQLite rows → `codec` records decoded with
//! shared names and literals (`intern`) → the index.
//!
//! See `README.md` for the API in one page, the durability guarantees and
//! how the schedd should batch.

mod codec;
mod error;
mod filter;
mod history;
mod history_read;
mod index;
mod intern;
mod query;
mod queue;
mod store;

pub use error::QueueError;
pub use filter::{Filter, Totals};
pub use history::{History, HistoryOptions, NewestFirst, TornTail};
pub use queue::{Change, CommitInfo, JobQueue, Recovery, Skipped};
pub use store::{OpenOptions, Synchronous};

pub use proto::job::JobSpec;
pub use proto::{JobId, JobStatus};
