//! Evaluator forms that work on unevaluated arguments and scopes:
//! `evalInEachContext`/`countMatches` and HTCondor's `Deref` of an
//! attribute reference.

use std::sync::Arc;

use super::{Ctx, Found, Scope, ScopeId, ScopeOrValue};
use crate::expr::Node;
use crate::ops;
use crate::{Expr, Value};

/// What HTCondor's `Deref` of an attribute reference gave.
enum Deref {
    /// The attribute's expression and the scope it was found in.
    Found(Expr, ScopeId),
    /// Not found; the scope HTCondor's search ended in.
    Missing(ScopeId),
}

impl Ctx<'_> {
    /// `evalInEachContext(expr, ads)` / `countMatches(expr, ads)`.
    ///
    /// As in HTCondor, an attribute reference as `expr` is first looked up
    /// where the call is (so `countMatches(RequireGPUs, AvailableGPUs)`
    /// evaluates the job's `RequireGPUs` expression), then evaluated with
    /// each ad of the list as the current scope; inside it, names not found
    /// fall through to the other ad of the match. `countMatches` counts the
    /// results that are true (numbers count as booleans) and never
    /// propagates `undefined` or `error`.
    pub(super) fn eval_in_each(&mut self, expr: &Expr, ads: &Expr, cur: ScopeId, count: bool) -> Value {
        // HTCondor's lookup leaves its evaluation state in the scope where the
        // search ended (the ad where the attribute was found, else the match
        // root), and the ads are then evaluated from there.
        let (body, list_scope) = match &*expr.0 {
            Node::Attr { .. } | Node::Select { .. } => match self.deref_from(expr, cur) {
                Deref::Found(e, scope) => (e, scope),
                Deref::Missing(scope) => (expr.clone(), scope),
            },
            _ => (expr.clone(), cur),
        };
        let items = match self.eval(ads, list_scope) {
            Value::List(items) => items,
            Value::Undefined => return if count { Value::Int(0) } else { Value::Undefined },
            _ => return Value::Error,
        };
        let mut n = 0i64;
        let mut out = Vec::with_capacity(if count { 0 } else { items.len() });
        for item in items.iter() {
            let v = match item {
                Value::Ad(ad) => {
                    let id = self.scope_of_value(ad);
                    let inherited = self.inherited_alternate(id);
                    let saved = self.set_alternate(id, inherited);
                    let v = self.eval(&body, id);
                    self.set_alternate(id, saved);
                    v
                }
                Value::Undefined => Value::Undefined,
                _ => Value::Error,
            };
            if count {
                if ops::bool_equiv(&v) == Some(true) {
                    n += 1;
                }
            } else {
                out.push(v);
            }
        }
        if count {
            Value::Int(n)
        } else {
            Value::List(Arc::new(out))
        }
    }

    /// The expression an attribute reference names (HTCondor's `Deref`),
    /// without evaluating it, and the scope it was found in.
    pub(super) fn deref(&mut self, e: &Expr, cur: ScopeId) -> Option<(Expr, ScopeId)> {
        match self.deref_from(e, cur) {
            Deref::Found(e, s) => Some((e, s)),
            Deref::Missing(_) => None,
        }
    }

    /// [`Ctx::deref`], also telling where HTCondor's search left its
    /// current scope when nothing was found.
    fn deref_from(&mut self, e: &Expr, cur: ScopeId) -> Deref {
        let found = match &*e.0 {
            Node::Attr { name, absolute } => self.find_attr(name, *absolute, Some(cur)),
            Node::Select { base, name } => match self.eval_scope(base, Some(cur)) {
                ScopeOrValue::Scope(id) => self.lookup_in_scope(id, name),
                ScopeOrValue::Value(Value::Ad(ad)) => {
                    let id = self.scope_of_value(&ad);
                    self.lookup_in_scope(id, name)
                }
                // The base did not give an ad: no search happened.
                ScopeOrValue::Value(_) => return Deref::Missing(cur),
            },
            _ => return Deref::Missing(cur),
        };
        match found {
            Found::Borrowed(e, s) => Deref::Found(e.clone(), s),
            Found::Owned(e, s) => Deref::Found(e, s),
            _ => Deref::Missing(self.root.unwrap_or(cur)),
        }
    }

    /// The alternate scope of the nearest enclosing ad that has one.
    fn inherited_alternate(&self, mut id: ScopeId) -> Option<ScopeId> {
        for _ in 0..self.scopes.len() {
            if let Scope::Ad { alternate: Some(a), .. } = self.scopes[id as usize] {
                return Some(a);
            }
            id = self.parent_of(id)?;
        }
        None
    }

    /// Set a scope's alternate, returning the previous one.
    fn set_alternate(&mut self, id: ScopeId, alt: Option<ScopeId>) -> Option<ScopeId> {
        match &mut self.scopes[id as usize] {
            Scope::Ad { alternate, .. } => std::mem::replace(alternate, alt),
            _ => None,
        }
    }
}
