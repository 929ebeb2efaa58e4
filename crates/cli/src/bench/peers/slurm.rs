//! Slurm as a peer: a running Slurm (slurmctld + slurmd) found through
//! `SLURM_CONF`, or the single-node one that `benches/peers/slurm.sh start`
//! runs (`~/.cache/aerie-peers/slurm/slurm.conf`).
//!
//! Burst: `sbatch --array` of `--wrap /bin/true` batch jobs (arrays split
//! at the controller's `MaxArraySize`), then `squeue` every 100 ms until
//! none is left (Slurm has no log to block on; its scheduler itself runs
//! at most once a second, so the poll adds little). Latency: `srun
//! /bin/true`, Slurm's own submit-and-wait for one job.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::{on_path, Outcome, PeerBurst};
use crate::bench::pool::output_of;

const SETUP: &str = "install and start it with `benches/peers/slurm.sh install && benches/peers/slurm.sh start`, then export the SLURM_CONF it prints";

/// The configuration file the tools use: `$SLURM_CONF`, else the set-up
/// script's, else the tools' default.
fn conf() -> Option<PathBuf> {
    if let Some(c) = std::env::var_os("SLURM_CONF") {
        return Some(PathBuf::from(c));
    }
    super::peers_dir().map(|d| d.join("slurm/slurm.conf")).filter(|p| p.is_file())
}

fn cmd(name: &str) -> Command {
    let mut c = Command::new(name);
    if let Some(f) = conf() {
        c.env("SLURM_CONF", f);
    }
    c.stdin(Stdio::null());
    c
}

fn run(name: &str, args: &[&str]) -> anyhow::Result<Output> {
    output_of(cmd(name).args(args)).with_context(|| format!("running {name}"))
}

/// Slurm's version when its controller answers with an idle node, or why not.
fn ready() -> Result<String, String> {
    for t in ["sbatch", "squeue", "sinfo", "srun", "scontrol"] {
        if on_path(t).is_none() {
            return Err(format!("`{t}` is not on PATH; {SETUP}"));
        }
    }
    let out = run("sinfo", &["-h", "-o", "%T"]).map_err(|e| format!("{e:#}"))?;
    let states = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("sinfo gets no answer from slurmctld ({}); {SETUP}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    if !states.lines().any(|s| s.trim().starts_with("idle") || s.trim().starts_with("mix")) {
        return Err(format!("no Slurm node is idle (sinfo says: {}); {SETUP}", states.trim()));
    }
    let v = run("sinfo", &["-V"]).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    Ok(if v.is_empty() { "slurm".into() } else { v })
}

/// `MaxArraySize` of the running controller.
fn max_array_size() -> usize {
    let Ok(out) = run("scontrol", &["show", "config"]) else { return 1001 };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.trim().strip_prefix("MaxArraySize").and_then(|r| r.trim().trim_start_matches('=').trim().parse().ok()))
        .unwrap_or(1001)
}

/// True while any of `ids` is pending, running or completing.
fn any_left(ids: &str) -> anyhow::Result<bool> {
    let out = run("squeue", &["-h", "-j", ids, "-o", "%i"])?;
    if out.status.success() {
        return Ok(!out.stdout.iter().all(u8::is_ascii_whitespace));
    }
    let err = String::from_utf8_lossy(&out.stderr);
    // Finished jobs leave the controller after MinJobAge; squeue then no longer knows them.
    if err.contains("Invalid job id") {
        return Ok(false);
    }
    bail!("squeue failed: {}", err.trim())
}

pub fn burst(jobs: usize) -> anyhow::Result<Outcome<PeerBurst>> {
    let version = match ready() {
        Ok(v) => v,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let chunk = max_array_size().saturating_sub(1).max(1);
    let dir = tempfile::Builder::new().prefix("slurm-bench-").tempdir_in("/tmp").context("creating a directory for the Slurm run")?;
    let t0 = Instant::now();
    let mut ids = Vec::new();
    let mut left = jobs;
    while left > 0 {
        let n = left.min(chunk);
        let out = output_of(
            cmd("sbatch")
                .args(["--parsable", &format!("--array=0-{}", n - 1), "-o", "/dev/null", "-e", "/dev/null", "--wrap", "/bin/true"])
                .current_dir(dir.path()),
        )
        .context("running sbatch")?;
        if !out.status.success() {
            bail!("sbatch failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let id = String::from_utf8_lossy(&out.stdout).trim().split(';').next().unwrap_or("").to_string();
        if id.is_empty() {
            bail!("sbatch printed no job id");
        }
        ids.push(id);
        left -= n;
    }
    let ids = ids.join(",");
    while any_left(&ids)? {
        std::thread::sleep(Duration::from_millis(100));
    }
    let total = t0.elapsed();
    Ok(Outcome::Ran(PeerBurst { label: format!("{version}: sbatch --array"), jobs, total }))
}

pub fn latency(jobs: usize) -> anyhow::Result<Outcome<(String, Vec<Duration>)>> {
    let version = match ready() {
        Ok(v) => v,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let mut samples = Vec::with_capacity(jobs);
    for i in 0..=jobs {
        let t0 = Instant::now();
        let out = run("srun", &["-Q", "-n1", "/bin/true"])?;
        let took = t0.elapsed();
        if !out.status.success() {
            bail!("srun /bin/true failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        if i > 0 {
            samples.push(took);
        }
    }
    Ok(Outcome::Ran((format!("{version}: srun /bin/true"), samples)))
}
