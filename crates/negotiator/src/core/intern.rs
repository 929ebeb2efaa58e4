//! Interning of attribute names and expression texts for one cycle.
//!
//! Slot ads of one pool repeat the same expressions over and over (every
//! slot of a machine type has the same `START`, `OpSys`, `Arch`, …). Each
//! distinct text is parsed once and given an [`ExprId`]; each name
//! (ignoring case) a [`NameId`]. Slots and jobs then become short lists of
//! `(NameId, ExprId)` pairs that are cheap to compare, hash and group.
//!
//! For every distinct expression the interner also records which attribute
//! names it refers to (`MY.x`, `TARGET.x` and bare `x` all count as `x`)
//! and whether it may read attributes it does not name (a bare `MY` or
//! `TARGET`, `eval()`), which makes grouping by named attributes unsafe.

use classad::{Expr, Name, Node, ParseError, Value};

use super::hash::FxHashMap;

pub type NameId = u32;
pub type ExprId = u32;

/// One distinct expression text.
pub struct ExprInfo {
    pub expr: Expr,
    /// Attribute names it refers to, without scope, deduplicated.
    pub refs: Box<[NameId]>,
    /// It may read attributes not listed in `refs`.
    pub opaque: bool,
    /// The expression is a literal (no references).
    pub literal: bool,
}

#[derive(Default)]
pub struct Interner {
    names: FxHashMap<Box<str>, NameId>,
    name_text: Vec<Name>,
    exprs: FxHashMap<Box<str>, ExprId>,
    info: Vec<ExprInfo>,
    buf: String,
}

/// Names the evaluator treats as whole scopes when used bare.
const SCOPE_NAMES: [&str; 7] = ["my", "target", "self", "toplevel", "root", "parent", "other"];

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The id of `name`, ignoring ASCII case.
    pub fn name(&mut self, name: &str) -> NameId {
        self.buf.clear();
        self.buf.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        if let Some(&id) = self.names.get(self.buf.as_str()) {
            return id;
        }
        let id = self.name_text.len() as NameId;
        self.names.insert(self.buf.clone().into_boxed_str(), id);
        self.name_text.push(Name::new(name));
        id
    }

    /// The id of `name` if it was seen.
    pub fn find_name(&self, name: &str) -> Option<NameId> {
        let lower = name.to_ascii_lowercase();
        self.names.get(lower.as_str()).copied()
    }

    /// The spelling `id` was first seen with.
    pub fn name_text(&self, id: NameId) -> &str {
        self.name_text[id as usize].as_str()
    }

    /// The name as the evaluator's [`Name`] (shared, hashed once).
    pub fn name_obj(&self, id: NameId) -> &Name {
        &self.name_text[id as usize]
    }

    pub fn name_count(&self) -> usize {
        self.name_text.len()
    }

    /// The id of the old-syntax expression `text`. Text that does not parse
    /// is interned as the literal `error` and the parse error is returned
    /// (only the first time that text is seen).
    pub fn expr(&mut self, text: &str) -> (ExprId, Option<ParseError>) {
        if let Some(&id) = self.exprs.get(text) {
            return (id, None);
        }
        let (expr, err) = match Expr::parse_old(text) {
            Ok(e) => (e, None),
            Err(e) => (Expr::literal(Value::Error), Some(e)),
        };
        let id = self.add(expr);
        self.exprs.insert(text.into(), id);
        (id, err)
    }

    /// Intern an already parsed expression (configuration knobs).
    pub fn add(&mut self, expr: Expr) -> ExprId {
        let mut refs = Vec::new();
        let mut opaque = false;
        collect(&expr, self, &mut refs, &mut opaque);
        refs.sort_unstable();
        refs.dedup();
        let literal = matches!(expr.node(), Node::Literal(_));
        let id = self.info.len() as ExprId;
        self.info.push(ExprInfo { expr, refs: refs.into_boxed_slice(), opaque, literal });
        id
    }

    pub fn info(&self, id: ExprId) -> &ExprInfo {
        &self.info[id as usize]
    }

    pub fn get(&self, id: ExprId) -> &Expr {
        &self.info[id as usize].expr
    }
}

fn is_scope(name: &str) -> bool {
    SCOPE_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

fn collect(e: &Expr, names: &mut Interner, out: &mut Vec<NameId>, opaque: &mut bool) {
    match e.node() {
        Node::Literal(_) => {}
        Node::Attr { name, .. } => {
            if is_scope(name.as_str()) {
                // A bare `MY`/`TARGET`: the whole ad may be read.
                *opaque = true;
            }
            out.push(names.name(name.as_str()));
        }
        Node::Select { base, name } => match base.node() {
            Node::Attr { name: scope, .. } if is_scope(scope.as_str()) => out.push(names.name(name.as_str())),
            _ => {
                // `nested.x`: the nested ad's own name is what is looked up.
                collect(base, names, out, opaque)
            }
        },
        Node::Unary { arg, .. } | Node::Paren(arg) => collect(arg, names, out, opaque),
        Node::Binary { lhs, rhs, .. } => {
            collect(lhs, names, out, opaque);
            collect(rhs, names, out, opaque);
        }
        Node::Ternary { cond, then, otherwise } => {
            collect(cond, names, out, opaque);
            collect(then, names, out, opaque);
            collect(otherwise, names, out, opaque);
        }
        Node::Index { base, index } => {
            collect(base, names, out, opaque);
            collect(index, names, out, opaque);
        }
        Node::Call(c) => {
            let n = &*c.name;
            if n.eq_ignore_ascii_case("eval") || n.eq_ignore_ascii_case("evalineachcontext") {
                // Builds references from strings at run time.
                *opaque = true;
            }
            for a in &c.args {
                collect(a, names, out, opaque);
            }
        }
        Node::List(items) => {
            for a in items {
                collect(a, names, out, opaque);
            }
        }
        Node::Ad(ad) => {
            for (_, a) in ad.iter() {
                collect(a, names, out, opaque);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_is_parsed_once_and_names_ignore_case() {
        let mut i = Interner::new();
        let (a, e1) = i.expr("TARGET.Memory >= RequestMemory && MY.Cpus > 0");
        let (b, e2) = i.expr("TARGET.Memory >= RequestMemory && MY.Cpus > 0");
        assert!(e1.is_none() && e2.is_none());
        assert_eq!(a, b);
        let refs: Vec<&str> = i.info(a).refs.iter().map(|&n| i.name_text(n)).collect();
        assert_eq!(refs.len(), 3);
        for want in ["Memory", "RequestMemory", "Cpus"] {
            assert!(refs.iter().any(|r| r.eq_ignore_ascii_case(want)), "{want} in {refs:?}");
        }
        assert_eq!(i.name("memory"), i.name("MEMORY"));
        assert!(!i.info(a).opaque && !i.info(a).literal);
    }

    #[test]
    fn unparsable_text_is_an_error_literal_reported_once() {
        let mut i = Interner::new();
        let (id, err) = i.expr("1 +");
        assert!(err.is_some());
        assert!(i.get(id).as_literal().is_some_and(|v| v.is_error()));
        assert!(i.expr("1 +").1.is_none());
    }

    #[test]
    fn bare_scopes_and_eval_are_opaque() {
        let mut i = Interner::new();
        let mut opaque = |t: &str| {
            let id = i.expr(t).0;
            i.info(id).opaque
        };
        assert!(opaque("size(TARGET) > 0"));
        assert!(opaque("eval(strcat(\"Mem\", \"ory\")) > 0"));
        assert!(!opaque("TARGET.x > 0"));
    }
}
