//! Values between the ClassAd language and Python, as `classad2` converts
//! them.
//!
//! ClassAd → Python: `undefined`/`error` become `classad2.Value.Undefined`/
//! `Value.Error`; booleans, integers, reals and strings become `bool`,
//! `int`, `float`, `str`; absolute times become UTC `datetime`s and
//! relative times `float` seconds; lists become `list`s whose unevaluated
//! elements stay `ExprTree`s; nested ads become `ClassAd`s.
//!
//! Python → ClassAd: `None` is `undefined`, `dict`s are ads, `list`s and
//! `tuple`s are lists, naive `datetime`s are local times, `ExprTree`s and
//! `ClassAd`s are used as they are; anything else is refused with
//! `ClassAdException`.

use std::sync::Arc;

use classad::{ClassAd, Expr, Lazy, Node, Value};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::ad::{PyAdHandle, PyExprHandle};
use crate::ClassAdException;

/// The Python classes the conversions produce, imported once.
struct Classes {
    classad: Py<PyType>,
    exprtree: Py<PyType>,
    value: Py<PyType>,
    datetime: Py<PyType>,
    utc: PyObject,
}

static CLASSES: GILOnceCell<Classes> = GILOnceCell::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let ad_mod = py.import_bound("classad2._class_ad")?;
        let expr_mod = py.import_bound("classad2._expr_tree")?;
        let value_mod = py.import_bound("classad2._value")?;
        let dt = py.import_bound("datetime")?;
        Ok(Classes {
            classad: ad_mod.getattr("ClassAd")?.downcast_into::<PyType>()?.unbind(),
            exprtree: expr_mod.getattr("ExprTree")?.downcast_into::<PyType>()?.unbind(),
            value: value_mod.getattr("Value")?.downcast_into::<PyType>()?.unbind(),
            datetime: dt.getattr("datetime")?.downcast_into::<PyType>()?.unbind(),
            utc: dt.getattr("timezone")?.getattr("utc")?.unbind(),
        })
    })
}

/// A new Python `classad2.ClassAd` holding `ad`.
pub fn py_classad(py: Python<'_>, ad: ClassAd) -> PyResult<PyObject> {
    let cls = classes(py)?.classad.bind(py);
    let obj = cls.call_method1("__new__", (cls,))?;
    obj.setattr("_handle", Py::new(py, PyAdHandle { ad })?)?;
    Ok(obj.unbind())
}

/// A new Python `classad2.ExprTree` holding `expr`.
pub fn py_exprtree(py: Python<'_>, expr: Expr) -> PyResult<PyObject> {
    let cls = classes(py)?.exprtree.bind(py);
    let obj = cls.call_method1("__new__", (cls,))?;
    obj.setattr("_handle", Py::new(py, PyExprHandle { expr })?)?;
    Ok(obj.unbind())
}

/// `classad2.Value.Undefined` or `Value.Error`.
pub fn py_special(py: Python<'_>, undefined: bool) -> PyResult<PyObject> {
    let v = classes(py)?.value.bind(py);
    Ok(v.getattr(if undefined { "Undefined" } else { "Error" })?.unbind())
}

/// An evaluated value as Python sees it.
pub fn value_to_py(py: Python<'_>, v: &Value) -> PyResult<PyObject> {
    Ok(match v {
        Value::Undefined => py_special(py, true)?,
        Value::Error => py_special(py, false)?,
        Value::Bool(b) => b.into_py(py),
        Value::Int(i) => i.into_py(py),
        Value::Real(f) => f.into_py(py),
        Value::String(s) => PyString::new_bound(py, s).into_any().unbind(),
        Value::List(items) => {
            let out = PyList::empty_bound(py);
            for item in items.iter() {
                out.append(value_to_py(py, item)?)?;
            }
            out.into_any().unbind()
        }
        Value::Ad(ad) => py_classad(py, (**ad).clone())?,
        Value::AbsTime { secs, .. } => {
            let c = classes(py)?;
            c.datetime.bind(py).call_method1("fromtimestamp", (*secs, c.utc.bind(py)))?.unbind()
        }
        Value::RelTime(secs) => secs.into_py(py),
    })
}

/// The result of `ExprTree.eval()`: a value, or a list that keeps its
/// unevaluated elements as `ExprTree`s.
pub fn lazy_to_py(py: Python<'_>, v: &Lazy) -> PyResult<PyObject> {
    match v {
        Lazy::Value(v) => value_to_py(py, v),
        Lazy::Expr(e) => py_exprtree(py, e.clone()),
        Lazy::List(items) => {
            let out = PyList::empty_bound(py);
            for item in items {
                out.append(lazy_to_py(py, item)?)?;
            }
            Ok(out.into_any().unbind())
        }
    }
}

/// What `ad[key]` returns for an attribute's expression: literals as
/// Python values, nested ads as `ClassAd`s, list constructors as lists,
/// anything else as an `ExprTree`.
pub fn expr_to_py(py: Python<'_>, e: &Expr) -> PyResult<PyObject> {
    match e.node() {
        Node::Literal(v) => value_to_py(py, v),
        Node::Ad(ad) => py_classad(py, (**ad).clone()),
        Node::List(items) => {
            let out = PyList::empty_bound(py);
            for item in items {
                out.append(expr_to_py(py, item)?)?;
            }
            Ok(out.into_any().unbind())
        }
        _ => py_exprtree(py, e.clone()),
    }
}

fn unconvertible() -> PyErr {
    ClassAdException::new_err("Unable to convert Python object to a ClassAd expression.")
}

/// How deeply Python lists and dicts may nest in a value (a list that
/// contains itself is refused instead of recursing forever).
const MAX_PY_NESTING: usize = 200;

/// The ClassAd expression for a Python value (`ad[key] = value`). The
/// common plain values are recognised first, without attribute lookups.
pub fn py_to_expr(v: &Bound<'_, PyAny>) -> PyResult<Expr> {
    to_expr(v, 0)
}

fn to_expr(v: &Bound<'_, PyAny>, depth: usize) -> PyResult<Expr> {
    if depth > MAX_PY_NESTING {
        return Err(ClassAdException::new_err(format!(
            "the value nests lists or dicts more than {MAX_PY_NESTING} deep (does a list contain itself?)"
        )));
    }
    let py = v.py();
    if v.is_none() {
        return Ok(Expr::literal(Value::Undefined));
    }
    if let Ok(s) = v.downcast_exact::<PyString>() {
        return Ok(Expr::literal(Value::string(&s.to_cow()?)));
    }
    if let Ok(b) = v.downcast_exact::<PyBool>() {
        return Ok(Expr::literal(Value::Bool(b.is_true())));
    }
    if let Ok(f) = v.downcast_exact::<PyFloat>() {
        return Ok(Expr::literal(Value::Real(f.value())));
    }
    if v.downcast_exact::<PyInt>().is_ok() {
        return int_literal(v);
    }
    let c = classes(py)?;
    if v.is_instance(c.value.bind(py))? {
        let code: i64 = v.extract()?;
        return Ok(Expr::literal(if code == 2 { Value::Undefined } else { Value::Error }));
    }
    if v.is_instance(c.exprtree.bind(py))? || v.is_instance(c.classad.bind(py))? {
        let h = v.getattr(pyo3::intern!(py, "_handle"))?;
        if let Ok(e) = h.downcast::<PyExprHandle>() {
            return Ok(e.get().expr.clone());
        }
        if let Ok(a) = h.downcast::<PyAdHandle>() {
            return Ok(Expr::from(Node::Ad(Arc::new(a.borrow().ad.clone()))));
        }
    }
    if let Ok(b) = v.downcast::<PyBool>() {
        return Ok(Expr::literal(Value::Bool(b.is_true())));
    }
    if v.is_instance_of::<PyInt>() {
        return int_literal(v);
    }
    if let Ok(f) = v.downcast::<PyFloat>() {
        return Ok(Expr::literal(Value::Real(f.value())));
    }
    if let Ok(s) = v.downcast::<PyString>() {
        return Ok(Expr::literal(Value::string(&s.to_cow()?)));
    }
    if v.is_instance(c.datetime.bind(py))? {
        // datetime.timestamp(): naive datetimes are local times, as in classad2.
        let ts: f64 = v.call_method0("timestamp")?.extract()?;
        return Ok(Expr::literal(Value::AbsTime { secs: ts.floor() as i64, offset: 0 }));
    }
    if let Ok(d) = v.downcast::<PyDict>() {
        return Ok(Expr::from(Node::Ad(Arc::new(dict_to_ad_at(d, depth + 1)?))));
    }
    if let Ok(l) = v.downcast::<PyList>() {
        let items = l.iter().map(|i| to_expr(&i, depth + 1)).collect::<PyResult<Vec<_>>>()?;
        return Ok(Expr::from(Node::List(items)));
    }
    if let Ok(t) = v.downcast::<PyTuple>() {
        let items = t.iter().map(|i| to_expr(&i, depth + 1)).collect::<PyResult<Vec<_>>>()?;
        return Ok(Expr::from(Node::List(items)));
    }
    Err(unconvertible())
}

fn int_literal(v: &Bound<'_, PyAny>) -> PyResult<Expr> {
    match v.extract::<i64>() {
        Ok(i) => Ok(Expr::literal(Value::Int(i))),
        Err(_) => Err(ClassAdException::new_err(format!("{} does not fit in a ClassAd integer (64 bits); use a float or a string", v.str()?))),
    }
}

/// A ClassAd from a Python dict with string keys.
pub fn dict_to_ad(d: &Bound<'_, PyDict>) -> PyResult<ClassAd> {
    dict_to_ad_at(d, 0)
}

fn dict_to_ad_at(d: &Bound<'_, PyDict>, depth: usize) -> PyResult<ClassAd> {
    let mut ad = ClassAd::new();
    for (k, v) in d.iter() {
        let key = k.downcast::<PyString>().map_err(|_| pyo3::exceptions::PyTypeError::new_err("ClassAd keys are strings"))?;
        ad.insert(&key.to_cow()?, to_expr(&v, depth)?);
    }
    Ok(ad)
}
