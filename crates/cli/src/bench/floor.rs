//! The physical floor of a job: creating, running and reaping `/bin/true`.
//!
//! Rust's `std::process::Command` uses `posix_spawn` on Linux when no
//! pre-exec hook or other unsupported option is set, which is the case here.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Spawn rates of `/bin/true`.
#[derive(Debug, Clone, Copy)]
pub struct FloorResult {
    pub jobs: usize,
    pub workers: usize,
    pub sequential: Duration,
    pub parallel: Duration,
}

impl FloorResult {
    pub fn sequential_rate(&self) -> f64 {
        self.jobs as f64 / self.sequential.as_secs_f64()
    }

    /// The floor Aerie is compared with: one worker per core.
    pub fn parallel_rate(&self) -> f64 {
        self.jobs as f64 / self.parallel.as_secs_f64()
    }
}

fn spawn_true(n: usize) -> std::io::Result<()> {
    for _ in 0..n {
        let status = Command::new("/bin/true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            return Err(std::io::Error::other(format!("/bin/true exited with {status}")));
        }
    }
    Ok(())
}

/// Measure `jobs` spawns sequentially, then spread over one thread per core.
pub fn measure_floor(jobs: usize) -> anyhow::Result<FloorResult> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let t0 = Instant::now();
    spawn_true(jobs)?;
    let sequential = t0.elapsed();
    let t1 = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let share = jobs / workers + usize::from(w < jobs % workers);
            std::thread::spawn(move || spawn_true(share))
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| anyhow::anyhow!("a spawning thread panicked"))??;
    }
    let parallel = t1.elapsed();
    Ok(FloorResult { jobs, workers, sequential, parallel })
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let jobs: usize = super::flag(args, "--jobs", 10_000)?;
    anyhow::ensure!(jobs > 0, "--jobs must be at least 1");
    let r = measure_floor(jobs)?;
    println!("{:<28} {:>10} {:>12} {:>10}", "measurement", "jobs", "seconds", "jobs/s");
    println!("{:<28} {:>10} {:>12.3} {:>10.0}", "spawn /bin/true, 1 worker", r.jobs, r.sequential.as_secs_f64(), r.sequential_rate());
    println!(
        "{:<28} {:>10} {:>12.3} {:>10.0}",
        format!("spawn /bin/true, {} workers", r.workers),
        r.jobs,
        r.parallel.as_secs_f64(),
        r.parallel_rate()
    );
    println!("floor: spawn floor {:.0} jobs/s ({} workers), sequential {:.0} jobs/s", r.parallel_rate(), r.workers, r.sequential_rate());
    Ok(())
}
