//! Rendering events exactly as HTCondor writes them to a job event log.
//!
//! The layout (tabs, column widths of the resources table, the `...`
//! separator) is what `htcondor2.JobEventLog`, `condor_wait` and scripts
//! parse, so it follows HTCondor byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, FixedOffset, Local, TimeZone, Timelike, Utc};

use crate::event::{Event, EventBody, Rusage, UsageEntry, UsageNum};

/// How the header's time stamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// `2026-11-25 10:47:46` in local time (HTCondor's default).
    #[default]
    IsoLocal,
    /// `2026-11-25 10:47:46Z` in UTC.
    IsoUtc,
    /// `11/25 10:47:46` (the pre-ISO format, `DEFAULT_USERLOG_FORMAT_OPTIONS = LEGACY`).
    OldLocal,
    /// `11/25 10:47:46Z`, the pre-ISO format in UTC.
    OldUtc,
    /// `2026-11-25 10:47:46` in a fixed zone, seconds east of UTC (reproducible output).
    IsoOffset(i32),
}

impl TimeFormat {
    /// The time format of HTCondor's format options (`ISO_DATE`, `UTC`,
    /// `LEGACY`, `!` to turn one off), over `base`.
    pub fn from_options(opts: &str, base: TimeFormat) -> TimeFormat {
        let (mut iso, mut utc) = match base {
            TimeFormat::IsoLocal | TimeFormat::IsoOffset(_) => (true, false),
            TimeFormat::IsoUtc => (true, true),
            TimeFormat::OldLocal => (false, false),
            TimeFormat::OldUtc => (false, true),
        };
        for o in opts.split([',', ' ', ':']).filter(|o| !o.is_empty()) {
            let (bang, o) = match o.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, o),
            };
            if o.eq_ignore_ascii_case("ISO_DATE") {
                iso = !bang;
            } else if o.eq_ignore_ascii_case("UTC") {
                utc = !bang;
            } else if o.eq_ignore_ascii_case("LEGACY") {
                if bang {
                    iso = true;
                } else {
                    iso = false;
                    utc = false;
                }
            }
        }
        match (iso, utc) {
            (true, false) => TimeFormat::IsoLocal,
            (true, true) => TimeFormat::IsoUtc,
            (false, false) => TimeFormat::OldLocal,
            (false, true) => TimeFormat::OldUtc,
        }
    }

    /// True for the UTC forms.
    pub fn is_utc(self) -> bool {
        matches!(self, TimeFormat::IsoUtc | TimeFormat::OldUtc)
    }
}

/// How a log's events are written: HTCondor's text format, or its XML
/// form (`log_xml = true`, the job's `UserLogUseXML`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Xml,
}

/// One event in `format`: text with its `...` line, or an XML event ad.
pub fn format_event_as(ev: &Event, tf: TimeFormat, format: LogFormat) -> String {
    match format {
        LogFormat::Text => format_event(ev, tf),
        LogFormat::Xml => crate::xml::ad_in_order(&crate::classad_form::to_classad(ev, tf.is_utc())),
    }
}

/// Render one event including its closing `...` line.
pub fn format_event(ev: &Event, tf: TimeFormat) -> String {
    let mut out = String::with_capacity(256);
    format_header(&mut out, ev, tf);
    format_body(&mut out, &ev.body);
    out.push_str("...\n");
    out
}

fn format_header(out: &mut String, ev: &Event, tf: TimeFormat) {
    let _ = write!(
        out,
        "{:03} ({:03}.{:03}.{:03}) ",
        ev.body.number(),
        ev.id.cluster,
        ev.id.proc,
        ev.id.subproc
    );
    // Written field by field: a log gets several events per job, and
    // parsing a strftime pattern for each one shows in a busy schedd.
    let fields = match tf {
        TimeFormat::IsoLocal | TimeFormat::OldLocal => Local.timestamp_opt(ev.time, 0).single().map(|t| t.naive_local()),
        TimeFormat::IsoUtc | TimeFormat::OldUtc => Utc.timestamp_opt(ev.time, 0).single().map(|t| t.naive_utc()),
        TimeFormat::IsoOffset(secs) => FixedOffset::east_opt(secs).and_then(|z| z.timestamp_opt(ev.time, 0).single()).map(|t| t.naive_local()),
    }
    .map(|d| (d.year(), d.month(), d.day(), d.hour(), d.minute(), d.second()));
    match (fields, tf) {
        (Some((_, mo, d, h, mi, s)), TimeFormat::OldLocal | TimeFormat::OldUtc) => {
            let _ = write!(out, "{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}");
            if tf == TimeFormat::OldUtc {
                out.push('Z');
            }
        }
        (Some((y, mo, d, h, mi, s)), _) => {
            let _ = write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
            if tf == TimeFormat::IsoUtc {
                out.push('Z');
            }
        }
        (None, _) => out.push_str("1970-01-01 00:00:00"),
    }
    out.push(' ');
}

fn format_body(out: &mut String, body: &EventBody) {
    match body {
        EventBody::Submit { host, notes } => {
            let _ = writeln!(out, "Job submitted from host: {host}");
            if let Some(n) = notes {
                let _ = writeln!(out, "    {n}");
            }
        }
        EventBody::Execute { host, slot_name, props } => {
            let _ = writeln!(out, "Job executing on host: {host}");
            if let Some(s) = slot_name {
                let _ = writeln!(out, "\tSlotName: {s}");
            }
            for (k, v) in sorted_attrs(props) {
                let _ = writeln!(out, "\t{k} = {v}");
            }
        }
        EventBody::ExecutableError { kind } => {
            // on the header line, as HTCondor writes it (its reader expects `(N) ...` there)
            let text = match kind {
                0 => "Job file not executable.",
                1 => "Job not properly linked for Condor.",
                _ => "[Bad error number.]",
            };
            let _ = writeln!(out, "({kind}) {text}");
        }
        EventBody::Evicted { code, subcode, requeued, run_remote, run_local, sent_bytes, recvd_bytes, reason, usage } => {
            if *code != 0 {
                let _ = write!(out, "Job was evicted. Code {code} Subcode {subcode}\n\t");
            } else {
                out.push_str("Job was evicted.\n\t");
            }
            if requeued.is_some() {
                out.push_str("(0) Job terminated and was requeued\n\t");
            } else {
                out.push_str("(0) CPU times\n\t");
            }
            format_rusage(out, run_remote);
            out.push_str("  -  Run Remote Usage\n\t");
            format_rusage(out, run_local);
            out.push_str("  -  Run Local Usage\n");
            let _ = writeln!(out, "\t{sent_bytes:.0}  -  Run Bytes Sent By Job");
            let _ = writeln!(out, "\t{recvd_bytes:.0}  -  Run Bytes Received By Job");
            if let Some(t) = requeued {
                if t.normal {
                    let _ = writeln!(out, "\t(1) Normal termination (return value {})", t.return_value);
                } else {
                    let _ = writeln!(out, "\t(0) Abnormal termination (signal {})", t.signal);
                    match &t.core_file {
                        Some(c) => {
                            let _ = writeln!(out, "\t(1) Corefile in: {c}");
                        }
                        None => out.push_str("\t(0) No core file\n"),
                    }
                }
            }
            if let Some(r) = reason {
                if requeued.is_some() {
                    let _ = writeln!(out, "\t{r}");
                } else {
                    let _ = writeln!(out, "\tReason: {r}");
                }
            }
            format_usage_table(out, usage);
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
            out.push_str("Job terminated.\n");
            if *normal {
                let _ = write!(out, "\t(1) Normal termination (return value {return_value})\n\t");
            } else {
                let _ = writeln!(out, "\t(0) Abnormal termination (signal {signal})");
                match core_file {
                    Some(c) => {
                        let _ = write!(out, "\t(1) Corefile in: {c}\n\t");
                    }
                    None => out.push_str("\t(0) No core file\n\t"),
                }
            }
            format_rusage(out, run_remote);
            out.push_str("  -  Run Remote Usage\n\t");
            format_rusage(out, run_local);
            out.push_str("  -  Run Local Usage\n\t");
            format_rusage(out, total_remote);
            out.push_str("  -  Total Remote Usage\n\t");
            format_rusage(out, total_local);
            out.push_str("  -  Total Local Usage\n");
            let _ = writeln!(out, "\t{sent_bytes:.0}  -  Run Bytes Sent By Job");
            let _ = writeln!(out, "\t{recvd_bytes:.0}  -  Run Bytes Received By Job");
            let _ = writeln!(out, "\t{total_sent_bytes:.0}  -  Total Bytes Sent By Job");
            let _ = writeln!(out, "\t{total_recvd_bytes:.0}  -  Total Bytes Received By Job");
            format_usage_table(out, usage);
        }
        EventBody::ImageSize { image_size_kb, memory_usage_mb, rss_kb, pss_kb } => {
            let _ = writeln!(out, "Image size of job updated: {image_size_kb}");
            if let Some(m) = memory_usage_mb {
                let _ = writeln!(out, "\t{m}  -  MemoryUsage of job (MB)");
            }
            if let Some(r) = rss_kb {
                let _ = writeln!(out, "\t{r}  -  ResidentSetSize of job (KB)");
            }
            if let Some(p) = pss_kb {
                let _ = writeln!(out, "\t{p}  -  ProportionalSetSize of job (KB)");
            }
        }
        EventBody::Aborted { reason } => {
            out.push_str("Job was aborted.\n");
            if let Some(r) = reason {
                let _ = writeln!(out, "\t{r}");
            }
        }
        EventBody::Suspended { num_pids } => {
            let _ = writeln!(out, "Job was suspended.\n\tNumber of processes actually suspended: {num_pids}");
        }
        EventBody::Unsuspended => out.push_str("Job was unsuspended.\n"),
        EventBody::Held { reason, code, subcode } => {
            out.push_str("Job was held.\n");
            match reason {
                Some(r) => {
                    let _ = writeln!(out, "\t{r}");
                }
                None => out.push_str("\tReason unspecified\n"),
            }
            let _ = writeln!(out, "\tCode {code} Subcode {subcode}");
        }
        EventBody::Released { reason } => {
            out.push_str("Job was released.\n");
            if let Some(r) = reason {
                let _ = writeln!(out, "\t{r}");
            }
        }
        EventBody::JobAdInformation { attrs } => {
            out.push_str("Job ad information event triggered.\n");
            for (k, v) in sorted_attrs(attrs) {
                let _ = writeln!(out, "{k} = {v}");
            }
        }
        EventBody::Other { text, .. } => {
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
    }
}

/// Attributes in HTCondor's print order: sorted by name, ignoring case.
fn sorted_attrs(attrs: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut v: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    v.sort_by_key(|(k, _)| k.to_ascii_lowercase());
    v
}

fn format_rusage(out: &mut String, r: &Rusage) {
    let split = |s: i64| {
        let s = s.max(0);
        (s / 86400, (s % 86400) / 3600, (s % 3600) / 60, s % 60)
    };
    let (ud, uh, um, us) = split(r.user_secs);
    let (sd, sh, sm, ss) = split(r.sys_secs);
    let _ = write!(out, "\tUsr {ud} {uh:02}:{um:02}:{us:02}, Sys {sd} {sh:02}:{sm:02}:{ss:02}");
}

/// The columns of one row of the resources table.
#[derive(Default)]
struct Row {
    use_: String,
    req: String,
    alloc: String,
    assigned: String,
}

/// The `Partitionable Resources : Usage Request Allocated` table.
///
/// Attribute names map to columns: `Request<R>` → Request, `Assigned<R>` →
/// Assigned, `<R>AverageUsage`/`<R>Usage` → Usage, `<R>` → Allocated. Rows
/// are sorted by resource name ignoring case; reals print with two decimals
/// only when they have a fractional part, and integers in such a column get
/// three trailing spaces so the digits line up with the decimal points.
pub fn format_usage_table(out: &mut String, usage: &[UsageEntry]) {
    if usage.is_empty() {
        return;
    }
    // Key: lowercased resource name → (display name, row).
    let mut rows: BTreeMap<String, (String, Row)> = BTreeMap::new();
    let (mut req_f, mut asg_f, mut alloc_f, mut use_f) = (false, false, false, false);
    for e in usage {
        let (text, frac) = match &e.value {
            UsageNum::Real(r) if r.fract() > 0.0 => (format!("{r:.2}"), true),
            UsageNum::Real(r) => (format!("{}", r.trunc() as i64), false),
            UsageNum::Int(i) => (i.to_string(), false),
            UsageNum::Shown(s) => (s.clone(), s.contains('.')),
        };
        let attr = e.attr.as_str();
        let (res, col): (&str, u8) = if let Some(r) = attr.strip_prefix("Request") {
            (r, 1)
        } else if let Some(r) = attr.strip_prefix("Assigned") {
            (r, 3)
        } else if let Some(r) = attr.strip_suffix("AverageUsage") {
            (r, 0)
        } else if let Some(r) = attr.strip_suffix("Usage") {
            (r, 0)
        } else {
            (attr, 2)
        };
        if res.is_empty() {
            let _ = writeln!(out, "\t{attr} = {text}");
            continue;
        }
        let entry = rows
            .entry(res.to_ascii_lowercase())
            .or_insert_with(|| (res.to_string(), Row::default()));
        match col {
            0 => {
                entry.1.use_ = text;
                use_f |= frac;
            }
            1 => {
                entry.1.req = text;
                req_f |= frac;
            }
            2 => {
                entry.1.alloc = text;
                alloc_f |= frac;
            }
            _ => {
                entry.1.assigned = text;
                asg_f = frac;
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let bare_int = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (mut w_res, mut w_use, mut w_req, mut w_alloc, mut w_asg) = ("Memory (MB)".len() + 1, 8, 8, 0, 0);
    for (name, row) in rows.values_mut() {
        for (flag, cell) in [
            (use_f, &mut row.use_),
            (req_f, &mut row.req),
            (alloc_f, &mut row.alloc),
            (asg_f, &mut row.assigned),
        ] {
            if flag && bare_int(cell) {
                cell.push_str("   ");
            }
        }
        w_res = w_res.max(name.len());
        w_use = w_use.max(row.use_.len());
        w_req = w_req.max(row.req.len());
        w_alloc = w_alloc.max(row.alloc.len());
        w_asg = w_asg.max(row.assigned.len());
    }
    let w_alloc_col = w_alloc.max(9);
    let _ = writeln!(
        out,
        "\tPartitionable Resources : {:>w_use$} {:>w_req$} {:>w_alloc_col$} {}",
        "Usage",
        "Request",
        if w_alloc > 0 { "Allocated" } else { "" },
        if w_asg > 0 { "Assigned" } else { "" },
    );
    let w_label = w_res + 8;
    for (name, row) in rows.values() {
        let label = match name.as_str() {
            "Memory" => "Memory (MB)".to_string(),
            "Disk" => "Disk (KB)".to_string(),
            "Gpus" => "Gpus (Average)".to_string(),
            "GpusMemory" => "GpusMemory (MB)".to_string(),
            "TimeExecute" => "TimeExecute (s)".to_string(),
            "TimeSlotBusy" => "TimeSlotBusy (s)".to_string(),
            other => other.to_string(),
        };
        let _ = writeln!(
            out,
            "\t   {:<w_label$} : {:>w_use$} {:>w_req$} {:>w_alloc_col$} {}",
            label, row.use_, row.req, row.alloc, row.assigned
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{JobId, Termination};

    #[test]
    fn requeued_eviction_prints_the_termination_and_reads_back() {
        let ev = Event {
            id: JobId::new(5, 0),
            time: 0,
            body: EventBody::Evicted {
                code: 0,
                subcode: 0,
                requeued: Some(Termination { normal: true, return_value: 3, signal: 0, core_file: None }),
                run_remote: Rusage::default(),
                run_local: Rusage::default(),
                sent_bytes: 0.0,
                recvd_bytes: 0.0,
                reason: Some("The job attribute OnExitRemove expression 'ExitCode == 0' evaluated to FALSE".into()),
                usage: vec![],
            },
        };
        let text = format_event(&ev, TimeFormat::IsoUtc);
        assert_eq!(
            text,
            "004 (005.000.000) 1970-01-01 00:00:00Z Job was evicted.\n\t(0) Job terminated and was requeued\n\
             \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Remote Usage\n\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage\n\
             \t0  -  Run Bytes Sent By Job\n\t0  -  Run Bytes Received By Job\n\t(1) Normal termination (return value 3)\n\
             \tThe job attribute OnExitRemove expression 'ExitCode == 0' evaluated to FALSE\n...\n"
        );
        let back = crate::read::parse_log(&text).unwrap();
        assert_eq!(back.events, vec![ev]);
    }

    #[test]
    fn executable_error_is_written_on_the_header_line_as_htcondor_reads_it() {
        let ev = Event { id: JobId::new(7, 0), time: 0, body: EventBody::ExecutableError { kind: 0 } };
        let text = format_event(&ev, TimeFormat::IsoUtc);
        assert_eq!(text, "002 (007.000.000) 1970-01-01 00:00:00Z (0) Job file not executable.\n...\n");
        let back = crate::read::parse_log(&text).unwrap();
        assert_eq!(back.events, vec![ev]);
    }

    #[test]
    fn suspension_reads_back_with_its_process_count() {
        let ev = Event { id: JobId::new(7, 1), time: 0, body: EventBody::Suspended { num_pids: 2 } };
        let text = format_event(&ev, TimeFormat::IsoUtc);
        assert_eq!(crate::read::parse_log(&text).unwrap().events, vec![ev]);
    }
}
