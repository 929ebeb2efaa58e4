//! Reserving cluster ids and queueing a cluster of jobs.
//!
//! A submit is checked whole before anything changes: a refusal names the
//! attribute (and proc) at fault and leaves the queue as it was, so nothing
//! is ever queued half-way.

use std::sync::Arc;

use classad::{ClassAd, Value};
use proto::schedd::SubmitResponse;
use proto::{ApiError, JobId, JobStatus};

use super::ads::{int, string, AdExt};
use super::effects::{Action, Change, Reply, Token};
use super::events;
use super::schedd::{Schedd, Who};

/// A cluster of jobs as the service parsed it from a submit request.
#[derive(Debug, Clone)]
pub struct SubmitJobs {
    pub cluster: i64,
    pub cluster_ad: ClassAd,
    /// Each proc's own attributes (at least `ProcId`).
    pub procs: Vec<ClassAd>,
    /// Late materialization: the schedd makes the procs (`procs` is empty).
    pub factory: Option<proto::schedd::FactoryRequest>,
}

/// Adds procs of one cluster to the queue: the job table, its autocluster,
/// the user log's submit event, the `NewProc` change.
pub(crate) struct ProcAdder {
    cluster: i64,
    cluster_arc: Arc<ClassAd>,
    owner: u32,
    now: i64,
    host: String,
    log: Option<Arc<std::path::Path>>,
    status: JobStatus,
    prio: i64,
    proc_logs: bool,
    pub any_idle: bool,
}

impl ProcAdder {
    pub(crate) fn new(s: &Schedd, cluster: i64, cluster_arc: Arc<ClassAd>, owner: u32, now: i64, proc_logs: bool) -> ProcAdder {
        ProcAdder {
            cluster,
            owner,
            now,
            host: s.cfg.submit_host.clone(),
            log: s.jobs.clusters.get(&cluster).and_then(|c| c.log.clone()),
            status: cluster_arc.int("JobStatus").and_then(JobStatus::from_code).unwrap_or(JobStatus::Idle),
            prio: cluster_arc.int("JobPrio").unwrap_or(0),
            cluster_arc,
            proc_logs,
            any_idle: false,
        }
    }

    fn literal_int(&self, own: &ClassAd, name: &str) -> Option<i64> {
        match own.get_own(name).map(|e| e.as_literal().cloned()) {
            Some(Some(Value::Int(i))) => Some(i),
            Some(_) => {
                let mut view = own.clone();
                view.chain_to(self.cluster_arc.clone());
                view.int(name)
            }
            None => None,
        }
    }

    /// Queue one proc (its own attributes, at least `ProcId`).
    pub(crate) fn add(&mut self, s: &mut Schedd, own: ClassAd) {
        let id = JobId { cluster: self.cluster, proc: proc_id(&own).unwrap_or(0) };
        let status = self.literal_int(&own, "JobStatus").and_then(JobStatus::from_code).unwrap_or(self.status);
        let prio = self.literal_int(&own, "JobPrio").unwrap_or(self.prio).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        s.new_job(id, status, self.owner, prio);
        let own_log = self.proc_logs && own.get_own("UserLog").is_some();
        let needs_view = status == JobStatus::Idle || (status == JobStatus::Held && self.log.is_some()) || own_log;
        let view = needs_view.then(|| {
            let mut chained = own.clone();
            chained.chain_to(self.cluster_arc.clone());
            chained
        });
        if let (JobStatus::Idle, Some(v)) = (status, &view) {
            s.make_idle(id, v);
            self.any_idle = true;
        }
        let path = match (&view, own_log) {
            (Some(v), true) => super::schedd::user_log_path(v),
            _ => self.log.clone(),
        };
        if path.is_some() {
            s.log_after(&path, events::submitted(id, self.now, &self.host));
        }
        if let (JobStatus::Held, Some(v)) = (status, &view) {
            if path.is_some() {
                let reason = v.string("HoldReason").unwrap_or_else(|| "submitted on hold".to_string());
                let code = v.int("HoldReasonCode").unwrap_or(proto::job::hold_code::SUBMITTED_ON_HOLD);
                let sub = v.int("HoldReasonSubCode").unwrap_or(0);
                s.log_after(&path, events::held(id, self.now, &reason, code, sub));
            }
        }
        s.fresh.insert(id, s.out.changes.len());
        s.out.changes.push(Change::NewProc { id, ad: own });
    }
}

/// Attributes the schedd sets from the caller's identity; a submit may not
/// claim them for someone else.
const IDENTITY_ATTRS: &[&str] = &["Owner", "User"];

impl Schedd {
    /// A cluster id was reserved (durably, by the queue) for `who`.
    pub fn on_cluster_reserved(&mut self, cluster: i64, who: &Who) {
        self.reserved.insert(cluster, who.user.clone());
    }

    /// Queue a cluster of jobs; the answer is sent once committed.
    pub fn on_submit(&mut self, who: &Who, sub: SubmitJobs, now: i64, token: Token) {
        let owner = match self.check_submit(who, &sub) {
            Ok(o) => o,
            Err(e) => {
                self.reply(token, Reply::Submit(Err(e)));
                return;
            }
        };
        let SubmitJobs { cluster, mut cluster_ad, procs, factory } = sub;
        self.reserved.remove(&cluster);
        let n = match &factory {
            Some(f) => f.total_procs,
            None => procs.len() as i64,
        };
        cluster_ad.insert("ClusterId", int(cluster));
        cluster_ad.insert("Owner", string(&owner));
        cluster_ad.insert("User", string(&format!("{owner}@{}", self.cfg.uid_domain)));
        if !cluster_ad.contains("QDate") {
            cluster_ad.insert("QDate", int(now));
        }
        if !cluster_ad.contains("JobStatus") {
            cluster_ad.insert("JobStatus", int(JobStatus::Idle.code()));
        }
        if !cluster_ad.contains("EnteredCurrentStatus") {
            let q = cluster_ad.int("QDate").unwrap_or(now);
            cluster_ad.insert("EnteredCurrentStatus", int(q));
        }
        for (k, v) in [("MyType", "Job"), ("TargetType", "Machine")] {
            if !cluster_ad.contains(k) {
                cluster_ad.insert(k, string(v));
            }
        }
        cluster_ad.insert("TotalSubmitProcs", int(n));
        if let Some(f) = &factory {
            super::factory::describe(&mut cluster_ad, f);
        }
        let owner_id = self.owners.intern(&owner);
        let cluster_arc = Arc::new(cluster_ad.clone());
        let maker = match &factory {
            Some(f) => match self.new_maker(cluster, &cluster_arc, f) {
                Ok(m) => Some(m),
                Err(e) => {
                    self.reply(token, Reply::Submit(Err(e)));
                    return;
                }
            },
            None => None,
        };
        self.new_cluster_entry(cluster, owner_id, &cluster_ad);
        self.out.changes.push(Change::NewCluster { cluster, ad: cluster_ad });
        self.fresh_clusters.insert(cluster, cluster_arc.clone());
        let mut adder = ProcAdder::new(self, cluster, cluster_arc.clone(), owner_id, now, procs.iter().any(|p| p.get_own("UserLog").is_some()));
        let mut first = i64::MAX;
        for own in procs {
            first = first.min(proc_id(&own).unwrap_or(0));
            adder.add(self, own);
        }
        let mut any_idle = adder.any_idle;
        if let (Some(f), Some(maker)) = (factory, maker) {
            first = 0;
            self.add_factory(cluster, cluster_arc.clone(), maker, &f, 0);
            any_idle |= self.materialize(cluster, now);
        }
        if any_idle {
            // The new jobs are in `fresh`: claims left idle can take them at once.
            self.feed_idle_claims(&super::ads::NoAds);
            if self.acs.with_idle().next().is_some() {
                self.out.actions.push(Action::Reschedule);
            }
        }
        self.reply(token, Reply::Submit(Ok(SubmitResponse { cluster, first_proc: first, num_procs: n })));
    }

    /// Everything a submit must satisfy; the owner the jobs will have.
    fn check_submit(&self, who: &Who, sub: &SubmitJobs) -> Result<String, ApiError> {
        let Some(user) = who.user.clone() else {
            return Err(ApiError::permission_denied("submitting jobs needs a known user; this connection is not authenticated")
                .with_hint("submit on the schedd's host (its Unix socket identifies you), or use a token once remote submission is set up"));
        };
        match self.reserved.get(&sub.cluster) {
            Some(Some(r)) if *r == user || self.is_super(&user) => {}
            Some(None) if self.is_super(&user) => {}
            Some(_) => {
                return Err(ApiError::permission_denied(format!("cluster {} was reserved by another user", sub.cluster)))
            }
            None if self.jobs.clusters.contains_key(&sub.cluster) => {
                return Err(ApiError::bad_request(format!("cluster {} already has jobs", sub.cluster))
                    .with_hint("reserve a new cluster id with POST /v1/clusters for each submit"))
            }
            None => {
                return Err(ApiError::bad_request(format!("cluster {} was not reserved", sub.cluster))
                    .with_hint("reserve a cluster id with POST /v1/clusters first (ids do not survive a schedd restart)"))
            }
        }
        if sub.procs.is_empty() && sub.factory.is_none() {
            return Err(ApiError::bad_request(format!("the submit for cluster {} has no procs", sub.cluster)));
        }
        if let Some(f) = &sub.factory {
            if !sub.procs.is_empty() {
                return Err(ApiError::bad_request("a late-materialization submit carries no procs: the schedd makes them"));
            }
            if f.total_procs <= 0 || f.max_materialize <= 0 {
                return Err(ApiError::bad_request(format!(
                    "late materialization needs procs and a positive max_materialize (got {} procs, max_materialize {})",
                    f.total_procs, f.max_materialize
                )));
            }
            if self.makers.is_none() {
                return Err(ApiError::new("unavailable", "this schedd cannot materialize jobs late")
                    .with_hint("submit without max_materialize/max_idle"));
            }
        }
        if self.jobs.len().saturating_add(sub.procs.len()) > self.cfg.max_jobs_submitted {
            return Err(ApiError::new(
                "unavailable",
                format!(
                    "the queue holds {} jobs; {} more would pass MAX_JOBS_SUBMITTED ({})",
                    self.jobs.len(),
                    sub.procs.len(),
                    self.cfg.max_jobs_submitted
                ),
            )
            .with_hint("wait for jobs to finish, or submit fewer at once"));
        }
        let owner = match sub.cluster_ad.string("Owner") {
            Some(o) if o != user && !self.is_super(&user) => {
                return Err(ApiError::permission_denied(format!(
                    "user {user} cannot submit jobs owned by {o} (Owner = \"{o}\" in the cluster ad)"
                )))
            }
            Some(o) => o,
            None => user,
        };
        check_requests(&sub.cluster_ad, None, &self.cfg)?;
        let mut seen = std::collections::HashSet::with_capacity(sub.procs.len());
        for p in &sub.procs {
            let proc = match proc_id(p) {
                Some(i) if i >= 0 => i,
                _ => return Err(ApiError::bad_request("a proc ad has no ProcId (a non-negative integer)")),
            };
            if !seen.insert(proc) {
                return Err(ApiError::bad_request(format!("proc {}.{proc} appears twice in the submit", sub.cluster)));
            }
            for a in IDENTITY_ATTRS {
                if p.get_own(a).is_some() {
                    return Err(ApiError::bad_request(format!(
                        "proc {}.{proc} sets {a}; it comes from the cluster ad and the submitter's identity",
                        sub.cluster
                    )));
                }
            }
            if p.len() > 1 {
                check_requests(p, Some(JobId { cluster: sub.cluster, proc }), &self.cfg)?;
            }
        }
        Ok(owner)
    }
}

/// A proc's own `ProcId` (a literal, almost always).
pub(crate) fn proc_id(p: &ClassAd) -> Option<i64> {
    let e = p.get_own("ProcId")?;
    match e.as_literal() {
        Some(Value::Int(i)) => Some(*i),
        Some(_) => None,
        None => e.eval(Some(p), None).as_int(),
    }
}

/// Resource requests that no slot could ever satisfy are refused at submit.
fn check_requests(ad: &ClassAd, proc: Option<JobId>, cfg: &super::schedd::Config) -> Result<(), ApiError> {
    let whose = match proc {
        Some(id) => format!("job {id}"),
        None => "the cluster ad".to_string(),
    };
    let checks: [(&str, i64, &str, &str); 3] = [
        ("RequestMemory", cfg.max_request_memory_mb, "MiB", "request_memory"),
        ("RequestCpus", cfg.max_request_cpus, "cpus", "request_cpus"),
        ("RequestDisk", i64::MAX / 2, "KiB", "request_disk"),
    ];
    for (attr, limit, unit, command) in checks {
        if ad.get_own(attr).is_none() {
            continue;
        }
        let v = ad.eval_attr(attr);
        let n = match v {
            Value::Int(i) => i as f64,
            Value::Real(r) => r,
            _ => continue, // expressions (e.g. of MemoryUsage) are judged at match time
        };
        if !n.is_finite() || n < 0.0 {
            return Err(ApiError::bad_request(format!("{whose}: {attr} = {n} is negative or not a number"))
                .with_hint(format!("set {command} to a positive amount")));
        }
        if n > limit as f64 {
            return Err(ApiError::bad_request(format!(
                "{whose}: {attr} = {n} {unit} is more than any slot can offer (at most {limit} {unit} are accepted)"
            ))
            .with_hint(format!("lower {command}; memory is in MiB unless a unit (KB, MB, GB, TB) is given")));
        }
    }
    Ok(())
}
