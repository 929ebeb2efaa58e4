//! Autoclusters: idle jobs grouped by the attributes that decide where
//! they can run, so the negotiator matches shapes, not jobs.
//!
//! A job's *significant attributes* are the resource requests and
//! `Requirements`/`Rank` (and the other names HTCondor lists), the job
//! attributes that slot ads refer to (learned from the slots the schedd
//! sees), and every job attribute those expressions refer to in turn
//! (`RequestMemory = MemoryUsage ?: …` pulls in `MemoryUsage`). Two jobs of
//! the same owner whose significant attributes have the same expressions
//! are in the same autocluster. Within one, idle jobs wait in priority
//! order (`JobPrio` high first, then job id).
//!
//! Computing a signature unparses a few expressions; for a 100,000-proc
//! cluster whose procs differ only in attributes that do not matter for
//! matching, it is computed once for the cluster and reused.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use classad::ClassAd;
use proto::JobId;

use super::jobs::OwnerId;

pub type AcId = u32;

/// A job that is in no autocluster (not idle, or not computed yet).
pub const NO_AC: AcId = u32::MAX;

/// Attributes always significant (HTCondor's defaults, job side).
pub const BASE_ATTRS: &[&str] = &[
    "RequestCpus",
    "RequestDisk",
    "RequestGPUs",
    "RequestMemory",
    "ConcurrencyLimits",
    "FlockTo",
    "Rank",
    "Requirements",
];

/// One shape of job of one owner, with its idle jobs in priority order.
#[derive(Debug)]
pub struct Ac {
    pub key: Arc<str>,
    pub owner: OwnerId,
    /// The significant attributes of this shape (`AutoClusterAttrs`).
    pub attrs: Arc<[String]>,
    pub idle: BTreeSet<(Reverse<i32>, JobId)>,
    /// Claims made for this shape that are still held.
    pub claims: u32,
}

impl Ac {
    /// The next idle job to run.
    pub fn first_idle(&self) -> Option<JobId> {
        self.idle.iter().next().map(|(_, id)| *id)
    }
}

/// A computed signature: the key and the attributes it covers, plus every
/// name the computation looked at (so a proc overriding none of them
/// shares its cluster's signature).
#[derive(Debug, Clone)]
struct Signature {
    key: Arc<str>,
    attrs: Arc<[String]>,
    watch: Arc<HashSet<String>>,
}

#[derive(Debug, Default)]
pub struct AutoClusters {
    /// Job attributes slot ads refer to (learned from slots).
    machine_refs: Vec<String>,
    by_key: HashMap<(OwnerId, Arc<str>), AcId>,
    acs: Vec<Option<Ac>>,
    /// Bumped each time a slot of `acs` is reused, so an id handed to the
    /// negotiator never names a newer autocluster.
    gens: Vec<u32>,
    free: Vec<AcId>,
    /// Signature of each cluster ad, for procs that override nothing significant.
    per_cluster: HashMap<i64, Signature>,
}

impl AutoClusters {
    pub fn get(&self, id: AcId) -> Option<&Ac> {
        self.acs.get(id as usize).and_then(|a| a.as_ref())
    }

    /// The id the negotiator knows an autocluster by (id and generation).
    pub fn public_id(&self, id: AcId) -> u64 {
        ((self.gens.get(id as usize).copied().unwrap_or(0) as u64) << 32) | id as u64
    }

    /// The autocluster a public id names, if it still exists.
    pub fn from_public(&self, public: u64) -> Option<AcId> {
        let id = (public & 0xffff_ffff) as AcId;
        let gen = (public >> 32) as u32;
        (self.get(id).is_some() && self.gens.get(id as usize) == Some(&gen)).then_some(id)
    }

    pub fn get_mut(&mut self, id: AcId) -> Option<&mut Ac> {
        self.acs.get_mut(id as usize).and_then(|a| a.as_mut())
    }

    /// Autoclusters with idle jobs.
    pub fn with_idle(&self) -> impl Iterator<Item = (AcId, &Ac)> {
        self.acs
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().filter(|a| !a.idle.is_empty()).map(|a| (i as AcId, a)))
    }

    /// How many autoclusters exist.
    pub fn len(&self) -> usize {
        self.acs.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Learn the job attributes slot ads refer to. Returns true when the
    /// set grew (every idle job must then be placed again).
    pub fn learn_machine_refs(&mut self, names: impl IntoIterator<Item = String>) -> bool {
        let mut grew = false;
        for n in names {
            if is_significant_base(&n) || self.machine_refs.iter().any(|m| m.eq_ignore_ascii_case(&n)) {
                continue;
            }
            self.machine_refs.push(n);
            grew = true;
        }
        if grew {
            self.per_cluster.clear();
        }
        grew
    }

    /// Forget the cached signature of a cluster (its ad changed).
    pub fn forget_cluster(&mut self, cluster: i64) {
        self.per_cluster.remove(&cluster);
    }

    /// The autocluster for a job with ad `ad` (chained to its cluster ad),
    /// creating it if needed.
    pub fn place(&mut self, id: JobId, ad: &ClassAd, owner: OwnerId) -> AcId {
        let sig = self.signature(id.cluster, ad);
        match self.by_key.get(&(owner, sig.key.clone())) {
            Some(&ac) => ac,
            None => {
                let ac = Ac { key: sig.key.clone(), owner, attrs: sig.attrs, idle: BTreeSet::new(), claims: 0 };
                let id = match self.free.pop() {
                    Some(i) => {
                        self.acs[i as usize] = Some(ac);
                        self.gens[i as usize] = self.gens[i as usize].wrapping_add(1);
                        i
                    }
                    None => {
                        self.acs.push(Some(ac));
                        self.gens.push(0);
                        (self.acs.len() - 1) as AcId
                    }
                };
                self.by_key.insert((owner, sig.key), id);
                id
            }
        }
    }

    fn signature(&mut self, cluster: i64, ad: &ClassAd) -> Signature {
        if let Some(parent) = ad.chained() {
            let cached = match self.per_cluster.get(&cluster) {
                Some(s) => s.clone(),
                None => {
                    let s = compute(parent, &self.machine_refs);
                    self.per_cluster.insert(cluster, s.clone());
                    s
                }
            };
            let overrides = ad.iter().any(|(n, _)| cached.watch.contains(&n.to_ascii_lowercase()));
            if !overrides {
                return cached;
            }
        }
        compute(ad, &self.machine_refs)
    }

    pub fn add_idle(&mut self, ac: AcId, id: JobId, prio: i32) {
        if let Some(a) = self.get_mut(ac) {
            a.idle.insert((Reverse(prio), id));
        }
    }

    pub fn remove_idle(&mut self, ac: AcId, id: JobId, prio: i32) {
        if let Some(a) = self.get_mut(ac) {
            a.idle.remove(&(Reverse(prio), id));
        }
        self.collect(ac);
    }

    /// Drop an autocluster nobody uses any more.
    pub fn collect(&mut self, ac: AcId) {
        let unused = self.get(ac).is_some_and(|a| a.idle.is_empty() && a.claims == 0);
        if unused {
            if let Some(a) = self.acs[ac as usize].take() {
                self.by_key.remove(&(a.owner, a.key));
                self.free.push(ac);
            }
        }
    }
}

fn is_significant_base(name: &str) -> bool {
    BASE_ATTRS.iter().any(|b| b.eq_ignore_ascii_case(name))
}

/// The signature of `ad`: significant attributes present in it, closed
/// over the job attributes their expressions refer to.
fn compute(ad: &ClassAd, machine_refs: &[String]) -> Signature {
    let mut names: Vec<String> = BASE_ATTRS.iter().map(|s| s.to_string()).collect();
    names.extend(machine_refs.iter().cloned());
    let mut watch: HashSet<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut i = 0;
    while i < names.len() {
        if let Some(e) = ad.get(&names[i]) {
            for r in e.references() {
                let r = if let Some(rest) = strip_scope(&r, "MY.") {
                    rest.to_string()
                } else if strip_scope(&r, "TARGET.").is_some() {
                    continue;
                } else {
                    r
                };
                let lower = r.to_ascii_lowercase();
                if watch.insert(lower) && ad.contains(&r) {
                    names.push(r);
                }
            }
        }
        i += 1;
    }
    let mut present: Vec<(String, String)> = names
        .into_iter()
        .filter_map(|n| ad.get(&n).map(|e| (n, e.to_old_string())))
        .collect();
    present.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    present.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    let mut key = String::new();
    for (n, v) in &present {
        key.push_str(&n.to_ascii_lowercase());
        key.push('=');
        key.push_str(v);
        key.push('\n');
    }
    let attrs: Vec<String> = present.into_iter().map(|(n, _)| n).collect();
    Signature { key: Arc::from(key), attrs: Arc::from(attrs), watch: Arc::new(watch) }
}

fn strip_scope<'a>(name: &'a str, scope: &str) -> Option<&'a str> {
    if name.len() > scope.len() && name[..scope.len()].eq_ignore_ascii_case(scope) {
        Some(&name[scope.len()..])
    } else {
        None
    }
}

/// Job attribute names an expression of a slot ad refers to: bare names
/// the slot ad itself does not define, and `TARGET.x` names.
pub fn slot_refs_to_job(slot: &ClassAd) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["Requirements", "START", "Rank", "WithinResourceLimits"] {
        if let Some(e) = slot.get(attr) {
            for r in e.references() {
                let name = if let Some(rest) = strip_scope(&r, "TARGET.") {
                    rest.to_string()
                } else if strip_scope(&r, "MY.").is_some() || slot.contains(&r) {
                    continue;
                } else {
                    r
                };
                if !out.iter().any(|o: &String| o.eq_ignore_ascii_case(&name)) {
                    out.push(name);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster_ad(text: &str) -> Arc<ClassAd> {
        Arc::new(ClassAd::parse_old(text).unwrap())
    }

    fn proc_ad(cluster: &Arc<ClassAd>, own: &str) -> ClassAd {
        let mut ad = ClassAd::parse_old(own).unwrap();
        ad.chain_to(cluster.clone());
        ad
    }

    #[test]
    fn procs_differing_in_insignificant_attributes_share_an_autocluster() {
        let c = cluster_ad("RequestCpus = 1\nRequestMemory = 100\nRequirements = TARGET.Memory >= RequestMemory\nCmd = \"/bin/true\"");
        let mut acs = AutoClusters::default();
        let a = acs.place(JobId { cluster: 1, proc: 0 }, &proc_ad(&c, "ProcId = 0\nArgs = \"a\""), 0);
        let b = acs.place(JobId { cluster: 1, proc: 1 }, &proc_ad(&c, "ProcId = 1\nArgs = \"b\""), 0);
        assert_eq!(a, b);
        // A proc with another memory request is another shape.
        let m = acs.place(JobId { cluster: 1, proc: 2 }, &proc_ad(&c, "ProcId = 2\nRequestMemory = 2000"), 0);
        assert_ne!(a, m);
        // The same shape of another owner is another autocluster.
        let o = acs.place(JobId { cluster: 1, proc: 3 }, &proc_ad(&c, "ProcId = 3"), 1);
        assert_ne!(a, o);
        assert_eq!(
            acs.get(a).unwrap().attrs.iter().map(String::as_str).collect::<Vec<_>>(),
            ["RequestCpus", "RequestMemory", "Requirements"]
        );
    }

    #[test]
    fn attributes_referenced_by_significant_ones_become_significant() {
        let c = cluster_ad(
            "RequestMemory = ifthenelse(MemoryUsage =!= undefined, MemoryUsage, 1)\nRequirements = MY.Site == \"x\"\nSite = \"x\"",
        );
        let mut acs = AutoClusters::default();
        let a = acs.place(JobId { cluster: 1, proc: 0 }, &proc_ad(&c, "ProcId = 0"), 0);
        let attrs: Vec<&str> = acs.get(a).unwrap().attrs.iter().map(String::as_str).collect();
        assert_eq!(attrs, ["RequestMemory", "Requirements", "Site"]);
        // MemoryUsage was looked at (absent in the cluster): a proc that has it differs.
        let b = acs.place(JobId { cluster: 1, proc: 1 }, &proc_ad(&c, "ProcId = 1\nMemoryUsage = 50"), 0);
        assert_ne!(a, b);
    }

    #[test]
    fn slot_references_to_job_attributes_are_learned() {
        let slot = ClassAd::parse_old("Memory = 100\nSTART = TARGET.Owner == \"bob\" && KFlops > 1\nRequirements = START && Project =?= \"p\"")
            .unwrap();
        let refs = slot_refs_to_job(&slot);
        assert!(refs.iter().any(|r| r == "Owner"));
        assert!(refs.iter().any(|r| r == "Project"));
        assert!(!refs.iter().any(|r| r.eq_ignore_ascii_case("START") || r == "Memory"));
        let mut acs = AutoClusters::default();
        assert!(acs.learn_machine_refs(vec!["Project".to_string()]));
        assert!(!acs.learn_machine_refs(vec!["project".to_string(), "RequestCpus".to_string()]));
        let c = cluster_ad("RequestCpus = 1");
        let a = acs.place(JobId { cluster: 1, proc: 0 }, &proc_ad(&c, "Project = \"a\""), 0);
        let b = acs.place(JobId { cluster: 1, proc: 1 }, &proc_ad(&c, "Project = \"b\""), 0);
        assert_ne!(a, b);
    }

    #[test]
    fn unused_autoclusters_are_collected_and_their_ids_reused() {
        let c = cluster_ad("RequestCpus = 1");
        let mut acs = AutoClusters::default();
        let id = JobId { cluster: 1, proc: 0 };
        let a = acs.place(id, &proc_ad(&c, "ProcId = 0"), 0);
        acs.add_idle(a, id, 0);
        assert_eq!(acs.with_idle().count(), 1);
        acs.remove_idle(a, id, 0);
        assert_eq!(acs.len(), 0);
        let old_public = acs.public_id(a);
        let b = acs.place(JobId { cluster: 2, proc: 0 }, &proc_ad(&c, "RequestCpus = 2"), 0);
        assert_eq!(a, b);
        // The negotiator's old id does not name the new autocluster.
        assert_eq!(acs.from_public(old_public), None);
        assert_eq!(acs.from_public(acs.public_id(b)), Some(b));
    }
}
