//! Operators on values, exactly as HTCondor defines them.
//!
//! - Strict operators (arithmetic, comparison, bitwise, unary) give `error`
//!   if an operand is `error`, else `undefined` if an operand is `undefined`.
//! - `=?=`/`is` and `=!=`/`isnt` never give undefined: they compare type
//!   and value, strings case-sensitively.
//! - `==`, `<`, … compare strings ignoring case; booleans count as 0/1 next
//!   to numbers; integers are promoted to reals next to reals; comparing a
//!   string with a non-string, or any list or ad, is `error`.
//! - Integer arithmetic wraps on overflow; division or modulus by zero is
//!   `error`; `%` on reals is `error`; a real result of `+inf` is `error`
//!   (as HTCondor checks `HUGE_VAL`), `-inf` and NaN pass through.
//! - Shifts use the low six bits of the count, as the reference platform does.
//!
//! `&&`, `||`, `?:` and the ternary are lazy and live in the evaluator, but
//! [`logical_and`]/[`logical_or`] give their value once both sides are known.

use std::cmp::Ordering;

use crate::expr::{BinaryOp, UnaryOp};
use crate::Value;

/// The boolean a value counts as in a condition: booleans, and numbers
/// (non-zero is true).
#[inline]
pub fn bool_equiv(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i != 0),
        Value::Real(r) => Some(*r != 0.0),
        _ => None,
    }
}

/// A unary operator applied to a value.
pub fn unary(op: UnaryOp, v: &Value) -> Value {
    match op {
        UnaryOp::Plus => match v {
            Value::Bool(_) | Value::String(_) | Value::List(_) | Value::Ad(_) | Value::AbsTime { .. } => {
                Value::Error
            }
            other => other.clone(),
        },
        UnaryOp::Minus => match v {
            Value::Undefined => Value::Undefined,
            Value::Error => Value::Error,
            Value::Int(i) => Value::Int(i.wrapping_neg()),
            Value::Real(r) => Value::Real(-r),
            Value::RelTime(r) => Value::RelTime(-r),
            _ => Value::Error,
        },
        UnaryOp::Not => match v {
            Value::Undefined => Value::Undefined,
            Value::Error => Value::Error,
            other => match bool_equiv(other) {
                Some(b) => Value::Bool(!b),
                None => Value::Error,
            },
        },
        UnaryOp::BitNot => match v {
            Value::Undefined => Value::Undefined,
            Value::Error => Value::Error,
            Value::Int(i) => Value::Int(!i),
            _ => Value::Error,
        },
    }
}

/// A binary operator applied to two values (strict operators and `is`/`isnt`;
/// `&&`/`||`/elvis with both sides already evaluated).
pub fn binary(op: BinaryOp, a: &Value, b: &Value) -> Value {
    match op {
        BinaryOp::Is => meta_equal(a, b).map_or(Value::Error, Value::Bool),
        BinaryOp::Isnt => meta_equal(a, b).map_or(Value::Error, |x| Value::Bool(!x)),
        BinaryOp::And => logical_and(a, b),
        BinaryOp::Or => logical_or(a, b),
        BinaryOp::Elvis => {
            if a.is_undefined() {
                b.clone()
            } else {
                a.clone()
            }
        }
        _ => {
            if a.is_error() || b.is_error() {
                return Value::Error;
            }
            if a.is_undefined() || b.is_undefined() {
                return Value::Undefined;
            }
            match op {
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
                    compare(op, a, b)
                }
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                    arithmetic(op, a, b)
                }
                _ => bitwise(op, a, b),
            }
        }
    }
}

/// `a =?= b`: same type and same value (strings case-sensitively).
/// `None` where HTCondor gives `error` (lists and ads).
pub fn meta_equal(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Undefined, Value::Undefined) | (Value::Error, Value::Error) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Real(x), Value::Real(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::AbsTime { secs: s1, offset: o1 }, Value::AbsTime { secs: s2, offset: o2 }) => {
            s1 == s2 && o1 == o2
        }
        (Value::RelTime(x), Value::RelTime(y)) => x == y,
        (Value::List(_), Value::List(_)) | (Value::Ad(_), Value::Ad(_)) => return None,
        _ => false,
    })
}

/// Strings compared as C's `strcasecmp` does (ASCII case folded, bytewise).
#[inline]
pub fn strcasecmp(a: &str, b: &str) -> Ordering {
    let x = a.bytes().map(|c| c.to_ascii_lowercase());
    let y = b.bytes().map(|c| c.to_ascii_lowercase());
    x.cmp(y)
}

/// Operand after HTCondor's numeric promotion for comparisons/arithmetic.
#[derive(Clone, Copy)]
enum Num {
    I(i64),
    R(f64),
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Real(r) => Some(Num::R(*r)),
        Value::Bool(b) => Some(Num::I(*b as i64)),
        _ => None,
    }
}

fn order_result(op: BinaryOp, ord: Option<Ordering>) -> Value {
    let Some(ord) = ord else {
        // NaN: every comparison is false except !=
        return Value::Bool(op == BinaryOp::Ne);
    };
    Value::Bool(match op {
        BinaryOp::Lt => ord == Ordering::Less,
        BinaryOp::Le => ord != Ordering::Greater,
        BinaryOp::Gt => ord == Ordering::Greater,
        BinaryOp::Ge => ord != Ordering::Less,
        BinaryOp::Eq => ord == Ordering::Equal,
        _ => ord != Ordering::Equal,
    })
}

/// `<`, `<=`, `>`, `>=`, `==`, `!=` on two non-exceptional values.
pub fn compare(op: BinaryOp, a: &Value, b: &Value) -> Value {
    // Type precedence as in HTCondor's promotion: ads, lists, strings, then times, then numbers.
    if matches!(a, Value::Ad(_) | Value::List(_)) || matches!(b, Value::Ad(_) | Value::List(_)) {
        return Value::Error;
    }
    if let (Value::String(x), Value::String(y)) = (a, b) {
        return order_result(op, Some(strcasecmp(x, y)));
    }
    if matches!(a, Value::String(_)) || matches!(b, Value::String(_)) {
        return Value::Error;
    }
    match (a, b) {
        (Value::AbsTime { secs: x, .. }, Value::AbsTime { secs: y, .. }) => {
            return order_result(op, Some(x.cmp(y)))
        }
        (Value::AbsTime { .. }, _) | (_, Value::AbsTime { .. }) => return Value::Error,
        (Value::RelTime(x), Value::RelTime(y)) => return order_result(op, x.partial_cmp(y)),
        (Value::RelTime(_), _) | (_, Value::RelTime(_)) => return Value::Error,
        _ => {}
    }
    match (num(a), num(b)) {
        (Some(Num::I(x)), Some(Num::I(y))) => order_result(op, Some(x.cmp(&y))),
        (Some(x), Some(y)) => {
            let f = |n: Num| match n {
                Num::I(i) => i as f64,
                Num::R(r) => r,
            };
            order_result(op, f(x).partial_cmp(&f(y)))
        }
        _ => Value::Error,
    }
}

fn arithmetic(op: BinaryOp, a: &Value, b: &Value) -> Value {
    let arith_ok = |v: &Value| {
        matches!(v, Value::Int(_) | Value::Real(_) | Value::Bool(_) | Value::AbsTime { .. } | Value::RelTime(_))
    };
    if !arith_ok(a) || !arith_ok(b) {
        return Value::Error;
    }
    if matches!(a, Value::AbsTime { .. } | Value::RelTime(_)) || matches!(b, Value::AbsTime { .. } | Value::RelTime(_)) {
        return time_arithmetic(op, a, b);
    }
    match (num(a), num(b)) {
        (Some(Num::I(x)), Some(Num::I(y))) => match op {
            BinaryOp::Add => Value::Int(x.wrapping_add(y)),
            BinaryOp::Sub => Value::Int(x.wrapping_sub(y)),
            BinaryOp::Mul => Value::Int(x.wrapping_mul(y)),
            BinaryOp::Div => {
                if x == i64::MIN && y == -1 {
                    Value::Int(i64::MAX)
                } else if y == 0 {
                    Value::Error
                } else {
                    Value::Int(x / y)
                }
            }
            _ => {
                if x == i64::MIN && y == -1 {
                    Value::Int(0)
                } else if y == 0 {
                    Value::Error
                } else {
                    Value::Int(x % y)
                }
            }
        },
        (Some(x), Some(y)) => {
            let f = |n: Num| match n {
                Num::I(i) => i as f64,
                Num::R(r) => r,
            };
            let (x, y) = (f(x), f(y));
            let r = match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div => x / y,
                _ => return Value::Error,
            };
            if r == f64::INFINITY {
                Value::Error
            } else {
                Value::Real(r)
            }
        }
        _ => Value::Error,
    }
}

fn time_arithmetic(op: BinaryOp, a: &Value, b: &Value) -> Value {
    use Value::{AbsTime, Int, Real, RelTime};
    match (op, a, b) {
        (BinaryOp::Add, AbsTime { secs, offset }, RelTime(r)) | (BinaryOp::Add, RelTime(r), AbsTime { secs, offset }) => {
            AbsTime { secs: secs.wrapping_add(*r as i32 as i64), offset: *offset }
        }
        (BinaryOp::Add, RelTime(x), RelTime(y)) => RelTime(x + y),
        (BinaryOp::Sub, AbsTime { secs: x, .. }, AbsTime { secs: y, .. }) => RelTime(x.wrapping_sub(*y) as f64),
        (BinaryOp::Sub, AbsTime { secs, offset }, RelTime(r)) => {
            AbsTime { secs: secs.wrapping_sub(*r as i32 as i64), offset: *offset }
        }
        (BinaryOp::Sub, RelTime(x), RelTime(y)) => RelTime(x - y),
        (BinaryOp::Mul, RelTime(r), Int(n)) => RelTime(r * *n as f64),
        (BinaryOp::Div, RelTime(r), Int(n)) => RelTime(r / *n as f64),
        (BinaryOp::Mul, RelTime(r), Real(n)) => RelTime(r * n),
        (BinaryOp::Div, RelTime(r), Real(n)) => RelTime(r / n),
        (BinaryOp::Mul, Int(n), RelTime(r)) => RelTime(*n as f64 * r),
        (BinaryOp::Mul, Real(n), RelTime(r)) => RelTime(n * r),
        _ => Value::Error,
    }
}

fn bitwise(op: BinaryOp, a: &Value, b: &Value) -> Value {
    let (Value::Int(x), Value::Int(y)) = (a, b) else {
        return Value::Error;
    };
    let (x, y) = (*x, *y);
    let sh = (y & 63) as u32;
    Value::Int(match op {
        BinaryOp::BitOr => x | y,
        BinaryOp::BitAnd => x & y,
        BinaryOp::BitXor => x ^ y,
        BinaryOp::Shl => x.wrapping_shl(sh),
        BinaryOp::Shr => {
            if x >= 0 {
                x >> sh
            } else {
                let n = y.clamp(0, 64) as u32;
                if n >= 64 {
                    -1
                } else {
                    x >> n
                }
            }
        }
        BinaryOp::UShr => {
            if x >= 0 {
                x >> sh
            } else {
                let v = (x >> 1) & i64::MAX;
                v >> ((y.wrapping_sub(1)) & 63)
            }
        }
        _ => return Value::Error,
    })
}

/// `a && b` as the evaluator computes it: `false && x` is false and
/// `error && x` is error without looking at `x`; otherwise numbers count as
/// booleans and any other type is `error`.
pub fn logical_and(a: &Value, b: &Value) -> Value {
    let na = norm_bool(a);
    match na {
        L::B(false) => return Value::Bool(false),
        L::Err => return Value::Error,
        _ => {}
    }
    let nb = norm_bool(b);
    if matches!(na, L::Other) || matches!(nb, L::Other) {
        return Value::Error;
    }
    match (na, nb) {
        (L::B(true), nb) => nb.value(),
        (_, L::B(false)) => Value::Bool(false),
        (_, L::Err) => Value::Error,
        _ => Value::Undefined,
    }
}

/// `a || b` as the evaluator computes it: `true || x` is true and
/// `error || x` is error without looking at `x`.
pub fn logical_or(a: &Value, b: &Value) -> Value {
    let na = norm_bool(a);
    match na {
        L::B(true) => return Value::Bool(true),
        L::Err => return Value::Error,
        _ => {}
    }
    let nb = norm_bool(b);
    if matches!(na, L::Other) || matches!(nb, L::Other) {
        return Value::Error;
    }
    match (na, nb) {
        (L::B(false), nb) => nb.value(),
        (_, L::B(true)) => Value::Bool(true),
        (_, L::Err) => Value::Error,
        _ => Value::Undefined,
    }
}

enum L {
    B(bool),
    Undef,
    Err,
    Other,
}

impl L {
    fn value(&self) -> Value {
        match self {
            L::B(b) => Value::Bool(*b),
            L::Undef => Value::Undefined,
            L::Err => Value::Error,
            L::Other => Value::Error,
        }
    }
}

fn norm_bool(v: &Value) -> L {
    match v {
        Value::Undefined => L::Undef,
        Value::Error => L::Err,
        other => match bool_equiv(other) {
            Some(b) => L::B(b),
            None => L::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_or_tables() {
        use Value::*;
        let t = Bool(true);
        let f = Bool(false);
        assert_eq!(logical_and(&Undefined, &f), f);
        assert_eq!(logical_and(&Undefined, &t), Undefined);
        assert_eq!(logical_and(&t, &Undefined), Undefined);
        assert_eq!(logical_and(&Undefined, &Value::string("a")), Error);
        assert_eq!(logical_or(&Undefined, &t), t);
        assert_eq!(logical_or(&Undefined, &f), Undefined);
        assert_eq!(logical_or(&f, &Error), Error);
        assert_eq!(logical_or(&Error, &t), Error);
        assert_eq!(logical_or(&Undefined, &Int(1)), t);
    }

    #[test]
    fn shifts_follow_the_reference_platform() {
        let s = |op, a, b| binary(op, &Value::Int(a), &Value::Int(b));
        assert_eq!(s(BinaryOp::Shl, 1, 64), Value::Int(1));
        assert_eq!(s(BinaryOp::Shl, 1, -1), Value::Int(i64::MIN));
        assert_eq!(s(BinaryOp::Shr, 8, -1), Value::Int(0));
        assert_eq!(s(BinaryOp::Shr, -1, 100), Value::Int(-1));
        assert_eq!(s(BinaryOp::UShr, -8, 0), Value::Int(0));
        assert_eq!(s(BinaryOp::UShr, -8, 1), Value::Int(9223372036854775804));
        assert_eq!(s(BinaryOp::UShr, -8, 65), Value::Int(9223372036854775804));
    }
}
