//! The collector process: `/v1` endpoints over the [`Store`], the expiry
//! timer, and the collector's own ad.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use daemon::{ApiFailure, Settings};
use proto::address::{Address, Daemon};
use proto::collector::{quote, AdQuery, Advertise, Invalidate, Stored};
use proto::{ApiError, WireAd};
use tokio::sync::Notify;

use crate::core::Store;

struct Shared {
    store: Mutex<Store>,
    /// Something changed the next expiry time.
    changed: Notify,
    instance: String,
}

type St = Arc<Shared>;

fn now() -> f64 {
    daemon::ads::now_f64()
}

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Store> {
    s.store.lock().unwrap_or_else(|p| p.into_inner())
}

async fn advertise(State(s): State<St>, Json(req): Json<Advertise>) -> Result<Json<Stored>, ApiFailure> {
    let n = lock(&s).on_advertise(req.ads, now()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    s.changed.notify_one();
    Ok(Json(Stored { count: n, instance: s.instance.clone() }))
}

async fn query(State(s): State<St>, Json(req): Json<AdQuery>) -> Result<Json<Vec<WireAd>>, ApiFailure> {
    let ads = lock(&s).on_query(&req).map_err(|e| {
        ApiError::bad_request(e.to_string()).with_hint("a constraint is a ClassAd expression, e.g. 'Memory > 1024 && State == \"Unclaimed\"'")
    })?;
    Ok(Json(ads))
}

async fn invalidate(State(s): State<St>, Json(req): Json<Invalidate>) -> Result<Json<Stored>, ApiFailure> {
    let n = lock(&s).on_invalidate(&req).map_err(|e| ApiError::bad_request(e.to_string()))?;
    s.changed.notify_one();
    Ok(Json(Stored { count: n, instance: s.instance.clone() }))
}

/// The `/v1` routes of the collector.
fn router(state: St) -> Router {
    Router::new()
        .route("/v1/ads", post(advertise))
        .route("/v1/ads/query", post(query))
        .route("/v1/ads/invalidate", post(invalidate))
        .with_state(state)
}

/// Drop expired ads when they expire (a timer set to the next expiry).
async fn expire(s: St) {
    loop {
        let next = lock(&s).next_expiry();
        let wait = match next {
            Some(t) => Duration::from_secs_f64((t - now()).max(0.0)),
            None => Duration::from_secs(3600),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {
                let gone = lock(&s).on_timer(now());
                for (t, n) in gone {
                    tracing::info!("{t} ad {n} expired");
                }
            }
            _ = s.changed.notified() => {}
        }
    }
}

fn own_ad(settings: &Settings, addrs: &[Address], start: i64, store: &Store) -> WireAd {
    let name = settings.get_or("COLLECTOR_NAME", "My Pool");
    let mut ad = daemon::ads::daemon_ad(settings, Daemon::Collector, &name, addrs, start);
    for (t, n) in store.counts() {
        let attr = match t.as_str() {
            "Machine" => "HostsTotal",
            "Scheduler" => "NumberOfSchedds",
            "Submitter" => "SubmitterAds",
            _ => continue,
        };
        ad.set(attr, n.to_string());
    }
    ad.set("UpdateInterval", settings.int("COLLECTOR_UPDATE_INTERVAL", 900).to_string());
    ad.set("ClassAdLifetime", (settings.int("COLLECTOR_UPDATE_INTERVAL", 900) * 3).to_string());
    ad.set("CollectorName", quote(&name));
    ad
}

/// Run the collector until SIGTERM.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let start = daemon::ads::now_secs();
    let lifetime = settings.int("CLASSAD_LIFETIME", 900);
    let shared: St = Arc::new(Shared {
        store: Mutex::new(Store::new(lifetime)),
        changed: Notify::new(),
        instance: format!("{}-{}", std::process::id(), start),
    });
    tokio::spawn(expire(shared.clone()));
    let listeners = daemon::listeners_for(&settings, Daemon::Collector)?;
    let log_dir = settings.log_dir();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Vec<Address>>();
    // The collector's own ad, refreshed every COLLECTOR_UPDATE_INTERVAL.
    {
        let shared = shared.clone();
        let settings = settings.clone();
        tokio::spawn(async move {
            let Ok(addrs) = ready_rx.await else { return };
            let every = Duration::from_secs(settings.int("COLLECTOR_UPDATE_INTERVAL", 900).max(1) as u64);
            loop {
                {
                    let mut st = lock(&shared);
                    let ad = own_ad(&settings, &addrs, start, &st);
                    if let Err(e) = st.on_advertise(vec![ad], now()) {
                        tracing::warn!("cannot store the collector's own ad: {e}");
                    }
                }
                shared.changed.notify_one();
                tokio::time::sleep(every).await;
            }
        });
    }
    tracing::info!("collector starting (CLASSAD_LIFETIME {lifetime} s)");
    let ld = log_dir.clone();
    daemon::serve(
        router(shared),
        listeners,
        move |addrs| {
            if let Err(e) = daemon::address::write_address_file(&ld, Daemon::Collector, addrs) {
                tracing::error!("cannot write the address file in {}: {e}", ld.display());
            }
            tracing::info!("collector listening on {}", addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" "));
            let _ = ready_tx.send(addrs.to_vec());
        },
        daemon::shutdown_signal(),
    )
    .await?;
    daemon::address::remove_address_file(&log_dir, Daemon::Collector);
    tracing::info!("collector exiting");
    Ok(())
}
