//! [`JobQueue`]: the durable queue and its in-memory index.
//!
//! Data flows one way: a batch of [`Change`]s is first *staged* (validated
//! and applied to copies of the touched ads, with nothing shared changed),
//! then written to SQLite as one transaction, and only after `COMMIT`
//! succeeds installed into the [`Index`]. An error at any step drops the
//! stage, so a refused batch changes nothing. Reads ([`JobQueue::job`],
//! [`JobQueue::scan`], [`JobQueue::totals`]) never touch SQLite.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use classad::{ClassAd, Expr};
use proto::{JobId, JobStatus};
use rusqlite::params;

use crate::codec::{decode_ad, encode_ad};
use crate::filter::{Filter, Totals};
use crate::index::Index;
use crate::intern::Interner;
use crate::store::{self, Db, OpenOptions};
use crate::QueueError;

/// One change to the queue. A batch of them is committed atomically by [`JobQueue::commit`].
#[derive(Debug, Clone)]
pub enum Change {
    /// Create a cluster with the attributes common to all its procs.
    /// `cluster` must come from [`JobQueue::new_cluster`] and not be used yet.
    NewCluster { cluster: i64, ad: ClassAd },
    /// Create a proc with its own attributes (it reads the rest from its cluster ad).
    NewProc { id: JobId, ad: ClassAd },
    /// Set one attribute of one job (in the proc's own ad).
    SetAttr { id: JobId, name: String, value: Expr },
    /// Delete one attribute from a proc's own ad (the cluster ad's value, if any,
    /// shows through again). Deleting an absent attribute is not an error.
    DeleteAttr { id: JobId, name: String },
    /// Set one attribute of a cluster ad (every proc that does not override it sees it).
    SetClusterAttr { cluster: i64, name: String, value: Expr },
    /// Delete one attribute of a cluster ad. Deleting an absent attribute is not an error.
    DeleteClusterAttr { cluster: i64, name: String },
    /// The job leaves the queue (write its history first). When the last
    /// proc of a cluster leaves, the cluster ad goes with it.
    RemoveJob { id: JobId },
}

/// What a successful [`JobQueue::commit`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitInfo {
    pub changes: usize,
    pub clusters_added: usize,
    pub clusters_removed: usize,
    pub jobs_added: usize,
    pub jobs_removed: usize,
    /// Existing jobs whose own ad was rewritten.
    pub jobs_edited: usize,
}

/// A row [`JobQueue::open`] could not load. It stays in the database untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// A cluster ad that does not decode (its procs are skipped too).
    Cluster { cluster: i64, reason: String },
    /// A proc ad that does not decode, or whose cluster is missing or skipped.
    Job { id: JobId, reason: String },
}

/// What [`JobQueue::open`] found.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// True when the database did not exist (or was empty) and was created.
    pub created: bool,
    pub clusters: usize,
    pub jobs: usize,
    /// The next cluster id [`JobQueue::new_cluster`] hands out.
    pub next_cluster: i64,
    /// Rows left on disk but not loaded, with the reason (normally empty).
    pub skipped: Vec<Skipped>,
    /// Job counts by status after loading (`Running` ones are the schedd's to requeue).
    pub totals: Totals,
    pub elapsed: Duration,
}

/// The schedd's job queue: SQLite (WAL) on disk, every ad in memory.
///
/// Use it from one thread (it is `Send`, not `Sync`): put it behind a
/// mutex or in a task that owns it. Reads are in-memory and cheap; writes
/// go through [`JobQueue::commit`], one transaction per call.
pub struct JobQueue {
    db: Db,
    index: Index,
    interner: Interner,
    next_cluster: i64,
    /// Ids handed out by `new_cluster` and not yet used by a committed `NewCluster`.
    reserved: BTreeSet<i64>,
    /// Rows skipped at open: their ids count as taken.
    quarantined: BTreeSet<JobId>,
    buf: Vec<u8>,
}

impl JobQueue {
    /// Open or create the queue database (SQLite in WAL mode,
    /// `synchronous = NORMAL`) and load every job into memory.
    pub fn open(path: &Path) -> Result<(JobQueue, Recovery), QueueError> {
        JobQueue::open_with(path, OpenOptions::default())
    }

    /// [`JobQueue::open`] with options (e.g. `synchronous = FULL` for power-loss durability).
    pub fn open_with(path: &Path, opts: OpenOptions) -> Result<(JobQueue, Recovery), QueueError> {
        let start = Instant::now();
        let (conn, lock, next_cluster, created) = store::open(path, opts)?;
        let mut q = JobQueue {
            db: Db { conn, path: path.to_path_buf(), _lock: lock },
            index: Index::default(),
            interner: Interner::new(),
            next_cluster,
            reserved: BTreeSet::new(),
            quarantined: BTreeSet::new(),
            buf: Vec::with_capacity(256),
        };
        let skipped = q.load()?;
        let rec = Recovery {
            created,
            clusters: q.index.clusters.len(),
            jobs: q.index.len,
            next_cluster: q.next_cluster,
            skipped,
            totals: Totals::from_counts(&q.index.counts),
            elapsed: start.elapsed(),
        };
        Ok((q, rec))
    }

    fn load(&mut self) -> Result<Vec<Skipped>, QueueError> {
        let mut skipped = Vec::new();
        let db = &self.db;
        let mut bad_clusters = BTreeSet::new();
        {
            let mut st = db.conn.prepare("SELECT cluster, ad FROM clusters ORDER BY cluster").map_err(db.err("loading clusters"))?;
            let mut rows = st.query([]).map_err(db.err("loading clusters"))?;
            while let Some(row) = rows.next().map_err(db.err("loading clusters"))? {
                let cluster: i64 = row.get(0).map_err(db.err("loading clusters"))?;
                let blob = row.get_ref(1).map_err(db.err("loading clusters"))?;
                let decoded = match blob.as_blob() {
                    Ok(b) => decode_ad(b, &mut self.interner).map_err(|e| e.to_string()),
                    Err(_) => Err("the ad column is not a blob".to_string()),
                };
                match decoded {
                    Ok(ad) => self.index.put_cluster(cluster, Arc::new(ad)),
                    Err(reason) => {
                        bad_clusters.insert(cluster);
                        skipped.push(Skipped::Cluster { cluster, reason });
                    }
                }
            }
        }
        let mut st = db
            .conn
            .prepare("SELECT id, ad FROM jobs ORDER BY id")
            .map_err(db.err("loading jobs"))?;
        let mut rows = st.query([]).map_err(db.err("loading jobs"))?;
        let mut current: Option<(i64, Option<Arc<ClassAd>>)> = None;
        while let Some(row) = rows.next().map_err(db.err("loading jobs"))? {
            let id = store::key_job(row.get(0).map_err(db.err("loading jobs"))?);
            if current.as_ref().map(|c| c.0) != Some(id.cluster) {
                current = Some((id.cluster, self.index.clusters.get(&id.cluster).map(|c| c.ad.clone())));
            }
            let Some((_, Some(cluster_ad))) = &current else {
                let reason = if bad_clusters.contains(&id.cluster) {
                    format!("its cluster ad {} does not decode", id.cluster)
                } else {
                    format!("its cluster {} has no cluster ad", id.cluster)
                };
                self.quarantined.insert(id);
                skipped.push(Skipped::Job { id, reason });
                continue;
            };
            let blob = row.get_ref(1).map_err(db.err("loading jobs"))?;
            let decoded = match blob.as_blob() {
                Ok(b) => decode_ad(b, &mut self.interner).map_err(|e| e.to_string()),
                Err(_) => Err("the ad column is not a blob".to_string()),
            };
            match decoded {
                Ok(ad) => {
                    let mut ad = compact(ad);
                    ad.chain_to(cluster_ad.clone());
                    self.index.put_job(id, Arc::new(ad));
                }
                Err(reason) => {
                    self.quarantined.insert(id);
                    skipped.push(Skipped::Job { id, reason });
                }
            }
        }
        Ok(skipped)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    /// Reserve the next cluster id durably (its own small transaction):
    /// an id is never handed out twice, even across a kill -9.
    pub fn new_cluster(&mut self) -> Result<i64, QueueError> {
        let id = self.next_cluster;
        if id >= store::ID_LIMIT {
            return Err(QueueError::BadChange(format!("cluster ids are used up (the limit is {})", store::ID_LIMIT - 1)));
        }
        self.db
            .conn
            .prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'next_cluster'")
            .and_then(|mut st| st.execute(params![id + 1]))
            .map_err(self.db.err("reserving a cluster id"))?;
        self.next_cluster = id + 1;
        self.reserved.insert(id);
        Ok(id)
    }

    /// Apply a batch of changes as one SQLite transaction, then update the
    /// in-memory index. Returns only after the commit; on error nothing
    /// changed (neither on disk nor in memory).
    pub fn commit(&mut self, changes: Vec<Change>) -> Result<CommitInfo, QueueError> {
        let n = changes.len();
        let mut stage = Stage::default();
        for change in changes {
            self.stage(&mut stage, change)?;
        }
        self.finish_stage(&mut stage);
        self.write(&stage)?;
        let mut info = self.install(stage);
        info.changes = n;
        Ok(info)
    }

    /// The job's ad (its own attributes chained to its cluster ad).
    pub fn job(&self, id: JobId) -> Option<Arc<ClassAd>> {
        self.index.get(id).map(|j| j.ad.clone())
    }

    /// The job's status, from the index (`None` for a job not in the queue
    /// or whose `JobStatus` is not a status code).
    pub fn status(&self, id: JobId) -> Option<JobStatus> {
        self.index.get(id).and_then(|j| JobStatus::from_code(j.status as i64))
    }

    /// True when the job is in the queue.
    pub fn contains(&self, id: JobId) -> bool {
        self.index.contains(id)
    }

    /// A cluster's ad (the attributes its procs share).
    pub fn cluster_ad(&self, cluster: i64) -> Option<Arc<ClassAd>> {
        self.index.clusters.get(&cluster).map(|c| c.ad.clone())
    }

    /// The clusters in the queue, in id order, with their number of procs.
    pub fn clusters(&self) -> impl Iterator<Item = (i64, usize)> + '_ {
        self.index.clusters.iter().map(|(id, c)| (*id, c.live))
    }

    /// The jobs of one cluster, in proc order.
    pub fn procs_of(&self, cluster: i64) -> impl Iterator<Item = JobId> + '_ {
        self.index.procs_of(cluster)
    }

    /// Visit the jobs matching `filter` in job-id order until `f` breaks.
    /// `f` gets the shared ad, so it can keep a clone (an `Arc` increment)
    /// to use after the queue is released.
    pub fn scan(&self, filter: &Filter, f: impl FnMut(JobId, &Arc<ClassAd>) -> ControlFlow<()>) {
        self.index.scan(filter, f)
    }

    /// Job counts by status over the jobs matching `filter` (`condor_q -totals`).
    pub fn totals(&self, filter: &Filter) -> Totals {
        self.index.totals(filter)
    }

    /// The ids of the jobs in status `s`, in job-id order.
    pub fn ids_with_status(&self, s: JobStatus) -> impl Iterator<Item = JobId> + '_ {
        self.index.with_status(s.code() as u8)
    }

    /// The number of jobs in the queue.
    pub fn len(&self) -> usize {
        self.index.len
    }

    pub fn is_empty(&self) -> bool {
        self.index.len == 0
    }

    /// True when `cluster` was handed out by [`JobQueue::new_cluster`] and no
    /// committed `NewCluster` has used it yet (so a submit for it can be batched).
    pub fn is_reserved(&self, cluster: i64) -> bool {
        self.reserved.contains(&cluster)
    }

    /// The id the next [`JobQueue::new_cluster`] will hand out.
    pub fn next_cluster_id(&self) -> i64 {
        self.next_cluster
    }

    // ---- staging -------------------------------------------------------

    fn cluster_exists(&self, stage: &Stage, c: i64) -> bool {
        match stage.clusters.get(&c) {
            Some(s) => s.is_some(),
            None => self.index.clusters.contains_key(&c),
        }
    }

    fn job_exists(&self, stage: &Stage, id: JobId) -> bool {
        match stage.jobs.get(&id) {
            Some(s) => s.is_some(),
            None => self.index.contains(id),
        }
    }

    fn job_mut<'s>(&self, stage: &'s mut Stage, id: JobId) -> Result<&'s mut ClassAd, QueueError> {
        let slot = match stage.jobs.entry(id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let job = self.index.get(id).ok_or(QueueError::NoSuchJob(id))?;
                let mut own = ClassAd::clone(&job.ad);
                own.unchain();
                e.insert(Some(own))
            }
        };
        slot.as_mut().ok_or(QueueError::NoSuchJob(id))
    }

    fn cluster_mut<'s>(&self, stage: &'s mut Stage, c: i64) -> Result<&'s mut ClassAd, QueueError> {
        let slot = match stage.clusters.entry(c) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let cl = self.index.clusters.get(&c).ok_or(QueueError::NoSuchCluster(c))?;
                let mut own = ClassAd::clone(&cl.ad);
                own.unchain();
                e.insert(Some(own))
            }
        };
        slot.as_mut().ok_or(QueueError::NoSuchCluster(c))
    }

    fn stage(&mut self, stage: &mut Stage, change: Change) -> Result<(), QueueError> {
        match change {
            Change::NewCluster { cluster, ad } => {
                if self.cluster_exists(stage, cluster) {
                    return Err(QueueError::ClusterExists(cluster));
                }
                if !self.reserved.contains(&cluster) || stage.used.contains(&cluster) {
                    return Err(QueueError::ClusterNotReserved(cluster));
                }
                check_names(&ad)?;
                let ad = self.interner.ad(&ad);
                stage.clusters.insert(cluster, Some(ad));
                stage.used.push(cluster);
            }
            Change::NewProc { id, ad } => {
                if id.proc < 0 {
                    return Err(QueueError::BadChange(format!("job {id}: a proc id cannot be negative")));
                }
                if id.proc >= store::ID_LIMIT {
                    return Err(QueueError::BadChange(format!("job {id}: proc ids must be below {}", store::ID_LIMIT)));
                }
                if !self.cluster_exists(stage, id.cluster) {
                    return Err(QueueError::NoSuchCluster(id.cluster));
                }
                if self.job_exists(stage, id) || (self.quarantined.contains(&id) && !stage.jobs.contains_key(&id)) {
                    return Err(QueueError::JobExists(id));
                }
                let slots = self.index.clusters.get(&id.cluster).map_or(0, |c| c.procs.len() as i64);
                let next = stage.next_proc.get(&id.cluster).copied().unwrap_or(0).max(slots);
                if id.proc > next + MAX_PROC_GAP {
                    return Err(QueueError::BadChange(format!(
                        "job {id}: proc ids are handed out densely from 0, and the next one in cluster {} is {next}",
                        id.cluster
                    )));
                }
                let e = stage.next_proc.entry(id.cluster).or_default();
                *e = (*e).max(id.proc + 1);
                check_names(&ad)?;
                let ad = self.interner.ad(&ad);
                stage.jobs.insert(id, Some(ad));
                *stage.delta.entry(id.cluster).or_default() += 1;
            }
            Change::SetAttr { id, name, value } => {
                check_name(&name)?;
                let name = self.interner.name(&name);
                let value = self.interner.expr(value);
                self.job_mut(stage, id)?.insert_name(name, value);
            }
            Change::DeleteAttr { id, name } => {
                self.job_mut(stage, id)?.remove(&name);
            }
            Change::SetClusterAttr { cluster, name, value } => {
                check_name(&name)?;
                let name = self.interner.name(&name);
                let value = self.interner.expr(value);
                self.cluster_mut(stage, cluster)?.insert_name(name, value);
            }
            Change::DeleteClusterAttr { cluster, name } => {
                self.cluster_mut(stage, cluster)?.remove(&name);
            }
            Change::RemoveJob { id } => {
                if !self.job_exists(stage, id) {
                    if self.quarantined.contains(&id) && !stage.jobs.contains_key(&id) {
                        // A row that could not be loaded: removing it deletes it.
                        stage.jobs.insert(id, None);
                        return Ok(());
                    }
                    return Err(QueueError::NoSuchJob(id));
                }
                stage.jobs.insert(id, None);
                *stage.delta.entry(id.cluster).or_default() -= 1;
                stage.removals.insert(id.cluster);
            }
        }
        Ok(())
    }

    /// Clusters whose last proc left in this batch leave too.
    fn finish_stage(&self, stage: &mut Stage) {
        for &c in &stage.removals {
            let before = self.index.clusters.get(&c).map_or(0, |cl| cl.live as i64);
            let after = before + stage.delta.get(&c).copied().unwrap_or(0);
            if after <= 0 {
                stage.clusters.insert(c, None);
            }
        }
    }

    fn write(&mut self, stage: &Stage) -> Result<(), QueueError> {
        let Db { conn, path, .. } = &mut self.db;
        let path: &Path = path;
        let err = |what: &'static str| move |e| store::classify(path, what, e);
        let tx = conn.transaction().map_err(err("starting a transaction"))?;
        {
            let mut put_cluster = tx
                .prepare_cached("INSERT OR REPLACE INTO clusters (cluster, ad) VALUES (?1, ?2)")
                .map_err(err("writing clusters"))?;
            let mut del_cluster =
                tx.prepare_cached("DELETE FROM clusters WHERE cluster = ?1").map_err(err("removing clusters"))?;
            for (c, ad) in &stage.clusters {
                match ad {
                    Some(ad) => {
                        self.buf.clear();
                        encode_ad(ad, &mut self.buf);
                        put_cluster.execute(params![c, &self.buf[..]]).map_err(err("writing a cluster"))?;
                    }
                    None => {
                        del_cluster.execute(params![c]).map_err(err("removing a cluster"))?;
                    }
                }
            }
            let mut put_job = tx
                .prepare_cached("INSERT OR REPLACE INTO jobs (id, ad) VALUES (?1, ?2)")
                .map_err(err("writing jobs"))?;
            let mut del_job = tx
                .prepare_cached("DELETE FROM jobs WHERE id = ?1")
                .map_err(err("removing jobs"))?;
            for (id, ad) in &stage.jobs {
                match ad {
                    Some(ad) => {
                        self.buf.clear();
                        encode_ad(ad, &mut self.buf);
                        put_job.execute(params![store::job_key(*id), &self.buf[..]]).map_err(err("writing a job"))?;
                    }
                    None => {
                        del_job.execute(params![store::job_key(*id)]).map_err(err("removing a job"))?;
                    }
                }
            }
        }
        tx.commit().map_err(err("committing"))
    }

    fn install(&mut self, stage: Stage) -> CommitInfo {
        let mut info = CommitInfo::default();
        for c in &stage.used {
            self.reserved.remove(c);
        }
        let mut gone = Vec::new();
        for (c, ad) in stage.clusters {
            match ad {
                Some(ad) => {
                    if !self.index.clusters.contains_key(&c) {
                        info.clusters_added += 1;
                    }
                    self.index.put_cluster(c, Arc::new(ad));
                }
                None => gone.push(c),
            }
        }
        for (id, ad) in stage.jobs {
            match ad {
                Some(ad) => {
                    let Some(cl) = self.index.clusters.get(&id.cluster) else { continue };
                    let mut ad = compact(ad);
                    ad.chain_to(cl.ad.clone());
                    if self.index.contains(id) {
                        info.jobs_edited += 1;
                    } else {
                        info.jobs_added += 1;
                    }
                    self.index.put_job(id, Arc::new(ad));
                }
                None => {
                    if self.index.contains(id) {
                        info.jobs_removed += 1;
                        self.index.remove_job(id);
                    }
                    self.quarantined.remove(&id);
                }
            }
        }
        for c in gone {
            if self.index.clusters.contains_key(&c) {
                info.clusters_removed += 1;
            }
            self.index.remove_cluster(c);
        }
        info
    }
}

/// A batch of changes applied to copies, not yet written.
#[derive(Default)]
struct Stage {
    /// Cluster → its own ad after the batch (`None`: the cluster leaves).
    clusters: BTreeMap<i64, Option<ClassAd>>,
    /// Job → its own (unchained) ad after the batch (`None`: the job leaves).
    jobs: BTreeMap<JobId, Option<ClassAd>>,
    /// Change in the number of procs per cluster.
    delta: HashMap<i64, i64>,
    /// Clusters that lost a proc in this batch.
    removals: BTreeSet<i64>,
    /// Reserved cluster ids this batch creates.
    used: Vec<i64>,
    /// Per cluster, one past the highest proc id this batch creates.
    next_proc: HashMap<i64, i64>,
}

/// How far past a cluster's highest proc id a new proc id may be (the
/// index keeps procs in a table indexed by proc id).
const MAX_PROC_GAP: i64 = 1 << 20;

/// `ad` with its attribute table allocated to its exact size: an ad built
/// by inserting has room for up to twice its attributes, and a million
/// proc ads are kept for a long time (a clone allocates exactly).
fn compact(ad: ClassAd) -> ClassAd {
    let n = ad.len();
    if n == 0 || (n >= 4 && n.is_power_of_two()) {
        ad
    } else {
        ad.clone()
    }
}

/// Attribute names must be ClassAd identifiers (they are written unquoted
/// to the history file and printed by `condor_q -long`).
fn check_name(name: &str) -> Result<(), QueueError> {
    let mut chars = name.chars();
    let ok = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => chars.all(|c| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(QueueError::BadChange(format!(
            "attribute name {name:?} is not a ClassAd identifier: use letters, digits and _, starting with a letter or _"
        )))
    }
}

fn check_names(ad: &ClassAd) -> Result<(), QueueError> {
    ad.iter().try_for_each(|(n, _)| check_name(n))
}

impl std::fmt::Debug for JobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobQueue")
            .field("path", &self.db.path)
            .field("jobs", &self.index.len)
            .field("clusters", &self.index.clusters.len())
            .field("next_cluster", &self.next_cluster)
            .finish()
    }
}
