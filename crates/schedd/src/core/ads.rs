//! Reading job ads: the store the core reads from, wire conversion, and
//! typed attribute lookups.
//!
//! The core never writes ads itself: it returns [`super::Change`]s that the
//! service commits to the durable queue, whose in-memory index then answers
//! [`AdStore::job`]. A proc's ad is chained to its cluster's ad, so a lookup
//! that misses in the proc falls through to the cluster.

use std::sync::Arc;

use classad::{ClassAd, Expr, Value};
use proto::{JobId, WireAd};

/// Where the core reads committed job ads from.
pub trait AdStore {
    /// The ad of job `id` (chained to its cluster ad), if it is in the queue.
    fn job(&self, id: JobId) -> Option<Arc<ClassAd>>;
}

/// A store with nothing in it (for calls that need no ads).
pub struct NoAds;

impl AdStore for NoAds {
    fn job(&self, _id: JobId) -> Option<Arc<ClassAd>> {
        None
    }
}

/// An ad text that does not parse, with the attribute it belongs to.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("attribute {attr}: cannot parse '{text}': {message}")]
pub struct BadAttr {
    pub attr: String,
    pub text: String,
    pub message: String,
}

/// Parse one attribute's wire text (old ClassAd syntax).
///
/// Most values on the wire are plain integers or simple strings; those are
/// read without the full parser, which matters for 100,000-proc submits.
pub fn parse_wire_expr(attr: &str, text: &str) -> Result<Expr, BadAttr> {
    if let Some(v) = fast_literal(text) {
        return Ok(Expr::literal(v));
    }
    Expr::parse_old(text).map_err(|e| BadAttr { attr: attr.to_string(), text: text.to_string(), message: e.to_string() })
}

fn fast_literal(text: &str) -> Option<Value> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 18 && b[0] != b'"' {
        return None;
    }
    if b[0] == b'"' {
        let inner = text.strip_prefix('"')?.strip_suffix('"')?;
        if inner.bytes().any(|c| c == b'"' || c == b'\\') {
            return None;
        }
        return Some(Value::string(inner));
    }
    let digits = if b[0] == b'-' { &b[1..] } else { b };
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) && !(digits.len() > 1 && digits[0] == b'0') {
        return text.parse::<i64>().ok().map(Value::Int);
    }
    match text {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// A wire ad as a ClassAd; the first attribute that does not parse is refused.
pub fn ad_from_wire(wire: &WireAd) -> Result<ClassAd, BadAttr> {
    let mut ad = ClassAd::new();
    for (k, v) in &wire.0 {
        ad.insert(k, parse_wire_expr(k, v)?);
    }
    Ok(ad)
}

/// A ClassAd on the wire: the merged view of a chained ad, in order.
pub fn ad_to_wire(ad: &ClassAd) -> WireAd {
    WireAd(ad.iter_all().map(|(k, e)| (k.to_string(), e.to_old_string())).collect())
}

/// Only the attributes in `projection` (all when it is empty).
pub fn project_to_wire(ad: &ClassAd, projection: &[String]) -> WireAd {
    if projection.is_empty() {
        return ad_to_wire(ad);
    }
    let mut out = Vec::with_capacity(projection.len());
    for name in projection {
        if let Some(e) = ad.get(name) {
            let spelled = ad.name_of(name).unwrap_or(name);
            out.push((spelled.to_string(), e.to_old_string()));
        }
    }
    WireAd(out)
}

/// Typed lookups on a job ad (evaluated in the ad itself).
pub trait AdExt {
    fn int(&self, name: &str) -> Option<i64>;
    fn real(&self, name: &str) -> Option<f64>;
    fn string(&self, name: &str) -> Option<String>;
    fn boolean(&self, name: &str) -> Option<bool>;
}

impl AdExt for ClassAd {
    fn int(&self, name: &str) -> Option<i64> {
        match self.eval_attr(name) {
            Value::Int(i) => Some(i),
            Value::Real(r) if r.is_finite() => Some(r as i64),
            Value::Bool(b) => Some(b as i64),
            _ => None,
        }
    }

    fn real(&self, name: &str) -> Option<f64> {
        self.eval_attr(name).as_number()
    }

    fn string(&self, name: &str) -> Option<String> {
        match self.eval_attr(name) {
            Value::String(s) => Some(s.to_string()),
            _ => None,
        }
    }

    fn boolean(&self, name: &str) -> Option<bool> {
        classad::ops::bool_equiv(&self.eval_attr(name))
    }
}

/// Literal expressions for attribute values the core sets.
pub fn int(v: i64) -> Expr {
    Expr::literal(Value::Int(v))
}

pub fn real(v: f64) -> Expr {
    Expr::literal(Value::Real(v))
}

pub fn string(s: &str) -> Expr {
    Expr::literal(Value::string(s))
}

pub fn boolean(b: bool) -> Expr {
    Expr::literal(Value::Bool(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_reads_the_common_literals_like_the_parser() {
        for text in ["0", "42", "-7", "\"hello world\"", "true", "false", "\"\""] {
            let fast = parse_wire_expr("A", text).unwrap();
            let full = Expr::parse_old(text).unwrap();
            assert_eq!(fast.to_old_string(), full.to_old_string(), "{text}");
        }
        // Not literals the fast path knows: left to the parser.
        for text in ["007", "1.5", "\"a\\\"b\"", "x + 1", "99999999999999999999"] {
            assert!(fast_literal(text).is_none(), "{text}");
        }
        assert!(parse_wire_expr("Bad", "1 +").is_err());
    }

    #[test]
    fn wire_round_trip_keeps_order_and_expressions() {
        let mut w = WireAd::new();
        w.set("ClusterId", "3");
        w.set("Requirements", "TARGET.Memory >= RequestMemory");
        w.set("Cmd", "\"/bin/echo\"");
        let ad = ad_from_wire(&w).unwrap();
        assert_eq!(ad_to_wire(&ad), w);
        let p = project_to_wire(&ad, &["cmd".to_string(), "Missing".to_string()]);
        assert_eq!(p.0, vec![("Cmd".to_string(), "\"/bin/echo\"".to_string())]);
    }
}
