//! Expression trees.
//!
//! An [`Expr`] is an immutable, reference-counted tree that keeps everything
//! needed to print it back exactly as HTCondor does: parentheses written in
//! the source, the spelling of function and attribute names, and the
//! literal values. Cloning an `Expr` is a reference-count increment.

use std::fmt;
use std::sync::Arc;

use crate::builtins::{self, BuiltinFn};
use crate::{ClassAd, Value};

/// A ClassAd expression: `TARGET.Memory >= RequestMemory`, `{1, 2}`, `[a = 1]`, …
#[derive(Clone)]
pub struct Expr(pub(crate) Arc<Node>);

/// The shape of one expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A literal: `3`, `2.5`, `"x"`, `true`, `undefined`, `error`, or any
    /// value inserted with [`ClassAd::insert_value`].
    Literal(Value),
    /// A bare attribute reference `name`, or `.name` when `absolute`
    /// (looked up from the outermost enclosing ad).
    Attr { name: Name, absolute: bool },
    /// A selection `base.name` (`MY.x`, `TARGET.Memory`, `nested.c.d`).
    Select { base: Expr, name: Name },
    /// `-x`, `+x`, `!x`, `~x`.
    Unary { op: UnaryOp, arg: Expr },
    /// Every two-operand operator, including `?:` (elvis).
    Binary { op: BinaryOp, lhs: Expr, rhs: Expr },
    /// `cond ? then : otherwise`.
    Ternary { cond: Expr, then: Expr, otherwise: Expr },
    /// Parentheses written in the source; kept so the expression unparses as written.
    Paren(Expr),
    /// Subscript `base[index]`.
    Index { base: Expr, index: Expr },
    /// A function call.
    Call(Call),
    /// A list constructor `{a, b, c}`.
    List(Vec<Expr>),
    /// A nested ad `[a = 1; b = a + 1]`.
    Ad(Arc<ClassAd>),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Plus,
    Minus,
    Not,
    BitNot,
}

/// Binary operators (and elvis `?:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Lt,
    Le,
    Ne,
    Eq,
    Ge,
    Gt,
    /// `=?=` / `is`
    Is,
    /// `=!=` / `isnt`
    Isnt,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Or,
    And,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    UShr,
    /// `a ?: b`
    Elvis,
}

/// A function call: the name as written, what it resolves to, and its arguments.
#[derive(Clone)]
pub struct Call {
    /// The name as written in the source (kept for unparsing).
    pub name: Arc<str>,
    pub(crate) func: Func,
    pub args: Vec<Expr>,
}

/// What a call's name resolved to at parse time.
#[derive(Clone, Copy)]
pub(crate) enum Func {
    /// A function the evaluator implements itself because it needs
    /// unevaluated arguments or the evaluation context.
    Special(Special),
    Builtin(BuiltinFn),
    /// No such function: the call evaluates to `error`.
    Unknown,
}

/// Functions implemented inside the evaluator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    IfThenElse,
    Eval,
    Unparse,
    Debug,
    EvalInEachContext,
    CountMatches,
    Unresolved,
}

impl Call {
    /// Resolve `name` (case-insensitively) to a special form or builtin.
    pub fn new(name: &str, args: Vec<Expr>) -> Call {
        Call { name: Arc::from(name), func: resolve(name), args }
    }

    /// Resolve `name` as the library in `dialect` would: unconfigured, the
    /// functions HTCondor registers with its configuration do not exist.
    pub fn with_dialect(name: &str, args: Vec<Expr>, dialect: crate::Dialect) -> Call {
        let func = if !dialect.is_configured() && crate::dialect::configured_only(name) {
            Func::Unknown
        } else {
            resolve(name)
        };
        Call { name: Arc::from(name), func, args }
    }

    /// True when the name is a function this library knows.
    pub fn is_known(&self) -> bool {
        !matches!(self.func, Func::Unknown)
    }
}

fn resolve(name: &str) -> Func {
    let special = [
        ("ifThenElse", Special::IfThenElse),
        ("eval", Special::Eval),
        ("unparse", Special::Unparse),
        ("debug", Special::Debug),
        ("evalInEachContext", Special::EvalInEachContext),
        ("countMatches", Special::CountMatches),
        ("unresolved", Special::Unresolved),
    ];
    for (n, s) in special {
        if n.eq_ignore_ascii_case(name) {
            return Func::Special(s);
        }
    }
    match builtins::lookup(name) {
        Some(f) => Func::Builtin(f),
        None => Func::Unknown,
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call").field("name", &self.name).field("args", &self.args).finish()
    }
}

impl PartialEq for Call {
    fn eq(&self, other: &Call) -> bool {
        self.name == other.name && self.args == other.args
    }
}

/// An attribute name: the spelling as written, plus a case-insensitive hash
/// computed once so lookups never fold case or allocate.
#[derive(Clone)]
pub struct Name {
    text: Arc<str>,
    hash: u64,
    special: NameKind,
}

/// The names the evaluator gives a meaning (`MY`, `TARGET`, `PARENT`, …),
/// recognised once when the name is made.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NameKind {
    None,
    My,
    Target,
    Other,
    Ad,
    Left,
    Right,
    LCtx,
    RCtx,
    SelfAd,
    TopLevel,
    Root,
    Parent,
    CurrentTime,
}

impl NameKind {
    fn of(text: &str) -> NameKind {
        const NAMES: [(&str, NameKind); 13] = [
            ("my", NameKind::My),
            ("target", NameKind::Target),
            ("other", NameKind::Other),
            ("ad", NameKind::Ad),
            ("left", NameKind::Left),
            ("right", NameKind::Right),
            ("lctx", NameKind::LCtx),
            ("rctx", NameKind::RCtx),
            ("self", NameKind::SelfAd),
            ("toplevel", NameKind::TopLevel),
            ("root", NameKind::Root),
            ("parent", NameKind::Parent),
            ("currenttime", NameKind::CurrentTime),
        ];
        if text.len() > 11 {
            return NameKind::None;
        }
        NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(text)).map_or(NameKind::None, |(_, s)| *s)
    }
}

impl Name {
    pub fn new(text: &str) -> Name {
        Name { text: Arc::from(text), hash: fold_hash(text), special: NameKind::of(text) }
    }

    /// Which evaluator-defined name this is, if any.
    #[inline]
    pub(crate) fn kind(&self) -> NameKind {
        self.special
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    /// Case-insensitive comparison with another spelling.
    pub fn is(&self, other: &str) -> bool {
        self.text.eq_ignore_ascii_case(other)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.text == other.text
    }
}

/// FNV-1a over ASCII-lowercased bytes: equal for names that differ only in case.
pub(crate) const fn fold_hash(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < b.len() {
        h ^= b[i].to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

impl Expr {
    pub(crate) fn new(node: Node) -> Expr {
        Expr(Arc::new(node))
    }

    /// Parse an expression in new ClassAd syntax.
    pub fn parse(text: &str) -> Result<Expr, crate::ParseError> {
        crate::parser::parse_expr(text, crate::parser::Syntax::New)
    }

    /// Parse an expression in new ClassAd syntax as the library in
    /// `dialect` reads it (see [`crate::Dialect`]).
    pub fn parse_with(text: &str, dialect: crate::Dialect) -> Result<Expr, crate::ParseError> {
        crate::parser::parse_expr_with(text, crate::parser::Syntax::New, dialect)
    }

    /// Parse an expression as written on the right of an old-syntax line
    /// (`condor_q -long`): a backslash is literal unless it precedes a quote.
    pub fn parse_old(text: &str) -> Result<Expr, crate::ParseError> {
        crate::parser::parse_expr(text, crate::parser::Syntax::Old)
    }

    /// An expression that is just a value.
    pub fn literal(v: Value) -> Expr {
        Expr::new(Node::Literal(v))
    }

    /// A reference to attribute `name`.
    pub fn attr(name: &str) -> Expr {
        Expr::new(Node::Attr { name: Name::new(name), absolute: false })
    }

    /// The node at the root of this expression.
    pub fn node(&self) -> &Node {
        &self.0
    }

    /// Evaluate with `my` as the ad the expression belongs to and `target`
    /// as the ad it is matched against.
    pub fn eval(&self, my: Option<&ClassAd>, target: Option<&ClassAd>) -> Value {
        crate::eval::eval_expr(self, my, target)
    }

    /// [`Expr::eval`] with the builtins seeing `env`: a fixed clock or time
    /// zone, the daemon's `userMap` map sets, where `userHome` reads
    /// accounts.
    pub fn eval_with_env(&self, my: Option<&ClassAd>, target: Option<&ClassAd>, env: &crate::builtins::Env) -> Value {
        crate::eval::eval_expr_env(self, my, target, env)
    }

    /// Evaluate like [`Expr::eval`], but report a list written as `{...}`
    /// the way HTCondor's Python bindings do: its elements unevaluated
    /// (literals as values, other expressions as expressions).
    pub fn eval_lazy(&self, my: Option<&ClassAd>, target: Option<&ClassAd>) -> crate::Lazy {
        crate::eval::eval_lazy(self, my, target, crate::Dialect::Configured)
    }

    /// [`Expr::eval_lazy`] as the library in `dialect` evaluates: unconfigured,
    /// bare names do not fall through to the other ad.
    pub fn eval_lazy_with(&self, my: Option<&ClassAd>, target: Option<&ClassAd>, dialect: crate::Dialect) -> crate::Lazy {
        crate::eval::eval_lazy(self, my, target, dialect)
    }

    /// The value of a literal expression, if it is one.
    pub fn as_literal(&self) -> Option<&Value> {
        match &*self.0 {
            Node::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// Old-syntax text (same as `Display`).
    pub fn to_old_string(&self) -> String {
        crate::unparse::unparse_old(self)
    }

    /// New-syntax text, as HTCondor's new-ClassAd unparser prints it.
    pub fn to_new_string(&self) -> String {
        crate::unparse::unparse_new(self)
    }

    /// The attributes this expression needs from outside an empty ad: bare
    /// names and `TARGET.x`/`OTHER.x` references, trimmed as HTCondor trims
    /// them (`TARGET.Memory` gives `Memory`), unique ignoring case and
    /// sorted. See [`ClassAd::external_refs`] for the references left once
    /// an ad's own attributes are resolved.
    pub fn external_refs(&self) -> Vec<String> {
        crate::eval::references(&ClassAd::new(), self, crate::eval::RefKind::External)
    }

    /// Names of attributes referenced without a scope or through `MY.`/`TARGET.`,
    /// in first-appearance order (useful for autoclustering and analysis).
    pub fn references(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs(&self, out: &mut Vec<String>) {
        let mut push = |s: &str| {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                out.push(s.to_string());
            }
        };
        match &*self.0 {
            Node::Literal(_) => {}
            Node::Attr { name, .. } => push(name.as_str()),
            Node::Select { base, name } => match &*base.0 {
                Node::Attr { name: scope, absolute: false }
                    if scope.is("MY") || scope.is("TARGET") =>
                {
                    let full = format!("{}.{}", scope.as_str(), name.as_str());
                    push(&full)
                }
                _ => base.collect_refs(out),
            },
            Node::Unary { arg, .. } | Node::Paren(arg) => arg.collect_refs(out),
            Node::Binary { lhs, rhs, .. } => {
                lhs.collect_refs(out);
                rhs.collect_refs(out);
            }
            Node::Ternary { cond, then, otherwise } => {
                cond.collect_refs(out);
                then.collect_refs(out);
                otherwise.collect_refs(out);
            }
            Node::Index { base, index } => {
                base.collect_refs(out);
                index.collect_refs(out);
            }
            Node::Call(c) => c.args.iter().for_each(|a| a.collect_refs(out)),
            Node::List(items) => items.iter().for_each(|a| a.collect_refs(out)),
            Node::Ad(_) => {}
        }
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::unparse::unparse_old(self))
    }
}

impl From<Value> for Expr {
    fn from(v: Value) -> Expr {
        Expr::literal(v)
    }
}

impl From<Node> for Expr {
    /// A tree built from its parts (the Python API's `ExprTree` operators
    /// and `flatten` build expressions this way).
    fn from(n: Node) -> Expr {
        Expr(Arc::new(n))
    }
}

impl std::str::FromStr for Expr {
    type Err = crate::ParseError;
    fn from_str(s: &str) -> Result<Expr, crate::ParseError> {
        Expr::parse(s)
    }
}
