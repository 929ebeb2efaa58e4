//! The schedd's async shell: it opens the durable queue, rebuilds the core
//! from it, serves `/v1` on the schedd's Unix socket (and TCP), and runs
//! the tasks that talk to startds, the negotiator and the collector.
//!
//! Threads: the engine (one OS thread owning the queue, history, user logs
//! and core; see [`engine`]) and a small tokio runtime for HTTP, outbound
//! calls and advertising.

pub mod config;
pub mod engine;
pub mod factory;
pub mod http;
pub mod logs;
pub mod outbound;
pub mod store;

use std::sync::{Arc, Mutex};

use anyhow::Context;
use daemon::Settings;
use jobqueue::{History, JobQueue};
use proto::address::{Address, Daemon};
use proto::collector::{ad_type, quote};
use proto::WireAd;

use self::config::ServiceConfig;
use self::engine::{AdState, Engine, Input, Shared};

/// The address as `condor_q`'s `-- Schedd:` line shows it: HTCondor's
/// sinful string for a TCP address, else the Unix socket.
pub fn display_address(addrs: &[Address]) -> String {
    match addrs.iter().find(|a| matches!(a, Address::Tcp(_))) {
        Some(Address::Tcp(hp)) => {
            let (host, port) = hp.rsplit_once(':').unwrap_or((hp.as_str(), ""));
            format!("<{host}:{port}?addrs={host}-{port}>")
        }
        _ => addrs.first().map(|a| format!("<{a}>")).unwrap_or_default(),
    }
}

/// The Scheduler ad and one Submitter ad per user with jobs.
fn ads(settings: &Settings, name: &str, uid_domain: &str, start: i64, st: &AdState, addrs: &[Address]) -> Vec<WireAd> {
    let mut ad = daemon::ads::daemon_ad(settings, Daemon::Schedd, name, addrs, start);
    let t = &st.totals;
    for (k, v) in [
        ("TotalIdleJobs", t.idle),
        ("TotalRunningJobs", t.running),
        ("TotalHeldJobs", t.held),
        ("TotalRemovedJobs", t.removed),
        ("TotalJobAds", t.jobs),
        ("NumUsers", st.submitters.len() as u64),
        ("NumClaims", st.claims as u64),
    ] {
        ad.set(k, v.to_string());
    }
    ad.set("ScheddIpAddr", quote(&display_address(addrs)));
    ad.set("ClassAdLifetime", (settings.int("SCHEDD_UPDATE_INTERVAL", settings.int("UPDATE_INTERVAL", 300)) * 3).to_string());
    let mut out = vec![ad];
    for (owner, c) in &st.submitters {
        let mut s = WireAd::new();
        s.set("MyType", quote(ad_type::SUBMITTER));
        s.set("TargetType", quote(""));
        s.set("Name", quote(&format!("{owner}@{uid_domain}")));
        s.set("ScheddName", quote(name));
        s.set("Owner", quote(owner));
        s.set("IdleJobs", c.idle.to_string());
        s.set("RunningJobs", c.running.to_string());
        s.set("HeldJobs", c.held.to_string());
        proto::collector::set_addresses(&mut s, addrs);
        out.push(s);
    }
    out
}

/// Run the schedd until SIGTERM (or an unrecoverable queue error).
pub fn run(settings: Settings) -> anyhow::Result<()> {
    let log = settings.path("SCHEDD_LOG").unwrap_or_else(|| settings.log_dir().join(Daemon::Schedd.log_file_name()));
    daemon::logging::init(Some(&log), &settings.get_or("SCHEDD_DEBUG", "info")).with_context(|| format!("opening {}", log.display()))?;
    let listeners = daemon::listeners_for(&settings, Daemon::Schedd)?;
    let cfg = ServiceConfig::from_settings(&settings, Address::Unix(listeners.unix.clone()));
    for p in [&cfg.queue_path, &cfg.history_path] {
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let (queue, rec) = JobQueue::open(&cfg.queue_path).with_context(|| format!("opening the job queue {}", cfg.queue_path.display()))?;
    for s in &rec.skipped {
        tracing::warn!("job queue row not loaded: {s:?}");
    }
    // The history is written before the queue forgets the job (see
    // `core::effects`), so a crash cannot lose an ad; an fsync per batch
    // would only guard against power loss, which the queue (WAL,
    // synchronous = NORMAL) does not either. `HISTORY_FSYNC = true` asks for it.
    let hopts = jobqueue::HistoryOptions {
        fsync: settings.bool("HISTORY_FSYNC", false),
        max_bytes: settings
            .bool("ENABLE_HISTORY_ROTATION", true)
            .then(|| settings.int("MAX_HISTORY_LOG", 20 * 1024 * 1024).max(0) as u64),
        max_rotations: settings.int("MAX_HISTORY_ROTATIONS", 2).max(1) as usize,
    };
    let history = History::open_with(&cfg.history_path, hopts)
        .with_context(|| format!("opening the history {}", cfg.history_path.display()))?;
    if let Some(t) = history.torn_tail() {
        tracing::warn!("the history ended in a partly written ad; kept aside: {t:?}");
    }
    tracing::info!("schedd {} starting: {} jobs in {}", cfg.core.name, rec.jobs, cfg.queue_path.display());

    let (in_tx, in_rx) = std::sync::mpsc::channel::<Input>();
    let (out_tx, out_rx) = tokio::sync::mpsc::unbounded_channel();
    let shared = Arc::new(Shared { state: Mutex::new(AdState::default()), changed: tokio::sync::Notify::new() });
    let makers = factory::makers(&settings);
    let engine = Engine::start(queue, history, cfg.core.clone(), makers, out_tx, shared.clone()).context("recovering the job queue")?;
    let engine_thread = std::thread::Builder::new().name("engine".into()).spawn(move || engine.run(in_rx))?;

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let result = rt.block_on(serve(settings, cfg, listeners, in_tx.clone(), out_rx, shared));
    let _ = in_tx.send(Input::Shutdown);
    drop(in_tx);
    let _ = engine_thread.join();
    rt.shutdown_timeout(std::time::Duration::from_secs(3));
    result
}

async fn serve(
    settings: Settings,
    cfg: ServiceConfig,
    listeners: daemon::Listeners,
    engine: std::sync::mpsc::Sender<Input>,
    out_rx: tokio::sync::mpsc::UnboundedReceiver<engine::Outbound>,
    shared: Arc<Shared>,
) -> anyhow::Result<()> {
    let name = cfg.core.name.clone();
    let start = daemon::ads::now_secs();
    let me = Arc::new(outbound::Me { name: name.clone(), addresses: Mutex::new(Vec::new()) });
    let outbound = tokio::spawn(outbound::run(out_rx, engine.clone(), settings.clone(), me.clone()));

    let display = Arc::new(Mutex::new(String::new()));
    let state = http::AppState {
        engine: engine.clone(),
        name: name.clone(),
        display_address: display.clone(),
        history_path: cfg.history_path.clone(),
    };
    let ad_settings = settings.clone();
    let ad_me = me.clone();
    let ad_shared = shared.clone();
    let uid_domain = cfg.core.uid_domain.clone();
    let source: daemon::advertise::AdSource = Arc::new(move || {
        let st = ad_shared.state.lock().map(|s| s.clone()).unwrap_or_default();
        let addrs = ad_me.addresses.lock().map(|a| a.clone()).unwrap_or_default();
        ads(&ad_settings, &name, &uid_domain, start, &st, &addrs)
    });
    let advertiser = daemon::advertise::Advertiser::spawn(settings.clone(), cfg.update_interval, source);
    let trigger = advertiser.trigger();
    let notify_shared = shared.clone();
    // Counts change with every batch; the collector hears of them at most
    // once a second (and every UPDATE_INTERVAL regardless).
    let forward = tokio::spawn(async move {
        loop {
            notify_shared.changed.notified().await;
            trigger.notify_one();
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });

    let log_dir = settings.log_dir();
    let ready_engine = engine.clone();
    let on_ready = move |addrs: &[Address]| {
        let show = display_address(addrs);
        if let Ok(mut d) = display.lock() {
            *d = show.clone();
        }
        if let Ok(mut a) = me.addresses.lock() {
            *a = addrs.to_vec();
        }
        // Startds on other hosts need TCP; on this host the socket is faster.
        let for_startds = addrs.iter().find(|a| matches!(a, Address::Tcp(_))).cloned().unwrap_or_else(|| addrs[0].clone());
        let _ = ready_engine.send(Input::Addresses {
            address: for_startds,
            submit_host: show,
            all: addrs.iter().map(|a| a.to_string()).collect(),
        });
        if let Err(e) = daemon::address::write_address_file(&log_dir, Daemon::Schedd, addrs) {
            tracing::error!("cannot write the schedd's address file: {e}");
        }
        tracing::info!("schedd listening on {}", addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" "));
        // A restarted schedd with idle jobs asks for a negotiation at once.
        let _ = ready_engine.send(Input::Reschedule);
    };
    let served = daemon::serve(http::router(state), listeners, on_ready, daemon::shutdown_signal()).await;
    tracing::info!("schedd stopping");
    daemon::address::remove_address_file(&settings.log_dir(), Daemon::Schedd);
    let _ = engine.send(Input::Shutdown);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), outbound).await;
    forward.abort();
    advertiser.stop().await;
    served
}
