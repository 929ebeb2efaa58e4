//! The startd process: the claim endpoints, starter processes, event
//! reports to schedds, advertising, and claim records.
//!
//! The core ([`Startd`]) sits behind a mutex on a current-thread runtime;
//! every handler and task locks it, calls one `on_*` function and hands
//! the returned actions to [`Service::apply`]. Starters are children fed
//! through a channel per claim; reports go through one [`reporter`] task
//! per schedd that keeps a single request in flight and batches the rest.

mod config;
mod records;
mod reporter;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use daemon::advertise::Advertiser;
use daemon::{ApiFailure, Caller, Settings};
use proto::address::{Address, Daemon};
use proto::startd::{
    Activate, ClaimGranted, ClaimsAlive, ClaimsAliveAnswer, ReleaseClaim, RequestClaim, SignalJob, StarterCommand,
    StarterEvent,
};
use proto::WireAd;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, Notify};

use crate::core::{Action, Startd};
use reporter::Reporter;

/// A starter process: where its commands go, and the claim it serves
/// (`None` while it is the spare).
struct StarterProc {
    tx: mpsc::UnboundedSender<StarterCommand>,
    claim: Arc<Mutex<Option<String>>>,
}

/// The configuration a starter needs.
struct StarterArgs {
    log_base: PathBuf,
    debug: String,
    use_cgroups: bool,
}

/// Shared by handlers and tasks.
pub struct Service {
    core: Mutex<Startd>,
    starters: Mutex<HashMap<String, mpsc::UnboundedSender<StarterCommand>>>,
    /// A starter already running, for the next claim.
    spare: Mutex<Option<StarterProc>>,
    keep_spare: bool,
    /// A spare starter is being started.
    refilling: std::sync::atomic::AtomicBool,
    /// What the starters are told on their command line.
    starter: StarterArgs,
    reporters: Mutex<HashMap<Address, Arc<Reporter>>>,
    /// Ads changed.
    advertise: Arc<Notify>,
    /// Only activities changed: advertised within `ACTIVITY_AD_DELAY`.
    advertise_soon: Arc<Notify>,
    /// Slots freed since the ads were last taken for the collector.
    freed: Mutex<Vec<String>>,
    /// Slots freed that are in the ads on their way to the collector.
    freed_sent: Mutex<Vec<String>>,
    /// Claims changed (the lease timer recomputes its deadline).
    leases: Notify,
    /// All starters gone (for shutdown).
    starters_gone: Notify,
    /// The claims changed: the records task writes them.
    records_changed: Notify,
    claims_file: PathBuf,
    host: String,
    start_time: i64,
    next_claim: Mutex<u64>,
}

type St = Arc<Service>;

/// How long an activity-only change (a claimed slot going Idle ↔ Busy)
/// waits before it is advertised; changes meanwhile share the ad.
const ACTIVITY_AD_DELAY: Duration = Duration::from_secs(1);

fn now() -> f64 {
    daemon::ads::now_f64()
}

fn random_hex() -> String {
    use std::io::Read;
    let mut buf = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = f.read_exact(&mut buf);
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl Service {
    fn lock(&self) -> std::sync::MutexGuard<'_, Startd> {
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn new_claim_id(&self) -> String {
        let mut n = self.next_claim.lock().unwrap_or_else(|p| p.into_inner());
        *n += 1;
        format!("<{}>#{}#{}#{}", self.host, self.start_time, *n, random_hex())
    }

    fn reporter(self: &Arc<Self>, schedd: &Address) -> Arc<Reporter> {
        let mut map = self.reporters.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(schedd.clone())
            .or_insert_with(|| Reporter::spawn(schedd.clone(), self.host.clone(), Arc::downgrade(self)))
            .clone()
    }

    /// Carry out the core's actions.
    pub fn apply(self: &Arc<Self>, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::SpawnStarter { claim_id } => self.spawn_starter(claim_id),
                Action::Starter { claim_id, cmd } => {
                    let map = self.starters.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(tx) = map.get(&claim_id) {
                        let _ = tx.send(cmd);
                    }
                }
                Action::CloseStarter { claim_id } => {
                    self.starters.lock().unwrap_or_else(|p| p.into_inner()).remove(&claim_id);
                }
                Action::Report { schedd, report } => self.reporter(&schedd).push(report),
                Action::AdsChanged => self.advertise.notify_one(),
                Action::ActivityChanged => self.advertise_soon.notify_one(),
                Action::SlotFreed(slot) => self.freed.lock().unwrap_or_else(|p| p.into_inner()).push(slot),
                Action::SaveClaims => {
                    // Written by the records task, off the request's path.
                    self.records_changed.notify_one();
                    self.leases.notify_one();
                }
                Action::Log(line) => tracing::info!("{line}"),
            }
        }
    }

    /// Give a new claim its starter: the spare one when there is one (it is
    /// already running, so the claim's first job does not wait for a
    /// process to start), else a new one; then start the next spare.
    fn spawn_starter(self: &Arc<Self>, claim_id: String) {
        let slot = self.lock().slot_of_claim(&claim_id).unwrap_or_default();
        let short = slot.split('@').next().unwrap_or(&slot).to_string();
        let spare = self.spare.lock().unwrap_or_else(|p| p.into_inner()).take();
        let proc = match spare {
            Some(p) => Ok(p),
            None => self.start_process(Some(&short)),
        };
        match proc {
            Ok(p) => {
                *p.claim.lock().unwrap_or_else(|e| e.into_inner()) = Some(claim_id.clone());
                self.starters.lock().unwrap_or_else(|e| e.into_inner()).insert(claim_id, p.tx);
                // Off this request's path: starting a process blocks the
                // thread for milliseconds, and the claim's answer (and its
                // first job) should not wait for the next claim's starter.
                let svc = self.clone();
                tokio::task::spawn_blocking(move || svc.refill_spare());
            }
            Err(e) => {
                let a = self.lock().on_starter_gone(&claim_id, &format!("could not be started: {e}"), now());
                self.apply(a);
            }
        }
    }

    /// Keep `STARTD_SPARE_STARTERS` (0 or 1) starter ready for the next claim.
    fn refill_spare(self: &Arc<Self>) {
        if !self.keep_spare || self.lock().shutting_down() {
            return;
        }
        if self.spare.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
            return;
        }
        if self.refilling.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return;
        }
        // The process starts without the lock held, so a claim arriving
        // meanwhile is not held up (it starts its own starter).
        let started = self.start_process(None);
        self.refilling.store(false, std::sync::atomic::Ordering::Release);
        match started {
            Ok(p) => {
                let stopping = self.lock().shutting_down();
                let mut spare = self.spare.lock().unwrap_or_else(|p| p.into_inner());
                if spare.is_none() && !stopping {
                    *spare = Some(p);
                }
                // Otherwise dropping `p` closes its input and it exits.
            }
            Err(e) => tracing::warn!("cannot start a spare starter: {e}"),
        }
    }

    /// Start a starter process (for `slot`, or a spare) and the tasks that
    /// feed it and read it.
    fn start_process(self: &Arc<Self>, slot: Option<&str>) -> Result<StarterProc, String> {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe().map_err(|e| format!("cannot find the aerie binary: {e}"))?;
        let mut std_cmd = std::process::Command::new(exe);
        std_cmd.arg0("condor_starter");
        if let Some(s) = slot {
            std_cmd.arg("--slot").arg(s);
        }
        // What the starter would read from the configuration, so it need not.
        std_cmd.arg("--log").arg(&self.starter.log_base).arg("--debug").arg(&self.starter.debug);
        if !self.starter.use_cgroups {
            std_cmd.arg("--no-cgroups");
        }
        let mut cmd = tokio::process::Command::from(std_cmd);
        cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).kill_on_drop(false);
        let mut child = cmd.spawn().map_err(|e| e.to_string())?;
        let (tx, mut rx) = mpsc::unbounded_channel::<StarterCommand>();
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the starter has no pipes".into());
        };
        let claim: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        // Commands → starter.
        tokio::spawn(async move {
            while let Some(cmd) = rx.recv().await {
                let Ok(mut line) = serde_json::to_vec(&cmd) else { continue };
                line.push(b'\n');
                if stdin.write_all(&line).await.is_err() {
                    break;
                }
            }
            // Dropping stdin closes the starter's input.
        });
        // Starter → events; then its exit.
        let svc = self.clone();
        let cell = claim.clone();
        tokio::spawn(async move {
            let claim_of = || cell.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let mut lines = tokio::io::BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<StarterEvent>(&line) {
                    Ok(ev) => {
                        // A spare has no claim yet: its `Ready` needs no answer.
                        if let Some(id) = claim_of() {
                            let a = svc.lock().on_starter_event(&id, ev, now());
                            svc.apply(a);
                        }
                    }
                    Err(e) => tracing::warn!("unreadable line from a starter: {e}: {line}"),
                }
            }
            let how = match child.wait().await {
                Ok(st) => describe(st),
                Err(e) => format!("could not be waited for: {e}"),
            };
            match claim_of() {
                Some(id) => {
                    svc.starters.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                    let a = svc.lock().on_starter_gone(&id, &how, now());
                    svc.apply(a);
                }
                None => {
                    // The spare died before a claim took it.
                    let mut spare = svc.spare.lock().unwrap_or_else(|p| p.into_inner());
                    if spare.as_ref().is_some_and(|p| Arc::ptr_eq(&p.claim, &cell)) {
                        tracing::warn!("the spare starter {how}");
                        *spare = None;
                    }
                }
            }
            if svc.lock().claim_count() == 0 {
                svc.starters_gone.notify_waiters();
            }
        });
        Ok(StarterProc { tx, claim })
    }
}

fn describe(st: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (st.code(), st.signal()) {
        (Some(c), _) => format!("exited with status {c}"),
        (_, Some(s)) => format!("died on signal {s}"),
        _ => "ended".into(),
    }
}

async fn request_claim(State(s): State<St>, caller: Caller, Json(req): Json<RequestClaim>) -> Result<Json<ClaimGranted>, ApiFailure> {
    caller.require_daemon_peer("claim slots")?;
    let id = s.new_claim_id();
    let (granted, actions) = s.lock().on_request_claim(&req, id, now())?;
    s.apply(actions);
    Ok(Json(granted))
}

async fn activate(State(s): State<St>, caller: Caller, Json(req): Json<Activate>) -> Result<Json<()>, ApiFailure> {
    caller.require_daemon_peer("run jobs on a claim")?;
    let actions = s.lock().on_activate(req, now())?;
    s.apply(actions);
    Ok(Json(()))
}

async fn signal(State(s): State<St>, caller: Caller, Json(req): Json<SignalJob>) -> Result<Json<()>, ApiFailure> {
    caller.require_daemon_peer("signal jobs")?;
    let actions = s.lock().on_signal(&req, now())?;
    s.apply(actions);
    Ok(Json(()))
}

async fn release(State(s): State<St>, caller: Caller, Json(req): Json<ReleaseClaim>) -> Result<Json<()>, ApiFailure> {
    caller.require_daemon_peer("release claims")?;
    let actions = s.lock().on_release(&req.claim_id, now())?;
    s.apply(actions);
    Ok(Json(()))
}

async fn alive(State(s): State<St>, Json(req): Json<ClaimsAlive>) -> Json<ClaimsAliveAnswer> {
    Json(s.lock().on_alive(&req.claim_ids, now()))
}

async fn slots(State(s): State<St>) -> Json<Vec<WireAd>> {
    Json(s.lock().slot_ads(now(), daemon::host::load_average()))
}

fn router(state: St) -> Router {
    Router::new()
        .route("/v1/claims", post(request_claim))
        .route("/v1/claims/activate", post(activate))
        .route("/v1/claims/signal", post(signal))
        .route("/v1/claims/release", post(release))
        .route("/v1/claims/alive", post(alive))
        .route("/v1/slots/query", post(slots))
        .with_state(state)
}

/// Release claims whose lease ran out, at the moment they run out.
async fn lease_timer(s: St) {
    loop {
        let next = s.lock().next_deadline();
        let wait = next.map(|t| (t - now()).max(0.0)).unwrap_or(3600.0);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(wait)) => {
                let a = s.lock().on_timer(now());
                s.apply(a);
            }
            _ = s.leases.notified() => {}
        }
    }
}

/// Keep the claim records file up to date (changes coalesce; the writes
/// run on a blocking thread, never in a request).
async fn save_records(s: St) {
    loop {
        s.records_changed.notified().await;
        let records = s.lock().claim_records();
        let path = s.claims_file.clone();
        let r = tokio::task::spawn_blocking(move || records::save(&path, &records)).await;
        if let Ok(Err(e)) = r {
            tracing::warn!("cannot record claims in {}: {e}", s.claims_file.display());
        }
    }
}

/// Tell the negotiator that slots were freed (the collector has their new
/// ads), so jobs another schedd has waiting need not wait for
/// `NEGOTIATOR_INTERVAL`; it starts a cycle only if the last one left jobs idle.
async fn wake_negotiator(settings: Settings, host: String, freed: Vec<String>) {
    let Some(addr) = daemon::locate::negotiator_address(&settings).await else {
        tracing::debug!("slots freed, but no negotiator to tell");
        return;
    };
    let c = client::Client::new(addr.clone());
    let req = proto::negotiator::Reschedule { from: Some(format!("startd {host}")), slots_freed: freed, ..Default::default() };
    let r: Result<serde_json::Value, client::ClientError> =
        match tokio::time::timeout(Duration::from_secs(10), c.post("/v1/reschedule", &req)).await {
            Ok(r) => r,
            Err(_) => return,
        };
    if let Err(e) = r {
        tracing::debug!("telling the negotiator at {addr} about freed slots: {e}");
    }
}

/// Remove sandboxes a previous startd left behind (its starters are gone).
fn clean_execute_dir(dir: &std::path::Path) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with("dir_") {
            tracing::info!("removing the leftover sandbox {}", e.path().display());
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Run the startd until SIGTERM.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    // Before anything announces the startd, so SIGTERM always stops it cleanly.
    let shutdown = daemon::shutdown_signal();
    let start_time = daemon::ads::now_secs();
    let execute = settings.execute_dir();
    std::fs::create_dir_all(&execute).map_err(|e| anyhow::anyhow!("cannot create EXECUTE = {}: {e}", execute.display()))?;
    clean_execute_dir(&execute);
    let listeners = daemon::listeners_for(&settings, Daemon::Startd)?;
    let mut addrs = vec![Address::Unix(listeners.unix.clone())];
    if let Some(tcp) = &listeners.tcp {
        // The real port is known once bound; the ads are refreshed then.
        addrs.push(Address::Tcp(tcp.clone()));
    }
    let cfg = config::startd_config(&settings, &addrs, start_time)?;
    let host = cfg.facts.host.clone();
    for s in &cfg.slots {
        tracing::info!(
            "slot{}: {} Cpus, {} MB Memory, {} KB Disk{}",
            s.id,
            s.res.cpus,
            s.res.memory_mb,
            s.res.disk_kb,
            if s.partitionable { " (partitionable)" } else { "" }
        );
    }
    let claims_file = settings.spool_dir().join("startd_claims.json");
    let svc: St = Arc::new(Service {
        core: Mutex::new(Startd::new(cfg, now())),
        starters: Mutex::new(HashMap::new()),
        spare: Mutex::new(None),
        keep_spare: settings.int("STARTD_SPARE_STARTERS", 1) > 0,
        refilling: std::sync::atomic::AtomicBool::new(false),
        starter: StarterArgs {
            log_base: settings.path("STARTER_LOG").unwrap_or_else(|| settings.log_dir().join("StarterLog")),
            debug: settings.get_or("STARTER_DEBUG", "info"),
            use_cgroups: settings.bool("STARTER_USE_CGROUPS", true),
        },
        reporters: Mutex::new(HashMap::new()),
        advertise: Arc::new(Notify::new()),
        advertise_soon: Arc::new(Notify::new()),
        freed: Mutex::new(Vec::new()),
        freed_sent: Mutex::new(Vec::new()),
        leases: Notify::new(),
        starters_gone: Notify::new(),
        records_changed: Notify::new(),
        claims_file: claims_file.clone(),
        host,
        start_time,
        next_claim: Mutex::new(0),
    });
    // Claims a previous startd had are gone: say so to their schedds.
    let previous = records::load(&claims_file);
    if !previous.is_empty() {
        tracing::info!("{} claims from before this startd started are gone; telling their schedds", previous.len());
        let actions: Vec<Action> = previous
            .into_iter()
            .map(|(claim_id, schedd)| Action::Report {
                schedd,
                report: crate::core::Report::Lost(proto::startd::LostClaim { claim_id, reason: "the startd restarted".into() }),
            })
            .collect();
        svc.apply(actions);
    }
    let _ = records::save(&claims_file, &[]);
    tokio::spawn(lease_timer(svc.clone()));
    tokio::spawn(save_records(svc.clone()));
    svc.refill_spare();

    let log_dir = settings.log_dir();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Vec<Address>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let ld = log_dir.clone();
    let server = tokio::spawn(daemon::serve(
        router(svc.clone()),
        listeners,
        move |addrs| {
            if let Err(e) = daemon::address::write_address_file(&ld, Daemon::Startd, addrs) {
                tracing::error!("cannot write the startd's address file: {e}");
            }
            let _ = ready_tx.send(addrs.to_vec());
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    let bound = match ready_rx.await {
        Ok(a) => a,
        Err(_) => {
            return match server.await {
                Ok(Err(e)) => Err(e),
                _ => Err(anyhow::anyhow!("the startd's API did not start")),
            }
        }
    };
    {
        // The bound addresses (a TCP port the kernel chose) in every ad.
        let mut ad = WireAd::new();
        proto::collector::set_addresses(&mut ad, &bound);
        if let Some(a) = ad.get("MyAddress").map(str::to_string) {
            let mut core = svc.lock();
            core.set_common("MyAddress", &a);
            core.set_common("StartdIpAddr", &a);
        }
    }
    let addr_text = bound.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" ");
    tracing::info!("startd listening on {addr_text}");
    let every = Duration::from_secs(settings.int("UPDATE_INTERVAL", 300).max(1) as u64);
    let advertiser = {
        let svc2 = svc.clone();
        let source: daemon::advertise::AdSource = Arc::new(move || {
            let ads = svc2.lock().slot_ads(now(), daemon::host::load_average());
            // These ads show the slots freed so far.
            let freed = std::mem::take(&mut *svc2.freed.lock().unwrap_or_else(|p| p.into_inner()));
            svc2.freed_sent.lock().unwrap_or_else(|p| p.into_inner()).extend(freed);
            ads
        });
        let svc3 = svc.clone();
        let settings3 = settings.clone();
        let after: daemon::advertise::AfterSent = Arc::new(move || {
            let freed = std::mem::take(&mut *svc3.freed_sent.lock().unwrap_or_else(|p| p.into_inner()));
            if !freed.is_empty() {
                tokio::spawn(wake_negotiator(settings3.clone(), svc3.host.clone(), freed));
            }
        });
        Advertiser::spawn_with(settings.clone(), every, source, Some(after))
    };
    // Changes in the slots wake the advertiser: at once, or — activities
    // alone — after a short delay that gathers a burst into one ad.
    {
        let trigger = advertiser.trigger();
        let notify = svc.advertise.clone();
        tokio::spawn(async move {
            loop {
                notify.notified().await;
                trigger.notify_one();
            }
        });
        let trigger = advertiser.trigger();
        let soon = svc.advertise_soon.clone();
        tokio::spawn(async move {
            loop {
                soon.notified().await;
                tokio::time::sleep(ACTIVITY_AD_DELAY).await;
                trigger.notify_one();
            }
        });
    }

    shutdown.await;
    tracing::info!("startd shutting down: vacating jobs and releasing claims");
    let a = svc.lock().on_shutdown(now());
    svc.apply(a);
    // The spare's input closes and it exits.
    svc.spare.lock().unwrap_or_else(|p| p.into_inner()).take();
    let grace = Duration::from_secs(settings.int("STARTD_SHUTDOWN_GRACE", 15).max(1) as u64);
    let wait_starters = async {
        while svc.lock().claim_count() > 0 || !svc.starters.lock().map(|m| m.is_empty()).unwrap_or(true) {
            tokio::select! {
                _ = svc.starters_gone.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    };
    if tokio::time::timeout(grace, wait_starters).await.is_err() {
        tracing::warn!("starters did not stop within {} s", grace.as_secs());
    }
    // Let the last reports reach their schedds.
    let reporters: Vec<Arc<Reporter>> = svc.reporters.lock().map(|m| m.values().cloned().collect()).unwrap_or_default();
    for r in reporters {
        let _ = tokio::time::timeout(Duration::from_secs(2), r.drained()).await;
    }
    advertiser.stop().await;
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    daemon::address::remove_address_file(&log_dir, Daemon::Startd);
    let _ = records::save(&claims_file, &[]);
    tracing::info!("startd exiting");
    Ok(())
}
