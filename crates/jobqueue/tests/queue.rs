//! The queue against real SQLite files: round trips, recovery after
//! reopening, all-or-nothing batches, filters and totals, bad files.

use std::ops::ControlFlow;
use std::sync::Arc;

use classad::{ClassAd, Expr, Value};
use jobqueue::{Change, Filter, JobId, JobQueue, JobSpec, JobStatus, QueueError, Skipped};

fn jid(cluster: i64, proc: i64) -> JobId {
    JobId { cluster, proc }
}

fn cluster_ad(owner: &str, cluster: i64) -> ClassAd {
    ClassAd::parse(&format!(
        r#"[ ClusterId = {cluster}; Owner = "{owner}"; Cmd = "/bin/sleep"; RequestMemory = 2048; JobStatus = 1;
             Requirements = TARGET.Memory >= RequestMemory; QDate = 1700000000 ]"#
    ))
    .unwrap()
}

fn proc_ad(proc: i64, status: i64) -> ClassAd {
    let mut ad = ClassAd::new();
    ad.insert_value("ProcId", Value::Int(proc));
    ad.insert_value("JobStatus", Value::Int(status));
    ad.insert_value("EnteredCurrentStatus", Value::Int(1700000000));
    ad
}

/// Submit one cluster of `n` idle procs for `owner`; returns its id.
fn submit(q: &mut JobQueue, owner: &str, n: i64) -> i64 {
    let c = q.new_cluster().unwrap();
    let mut changes = vec![Change::NewCluster { cluster: c, ad: cluster_ad(owner, c) }];
    changes.extend((0..n).map(|p| Change::NewProc { id: jid(c, p), ad: proc_ad(p, 1) }));
    q.commit(changes).unwrap();
    c
}

fn ids(q: &JobQueue, f: &Filter) -> Vec<JobId> {
    let mut out = Vec::new();
    q.scan(f, |id, _| {
        out.push(id);
        ControlFlow::Continue(())
    });
    out
}

fn set(id: JobId, name: &str, v: Value) -> Change {
    Change::SetAttr { id, name: name.into(), value: Expr::literal(v) }
}

#[test]
fn a_submitted_cluster_reads_back_through_the_chain_and_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("job_queue.sqlite3");
    let (mut q, rec) = JobQueue::open(&path).unwrap();
    assert!(rec.created);
    assert_eq!(rec.jobs, 0);
    let c = submit(&mut q, "alice", 3);
    assert_eq!(c, 1);
    q.commit(vec![
        set(jid(c, 1), "JobStatus", Value::Int(2)),
        Change::SetAttr { id: jid(c, 1), name: "RemoteHost".into(), value: Expr::parse(r#""slot1@host""#).unwrap() },
        Change::SetClusterAttr { cluster: c, name: "JobPrio".into(), value: Expr::parse("5 + 1").unwrap() },
    ])
    .unwrap();

    let check = |q: &JobQueue| {
        assert_eq!(q.len(), 3);
        let j = q.job(jid(c, 1)).unwrap();
        assert_eq!(j.eval_attr("ProcId"), Value::Int(1));
        assert_eq!(j.eval_attr("JobStatus"), Value::Int(2));
        assert_eq!(j.eval_attr("Owner"), Value::string("alice"));
        assert_eq!(j.eval_attr("JobPrio"), Value::Int(6));
        assert_eq!(j.eval_attr("RemoteHost"), Value::string("slot1@host"));
        // The proc holds only its own attributes; the rest comes from the cluster ad.
        assert!(j.get_own("Cmd").is_none());
        assert_eq!(j.len(), 4);
        let cl = q.cluster_ad(c).unwrap();
        assert_eq!(cl.get("JobPrio").unwrap().to_new_string(), "5 + 1");
        assert_eq!(
            cl.get("Requirements").unwrap().to_new_string(),
            "TARGET.Memory >= RequestMemory"
        );
        assert_eq!(q.status(jid(c, 1)), Some(JobStatus::Running));
        assert_eq!(q.status(jid(c, 0)), Some(JobStatus::Idle));
        assert_eq!(q.ids_with_status(JobStatus::Running).collect::<Vec<_>>(), vec![jid(c, 1)]);
        assert_eq!(q.ids_with_status(JobStatus::Idle).collect::<Vec<_>>(), vec![jid(c, 0), jid(c, 2)]);
        let all = ids(q, &Filter::all());
        assert_eq!(all, vec![jid(c, 0), jid(c, 1), jid(c, 2)]);
    };
    check(&q);
    drop(q);
    let (q, rec) = JobQueue::open(&path).unwrap();
    assert!(!rec.created);
    assert_eq!((rec.clusters, rec.jobs), (1, 3));
    assert_eq!(rec.totals.running, 1);
    assert!(rec.skipped.is_empty());
    check(&q);
}

#[test]
fn cluster_ids_are_never_handed_out_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let a = q.new_cluster().unwrap();
    let b = q.new_cluster().unwrap();
    assert!(b > a);
    assert!(q.is_reserved(a) && q.is_reserved(b) && !q.is_reserved(b + 1));
    // `a` is reserved but never used; a restart must not hand it out again.
    drop(q);
    let (mut q, rec) = JobQueue::open(&path).unwrap();
    assert_eq!(rec.next_cluster, b + 1);
    let c = q.new_cluster().unwrap();
    assert_eq!(c, b + 1);
    // An id from before the restart is no longer reserved.
    let e = q.commit(vec![Change::NewCluster { cluster: a, ad: ClassAd::new() }]).unwrap_err();
    assert!(matches!(e, QueueError::ClusterNotReserved(x) if x == a), "{e}");
    assert!(!q.is_reserved(a));
    // Nor can a reserved id be used twice.
    q.commit(vec![Change::NewCluster { cluster: c, ad: ClassAd::new() }]).unwrap();
    assert!(!q.is_reserved(c));
    let e = q.commit(vec![Change::NewCluster { cluster: c, ad: ClassAd::new() }]).unwrap_err();
    assert!(matches!(e, QueueError::ClusterExists(_)), "{e}");
}

#[test]
fn a_failing_batch_changes_nothing_in_memory_or_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let c = submit(&mut q, "bob", 2);
    let before = q.job(jid(c, 0)).unwrap().to_new_string();
    let c2 = q.new_cluster().unwrap();
    let batch = vec![
        set(jid(c, 0), "JobStatus", Value::Int(5)),
        Change::RemoveJob { id: jid(c, 1) },
        Change::NewCluster { cluster: c2, ad: cluster_ad("bob", c2) },
        Change::NewProc { id: jid(c2, 0), ad: proc_ad(0, 1) },
        Change::SetClusterAttr { cluster: c, name: "JobPrio".into(), value: Expr::literal(Value::Int(9)) },
        // This one fails: the job does not exist.
        set(jid(c, 7), "JobStatus", Value::Int(3)),
    ];
    let e = q.commit(batch).unwrap_err();
    assert!(matches!(e, QueueError::NoSuchJob(j) if j == jid(c, 7)), "{e}");
    let same = |q: &JobQueue| {
        assert_eq!(q.len(), 2);
        assert_eq!(q.job(jid(c, 0)).unwrap().to_new_string(), before);
        assert!(q.job(jid(c, 1)).is_some());
        assert!(q.cluster_ad(c2).is_none());
        assert!(q.cluster_ad(c).unwrap().get("JobPrio").is_none());
        assert_eq!(q.totals(&Filter::all()).idle, 2);
    };
    same(&q);
    // The reserved id is still usable after the refused batch.
    q.commit(vec![Change::NewCluster { cluster: c2, ad: cluster_ad("bob", c2) }]).unwrap();
    drop(q);
    let (q, _) = JobQueue::open(&path).unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q.job(jid(c, 0)).unwrap().eval_attr("JobStatus"), Value::Int(1));
    assert!(q.cluster_ad(c2).is_some());
}

#[test]
fn bad_changes_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut q, _) = JobQueue::open(&dir.path().join("q.db")).unwrap();
    let c = submit(&mut q, "carol", 1);
    let e = q.commit(vec![Change::NewProc { id: jid(c, 0), ad: proc_ad(0, 1) }]).unwrap_err();
    assert!(matches!(e, QueueError::JobExists(_)));
    let e = q.commit(vec![Change::NewProc { id: jid(c, -1), ad: proc_ad(0, 1) }]).unwrap_err();
    assert!(e.to_string().contains("cannot be negative"), "{e}");
    let e = q.commit(vec![Change::NewProc { id: jid(99, 0), ad: proc_ad(0, 1) }]).unwrap_err();
    assert!(matches!(e, QueueError::NoSuchCluster(99)));
    let e = q.commit(vec![set(jid(c, 0), "bad name", Value::Int(1))]).unwrap_err();
    assert!(e.to_string().contains("not a ClassAd identifier"), "{e}");
    let e = q.commit(vec![Change::RemoveJob { id: jid(c, 5) }]).unwrap_err();
    assert_eq!(e.to_string(), format!("job {c}.5 is not in the queue"));
    assert_eq!(q.len(), 1);
}

#[test]
fn removing_the_last_proc_removes_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let c = submit(&mut q, "dave", 2);
    let info = q.commit(vec![Change::RemoveJob { id: jid(c, 0) }]).unwrap();
    assert_eq!((info.jobs_removed, info.clusters_removed), (1, 0));
    assert!(q.cluster_ad(c).is_some());
    let info = q.commit(vec![Change::RemoveJob { id: jid(c, 1) }]).unwrap();
    assert_eq!((info.jobs_removed, info.clusters_removed), (1, 1));
    assert!(q.cluster_ad(c).is_none());
    assert!(q.is_empty());
    drop(q);
    let (q, rec) = JobQueue::open(&path).unwrap();
    assert_eq!((rec.clusters, rec.jobs), (0, 0));
    assert!(q.is_empty());
}

#[test]
fn changes_in_one_batch_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let c = q.new_cluster().unwrap();
    let info = q
        .commit(vec![
            Change::NewCluster { cluster: c, ad: cluster_ad("erin", c) },
            Change::NewProc { id: jid(c, 0), ad: proc_ad(0, 1) },
            Change::NewProc { id: jid(c, 1), ad: proc_ad(1, 1) },
            set(jid(c, 1), "JobStatus", Value::Int(5)),
            Change::DeleteAttr { id: jid(c, 1), name: "EnteredCurrentStatus".into() },
            Change::SetClusterAttr { cluster: c, name: "Owner".into(), value: Expr::literal(Value::string("frank")) },
            Change::DeleteClusterAttr { cluster: c, name: "QDate".into() },
            Change::RemoveJob { id: jid(c, 0) },
        ])
        .unwrap();
    assert_eq!((info.clusters_added, info.jobs_added, info.jobs_removed), (1, 1, 0));
    let check = |q: &JobQueue| {
        assert_eq!(q.len(), 1);
        let j = q.job(jid(c, 1)).unwrap();
        assert_eq!(j.eval_attr("JobStatus"), Value::Int(5));
        assert_eq!(j.eval_attr("EnteredCurrentStatus"), Value::Undefined);
        assert_eq!(j.eval_attr("Owner"), Value::string("frank"));
        assert_eq!(j.eval_attr("QDate"), Value::Undefined);
        assert_eq!(q.totals(&Filter::all().owner("FRANK")).held, 1);
        assert_eq!(q.totals(&Filter::all().owner("erin")).jobs, 0);
    };
    check(&q);
    drop(q);
    let (q, _) = JobQueue::open(&path).unwrap();
    check(&q);
}

#[test]
fn filters_select_by_id_owner_status_and_constraint_in_id_order() {
    let dir = tempfile::tempdir().unwrap();
    let (mut q, _) = JobQueue::open(&dir.path().join("q.db")).unwrap();
    let a = submit(&mut q, "alice", 5);
    let b = submit(&mut q, "bob", 5);
    q.commit(vec![
        set(jid(a, 1), "JobStatus", Value::Int(5)),
        set(jid(b, 3), "JobStatus", Value::Int(5)),
        set(jid(b, 4), "JobStatus", Value::Int(2)),
        set(jid(b, 4), "RequestMemory", Value::Int(100)),
    ])
    .unwrap();

    assert_eq!(ids(&q, &Filter::ids([JobSpec::Cluster(b), JobSpec::Job(jid(a, 2))])).len(), 6);
    assert_eq!(ids(&q, &Filter::ids([JobSpec::Job(jid(b, 1)), JobSpec::Job(jid(a, 2))])), vec![jid(a, 2), jid(b, 1)]);
    assert_eq!(ids(&q, &Filter::all().owner("Bob")).len(), 5);
    assert_eq!(ids(&q, &Filter::all().owner("nobody")), vec![]);
    assert_eq!(ids(&q, &Filter::all().status(JobStatus::Held)), vec![jid(a, 1), jid(b, 3)]);
    let held = Filter::all().constraint(Expr::parse("JobStatus == 5").unwrap());
    assert_eq!(ids(&q, &held), vec![jid(a, 1), jid(b, 3)]);
    let small = Filter::all().constraint(Expr::parse("RequestMemory < 1000 && Owner == \"BOB\"").unwrap());
    assert_eq!(ids(&q, &small), vec![jid(b, 4)]);
    let both = Filter::all().owner("alice").constraint(Expr::parse("ProcId >= 3").unwrap());
    assert_eq!(ids(&q, &both), vec![jid(a, 3), jid(a, 4)]);

    // Stopping early.
    let mut seen = Vec::new();
    q.scan(&Filter::all(), |id, _| {
        seen.push(id);
        if seen.len() == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    assert_eq!(seen, vec![jid(a, 0), jid(a, 1), jid(a, 2)]);

    // Keeping ads past the scan.
    let mut kept: Vec<Arc<ClassAd>> = Vec::new();
    q.scan(&held, |_, ad| {
        kept.push(ad.clone());
        ControlFlow::Continue(())
    });
    assert_eq!(kept[1].eval_attr("Owner"), Value::string("bob"));

    let t = q.totals(&Filter::all());
    assert_eq!((t.jobs, t.idle, t.held, t.running), (10, 7, 2, 1));
    let t = q.totals(&Filter::all().owner("bob"));
    assert_eq!((t.jobs, t.idle, t.held, t.running), (5, 3, 1, 1));
    let t = q.totals(&Filter::all().owner("bob").owner("alice").status(JobStatus::Held));
    assert_eq!((t.jobs, t.held), (2, 2));
    let t = q.totals(&small);
    assert_eq!((t.jobs, t.running), (1, 1));
    let t = q.totals(&Filter::ids([JobSpec::Cluster(a)]));
    assert_eq!((t.jobs, t.idle, t.held), (5, 4, 1));
}

#[test]
fn a_file_that_is_not_a_queue_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let e = JobQueue::open(&path).unwrap_err();
    assert!(matches!(e, QueueError::NotAQueue { .. }), "{e}");
    assert!(e.to_string().contains("garbage.db"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);

    // Another program's SQLite database.
    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let e = JobQueue::open(&other).unwrap_err();
    assert!(e.to_string().contains("another program"), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), before);

    // A directory.
    let e = JobQueue::open(dir.path()).unwrap_err();
    assert!(matches!(e, QueueError::NotAQueue { .. }), "{e}");
}

#[test]
fn an_undecodable_row_is_reported_skipped_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let c = submit(&mut q, "gina", 3);
    drop(q);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE jobs SET ad = x'01054a6f6253742a' WHERE id = (?1 << 32) | 1", [c]).unwrap();
    }
    let (mut q, rec) = JobQueue::open(&path).unwrap();
    assert_eq!(rec.jobs, 2);
    assert_eq!(rec.skipped.len(), 1);
    match &rec.skipped[0] {
        Skipped::Job { id, reason } => {
            assert_eq!(*id, jid(c, 1));
            assert!(reason.contains("JobSt"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Its id stays taken, and the row is still on disk.
    let e = q.commit(vec![Change::NewProc { id: jid(c, 1), ad: proc_ad(1, 1) }]).unwrap_err();
    assert!(matches!(e, QueueError::JobExists(_)));
    drop(q);
    let (mut q, rec) = JobQueue::open(&path).unwrap();
    assert_eq!(rec.skipped.len(), 1);
    // Removing it deletes the row.
    q.commit(vec![Change::RemoveJob { id: jid(c, 1) }]).unwrap();
    drop(q);
    let (_, rec) = JobQueue::open(&path).unwrap();
    assert!(rec.skipped.is_empty());
    assert_eq!(rec.jobs, 2);
}

/// Scans and totals agree with evaluating the constraint on every job,
/// also where a proc overrides an attribute the constraint reads directly
/// or through a cluster-ad expression (the cluster-constant shortcut must
/// not apply there).
#[test]
fn scans_and_totals_agree_with_evaluating_every_job() {
    let dir = tempfile::tempdir().unwrap();
    let (mut q, _) = JobQueue::open(&dir.path().join("q.db")).unwrap();
    let owners = ["alice", "bob", "Carol"];
    let mut all = Vec::new();
    for (k, n) in [1i64, 3, 4, 7, 12, 20, 5].into_iter().enumerate() {
        let c = q.new_cluster().unwrap();
        let mut cl = cluster_ad(owners[k % 3], c);
        cl.insert("RequestDisk", Expr::parse("DiskUsage * 2").unwrap());
        cl.insert_value("DiskUsage", Value::Int(10 * k as i64));
        let mut changes = vec![Change::NewCluster { cluster: c, ad: cl }];
        for p in 0..n {
            let mut ad = proc_ad(p, [1, 1, 2, 5, 1][(p % 5) as usize]);
            if k == 3 && p == 2 {
                ad.insert_value("DiskUsage", Value::Int(1000));
            }
            if k == 4 && p == 5 {
                ad.insert_value("RequestMemory", Value::Int(10));
            }
            changes.push(Change::NewProc { id: jid(c, p), ad });
            all.push(jid(c, p));
        }
        q.commit(changes).unwrap();
    }
    let constraints = [
        "RequestDisk > 50",
        "RequestDisk > 50 && Owner == \"carol\"",
        "RequestMemory < 100",
        "RequestMemory >= 2048",
        "JobStatus == 1 && RequestMemory >= 2048",
        "ProcId % 3 == 0",
        "ClusterId > 2",
        "Owner =!= \"bob\"",
        "DiskUsage",
        "NoSuchAttr == 1",
        "eval(\"ProcId\") == 2",
        "ifThenElse(ClusterId == 4, ProcId < 2, false)",
    ];
    let mut rng = 7u64;
    for text in constraints {
        let e = Expr::parse(text).unwrap();
        let expected: Vec<JobId> = all
            .iter()
            .copied()
            .filter(|id| match q.job(*id).unwrap().eval_expr(&e, None) {
                Value::Bool(b) => b,
                Value::Int(i) => i != 0,
                Value::Real(r) => r != 0.0,
                _ => false,
            })
            .collect();
        let f = Filter::all().constraint(e.clone());
        assert_eq!(ids(&q, &f), expected, "{text}");
        let t = q.totals(&f);
        assert_eq!(t.jobs, expected.len(), "{text}");
        let held = expected.iter().filter(|id| q.status(**id) == Some(JobStatus::Held)).count();
        assert_eq!(t.held, held, "{text}");
        // With a status and an owner part too.
        let f2 = f.clone().status(JobStatus::Idle).owner("CAROL");
        let exp2: Vec<JobId> = expected
            .iter()
            .copied()
            .filter(|id| q.status(*id) == Some(JobStatus::Idle))
            .filter(|id| q.job(*id).unwrap().eval_attr("Owner") == Value::string("Carol"))
            .collect();
        assert_eq!(ids(&q, &f2), exp2, "{text} (idle, carol)");
        assert_eq!(q.totals(&f2).jobs, exp2.len(), "{text} (idle, carol)");
        // With some ids named.
        let pick: Vec<JobSpec> = (0..6)
            .map(|_| {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let id = all[(rng >> 33) as usize % all.len()];
                if rng & 3 == 0 { JobSpec::Cluster(id.cluster) } else { JobSpec::Job(id) }
            })
            .collect();
        let f3 = Filter::ids(pick.clone()).constraint(f.constraint.clone().unwrap());
        let exp3: Vec<JobId> = expected
            .iter()
            .copied()
            .filter(|id| pick.iter().any(|s| match s {
                JobSpec::Cluster(c) => *c == id.cluster,
                JobSpec::Job(j) => j == id,
            }))
            .collect();
        assert_eq!(ids(&q, &f3), exp3, "{text} ({pick:?})");
        assert_eq!(q.totals(&f3).jobs, exp3.len(), "{text} ({pick:?})");
    }
}

#[test]
fn a_second_open_of_the_same_queue_is_refused_while_the_first_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let e = JobQueue::open(&path).unwrap_err();
    assert!(matches!(e, QueueError::Locked { .. }), "{e}");
    assert!(e.to_string().contains(&format!("pid {}", std::process::id())), "{e}");
    // The holder is not disturbed.
    submit(&mut q, "alice", 1);
    drop(q);
    let (q, _) = JobQueue::open(&path).unwrap();
    assert_eq!(q.len(), 1);
}

#[test]
fn the_queue_is_send() {
    fn send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let (q, _) = JobQueue::open(&dir.path().join("q.db")).unwrap();
    send(&q);
    std::thread::spawn(move || q.len()).join().unwrap();
}

/// A failure inside the SQLite transaction (here a trigger that refuses one
/// row, standing in for a full disk or an I/O error) rolls the whole batch
/// back: memory and disk are as before.
#[test]
fn a_batch_that_fails_inside_sqlite_is_rolled_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let a = submit(&mut q, "alice", 3);
    let next = q.next_cluster_id();
    drop(q);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "CREATE TRIGGER refuse BEFORE INSERT ON jobs WHEN NEW.id = ({next} << 32) | 500
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        ))
        .unwrap();
    }
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let c = q.new_cluster().unwrap();
    assert_eq!(c, next);
    let mut batch = vec![
        set(jid(a, 0), "JobStatus", Value::Int(5)),
        Change::RemoveJob { id: jid(a, 1) },
        Change::NewCluster { cluster: c, ad: cluster_ad("alice", c) },
    ];
    batch.extend((0..1000).map(|p| Change::NewProc { id: jid(c, p), ad: proc_ad(p, 1) }));
    let e = q.commit(batch).unwrap_err();
    assert!(matches!(e, QueueError::Sqlite { .. }), "{e}");
    assert!(e.to_string().contains("injected failure"), "{e}");
    let check = |q: &JobQueue, cluster_committed: bool| {
        assert_eq!(q.len(), 3);
        assert_eq!(q.status(jid(a, 0)), Some(JobStatus::Idle));
        assert!(q.contains(jid(a, 1)));
        assert_eq!(q.cluster_ad(c).is_some(), cluster_committed);
        assert_eq!(q.procs_of(c).count(), 0);
    };
    check(&q, false);
    // The queue still works, and the reserved id is still usable.
    q.commit(vec![Change::NewCluster { cluster: c, ad: cluster_ad("alice", c) }]).unwrap();
    check(&q, true);
    drop(q);
    let (q, rec) = JobQueue::open(&path).unwrap();
    assert!(rec.skipped.is_empty());
    check(&q, true);
}

#[test]
fn a_cluster_edit_re_derives_owner_and_status_of_its_procs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let c = q.new_cluster().unwrap();
    let mut changes = vec![Change::NewCluster { cluster: c, ad: cluster_ad("alice", c) }];
    for p in 0..6 {
        // Procs 0-2 take JobStatus from the cluster ad; 3-5 set their own.
        let mut ad = ClassAd::new();
        ad.insert_value("ProcId", Value::Int(p));
        if p >= 3 {
            ad.insert_value("JobStatus", Value::Int(2));
        }
        changes.push(Change::NewProc { id: jid(c, p), ad });
    }
    q.commit(changes).unwrap();
    let keep = q.job(jid(c, 0)).unwrap(); // an outstanding reference must not stop the re-chaining
    assert_eq!(q.totals(&Filter::all().owner("alice")).idle, 3);
    q.commit(vec![
        Change::SetClusterAttr { cluster: c, name: "Owner".into(), value: Expr::literal(Value::string("bob")) },
        Change::SetClusterAttr { cluster: c, name: "JobStatus".into(), value: Expr::literal(Value::Int(5)) },
    ])
    .unwrap();
    let check = |q: &JobQueue| {
        assert_eq!(q.totals(&Filter::all().owner("alice")).jobs, 0);
        let t = q.totals(&Filter::all().owner("bob"));
        assert_eq!((t.jobs, t.held, t.running), (6, 3, 3));
        assert_eq!(q.ids_with_status(JobStatus::Held).collect::<Vec<_>>(), vec![jid(c, 0), jid(c, 1), jid(c, 2)]);
        assert_eq!(q.job(jid(c, 0)).unwrap().eval_attr("Owner"), Value::string("bob"));
        assert_eq!(ids(q, &Filter::all().constraint(Expr::parse("Owner == \"bob\" && JobStatus == 5").unwrap())).len(), 3);
    };
    check(&q);
    assert_eq!(keep.eval_attr("Owner"), Value::string("alice"), "a reference taken before keeps its snapshot");
    drop(q);
    let (q, _) = JobQueue::open(&path).unwrap();
    check(&q);
}

/// A queue file damaged in the middle (valid header, garbage pages) gives
/// a clear error or reports the rows it could not read; never a panic,
/// and the file is not changed.
#[test]
fn a_damaged_queue_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    {
        let (mut q, _) = JobQueue::open(&path).unwrap();
        for _ in 0..5 {
            submit(&mut q, "alice", 2000);
        }
    }
    // Fold the WAL into the main file so that the damage below is all there is.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let good = std::fs::read(&path).unwrap();
    assert!(good.len() > 40_000);
    for (start, len) in [(4096usize, 4096usize), (good.len() / 2, 8192), (8192 + 100, 300)] {
        let mut bad = good.clone();
        for (i, b) in bad[start..(start + len).min(good.len())].iter_mut().enumerate() {
            *b = (i * 131 % 251) as u8;
        }
        std::fs::write(&path, &bad).unwrap();
        let _ = std::fs::remove_file(dir.path().join("q.db-wal"));
        match JobQueue::open(&path) {
            Err(e) => {
                eprintln!("damage at {start}: {e}");
                assert!(e.to_string().contains("q.db"), "{e}");
                assert!(matches!(e, QueueError::Corrupt { .. } | QueueError::NotAQueue { .. }), "{e}");
            }
            Ok((q, rec)) => {
                eprintln!("damage at {start}: opened, {} jobs, {} skipped", q.len(), rec.skipped.len());
                assert!(q.len() + rec.skipped.len() <= 10_000);
                // What loaded is what was written (damaged rows are skipped, not made up).
                q.scan(&Filter::all(), |id, ad| {
                    assert_eq!(ad.eval_attr("ProcId"), Value::Int(id.proc), "{id}");
                    ControlFlow::Continue(())
                });
            }
        }
        assert_eq!(std::fs::read(&path).unwrap(), bad, "the damaged file was changed (damage at {start})");
    }
}
