//! Job cgroups, where the kernel lets this user have them (cgroup v2 with
//! a delegated, writable cgroup for the starter).
//!
//! Each job runs in its own child cgroup of the starter's: the starter
//! moves itself into the job's cgroup just before the spawn (the child
//! inherits it) and back right after, so the job and everything it forks
//! are in the cgroup from their first instruction. At the end, every
//! process left in it is killed (`cgroup.kill`) and its peak memory is
//! read (`memory.peak`, when the memory controller is on). Anything that
//! fails turns cgroups off for the starter's life and jobs fall back to
//! process groups.

use std::path::{Path, PathBuf};

/// The starter's cgroup, if usable.
#[derive(Debug, Clone)]
pub struct Cgroups {
    own: PathBuf,
}

/// A job's cgroup.
#[derive(Debug, Clone)]
pub struct JobCgroup {
    pub dir: PathBuf,
}

/// The cgroup v2 path of this process (`0::/path` in `/proc/self/cgroup`).
fn own_cgroup() -> Option<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // A pure v2 host has exactly one line, `0::/…`.
    if text.lines().count() != 1 {
        return None;
    }
    let rel = text.lines().next()?.strip_prefix("0::")?;
    let dir = Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/'));
    dir.join("cgroup.procs").exists().then_some(dir)
}

impl Cgroups {
    /// Cgroups for jobs, when this process may create and join child cgroups.
    pub fn detect() -> Option<Cgroups> {
        let own = own_cgroup()?;
        let probe = own.join(format!("aerie_probe_{}", std::process::id()));
        std::fs::create_dir(&probe).ok()?;
        let ok = std::fs::write(probe.join("cgroup.procs"), std::process::id().to_string()).is_ok()
            && std::fs::write(own.join("cgroup.procs"), std::process::id().to_string()).is_ok();
        let _ = std::fs::remove_dir(&probe);
        ok.then_some(Cgroups { own })
    }

    /// Make the cgroup of job number `seq`.
    pub fn create(&self, seq: u64) -> std::io::Result<JobCgroup> {
        let dir = self.own.join(format!("job_{}_{seq}", std::process::id()));
        std::fs::create_dir(&dir)?;
        Ok(JobCgroup { dir })
    }

    /// Run `spawn` with this process inside `job`'s cgroup.
    pub fn spawn_inside<T>(&self, job: &JobCgroup, spawn: impl FnOnce() -> T) -> std::io::Result<T> {
        let pid = std::process::id().to_string();
        std::fs::write(job.dir.join("cgroup.procs"), &pid)?;
        let r = spawn();
        std::fs::write(self.own.join("cgroup.procs"), &pid)?;
        Ok(r)
    }
}

impl JobCgroup {
    /// Peak memory in KiB, when the memory controller reports it.
    pub fn peak_kb(&self) -> Option<i64> {
        std::fs::read_to_string(self.dir.join("memory.peak")).ok()?.trim().parse::<i64>().ok().map(|b| b / 1024)
    }

    /// Kill everything left in the cgroup and remove it.
    pub fn kill_and_remove(&self) {
        let _ = std::fs::write(self.dir.join("cgroup.kill"), "1");
        for _ in 0..100 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        tracing::warn!("cannot remove job cgroup {}", self.dir.display());
    }
}
