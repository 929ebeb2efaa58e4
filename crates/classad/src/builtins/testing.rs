//! Test support: a tiny reader for calls on literal arguments
//! (`substr("hello", -2)`, `sum({1, 2.5})`, `splitTime(relTime(5))`) and a
//! compact printer for results, so each builtin's tests read like the
//! expressions a user would type.
//!
//! Only literals, lists, ads of literals and nested builtin calls are
//! understood; operators are not (write `-3`, not `0 - 3`).

use std::sync::Arc;

use crate::{ClassAd, Value};

use super::{lookup, Env};

/// The environment tests evaluate in: a fixed clock (2023-11-14T22:13:20Z).
pub fn env() -> Env {
    Env { now: Some(1_700_000_000), tz: Some(0), ..Env::default() }
}

/// Evaluate `text` and compare its printed result with `expected`.
#[track_caller]
pub fn check(text: &str, expected: &str) {
    let v = eval(text);
    assert_eq!(show(&v), expected, "{text}");
}

/// Evaluate `text` (a literal or a builtin call on literals).
#[track_caller]
pub fn eval(text: &str) -> Value {
    eval_with(text, &env())
}

/// Evaluate `text` with builtins seeing `env`.
#[track_caller]
pub fn eval_with(text: &str, env: &Env) -> Value {
    let mut r = Reader { s: text.as_bytes(), i: 0, env };
    let v = r.value().unwrap_or_else(|e| panic!("cannot read {text:?}: {e}"));
    r.ws();
    assert_eq!(r.i, r.s.len(), "trailing text in {text:?}");
    v
}

/// Compact print: `3`, `2.5`, `"s"`, `true`, `undefined`, `error`,
/// `{1, "a"}`, `[a = 1; b = "x"]`, `abstime(0, 3600)`, `reltime(1.5)`.
pub fn show(v: &Value) -> String {
    match v {
        Value::Undefined => "undefined".into(),
        Value::Error => "error".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Real(r) => format!("{r:?}"),
        Value::String(s) => format!("{:?}", &**s),
        Value::List(l) => {
            let items: Vec<String> = l.iter().map(show).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Ad(ad) => {
            let items: Vec<String> = ad
                .iter()
                .map(|(n, e)| match &*e.0 {
                    crate::expr::Node::Literal(v) => format!("{n} = {}", show(v)),
                    _ => format!("{n} = {e}"),
                })
                .collect();
            format!("[{}]", items.join("; "))
        }
        Value::AbsTime { secs, offset } => format!("abstime({secs}, {offset})"),
        Value::RelTime(r) => format!("reltime({r:?})"),
    }
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
    env: &'a Env,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at {}", c as char, self.i))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b'{') => {
                self.i += 1;
                let items = self.items(b'}')?;
                Ok(Value::list(items))
            }
            Some(b'[') => self.ad(),
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.word(),
            other => Err(format!("unexpected {:?} at {}", other.map(|c| c as char), self.i)),
        }
    }

    fn items(&mut self, close: u8) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(out);
        }
        loop {
            out.push(self.value()?);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(c) if c == close => {
                    self.i += 1;
                    return Ok(out);
                }
                _ => return Err(format!("expected ',' at {}", self.i)),
            }
        }
    }

    fn ad(&mut self) -> Result<Value, String> {
        self.eat(b'[')?;
        let mut ad = ClassAd::new();
        loop {
            if self.peek() == Some(b']') {
                self.i += 1;
                return Ok(Value::Ad(Arc::new(ad)));
            }
            let start = self.i;
            while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_') {
                self.i += 1;
            }
            let name = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.to_string();
            self.eat(b'=')?;
            let v = self.value()?;
            ad.insert_value(&name, v);
            if self.peek() == Some(b';') {
                self.i += 1;
            }
        }
    }

    fn string(&mut self) -> Result<Value, String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => {
                    return Ok(Value::string(std::str::from_utf8(&out).map_err(|e| e.to_string())?))
                }
                b'\\' => {
                    let e = *self.s.get(self.i).ok_or("dangling escape")?;
                    self.i += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        other => other,
                    });
                }
                other => out.push(other),
            }
        }
        Err("unterminated string".into())
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        let mut real = false;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c.is_ascii_digit() {
                self.i += 1;
            } else if c == b'.' || c == b'e' || c == b'E' {
                real = true;
                self.i += 1;
                if (c == b'e' || c == b'E') && matches!(self.s.get(self.i), Some(b'-' | b'+')) {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
        let t = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        if real {
            t.parse::<f64>().map(Value::Real).map_err(|e| format!("{t}: {e}"))
        } else {
            t.parse::<i64>().map(Value::Int).map_err(|e| format!("{t}: {e}"))
        }
    }

    fn word(&mut self) -> Result<Value, String> {
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_') {
            self.i += 1;
        }
        let w = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.to_string();
        if self.peek() == Some(b'(') {
            self.i += 1;
            let args = self.items(b')')?;
            let f = lookup(&w).ok_or_else(|| format!("no builtin {w}"))?;
            return Ok(f(&args, self.env));
        }
        Ok(match w.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "undefined" => Value::Undefined,
            "error" => Value::Error,
            _ => return Err(format!("unknown word {w}")),
        })
    }
}
