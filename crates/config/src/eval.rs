//! ClassAd evaluation for `$INT()`, `$REAL()`, `$STRING()`, `$EVAL()`, `if`
//! conditions and typed parameter values.

use classad::{Expr, Value};

use crate::macro_funcs::{parse_c_double, parse_c_long};

/// Evaluate `text` as a ClassAd expression with no ad around it.
fn eval(text: &str) -> Option<Value> {
    let e = Expr::parse_old(text.trim()).ok()?;
    Some(e.eval(None, None))
}

/// Evaluate `text` as a ClassAd expression to an integer (reals truncate).
pub(crate) fn eval_int(text: &str) -> Option<i64> {
    match eval(text)? {
        Value::Int(i) => Some(i),
        Value::Real(r) if r.is_finite() => Some(r as i64),
        Value::Bool(b) => Some(i64::from(b)),
        _ => parse_c_double(text).map(|v| v as i64).or_else(|| parse_c_long(text)),
    }
}

/// Evaluate `text` as a ClassAd expression to a number.
pub(crate) fn eval_real(text: &str) -> Option<f64> {
    match eval(text)? {
        Value::Int(i) => Some(i as f64),
        Value::Real(r) => Some(r),
        Value::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
        _ => parse_c_double(text),
    }
}

/// Evaluate `text` as a ClassAd expression to a boolean.
#[allow(dead_code)]
pub(crate) fn eval_bool(text: &str) -> Option<bool> {
    match eval(text)? {
        Value::Bool(b) => Some(b),
        Value::Int(i) => Some(i != 0),
        Value::Real(r) => Some(r != 0.0),
        _ => None,
    }
}

/// Evaluate `text`; `Some(s)` only when it yields a string.
pub(crate) fn eval_string(text: &str) -> Option<String> {
    match eval(text)? {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Evaluate `text`: a string result as its text, anything else unparsed.
/// `None` when `text` does not parse.
pub(crate) fn eval_to_text(text: &str) -> Option<String> {
    match eval(text)? {
        Value::String(s) => Some(s.to_string()),
        v => Some(v.to_string()),
    }
}
