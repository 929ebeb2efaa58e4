//! Answering [`Filter`]s from the index: scans and totals.
//!
//! A scan walks the clusters the filter can match (the ones its ids name,
//! else all; skipping clusters with no job in the statuses asked for),
//! checks the cheap parts of the filter (status code, owner id) on each
//! slot, and evaluates the constraint only where needed:
//!
//! - **Cluster-constant constraints.** When a constraint reads no attribute
//!   that any proc of a cluster sets itself — directly or through the
//!   cluster ad's expressions (`RequestDisk = DiskUsage`) — it has the same
//!   value for every proc of that cluster, so it is evaluated once per
//!   cluster. `Owner == "alice" && RequestMemory > 1024` over a million
//!   jobs costs one evaluation per cluster. Constraints whose references
//!   cannot be known statically (`eval()`, absolute or `TARGET.`
//!   references, nested ads) are always evaluated per job.
//! - **Totals** without ids or constraint are sums of the index's counters;
//!   with a cluster-constant constraint they add the cluster's counters.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use classad::{ClassAd, Expr, Node};
use proto::job::JobSpec;
use proto::JobId;

use crate::filter::{truthy, Filter, Totals};
use crate::index::{Cluster, Index, Job};

/// Clusters below this size are evaluated per job (analysis costs more than it saves).
const CONSTANT_MIN_PROCS: usize = 4;

/// The filter, resolved against the index.
struct Compiled<'f> {
    statuses: Option<[bool; 8]>,
    owners: Option<Vec<u32>>,
    constraint: Option<&'f Expr>,
    /// Lower-cased names the constraint reads directly (`None`: not knowable).
    refs: Option<Vec<String>>,
}

impl<'f> Compiled<'f> {
    /// `None` when nothing can match (an owner no job has, an impossible status).
    fn new(index: &Index, filter: &'f Filter) -> Option<Compiled<'f>> {
        let statuses = filter.status_set();
        if statuses.is_some_and(|s| !s.contains(&true)) {
            return None;
        }
        let owners = if filter.owners.is_empty() {
            None
        } else {
            let mut ids: Vec<u32> = filter.owners.iter().filter_map(|o| index.owner_id(o)).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                return None;
            }
            Some(ids)
        };
        let constraint = filter.constraint.as_ref();
        let refs = constraint.and_then(|c| {
            let mut out = Vec::new();
            refs_of(c, &mut out).then_some(out)
        });
        Some(Compiled { statuses, owners, constraint, refs })
    }

    /// Everything but the constraint.
    #[inline]
    fn cheap(&self, job: &Job) -> bool {
        let status_ok = match self.statuses {
            Some(s) => s[job.status as usize],
            None => true,
        };
        status_ok
            && match &self.owners {
                Some(o) => o.contains(&job.owner),
                None => true,
            }
    }

    /// True when some job of the cluster can be in a selected status.
    fn cluster_has_status(&self, cl: &Cluster) -> bool {
        match self.statuses {
            Some(s) => (0..8).any(|i| s[i] && cl.status_counts[i] > 0),
            None => true,
        }
    }

    /// The constraint's value for the whole cluster, when it is the same for every proc.
    fn cluster_constant(&self, cl: &Cluster) -> Option<bool> {
        let Some(c) = self.constraint else { return Some(true) };
        if cl.live < CONSTANT_MIN_PROCS {
            return None;
        }
        let refs = self.refs.as_ref()?;
        // Close the reference set over the cluster ad's expressions.
        let mut names: Vec<String> = refs.clone();
        let mut i = 0;
        while i < names.len() {
            if cl.proc_sets(&names[i]) {
                return None;
            }
            if let Some(e) = cl.ad.get_own(&names[i]) {
                let mut more = Vec::new();
                if !refs_of(e, &mut more) {
                    return None;
                }
                for m in more {
                    if !names.contains(&m) {
                        names.push(m);
                    }
                }
            }
            i += 1;
        }
        let (_, any) = cl.jobs().next()?;
        Some(truthy(&c.eval(Some(&any.ad), None)))
    }

    #[inline]
    fn per_job(&self, ad: &ClassAd) -> bool {
        match self.constraint {
            None => true,
            Some(c) => truthy(&c.eval(Some(ad), None)),
        }
    }
}

/// Collect the lower-cased attribute names `e` reads from its own ad.
/// False when that cannot be known from the expression alone.
fn refs_of(e: &Expr, out: &mut Vec<String>) -> bool {
    const SCOPES: [&str; 12] =
        ["my", "self", "target", "other", "toplevel", "root", "parent", "ad", "left", "right", "lctx", "rctx"];
    const DYNAMIC: [&str; 4] = ["eval", "evalineachcontext", "countmatches", "debug"];
    let mut push = |n: &str| {
        let n = n.to_ascii_lowercase();
        if !out.contains(&n) {
            out.push(n);
        }
    };
    match e.node() {
        Node::Literal(_) => true,
        Node::Attr { name, absolute } => {
            if *absolute || SCOPES.iter().any(|s| name.is(s)) {
                return false;
            }
            push(name.as_str());
            true
        }
        Node::Select { base, name } => match base.node() {
            Node::Attr { name: scope, absolute: false } if scope.is("my") => {
                push(name.as_str());
                true
            }
            _ => refs_of(base, out),
        },
        Node::Unary { arg, .. } | Node::Paren(arg) => refs_of(arg, out),
        Node::Binary { lhs, rhs, .. } => refs_of(lhs, out) && refs_of(rhs, out),
        Node::Ternary { cond, then, otherwise } => refs_of(cond, out) && refs_of(then, out) && refs_of(otherwise, out),
        Node::Index { base, index } => refs_of(base, out) && refs_of(index, out),
        Node::Call(call) => {
            if DYNAMIC.iter().any(|d| call.name.eq_ignore_ascii_case(d)) {
                return false;
            }
            call.args.iter().all(|a| refs_of(a, out))
        }
        Node::List(items) => items.iter().all(|a| refs_of(a, out)),
        Node::Ad(_) => false,
    }
}

/// The clusters a filter's ids name, each with the procs named (`None`: all of it).
fn clusters_named(ids: &[JobSpec]) -> BTreeMap<i64, Option<Vec<i64>>> {
    let mut m: BTreeMap<i64, Option<Vec<i64>>> = BTreeMap::new();
    for s in ids {
        match *s {
            JobSpec::Cluster(c) => {
                m.insert(c, None);
            }
            JobSpec::Job(j) => {
                if let Some(procs) = m.entry(j.cluster).or_insert_with(|| Some(Vec::new())) {
                    procs.push(j.proc);
                }
            }
        }
    }
    for procs in m.values_mut().flatten() {
        procs.sort_unstable();
        procs.dedup();
    }
    m
}

impl Index {
    /// Visit matching jobs in id order until `f` breaks.
    pub fn scan(&self, filter: &Filter, mut f: impl FnMut(JobId, &Arc<ClassAd>) -> ControlFlow<()>) {
        self.scan_jobs(filter, |id, job| f(id, &job.ad), |_, _| false);
    }

    /// The scan behind [`Index::scan`] and [`Index::totals`]. `whole` is
    /// offered each cluster the filter selects entirely (every proc, no
    /// per-job check needed); when it returns true the cluster's jobs are
    /// not visited one by one.
    fn scan_jobs(
        &self,
        filter: &Filter,
        mut f: impl FnMut(JobId, &Job) -> ControlFlow<()>,
        mut whole: impl FnMut(&Compiled, &Cluster) -> bool,
    ) {
        let Some(c) = Compiled::new(self, filter) else { return };
        let mut cluster = |cid: i64, cl: &Cluster, procs: Option<&[i64]>| -> ControlFlow<()> {
            if !c.cluster_has_status(cl) {
                return ControlFlow::Continue(());
            }
            let constant = c.cluster_constant(cl);
            if constant == Some(false) {
                return ControlFlow::Continue(());
            }
            if constant == Some(true) && procs.is_none() && whole(&c, cl) {
                return ControlFlow::Continue(());
            }
            let mut visit = |proc: i64, job: &Job| {
                if c.cheap(job) && (constant == Some(true) || c.per_job(&job.ad)) {
                    f(JobId { cluster: cid, proc }, job)
                } else {
                    ControlFlow::Continue(())
                }
            };
            match procs {
                None => {
                    for (proc, job) in cl.jobs() {
                        visit(proc, job)?;
                    }
                }
                Some(procs) => {
                    for &proc in procs {
                        if let Some(job) = cl.get(proc) {
                            visit(proc, job)?;
                        }
                    }
                }
            }
            ControlFlow::Continue(())
        };
        if filter.ids.is_empty() {
            for (&cid, cl) in &self.clusters {
                if cluster(cid, cl, None).is_break() {
                    return;
                }
            }
        } else {
            for (cid, procs) in clusters_named(&filter.ids) {
                if let Some(cl) = self.clusters.get(&cid) {
                    if cluster(cid, cl, procs.as_deref()).is_break() {
                        return;
                    }
                }
            }
        }
    }

    /// Counts by status of the matching jobs.
    pub fn totals(&self, filter: &Filter) -> Totals {
        let Some(c) = Compiled::new(self, filter) else { return Totals::default() };
        let mut counts = [0usize; 8];
        let mask = |counts: &mut [usize; 8]| {
            if let Some(s) = c.statuses {
                for i in 0..8 {
                    if !s[i] {
                        counts[i] = 0;
                    }
                }
            }
        };
        if filter.ids.is_empty() && filter.constraint.is_none() {
            match &c.owners {
                None => counts = self.counts,
                Some(owners) => {
                    for &o in owners {
                        for (i, n) in self.owners[o as usize].counts.iter().enumerate() {
                            counts[i] += n;
                        }
                    }
                }
            }
            mask(&mut counts);
            return Totals::from_counts(&counts);
        }
        let mut whole_counts = [0usize; 8];
        self.scan_jobs(
            filter,
            |_, job| {
                counts[job.status as usize] += 1;
                ControlFlow::Continue(())
            },
            |c, cl| {
                // Without an owner part, a wholly selected cluster adds its counters.
                if c.owners.is_some() {
                    return false;
                }
                for (i, n) in cl.status_counts.iter().enumerate() {
                    whole_counts[i] += *n as usize;
                }
                true
            },
        );
        mask(&mut whole_counts);
        for i in 0..8 {
            counts[i] += whole_counts[i];
        }
        Totals::from_counts(&counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(t: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        refs_of(&Expr::parse(t).unwrap(), &mut out).then_some(out)
    }

    #[test]
    fn references_are_collected_or_declared_unknowable() {
        assert_eq!(refs("Owner == \"a\" && MY.RequestMemory > 1024"), Some(vec!["owner".into(), "requestmemory".into()]));
        assert_eq!(refs("strcat(Cmd, Args)[0] =?= x ? y : z"), Some(vec!["cmd".into(), "args".into(), "x".into(), "y".into(), "z".into()]));
        assert_eq!(refs("Nested.x == 1"), Some(vec!["nested".into()]));
        assert_eq!(refs("eval(\"ProcId\") == 1"), None);
        assert_eq!(refs("TARGET.Memory > 1"), None);
        assert_eq!(refs(".ProcId == 1"), None);
        assert_eq!(refs("[ a = ProcId ].a == 1"), None);
        assert_eq!(refs("size(MY) > 1"), None);
    }

    #[test]
    fn named_ids_group_by_cluster() {
        let j = |c, p| JobSpec::Job(JobId { cluster: c, proc: p });
        let m = clusters_named(&[j(3, 2), j(3, 1), j(1, 0), j(3, 1), JobSpec::Cluster(5), j(5, 9)]);
        assert_eq!(m.get(&3), Some(&Some(vec![1, 2])));
        assert_eq!(m.get(&1), Some(&Some(vec![0])));
        assert_eq!(m.get(&5), Some(&None));
    }
}
