//! Answering [`Filter`]s from the index: scans and totals.
//!
//! A scan picks the narrowest source of candidates — the id ranges the
//! filter names, else the status sets when the statuses asked for are a
//! small part of the queue, else every job — and checks the cheap parts
//! (status code, owner id) before evaluating the constraint. Totals
//! without ids or constraint are sums of the per-status counters kept by
//! the index, so `condor_q -totals` costs the same for ten jobs or ten
//! million.

use std::collections::btree_set;
use std::iter::Peekable;
use std::ops::ControlFlow;
use std::sync::Arc;

use classad::ClassAd;
use proto::job::JobSpec;
use proto::JobId;

use crate::filter::{truthy, Filter, Totals};
use crate::index::{Index, Job};

/// The cheap part of a filter, resolved against the index.
struct Compiled<'f> {
    statuses: Option<[bool; 8]>,
    owners: Option<Vec<u32>>,
    filter: &'f Filter,
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
        Some(Compiled { statuses, owners, filter })
    }

    /// Everything but the constraint.
    #[inline]
    fn cheap(&self, job: &Job) -> bool {
        self.statuses.map_or(true, |s| s[job.status as usize])
            && self.owners.as_ref().map_or(true, |o| o.contains(&job.owner))
    }

    #[inline]
    fn constraint(&self, ad: &ClassAd) -> bool {
        match &self.filter.constraint {
            None => true,
            Some(c) => truthy(&c.eval(Some(ad), None)),
        }
    }
}

/// Merge of ascending id iterators into one ascending iterator.
struct Merge<'a> {
    parts: Vec<Peekable<btree_set::Iter<'a, JobId>>>,
}

impl Iterator for Merge<'_> {
    type Item = JobId;
    fn next(&mut self) -> Option<JobId> {
        let mut best: Option<(usize, JobId)> = None;
        for (i, p) in self.parts.iter_mut().enumerate() {
            if let Some(&&id) = p.peek() {
                if best.map_or(true, |(_, b)| id < b) {
                    best = Some((i, id));
                }
            }
        }
        let (i, id) = best?;
        self.parts[i].next();
        Some(id)
    }
}

/// The id ranges a list of job specs names, sorted and merged.
fn id_ranges(ids: &[JobSpec]) -> Vec<(JobId, JobId)> {
    let mut r: Vec<(JobId, JobId)> = ids
        .iter()
        .map(|s| match *s {
            JobSpec::Cluster(c) => (JobId { cluster: c, proc: i64::MIN }, JobId { cluster: c, proc: i64::MAX }),
            JobSpec::Job(j) => (j, j),
        })
        .collect();
    r.sort();
    let mut out: Vec<(JobId, JobId)> = Vec::with_capacity(r.len());
    for (lo, hi) in r {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

impl Index {
    /// Visit matching jobs in id order until `f` breaks.
    pub fn scan(&self, filter: &Filter, mut f: impl FnMut(JobId, &Arc<ClassAd>) -> ControlFlow<()>) {
        self.scan_jobs(filter, |id, job| f(id, &job.ad))
    }

    fn scan_jobs(&self, filter: &Filter, mut f: impl FnMut(JobId, &Job) -> ControlFlow<()>) {
        let Some(c) = Compiled::new(self, filter) else { return };
        let mut visit = |id: JobId, job: &Job| -> ControlFlow<()> {
            if c.cheap(job) && c.constraint(&job.ad) {
                f(id, job)
            } else {
                ControlFlow::Continue(())
            }
        };
        if !filter.ids.is_empty() {
            for (lo, hi) in id_ranges(&filter.ids) {
                for (id, job) in self.jobs.range(lo..=hi) {
                    if visit(*id, job).is_break() {
                        return;
                    }
                }
            }
            return;
        }
        if let Some(s) = c.statuses {
            let selected: usize = (0..8).filter(|&i| s[i]).map(|i| self.counts[i]).sum();
            // Looking each id up costs more than walking the map when most jobs qualify.
            if selected * 4 < self.jobs.len() {
                let merge = Merge { parts: (0..8).filter(|&i| s[i]).map(|i| self.by_status[i].iter().peekable()).collect() };
                for id in merge {
                    if let Some(job) = self.jobs.get(&id) {
                        if visit(id, job).is_break() {
                            return;
                        }
                    }
                }
                return;
            }
        }
        for (id, job) in &self.jobs {
            if visit(*id, job).is_break() {
                return;
            }
        }
    }

    /// Counts by status of the matching jobs.
    pub fn totals(&self, filter: &Filter) -> Totals {
        let Some(c) = Compiled::new(self, filter) else { return Totals::default() };
        let mut counts = [0usize; 8];
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
            if let Some(s) = c.statuses {
                for i in 0..8 {
                    if !s[i] {
                        counts[i] = 0;
                    }
                }
            }
        } else {
            self.scan_jobs(filter, |_, job| {
                counts[job.status as usize] += 1;
                ControlFlow::Continue(())
            });
        }
        Totals::from_counts(&counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_ranges_merge_overlaps() {
        let j = |c, p| JobSpec::Job(JobId { cluster: c, proc: p });
        let r = id_ranges(&[j(3, 1), JobSpec::Cluster(3), j(1, 0), j(3, 1), JobSpec::Cluster(5)]);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], (JobId { cluster: 1, proc: 0 }, JobId { cluster: 1, proc: 0 }));
        assert_eq!(r[1].0.cluster, 3);
        assert_eq!(r[2].1, JobId { cluster: 5, proc: i64::MAX });
    }
}
