//! List functions: `member`, `identicalMember`, `sum`, `avg`, `min`,
//! `max`, `anyCompare`, `allCompare`.
//!
//! Elements are compared and added with the operators' own rules (see
//! [`super::ops`]). `undefined` elements are skipped by `sum`, `avg`,
//! `min` and `max`.

use crate::Value;

use super::ops::{self, CmpOp};
use super::Env;

fn membership(args: &[Value], identical: bool) -> Value {
    let [x, list] = args else { return Value::Error };
    if list.is_undefined() || (!identical && x.is_undefined()) {
        return Value::Undefined;
    }
    let Value::List(items) = list else { return Value::Error };
    if matches!(x, Value::List(_) | Value::Ad(_)) || (!identical && x.is_error()) {
        return Value::Error;
    }
    let op = if identical { CmpOp::Is } else { CmpOp::Eq };
    Value::Bool(items.iter().any(|item| ops::compare_true(op, item, x)))
}

/// `member(x, list)`: some element `== x` (numbers promoted, strings
/// compared ignoring case).
pub fn member(args: &[Value], _: &Env) -> Value {
    membership(args, false)
}

/// `identicalMember(x, list)`: some element `=?= x` (same type and value).
pub fn identical_member(args: &[Value], _: &Env) -> Value {
    membership(args, true)
}

/// The list argument of `sum`/`avg`/`min`/`max`, or the value to return.
fn single_list(args: &[Value]) -> Result<&[Value], Value> {
    match args {
        [Value::List(l)] => Ok(l),
        [Value::Undefined] => Err(Value::Undefined),
        _ => Err(Value::Error),
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Real(_) | Value::Bool(_))
}

/// Sum of the numeric elements and how many there were.
fn total(items: &[Value]) -> Result<(Value, usize), Value> {
    let mut acc: Option<Value> = None;
    let mut n = 0;
    for v in items {
        if v.is_undefined() {
            continue;
        }
        if !is_number(v) {
            return Err(Value::Error);
        }
        n += 1;
        acc = Some(match acc {
            None => v.clone(),
            Some(a) => ops::add(&a, v),
        });
    }
    Ok((acc.unwrap_or(Value::Int(0)), n))
}

/// `sum(list)`: the sum of the numbers, an integer unless a real is
/// present; 0 for an empty list. A single boolean is returned as is.
pub fn sum(args: &[Value], _: &Env) -> Value {
    let items = match single_list(args) {
        Ok(l) => l,
        Err(e) => return e,
    };
    match total(items) {
        Ok((s, _)) => s,
        Err(e) => e,
    }
}

/// `avg(list)`: the real average of the numbers; 0 for an empty list.
pub fn avg(args: &[Value], _: &Env) -> Value {
    let items = match single_list(args) {
        Ok(l) => l,
        Err(e) => return e,
    };
    match total(items) {
        Ok((s, 0)) => s,
        Ok((s, n)) => ops::div_real(&s, n as f64),
        Err(e) => e,
    }
}

fn extreme(args: &[Value], op: CmpOp) -> Value {
    let items = match single_list(args) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let mut best: Option<&Value> = None;
    let mut count = 0;
    let mut any_real = false;
    for v in items {
        if v.is_undefined() {
            continue;
        }
        if !is_number(v) {
            return Value::Error;
        }
        count += 1;
        any_real |= matches!(v, Value::Real(_));
        best = match best {
            None => Some(v),
            Some(b) if ops::compare_true(op, v, b) => Some(v),
            keep => keep,
        };
    }
    let Some(best) = best else { return Value::Undefined };
    if count == 1 {
        return best.clone();
    }
    // Several elements: the result takes the promoted numeric type.
    match best {
        Value::Bool(b) if any_real => Value::Real(*b as i64 as f64),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::Int(i) if any_real => Value::Real(*i as f64),
        other => other.clone(),
    }
}

/// `min(list)`: the smallest number (`undefined` for an empty list); a
/// real when any element is real.
pub fn min(args: &[Value], _: &Env) -> Value {
    extreme(args, CmpOp::Lt)
}

/// `max(list)`: the largest number (`undefined` for an empty list); a
/// real when any element is real.
pub fn max(args: &[Value], _: &Env) -> Value {
    extreme(args, CmpOp::Gt)
}

fn list_compare(args: &[Value], all: bool) -> Value {
    let [op, list, x] = args else { return Value::Error };
    let op = match op {
        Value::Undefined => return Value::Undefined,
        Value::String(s) => match CmpOp::from_text(s) {
            Some(op) => op,
            None => return Value::Error,
        },
        _ => return Value::Error,
    };
    let items = match list {
        Value::Undefined => return Value::Undefined,
        Value::List(l) => l,
        _ => return Value::Error,
    };
    for item in items.iter() {
        match ops::compare(op, item, x) {
            Value::Bool(true) if !all => return Value::Bool(true),
            Value::Bool(false) if all => return Value::Bool(false),
            Value::Bool(_) => {}
            // An undefined comparison ends the search with "no".
            Value::Undefined => return Value::Bool(false),
            _ => return Value::Error,
        }
    }
    Value::Bool(all)
}

/// `anyCompare(op, list, x)`: some element `op x` holds, `op` one of
/// `"<"`, `"<="`, `"=="`, `"!="`, `">"`, `">="`, `"is"`, `"isnt"`.
pub fn any_compare(args: &[Value], _: &Env) -> Value {
    list_compare(args, false)
}

/// `allCompare(op, list, x)`: every element `op x` holds (`true` for an
/// empty list).
pub fn all_compare(args: &[Value], _: &Env) -> Value {
    list_compare(args, true)
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn member_uses_equality() {
        check("member(1, {1, 2})", "true");
        check("member(1.0, {1, 2})", "true");
        check("member(\"A\", {\"a\"})", "true");
        check("member(\"a\", {1, \"a\"})", "true");
        check("member(undefined, {1})", "undefined");
        check("member(1, undefined)", "undefined");
        check("member(error, {1})", "error");
        check("member(1, error)", "error");
        check("member({1}, {1})", "error");
        check("member([a = 1], {1})", "error");
        check("member(1, 1)", "error");
        check("member(1, {undefined, 1})", "true");
        check("member(1, {error, 1})", "true");
        check("member(1, {undefined})", "false");
        check("member(true, {1})", "true");
        check("member(1, {\"1\"})", "false");
        check("member(relTime(1), {1})", "false");
        check("member(absTime(0, 0), {absTime(0, 0)})", "true");
        check("member(1)", "error");
    }

    #[test]
    fn identical_member_uses_is() {
        check("identicalMember(1, {1})", "true");
        check("identicalMember(1, {1.0})", "false");
        check("identicalMember(\"A\", {\"a\"})", "false");
        check("identicalMember(undefined, {undefined})", "true");
        check("identicalMember(error, {error})", "true");
        check("identicalMember(undefined, {1})", "false");
        check("identicalMember(1, undefined)", "undefined");
        check("identicalMember(error, undefined)", "undefined");
        check("identicalMember(error, 1)", "error");
        check("identicalMember({1}, {{1}})", "error");
        check("identicalMember(1, {[a = 1], 1})", "true");
        check("identicalMember(true, {1})", "false");
    }

    #[test]
    fn sums_and_averages() {
        check("sum({1, 2, 3})", "6");
        check("sum({1, 2.5})", "3.5");
        check("sum({})", "0");
        check("sum({undefined})", "0");
        check("sum({undefined, 1})", "1");
        check("sum({1, \"a\"})", "error");
        check("sum({1, error})", "error");
        check("sum({true, 1})", "2");
        check("sum({true})", "true");
        check("sum(1)", "error");
        check("sum(undefined)", "undefined");
        check("sum(error)", "error");
        check("sum({9223372036854775807, 1})", "-9223372036854775808");
        check("sum({1, relTime(5)})", "error");
        check("sum({1e308, 1e308})", "error");
        check("sum({-1e308, -1e308})", "-inf");
        check("avg({1, 2})", "1.5");
        check("avg({1, 2, 4})", "2.3333333333333335");
        check("avg({})", "0");
        check("avg({undefined})", "0");
        check("avg({undefined, 2})", "2.0");
        check("avg({1, \"a\"})", "error");
        check("avg({true})", "1.0");
        check("avg({9223372036854775807, 9223372036854775807})", "-1.0");
        check("avg({1e308, 1e308})", "error");
    }

    #[test]
    fn min_and_max_promote_mixed_lists() {
        check("min({3, 1, 2})", "1");
        check("min({3, 1.5})", "1.5");
        check("min({1.5, 3, 1})", "1.0");
        check("min({})", "undefined");
        check("min({undefined})", "undefined");
        check("min({1, \"a\"})", "error");
        check("min({1, undefined, 0})", "0");
        check("max({3, 1, 2})", "3");
        check("max({1, 1.0})", "1.0");
        check("max({true})", "true");
        check("min({false, true})", "0");
        check("max({true, 2.5})", "2.5");
        check("max({false, undefined})", "false");
        check("min({true, true})", "1");
        check("min({1, real(\"nan\")})", "1.0");
        check("min({real(\"nan\"), 1})", "NaN");
        check("min({-0.0, 0})", "-0.0");
        check("max(1)", "error");
        check("max(undefined)", "undefined");
        check("max({2, relTime(3)})", "error");
        check("min({absTime(0, 0)})", "error");
    }

    #[test]
    fn any_and_all_compare() {
        check("anyCompare(\"<\", {1, 2, 3}, 2)", "true");
        check("anyCompare(\"<\", {3, 4}, 2)", "false");
        check("allCompare(\"<\", {1}, 2)", "true");
        check("allCompare(\"<\", {1, 3}, 2)", "false");
        check("anyCompare(\"==\", {}, 1)", "false");
        check("allCompare(\"==\", {}, 1)", "true");
        check("anyCompare(\"==\", {\"A\"}, \"a\")", "true");
        check("anyCompare(\"is\", {\"A\"}, \"a\")", "false");
        check("anyCompare(\"isnt\", {\"a\"}, \"b\")", "true");
        check("anyCompare(\"!=\", {1}, 2)", "true");
        check("anyCompare(\"<=\", {2}, 2)", "true");
        check("anyCompare(\">=\", {2}, 2)", "true");
        check("anyCompare(\"=?=\", {2}, 2)", "error");
        check("anyCompare(\"IS\", {2}, 2)", "error");
        check("anyCompare(1, {2}, 2)", "error");
        check("anyCompare(undefined, {2}, 2)", "undefined");
        check("anyCompare(error, {2}, 2)", "error");
        check("anyCompare(\"<\", undefined, 2)", "undefined");
        check("anyCompare(\"<\", 2, 2)", "error");
        check("anyCompare(\"<\", {1}, undefined)", "false");
        check("allCompare(\"<\", {1}, undefined)", "false");
        check("anyCompare(\"<\", {undefined, 1}, 2)", "false");
        check("anyCompare(\"<\", {\"a\", 1}, 2)", "error");
        check("anyCompare(\"<\", {1, \"a\"}, 2)", "true");
        check("anyCompare(\"==\", {1}, {1})", "error");
        check("allCompare(\"is\", {undefined}, undefined)", "true");
        check("anyCompare(\"<\", {1}, error)", "error");
        check("anyCompare(\"<\", {2})", "error");
        check("anyCompare(\"invalid\", undefined, 2)", "error");
        check("anyCompare(\"<\", undefined, error)", "undefined");
    }
}
