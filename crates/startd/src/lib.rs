//! The startd.
