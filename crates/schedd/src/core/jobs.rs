//! The core's compact view of every job: status, owner, priority, where it
//! is in its life, and the counts `condor_q -totals` answers from.
//!
//! Ads live in the durable queue's index; this table keeps the few fields
//! the core decides on, in about forty bytes per job, so that a million
//! jobs cost tens of megabytes here.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use proto::schedd::StatusCounts;
use proto::{JobId, JobStatus};

use super::autocluster::AcId;

/// An interned owner name.
pub type OwnerId = u32;

/// An interned claim (index into the claim table).
pub type ClaimKey = u32;

/// Why a running job is being stopped, and what it becomes once its exit
/// is reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// `condor_hold` or a hold policy: the ad already says Held.
    Hold,
    /// `condor_rm` or a remove policy: the ad already says Removed.
    Remove,
    /// `condor_vacate_job`: back to Idle once it stopped.
    Vacate,
}

/// Where a job is in its life, beyond its `JobStatus`.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing in flight (idle in its autocluster, held, done…).
    Quiet,
    /// A claim was requested for it; the ad still says Idle.
    Matching(u64),
    /// Sent to a claim, waiting there for its turn; the ad still says Idle.
    Queued(ClaimKey),
    /// Started on a claim.
    Running(ClaimKey),
    /// Running, and asked to stop.
    Stopping(ClaimKey, Stop),
    /// Queued on a claim (not started), and asked to be dropped from it.
    Dropping(ClaimKey, Stop),
}

#[derive(Debug, Clone)]
pub struct Job {
    pub status: JobStatus,
    pub owner: OwnerId,
    pub prio: i32,
    pub ac: AcId,
    pub phase: Phase,
}

/// What the core keeps per cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub owner: OwnerId,
    /// The user log named by the cluster's `UserLog`, made absolute.
    pub log: Option<Arc<Path>>,
    /// Procs still in the queue.
    pub procs: u32,
    /// It makes more procs (late materialization): kept while empty.
    pub factory: bool,
}

/// Interned owner names (`alice`), with their `User` (`alice@domain`).
#[derive(Debug, Default)]
pub struct Owners {
    names: Vec<Arc<str>>,
    by_name: HashMap<Arc<str>, OwnerId>,
}

impl Owners {
    pub fn intern(&mut self, name: &str) -> OwnerId {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        let id = self.names.len() as OwnerId;
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.by_name.insert(name, id);
        id
    }

    pub fn get(&self, name: &str) -> Option<OwnerId> {
        self.by_name.get(name).copied()
    }

    pub fn name(&self, id: OwnerId) -> &str {
        self.names.get(id as usize).map(|s| &**s).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Every job in the queue, in id order, with status counts kept current.
#[derive(Debug, Default)]
pub struct JobTable {
    jobs: BTreeMap<JobId, Job>,
    pub clusters: BTreeMap<i64, Cluster>,
    all: StatusCounts,
    by_owner: Vec<StatusCounts>,
}

impl JobTable {
    pub fn get(&self, id: JobId) -> Option<&Job> {
        self.jobs.get(&id)
    }

    pub fn get_mut(&mut self, id: JobId) -> Option<&mut Job> {
        self.jobs.get_mut(&id)
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn contains(&self, id: JobId) -> bool {
        self.jobs.contains_key(&id)
    }

    fn owner_counts(&mut self, owner: OwnerId) -> &mut StatusCounts {
        let i = owner as usize;
        if self.by_owner.len() <= i {
            self.by_owner.resize(i + 1, StatusCounts::default());
        }
        &mut self.by_owner[i]
    }

    pub fn insert(&mut self, id: JobId, job: Job) {
        self.all.add(job.status.code(), 1);
        let owner = job.owner;
        self.owner_counts(owner).add(job.status.code(), 1);
        if let Some(old) = self.jobs.insert(id, job) {
            self.uncount(old.owner, old.status);
        }
        if let Some(c) = self.clusters.get_mut(&id.cluster) {
            c.procs += 1;
        }
    }

    pub fn remove(&mut self, id: JobId) -> Option<Job> {
        let job = self.jobs.remove(&id)?;
        self.uncount(job.owner, job.status);
        if let Some(c) = self.clusters.get_mut(&id.cluster) {
            c.procs = c.procs.saturating_sub(1);
            if c.procs == 0 && !c.factory {
                self.clusters.remove(&id.cluster);
            }
        }
        Some(job)
    }

    fn uncount(&mut self, owner: OwnerId, status: JobStatus) {
        sub(&mut self.all, status);
        sub(self.owner_counts(owner), status);
    }

    /// Change a job's status, keeping the counts right. Returns the old status.
    pub fn set_status(&mut self, id: JobId, status: JobStatus) -> Option<JobStatus> {
        let job = self.jobs.get_mut(&id)?;
        let old = job.status;
        if old == status {
            return Some(old);
        }
        job.status = status;
        let owner = job.owner;
        self.uncount(owner, old);
        self.all.add(status.code(), 1);
        self.owner_counts(owner).add(status.code(), 1);
        Some(old)
    }

    pub fn totals(&self) -> StatusCounts {
        self.all
    }

    pub fn owner_totals(&self, owner: OwnerId) -> StatusCounts {
        self.by_owner.get(owner as usize).copied().unwrap_or_default()
    }

    /// Jobs in id order.
    pub fn iter(&self) -> impl Iterator<Item = (JobId, &Job)> {
        self.jobs.iter().map(|(id, j)| (*id, j))
    }

    /// The jobs of one cluster, in proc order.
    pub fn cluster_jobs(&self, cluster: i64) -> impl Iterator<Item = (JobId, &Job)> {
        self.jobs
            .range(JobId { cluster, proc: i64::MIN }..=JobId { cluster, proc: i64::MAX })
            .map(|(id, j)| (*id, j))
    }
}

fn sub(c: &mut StatusCounts, status: JobStatus) {
    c.jobs = c.jobs.saturating_sub(1);
    let f = match status {
        JobStatus::Idle => &mut c.idle,
        JobStatus::Running => &mut c.running,
        JobStatus::Removed => &mut c.removed,
        JobStatus::Completed => &mut c.completed,
        JobStatus::Held => &mut c.held,
        JobStatus::TransferringOutput => &mut c.transferring_output,
        JobStatus::Suspended => &mut c.suspended,
    };
    *f = f.saturating_sub(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::autocluster::NO_AC;

    fn job(owner: OwnerId, status: JobStatus) -> Job {
        Job { status, owner, prio: 0, ac: NO_AC, phase: Phase::Quiet }
    }

    #[test]
    fn counts_follow_inserts_status_changes_and_removals() {
        let mut t = JobTable::default();
        t.clusters.insert(1, Cluster { owner: 0, log: None, procs: 0, factory: false });
        for p in 0..3 {
            t.insert(JobId { cluster: 1, proc: p }, job(0, JobStatus::Idle));
        }
        t.insert(JobId { cluster: 2, proc: 0 }, job(1, JobStatus::Held));
        assert_eq!(t.totals().jobs, 4);
        assert_eq!(t.owner_totals(0).idle, 3);
        t.set_status(JobId { cluster: 1, proc: 1 }, JobStatus::Running);
        assert_eq!((t.totals().idle, t.totals().running), (2, 1));
        t.remove(JobId { cluster: 1, proc: 1 });
        assert_eq!((t.totals().jobs, t.totals().running), (3, 0));
        assert_eq!(t.cluster_jobs(1).count(), 2);
        assert_eq!(t.clusters[&1].procs, 2);
        assert_eq!(t.owner_totals(1).held, 1);
    }
}
