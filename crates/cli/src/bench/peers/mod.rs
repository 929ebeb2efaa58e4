//! Peers: the same burst and latency workloads through another system
//! installed on this machine (`--peer hyperqueue|htcondor|slurm`, repeated
//! or comma-separated, or `--peer all`).
//!
//! A peer that is not installed, or not running where it must already run,
//! is skipped with a sentence saying what is missing and how to set it up
//! (`benches/peers/<peer>.sh`); a peer is never given a number it did not
//! measure. Each peer module finds its peer, runs the workload and returns
//! what it measured.

mod htcondor;
mod hyperqueue;
mod slurm;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    HyperQueue,
    HTCondor,
    Slurm,
}

impl Peer {
    pub const ALL: [Peer; 3] = [Peer::HyperQueue, Peer::HTCondor, Peer::Slurm];

    pub fn name(self) -> &'static str {
        match self {
            Peer::HyperQueue => "hyperqueue",
            Peer::HTCondor => "htcondor",
            Peer::Slurm => "slurm",
        }
    }

    fn parse(s: &str) -> Option<Peer> {
        Peer::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// Measured, or skipped with the reason.
#[derive(Debug)]
pub enum Outcome<T> {
    Ran(T),
    Skipped(String),
}

/// A burst through a peer.
#[derive(Debug, Clone)]
pub struct PeerBurst {
    /// What ran, e.g. `hyperqueue 0.27.0 (Python API)`.
    pub label: String,
    pub jobs: usize,
    /// Submit start → all completed, as the peer's client saw it.
    pub total: Duration,
}

/// The peers named by `--peer` options, in order, without repeats.
pub fn from_args(args: &[String]) -> anyhow::Result<Vec<Peer>> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = if a == "--peer" {
            match it.next() {
                Some(v) => v.as_str(),
                None => bail!("--peer needs a value: hyperqueue, htcondor, slurm or all"),
            }
        } else if let Some(v) = a.strip_prefix("--peer=") {
            v
        } else {
            continue;
        };
        for name in value.split(',').filter(|s| !s.trim().is_empty()) {
            let found: Vec<Peer> = if name.trim() == "all" {
                Peer::ALL.to_vec()
            } else {
                match Peer::parse(name) {
                    Some(p) => vec![p],
                    None => bail!("--peer {name}: unknown peer (hyperqueue, htcondor, slurm or all)"),
                }
            };
            for p in found {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

pub fn burst(peer: Peer, jobs: usize, slots: usize) -> anyhow::Result<Outcome<PeerBurst>> {
    match peer {
        Peer::HyperQueue => hyperqueue::burst(jobs, slots),
        Peer::HTCondor => htcondor::burst(jobs, slots),
        Peer::Slurm => slurm::burst(jobs),
    }
}

/// Submit-to-completed times of `jobs` jobs one at a time, with a label.
pub fn latency(peer: Peer, jobs: usize) -> anyhow::Result<Outcome<(String, Vec<Duration>)>> {
    match peer {
        Peer::HyperQueue => hyperqueue::latency(jobs),
        Peer::HTCondor => htcondor::latency(jobs),
        Peer::Slurm => slurm::latency(jobs),
    }
}

/// `name` found in a directory of `PATH`.
pub(crate) fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// Where the peer set-up scripts keep their state:
/// `$AERIE_PEERS_DIR`, or `~/.cache/aerie-peers`.
pub(crate) fn peers_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("AERIE_PEERS_DIR") {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/aerie-peers"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn peers_are_named_once_each_in_order() {
        assert_eq!(from_args(&args(&["--jobs", "5", "--peer", "slurm,hyperqueue", "--peer=slurm"])).unwrap(), [Peer::Slurm, Peer::HyperQueue]);
        assert_eq!(from_args(&args(&["--peer", "all"])).unwrap(), Peer::ALL);
        assert!(from_args(&args(&[])).unwrap().is_empty());
    }

    #[test]
    fn an_unknown_peer_is_refused_with_the_choices() {
        let e = from_args(&args(&["--peer", "pbs"])).unwrap_err().to_string();
        assert!(e.contains("pbs") && e.contains("hyperqueue, htcondor, slurm"), "{e}");
        assert!(from_args(&args(&["--peer"])).is_err());
    }
}
