//! HTCondor's JSON form of ads (`condor_q -json`, `printJson()`).
//!
//! Literals map to JSON values (`undefined` is `null`); lists are arrays;
//! nested ads are objects; every other expression, and `error`, is a string
//! `"\/Expr(<new-syntax text>)\/"`. Reals print as in old syntax (`2.5`,
//! `1E+300`). Output is indented by two spaces per level, as HTCondor does.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::expr::Node;
use crate::unparse::{abs_time_string, format_real, rel_time_string, storage_order, unparse_new};
use crate::{ClassAd, Expr, ParseError, Value};

/// Deepest nesting accepted in JSON input.
const MAX_JSON_DEPTH: usize = 100;

pub(crate) fn ad_to_json(ad: &ClassAd) -> String {
    let mut w = Writer { out: String::new(), indent: 0 };
    let attrs: Vec<(&str, &Expr)> = ad.iter().collect();
    w.object(&attrs);
    w.out
}

/// JSON text of one expression (as it appears as an attribute value).
pub fn expr_to_json(e: &Expr) -> String {
    let mut w = Writer { out: String::new(), indent: 0 };
    w.expr(e);
    w.out
}

struct Writer {
    out: String,
    indent: usize,
}

impl Writer {
    fn newline(&mut self) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', self.indent));
    }

    fn object(&mut self, attrs: &[(&str, &Expr)]) {
        self.out.push('{');
        self.indent += 2;
        for (i, (n, e)) in attrs.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline();
            self.out.push('"');
            escape(&mut self.out, n);
            self.out.push_str("\": ");
            self.expr(e);
        }
        self.indent -= 2;
        self.newline();
        self.out.push('}');
    }

    fn array(&mut self, n: usize, mut item: impl FnMut(&mut Writer, usize)) {
        self.out.push('[');
        self.indent += 2;
        for i in 0..n {
            if i > 0 {
                self.out.push(',');
            }
            self.newline();
            item(self, i);
        }
        self.indent -= 2;
        self.newline();
        self.out.push(']');
    }

    fn expr(&mut self, e: &Expr) {
        match e.node() {
            Node::Literal(v) => self.value(v),
            Node::List(items) => self.array(items.len(), |w, i| w.expr(&items[i])),
            Node::Ad(ad) => {
                let attrs = storage_order(ad);
                self.object(&attrs)
            }
            _ => quote_expr(&mut self.out, &unparse_new(e)),
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Undefined => self.out.push_str("null"),
            Value::Error => quote_expr(&mut self.out, "error"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Real(r) => {
                if r.is_finite() {
                    self.out.push_str(&format_real(*r))
                } else {
                    quote_expr(&mut self.out, &format_real(*r))
                }
            }
            Value::String(s) => {
                self.out.push('"');
                escape(&mut self.out, s);
                self.out.push('"');
            }
            Value::List(items) => self.array(items.len(), |w, i| w.value(&items[i])),
            Value::Ad(ad) => {
                let attrs = storage_order(ad);
                self.object(&attrs)
            }
            Value::AbsTime { secs, offset } => {
                quote_expr(&mut self.out, &format!("absTime(\"{}\")", abs_time_string(*secs, *offset)))
            }
            Value::RelTime(r) => quote_expr(&mut self.out, &format!("relTime(\"{}\")", rel_time_string(*r))),
        }
    }
}

fn quote_expr(out: &mut String, text: &str) {
    out.push_str("\"\\/Expr(");
    escape(out, text);
    out.push_str(")\\/\"");
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u00{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
}

pub(crate) fn parse_ad_json(text: &str) -> Result<ClassAd, ParseError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("not valid JSON: {e}"),
    })?;
    match v {
        serde_json::Value::Object(map) => object_to_ad(&map, 0),
        other => Err(ParseError::new(format!(
            "a ClassAd in JSON form is an object {{...}}, but this is {}",
            json_kind(&other)
        ))),
    }
}

/// Parse the JSON list `condor_q -json` prints (or a single object) into ads.
pub fn parse_ads_json(text: &str) -> Result<Vec<ClassAd>, ParseError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("not valid JSON: {e}"),
    })?;
    match v {
        serde_json::Value::Object(map) => Ok(vec![object_to_ad(&map, 0)?]),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                serde_json::Value::Object(map) => object_to_ad(map, 0),
                other => Err(ParseError::new(format!(
                    "element {i} of the list is {}, not an ad (object)",
                    json_kind(other)
                ))),
            })
            .collect(),
        other => Err(ParseError::new(format!("expected a list of ads or one ad, found {}", json_kind(&other)))),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

fn object_to_ad(map: &serde_json::Map<String, serde_json::Value>, depth: usize) -> Result<ClassAd, ParseError> {
    if depth > MAX_JSON_DEPTH {
        return Err(ParseError::new(format!("the JSON is nested more than {MAX_JSON_DEPTH} levels deep")));
    }
    let mut ad = ClassAd::new();
    for (k, v) in map {
        let e = json_to_expr(v, depth + 1).map_err(|e| ParseError {
            message: format!("attribute \"{k}\": {}", e.message),
            ..e
        })?;
        ad.insert(k, e);
    }
    Ok(ad)
}

fn json_to_expr(v: &serde_json::Value, depth: usize) -> Result<Expr, ParseError> {
    if depth > MAX_JSON_DEPTH {
        return Err(ParseError::new(format!("the JSON is nested more than {MAX_JSON_DEPTH} levels deep")));
    }
    Ok(match v {
        serde_json::Value::Null => Expr::literal(Value::Undefined),
        serde_json::Value::Bool(b) => Expr::literal(Value::Bool(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Expr::literal(Value::Int(i)),
            None => Expr::literal(Value::Real(n.as_f64().unwrap_or(0.0))),
        },
        serde_json::Value::String(s) => {
            if let Some(inner) = s.strip_prefix("/Expr(").and_then(|r| r.strip_suffix(")/")) {
                Expr::parse(inner).map_err(|e| {
                    ParseError::new(format!("the expression \"{inner}\" does not parse: {}", e.message))
                })?
            } else {
                Expr::literal(Value::String(Arc::from(s.as_str())))
            }
        }
        serde_json::Value::Array(items) => Expr::new(Node::List(
            items.iter().map(|i| json_to_expr(i, depth + 1)).collect::<Result<_, _>>()?,
        )),
        serde_json::Value::Object(map) => Expr::new(Node::Ad(Arc::new(object_to_ad(map, depth + 1)?))),
    })
}
