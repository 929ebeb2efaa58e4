//! Late materialization: a cluster submitted with `max_materialize` (or
//! `max_idle`) keeps its submit digest and item rows, and the schedd makes
//! its procs as the limits allow — when it is submitted, when one of its
//! jobs leaves the queue, and when an idle one starts.
//!
//! Making a proc is the submit language's business: the core asks a
//! [`ProcMaker`] (the service wraps the `submit` crate's materializer) and
//! queues what it returns exactly like a proc sent by `condor_submit`. The
//! digest, the items and the next proc id live in the cluster ad, so a
//! restarted schedd goes on where it stopped.

use std::collections::HashMap;
use std::sync::Arc;

use classad::ClassAd;
use proto::schedd::FactoryRequest;
use proto::{ApiError, JobId, JobStatus};

use super::ads::{int, AdExt};
use super::schedd::Schedd;
use super::submit::ProcAdder;

/// Makes proc N's own attributes (`ProcId`, `JobStatus`, what differs
/// from the cluster ad) from a cluster's digest.
pub trait ProcMaker: Send {
    fn proc_ad(&mut self, proc: i64) -> Result<ClassAd, String>;
}

/// Builds the maker of a cluster from its final cluster ad, digest and items.
pub type MakerBuilder = Box<dyn Fn(i64, &Arc<ClassAd>, &str, &[String]) -> Result<Box<dyn ProcMaker>, String> + Send>;

/// The cluster attributes that keep a factory across restarts.
pub const DIGEST_ATTR: &str = "JobMaterializeDigest";
pub const ITEMS_ATTR: &str = "JobMaterializeItems";
pub const LIMIT_ATTR: &str = "JobMaterializeLimit";
pub const MAX_IDLE_ATTR: &str = "JobMaterializeMaxIdle";
pub const NEXT_ATTR: &str = "JobMaterializeNextProcId";

/// True for the attributes only the schedd needs (not sent to startds).
pub fn schedd_only(attr: &str) -> bool {
    attr.eq_ignore_ascii_case(DIGEST_ATTR) || attr.eq_ignore_ascii_case(ITEMS_ATTR)
}

/// One cluster's factory.
pub(crate) struct Factory {
    maker: Box<dyn ProcMaker>,
    /// The cluster ad the procs are made against.
    ad: Arc<ClassAd>,
    next: i64,
    total: i64,
    limit: i64,
    max_idle: Option<i64>,
}

/// Record a factory's digest and limits in its cluster ad.
/// Text kept as a list of its lines (a ClassAd string written in old
/// syntax, as job ads travel and the history is written, cannot hold a
/// newline).
fn lines_list<'a>(lines: impl Iterator<Item = &'a str>) -> classad::Expr {
    classad::Expr::literal(classad::Value::list(lines.map(classad::Value::string).collect()))
}

fn list_lines(ad: &ClassAd, attr: &str) -> Option<Vec<String>> {
    match ad.eval_attr(attr) {
        classad::Value::List(items) => Some(items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
        classad::Value::String(s) => Some(s.split('\n').map(str::to_string).collect()),
        _ => None,
    }
}

pub(crate) fn describe(ad: &mut ClassAd, f: &FactoryRequest) {
    ad.insert(DIGEST_ATTR, lines_list(f.digest.lines()));
    ad.insert(ITEMS_ATTR, lines_list(f.items.iter().map(String::as_str)));
    ad.insert(LIMIT_ATTR, int(f.max_materialize));
    if let Some(m) = f.max_idle {
        ad.insert(MAX_IDLE_ATTR, int(m));
    }
    ad.insert(NEXT_ATTR, int(0));
}

/// The factory request a cluster ad describes (after a restart).
pub(crate) fn described(ad: &ClassAd) -> Option<(FactoryRequest, i64)> {
    let mut digest = list_lines(ad, DIGEST_ATTR)?.join("\n");
    digest.push('\n');
    let items = list_lines(ad, ITEMS_ATTR);
    let f = FactoryRequest {
        digest,
        items: items.unwrap_or_default(),
        total_procs: ad.int("TotalSubmitProcs").unwrap_or(0),
        max_materialize: ad.int(LIMIT_ATTR).unwrap_or(1),
        max_idle: ad.int(MAX_IDLE_ATTR),
    };
    Some((f, ad.int(NEXT_ATTR).unwrap_or(0)))
}

pub(crate) type Factories = HashMap<i64, Factory>;

impl Schedd {
    /// Give the schedd its way of making procs from digests.
    pub fn set_proc_makers(&mut self, b: MakerBuilder) {
        self.makers = Some(b);
    }

    pub(crate) fn new_maker(&self, cluster: i64, ad: &Arc<ClassAd>, f: &FactoryRequest) -> Result<Box<dyn ProcMaker>, ApiError> {
        let Some(b) = &self.makers else {
            return Err(ApiError::new("unavailable", "this schedd cannot materialize jobs late"));
        };
        b(cluster, ad, &f.digest, &f.items).map_err(|e| {
            ApiError::bad_request(format!("cluster {cluster}: the submit digest does not read: {e}"))
                .with_hint("submit again; this is a bug if the submit description was accepted by condor_submit -dry-run")
        })
    }

    pub(crate) fn add_factory(&mut self, cluster: i64, ad: Arc<ClassAd>, maker: Box<dyn ProcMaker>, f: &FactoryRequest, next: i64) {
        let factory = Factory { maker, ad, next, total: f.total_procs, limit: f.max_materialize.max(1), max_idle: f.max_idle };
        self.factories.insert(cluster, factory);
        if let Some(c) = self.jobs.clusters.get_mut(&cluster) {
            c.factory = true;
        }
    }

    /// True when `cluster` makes procs of its own.
    pub(crate) fn has_factory(&self, cluster: i64) -> bool {
        self.factories.contains_key(&cluster)
    }

    /// After a restart: factories of clusters found in the queue go on.
    pub(crate) fn resume_factories(&mut self, now: i64) {
        for (cluster, ad) in std::mem::take(&mut self.recovered_factories) {
            let Some((f, next)) = described(&ad) else { continue };
            if next >= f.total_procs {
                continue;
            }
            match self.new_maker(cluster, &ad, &f) {
                Ok(m) => {
                    self.add_factory(cluster, ad, m, &f, next);
                    self.materialize(cluster, now);
                }
                Err(e) => tracing::warn!("cluster {cluster}: its factory cannot go on after the restart: {}", e.message),
            }
        }
    }

    /// Make procs of `cluster` while its limits allow. True when any is idle.
    pub(crate) fn materialize(&mut self, cluster: i64, now: i64) -> bool {
        let Some(f) = self.factories.get(&cluster) else { return false };
        let (limit, max_idle, total, cluster_ad) = (f.limit, f.max_idle, f.total, f.ad.clone());
        let Some(owner) = self.jobs.clusters.get(&cluster).map(|c| c.owner) else { return false };
        let mut present = 0i64;
        let mut idle = 0i64;
        for (_, j) in self.jobs.cluster_jobs(cluster) {
            present += 1;
            if j.status == JobStatus::Idle {
                idle += 1;
            }
        }
        let mut adder = ProcAdder::new(self, cluster, cluster_ad, owner, now, false);
        let mut made = 0;
        loop {
            let Some(f) = self.factories.get_mut(&cluster) else { break };
            if f.next >= total || present >= limit || max_idle.is_some_and(|m| idle >= m) {
                break;
            }
            let proc = f.next;
            if self.jobs.contains(JobId { cluster, proc }) {
                // Already made (a restart read an older next id): never twice.
                if let Some(f) = self.factories.get_mut(&cluster) {
                    f.next += 1;
                }
                continue;
            }
            let Some(f) = self.factories.get_mut(&cluster) else { break };
            match f.maker.proc_ad(proc) {
                Ok(mut own) => {
                    own.insert("ProcId", int(proc));
                    f.next += 1;
                    adder.add(self, own);
                    present += 1;
                    if self.jobs.get(JobId { cluster, proc }).is_some_and(|j| j.status == JobStatus::Idle) {
                        idle += 1;
                    }
                    made += 1;
                }
                Err(e) => {
                    tracing::warn!("cluster {cluster}: cannot make proc {proc}: {e}; its factory stops");
                    f.next = total;
                    break;
                }
            }
        }
        let next = self.factories.get(&cluster).map(|f| f.next).unwrap_or(total);
        if made > 0 || next >= total {
            // Written once per batch (`take_effects`): a cluster ad change
            // touches every proc of the cluster in the queue's index.
            self.factory_next.insert(cluster, next);
        }
        if next >= total {
            self.factories.remove(&cluster);
            if let Some(c) = self.jobs.clusters.get_mut(&cluster) {
                c.factory = false;
            }
        }
        adder.any_idle
    }
}
