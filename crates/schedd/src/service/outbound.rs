//! Messages to other daemons: claims, activations, signals and releases to
//! startds, lease renewals, and wake-ups for the negotiator. Results come
//! back to the engine as [`Input`]s.
//!
//! Each startd gets one worker task so that the messages about one claim
//! arrive in the order the core sent them (an activation before the signal
//! that stops it). Connections are kept per startd.

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use client::{Client, ClientError};
use daemon::Settings;
use proto::address::Address;
use proto::negotiator::Reschedule;
use proto::startd::ReleaseClaim;
use tokio::sync::{mpsc, Notify};

use super::engine::{Input, Outbound};
use crate::core::ads::ad_from_wire;
use crate::core::{Action, Granted};

/// How long a call to a startd may take before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// True when the error means the daemon is not there (nothing listens).
fn unreachable(e: &ClientError) -> bool {
    matches!(e, ClientError::Connect { .. })
}

fn is_not_found(e: &ClientError) -> bool {
    e.api().is_some_and(|a| a.code == "not_found")
}

async fn timed<T>(f: impl std::future::Future<Output = Result<T, ClientError>>, addr: &Address) -> Result<T, ClientError> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(r) => r,
        Err(_) => Err(ClientError::Http { addr: addr.clone(), message: format!("no answer within {}s", CALL_TIMEOUT.as_secs()) }),
    }
}

/// One startd's worker: carries out actions for it in order.
async fn startd_worker(addr: Address, mut rx: mpsc::UnboundedReceiver<Action>, engine: Sender<Input>) {
    let c = Client::new(addr.clone());
    while let Some(a) = rx.recv().await {
        match a {
            Action::RequestClaim { token, req, .. } => {
                let result = match timed(client::startd::request_claim(&c, &req), &addr).await {
                    Ok(g) => match ad_from_wire(&g.slot) {
                        Ok(slot) => Ok(Granted { claim_id: g.claim_id, slot, queue_depth: g.queue_depth, lease_secs: g.lease_secs }),
                        Err(e) => {
                            // Give back a claim whose slot ad we cannot read.
                            let _ = client::startd::release(&c, &ReleaseClaim { claim_id: g.claim_id }).await;
                            Err(format!("the slot ad does not read: {e}"))
                        }
                    },
                    Err(e) => Err(e.to_string()),
                };
                let _ = engine.send(Input::ClaimResult { token, result });
            }
            Action::Activate { req, .. } => {
                if let Err(e) = timed(client::startd::activate(&c, &req), &addr).await {
                    if unreachable(&e) {
                        let _ = engine.send(Input::Unreachable { startd: addr.clone(), reason: e.to_string() });
                    } else {
                        let lost = is_not_found(&e);
                        let _ = engine.send(Input::ActivateFailed { claim_id: req.claim_id, job: req.job_id, reason: e.to_string(), lost });
                    }
                }
            }
            Action::Signal { req, .. } => {
                if let Err(e) = timed(client::startd::signal_job(&c, &req), &addr).await {
                    if unreachable(&e) {
                        let _ = engine.send(Input::Unreachable { startd: addr.clone(), reason: e.to_string() });
                    } else if is_not_found(&e) {
                        let _ = engine.send(Input::ActivateFailed { claim_id: req.claim_id, job: req.job_id, reason: e.to_string(), lost: true });
                    } else {
                        tracing::warn!("signal to {addr} for job {}: {e}", req.job_id);
                    }
                }
            }
            Action::Release { req, .. } => {
                if let Err(e) = timed(client::startd::release(&c, &req), &addr).await {
                    tracing::debug!("release of claim at {addr}: {e}");
                }
            }
            Action::ClaimsAlive { claim_ids, .. } => {
                let req = proto::startd::ClaimsAlive { claim_ids };
                let result = timed(client::startd::claims_alive(&c, &req), &addr).await.map(|a| a.unknown).map_err(|e| e.to_string());
                let _ = engine.send(Input::Alive { startd: addr.clone(), result });
            }
            Action::Reply { .. } | Action::Reschedule => {}
        }
    }
}

fn startd_of(a: &Action) -> Option<&Address> {
    match a {
        Action::RequestClaim { startd, .. }
        | Action::Activate { startd, .. }
        | Action::Signal { startd, .. }
        | Action::Release { startd, .. }
        | Action::ClaimsAlive { startd, .. } => Some(startd),
        _ => None,
    }
}

/// What the reschedule task needs to know about this schedd.
pub struct Me {
    pub name: String,
    pub addresses: Mutex<Vec<Address>>,
}

/// Dispatch the engine's outbound messages until it shuts down.
pub async fn run(mut rx: mpsc::UnboundedReceiver<Outbound>, engine: Sender<Input>, settings: Settings, me: Arc<Me>) {
    let mut workers: HashMap<String, mpsc::UnboundedSender<Action>> = HashMap::new();
    let failed: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let wake = Arc::new(Notify::new());
    let delay = Duration::from_millis(settings.int("SCHEDD_RESCHEDULE_DELAY_MS", 2).max(0) as u64);
    let resched = tokio::spawn(reschedule_task(settings.clone(), me.clone(), wake.clone(), failed.clone(), delay));
    while let Some(msg) = rx.recv().await {
        match msg {
            Outbound::Action(a) => {
                let Some(addr) = startd_of(&a).cloned() else { continue };
                let tx = workers.entry(addr.to_string()).or_insert_with(|| {
                    let (tx, wrx) = mpsc::unbounded_channel();
                    tokio::spawn(startd_worker(addr.clone(), wrx, engine.clone()));
                    tx
                });
                if let Err(e) = tx.send(a) {
                    // The worker ended (cannot happen while we hold its sender); start over.
                    workers.remove(&addr.to_string());
                    tracing::warn!("startd worker for {addr} gone: {e}");
                }
            }
            Outbound::Reschedule { failed_matches } => {
                if let Ok(mut f) = failed.lock() {
                    for m in failed_matches {
                        if !f.contains(&m) {
                            f.push(m);
                        }
                    }
                }
                wake.notify_one();
            }
            Outbound::Shutdown { claims } => {
                let releases = claims.into_iter().map(|(addr, claim_id)| async move {
                    let c = Client::new((*addr).clone());
                    let _ = tokio::time::timeout(Duration::from_secs(2), client::startd::release(&c, &ReleaseClaim { claim_id })).await;
                });
                futures_util::future::join_all(releases).await;
                break;
            }
        }
    }
    resched.abort();
}

/// Wake the negotiator when asked, coalescing requests that come together.
async fn reschedule_task(settings: Settings, me: Arc<Me>, wake: Arc<Notify>, failed: Arc<Mutex<Vec<String>>>, delay: Duration) {
    let mut client: Option<(Address, Client)> = None;
    loop {
        wake.notified().await;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let addr = match daemon::locate::negotiator_address(&settings).await {
            Some(a) => a,
            None => {
                tracing::debug!("no negotiator to wake (its address file is missing)");
                continue;
            }
        };
        if client.as_ref().map(|(a, _)| *a != addr).unwrap_or(true) {
            client = Some((addr.clone(), Client::new(addr.clone())));
        }
        let Some((_, c)) = &client else { continue };
        let failed_matches = failed.lock().map(|mut f| std::mem::take(&mut *f)).unwrap_or_default();
        let req = Reschedule {
            from: Some(me.name.clone()),
            addresses: me.addresses.lock().map(|a| a.clone()).unwrap_or_default(),
            failed_matches,
            ..Default::default()
        };
        let r: Result<serde_json::Value, ClientError> = timed(c.post("/v1/reschedule", &req), &addr).await;
        if let Err(e) = r {
            tracing::debug!("waking the negotiator at {addr}: {e}");
        }
    }
}
