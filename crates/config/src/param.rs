//! Typed parameter values with HTCondor's parsing rules.
//!
//! - Integers: a C integer literal (`strtoll`, white space around allowed),
//!   else a ClassAd expression that evaluates to a number (reals truncate,
//!   booleans count as 0/1).
//! - Reals: a C floating literal, else an expression evaluating to a number.
//! - Booleans: `true`/`false`/`1`/`0` at the start (any case), else an
//!   expression; numbers are true when non-zero. As in HTCondor, a value
//!   like `truex` that fails both still reads as the prefix it began with.
//!
//! When a typed parameter is undefined or invalid, the built-in default of
//! the table is used (its compiled-in value); numeric ranges clamp.

use crate::defaults::{Cooked, ParamInfo, ParamType};
use crate::eval;
use crate::macro_funcs::{parse_c_double, parse_c_long};

/// A value as `htcondor2.param[...]` hands it out.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    String(String),
    Int(i64),
    Bool(bool),
    Real(f64),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::String(s) => f.write_str(s),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            ParamValue::Real(r) => write!(f, "{r}"),
        }
    }
}

/// A typed parameter whose value does not parse as its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} in the configuration is not a valid {expected} (\"{value}\"); set it to {hint}")]
pub struct ParamError {
    pub name: String,
    pub value: String,
    pub expected: &'static str,
    pub hint: &'static str,
}

/// HTCondor's `string_is_long_param`.
pub fn parse_long(s: &str) -> Option<i64> {
    parse_c_long(s).or_else(|| eval::eval_int(s))
}

/// HTCondor's `string_is_double_param`.
pub fn parse_double(s: &str) -> Option<f64> {
    parse_c_double(s).or_else(|| eval::eval_real(s))
}

/// The boolean prefix HTCondor looks at first, and whether only white
/// space follows it.
fn bool_prefix(s: &str) -> (Option<bool>, bool) {
    let b = s.as_bytes();
    let lower_starts = |lit: &str| b.len() >= lit.len() && b[..lit.len()].eq_ignore_ascii_case(lit.as_bytes());
    let (val, len) = if lower_starts("true") {
        (Some(true), 4)
    } else if lower_starts("1") {
        (Some(true), 1)
    } else if lower_starts("false") {
        (Some(false), 5)
    } else if lower_starts("0") {
        (Some(false), 1)
    } else {
        (None, 0)
    };
    let rest_blank = s[len..].bytes().all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c));
    (val, val.is_some() && rest_blank)
}

/// HTCondor's `string_is_boolean_param`: `Some` when valid.
pub fn parse_bool(s: &str) -> Option<bool> {
    match bool_prefix(s) {
        (Some(v), true) => Some(v),
        _ => eval::eval_bool(s),
    }
}

/// What `param_boolean` returns for a set value: the parsed boolean, or
/// when it is not one, the prefix it began with, else `default`.
pub(crate) fn bool_or(s: &str, default: bool) -> (bool, bool) {
    match bool_prefix(s) {
        (Some(v), true) => (v, true),
        (prefix, _) => match eval::eval_bool(s) {
            Some(v) => (v, true),
            None => (prefix.unwrap_or(default), false),
        },
    }
}

/// An integer setting as `param_integer`/`param_longlong` reads it:
/// `(value, valid)`; invalid text falls back to the table default (or 0),
/// and the result is clamped to the range (and to 32 bits for `Int`).
pub(crate) fn int_from(value: Option<&str>, info: Option<&ParamInfo>, ty: ParamType, fallback: Option<i64>) -> Option<(i64, bool)> {
    let default = match info.and_then(|i| i.cooked) {
        Some(Cooked::Int(v)) => Some(v),
        Some(Cooked::Bool(b)) => Some(b as i64),
        Some(Cooked::Double(d)) => Some(d as i64),
        None => fallback,
    };
    let (mut v, valid) = match value {
        None => return default.map(|d| (d, true)),
        Some(s) => match parse_long(s) {
            Some(v) => (v, true),
            None => (default.unwrap_or(0), false),
        },
    };
    if ty == ParamType::Int {
        v = v.clamp(i32::MIN as i64, i32::MAX as i64);
    }
    if let Some((lo, hi)) = info.and_then(|i| i.range) {
        if (v as f64) < lo {
            v = lo as i64;
        } else if (v as f64) > hi {
            v = hi as i64;
        }
    }
    Some((v, valid))
}

/// A real setting as `param_double` reads it.
pub(crate) fn real_from(value: Option<&str>, info: Option<&ParamInfo>, fallback: Option<f64>) -> Option<(f64, bool)> {
    let default = match info.and_then(|i| i.cooked) {
        Some(Cooked::Double(d)) => Some(d),
        Some(Cooked::Int(v)) => Some(v as f64),
        Some(Cooked::Bool(b)) => Some(b as i64 as f64),
        None => fallback,
    };
    let (mut v, valid) = match value {
        None => return default.map(|d| (d, true)),
        Some(s) => match parse_double(s) {
            Some(v) => (v, true),
            None => (default.unwrap_or(0.0), false),
        },
    };
    if let Some((lo, hi)) = info.and_then(|i| i.range) {
        if v < lo {
            v = lo;
        } else if v > hi {
            v = hi;
        }
    }
    Some((v, valid))
}

/// A boolean setting as `param_boolean` reads it.
pub(crate) fn bool_from(value: Option<&str>, info: Option<&ParamInfo>, fallback: Option<bool>) -> Option<(bool, bool)> {
    let default = match info.and_then(|i| i.cooked) {
        Some(Cooked::Bool(b)) => Some(b),
        Some(Cooked::Int(v)) => Some(v != 0),
        Some(Cooked::Double(d)) => Some(d != 0.0),
        None => fallback,
    };
    match value {
        None => default.map(|d| (d, true)),
        Some(s) => Some(bool_or(s, default.unwrap_or(false))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_rules() {
        assert_eq!(parse_long(" 42 "), Some(42));
        assert_eq!(parse_long("2*3"), Some(6));
        assert_eq!(parse_long("abc"), None);
        assert_eq!(parse_double("1e3"), Some(1000.0));
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("0 "), Some(false));
        assert_eq!(parse_bool("1 > 2"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(bool_or("truex", false), (true, false));
        assert_eq!(bool_or("nope", true), (true, false));
    }
}
