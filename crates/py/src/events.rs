//! The reader behind `htcondor2.JobEventLog`: events of a job event log,
//! followed as the file grows, each as the ClassAd HTCondor's reader makes
//! of it (`MyType`, `EventTypeNumber`, `Cluster`, `Proc`, `EventTime`, and
//! the event's own attributes: `ReturnValue`, `HoldReason`, …).
//!
//! Parsing is the `eventlog` crate's; this file keeps the read position,
//! waits for more of a growing file, and names each event's fields as
//! HTCondor's `ULogEvent::toClassAd` does.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use classad::{ClassAd, Value};
use eventlog::{Event, EventBody};
use pyo3::prelude::*;

use crate::convert::py_classad;
use crate::HTCondorException;

#[pyclass(module = "classad2._native", name = "_EventReader")]
pub struct PyEventReader {
    path: PathBuf,
    file: Option<File>,
    /// Bytes read but not yet consumed (an event still being written).
    buf: Vec<u8>,
    /// File offset of the start of `buf`.
    offset: u64,
    ready: VecDeque<(String, Event)>,
}

/// The ClassAd HTCondor's reader makes of an event: the event's
/// `toClassAd` form, with the submit notes read as HTCondor's reader reads
/// them (no empty `LogNotes`; DAG node notes as `StructuredNotes`).
pub fn event_ad(ev: &Event) -> ClassAd {
    let mut ad = eventlog::classad_form::to_classad(ev, false);
    if let EventBody::Submit { notes: Some(n), .. } = &ev.body {
        if n.is_empty() {
            ad.remove("LogNotes");
        } else if let Some(s) = structured_notes(n) {
            ad.insert_value("StructuredNotes", Value::Ad(std::sync::Arc::new(s)));
        }
    }
    ad
}

/// DAGMan's submit notes (`DAG Node: NAME`, or an ad), read into
/// `StructuredNotes` as HTCondor's reader does.
fn structured_notes(notes: &str) -> Option<ClassAd> {
    match notes.strip_prefix("DAG Node:") {
        Some(node) => {
            let mut s = ClassAd::new();
            s.insert_value("DAGNodeName", Value::string(node.trim()));
            Some(s)
        }
        None if notes.starts_with('[') => ClassAd::parse(notes).ok(),
        None => None,
    }
}

/// `str(event)`: the event as HTCondor's reader prints it back (its own
/// formatting of what it read: structured notes as an ad, an eviction's
/// usage table dropped).
fn event_text(ev: &Event) -> String {
    let mut ev = ev.clone();
    match &mut ev.body {
        EventBody::Evicted { usage, .. } => usage.clear(),
        EventBody::Submit { notes: Some(n), .. } => {
            if let Some(s) = structured_notes(n) {
                *n = crate::ad::ordered(&s).to_new_string();
            }
        }
        _ => {}
    }
    let text = eventlog::format::format_event(&ev, eventlog::format::TimeFormat::IsoLocal);
    text.strip_suffix("...\n").unwrap_or(&text).to_string()
}

impl PyEventReader {
    /// Read what was appended to the file and parse the complete events.
    fn fill(&mut self) -> PyResult<()> {
        let Some(file) = self.file.as_mut() else { return Ok(()) };
        let io_err = |e: std::io::Error| HTCondorException::new_err(format!("cannot read the job event log: {e}"));
        let len = file.metadata().map_err(io_err)?.len();
        let end = self.offset + self.buf.len() as u64;
        if len < end {
            // the file was truncated or replaced: start over
            self.offset = 0;
            self.buf.clear();
        }
        file.seek(SeekFrom::Start(self.offset + self.buf.len() as u64)).map_err(io_err)?;
        file.read_to_end(&mut self.buf).map_err(io_err)?;
        let text = String::from_utf8_lossy(&self.buf).into_owned();
        let parsed = eventlog::parse_log(&text).map_err(|e| {
            HTCondorException::new_err(format!("{}: {e} (this does not look like a job event log)", self.path.display()))
        })?;
        if parsed.consumed == 0 {
            return Ok(());
        }
        for ev in parsed.events {
            self.ready.push_back((event_text(&ev), ev));
        }
        let consumed = text[..parsed.consumed].len();
        let consumed_bytes = consumed.min(self.buf.len());
        self.buf.drain(..consumed_bytes);
        self.offset += consumed_bytes as u64;
        Ok(())
    }
}

#[pymethods]
impl PyEventReader {
    #[new]
    fn new(path: PathBuf) -> PyResult<PyEventReader> {
        let file = File::open(&path).map_err(|e| {
            HTCondorException::new_err(format!("Could not initialize JobEventLog: {}: '{}'", e, path.display()))
        })?;
        Ok(PyEventReader { path, file: Some(file), buf: Vec::new(), offset: 0, ready: VecDeque::new() })
    }

    /// The next event as (text, ClassAd); waits until `deadline` (seconds
    /// since the epoch; 0: forever) for one to be written; None when none came.
    fn next(&mut self, py: Python<'_>, deadline: f64) -> PyResult<Option<(String, PyObject)>> {
        let started = Instant::now();
        loop {
            if self.ready.is_empty() {
                self.fill()?;
            }
            if let Some((text, ev)) = self.ready.pop_front() {
                return Ok(Some((text, py_classad(py, event_ad(&ev))?)));
            }
            if self.file.is_none() {
                return Ok(None);
            }
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
            if deadline != 0.0 && now >= deadline {
                return Ok(None);
            }
            // poll quickly at first, then every 100 ms
            let pause = if started.elapsed() < Duration::from_millis(200) { 10 } else { 100 };
            py.allow_threads(|| std::thread::sleep(Duration::from_millis(pause)));
            py.check_signals()?;
        }
    }

    fn close(&mut self) {
        self.file = None;
        self.ready.clear();
    }

    /// Where the next unread event starts (for pickling).
    fn offset(&self) -> u64 {
        self.offset
    }

    fn set_offset(&mut self, offset: u64) {
        self.offset = offset;
        self.buf.clear();
        self.ready.clear();
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEventReader>()?;
    Ok(())
}
