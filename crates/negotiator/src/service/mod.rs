//! The negotiator process: the core's state behind a lock, the `/v1`
//! endpoints, the wake-up loop that runs cycles, and the negotiator's own
//! ad in the collector.
//!
//! ```text
//! POST /v1/reschedule ──▶ Wakeup::on_reschedule ──▶ notify
//! wake-up loop: Wakeup::poll ──▶ cycle::run (collector, schedds, core) ──▶ on_cycle_finished
//!               (sleeps until the next due time or a reschedule)
//! Advertiser: the Negotiator ad, after every cycle and every NEGOTIATOR_UPDATE_INTERVAL
//! ```
//!
//! It listens on `$(LOCK)/negotiator.sock` (and TCP with `USE_TCP`),
//! writes `$(LOG)/.negotiator_address` once it answers, logs to
//! `NEGOTIATOR_LOG` (`$(LOG)/NegotiatorLog`), re-reads its configuration
//! on SIGHUP (as HTCondor daemons do on a reconfig; the accountant keeps
//! its records), and stops on SIGTERM.

mod config;
mod cycle;
mod http;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use client::Client;
use proto::address::{Address, Daemon};
use proto::negotiator::CycleStats;
use tokio::sync::Notify;

use crate::core::{Negotiator, Wake, Wakeup};

pub use config::core_settings;

/// What the endpoints and the wake-up loop share.
pub(crate) struct Core {
    pub negotiator: Negotiator,
    pub wakeup: Wakeup,
    pub last: CycleStats,
    /// Schedds that asked for a cycle with their addresses since the last one.
    pub asked_by: Vec<(String, Vec<Address>)>,
}

pub(crate) struct Shared {
    settings: daemon::Settings,
    core: Mutex<Core>,
    wake: Notify,
    epoch: Instant,
    /// Kept clients, by address.
    clients: Mutex<HashMap<String, Arc<Client>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds on the wake-up clock (monotonic).
    fn clock(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64()
    }
}

/// Re-read the configuration on every SIGHUP.
async fn reconfig_on_sighup(shared: Arc<Shared>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else { return };
    while hup.recv().await.is_some() {
        let loaded = daemon::Settings::load(shared.settings.subsystem())
            .map_err(anyhow::Error::from)
            .and_then(|cfg| config::core_settings(&cfg));
        match loaded {
            Ok(s) => {
                tracing::info!(
                    "reconfigured: NEGOTIATOR_INTERVAL {} s, PRIORITY_HALFLIFE {} s, DEFAULT_PRIO_FACTOR {}",
                    s.interval_secs,
                    s.half_life_secs,
                    s.default_prio_factor
                );
                let mut core = shared.lock();
                core.wakeup.reconfigure(s.interval_secs, s.min_interval_secs, s.reschedule_delay_secs);
                core.negotiator.reconfigure(s);
                drop(core);
                shared.wake.notify_one();
            }
            Err(e) => tracing::warn!("reconfiguration refused, the old settings stay: {e:#}"),
        }
    }
}

/// Run the negotiator until SIGTERM.
pub async fn run(settings: daemon::Settings) -> anyhow::Result<()> {
    run_until(settings, daemon::shutdown_signal()).await
}

/// Run the negotiator until `shutdown` resolves.
pub async fn run_until(
    settings: daemon::Settings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let core_settings = config::core_settings(&settings)?;
    let name = config::name(&settings);
    let start_time = daemon::ads::now_secs();
    let epoch = Instant::now();
    let wakeup = Wakeup::new(
        0.0,
        core_settings.interval_secs,
        core_settings.min_interval_secs,
        core_settings.reschedule_delay_secs,
    );
    tracing::info!(
        "negotiator {name} starting: NEGOTIATOR_INTERVAL {} s, PRIORITY_HALFLIFE {} s, DEFAULT_PRIO_FACTOR {}",
        core_settings.interval_secs,
        core_settings.half_life_secs,
        core_settings.default_prio_factor
    );
    let update_every = Duration::from_secs_f64(core_settings.update_interval_secs);
    let shared = Arc::new(Shared {
        settings: settings.clone(),
        core: Mutex::new(Core {
            negotiator: Negotiator::new(name.clone(), core_settings),
            wakeup,
            last: CycleStats::default(),
            asked_by: Vec::new(),
        }),
        wake: Notify::new(),
        epoch,
        clients: Mutex::new(HashMap::new()),
    });

    let listeners = daemon::listeners_for(&settings, Daemon::Negotiator)?;
    let log_dir = settings.log_dir();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Vec<Address>>();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);

    // Cycles and the negotiator's ad start once the sockets answer.
    let looper = {
        let shared = shared.clone();
        let settings = settings.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let Ok(addrs) = ready_rx.await else { return };
            let ad_shared = shared.clone();
            let ad_settings = settings.clone();
            let source: daemon::advertise::AdSource = Arc::new(move || {
                let base = daemon::ads::daemon_ad(&ad_settings, Daemon::Negotiator, &name, &addrs, start_time);
                let core = ad_shared.lock();
                vec![cycle::negotiator_ad(base, &core.last, &core.negotiator)]
            });
            let advertiser = daemon::advertise::Advertiser::spawn(settings, update_every, source);
            loop {
                let action = {
                    let now = shared.clock();
                    shared.lock().wakeup.poll(now)
                };
                match action {
                    Wake::Negotiate => {
                        let stats = cycle::run(shared.clone()).await;
                        let now = shared.clock();
                        let mut core = shared.lock();
                        core.last = stats;
                        core.wakeup.on_cycle_finished(now);
                        drop(core);
                        advertiser.changed();
                    }
                    Wake::SleepUntil(t) => {
                        let wait = Duration::from_secs_f64((t - shared.clock()).max(0.0));
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = shared.wake.notified() => {}
                            _ = stop.wait_for(|v| *v) => break,
                        }
                    }
                    Wake::Busy => {
                        tokio::select! {
                            _ = shared.wake.notified() => {}
                            _ = stop.wait_for(|v| *v) => break,
                        }
                    }
                }
                if *stop.borrow() {
                    break;
                }
            }
            advertiser.stop().await;
        })
    };

    let reconfig = tokio::spawn(reconfig_on_sighup(shared.clone()));

    let ld = log_dir.clone();
    let served = daemon::serve(
        http::router(shared.clone()),
        listeners,
        move |addrs| {
            if let Err(e) = daemon::address::write_address_file(&ld, Daemon::Negotiator, addrs) {
                tracing::error!("cannot write the address file in {}: {e}", ld.display());
            }
            tracing::info!("negotiator listening on {}", addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" "));
            let _ = ready_tx.send(addrs.to_vec());
        },
        shutdown,
    )
    .await;
    let _ = stop_tx.send(true);
    reconfig.abort();
    shared.wake.notify_one();
    let _ = tokio::time::timeout(Duration::from_secs(5), looper).await;
    daemon::address::remove_address_file(&log_dir, Daemon::Negotiator);
    tracing::info!("negotiator exiting");
    served
}
