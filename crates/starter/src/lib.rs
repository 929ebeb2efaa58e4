//! The starter: runs a claim's jobs, one after the other, in sandboxes.
//!
//! One starter process lives as long as its claim. The startd writes
//! `proto::startd::StarterCommand`s to its standard input and reads
//! `StarterEvent`s from its standard output, one JSON object per line.
//!
//! - [`core`]: launch plans and the job queue, pure.
//! - [`service`]: sandboxes, file transfer, spawning, reaping with
//!   resource usage, signals to the job's process group, cgroups.

pub mod core;
pub mod service;
