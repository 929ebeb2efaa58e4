//! `aerie bench burst --jobs N`: N `/bin/true` jobs through a fresh
//! personal pool, against the spawn floor measured first in the same run.
//!
//! The workload is what a user types: one submit description with
//! `queue N` sent with `condor_submit`, then `condor_wait` on its user log.
//! The clock runs from just before `condor_submit` starts until
//! `condor_wait` returns, so it includes building and durably queueing the
//! ads, matchmaking, every spawn and every exit report.
//!
//! Why `condor_wait` on the user log: it sleeps on inotify and reads only
//! what was appended, so it adds no polling load on the schedd (polling
//! `condor_q` would compete with the pool for the same two cores and add up
//! to one poll interval of error). Its cost is bounded and printed: after
//! the run, the same `condor_wait` re-reads the finished log from the start.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::floor::measure_floor;
use super::peers::{self, Outcome};
use super::pool::{submitted_cluster, CondorPool};
use super::table::{fmt_rate, rate, secs, Table};

/// One burst through a condor-like pool (Aerie's, or HTCondor's as a peer).
#[derive(Debug, Clone, Copy)]
pub struct CondorBurst {
    /// condor_submit alone.
    pub submit: Duration,
    /// condor_submit start → condor_wait returns.
    pub total: Duration,
    /// condor_wait reading the finished log from the start.
    pub reread: Duration,
}

/// Submit `jobs` `/bin/true` jobs as one cluster and wait for all of them.
pub fn condor_burst(pool: &CondorPool, jobs: usize) -> anyhow::Result<CondorBurst> {
    let sub = format!("executable = /bin/true\nlog = burst.log\nqueue {jobs}\n");
    std::fs::write(pool.dir().join("burst.sub"), sub).context("writing burst.sub")?;
    let t0 = Instant::now();
    let out = pool.run("submit", &["burst.sub"])?;
    let submit = t0.elapsed();
    let Some((n, cluster)) = submitted_cluster(&out) else {
        bail!("condor_submit printed no 'N job(s) submitted to cluster C.' line:\n{out}");
    };
    if n as usize != jobs {
        bail!("condor_submit queued {n} jobs, not {jobs}");
    }
    let cluster = cluster.to_string();
    let done = pool.run("wait", &["burst.log", &cluster])?;
    let total = t0.elapsed();
    if !done.contains("All jobs done.") {
        bail!("condor_wait did not report all jobs done:\n{done}");
    }
    let t1 = Instant::now();
    pool.run("wait", &["burst.log", &cluster])?;
    let reread = t1.elapsed();
    Ok(CondorBurst { submit, total, reread })
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let jobs: usize = super::flag(args, "--jobs", 10_000)?;
    anyhow::ensure!(jobs > 0, "--jobs must be at least 1");
    let peers = peers::from_args(args)?;
    // A slow peer may run a smaller burst; rates, not totals, are compared.
    let peer_jobs: usize = super::flag(args, "--peer-jobs", jobs)?;
    anyhow::ensure!(peer_jobs > 0, "--peer-jobs must be at least 1");
    let floor = measure_floor(jobs)?;
    let slots = floor.workers;

    let mut t = Table::new(&["measurement", "jobs", "seconds", "jobs/s"]);
    t.row(vec!["spawn /bin/true, 1 worker".into(), jobs.to_string(), secs(floor.sequential), fmt_rate(floor.sequential_rate())]);
    t.row(vec![format!("spawn /bin/true, {slots} workers (floor)"), jobs.to_string(), secs(floor.parallel), fmt_rate(floor.parallel_rate())]);

    let pool = CondorPool::start_aerie(slots).map_err(|e| anyhow::anyhow!("pool not available: {e:#}"))?;
    let a = condor_burst(&pool, jobs).map_err(|e| anyhow::anyhow!("the burst through the pool in {} failed: {e:#}", pool.dir().display()))?;
    drop(pool);
    let aerie = rate(jobs, a.total);
    t.row(vec![format!("aerie: condor_submit (queue {jobs})"), jobs.to_string(), secs(a.submit), fmt_rate(rate(jobs, a.submit))]);
    t.row(vec![format!("aerie: submit → all completed, {slots} slots"), jobs.to_string(), secs(a.total), fmt_rate(aerie)]);
    t.row(vec!["(condor_wait re-reading the finished log)".into(), jobs.to_string(), secs(a.reread), "-".into()]);

    let mut lines = Vec::new();
    for p in peers {
        match peers::burst(p, peer_jobs, slots) {
            Ok(Outcome::Ran(r)) => {
                let pr = rate(r.jobs, r.total);
                t.row(vec![format!("{}: submit → all completed", r.label), r.jobs.to_string(), secs(r.total), fmt_rate(pr)]);
                lines.push(format!("burst: aerie/{} {:.2} ({} {} jobs/s)", p.name(), aerie / pr, p.name(), fmt_rate(pr)));
            }
            Ok(Outcome::Skipped(why)) => lines.push(format!("burst: {} skipped: {why}", p.name())),
            Err(e) => lines.push(format!("burst: {} failed: {e:#}", p.name())),
        }
    }
    t.print();
    for l in lines {
        println!("{l}");
    }
    let f = floor.parallel_rate();
    println!("burst: aerie {} jobs/s, spawn floor {} jobs/s, ratio {:.3}", fmt_rate(aerie), fmt_rate(f), aerie / f);
    Ok(())
}
