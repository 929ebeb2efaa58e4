//! Shared by the crate's integration tests: a compact print of values that
//! `tests/reference/show.py` reproduces for HTCondor's answers, so test
//! vectors answered by HTCondor compare as text.

#![allow(dead_code)]

use classad::unparse::python_repr_f64;
use classad::{builtins::Env, Value};

/// The environment vectors are answered in: UTC, a fixed clock.
pub fn env() -> Env {
    Env { now: Some(1_700_000_000), tz: Some(0), ..Env::default() }
}

fn quote(s: &str) -> String {
    let mut out = String::from('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 32 => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `true`, `3`, `2.5` (Python's `repr`), `"s"`, `{1, "a"}`,
/// `[a = 1; b = x + 1]` (old-syntax lines), `undefined`, `error`; relative
/// times as seconds (as HTCondor's Python bindings give them).
pub fn show(v: &Value) -> String {
    match v {
        Value::Undefined => "undefined".into(),
        Value::Error => "error".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Real(r) | Value::RelTime(r) => python_repr_f64(*r),
        Value::String(s) => quote(s),
        Value::List(items) => format!("{{{}}}", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        // In HTCondor's storage order (name length, then name ignoring
        // case), as its printOld() lists an ad value.
        Value::Ad(ad) => {
            let mut attrs: Vec<(&str, &classad::Expr)> = ad.iter().collect();
            attrs.sort_by_key(|(n, _)| (n.len(), n.to_ascii_lowercase()));
            let lines: Vec<String> = attrs.iter().map(|(n, e)| format!("{n} = {e}")).collect();
            format!("[{}]", lines.join("; "))
        }
        Value::AbsTime { secs, offset } => format!("absTime({secs}, {offset})"),
    }
}

/// Vectors from a `expression<TAB>value` file, blank lines skipped.
pub fn vectors(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect()
}
