//! The queue against a plain model: random batches of changes (some of
//! them refused) are applied to both, and after every batch — and after
//! reopening the database — every job's merged ad, status, the per-owner
//! and per-status totals, the status lists and a constraint scan must
//! agree with the model.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use classad::{ClassAd, Expr, Value};
use jobqueue::{Change, Filter, JobId, JobQueue, JobStatus};

/// Attributes by lower-cased name: (spelling, value).
type Attrs = BTreeMap<String, (String, Value)>;

#[derive(Clone, Default)]
struct Model {
    clusters: BTreeMap<i64, Attrs>,
    jobs: BTreeMap<JobId, Attrs>,
}

impl Model {
    fn merged(&self, id: JobId) -> Attrs {
        let mut m = self.clusters[&id.cluster].clone();
        for (k, v) in &self.jobs[&id] {
            m.insert(k.clone(), v.clone());
        }
        m
    }

    fn status(&self, id: JobId) -> Option<JobStatus> {
        match self.merged(id).get("jobstatus") {
            Some((_, Value::Int(i))) => JobStatus::from_code(*i),
            _ => None,
        }
    }

    fn owner(&self, id: JobId) -> Option<String> {
        match self.merged(id).get("owner") {
            Some((_, Value::String(s))) => Some(s.to_ascii_lowercase()),
            _ => None,
        }
    }

    /// Apply one change; false when the queue must refuse it.
    fn apply(&mut self, ch: &Change, reserved: &[i64]) -> bool {
        let set = |attrs: &mut Attrs, name: &str, value: &Expr| {
            let v = value.as_literal().cloned().unwrap_or(Value::Error);
            let key = name.to_ascii_lowercase();
            let spelling = attrs.get(&key).map(|(n, _)| n.clone()).unwrap_or_else(|| name.to_string());
            attrs.insert(key, (spelling, v));
        };
        match ch {
            Change::NewCluster { cluster, ad } => {
                if self.clusters.contains_key(cluster) || !reserved.contains(cluster) {
                    return false;
                }
                let mut a = Attrs::new();
                for (n, e) in ad.iter() {
                    set(&mut a, n, e);
                }
                self.clusters.insert(*cluster, a);
            }
            Change::NewProc { id, ad } => {
                if !self.clusters.contains_key(&id.cluster) || self.jobs.contains_key(id) {
                    return false;
                }
                let mut a = Attrs::new();
                for (n, e) in ad.iter() {
                    set(&mut a, n, e);
                }
                self.jobs.insert(*id, a);
            }
            Change::SetAttr { id, name, value } => match self.jobs.get_mut(id) {
                Some(a) => set(a, name, value),
                None => return false,
            },
            Change::DeleteAttr { id, name } => match self.jobs.get_mut(id) {
                Some(a) => {
                    a.remove(&name.to_ascii_lowercase());
                }
                None => return false,
            },
            Change::SetClusterAttr { cluster, name, value } => match self.clusters.get_mut(cluster) {
                Some(a) => set(a, name, value),
                None => return false,
            },
            Change::DeleteClusterAttr { cluster, name } => match self.clusters.get_mut(cluster) {
                Some(a) => {
                    a.remove(&name.to_ascii_lowercase());
                }
                None => return false,
            },
            Change::RemoveJob { id } => {
                if self.jobs.remove(id).is_none() {
                    return false;
                }
            }
        }
        true
    }

    /// Clusters whose last proc left in a batch leave too.
    fn drop_emptied(&mut self, touched: &[i64]) {
        for c in touched {
            if self.clusters.contains_key(c) && !self.jobs.keys().any(|j| j.cluster == *c) {
                self.clusters.remove(c);
            }
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

fn lit(v: Value) -> Expr {
    Expr::literal(v)
}

fn random_value(r: &mut Rng, name: &str) -> Value {
    match name {
        "JobStatus" | "jobstatus" => Value::Int(*r.pick(&[1, 1, 2, 4, 5, 9])),
        "Owner" | "OWNER" => Value::string(r.pick::<&str>(&["alice", "Alice", "bob", "carol"])),
        _ => Value::Int(r.below(10) as i64),
    }
}

fn check(q: &JobQueue, m: &Model, ctx: &str) {
    assert_eq!(q.len(), m.jobs.len(), "{ctx}: len");
    let clusters: Vec<i64> = q.clusters().map(|(c, _)| c).collect();
    assert_eq!(clusters, m.clusters.keys().copied().collect::<Vec<_>>(), "{ctx}: clusters");
    for &id in m.jobs.keys() {
        let ad = q.job(id).unwrap_or_else(|| panic!("{ctx}: job {id} missing"));
        let got: Attrs = ad
            .iter_all()
            .map(|(n, e)| (n.to_ascii_lowercase(), (n.to_string(), e.as_literal().cloned().unwrap_or(Value::Error))))
            .collect();
        let want = m.merged(id);
        let strip = |a: &Attrs| a.iter().map(|(k, (_, v))| (k.clone(), v.clone())).collect::<Vec<_>>();
        assert_eq!(strip(&got), strip(&want), "{ctx}: job {id}");
        assert_eq!(q.status(id), m.status(id), "{ctx}: status of {id}");
    }
    let statuses = [
        JobStatus::Idle,
        JobStatus::Running,
        JobStatus::Removed,
        JobStatus::Completed,
        JobStatus::Held,
        JobStatus::TransferringOutput,
        JobStatus::Suspended,
    ];
    for s in statuses {
        let want: Vec<JobId> = m.jobs.keys().copied().filter(|id| m.status(*id) == Some(s)).collect();
        assert_eq!(q.ids_with_status(s).collect::<Vec<_>>(), want, "{ctx}: ids_with_status({s:?})");
        assert_eq!(q.totals(&Filter::all()).count(s), want.len(), "{ctx}: totals {s:?}");
    }
    for owner in ["alice", "BOB", "carol", "nobody"] {
        let mine: Vec<JobId> =
            m.jobs.keys().copied().filter(|id| m.owner(*id).as_deref() == Some(&owner.to_ascii_lowercase())).collect();
        let t = q.totals(&Filter::all().owner(owner));
        assert_eq!(t.jobs, mine.len(), "{ctx}: totals for {owner}");
        assert_eq!(t.held, mine.iter().filter(|id| m.status(**id) == Some(JobStatus::Held)).count(), "{ctx}: held for {owner}");
        assert_eq!(t.other, mine.iter().filter(|id| m.status(**id).is_none()).count(), "{ctx}: other for {owner}");
    }
    let c = Expr::parse("X > 5 || Owner == \"carol\"").unwrap();
    let want: Vec<JobId> = m
        .jobs
        .keys()
        .copied()
        .filter(|id| {
            let a = m.merged(*id);
            let x = matches!(a.get("x"), Some((_, Value::Int(i))) if *i > 5);
            x || m.owner(*id).as_deref() == Some("carol")
        })
        .collect();
    let mut got = Vec::new();
    q.scan(&Filter::all().constraint(c), |id, _| {
        got.push(id);
        ControlFlow::Continue(())
    });
    assert_eq!(got, want, "{ctx}: constraint scan");
}

fn run(seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (mut q, _) = JobQueue::open(&path).unwrap();
    let mut m = Model::default();
    let mut r = Rng(seed);
    let names = ["JobStatus", "Owner", "X", "jobstatus", "OWNER"];
    for step in 0..100 {
        let mut reserved = Vec::new();
        let mut batch = Vec::new();
        let n = 1 + r.below(8);
        for _ in 0..n {
            let jobs: Vec<JobId> = m.jobs.keys().copied().collect();
            let clusters: Vec<i64> = m.clusters.keys().copied().collect();
            match r.below(12) {
                0 | 1 => {
                    let c = q.new_cluster().unwrap();
                    reserved.push(c);
                    let mut ad = ClassAd::new();
                    ad.insert_value("ClusterId", Value::Int(c));
                    ad.insert_value("Owner", random_value(&mut r, "Owner"));
                    if r.below(2) == 0 {
                        ad.insert_value("JobStatus", Value::Int(1));
                    }
                    batch.push(Change::NewCluster { cluster: c, ad });
                    for p in 0..r.below(7) as i64 {
                        let mut pad = ClassAd::new();
                        pad.insert_value("ProcId", Value::Int(p));
                        if r.below(3) > 0 {
                            pad.insert_value("JobStatus", random_value(&mut r, "JobStatus"));
                        }
                        batch.push(Change::NewProc { id: JobId { cluster: c, proc: p }, ad: pad });
                    }
                }
                2 if !clusters.is_empty() => {
                    let c = *r.pick(&clusters);
                    let next = m.jobs.keys().filter(|j| j.cluster == c).map(|j| j.proc + 1).max().unwrap_or(0);
                    let mut pad = ClassAd::new();
                    pad.insert_value("ProcId", Value::Int(next));
                    batch.push(Change::NewProc { id: JobId { cluster: c, proc: next }, ad: pad });
                }
                3..=5 if !jobs.is_empty() => {
                    let id = *r.pick(&jobs);
                    let name = *r.pick(&names);
                    batch.push(Change::SetAttr { id, name: name.into(), value: lit(random_value(&mut r, name)) });
                }
                6 if !jobs.is_empty() => {
                    let id = *r.pick(&jobs);
                    batch.push(Change::DeleteAttr { id, name: (*r.pick(&names)).into() });
                }
                7 if !clusters.is_empty() => {
                    let c = *r.pick(&clusters);
                    let name = *r.pick(&names);
                    batch.push(Change::SetClusterAttr { cluster: c, name: name.into(), value: lit(random_value(&mut r, name)) });
                }
                8 if !clusters.is_empty() => {
                    let c = *r.pick(&clusters);
                    batch.push(Change::DeleteClusterAttr { cluster: c, name: (*r.pick(&names)).into() });
                }
                9 | 10 if !jobs.is_empty() => {
                    batch.push(Change::RemoveJob { id: *r.pick(&jobs) });
                }
                11 if r.below(4) == 0 => {
                    // A change the queue must refuse: the whole batch fails.
                    batch.push(Change::SetAttr { id: JobId { cluster: 999_999, proc: 0 }, name: "X".into(), value: lit(Value::Int(1)) });
                }
                _ => {}
            }
        }
        let mut next = m.clone();
        let ok = batch.iter().all(|ch| next.apply(ch, &reserved));
        let touched: Vec<i64> = batch
            .iter()
            .filter_map(|ch| match ch {
                Change::RemoveJob { id } => Some(id.cluster),
                _ => None,
            })
            .collect();
        next.drop_emptied(&touched);
        let res = q.commit(batch);
        assert_eq!(res.is_ok(), ok, "seed {seed} step {step}: commit {res:?}, model says {ok}");
        if ok {
            m = next;
        }
        check(&q, &m, &format!("seed {seed} step {step}"));
        if step % 40 == 39 {
            drop(q);
            let (q2, rec) = JobQueue::open(&path).unwrap();
            assert!(rec.skipped.is_empty());
            q = q2;
            check(&q, &m, &format!("seed {seed} step {step} after reopening"));
        }
    }
}

#[test]
fn random_batches_agree_with_a_plain_model() {
    for seed in [1, 42, 1234] {
        run(seed);
    }
}
