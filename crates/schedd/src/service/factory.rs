//! Late materialization with the submit language: the procs of a factory
//! cluster are made by the `submit` crate's materializer from the digest
//! `condor_submit` sent, with the schedd's configuration.

use std::sync::Arc;

use classad::ClassAd;
use daemon::Settings;

use crate::core::{MakerBuilder, ProcMaker};

/// The configuration knobs the submit language reads while it builds a job.
const SUBMIT_KNOBS: &[&str] = &[
    "UID_DOMAIN",
    "FILESYSTEM_DOMAIN",
    "ARCH",
    "OPSYS",
    "JOB_DEFAULT_REQUESTMEMORY",
    "JOB_DEFAULT_REQUESTDISK",
    "JOB_DEFAULT_REQUESTCPUS",
    "JOB_DEFAULT_REQUESTGPUS",
    "JOB_DEFAULT_NOTIFICATION",
    "JOB_DEFAULT_LEASE_DURATION",
    "DEFAULT_UNIVERSE",
    "DEFAULT_RANK",
    "DEFAULT_RANK_VANILLA",
    "APPEND_REQUIREMENTS",
    "APPEND_REQ_VANILLA",
    "APPEND_RANK",
    "APPEND_RANK_VANILLA",
    "SUBMIT_DEFAULT_SHOULD_TRANSFER_FILES",
    "SUBMIT_REQUEST_MISSING_UNITS",
    "DEFAULT_JOB_MAX_RETRIES",
    "NICE_USER_ACCOUNTING_GROUP_NAME",
];

struct DigestMaker(submit::Materializer);

impl ProcMaker for DigestMaker {
    fn proc_ad(&mut self, proc: i64) -> Result<ClassAd, String> {
        let p = self.0.proc_ad(proc).map_err(|e| e.to_string())?;
        let mut own = p.ad;
        own.unchain();
        Ok(own)
    }
}

/// How this schedd makes the procs of factory clusters.
pub fn makers(settings: &Settings) -> MakerBuilder {
    let pairs: Vec<(String, String)> = SUBMIT_KNOBS.iter().filter_map(|n| settings.get(n).map(|v| (n.to_string(), v))).collect();
    Box::new(move |cluster: i64, ad: &Arc<ClassAd>, digest: &str, items: &[String]| {
        let f = submit::Factory::from_digest(digest, items.to_vec()).map_err(|e| e.to_string())?;
        let params = submit::Params::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let m = f.materializer(submit::ClusterAd { id: cluster, ad: ad.clone() }, params);
        Ok(Box::new(DigestMaker(m)) as Box<dyn ProcMaker>)
    })
}
