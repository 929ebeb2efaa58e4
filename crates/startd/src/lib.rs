//! The startd: an execute point's slots and the claims on them.
//!
//! - [`core`]: slot layout, slot ads, and the claim state machine
//!   ([`core::Startd`]), tested without processes or sockets.
//! - [`service`]: the `/v1` endpoints, one starter process per claim, the
//!   batched event reports to schedds, advertising, claim records.

pub mod core;
pub mod service;
