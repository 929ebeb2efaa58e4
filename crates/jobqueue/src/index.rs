//! The in-memory queue: every job's ad plus the counters that answer queries.
//!
//! Jobs live in their cluster: `clusters` maps a cluster id to its ad and a
//! dense table of its procs indexed by proc id (proc ids are handed out
//! from 0 up, so the table has few holes; 16 bytes a slot). Each slot
//! holds the proc ad (chained to the cluster ad), its status code and its
//! owner. Walking clusters in order and slots in order gives job-id order.
//!
//! Counters kept up to date by every change:
//! - per status, over the queue (`counts`) and per cluster (so status scans
//!   skip clusters without such jobs);
//! - per owner (lower-cased) and status (so `condor_q -totals` for one user
//!   or all is a few additions);
//! - per cluster, the names of attributes any of its procs sets itself
//!   (`proc_names`), so a constraint that reads none of them is evaluated
//!   once for the whole cluster (see `query.rs`).
//!
//! The index only changes through [`Index::put_cluster`],
//! [`Index::put_job`], [`Index::remove_job`] and [`Index::remove_cluster`],
//! which keep every part consistent.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use classad::{ClassAd, Name, Value};
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
    /// Slot `p` holds proc `p`.
    pub procs: Vec<Option<Job>>,
    /// Live procs (`Some` slots).
    pub live: usize,
    /// Live procs by status code.
    pub status_counts: [u32; 8],
    /// Names of the attributes any proc of this cluster has (or had) in its own ad.
    pub proc_names: Vec<Name>,
}

impl Cluster {
    pub fn get(&self, proc: i64) -> Option<&Job> {
        usize::try_from(proc).ok().and_then(|p| self.procs.get(p)).and_then(|s| s.as_ref())
    }

    /// Live procs in proc order.
    pub fn jobs(&self) -> impl Iterator<Item = (i64, &Job)> + '_ {
        self.procs.iter().enumerate().filter_map(|(p, s)| s.as_ref().map(|j| (p as i64, j)))
    }

    /// True when some proc sets `name` itself (any case).
    pub fn proc_sets(&self, name: &str) -> bool {
        self.proc_names.iter().any(|n| n.is(name))
    }

    fn note_names(&mut self, ad: &ClassAd) {
        for (n, _) in ad.iter() {
            if !self.proc_sets(n) {
                self.proc_names.push(Name::new(n));
            }
        }
    }
}

pub struct Owner {
    pub counts: [usize; 8],
}

#[derive(Default)]
pub struct Index {
    pub clusters: BTreeMap<i64, Cluster>,
    /// Jobs by status code, over the queue.
    pub counts: [usize; 8],
    pub owners: Vec<Owner>,
    pub owner_ids: HashMap<Box<str>, u32>,
    pub len: usize,
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

/// The owner of a job ad, lower-cased (how `Owner == "x"` compares),
/// borrowed from the ad when it is already lower case.
fn owner_of(ad: &ClassAd) -> Option<Cow<'_, str>> {
    let lower = |s: &str| s.bytes().any(|b| b.is_ascii_uppercase()).then(|| s.to_ascii_lowercase());
    match ad.get("Owner").and_then(|e| e.as_literal()) {
        Some(Value::String(s)) => Some(match lower(s) {
            Some(l) => Cow::Owned(l),
            None => Cow::Borrowed(&**s),
        }),
        _ => match ad.eval_attr("Owner") {
            Value::String(s) => Some(Cow::Owned(s.to_ascii_lowercase())),
            _ => None,
        },
    }
}

impl Index {
    pub fn get(&self, id: JobId) -> Option<&Job> {
        self.clusters.get(&id.cluster).and_then(|c| c.get(id.proc))
    }

    pub fn contains(&self, id: JobId) -> bool {
        self.get(id).is_some()
    }

    /// The owner id for a name (any case), if any job has had it.
    pub fn owner_id(&self, name: &str) -> Option<u32> {
        self.owner_ids.get(name.to_ascii_lowercase().as_str()).copied()
    }

    fn intern_owner(&mut self, name: Option<Cow<'_, str>>) -> u32 {
        let Some(name) = name else { return NO_OWNER };
        if let Some(&id) = self.owner_ids.get(&*name) {
            return id;
        }
        let id = self.owners.len() as u32;
        self.owners.push(Owner { counts: [0; 8] });
        self.owner_ids.insert(Box::from(&*name), id);
        id
    }

    /// Count a job in (`add`) or out of the queue-wide and per-owner counters.
    fn count(&mut self, status: u8, owner: u32, add: bool) {
        let s = status as usize;
        let owners = &mut self.owners;
        let bump = |n: &mut usize| if add { *n += 1 } else { *n -= 1 };
        bump(&mut self.counts[s]);
        if owner != NO_OWNER {
            bump(&mut owners[owner as usize].counts[s]);
        }
    }

    /// Insert or replace a job whose ad is already chained to its cluster's
    /// ad. The cluster must be in the index (returns false otherwise).
    pub fn put_job(&mut self, id: JobId, ad: Arc<ClassAd>) -> bool {
        let Ok(p) = usize::try_from(id.proc) else { return false };
        let status = status_of(&ad);
        let owner = self.intern_owner(owner_of(&ad));
        let Some(cl) = self.clusters.get_mut(&id.cluster) else { return false };
        cl.note_names(&ad);
        if cl.procs.len() <= p {
            cl.procs.resize(p + 1, None);
        }
        let old = cl.procs[p].replace(Job { ad, status, owner });
        cl.status_counts[status as usize] += 1;
        match &old {
            Some(o) => cl.status_counts[o.status as usize] -= 1,
            None => cl.live += 1,
        }
        match old {
            Some(o) => {
                if o.status != status || o.owner != owner {
                    self.count(o.status, o.owner, false);
                    self.count(status, owner, true);
                }
            }
            None => {
                self.len += 1;
                self.count(status, owner, true);
            }
        }
        true
    }

    /// Remove a job (its cluster stays until [`Index::remove_cluster`]).
    pub fn remove_job(&mut self, id: JobId) {
        let Ok(p) = usize::try_from(id.proc) else { return };
        let Some(cl) = self.clusters.get_mut(&id.cluster) else { return };
        let Some(old) = cl.procs.get_mut(p).and_then(|s| s.take()) else { return };
        cl.live -= 1;
        cl.status_counts[old.status as usize] -= 1;
        while matches!(cl.procs.last(), Some(None)) {
            cl.procs.pop();
        }
        if cl.procs.capacity() > 64 && cl.procs.len() < cl.procs.capacity() / 4 {
            cl.procs.shrink_to_fit();
        }
        self.len -= 1;
        self.count(old.status, old.owner, false);
    }

    /// Insert or replace a cluster ad, re-chaining its procs to the new ad
    /// and re-deriving their status and owner (which may come from it).
    pub fn put_cluster(&mut self, cluster: i64, ad: Arc<ClassAd>) {
        let Some(cl) = self.clusters.get_mut(&cluster) else {
            let cl = Cluster { ad, procs: Vec::new(), live: 0, status_counts: [0; 8], proc_names: Vec::new() };
            self.clusters.insert(cluster, cl);
            return;
        };
        cl.ad = ad.clone();
        let mut changed: Vec<(u8, u32, u8, u32)> = Vec::new();
        let mut owner_names: Vec<(usize, Option<String>)> = Vec::new();
        for (p, slot) in cl.procs.iter_mut().enumerate() {
            let Some(job) = slot else { continue };
            match Arc::get_mut(&mut job.ad) {
                Some(own) => own.chain_to(ad.clone()),
                None => {
                    let mut own = ClassAd::clone(&job.ad);
                    own.chain_to(ad.clone());
                    job.ad = Arc::new(own);
                }
            }
            owner_names.push((p, owner_of(&job.ad).map(Cow::into_owned)));
        }
        // Re-derive status and owner of every proc against the new cluster ad.
        let ids: Vec<(usize, u32)> =
            owner_names.into_iter().map(|(p, o)| (p, self.intern_owner(o.map(Cow::Owned)))).collect();
        let Some(cl) = self.clusters.get_mut(&cluster) else { return };
        let mut status_counts = [0u32; 8];
        for (p, owner) in ids {
            let Some(job) = cl.procs[p].as_mut() else { continue };
            let status = status_of(&job.ad);
            if status != job.status || owner != job.owner {
                changed.push((job.status, job.owner, status, owner));
                job.status = status;
                job.owner = owner;
            }
            status_counts[status as usize] += 1;
        }
        cl.status_counts = status_counts;
        for (os, oo, ns, no) in changed {
            self.count(os, oo, false);
            self.count(ns, no, true);
        }
    }

    /// Drop a cluster ad and any procs left in it.
    pub fn remove_cluster(&mut self, cluster: i64) {
        let Some(cl) = self.clusters.remove(&cluster) else { return };
        for (_, job) in cl.jobs() {
            self.len -= 1;
            self.count(job.status, job.owner, false);
        }
    }

    /// The ids of one cluster's procs, in order.
    pub fn procs_of(&self, cluster: i64) -> impl Iterator<Item = JobId> + '_ {
        self.clusters.get(&cluster).into_iter().flat_map(move |c| c.jobs().map(move |(proc, _)| JobId { cluster, proc }))
    }

    /// The ids of the jobs with status code `s`, in id order.
    pub fn with_status(&self, s: u8) -> impl Iterator<Item = JobId> + '_ {
        self.clusters.iter().filter(move |(_, c)| c.status_counts[s as usize] > 0).flat_map(move |(&cluster, c)| {
            c.jobs().filter(move |(_, j)| j.status == s).map(move |(proc, _)| JobId { cluster, proc })
        })
    }
}
