//! The `condor_*` tools and `aerie` subcommands that are not daemons.

pub mod attrs;
pub mod config_val;
pub mod daemon_client;
pub mod help;
pub mod history;
pub mod ping;
pub mod pool;
pub mod q;
pub mod qedit;
pub mod reschedule;
pub mod rm;
pub mod status;
pub mod submit;
pub mod submit_schedd;
pub mod tail;
pub mod transfer_data;
pub mod userprio;
pub mod version;
pub mod wait;
pub mod watch_q;
