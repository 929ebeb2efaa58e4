//! dask-jobqueue's `HTCondorCluster`: workers as jobs of the pool.

use std::time::Duration;

use crate::{me, pool, run, run_script, script_result, wait_until};

#[test]
fn dask_htcondor_cluster_scales_to_two_workers_computes_and_closes() {
    let p = pool(2, 2048);
    let logs = p.dir().join("dask-logs");
    std::fs::create_dir_all(&logs).unwrap();
    let out = run_script(&p, "dask_cluster.py", &[logs.to_str().unwrap()], p.dir(), Duration::from_secs(240));
    let r = script_result(&out, "dask_cluster.py");
    assert_eq!(r["sum_of_squares"], 328350, "the computation ran on the workers");
    assert_eq!(r["worker_count"], 2);
    // dask-jobqueue read the job ids from condor_submit's "submitted to cluster C." line.
    let ids: Vec<String> = r["dask_job_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2, "{r}");
    // condor_q -af:h found both workers, owned by us, started, with their scheduler's address.
    let table = r["condor_q_af_h"].as_str().unwrap();
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    assert_eq!(header, ["Owner", "JobStartDate", "JobId", "DaskSchedulerAddress"], "{table}");
    let mut seen = Vec::new();
    for line in lines {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.len(), 4, "{table}");
        assert_eq!(cols[0], me());
        assert!(cols[1].parse::<i64>().is_ok_and(|t| t > 1_600_000_000), "JobStartDate of a running worker: {line}");
        assert_eq!(cols[3], r["scheduler_address"].as_str().unwrap());
        seen.push(cols[2].to_string());
    }
    seen.sort();
    assert_eq!(seen, ids, "condor_q shows the workers dask started");
    // cluster.close() removed the workers with condor_rm: they leave the
    // queue, and the history says how.
    wait_until("the workers to leave the queue", Duration::from_secs(30), || run(&p, "q", &["-af", "JobId"]).1.is_empty());
    let (code, hist, err) = run(&p, "history", &["-af", "JobId", "JobStatus", "RemoveReason"]);
    assert_eq!(code, 0, "{err}");
    for id in &ids {
        let row = hist.lines().find(|l| l.split_whitespace().next() == Some(id.as_str()));
        let row = row.unwrap_or_else(|| panic!("{id} is not in the history:\n{hist}"));
        assert_eq!(row, format!("{id} 3 via condor_rm (by user {})", me()));
    }
    // The job script went through our condor_submit unchanged.
    let script = r["job_script"].as_str().unwrap();
    assert!(script.contains("MY.DaskWorkerName = \"htcondor--$F(MY.JobId)--\""), "{script}");
    assert!(std::fs::read_dir(&logs).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".err")), "stream_error files in the log directory");
}
