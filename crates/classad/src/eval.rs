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

use std::cell::Cell;
use std::sync::{Arc, OnceLock};

use crate::builtins;
use crate::expr::{BinaryOp, Call, Func, Name, NameKind, Node, Special};
use crate::ops;
use crate::{ClassAd, Dialect, Expr, Value};

mod refs;
mod scopes;
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
    scopes: scopes::Scopes<'a>,
    root: Option<ScopeId>,
    my: Option<ScopeId>,
    target: Option<ScopeId>,
    /// Expressions being evaluated through attribute references (cycle detection).
    active: scopes::Active,
    ref_depth: u32,
    nesting: u32,
    steps: u64,
    env: builtins::Env,
    /// Where `my`, `target`, `ad`, `other` lead from the MY ad (row 0) and
    /// the TARGET ad (row 1), once looked up.
    memo: Cell<[[Option<ScopeId>; 4]; 2]>,
    /// Which library state `eval()` parses its text in.
    dialect: Dialect,
}

static EMPTY: OnceLock<ClassAd> = OnceLock::new();

fn empty_ad() -> &'static ClassAd {
    EMPTY.get_or_init(ClassAd::new)
}

/// Which of the context names `my`, `target`, `ad`, `other` this is.
#[inline]
fn context_name(name: &Name) -> Option<usize> {
    match name.kind() {
        NameKind::Target => Some(0),
        NameKind::My => Some(1),
        NameKind::Other => Some(2),
        NameKind::Ad => Some(3),
        _ => None,
    }
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

/// [`eval_expr`] with builtins seeing `env` (clock, zone, user maps, passwd).
pub(crate) fn eval_expr_env(
    e: &Expr,
    my: Option<&ClassAd>,
    target: Option<&ClassAd>,
    env: &builtins::Env,
) -> Value {
    let mut ctx = Ctx::new(my, target);
    ctx.env = builtins::Env { lists: builtins::ListSources::default(), ..env.clone() };
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
    ctx.dialect = dialect;
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

/// [`references`] without HTCondor's name trimming (`TARGET.Memory` stays
/// `TARGET.Memory`), as the Python bindings' `externalRefs()` report them.
pub(crate) fn references_full(ad: &ClassAd, e: &Expr, kind: refs::RefKind) -> Vec<String> {
    let mut ctx = Ctx::new(Some(ad), None);
    let mut names = refs::NameSet::default();
    let cur = ctx.my.unwrap_or(0);
    ctx.collect_refs(e, cur, kind, &mut names);
    names.into_vec()
}

pub(crate) use refs::RefKind;

/// The value of attribute `name` of `ad`: `undefined` when the ad (or its
/// chained parent) does not have it, even if `target` does — as
/// HTCondor's `EvaluateAttr` looks the attribute up in the ad itself.
pub(crate) fn eval_attr(ad: &ClassAd, name: &str, target: Option<&ClassAd>) -> Value {
    let Some(e) = ad.get(name) else { return Value::Undefined };
    let mut ctx = Ctx::new(Some(ad), target);
    let cur = ctx.my.unwrap_or(0);
    ctx.eval_reference(e, cur)
}

impl<'a> Ctx<'a> {
    fn new(my: Option<&'a ClassAd>, target: Option<&'a ClassAd>) -> Ctx<'a> {
        let mut ctx = Ctx {
            scopes: scopes::Scopes::new(),
            root: None,
            my: None,
            target: None,
            active: scopes::Active::new(),
            ref_depth: 0,
            nesting: 0,
            steps: 0,
            env: builtins::Env::default(),
            memo: Cell::new([[None; 4]; 2]),
            dialect: Dialect::Configured,
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
        for s in self.scopes.iter_mut() {
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
        for i in (0..self.scopes.len()).rev() {
            if let Scope::Ad { shared: Some(a), .. } = &self.scopes[i] {
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
                if matches!(name.kind(), NameKind::My | NameKind::Ad) {
                    Some(mine.map_or(Found::Undefined, Found::Scope))
                } else if matches!(name.kind(), NameKind::Target | NameKind::Other) {
                    Some(other.map_or(Found::Undefined, Found::Scope))
                } else {
                    None
                }
            }
            Scope::MatchRoot => {
                if name.kind() == NameKind::Left {
                    Some(self.my.map_or(Found::Undefined, Found::Scope))
                } else if name.kind() == NameKind::Right {
                    Some(self.target.map_or(Found::Undefined, Found::Scope))
                } else if name.kind() == NameKind::LCtx {
                    Some(Found::Scope(1))
                } else if name.kind() == NameKind::RCtx {
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
            let kind = name.kind();
            if kind == NameKind::None {
                // Not a special name: on to the enclosing scope.
            } else if matches!(kind, NameKind::TopLevel | NameKind::Root) {
                return self.root.map_or(Found::Error, Found::Scope);
            } else if matches!(kind, NameKind::SelfAd | NameKind::My) {
                return Found::Scope(cur);
            } else if kind == NameKind::Parent {
                return sup.map_or(Found::Undefined, Found::Scope);
            } else if kind == NameKind::CurrentTime {
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
        // `TARGET`/`MY` seen from the two matched ads resolve the same way
        // every time: remember where they lead.
        let top = !absolute && (Some(start) == self.my || Some(start) == self.target);
        let memo_key = if top { context_name(name) } else { None };
        if let Some(k) = memo_key {
            let side = usize::from(Some(start) == self.target);
            if let Some(to) = self.memo.get()[side][k] {
                return Found::Scope(to);
            }
            let f = self.lookup_in_scope(start, name);
            if let Found::Scope(to) = f {
                let mut m = self.memo.get();
                m[side][k] = Some(to);
                self.memo.set(m);
            }
            return f;
        }
        let f = self.lookup_in_scope(start, name);
        if !absolute && matches!(f, Found::Undefined) {
            if let Scope::Ad { alternate: Some(alt), .. } = self.scopes[start as usize] {
                return self.lookup_in_scope(alt, name);
            }
        }
        f
    }

    /// Where `base` leads when it is `TARGET`, `MY`, `OTHER` or `AD` named
    /// from one of the two matched ads and resolves to a scope.
    #[inline]
    fn context_scope(&self, base: &Expr, cur: ScopeId) -> Option<ScopeId> {
        let Node::Attr { name, absolute: false } = &*base.0 else { return None };
        if Some(cur) != self.my && Some(cur) != self.target {
            return None;
        }
        context_name(name)?;
        match self.find_attr(name, false, Some(cur)) {
            Found::Scope(to) => Some(to),
            _ => None,
        }
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
        // Most attributes of a machine or job ad are plain values: no
        // cycle can go through them.
        if let Node::Literal(v) = &*e.0 {
            self.steps += 1;
            return literal_value(v);
        }
        let key = Arc::as_ptr(&e.0);
        if self.active.contains(key) {
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
        if let Node::Literal(v) = &*e.0 {
            self.steps += 1;
            return ScopeOrValue::Value(literal_value(v));
        }
        let key = Arc::as_ptr(&e.0);
        if self.active.contains(key) {
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
            Node::Literal(v) => literal_value(v),
            Node::Attr { name, absolute } => {
                let f = self.find_attr(name, *absolute, Some(cur));
                self.found_value(f)
            }
            // `TARGET.x` / `MY.x` from one of the matched ads: straight to
            // the other (or same) ad.
            Node::Select { base, name } => {
                if let Some(to) = self.context_scope(base, cur) {
                    let f = self.lookup_in_scope(to, name);
                    return self.found_value(f);
                }
                match self.eval_scope(e, Some(cur)) {
                    ScopeOrValue::Scope(id) => self.scope_value(id),
                    ScopeOrValue::Value(v) => v,
                }
            }
            Node::Paren(inner) => self.eval(inner, cur),
            Node::Binary { op, lhs, rhs } => self.eval_binary(*op, lhs, rhs, cur),
            _ => self.eval_other(e, cur),
        }
    }

    /// The node kinds rarer in matchmaking expressions, kept out of
    /// [`Ctx::eval_node`] so its frame stays small.
    #[inline(never)]
    fn eval_other(&mut self, e: &Expr, cur: ScopeId) -> Value {
        match &*e.0 {
            Node::Unary { op, arg } => {
                let v = self.eval(arg, cur);
                ops::unary(*op, &v)
            }
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
            Node::Literal(_) | Node::Attr { .. } | Node::Select { .. } | Node::Paren(_) | Node::Binary { .. } => {
                self.eval_node(e, cur)
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
                // The argument as string() converts it (a list prints as
                // written), parsed and evaluated here.
                let v = self.eval(&args[0], cur);
                let text = match builtins::conv::to_str_env(&v, &self.env) {
                    Ok(t) => t.into_owned(),
                    Err(_) => return Value::Error,
                };
                if self.ref_depth >= MAX_REFERENCE_DEPTH {
                    return Value::Error;
                }
                match Expr::parse_with(&text, self.dialect) {
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

/// The value of a literal. HTCondor's relative-time literal
/// (`relTime("1:00")`) evaluates to a real number of seconds; only computed
/// relative times (`relTime(60)`, `t1 - t2`) are relative-time values.
#[inline]
fn literal_value(v: &Value) -> Value {
    match v {
        Value::RelTime(r) => Value::Real(*r),
        v => v.clone(),
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

