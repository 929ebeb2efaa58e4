//! The starter process: reads commands on standard input, runs the queue's
//! actions, writes events on standard output.
//!
//! A current-thread tokio runtime waits for three things at once: the next
//! command line, SIGCHLD (the running job ended; it is reaped with
//! `wait4` for its resource usage), and the vacate timer. Events are
//! written and flushed the moment they happen.

// A job that could not start travels as a whole `JobExit` (the rare path).
#![allow(clippy::result_large_err)]

pub mod cgroup;
pub mod launch;
pub mod transfer;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use proto::startd::{StarterCommand, StarterEvent};
use tokio::io::AsyncBufReadExt;
use tokio::signal::unix::{signal, SignalKind};

use crate::core::plan::{self, Context};
use crate::core::queue::{Action, Sig, Starter};
use launch::Running;

fn now() -> f64 {
    daemon::ads::now_f64()
}

/// The startd's commands on stdin. A pipe (as the startd gives) is read
/// through the event loop; tokio's own stdin would hand every line over
/// from a blocking thread, a thread switch per command. Anything else (a
/// terminal, a file) is read the blocking way.
fn command_input() -> Box<dyn tokio::io::AsyncRead + Unpin + Send> {
    use std::os::fd::AsFd;
    let piped = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .and_then(tokio::net::unix::pipe::Receiver::from_owned_fd);
    match piped {
        Ok(pipe) => Box::new(pipe),
        Err(_) => Box::new(tokio::io::stdin()),
    }
}

/// Write one event line to the startd; false if it is gone.
fn emit(ev: &StarterEvent) -> bool {
    let Ok(mut line) = serde_json::to_vec(ev) else { return true };
    line.push(b'\n');
    let mut out = std::io::stdout().lock();
    out.write_all(&line).and_then(|_| out.flush()).is_ok()
}

fn send_signal(run: &Running, sig: Sig) {
    use nix::sys::signal::Signal as S;
    let s = match sig {
        Sig::Soft => S::try_from(run.plan.kill_sig).unwrap_or(S::SIGTERM),
        Sig::Kill => S::SIGKILL,
        Sig::Stop => S::SIGSTOP,
        Sig::Cont => S::SIGCONT,
    };
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(run.pid as i32), s);
    if sig == Sig::Kill {
        if let Some(g) = &run.cgroup {
            let _ = std::fs::write(g.dir.join("cgroup.kill"), "1");
        }
    }
}

/// What a starter needs to know (the startd passes it on the command line).
#[derive(Debug, Clone)]
pub struct StarterOptions {
    /// `$(STARTER_LOG)`; each slot's log is this plus `.<slot>`.
    pub log_base: Option<PathBuf>,
    /// `STARTER_DEBUG`.
    pub debug: String,
    /// Give jobs cgroups where the kernel allows (`STARTER_USE_CGROUPS`).
    pub use_cgroups: bool,
}

impl StarterOptions {
    /// `$(STARTER_LOG).<slot>` (`StarterLog.slot1_1`).
    pub fn log_path(&self, slot: &str) -> Option<PathBuf> {
        self.log_base.as_ref().map(|p| {
            let mut s = p.clone().into_os_string();
            s.push(format!(".{slot}"));
            PathBuf::from(s)
        })
    }
}

/// Run the starter until its claim ends. `slot` is known from the start,
/// or (a spare starter) from its first job, when `log` moves to the slot's
/// log file.
pub async fn run(opts: StarterOptions, slot: Option<String>, log: Option<daemon::logging::Reopen>) -> anyhow::Result<()> {
    let mut slot = slot;
    let mut sigchld = signal(SignalKind::child())?;
    let cgroups = if opts.use_cgroups { cgroup::Cgroups::detect() } else { None };
    let pid = std::process::id();
    tracing::info!(
        "starter for {} up (pid {pid}); job cgroups: {}",
        slot.as_deref().unwrap_or("a future claim"),
        if cgroups.is_some() { "yes" } else { "no (process groups only)" }
    );
    if !emit(&StarterEvent::Ready { pid, cgroups: cgroups.is_some() }) {
        return Ok(());
    }
    let mut core = Starter::new();
    let mut lines = tokio::io::BufReader::new(command_input()).lines();
    let mut input_open = true;
    let mut running: Option<Running> = None;
    let mut timer: Option<f64> = None;
    let mut seq: u64 = 0;
    let mut sandbox: Option<launch::Sandbox> = None;
    let mut actions: Vec<Action> = Vec::new();
    loop {
        let mut exit = false;
        while !actions.is_empty() {
            for a in std::mem::take(&mut actions) {
                match a {
                    Action::Launch(job) => {
                        seq += 1;
                        if slot.as_deref() != Some(job.slot.as_str()) {
                            slot = Some(job.slot.clone());
                            if let (Some(l), Some(p)) = (&log, opts.log_path(&job.slot)) {
                                let _ = l.reopen(&p);
                                tracing::info!("starter (pid {pid}) runs the jobs of {}", job.slot);
                            }
                        }
                        let dir = PathBuf::from(&job.execute_dir).join(format!("dir_{pid}"));
                        let sb = sandbox.get_or_insert_with(|| launch::Sandbox::new(dir.clone()));
                        if sb.dir != dir {
                            sb.remove();
                            *sb = launch::Sandbox::new(dir.clone());
                        }
                        let ctx = Context {
                            sandbox: dir,
                            starter_pid: pid,
                            filesystem_domain: job.machine.get("FileSystemDomain").and_then(proto::collector::unquote),
                        };
                        let job_id = job.job_id;
                        let planned = plan::plan(&job, &ctx).map_err(|e| {
                            let mut x = proto::startd::JobExit::empty("", job_id);
                            x.start_error = Some(e.message.clone());
                            x.hold_code = Some(e.hold_code);
                            x.hold_subcode = Some(e.hold_subcode);
                            x
                        });
                        match planned.and_then(|p| launch::launch(p, sb, cgroups.as_ref(), seq)) {
                            Ok(r) => {
                                let (pid, vacate) = (r.pid, r.plan.vacate_secs);
                                tracing::debug!("job {job_id} started (pid {pid}) in {}", r.plan.sandbox.display());
                                running = Some(r);
                                actions.extend(core.on_launched(job_id, pid, vacate, now()));
                                // It may already be over.
                                if let Some(reaped) = running.as_ref().and_then(|r| launch::try_reap(r.pid)) {
                                    if let Some(r) = running.take() {
                                        actions.extend(core.on_job_done(launch::finish(r, reaped, sb)));
                                    }
                                }
                            }
                            Err(exit) => {
                                tracing::warn!("job {job_id} could not start: {}", exit.start_error.as_deref().unwrap_or("?"));
                                actions.extend(core.on_launch_failed(exit));
                            }
                        }
                    }
                    Action::Signal { job_id, sig } => {
                        if let Some(r) = running.as_ref().filter(|r| r.plan.job_id == job_id) {
                            tracing::info!("signalling job {job_id}: {sig:?}");
                            send_signal(r, sig);
                        }
                    }
                    Action::Emit(ev) => {
                        if let StarterEvent::Exited(e) = &ev {
                            tracing::info!(
                                "job {} ended: {}",
                                e.job_id,
                                match (e.exit_code, e.exit_signal, e.not_started) {
                                    (_, _, true) => "never started".to_string(),
                                    (Some(c), _, _) => format!("exit code {c}"),
                                    (_, Some(s), _) => format!("signal {s}"),
                                    _ => e.start_error.clone().unwrap_or_else(|| "?".into()),
                                }
                            );
                        }
                        if !emit(&ev) && input_open {
                            input_open = false;
                            actions.extend(core.on_input_closed(now()));
                        }
                    }
                    Action::Timer(t) => timer = Some(timer.map_or(t, |x: f64| x.min(t))),
                    Action::Exit => exit = true,
                }
            }
        }
        if exit {
            break;
        }
        let sleep = async {
            match timer {
                Some(t) => tokio::time::sleep(Duration::from_secs_f64((t - now()).max(0.0))).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            line = lines.next_line(), if input_open => match line {
                Ok(Some(l)) if l.trim().is_empty() => {}
                Ok(Some(l)) => match serde_json::from_str::<StarterCommand>(&l) {
                    Ok(cmd) => actions = core.on_command(cmd, now()),
                    Err(e) => tracing::error!("unreadable command from the startd ({e}): {l}"),
                },
                Ok(None) | Err(_) => {
                    input_open = false;
                    tracing::info!("the startd closed our input; stopping");
                    actions = core.on_input_closed(now());
                }
            },
            _ = sigchld.recv() => {
                if let Some(reaped) = running.as_ref().and_then(|r| launch::try_reap(r.pid)) {
                    if let (Some(r), Some(sb)) = (running.take(), sandbox.as_mut()) {
                        actions = core.on_job_done(launch::finish(r, reaped, sb));
                    }
                }
            }
            _ = sleep => {
                timer = None;
                actions = core.on_timer(now());
            }
        }
    }
    if let Some(sb) = sandbox.as_mut() {
        sb.remove();
    }
    tracing::info!("starter for {} exiting", slot.as_deref().unwrap_or("no claim"));
    Ok(())
}
