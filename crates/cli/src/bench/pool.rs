//! The pools a benchmark runs its workload through: a fresh Aerie personal
//! pool (`aerie pool start DIR --slots N`, the command a user runs), or a
//! real HTCondor personal pool when it is installed (a peer).
//!
//! Both are driven the same way, through their own `condor_submit`,
//! `condor_wait` and `condor_q` with `CONDOR_CONFIG` pointing at the pool,
//! so the workload code in `burst.rs`/`latency.rs` is shared. A pool lives
//! in a temporary directory under `/tmp` (Unix socket paths are short) and
//! is stopped when the handle is dropped, also on an error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use proto::address::Daemon;

/// Pools started and not yet stopped, so an interrupted benchmark
/// (Ctrl-C, SIGTERM) stops them instead of leaving daemons behind.
static LIVE: Mutex<Vec<(PathBuf, Kind)>> = Mutex::new(Vec::new());

/// Tools running on behalf of the benchmark (`condor_wait`, …), ended on a signal too.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Run a command to completion with its output captured, ending it if the
/// benchmark is interrupted meanwhile.
pub fn output_of(cmd: &mut Command) -> std::io::Result<Output> {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let pid = child.id();
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
    let out = child.wait_with_output();
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| *p != pid);
    out
}

/// Remember a child started elsewhere until [`forget_child`].
pub fn track_child(pid: u32) {
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
}

pub fn forget_child(pid: u32) {
    CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| *p != pid);
}

/// The write end of the pipe the signal handler reports on.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: nix::libc::c_int) {
    let byte = sig as u8;
    // SAFETY: write(2) is async-signal-safe; the descriptor stays open for the process's life.
    unsafe {
        nix::libc::write(SIGNAL_PIPE.load(Ordering::Relaxed), (&byte as *const u8).cast(), 1);
    }
}

/// Stop every live pool when SIGINT, SIGTERM or SIGHUP arrives, then exit
/// with 128 + the signal. The handler only writes the signal's number to a
/// pipe; a thread does the stopping. (A handler, unlike a blocked signal
/// mask, is not inherited by the commands the benchmark runs.)
pub fn stop_pools_on_signals() {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let Ok((rd, wr)) = nix::unistd::pipe() else { return };
    SIGNAL_PIPE.store(std::os::fd::IntoRawFd::into_raw_fd(wr), Ordering::Relaxed);
    let action = SigAction::new(SigHandler::Handler(on_signal), SaFlags::SA_RESTART, SigSet::empty());
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only calls write(2).
        let _ = unsafe { sigaction(s, &action) };
    }
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let mut file = std::fs::File::from(rd);
        if std::io::Read::read_exact(&mut file, &mut byte).is_err() {
            return;
        }
        let sig = byte[0] as i32;
        eprintln!("aerie bench: interrupted (signal {sig}); stopping the pools it started");
        for pid in std::mem::take(&mut *CHILDREN.lock().unwrap_or_else(|e| e.into_inner())) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGTERM);
        }
        let live = std::mem::take(&mut *LIVE.lock().unwrap_or_else(|e| e.into_inner()));
        for (dir, kind) in live {
            stop_kind(&dir, &kind);
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::process::exit(128 + sig);
    });
}

fn register(dir: &Path, kind: &Kind) {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).push((dir.to_path_buf(), kind.clone()));
}

fn unregister(dir: &Path) {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|(d, _)| d != dir);
}

/// Tools linked into an Aerie pool's `bin/` (the aerie binary under
/// HTCondor's names).
const TOOLS: &[&str] = &["submit", "q", "wait", "history", "rm", "hold", "release", "status", "version", "master"];

#[derive(Debug, Clone)]
enum Kind {
    /// `aerie pool start`; `exe` is the aerie binary.
    Aerie { exe: PathBuf },
    /// A real HTCondor; `master_pid` from the pid file it wrote.
    HTCondor { pidfile: PathBuf },
}

/// A running pool in a temporary directory.
#[derive(Debug)]
pub struct CondorPool {
    dir: tempfile::TempDir,
    bin: PathBuf,
    kind: Kind,
    stopped: bool,
}

fn tempdir(prefix: &str) -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(prefix).tempdir_in("/tmp").context("creating a directory for the pool under /tmp")
}

/// The text of what a failed command printed, with very long lines (the
/// progress dots of a big `condor_submit`) cut short.
pub fn output_text(out: &Output) -> String {
    let mut s = String::new();
    for part in [&out.stdout, &out.stderr] {
        for line in String::from_utf8_lossy(part).lines() {
            if !s.is_empty() {
                s.push('\n');
            }
            let n = line.chars().count();
            if n > 200 {
                s.extend(line.chars().take(60));
                s.push_str(&format!("… ({n} characters)"));
            } else {
                s.push_str(line);
            }
        }
    }
    s.trim().to_string()
}

impl CondorPool {
    /// Start a fresh Aerie personal pool with `slots` one-core slots.
    pub fn start_aerie(slots: usize) -> anyhow::Result<CondorPool> {
        let exe = std::env::current_exe().context("finding the aerie binary")?;
        let dir = tempdir("aerie-bench-")?;
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).with_context(|| format!("creating {}", bin.display()))?;
        for t in TOOLS {
            let link = bin.join(format!("condor_{t}"));
            std::os::unix::fs::symlink(&exe, &link).with_context(|| format!("linking {}", link.display()))?;
        }
        let pool = CondorPool { dir, bin, kind: Kind::Aerie { exe: exe.clone() }, stopped: false };
        // A master may run from here on: stop it on every path, also on a signal.
        register(pool.dir(), &pool.kind);
        let out = output_of(
            Command::new(&exe)
                .args(["pool", "start"])
                .arg(pool.dir())
                .args(["--slots", &slots.to_string(), "--timeout", "60"])
                .env_remove("CONDOR_CONFIG")
                .stdin(Stdio::null()),
        )
        .context("running aerie pool start")?;
        if !out.status.success() {
            bail!("`aerie pool start {} --slots {slots}` failed ({}):\n{}", pool.dir().display(), out.status, output_text(&out));
        }
        Ok(pool)
    }

    /// Start a personal pool of a real HTCondor whose tools are in `bin`
    /// (`condor_master`, `condor_submit`, …): our own `condor_config` with
    /// HTCondor's personal role and otherwise its defaults.
    pub fn start_htcondor(bin: &Path, slots: usize) -> anyhow::Result<CondorPool> {
        let dir = tempdir("htc-bench-")?;
        let pidfile = dir.path().join("master.pid");
        let config = format!(
            "use ROLE : Personal\nLOCAL_DIR = {d}\nNUM_CPUS = {slots}\nCONDOR_HOST = $(IP_ADDRESS)\n",
            d = dir.path().display()
        );
        std::fs::write(dir.path().join("condor_config"), config).context("writing the HTCondor pool's condor_config")?;
        let pool = CondorPool { dir, bin: bin.to_path_buf(), kind: Kind::HTCondor { pidfile: pidfile.clone() }, stopped: false };
        register(pool.dir(), &pool.kind);
        // The master forks into the background; its own output goes to a
        // file (a pipe would stay open in the daemon).
        let out_path = pool.dir().join("master.out");
        let out_file = std::fs::File::create(&out_path).context("creating master.out")?;
        let status = Command::new(bin.join("condor_master"))
            .arg("-pidfile")
            .arg(&pidfile)
            .env("CONDOR_CONFIG", pool.config_path())
            .current_dir(pool.dir())
            .stdin(Stdio::null())
            .stdout(out_file.try_clone().context("duplicating master.out")?)
            .stderr(out_file)
            .status()
            .context("running HTCondor's condor_master")?;
        if !status.success() {
            bail!("HTCondor's condor_master failed ({status}):\n{}", std::fs::read_to_string(&out_path).unwrap_or_default());
        }
        // Ready when the schedd answers and the startd's slots are in the collector.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let q = pool.tool("q").args(["-totals"]).stdin(Stdio::null()).output();
            let st = pool.tool("status").args(["-af", "Name"]).stdin(Stdio::null()).output();
            let slots_up = st.as_ref().map(|o| o.status.success() && !o.stdout.is_empty()).unwrap_or(false);
            if q.map(|o| o.status.success()).unwrap_or(false) && slots_up {
                return Ok(pool);
            }
            if Instant::now() >= deadline {
                bail!("HTCondor's personal pool in {} did not come up within 120 s (see its log/ directory)", pool.dir().display());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir().join("condor_config")
    }

    /// `condor_<name>` of this pool, with its `CONDOR_CONFIG`, run in its directory.
    pub fn tool(&self, name: &str) -> Command {
        let mut c = Command::new(self.bin.join(format!("condor_{name}")));
        c.env("CONDOR_CONFIG", self.config_path()).current_dir(self.dir());
        c
    }

    /// Run `condor_<name> ARGS` to completion; an error carries what it printed.
    pub fn run(&self, name: &str, args: &[&str]) -> anyhow::Result<String> {
        let out = output_of(self.tool(name).args(args).stdin(Stdio::null())).with_context(|| format!("running condor_{name}"))?;
        if !out.status.success() {
            bail!("condor_{name} {} failed ({}):\n{}", args.join(" "), out.status, output_text(&out));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The schedd's process id (Aerie pools: from the master's status).
    pub fn schedd_pid(&self) -> anyhow::Result<u32> {
        let Kind::Aerie { .. } = self.kind else {
            bail!("the schedd's pid is only known for Aerie pools");
        };
        let settings = daemon::Settings::from_parts("TOOL", Some(&self.config_path()), None).context("reading the pool's configuration")?;
        let addr = daemon::locate::local_address(&settings, Daemon::Master).context("finding the master")?;
        let c = client::BlockingClient::new(addr).context("connecting to the master")?;
        let st: proto::master::MasterStatus = c.post("/v1/master/status", &proto::master::Empty {}).context("asking the master for its daemons")?;
        st.daemons
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case("SCHEDD"))
            .and_then(|d| d.pid)
            .context("the master lists no running schedd")
    }

    fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        unregister(self.dir.path());
        stop_kind(self.dir.path(), &self.kind);
    }
}

/// Stop the pool in `dir`: gracefully, then by force.
fn stop_kind(dir: &Path, kind: &Kind) {
    match kind {
        Kind::Aerie { exe } => {
            let ok = Command::new(exe)
                .args(["pool", "stop"])
                .arg(dir)
                .args(["--fast", "--timeout", "30"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !ok {
                // The master leads its own process group (it was started with setsid).
                if let Some(pid) = read_pid(&dir.join("log/.master_pid")) {
                    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
                }
            }
        }
        Kind::HTCondor { pidfile } => {
            if let Some(pid) = read_pid(pidfile) {
                let pid = nix::unistd::Pid::from_raw(pid);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGQUIT);
                let deadline = Instant::now() + Duration::from_secs(30);
                while nix::sys::signal::kill(pid, None).is_ok() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok().filter(|p| *p > 0)
}

impl Drop for CondorPool {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A process's resident memory from `/proc/<pid>/status`: (VmRSS, VmHWM) in kB.
pub fn rss_kb(pid: u32) -> anyhow::Result<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> Option<u64> {
        text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Ok((field("VmRSS:").context("no VmRSS line")?, field("VmHWM:").unwrap_or(0)))
}

/// The cluster id from condor_submit's `N job(s) submitted to cluster C.` line.
pub fn submitted_cluster(stdout: &str) -> Option<(u64, u64)> {
    stdout.lines().find_map(|l| {
        let (n, rest) = l.split_once(" job(s) submitted to cluster ")?;
        Some((n.trim().parse().ok()?, rest.trim_end_matches('.').parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cluster_comes_from_condor_submits_last_line() {
        assert_eq!(submitted_cluster("Submitting job(s)...\n3 job(s) submitted to cluster 17.\n"), Some((3, 17)));
        assert_eq!(submitted_cluster("ERROR: no\n"), None);
    }

    #[test]
    fn long_progress_lines_are_cut_in_error_messages() {
        use std::os::unix::process::ExitStatusExt;
        let out = Output {
            status: std::process::ExitStatus::from_raw(256),
            stdout: format!("Submitting job(s){}\n", ".".repeat(100_000)).into_bytes(),
            stderr: b"ERROR: Failed to commit job submission into the queue.\n".to_vec(),
        };
        let text = output_text(&out);
        assert!(text.len() < 200, "{text}");
        assert!(text.ends_with("(100017 characters)\nERROR: Failed to commit job submission into the queue."), "{text}");
    }

    #[test]
    fn rss_of_this_process_is_read_from_proc() {
        let (rss, hwm) = rss_kb(std::process::id()).unwrap();
        assert!(rss > 0 && hwm >= rss);
    }
}
