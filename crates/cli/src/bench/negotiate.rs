//! `aerie bench negotiate`: the matchmaking core alone, on synthetic ads.
//!
//! Builds a pool of `--slots` slot ads shaped like a startd's (about fifty
//! attributes each, with per-machine values such as `KFlops`, `LoadAvg` and
//! `KeyboardIdle` that differ from machine to machine), and `--jobs` idle
//! jobs in `--shapes` autoclusters shared among `--users` submitters, then
//! times full negotiation cycles: interning the ads, grouping, fair share,
//! matching and the rejection analysis, exactly what the daemon runs
//! between reading its inputs and sending the plan. Every cycle starts from
//! a fresh negotiator so each does the whole work (the input is copied
//! before the clock starts). No processes, no sockets.
//!
//! `--kind static|partitionable|mixed` chooses the slots: static slots are
//! eight 1-core slots per machine; partitionable slots are one 32-core slot
//! per machine; mixed is half of each.

use std::time::{Duration, Instant};

use negotiator::core::{CycleInput, Negotiator, ScheddRequests, Settings};
use proto::negotiator::ResourceRequest;
use proto::WireAd;

/// CPU time this thread has used (user + system): on a busy machine the
/// wall time of a cycle includes waiting for a core; this does not.
fn thread_cpu() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    match getrusage(UsageWho::RUSAGE_THREAD) {
        Ok(u) => {
            let tv = |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec().max(0) as u64, (t.tv_usec().max(0) as u32) * 1000);
            tv(u.user_time()) + tv(u.system_time())
        }
        Err(_) => Duration::ZERO,
    }
}

/// A small deterministic generator, so every run sees the same pool.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SlotKind {
    Static,
    Partitionable,
}

fn q(s: &str) -> String {
    format!("\"{s}\"")
}

/// One slot ad as a startd advertises it.
fn slot_ad(rng: &mut Rng, machine: usize, slot_id: usize, kind: SlotKind, mtype: usize) -> WireAd {
    let host = format!("node{machine:05}.pool.example");
    let (arch, total_cpus, total_mem) = match mtype {
        0 => ("X86_64", 32, 131_072),
        1 => ("X86_64", 64, 262_144),
        2 => ("X86_64", 16, 65_536),
        _ => ("aarch64", 32, 131_072),
    };
    let (name, cpus, memory, disk) = match kind {
        SlotKind::Static => (format!("slot{slot_id}@{host}"), 1, total_mem / 8, 100_000_000 / 8),
        SlotKind::Partitionable => (format!("slot1@{host}"), total_cpus, total_mem, 100_000_000),
    };
    let now = 1_700_000_000 + rng.below(60) as i64;
    let mut ad = WireAd::new();
    let mut set = |k: &str, v: String| ad.set(k, v);
    set("MyType", q("Machine"));
    set("TargetType", q("Job"));
    set("Name", q(&name));
    set("Machine", q(&host));
    set("MyAddress", q(&format!("tcp:10.{}.{}.{}:9618", machine / 65536, (machine / 256) % 256, machine % 256)));
    set("State", q("Unclaimed"));
    set("Activity", q("Idle"));
    set("EnteredCurrentState", (now - rng.below(3600) as i64).to_string());
    set("EnteredCurrentActivity", (now - rng.below(3600) as i64).to_string());
    set("LastHeardFrom", now.to_string());
    set("MyCurrentTime", now.to_string());
    set("DaemonStartTime", (now - 86_400).to_string());
    set("UpdateSequenceNumber", rng.below(1000).to_string());
    set("SlotType", q(if kind == SlotKind::Static { "Static" } else { "Partitionable" }));
    set("PartitionableSlot", (kind == SlotKind::Partitionable).to_string());
    set("SlotID", slot_id.to_string());
    set("Cpus", cpus.to_string());
    set("Memory", memory.to_string());
    set("Disk", disk.to_string());
    set("GPUs", "0".into());
    set("TotalCpus", total_cpus.to_string());
    set("TotalMemory", total_mem.to_string());
    set("TotalDisk", "100000000".into());
    set("DetectedCpus", total_cpus.to_string());
    set("DetectedMemory", total_mem.to_string());
    set("Arch", q(arch));
    set("OpSys", q("LINUX"));
    set("OpSysAndVer", q("AlmaLinux9"));
    set("OpSysMajorVer", "9".into());
    set("FileSystemDomain", q("pool.example"));
    set("UidDomain", q("pool.example"));
    set("HasFileTransfer", "true".into());
    set("HasDocker", (mtype != 2).to_string());
    set("KFlops", (900_000 + rng.below(400_000)).to_string());
    set("Mips", (20_000 + rng.below(10_000)).to_string());
    set("LoadAvg", format!("{:.2}", rng.below(200) as f64 / 100.0));
    set("CondorLoadAvg", "0.0".into());
    set("TotalLoadAvg", format!("{:.2}", rng.below(800) as f64 / 100.0));
    set("KeyboardIdle", (rng.below(100_000) + 1000).to_string());
    set("ConsoleIdle", (rng.below(100_000) + 1000).to_string());
    set("CpuBusy", "((LoadAvg - CondorLoadAvg) >= 0.5)".into());
    set("CpuIsBusy", "false".into());
    set("START", "true".into());
    set(
        "WithinResourceLimits",
        "(MY.Cpus > 0 && TARGET.RequestCpus <= MY.Cpus && TARGET.RequestMemory <= MY.Memory && TARGET.RequestDisk <= MY.Disk)".into(),
    );
    set("Requirements", "START && (WithinResourceLimits)".into());
    set("Rank", "0.0".into());
    set("SlotWeight", "Cpus".into());
    set("CondorVersion", q("$CondorVersion: 25.0.0 2025-01-01 $"));
    set("CondorPlatform", q("$CondorPlatform: X86_64-AlmaLinux_9 $"));
    set("IsWakeAble", "false".into());
    set("MachineResources", q("Cpus Memory Disk Swap GPUs"));
    ad
}

/// A representative job ad of one autocluster, as `condor_submit` writes it.
fn job_ad(shape: usize, user: &str) -> WireAd {
    let cpus = [1, 1, 1, 2, 4, 8][shape % 6];
    let memory = [1000, 2048, 3000, 4096, 8192, 1500][(shape / 6) % 6];
    let disk = 1000 + (shape as i64 % 7) * 500_000;
    let mut ad = WireAd::new();
    let mut set = |k: &str, v: String| ad.set(k, v);
    set("MyType", q("Job"));
    set("TargetType", q("Machine"));
    set("ClusterId", (100 + shape).to_string());
    set("ProcId", "0".into());
    set("Owner", q(user.split('@').next().unwrap_or(user)));
    set("User", q(user));
    set("Cmd", q(&format!("/home/{user}/analysis/step{shape}.sh")));
    set("Arguments", q(&format!("--shape {shape}")));
    set("Iwd", q(&format!("/home/{user}/analysis")));
    set("JobUniverse", "5".into());
    set("JobPrio", "0".into());
    set("JobStatus", "1".into());
    set("QDate", "1700000000".into());
    set("RequestCpus", cpus.to_string());
    set("RequestMemory", memory.to_string());
    set("RequestDisk", disk.to_string());
    set("ShouldTransferFiles", q("YES"));
    set("WhenToTransferOutput", q("ON_EXIT"));
    set("TransferInput", q("input.dat"));
    let mut req = String::from(
        "(TARGET.Arch == \"X86_64\") && (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) && \
         (TARGET.Memory >= RequestMemory) && (TARGET.Cpus >= RequestCpus) && (TARGET.HasFileTransfer)",
    );
    if shape % 5 == 1 {
        req.push_str(" && (TARGET.HasDocker == true)");
    }
    if shape % 11 == 3 {
        req.push_str(" && (TARGET.OpSysMajorVer >= 8)");
    }
    set("Requirements", req);
    if shape % 4 == 2 {
        set("Rank", "TARGET.KFlops".into());
    }
    ad
}

pub struct Scenario {
    pub input: CycleInput,
}

/// The synthetic pool and queue.
pub fn scenario(jobs: u64, slots: usize, shapes: usize, users: usize, kind: &str) -> anyhow::Result<Scenario> {
    anyhow::ensure!(shapes > 0 && users > 0, "--shapes and --users must be at least 1");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ads = Vec::with_capacity(slots);
    let (n_static, n_part) = match kind {
        "static" => (slots, 0),
        "partitionable" => (0, slots),
        "mixed" => (slots / 2, slots - slots / 2),
        other => anyhow::bail!("--kind {other}: expected static, partitionable or mixed"),
    };
    let mut machine = 0;
    while ads.len() < n_static {
        let mtype = machine % 4;
        for id in 1..=8 {
            if ads.len() < n_static {
                ads.push(slot_ad(&mut rng, machine, id, SlotKind::Static, mtype));
            }
        }
        machine += 1;
    }
    for _ in 0..n_part {
        let mtype = machine % 4;
        ads.push(slot_ad(&mut rng, machine, 1, SlotKind::Partitionable, mtype));
        machine += 1;
    }
    let users: Vec<String> = (0..users).map(|u| format!("user{u:02}@pool.example")).collect();
    let per = jobs / shapes as u64;
    let mut requests = Vec::with_capacity(shapes);
    for s in 0..shapes {
        let count = per + u64::from((s as u64) < jobs % shapes as u64);
        let user = &users[s % users.len()];
        requests.push(ResourceRequest { autocluster: s as u64 + 1, submitter: user.clone(), count, ad: job_ad(s, user), job: None });
    }
    let schedds = vec![ScheddRequests { name: "schedd@pool.example".into(), requests }];
    Ok(Scenario { input: CycleInput { now: 1_700_000_100.0, slots: ads, schedds } })
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let jobs: u64 = super::flag(args, "--jobs", 100_000)?;
    let slots: usize = super::flag(args, "--slots", 10_000)?;
    let shapes: usize = super::flag(args, "--shapes", 100)?;
    let users: usize = super::flag(args, "--users", 10)?;
    let cycles: usize = super::flag(args, "--cycles", 5)?;
    let kind: String = super::flag(args, "--kind", "mixed".to_string())?;
    anyhow::ensure!(cycles > 0, "--cycles must be at least 1");
    let t0 = Instant::now();
    let sc = scenario(jobs, slots, shapes, users, &kind)?;
    let gen = t0.elapsed();
    let attrs: usize = sc.input.slots.iter().map(WireAd::len).sum();

    // What the service pays to read the collector's answer, for scale.
    let json = serde_json::to_vec(&sc.input.slots)?;
    let t1 = Instant::now();
    let back: Vec<WireAd> = serde_json::from_slice(&json)?;
    let decode = t1.elapsed();
    anyhow::ensure!(back.len() == sc.input.slots.len(), "slot ads did not survive JSON");

    println!(
        "pool: {} slot ads ({kind}, {:.0} attributes each), {} idle jobs in {} autoclusters of {} users; generated in {:.3} s",
        sc.input.slots.len(),
        attrs as f64 / sc.input.slots.len().max(1) as f64,
        jobs,
        shapes,
        users,
        gen.as_secs_f64()
    );
    println!("decoding the slot ads from JSON ({:.1} MB): {:.3} s (service side, not in the cycle time)", json.len() as f64 / 1e6, decode.as_secs_f64());
    println!();
    println!(
        "{:>5} {:>10} {:>9} {:>9} {:>8} {:>8} {:>7} {:>7} {:>11} {:>6} {:>10}",
        "cycle", "seconds", "cpu s", "matched", "matches", "idle", "states", "shapes", "evaluations", "spins", "rejections"
    );
    let mut times: Vec<Duration> = Vec::with_capacity(cycles);
    let mut cpu_times: Vec<Duration> = Vec::with_capacity(cycles);
    let mut last = None;
    for c in 1..=cycles {
        let mut n = Negotiator::new("negotiator@pool.example", Settings::default());
        let input = sc.input.clone();
        let (t, c0) = (Instant::now(), thread_cpu());
        let plan = n.on_cycle(input);
        let (dt, cpu) = (t.elapsed(), thread_cpu().saturating_sub(c0));
        times.push(dt);
        cpu_times.push(cpu);
        let rejections: usize = plan.schedds.iter().map(|s| s.set.rejections.len()).sum();
        let st = &plan.stats;
        println!(
            "{:>5} {:>10.3} {:>9.3} {:>9} {:>8} {:>8} {:>7} {:>7} {:>11} {:>6} {:>10}",
            c,
            dt.as_secs_f64(),
            cpu.as_secs_f64(),
            st.matched_jobs,
            st.matches,
            st.idle_jobs - st.matched_jobs,
            st.states,
            st.shapes,
            st.evaluations,
            st.spins,
            rejections
        );
        last = Some(plan);
    }
    times.sort();
    cpu_times.sort();
    let median = times[times.len() / 2];
    let cpu_median = cpu_times[cpu_times.len() / 2];
    let best = times[0];
    let plan = last.ok_or_else(|| anyhow::anyhow!("no cycle ran"))?;
    if !plan.stats.problems.is_empty() {
        println!("problems: {:?}", plan.stats.problems);
    }
    println!(
        "negotiate: {} jobs, {} slots, {} shapes: {:.3} s per cycle (median of {}, best {:.3} s, {:.3} s of CPU), {} jobs matched in {} matches",
        jobs,
        slots,
        shapes,
        median.as_secs_f64(),
        cycles,
        best.as_secs_f64(),
        cpu_median.as_secs_f64(),
        plan.stats.matched_jobs,
        plan.stats.matches
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_pool_with_room_for_everyone_matches_every_job() {
        let sc = scenario(200, 40, 5, 2, "partitionable").unwrap();
        assert_eq!(sc.input.slots.len(), 40);
        let mut n = Negotiator::new("negotiator@test", Settings::default());
        let plan = n.on_cycle(sc.input);
        assert!(plan.stats.problems.is_empty(), "{:?}", plan.stats.problems);
        assert_eq!(plan.stats.idle_jobs, 200);
        assert_eq!(plan.stats.matched_jobs, 200);
        // The aarch64 machines (every fourth) match none of these x86 jobs.
        assert!(plan.matches().all(|(_, m)| !m.slot_name.ends_with("node00003.pool.example")));
    }

    #[test]
    fn the_benchmark_runs_in_a_reduced_size() {
        let args: Vec<String> = ["--jobs", "500", "--slots", "50", "--shapes", "10", "--cycles", "1", "--kind", "mixed"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        main(&args).unwrap();
        let bad: Vec<String> = ["--kind", "huge"].iter().map(|s| s.to_string()).collect();
        assert!(main(&bad).unwrap_err().to_string().contains("--kind huge"));
    }
}
