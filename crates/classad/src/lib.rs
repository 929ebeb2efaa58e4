//! The ClassAd language as HTCondor speaks it.
//!
//! Everything else in Aerie stands on this crate: job and machine ads,
//! `Requirements`/`Rank`, policy expressions, `condor_q -constraint`, and the
//! Python `classad2` API.
//!
//! Data flows text → [`Expr`]/[`ClassAd`] (parsers) → [`Value`] (evaluator)
//! → text again (unparser):
//! - [`value`]: runtime values ([`Value`]).
//! - `expr`/`ad`: expression trees ([`Expr`]) and ads ([`ClassAd`]) that keep
//!   attribute order and original case while looking names up case-insensitively.
//! - `lexer`/`parser`: new syntax (`[a = 1; b = a + 1]`), old syntax (one
//!   `Attr = expr` per line); [`json`]: the JSON form.
//! - [`unparse`]: old/new syntax printing, identical to `classad2`.
//! - `eval`/[`ops`]: evaluation with three-valued logic, scoping and cycle detection.
//! - [`builtins`]: the builtin function library (pure functions on values).
//! - [`matchmaking`]: symmetric match and rank of two ads, and the
//!   clause-by-clause view of a `Requirements` (`-better-analyze`).
//! - [`dialect`]: HTCondor's configured library (the default) or the
//!   unconfigured one.
//!
//! ```
//! use classad::{matchmaking::analyze_clauses, symmetric_match, ClassAd, Value};
//!
//! let job = ClassAd::parse_old("RequestMemory = 2048\nRequirements = TARGET.Memory >= RequestMemory && TARGET.HasGPU")?;
//! let slot = ClassAd::parse_old("Memory = 4096\nRequirements = true")?;
//! assert!(!symmetric_match(&job, &slot));
//! // The machine attributes the job looks at (autocluster significant attributes).
//! assert_eq!(job.external_refs_of("Requirements"), ["HasGPU", "Memory"]);
//! // Which clause fails (condor_q -better-analyze).
//! let clauses = analyze_clauses(&job, "Requirements", &slot);
//! assert_eq!(clauses[0].text, "TARGET.Memory >= RequestMemory");
//! assert_eq!(clauses[1].value, Value::Undefined);
//! # Ok::<(), classad::ParseError>(())
//! ```

pub mod builtins;
pub mod value;

mod ad;
pub mod dialect;
mod error;
mod eval;
mod expr;
pub mod json;
mod lexer;
pub mod matchmaking;
pub mod ops;
mod parser;
pub mod pretty;
pub mod time;
pub mod unparse;

pub use ad::ClassAd;
pub use dialect::Dialect;
pub use error::ParseError;
pub use eval::Lazy;
pub use expr::{BinaryOp, Call, Expr, Name, Node, UnaryOp};
pub use matchmaking::{analyze_clauses, rank, symmetric_match, ClauseOutcome};
pub use value::Value;

/// Limits that keep parsing and evaluation from exhausting the stack.
pub mod limits {
    pub use crate::eval::{MAX_NESTING, MAX_REFERENCE_DEPTH, MAX_STEPS};
    pub use crate::parser::{MAX_DEPTH, MAX_HEIGHT};
}
