//! The ClassAd language as HTCondor speaks it.
//!
//! Everything else in Aerie stands on this crate: job and machine ads,
//! `Requirements`/`Rank`, policy expressions, `condor_q -constraint`, and the
//! Python `classad2` API.
//!
//! Layout (see README.md):
//! - [`value`]: runtime values ([`Value`]).
//! - `expr`/`ad`: expression trees ([`Expr`]) and ads ([`ClassAd`]) that keep
//!   attribute order and original case while looking names up case-insensitively.
//! - `lexer`/`parser`: new syntax (`[a = 1; b = a + 1]`), old syntax (one
//!   `Attr = expr` per line), and the JSON form.
//! - `unparse`: old/new syntax and JSON printing, identical to `classad2`.
//! - `eval`: evaluation with three-valued logic, scoping and cycle detection.
//! - [`builtins`]: the builtin function library (pure functions on values).
//! - `matchmaking`: symmetric match and rank of two ads.

pub mod builtins;
pub mod value;

pub use value::Value;

mod ad;
pub use ad::ClassAd;
