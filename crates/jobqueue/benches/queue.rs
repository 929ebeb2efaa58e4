//! Queue benchmarks: submit commit, open/recover, scans, totals, RSS.
//!
//! ```text
//! cargo bench -p jobqueue --bench queue                       # 100k-proc commit, 1M-job queue
//! cargo bench -p jobqueue --bench queue -- --jobs 100000 --procs 10000
//! cargo bench -p jobqueue --bench queue -- --full             # synchronous = FULL
//! cargo bench -p jobqueue --bench queue -- --dir D --keep     # keep D/queue.sqlite3
//! target/release/deps/queue-* --load D/queue.sqlite3          # only the open/query phase
//! ```
//!
//! Phases: (1) commit one cluster of `--procs` procs into a fresh queue,
//! three times; (2) fill a queue with `--jobs` jobs in clusters of
//! `--procs` (5 owners; 5% held, 1% running); (3) in a fresh process (so
//! RSS is that of a schedd that just restarted): open it, then time
//! totals, scans and small commits, and read VmRSS.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use classad::{ClassAd, Expr, Value};
use jobqueue::{Change, Filter, JobId, JobQueue, JobStatus, OpenOptions, Synchronous};

struct Args {
    jobs: i64,
    procs: i64,
    full: bool,
    keep: bool,
    dir: Option<PathBuf>,
    load: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args { jobs: 1_000_000, procs: 100_000, full: false, keep: false, dir: None, load: None };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--jobs" => a.jobs = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.jobs),
            "--procs" => a.procs = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.procs),
            "--full" => a.full = true,
            "--keep" => a.keep = true,
            "--dir" => a.dir = it.next().map(PathBuf::from),
            "--load" => a.load = it.next().map(PathBuf::from),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

fn opts(full: bool) -> OpenOptions {
    OpenOptions { synchronous: if full { Synchronous::Full } else { Synchronous::Normal } }
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time of this thread so far (ns), from the scheduler's accounting:
/// on a shared machine it moves much less than wall time.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

#[derive(Clone, Copy)]
struct Clock {
    wall: Instant,
    cpu: u64,
}

#[derive(Clone, Copy, PartialEq, PartialOrd)]
struct Span {
    wall: Duration,
    cpu: Duration,
}

impl Clock {
    fn start() -> Clock {
        Clock { wall: Instant::now(), cpu: cpu_ns() }
    }
    fn stop(&self) -> Span {
        Span { wall: self.wall.elapsed(), cpu: Duration::from_nanos(cpu_ns().saturating_sub(self.cpu)) }
    }
}

impl Span {
    fn div(self, n: u32) -> Span {
        Span { wall: self.wall / n, cpu: self.cpu / n }
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (w, c) = (self.wall.as_secs_f64() * 1e3, self.cpu.as_secs_f64() * 1e3);
        let s = if w < 10.0 { format!("{w:.3} ms (cpu {c:.1})") } else { format!("{w:.1} ms (cpu {c:.1})") };
        f.pad(&s)
    }
}

/// A cluster ad like the one `condor_submit` makes for `/bin/sleep`.
fn cluster_ad(cluster: i64, owner: &str) -> ClassAd {
    let text = format!(
        r#"
ClusterId = {cluster}
Owner = "{owner}"
User = "{owner}@example.org"
Cmd = "/bin/sleep"
Args = "60"
Iwd = "/home/{owner}/work"
Out = "out.$(Process)"
Err = "err.$(Process)"
UserLog = "/home/{owner}/work/job.log"
In = "/dev/null"
JobUniverse = 5
JobPrio = 0
JobStatus = 1
JobLeaseDuration = 2400
JobNotification = 0
QDate = 1700000000
CompletionDate = 0
NumCkpts = 0
NumJobStarts = 0
NumRestarts = 0
NumSystemHolds = 0
RemoteUserCpu = 0.0
RemoteSysCpu = 0.0
RemoteWallClockTime = 0.0
CumulativeSlotTime = 0
ExitBySignal = false
ExitStatus = 0
RequestCpus = 1
RequestMemory = 2048
RequestDisk = DiskUsage
DiskUsage = 1
ImageSize = 1
MaxHosts = 1
MinHosts = 1
CurrentHosts = 0
Rank = 0.0
LeaveJobInQueue = false
OnExitHold = false
OnExitRemove = true
PeriodicHold = false
PeriodicRelease = false
PeriodicRemove = false
ShouldTransferFiles = "IF_NEEDED"
WhenToTransferOutput = "ON_EXIT"
TransferIn = false
MyType = "Job"
TargetType = "Machine"
Requirements = (TARGET.Arch == "X86_64") && (TARGET.OpSys == "LINUX") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer))
FileSystemDomain = "example.org"
Environment = ""
"#
    );
    ClassAd::parse_old(&text).expect("benchmark cluster ad parses")
}

fn status_for(p: i64) -> i64 {
    if p % 20 == 0 {
        JobStatus::Held.code()
    } else if p % 100 == 1 {
        JobStatus::Running.code()
    } else {
        JobStatus::Idle.code()
    }
}

fn submit_changes(cluster: i64, owner: &str, procs: i64, mixed: bool) -> Vec<Change> {
    let mut changes = Vec::with_capacity(procs as usize + 1);
    changes.push(Change::NewCluster { cluster, ad: cluster_ad(cluster, owner) });
    for p in 0..procs {
        let mut ad = ClassAd::new();
        ad.insert_value("ProcId", Value::Int(p));
        ad.insert_value("JobStatus", Value::Int(if mixed { status_for(p) } else { 1 }));
        ad.insert_value("EnteredCurrentStatus", Value::Int(1_700_000_000));
        changes.push(Change::NewProc { id: JobId { cluster, proc: p }, ad });
    }
    changes
}

fn main() {
    let a = args();
    if let Some(db) = &a.load {
        load_phase(db, &a);
        return;
    }
    let tmp;
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempdir();
            tmp.clone()
        }
    };
    println!("jobqueue benchmark: --procs {} --jobs {} synchronous={}", a.procs, a.jobs, if a.full { "FULL" } else { "NORMAL" });
    println!("{:<60} {:>26}", "what", "wall (cpu of this thread)");

    // (1) commit of one cluster.
    let mut commits = Vec::new();
    for round in 0..3 {
        let path = dir.join(format!("commit{round}.sqlite3"));
        let _ = std::fs::remove_file(&path);
        let (mut q, _) = JobQueue::open_with(&path, opts(a.full)).expect("open");
        let c = q.new_cluster().expect("reserve");
        let t = Clock::start();
        let changes = submit_changes(c, "alice", a.procs, false);
        let build = t.stop();
        let t = Clock::start();
        q.commit(changes).expect("commit");
        let commit = t.stop();
        println!("{:<60} {:>26}", format!("build {} NewProc changes (not part of commit)", a.procs), build);
        println!("{:<60} {:>26}", format!("commit 1 cluster of {} procs (round {round})", a.procs), commit);
        commits.push(commit);
        drop(q);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(path.with_extension("sqlite3-wal")).map(|m| m.len()).unwrap_or(0);
        if round == 0 {
            println!("{:<60} {:>26}", "  database + WAL size", format!("{:.1} MB", size as f64 / 1e6));
        }
        remove_db(&path);
    }
    commits.sort_by_key(|a| a.wall);

    // (2) fill.
    let path = dir.join("queue.sqlite3");
    remove_db(&path);
    let t = Clock::start();
    {
        let (mut q, _) = JobQueue::open_with(&path, opts(a.full)).expect("open");
        let owners = ["alice", "bob", "carol", "dave", "erin"];
        let mut left = a.jobs;
        let mut i = 0;
        while left > 0 {
            let n = left.min(a.procs);
            let c = q.new_cluster().expect("reserve");
            q.commit(submit_changes(c, owners[i % owners.len()], n, true)).expect("commit");
            left -= n;
            i += 1;
        }
        println!("{:<60} {:>26}", format!("fill {} jobs in {i} commits", a.jobs), t.stop());
        println!("{:<60} {:>26}", "  RSS of the filling process", format!("{:.0} MB", rss_mb()));
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("{:<60} {:>26}", "  database size", format!("{:.1} MB", size as f64 / 1e6));

    // (3) fresh process.
    let exe = std::env::current_exe().expect("own path");
    let mut cmd = Command::new(exe);
    cmd.arg("--load").arg(&path).arg("--jobs").arg(a.jobs.to_string());
    if a.full {
        cmd.arg("--full");
    }
    let status = cmd.status().expect("run the load phase");
    assert!(status.success(), "load phase failed");
    history_phase(&dir);
    println!(
        "summary: commit of {} procs {} (median of 3)",
        a.procs,
        commits[1],
    );
    if a.keep {
        println!("kept {}", path.display());
    } else {
        remove_db(&path);
    }
    if a.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn load_phase(path: &Path, a: &Args) {
    let base = rss_mb();
    let t = Clock::start();
    let (mut q, rec) = JobQueue::open_with(path, opts(a.full)).expect("open");
    let open = t.stop();
    let rss = rss_mb();
    println!("{:<60} {:>26}", format!("open/recover {} jobs ({} clusters)", rec.jobs, rec.clusters), open);
    println!("{:<60} {:>26}", "RSS after open (whole process)", format!("{rss:.0} MB"));
    println!(
        "{:<60} {:>26}",
        "  per job (RSS growth / jobs)",
        format!("{:.0} B", (rss - base) * 1024.0 * 1024.0 / rec.jobs.max(1) as f64)
    );

    let time = |label: &str, f: &mut dyn FnMut() -> usize| {
        let mut best = Span { wall: Duration::MAX, cpu: Duration::MAX };
        let mut n = 0;
        for _ in 0..3 {
            let t = Clock::start();
            n = f();
            let d = t.stop();
            if d.wall < best.wall {
                best = d;
            }
        }
        println!("{:<60} {:>26}", format!("{label} [{n}]"), best);
    };

    time("totals, all jobs (condor_q -totals -allusers)", &mut || q.totals(&Filter::all()).jobs);
    time("totals, one owner (condor_q -totals)", &mut || q.totals(&Filter::all().owner("bob")).jobs);
    let c = |t: &str| Filter::all().constraint(Expr::parse(t).expect("constraint parses"));
    let scan_count = |q: &JobQueue, f: &Filter| {
        let mut n = 0;
        q.scan(f, |_, _| {
            n += 1;
            ControlFlow::Continue(())
        });
        n
    };
    let held = c("JobStatus == 5");
    time("scan -constraint 'JobStatus == 5' (status index)", &mut || scan_count(&q, &held));
    let mem = c("RequestMemory > 1024 && Owner == \"carol\"");
    time("scan -constraint 'RequestMemory > 1024 && Owner == \"carol\"'", &mut || scan_count(&q, &mem));
    let procs = c("ProcId % 1000 == 7");
    time("scan -constraint 'ProcId % 1000 == 7'", &mut || scan_count(&q, &procs));
    let tot = c("RequestMemory > 1024");
    time("totals -constraint 'RequestMemory > 1024'", &mut || q.totals(&tot).jobs);
    time("scan all, evaluate ClusterId (condor_q -af ClusterId)", &mut || {
        let mut n = 0i64;
        q.scan(&Filter::all(), |_, ad| {
            if let Value::Int(c) = ad.eval_attr("ClusterId") {
                n += c.signum();
            }
            ControlFlow::Continue(())
        });
        n as usize
    });
    time("ids_with_status(Running)", &mut || q.ids_with_status(JobStatus::Running).count());

    // Small commits on the big queue.
    let ids: Vec<JobId> = q.ids_with_status(JobStatus::Idle).take(1000).collect();
    let t = Clock::start();
    for id in ids.iter().take(100) {
        q.commit(vec![Change::SetAttr { id: *id, name: "JobStatus".into(), value: Expr::literal(Value::Int(2)) }])
            .expect("commit");
    }
    println!("{:<60} {:>26}", "commit of 1 SetAttr (mean of 100)", t.stop().div(100));
    let t = Clock::start();
    let batch: Vec<Change> = ids
        .iter()
        .flat_map(|id| {
            [
                Change::SetAttr { id: *id, name: "JobStatus".into(), value: Expr::literal(Value::Int(4)) },
                Change::SetAttr { id: *id, name: "CompletionDate".into(), value: Expr::literal(Value::Int(1_700_000_500)) },
            ]
        })
        .collect();
    q.commit(batch).expect("commit");
    println!("{:<60} {:>26}", "commit of 2,000 SetAttr on 1,000 jobs", t.stop());
    let t = Clock::start();
    q.commit(ids.iter().map(|id| Change::RemoveJob { id: *id }).collect()).expect("commit");
    println!("{:<60} {:>26}", "commit of 1,000 RemoveJob", t.stop());
    let first = q.clusters().next().map(|c| c.0);
    if let Some(cl) = first {
        let t = Clock::start();
        q.commit(vec![Change::SetClusterAttr { cluster: cl, name: "JobPrio".into(), value: Expr::literal(Value::Int(5)) }])
            .expect("commit");
        println!("{:<60} {:>26}", "commit of 1 SetClusterAttr on a full cluster", t.stop());
    }
    println!("{:<60} {:>26}", "RSS at the end", format!("{:.0} MB", rss_mb()));
    println!(
        "summary: open {} jobs {}, RSS {:.0} MB, totals {}",
        rec.jobs,
        open,
        rss,
        {
            let t = Clock::start();
            let _ = q.totals(&Filter::all().owner("bob"));
            t.stop()
        }
    );
}

/// Append finished ads to a history file and read them back newest first.
fn history_phase(dir: &Path) {
    let path = dir.join("history");
    let _ = std::fs::remove_file(&path);
    let mut h = jobqueue::History::open(&path).expect("open history");
    let cluster = std::sync::Arc::new(cluster_ad(1, "alice"));
    let n_batches = 20u32;
    let per = 1000;
    let mut append = Span { wall: Duration::ZERO, cpu: Duration::ZERO };
    for b in 0..n_batches {
        let ads: Vec<ClassAd> = (0..per)
            .map(|p| {
                let mut ad = ClassAd::new();
                ad.insert_value("ProcId", Value::Int(p));
                ad.insert_value("JobStatus", Value::Int(4));
                ad.insert_value("CompletionDate", Value::Int(1_700_000_000 + p));
                ad.chain_to(cluster.clone());
                ad
            })
            .collect();
        let t = Clock::start();
        h.append(&ads).expect("append");
        let d = t.stop();
        append.wall += d.wall;
        append.cpu += d.cpu;
        let _ = b;
    }
    let files = h.files();
    let size: u64 = files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum();
    println!(
        "{:<60} {:>26}",
        format!("history: append {per} ads with fsync (mean of {n_batches})"),
        append.div(n_batches)
    );
    let t = Clock::start();
    let first = h.newest_first().expect("read").take(100).filter(|a| a.is_ok()).count();
    println!("{:<60} {:>26}", format!("history: newest {first} of {} ads ({:.0} MB, {} files)", n_batches * per as u32, size as f64 / 1e6, files.len()), t.stop());
    let t = Clock::start();
    let all = h.newest_first().expect("read").filter(|a| a.is_ok()).count();
    println!("{:<60} {:>26}", format!("history: all {all} ads, newest first"), t.stop());
    let t = Clock::start();
    let one = h
        .newest_first_of(&[jobqueue::JobSpec::Job(JobId { cluster: 1, proc: 7 })], &[])
        .expect("read")
        .filter(|a| a.is_ok())
        .count();
    println!("{:<60} {:>26}", format!("history: condor_history 1.7 (banner filter) [{one}]"), t.stop());
    for f in h.files() {
        let _ = std::fs::remove_file(f);
    }
}

fn tempdir() -> PathBuf {
    let base = std::env::var_os("TMPDIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp"));
    let d = base.join(format!("jobqueue-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create a temporary directory");
    d
}

fn remove_db(path: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}
