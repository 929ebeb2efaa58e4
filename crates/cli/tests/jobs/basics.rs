//! The everyday path: jobs run and their output comes back; removing,
//! holding, releasing and editing jobs; jobs that cannot match.

use std::time::{Duration, Instant};

use crate::{log_events, pool, q_af, q_af_where, return_values, run, SECS_30};

#[test]
fn fifty_echo_jobs_complete_with_their_output_transferred_back() {
    let p = pool(4, &[]);
    let sub = "executable = /bin/echo\narguments = \"job $(Process) of $(Cluster)\"\noutput = out.$(Process)\nerror = err.$(Process)\nlog = echo.log\nqueue 50\n";
    std::fs::write(p.dir().join("echo.sub"), sub).unwrap();
    let (code, out, err) = run(&p, "submit", &["echo.sub"]);
    assert_eq!(code, 0, "{err}");
    let dots = ".".repeat(50);
    assert_eq!(out, format!("Submitting job(s){dots}\n50 job(s) submitted to cluster 1.\n"));
    let (code, out, err) = run(&p, "wait", &["-wait", "60", "echo.log"]);
    assert_eq!((code, out.as_str()), (0, "All jobs done.\n"), "{err}");
    for i in 0..50 {
        let text = std::fs::read_to_string(p.dir().join(format!("out.{i}"))).unwrap_or_default();
        assert_eq!(text, format!("job {i} of 1\n"), "out.{i}");
    }
    // Every job: submitted, executing, (image size), terminated with 0.
    let events = log_events(&p.dir().join("echo.log"));
    assert_eq!(events.len(), 50);
    for (job, evs) in &events {
        let evs: Vec<u32> = evs.iter().copied().filter(|e| *e != 6).collect();
        assert_eq!(evs, [0, 1, 5], "job {job}");
    }
    assert!(return_values(&p.dir().join("echo.log")).values().all(|v| v == &[0]));
    // The queue is empty; the history has all 50, completed with exit code 0.
    assert!(q_af(&p, &["ClusterId"]).is_empty());
    let (code, hist, err) = run(&p, "history", &["-af", "ClusterId", "ProcId", "JobStatus", "ExitCode"]);
    assert_eq!(code, 0, "{err}");
    let mut rows: Vec<&str> = hist.lines().collect();
    rows.sort();
    rows.dedup();
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|r| r.ends_with(" 4 0")), "{hist}");
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

#[test]
fn condor_rm_of_a_running_job_kills_it_and_it_goes_removed() {
    let p = pool(2, &[]);
    let pidfile = p.dir().join("job.pid");
    let script = p.dir().join("sleeper.sh");
    std::fs::write(&script, format!("#!/bin/sh\necho $$ > {}\nexec sleep 600\n", pidfile.display())).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(p.dir().join("sleep.sub"), "executable = sleeper.sh\nlog = sleep.log\nqueue\n").unwrap();
    let (code, _, err) = run(&p, "submit", &["sleep.sub"]);
    assert_eq!(code, 0, "{err}");
    wait_for("the job to start", SECS_30, || std::fs::read_to_string(&pidfile).is_ok_and(|t| t.trim().parse::<i32>().is_ok()));
    let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    assert!(alive(pid));
    // The startd reports the start to the schedd after the process runs.
    wait_for("the schedd to see the job running", SECS_30, || q_af(&p, &["JobStatus"]) == ["2"]);
    let (code, out, err) = run(&p, "rm", &["1.0"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "Job 1.0 marked for removal\n", ""));
    wait_for("the job's process to be killed", Duration::from_secs(15), || !alive(pid));
    wait_for("the job to leave the queue", Duration::from_secs(15), || q_af(&p, &["ClusterId"]).is_empty());
    let (_, hist, _) = run(&p, "history", &["-af", "JobStatus", "RemoveReason"]);
    let me = nix::unistd::User::from_uid(nix::unistd::getuid()).unwrap().unwrap().name;
    assert_eq!(hist, format!("3 via condor_rm (by user {me})\n"));
    let evs = &log_events(&p.dir().join("sleep.log"))["1.0"];
    assert_eq!(evs.iter().copied().filter(|e| *e != 6).collect::<Vec<_>>(), [0, 1, 4, 9]);
    // Removing it again: not in the queue any more.
    let (code, out, err) = run(&p, "rm", &["1.0"]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", "\nJob 1.0 not found\n"));
}

#[test]
fn holds_releases_edits_and_jobs_that_match_no_slot() {
    let p = pool(2, &[]);
    std::fs::write(p.dir().join("fail.sub"), "executable = /bin/false\nlog = fail.log\non_exit_hold = ExitCode != 0\nqueue\n").unwrap();
    std::fs::write(p.dir().join("never.sub"), "executable = /bin/true\nrequirements = Memory > 100000000\nlog = never.log\nqueue\n").unwrap();
    assert_eq!(run(&p, "submit", &["fail.sub"]).0, 0);
    assert_eq!(run(&p, "submit", &["never.sub"]).0, 0);
    // The failing job is held by its policy, with HTCondor's reason text.
    wait_for("the job to be held", SECS_30, || q_af(&p, &["JobStatus"]).first().map(String::as_str) == Some("5"));
    let reason = "The job attribute OnExitHold expression 'ExitCode != 0' evaluated to TRUE";
    assert_eq!(q_af(&p, &["HoldReasonCode", "HoldReason"]).first().cloned(), Some(format!("3 {reason}")));
    let (code, out, _) = run(&p, "q", &["-hold"]);
    assert_eq!(code, 0);
    let row = out.lines().find(|l| l.starts_with("   1.0")).unwrap_or_else(|| panic!("{out}"));
    assert!(row.ends_with(&format!("    3/0   {reason}")), "{row}");
    assert_eq!(log_events(&p.dir().join("fail.log"))["1.0"].iter().copied().filter(|e| *e != 6).collect::<Vec<_>>(), [0, 1, 12]);
    // The job that matches no slot stays idle, through negotiation cycles.
    let (code, out, _) = run(&p, "reschedule", &[]);
    assert_eq!(code, 0, "{out}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(q_af(&p, &["ClusterId", "JobStatus"]), ["1 5", "2 1"]);

    // Release: the policy holds it again after it runs.
    let (code, out, err) = run(&p, "release", &["1.0"]);
    assert_eq!((code, out.as_str()), (0, "Job 1.0 released\n"), "{err}");
    wait_for("the released job to run and be held again", SECS_30, || {
        let evs = log_events(&p.dir().join("fail.log"));
        evs["1.0"].iter().filter(|e| **e == 12).count() == 2
    });
    let (code, out, err) = run(&p, "release", &["2.0"]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", "\nJob 2.0 not held to be released\n"));
    // A user hold, with a reason; holding it again says so.
    let (code, out, _) = run(&p, "hold", &["-reason", "testing holds", "2.0"]);
    assert_eq!((code, out.as_str()), (0, "Job 2.0 held\n"));
    let me = nix::unistd::User::from_uid(nix::unistd::getuid()).unwrap().unwrap().name;
    assert_eq!(q_af_where(&p, Some("ClusterId == 2"), &["HoldReason"]), [format!("testing holds (by user {me})")]);
    let (code, _, err) = run(&p, "hold", &["2.0"]);
    assert_eq!((code, err.as_str()), (1, "\nJob 2.0 already held\n"));
    // condor_qedit.
    let (code, out, err) = run(&p, "qedit", &["2.0", "Foo", "\"bar\""]);
    assert_eq!((code, out.as_str()), (0, "Set attribute \"Foo\" for 1 matching jobs.\n"), "{err}");
    assert_eq!(q_af_where(&p, Some("ClusterId == 2"), &["Foo"]), ["bar"]);
    let (code, _, err) = run(&p, "qedit", &["2.0", "ProcId", "7"]);
    assert_eq!(code, 1, "ProcId edited: {err}");
    assert!(err.contains("Update of immutable attribute \"ProcId\" is not allowed."), "{err}");
    // A constraint nothing matches, in a queue that has jobs.
    let (code, out, err) = run(&p, "rm", &["-constraint", "ClusterId == 12345"]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", "\nCouldn't find/remove all jobs matching constraint (ClusterId == 12345)\n"));
    // Remove by constraint, and everything else with -all.
    let (code, out, _) = run(&p, "rm", &["-constraint", "JobStatus == 5 && ClusterId == 2"]);
    assert_eq!((code, out.as_str()), (0, "All jobs matching constraint (JobStatus == 5 && ClusterId == 2) have been marked for removal\n"));
    let (code, out, _) = run(&p, "rm", &["-all"]);
    assert_eq!((code, out.as_str()), (0, "All jobs have been marked for removal\n"));
    wait_for("the queue to empty", SECS_30, || q_af(&p, &["ClusterId"]).is_empty());
    // An empty queue is not an error, as in HTCondor.
    let (code, out, err) = run(&p, "rm", &["-constraint", "ClusterId == 12345"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", "condor_rm:0:There are no jobs in the queue\n"));
    // The batch view of an empty queue.
    let (_, out, _) = run(&p, "q", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[3], "OWNER BATCH_NAME      SUBMITTED   DONE   RUN    IDLE   HOLD  TOTAL JOB_IDS");
    assert!(lines[5].starts_with("Total for query: 0 jobs; 0 completed, 0 removed, 0 idle, 0 running, 0 held, 0 suspended "));
}

#[test]
fn late_materialization_keeps_max_materialize_jobs_in_the_queue() {
    let p = pool(2, &[]);
    let sub = "executable = /bin/sh\narguments = \"-c 'sleep 1; echo item $(Process)'\"\noutput = lm.$(Process)\nlog = lm.log\nmax_materialize = 2\nqueue 6\n";
    std::fs::write(p.dir().join("lm.sub"), sub).unwrap();
    let (code, out, err) = run(&p, "submit", &["lm.sub"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("6 job(s) submitted to cluster 1.\n"), "{out}");
    let present = q_af(&p, &["ProcId"]);
    assert!(!present.is_empty() && present.len() <= 2, "at most max_materialize jobs at once: {present:?}");
    let (code, out, err) = run(&p, "wait", &["-wait", "60", "lm.log"]);
    // The log names procs only once they are made: wait until all six ended.
    assert_eq!(code, 0, "{out} {err}");
    wait_for("all six procs", SECS_30, || (0..6).all(|i| p.dir().join(format!("lm.{i}")).exists()) && q_af(&p, &["ProcId"]).is_empty());
    for i in 0..6 {
        assert_eq!(std::fs::read_to_string(p.dir().join(format!("lm.{i}"))).unwrap(), format!("item {i}\n"));
    }
    let (_, hist, _) = run(&p, "history", &["-af", "ProcId"]);
    assert_eq!(hist.lines().count(), 6, "{hist}");
}
