//! The startd's decisions, free of I/O.
//!
//! - [`layout`]: cutting the machine into slots from the configuration.
//! - [`slot`]: slots, states and activities, and the ads they advertise.
//! - [`startd`]: claims and their job queues ([`Startd`]).

pub mod layout;
pub mod slot;
pub mod startd;

#[cfg(test)]
mod tests;

pub use startd::{Action, Report, Startd, StartdConfig};
