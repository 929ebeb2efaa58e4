//! Events as ClassAds, with HTCondor's attribute names (its events'
//! `toClassAd`/`initFromClassAd`): what an XML user log holds, what
//! `condor_wait -echo:XML` prints, and the base of the 028 job ad
//! information event.

use chrono::{Local, TimeZone, Utc};
use classad::{ClassAd, Expr, Value};

use crate::event::{Event, EventBody, JobId, Rusage, Termination, UsageEntry, UsageNum};

/// HTCondor's `MyType` of each event.
pub fn type_name(number: u32) -> &'static str {
    match number {
        0 => "SubmitEvent",
        1 => "ExecuteEvent",
        2 => "ExecutableErrorEvent",
        3 => "CheckpointedEvent",
        4 => "JobEvictedEvent",
        5 => "JobTerminatedEvent",
        6 => "JobImageSizeEvent",
        7 => "ShadowExceptionEvent",
        8 => "GenericEvent",
        9 => "JobAbortedEvent",
        10 => "JobSuspendedEvent",
        11 => "JobUnsuspendedEvent",
        12 => "JobHeldEvent",
        13 => "JobReleaseEvent",
        21 => "RemoteErrorEvent",
        22 => "JobDisconnectedEvent",
        23 => "JobReconnectedEvent",
        24 => "JobReconnectFailedEvent",
        28 => "JobAdInformationEvent",
        33 => "AttributeUpdateEvent",
        35 => "ClusterSubmitEvent",
        36 => "ClusterRemoveEvent",
        40 => "FileTransferEvent",
        _ => "FutureEvent",
    }
}

/// HTCondor's `ULOG_…` name of an event number (`TriggerEventTypeName`).
pub fn ulog_name(number: u32) -> &'static str {
    const NAMES: [&str; 14] = [
        "ULOG_SUBMIT",
        "ULOG_EXECUTE",
        "ULOG_EXECUTABLE_ERROR",
        "ULOG_CHECKPOINTED",
        "ULOG_JOB_EVICTED",
        "ULOG_JOB_TERMINATED",
        "ULOG_IMAGE_SIZE",
        "ULOG_SHADOW_EXCEPTION",
        "ULOG_GENERIC",
        "ULOG_JOB_ABORTED",
        "ULOG_JOB_SUSPENDED",
        "ULOG_JOB_UNSUSPENDED",
        "ULOG_JOB_HELD",
        "ULOG_JOB_RELEASED",
    ];
    match number {
        28 => "ULOG_JOB_AD_INFORMATION",
        n => NAMES.get(n as usize).copied().unwrap_or("ULOG_FUTURE_EVENT"),
    }
}

/// `Usr 0 00:00:01, Sys 0 00:00:00` (HTCondor's `rusageToStr`).
fn rusage_text(r: &Rusage) -> String {
    let split = |s: i64| {
        let s = s.max(0);
        (s / 86400, (s % 86400) / 3600, (s % 3600) / 60, s % 60)
    };
    let (ud, uh, um, us) = split(r.user_secs);
    let (sd, sh, sm, ss) = split(r.sys_secs);
    format!("Usr {ud} {uh:02}:{um:02}:{us:02}, Sys {sd} {sh:02}:{sm:02}:{ss:02}")
}

fn parse_rusage(s: &str) -> Rusage {
    // "Usr D HH:MM:SS, Sys D HH:MM:SS"
    let secs = |part: &str| -> i64 {
        let mut it = part.split_whitespace().skip(1);
        let days: i64 = it.next().and_then(|d| d.parse().ok()).unwrap_or(0);
        let hms: Vec<i64> = it.next().unwrap_or("0:0:0").split(':').map(|x| x.trim_end_matches(',').parse().unwrap_or(0)).collect();
        days * 86400 + hms.first().unwrap_or(&0) * 3600 + hms.get(1).unwrap_or(&0) * 60 + hms.get(2).unwrap_or(&0)
    };
    let (u, sys) = s.split_once(',').unwrap_or((s, ""));
    Rusage { user_secs: secs(u.trim()), sys_secs: secs(sys.trim()) }
}

/// `EventTime`: ISO 8601 local time (`2026-11-25T10:47:46`), or UTC with `Z`.
fn event_time(t: i64, utc: bool) -> String {
    if utc {
        Utc.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
    } else {
        Local.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default()
    }
}

fn parse_event_time(s: &str) -> Option<i64> {
    if let Some(z) = s.strip_suffix('Z') {
        return chrono::NaiveDateTime::parse_from_str(z, "%Y-%m-%dT%H:%M:%S").ok().map(|d| d.and_utc().timestamp());
    }
    let d = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()?;
    Local.from_local_datetime(&d).earliest().map(|d| d.timestamp())
}

fn set(ad: &mut ClassAd, name: &str, v: Value) {
    ad.insert_value(name, v);
}

fn usage_value(u: &UsageNum) -> Value {
    match u {
        UsageNum::Int(i) => Value::Int(*i),
        UsageNum::Real(r) => Value::Real(*r),
        UsageNum::Shown(s) => s.parse::<i64>().map(Value::Int).or_else(|_| s.parse::<f64>().map(Value::Real)).unwrap_or_else(|_| Value::string(s)),
    }
}

/// The event as HTCondor's `toClassAd` makes it: `EventTypeNumber`,
/// `MyType`, `EventTime`, `Cluster`/`Proc`/`Subproc`, then the event's own
/// attributes.
pub fn to_classad(ev: &Event, utc: bool) -> ClassAd {
    let mut ad = ClassAd::new();
    let n = ev.body.number();
    set(&mut ad, "EventTypeNumber", Value::Int(n as i64));
    set(&mut ad, "MyType", Value::string(type_name(n)));
    set(&mut ad, "EventTime", Value::string(&event_time(ev.time, utc)));
    set(&mut ad, "Cluster", Value::Int(ev.id.cluster));
    set(&mut ad, "Proc", Value::Int(ev.id.proc));
    set(&mut ad, "Subproc", Value::Int(ev.id.subproc));
    let s = |v: &str| Value::string(v);
    match &ev.body {
        EventBody::Submit { host, notes } => {
            set(&mut ad, "SubmitHost", s(host));
            if let Some(n) = notes {
                set(&mut ad, "LogNotes", s(n));
            }
        }
        EventBody::Execute { host, slot_name, props } => {
            set(&mut ad, "ExecuteHost", s(host));
            if let Some(sn) = slot_name {
                set(&mut ad, "SlotName", s(sn));
            }
            if !props.is_empty() {
                let mut p = ClassAd::new();
                for (k, v) in props {
                    if let Ok(e) = Expr::parse_old(v) {
                        p.insert(k, e);
                    }
                }
                set(&mut ad, "ExecuteProps", Value::Ad(std::sync::Arc::new(p)));
            }
        }
        EventBody::ExecutableError { kind } => set(&mut ad, "ExecuteErrorType", Value::Int(*kind as i64)),
        EventBody::Evicted { code, subcode, requeued, run_remote, run_local, sent_bytes, recvd_bytes, reason, .. } => {
            set(&mut ad, "Checkpointed", Value::Bool(false));
            set(&mut ad, "RunLocalUsage", s(&rusage_text(run_local)));
            set(&mut ad, "RunRemoteUsage", s(&rusage_text(run_remote)));
            set(&mut ad, "SentBytes", Value::Real(*sent_bytes));
            set(&mut ad, "ReceivedBytes", Value::Real(*recvd_bytes));
            set(&mut ad, "TerminatedAndRequeued", Value::Bool(requeued.is_some()));
            set(&mut ad, "TerminatedNormally", Value::Bool(requeued.as_ref().is_some_and(|t| t.normal)));
            if let Some(t) = requeued {
                if t.normal {
                    set(&mut ad, "ReturnValue", Value::Int(t.return_value as i64));
                } else {
                    set(&mut ad, "TerminatedBySignal", Value::Int(t.signal as i64));
                }
            }
            if let Some(r) = reason {
                set(&mut ad, "Reason", s(r));
            }
            if *code != 0 {
                set(&mut ad, "ReasonCode", Value::Int(*code as i64));
            }
            if *subcode != 0 {
                set(&mut ad, "ReasonSubCode", Value::Int(*subcode as i64));
            }
            if let Some(c) = requeued.as_ref().and_then(|t| t.core_file.clone()) {
                set(&mut ad, "CoreFile", s(&c));
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
            for u in usage {
                set(&mut ad, &u.attr, usage_value(&u.value));
            }
            set(&mut ad, "TerminatedNormally", Value::Bool(*normal));
            if *normal {
                set(&mut ad, "ReturnValue", Value::Int(*return_value as i64));
            } else {
                set(&mut ad, "TerminatedBySignal", Value::Int(*signal as i64));
            }
            if let Some(c) = core_file {
                set(&mut ad, "CoreFile", s(c));
            }
            set(&mut ad, "RunLocalUsage", s(&rusage_text(run_local)));
            set(&mut ad, "RunRemoteUsage", s(&rusage_text(run_remote)));
            set(&mut ad, "TotalLocalUsage", s(&rusage_text(total_local)));
            set(&mut ad, "TotalRemoteUsage", s(&rusage_text(total_remote)));
            set(&mut ad, "SentBytes", Value::Real(*sent_bytes));
            set(&mut ad, "ReceivedBytes", Value::Real(*recvd_bytes));
            set(&mut ad, "TotalSentBytes", Value::Real(*total_sent_bytes));
            set(&mut ad, "TotalReceivedBytes", Value::Real(*total_recvd_bytes));
        }
        EventBody::ImageSize { image_size_kb, memory_usage_mb, rss_kb, pss_kb } => {
            set(&mut ad, "Size", Value::Int(*image_size_kb));
            if let Some(m) = memory_usage_mb {
                set(&mut ad, "MemoryUsage", Value::Int(*m));
            }
            if let Some(r) = rss_kb {
                set(&mut ad, "ResidentSetSize", Value::Int(*r));
            }
            if let Some(p) = pss_kb {
                set(&mut ad, "ProportionalSetSize", Value::Int(*p));
            }
        }
        EventBody::Aborted { reason } | EventBody::Released { reason } => {
            if let Some(r) = reason {
                set(&mut ad, "Reason", s(r));
            }
        }
        EventBody::Suspended { num_pids } => set(&mut ad, "NumberOfPIDs", Value::Int(*num_pids as i64)),
        EventBody::Unsuspended => {}
        EventBody::Held { reason, code, subcode } => {
            if let Some(r) = reason {
                set(&mut ad, "HoldReason", s(r));
            }
            set(&mut ad, "HoldReasonCode", Value::Int(*code as i64));
            set(&mut ad, "HoldReasonSubCode", Value::Int(*subcode as i64));
        }
        EventBody::JobAdInformation { attrs } => {
            for (k, v) in attrs {
                if let Ok(e) = Expr::parse_old(v) {
                    ad.insert(k, e);
                }
            }
            // The information may carry its trigger's type; the event's own wins.
            set(&mut ad, "EventTypeNumber", Value::Int(28));
            set(&mut ad, "MyType", Value::string("JobAdInformationEvent"));
        }
        EventBody::Other { text, .. } => set(&mut ad, "Text", s(text)),
    }
    ad
}

/// An event read back from its ClassAd (HTCondor's `initFromClassAd`);
/// `None` without an `EventTypeNumber`.
pub fn from_classad(ad: &ClassAd) -> Option<Event> {
    let int = |n: &str| ad.eval_attr(n).as_int();
    let string = |n: &str| match ad.eval_attr(n) {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    };
    let real = |n: &str| ad.eval_attr(n).as_number().unwrap_or(0.0);
    let boolean = |n: &str| matches!(ad.eval_attr(n), Value::Bool(true));
    let number = int("EventTypeNumber")? as u32;
    let id = JobId { cluster: int("Cluster").unwrap_or(-1), proc: int("Proc").unwrap_or(-1), subproc: int("Subproc").unwrap_or(0) };
    let time = string("EventTime").and_then(|t| parse_event_time(&t)).unwrap_or(0);
    let usage_of = |n: &str| string(n).map(|s| parse_rusage(&s)).unwrap_or_default();
    const BASE: &[&str] = &["EventTypeNumber", "MyType", "EventTime", "Cluster", "Proc", "Subproc"];
    let body = match number {
        0 => EventBody::Submit { host: string("SubmitHost").unwrap_or_default(), notes: string("LogNotes") },
        1 => {
            let props = match ad.get("ExecuteProps").map(|e| ad.eval_expr(e, None)) {
                Some(Value::Ad(p)) => p.iter().map(|(k, e)| (k.to_string(), e.to_old_string())).collect(),
                _ => Vec::new(),
            };
            EventBody::Execute { host: string("ExecuteHost").unwrap_or_default(), slot_name: string("SlotName"), props }
        }
        2 => EventBody::ExecutableError { kind: int("ExecuteErrorType").unwrap_or(0) as i32 },
        4 => {
            let requeued = boolean("TerminatedAndRequeued").then(|| Termination {
                normal: boolean("TerminatedNormally"),
                return_value: int("ReturnValue").unwrap_or(0) as i32,
                signal: int("TerminatedBySignal").unwrap_or(0) as i32,
                core_file: string("CoreFile"),
            });
            EventBody::Evicted {
                code: int("ReasonCode").unwrap_or(0) as i32,
                subcode: int("ReasonSubCode").unwrap_or(0) as i32,
                requeued,
                run_remote: usage_of("RunRemoteUsage"),
                run_local: usage_of("RunLocalUsage"),
                sent_bytes: real("SentBytes"),
                recvd_bytes: real("ReceivedBytes"),
                reason: string("Reason"),
                usage: Vec::new(),
            }
        }
        5 => {
            const KNOWN: &[&str] = &[
                "TerminatedNormally", "ReturnValue", "TerminatedBySignal", "CoreFile", "RunLocalUsage", "RunRemoteUsage", "TotalLocalUsage",
                "TotalRemoteUsage", "SentBytes", "ReceivedBytes", "TotalSentBytes", "TotalReceivedBytes",
            ];
            let usage = ad
                .iter()
                .filter(|(k, _)| !BASE.iter().chain(KNOWN).any(|b| b.eq_ignore_ascii_case(k)))
                .filter_map(|(k, e)| match ad.eval_expr(e, None) {
                    Value::Int(i) => Some(UsageEntry { attr: k.to_string(), value: UsageNum::Int(i) }),
                    Value::Real(r) => Some(UsageEntry { attr: k.to_string(), value: UsageNum::Real(r) }),
                    _ => None,
                })
                .collect();
            EventBody::Terminated {
                normal: boolean("TerminatedNormally"),
                return_value: int("ReturnValue").unwrap_or(0) as i32,
                signal: int("TerminatedBySignal").unwrap_or(0) as i32,
                core_file: string("CoreFile"),
                run_remote: usage_of("RunRemoteUsage"),
                run_local: usage_of("RunLocalUsage"),
                total_remote: usage_of("TotalRemoteUsage"),
                total_local: usage_of("TotalLocalUsage"),
                sent_bytes: real("SentBytes"),
                recvd_bytes: real("ReceivedBytes"),
                total_sent_bytes: real("TotalSentBytes"),
                total_recvd_bytes: real("TotalReceivedBytes"),
                usage,
            }
        }
        6 => EventBody::ImageSize {
            image_size_kb: int("Size").unwrap_or(0),
            memory_usage_mb: int("MemoryUsage"),
            rss_kb: int("ResidentSetSize"),
            pss_kb: int("ProportionalSetSize"),
        },
        9 => EventBody::Aborted { reason: string("Reason") },
        10 => EventBody::Suspended { num_pids: int("NumberOfPIDs").unwrap_or(0) as i32 },
        11 => EventBody::Unsuspended,
        12 => EventBody::Held {
            reason: string("HoldReason"),
            code: int("HoldReasonCode").unwrap_or(0) as i32,
            subcode: int("HoldReasonSubCode").unwrap_or(0) as i32,
        },
        13 => EventBody::Released { reason: string("Reason") },
        28 => EventBody::JobAdInformation { attrs: ad.iter().map(|(k, e)| (k.to_string(), e.to_old_string())).collect() },
        n => EventBody::Other { number: n, text: ad.to_old_string() },
    };
    Some(Event { id, time, body })
}

/// HTCondor's 028 event after `trigger`, for a job whose
/// `JobAdInformationAttrs` names `attrs`: the trigger's ad, the job's
/// values of those attributes that are booleans, integers, reals or
/// strings, `TriggerEventTypeNumber`/`TriggerEventTypeName`, and
/// `EventTypeNumber = 28`.
pub fn job_ad_information(trigger: &Event, job: &ClassAd, attrs: &str) -> Event {
    let mut ad = to_classad(trigger, false);
    for name in attrs.split([',', ' ', '\t', '\n']).filter(|s| !s.is_empty()) {
        match job.eval_attr(name) {
            v @ (Value::Bool(_) | Value::Int(_) | Value::Real(_) | Value::String(_)) => ad.insert_value(name, v),
            _ => {}
        }
    }
    let n = trigger.body.number();
    ad.insert_value("TriggerEventTypeNumber", Value::Int(n as i64));
    ad.insert_value("TriggerEventTypeName", Value::string(ulog_name(n)));
    ad.insert_value("EventTypeNumber", Value::Int(28));
    let attrs = ad.iter().map(|(k, e)| (k.to_string(), e.to_old_string())).collect();
    Event { id: trigger.id, time: trigger.time, body: EventBody::JobAdInformation { attrs } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_go_to_htcondor_s_attributes_and_back() {
        let ev = Event {
            id: JobId::new(4, 0),
            time: 1795603667,
            body: EventBody::Held { reason: Some("The job attribute OnExitHold expression 'ExitCode != 0' evaluated to TRUE".into()), code: 3, subcode: 0 },
        };
        let ad = to_classad(&ev, true);
        let names: Vec<&str> = ad.iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            ["EventTypeNumber", "MyType", "EventTime", "Cluster", "Proc", "Subproc", "HoldReason", "HoldReasonCode", "HoldReasonSubCode"]
        );
        assert_eq!(ad.get("EventTime").unwrap().to_old_string(), "\"2026-11-25T10:47:47Z\"");
        assert_eq!(ad.get("MyType").unwrap().to_old_string(), "\"JobHeldEvent\"");
        assert_eq!(from_classad(&ad).unwrap(), ev);
    }

    #[test]
    fn job_ad_information_carries_its_trigger_and_the_named_values() {
        let trigger = Event { id: JobId::new(1, 0), time: 0, body: EventBody::Aborted { reason: Some("via condor_rm (by user a)".into()) } };
        let job = ClassAd::parse_old("Foo = 7\nBar = \"x\"\nExpr = Foo + 1\nList = { 1 }").unwrap();
        let ev = job_ad_information(&trigger, &job, "Foo, Bar Expr List Missing");
        let EventBody::JobAdInformation { attrs } = &ev.body else { panic!() };
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!((get("Foo"), get("Bar"), get("Expr")), (Some("7"), Some("\"x\""), Some("8")));
        assert_eq!((get("List"), get("Missing")), (None, None), "only scalar values");
        assert_eq!(get("TriggerEventTypeName"), Some("\"ULOG_JOB_ABORTED\""));
        assert_eq!(get("TriggerEventTypeNumber"), Some("9"));
        assert_eq!(get("EventTypeNumber"), Some("28"));
        assert_eq!(get("MyType"), Some("\"JobAbortedEvent\""), "the trigger's type, as HTCondor prints it");
        assert_eq!(get("Reason"), Some("\"via condor_rm (by user a)\""));
    }
}
