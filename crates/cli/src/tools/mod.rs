//! The `condor_*` tools and `aerie` subcommands that are not daemons.

pub mod config_val;
pub mod history;
pub mod pool;
pub mod q;
pub mod qedit;
pub mod reschedule;
pub mod rm;
pub mod status;
pub mod submit;
pub mod submit_schedd;
pub mod version;
pub mod wait;
