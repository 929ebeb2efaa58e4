//! `htcondor2.param`, `reload_config`, `set_subsystem` and the debug log
//! (`enable_debug`, `enable_log`, `log`) over the `config` crate.
//!
//! The process has one configuration, read on first use for the current
//! subsystem (`TOOL` until `set_subsystem`). `param[name] = value` changes
//! it in memory only: `reload_config()` reads the files again and forgets
//! such changes; `set_subsystem()` reads them for the new subsystem and
//! keeps them (HTCondor changes the subsystem without rereading).
//!
//! The debug log writes `MM/DD/YY HH:MM:SS message` lines, as HTCondor's
//! tools do, to stderr (`enable_debug`) and/or `<SUBSYS>_LOG`
//! (`enable_log`); which messages are written follows `<SUBSYS>_DEBUG`
//! (`D_FULLDEBUG`, `D_ALL`, …).

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

use config::{Config, LoadOptions, ParamValue, Subsystem};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;

use crate::HTCondorException;

struct State {
    cfg: Option<Config>,
    subsystem: String,
    root_config: Option<PathBuf>,
    /// `param[...] = ...` since the last read, replayed by `set_subsystem`.
    sets: Vec<(String, String)>,
    log: Log,
}

#[derive(Default)]
struct Log {
    stderr: bool,
    file: Option<PathBuf>,
    /// Debug categories enabled (`D_FULLDEBUG` → `FULLDEBUG`), upper case.
    flags: Vec<String>,
}

static STATE: Mutex<State> =
    Mutex::new(State { cfg: None, subsystem: String::new(), root_config: None, sets: Vec::new(), log: Log { stderr: false, file: None, flags: Vec::new() } });

fn load(subsystem: &str, root: Option<&PathBuf>) -> PyResult<Config> {
    let mut opts = LoadOptions::new(Subsystem::parse(subsystem));
    opts.root_config = root.cloned();
    Config::load(&opts).map_err(|e| HTCondorException::new_err(format!("cannot read the HTCondor configuration: {e}")))
}

fn lock() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Run `f` with the process configuration, reading it first if needed.
pub fn with_config<R>(f: impl FnOnce(&mut Config) -> R) -> PyResult<R> {
    let mut st = lock();
    if st.subsystem.is_empty() {
        st.subsystem = "TOOL".to_string();
    }
    if st.cfg.is_none() {
        let cfg = load(&st.subsystem, st.root_config.as_ref())?;
        st.cfg = Some(cfg);
    }
    let cfg = st.cfg.as_mut().ok_or_else(|| HTCondorException::new_err("no configuration"))?;
    Ok(f(cfg))
}

/// A clone of the process configuration (for building daemon clients).
pub fn config_snapshot() -> PyResult<Config> {
    with_config(|c| c.clone())
}

fn param_to_py(py: Python<'_>, v: ParamValue) -> PyObject {
    match v {
        ParamValue::String(s) => s.into_py(py),
        ParamValue::Int(i) => i.into_py(py),
        ParamValue::Bool(b) => b.into_py(py),
        ParamValue::Real(f) => f.into_py(py),
    }
}

#[pyfunction]
fn _param_get(py: Python<'_>, key: &str) -> PyResult<PyObject> {
    match with_config(|c| c.value(key))? {
        Some(v) => Ok(param_to_py(py, v)),
        None => Err(PyKeyError::new_err(key.to_string())),
    }
}

#[pyfunction]
fn _param_set(key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let value: String = value.extract().map_err(|_| PyTypeError::new_err("value must be a string"))?;
    with_config(|c| c.set(key, &value))?;
    let mut st = lock();
    st.sets.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    st.sets.push((key.to_string(), value));
    Ok(())
}

#[pyfunction]
fn _param_del(key: &str) -> PyResult<()> {
    let had = with_config(|c| c.value(key).is_some())?;
    if !had {
        return Err(PyKeyError::new_err(key.to_string()));
    }
    with_config(|c| c.set(key, ""))?;
    let mut st = lock();
    st.sets.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    st.sets.push((key.to_string(), String::new()));
    Ok(())
}

#[pyfunction]
fn _param_keys() -> PyResult<Vec<String>> {
    with_config(|c| c.param_keys())
}

/// `reload_config(root_config_file=None)`: read the configuration again.
#[pyfunction]
#[pyo3(signature = (root_config_file = None))]
fn _reload_config(root_config_file: Option<PathBuf>) -> PyResult<()> {
    let (subsystem, root) = {
        let st = lock();
        let sub = if st.subsystem.is_empty() { "TOOL".to_string() } else { st.subsystem.clone() };
        (sub, root_config_file.or_else(|| st.root_config.clone()))
    };
    let cfg = load(&subsystem, root.as_ref())?;
    let mut st = lock();
    st.cfg = Some(cfg);
    st.subsystem = subsystem;
    st.root_config = root;
    st.sets.clear();
    Ok(())
}

/// `set_subsystem(name)`: answer `param` as the named daemon or tool would.
#[pyfunction]
fn _set_subsystem(name: &str) -> PyResult<()> {
    let name = name.to_ascii_uppercase();
    let root = lock().root_config.clone();
    let mut cfg = load(&name, root.as_ref())?;
    let mut st = lock();
    for (k, v) in &st.sets {
        cfg.set(k, v);
    }
    st.cfg = Some(cfg);
    st.subsystem = name;
    Ok(())
}

#[pyfunction]
fn _subsystem() -> String {
    let st = lock();
    if st.subsystem.is_empty() {
        "TOOL".into()
    } else {
        st.subsystem.clone()
    }
}

fn flags_of(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '|' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_start_matches("D_").to_ascii_uppercase())
        .collect()
}

/// `enable_debug(flags=None)`: log to stderr, with `flags` or `<SUBSYS>_DEBUG`.
#[pyfunction]
#[pyo3(signature = (flags = None))]
fn _enable_debug(flags: Option<&str>) -> PyResult<()> {
    let sub = _subsystem();
    let configured = with_config(|c| c.get(&format!("{sub}_DEBUG")))?;
    {
        let mut st = lock();
        st.log.stderr = true;
        st.log.flags = flags_of(flags.or(configured.as_deref()).unwrap_or(""));
    }
    banner()
}

/// `enable_log()`: log to the file `<SUBSYS>_LOG` names.
#[pyfunction]
fn _enable_log() -> PyResult<()> {
    let sub = _subsystem();
    let (file, configured) = with_config(|c| (c.get(&format!("{sub}_LOG")), c.get(&format!("{sub}_DEBUG"))))?;
    let Some(file) = file else {
        return Err(HTCondorException::new_err(format!(
            "{sub}_LOG is not set: say where the log goes first, e.g. htcondor2.param['{sub}_LOG'] = '/tmp/{}.log'",
            sub.to_ascii_lowercase()
        )));
    };
    {
        let mut st = lock();
        st.log.file = Some(PathBuf::from(&file));
        if !st.log.stderr {
            st.log.flags = flags_of(configured.as_deref().unwrap_or(""));
        }
    }
    banner()
}

#[pyfunction]
fn _disable_debug() {
    let mut st = lock();
    st.log.stderr = false;
}

fn banner() -> PyResult<()> {
    let (file, sub) = with_config(|c| (c.global_file().map(str::to_string), c.subsystem().to_string()))?;
    let what = file.unwrap_or_else(|| "(no configuration file; built-in defaults)".into());
    debug(Level::FullDebug, &format!("Reading condor configuration from '{what}'"));
    debug(Level::FullDebug, &format!("Using subsystem {sub}"));
    Ok(())
}

/// How important a message is, as `htcondor2.LogLevel` says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Always,
    FullDebug,
    /// Any other category, by its flag name (`NETWORK`, `SECURITY`, …).
    Category(&'static str),
}

fn enabled(log: &Log, level: Level) -> bool {
    let has = |f: &str| log.flags.iter().any(|x| x == f || x == "ALL" || x == "ANY");
    match level {
        Level::Always => true,
        Level::FullDebug => has("FULLDEBUG"),
        Level::Category(c) => has(c),
    }
}

/// Write one line to the enabled debug outputs, if `level` is enabled.
pub fn debug(level: Level, message: &str) {
    let st = lock();
    if !(st.log.stderr || st.log.file.is_some()) || !enabled(&st.log, level) {
        return;
    }
    let line = format!("{} {}\n", chrono::Local::now().format("%m/%d/%y %H:%M:%S"), message.trim_end_matches('\n'));
    if st.log.stderr {
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    if let Some(path) = &st.log.file {
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// `htcondor2.log(level, message)`: `level` is a `LogLevel` (or several or-ed).
#[pyfunction]
fn _log(level: i64, message: &str) {
    let category = level & 0xff;
    let verbose = level & 1024 != 0;
    let lvl = match (category, verbose) {
        (_, true) => Level::FullDebug,
        (0, _) | (1, _) => Level::Always,
        (2, _) => Level::Category("STATUS"),
        (4, _) => Level::Category("JOB"),
        (5, _) => Level::Category("MACHINE"),
        (6, _) => Level::Category("CONFIG"),
        (7, _) => Level::Category("PROTOCOL"),
        (8, _) => Level::Category("PRIV"),
        (9, _) => Level::Category("DAEMONCORE"),
        (11, _) => Level::Category("SECURITY"),
        (14, _) => Level::Category("NETWORK"),
        (22, _) => Level::Category("HOSTNAME"),
        (24, _) => Level::Category("AUDIT"),
        _ => Level::FullDebug,
    };
    debug(lvl, message);
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_param_get, m)?)?;
    m.add_function(wrap_pyfunction!(_param_set, m)?)?;
    m.add_function(wrap_pyfunction!(_param_del, m)?)?;
    m.add_function(wrap_pyfunction!(_param_keys, m)?)?;
    m.add_function(wrap_pyfunction!(_reload_config, m)?)?;
    m.add_function(wrap_pyfunction!(_set_subsystem, m)?)?;
    m.add_function(wrap_pyfunction!(_subsystem, m)?)?;
    m.add_function(wrap_pyfunction!(_enable_debug, m)?)?;
    m.add_function(wrap_pyfunction!(_enable_log, m)?)?;
    m.add_function(wrap_pyfunction!(_disable_debug, m)?)?;
    m.add_function(wrap_pyfunction!(_log, m)?)?;
    Ok(())
}
