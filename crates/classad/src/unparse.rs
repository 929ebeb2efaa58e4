//! Printing expressions, values and ads: old syntax, new syntax, and the
//! number formats HTCondor uses.
//!
//! Old syntax is what `condor_q -long` and classad2's `printOld()` print;
//! new syntax is HTCondor's new-ClassAd unparser. Both match HTCondor
//! character for character: operator spacing (` -x`, `a + b`, `{ 1,2 }`,
//! `[  ]`), parentheses kept from the source, real formatting and string
//! escaping. Nested ads print their attributes in HTCondor's storage order
//! (shorter names first, then alphabetically ignoring case); a top-level ad
//! prints in insertion order.

use std::fmt::Write as _;

use crate::expr::{BinaryOp, Node, UnaryOp};
use crate::{ClassAd, Expr, Value};

/// The two syntaxes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Old,
    New,
}

/// Old-syntax print of a value: strings quoted, lists as `{ 1,2 }`, ads as
/// `[ a = 1; b = 2 ]`, reals as [`format_real`].
pub fn unparse_value(v: &Value) -> String {
    let mut out = String::new();
    value(&mut out, v, Style::Old);
    out
}

/// New-syntax print of a value (reals as `2.500000000000000E+00`, strings escaped).
pub fn unparse_value_new(v: &Value) -> String {
    let mut out = String::new();
    value(&mut out, v, Style::New);
    out
}

/// A real as old-syntax ClassAds print it: `%.16G`, with `.0` added when
/// the result would read as an integer (`2.0`, `0.0015`, `1E+300`, `-0.0`,
/// `real("INF")`).
pub fn format_real(f: f64) -> String {
    let mut out = String::new();
    real(&mut out, f, Style::Old);
    out
}

/// A real as the new-syntax unparser prints it (`%1.15E`).
pub fn format_real_new(f: f64) -> String {
    let mut out = String::new();
    real(&mut out, f, Style::New);
    out
}

/// Old-syntax print of an expression (also `Display for Expr`).
pub fn unparse_old(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e, Style::Old);
    out
}

/// New-syntax print of an expression.
pub fn unparse_new(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e, Style::New);
    out
}

/// A string literal in old syntax: only the quote is escaped.
pub fn quote_old(s: &str) -> String {
    let mut out = String::new();
    string(&mut out, s, '"', Style::Old);
    out
}

/// A string literal in new syntax, with C-style escapes.
pub fn quote_new(s: &str) -> String {
    let mut out = String::new();
    string(&mut out, s, '"', Style::New);
    out
}

/// An attribute name, quoted as `'a b'` when it is not a plain identifier
/// or is a reserved word.
pub fn attr_name(name: &str) -> String {
    let mut out = String::new();
    identifier(&mut out, name, Style::Old);
    out
}

pub(crate) fn ad_old(ad: &ClassAd) -> String {
    let mut out = String::new();
    for (n, e) in ad.iter_all() {
        identifier(&mut out, n, Style::Old);
        out.push_str(" = ");
        expr(&mut out, e, Style::Old);
        out.push('\n');
    }
    out
}

pub(crate) fn ad_new(ad: &ClassAd) -> String {
    let mut out = String::from("[ ");
    let mut first = true;
    for (n, e) in ad.iter() {
        if !first {
            out.push_str("; ");
        }
        first = false;
        identifier(&mut out, n, Style::New);
        out.push_str(" = ");
        expr(&mut out, e, Style::New);
    }
    out.push_str(" ]");
    out
}

fn expr(out: &mut String, e: &Expr, style: Style) {
    match e.node() {
        Node::Literal(v) => value(out, v, style),
        Node::Attr { name, absolute } => {
            if *absolute {
                out.push('.');
            }
            identifier(out, name.as_str(), style);
        }
        Node::Select { base, name } => {
            expr(out, base, style);
            out.push('.');
            out.push_str(name.as_str());
        }
        Node::Unary { op, arg } => {
            out.push_str(match op {
                UnaryOp::Plus => " +",
                UnaryOp::Minus => " -",
                UnaryOp::Not => " !",
                UnaryOp::BitNot => " ~",
            });
            expr(out, arg, style);
        }
        Node::Binary { op, lhs, rhs } => {
            expr(out, lhs, style);
            out.push_str(binary_op(*op, style));
            expr(out, rhs, style);
        }
        Node::Ternary { cond, then, otherwise } => {
            expr(out, cond, style);
            out.push_str(" ? ");
            expr(out, then, style);
            out.push_str(" : ");
            expr(out, otherwise, style);
        }
        Node::Paren(inner) => {
            out.push('(');
            expr(out, inner, style);
            out.push(')');
        }
        Node::Index { base, index } => {
            expr(out, base, style);
            out.push('[');
            expr(out, index, style);
            out.push(']');
        }
        Node::Call(call) => {
            out.push_str(&call.name);
            out.push('(');
            for (i, a) in call.args.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                expr(out, a, style);
            }
            out.push(')');
        }
        Node::List(items) => {
            out.push_str("{ ");
            for (i, a) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                expr(out, a, style);
            }
            out.push_str(" }");
        }
        Node::Ad(ad) => nested_ad(out, ad, style),
    }
}

/// The operator text with its surrounding spaces, as HTCondor prints it.
pub(crate) fn binary_op(op: BinaryOp, style: Style) -> &'static str {
    match op {
        BinaryOp::Lt => " < ",
        BinaryOp::Le => " <= ",
        BinaryOp::Ne => " != ",
        BinaryOp::Eq => " == ",
        BinaryOp::Ge => " >= ",
        BinaryOp::Gt => " > ",
        BinaryOp::Is => {
            if style == Style::Old {
                " =?= "
            } else {
                " is "
            }
        }
        BinaryOp::Isnt => {
            if style == Style::Old {
                " =!= "
            } else {
                " isnt "
            }
        }
        BinaryOp::Add => " + ",
        BinaryOp::Sub => " - ",
        BinaryOp::Mul => " * ",
        BinaryOp::Div => " / ",
        BinaryOp::Mod => " % ",
        BinaryOp::Or => " || ",
        BinaryOp::And => " && ",
        BinaryOp::BitOr => " | ",
        BinaryOp::BitXor => " ^ ",
        BinaryOp::BitAnd => " & ",
        BinaryOp::Shl => " << ",
        BinaryOp::Shr => " >> ",
        BinaryOp::UShr => " >>> ",
        BinaryOp::Elvis => " ?: ",
    }
}

/// Attributes of a nested ad in HTCondor's storage order.
pub(crate) fn storage_order(ad: &ClassAd) -> Vec<(&str, &Expr)> {
    let mut v: Vec<(&str, &Expr)> = ad.iter().collect();
    v.sort_by(|a, b| {
        a.0.len().cmp(&b.0.len()).then_with(|| {
            let x = a.0.bytes().map(|c| c.to_ascii_lowercase());
            let y = b.0.bytes().map(|c| c.to_ascii_lowercase());
            x.cmp(y)
        })
    });
    v
}

fn nested_ad(out: &mut String, ad: &ClassAd, style: Style) {
    out.push_str("[ ");
    for (i, (n, e)) in storage_order(ad).into_iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        identifier(out, n, style);
        out.push_str(" = ");
        expr(out, e, style);
    }
    out.push_str(" ]");
}

fn value(out: &mut String, v: &Value, style: Style) {
    match v {
        Value::Undefined => out.push_str("undefined"),
        Value::Error => out.push_str("error"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(r) => real(out, *r, style),
        Value::String(s) => string(out, s, '"', style),
        Value::List(items) => {
            out.push_str("{ ");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value(out, item, style);
            }
            out.push_str(" }");
        }
        Value::Ad(ad) => nested_ad(out, ad, style),
        Value::AbsTime { secs, offset } => {
            out.push_str("absTime(\"");
            out.push_str(&abs_time_string(*secs, *offset));
            out.push_str("\")");
        }
        Value::RelTime(secs) => {
            out.push_str("relTime(\"");
            out.push_str(&rel_time_string(*secs));
            out.push_str("\")");
        }
    }
}

fn real(out: &mut String, f: f64, style: Style) {
    if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
    } else if f.is_nan() {
        out.push_str("real(\"NaN\")");
    } else if f.is_infinite() {
        out.push_str(if f < 0.0 { "real(\"-INF\")" } else { "real(\"INF\")" });
    } else if style == Style::Old {
        let s = printf_g(f, 16, true);
        let looks_int = !s.contains(['.', 'E', 'e']);
        out.push_str(&s);
        if looks_int {
            out.push_str(".0");
        }
    } else {
        out.push_str(&printf_e(f, 15, true));
    }
}

/// C's `%.{prec}E` (or `%e`): mantissa with `prec` decimals, exponent with
/// a sign and at least two digits.
pub fn printf_e(f: f64, prec: usize, upper: bool) -> String {
    let s = format!("{:.*e}", prec, f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{}{sign}{:02}", if upper { 'E' } else { 'e' }, exp.abs())
}

/// C's `%.{prec}G` (or `%g`) for a finite value: the shorter of fixed and
/// exponent notation, trailing zeros removed.
pub fn printf_g(f: f64, prec: usize, upper: bool) -> String {
    if !f.is_finite() {
        let s = if f.is_nan() {
            "nan"
        } else if f < 0.0 {
            "-inf"
        } else {
            "inf"
        };
        return if upper { s.to_uppercase() } else { s.to_string() };
    }
    let p = prec.max(1);
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let s = format!("{:.*e}", p - 1, f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    if x < -4 || x >= p as i32 {
        let mant = strip_zeros(mant);
        let sign = if x < 0 { '-' } else { '+' };
        format!("{mant}{}{sign}{:02}", if upper { 'E' } else { 'e' }, x.abs())
    } else {
        let decimals = (p as i32 - 1 - x).max(0) as usize;
        strip_zeros(&format!("{:.*}", decimals, f)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Python's `repr()` of a float: the shortest text that reads back to the
/// same double, in fixed notation for exponents -4..16 and `1e+16` style otherwise.
pub fn python_repr_f64(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let s = format!("{:e}", f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let e = exp as usize;
            if digits.len() <= e + 1 {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', e + 1 - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..e + 1]);
                out.push('.');
                out.push_str(&digits[e + 1..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exp.abs());
    }
    out
}

fn string(out: &mut String, s: &str, delim: char, style: Style) {
    out.push('"');
    string_body(out, s, delim, style);
    out.push('"');
}

fn string_body(out: &mut String, s: &str, delim: char, style: Style) {
    for c in s.chars() {
        if c == delim {
            out.push('\\');
            out.push(c);
            continue;
        }
        if style == Style::New {
            match c {
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{b}' => out.push_str("\\v"),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f || !c.is_ascii() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\{:03o}", b);
                    }
                }
                c => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
}

/// Reserved words that must be quoted when used as attribute names.
const RESERVED: [&str; 7] = ["error", "false", "is", "isnt", "parent", "true", "undefined"];

/// True when `name` cannot be written bare and needs `'...'`.
pub fn needs_quoting(name: &str) -> bool {
    let b = name.as_bytes();
    let plain = match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            b[1..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        _ => false,
    };
    !plain || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

pub(crate) fn identifier(out: &mut String, name: &str, style: Style) {
    let mut body = String::new();
    string_body(&mut body, name, '\'', style);
    if needs_quoting(&body) {
        out.push('\'');
        out.push_str(&body);
        out.push('\'');
    } else {
        out.push_str(&body);
    }
}

/// `2020-01-01T00:00:00-00:00`: the local time at `offset` and the offset.
pub fn abs_time_string(secs: i64, offset: i32) -> String {
    let local = secs.saturating_add(offset as i64);
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (sign, tz) = if offset > 0 { ('+', offset) } else { ('-', offset.saturating_neg()) };
    format!(
        "{y}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        tz / 3600,
        (tz / 60) % 60
    )
}

/// Gregorian date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `[-][D+]HH:MM:SS` as HTCondor prints relative times (leading fields
/// dropped when zero, fractional seconds with `%g`).
pub fn rel_time_string(rsecs: f64) -> String {
    let mut out = String::new();
    let mut r = rsecs;
    if r < 0.0 {
        out.push('-');
        r = -r;
    }
    let frac = r - r.floor();
    let total = if r >= i32::MAX as f64 { i32::MAX } else { r as i32 };
    let days = total / 86_400;
    let hrs = (total % 86_400) / 3600;
    let mins = (total % 3600) / 60;
    let secs = (total % 60) as f64 + frac;
    let s = if frac == 0.0 { format!("{:02}", secs as i32) } else { pad2(&printf_g(secs, 6, false)) };
    if days != 0 {
        let _ = write!(out, "{days}+{hrs:02}:{mins:02}:{s}");
    } else if hrs != 0 {
        let _ = write!(out, "{hrs:02}:{mins:02}:{s}");
    } else if mins != 0 {
        let _ = write!(out, "{mins:02}:{s}");
    } else {
        out.push_str(&s);
    }
    out
}

fn pad2(s: &str) -> String {
    if s.len() < 2 {
        format!("0{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_print_like_htcondor_old_syntax() {
        assert_eq!(format_real(1e300), "1E+300");
        assert_eq!(format_real(0.0015), "0.0015");
        assert_eq!(format_real(2.0), "2.0");
        assert_eq!(format_real(1e15), "1000000000000000.0");
        assert_eq!(format_real(1e16), "1E+16");
        assert_eq!(format_real(1e-5), "1E-05");
        assert_eq!(format_real(123456789012345678.0), "1.234567890123457E+17");
        assert_eq!(format_real(-0.0), "-0.0");
        assert_eq!(format_real(0.1 + 0.2), "0.3");
        assert_eq!(format_real(5e-324), "4.940656458412465E-324");
        assert_eq!(format_real(f64::INFINITY), "real(\"INF\")");
    }

    #[test]
    fn reals_print_like_htcondor_new_syntax() {
        assert_eq!(format_real_new(1e300), "1.000000000000000E+300");
        assert_eq!(format_real_new(2.5), "2.500000000000000E+00");
    }

    #[test]
    fn python_repr_matches() {
        assert_eq!(python_repr_f64(-1e300), "-1e+300");
        assert_eq!(python_repr_f64(1e16), "1e+16");
        assert_eq!(python_repr_f64(1e15), "1000000000000000.0");
        assert_eq!(python_repr_f64(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(python_repr_f64(1e-5), "1e-05");
        assert_eq!(python_repr_f64(0.0001), "0.0001");
        assert_eq!(python_repr_f64(2.5), "2.5");
        assert_eq!(python_repr_f64(1.2345678901234568e17), "1.2345678901234568e+17");
        assert_eq!(python_repr_f64(5e-324), "5e-324");
    }

    #[test]
    fn values_print_in_old_syntax() {
        let v = Value::list(vec![Value::Int(1), Value::Real(2.5), Value::string("a\"b")]);
        assert_eq!(unparse_value(&v), "{ 1,2.5,\"a\\\"b\" }");
        assert_eq!(unparse_value(&Value::list(vec![])), "{  }");
        assert_eq!(unparse_value(&Value::Ad(Default::default())), "[  ]");
    }

    #[test]
    fn times_print() {
        assert_eq!(abs_time_string(1577836800, 0), "2020-01-01T00:00:00-00:00");
        assert_eq!(rel_time_string(3600.0), "01:00:00");
        assert_eq!(rel_time_string(90.0), "01:30");
        assert_eq!(rel_time_string(5.0), "05");
        assert_eq!(rel_time_string(86400.0 + 1.5), "1+00:00:1.5");
    }
}
