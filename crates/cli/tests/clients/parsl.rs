//! parsl's `CondorProvider` with a `HighThroughputExecutor`.

use std::time::Duration;

use crate::{me, pool, run, run_script, script_result, wait_until};

#[test]
fn parsl_condor_provider_runs_twenty_apps_on_a_pilot_job() {
    let p = pool(2, 2048);
    let run_dir = p.dir().join("runinfo");
    let out = run_script(&p, "parsl_condor.py", &[run_dir.to_str().unwrap()], p.dir(), Duration::from_secs(240));
    let r = script_result(&out, "parsl_condor.py");
    let values: Vec<i64> = r["values"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(values, (0..20).map(|i| i * i).collect::<Vec<i64>>());
    // The apps ran inside the pilot job's sandbox.
    let dirs = r["scratch_dirs"].as_array().unwrap();
    assert_eq!(dirs.len(), 1, "{r}");
    assert!(dirs[0].as_str().unwrap().starts_with(p.dir().to_str().unwrap()), "{r}");
    // parsl parsed "1 job(s) submitted to cluster C." into the job id C.0,
    // and `condor_q C.0 -af:jr JobStatus` said it was running.
    let ids: Vec<&str> = r["job_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{r}");
    assert!(ids[0].ends_with(".0") && ids[0].trim_end_matches(".0").parse::<i64>().is_ok(), "{r}");
    assert_eq!(r["states_while_running"], serde_json::json!([r["running"]]));
    // Cleanup cancelled the block (`condor_rm ID; condor_rm -forcex ID`):
    // the pilot leaves the queue although it asked for leave_in_queue.
    wait_until("the pilot to leave the queue", Duration::from_secs(30), || run(&p, "q", &["-af", "ClusterId"]).1.is_empty());
    let (_, hist, _) = run(&p, "history", &[ids[0], "-af", "JobStatus", "RemoveReason", "LeaveJobInQueue"]);
    assert_eq!(hist, format!("3 via condor_rm (by user {}) true\n", me()));
}
