//! HTCondor as a peer: a real HTCondor installation's `condor_master`,
//! `condor_submit`, `condor_wait`, … run as a fresh personal pool with the
//! very workload Aerie runs (`burst.rs`, `latency.rs`).
//!
//! Its tools are found in `$AERIE_HTCONDOR_BIN` (a directory), or on
//! `PATH` — where a `condor_master` that is a link to this aerie binary
//! (or says it is Aerie) does not count. Debian 12 packages no HTCondor
//! and PyPI's `htcondor` wheel carries only the Python bindings, so on a
//! machine set up from package registries alone this peer is skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{on_path, Outcome, PeerBurst};
use crate::bench::burst::condor_burst;
use crate::bench::latency::condor_latency;
use crate::bench::pool::CondorPool;

const MISSING: &str = "no HTCondor installation found (no condor_master other than Aerie's on PATH, AERIE_HTCONDOR_BIN unset); Debian 12 has no htcondor package and PyPI's htcondor wheel has no daemons — see benches/peers/htcondor.sh";

/// `condor_version`'s first line.
fn version_of(bin: &Path) -> Option<String> {
    let out = Command::new(bin.join("condor_version")).stdin(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    out.status.success().then(|| text.lines().next().unwrap_or("").trim().to_string()).filter(|l| !l.is_empty()).map(|l| {
        if text.contains("Aerie") {
            format!("{l} [Aerie]")
        } else {
            l
        }
    })
}

/// The directory of HTCondor's tools, and its version line.
fn find() -> Result<(PathBuf, String), String> {
    if let Some(dir) = std::env::var_os("AERIE_HTCONDOR_BIN").map(PathBuf::from) {
        for t in ["condor_master", "condor_submit", "condor_wait", "condor_q", "condor_status"] {
            if !dir.join(t).exists() {
                return Err(format!("AERIE_HTCONDOR_BIN={} has no {t}", dir.display()));
            }
        }
        let v = version_of(&dir).ok_or_else(|| format!("{}/condor_version does not answer", dir.display()))?;
        return Ok((dir, v));
    }
    let master = on_path("condor_master").ok_or_else(|| MISSING.to_string())?;
    let me = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    if master.canonicalize().ok() == me {
        return Err(MISSING.into());
    }
    let dir = master.parent().map(Path::to_path_buf).ok_or_else(|| MISSING.to_string())?;
    match version_of(&dir) {
        Some(v) if !v.ends_with("[Aerie]") => Ok((dir, v)),
        _ => Err(MISSING.into()),
    }
}

fn label(version: &str) -> String {
    // `$CondorVersion: 25.0.14 2025-11-20 BuildID: … $` → `htcondor 25.0.14`
    let v = version.trim_start_matches("$CondorVersion:").split_whitespace().next().unwrap_or("?");
    let aerie = if version.ends_with("[Aerie]") { " (Aerie's binaries)" } else { "" };
    format!("htcondor {v}{aerie}")
}

pub fn burst(jobs: usize, slots: usize) -> anyhow::Result<Outcome<PeerBurst>> {
    let (bin, version) = match find() {
        Ok(f) => f,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let pool = CondorPool::start_htcondor(&bin, slots)?;
    let r = condor_burst(&pool, jobs)?;
    Ok(Outcome::Ran(PeerBurst { label: format!("{}, {slots} slots", label(&version)), jobs, total: r.total }))
}

pub fn latency(jobs: usize) -> anyhow::Result<Outcome<(String, Vec<Duration>)>> {
    let (bin, version) = match find() {
        Ok(f) => f,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let slots = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let pool = CondorPool::start_htcondor(&bin, slots)?;
    let s = condor_latency(&pool, jobs)?;
    Ok(Outcome::Ran((format!("{}: condor_submit + condor_wait", label(&version)), s)))
}
