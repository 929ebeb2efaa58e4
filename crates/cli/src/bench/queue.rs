//! `aerie bench queue --jobs N`: a schedd holding N jobs (`hold = true`,
//! so nothing runs), queried the way users and tools query it:
//! `condor_q -totals`, a `-constraint` the schedd answers from its status
//! index, one that it must evaluate on every job, `-af ClusterId` streaming
//! every job, and one job by id; then the schedd's resident memory from
//! `/proc/<pid>/status`.
//!
//! The queue is filled with `condor_submit` in clusters of `--chunk` procs
//! (default 100,000) so the client never holds a million ads at once. Each
//! query's time is the whole `condor_q` process, start to exit, with its
//! output read (and its lines counted) as it streams.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::pool::{forget_child, output_text, rss_kb, track_child, CondorPool};
use super::submit::{timed_submit, totals};
use super::table::{ms, rate, secs, Table};

/// Run `condor_q ARGS`, reading its output as it comes: (time, lines, text
/// of the first lines).
fn timed_q(pool: &CondorPool, args: &[&str]) -> anyhow::Result<(Duration, usize, String)> {
    let t0 = Instant::now();
    let mut child = pool
        .tool("q")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running condor_q")?;
    let pid = child.id();
    track_child(pid);
    let stdout = child.stdout.take().context("condor_q's output")?;
    let mut lines = 0usize;
    let mut head = String::new();
    for line in BufReader::with_capacity(1 << 16, stdout).lines() {
        let line = line.context("reading condor_q's output")?;
        if lines < 8 {
            head.push_str(&line);
            head.push('\n');
        }
        lines += 1;
    }
    let out = child.wait_with_output().context("waiting for condor_q");
    forget_child(pid);
    let out = out?;
    let took = t0.elapsed();
    if !out.status.success() {
        bail!("condor_q {} failed ({}):\n{head}{}", args.join(" "), out.status, output_text(&out));
    }
    Ok((took, lines, head))
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let jobs: usize = super::flag(args, "--jobs", 1_000_000)?;
    let chunk: usize = super::flag(args, "--chunk", 100_000)?;
    anyhow::ensure!(jobs > 0 && chunk > 0, "--jobs and --chunk must be at least 1");
    let pool = CondorPool::start_aerie(1).map_err(|e| anyhow::anyhow!("pool not available: {e:#}"))?;

    let mut t = Table::new(&["measurement", "jobs", "rows", "ms"]);
    let t0 = Instant::now();
    let mut left = jobs;
    let mut clusters = Vec::new();
    while left > 0 {
        let n = left.min(chunk);
        let (c, _) = timed_submit(&pool, "fill.sub", n)?;
        clusters.push((c, n));
        left -= n;
    }
    let fill = t0.elapsed();
    let (c_last, n_last) = *clusters.last().context("no cluster was submitted")?;

    let (d, _, text) = timed_q(&pool, &["-totals"])?;
    match totals(&text) {
        Some((total, held)) if total as usize == jobs && held as usize == jobs => {}
        other => bail!("condor_q -totals does not show {jobs} held jobs ({other:?}):\n{text}"),
    }
    let totals_time = d;
    t.row(vec![format!("fill: {} condor_submit of up to {chunk} held procs ({:.0} procs/s)", clusters.len(), rate(jobs, fill)), jobs.to_string(), "-".into(), ms(fill)]);
    t.row(vec!["condor_q -totals".into(), jobs.to_string(), "-".into(), ms(totals_time)]);
    let queries: [(&str, Vec<String>, Option<usize>); 4] = [
        ("condor_q -constraint 'JobStatus == 1' -af ClusterId (status index)", vec!["-constraint".into(), "JobStatus == 1".into(), "-af".into(), "ClusterId".into()], Some(0)),
        ("condor_q -constraint 'ProcId == 7' -af ClusterId (every ad evaluated)", vec!["-constraint".into(), "ProcId == 7".into(), "-af".into(), "ClusterId".into()], Some(clusters.iter().filter(|(_, n)| *n > 7).count())),
        ("condor_q -af ClusterId (every job streamed)", vec!["-af".into(), "ClusterId".into()], Some(jobs)),
        ("condor_q C.P -af ProcId (one job by id)", vec![format!("{c_last}.{}", n_last - 1), "-af".into(), "ProcId".into()], Some(1)),
    ];
    for (label, a, want) in &queries {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (d, rows, head) = timed_q(&pool, &a)?;
        if let Some(w) = want {
            if rows != *w {
                bail!("{label}: {rows} rows, expected {w}:\n{head}");
            }
        }
        t.row(vec![label.to_string(), jobs.to_string(), rows.to_string(), ms(d)]);
    }
    let pid = pool.schedd_pid()?;
    let (rss, hwm) = rss_kb(pid)?;
    t.row(vec![format!("schedd resident memory (pid {pid}): VmRSS {} MB, peak VmHWM {} MB", rss / 1024, hwm / 1024), jobs.to_string(), "-".into(), "-".into()]);
    drop(pool);
    t.print();
    println!(
        "queue: {jobs} jobs, condor_q -totals {} ms, schedd RSS {} MB (fill {} s)",
        ms(totals_time),
        rss / 1024,
        secs(fill)
    );
    Ok(())
}
