//! The `-dry-run` output: every ad condor_submit would send, as text.
//!
//! The format is condor_submit's simulated schedd: each new proc starts
//! with an empty line; the first proc of a cluster is preceded by the
//! cluster ad (`ClusterId=…` first, then the shared attributes); each proc
//! block has `ProcId=…`, `JobStatus=…` and the proc's own attributes. Values
//! are old-syntax ClassAd expressions; attributes are ordered by name
//! length, then name, as HTCondor prints them.

use std::io::Write;

use classad::ClassAd;

use crate::error::SubmitError;
use crate::submission::{ClusterAd, FactorySubmit, JobSink, ProcAd};

/// Attribute names in the order `-dry-run` prints them.
pub fn print_order(ad: &ClassAd) -> Vec<&str> {
    let mut names: Vec<&str> = ad.iter().map(|(n, _)| n).collect();
    names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| crate::hash::cmp_nocase(a, b)));
    names
}

/// Called for each proc written.
pub type ProcHook = Box<dyn FnMut(&ProcAd)>;

/// Writes ads in `-dry-run` form, handing out cluster ids from 1.
pub struct DryRunWriter<W: Write> {
    out: W,
    next_cluster: i64,
    /// A cluster ad was just written: the next proc continues its block.
    after_cluster: bool,
    /// Called once per proc written (condor_submit prints a `.`).
    pub on_proc: Option<ProcHook>,
}

impl<W: Write> DryRunWriter<W> {
    pub fn new(out: W) -> DryRunWriter<W> {
        DryRunWriter { out, next_cluster: 1, after_cluster: false, on_proc: None }
    }

    /// The writer back (to flush or inspect it).
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The writer, to take what was written so far.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn io(e: std::io::Error) -> SubmitError {
        SubmitError::Sink { message: format!("Failed to write the -dry-run output: {e}") }
    }

    fn write_attrs(&mut self, ad: &ClassAd, skip: &[&str]) -> Result<(), SubmitError> {
        let mut buf = String::new();
        for name in print_order(ad) {
            if skip.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(e) = ad.get_own(name) {
                buf.push_str(name);
                buf.push('=');
                buf.push_str(&e.to_string());
                buf.push('\n');
            }
        }
        self.out.write_all(buf.as_bytes()).map_err(Self::io)
    }

    fn write_cluster(&mut self, c: &ClusterAd) -> Result<(), SubmitError> {
        writeln!(self.out, "\nClusterId={}", c.id).map_err(Self::io)?;
        self.write_attrs(&c.ad, &["ClusterId", "ProcId", "JobStatus"])
    }
}

impl<W: Write> JobSink for DryRunWriter<W> {
    fn new_cluster(&mut self) -> Result<i64, SubmitError> {
        let id = self.next_cluster;
        self.next_cluster += 1;
        Ok(id)
    }

    fn cluster_ad(&mut self, cluster: &ClusterAd) -> Result<(), SubmitError> {
        self.write_cluster(cluster)?;
        self.after_cluster = true;
        Ok(())
    }

    fn proc_ad(&mut self, proc: &ProcAd) -> Result<(), SubmitError> {
        if !self.after_cluster {
            self.out.write_all(b"\n").map_err(Self::io)?;
        }
        self.after_cluster = false;
        let status = proc.ad.get_own("JobStatus").map(|e| e.to_string()).unwrap_or_else(|| "1".into());
        writeln!(self.out, "ProcId={}\nJobStatus={status}", proc.proc).map_err(Self::io)?;
        self.write_attrs(&proc.ad, &["ProcId", "JobStatus", "ClusterId", "JobSetId", "JobSetName", "JobUniverse", "Owner"])?;
        if let Some(f) = self.on_proc.as_mut() {
            f(proc);
        }
        Ok(())
    }

    fn factory(&mut self, factory: &FactorySubmit) -> Result<(), SubmitError> {
        self.write_cluster(&factory.cluster)
    }
}

/// Read `-dry-run` output back into full ads, one per proc (the first
/// block overlaid with each proc's block), as name → value text.
pub fn read_dry_run(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks: Vec<Vec<(String, String)>> = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    for line in text.lines() {
        if line.is_empty() {
            if let Some(b) = current.take() {
                blocks.push(b);
            }
            current = Some(Vec::new());
            continue;
        }
        let Some((k, v)) = line.split_once('=') else { continue };
        current.get_or_insert_with(Vec::new).push((k.to_string(), v.to_string()));
    }
    if let Some(b) = current.take() {
        blocks.push(b);
    }
    blocks.retain(|b| !b.is_empty());
    let Some(first) = blocks.first().cloned() else { return Vec::new() };
    let mut out = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if i == 0 {
            out.push(first.clone());
            continue;
        }
        let mut ad = first.clone();
        for (k, v) in b {
            match ad.iter_mut().find(|(n, _)| n == k) {
                Some(slot) => slot.1 = v.clone(),
                None => ad.push((k.clone(), v.clone())),
            }
        }
        out.push(ad);
    }
    out
}
