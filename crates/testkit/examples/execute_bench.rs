//! The execute side's own speed: a personal pool of a collector and a
//! startd, claimed through the real client, with a stand-in schedd that
//! refills each claim from its exit acks (the claim protocol's steady
//! state). Prints the spawn floor measured in the same run, the burst
//! rate of `/bin/true` jobs through startd + starters, and the latency of
//! one job from activation to its exit report.
//!
//! ```sh
//! cargo build --release -p aerie-cli
//! AERIE_BIN=target/release/aerie cargo run --release -p testkit --example execute_bench -- --jobs 10000 --slots 2 [--depth N]
//! ```

use std::time::{Duration, Instant};

use proto::address::Daemon;
use proto::collector::quote;
use proto::startd::{Activate, RequestClaim};
use proto::{JobId, WireAd};
use testkit::fake_schedd::FakeSchedd;
use testkit::{Pool, PoolOptions};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn job(iwd: &str) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("Cmd", quote("/bin/true"));
    ad.set("Iwd", quote(iwd));
    ad.set("Owner", quote(&daemon::host::current_user()));
    ad.set("RequestCpus", "1");
    ad.set("RequestMemory", "64");
    ad.set("RequestDisk", "1024");
    ad.set("In", quote("/dev/null"));
    ad.set("Out", quote("/dev/null"));
    ad.set("Err", quote("/dev/null"));
    ad.set("ShouldTransferFiles", quote("YES"));
    ad
}

/// `posix_spawn` + wait of `/bin/true`, `n` times, on `workers` threads.
fn floor(n: usize, workers: usize) -> f64 {
    let t = Instant::now();
    let each = n / workers;
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..each {
                    let _ = std::process::Command::new("/bin/true").status();
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    (each * workers) as f64 / t.elapsed().as_secs_f64()
}

fn main() -> Result<(), String> {
    let jobs = arg("--jobs", 10_000);
    let slots = arg("--slots", 2);
    let latency_runs = arg("--latency", 200);
    let depth_knob = arg("--depth", 0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);

    let floor_seq = floor(jobs.min(5000), 1);
    let floor_par = floor(jobs.min(5000), cores);
    println!("spawn floor: {floor_seq:.0} jobs/s sequential, {floor_par:.0} jobs/s with {cores} workers");

    // One cpu more than the burst claims, for the new-claim latency runs.
    let mut opts = PoolOptions::default().daemons(&["COLLECTOR", "STARTD"]).slots(slots as u32 + 1);
    if depth_knob > 0 {
        opts = opts.config("STARTD_JOB_QUEUE_DEPTH", &depth_knob.to_string());
    }
    let pool = Pool::start_with(opts)?;
    let schedd = FakeSchedd::start(pool.dir())?;
    let c = pool.client(Daemon::Startd)?;
    let host = daemon::host::hostname();
    let iwd = pool.dir().display().to_string();
    let ad = job(&iwd);
    let mut claims = Vec::new();
    for _ in 0..slots {
        let g = client::startd::request_claim_blocking(
            &c,
            &RequestClaim { slot_name: format!("slot1@{host}"), schedd: schedd.address(), schedd_name: None, job: ad.clone(), lease_secs: None },
        )
        .map_err(|e| e.to_string())?;
        claims.push(g);
    }
    let depth = claims[0].queue_depth as usize;

    // Latency: one job at a time on the first claim, activation → exit report.
    let mut lat = Vec::with_capacity(latency_runs);
    for p in 0..latency_runs as i64 {
        let id = JobId { cluster: 1, proc: p };
        let t = Instant::now();
        client::startd::activate_blocking(&c, &Activate { claim_id: claims[0].claim_id.clone(), job_id: id, job: ad.clone() })
            .map_err(|e| e.to_string())?;
        schedd.wait_exit(id, Duration::from_secs(10))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize];
    println!("one job, activation to exit report: p50 {:.2} ms, p99 {:.2} ms ({} runs)", pct(0.5), pct(0.99), lat.len());

    // Latency with a new claim for every job (claim, activate, exit, release).
    let mut fresh = Vec::with_capacity(latency_runs / 4 + 1);
    let mut claim_ms = Vec::with_capacity(latency_runs / 4 + 1);
    for p in 0..(latency_runs / 4).max(1) as i64 {
        let id = JobId { cluster: 3, proc: p };
        let t = Instant::now();
        let g = client::startd::request_claim_blocking(
            &c,
            &RequestClaim { slot_name: format!("slot1@{host}"), schedd: schedd.address(), schedd_name: None, job: ad.clone(), lease_secs: None },
        )
        .map_err(|e| e.to_string())?;
        claim_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        client::startd::activate_blocking(&c, &Activate { claim_id: g.claim_id.clone(), job_id: id, job: ad.clone() })
            .map_err(|e| e.to_string())?;
        schedd.wait_exit(id, Duration::from_secs(10))?;
        fresh.push(t.elapsed().as_secs_f64() * 1000.0);
        client::startd::release_blocking(&c, &proto::startd::ReleaseClaim { claim_id: g.claim_id }).map_err(|e| e.to_string())?;
    }
    fresh.sort_by(|a, b| a.total_cmp(b));
    let fpct = |q: f64| fresh[((fresh.len() as f64 - 1.0) * q).round() as usize];
    claim_ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "one job on a new claim, claim to exit report: p50 {:.2} ms, p99 {:.2} ms ({} runs; the claim request alone: p50 {:.2} ms)",
        fpct(0.5),
        fpct(0.99),
        fresh.len(),
        claim_ms[claim_ms.len() / 2]
    );

    // Burst: fill every claim's queue, refill from the exit acks.
    let before = schedd.exit_count();
    let t = Instant::now();
    let mut next = 0usize;
    for (i, g) in claims.iter().enumerate() {
        let mine: Vec<usize> = (0..jobs).filter(|j| j % slots == i).collect();
        for (k, j) in mine.iter().enumerate() {
            let act = Activate { claim_id: g.claim_id.clone(), job_id: JobId { cluster: 2, proc: *j as i64 }, job: ad.clone() };
            if k <= depth {
                client::startd::activate_blocking(&c, &act).map_err(|e| e.to_string())?;
            } else {
                schedd.queue_next(act);
            }
            next += 1;
        }
    }
    schedd.wait_exit_count(before + next, Duration::from_secs(600))?;
    let secs = t.elapsed().as_secs_f64();
    let rate = jobs as f64 / secs;
    let reports = schedd.events().len();
    println!(
        "burst: {jobs} /bin/true jobs on {slots} claims in {secs:.2} s: {rate:.0} jobs/s ({reports} event reports in all, {:.1} per report on average)",
        schedd.exit_count() as f64 / reports.max(1) as f64
    );
    println!("execute side: {rate:.0} jobs/s, spawn floor {floor_par:.0} jobs/s, ratio {:.2}", rate / floor_par);
    if std::env::var("KEEP_LOGS").is_ok() {
        let _ = std::process::Command::new("cp").arg("-r").arg(pool.log_dir()).arg("/tmp/bench-logs").status();
    }
    Ok(())
}
