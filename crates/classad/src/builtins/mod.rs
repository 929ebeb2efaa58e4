//! The builtin function library: pure functions from evaluated arguments to a value.
//!
//! Special forms that need unevaluated arguments or the evaluation context
//! (`ifThenElse`, `eval`, `unparse`, `debug`, `evalInEachContext`, …) live in
//! the evaluator; everything here sees only [`Value`]s.
