//! Crash safety: daemons killed with SIGKILL while jobs run. The master
//! restarts them; every job completes exactly once, and each job's user
//! log tells one consistent story.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proto::address::Daemon;

use crate::{log_events, pool, q_af, run};

/// Every job of the log completed exactly once and its events make sense:
/// one submit first, one terminated last, and between them each run that
/// began (execute) ended (evicted) before the next one began.
fn assert_consistent(events: &BTreeMap<String, Vec<u32>>, jobs: usize) {
    assert_eq!(events.len(), jobs, "jobs in the log");
    for (job, evs) in events {
        let evs: Vec<u32> = evs.iter().copied().filter(|e| *e != 6 && *e != 28).collect();
        assert_eq!(evs.first(), Some(&0), "job {job} starts with its submit event: {evs:?}");
        assert_eq!(evs.iter().filter(|e| **e == 0).count(), 1, "job {job}: {evs:?}");
        assert_eq!(evs.iter().filter(|e| **e == 5).count(), 1, "job {job} terminated exactly once: {evs:?}");
        assert_eq!(evs.last(), Some(&5), "job {job} ends with its terminated event: {evs:?}");
        let mut running = false;
        for e in &evs[1..] {
            match e {
                1 => {
                    assert!(!running, "job {job} started twice without ending: {evs:?}");
                    running = true;
                }
                4 | 5 => {
                    assert!(running, "job {job} ended a run that had not started: {evs:?}");
                    running = false;
                }
                other => panic!("job {job}: unexpected event {other}: {evs:?}"),
            }
        }
    }
}

fn history_ids(p: &testkit::Pool) -> Vec<String> {
    let (code, out, err) = run(p, "history", &["-af", "ClusterId", "ProcId"]);
    assert_eq!(code, 0, "{err}");
    out.lines().map(str::to_string).collect()
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn schedd_killed_while_500_jobs_run_every_job_completes_exactly_once() {
    let p = pool(4, &[]);
    let sub = "executable = /bin/sh\narguments = \"-c 'sleep 0.05; echo $(Process)'\"\noutput = out/$(Process)\nlog = crash.log\nqueue 500\n";
    std::fs::create_dir_all(p.dir().join("out")).unwrap();
    std::fs::write(p.dir().join("crash.sub"), sub).unwrap();
    let (code, _, err) = run(&p, "submit", &["crash.sub"]);
    assert_eq!(code, 0, "{err}");
    wait_until("some jobs to finish", Duration::from_secs(60), || history_ids(&p).len() >= 40);
    wait_until("jobs running", Duration::from_secs(30), || q_af(&p, &["JobStatus"]).iter().any(|s| s == "2"));
    let old = p.kill_daemon(Daemon::Schedd, 9).unwrap();
    let new = p.wait_restarted(Daemon::Schedd, old, Duration::from_secs(30)).unwrap();
    assert_ne!(old, new);
    // The restarted schedd found jobs it had left running and read their logs.
    let log = p.log(Daemon::Schedd);
    let recovered = log.lines().filter(|l| l.contains("queue recovered:")).next_back().unwrap_or_default().to_string();
    let read: usize = recovered.split('(').nth(1).and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(read > 0, "the restart saw no running job: {recovered}");
    let (code, out, err) = run(&p, "wait", &["-wait", "120", "crash.log"]);
    assert_eq!((code, out.as_str()), (0, "All jobs done.\n"), "{err}");
    assert_consistent(&log_events(&p.dir().join("crash.log")), 500);
    let mut ids = history_ids(&p);
    assert_eq!(ids.len(), 500, "each job once in the history");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 500);
    assert!(q_af(&p, &["ClusterId"]).is_empty());
    for i in [0, 250, 499] {
        assert_eq!(std::fs::read_to_string(p.dir().join(format!("out/{i}"))).unwrap_or_default(), format!("{i}\n"));
    }
}

#[test]
fn startd_killed_its_jobs_run_again_and_a_restarted_collector_hears_from_everyone() {
    let p = pool(4, &[]);
    let sub = "executable = /bin/sleep\narguments = 3\nlog = slow.log\nqueue 8\n";
    std::fs::write(p.dir().join("slow.sub"), sub).unwrap();
    assert_eq!(run(&p, "submit", &["slow.sub"]).0, 0);
    wait_until("four jobs running", Duration::from_secs(30), || q_af(&p, &["JobStatus"]).iter().filter(|s| *s == "2").count() == 4);
    let old = p.kill_daemon(Daemon::Startd, 9).unwrap();
    p.wait_restarted(Daemon::Startd, old, Duration::from_secs(30)).unwrap();
    let (code, out, err) = run(&p, "wait", &["-wait", "90", "slow.log"]);
    assert_eq!((code, out.as_str()), (0, "All jobs done.\n"), "{err}");
    let events = log_events(&p.dir().join("slow.log"));
    assert_consistent(&events, 8);
    let evicted = events.values().filter(|e| e.contains(&4)).count();
    assert!(evicted >= 4, "the jobs running on the killed startd were evicted and ran again: {events:?}");
    let (_, starts, _) = run(&p, "history", &["-af", "NumJobStarts"]);
    assert!(starts.lines().filter(|s| s.trim() == "2").count() >= 4, "{starts}");

    // The collector restarts: the schedd and startd advertise again, and new jobs run.
    let old = p.kill_daemon(Daemon::Collector, 9).unwrap();
    p.wait_restarted(Daemon::Collector, old, Duration::from_secs(30)).unwrap();
    wait_until("the schedd's ad in the new collector", Duration::from_secs(30), || {
        let (_, out, _) = run(&p, "status", &["-schedd", "-af", "Name"]);
        !out.trim().is_empty()
    });
    std::fs::write(p.dir().join("after.sub"), "executable = /bin/true\nlog = after.log\nqueue 2\n").unwrap();
    assert_eq!(run(&p, "submit", &["after.sub"]).0, 0);
    let (code, out, err) = run(&p, "wait", &["-wait", "60", "after.log"]);
    assert_eq!((code, out.as_str()), (0, "All jobs done.\n"), "{err}");
}
