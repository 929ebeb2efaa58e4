//! Aerie's `/v1` API: the types that cross process boundaries.
//!
//! Daemons share types only through this crate, never each other's code.
//! Everything here is plain data with serde derives; no I/O.
//!
//! - [`ad`]: ClassAds on the wire ([`WireAd`]: attribute → unparsed expression).
//! - [`job`]: job ids, statuses, hold codes.
//! - [`address`]: where a daemon listens (Unix socket or TCP) and its address file.
//! - [`schedd`], [`collector`], [`startd`], [`negotiator`], [`master`]: the
//!   requests and answers of each daemon.
//! - [`error`]: the error body every endpoint returns on refusal.

pub mod ad;
pub mod address;
pub mod collector;
pub mod error;
pub mod job;
pub mod master;
pub mod negotiator;
pub mod schedd;
pub mod startd;

pub use ad::WireAd;
pub use error::ApiError;
pub use job::{JobId, JobStatus};
