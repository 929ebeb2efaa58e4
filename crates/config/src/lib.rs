//! HTCondor's configuration language.
//!
//! Loads configuration files as HTCondor does (`CONDOR_CONFIG`, local config
//! files and directories, `include`, `if`/`elif`/`else`, `use` meta-knobs,
//! `_CONDOR_X` environment overrides), expands macros at lookup time, and
//! answers typed `param` lookups for a subsystem and local name.
//!
//! ```no_run
//! use config::{Config, LoadOptions, Subsystem};
//! let cfg = Config::load(&LoadOptions::new(Subsystem::Schedd))?;
//! let log = cfg.get("SCHEDD_LOG");              // expanded, prefixes applied
//! let interval = cfg.get_int("SCHEDD_INTERVAL"); // typed, with HTCondor's default
//! # Ok::<(), config::ConfigError>(())
//! ```
//!
//! Data flows: [`options`] → [`load`] (sources in HTCondor's order) →
//! `parse` (statements, `if`, `include`, `use`) → `table` (raw values and
//! their origins) → [`Config`] (lookups; [`macros`] expands at lookup time;
//! [`param`] types values; [`defaults`] fills in built-in values).

// Errors carry the file, line, offending text and include chain; loading
// fails rarely, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod defaults;
pub mod host;
pub mod load;
pub mod macros;
pub mod options;
pub mod param;

mod config;
mod error;
mod eval;
mod ifcond;
mod macro_funcs;
mod macro_paths;
mod meta;
mod parse;
mod printf;
mod reader;
mod table;

pub use crate::config::{Config, ConfigChanges, ParamEntry, Source};
pub use defaults::ParamType;
pub use error::{ConfigError, ErrorKind, Location};
pub use eval::evaluate_to_string;
pub use host::HostInfo;
pub use ifcond::{test_condition, CondContext, CondError, IfLine, IfStack};
pub use load::ConfigWarning;
pub use macros::{expand, ExpandOptions, MacroError, MacroSource};
pub use options::{EnvMap, LoadOptions, Subsystem};
pub use param::{ParamError, ParamValue};

/// Substitute `$(1)`, `$(2?)`, `$(0#)`, … of a `use` template with its arguments.
pub fn expand_template_args(text: &str, args: &str) -> String {
    meta::expand_meta_args(text, args)
}
