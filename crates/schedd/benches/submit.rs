//! Where the time of a big submit goes in the schedd: the core deciding,
//! and the durable queue committing, for one cluster of N procs.
//!
//! `cargo bench -p schedd --bench submit [-- N]` (default 100000) prints
//! one line per step and the total.

use std::time::Instant;

use classad::ClassAd;
use jobqueue::JobQueue;
use proto::address::Address;
use schedd::core::{Config, Schedd, SubmitJobs, Who};

fn main() {
    let n: i64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut q, _) = JobQueue::open(&dir.path().join("q.sqlite3")).expect("a queue");
    let cfg = Config::new("bench@host", Address::Unix("/tmp/bench.sock".into()));
    let mut core = Schedd::new(cfg, 0);
    let cluster_ad = ClassAd::parse_old(
        "Cmd = \"/bin/true\"\nRequestCpus = 1\nRequestMemory = 128\nRequestDisk = 1024\nJobStatus = 5\nHoldReason = \"submitted on hold\"\nHoldReasonCode = 15\nIwd = \"/tmp\"\nRequirements = (TARGET.Arch == \"X86_64\") && (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory)",
    )
    .expect("the cluster ad");
    let t0 = Instant::now();
    let procs: Vec<ClassAd> = (0..n).map(|p| ClassAd::parse_old(&format!("ProcId = {p}")).expect("a proc ad")).collect();
    let t_build = t0.elapsed();
    let c = q.new_cluster().expect("a cluster id");
    let who = Who::user("bench");
    core.on_cluster_reserved(c, &who);
    let t1 = Instant::now();
    core.on_submit(&who, SubmitJobs { cluster: c, cluster_ad, procs, factory: None }, 0, 1);
    let fx = core.take_effects();
    let t_core = t1.elapsed();
    let t2 = Instant::now();
    let changes: Vec<jobqueue::Change> = fx.changes.into_iter().map(schedd::service::store::to_queue).collect();
    q.commit(changes).expect("the commit");
    let t_commit = t2.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!("procs built (test input):   {:8.1} ms", ms(t_build));
    println!("core on_submit:             {:8.1} ms", ms(t_core));
    println!("queue commit:               {:8.1} ms", ms(t_commit));
    println!("submit of {n} procs: core + commit = {:.1} ms", ms(t_core + t_commit));
}
