//! The in-memory queue: every job's ad plus the indexes that answer queries.
//!
//! - `jobs`: job id → the proc ad (chained to its cluster ad), its status
//!   code and its owner, in job-id order (so scans come out sorted).
//! - `clusters`: cluster id → the cluster ad and how many procs it has.
//! - `by_status`: per status code, the ids in that status (for
//!   [`crate::JobQueue::ids_with_status`] and status-filtered scans).
//! - `owners`: per owner (lower-cased), job counts by status (so
//!   `condor_q -totals` for one user or all is a few additions).
//!
//! The index only changes through [`Index::put_job`], [`Index::remove_job`]
//! and [`Index::put_cluster`], which keep every part consistent.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use classad::{ClassAd, Value};
use proto::JobId;

/// Owner id of jobs without a string `Owner`.
pub const NO_OWNER: u32 = u32::MAX;

/// One job in the index.
#[derive(Clone)]
pub struct Job {
    /// The proc ad, chained to its cluster's ad.
    pub ad: Arc<ClassAd>,
    /// `JobStatus` code 1–7, or 0 when missing or out of range.
    pub status: u8,
    /// Index into `Index::owners`, or [`NO_OWNER`].
    pub owner: u32,
}

pub struct Cluster {
    pub ad: Arc<ClassAd>,
    pub procs: usize,
}

pub struct Owner {
    pub counts: [usize; 8],
}

#[derive(Default)]
pub struct Index {
    pub jobs: BTreeMap<JobId, Job>,
    pub clusters: BTreeMap<i64, Cluster>,
    pub by_status: [BTreeSet<JobId>; 8],
    pub counts: [usize; 8],
    pub owners: Vec<Owner>,
    pub owner_ids: HashMap<Box<str>, u32>,
}

/// The status code of a job ad: its `JobStatus` as a code 1–7, else 0.
pub fn status_of(ad: &ClassAd) -> u8 {
    let code = match ad.get("JobStatus").and_then(|e| e.as_literal()) {
        Some(Value::Int(i)) => *i,
        Some(_) | None => match ad.eval_attr("JobStatus") {
            Value::Int(i) => i,
            Value::Real(r) if r.fract() == 0.0 => r as i64,
            _ => 0,
        },
    };
    if (1..=7).contains(&code) {
        code as u8
    } else {
        0
    }
}

/// The owner of a job ad, lower-cased (how `Owner == "x"` compares).
fn owner_of(ad: &ClassAd) -> Option<String> {
    match ad.get("Owner").and_then(|e| e.as_literal()) {
        Some(Value::String(s)) => Some(s.to_ascii_lowercase()),
        _ => match ad.eval_attr("Owner") {
            Value::String(s) => Some(s.to_ascii_lowercase()),
            _ => None,
        },
    }
}

impl Index {
    /// The owner id for a (lower-cased) name, if any job has had it.
    pub fn owner_id(&self, name: &str) -> Option<u32> {
        self.owner_ids.get(name.to_ascii_lowercase().as_str()).copied()
    }

    fn intern_owner(&mut self, name: Option<String>) -> u32 {
        let Some(name) = name else { return NO_OWNER };
        if let Some(&id) = self.owner_ids.get(name.as_str()) {
            return id;
        }
        let id = self.owners.len() as u32;
        self.owners.push(Owner { counts: [0; 8] });
        self.owner_ids.insert(name.into_boxed_str(), id);
        id
    }

    fn count(&mut self, id: JobId, status: u8, owner: u32, add: bool) {
        let s = status as usize;
        if add {
            self.counts[s] += 1;
            self.by_status[s].insert(id);
            if owner != NO_OWNER {
                self.owners[owner as usize].counts[s] += 1;
            }
        } else {
            self.counts[s] -= 1;
            self.by_status[s].remove(&id);
            if owner != NO_OWNER {
                self.owners[owner as usize].counts[s] -= 1;
            }
        }
    }

    /// Insert or replace a job whose ad is already chained to its cluster ad.
    pub fn put_job(&mut self, id: JobId, ad: Arc<ClassAd>) {
        let status = status_of(&ad);
        let owner = owner_of(&ad);
        let owner = self.intern_owner(owner);
        match self.jobs.insert(id, Job { ad, status, owner }) {
            Some(old) => {
                if old.status != status || old.owner != owner {
                    self.count(id, old.status, old.owner, false);
                    self.count(id, status, owner, true);
                }
            }
            None => {
                self.count(id, status, owner, true);
                if let Some(c) = self.clusters.get_mut(&id.cluster) {
                    c.procs += 1;
                }
            }
        }
    }

    /// Remove a job (its cluster stays until [`Index::remove_cluster`]).
    pub fn remove_job(&mut self, id: JobId) {
        let Some(old) = self.jobs.remove(&id) else { return };
        self.count(id, old.status, old.owner, false);
        if let Some(c) = self.clusters.get_mut(&id.cluster) {
            c.procs = c.procs.saturating_sub(1);
        }
    }

    /// Insert or replace a cluster ad, re-chaining its procs to the new ad
    /// and re-deriving their status and owner (which may come from it).
    pub fn put_cluster(&mut self, cluster: i64, ad: Arc<ClassAd>) {
        match self.clusters.get_mut(&cluster) {
            None => {
                self.clusters.insert(cluster, Cluster { ad, procs: 0 });
            }
            Some(c) => {
                c.ad = ad.clone();
                let ids: Vec<JobId> = self.procs_of(cluster).collect();
                for id in ids {
                    let Some(job) = self.jobs.get_mut(&id) else { continue };
                    match Arc::get_mut(&mut job.ad) {
                        Some(own) => own.chain_to(ad.clone()),
                        None => {
                            let mut own = ClassAd::clone(&job.ad);
                            own.chain_to(ad.clone());
                            job.ad = Arc::new(own);
                        }
                    }
                    let job_ad = job.ad.clone();
                    self.put_job(id, job_ad);
                }
            }
        }
    }

    /// Drop a cluster ad (the caller removed its procs).
    pub fn remove_cluster(&mut self, cluster: i64) {
        self.clusters.remove(&cluster);
    }

    /// The ids of one cluster's procs, in order.
    pub fn procs_of(&self, cluster: i64) -> impl Iterator<Item = JobId> + '_ {
        let lo = JobId { cluster, proc: i64::MIN };
        let hi = JobId { cluster, proc: i64::MAX };
        self.jobs.range(lo..=hi).map(|(id, _)| *id)
    }
}
