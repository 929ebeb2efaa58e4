//! The starter's decisions, free of I/O.
//!
//! - [`args`]: the job's arguments and environment as the ad stores them.
//! - [`plan`]: from a job ad to a [`plan::LaunchPlan`] (program, streams,
//!   environment, files in and out, confined to the sandbox).
//! - [`queue`]: the claim's job queue ([`queue::Starter`]): one job at a
//!   time, signals, vacate timeouts, shutdown.

pub mod args;
pub mod plan;
pub mod queue;
