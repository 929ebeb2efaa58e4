//! The schedd's decisions, as a pure state machine.
//!
//! [`Schedd`] takes events — a submit, an action on jobs, a match from the
//! negotiator, a granted claim, a job's exit, the passing of time, a
//! restart — and records what must happen in [`Effects`]: changes to the
//! durable queue, user-log events, history entries, answers and messages.
//! It reads committed ads through [`AdStore`] and never does I/O, so every
//! decision is tested without sockets, processes or sleeps.

pub mod ads;
pub mod autocluster;
pub mod effects;
pub mod events;
pub mod factory;
pub mod jobs;
pub mod policy;

mod act;
mod recover;
mod run;
mod schedd;
mod submit;

pub use act::Selection;
pub use ads::{AdStore, NoAds};
pub use effects::{Action, Change, Effects, HistoryEntry, LogEntry, Reply, Token};
pub use recover::{LastEvent, Recovery};
pub use run::{Granted, IdleGroup, MatchOffer};
pub use schedd::{user_log_path, Claim, Config, Edits, Schedd, Who};
pub use factory::{MakerBuilder, ProcMaker};
pub use submit::SubmitJobs;

#[cfg(test)]
mod tests;
