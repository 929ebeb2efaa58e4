//! The comparison and arithmetic the list builtins apply to their elements,
//! with the operators' own rules: strict on `undefined`/`error` (except
//! `is`/`isnt`), numeric promotion (booleans to integers, integers to
//! reals), case-insensitive string comparison for `==` and `<` but
//! case-sensitive for `is`, and `error` for mixed or unordered types.

use std::cmp::Ordering;

use crate::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ne,
    Gt,
    Ge,
    /// `=?=` / `is`: same type and same value, never `undefined`.
    Is,
    /// `=!=` / `isnt`.
    Isnt,
}

impl CmpOp {
    /// The operator a builtin names in text (`"<"`, `"is"`, …), exactly.
    pub fn from_text(s: &str) -> Option<CmpOp> {
        Some(match s {
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "is" => CmpOp::Is,
            "isnt" => CmpOp::Isnt,
            _ => return None,
        })
    }

    fn holds(self, ord: Option<Ordering>) -> bool {
        match self {
            CmpOp::Lt => ord == Some(Ordering::Less),
            CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
            CmpOp::Eq | CmpOp::Is => ord == Some(Ordering::Equal),
            CmpOp::Ne | CmpOp::Isnt => ord != Some(Ordering::Equal),
            CmpOp::Gt => ord == Some(Ordering::Greater),
            CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        }
    }
}

/// Byte-wise `strcasecmp` in the C locale.
pub fn strcasecmp(a: &str, b: &str) -> Ordering {
    let x = a.bytes().map(|c| c.to_ascii_lowercase());
    let y = b.bytes().map(|c| c.to_ascii_lowercase());
    x.cmp(y)
}

/// A value promoted for arithmetic or ordered comparison.
enum Num {
    Int(i64),
    Real(f64),
}

fn as_num(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(*b as i64)),
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Real(r) => Some(Num::Real(*r)),
        _ => None,
    }
}

/// `a op b` as the comparison operators evaluate it.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    if matches!(op, CmpOp::Is | CmpOp::Isnt) {
        return meta_compare(op, a, b);
    }
    // Strict: error first, then undefined.
    if a.is_error() || b.is_error() {
        return Value::Error;
    }
    if a.is_undefined() || b.is_undefined() {
        return Value::Undefined;
    }
    let ord = match (a, b) {
        (Value::Ad(_), _) | (_, Value::Ad(_)) | (Value::List(_), _) | (_, Value::List(_)) => {
            return Value::Error
        }
        (Value::String(x), Value::String(y)) => Some(strcasecmp(x, y)),
        (Value::String(_), _) | (_, Value::String(_)) => return Value::Error,
        (Value::AbsTime { secs: x, .. }, Value::AbsTime { secs: y, .. }) => Some(x.cmp(y)),
        (Value::AbsTime { .. }, _) | (_, Value::AbsTime { .. }) => return Value::Error,
        (Value::RelTime(x), Value::RelTime(y)) => x.partial_cmp(y),
        (Value::RelTime(_), _) | (_, Value::RelTime(_)) => return Value::Error,
        _ => match (as_num(a), as_num(b)) {
            (Some(Num::Int(x)), Some(Num::Int(y))) => Some(x.cmp(&y)),
            (Some(x), Some(y)) => real_of(x).partial_cmp(&real_of(y)),
            _ => return Value::Error,
        },
    };
    Value::Bool(op.holds(ord))
}

fn real_of(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Real(r) => r,
    }
}

/// `is` / `isnt`: no promotion; different types are simply unequal.
fn meta_compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    let same = match (a, b) {
        (Value::Undefined, Value::Undefined) | (Value::Error, Value::Error) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Real(x), Value::Real(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::AbsTime { secs: s1, offset: o1 }, Value::AbsTime { secs: s2, offset: o2 }) => {
            s1 == s2 && o1 == o2
        }
        (Value::RelTime(x), Value::RelTime(y)) => x == y,
        (Value::List(_), Value::List(_)) | (Value::Ad(_), Value::Ad(_)) => return Value::Error,
        _ => false,
    };
    Value::Bool(if op == CmpOp::Is { same } else { !same })
}

/// True when `compare` yields boolean `true`.
pub fn compare_true(op: CmpOp, a: &Value, b: &Value) -> bool {
    matches!(compare(op, a, b), Value::Bool(true))
}

/// `a + b` for the values `sum()` and `avg()` accumulate (numbers and
/// booleans; `error`/`undefined` propagate). Integer addition wraps; a real
/// sum of `+inf` is an error, as the operator makes it.
pub fn add(a: &Value, b: &Value) -> Value {
    if a.is_error() || b.is_error() {
        return Value::Error;
    }
    if a.is_undefined() || b.is_undefined() {
        return Value::Undefined;
    }
    match (as_num(a), as_num(b)) {
        (Some(Num::Int(x)), Some(Num::Int(y))) => Value::Int(x.wrapping_add(y)),
        (Some(x), Some(y)) => real_result(real_of(x) + real_of(y)),
        _ => Value::Error,
    }
}

/// `a / r` for a real divisor, as `avg()` divides its sum by the count.
pub fn div_real(a: &Value, r: f64) -> Value {
    match a {
        Value::Error => Value::Error,
        Value::Undefined => Value::Undefined,
        _ => match as_num(a) {
            Some(x) => real_result(real_of(x) / r),
            None => Value::Error,
        },
    }
}

fn real_result(r: f64) -> Value {
    if r == f64::INFINITY {
        Value::Error
    } else {
        Value::Real(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn equality_promotes_numbers_and_ignores_string_case() {
        assert!(compare_true(CmpOp::Eq, &Value::Int(1), &Value::Real(1.0)));
        assert!(compare_true(CmpOp::Eq, &Value::Bool(true), &Value::Int(1)));
        assert!(compare_true(CmpOp::Eq, &s("abc"), &s("ABC")));
        assert!(compare(CmpOp::Eq, &s("1"), &Value::Int(1)).is_error());
        assert!(compare(CmpOp::Lt, &Value::Undefined, &Value::Int(1)).is_undefined());
        assert!(compare(CmpOp::Lt, &Value::Undefined, &Value::Error).is_error());
        assert!(compare(CmpOp::Eq, &Value::RelTime(1.0), &Value::Int(1)).is_error());
        assert!(compare_true(CmpOp::Lt, &s("["), &s("a")), "strcasecmp folds to lowercase");
    }

    #[test]
    fn is_compares_types_exactly() {
        assert!(compare_true(CmpOp::Is, &Value::Undefined, &Value::Undefined));
        assert!(!compare_true(CmpOp::Is, &Value::Int(1), &Value::Real(1.0)));
        assert!(!compare_true(CmpOp::Is, &s("A"), &s("a")));
        assert!(compare_true(CmpOp::Isnt, &s("A"), &s("a")));
        assert!(!compare_true(CmpOp::Is, &Value::Real(f64::NAN), &Value::Real(f64::NAN)));
    }

    #[test]
    fn addition_wraps_and_rejects_overflow_to_infinity() {
        assert_eq!(add(&Value::Int(i64::MAX), &Value::Int(1)).as_int(), Some(i64::MIN));
        assert!(add(&Value::Real(1e308), &Value::Real(1e308)).is_error());
        assert!(matches!(add(&Value::Real(-1e308), &Value::Real(-1e308)), Value::Real(r) if r == f64::NEG_INFINITY));
        assert!(matches!(add(&Value::Bool(true), &Value::Bool(false)), Value::Int(1)));
    }
}
