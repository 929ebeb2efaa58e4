//! The attributes an expression refers to, as HTCondor computes them
//! (`GetExternalReferences` / `GetInternalReferences` with full names,
//! then `TrimReferenceNames`), and the `unresolved()` function built on
//! them.
//!
//! The expression is walked with the ad as the root scope. A reference
//! found in the ad is internal, and the attribute's own expression is
//! walked in turn (so `Requirements` referring to `RequestMemory`
//! referring to `TARGET.Memory` reports `Memory` as external). A bare name
//! not found, or `TARGET.x`/`OTHER.x`, is external. Cycles are walked once.

use super::{Ctx, Found, ScopeId, ScopeOrValue};
use crate::expr::Node;
use crate::{Expr, Value};

/// Which references to collect.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    External,
    Internal,
}

/// Names unique ignoring case, sorted as C's `strcasecmp` orders them
/// (HTCondor's `References` set).
#[derive(Default)]
pub(crate) struct NameSet(Vec<String>);

impl NameSet {
    fn insert(&mut self, name: &str) {
        let key = |s: &str| s.bytes().map(|b| b.to_ascii_lowercase()).collect::<Vec<u8>>();
        let k = key(name);
        match self.0.binary_search_by(|n| key(n).cmp(&k)) {
            Ok(_) => {}
            Err(i) => self.0.insert(i, name.to_string()),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.0
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// HTCondor's `TrimReferenceNames`: drop the scope prefix and anything
/// after the first `.` or `[`.
pub(crate) fn trim(names: NameSet, kind: RefKind) -> NameSet {
    let mut out = NameSet::default();
    for n in names.iter() {
        let mut name = n;
        let strip = |s: &str, p: &str| s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        if kind == RefKind::External {
            for p in ["target.", "other.", ".left.", ".right.", "."] {
                if strip(name, p) {
                    name = &name[p.len()..];
                    break;
                }
            }
        } else if let Some(rest) = name.strip_prefix('.') {
            name = rest;
        }
        let end = name.find(['.', '[']).unwrap_or(name.len());
        out.insert(&name[..end]);
    }
    out
}

/// Most attribute expressions followed through one walk.
const MAX_FOLLOW: u32 = 10_000;

impl Ctx<'_> {
    /// Collect the references of `e`, evaluated in scope `cur`, into `out`.
    pub(crate) fn collect_refs(&mut self, e: &Expr, cur: ScopeId, kind: RefKind, out: &mut NameSet) {
        let mut walk = Walk { kind, active: Vec::new(), followed: 0 };
        walk.expr(self, e, cur, false, out);
    }

    /// `unresolved(attr [, pattern])`: the external references of the
    /// attribute's expression (`TARGET.` dropped), comma-separated; with a
    /// pattern, whether one of them matches it (ignoring case). `undefined`
    /// when the attribute does not exist.
    pub(super) fn unresolved(&mut self, args: &[Expr], cur: ScopeId) -> Value {
        if args.is_empty() || args.len() > 2 || !matches!(&*args[0].0, Node::Attr { .. } | Node::Select { .. }) {
            return Value::Error;
        }
        let Some((expr, scope)) = self.deref(&args[0], cur) else { return Value::Undefined };
        let pattern = match args.get(1) {
            None => None,
            Some(p) => match self.eval(p, cur) {
                Value::String(s) => Some(s),
                _ => return Value::Error,
            },
        };
        let re = match &pattern {
            None => None,
            Some(p) => match regex::bytes::RegexBuilder::new(p).unicode(false).case_insensitive(true).build() {
                Ok(re) => Some(re),
                Err(_) => return Value::Error,
            },
        };
        let mut names = NameSet::default();
        self.collect_refs(&expr, scope, RefKind::External, &mut names);
        let stripped = names.iter().map(|n| {
            if n.len() >= 7 && n.as_bytes()[..7].eq_ignore_ascii_case(b"target.") {
                &n[7..]
            } else {
                n
            }
        });
        match re {
            Some(re) => Value::Bool(
                stripped
                    .into_iter()
                    .any(|n| re.find_iter(n.as_bytes()).any(|m| m.end() > m.start())),
            ),
            None => Value::string(&stripped.collect::<Vec<_>>().join(",")),
        }
    }
}

struct Walk {
    kind: RefKind,
    /// Attribute expressions being walked (cycle guard).
    active: Vec<*const Node>,
    followed: u32,
}

impl Walk {
    fn expr(&mut self, ctx: &mut Ctx<'_>, e: &Expr, cur: ScopeId, in_attr_scope: bool, out: &mut NameSet) {
        match &*e.0 {
            Node::Literal(_) => {}
            Node::Attr { name, absolute } => {
                let found = ctx.find_attr_plain(name, *absolute, cur);
                self.found(ctx, name.as_str(), found, out);
            }
            Node::Select { base, name } => {
                if self.kind == RefKind::Internal {
                    self.expr(ctx, base, cur, true, out);
                }
                let start = match ctx.eval_scope(base, Some(cur)) {
                    ScopeOrValue::Scope(id) => id,
                    ScopeOrValue::Value(Value::Ad(ad)) => ctx.scope_of_value(&ad),
                    ScopeOrValue::Value(Value::Undefined) => {
                        if self.kind == RefKind::External {
                            out.insert(&format!("{}.{}", crate::unparse::unparse_old(base), name.as_str()));
                        }
                        return;
                    }
                    ScopeOrValue::Value(_) => return,
                };
                let found = ctx.lookup_in_scope(start, name);
                self.found(ctx, name.as_str(), found, out);
            }
            Node::Unary { arg, .. } | Node::Paren(arg) => self.expr(ctx, arg, cur, in_attr_scope, out),
            Node::Binary { lhs, rhs, .. } => {
                self.expr(ctx, lhs, cur, in_attr_scope, out);
                self.expr(ctx, rhs, cur, in_attr_scope, out);
            }
            Node::Ternary { cond, then, otherwise } => {
                self.expr(ctx, cond, cur, in_attr_scope, out);
                self.expr(ctx, then, cur, in_attr_scope, out);
                self.expr(ctx, otherwise, cur, in_attr_scope, out);
            }
            Node::Index { base, index } => {
                self.expr(ctx, base, cur, in_attr_scope, out);
                self.expr(ctx, index, cur, in_attr_scope, out);
            }
            Node::Call(c) => c.args.iter().for_each(|a| self.expr(ctx, a, cur, in_attr_scope, out)),
            Node::List(items) => items.iter().for_each(|a| self.expr(ctx, a, cur, in_attr_scope, out)),
            // A nested ad's expressions are walked in the enclosing scope,
            // as HTCondor does (unless the ad only scopes a reference).
            Node::Ad(ad) => {
                if !(in_attr_scope && self.kind == RefKind::Internal) {
                    for (_, a) in ad.iter() {
                        self.expr(ctx, a, cur, in_attr_scope, out);
                    }
                }
            }
        }
    }

    /// What a reference found: internal ones are followed into.
    fn found(&mut self, ctx: &mut Ctx<'_>, name: &str, found: Found<'_>, out: &mut NameSet) {
        let (e, scope) = match found {
            Found::Borrowed(e, s) => (e.clone(), s),
            Found::Owned(e, s) => (e, s),
            Found::Undefined => {
                if self.kind == RefKind::External {
                    out.insert(name);
                }
                return;
            }
            // Special names (MY, PARENT, CurrentTime…) and errors add nothing.
            _ => return,
        };
        if self.kind == RefKind::Internal && Some(scope) == ctx.root {
            out.insert(name);
        }
        let key = std::sync::Arc::as_ptr(&e.0);
        if self.active.contains(&key) || self.followed >= MAX_FOLLOW {
            return;
        }
        self.followed += 1;
        self.active.push(key);
        self.expr(ctx, &e, scope, false, out);
        self.active.pop();
    }
}
