//! The schedd state machine: its state, configuration and the helpers the
//! `on_*` reactors share. The reactors themselves are in `submit.rs`
//! (reserving clusters, submitting), `act.rs` (hold, release, remove,
//! edit, periodic policy), `run.rs` (negotiation, claims, job exits) and
//! `recover.rs` (restart).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use classad::{ClassAd, Expr, Value};
use proto::address::Address;
use proto::{JobId, JobStatus, WireAd};

use super::ads::{AdExt, AdStore};
use super::autocluster::{AcId, AutoClusters, NO_AC};
use super::effects::{Action, Change, Effects, LogEntry, Reply, Token};
use super::jobs::{ClaimKey, Cluster, Job, JobTable, OwnerId, Owners, Phase};
use super::policy::SystemPolicies;

/// How the schedd is set up (from its configuration).
#[derive(Debug, Clone)]
pub struct Config {
    /// The schedd's `Name`.
    pub name: String,
    /// The host part of submit events: `<127.0.0.1:9618>`.
    pub submit_host: String,
    /// Where startds reach this schedd (sent in claim requests).
    pub address: Address,
    /// `UID_DOMAIN`: `User` is `Owner@UID_DOMAIN`.
    pub uid_domain: String,
    /// `QUEUE_SUPER_USERS`: may act on every job.
    pub super_users: Vec<String>,
    pub system: SystemPolicies,
    /// `PERIODIC_EXPR_INTERVAL` seconds.
    pub periodic_interval: i64,
    /// `ALIVE_INTERVAL` seconds between claim lease renewals.
    pub alive_interval: i64,
    /// Claim lease asked of startds (seconds).
    pub claim_lease: u64,
    /// Submit-time limit on `RequestMemory` (MiB); larger requests are refused.
    pub max_request_memory_mb: i64,
    /// Submit-time limit on `RequestCpus`.
    pub max_request_cpus: i64,
    /// `MAX_JOBS_SUBMITTED`: refuse submits that would make the queue larger.
    pub max_jobs_submitted: usize,
    /// Seconds a claim with no more work is kept before it is released, so
    /// that a job submitted meanwhile starts on it without a negotiation
    /// cycle (0: release at once).
    pub claim_linger: i64,
    /// Jobs queued on a claim beyond the running one until its jobs prove
    /// short (see [`SHORT_RUN_SECS`]), and behind longer ones.
    pub unproven_queue: u32,
}

impl Config {
    /// A configuration for tests and defaults: `name` at `address`.
    pub fn new(name: &str, address: Address) -> Config {
        Config {
            name: name.to_string(),
            submit_host: format!("<{address}>"),
            address,
            uid_domain: "localdomain".to_string(),
            super_users: vec!["root".to_string(), "condor".to_string()],
            system: SystemPolicies::default(),
            periodic_interval: 60,
            alive_interval: 300,
            claim_lease: 1200,
            max_request_memory_mb: 1 << 30,
            max_request_cpus: 1 << 20,
            max_jobs_submitted: usize::MAX,
            claim_linger: 0,
            unproven_queue: LONG_RUN_QUEUE,
        }
    }
}

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// The user name (`alice`), or `None` for an unauthenticated caller.
    pub user: Option<String>,
}

impl Who {
    pub fn user(name: &str) -> Who {
        Who { user: Some(name.to_string()) }
    }

    pub fn anonymous() -> Who {
        Who { user: None }
    }
}

/// A claim on an execute slot.
/// Jobs that run shorter than this are "short": a claim running them keeps
/// its whole queue depth filled, so the next ones start without waiting
/// for the schedd. Until a claim's jobs prove short (and behind longer
/// ones) it holds [`LONG_RUN_QUEUE`] queued — none: one job per claim, as
/// in HTCondor, so jobs of unknown length spread over the free slots.
pub const SHORT_RUN_SECS: f64 = 1.0;
pub const LONG_RUN_QUEUE: u32 = 0;

#[derive(Debug, Clone)]
pub struct Claim {
    pub id: Arc<str>,
    pub startd: Arc<Address>,
    /// The startd as the execute event names it: `<addr>`.
    pub host: Arc<str>,
    /// The (dynamic) slot's `Name`, what `RemoteHost` says.
    pub slot_name: Arc<str>,
    /// The slot the negotiator matched (a partitionable slot's `Name`).
    pub matched_slot: Arc<str>,
    pub slot: Arc<ClassAd>,
    pub owner: OwnerId,
    /// The shape it was claimed for.
    pub ac: AcId,
    /// Jobs activated on the claim and not yet ended, in the order the
    /// startd runs them (the first is running or about to).
    pub jobs: VecDeque<JobId>,
    /// How many jobs the claim takes beyond the running one.
    pub depth: u32,
    /// The claim's last job ran for less than [`SHORT_RUN_SECS`]: its
    /// queue is kept as deep as the startd allows.
    pub short_runs: bool,
    /// When the claim's running job started (seconds), while one runs.
    pub head_started: Option<i64>,
    /// The startd's lease on the claim, in seconds.
    pub lease: u64,
    /// Consecutive lease renewals that could not reach the startd.
    pub alive_failures: u32,
    /// Answers to the latest exit reports (sent again if the startd repeats one).
    /// (the exited job, the job sent with the ack, whether it said release).
    pub recent_acks: VecDeque<(JobId, Option<JobId>, bool)>,
    /// Since when the claim has had no job (it lingers for `claim_linger`).
    pub idle_since: Option<i64>,
}

impl Claim {
    /// Jobs the claim should hold, the running one included (`unproven`:
    /// the queue of a claim whose jobs are not known to be short).
    pub fn fill_target(&self, unproven: u32) -> usize {
        let queued = if self.short_runs { self.depth } else { self.depth.min(unproven) };
        1 + queued as usize
    }
}

/// The parts of a claim the run events need (cheap to copy: all shared).
#[derive(Debug, Clone)]
pub(crate) struct ClaimView {
    pub id: Arc<str>,
    pub startd: Arc<Address>,
    pub host: Arc<str>,
    pub slot_name: Arc<str>,
    pub slot: Arc<ClassAd>,
}

/// A claim requested for a job, not yet granted.
#[derive(Debug, Clone)]
pub struct PendingMatch {
    pub job: JobId,
    pub ac: AcId,
    pub owner: OwnerId,
    pub startd: Arc<Address>,
    pub slot_name: String,
}

/// A cluster ad's attributes, unparsed once for every job sent to a startd.
pub(crate) type WireCache = Arc<Vec<(String, String)>>;

/// The schedd's state.
pub struct Schedd {
    pub(crate) cfg: Config,
    pub(crate) owners: Owners,
    pub(crate) jobs: JobTable,
    pub(crate) acs: AutoClusters,
    pub(crate) claims: Vec<Option<Claim>>,
    pub(crate) free_claims: Vec<ClaimKey>,
    pub(crate) claim_by_id: HashMap<Arc<str>, ClaimKey>,
    pub(crate) matches: HashMap<Token, PendingMatch>,
    /// Cluster ids reserved (`/v1/clusters`) and not yet submitted, with who reserved them.
    pub(crate) reserved: HashMap<i64, Option<String>>,
    /// Ads of procs submitted in this batch (not yet in the store).
    /// Procs submitted in this batch: where their `NewProc` change is in
    /// `out.changes`, and their cluster ads (their ads are made from these
    /// on demand, for the rare request that names them in the same batch).
    pub(crate) fresh: HashMap<JobId, usize>,
    pub(crate) fresh_clusters: HashMap<i64, Arc<ClassAd>>,
    /// Clusters whose ads have periodic policy expressions.
    pub(crate) periodic_clusters: std::collections::BTreeSet<i64>,
    /// Cached wire form of cluster ads (attributes are sent with every activation).
    pub(crate) cluster_wire: HashMap<i64, (Arc<ClassAd>, WireCache)>,
    pub(crate) next_token: Token,
    pub(crate) next_periodic: i64,
    pub(crate) next_alive: i64,
    pub(crate) out: Effects,
    pub(crate) start_time: i64,
    /// Jobs found mid-way at restart, decided in `on_recovered`.
    pub(crate) recovering: Vec<JobId>,
    /// Slots matched to us that could not be claimed (told to the negotiator).
    pub(crate) failed_matches: Vec<String>,
    /// Jobs that started in this batch: their changes and executing event,
    /// placed by `take_effects` (see there), and their ads as they are now.
    pub(crate) pending_starts: Vec<(JobId, Vec<Change>, Option<LogEntry>)>,
    pub(crate) started_ads: HashMap<JobId, Arc<ClassAd>>,
    /// Jobs whose run ended in this batch.
    pub(crate) ended: std::collections::HashSet<JobId>,
    /// Late materialization: how to make procs, and the clusters that do.
    pub(crate) makers: Option<super::factory::MakerBuilder>,
    pub(crate) factories: super::factory::Factories,
    /// Factory clusters found at restart, resumed in `on_recovered`.
    pub(crate) recovered_factories: Vec<(i64, Arc<ClassAd>)>,
    /// Factory clusters that made procs in this batch, and their next proc.
    pub(crate) factory_next: HashMap<i64, i64>,
}

/// Attributes that make a cluster subject to the periodic policy check.
pub(crate) const PERIODIC_ATTRS: &[&str] = &[
    "PeriodicHold",
    "PeriodicRelease",
    "PeriodicRemove",
    "PeriodicVacate",
    "TimerRemove",
    "AllowedJobDuration",
    "AllowedExecuteDuration",
];

impl Schedd {
    /// An empty schedd (no jobs yet); `now` is the time it starts.
    pub fn new(cfg: Config, now: i64) -> Schedd {
        let next_periodic = now + cfg.periodic_interval.max(1);
        let next_alive = now + cfg.alive_interval.max(1);
        Schedd {
            cfg,
            owners: Owners::default(),
            jobs: JobTable::default(),
            acs: AutoClusters::default(),
            claims: Vec::new(),
            free_claims: Vec::new(),
            claim_by_id: HashMap::new(),
            matches: HashMap::new(),
            reserved: HashMap::new(),
            fresh: HashMap::new(),
            fresh_clusters: HashMap::new(),
            periodic_clusters: Default::default(),
            cluster_wire: HashMap::new(),
            next_token: 1,
            next_periodic,
            next_alive,
            out: Effects::default(),
            start_time: now,
            recovering: Vec::new(),
            failed_matches: Vec::new(),
            pending_starts: Vec::new(),
            started_ads: HashMap::new(),
            ended: Default::default(),
            makers: None,
            factories: Default::default(),
            recovered_factories: Vec::new(),
            factory_next: HashMap::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Hand over everything the events since the last call asked for.
    ///
    /// A job that started in this batch is committed Running in the
    /// batch's transaction and its executing event written after it —
    /// unless its run also ended in this batch: then it is committed
    /// Running first (`pre_changes`) and its executing event written
    /// before the events that end the run, so the log never says a job
    /// executed that the queue calls Idle, nor ended before it executed.
    pub fn take_effects(&mut self) -> Effects {
        self.fresh.clear();
        self.fresh_clusters.clear();
        self.started_ads.clear();
        let ended = std::mem::take(&mut self.ended);
        let starts = std::mem::take(&mut self.pending_starts);
        for (cluster, next) in std::mem::take(&mut self.factory_next) {
            if self.jobs.clusters.get(&cluster).is_some_and(|c| c.procs > 0) {
                let expr = super::ads::int(next);
                self.out.changes.push(Change::SetCluster { cluster, attr: super::factory::NEXT_ATTR.to_string(), expr });
            }
        }
        let mut out = std::mem::take(&mut self.out);
        if !starts.is_empty() {
            let (mut main, mut before, mut after) = (Vec::new(), Vec::new(), Vec::new());
            for (job, changes, log) in starts {
                if ended.contains(&job) {
                    out.pre_changes.extend(changes);
                    before.extend(log);
                } else {
                    main.extend(changes);
                    after.extend(log);
                }
            }
            main.append(&mut out.changes);
            out.changes = main;
            before.append(&mut out.log_before);
            out.log_before = before;
            after.append(&mut out.log_after);
            out.log_after = after;
        }
        out
    }

    /// A token for a claim request.
    pub(crate) fn token(&mut self) -> Token {
        self.next_token += 1;
        self.next_token
    }

    pub(crate) fn reply(&mut self, token: Token, reply: Reply) {
        self.out.actions.push(Action::Reply { token, reply });
    }

    /// True when `who` may act on jobs of `owner`.
    pub fn may_act(&self, who: &Who, owner: &str) -> bool {
        match &who.user {
            Some(u) => u == owner || self.is_super(u),
            None => false,
        }
    }

    pub fn is_super(&self, user: &str) -> bool {
        self.cfg.super_users.iter().any(|s| s == user)
    }

    /// The job's ad: fresh from this batch's submit, else from the store.
    pub(crate) fn ad(&self, store: &dyn AdStore, id: JobId) -> Option<Arc<ClassAd>> {
        if let Some(ad) = self.started_ads.get(&id) {
            return Some(ad.clone());
        }
        if let Some(&i) = self.fresh.get(&id) {
            if let (Some(Change::NewProc { ad, .. }), Some(cluster)) = (self.out.changes.get(i), self.fresh_clusters.get(&id.cluster)) {
                let mut chained = ad.clone();
                chained.chain_to(cluster.clone());
                return Some(Arc::new(chained));
            }
        }
        store.job(id)
    }

    pub(crate) fn owner_name(&self, owner: OwnerId) -> &str {
        self.owners.name(owner)
    }

    /// The user log a job writes to.
    pub(crate) fn log_path(&self, ad: Option<&ClassAd>, id: JobId) -> Option<Arc<Path>> {
        if let Some(ad) = ad {
            if ad.get_own("UserLog").is_some() {
                return user_log_path(ad);
            }
        }
        self.jobs.clusters.get(&id.cluster).and_then(|c| c.log.clone())
    }

    pub(crate) fn log_before(&mut self, path: &Option<Arc<Path>>, event: eventlog::Event) {
        if let Some(p) = path {
            self.out.log_before.push(LogEntry { path: p.clone(), event });
        }
    }

    pub(crate) fn log_after(&mut self, path: &Option<Arc<Path>>, event: eventlog::Event) {
        if let Some(p) = path {
            self.out.log_after.push(LogEntry { path: p.clone(), event });
        }
    }

    /// Record a status change in the table and the changes (with
    /// `LastJobStatus` and `EnteredCurrentStatus`, as HTCondor does).
    pub(crate) fn set_status(&mut self, ed: &mut Edits, status: JobStatus, now: i64) {
        if let Some(old) = self.jobs.set_status(ed.id, status) {
            if old != status {
                ed.set("LastJobStatus", super::ads::int(old.code()));
                ed.set("JobStatus", super::ads::int(status.code()));
                ed.set("EnteredCurrentStatus", super::ads::int(now));
            }
        }
    }

    /// Put an idle job in its autocluster (computing its shape from `ad`).
    pub(crate) fn make_idle(&mut self, id: JobId, ad: &ClassAd) {
        let Some(job) = self.jobs.get(id) else { return };
        let (owner, prio, old_ac) = (job.owner, job.prio, job.ac);
        if old_ac != NO_AC {
            self.acs.remove_idle(old_ac, id, prio);
        }
        let ac = self.acs.place(id, ad, owner);
        self.acs.add_idle(ac, id, prio);
        if let Some(j) = self.jobs.get_mut(id) {
            j.ac = ac;
            j.phase = Phase::Quiet;
        }
    }

    /// Take a job out of its autocluster's idle list.
    pub(crate) fn unidle(&mut self, id: JobId) {
        let Some(job) = self.jobs.get_mut(id) else { return };
        let (ac, prio) = (job.ac, job.prio);
        job.ac = NO_AC;
        if ac != NO_AC {
            self.acs.remove_idle(ac, id, prio);
        }
    }

    /// A job leaves the queue: to history unless it stays (`LeaveJobInQueue`).
    pub(crate) fn finish(&mut self, ed: Edits, leave: bool, now: i64) {
        let id = ed.id;
        if leave {
            ed.commit(&mut self.out.changes);
            return;
        }
        let mut ad = ed.flatten();
        if !ad.contains("GlobalJobId") {
            let q = ad.int("QDate").unwrap_or(0);
            let g = format!("{}#{}.{}#{q}", self.cfg.name, id.cluster, id.proc);
            ad.insert("GlobalJobId", super::ads::string(&g));
        }
        self.out.history.push(super::HistoryEntry { id, ad });
        self.unidle(id);
        self.jobs.remove(id);
        if self.has_factory(id.cluster) {
            // Its replacements are queued before it leaves, so the cluster
            // never has no proc while its factory has more to make.
            self.materialize(id.cluster, now);
            if !self.has_factory(id.cluster) && self.jobs.clusters.get(&id.cluster).is_some_and(|c| c.procs == 0) {
                self.jobs.clusters.remove(&id.cluster);
            }
        }
        self.out.changes.push(Change::Remove { id });
        if !self.jobs.clusters.contains_key(&id.cluster) {
            self.cluster_wire.remove(&id.cluster);
            self.periodic_clusters.remove(&id.cluster);
            self.acs.forget_cluster(id.cluster);
        }
    }

    /// How many jobs claim `key` should hold (running and queued).
    pub(crate) fn claim_room(&self, key: ClaimKey) -> bool {
        self.claim(key).is_some_and(|c| c.jobs.len() < c.fill_target(self.cfg.unproven_queue))
    }

    pub(crate) fn claim(&self, key: ClaimKey) -> Option<&Claim> {
        self.claims.get(key as usize).and_then(|c| c.as_ref())
    }

    pub(crate) fn claim_view(&self, key: ClaimKey) -> Option<ClaimView> {
        self.claim(key).map(|c| ClaimView {
            id: c.id.clone(),
            startd: c.startd.clone(),
            host: c.host.clone(),
            slot_name: c.slot_name.clone(),
            slot: c.slot.clone(),
        })
    }

    pub(crate) fn claim_mut(&mut self, key: ClaimKey) -> Option<&mut Claim> {
        self.claims.get_mut(key as usize).and_then(|c| c.as_mut())
    }

    /// A claim made from a match on `slot`, or a claim request for one, is
    /// over. The negotiator forgets all of this schedd's matches on a slot
    /// it is told about, so it is told only once nothing is left of them
    /// here: no claim from them and no claim request on its way (a
    /// partitionable slot's later match may still be being claimed).
    pub(crate) fn match_over(&mut self, slot: &str) {
        if self.failed_matches.iter().any(|m| m == slot) {
            return;
        }
        let in_use = self.claims.iter().flatten().any(|c| *c.matched_slot == *slot)
            || self.matches.values().any(|m| m.slot_name == slot);
        if !in_use {
            self.failed_matches.push(slot.to_string());
        }
    }

    pub(crate) fn add_claim(&mut self, c: Claim) -> ClaimKey {
        let id = c.id.clone();
        let ac = c.ac;
        let key = match self.free_claims.pop() {
            Some(k) => {
                self.claims[k as usize] = Some(c);
                k
            }
            None => {
                self.claims.push(Some(c));
                (self.claims.len() - 1) as ClaimKey
            }
        };
        self.claim_by_id.insert(id, key);
        if let Some(a) = self.acs.get_mut(ac) {
            a.claims += 1;
        }
        key
    }

    pub(crate) fn drop_claim(&mut self, key: ClaimKey) -> Option<Claim> {
        let c = self.claims.get_mut(key as usize)?.take()?;
        // The negotiator may still hold the match that made this claim; it
        // is over, so tell it (with the next reschedule) to let it go.
        self.match_over(&c.matched_slot);
        self.claim_by_id.remove(&c.id);
        self.free_claims.push(key);
        if let Some(a) = self.acs.get_mut(c.ac) {
            a.claims = a.claims.saturating_sub(1);
        }
        self.acs.collect(c.ac);
        Some(c)
    }

    /// The job ad on the wire, with this batch's edits, for a startd.
    ///
    /// The cluster ad's part is unparsed once per cluster and reused: the
    /// cache holds the cluster ad it was made from, so a changed cluster ad
    /// (a new `Arc`) is noticed.
    pub(crate) fn wire_ad(&mut self, ad: &ClassAd, cluster: i64) -> WireAd {
        let mut levels: Vec<&ClassAd> = Vec::new();
        let mut cur = Some(ad);
        let mut root: Option<&Arc<ClassAd>> = None;
        while let Some(a) = cur {
            levels.push(a);
            root = a.chained().or(root);
            cur = a.chained().map(|p| &**p);
        }
        let Some(root) = root else { return super::ads::ad_to_wire(ad) };
        levels.pop();
        let mut out: Vec<(String, String)> = Vec::with_capacity(128);
        for level in &levels {
            for (n, e) in level.iter() {
                if !out.iter().any(|(k, _)| k.eq_ignore_ascii_case(n)) {
                    out.push((n.to_string(), e.to_old_string()));
                }
            }
        }
        let below = out.len();
        let cached = match self.cluster_wire.get(&cluster) {
            Some((src, w)) if Arc::ptr_eq(src, root) => w.clone(),
            _ => {
                let w: WireCache = Arc::new(
                    root.iter_all()
                        .filter(|(n, _)| !super::factory::schedd_only(n))
                        .map(|(n, e)| (n.to_string(), e.to_old_string()))
                        .collect(),
                );
                self.cluster_wire.insert(cluster, (root.clone(), w.clone()));
                w
            }
        };
        for (n, v) in cached.iter() {
            if !out[..below].iter().any(|(k, _)| k.eq_ignore_ascii_case(n)) {
                out.push((n.clone(), v.clone()));
            }
        }
        WireAd(out)
    }

    /// A job's whole ad on the wire (what a startd or the negotiator is sent).
    pub fn job_wire(&mut self, store: &dyn AdStore, id: JobId) -> Option<WireAd> {
        let ad = self.ad(store, id)?;
        Some(self.wire_ad(&ad, id.cluster))
    }

    /// Where startds reach this schedd, and how submit events name it
    /// (known once its sockets are bound).
    pub fn set_address(&mut self, address: Address, submit_host: String) {
        self.cfg.address = address;
        self.cfg.submit_host = submit_host;
    }

    /// Every claim held: the startd and the claim id.
    pub fn claims_held(&self) -> Vec<(Arc<Address>, String)> {
        self.claims.iter().flatten().map(|c| (c.startd.clone(), c.id.to_string())).collect()
    }

    /// Counts of every job, by status.
    pub fn totals(&self) -> proto::schedd::StatusCounts {
        self.jobs.totals()
    }

    /// Counts of one owner's jobs.
    pub fn owner_totals(&self, owner: &str) -> proto::schedd::StatusCounts {
        self.owners.get(owner).map(|o| self.jobs.owner_totals(o)).unwrap_or_default()
    }

    /// Owners with jobs in the queue and their counts (for Submitter ads).
    pub fn submitters(&self) -> Vec<(String, proto::schedd::StatusCounts)> {
        (0..self.owners.len() as OwnerId)
            .map(|o| (self.owners.name(o).to_string(), self.jobs.owner_totals(o)))
            .filter(|(_, c)| c.jobs > 0)
            .collect()
    }

    pub fn num_jobs(&self) -> usize {
        self.jobs.len()
    }

    pub fn num_claims(&self) -> usize {
        self.claim_by_id.len()
    }

    pub fn num_autoclusters(&self) -> usize {
        self.acs.with_idle().count()
    }

    pub fn start_time(&self) -> i64 {
        self.start_time
    }

    /// The status of a job, as the core knows it.
    pub fn status(&self, id: JobId) -> Option<JobStatus> {
        self.jobs.get(id).map(|j| j.status)
    }

    /// When `on_timer` next has something to do.
    pub fn next_deadline(&self) -> i64 {
        let linger = self
            .claims
            .iter()
            .flatten()
            .filter_map(|c| c.idle_since.map(|t| t + self.cfg.claim_linger))
            .min()
            .unwrap_or(i64::MAX);
        self.next_periodic.min(self.next_alive).min(linger)
    }

    pub(crate) fn new_cluster_entry(&mut self, cluster: i64, owner: OwnerId, ad: &ClassAd) {
        let log = user_log_path(ad);
        self.jobs.clusters.insert(cluster, Cluster { owner, log, procs: 0, factory: false });
        if PERIODIC_ATTRS.iter().any(|a| ad.contains(a)) {
            self.periodic_clusters.insert(cluster);
        }
    }

    pub(crate) fn new_job(&mut self, id: JobId, status: JobStatus, owner: OwnerId, prio: i32) {
        self.jobs.insert(id, Job { status, owner, prio, ac: NO_AC, phase: Phase::Quiet });
    }
}

/// The absolute path of a job's user log (`UserLog`, relative to `Iwd`).
pub fn user_log_path(ad: &ClassAd) -> Option<Arc<Path>> {
    let log = ad.string("UserLog").filter(|s| !s.is_empty())?;
    let p = PathBuf::from(&log);
    let p = if p.is_absolute() {
        p
    } else {
        match ad.string("Iwd") {
            Some(iwd) => Path::new(&iwd).join(p),
            None => p,
        }
    };
    Some(Arc::from(p.as_path()))
}

/// The changes to one job ad within a batch, seen through an overlay so
/// that policy expressions evaluate against the new values.
pub struct Edits {
    pub id: JobId,
    overlay: ClassAd,
    deleted: Vec<&'static str>,
}

impl Edits {
    /// Edits over the job's current ad (`None` when the store lacks it).
    pub fn new(id: JobId, base: Option<Arc<ClassAd>>) -> Edits {
        let mut overlay = ClassAd::new();
        if let Some(b) = base {
            overlay.chain_to(b);
        }
        Edits { id, overlay, deleted: Vec::new() }
    }

    pub fn set(&mut self, attr: &str, e: Expr) {
        self.deleted.retain(|d| !d.eq_ignore_ascii_case(attr));
        self.overlay.insert(attr, e);
    }

    pub fn delete(&mut self, attr: &'static str) {
        if self.overlay.contains(attr) {
            self.overlay.insert(attr, Expr::literal(Value::Undefined));
            self.deleted.push(attr);
        }
    }

    /// The ad as it will be after these edits.
    pub fn ad(&self) -> &ClassAd {
        &self.overlay
    }

    pub fn int(&self, attr: &str) -> Option<i64> {
        self.overlay.int(attr)
    }

    pub fn real(&self, attr: &str) -> Option<f64> {
        self.overlay.real(attr)
    }

    /// Add one to a counter attribute (missing counts as 0); the new value.
    pub fn bump(&mut self, attr: &str) -> i64 {
        let n = self.int(attr).unwrap_or(0) + 1;
        self.set(attr, super::ads::int(n));
        n
    }

    /// Add to a real-valued total.
    pub fn add_real(&mut self, attr: &str, v: f64) -> f64 {
        let n = self.real(attr).unwrap_or(0.0) + v;
        self.set(attr, super::ads::real(n));
        n
    }

    pub fn is_empty(&self) -> bool {
        self.overlay.is_empty()
    }

    /// Append the edits to `changes`.
    pub fn commit(self, changes: &mut Vec<Change>) {
        let id = self.id;
        for (n, e) in self.overlay.iter() {
            if self.deleted.iter().any(|d| d.eq_ignore_ascii_case(n)) {
                changes.push(Change::Delete { id, attr: n.to_string() });
            } else {
                changes.push(Change::Set { id, attr: n.to_string(), expr: e.clone() });
            }
        }
    }

    /// The final ad, flattened, without deleted attributes (for history).
    pub fn flatten(&self) -> ClassAd {
        let mut ad = ClassAd::new();
        for (n, e) in self.overlay.iter_all() {
            if !self.deleted.iter().any(|d| d.eq_ignore_ascii_case(n)) {
                ad.insert(n, e.clone());
            }
        }
        ad
    }
}
