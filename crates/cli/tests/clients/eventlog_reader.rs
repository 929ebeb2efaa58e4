//! The user log a pool writes, read by HTCondor's own reader
//! (`htcondor2.JobEventLog` from the `htcondor` wheel on PyPI), and by
//! `condor_wait` right after `condor_submit`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::{me, pool, run, run_script, script_result, wait_until};

/// Events of a log as htcondor2 reads them, by job: (type name, attributes).
fn read_with_htcondor2(p: &testkit::Pool, log: &std::path::Path) -> BTreeMap<String, Vec<(String, Value)>> {
    let out = run_script(p, "read_eventlog.py", &[log.to_str().unwrap()], p.dir(), Duration::from_secs(60));
    let r = script_result(&out, "read_eventlog.py");
    let mut by_job: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    for ev in r["events"].as_array().unwrap() {
        let job = format!("{}.{}", ev["cluster"], ev["proc"]);
        by_job.entry(job).or_default().push((ev["type"].as_str().unwrap().to_string(), ev["attrs"].clone()));
    }
    by_job
}

fn types(evs: &[(String, Value)]) -> Vec<&str> {
    evs.iter().map(|(t, _)| t.as_str()).filter(|t| *t != "IMAGE_SIZE").collect()
}

#[test]
fn htcondor2_reads_submit_execute_terminated_held_released_aborted_from_a_pool_log() {
    let p = pool(2, 2048);
    let dir = p.dir();
    // Cluster 1: two jobs that exit 0 and 7. Cluster 2: a sleeper to hold,
    // release and remove. One log for both.
    std::fs::write(
        dir.join("exits.sub"),
        "executable = /bin/sh\nlog = jobs.log\narguments = \"-c 'exit 0'\"\nqueue\narguments = \"-c 'exit 7'\"\nqueue\n",
    )
    .unwrap();
    std::fs::write(dir.join("sleep.sub"), "executable = /bin/sleep\narguments = 600\nlog = jobs.log\nqueue\n").unwrap();
    assert_eq!(run(&p, "submit", &["exits.sub"]).0, 0);
    let (code, _, err) = run(&p, "submit", &["sleep.sub"]);
    assert_eq!(code, 0, "{err}");
    let running = || run(&p, "q", &["2.0", "-af", "JobStatus"]).1 == "2\n";
    wait_until("2.0 to run", Duration::from_secs(30), running);
    let (code, out, err) = run(&p, "hold", &["-reason", "checking the log", "2.0"]);
    assert_eq!((code, out.as_str()), (0, "Job 2.0 held\n"), "{err}");
    wait_until("2.0 to be held", Duration::from_secs(15), || run(&p, "q", &["2.0", "-af", "JobStatus"]).1 == "5\n");
    let (code, out, err) = run(&p, "release", &["2.0"]);
    assert_eq!((code, out.as_str()), (0, "Job 2.0 released\n"), "{err}");
    wait_until("2.0 to run again", Duration::from_secs(30), running);
    let (code, out, err) = run(&p, "rm", &["2.0"]);
    assert_eq!((code, out.as_str()), (0, "Job 2.0 marked for removal\n"), "{err}");
    let (code, _, err) = run(&p, "wait", &["-wait", "60", "jobs.log"]);
    assert_eq!(code, 0, "{err}");

    let log = dir.join("jobs.log");
    let by_job = read_with_htcondor2(&p, &log);
    assert_eq!(by_job.keys().collect::<Vec<_>>(), ["1.0", "1.1", "2.0"], "{by_job:?}");
    for (job, ret) in [("1.0", 0), ("1.1", 7)] {
        let evs = &by_job[job];
        assert_eq!(types(evs), ["SUBMIT", "EXECUTE", "JOB_TERMINATED"], "{job}: {evs:?}");
        let term = &evs.iter().find(|(t, _)| t == "JOB_TERMINATED").unwrap().1;
        assert_eq!(term["ReturnValue"], ret, "{job}: {term}");
        assert_eq!(term["TerminatedNormally"], true);
        let submit = &evs[0].1;
        assert!(submit["SubmitHost"].as_str().is_some_and(|h| h.starts_with('<') && h.ends_with('>')), "{submit}");
    }
    let evs = &by_job["2.0"];
    assert_eq!(
        types(evs),
        ["SUBMIT", "EXECUTE", "JOB_EVICTED", "JOB_HELD", "JOB_RELEASED", "EXECUTE", "JOB_EVICTED", "JOB_ABORTED"],
        "{evs:?}"
    );
    let attrs = |t: &str| &evs.iter().find(|(n, _)| n == t).unwrap().1;
    assert_eq!(attrs("JOB_HELD")["HoldReason"], format!("checking the log (by user {})", me()));
    assert_eq!(attrs("JOB_HELD")["HoldReasonCode"], 1);
    assert_eq!(attrs("JOB_RELEASED")["Reason"], format!("via condor_release (by user {})", me()));
    assert_eq!(attrs("JOB_ABORTED")["Reason"], format!("via condor_rm (by user {})", me()));
    // Every event's own job id agrees with its header's.
    for (job, evs) in &by_job {
        for (t, a) in evs {
            assert_eq!(format!("{}.{}", a["Cluster"], a["Proc"]), *job, "{t}");
        }
    }
}

#[test]
fn condor_wait_right_after_condor_submit_finds_the_submit_events() {
    // `condor_submit x.sub && condor_wait x.log`: the submit events are in
    // the log when condor_submit returns, also when the user deleted the
    // log of an earlier run first (the schedd kept writing to the deleted
    // file).
    let p = pool(2, 2048);
    std::fs::write(p.dir().join("x.sub"), "executable = /bin/true\nlog = x.log\nqueue 3\n").unwrap();
    for round in 0..3 {
        let _ = std::fs::remove_file(p.dir().join("x.log"));
        let (code, _, err) = run(&p, "submit", &["x.sub"]);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(p.dir().join("x.log")).unwrap_or_else(|e| panic!("round {round}: no x.log after condor_submit: {e}"));
        assert_eq!(text.lines().filter(|l| l.starts_with("000 (")).count(), 3, "round {round}:\n{text}");
        let (code, out, err) = run(&p, "wait", &["-wait", "30", "x.log"]);
        assert_eq!((code, out.as_str()), (0, "All jobs done.\n"), "round {round}: {err}");
    }
}
