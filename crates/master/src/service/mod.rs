//! The master process: runs [`Master`]'s actions.
//!
//! One task owns the core and receives every event on a channel: children
//! spawned and exited, address files appearing (inotify on `$(LOG)`),
//! timers, signals and `/v1/master/*` requests. Children are this binary
//! run under the daemon's name (`condor_schedd`), with the same
//! `CONDOR_CONFIG`; their standard output and error are appended to their
//! own log so a crash message is not lost.

mod watch;

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use daemon::advertise::Advertiser;
use daemon::{ApiFailure, Caller, Settings};
use proto::address::{Address, Daemon};
use proto::master::{MasterStatus, Off, On};
use proto::{ApiError, WireAd};
use tokio::sync::{mpsc, oneshot};

use crate::core::{Action, Master, Policy, Stop};

/// Events the master's loop reacts to.
enum Event {
    Spawned { name: String, pid: u32 },
    SpawnFailed { name: String, reason: String },
    Exited { name: String, how: String },
    Ready { name: String },
    Shutdown { fast: bool },
    Off { req: Off, reply: oneshot::Sender<Result<MasterStatus, ApiError>> },
    On { req: On, reply: oneshot::Sender<Result<MasterStatus, ApiError>> },
    Status { reply: oneshot::Sender<MasterStatus> },
}

/// What the HTTP handlers and the ad source share with the loop.
struct Shared {
    events: mpsc::UnboundedSender<Event>,
    /// The latest status, for the Master ad.
    status: Mutex<Option<MasterStatus>>,
}

type St = Arc<Shared>;

fn policy(settings: &Settings) -> Policy {
    Policy {
        backoff_constant: settings.real("MASTER_BACKOFF_CONSTANT", 9.0).max(0.0),
        backoff_factor: settings.real("MASTER_BACKOFF_FACTOR", 2.0).max(1.0),
        backoff_ceiling: settings.real("MASTER_BACKOFF_CEILING", 3600.0).max(1.0),
        recover_after: settings.real("MASTER_RECOVER_FACTOR", 300.0).max(1.0),
        graceful_timeout: settings.real("SHUTDOWN_GRACEFUL_TIMEOUT", 1800.0).max(1.0),
        collector_wait: 10.0,
    }
}

fn now() -> f64 {
    daemon::ads::now_f64()
}

/// `exited with status 1`, `died on signal 9 (Killed)`, as MasterLog says.
fn describe(status: std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        format!("exited with status {code}")
    } else if let Some(sig) = status.signal() {
        let name = nix::sys::signal::Signal::try_from(sig).map(|s| s.as_str().to_string()).unwrap_or_else(|_| "?".into());
        format!("died on signal {sig} ({name})")
    } else {
        "ended".to_string()
    }
}

/// The log file of child `name` (`$(SCHEDD_LOG)`).
fn child_log(settings: &Settings, name: &str) -> PathBuf {
    settings
        .path(&format!("{name}_LOG"))
        .unwrap_or_else(|| settings.log_dir().join(Daemon::from_name(name).map(|d| d.log_file_name()).unwrap_or("DaemonLog")))
}

/// How to run child `name`: Aerie's own daemons are this binary under
/// their name; another name runs the program its `NAME` knob gives.
fn child_command(settings: &Settings, name: &str) -> Result<std::process::Command, String> {
    use std::os::unix::process::CommandExt;
    match Daemon::from_name(name) {
        Some(d) => {
            let exe = std::env::current_exe().map_err(|e| format!("cannot find the aerie binary: {e}"))?;
            let mut cmd = std::process::Command::new(exe);
            cmd.arg0(format!("condor_{}", d.name()));
            Ok(cmd)
        }
        None => {
            let prog = settings.get(name).ok_or_else(|| {
                format!("{name} is not an Aerie daemon and the configuration does not say which program runs it (set {name} = /path/to/program)")
            })?;
            let mut cmd = std::process::Command::new(prog);
            cmd.args(settings.list(&format!("{name}_ARGS")));
            Ok(cmd)
        }
    }
}

fn spawn_child(settings: &Settings, name: &str, events: mpsc::UnboundedSender<Event>) {
    // A stale address file would make the child look ready before it is.
    if let Some(d) = Daemon::from_name(name) {
        daemon::address::remove_address_file(&settings.log_dir(), d);
    }
    let log = child_log(settings, name);
    let open_log = || -> std::io::Result<(File, File)> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let f = std::fs::OpenOptions::new().create(true).append(true).open(&log)?;
        Ok((f.try_clone()?, f))
    };
    let result = child_command(settings, name).and_then(|std_cmd| {
        let (out, err) = open_log().map_err(|e| format!("cannot open its log {}: {e}", log.display()))?;
        let mut cmd = tokio::process::Command::from(std_cmd);
        cmd.stdin(std::process::Stdio::null()).stdout(out).stderr(err).kill_on_drop(false);
        cmd.spawn().map_err(|e| e.to_string())
    });
    match result {
        Ok(mut child) => {
            let pid = child.id().unwrap_or(0);
            let _ = events.send(Event::Spawned { name: name.to_string(), pid });
            let name = name.to_string();
            tokio::spawn(async move {
                let how = match child.wait().await {
                    Ok(st) => describe(st),
                    Err(e) => format!("could not be waited for: {e}"),
                };
                let _ = events.send(Event::Exited { name, how });
            });
        }
        Err(reason) => {
            let _ = events.send(Event::SpawnFailed { name: name.to_string(), reason });
        }
    }
}

fn signal(pid: u32, how: Stop) {
    let sig = match how {
        Stop::Term => nix::sys::signal::Signal::SIGTERM,
        Stop::Kill => nix::sys::signal::Signal::SIGKILL,
    };
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig);
}

fn full_status(settings: &Settings, m: &Master, start: i64) -> MasterStatus {
    let mut daemons = m.status();
    for c in &mut daemons {
        c.log = Some(child_log(settings, &c.name).display().to_string());
        if let Some(d) = Daemon::from_name(&c.name) {
            if let Ok(text) = std::fs::read_to_string(settings.log_dir().join(d.address_file_name())) {
                c.addresses = text.lines().map(str::to_string).collect();
            }
        }
    }
    MasterStatus {
        pid: std::process::id(),
        name: daemon::host::hostname(),
        start_time: start,
        shutting_down: m.shutting_down(),
        daemons,
    }
}

async fn status(State(s): State<St>) -> Result<Json<MasterStatus>, ApiFailure> {
    let (tx, rx) = oneshot::channel();
    let _ = s.events.send(Event::Status { reply: tx });
    rx.await.map(Json).map_err(|_| ApiFailure(ApiError::new("unavailable", "the master is exiting")))
}

async fn off(State(s): State<St>, caller: Caller, Json(req): Json<Off>) -> Result<Json<MasterStatus>, ApiFailure> {
    caller.require_daemon_peer("stop daemons")?;
    let (tx, rx) = oneshot::channel();
    let _ = s.events.send(Event::Off { req, reply: tx });
    match rx.await {
        Ok(r) => r.map(Json).map_err(ApiFailure),
        Err(_) => Err(ApiFailure(ApiError::new("unavailable", "the master is exiting"))),
    }
}

async fn on(State(s): State<St>, caller: Caller, Json(req): Json<On>) -> Result<Json<MasterStatus>, ApiFailure> {
    caller.require_daemon_peer("start daemons")?;
    let (tx, rx) = oneshot::channel();
    let _ = s.events.send(Event::On { req, reply: tx });
    match rx.await {
        Ok(r) => r.map(Json).map_err(ApiFailure),
        Err(_) => Err(ApiFailure(ApiError::new("unavailable", "the master is exiting"))),
    }
}

fn unknown_daemons(unknown: &[String], m: &Master) -> ApiError {
    ApiError::not_found(format!("no daemon named {} in this master's DAEMON_LIST", unknown.join(", ")))
        .with_hint(format!("the master runs: {}", m.names().join(", ")))
}

/// How often the master checks that its lock file is still its own.
const LOCK_CHECK: Duration = Duration::from_secs(1);

/// Hold the master lock of this `$(LOCK)` directory for the process's life.
fn take_lock(settings: &Settings) -> anyhow::Result<nix::fcntl::Flock<File>> {
    let lock_dir = settings.lock_dir();
    std::fs::create_dir_all(&lock_dir).with_context(|| format!("creating {}", lock_dir.display()))?;
    let path = lock_dir.join("master.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock).map_err(|_| {
        let pid = std::fs::read_to_string(settings.log_dir().join(".master_pid")).unwrap_or_default();
        anyhow::anyhow!(
            "another condor_master (pid {}) already runs with LOCK = {}; stop it first (`aerie pool stop DIR` or `kill {}`)",
            pid.trim(),
            lock_dir.display(),
            pid.trim()
        )
    })
}

fn master_ad(settings: &Settings, addrs: &[Address], start: i64, st: Option<&MasterStatus>) -> WireAd {
    use proto::collector::quote;
    let host = daemon::host::hostname();
    let mut ad = daemon::ads::daemon_ad(settings, Daemon::Master, &host, addrs, start);
    if let Some(st) = st {
        let names: Vec<&str> = st.daemons.iter().map(|d| d.name.as_str()).collect();
        ad.set("DaemonList", quote(&format!("MASTER {}", names.join(" "))));
        for d in &st.daemons {
            ad.set(&format!("{}_State", d.name), quote(d.state.as_str()));
        }
    }
    ad
}

/// Run the master until it is told to stop and its children are gone.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let _lock = take_lock(&settings)?;
    let start = daemon::ads::now_secs();
    let log_dir = settings.log_dir();
    std::fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    std::fs::write(log_dir.join(".master_pid"), format!("{}\n", std::process::id()))
        .with_context(|| format!("writing {}", log_dir.join(".master_pid").display()))?;
    for dir in ["SPOOL", "EXECUTE", "LOCK"] {
        if let Some(p) = settings.path(dir) {
            std::fs::create_dir_all(&p).with_context(|| format!("creating {dir} = {}", p.display()))?;
        }
    }
    let daemon_list = settings.list("DAEMON_LIST");
    tracing::info!("** condor_master (Aerie {}) starting, pid {}", daemon::version::AERIE_VERSION, std::process::id());
    tracing::info!("** Configuration: {}", settings.config_file().map(|p| p.display().to_string()).unwrap_or_else(|| "(none)".into()));
    tracing::info!("DAEMON_LIST = {}", daemon_list.join(" "));
    let mut core = Master::new(&daemon_list, policy(&settings));

    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let shared: St = Arc::new(Shared { events: tx.clone(), status: Mutex::new(None) });

    // Address files appearing under $(LOG) mean a child answers.
    watch::spawn(log_dir.clone(), tx.clone())?;

    // The pool's directory deleted or moved under a running pool: stop,
    // rather than live on as orphans advertising into whatever pool is
    // started at that path next. (The lock file no longer being the one
    // held says so; an inotify watch would not, while the daemons' bound
    // sockets keep the directory's entry alive.)
    {
        use std::os::unix::fs::MetadataExt;
        let path = settings.lock_dir().join("master.lock");
        let held = _lock.metadata().map(|m| (m.dev(), m.ino())).ok();
        let tx = tx.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LOCK_CHECK).await;
                let now = std::fs::metadata(&path).map(|m| (m.dev(), m.ino())).ok();
                if held.is_some() && now != held {
                    tracing::error!("{} is gone (the pool's directory was deleted or moved): shutting down", path.display());
                    let _ = tx.send(Event::Shutdown { fast: true });
                    break;
                }
            }
        });
    }

    // Signals.
    {
        use tokio::signal::unix::{signal as sig, SignalKind};
        let tx = tx.clone();
        let mut term = sig(SignalKind::terminate())?;
        let mut int = sig(SignalKind::interrupt())?;
        let mut quit = sig(SignalKind::quit())?;
        tokio::spawn(async move {
            loop {
                let fast = tokio::select! {
                    _ = term.recv() => false,
                    _ = int.recv() => false,
                    _ = quit.recv() => true,
                };
                if tx.send(Event::Shutdown { fast }).is_err() {
                    break;
                }
            }
        });
    }

    // The API.
    let listeners = daemon::listeners_for(&settings, Daemon::Master)?;
    let router = Router::new()
        .route("/v1/master/status", post(status))
        .route("/v1/master/off", post(off))
        .route("/v1/master/on", post(on))
        .with_state(shared.clone());
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (ready_tx, ready_rx) = oneshot::channel::<Vec<Address>>();
    let ld = log_dir.clone();
    let server = tokio::spawn(daemon::serve(
        router,
        listeners,
        move |addrs| {
            if let Err(e) = daemon::address::write_address_file(&ld, Daemon::Master, addrs) {
                tracing::error!("cannot write the master's address file: {e}");
            }
            let _ = ready_tx.send(addrs.to_vec());
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    let addrs = match ready_rx.await {
        Ok(a) => a,
        Err(_) => {
            return match server.await {
                Ok(Err(e)) => Err(e),
                _ => Err(anyhow::anyhow!("the master's API did not start")),
            }
        }
    };

    // The Master ad.
    let mut advertiser = Some({
        let shared = shared.clone();
        let settings2 = settings.clone();
        let addrs = addrs.clone();
        let every = Duration::from_secs(settings.int("MASTER_UPDATE_INTERVAL", 300).max(1) as u64);
        Advertiser::spawn(
            settings.clone(),
            every,
            Arc::new(move || {
                let st = shared.status.lock().ok().and_then(|g| g.clone());
                vec![master_ad(&settings2, &addrs, start, st.as_ref())]
            }),
        )
    });

    let mut timers: BTreeMap<u64, ()> = BTreeMap::new();
    let mut actions = core.on_start(now());
    loop {
        let mut exit = false;
        for a in std::mem::take(&mut actions) {
            match a {
                Action::Spawn(name) => spawn_child(&settings, &name, tx.clone()),
                Action::Signal { name, pid, how } => {
                    tracing::info!("Sending {} to {name} (pid {pid})", if how == Stop::Kill { "SIGKILL" } else { "SIGTERM" });
                    signal(pid, how)
                }
                Action::Timer(t) => {
                    timers.insert((t * 1000.0).max(0.0) as u64, ());
                }
                Action::Log(line) => tracing::info!("{line}"),
                Action::Exit => exit = true,
            }
        }
        if let Ok(mut g) = shared.status.lock() {
            *g = Some(full_status(&settings, &core, start));
        }
        if exit {
            break;
        }
        let next = timers.keys().next().copied();
        let sleep = async {
            match next {
                Some(ms) => {
                    let wait = (ms as f64 / 1000.0 - now()).max(0.0);
                    tokio::time::sleep(Duration::from_secs_f64(wait)).await
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                let t = now();
                actions = match ev {
                    Event::Spawned { name, pid } => core.on_spawned(&name, pid, t),
                    Event::SpawnFailed { name, reason } => core.on_spawn_failed(&name, &reason, t),
                    Event::Exited { name, how } => core.on_exit(&name, &how, t),
                    Event::Ready { name } => core.on_ready(&name, t),
                    Event::Shutdown { fast } => {
                        // Withdraw the Master ad while the collector still runs.
                        if let Some(a) = advertiser.take() {
                            a.stop().await;
                        }
                        core.on_shutdown(fast, t)
                    }
                    Event::Status { reply } => {
                        let _ = reply.send(full_status(&settings, &core, start));
                        Vec::new()
                    }
                    Event::Off { req, reply } => {
                        let before = full_status(&settings, &core, start);
                        let (a, unknown) = core.on_off(&req.daemons, req.fast, t);
                        let _ = reply.send(if unknown.is_empty() { Ok(before) } else { Err(unknown_daemons(&unknown, &core)) });
                        a
                    }
                    Event::On { req, reply } => {
                        let (a, unknown) = core.on_on(&req.daemons, req.restart, t);
                        let answer = full_status(&settings, &core, start);
                        let _ = reply.send(if unknown.is_empty() { Ok(answer) } else { Err(unknown_daemons(&unknown, &core)) });
                        a
                    }
                };
                if let Some(a) = &advertiser {
                    a.changed();
                }
            }
            _ = sleep => {
                let t = now();
                let due: Vec<u64> = timers.range(..=((t * 1000.0) as u64)).map(|(k, _)| *k).collect();
                for k in due {
                    timers.remove(&k);
                }
                actions = core.on_timer(t);
            }
        }
    }
    if let Some(a) = advertiser.take() {
        a.stop().await;
    }
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    daemon::address::remove_address_file(&log_dir, Daemon::Master);
    let _ = std::fs::remove_file(log_dir.join(".master_pid"));
    tracing::info!("**** condor_master (pid {}) EXITING WITH STATUS 0", std::process::id());
    Ok(())
}

/// The daemon whose address file is `file_name` (`.schedd_address`).
pub(crate) fn daemon_of_address_file(file_name: &str) -> Option<Daemon> {
    let stem = file_name.strip_prefix('.')?.strip_suffix("_address")?;
    Daemon::from_name(stem)
}
