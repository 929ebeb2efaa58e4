//! Evaluator forms that work on unevaluated arguments and scopes:
//! `evalInEachContext`/`countMatches` and HTCondor's `Deref` of an
//! attribute reference.

use std::sync::Arc;

use super::{Ctx, Found, Scope, ScopeId, ScopeOrValue};
use crate::expr::Node;
use crate::ops;
use crate::{Expr, Value};

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
        let body = match &*expr.0 {
            Node::Attr { .. } | Node::Select { .. } => self.deref(expr, cur).map_or_else(|| expr.clone(), |(e, _)| e),
            _ => expr.clone(),
        };
        let items = match self.eval(ads, cur) {
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
        let found = match &*e.0 {
            Node::Attr { name, absolute } => self.find_attr(name, *absolute, Some(cur)),
            Node::Select { base, name } => match self.eval_scope(base, Some(cur)) {
                ScopeOrValue::Scope(id) => self.lookup_in_scope(id, name),
                ScopeOrValue::Value(Value::Ad(ad)) => {
                    let id = self.scope_of_value(&ad);
                    self.lookup_in_scope(id, name)
                }
                ScopeOrValue::Value(_) => return None,
            },
            _ => return None,
        };
        match found {
            Found::Borrowed(e, s) => Some((e.clone(), s)),
            Found::Owned(e, s) => Some((e, s)),
            _ => None,
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
