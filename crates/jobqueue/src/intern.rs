//! Sharing of attribute names and literal values between job ads.
//!
//! A million proc ads hold the same few attribute names (`ProcId`,
//! `JobStatus`, `EnteredCurrentStatus`) and mostly the same values
//! (`JobStatus = 1`, one submit time). The [`Interner`] hands out one
//! [`Name`] per spelling and one literal [`Expr`] per value, so each proc
//! pays for a pointer instead of a string and an expression node.
//!
//! Names are kept forever (there are few). Literal values are kept in a
//! bounded cache: small non-negative integers (proc ids, status codes,
//! counters) in a dense table, everything else in a hash map that is
//! emptied when it grows past [`LITERAL_CACHE_MAX`] entries, so a
//! long-running schedd that sees ever-new timestamps does not grow.

use std::collections::HashMap;
use std::sync::Arc;

use classad::{ClassAd, Expr, Name, Value};

/// Integers in `0..DENSE_INTS` share one expression each, forever.
const DENSE_INTS: usize = 1 << 17;

/// The other literal values are cached up to this many entries.
pub const LITERAL_CACHE_MAX: usize = 1 << 16;

/// Strings longer than this are not cached (they are rarely repeated).
const MAX_CACHED_STRING: usize = 256;

#[derive(Hash, PartialEq, Eq)]
enum LitKey {
    Int(i64),
    Real(u64),
    Bool(bool),
    Undefined,
    Error,
}

/// How many recently used names and values are checked before the hash maps.
const RECENT: usize = 8;

/// Hands out shared names and shared literal expressions.
///
/// Proc ads repeat the same names in the same order and mostly the same
/// values, so a small array of recently used ones answers almost every
/// lookup without hashing; the hash maps (std's DoS-resistant hasher, as
/// names come from users) answer the rest.
#[derive(Default)]
pub struct Interner {
    names: HashMap<Box<str>, Name>,
    recent_names: [Option<Name>; RECENT],
    next_name: usize,
    dense: Vec<Option<Expr>>,
    literals: HashMap<LitKey, Expr>,
    strings: HashMap<Box<str>, Expr>,
    recent_ints: [Option<(i64, Expr)>; RECENT],
    next_int: usize,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The shared [`Name`] for this exact spelling.
    pub fn name(&mut self, text: &str) -> Name {
        for n in self.recent_names.iter().flatten() {
            if n.as_str() == text {
                return n.clone();
            }
        }
        let n = match self.names.get(text) {
            Some(n) => n.clone(),
            None => {
                let n = Name::new(text);
                self.names.insert(Box::from(text), n.clone());
                n
            }
        };
        self.recent_names[self.next_name] = Some(n.clone());
        self.next_name = (self.next_name + 1) % RECENT;
        n
    }

    /// A shared literal expression for `v` (a fresh one for values not worth caching).
    pub fn literal(&mut self, v: Value) -> Expr {
        if let Value::Int(i) = v {
            if (0..DENSE_INTS as i64).contains(&i) {
                let i = i as usize;
                if self.dense.len() <= i {
                    let want = (i + 1).next_power_of_two().min(DENSE_INTS);
                    self.dense.resize(want, None);
                }
                return self.dense[i].get_or_insert_with(|| Expr::literal(Value::Int(i as i64))).clone();
            }
        }
        if let Value::Int(i) = v {
            for (k, e) in self.recent_ints.iter().flatten() {
                if *k == i {
                    return e.clone();
                }
            }
            let e = self.cached(LitKey::Int(i), v);
            self.recent_ints[self.next_int] = Some((i, e.clone()));
            self.next_int = (self.next_int + 1) % RECENT;
            return e;
        }
        let key = match &v {
            Value::Int(i) => LitKey::Int(*i),
            Value::Real(r) => LitKey::Real(r.to_bits()),
            Value::Bool(b) => LitKey::Bool(*b),
            Value::String(s) => return self.string_value(s.clone()),
            Value::Undefined => LitKey::Undefined,
            Value::Error => LitKey::Error,
            _ => return Expr::literal(v),
        };
        self.cached(key, v)
    }

    /// A shared string literal, allocating only when `s` is new.
    pub fn string(&mut self, s: &str) -> Expr {
        match self.strings.get(s) {
            Some(e) => e.clone(),
            None => self.string_value(Arc::from(s)),
        }
    }

    fn string_value(&mut self, s: Arc<str>) -> Expr {
        if s.len() > MAX_CACHED_STRING {
            return Expr::literal(Value::String(s));
        }
        if let Some(e) = self.strings.get(&*s) {
            return e.clone();
        }
        if self.strings.len() >= LITERAL_CACHE_MAX {
            self.strings.clear();
        }
        let e = Expr::literal(Value::String(s.clone()));
        self.strings.insert(Box::from(&*s), e.clone());
        e
    }

    fn cached(&mut self, key: LitKey, v: Value) -> Expr {
        if let Some(e) = self.literals.get(&key) {
            return e.clone();
        }
        if self.literals.len() >= LITERAL_CACHE_MAX {
            self.literals.clear();
        }
        let e = Expr::literal(v);
        self.literals.insert(key, e.clone());
        e
    }

    /// The expression to store: literals are shared, other expressions kept as they are.
    pub fn expr(&mut self, e: Expr) -> Expr {
        match e.as_literal() {
            Some(v) if !matches!(v, Value::List(_) | Value::Ad(_) | Value::AbsTime { .. } | Value::RelTime(_)) => {
                self.literal(v.clone())
            }
            _ => e,
        }
    }

    /// A copy of `ad`'s own attributes (not its chain) with shared names and literals.
    pub fn ad(&mut self, ad: &ClassAd) -> ClassAd {
        let mut out = ClassAd::new();
        for (n, e) in ad.iter() {
            let name = self.name(n);
            out.insert_name(name, self.expr(e.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_literals_share_one_expression() {
        let mut i = Interner::new();
        let a = i.literal(Value::Int(7));
        let b = i.literal(Value::Int(7));
        assert!(std::ptr::eq(a.node(), b.node()));
        let s1 = i.literal(Value::string("alice"));
        let s2 = i.literal(Value::string("alice"));
        assert_eq!(s1.as_literal(), Some(&Value::string("alice")));
        assert!(std::ptr::eq(s1.node(), s2.node()));
        assert_eq!(i.strings.len(), 1);
        assert!(std::ptr::eq(i.string("alice").node(), s1.node()));
        let n1 = i.name("ProcId");
        let n2 = i.name("ProcId");
        assert!(std::ptr::eq(n1.as_str(), n2.as_str()));
        // A different spelling is a different name (ads keep the spelling they were given).
        assert_eq!(i.name("procid").as_str(), "procid");
    }

    #[test]
    fn the_literal_cache_stays_bounded() {
        let mut i = Interner::new();
        for t in 0..(LITERAL_CACHE_MAX as i64 * 3) {
            i.literal(Value::Int(1_700_000_000 + t));
        }
        assert!(i.literals.len() <= LITERAL_CACHE_MAX);
    }
}
