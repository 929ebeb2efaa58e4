//! The schedd side of `condor_submit`: find the schedd, get cluster ids
//! from it, and queue the built ads in one transaction.
//!
//! `condor_submit` builds every ad first (with cluster ids from
//! [`ScheddConnection::new_cluster`]) and only then calls
//! [`submit_to_schedd`], so a description that fails anywhere queues
//! nothing. Until the schedd accepts submissions, [`connect`] refuses with
//! a message pointing at `-dry-run`.

use submit::submission::{ClusterAd, FactorySubmit, ProcAd};
use submit::Params;

/// Which schedd to submit to (`-name`, `-pool`) and how (`-spool`).
#[derive(Debug, Clone, Default)]
pub struct ScheddTarget {
    pub name: Option<String>,
    pub pool: Option<String>,
    pub spool: bool,
}

/// An open connection to a schedd.
#[derive(Debug)]
pub struct ScheddConnection {
    _private: (),
}

/// Everything a submit built, in the order it was built.
#[derive(Debug, Default)]
pub struct BuiltJobs {
    /// Each cluster's shared ad, before its procs.
    pub clusters: Vec<ClusterAd>,
    /// Each proc's own attributes, chained to its cluster ad.
    pub procs: Vec<ProcAd>,
    /// Late-materialization clusters (cluster ad, digest, item data).
    pub factories: Vec<FactorySubmit>,
}

/// Find the schedd and open a connection to it.
pub fn connect(target: &ScheddTarget, _params: &Params) -> anyhow::Result<ScheddConnection> {
    let which = target.name.as_deref().unwrap_or("the local schedd");
    anyhow::bail!(
        "no schedd to submit to: {which} does not accept job submissions from condor_submit yet. \
         Use -dry-run FILE (or -dry-run -) to build and check the job ads without queueing them."
    )
}

impl ScheddConnection {
    /// A new cluster id from the schedd (inside the submit transaction).
    pub fn new_cluster(&mut self) -> anyhow::Result<i64> {
        anyhow::bail!("no schedd connection")
    }
}

/// Queue everything in `jobs` on the schedd, in one transaction; with
/// `spool`, send the jobs' input files too.
pub fn submit_to_schedd(_conn: &mut ScheddConnection, _jobs: BuiltJobs, _spool: bool) -> anyhow::Result<()> {
    anyhow::bail!("no schedd connection")
}
