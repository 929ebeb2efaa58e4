//! The job event log ("user log") in HTCondor's text format.
//!
//! Users name it with `log = FILE` in a submit description; `condor_wait`,
//! `htcondor2.JobEventLog`, DAGMan and many scripts read it. Each event is a
//! header line `NNN (CCC.PPP.SSS) YYYY-MM-DD HH:MM:SS text`, optional body
//! lines starting with a tab, and the separator line `...`.
//!
//! - [`event`]: the event types and their data.
//! - [`format`]: rendering events exactly as HTCondor writes them.
//! - [`read`]: parsing a log back into events (tolerates a partly written
//!   last event, so a reader can follow a log that is still growing).
//! - [`writer`]: appending events to a log file, one `write` per event.
//! - [`xml`]: ClassAds in HTCondor's XML form (XML logs, `condor_q -xml`).
//! - [`classad_form`]: events as ClassAds with HTCondor's attribute names
//!   (XML logs, the 028 job ad information event).

pub mod classad_form;
pub mod event;
pub mod format;
pub mod read;
pub mod writer;
pub mod xml;

pub use event::{Event, EventBody, JobId, Rusage, Termination, UsageEntry, UsageNum};
pub use read::{parse_log, ReadError};
pub use format::LogFormat;
pub use writer::UserLog;
