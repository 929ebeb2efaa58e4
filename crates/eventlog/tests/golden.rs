//! The event log against what HTCondor itself wrote (reference/golden/5x-eventlog_*.txt).

use std::path::PathBuf;

use eventlog::format::{format_event, TimeFormat};
use eventlog::{parse_log, Event, EventBody, JobId, Rusage, UsageEntry, UsageNum};

fn golden(name: &str) -> Option<String> {
    let shared = std::env::var("AERIE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let text = std::fs::read_to_string(shared.join("reference/golden").join(name)).ok()?;
    // The file is `$ cmd`, `# exit status`, `# ---- stdout ----`, stdout, `# ---- stderr ----`, stderr.
    let start = text.find("# ---- stdout ----\n")? + "# ---- stdout ----\n".len();
    let end = text.find("# ---- stderr ----")?;
    Some(text[start..end].to_string())
}

fn utc(ev: &Event) -> String {
    format_event(ev, TimeFormat::IsoOffset(0))
}

fn ts(s: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").map(|t| t.and_utc().timestamp()).unwrap()
}

#[test]
fn echo_job_events_render_byte_for_byte_like_htcondor() {
    let Some(expected) = golden("53-eventlog_echo.txt") else {
        eprintln!("skipped: shared/reference/golden not found");
        return;
    };
    let id = JobId::new(1, 0);
    let host = "<127.0.0.1:40601?addrs=127.0.0.1-40601&alias=vm>".to_string();
    let exec_host = "<127.0.0.1:35853?addrs=127.0.0.1-35853&alias=vm>".to_string();
    let int = |a: &str, v: i64| UsageEntry { attr: a.into(), value: UsageNum::Int(v) };
    let events = vec![
        Event { id, time: ts("2026-11-25 10:47:46"), body: EventBody::Submit { host, notes: None } },
        Event {
            id,
            time: ts("2026-11-25 10:47:47"),
            body: EventBody::Execute {
                host: exec_host,
                slot_name: Some("slot1_1@vm".into()),
                props: vec![
                    ("Memory".into(), "128".into()),
                    ("Cpus".into(), "1".into()),
                    ("GPUs".into(), "0".into()),
                    ("CondorScratchDir".into(), "\"/srv/condor/local/execute/dir_24804\"".into()),
                    ("Disk".into(), "2048".into()),
                ],
            },
        },
        Event {
            id,
            time: ts("2026-11-25 10:47:47"),
            body: EventBody::ImageSize { image_size_kb: 45, memory_usage_mb: Some(6), rss_kb: Some(5568), pss_kb: None },
        },
        Event {
            id,
            time: ts("2026-11-25 10:47:47"),
            body: EventBody::Terminated {
                normal: true,
                return_value: 0,
                signal: 0,
                core_file: None,
                run_remote: Rusage::default(),
                run_local: Rusage::default(),
                total_remote: Rusage::default(),
                total_local: Rusage::default(),
                sent_bytes: 0.0,
                recvd_bytes: 0.0,
                total_sent_bytes: 0.0,
                total_recvd_bytes: 0.0,
                usage: vec![
                    int("RequestCpus", 1),
                    int("Cpus", 1),
                    int("DiskUsage", 45),
                    int("RequestDisk", 45),
                    int("Disk", 2048),
                    int("GPUs", 0),
                    int("MemoryUsage", 6),
                    int("RequestMemory", 1),
                    int("Memory", 128),
                    int("TimeExecuteUsage", 0),
                    int("TimeSlotBusyUsage", 0),
                ],
            },
        },
        Event {
            id,
            time: ts("2026-11-25 10:48:07"),
            body: EventBody::Aborted { reason: Some("via condor_rm (by user condoruser)".into()) },
        },
    ];
    let got: String = events.iter().map(utc).collect();
    assert_eq!(got, expected);
}

/// Reading a log HTCondor wrote and writing it again gives the same bytes:
/// the reader loses nothing the writer needs.
#[test]
fn htcondor_logs_round_trip_through_reader_and_writer() {
    for name in ["52-eventlog_sleep.txt", "53-eventlog_echo.txt", "54-eventlog_fail.txt"] {
        let Some(text) = golden(name) else {
            eprintln!("skipped: shared/reference/golden not found");
            return;
        };
        let parsed = parse_log(&text).expect("golden log parses");
        assert_eq!(parsed.consumed, text.len(), "{name}: every event read");
        assert!(parsed.events.iter().all(|e| !matches!(e.body, EventBody::Other { .. })), "{name}: all events known");
        let again: String = parsed.events.iter().map(utc).collect();
        assert_eq!(again, text, "{name}");
    }
}

#[test]
fn held_event_keeps_reason_and_codes() {
    let Some(text) = golden("54-eventlog_fail.txt") else { return };
    let parsed = parse_log(&text).unwrap();
    let held = parsed.events.iter().find(|e| e.body.number() == 12).expect("a held event");
    assert_eq!(held.id, JobId::new(4, 0));
    assert_eq!(
        held.body,
        EventBody::Held {
            reason: Some("The job attribute OnExitHold expression 'ExitCode != 0' evaluated to TRUE".into()),
            code: 3,
            subcode: 0
        }
    );
}

#[test]
fn partial_last_event_is_left_for_later() {
    let text = "000 (007.000.000) 2026-11-25 10:47:46 Job submitted from host: <h>\n...\n001 (007.000.000) 2026-11-25 10:47:47 Job executing on host: <x>\n";
    let parsed = parse_log(text).unwrap();
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.consumed, text.find("001").unwrap());
}

#[test]
fn garbage_header_is_an_error_naming_the_line() {
    let err = parse_log("hello world\n...\n").unwrap_err();
    assert!(err.to_string().starts_with("line 1:"), "{err}");
}

#[test]
fn fractional_usage_pads_integers_to_line_up() {
    let mut out = String::new();
    let e = |a: &str, v: UsageNum| UsageEntry { attr: a.into(), value: v };
    eventlog::format::format_usage_table(
        &mut out,
        &[
            e("CpusUsage", UsageNum::Real(0.001)),
            e("RequestCpus", UsageNum::Int(1)),
            e("Cpus", UsageNum::Int(1)),
            e("DiskUsage", UsageNum::Int(45)),
        ],
    );
    assert_eq!(
        out,
        "\tPartitionable Resources :    Usage  Request Allocated \n\
         \t   Cpus                 :     0.00        1         1 \n\
         \t   Disk (KB)            :    45                       \n"
    );
}
