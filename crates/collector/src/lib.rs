//! The collector: the pool's directory of ads.
//!
//! - [`core`]: the ad store as a pure state machine (`on_advertise`,
//!   `on_query`, `on_invalidate`, `on_timer`), tested without sockets.
//! - [`service`]: the `/v1` endpoints and the expiry timer around it.

pub mod core;
pub mod service;
