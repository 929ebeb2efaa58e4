//! Typed reads of job ad attributes for the tools (evaluated values).

use classad::{ClassAd, Value};

pub fn int(ad: &ClassAd, name: &str) -> Option<i64> {
    match ad.eval_attr(name) {
        Value::Int(i) => Some(i),
        Value::Real(r) if r.is_finite() => Some(r as i64),
        Value::Bool(b) => Some(b as i64),
        _ => None,
    }
}

pub fn string(ad: &ClassAd, name: &str) -> Option<String> {
    match ad.eval_attr(name) {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}
