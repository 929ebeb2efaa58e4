//! Aerie's negotiator: matchmaking between idle jobs and free slots, with
//! fair share between submitters.
//!
//! - [`core`]: the decisions, pure — one cycle's slot ads and resource
//!   requests in, a plan of matches and rejections out; the accountant's
//!   priorities; when to wake up.
//! - [`service`]: the daemon around it — reads the configuration, serves
//!   `/v1/reschedule` and friends, asks the collector and the schedds, sends
//!   the plan, writes `NegotiatorLog`.

pub mod core;
pub mod service;
