//! `condor_submit -dry-run` throughput: a description queueing 100,000
//! jobs from an item file (three columns per row, four commands that
//! change per job), built and written in `-dry-run` form.
//!
//! Run: `cargo bench -p submit --bench dry_run` (prints the time, the
//! jobs per second, and the CPU time of the process). The same workload
//! through the command line:
//! `condor_submit -dry-run - job.sub > /dev/null` in the directory this
//! bench prints.

use std::sync::Arc;
use std::time::Instant;

use submit::{BuildOptions, DryRunWriter, Params, SubmitOptions, Submission};

const JOBS: usize = 100_000;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let dir = tempfile::Builder::new().prefix("aerie-submit-bench.").tempdir().expect("temp dir");
    let mut items = String::with_capacity(JOBS * 48);
    for i in 0..JOBS {
        items.push_str(&format!("sample_{i:06}, /data/run{}/file_{i}.root, {}\n", i % 97, i % 13));
    }
    std::fs::write(dir.path().join("items.txt"), items).expect("write items");
    std::fs::write(dir.path().join("work.sh"), "#!/bin/sh\necho \"$@\"\n").expect("write exe");
    let description = "executable = work.sh\n\
        arguments = --input $(path) --seed $(seed) --name $(name)\n\
        output = out/$(name).out\n\
        error = out/$(name).err\n\
        log = jobs.log\n\
        request_cpus = 1\n\
        request_memory = 2 GB\n\
        request_disk = 1 GB\n\
        +SampleName = \"$(name)\"\n\
        queue name, path, seed from items.txt\n";
    std::fs::write(dir.path().join("job.sub"), description).expect("write description");

    let mut best = f64::MAX;
    for round in 0..3 {
        let opts = SubmitOptions {
            build: BuildOptions {
                base_dir: dir.path().to_path_buf(),
                environ: Arc::new(vec![("HOME".into(), "/home/bench".into())]),
                dry_run: true,
                ..BuildOptions::default()
            },
            params: Params::from_pairs([("FILESYSTEM_DOMAIN", "localdomain")]),
            submit_file: Some("job.sub".into()),
            ..SubmitOptions::default()
        };
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let mut sub = Submission::from_text("job.sub", description, opts);
        let mut out = DryRunWriter::new(std::io::BufWriter::new(std::io::sink()));
        let report = sub.run(&mut out).expect("the bench description submits");
        let secs = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        assert_eq!(report.job_count() as usize, JOBS);
        best = best.min(secs);
        println!(
            "round {round}: {JOBS} jobs in {:.3} s wall ({:.3} s CPU): {:.0} jobs/s, {:.2} us/job",
            secs,
            cpu,
            JOBS as f64 / secs,
            secs * 1e6 / JOBS as f64
        );
    }
    println!("best: {best:.3} s for {JOBS} jobs (goal: under 1 s); files in {}", dir.path().display());
}
