//! The schedd side of `condor_submit`: find the schedd, get cluster ids
//! from it, and queue the built ads in one transaction per cluster.
//!
//! `condor_submit` (`tools/submit.rs`) finds the schedd first
//! ([`connect`]), builds every ad with cluster ids from
//! [`ScheddConnection::new_cluster`], and only then calls
//! [`submit_to_schedd`], so a description that fails anywhere queues
//! nothing. Each cluster goes to the schedd as one `/v1/submit` request —
//! the cluster ad plus each proc's own attributes — which the schedd
//! commits as one transaction (all procs or none).
//!
//! Late-materialization clusters (`max_materialize`, `max_idle`) are sent
//! as their submit digest and item rows; the schedd makes their procs as
//! the limits allow.

use std::collections::BTreeMap;

use client::BlockingClient;
use proto::schedd::{FactoryRequest, SubmitRequest};
use submit::submission::{ClusterAd, FactorySubmit, ProcAd};
use submit::Params;

use super::q::{connect_schedd, wire_of};

/// Which schedd to submit to (`-name`, `-pool`) and how (`-spool`).
#[derive(Debug, Clone, Default)]
pub struct ScheddTarget {
    pub name: Option<String>,
    pub pool: Option<String>,
    pub spool: bool,
}

/// An open connection to a schedd.
pub struct ScheddConnection {
    client: BlockingClient,
}

impl std::fmt::Debug for ScheddConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScheddConnection").field("address", self.client.address()).finish()
    }
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
pub fn connect(target: &ScheddTarget, params: &Params) -> anyhow::Result<ScheddConnection> {
    if target.spool {
        anyhow::bail!("-spool (sending input files to a remote schedd) is not supported yet; submit on the schedd's host without -spool");
    }
    let client = connect_schedd(target.name.as_deref(), target.pool.as_deref()).map_err(anyhow::Error::msg)?;
    let _ = params;
    Ok(ScheddConnection { client })
}

impl ScheddConnection {
    /// A new cluster id from the schedd (reserved durably; a submit that
    /// fails later leaves it unused, as HTCondor does).
    pub fn new_cluster(&mut self) -> anyhow::Result<i64> {
        let c = client::schedd::new_cluster_blocking(&self.client).map_err(|e| anyhow::Error::msg(api_text(&e)))?;
        Ok(c.cluster)
    }
}

fn api_text(e: &client::ClientError) -> String {
    match e.api() {
        Some(api) => match &api.hint {
            Some(h) => format!("ERROR: {}\n({h})", api.message),
            None => format!("ERROR: {}", api.message),
        },
        None => format!("ERROR: {e}"),
    }
}

/// Queue everything in `jobs` on the schedd: each cluster in one request
/// (one transaction). With `spool`, the jobs' input files would go too.
pub fn submit_to_schedd(conn: &mut ScheddConnection, jobs: BuiltJobs, spool: bool) -> anyhow::Result<()> {
    if spool {
        anyhow::bail!("ERROR: -spool is not supported yet");
    }
    let mut by_cluster: BTreeMap<i64, (Option<ClusterAd>, Vec<ProcAd>)> = BTreeMap::new();
    for c in jobs.clusters {
        let id = c.id;
        by_cluster.entry(id).or_default().0 = Some(c);
    }
    for p in jobs.procs {
        by_cluster.entry(p.cluster).or_default().1.push(p);
    }
    for f in jobs.factories {
        // The schedd makes a factory cluster's procs as max_materialize allows.
        let req = SubmitRequest {
            cluster: f.cluster.id,
            cluster_ad: wire_of(&f.cluster.ad),
            procs: Vec::new(),
            factory: Some(FactoryRequest {
                digest: f.factory.digest(),
                items: f.factory.items().to_vec(),
                total_procs: f.total_procs,
                max_materialize: f.max_materialize,
                max_idle: f.max_idle,
            }),
        };
        client::schedd::submit_blocking(&conn.client, &req).map_err(|e| anyhow::Error::msg(api_text(&e)))?;
    }
    for (id, (cluster, procs)) in by_cluster {
        let Some(cluster) = cluster else {
            anyhow::bail!("ERROR: procs of cluster {id} came without its cluster ad");
        };
        if procs.is_empty() {
            continue;
        }
        let req = SubmitRequest {
            cluster: id,
            cluster_ad: wire_of(&cluster.ad),
            procs: procs.iter().map(|p| own_wire(&p.ad)).collect(),
            factory: None,
        };
        client::schedd::submit_blocking(&conn.client, &req).map_err(|e| anyhow::Error::msg(api_text(&e)))?;
    }
    Ok(())
}

/// A proc's own attributes only (not its cluster's), on the wire.
fn own_wire(ad: &classad::ClassAd) -> proto::WireAd {
    proto::WireAd(ad.iter().map(|(k, e)| (k.to_string(), e.to_old_string())).collect())
}
