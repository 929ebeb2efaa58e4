//! `aerie bench latency --jobs N`: one job at a time through a fresh
//! personal pool; each sample is `condor_submit` start → `condor_wait`
//! (on that job's own user log) returning, i.e. what a user waits for one
//! short job. One warm-up job first is not counted (the first match of a
//! fresh pool also waits for the startd's first slot ad).

use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::peers::{self, Outcome};
use super::pool::{submitted_cluster, CondorPool};
use super::table::{ms, Spread, Table};

/// Submit-to-completed times of `jobs` jobs run one after the other.
pub fn condor_latency(pool: &CondorPool, jobs: usize) -> anyhow::Result<Vec<Duration>> {
    std::fs::write(pool.dir().join("one.sub"), "executable = /bin/true\nqueue\n").context("writing one.sub")?;
    let logs = pool.dir().join("latency");
    std::fs::create_dir_all(&logs).context("creating the latency log directory")?;
    let mut samples = Vec::with_capacity(jobs);
    for i in 0..=jobs {
        let log = format!("latency/{i}.log");
        let t0 = Instant::now();
        let out = pool.run("submit", &["-a", &format!("log = {log}"), "one.sub"])?;
        let Some((1, cluster)) = submitted_cluster(&out) else {
            bail!("condor_submit did not queue one job:\n{out}");
        };
        let done = pool.run("wait", &[&log, &cluster.to_string()])?;
        let took = t0.elapsed();
        if !done.contains("All jobs done.") {
            bail!("condor_wait did not report the job done:\n{done}");
        }
        if i > 0 {
            samples.push(took);
        }
    }
    Ok(samples)
}

pub fn spread_row(t: &mut Table, label: &str, s: &Spread) {
    t.row(vec![label.to_string(), s.n.to_string(), ms(s.p50), ms(s.p99), ms(s.min), ms(s.max), ms(s.mean)]);
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let jobs: usize = super::flag(args, "--jobs", 100)?;
    anyhow::ensure!(jobs > 0, "--jobs must be at least 1");
    let peers = peers::from_args(args)?;
    let peer_jobs: usize = super::flag(args, "--peer-jobs", jobs)?;
    anyhow::ensure!(peer_jobs > 0, "--peer-jobs must be at least 1");
    let slots = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let pool = CondorPool::start_aerie(slots).map_err(|e| anyhow::anyhow!("pool not available: {e:#}"))?;
    let samples = condor_latency(&pool, jobs).map_err(|e| anyhow::anyhow!("the latency run through the pool in {} failed: {e:#}", pool.dir().display()))?;
    drop(pool);
    let a = Spread::of(&samples);
    let mut t = Table::new(&["submit → completed, one job at a time", "jobs", "p50 ms", "p99 ms", "min ms", "max ms", "mean ms"]);
    spread_row(&mut t, "aerie: condor_submit + condor_wait", &a);
    let mut lines = Vec::new();
    for p in peers {
        match peers::latency(p, peer_jobs) {
            Ok(Outcome::Ran((label, s))) => {
                let s = Spread::of(&s);
                spread_row(&mut t, &label, &s);
                lines.push(format!(
                    "latency: aerie/{} p50 {:.2} ({} p50 {} ms, p99 {} ms)",
                    p.name(),
                    a.p50.as_secs_f64() / s.p50.as_secs_f64().max(1e-9),
                    p.name(),
                    ms(s.p50),
                    ms(s.p99)
                ));
            }
            Ok(Outcome::Skipped(why)) => lines.push(format!("latency: {} skipped: {why}", p.name())),
            Err(e) => lines.push(format!("latency: {} failed: {e:#}", p.name())),
        }
    }
    t.print();
    for l in lines {
        println!("{l}");
    }
    println!("latency: aerie p50 {} ms, p99 {} ms over {} job(s)", ms(a.p50), ms(a.p99), a.n);
    Ok(())
}
