//! Version comparison: `versioncmp`, `versionLT`/`LE`/`GT`/`GE`/`EQ` and
//! `version_in_range`.
//!
//! Strings compare byte by byte until the first difference; when that
//! difference lies inside a run of digits in both strings, the numbers
//! decide (fewer leading zeros first, then the longer number is larger).
//! `versioncmp` returns the raw difference, as HTCondor does (`"1.2a"` vs
//! `"1.2"` is 97), so only its sign is meaningful.

use std::borrow::Cow;

use crate::Value;

use super::conv;
use super::Env;

/// HTCondor's "natural" comparison (as `strverscmp`). Bytes are signed,
/// as C's `char` is on x86-64.
pub fn natural_cmp(s1: &[u8], s2: &[u8]) -> i32 {
    let at = |s: &[u8], i: usize| -> i32 { s.get(i).map_or(0, |&c| c as i8 as i32) };
    let is_digit = |s: &[u8], i: usize| s.get(i).is_some_and(|c| c.is_ascii_digit());
    let mut i = 0;
    while i < s1.len() && i < s2.len() && s1[i] == s2[i] {
        i += 1;
    }
    if at(s1, i) == at(s2, i) {
        return 0;
    }
    // Start of the run of digits leading up to the mismatch.
    let mut n_beg = i;
    while n_beg > 0 && s1[n_beg - 1].is_ascii_digit() {
        n_beg -= 1;
    }
    if n_beg == i && (!is_digit(s1, i) || !is_digit(s2, i)) {
        return at(s1, i) - at(s2, i);
    }
    // Leading zeros of each number.
    let zeros_end = |s: &[u8]| {
        let mut z = n_beg;
        while s.get(z) == Some(&b'0') {
            z += 1;
        }
        if z > n_beg && !is_digit(s, z) {
            z -= 1; // a final zero is the number, not a leading zero
        }
        z
    };
    let z1 = zeros_end(s1);
    let z2 = zeros_end(s2);
    if z1 - n_beg != z2 - n_beg {
        return (z2 - n_beg) as i32 - (z1 - n_beg) as i32;
    }
    if z1 > n_beg {
        return at(s1, i) - at(s2, i);
    }
    let digits_end = |s: &[u8], from: usize| {
        let mut e = from;
        while is_digit(s, e) {
            e += 1;
        }
        e
    };
    let e1 = digits_end(s1, z1);
    let e2 = digits_end(s2, z2);
    if e1 - n_beg != e2 - n_beg {
        (e1 - n_beg) as i32 - (e2 - n_beg) as i32
    } else {
        at(s1, i) - at(s2, i)
    }
}

/// Both arguments as strings, or the value to return.
fn two_strings<'a>(args: &'a [Value], env: &Env) -> Result<(Cow<'a, str>, Cow<'a, str>), Value> {
    let [a, b] = args else { return Err(Value::Error) };
    if a.is_undefined() || b.is_undefined() {
        return Err(Value::Undefined);
    }
    match (conv::to_str_env(a, env), conv::to_str_env(b, env)) {
        (Ok(x), Ok(y)) => Ok((x, y)),
        _ => Err(Value::Error),
    }
}

fn version_test(args: &[Value], env: &Env, test: fn(i32) -> bool) -> Value {
    match two_strings(args, env) {
        Ok((a, b)) => Value::Bool(test(natural_cmp(a.as_bytes(), b.as_bytes()))),
        Err(e) => e,
    }
}

/// `versioncmp(a, b)`: negative, zero or positive.
pub fn versioncmp(args: &[Value], env: &Env) -> Value {
    match two_strings(args, env) {
        Ok((a, b)) => Value::Int(natural_cmp(a.as_bytes(), b.as_bytes()) as i64),
        Err(e) => e,
    }
}

/// `versionLT(a, b)`
pub fn version_lt(args: &[Value], env: &Env) -> Value {
    version_test(args, env, |r| r < 0)
}

/// `versionLE(a, b)`
pub fn version_le(args: &[Value], env: &Env) -> Value {
    version_test(args, env, |r| r <= 0)
}

/// `versionGT(a, b)`
pub fn version_gt(args: &[Value], env: &Env) -> Value {
    version_test(args, env, |r| r > 0)
}

/// `versionGE(a, b)`
pub fn version_ge(args: &[Value], env: &Env) -> Value {
    version_test(args, env, |r| r >= 0)
}

/// `versionEQ(a, b)`: unlike `=?=`, `undefined` in gives `undefined` out.
pub fn version_eq(args: &[Value], env: &Env) -> Value {
    version_test(args, env, |r| r == 0)
}

/// `version_in_range(v, min, max)`: `min <= v <= max` in version order.
/// An `undefined` bound gives `undefined`; an `undefined` version is `error`.
pub fn version_in_range(args: &[Value], env: &Env) -> Value {
    let [v, lo, hi] = args else { return Value::Error };
    if lo.is_undefined() || hi.is_undefined() {
        return Value::Undefined;
    }
    match (conv::to_str_env(v, env), conv::to_str_env(lo, env), conv::to_str_env(hi, env)) {
        (Ok(v), Ok(lo), Ok(hi)) => {
            let l = natural_cmp(lo.as_bytes(), v.as_bytes());
            let r = natural_cmp(v.as_bytes(), hi.as_bytes());
            Value::Bool(l <= 0 && r <= 0)
        }
        _ => Value::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn versioncmp_orders_numbers_naturally() {
        check("versioncmp(\"1.9\", \"1.10\")", "-1");
        check("versioncmp(\"1.10\", \"1.9\")", "1");
        check("versioncmp(\"a\", \"b\")", "-1");
        check("versioncmp(\"abc\", \"abc\")", "0");
        check("versioncmp(\"000\", \"00\")", "-1");
        check("versioncmp(\"00\", \"01\")", "-1");
        check("versioncmp(\"01\", \"010\")", "-48");
        check("versioncmp(\"010\", \"09\")", "-8");
        check("versioncmp(\"09\", \"0\")", "-1");
        check("versioncmp(\"0\", \"1\")", "-1");
        check("versioncmp(\"9\", \"10\")", "-1");
        check("versioncmp(\"1.2a\", \"1.2\")", "97");
        check("versioncmp(\"1.2\", \"1.2.0\")", "-46");
        check("versioncmp(\"a10\", \"a9\")", "1");
        check("versioncmp(\"A\", \"a\")", "-32");
        check("versioncmp(\"x\", \"10\")", "71");
        check("versioncmp(1, 2)", "-1");
        check("versioncmp(1.5, \"1.5\")", "14");
        check("versioncmp({1}, \"1\")", "74");
        check("versioncmp(\"1.10.2\", \"1.10.10\")", "-1");
        check("versioncmp(\"\", \"a\")", "-97");
        check("versioncmp(\"0a\", \"a\")", "-49");
        check("versioncmp(\"abc1\", \"abc01\")", "1");
        check("versioncmp(\"1.0\", \"1.00\")", "1");
        check("versioncmp(\"é\", \"e\")", "-162");
        check("versioncmp(undefined, \"1\")", "undefined");
        check("versioncmp(\"1\", error)", "error");
        check("versioncmp(error, undefined)", "undefined");
        check("versioncmp(\"1\")", "error");
    }

    #[test]
    fn version_predicates() {
        check("versionLT(\"1.9\", \"1.10\")", "true");
        check("versionLE(\"1.9\", \"1.9\")", "true");
        check("versionGT(\"1.9\", \"1.10\")", "false");
        check("versionGE(\"1.9\", \"1.9\")", "true");
        check("versionEQ(\"1.9\", \"1.9\")", "true");
        check("versionEQ(\"1.9\", \"1.09\")", "false");
        check("versionEQ(undefined, undefined)", "undefined");
        check("version_in_range(\"1.5\", \"1.0\", \"2.0\")", "true");
        check("version_in_range(\"2.5\", \"1.0\", \"2.0\")", "false");
        check("version_in_range(undefined, \"1.0\", \"2.0\")", "error");
        check("version_in_range(\"1\", undefined, \"2.0\")", "undefined");
        check("version_in_range(error, \"1.0\", \"2.0\")", "error");
        check("version_in_range(\"1.5\", \"1.0\")", "error");
    }
}
