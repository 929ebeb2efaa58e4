//! Mathematical functions: `floor`, `ceiling` (alias `ceil`), `round`,
//! `pow`, `quantize`, `random`.
//!
//! Non-integer arguments are first converted with `real()`; results that
//! do not fit a 64-bit integer become its minimum, as HTCondor's C casts do.

use std::cell::Cell;

use crate::Value;

use super::conv;
use super::Env;

fn rounding(args: &[Value], f: fn(f64) -> f64) -> Value {
    let [v] = args else { return Value::Error };
    if let Value::Int(i) = v {
        return Value::Int(*i);
    }
    match conv::to_real(v) {
        Ok(r) => Value::Int(conv::f64_to_i64(f(r))),
        // Even `undefined` is an error here.
        Err(_) => Value::Error,
    }
}

/// `floor(x)`: the largest integer not above `x`.
pub fn floor(args: &[Value], _: &Env) -> Value {
    rounding(args, f64::floor)
}

/// `ceiling(x)` / `ceil(x)`: the smallest integer not below `x`.
pub fn ceiling(args: &[Value], _: &Env) -> Value {
    rounding(args, f64::ceil)
}

/// `round(x)`: the nearest integer, halves to even (as C's `rint`).
pub fn round(args: &[Value], _: &Env) -> Value {
    rounding(args, f64::round_ties_even)
}

/// `pow(base, exp)`: an integer for an integer base and non-negative
/// integer exponent, otherwise a real.
pub fn pow(args: &[Value], _: &Env) -> Value {
    let [b, e] = args else { return Value::Error };
    if let (Value::Int(b), Value::Int(e)) = (b, e) {
        if *e >= 0 {
            // As HTCondor computes it: through a double, rounded by +0.5.
            return Value::Int(conv::f64_to_i64((*b as f64).powf(*e as f64) + 0.5));
        }
    }
    match (conv::to_real(b), conv::to_real(e)) {
        (Ok(b), Ok(e)) => Value::Real(b.powf(e)),
        _ => Value::Error,
    }
}

/// `quantize(a, b)`: the smallest multiple of `b` not below `a` (the type
/// of `b` decides the result's). With a list `b`, the first member not
/// below `a`, or else a multiple of the last member.
pub fn quantize(args: &[Value], _: &Env) -> Value {
    let [a, b] = args else { return Value::Error };
    let Ok(ra) = conv::to_real(a) else { return Value::Error };
    let (base, rbase) = match b {
        Value::List(items) => {
            // An empty list means "do not quantize".
            let mut last = (Value::Real(0.0), 0.0);
            for item in items.iter() {
                let Ok(r) = conv::to_real(item) else { return Value::Error };
                if r >= ra {
                    return item.clone();
                }
                last = (item.clone(), r);
            }
            last
        }
        _ => match conv::to_real(b) {
            Ok(r) => (b.clone(), r),
            Err(_) => return Value::Error,
        },
    };
    if let Value::Int(ibase) = base {
        if ibase == 0 {
            return a.clone();
        }
        if let Value::Int(ia) = a {
            let q = ia.wrapping_add(ibase.wrapping_sub(1)).wrapping_div(ibase).wrapping_mul(ibase);
            return Value::Int(q);
        }
        let ib = ibase as f64;
        return Value::Real((ra / ib).ceil() * ib);
    }
    if rbase.abs() <= 1e-8 {
        return a.clone();
    }
    Value::Real((ra / rbase).ceil() * rbase)
}

thread_local! {
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// The next number from a per-thread xorshift64* generator, seeded from
/// the clock and the thread on first use.
fn next_random() -> u64 {
    RNG.with(|state| {
        let mut x = state.get();
        if x == 0 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9E37_79B9_7F4A_7C15);
            let addr = state as *const Cell<u64> as u64;
            x = (nanos ^ addr.rotate_left(32)) | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// `random([x])`: a number in `[0, x)`, an integer for an integer `x`
/// (read as a 32-bit integer), a real for a real; `random()` is
/// `random(1.0)`. A non-positive `x` is an error.
pub fn random(args: &[Value], _: &Env) -> Value {
    let x = match args {
        [] => Value::Real(1.0),
        [x] => x.clone(),
        _ => return Value::Error,
    };
    match x {
        Value::Int(i) => {
            let max = conv::i64_to_i32(i);
            if max <= 0 {
                return Value::Error;
            }
            // A non-negative 31-bit draw, as C's random() gives.
            let r = (next_random() >> 33) as i64;
            Value::Int(r % max as i64)
        }
        Value::Real(max) => {
            if max.is_nan() || max <= 0.0 {
                return Value::Error;
            }
            let unit = (next_random() >> 11) as f64 / (1u64 << 53) as f64;
            Value::Real(max * unit)
        }
        _ => Value::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, eval};
    use crate::Value;

    #[test]
    fn rounding_functions() {
        check("floor(2.7)", "2");
        check("floor(-2.7)", "-3");
        check("floor(5)", "5");
        check("floor(\"2.7\")", "2");
        check("floor(\"abc\")", "error");
        check("floor(true)", "1");
        check("floor(undefined)", "error");
        check("floor(error)", "error");
        check("floor(1e300)", "-9223372036854775808");
        check("floor(real(\"nan\"))", "-9223372036854775808");
        check("floor(relTime(5.5))", "5");
        check("floor(absTime(7, 0))", "7");
        check("floor({1})", "error");
        check("floor()", "error");
        check("ceiling(2.1)", "3");
        check("ceil(2.1)", "3");
        check("ceiling(-2.1)", "-2");
        check("round(2.5)", "2");
        check("round(3.5)", "4");
        check("round(-2.5)", "-2");
        check("round(2.4999)", "2");
        check("round(1e19)", "-9223372036854775808");
        check("round(-0.4)", "0");
    }

    #[test]
    fn powers() {
        check("pow(2, 10)", "1024");
        check("pow(2, -1)", "0.5");
        check("pow(2.0, 3)", "8.0");
        check("pow(2, 0.5)", "1.4142135623730951");
        check("pow(0, 0)", "1");
        check("pow(2, 63)", "-9223372036854775808");
        check("pow(-2, 3)", "-7");
        check("pow(10, 18)", "1000000000000000000");
        check("pow(10, 19)", "-9223372036854775808");
        check("pow(\"2\", 3)", "8.0");
        check("pow(undefined, 2)", "error");
        check("pow(error, 2)", "error");
        check("pow(true, 2)", "1.0");
        check("pow({2}, 2)", "error");
        check("pow(2)", "error");
        check("pow(0, -1)", "inf");
    }

    #[test]
    fn quantize_to_multiples_and_lists() {
        check("quantize(3, 8)", "8");
        check("quantize(3, 2)", "4");
        check("quantize(0, 4)", "0");
        check("quantize(1.5, 6.8)", "6.8");
        check("quantize(6.8, 1.2)", "7.199999999999999");
        check("quantize(10, 5.1)", "10.2");
        check("quantize(0, {4})", "4");
        check("quantize(2, {1, 2, \"A\"})", "2");
        check("quantize(3, {1, 2, 0.5})", "3.0");
        check("quantize(2.7, {1, 2, 0.5})", "3.0");
        check("quantize(3, {1, 2, \"A\"})", "error");
        check("quantize(3, {})", "3");
        check("quantize(3.5, {})", "3.5");
        check("quantize(3, 0)", "3");
        check("quantize(3, 0.0)", "3");
        check("quantize(-3, 2)", "-2");
        check("quantize(-3, -2)", "-6");
        check("quantize(3, -2)", "0");
        check("quantize(3.5, 2)", "4.0");
        check("quantize(\"3\", 2)", "4.0");
        check("quantize(\"x\", 2)", "error");
        check("quantize(3, \"2\")", "4.0");
        check("quantize(undefined, 2)", "error");
        check("quantize(3, undefined)", "error");
        check("quantize(true, 2)", "2.0");
        check("quantize(3, true)", "3.0");
        check("quantize(3, {undefined})", "error");
        check("quantize(5, {1, 2})", "6");
        check("quantize(5, {2, 2.0})", "6.0");
        check("quantize(5, {2.0, 2})", "6");
        check("quantize(3, {5, \"x\"})", "5");
        check("quantize(9223372036854775807, 2)", "-9223372036854775808");
        check("quantize(3, 1e-9)", "3");
        check("quantize(3)", "error");
        check("quantize(3, relTime(2))", "4.0");
        check("quantize(relTime(3), 2)", "4.0");
    }

    #[test]
    fn random_stays_in_range() {
        for _ in 0..200 {
            match eval("random(10)") {
                Value::Int(i) => assert!((0..10).contains(&i)),
                other => panic!("{other:?}"),
            }
            match eval("random()") {
                Value::Real(r) => assert!((0.0..1.0).contains(&r)),
                other => panic!("{other:?}"),
            }
            match eval("random(2.5)") {
                Value::Real(r) => assert!((0.0..2.5).contains(&r)),
                other => panic!("{other:?}"),
            }
        }
        check("random(0)", "error");
        check("random(-1.5)", "error");
        check("random(undefined)", "error");
        check("random(true)", "error");
        check("random(\"5\")", "error");
        check("random(1, 2)", "error");
        check("random(4294967296)", "error");
    }
}
