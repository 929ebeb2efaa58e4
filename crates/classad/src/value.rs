//! Runtime values of the ClassAd language.
//!
//! A [`Value`] is what evaluating an expression yields. Strings, lists and
//! nested ads are reference counted so that copying a value out of an ad
//! (the common case of an attribute lookup) never allocates.

use std::sync::Arc;

use crate::ClassAd;

/// The result of evaluating a ClassAd expression.
#[derive(Debug, Clone)]
pub enum Value {
    /// `undefined`: an attribute that does not exist, or an operation on it.
    Undefined,
    /// `error`: a type error or an explicit `error` literal.
    Error,
    Bool(bool),
    Int(i64),
    Real(f64),
    String(Arc<str>),
    /// An evaluated list: `{1, "a", x}`.
    List(Arc<Vec<Value>>),
    /// A nested ad, kept as expressions so it can be unparsed and re-evaluated.
    Ad(Arc<ClassAd>),
    /// Absolute time: seconds since the epoch and the time zone offset in seconds east of UTC.
    AbsTime { secs: i64, offset: i32 },
    /// Relative time in seconds.
    RelTime(f64),
}

impl Value {
    pub fn string(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined)
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number as f64 (int or real), for arithmetic helpers.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The type name HTCondor uses in messages (`"integer"`, `"string"`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Error => "error",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Real(_) => "real",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Ad(_) => "classad",
            Value::AbsTime { .. } => "absolute time",
            Value::RelTime(_) => "relative time",
        }
    }
}

impl PartialEq for Value {
    /// Identity of values: same type and same contents. Reals compare by
    /// bit pattern (so `NaN == NaN` and `0.0 != -0.0`); this is not the
    /// language's `==` (see [`crate::ops`]).
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Undefined, Value::Undefined) | (Value::Error, Value::Error) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Real(a), Value::Real(b)) => a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => Arc::ptr_eq(a, b) || a == b,
            (Value::Ad(a), Value::Ad(b)) => Arc::ptr_eq(a, b) || a == b,
            (Value::AbsTime { secs: a, offset: o }, Value::AbsTime { secs: b, offset: p }) => a == b && o == p,
            (Value::RelTime(a), Value::RelTime(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl std::fmt::Display for Value {
    /// Old-syntax text of the value (`"x"`, `{ 1,2 }`, `2.5`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::unparse::unparse_value(self))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(r: f64) -> Value {
        Value::Real(r)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Arc::from(s))
    }
}
