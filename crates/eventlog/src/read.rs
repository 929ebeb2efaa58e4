//! Reading a job event log back into [`Event`]s.
//!
//! The reader accepts what HTCondor writes (ISO or old-style dates, with or
//! without sub-second and `Z` suffixes) and what Aerie writes. A last event
//! without its closing `...` is left unread, so a follower (`condor_wait`)
//! can call again once more of the file has been written.

use chrono::{Datelike, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::event::{Event, EventBody, JobId, Rusage, Termination, UsageEntry, UsageNum};

/// A log that cannot be read, with the line where reading stopped.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReadError {
    #[error("line {line}: not an event header (expected `NNN (cluster.proc.subproc) date time text`): {text:?}")]
    BadHeader { line: usize, text: String },
    #[error("not an XML event log: {0}")]
    Xml(#[from] crate::xml::XmlError),
    #[error("XML event {index} has no EventTypeNumber")]
    XmlEvent { index: usize },
}

/// Events read from a log, and how many bytes of the text they cover.
#[derive(Debug, Default)]
pub struct Parsed {
    pub events: Vec<Event>,
    /// Bytes of input consumed: everything up to and including the last `...` line.
    pub consumed: usize,
}

/// Parse every complete event in `text`: HTCondor's text format, or — when
/// the log starts with `<` — its XML format (`log_xml = true`).
pub fn parse_log(text: &str) -> Result<Parsed, ReadError> {
    if text.trim_start().starts_with('<') {
        return parse_xml_log(text);
    }
    parse_text_log(text)
}

/// An XML user log: a series of event ads.
fn parse_xml_log(text: &str) -> Result<Parsed, ReadError> {
    let ads = crate::xml::parse_ads(text)?;
    let mut events = Vec::with_capacity(ads.ads.len());
    for (index, ad) in ads.ads.iter().enumerate() {
        events.push(crate::classad_form::from_classad(ad).ok_or(ReadError::XmlEvent { index })?);
    }
    Ok(Parsed { events, consumed: ads.consumed })
}

fn parse_text_log(text: &str) -> Result<Parsed, ReadError> {
    let mut parsed = Parsed::default();
    let mut offset = 0usize;
    let mut line_no = 0usize;
    let mut pending: Vec<&str> = Vec::new();
    let mut pending_start_line = 0usize;
    for raw in text.split_inclusive('\n') {
        line_no += 1;
        if !raw.ends_with('\n') {
            break; // a line still being written
        }
        let line = raw.trim_end_matches(['\n', '\r']);
        offset += raw.len();
        if line == "..." {
            if !pending.is_empty() {
                parsed.events.push(parse_event(&pending, pending_start_line)?);
                pending.clear();
            }
            parsed.consumed = offset;
            continue;
        }
        if pending.is_empty() {
            if line.trim().is_empty() {
                continue;
            }
            pending_start_line = line_no;
        }
        pending.push(line);
    }
    Ok(parsed)
}

fn parse_event(lines: &[&str], line_no: usize) -> Result<Event, ReadError> {
    let header = lines[0];
    let bad = || ReadError::BadHeader { line: line_no, text: header.to_string() };
    let (num, rest) = header.split_once(' ').ok_or_else(bad)?;
    let number: u32 = num.parse().map_err(|_| bad())?;
    let rest = rest.strip_prefix('(').ok_or_else(bad)?;
    let (ids, rest) = rest.split_once(") ").ok_or_else(bad)?;
    let mut parts = ids.split('.').map(|p| p.parse::<i64>());
    let id = match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(c)), Some(Ok(p)), Some(Ok(s))) => JobId { cluster: c, proc: p, subproc: s },
        _ => return Err(bad()),
    };
    let mut words = rest.splitn(3, ' ');
    let (date, time, text) = (words.next().unwrap_or(""), words.next().unwrap_or(""), words.next().unwrap_or(""));
    let time = parse_time(date, time).ok_or_else(bad)?;
    let body_lines = &lines[1..];
    let body = parse_body(number, text, body_lines);
    Ok(Event { id, time, body })
}

fn parse_time(date: &str, time: &str) -> Option<i64> {
    let utc = time.ends_with('Z');
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next().unwrap_or(time);
    let date = if date.contains('/') {
        // Old format `MM/DD`: the year is not written; take the current one.
        let (m, d) = date.split_once('/')?;
        NaiveDate::from_ymd_opt(Local::now().year(), m.parse().ok()?, d.parse().ok()?)?
    } else {
        NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?
    };
    let t = chrono::NaiveTime::parse_from_str(time, "%H:%M:%S").ok()?;
    let dt = NaiveDateTime::new(date, t);
    if utc {
        Some(Utc.from_utc_datetime(&dt).timestamp())
    } else {
        Local.from_local_datetime(&dt).earliest().map(|t| t.timestamp())
    }
}

fn tab_trim(s: &str) -> &str {
    s.trim_start_matches(['\t', ' '])
}

fn parse_body(number: u32, text: &str, body: &[&str]) -> EventBody {
    let other = || EventBody::Other {
        number,
        text: std::iter::once(text).chain(body.iter().copied()).collect::<Vec<_>>().join("\n"),
    };
    match number {
        0 => match text.strip_prefix("Job submitted from host: ") {
            Some(host) => EventBody::Submit {
                host: host.to_string(),
                notes: body.first().map(|l| l.trim().to_string()),
            },
            None => other(),
        },
        1 => match text.strip_prefix("Job executing on host: ") {
            Some(host) => {
                let mut slot_name = None;
                let mut props = Vec::new();
                for l in body {
                    let l = tab_trim(l);
                    if let Some(s) = l.strip_prefix("SlotName: ") {
                        slot_name = Some(s.to_string());
                    } else if let Some((k, v)) = l.split_once(" = ") {
                        props.push((k.to_string(), v.to_string()));
                    }
                }
                EventBody::Execute { host: host.to_string(), slot_name, props }
            }
            None => other(),
        },
        2 => match text.strip_prefix('(').and_then(|r| r.split_once(')')).and_then(|(n, _)| n.trim().parse().ok()) {
            Some(kind) => EventBody::ExecutableError { kind },
            None => other(),
        },
        4 => parse_evicted(text, body).unwrap_or_else(other),
        5 => parse_terminated(body).unwrap_or_else(other),
        6 => match text.strip_prefix("Image size of job updated: ").and_then(|s| s.trim().parse().ok()) {
            Some(image_size_kb) => {
                let field = |suffix: &str| {
                    body.iter().find_map(|l| {
                        let l = tab_trim(l);
                        l.strip_suffix(suffix).and_then(|n| n.trim().parse().ok())
                    })
                };
                EventBody::ImageSize {
                    image_size_kb,
                    memory_usage_mb: field("  -  MemoryUsage of job (MB)"),
                    rss_kb: field("  -  ResidentSetSize of job (KB)"),
                    pss_kb: field("  -  ProportionalSetSize of job (KB)"),
                }
            }
            None => other(),
        },
        9 => EventBody::Aborted { reason: body.first().map(|l| tab_trim(l).to_string()) },
        12 => {
            let mut reason = None;
            let (mut code, mut subcode) = (0, 0);
            for l in body {
                let l = tab_trim(l);
                if let Some(rest) = l.strip_prefix("Code ") {
                    let mut it = rest.split_whitespace();
                    code = it.next().and_then(|c| c.parse().ok()).unwrap_or(0);
                    subcode = it.nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
                } else if reason.is_none() && l != "Reason unspecified" {
                    reason = Some(l.to_string());
                }
            }
            EventBody::Held { reason, code, subcode }
        }
        13 => EventBody::Released { reason: body.first().map(|l| tab_trim(l).to_string()) },
        10 => match body.iter().find_map(|l| tab_trim(l).strip_prefix("Number of processes actually suspended:")) {
            Some(n) => EventBody::Suspended { num_pids: n.trim().parse().unwrap_or(0) },
            None => other(),
        },
        11 => EventBody::Unsuspended,
        28 => EventBody::JobAdInformation {
            attrs: body
                .iter()
                .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim().to_string(), v.to_string())))
                .collect(),
        },
        _ => other(),
    }
}

fn parse_rusage(line: &str) -> Option<Rusage> {
    // `Usr D HH:MM:SS, Sys D HH:MM:SS  -  ...`
    let l = tab_trim(line);
    let l = l.split("  -  ").next()?;
    let (usr, sys) = l.split_once(", ")?;
    let secs = |s: &str, tag: &str| -> Option<i64> {
        let s = s.strip_prefix(tag)?.trim();
        let (days, hms) = s.split_once(' ')?;
        let mut it = hms.split(':').map(|x| x.parse::<i64>());
        let (h, m, sec) = (it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?);
        Some(days.parse::<i64>().ok()? * 86400 + h * 3600 + m * 60 + sec)
    };
    Some(Rusage { user_secs: secs(usr, "Usr ")?, sys_secs: secs(sys, "Sys ")? })
}

fn parse_bytes(line: &str) -> Option<f64> {
    tab_trim(line).split("  -  ").next()?.trim().parse().ok()
}

/// Rows of the resources table back into usage-ad entries.
///
/// Columns are right-aligned under the header words `Usage`, `Request` and
/// `Allocated` (an empty cell is blank), so cells are cut at the header's
/// right edges rather than split on white space.
fn parse_usage_table(lines: &[&str]) -> Vec<UsageEntry> {
    let mut out = Vec::new();
    let mut edges: Option<[usize; 3]> = None;
    for l in lines {
        let Some(colon) = l.find(" : ") else { continue };
        let (label, cells) = (&l[..colon], &l[colon + 3..]);
        if label.trim_start().starts_with("Partitionable Resources") {
            let right_edge = |word: &str| cells.find(word).map(|i| i + word.len());
            edges = match (right_edge("Usage"), right_edge("Request"), right_edge("Allocated")) {
                (Some(u), Some(r), Some(a)) => Some([u, r, a]),
                (Some(u), Some(r), None) => Some([u, r, cells.len()]),
                _ => None,
            };
            continue;
        }
        let Some([u, r, a]) = edges else { continue };
        let name = label.split_whitespace().next().unwrap_or("");
        let cell = |from: usize, to: usize| cells.get(from.min(cells.len())..to.min(cells.len())).unwrap_or("").trim();
        for (attr, text) in [
            (format!("{name}Usage"), cell(0, u)),
            (format!("Request{name}"), cell(u, r)),
            (name.to_string(), cell(r, a)),
            (format!("Assigned{name}"), cell(a, cells.len())),
        ] {
            if !text.is_empty() {
                out.push(UsageEntry { attr, value: UsageNum::Shown(text.to_string()) });
            }
        }
    }
    out
}

fn parse_evicted(text: &str, body: &[&str]) -> Option<EventBody> {
    let rest = text.strip_prefix("Job was evicted.")?.trim();
    let (mut code, mut subcode) = (0, 0);
    if let Some(r) = rest.strip_prefix("Code ") {
        let mut it = r.split_whitespace();
        code = it.next()?.parse().ok()?;
        subcode = it.nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    }
    let run_remote = body.get(1).and_then(|l| parse_rusage(l)).unwrap_or_default();
    let run_local = body.get(2).and_then(|l| parse_rusage(l)).unwrap_or_default();
    let sent_bytes = body.get(3).and_then(|l| parse_bytes(l)).unwrap_or(0.0);
    let recvd_bytes = body.get(4).and_then(|l| parse_bytes(l)).unwrap_or(0.0);
    let requeued_form = body.first().is_some_and(|l| tab_trim(l).starts_with("(0) Job terminated and was requeued"));
    let mut requeued = None;
    let reason;
    if requeued_form {
        let mut i = 5;
        let line = body.get(i).map(|l| tab_trim(l)).unwrap_or("");
        let mut t = Termination { normal: true, return_value: 0, signal: 0, core_file: None };
        if let Some(r) = line.strip_prefix("(1) Normal termination (return value ") {
            t.return_value = r.trim_end_matches(')').parse().unwrap_or(0);
            i += 1;
        } else if let Some(r) = line.strip_prefix("(0) Abnormal termination (signal ") {
            t.normal = false;
            t.signal = r.trim_end_matches(')').parse().unwrap_or(0);
            i += 1;
            let core = body.get(i).map(|l| tab_trim(l)).unwrap_or("");
            if let Some(c) = core.strip_prefix("(1) Corefile in: ") {
                t.core_file = Some(c.to_string());
                i += 1;
            } else if core.starts_with("(0) No core file") {
                i += 1;
            }
        }
        requeued = Some(t);
        reason = body
            .get(i)
            .map(|l| tab_trim(l))
            .filter(|l| !l.starts_with("Partitionable Resources") && !l.is_empty())
            .map(str::to_string);
    } else {
        reason = body.iter().find_map(|l| tab_trim(l).strip_prefix("Reason: ").map(str::to_string));
    }
    Some(EventBody::Evicted {
        code,
        subcode,
        requeued,
        run_remote,
        run_local,
        sent_bytes,
        recvd_bytes,
        reason,
        usage: parse_usage_table(body),
    })
}

fn parse_terminated(body: &[&str]) -> Option<EventBody> {
    let first = tab_trim(body.first()?);
    let mut i = 1;
    let (normal, return_value, signal, mut core_file) = if let Some(r) = first.strip_prefix("(1) Normal termination (return value ") {
        (true, r.trim_end_matches(')').parse().ok()?, 0, None)
    } else if let Some(r) = first.strip_prefix("(0) Abnormal termination (signal ") {
        (false, 0, r.trim_end_matches(')').parse().ok()?, None)
    } else {
        return None;
    };
    if !normal {
        let l = tab_trim(body.get(1)?);
        if let Some(c) = l.strip_prefix("(1) Corefile in: ") {
            core_file = Some(c.to_string());
        }
        i = 2;
    }
    let ru = |k: usize| body.get(i + k).and_then(|l| parse_rusage(l)).unwrap_or_default();
    let by = |k: usize| body.get(i + 4 + k).and_then(|l| parse_bytes(l)).unwrap_or(0.0);
    Some(EventBody::Terminated {
        normal,
        return_value,
        signal,
        core_file,
        run_remote: ru(0),
        run_local: ru(1),
        total_remote: ru(2),
        total_local: ru(3),
        sent_bytes: by(0),
        recvd_bytes: by(1),
        total_sent_bytes: by(2),
        total_recvd_bytes: by(3),
        usage: parse_usage_table(body),
    })
}
