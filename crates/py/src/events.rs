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

use classad::{ClassAd, Expr, Value};
use eventlog::{Event, EventBody, Rusage, UsageNum};
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

fn rusage_text(r: &Rusage) -> String {
    let f = |s: i64| format!("{} {:02}:{:02}:{:02}", s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    format!("Usr {}, Sys {}", f(r.user_secs), f(r.sys_secs))
}

fn shown_value(text: &str) -> Value {
    match Expr::parse_old(text).map(|e| e.node().clone()) {
        Ok(classad::Node::Literal(v)) => v,
        _ => Value::string(text),
    }
}

/// The ClassAd HTCondor's reader makes of an event.
pub fn event_ad(ev: &Event) -> ClassAd {
    let mut ad = ClassAd::new();
    let number = ev.body.number();
    let int = |ad: &mut ClassAd, k: &str, v: i64| ad.insert_value(k, Value::Int(v));
    let string = |ad: &mut ClassAd, k: &str, v: &str| ad.insert_value(k, Value::string(v));
    string(&mut ad, "MyType", eventlog::classad_form::type_name(number));
    int(&mut ad, "EventTypeNumber", number as i64);
    int(&mut ad, "Cluster", ev.id.cluster);
    int(&mut ad, "Proc", ev.id.proc);
    int(&mut ad, "Subproc", ev.id.subproc);
    let when = chrono::DateTime::from_timestamp(ev.time, 0).map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%dT%H:%M:%S").to_string());
    string(&mut ad, "EventTime", &when.unwrap_or_default());
    match &ev.body {
        EventBody::Submit { host, notes } => {
            string(&mut ad, "SubmitHost", host);
            if let Some(n) = notes.as_deref().filter(|n| !n.is_empty()) {
                string(&mut ad, "LogNotes", n);
                if let Some(s) = structured_notes(n) {
                    ad.insert_value("StructuredNotes", Value::Ad(std::sync::Arc::new(s)));
                }
            }
        }
        EventBody::Execute { host, slot_name, props } => {
            string(&mut ad, "ExecuteHost", host);
            if let Some(s) = slot_name {
                string(&mut ad, "SlotName", s);
            }
            if !props.is_empty() {
                let mut p = ClassAd::new();
                for (k, v) in props {
                    p.insert(k, Expr::parse_old(v).unwrap_or_else(|_| Expr::literal(Value::string(v))));
                }
                ad.insert_value("ExecuteProps", Value::Ad(std::sync::Arc::new(p)));
            }
        }
        EventBody::ExecutableError { kind } => int(&mut ad, "ExecuteErrorType", *kind as i64),
        EventBody::Evicted { code, subcode, requeued, run_remote, run_local, sent_bytes, recvd_bytes, reason, .. } => {
            ad.insert_value("Checkpointed", Value::Bool(false));
            ad.insert_value("SentBytes", Value::Real(*sent_bytes));
            ad.insert_value("ReceivedBytes", Value::Real(*recvd_bytes));
            string(&mut ad, "RunLocalUsage", &rusage_text(run_local));
            string(&mut ad, "RunRemoteUsage", &rusage_text(run_remote));
            ad.insert_value("TerminatedAndRequeued", Value::Bool(requeued.is_some()));
            match requeued {
                Some(t) => {
                    ad.insert_value("TerminatedNormally", Value::Bool(t.normal));
                    if t.normal {
                        int(&mut ad, "ReturnValue", t.return_value as i64);
                    } else {
                        int(&mut ad, "TerminatedBySignal", t.signal as i64);
                    }
                    if let Some(c) = &t.core_file {
                        string(&mut ad, "CoreFile", c);
                    }
                }
                None => ad.insert_value("TerminatedNormally", Value::Bool(false)),
            }
            if let Some(r) = reason {
                string(&mut ad, "Reason", r);
            }
            if *code != 0 {
                int(&mut ad, "ReasonCode", *code as i64);
            }
            if *subcode != 0 {
                int(&mut ad, "ReasonSubCode", *subcode as i64);
            }
        }
        EventBody::Terminated {
            normal,
            return_value,
            signal,
            core_file,
            run_remote,
            run_local,
            total_remote,
            total_local,
            sent_bytes,
            recvd_bytes,
            total_sent_bytes,
            total_recvd_bytes,
            usage,
        } => {
            ad.insert_value("TerminatedNormally", Value::Bool(*normal));
            if *normal {
                int(&mut ad, "ReturnValue", *return_value as i64);
            } else {
                int(&mut ad, "TerminatedBySignal", *signal as i64);
            }
            if let Some(c) = core_file {
                string(&mut ad, "CoreFile", c);
            }
            string(&mut ad, "RunLocalUsage", &rusage_text(run_local));
            string(&mut ad, "RunRemoteUsage", &rusage_text(run_remote));
            string(&mut ad, "TotalLocalUsage", &rusage_text(total_local));
            string(&mut ad, "TotalRemoteUsage", &rusage_text(total_remote));
            ad.insert_value("SentBytes", Value::Real(*sent_bytes));
            ad.insert_value("ReceivedBytes", Value::Real(*recvd_bytes));
            ad.insert_value("TotalSentBytes", Value::Real(*total_sent_bytes));
            ad.insert_value("TotalReceivedBytes", Value::Real(*total_recvd_bytes));
            for u in usage {
                let v = match &u.value {
                    UsageNum::Int(i) => Value::Int(*i),
                    UsageNum::Real(f) => Value::Real(*f),
                    UsageNum::Shown(s) => shown_value(s),
                };
                ad.insert_value(&u.attr, v);
            }
        }
        EventBody::ImageSize { image_size_kb, memory_usage_mb, rss_kb, pss_kb } => {
            int(&mut ad, "Size", *image_size_kb);
            if let Some(m) = memory_usage_mb {
                int(&mut ad, "MemoryUsage", *m);
            }
            if let Some(r) = rss_kb {
                int(&mut ad, "ResidentSetSize", *r);
            }
            if let Some(p) = pss_kb {
                int(&mut ad, "ProportionalSetSize", *p);
            }
        }
        EventBody::Aborted { reason } | EventBody::Released { reason } => {
            if let Some(r) = reason {
                string(&mut ad, "Reason", r);
            }
        }
        EventBody::Suspended { num_pids } => int(&mut ad, "NumberOfPIDs", *num_pids as i64),
        EventBody::Unsuspended => {}
        EventBody::Held { reason, code, subcode } => {
            if let Some(r) = reason {
                string(&mut ad, "HoldReason", r);
            }
            int(&mut ad, "HoldReasonCode", *code as i64);
            int(&mut ad, "HoldReasonSubCode", *subcode as i64);
        }
        EventBody::JobAdInformation { attrs } => {
            for (k, v) in attrs {
                ad.insert(k, Expr::parse_old(v).unwrap_or_else(|_| Expr::literal(Value::string(v))));
            }
        }
        EventBody::Other { .. } => {}
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
