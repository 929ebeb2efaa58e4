//! Preparing a sandbox and spawning a job; reaping it and sending its
//! output back.
//!
//! The spawn path is kept lean: `std::process::Command` with a cleared
//! environment, a new process group and no `pre_exec` hook, so the
//! standard library uses `posix_spawn` (vfork-like) rather than fork+exec
//! whenever the starter does not have to change user.

// A job that could not start is reported as a whole `JobExit`; it is the
// rare path, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use proto::job::hold_code;
use proto::startd::JobExit;
use proto::WireAd;

use super::cgroup::{Cgroups, JobCgroup};
use super::transfer::{as_user, Ids, LocalTransfer, Transfer};
use crate::core::plan::{self, LaunchPlan, Outputs};

/// The claim's sandbox directory (`EXECUTE/dir_<starter pid>`), kept from
/// job to job and emptied between them: a stream of short jobs then
/// rewrites four small files instead of creating and deleting a directory
/// and its files (inode churn that costs more than the spawn on ext4).
/// It is made afresh whenever the job's owner changes or cleaning failed.
pub struct Sandbox {
    pub dir: PathBuf,
    ready: bool,
    owner: Option<Ids>,
    machine_ad: Option<String>,
}

const KEPT: [&str; 4] = [plan::JOB_AD_FILE, plan::MACHINE_AD_FILE, plan::STDOUT_FILE, plan::STDERR_FILE];

impl Sandbox {
    pub fn new(dir: PathBuf) -> Sandbox {
        Sandbox { dir, ready: false, owner: None, machine_ad: None }
    }

    /// Make the directory ready for a job of `owner` with these ad texts.
    fn prepare(&mut self, owner: Option<Ids>, job_ad: &str, machine_ad: &str) -> std::io::Result<()> {
        if !self.ready || self.owner != owner {
            let _ = std::fs::remove_dir_all(&self.dir);
            std::fs::create_dir_all(&self.dir)?;
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
            chown(&self.dir, owner);
            self.owner = owner;
            self.machine_ad = None;
            self.ready = true;
        }
        let write = |name: &str, text: &str| -> std::io::Result<()> {
            let p = self.dir.join(name);
            write_in_place(&p, text.as_bytes())?;
            chown(&p, owner);
            Ok(())
        };
        write(plan::JOB_AD_FILE, job_ad)?;
        if self.machine_ad.as_deref() != Some(machine_ad) {
            write(plan::MACHINE_AD_FILE, machine_ad)?;
            self.machine_ad = Some(machine_ad.to_string());
        }
        Ok(())
    }

    /// Remove what the last job left (everything but the starter's own files).
    fn clean(&mut self) {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            self.ready = false;
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name();
            if KEPT.iter().any(|k| name.as_os_str() == *k) {
                // An output file with data goes: truncating it to zero and
                // writing again would make ext4 flush it to disk on close.
                let is_output = name.as_os_str() == plan::STDOUT_FILE || name.as_os_str() == plan::STDERR_FILE;
                if is_output && e.metadata().map(|m| m.len() > 0).unwrap_or(true) {
                    let _ = std::fs::remove_file(e.path());
                }
                continue;
            }
            let p = e.path();
            let r = match e.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(&p),
                _ => std::fs::remove_file(&p),
            };
            if r.is_err() {
                self.ready = false;
            }
        }
    }

    /// The claim is over: remove the directory.
    pub fn remove(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        self.ready = false;
    }

    /// Something went wrong: start from a fresh directory next time.
    fn reset(&mut self) {
        self.ready = false;
    }
}

/// Replace a file's contents without truncating it to zero first (ext4
/// flushes a file truncated to zero and written again when it is closed,
/// turning every job start into a disk write).
fn write_in_place(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
    f.write_all(data)?;
    let len = data.len() as u64;
    if f.metadata()?.len() > len {
        f.set_len(len)?;
    }
    Ok(())
}

/// A job that was spawned and is not reaped yet.
pub struct Running {
    pub plan: LaunchPlan,
    pub pid: u32,
    pub started: Instant,
    pub ids: Option<Ids>,
    pub cgroup: Option<JobCgroup>,
    /// Size and mtime of the input files, to tell unchanged ones apart.
    pub inputs: HashMap<PathBuf, (u64, i64)>,
    pub bytes_in: u64,
}

fn exit_error(plan: &LaunchPlan, code: i64, subcode: i64, message: String) -> JobExit {
    let mut e = JobExit::empty("", plan.job_id);
    e.start_error = Some(message);
    e.hold_code = Some(code);
    e.hold_subcode = Some(subcode);
    e
}

fn errno(e: &std::io::Error) -> i64 {
    e.raw_os_error().unwrap_or(0) as i64
}

/// The user the job runs as: its `Owner` when the starter is root and the
/// owner is someone else; otherwise the starter's own user.
fn job_user(plan: &LaunchPlan) -> Result<Option<(Ids, String)>, JobExit> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let Some(owner) = plan.owner.as_deref().filter(|o| !o.is_empty() && *o != "root") else { return Ok(None) };
    match nix::unistd::User::from_name(owner) {
        Ok(Some(u)) => Ok(Some((Ids { uid: u.uid.as_raw(), gid: u.gid.as_raw() }, u.name))),
        _ => Err(exit_error(
            plan,
            hold_code::FAILED_TO_CREATE_PROCESS,
            0,
            format!("the job's Owner '{owner}' is not a user on this execute point; it cannot run as that user"),
        )),
    }
}

fn chown(path: &Path, ids: Option<Ids>) {
    if let Some(ids) = ids {
        let _ = std::os::unix::fs::lchown(path, Some(ids.uid), Some(ids.gid));
    }
}

/// Make the sandbox, bring the inputs, spawn. On failure the sandbox is
/// removed and the exit to report is returned.
pub fn launch(plan: LaunchPlan, sandbox: &mut Sandbox, cgroups: Option<&Cgroups>, seq: u64) -> Result<Running, JobExit> {
    let user = job_user(&plan)?;
    let ids = user.as_ref().map(|(i, _)| *i);
    if let Err(e) = sandbox.prepare(ids, &plan.job_ad_text, &plan.machine_ad_text) {
        sandbox.reset();
        return Err(exit_error(
            &plan,
            hold_code::FAILED_TO_CREATE_PROCESS,
            errno(&e),
            format!("cannot prepare the sandbox {}: {e}", plan.sandbox.display()),
        ));
    }
    let mut fail = |plan: &LaunchPlan, code: i64, e: &std::io::Error, what: String| {
        sandbox.clean();
        exit_error(plan, code, errno(e), what)
    };
    if !as_user(ids, || plan.iwd.is_dir()) {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        return Err(fail(&plan, hold_code::IWD_ERROR, &e, format!("the job's initial directory {} does not exist or cannot be read", plan.iwd.display())));
    }
    // Inputs.
    let transfer = LocalTransfer { user: ids };
    let mut bytes_in = 0;
    let mut inputs = HashMap::new();
    for input in &plan.inputs {
        let contents_only = input.to.as_os_str().is_empty();
        let to = plan.sandbox.join(&input.to);
        match transfer.fetch(&input.from, &to, contents_only) {
            Ok(n) => bytes_in += n,
            Err(e) => {
                return Err(fail(
                    &plan,
                    hold_code::TRANSFER_INPUT_ERROR,
                    &e,
                    format!("Transfer input files failure at execution point while receiving files from {}: reading {}: {e}", plan.iwd.display(), input.from.display()),
                ))
            }
        }
        if let Ok(m) = std::fs::metadata(&to) {
            if !contents_only {
                inputs.insert(input.to.clone(), (m.len(), m.mtime()));
            }
        }
        if contents_only {
            if let Ok(rd) = std::fs::read_dir(&plan.sandbox) {
                for e in rd.flatten() {
                    if let Ok(m) = e.metadata() {
                        inputs.entry(PathBuf::from(e.file_name())).or_insert((m.len(), m.mtime()));
                    }
                }
            }
        }
        chown_tree(&to, ids);
    }
    if let Some(exe) = &plan.fetch_executable {
        let to = plan.sandbox.join(plan::EXEC_FILE);
        if let Err(e) = transfer.fetch(exe, &to, false) {
            return Err(fail(&plan, hold_code::TRANSFER_INPUT_ERROR, &e, format!("cannot transfer the executable {}: {e}", exe.display())));
        }
        let _ = std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755));
        chown(&to, ids);
    }
    // Standard streams.
    let stdin = match &plan.stdin {
        None => Stdio::null(),
        Some(p) => match as_user(ids, || File::open(p)) {
            Ok(f) => f.into(),
            Err(e) => {
                return Err(fail(&plan, hold_code::UNABLE_TO_OPEN_INPUT, &e, format!("cannot open the job's standard input {}: {e}", p.display())))
            }
        },
    };
    let open_out = |p: &Path| -> std::io::Result<File> {
        if p == Path::new("/dev/null") {
            return File::options().write(true).open(p);
        }
        let in_sandbox = p.starts_with(&plan.sandbox);
        let f = if in_sandbox {
            let f = File::create(p)?;
            chown(p, ids);
            f
        } else {
            as_user(ids, || File::create(p))?
        };
        Ok(f)
    };
    let stdout = match open_out(&plan.stdout) {
        Ok(f) => f,
        Err(e) => return Err(fail(&plan, hold_code::UNABLE_TO_OPEN_OUTPUT, &e, format!("cannot open the job's standard output {}: {e}", plan.stdout.display()))),
    };
    let stderr = match open_out(&plan.stderr) {
        Ok(f) => f,
        Err(e) => return Err(fail(&plan, hold_code::UNABLE_TO_OPEN_OUTPUT, &e, format!("cannot open the job's standard error {}: {e}", plan.stderr.display()))),
    };
    let mut cmd = Command::new(&plan.program);
    cmd.args(&plan.args)
        .env_clear()
        .envs(plan.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(&plan.cwd)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0);
    if let Some((ids, _)) = &user {
        cmd.uid(ids.uid).gid(ids.gid);
    }
    let cgroup = cgroups.and_then(|c| match c.create(seq) {
        Ok(g) => Some(g),
        Err(e) => {
            tracing::warn!("cannot create a cgroup for job {}: {e}; using its process group only", plan.job_id);
            None
        }
    });
    let spawned = match (cgroups, &cgroup) {
        (Some(c), Some(g)) => c.spawn_inside(g, || cmd.spawn()).unwrap_or_else(Err),
        _ => cmd.spawn(),
    };
    match spawned {
        Ok(child) => {
            let pid = child.id();
            // The starter reaps the job itself (wait4, for its resource usage).
            std::mem::forget(child);
            Ok(Running { plan, pid, started: Instant::now(), ids, cgroup, inputs, bytes_in })
        }
        Err(e) => {
            if let Some(g) = &cgroup {
                g.kill_and_remove();
            }
            let what = if e.kind() == std::io::ErrorKind::NotFound {
                format!("Failed to execute '{}': the executable does not exist", plan.program.display())
            } else if e.kind() == std::io::ErrorKind::PermissionDenied {
                format!("Failed to execute '{}': permission denied (is it executable?)", plan.program.display())
            } else {
                format!("Failed to execute '{}': {e}", plan.program.display())
            };
            Err(fail(&plan, hold_code::FAILED_TO_CREATE_PROCESS, &e, what))
        }
    }
}

fn chown_tree(p: &Path, ids: Option<Ids>) {
    if ids.is_none() {
        return;
    }
    chown(p, ids);
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            chown_tree(&e.path(), ids);
        }
    }
}

/// How the job's process ended, with its resource usage.
pub struct Reaped {
    pub status: i32,
    pub rusage: libc::rusage,
}

/// Reap `pid` if it has exited (never blocks).
pub fn try_reap(pid: u32) -> Option<Reaped> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes only into the two out-parameters we own.
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, libc::WNOHANG, &mut rusage) };
    (r == pid as libc::pid_t).then_some(Reaped { status, rusage })
}

fn secs(tv: libc::timeval) -> f64 {
    tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6
}

fn du_kb(p: &Path) -> i64 {
    let mut total = 0u64;
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                if let Ok(m) = e.metadata() {
                    if m.is_dir() {
                        stack.push(e.path());
                    } else {
                        total += m.blocks() * 512;
                    }
                }
            }
        }
    }
    (total / 1024) as i64
}

fn is_internal(name: &str) -> bool {
    matches!(
        name,
        plan::JOB_AD_FILE | plan::MACHINE_AD_FILE | plan::STDOUT_FILE | plan::STDERR_FILE | plan::EXEC_FILE | ".chirp.config" | ".update.ad"
    )
}

/// The job ended: kill what is left of it, send its output back, remove
/// the sandbox, and say how it went.
pub fn finish(run: Running, reaped: Reaped, sandbox: &mut Sandbox) -> JobExit {
    let plan = &run.plan;
    // Stragglers: the rest of the job's process group (or cgroup).
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(run.pid as i32), nix::sys::signal::Signal::SIGKILL);
    let peak = run.cgroup.as_ref().and_then(|g| g.peak_kb());
    if let Some(g) = &run.cgroup {
        g.kill_and_remove();
    }
    let mut exit = JobExit::empty("", plan.job_id);
    let st = reaped.status;
    if libc::WIFEXITED(st) {
        exit.exit_code = Some(libc::WEXITSTATUS(st));
    } else if libc::WIFSIGNALED(st) {
        exit.exit_signal = Some(libc::WTERMSIG(st));
    }
    exit.user_cpu_secs = secs(reaped.rusage.ru_utime);
    exit.sys_cpu_secs = secs(reaped.rusage.ru_stime);
    exit.wall_secs = run.started.elapsed().as_secs_f64();
    exit.max_rss_kb = peak.unwrap_or(reaped.rusage.ru_maxrss);
    let mut updates = WireAd::new();
    updates.set("RemoteUserCpu", classad::unparse::format_real(exit.user_cpu_secs));
    updates.set("RemoteSysCpu", classad::unparse::format_real(exit.sys_cpu_secs));
    updates.set("ResidentSetSize", exit.max_rss_kb.to_string());
    updates.set("ImageSize", exit.max_rss_kb.max(1).to_string());
    if plan.sandboxed {
        updates.set("DiskUsage", du_kb(&plan.sandbox).max(1).to_string());
    }
    // Output.
    let transfer = LocalTransfer { user: run.ids };
    let mut sent = 0u64;
    let mut problems: Vec<(String, i64)> = Vec::new();
    if plan.sandboxed {
        let mut send = |from: PathBuf, to: PathBuf, problems: &mut Vec<(String, i64)>| match transfer.send(&from, &to) {
            Ok(n) => sent += n,
            Err(e) => problems.push((format!("cannot write {}: {e}", to.display()), errno(&e))),
        };
        if let Some(to) = &plan.out_to {
            send(plan.sandbox.join(plan::STDOUT_FILE), to.clone(), &mut problems);
        }
        if let Some(to) = &plan.err_to {
            send(plan.sandbox.join(plan::STDERR_FILE), to.clone(), &mut problems);
        }
        match &plan.outputs {
            Outputs::Listed(names) => {
                for n in names {
                    let from = plan.sandbox.join(n);
                    // Never follow a link out of the sandbox.
                    let inside = std::fs::canonicalize(&from).map(|c| c.starts_with(&plan.sandbox)).unwrap_or(false);
                    if !inside {
                        let why = if from.exists() { "leads outside the job's sandbox" } else { "was not created by the job" };
                        problems.push((format!("output file {} {why}", n.display()), libc::ENOENT as i64));
                        continue;
                    }
                    send(from, plan.destination(n), &mut problems);
                }
            }
            Outputs::NewAndChanged => {
                let mut names: Vec<PathBuf> = Vec::new();
                if let Ok(rd) = std::fs::read_dir(&plan.sandbox) {
                    for e in rd.flatten() {
                        let name = e.file_name();
                        let Some(n) = name.to_str() else { continue };
                        if is_internal(n) {
                            continue;
                        }
                        let key = PathBuf::from(n);
                        if let (Some((len, mtime)), Ok(m)) = (run.inputs.get(&key), e.metadata()) {
                            if m.len() == *len && m.mtime() == *mtime {
                                continue;
                            }
                        }
                        names.push(key);
                    }
                }
                names.sort();
                for n in names {
                    let from = plan.sandbox.join(&n);
                    send(from, plan.destination(&n), &mut problems);
                }
            }
        }
        updates.set("BytesSent", classad::unparse::format_real(sent as f64));
        updates.set("BytesRecvd", classad::unparse::format_real(run.bytes_in as f64));
    }
    sandbox.clean();
    if let Some((first, subcode)) = problems.first() {
        let all: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        exit.transfer_error = Some(format!(
            "Transfer output files failure at execution point while sending files to {}: {}",
            plan.iwd.display(),
            if all.len() == 1 { first.clone() } else { all.join("; ") }
        ));
        exit.hold_code = Some(hold_code::TRANSFER_OUTPUT_ERROR);
        exit.hold_subcode = Some(*subcode);
    }
    exit.updates = updates;
    exit
}
