//! The handles behind `classad2.ClassAd` and `classad2.ExprTree`, and the
//! module functions of `classad2` (parsing, quoting).
//!
//! The Python classes (`python/classad2/`) keep one handle each in
//! `_handle`; every method here is what one of their methods does.
//! Printing follows `classad2`: `repr()` is new syntax on one line,
//! `str()` the indented form, `printOld()` old syntax; attributes are
//! listed in the order HTCondor's library keeps them.

use std::sync::Arc;

use classad::{BinaryOp, Call, ClassAd, Expr, Lazy, Name, Node, UnaryOp, Value};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::{expr_to_py, lazy_to_py, py_classad, py_exprtree, py_to_expr};
use crate::ClassAdException;

/// The ClassAd inside a `classad2.ClassAd`.
#[pyclass(module = "classad2._native", name = "_AdHandle")]
pub struct PyAdHandle {
    pub ad: ClassAd,
}

/// The expression inside a `classad2.ExprTree`.
#[pyclass(module = "classad2._native", name = "_ExprHandle", frozen)]
pub struct PyExprHandle {
    pub expr: Expr,
}

/// `ad` with its attributes in HTCondor's order, for printing.
pub fn ordered(ad: &ClassAd) -> ClassAd {
    let mut out = ClassAd::new();
    for (n, e) in ad.iter_htcondor_order() {
        out.insert(n, e.clone());
    }
    out
}

fn parse_error(what: &str, text: &str, e: classad::ParseError) -> PyErr {
    let shown: String = text.chars().take(200).collect();
    ClassAdException::new_err(format!("Unable to parse string into a {what}: {e} (in {shown:?})"))
}

/// What `ExprTree.simplify()` returns for an evaluated value.
fn lazy_to_expr(v: Lazy) -> Expr {
    match v {
        Lazy::Value(Value::Ad(ad)) => Expr::from(Node::Ad(ad)),
        Lazy::Value(v) => Expr::literal(v),
        Lazy::Expr(e) => e,
        Lazy::List(items) => Expr::from(Node::List(items.into_iter().map(lazy_to_expr).collect())),
    }
}

fn refs_text(names: Vec<String>) -> Vec<String> {
    // classad2 splits an empty reference list into [''].
    if names.is_empty() {
        vec![String::new()]
    } else {
        names
    }
}

#[pymethods]
impl PyAdHandle {
    #[new]
    #[pyo3(signature = (text = None))]
    fn new(text: Option<&str>) -> PyResult<PyAdHandle> {
        match text {
            None => Ok(PyAdHandle { ad: ClassAd::new() }),
            Some(t) => ClassAd::parse(t).map(|ad| PyAdHandle { ad }).map_err(|e| parse_error("ClassAd", t, e)),
        }
    }

    fn __len__(&self) -> usize {
        self.ad.len()
    }

    fn keys(&self) -> Vec<String> {
        self.ad.iter_htcondor_order().into_iter().map(|(n, _)| n.to_string()).collect()
    }

    fn contains(&self, key: &str) -> bool {
        self.ad.get(key).is_some()
    }

    /// `ad[key]` (convert: literals as Python values) or `ad.lookup(key)`.
    fn get(&self, py: Python<'_>, key: &str, convert: bool) -> PyResult<PyObject> {
        match self.ad.get(key) {
            None => Err(PyKeyError::new_err(key.to_string())),
            Some(e) if convert => expr_to_py(py, e),
            Some(e) => py_exprtree(py, e.clone()),
        }
    }

    fn set(&mut self, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let e = py_to_expr(value)?;
        self.ad.insert(key, e);
        Ok(())
    }

    fn delete(&mut self, key: &str) -> PyResult<()> {
        match self.ad.remove(key) {
            Some(_) => Ok(()),
            None => Err(PyKeyError::new_err(key.to_string())),
        }
    }

    fn update(&mut self, other: &PyAdHandle) {
        self.ad.update(&other.ad);
    }

    fn copy(&self) -> PyAdHandle {
        PyAdHandle { ad: self.ad.clone() }
    }

    fn eval(&self, py: Python<'_>, key: &str) -> PyResult<PyObject> {
        match self.ad.get(key) {
            None => Err(PyKeyError::new_err(key.to_string())),
            Some(e) => lazy_to_py(py, &e.eval_lazy(Some(&self.ad), None)),
        }
    }

    /// `repr(ad)`: `[ a = 1; b = "x" ]`.
    fn repr(&self) -> String {
        ordered(&self.ad).to_new_string()
    }

    /// `str(ad)`: the indented form.
    fn pretty(&self) -> String {
        classad::pretty::pretty(&Expr::from(Node::Ad(Arc::new(self.ad.clone()))))
    }

    fn print_old(&self) -> String {
        if self.ad.is_empty() {
            return "\n".to_string();
        }
        let mut out = String::with_capacity(self.ad.len() * 24);
        for (n, e) in self.ad.iter_htcondor_order() {
            out.push_str(&classad::unparse::attr_name(n));
            out.push_str(" = ");
            out.push_str(&classad::unparse::unparse_old(e));
            out.push('\n');
        }
        out
    }

    fn print_json(&self) -> String {
        ordered(&self.ad).to_json()
    }

    /// Same attributes with the same expressions, in any order.
    fn same_as(&self, other: &PyAdHandle) -> bool {
        self.ad.len() == other.ad.len()
            && self.ad.iter().all(|(n, e)| other.ad.get_own(n).is_some_and(|o| o == e))
    }

    fn external_refs(&self, e: &PyExprHandle) -> Vec<String> {
        refs_text(self.ad.external_refs_full(&e.expr))
    }

    fn internal_refs(&self, e: &PyExprHandle) -> Vec<String> {
        refs_text(self.ad.internal_refs_full(&e.expr))
    }

    /// `flatten()`: a value when the whole expression folds to one, else the
    /// partially evaluated expression.
    fn flatten(&self, py: Python<'_>, e: &PyExprHandle) -> PyResult<PyObject> {
        let flat = flatten(&self.ad, &e.expr);
        match flat.node() {
            Node::Literal(v) => crate::convert::value_to_py(py, v),
            _ => py_exprtree(py, flat),
        }
    }

    /// True when `self`'s `Requirements` holds against `target`
    /// (`target.matches(self)` in Python).
    fn requirements_met_by(&self, target: &PyAdHandle) -> bool {
        let Some(req) = self.ad.get("Requirements") else { return false };
        match req.eval(Some(&self.ad), Some(&target.ad)) {
            Value::Bool(b) => b,
            Value::Int(i) => i != 0,
            Value::Real(f) => f != 0.0,
            _ => false,
        }
    }
}

/// Partial evaluation, as HTCondor's `Flatten`: subexpressions that refer
/// only to attributes the ad defines become their values; the rest keep
/// their shape. For commutative operators with one side folded to a value,
/// the value is written first (`c + a` with `a = 1` is `1 + c`), and
/// `true && x` is `x`.
fn flatten(ad: &ClassAd, e: &Expr) -> Expr {
    let f = |x: &Expr| flatten(ad, x);
    if let Node::List(items) = e.node() {
        return Expr::from(Node::List(items.iter().map(f).collect()));
    }
    if ad.external_refs(e).is_empty() && !matches!(e.node(), Node::Literal(_)) {
        return Expr::literal(e.eval(Some(ad), None));
    }
    let node = match e.node() {
        Node::Literal(_) | Node::Attr { .. } | Node::Ad(_) | Node::Select { .. } => return e.clone(),
        Node::Unary { op, arg } => Node::Unary { op: *op, arg: f(arg) },
        Node::Binary { op, lhs, rhs } => {
            let (l, r) = (f(lhs), f(rhs));
            let commutative = matches!(
                op,
                BinaryOp::Add | BinaryOp::Mul | BinaryOp::And | BinaryOp::Or | BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor
            );
            let lit = |x: &Expr| matches!(x.node(), Node::Literal(_));
            if *op == BinaryOp::And {
                if l.as_literal() == Some(&Value::Bool(true)) {
                    return r;
                }
                if r.as_literal() == Some(&Value::Bool(true)) {
                    return l;
                }
            }
            if commutative && lit(&r) && !lit(&l) {
                Node::Binary { op: *op, lhs: r, rhs: l }
            } else {
                Node::Binary { op: *op, lhs: l, rhs: r }
            }
        }
        Node::Ternary { cond, then, otherwise } => Node::Ternary { cond: f(cond), then: f(then), otherwise: f(otherwise) },
        Node::Paren(x) => Node::Paren(f(x)),
        Node::Index { base, index } => Node::Index { base: f(base), index: f(index) },
        Node::Call(c) => Node::Call(Call::new(&c.name, c.args.iter().map(f).collect())),
        Node::List(items) => Node::List(items.iter().map(f).collect()),
    };
    Expr::from(node)
}

#[pymethods]
impl PyExprHandle {
    #[new]
    fn new(text: &str) -> PyResult<PyExprHandle> {
        Expr::parse(text).map(|expr| PyExprHandle { expr }).map_err(|e| parse_error("ClassAd expression", text, e))
    }

    #[pyo3(signature = (scope = None, target = None))]
    fn eval(&self, py: Python<'_>, scope: Option<PyRef<'_, PyAdHandle>>, target: Option<PyRef<'_, PyAdHandle>>) -> PyResult<PyObject> {
        let v = self.expr.eval_lazy(scope.as_deref().map(|h| &h.ad), target.as_deref().map(|h| &h.ad));
        lazy_to_py(py, &v)
    }

    #[pyo3(signature = (scope = None, target = None))]
    fn simplify(&self, py: Python<'_>, scope: Option<PyRef<'_, PyAdHandle>>, target: Option<PyRef<'_, PyAdHandle>>) -> PyResult<PyObject> {
        let v = self.expr.eval_lazy(scope.as_deref().map(|h| &h.ad), target.as_deref().map(|h| &h.ad));
        py_exprtree(py, lazy_to_expr(v))
    }

    /// `repr(expr)`: new syntax on one line.
    fn repr(&self) -> String {
        classad::unparse::unparse_new(&self.expr)
    }

    /// `str(expr)`: the indented form.
    fn pretty(&self) -> String {
        classad::pretty::pretty(&self.expr)
    }

    /// Old syntax (what a job ad on the wire holds).
    fn old(&self) -> String {
        self.expr.to_old_string()
    }

    fn same_as(&self, other: &PyExprHandle) -> bool {
        self.expr == other.expr
    }

    /// The value when the expression is a literal (`None` otherwise), for
    /// the v1 `Literal`/`ExprTree` conversions.
    fn as_python(&self, py: Python<'_>) -> PyResult<PyObject> {
        expr_to_py(py, &self.expr)
    }

    fn is_literal(&self) -> bool {
        matches!(self.expr.node(), Node::Literal(_))
    }
}

/// `ExprTree` building (the v1 operators): `op` is the operator as written.
#[pyfunction]
pub fn _expr_binary(py: Python<'_>, op: &str, lhs: &Bound<'_, PyAny>, rhs: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let (l, r) = (operand(lhs)?, operand(rhs)?);
    let node = match op {
        "[]" => Node::Index { base: l, index: r },
        _ => {
            let op = binary_op(op).ok_or_else(|| PyValueError::new_err(format!("unknown ClassAd operator {op}")))?;
            Node::Binary { op, lhs: l, rhs: r }
        }
    };
    py_exprtree(py, Expr::from(node))
}

/// A unary operator applied to an expression: `-`, `+`, `!`, `~`.
#[pyfunction]
pub fn _expr_unary(py: Python<'_>, op: &str, arg: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let op = match op {
        "-" => UnaryOp::Minus,
        "+" => UnaryOp::Plus,
        "!" => UnaryOp::Not,
        "~" => UnaryOp::BitNot,
        _ => return Err(PyValueError::new_err(format!("unknown ClassAd operator {op}"))),
    };
    py_exprtree(py, Expr::from(Node::Unary { op, arg: operand(arg)? }))
}

/// `cond ? a : b`.
#[pyfunction]
pub fn _expr_ternary(py: Python<'_>, cond: &Bound<'_, PyAny>, then: &Bound<'_, PyAny>, otherwise: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let node = Node::Ternary { cond: operand(cond)?, then: operand(then)?, otherwise: operand(otherwise)? };
    py_exprtree(py, Expr::from(node))
}

/// An attribute reference (`classad.Attribute("Memory")`).
#[pyfunction]
pub fn _expr_attribute(py: Python<'_>, name: &str) -> PyResult<PyObject> {
    py_exprtree(py, Expr::from(Node::Attr { name: Name::new(name), absolute: false }))
}

/// A function call (`classad.Function("strcat", "a", x)`).
#[pyfunction]
pub fn _expr_call(py: Python<'_>, name: &str, args: Vec<Bound<'_, PyAny>>) -> PyResult<PyObject> {
    let args = args.iter().map(operand).collect::<PyResult<Vec<_>>>()?;
    py_exprtree(py, Expr::from(Node::Call(Call::new(name, args))))
}

/// A literal from a Python value (`classad.Literal(3)`).
#[pyfunction]
pub fn _expr_literal(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    py_exprtree(py, py_to_expr(value)?)
}

/// An operand of a built expression, parenthesized where the tree would
/// otherwise print (and re-parse) with a different grouping.
fn operand(v: &Bound<'_, PyAny>) -> PyResult<Expr> {
    let e = py_to_expr(v)?;
    Ok(match e.node() {
        Node::Binary { .. } | Node::Ternary { .. } => Expr::from(Node::Paren(e)),
        _ => e,
    })
}

fn binary_op(op: &str) -> Option<BinaryOp> {
    Some(match op {
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::Le,
        "!=" => BinaryOp::Ne,
        "==" => BinaryOp::Eq,
        ">=" => BinaryOp::Ge,
        ">" => BinaryOp::Gt,
        "=?=" => BinaryOp::Is,
        "=!=" => BinaryOp::Isnt,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        "%" => BinaryOp::Mod,
        "||" => BinaryOp::Or,
        "&&" => BinaryOp::And,
        "|" => BinaryOp::BitOr,
        "^" => BinaryOp::BitXor,
        "&" => BinaryOp::BitAnd,
        "<<" => BinaryOp::Shl,
        ">>" => BinaryOp::Shr,
        ">>>" => BinaryOp::UShr,
        _ => return None,
    })
}

/// `classad2.quote(s)`: `s` as a ClassAd string literal.
#[pyfunction]
pub fn _quote(s: &str) -> String {
    classad::unparse::quote_new(s)
}

/// `classad2.unquote(s)`: the value of a ClassAd string literal.
#[pyfunction]
pub fn _unquote(s: &str) -> PyResult<String> {
    match Expr::parse(s).map(|e| e.node().clone()) {
        Ok(Node::Literal(Value::String(v))) => Ok(v.to_string()),
        _ => Err(ClassAdException::new_err(format!("{s:?} is not a ClassAd string literal (e.g. \"text\")"))),
    }
}

/// Which format `parseAds`/`parseNext` read (`classad2.ParserType`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Old,
    New,
    Json,
}

fn format_of(parser: i64, rest: &str) -> PyResult<Format> {
    Ok(match parser {
        0 => Format::Old,
        2 => Format::Json,
        3 => Format::New,
        1 => return Err(ClassAdException::new_err("the XML ClassAd format is not supported; use ParserType.New, Old or JSON")),
        _ => match rest.trim_start().chars().next() {
            Some('[') | Some('/') => Format::New,
            Some('{') => Format::Json,
            _ => Format::Old,
        },
    })
}

/// Parse the first ad of `text[offset..]` (`offset` in bytes):
/// `(ad or None, bytes consumed, characters consumed)`.
#[pyfunction]
#[pyo3(signature = (text, parser, offset = 0))]
pub fn _parse_next(py: Python<'_>, text: &str, parser: i64, offset: usize) -> PyResult<(PyObject, usize, usize)> {
    let (ad, used) = parse_next_bytes(py, text, parser, offset)?;
    let chars = text.get(offset..offset + used).map(|s| s.chars().count()).unwrap_or(0);
    Ok((ad, used, chars))
}

fn parse_next_bytes(py: Python<'_>, text: &str, parser: i64, offset: usize) -> PyResult<(PyObject, usize)> {
    let rest = text.get(offset..).unwrap_or("");
    let format = format_of(parser, rest)?;
    let (ad, used) = match format {
        Format::New => match new_ad_extent(rest) {
            None => return Ok((py.None(), 0)),
            Some((start, end)) => {
                match ClassAd::parse(&rest[start..end]) {
                    Ok(ad) => (ad, end),
                    // as in classad2, an ad that does not parse ends the stream
                    Err(_) => return Ok((py.None(), 0)),
                }
            }
        },
        Format::Old => match old_ad_extent(rest) {
            None => return Ok((py.None(), 0)),
            Some((chunk, end)) => match ClassAd::parse_old(&chunk) {
                Ok(ad) => (ad, end),
                Err(_) => return Ok((py.None(), 0)),
            },
        },
        Format::Json => {
            if rest.trim().is_empty() {
                return Ok((py.None(), 0));
            }
            let ads = classad::json::parse_ads_json(rest).map_err(|e| parse_error("ClassAd", rest, e))?;
            let ad = ads.into_iter().next().unwrap_or_default();
            (ad, rest.len())
        }
    };
    Ok((py_classad(py, ad)?, used))
}

/// Every ad of `text` (`parseAds` over a string), read at once.
#[pyfunction]
pub fn _parse_all(py: Python<'_>, text: &str, parser: i64) -> PyResult<Py<PyList>> {
    let out = PyList::empty_bound(py);
    if format_of(parser, text)? == Format::Json {
        if !text.trim().is_empty() {
            for ad in classad::json::parse_ads_json(text).map_err(|e| parse_error("ClassAd", text, e))? {
                out.append(py_classad(py, ad)?)?;
            }
        }
        return Ok(out.unbind());
    }
    let mut offset = 0;
    loop {
        let (ad, used) = parse_next_bytes(py, text, parser, offset)?;
        if ad.is_none(py) || used == 0 {
            break;
        }
        out.append(ad)?;
        offset += used;
    }
    Ok(out.unbind())
}

/// Where the first `[ ... ]` of new-syntax text starts and ends (strings,
/// quoted names and comments skipped); `None` when there is none.
fn new_ad_extent(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = 0;
    // skip white space and comments before the ad
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i = text[i + 2..].find("*/").map(|p| i + 2 + p + 2)?;
        } else {
            break;
        }
    }
    if i >= b.len() || b[i] != b'[' {
        return if i >= b.len() { None } else { Some((i, b.len())) };
    }
    let start = i;
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map(|p| i + 2 + p + 1).unwrap_or(b.len());
            }
            b'[' | b'{' | b'(' => depth += 1,
            b']' | b'}' | b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((start, i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some((start, b.len()))
}

/// The first old-syntax ad of `text`: its lines up to a blank line (lines
/// starting with `#` skipped), and the bytes consumed.
fn old_ad_extent(text: &str) -> Option<(String, usize)> {
    let mut chunk = String::new();
    let mut used = 0;
    for line in text.split_inclusive('\n') {
        used += line.len();
        let t = line.trim();
        if t.is_empty() {
            if chunk.is_empty() {
                continue;
            }
            break;
        }
        if t.starts_with('#') {
            continue;
        }
        chunk.push_str(line);
        if !line.ends_with('\n') {
            chunk.push('\n');
        }
    }
    (!chunk.is_empty()).then_some((chunk, used))
}
