//! ClassAd evaluation for `$INT()`, `$REAL()`, `$STRING()`, `$EVAL()` and
//! typed parameter values: the text is parsed as HTCondor parses a
//! configuration value (old ClassAd syntax, the whole text must be one
//! expression) and evaluated in an empty ad.

use classad::{Expr, Value};

/// Parse and evaluate `text`; `None` when it does not parse.
pub(crate) fn eval_value(text: &str) -> Option<Value> {
    let expr = Expr::parse_old(text).ok()?;
    Some(expr.eval(None, None))
}

/// The value as an integer the way HTCondor's `EvalInteger` takes it:
/// integers as they are, reals truncated, booleans as 0/1.
pub(crate) fn eval_int(text: &str) -> Option<i64> {
    match eval_value(text)? {
        Value::Int(i) => Some(i),
        Value::Real(r) => Some(truncate(r)),
        Value::Bool(b) => Some(b as i64),
        _ => None,
    }
}

/// C's conversion of a double to a 64-bit integer on x86-64 (out of range
/// and NaN give the "integer indefinite" value).
pub(crate) fn truncate(r: f64) -> i64 {
    if r.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
        i64::MIN
    } else {
        r as i64
    }
}

/// The value as a number (`EvalFloat`): integers and booleans converted.
pub(crate) fn eval_real(text: &str) -> Option<f64> {
    match eval_value(text)? {
        Value::Int(i) => Some(i as f64),
        Value::Real(r) => Some(r),
        Value::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// The value as a boolean (`EvalBool`): numbers are true when non-zero.
pub(crate) fn eval_bool(text: &str) -> Option<bool> {
    match eval_value(text)? {
        Value::Bool(b) => Some(b),
        Value::Int(i) => Some(i != 0),
        Value::Real(r) => Some(r != 0.0),
        _ => None,
    }
}

/// `Some(s)` only when `text` evaluates to a string.
pub(crate) fn eval_string(text: &str) -> Option<String> {
    match eval_value(text)? {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// For `$EVAL()`: a string result as its text, any other result unparsed;
/// `None` when `text` does not parse.
pub(crate) fn eval_to_text(text: &str) -> Option<String> {
    match eval_value(text)? {
        Value::String(s) => Some(s.to_string()),
        v => Some(classad::unparse::unparse_value(&v)),
    }
}

/// Evaluate for `condor_config_val -evaluate`: the result unparsed.
pub fn evaluate_to_string(text: &str) -> Option<String> {
    eval_value(text).map(|v| classad::unparse::unparse_value(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_bools() {
        assert_eq!(eval_int("3 + 4"), Some(7));
        assert_eq!(eval_int("1.9"), Some(1));
        assert_eq!(eval_int("true"), Some(1));
        assert_eq!(eval_int("MIN({24105, 10000})"), Some(10000));
        assert_eq!(eval_int("\"x\""), None);
        assert_eq!(eval_real("2.5 * 2"), Some(5.0));
        assert_eq!(eval_bool("2 > 1"), Some(true));
        assert_eq!(eval_bool("0"), Some(false));
        assert_eq!(eval_string("\"a\" + \"b\""), None);
        assert_eq!(eval_string("strcat(\"a\", \"b\")").as_deref(), Some("ab"));
        assert_eq!(eval_int("a b"), None);
    }
}
