//! Small evaluations submit needs: whole numbers and booleans written as
//! literals or as ClassAd expressions (`priority = 2*5`, `queue 1.5`,
//! `hold = true`), and C's `atof`/`atoi` for the commands HTCondor reads
//! that way.

use classad::{Expr, Value};

/// C `strtoll(s, &end, 10)`: value and number of bytes consumed (0 when no
/// digits). Saturates instead of overflowing.
pub fn c_strtoll(s: &str) -> (i64, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && crate::reader::is_c_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        let d = i64::from(b[i] - b'0');
        v = if neg { v.saturating_mul(10).saturating_sub(d) } else { v.saturating_mul(10).saturating_add(d) };
        i += 1;
    }
    if i == start {
        return (0, 0);
    }
    (v, i)
}

/// C `atoi`: leading number, 0 when none.
pub fn c_atoi(s: &str) -> i64 {
    c_strtoll(s).0
}

/// C `atof`: the longest leading decimal number, 0.0 when none.
pub fn c_atof(s: &str) -> f64 {
    let t = s.trim_start_matches(|c: char| c.is_ascii() && crate::reader::is_c_space(c as u8));
    let b = t.as_bytes();
    let mut end = 0;
    let mut best = 0.0;
    // find the longest prefix that parses as a float
    while end < b.len() {
        end += 1;
        if let Ok(v) = t[..end].parse::<f64>() {
            best = v;
        } else if !matches!(b[end - 1], b'+' | b'-' | b'.' | b'e' | b'E' | b'0'..=b'9') {
            break;
        }
    }
    best
}

/// Evaluate an expression with no ad around it.
pub fn eval_const(text: &str) -> Option<Value> {
    let expr = Expr::parse_old(text).ok()?;
    Some(expr.eval(None, None))
}

/// HTCondor's `string_is_long_param`: a plain integer (with trailing
/// whitespace), or an expression evaluating to a number (reals truncate).
pub fn long_param(text: &str) -> Option<i64> {
    let (v, used) = c_strtoll(text);
    if used > 0 && text[used..].bytes().all(crate::reader::is_c_space) {
        return Some(v);
    }
    match eval_const(text)? {
        Value::Int(i) => Some(i),
        Value::Real(r) if r.is_finite() => Some(r as i64),
        Value::Bool(b) => Some(i64::from(b)),
        _ => None,
    }
}

/// HTCondor's `string_is_boolean_param`: `true`/`false`/`1`/`0` prefixes,
/// or an expression evaluating to a boolean or number.
pub fn bool_param(text: &str) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    let prefix = if lower.starts_with("true") {
        Some((true, 4))
    } else if lower.starts_with('1') {
        Some((true, 1))
    } else if lower.starts_with("false") {
        Some((false, 5))
    } else if lower.starts_with('0') {
        Some((false, 1))
    } else {
        None
    };
    if let Some((val, n)) = prefix {
        if text.as_bytes()[n..].iter().all(|c| crate::reader::is_c_space(*c)) {
            return Some(val);
        }
    }
    match eval_const(text)? {
        Value::Bool(b) => Some(b),
        Value::Int(i) => Some(i != 0),
        Value::Real(r) => Some(r != 0.0),
        _ => None,
    }
}

/// True when `text` parses as a ClassAd expression (old syntax rules).
pub fn parses(text: &str) -> bool {
    Expr::parse_old(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_helpers() {
        assert_eq!(c_strtoll("  42abc"), (42, 4));
        assert_eq!(c_strtoll("x"), (0, 0));
        assert_eq!(c_atoi("-7 q"), -7);
        assert_eq!(c_atof("1.5e2x"), 150.0);
        assert_eq!(c_atof("abc"), 0.0);
    }

    #[test]
    fn long_params() {
        assert_eq!(long_param("5"), Some(5));
        assert_eq!(long_param(" 5  "), Some(5));
        assert_eq!(long_param("-3"), Some(-3));
        assert_eq!(long_param("1.5"), Some(1));
        assert_eq!(long_param("2*3"), Some(6));
        assert_eq!(long_param("1 2 3"), None);
        assert_eq!(long_param("lots"), None);
    }

    #[test]
    fn bool_params() {
        assert_eq!(bool_param("true"), Some(true));
        assert_eq!(bool_param("TRUE  "), Some(true));
        assert_eq!(bool_param("0"), Some(false));
        assert_eq!(bool_param("False"), Some(false));
        assert_eq!(bool_param("1 == 1"), Some(true));
        assert_eq!(bool_param("yes"), None);
        assert_eq!(bool_param("truex"), None);
    }
}
