//! The tools users run beside the queue: `condor_watch_q`, `condor_tail`,
//! `condor_userprio`, `condor_ping`, `condor_transfer_data`,
//! `condor_reschedule`, and `aerie help`.

use std::time::Duration;

use crate::{me, pool, run, wait_until};

/// Run `condor_<tool>` with a terminal width of 80 and a time limit.
fn run_limited(p: &testkit::Pool, tool: &str, args: &[&str], secs: u64) -> (i32, String, String) {
    let out = std::process::Command::new("timeout")
        .arg(secs.to_string())
        .arg(p.bin_dir().join(format!("condor_{tool}")))
        .args(args)
        .env("CONDOR_CONFIG", p.config_path())
        .env("COLUMNS", "80")
        .env("LINES", "40")
        .current_dir(p.dir())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn watch_q_follows_a_batch_to_the_end_and_exits_on_its_conditions() {
    let p = pool(2, 2048);
    std::fs::write(p.dir().join("w.sub"), "executable = /bin/sleep\narguments = 1\nbatch_name = watched\nlog = w.log\nqueue 3\n").unwrap();
    assert_eq!(run(&p, "submit", &["w.sub"]).0, 0);
    let (code, out, err) = run_limited(&p, "watch_q", &["-exit", "all,done"], 60);
    assert_eq!(code, 0, "{out}\n{err}");
    let frames: Vec<&str> = out.split("...\n").collect();
    assert!(frames.len() >= 2, "one frame per change:\n{out}");
    let last = frames[frames.len() - 2];
    let lines: Vec<&str> = last.lines().collect();
    assert_eq!(lines[0], "BATCH     IDLE  RUN  DONE  TOTAL  JOB_IDS");
    // The row's bar fills the rest of the 80 columns, all done.
    let row = "watched     -    -     3      3          ";
    assert_eq!(lines[1], format!("{row}[{}]", "#".repeat(80 - row.len() - 2)), "{last}");
    assert_eq!(lines[3], format!("Total Progress: [{}]", "#".repeat(62)));
    assert!(lines.contains(&"Total: 3 jobs; 3 completed"), "{last}");
    assert!(lines.iter().any(|l| l.starts_with("Updated at 20")), "{last}");
    let tail = frames.last().unwrap();
    assert!(tail.starts_with("Exiting with code 0 because of condition \"all done\" at 20"), "{tail:?}");
    // The first frame saw them waiting or running, not yet done.
    assert!(!frames[0].contains("Total: 3 jobs; 3 completed"), "{}", frames[0]);

    // A held job ends it with the code of `-exit any,held,3`.
    std::fs::write(p.dir().join("h.sub"), "executable = /bin/true\nhold = true\nlog = h.log\nqueue\n").unwrap();
    assert_eq!(run(&p, "submit", &["h.sub"]).0, 0);
    let (code, out, _) = run_limited(&p, "watch_q", &["-clusters", "2", "-exit", "any,held,3", "-no-table"], 30);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("Total: 1 jobs; 1 held"), "{out}");
    assert!(!out.contains("BATCH"), "-no-table: {out}");
    // Nothing to track: a warning and exit 0.
    let (code, out, err) = run_limited(&p, "watch_q", &["-users", "nobody-here"], 30);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", "WARNING: No jobs found, exiting...\n"));
}

#[test]
fn tail_shows_a_running_jobs_output_and_follows_it() {
    let p = pool(2, 2048);
    std::fs::write(
        p.dir().join("t.sub"),
        "executable = /bin/sh\narguments = \"-c 'for i in 1 2 3 4; do echo out$i; echo err$i >&2; sleep 1; done'\"\nlog = t.log\nqueue\n",
    )
    .unwrap();
    assert_eq!(run(&p, "submit", &["t.sub"]).0, 0);
    let (code, out, err) = run_limited(&p, "tail", &["-auto-retry", "-f", "1.0"], 60);
    assert_eq!((code, out.as_str()), (0, "out1\nout2\nout3\nout4\n"), "{err}");
    let (code, _, err) = run(&p, "tail", &["1.0"]);
    assert_eq!((code, err.as_str()), (1, "Job 1.0 is not in the queue.\n"));
    std::fs::write(p.dir().join("s.sub"), "executable = /bin/sh\narguments = \"-c 'echo 0123456789 >&2; exec sleep 60'\"\nlog = s.log\nqueue\n").unwrap();
    assert_eq!(run(&p, "submit", &["s.sub"]).0, 0);
    wait_until("2.0 to write its stderr", Duration::from_secs(30), || run(&p, "tail", &["-stderr", "2.0"]).1 == "0123456789\n");
    assert_eq!(run(&p, "tail", &["-stderr", "-maxbytes", "4", "2.0"]).1, "789\n");
    let (code, _, err) = run(&p, "tail", &["-no-stdout", "2.0"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("No file transfer specified.\n"), "{err}");
    run(&p, "rm", &["2.0"]);
}

#[test]
fn userprio_ping_transfer_data_reschedule_and_help() {
    let p = pool(2, 2048);
    std::fs::write(p.dir().join("u.sub"), "executable = /bin/sleep\narguments = 30\nlog = u.log\nqueue\n").unwrap();
    assert_eq!(run(&p, "submit", &["u.sub"]).0, 0);
    wait_until("1.0 to run", Duration::from_secs(30), || run(&p, "q", &["1.0", "-af", "JobStatus"]).1 == "2\n");
    // condor_userprio: the running user, in HTCondor's table.
    let mut table = String::new();
    wait_until("the negotiator to account the running job", Duration::from_secs(30), || {
        table = run(&p, "userprio", &[]).1;
        table.lines().any(|l| l.starts_with(&format!("{}@", me())) && l.split_whitespace().nth(3) == Some("1"))
    });
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Last Priority Update: "), "{table}");
    assert!(lines[1].trim_start().starts_with("Effective   Priority  Wghted Total Usage  Time Since Submitter Submitter"), "{table}");
    assert!(lines[2].starts_with("User Name ") && lines[2].contains("Priority    Factor   In Use (wghted-hrs) Last Usage   Floor    Ceiling"), "{table}");
    assert!(lines.last().unwrap().starts_with("Number of users: 1 "), "{table}");
    let (code, json, _) = run(&p, "userprio", &["-json"]);
    assert_eq!(code, 0);
    let recs: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(recs[0]["resources_used"], 1, "{json}");
    let (code, _, err) = run(&p, "userprio", &["-setfactor", "nodomain", "2"]);
    assert_eq!(code, 1);
    assert!(err.contains("You must specify the full name of the submittor"), "{err}");
    // condor_ping: reached over the Unix socket, authorized as the local user.
    let (code, out, err) = run(&p, "ping", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("WRITE command using (no encryption, no integrity, and FS) succeeded as ") && out.ends_with(" to local schedd.\n"), "{out}");
    let (code, out, _) = run(&p, "ping", &["-type", "collector", "-table", "READ", "WRITE"]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "         Instruction Authentication Encryption Integrity Decision Identity");
    assert!(rows[1].starts_with("                READ             FS       none      none    ALLOW "), "{out}");
    assert_eq!(rows.len(), 3);
    let (code, _, err) = run(&p, "ping", &["BOGUS"]);
    assert_eq!((code, err.as_str()), (1, "ERROR: Could not understand TOKEN \"BOGUS\".\n"));
    // condor_transfer_data (seed 002): nothing spooled, so nothing to fetch.
    let (code, out, err) = run(&p, "transfer_data", &[&me()]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "Fetching data files...\n", ""));
    let (code, _, err) = run(&p, "transfer_data", &[]);
    assert_eq!(code, 1);
    assert!(err.starts_with("You did not specify any jobs\n"), "{err}");
    // Seed 002's next line: remove the user's completed jobs (none here: exit 1, as HTCondor).
    let (code, _, _) = run(&p, "rm", &[&me(), "-constraint", "JobStatus == 4"]);
    assert_eq!(code, 1);
    // condor_reschedule names the daemon as HTCondor does.
    let (code, out, _) = run(&p, "reschedule", &[]);
    assert_eq!((code, out.as_str()), (0, "Sent \"Reschedule\" command to local schedd\n"));
    // aerie help: every new tool documents its options, JSON output and exit status.
    for cmd in ["watch_q", "condor_tail", "userprio", "ping", "transfer_data", "q", "rm"] {
        let out = p.aerie(&["help", cmd]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("\nExit status:\n") && text.contains("\nJSON output:\n"), "{cmd}: {text}");
    }
    assert_eq!(p.aerie(&["help", "nonsense"]).output().unwrap().status.code(), Some(2));
    run(&p, "rm", &["1.0"]);
}
