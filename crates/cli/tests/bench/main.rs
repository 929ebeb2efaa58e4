//! Every `aerie bench` subcommand at a tiny size, so the benchmarks never
//! rot: each must finish, through a real personal pool where it uses one,
//! and end with its summary line carrying real numbers. Timings are never
//! asserted (benchmarks print them; tests do not judge them).

use std::process::{Command, Output};

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aerie"))
        .arg("bench")
        .args(args)
        .env_remove("CONDOR_CONFIG")
        // Peers come only from what a test names; none is looked up from the user's set-up.
        .env_remove("AERIE_HTCONDOR_BIN")
        .output()
        .expect("running aerie bench")
}

/// The last line of a successful run's standard output.
fn summary(args: &[&str]) -> (String, String) {
    let out = bench(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "aerie bench {} failed ({}):\n{stdout}\n{stderr}", args.join(" "), out.status);
    let last = stdout.lines().last().unwrap_or("").to_string();
    (last, stdout)
}

/// The number following `word` in `line`.
fn number_after(line: &str, word: &str) -> f64 {
    let rest = line.split_once(word).unwrap_or_else(|| panic!("no '{word}' in: {line}")).1;
    let tok = rest.split_whitespace().next().unwrap_or("").trim_end_matches([',', ')']);
    tok.parse().unwrap_or_else(|_| panic!("'{tok}' after '{word}' is not a number in: {line}"))
}

#[test]
fn floor_prints_spawn_rates() {
    let (last, _) = summary(&["floor", "--jobs", "20"]);
    assert!(last.starts_with("floor: spawn floor "), "{last}");
    assert!(number_after(&last, "spawn floor") > 0.0, "{last}");
}

#[test]
fn burst_runs_its_jobs_through_a_pool_and_compares_with_the_floor() {
    let (last, out) = summary(&["burst", "--jobs", "20", "--peer", "htcondor"]);
    assert!(last.starts_with("burst: aerie "), "{out}");
    let (aerie, floor, ratio) = (number_after(&last, "aerie"), number_after(&last, "spawn floor"), number_after(&last, "ratio"));
    assert!(aerie > 0.0 && floor > 0.0, "{last}");
    assert!((ratio - aerie / floor).abs() <= 0.01 * ratio.max(0.01) + 0.001, "ratio {ratio} is not {aerie}/{floor}");
    assert!(out.contains("aerie: submit → all completed"), "{out}");
    // A peer that is not installed is skipped with the reason, never given a number.
    if !out.contains("burst: aerie/htcondor") {
        assert!(out.contains("burst: htcondor skipped: "), "{out}");
    }
}

#[test]
fn latency_reports_percentiles_of_real_jobs() {
    // Two jobs in all (one warm-up): the size that stays in seconds.
    let (last, out) = summary(&["latency", "--jobs", "1"]);
    assert!(last.starts_with("latency: aerie p50 "), "{out}");
    let (p50, p99) = (number_after(&last, "p50"), number_after(&last, "p99"));
    assert!(p50 > 0.0 && p99 >= p50, "{last}");
    assert!(last.ends_with("over 1 job(s)"), "{last}");
}

#[test]
fn submit_queues_every_proc_durably() {
    let (last, out) = summary(&["submit", "--procs", "50"]);
    assert!(last.starts_with("submit: 50 procs in "), "{out}");
    assert!(number_after(&last, "procs in") > 0.0, "{last}");
}

#[test]
fn queue_answers_every_query_and_reports_the_schedds_memory() {
    let (last, out) = summary(&["queue", "--jobs", "250", "--chunk", "100"]);
    assert!(last.starts_with("queue: 250 jobs, condor_q -totals "), "{out}");
    assert!(number_after(&last, "schedd RSS") > 0.0, "{last}");
    // Three clusters (100 + 100 + 50); the rows each query returned are checked by the bench itself.
    assert!(out.contains("fill: 3 condor_submit"), "{out}");
}

#[test]
fn negotiate_runs_a_cycle_on_synthetic_ads() {
    let (last, out) = summary(&["negotiate", "--jobs", "200", "--slots", "20", "--shapes", "4", "--cycles", "1"]);
    assert!(last.starts_with("negotiate: 200 jobs, 20 slots, 4 shapes: "), "{out}");
}

#[test]
fn bad_arguments_are_refused_with_the_reason() {
    for (args, says) in [
        (&["burst", "--jobs", "0"][..], "--jobs must be at least 1"),
        (&["burst", "--jobs", "many"][..], "'many' is not a valid value"),
        (&["latency", "--peer", "pbs"][..], "unknown peer"),
        (&["nothing"][..], "unknown benchmark 'nothing'"),
    ] {
        let out = bench(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
