//! Logs written by Aerie, read by HTCondor's own reader (`htcondor2.JobEventLog`).
//!
//! Runs where `python3` can import `htcondor2` (CI installs it); elsewhere the
//! test says it was skipped.

use std::process::Command;

use eventlog::{Event, EventBody, JobId, LogFormat, Rusage, UserLog};

fn python_with_htcondor() -> Option<String> {
    let py = std::env::var("AERIE_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&py).args(["-c", "import htcondor2"]).output().ok()?.status.success();
    ok.then_some(py)
}

fn terminated(ret: i32) -> EventBody {
    EventBody::Terminated {
        normal: true,
        return_value: ret,
        signal: 0,
        core_file: None,
        run_remote: Rusage { user_secs: 3, sys_secs: 1 },
        run_local: Rusage::default(),
        total_remote: Rusage { user_secs: 3, sys_secs: 1 },
        total_local: Rusage::default(),
        sent_bytes: 0.0,
        recvd_bytes: 0.0,
        total_sent_bytes: 0.0,
        total_recvd_bytes: 0.0,
        usage: vec![],
    }
}

/// The events of the tests: a job that ran and ended with 7, one held,
/// released and removed.
fn session() -> Vec<Event> {
    let now = 1_795_603_666;
    let a = JobId::new(12, 0);
    let b = JobId::new(12, 1);
    vec![
        Event { id: a, time: now, body: EventBody::Submit { host: "<127.0.0.1:9618>".into(), notes: None } },
        Event { id: b, time: now, body: EventBody::Submit { host: "<127.0.0.1:9618>".into(), notes: None } },
        Event {
            id: a,
            time: now + 1,
            body: EventBody::Execute {
                host: "<127.0.0.1:9619>".into(),
                slot_name: Some("slot1_1@host".into()),
                props: vec![("Cpus".into(), "1".into())],
            },
        },
        Event { id: a, time: now + 2, body: terminated(7) },
        Event {
            id: b,
            time: now + 2,
            body: EventBody::Held { reason: Some("testing holds".into()), code: 1, subcode: 0 },
        },
        Event { id: b, time: now + 3, body: EventBody::Released { reason: Some("via condor_release".into()) } },
        Event { id: b, time: now + 4, body: EventBody::Aborted { reason: Some("via condor_rm (by user u)".into()) } },
    ]
}

/// What `htcondor2.JobEventLog` reads from `path`, one line per event.
fn read_with_htcondor(py: &str, path: &std::path::Path) -> String {
    let script = r#"
import sys, htcondor2
for e in htcondor2.JobEventLog(sys.argv[1]).events(stop_after=0):
    extra = ""
    if e.type == htcondor2.JobEventType.JOB_TERMINATED:
        extra = "ret=%d" % e["ReturnValue"]
    elif e.type == htcondor2.JobEventType.JOB_HELD:
        extra = "reason=%s code=%d" % (e["HoldReason"], e["HoldReasonCode"])
    elif e.type == htcondor2.JobEventType.JOB_AD_INFORMATION:
        extra = "trigger=%s Foo=%s" % (e["TriggerEventTypeName"], e["Foo"])
    print(e.type.name, e.cluster, e.proc, extra)
"#;
    let out = Command::new(py).args(["-c", script]).arg(path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const EXPECTED: &str = "SUBMIT 12 0 \nSUBMIT 12 1 \nEXECUTE 12 0 \nJOB_TERMINATED 12 0 ret=7\n\
                        JOB_HELD 12 1 reason=testing holds code=1\nJOB_RELEASED 12 1 \nJOB_ABORTED 12 1 \n";

#[test]
fn htcondor2_job_event_log_reads_what_aerie_writes() {
    let Some(py) = python_with_htcondor() else {
        eprintln!("skipped: python3 cannot import htcondor2 (pip install htcondor)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("job.log");
    let mut log = UserLog::open(&path).unwrap();
    for e in &session() {
        log.write(e).unwrap();
    }
    assert_eq!(read_with_htcondor(&py, &path), EXPECTED);
}

#[test]
fn htcondor2_reads_aerie_s_xml_logs_and_job_ad_information_events() {
    let Some(py) = python_with_htcondor() else {
        eprintln!("skipped: python3 cannot import htcondor2 (pip install htcondor)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // log_xml = true: every event an XML ad; HTCondor's reader and ours read it alike.
    let path = dir.path().join("job.xml.log");
    let mut log = UserLog::open(&path).unwrap();
    let events = session();
    let formatted: Vec<(Event, LogFormat)> = events.iter().map(|e| (e.clone(), LogFormat::Xml)).collect();
    log.write_formatted(&formatted).unwrap();
    assert_eq!(read_with_htcondor(&py, &path), EXPECTED);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("<c>\n    <a n=\"EventTypeNumber\"><i>0</i></a>\n    <a n=\"MyType\"><s>SubmitEvent</s></a>\n"), "{text}");
    let back = eventlog::parse_log(&text).unwrap();
    assert_eq!(back.events, events, "our reader reads it back whole");

    // 028 after an event, in both formats.
    let job = classad::ClassAd::parse_old("Foo = 42").unwrap();
    for (name, format) in [("info.log", LogFormat::Text), ("info.xml.log", LogFormat::Xml)] {
        let path = dir.path().join(name);
        let mut log = UserLog::open(&path).unwrap();
        let e = &events[0];
        let info = eventlog::classad_form::job_ad_information(e, &job, "Foo");
        log.write_formatted(&[(e.clone(), format), (info, format)]).unwrap();
        assert_eq!(read_with_htcondor(&py, &path), "SUBMIT 12 0 \nJOB_AD_INFORMATION 12 0 trigger=ULOG_SUBMIT Foo=42\n", "{name}");
    }
}
