//! HTCondor's configuration language.
//!
//! Loads configuration files as HTCondor does (`CONDOR_CONFIG`, local config
//! files and directories, `include`, `if`/`elif`/`else`, `use` meta-knobs),
//! expands macros at lookup time, and answers typed `param` lookups for a
//! subsystem and local name.

pub mod macros;

mod eval;
mod macro_funcs;
mod printf;

pub use macros::{expand, ExpandOptions, MacroError, MacroSource};
