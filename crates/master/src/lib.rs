//! The master: supervisor of a host's Aerie daemons.
//!
//! - [`core`]: which child to start, stop or restart and when, as a pure
//!   state machine ([`core::Master`]: `on_start`, `on_ready`, `on_exit`,
//!   `on_timer`, `on_off`, `on_on`, `on_shutdown`) returning actions.
//! - [`service`]: processes, signals, address-file watching, the `/v1`
//!   endpoints and the Master ad.

pub mod core;
pub mod service;
