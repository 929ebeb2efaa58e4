//! HyperQueue as a peer, through its PyPI package `hyperqueue`.
//!
//! The `hq` binary is published neither on crates.io nor on PyPI; the PyPI
//! package carries HyperQueue's server and worker in its extension module,
//! and its `LocalCluster` starts both in the calling process. The bench
//! runs `hq_driver.py` (shipped inside this binary) with a Python that can
//! import `hyperqueue`: `$AERIE_HQ_PYTHON`, or the venv that
//! `benches/peers/hyperqueue.sh` makes (`~/.cache/aerie-peers/hyperqueue-venv`).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};

use super::{Outcome, PeerBurst};
use crate::bench::pool::output_of;

const DRIVER: &str = include_str!("hq_driver.py");

const SETUP: &str = "set it up with benches/peers/hyperqueue.sh (a venv with PyPI's hyperqueue), or set AERIE_HQ_PYTHON to a python that imports hyperqueue";

/// A python that imports `hyperqueue`, or why there is none.
fn python() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("AERIE_HQ_PYTHON") {
        Some(p) => vec![PathBuf::from(p)],
        None => super::peers_dir().map(|d| d.join("hyperqueue-venv/bin/python")).into_iter().collect(),
    };
    for p in &candidates {
        let ok = Command::new(p)
            .args(["-c", "import hyperqueue"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return Ok(p.clone());
        }
    }
    let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    let hq = if super::on_path("hq").is_some() { " (an `hq` binary is on PATH, but this bench drives HyperQueue through its Python package)" } else { "" };
    Err(format!("no python that imports hyperqueue (tried {}){hq}; {SETUP}", if tried.is_empty() { "none".into() } else { tried.join(", ") }))
}

/// Run the driver; its last line of output is a JSON object.
fn drive(py: &PathBuf, args: &[String]) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::Builder::new().prefix("hq-bench-").tempdir_in("/tmp").context("creating a directory for HyperQueue")?;
    let script = dir.path().join("hq_driver.py");
    std::fs::write(&script, DRIVER).context("writing hq_driver.py")?;
    let server = dir.path().join("server");
    let out = output_of(Command::new(py).arg(&script).args(args).arg(&server).current_dir(dir.path()).stdin(Stdio::null()))
        .context("running the HyperQueue driver")?;
    if !out.status.success() {
        bail!("the HyperQueue driver failed ({}):\n{}", out.status, crate::bench::pool::output_text(&out));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().rev().find(|l| l.trim_start().starts_with('{')).context("the HyperQueue driver printed no result")?;
    serde_json::from_str(last).with_context(|| format!("the HyperQueue driver's result is not JSON: {last}"))
}

fn label(v: &serde_json::Value) -> String {
    format!("hyperqueue {} (Python API)", v["version"].as_str().unwrap_or("?"))
}

fn secs(v: &serde_json::Value, key: &str) -> anyhow::Result<Duration> {
    let s = v[key].as_f64().with_context(|| format!("the HyperQueue driver's result has no '{key}'"))?;
    Ok(Duration::from_secs_f64(s.max(0.0)))
}

pub fn burst(jobs: usize, cores: usize) -> anyhow::Result<Outcome<PeerBurst>> {
    let py = match python() {
        Ok(p) => p,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let v = drive(&py, &["burst".into(), jobs.to_string(), cores.to_string()])?;
    Ok(Outcome::Ran(PeerBurst { label: format!("{}, {cores} cores", label(&v)), jobs, total: secs(&v, "total")? }))
}

pub fn latency(jobs: usize) -> anyhow::Result<Outcome<(String, Vec<Duration>)>> {
    let py = match python() {
        Ok(p) => p,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let v = drive(&py, &["latency".into(), jobs.to_string()])?;
    let samples: Vec<Duration> = v["samples"]
        .as_array()
        .context("the HyperQueue driver's result has no samples")?
        .iter()
        .filter_map(|s| s.as_f64())
        .map(|s| Duration::from_secs_f64(s.max(0.0)))
        .collect();
    if samples.len() != jobs {
        bail!("the HyperQueue driver returned {} samples for {jobs} jobs", samples.len());
    }
    Ok(Outcome::Ran((format!("{}: submit + wait_for_jobs", label(&v)), samples)))
}
