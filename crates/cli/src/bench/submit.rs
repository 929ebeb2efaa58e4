//! `aerie bench submit --procs N`: the time of one `condor_submit` of N
//! procs (`queue N`) to a running schedd, which answers only after the
//! whole cluster is committed to its SQLite queue — a durable submit.
//!
//! The jobs are submitted with `hold = true` so none starts while the clock
//! runs (starting them would measure the pool, not the submit). For
//! comparison the same description is also built without a schedd
//! (`condor_submit -dry-run /dev/null`): the client's share of the time.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::pool::{submitted_cluster, CondorPool};
use super::table::{fmt_rate, rate, secs, Table};

/// `hold = true` jobs of `/bin/true`, `procs` of them in one cluster.
pub fn held_description(procs: usize) -> String {
    format!("executable = /bin/true\nhold = true\nqueue {procs}\n")
}

/// The totals line of `condor_q -totals`: `N jobs; C completed, R removed,
/// I idle, X running, H held, S suspended` → (N, H).
pub fn totals(text: &str) -> Option<(u64, u64)> {
    let line = text.lines().find(|l| l.contains(" jobs; "))?;
    let (head, _) = line.split_once(" jobs; ")?;
    let total = head.split_whitespace().last()?;
    let held = line.split(", ").find_map(|p| p.trim().strip_suffix(" held"))?;
    Some((total.parse().ok()?, held.trim().parse().ok()?))
}

/// One timed submit of `procs` held jobs to `pool`; the cluster id and time.
pub fn timed_submit(pool: &CondorPool, file: &str, procs: usize) -> anyhow::Result<(u64, Duration)> {
    std::fs::write(pool.dir().join(file), held_description(procs)).with_context(|| format!("writing {file}"))?;
    let t0 = Instant::now();
    let out = pool.run("submit", &[file])?;
    let took = t0.elapsed();
    match submitted_cluster(&out) {
        Some((n, c)) if n as usize == procs => Ok((c, took)),
        _ => bail!("condor_submit did not report {procs} jobs queued:\n{out}"),
    }
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let procs: usize = super::flag(args, "--procs", 100_000)?;
    anyhow::ensure!(procs > 0, "--procs must be at least 1");
    let pool = CondorPool::start_aerie(1).map_err(|e| anyhow::anyhow!("pool not available: {e:#}"))?;
    std::fs::write(pool.dir().join("dry.sub"), held_description(procs)).context("writing dry.sub")?;
    let t0 = Instant::now();
    pool.run("submit", &["-dry-run", "/dev/null", "dry.sub"])?;
    let dry = t0.elapsed();
    let (_, took) = timed_submit(&pool, "held.sub", procs)?;
    // The schedd answered; check that what it acknowledged is in the queue.
    let q = pool.run("q", &["-totals"])?;
    let Some((total, held)) = totals(&q) else {
        bail!("condor_q -totals printed no totals line:\n{q}");
    };
    if total as usize != procs || held as usize != procs {
        bail!("the queue holds {total} jobs ({held} held) after submitting {procs}");
    }
    let t1 = Instant::now();
    pool.run("q", &["-totals"])?;
    let q_time = t1.elapsed();
    drop(pool);
    let mut t = Table::new(&["measurement", "procs", "seconds", "procs/s"]);
    t.row(vec!["condor_submit -dry-run /dev/null (ads built, no schedd)".into(), procs.to_string(), secs(dry), fmt_rate(rate(procs, dry))]);
    t.row(vec!["condor_submit to the schedd (committed)".into(), procs.to_string(), secs(took), fmt_rate(rate(procs, took))]);
    t.row(vec!["condor_q -totals afterwards".into(), total.to_string(), secs(q_time), "-".into()]);
    t.print();
    println!("submit: {procs} procs in {:.3} s ({:.0} procs/s), durable", took.as_secs_f64(), rate(procs, took));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::totals;

    #[test]
    fn totals_lines_of_condor_q() {
        // HTCondor's own output (reference/golden/22-q_totals.txt).
        let golden = "\n\n-- Schedd: condoruser@vm : <127.0.0.1:40601?... @ 11/25/26 10:48:07\nTotal for query: 7 jobs; 1 completed, 0 removed, 2 idle, 3 running, 1 held, 0 suspended \nTotal for all users: 7 jobs; 1 completed, 0 removed, 2 idle, 3 running, 1 held, 0 suspended\n\n";
        assert_eq!(totals(golden), Some((7, 1)));
        assert_eq!(totals("5 jobs; 0 completed, 0 removed, 2 idle, 0 running, 3 held, 0 suspended\n"), Some((5, 3)));
        assert_eq!(totals("nothing\n"), None);
    }
}
