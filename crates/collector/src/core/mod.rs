//! The collector's decisions, free of I/O.
//!
//! - [`store`]: ads by (`MyType`, `Name`), their lifetimes, queries.

pub mod store;

pub use store::{AdError, Store};
