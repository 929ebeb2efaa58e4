//! The `condor_*` tools.

pub mod config_val;
pub mod submit;
pub mod version;
