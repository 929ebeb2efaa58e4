//! `condor_submit`'s path to the schedd: reserve a cluster id, let the
//! submit language build the cluster's ads for it, send them in one
//! request (one transaction: all procs are queued or none), and print what
//! HTCondor prints.
//!
//! `tools/submit.rs` parses the command line and the submit description
//! and calls [`submit_to_schedd`] with a closure that builds the ads once
//! the cluster id is known (`$(Cluster)` expands to it). Errors found while
//! building are the caller's to print (they name the submit file and line);
//! errors from the schedd are printed here.

use std::fmt;
use std::io::Write;

use classad::ClassAd;
use client::BlockingClient;
use proto::schedd::SubmitRequest;

use super::q::connect_schedd;

/// How `condor_submit` reports, from its command line.
#[derive(Debug, Clone, Default)]
pub struct SubmitOutput {
    /// `-terse`: only `C.P - C.P` lines.
    pub terse: bool,
    /// `-verbose` (or the submit file read from stdin): each proc's ad.
    pub verbose: bool,
    /// The submit description came from standard input (HTCondor then
    /// prints neither `Submitting job(s)` nor the dots).
    pub from_stdin: bool,
    /// `-name`: the schedd to submit to (default: this host's).
    pub schedd_name: Option<String>,
    /// `-pool`: the collector to find it through.
    pub pool: Option<String>,
}

/// One cluster, as the submit language built it for a reserved cluster id.
#[derive(Debug, Clone)]
pub struct BuiltCluster {
    /// Attributes common to every proc (the schedd sets `Owner`/`User`).
    pub cluster_ad: ClassAd,
    /// Each proc's own attributes, at least `ProcId`.
    pub procs: Vec<ClassAd>,
}

/// What was queued.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub cluster: i64,
    pub first_proc: i64,
    pub num_procs: i64,
}

/// Why nothing was queued.
#[derive(Debug)]
pub enum SubmitError<E> {
    /// Building the ads failed (the caller prints it).
    Build(E),
    /// The schedd could not be reached or refused the submit (already printed).
    Schedd(String),
}

impl<E: fmt::Display> fmt::Display for SubmitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmitError::Build(e) => write!(f, "{e}"),
            SubmitError::Schedd(e) => write!(f, "{e}"),
        }
    }
}

/// Submit one cluster to the schedd.
///
/// Prints `Submitting job(s)` first (unless terse or reading stdin), then
/// reserves the cluster id and calls `build(cluster)`. If building fails,
/// nothing is sent and the error is returned for the caller to print (the
/// reserved id stays used, as in HTCondor). Otherwise the ads go to the
/// schedd in one request, a dot is printed per proc, and the summary line:
/// `N job(s) submitted to cluster C.` (or `C.P - C.Q` with `-terse`).
pub fn submit_to_schedd<E>(
    out: &SubmitOutput,
    build: impl FnOnce(i64) -> Result<BuiltCluster, E>,
) -> Result<Submitted, SubmitError<E>> {
    let stdout = std::io::stdout();
    let chatty = !out.terse && !out.from_stdin;
    if chatty {
        print!("Submitting job(s)");
        let _ = stdout.lock().flush();
    }
    let client = match connect_schedd(out.schedd_name.as_deref(), out.pool.as_deref()) {
        Ok(c) => c,
        Err(e) => return Err(schedd_error(&format!("Failed to connect to the schedd: {e}"))),
    };
    let cluster = match client::schedd::new_cluster_blocking(&client) {
        Ok(c) => c.cluster,
        Err(e) => return Err(schedd_error(&format!("Failed to create a new job cluster: {e}"))),
    };
    let built = build(cluster).map_err(SubmitError::Build)?;
    send(&client, cluster, built, out)
}

fn schedd_error<E>(message: &str) -> SubmitError<E> {
    eprintln!("\nERROR: {message}");
    SubmitError::Schedd(message.to_string())
}

fn send<E>(client: &BlockingClient, cluster: i64, built: BuiltCluster, out: &SubmitOutput) -> Result<Submitted, SubmitError<E>> {
    let chatty = !out.terse && !out.from_stdin;
    let n = built.procs.len();
    if out.verbose && !out.terse {
        for p in &built.procs {
            let mut view = p.clone();
            view.chain_to(std::sync::Arc::new(built.cluster_ad.clone()));
            let proc = view.get("ProcId").map(|e| e.to_old_string()).unwrap_or_default();
            println!("\n** Proc {cluster}.{proc}:");
            print!("{}", view.to_old_string());
        }
    }
    let req = SubmitRequest {
        cluster,
        cluster_ad: super::q::wire_of(&built.cluster_ad),
        procs: built.procs.iter().map(super::q::wire_of).collect(),
    };
    let resp = match client::schedd::submit_blocking(client, &req) {
        Ok(r) => r,
        Err(e) => {
            let detail = match e.api() {
                Some(api) => match &api.hint {
                    Some(h) => format!("{}\n({h})", api.message),
                    None => api.message.clone(),
                },
                None => e.to_string(),
            };
            eprintln!("\nERROR: Failed to commit job submission into the queue.");
            eprintln!("ERROR: {detail}");
            return Err(SubmitError::Schedd(detail));
        }
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if chatty && !out.verbose {
        // One dot per proc, as HTCondor prints while it queues them.
        let dots = vec![b'.'; n];
        let _ = w.write_all(&dots);
    }
    if chatty {
        let _ = writeln!(w);
    }
    let last = resp.first_proc + resp.num_procs - 1;
    if out.terse {
        let _ = writeln!(w, "{}.{} - {}.{}", resp.cluster, resp.first_proc, resp.cluster, last);
    } else if !out.verbose {
        let _ = writeln!(w, "{} job(s) submitted to cluster {}.", resp.num_procs, resp.cluster);
    }
    let _ = w.flush();
    Ok(Submitted { cluster: resp.cluster, first_proc: resp.first_proc, num_procs: resp.num_procs })
}
