//! Aerie's schedd: the job queue's front door.
//!
//! - [`core`]: the pure state machine (`on_submit`, `on_match`,
//!   `on_claim_result`, `on_job_exit`, `on_timer`, …) that decides what
//!   happens to jobs and returns [`core::Effects`].
//! - `service`: the async shell on tokio that serves `/v1`, owns the
//!   durable queue on its own thread, writes user logs and history, and
//!   talks to startds, the negotiator and the collector.

pub mod core;
pub mod service;

pub use service::run;
