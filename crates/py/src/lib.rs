//! The native half of Aerie's Python API (`classad2._native`).
//!
//! The pure-Python packages in `python/` (`classad2`, `classad`,
//! `htcondor2`, `htcondor`) give users HTCondor's classes and names; each
//! of their methods calls one function or handle method here, which is a
//! thin layer over Aerie's crates:
//!
//! - [`ad`], [`convert`]: `ClassAd`/`ExprTree` over the `classad` crate.
//! - [`param`]: `htcondor2.param`, `reload_config`, `set_subsystem` and
//!   the debug log over the `config` crate.
//! - [`submit`]: `htcondor2.Submit` over `submit::Submit`.
//! - [`events`]: `JobEventLog` over the `eventlog` reader.
//! - [`daemons`]: `Collector`, `Schedd`, the master's commands over `client`.

// pyo3 0.22's #[pymethods]/#[pyfunction] expansions convert PyErr into itself.
#![allow(clippy::useless_conversion)]

use pyo3::prelude::*;

pub mod ad;
pub mod convert;
pub mod daemons;
pub mod events;
pub mod param;
pub mod submit;

pyo3::create_exception!(classad2, ClassAdException, pyo3::exceptions::PyException, "A ClassAd could not be parsed, converted or evaluated.");
pyo3::create_exception!(htcondor2, HTCondorException, pyo3::exceptions::PyRuntimeError, "A request to an HTCondor (Aerie) daemon failed, or a configuration or submit description was refused.");

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ClassAdException", py.get_type_bound::<ClassAdException>())?;
    m.add("HTCondorException", py.get_type_bound::<HTCondorException>())?;
    m.add_class::<ad::PyAdHandle>()?;
    m.add_class::<ad::PyExprHandle>()?;
    m.add_function(wrap_pyfunction!(ad::_quote, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_unquote, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_parse_next, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_parse_all, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_expr_binary, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_expr_unary, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_expr_ternary, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_expr_attribute, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_expr_call, m)?)?;
    m.add_function(wrap_pyfunction!(ad::_expr_literal, m)?)?;
    m.add_function(wrap_pyfunction!(_classad_version, m)?)?;
    m.add_function(wrap_pyfunction!(_version, m)?)?;
    m.add_function(wrap_pyfunction!(_platform, m)?)?;
    param::register(m)?;
    submit::register(m)?;
    events::register(m)?;
    daemons::register(m)?;
    Ok(())
}

/// `classad2.version()`: the HTCondor release whose ClassAd language this is.
#[pyfunction]
fn _classad_version() -> &'static str {
    daemon::version::CONDOR_VERSION
}

/// `htcondor2.version()`: `$CondorVersion: 25.0.14 <date> Aerie $`.
#[pyfunction]
fn _version() -> String {
    daemon::version::condor_version_line()
}

/// `htcondor2.platform()`: `$CondorPlatform: X86_64-Debian_12 $`.
#[pyfunction]
fn _platform() -> String {
    daemon::version::condor_platform_line()
}
