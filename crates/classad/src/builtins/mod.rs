//! The builtin function library: pure functions from evaluated arguments to a value.
//!
//! Special forms that need unevaluated arguments or the evaluation context
//! (`ifThenElse`, `eval`, `unparse`, `debug`, `evalInEachContext`,
//! `countMatches`) live in the evaluator; everything here sees only [`Value`]s.
//!
//! The evaluator resolves a call's name once, at parse time, with [`lookup`],
//! and then calls the returned [`BuiltinFn`] with the evaluated arguments.

use crate::Value;

/// What a builtin may need from its surroundings beyond its arguments.
#[derive(Debug, Default, Clone)]
pub struct Env {
    _private: (),
}

/// A builtin: evaluated arguments in, value out. Never panics.
pub type BuiltinFn = fn(args: &[Value], env: &Env) -> Value;

/// Find a builtin by name, case-insensitively (`strcat`, `StrCat`, …).
pub fn lookup(_name: &str) -> Option<BuiltinFn> {
    None
}
