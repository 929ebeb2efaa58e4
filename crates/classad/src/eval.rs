//! Evaluation of expressions against ads.
//!
//! Scoping follows HTCondor's matchmaking setup. When an expression of ad
//! `my` is evaluated against `target`, the scopes are:
//!
//! ```text
//!   match root  [ LEFT = my; RIGHT = target; lCtx; rCtx; symmetricMatch = …; … ]
//!     ├─ lCtx   [ my = .LEFT;  ad = .LEFT;  target = .RIGHT; other = .RIGHT ]
//!     │    └─ my ad        (alternate scope: target)
//!     └─ rCtx   [ my = .RIGHT; ad = .RIGHT; target = .LEFT;  other = .LEFT ]
//!          └─ target ad    (alternate scope: my)
//! ```
//!
//! A bare name is looked up in the current ad, then its enclosing ads, then
//! (for the top-level ads only) in the other ad of the match — so `Memory`
//! in a job means the job's `Memory`, else the machine's. `MY`, `SELF`,
//! `TOPLEVEL`, `ROOT`, `PARENT` and `CurrentTime` are special names when no
//! attribute of that name exists. Nested ads (`[a = 1; b = a + 1]`) look
//! names up in themselves first and then in the ad that encloses them.
//!
//! An attribute that refers back to itself (directly or through others)
//! evaluates to `undefined`, as in HTCondor; chains of references deeper than
//! [`MAX_REFERENCE_DEPTH`] give `error`, and so does an evaluation exceeding
//! [`MAX_STEPS`] steps (exponential re-evaluation) or [`MAX_NESTING`] nested
//! operations, so evaluation never overflows the stack.

use std::sync::{Arc, OnceLock};

use crate::builtins;
use crate::expr::{fold_hash, BinaryOp, Call, Func, Name, Node, Special};
use crate::ops;
use crate::{ClassAd, Dialect, Expr, Value};

mod refs;
mod special;


/// Longest chain of attribute references followed (HTCondor's limit).
pub const MAX_REFERENCE_DEPTH: u32 = 400;
/// Deepest nesting of operations evaluated.
pub const MAX_NESTING: u32 = 2000;
/// Node evaluations allowed for one top-level evaluation (HTCondor's limit).
pub const MAX_STEPS: u64 = 10_000_000;

type ScopeId = u32;

/// An ad that is a scope: borrowed from the caller or owned by a value.
enum AdRef<'a> {
    Borrowed(&'a ClassAd),
    Owned(Arc<ClassAd>),
}

impl AdRef<'_> {
    fn ad(&self) -> &ClassAd {
        match self {
            AdRef::Borrowed(a) => a,
            AdRef::Owned(a) => a,
        }
    }
}

enum Scope<'a> {
    Ad {
        ad: AdRef<'a>,
        parent: Option<ScopeId>,
        alternate: Option<ScopeId>,
        /// The ad as a shared value, once it has been needed as one.
        shared: Option<Arc<ClassAd>>,
    },
    MatchRoot,
    LeftCtx,
    RightCtx,
}

/// What a name resolved to.
enum Found<'a> {
    /// An attribute's expression and the scope it belongs to.
    Borrowed(&'a Expr, ScopeId),
    Owned(Expr, ScopeId),
    /// A whole scope (`MY`, `TARGET`, `PARENT`, …).
    Scope(ScopeId),
    Value(Value),
    Undefined,
    Error,
}

/// Either a scope (so `.name` can be looked up without copying the ad) or a value.
enum ScopeOrValue {
    Scope(ScopeId),
    Value(Value),
}

pub(crate) struct Ctx<'a> {
    scopes: Vec<Scope<'a>>,
    root: Option<ScopeId>,
    my: Option<ScopeId>,
    target: Option<ScopeId>,
    /// Expressions being evaluated through attribute references (cycle detection).
    active: Vec<*const Node>,
    ref_depth: u32,
    nesting: u32,
    steps: u64,
    env: builtins::Env,
}

static EMPTY: OnceLock<ClassAd> = OnceLock::new();

fn empty_ad() -> &'static ClassAd {
    EMPTY.get_or_init(ClassAd::new)
}

const H_MY: u64 = fold_hash("my");
const H_TARGET: u64 = fold_hash("target");
const H_OTHER: u64 = fold_hash("other");
const H_AD: u64 = fold_hash("ad");
const H_LEFT: u64 = fold_hash("left");
const H_RIGHT: u64 = fold_hash("right");
const H_LCTX: u64 = fold_hash("lctx");
const H_RCTX: u64 = fold_hash("rctx");
const H_SELF: u64 = fold_hash("self");
const H_TOPLEVEL: u64 = fold_hash("toplevel");
const H_ROOT: u64 = fold_hash("root");
const H_PARENT: u64 = fold_hash("parent");
const H_CURRENT_TIME: u64 = fold_hash("currenttime");

#[inline]
fn named(name: &Name, hash: u64, text: &str) -> bool {
    name.hash() == hash && name.is(text)
}

/// The match root's own attributes, as HTCondor defines them.
fn match_root_exprs() -> &'static [(&'static str, Expr)] {
    static EXPRS: OnceLock<Vec<(&'static str, Expr)>> = OnceLock::new();
    EXPRS.get_or_init(|| {
        [
            ("symmetricMatch", "RIGHT.requirements && LEFT.requirements"),
            ("leftMatchesRight", "RIGHT.requirements"),
            ("rightMatchesLeft", "LEFT.requirements"),
            ("leftRankValue", "LEFT.rank"),
            ("rightRankValue", "RIGHT.rank"),
        ]
        .into_iter()
        .filter_map(|(n, t)| Expr::parse(t).ok().map(|e| (n, e)))
        .collect()
    })
}

pub(crate) fn eval_expr(e: &Expr, my: Option<&ClassAd>, target: Option<&ClassAd>) -> Value {
    let mut ctx = Ctx::new(my, target);
    let cur = ctx.my;
    ctx.eval_in(e, cur)
}

/// A value as HTCondor hands it out: a list written as `{...}` keeps its
/// element expressions unevaluated (literals stay values).
#[derive(Debug, Clone, PartialEq)]
pub enum Lazy {
    Value(Value),
    List(Vec<Lazy>),
    Expr(Expr),
}

impl Lazy {
    fn of_element(e: &Expr) -> Lazy {
        match e.node() {
            Node::Literal(v) => Lazy::Value(v.clone()),
            Node::List(items) => Lazy::List(items.iter().map(Lazy::of_element).collect()),
            Node::Ad(ad) => Lazy::Value(Value::Ad(ad.clone())),
            _ => Lazy::Expr(e.clone()),
        }
    }
}

pub(crate) fn eval_lazy(e: &Expr, my: Option<&ClassAd>, target: Option<&ClassAd>, dialect: Dialect) -> Lazy {
    let mut ctx = Ctx::new(my, target);
    if !dialect.is_configured() {
        ctx.drop_alternates();
    }
    let cur = ctx.my;
    let v = ctx.eval_in(e, cur);
    if let Value::List(list) = &v {
        if let Some(src) = ctx.env.lists.source_of(list) {
            if let Node::List(items) = src.node() {
                return Lazy::List(items.iter().map(Lazy::of_element).collect());
            }
        }
    }
    Lazy::Value(v)
}

/// The attributes `e` refers to in `ad` (internal) or outside it
/// (external), with HTCondor's name trimming (`TARGET.Memory` is `Memory`).
pub(crate) fn references(ad: &ClassAd, e: &Expr, kind: refs::RefKind) -> Vec<String> {
    let mut ctx = Ctx::new(Some(ad), None);
    let mut names = refs::NameSet::default();
    let cur = ctx.my.unwrap_or(0);
    ctx.collect_refs(e, cur, kind, &mut names);
    refs::trim(names, kind).into_vec()
}

pub(crate) use refs::RefKind;

pub(crate) fn eval_attr(ad: &ClassAd, name: &str, target: Option<&ClassAd>) -> Value {
    let mut ctx = Ctx::new(Some(ad), target);
    let name = Name::new(name);
    let cur = ctx.my;
    let found = ctx.find_attr(&name, false, cur);
    ctx.found_value(found)
}

impl<'a> Ctx<'a> {
    fn new(my: Option<&'a ClassAd>, target: Option<&'a ClassAd>) -> Ctx<'a> {
        let mut ctx = Ctx {
            scopes: Vec::with_capacity(if target.is_some() { 5 } else { 1 }),
            root: None,
            my: None,
            target: None,
            active: Vec::new(),
            ref_depth: 0,
            nesting: 0,
            steps: 0,
            env: builtins::Env::default(),
        };
        match (my, target) {
            (my, Some(t)) => {
                let my = my.unwrap_or_else(|| empty_ad());
                ctx.scopes.push(Scope::MatchRoot); // 0
                ctx.scopes.push(Scope::LeftCtx); // 1
                ctx.scopes.push(Scope::RightCtx); // 2
                ctx.scopes.push(Scope::Ad {
                    ad: AdRef::Borrowed(my),
                    parent: Some(1),
                    alternate: Some(4),
                    shared: None,
                }); // 3
                ctx.scopes.push(Scope::Ad {
                    ad: AdRef::Borrowed(t),
                    parent: Some(2),
                    alternate: Some(3),
                    shared: None,
                }); // 4
                ctx.root = Some(0);
                ctx.my = Some(3);
                ctx.target = Some(4);
            }
            (m, None) => {
                let m = m.unwrap_or_else(|| empty_ad());
                ctx.scopes.push(Scope::Ad { ad: AdRef::Borrowed(m), parent: None, alternate: None, shared: None });
                ctx.root = Some(0);
                ctx.my = Some(0);
            }
        }
        ctx
    }

    /// Without old ClassAd semantics a match does not let bare names fall
    /// through to the other ad.
    fn drop_alternates(&mut self) {
        for s in &mut self.scopes {
            if let Scope::Ad { alternate, .. } = s {
                *alternate = None;
            }
        }
    }

    fn parent_of(&self, id: ScopeId) -> Option<ScopeId> {
        match &self.scopes[id as usize] {
            Scope::Ad { parent, .. } => *parent,
            Scope::MatchRoot => None,
            Scope::LeftCtx | Scope::RightCtx => Some(0),
        }
    }

    fn push_scope(&mut self, ad: Arc<ClassAd>, parent: Option<ScopeId>) -> ScopeId {
        let id = self.scopes.len() as ScopeId;
        self.scopes.push(Scope::Ad { shared: Some(ad.clone()), ad: AdRef::Owned(ad), parent, alternate: None });
        id
    }

    /// The scope of an ad value: the one it was created in, if known.
    fn scope_of_value(&mut self, ad: &Arc<ClassAd>) -> ScopeId {
        for (i, s) in self.scopes.iter().enumerate().rev() {
            if let Scope::Ad { shared: Some(a), .. } = s {
                if Arc::ptr_eq(a, ad) {
                    return i as ScopeId;
                }
            }
        }
        self.push_scope(ad.clone(), None)
    }

    /// A scope as a value (the ad is copied only for caller-owned ads).
    fn scope_value(&mut self, id: ScopeId) -> Value {
        let my = self.my;
        let target = self.target;
        match &mut self.scopes[id as usize] {
            Scope::Ad { ad, shared, .. } => {
                if let Some(a) = shared {
                    return Value::Ad(a.clone());
                }
                let a = Arc::new(ad.ad().clone());
                *shared = Some(a.clone());
                Value::Ad(a)
            }
            Scope::LeftCtx => Value::Ad(Arc::new(ctx_ad("LEFT", "RIGHT"))),
            Scope::RightCtx => Value::Ad(Arc::new(ctx_ad("RIGHT", "LEFT"))),
            Scope::MatchRoot => {
                let mut root = ClassAd::new();
                for (n, e) in match_root_exprs() {
                    root.insert(n, e.clone());
                }
                root.insert("lCtx", Expr::new(Node::Ad(Arc::new(ctx_ad("LEFT", "RIGHT")))));
                root.insert("rCtx", Expr::new(Node::Ad(Arc::new(ctx_ad("RIGHT", "LEFT")))));
                for (name, sid) in [("LEFT", my), ("RIGHT", target)] {
                    if let Some(sid) = sid {
                        if let Value::Ad(a) = self.scope_value(sid) {
                            root.insert(name, Expr::new(Node::Ad(a)));
                        }
                    }
                }
                Value::Ad(Arc::new(root))
            }
        }
    }

    /// Attributes defined directly in a scope.
    fn direct(&self, id: ScopeId, name: &Name) -> Option<Found<'a>> {
        match &self.scopes[id as usize] {
            Scope::Ad { ad, .. } => match ad {
                AdRef::Borrowed(a) => a.get_name(name).map(|e| Found::Borrowed(e, id)),
                AdRef::Owned(a) => a.get_name(name).map(|e| Found::Owned(e.clone(), id)),
            },
            Scope::LeftCtx | Scope::RightCtx => {
                let left = matches!(self.scopes[id as usize], Scope::LeftCtx);
                let (mine, other) = if left { (self.my, self.target) } else { (self.target, self.my) };
                if named(name, H_MY, "my") || named(name, H_AD, "ad") {
                    Some(mine.map_or(Found::Undefined, Found::Scope))
                } else if named(name, H_TARGET, "target") || named(name, H_OTHER, "other") {
                    Some(other.map_or(Found::Undefined, Found::Scope))
                } else {
                    None
                }
            }
            Scope::MatchRoot => {
                if named(name, H_LEFT, "LEFT") {
                    Some(self.my.map_or(Found::Undefined, Found::Scope))
                } else if named(name, H_RIGHT, "RIGHT") {
                    Some(self.target.map_or(Found::Undefined, Found::Scope))
                } else if named(name, H_LCTX, "lCtx") {
                    Some(Found::Scope(1))
                } else if named(name, H_RCTX, "rCtx") {
                    Some(Found::Scope(2))
                } else {
                    match_root_exprs()
                        .iter()
                        .find(|(n, _)| name.is(n))
                        .map(|(_, e)| Found::Owned(e.clone(), 0))
                }
            }
        }
    }

    /// HTCondor's `LookupInScope`: the scope, then its enclosing scopes,
    /// with the special names where no attribute is found.
    fn lookup_in_scope(&self, start: ScopeId, name: &Name) -> Found<'a> {
        let mut cur = start;
        loop {
            if let Some(f) = self.direct(cur, name) {
                return f;
            }
            let sup = if Some(cur) == self.root { None } else { self.parent_of(cur) };
            let h = name.hash();
            if named(name, H_TOPLEVEL, "toplevel") || named(name, H_ROOT, "root") {
                return self.root.map_or(Found::Error, Found::Scope);
            } else if named(name, H_SELF, "self") || (h == H_MY && name.is("my")) {
                return Found::Scope(cur);
            } else if named(name, H_PARENT, "parent") {
                return sup.map_or(Found::Undefined, Found::Scope);
            } else if named(name, H_CURRENT_TIME, "CurrentTime") {
                return Found::Value(Value::Int(now()));
            }
            match sup {
                Some(s) if s != start => cur = s,
                _ => return Found::Undefined,
            }
        }
    }

    /// Resolve a bare `name` (or `.name`) evaluated in scope `cur`.
    fn find_attr(&self, name: &Name, absolute: bool, cur: Option<ScopeId>) -> Found<'a> {
        let start = if absolute { self.root } else { cur };
        let Some(start) = start else {
            return if absolute { Found::Error } else { Found::Undefined };
        };
        let f = self.lookup_in_scope(start, name);
        if !absolute && matches!(f, Found::Undefined) {
            if let Scope::Ad { alternate: Some(alt), .. } = self.scopes[start as usize] {
                return self.lookup_in_scope(alt, name);
            }
        }
        f
    }

    /// A bare name looked up through the enclosing scopes only (HTCondor's
    /// `LookupInScope`, without falling through to the other ad).
    fn find_attr_plain(&self, name: &Name, absolute: bool, cur: ScopeId) -> Found<'a> {
        let start = if absolute { self.root } else { Some(cur) };
        match start {
            Some(start) => self.lookup_in_scope(start, name),
            None => Found::Error,
        }
    }

    fn found_value(&mut self, f: Found<'a>) -> Value {
        match f {
            Found::Borrowed(e, s) => self.eval_reference(e, s),
            Found::Owned(e, s) => self.eval_reference(&e, s),
            Found::Scope(id) => self.scope_value(id),
            Found::Value(v) => v,
            Found::Undefined => Value::Undefined,
            Found::Error => Value::Error,
        }
    }

    /// Evaluate an attribute's expression in its own scope, detecting cycles.
    fn eval_reference(&mut self, e: &Expr, scope: ScopeId) -> Value {
        let key = Arc::as_ptr(&e.0);
        if self.active.contains(&key) {
            return Value::Undefined;
        }
        if self.ref_depth >= MAX_REFERENCE_DEPTH {
            return Value::Error;
        }
        self.active.push(key);
        self.ref_depth += 1;
        let v = self.eval(e, scope);
        self.ref_depth -= 1;
        self.active.pop();
        v
    }

    /// Like [`eval_reference`] but keeps a nested ad as a scope.
    fn scope_of_reference(&mut self, e: &Expr, scope: ScopeId) -> ScopeOrValue {
        let key = Arc::as_ptr(&e.0);
        if self.active.contains(&key) {
            return ScopeOrValue::Value(Value::Undefined);
        }
        if self.ref_depth >= MAX_REFERENCE_DEPTH {
            return ScopeOrValue::Value(Value::Error);
        }
        self.active.push(key);
        self.ref_depth += 1;
        let v = self.eval_scope(e, Some(scope));
        self.ref_depth -= 1;
        self.active.pop();
        v
    }

    fn eval_in(&mut self, e: &Expr, cur: Option<ScopeId>) -> Value {
        self.eval(e, cur.unwrap_or(0))
    }

    /// Evaluate `e` in scope `cur`.
    pub(crate) fn eval(&mut self, e: &Expr, cur: ScopeId) -> Value {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.nesting >= MAX_NESTING {
            return Value::Error;
        }
        self.nesting += 1;
        let v = self.eval_node(e, cur);
        self.nesting -= 1;
        v
    }

    fn eval_node(&mut self, e: &Expr, cur: ScopeId) -> Value {
        match &*e.0 {
            // HTCondor's relative-time literal (`relTime("1:00")`) evaluates
            // to a real number of seconds; only computed relative times
            // (`relTime(60)`, `t1 - t2`) are relative-time values.
            Node::Literal(Value::RelTime(r)) => Value::Real(*r),
            Node::Literal(v) => v.clone(),
            Node::Attr { name, absolute } => {
                let f = self.find_attr(name, *absolute, Some(cur));
                self.found_value(f)
            }
            Node::Select { .. } => match self.eval_scope(e, Some(cur)) {
                ScopeOrValue::Scope(id) => self.scope_value(id),
                ScopeOrValue::Value(v) => v,
            },
            Node::Paren(inner) => self.eval(inner, cur),
            Node::Unary { op, arg } => {
                let v = self.eval(arg, cur);
                ops::unary(*op, &v)
            }
            Node::Binary { op, lhs, rhs } => self.eval_binary(*op, lhs, rhs, cur),
            Node::Ternary { cond, then, otherwise } => {
                let c = self.eval(cond, cur);
                match c {
                    Value::Undefined => Value::Undefined,
                    Value::Error => Value::Error,
                    other => match ops::bool_equiv(&other) {
                        Some(true) => self.eval(then, cur),
                        Some(false) => self.eval(otherwise, cur),
                        None => Value::Error,
                    },
                }
            }
            Node::Index { base, index } => self.eval_index(base, index, cur),
            Node::Call(call) => self.eval_call(call, cur),
            Node::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item, cur));
                }
                let list = Arc::new(out);
                self.env.lists.record(&list, e);
                Value::List(list)
            }
            Node::Ad(ad) => {
                self.push_scope(ad.clone(), Some(cur));
                Value::Ad(ad.clone())
            }
        }
    }

    fn eval_binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, cur: ScopeId) -> Value {
        let a = self.eval(lhs, cur);
        match op {
            BinaryOp::And => match ops::bool_equiv(&a) {
                Some(false) => Value::Bool(false),
                _ if a.is_error() => Value::Error,
                _ => {
                    let b = self.eval(rhs, cur);
                    ops::logical_and(&a, &b)
                }
            },
            BinaryOp::Or => match ops::bool_equiv(&a) {
                Some(true) => Value::Bool(true),
                _ if a.is_error() => Value::Error,
                _ => {
                    let b = self.eval(rhs, cur);
                    ops::logical_or(&a, &b)
                }
            },
            BinaryOp::Elvis => {
                if a.is_undefined() {
                    self.eval(rhs, cur)
                } else {
                    a
                }
            }
            _ => {
                let b = self.eval(rhs, cur);
                ops::binary(op, &a, &b)
            }
        }
    }

    /// Evaluate `e` keeping ads as scopes where possible (for `e.name`).
    fn eval_scope(&mut self, e: &Expr, cur: Option<ScopeId>) -> ScopeOrValue {
        match &*e.0 {
            Node::Attr { name, absolute } => {
                let f = self.find_attr(name, *absolute, cur);
                self.found_scope(f)
            }
            Node::Select { base, name } => {
                self.steps += 1;
                if self.nesting >= MAX_NESTING {
                    return ScopeOrValue::Value(Value::Error);
                }
                self.nesting += 1;
                let b = self.eval_scope(base, cur);
                let r = self.select(b, name);
                self.nesting -= 1;
                r
            }
            Node::Paren(inner) => self.eval_scope(inner, cur),
            Node::Ad(ad) => ScopeOrValue::Scope(self.push_scope(ad.clone(), cur)),
            _ => ScopeOrValue::Value(self.eval_in(e, cur)),
        }
    }

    fn found_scope(&mut self, f: Found<'a>) -> ScopeOrValue {
        match f {
            Found::Borrowed(e, s) => self.scope_of_reference(e, s),
            Found::Owned(e, s) => self.scope_of_reference(&e, s),
            Found::Scope(id) => ScopeOrValue::Scope(id),
            Found::Value(v) => ScopeOrValue::Value(v),
            Found::Undefined => ScopeOrValue::Value(Value::Undefined),
            Found::Error => ScopeOrValue::Value(Value::Error),
        }
    }

    /// `base.name` once `base` is known.
    fn select(&mut self, base: ScopeOrValue, name: &Name) -> ScopeOrValue {
        let id = match base {
            ScopeOrValue::Scope(id) => id,
            ScopeOrValue::Value(Value::Ad(ad)) => self.scope_of_value(&ad),
            ScopeOrValue::Value(Value::Undefined) => return ScopeOrValue::Value(Value::Undefined),
            ScopeOrValue::Value(Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let v = match self.select(ScopeOrValue::Value(item.clone()), name) {
                        ScopeOrValue::Scope(id) => self.scope_value(id),
                        ScopeOrValue::Value(v) => v,
                    };
                    out.push(v);
                }
                return ScopeOrValue::Value(Value::List(Arc::new(out)));
            }
            ScopeOrValue::Value(_) => return ScopeOrValue::Value(Value::Error),
        };
        let f = self.lookup_in_scope(id, name);
        self.found_scope(f)
    }

    fn eval_index(&mut self, base: &Expr, index: &Expr, cur: ScopeId) -> Value {
        let b = match self.eval_scope(base, Some(cur)) {
            ScopeOrValue::Scope(id) => {
                // ad["name"]: look the name up in that ad only.
                let i = self.eval(index, cur);
                return match i {
                    Value::Error => Value::Error,
                    Value::Undefined => Value::Undefined,
                    Value::String(s) => self.index_ad(id, &s),
                    _ => Value::Error,
                };
            }
            ScopeOrValue::Value(v) => v,
        };
        let i = self.eval(index, cur);
        if b.is_error() || i.is_error() {
            return Value::Error;
        }
        if b.is_undefined() || i.is_undefined() {
            return Value::Undefined;
        }
        match (&b, &i) {
            (Value::List(items), Value::Int(n)) => {
                // HTCondor truncates the index to a C int.
                let n = *n as i32;
                if n < 0 || n as usize >= items.len() {
                    Value::Error
                } else {
                    items[n as usize].clone()
                }
            }
            (Value::Ad(ad), Value::String(s)) => {
                let id = self.scope_of_value(ad);
                self.index_ad(id, s)
            }
            _ => Value::Error,
        }
    }

    fn index_ad(&mut self, id: ScopeId, name: &str) -> Value {
        let name = Name::new(name);
        match self.direct(id, &name) {
            Some(f) => self.found_value(f),
            None => Value::Undefined,
        }
    }

    fn eval_call(&mut self, call: &Call, cur: ScopeId) -> Value {
        match call.func {
            Func::Builtin(f) => {
                let mut args = Vec::with_capacity(call.args.len());
                for a in &call.args {
                    args.push(self.eval(a, cur));
                }
                f(&args, &self.env)
            }
            Func::Unknown => Value::Error,
            Func::Special(s) => self.eval_special(s, call, cur),
        }
    }

    fn eval_special(&mut self, s: Special, call: &Call, cur: ScopeId) -> Value {
        let args = &call.args;
        match s {
            Special::IfThenElse => {
                if args.len() != 3 {
                    return Value::Error;
                }
                match self.eval(&args[0], cur) {
                    Value::Undefined => Value::Undefined,
                    Value::Bool(b) => self.eval(&args[if b { 1 } else { 2 }], cur),
                    Value::Int(i) => self.eval(&args[if i != 0 { 1 } else { 2 }], cur),
                    Value::Real(r) => self.eval(&args[if r != 0.0 { 1 } else { 2 }], cur),
                    _ => Value::Error,
                }
            }
            Special::Debug => {
                if args.len() != 1 {
                    return Value::Error;
                }
                self.eval(&args[0], cur)
            }
            Special::Eval => {
                if args.len() != 1 {
                    return Value::Error;
                }
                let v = self.eval(&args[0], cur);
                let text = match &v {
                    Value::String(s) => s.to_string(),
                    Value::Undefined | Value::Error => return Value::Error,
                    Value::Int(i) => i.to_string(),
                    Value::Real(r) => crate::unparse::format_real(*r),
                    Value::Bool(b) => b.to_string(),
                    other => crate::unparse::unparse_value(other),
                };
                if self.ref_depth >= MAX_REFERENCE_DEPTH {
                    return Value::Error;
                }
                match Expr::parse(&text) {
                    Ok(e) => {
                        self.ref_depth += 1;
                        let r = self.eval(&e, cur);
                        self.ref_depth -= 1;
                        r
                    }
                    Err(_) => Value::Error,
                }
            }
            Special::Unparse => {
                if args.len() != 1 {
                    return Value::Error;
                }
                match &*args[0].0 {
                    Node::Attr { name, absolute: false } => match self.direct(cur, name) {
                        Some(Found::Borrowed(e, _)) => Value::String(Arc::from(crate::pretty::pretty(e))),
                        Some(Found::Owned(e, _)) => Value::String(Arc::from(crate::pretty::pretty(&e))),
                        _ => Value::String(Arc::from("")),
                    },
                    Node::Attr { .. } | Node::Select { .. } => Value::String(Arc::from("")),
                    _ => Value::Error,
                }
            }
            Special::Unresolved => self.unresolved(args, cur),
            Special::EvalInEachContext | Special::CountMatches => {
                if args.len() != 2 {
                    return Value::Error;
                }
                self.eval_in_each(&args[0], &args[1], cur, s == Special::CountMatches)
            }
        }
    }
}

fn ctx_ad(mine: &str, other: &str) -> ClassAd {
    let mut ad = ClassAd::new();
    for (n, t) in [("ad", mine), ("my", mine), ("other", other), ("target", other)] {
        ad.insert(n, Expr::new(Node::Attr { name: Name::new(t), absolute: true }));
    }
    ad
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

