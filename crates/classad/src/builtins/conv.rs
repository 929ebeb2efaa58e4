//! Value conversions as HTCondor's builtins perform them, and the C
//! library's number parsing and casts they rely on.
//!
//! - [`to_str`]: `string()`'s conversion (lists, ads and reals unparsed,
//!   times in their canonical text), failing on `undefined`/`error`.
//! - [`to_real`] / [`to_int`]: `real()`/`int()`'s conversions (strings read
//!   with C's `strtod`, prefix only).
//! - [`strtod`]: C's `strtod` (leading space, sign, decimal or hex digits,
//!   `inf`, `nan`), returning the value and how many bytes it read.
//! - [`f64_to_i64`] / [`f64_to_i32`]: C casts as x86-64 performs them
//!   (out-of-range and NaN give the minimum integer).

use std::borrow::Cow;

use crate::Value;

/// Why a conversion failed: the value to return (`undefined` or `error`).
pub type Fail = Value;

/// `(long long) r` on x86-64: truncation, with NaN and out-of-range values
/// giving `i64::MIN`.
pub fn f64_to_i64(r: f64) -> i64 {
    if r.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
        i64::MIN
    } else {
        r as i64
    }
}

/// `(int) r` on x86-64: truncation, with NaN and out-of-range values giving
/// `i32::MIN`.
pub fn f64_to_i32(r: f64) -> i32 {
    if r.is_nan() || r >= 2_147_483_648.0 || r <= -2_147_483_649.0 {
        i32::MIN
    } else {
        r as i32
    }
}

/// `(int) i` for a 64-bit integer: keep the low 32 bits.
pub fn i64_to_i32(i: i64) -> i32 {
    i as i32
}

/// C's `isspace` in the C locale.
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C's `strtod`: parse the longest prefix of `s` that is a number.
///
/// Returns the value and the number of bytes consumed; `(0.0, 0)` when no
/// number starts the string (after optional white space).
pub fn strtod(s: &str) -> (f64, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let start = i;
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let sign = |v: f64| if neg { -v } else { v };
    let rest = &b[i..];
    let lower_starts = |word: &[u8]| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word)
    };
    if lower_starts(b"infinity") {
        return (sign(f64::INFINITY), i + 8);
    }
    if lower_starts(b"inf") {
        return (sign(f64::INFINITY), i + 3);
    }
    if lower_starts(b"nan") {
        let mut j = i + 3;
        // Optional "(n-char-sequence)".
        if j < b.len() && b[j] == b'(' {
            let mut k = j + 1;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
            if k < b.len() && b[k] == b')' {
                j = k + 1;
            }
        }
        let nan = if neg { -f64::NAN } else { f64::NAN };
        return (nan, j);
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((v, n)) = parse_hex(&rest[2..]) {
            return (sign(v), i + 2 + n);
        }
        // "0x" without hex digits reads as the "0".
        return (sign(0.0), i + 1);
    }
    // Decimal: digits [. digits] [e [sign] digits]
    let mut j = i;
    let mut mantissa_digits = 0;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
        mantissa_digits += 1;
    }
    if j < b.len() && b[j] == b'.' {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return (0.0, 0);
    }
    if j < b.len() && (b[j] | 0x20) == b'e' {
        let mut k = j + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    let text = &s[start..j];
    let v = text.parse::<f64>().unwrap_or(0.0);
    (v, j)
}

/// Hex mantissa and optional binary exponent after "0x": value and bytes read.
fn parse_hex(b: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut mant: u64 = 0;
    let mut exp: i64 = 0;
    let mut digits = 0;
    let mut sticky = false;
    let mut seen_point = false;
    while i < b.len() {
        let c = b[i];
        if c == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let d = match (c as char).to_digit(16) {
            Some(d) => d as u64,
            None => break,
        };
        digits += 1;
        if mant >> 56 == 0 {
            mant = (mant << 4) | d;
            if seen_point {
                exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                exp += 4;
            }
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] | 0x20) == b'p' {
        let mut k = i + 1;
        let mut eneg = false;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            eneg = b[k] == b'-';
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            let mut e: i64 = 0;
            while k < b.len() && b[k].is_ascii_digit() {
                e = (e * 10 + (b[k] - b'0') as i64).min(1_000_000);
                k += 1;
            }
            exp += if eneg { -e } else { e };
            i = k;
        }
    }
    if sticky {
        mant |= 1;
    }
    let v = (mant as f64) * 2f64.powi(exp.clamp(-2000, 2000) as i32);
    Some((v, i))
}

/// `string()`'s conversion: strings as they are, numbers, booleans, lists
/// and ads unparsed, absolute and relative times in their canonical text.
/// `undefined` and `error` do not convert (the failure carries which).
pub fn to_str(v: &Value) -> Result<Cow<'_, str>, Fail> {
    match v {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Undefined => Err(Value::Undefined),
        Value::Error => Err(Value::Error),
        Value::Int(i) => Ok(Cow::Owned(i.to_string())),
        Value::Bool(b) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Real(_) | Value::List(_) | Value::Ad(_) => {
            Ok(Cow::Owned(crate::unparse::unparse_value_new(v)))
        }
        Value::AbsTime { secs, offset } => {
            Ok(Cow::Owned(crate::unparse::abs_time_string(*secs, *offset)))
        }
        Value::RelTime(r) => {
            // The conversion reads the relative time as whole seconds.
            let whole = f64_to_i64(*r) as f64;
            Ok(Cow::Owned(crate::unparse::rel_time_string(whole)))
        }
    }
}

/// [`to_str`] with lists printed as the expressions they were evaluated
/// from, where the evaluator recorded them in `env`.
pub fn to_str_env<'a>(v: &'a Value, env: &super::Env) -> Result<Cow<'a, str>, Fail> {
    if let Value::List(items) = v {
        if let Some(src) = env.lists.source_of(items) {
            return Ok(Cow::Owned(crate::unparse::unparse_new(src)));
        }
    }
    to_str(v)
}

/// `real()`'s conversion.
pub fn to_real(v: &Value) -> Result<f64, Fail> {
    match v {
        Value::Undefined => Err(Value::Undefined),
        Value::Error | Value::List(_) | Value::Ad(_) => Err(Value::Error),
        Value::String(s) => {
            let (r, n) = strtod(s);
            if n == 0 && r == 0.0 {
                Err(Value::Error)
            } else {
                Ok(r)
            }
        }
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Int(i) => Ok(*i as f64),
        Value::Real(r) => Ok(*r),
        Value::AbsTime { secs, .. } => Ok(*secs as f64),
        Value::RelTime(r) => Ok(f64_to_i64(*r) as f64),
    }
}

/// `int()`'s conversion.
pub fn to_int(v: &Value) -> Result<i64, Fail> {
    match v {
        Value::Undefined => Err(Value::Undefined),
        Value::Error | Value::List(_) | Value::Ad(_) => Err(Value::Error),
        Value::String(s) => {
            let (r, n) = strtod(s);
            let i = f64_to_i64(r);
            if n == 0 && i == 0 {
                Err(Value::Error)
            } else {
                Ok(i)
            }
        }
        Value::Bool(b) => Ok(*b as i64),
        Value::Int(i) => Ok(*i),
        Value::Real(r) => Ok(f64_to_i64(*r)),
        Value::AbsTime { secs, .. } => Ok(*secs),
        Value::RelTime(r) => Ok(f64_to_i64(*r)),
    }
}

/// Lossy text of bytes cut out of a string (byte offsets may split a
/// multi-byte character, as HTCondor's byte-oriented functions do).
pub fn bytes_to_string(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => Value::string(s),
        Err(_) => Value::string(&String::from_utf8_lossy(b)),
    }
}

/// A list of strings as a list value.
pub fn string_list<I, S>(items: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    Value::list(items.into_iter().map(|s| Value::string(s.as_ref())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_reads_prefixes_like_c() {
        assert_eq!(strtod("12abc"), (12.0, 2));
        assert_eq!(strtod("  42"), (42.0, 4));
        assert_eq!(strtod("1e3"), (1000.0, 3));
        assert_eq!(strtod("1e"), (1.0, 1));
        assert_eq!(strtod("1e+"), (1.0, 1));
        assert_eq!(strtod("-2.5x"), (-2.5, 4));
        assert_eq!(strtod(".5"), (0.5, 2));
        assert_eq!(strtod("5."), (5.0, 2));
        assert_eq!(strtod("."), (0.0, 0));
        assert_eq!(strtod("-"), (0.0, 0));
        assert_eq!(strtod(""), (0.0, 0));
        assert_eq!(strtod("abc"), (0.0, 0));
        assert_eq!(strtod("0x10"), (16.0, 4));
        assert_eq!(strtod("0x1p3"), (8.0, 5));
        assert_eq!(strtod("0x.8"), (0.5, 4));
        assert_eq!(strtod("0xg"), (0.0, 1));
        assert_eq!(strtod("inf"), (f64::INFINITY, 3));
        assert_eq!(strtod("-Infinity"), (f64::NEG_INFINITY, 9));
        assert!(strtod("nan").0.is_nan());
        assert_eq!(strtod("1e400").0, f64::INFINITY);
    }

    #[test]
    fn c_casts_give_the_minimum_out_of_range() {
        assert_eq!(f64_to_i64(3.9), 3);
        assert_eq!(f64_to_i64(-3.9), -3);
        assert_eq!(f64_to_i64(1e300), i64::MIN);
        assert_eq!(f64_to_i64(f64::NAN), i64::MIN);
        assert_eq!(f64_to_i64(9.223_372_036_854_776e18), i64::MIN);
        assert_eq!(f64_to_i32(1e300), i32::MIN);
        assert_eq!(f64_to_i32(-2147483648.5), -2147483648);
        assert_eq!(i64_to_i32(4294967297), 1);
        assert_eq!(i64_to_i32(i64::MAX), -1);
    }

    #[test]
    fn int_and_real_conversions_follow_strtod() {
        assert_eq!(to_int(&Value::string("12abc")).ok(), Some(12));
        assert!(to_int(&Value::string("abc")).unwrap_err().is_error());
        assert!(to_int(&Value::string("")).unwrap_err().is_error());
        assert_eq!(to_int(&Value::string("0x10")).ok(), Some(16));
        assert_eq!(to_int(&Value::string("-0")).ok(), Some(0));
        assert_eq!(to_int(&Value::string("inf")).ok(), Some(i64::MIN));
        assert_eq!(to_int(&Value::RelTime(-90.7)).ok(), Some(-90));
        assert!(to_int(&Value::Undefined).unwrap_err().is_undefined());
        assert_eq!(to_real(&Value::string("0.0abc")).ok(), Some(0.0));
        assert!(to_real(&Value::string(".")).unwrap_err().is_error());
        assert_eq!(to_real(&Value::RelTime(2.5)).ok(), Some(2.0));
        assert_eq!(to_real(&Value::AbsTime { secs: 5, offset: 0 }).ok(), Some(5.0));
    }
}
