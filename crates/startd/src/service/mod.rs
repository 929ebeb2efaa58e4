//! The startd process.
