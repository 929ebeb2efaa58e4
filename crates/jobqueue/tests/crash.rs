//! kill -9 safety: a child process commits batches in a loop and prints
//! each acknowledged commit; the parent kills it with SIGKILL at varying
//! moments and checks that the reopened queue holds exactly the
//! acknowledged commits (plus, possibly, the one whose acknowledgement the
//! kill cut off) — never part of a batch.
//!
//! The child is this test binary again, running the ignored test
//! `crash_child` with the database path in `JOBQUEUE_CRASH_CHILD_DB`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use classad::{ClassAd, Expr, Value};
use jobqueue::{Change, JobId, JobQueue};

const CHILD_ENV: &str = "JOBQUEUE_CRASH_CHILD_DB";

/// What batch `i` does, given whether a job exists (before the batch).
fn batch(i: i64, exists: &dyn Fn(JobId) -> bool) -> (i64, Vec<Change>) {
    let c = i + 1;
    let n = if i % 10 == 9 { 5000 } else { 1 + (i * 37) % 50 };
    let mut cl = ClassAd::new();
    cl.insert_value("ClusterId", Value::Int(c));
    cl.insert_value("Owner", Value::string("crash"));
    cl.insert_value("Iter", Value::Int(i));
    let mut changes = vec![Change::NewCluster { cluster: c, ad: cl }];
    for p in 0..n {
        let mut ad = ClassAd::new();
        ad.insert_value("ProcId", Value::Int(p));
        ad.insert_value("JobStatus", Value::Int(1));
        changes.push(Change::NewProc { id: JobId { cluster: c, proc: p }, ad });
    }
    let touch = JobId { cluster: i / 2 + 1, proc: 0 };
    if touch.cluster < c && exists(touch) {
        changes.push(Change::SetAttr { id: touch, name: "Touched".into(), value: Expr::literal(Value::Int(i)) });
    }
    let gone = JobId { cluster: i / 3 + 1, proc: i % 3 };
    if gone.cluster < c && exists(gone) {
        changes.push(Change::RemoveJob { id: gone });
    }
    (n, changes)
}

/// The expected queue after `k` batches: job → (Iter of its cluster, Touched).
fn model(k: i64) -> BTreeMap<JobId, (i64, Option<i64>)> {
    let mut m: BTreeMap<JobId, (i64, Option<i64>)> = BTreeMap::new();
    for i in 0..k {
        let (n, changes) = batch(i, &|id| m.contains_key(&id));
        let c = i + 1;
        for p in 0..n {
            m.insert(JobId { cluster: c, proc: p }, (i, None));
        }
        for ch in changes {
            match ch {
                Change::SetAttr { id, .. } => {
                    if let Some(e) = m.get_mut(&id) {
                        e.1 = Some(i);
                    }
                }
                Change::RemoveJob { id } => {
                    m.remove(&id);
                }
                _ => {}
            }
        }
    }
    m
}

fn observed(q: &JobQueue) -> BTreeMap<JobId, (i64, Option<i64>)> {
    let mut out = BTreeMap::new();
    q.scan(&jobqueue::Filter::all(), |id, ad| {
        let iter = ad.eval_attr("Iter").as_int().unwrap_or(-1);
        let touched = ad.eval_attr("Touched").as_int();
        out.insert(id, (iter, touched));
        std::ops::ControlFlow::Continue(())
    });
    out
}

#[test]
#[ignore = "the child process of kill9_leaves_exactly_the_acknowledged_commits"]
fn crash_child() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        eprintln!("crash_child only runs as the child of kill9_leaves_exactly_the_acknowledged_commits");
        return;
    };
    let (mut q, _) = JobQueue::open(std::path::Path::new(&db)).expect("child opens the queue");
    for i in 0.. {
        let c = q.new_cluster().expect("reserve");
        assert_eq!(c, i + 1);
        let (_, changes) = batch(i, &|id| q.contains(id));
        q.commit(changes).expect("commit");
        println!("ACK {i}");
    }
}

#[test]
fn kill9_leaves_exactly_the_acknowledged_commits() {
    let exe = std::env::current_exe().unwrap();
    // Kill after this many acknowledgements, then after this many microseconds.
    for (round, (acks, delay_us)) in [(3i64, 0u64), (9, 700), (19, 1500), (27, 150), (40, 3000)].into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("job_queue.sqlite3");
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut last: i64 = -1;
        let mut line = String::new();
        while last + 1 < acks {
            line.clear();
            if out.read_line(&mut line).unwrap() == 0 {
                panic!("round {round}: child ended before {acks} acknowledgements (last {last})");
            }
            if let Some(n) = line.trim().strip_prefix("ACK ") {
                last = n.parse().unwrap();
            }
        }
        std::thread::sleep(Duration::from_micros(delay_us));
        child.kill().unwrap();
        child.wait().unwrap();
        // Acknowledgements printed before the kill landed.
        for l in out.lines() {
            if let Some(n) = l.unwrap().trim().strip_prefix("ACK ") {
                last = n.parse().unwrap();
            }
        }

        let (q, rec) = JobQueue::open(&db).unwrap();
        assert!(rec.skipped.is_empty(), "round {round}: {:?}", rec.skipped);
        let got = observed(&q);
        let acked = last + 1;
        // The batch after the last acknowledgement may have committed before its ACK was printed.
        let matches = [acked, acked + 1].into_iter().find(|&k| model(k) == got);
        let Some(k) = matches else {
            let exp = model(acked);
            let missing: Vec<_> = exp.keys().filter(|id| !got.contains_key(id)).take(5).collect();
            let extra: Vec<_> = got.keys().filter(|id| !exp.contains_key(id)).take(5).collect();
            panic!(
                "round {round}: {} jobs after {acked} acknowledged commits, expected {} (missing {missing:?}, extra {extra:?})",
                got.len(),
                exp.len()
            );
        };
        // Cluster ids stay unique: the next one is past every cluster used so far.
        assert!(rec.next_cluster > k, "round {round}: next_cluster {} after {k} commits", rec.next_cluster);
        eprintln!("round {round}: killed after {acked} acknowledged commits; queue holds {k} ({} jobs)", got.len());
    }
}
