//! A personal pool for tests, run through the real binaries.
//!
//! [`Pool::start`] makes a temporary directory, links the `condor_*` names
//! to the `aerie` binary, runs `aerie pool start` there, and returns a
//! handle whose commands ([`Pool::tool`], [`Pool::run`]) see the pool's
//! `CONDOR_CONFIG`. Fault injection: [`Pool::kill_daemon`] sends a signal
//! to one daemon and [`Pool::wait_restarted`] waits for the master to bring
//! it back. Dropping the pool stops it — gracefully first, then by killing
//! the master's process group — also when the test panics.
//!
//! [`fake_schedd::FakeSchedd`] plays a schedd's side of the claim protocol
//! for tests of the execute side before (or without) a real schedd.

pub mod fake_schedd;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use proto::address::{Address, Daemon};
use proto::master::{ChildState, MasterStatus};

/// Errors of the harness (they end the test with a clear message).
pub type Result<T> = std::result::Result<T, String>;

/// The `aerie` binary: `$AERIE_BIN`, or the one built beside the running
/// test (`target/<profile>/aerie`).
pub fn aerie_bin() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("AERIE_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    for dir in exe.ancestors().skip(1).take(3) {
        let cand = dir.join("aerie");
        if cand.is_file() {
            return Ok(cand);
        }
    }
    Err(format!(
        "cannot find the aerie binary near {} (build it with `cargo build -p aerie-cli`, or set AERIE_BIN)",
        exe.display()
    ))
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct PoolOptions {
    /// `--slots N` (NUM_CPUS).
    pub slots: Option<u32>,
    /// `--memory MB`.
    pub memory: Option<u64>,
    /// `--daemons` (`DAEMON_LIST` without the master); `None`: the personal default.
    pub daemons: Option<Vec<String>>,
    /// Extra `NAME = value` lines for `condor_config.local`.
    pub config: Vec<(String, String)>,
    /// The `aerie` binary (default [`aerie_bin`]).
    pub bin: Option<PathBuf>,
}

impl PoolOptions {
    pub fn daemons(mut self, list: &[&str]) -> PoolOptions {
        self.daemons = Some(list.iter().map(|s| s.to_string()).collect());
        self
    }

    pub fn slots(mut self, n: u32) -> PoolOptions {
        self.slots = Some(n);
        self
    }

    pub fn memory(mut self, mb: u64) -> PoolOptions {
        self.memory = Some(mb);
        self
    }

    pub fn config(mut self, name: &str, value: &str) -> PoolOptions {
        self.config.push((name.to_string(), value.to_string()));
        self
    }
}

/// A running personal pool in a temporary directory.
pub struct Pool {
    dir: tempfile::TempDir,
    bin: PathBuf,
    links: PathBuf,
    master_pid: i32,
    stopped: bool,
}

/// The standard output of a command that must succeed, or a message with
/// everything it printed.
pub fn stdout_of(out: &Output, what: &str) -> Result<String> {
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Pool {
    /// Start a pool with the personal defaults.
    pub fn start() -> Result<Pool> {
        Pool::start_with(PoolOptions::default())
    }

    /// Start a pool.
    pub fn start_with(opts: PoolOptions) -> Result<Pool> {
        let bin = match &opts.bin {
            Some(b) => b.clone(),
            None => aerie_bin()?,
        };
        // Short paths: Unix socket paths are limited to 107 bytes.
        let dir = tempfile::Builder::new().prefix("aerie-pool-").tempdir_in("/tmp").map_err(|e| e.to_string())?;
        let links = dir.path().join("bin");
        std::fs::create_dir_all(&links).map_err(|e| e.to_string())?;
        for tool in ["master", "collector", "negotiator", "schedd", "startd", "starter", "submit", "q", "rm", "hold", "release", "status", "version", "wait", "history", "qedit", "config_val", "reschedule", "watch_q", "transfer_data", "tail", "userprio", "ping"] {
            let link = links.join(format!("condor_{tool}"));
            std::os::unix::fs::symlink(&bin, &link).map_err(|e| format!("linking {}: {e}", link.display()))?;
        }
        let _ = std::os::unix::fs::symlink(&bin, links.join("aerie"));
        let mut local = String::new();
        for (k, v) in &opts.config {
            local.push_str(&format!("{k} = {v}\n"));
        }
        std::fs::write(dir.path().join("condor_config.local"), local).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&bin);
        cmd.arg("pool").arg("start").arg(dir.path()).env_remove("CONDOR_CONFIG");
        if let Some(n) = opts.slots {
            cmd.arg("--slots").arg(n.to_string());
        }
        if let Some(m) = opts.memory {
            cmd.arg("--memory").arg(m.to_string());
        }
        if let Some(d) = &opts.daemons {
            cmd.arg("--daemons").arg(d.join(" "));
        }
        cmd.arg("--timeout").arg("30");
        let out = cmd.output().map_err(|e| format!("running aerie pool start: {e}"))?;
        let master_pid = std::fs::read_to_string(dir.path().join("log/.master_pid"))
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        let mut pool = Pool { dir, bin, links, master_pid, stopped: false };
        let text = stdout_of(&out, "aerie pool start")?;
        if !text.contains("export CONDOR_CONFIG=") {
            pool.stopped = true;
            return Err(format!("aerie pool start printed no export line:\n{text}"));
        }
        if pool.master_pid == 0 {
            return Err("the master wrote no pid file".into());
        }
        Ok(pool)
    }

    /// The pool's directory (`LOCAL_DIR`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir().join("condor_config")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.dir().join("log")
    }

    /// A daemon's log file (`StartLog`, …).
    pub fn log(&self, daemon: Daemon) -> String {
        std::fs::read_to_string(self.log_dir().join(daemon.log_file_name())).unwrap_or_default()
    }

    pub fn master_pid(&self) -> i32 {
        self.master_pid
    }

    /// The directory of `condor_*` links.
    pub fn bin_dir(&self) -> &Path {
        &self.links
    }

    /// `condor_<tool>` with this pool's `CONDOR_CONFIG`.
    pub fn tool(&self, tool: &str) -> Command {
        let mut cmd = Command::new(self.links.join(format!("condor_{tool}")));
        cmd.env("CONDOR_CONFIG", self.config_path()).current_dir(self.dir());
        cmd
    }

    /// `aerie ARGS…` with this pool's `CONDOR_CONFIG`.
    pub fn aerie(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args).env("CONDOR_CONFIG", self.config_path()).current_dir(self.dir());
        cmd
    }

    /// Run `condor_<tool> ARGS…`; its standard output if it succeeded.
    pub fn run(&self, tool: &str, args: &[&str]) -> Result<String> {
        let out = self.tool(tool).args(args).output().map_err(|e| format!("running condor_{tool}: {e}"))?;
        stdout_of(&out, &format!("condor_{tool} {}", args.join(" ")))
    }

    /// The address of one of the pool's daemons.
    pub fn address(&self, daemon: Daemon) -> Result<Address> {
        let text = std::fs::read_to_string(self.log_dir().join(daemon.address_file_name()))
            .map_err(|e| format!("the {} has no address file: {e}", daemon.name()))?;
        text.lines().next().unwrap_or("").parse().map_err(|e: proto::address::BadAddress| e.to_string())
    }

    /// A blocking client for one of the pool's daemons.
    pub fn client(&self, daemon: Daemon) -> Result<client::BlockingClient> {
        client::BlockingClient::new(self.address(daemon)?).map_err(|e| e.to_string())
    }

    /// What the master says about its children.
    pub fn master_status(&self) -> Result<MasterStatus> {
        self.client(Daemon::Master)?.post("/v1/master/status", &proto::master::Empty {}).map_err(|e| e.to_string())
    }

    /// The pid of a running daemon.
    pub fn daemon_pid(&self, daemon: Daemon) -> Result<u32> {
        let st = self.master_status()?;
        st.daemons
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(daemon.subsystem()))
            .and_then(|c| c.pid)
            .ok_or_else(|| format!("the master runs no {}", daemon.name()))
    }

    /// Send `signal` (9 for `kill -9`) to one daemon; returns its pid.
    pub fn kill_daemon(&self, daemon: Daemon, signal: i32) -> Result<u32> {
        let pid = self.daemon_pid(daemon)?;
        let sig = nix::sys::signal::Signal::try_from(signal).map_err(|e| e.to_string())?;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig).map_err(|e| e.to_string())?;
        Ok(pid)
    }

    /// Wait until the master runs `daemon` again under a pid other than
    /// `old_pid` and it answers (its address file is back).
    pub fn wait_restarted(&self, daemon: Daemon, old_pid: u32, timeout: Duration) -> Result<u32> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(st) = self.master_status() {
                if let Some(c) = st.daemons.iter().find(|c| c.name.eq_ignore_ascii_case(daemon.subsystem())) {
                    if let (Some(pid), ChildState::Running) = (c.pid, c.state) {
                        if pid != old_pid {
                            return Ok(pid);
                        }
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the master did not restart the {} within {:?}; MasterLog:\n{}",
                    daemon.name(),
                    timeout,
                    self.log(Daemon::Master)
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Poll `check` until it gives `Some`, or fail after `timeout` with `what`.
    pub fn wait_for<T>(&self, timeout: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> Result<T> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = check() {
                return Ok(v);
            }
            if Instant::now() >= deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// `condor_status -af ATTRS…` (with extra arguments first), one row per slot.
    pub fn status_af(&self, extra: &[&str], attrs: &[&str]) -> Result<Vec<String>> {
        let mut args: Vec<&str> = extra.to_vec();
        args.push("-af");
        args.extend_from_slice(attrs);
        Ok(self.run("status", &args)?.lines().map(str::to_string).collect())
    }

    /// Submit a submit description (written to `name` in the pool
    /// directory) with `condor_submit -terse`; returns the cluster id.
    pub fn submit(&self, name: &str, description: &str) -> Result<i64> {
        let path = self.dir().join(name);
        std::fs::write(&path, description).map_err(|e| e.to_string())?;
        let out = self.run("submit", &["-terse", name])?;
        out.split(['.', ' ', '-']).next().and_then(|c| c.trim().parse().ok()).ok_or_else(|| format!("condor_submit -terse printed {out:?}"))
    }

    /// Wait (with `condor_wait`) until every job of the user log `log` is done.
    pub fn wait_jobs(&self, log: &str, timeout: Duration) -> Result<String> {
        self.run("wait", &["-wait", &timeout.as_secs().to_string(), log])
    }

    /// Stop the pool (`aerie pool stop`) and wait for it; the directory
    /// stays until the handle is dropped.
    pub fn stop(&mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let out = Command::new(&self.bin)
            .arg("pool")
            .arg("stop")
            .arg(self.dir())
            .arg("--timeout")
            .arg("20")
            .output()
            .map_err(|e| e.to_string())?;
        let r = stdout_of(&out, "aerie pool stop").map(|_| ());
        if r.is_err() {
            self.kill_all();
        }
        r
    }

    /// Kill the master's process group (every daemon and starter) at once.
    fn kill_all(&self) {
        if self.master_pid > 0 {
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(self.master_pid), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

impl Drop for Pool {
    /// Stop the pool; if it does not stop gracefully, kill its process group.
    fn drop(&mut self) {
        if !self.stopped && self.stop_inner().is_err() {
            eprintln!("testkit: the pool in {} did not stop cleanly; killed it", self.dir().display());
        }
    }
}
