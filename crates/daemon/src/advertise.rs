//! Keeping a daemon's ads in the collector.
//!
//! An [`Advertiser`] task sends all of a daemon's ads to the collector when
//! they change ([`Advertiser::changed`]), every `interval` (the daemon's
//! `UPDATE_INTERVAL`), and as soon as the collector comes back after its
//! connection closed (the collector restarted): re-advertising is driven by
//! events, the interval is only an upper bound. Ads that disappeared since
//! the last update (a dynamic slot that went away) are invalidated, and
//! [`Advertiser::stop`] invalidates everything when the daemon exits.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use client::Client;
use proto::address::Address;
use proto::collector::{Advertise, Invalidate};
use proto::WireAd;
use tokio::sync::Notify;

use crate::settings::Settings;

/// Produces the daemon's current ads.
pub type AdSource = Arc<dyn Fn() -> Vec<WireAd> + Send + Sync>;

/// Called after each update the collector accepted (the ads it has now
/// are those the last [`AdSource`] call produced).
pub type AfterSent = Arc<dyn Fn() + Send + Sync>;

/// Handle on a running advertiser task.
pub struct Advertiser {
    changed: Arc<Notify>,
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Advertiser {
    /// Start advertising what `source` returns, to the collector that
    /// `settings` names.
    pub fn spawn(settings: Settings, interval: Duration, source: AdSource) -> Advertiser {
        Advertiser::spawn_with(settings, interval, source, None)
    }

    /// [`Advertiser::spawn`], calling `after` once each update is accepted.
    pub fn spawn_with(settings: Settings, interval: Duration, source: AdSource, after: Option<AfterSent>) -> Advertiser {
        let changed = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(settings, interval, source, after, changed.clone(), stop.clone()));
        changed.notify_one();
        Advertiser { changed, stop, task }
    }

    /// The ads changed: send them now (coalesced with other changes).
    pub fn changed(&self) {
        self.changed.notify_one();
    }

    /// A cheap handle that signals changes from anywhere.
    pub fn trigger(&self) -> Arc<Notify> {
        self.changed.clone()
    }

    /// Invalidate the daemon's ads in the collector and end the task
    /// (gives up after a second if the collector does not answer).
    pub async fn stop(self) {
        self.stop.notify_one();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.task).await;
    }
}

fn key(ad: &WireAd) -> Option<(String, String)> {
    let t = proto::collector::unquote(ad.get("MyType")?)?;
    let n = proto::collector::unquote(ad.get("Name")?)?;
    Some((t, n))
}

async fn run(
    settings: Settings,
    interval: Duration,
    source: AdSource,
    after: Option<AfterSent>,
    changed: Arc<Notify>,
    stop: Arc<Notify>,
) {
    let mut client: Option<(Address, Client)> = None;
    let mut sent: BTreeSet<(String, String)> = BTreeSet::new();
    let mut instance = String::new();
    let mut backoff = Duration::from_millis(50);
    let mut healthy = false;
    loop {
        // Wait for a reason to send (unless the last attempt failed).
        if healthy {
            let closed = async {
                match &client {
                    Some((_, c)) => c.connection_closed().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = changed.notified() => {}
                _ = tokio::time::sleep(interval) => {}
                _ = closed => {
                    tracing::info!("connection to the collector closed; advertising again");
                    // Let a restarting collector come up.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                _ = stop.notified() => break,
            }
        } else {
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stop.notified() => break,
            }
        }
        let addr = match crate::locate::collector_address(&settings) {
            Ok(a) => a,
            Err(e) => {
                if healthy || backoff >= Duration::from_secs(2) {
                    tracing::warn!("cannot advertise: {e}");
                }
                healthy = false;
                backoff = (backoff * 2).min(interval.min(Duration::from_secs(5)));
                continue;
            }
        };
        if client.as_ref().map(|(a, _)| a != &addr).unwrap_or(true) {
            client = Some((addr.clone(), Client::new(addr.clone())));
        }
        let Some((_, c)) = &client else { continue };
        let ads = source();
        let now: BTreeSet<(String, String)> = ads.iter().filter_map(key).collect();
        let result = client::collector::advertise(c, &Advertise { ads }).await;
        match result {
            Ok(stored) => {
                if stored.instance != instance {
                    if !instance.is_empty() {
                        tracing::info!("the collector restarted ({} → {}); ads sent again", instance, stored.instance);
                    }
                    instance = stored.instance;
                }
                let gone: Vec<&(String, String)> = sent.difference(&now).collect();
                invalidate(c, &gone).await;
                sent = now;
                healthy = true;
                backoff = Duration::from_millis(50);
                if let Some(f) = &after {
                    f();
                }
            }
            Err(e) => {
                if healthy || backoff >= Duration::from_secs(2) {
                    tracing::warn!("cannot advertise to the collector at {addr}: {e}; retrying");
                }
                healthy = false;
                backoff = (backoff * 2).min(interval.min(Duration::from_secs(5)));
            }
        }
    }
    if let Some((_, c)) = &client {
        let all: Vec<&(String, String)> = sent.iter().collect();
        invalidate(c, &all).await;
    }
}

async fn invalidate(c: &Client, keys: &[&(String, String)]) {
    let mut by_type: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (t, n) in keys {
        by_type.entry(t.as_str()).or_default().push(n.clone());
    }
    for (t, names) in by_type {
        let req = Invalidate { ad_type: t.to_string(), names, constraint: None };
        if let Err(e) = client::collector::invalidate(c, &req).await {
            tracing::debug!("invalidating {t} ads: {e}");
        }
    }
}
