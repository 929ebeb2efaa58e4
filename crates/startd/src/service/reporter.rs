//! Reports to one schedd: at most one request in flight; whatever happens
//! meanwhile goes into the next request. An idle startd reports at once;
//! one with jobs still running gathers reports for a millisecond first. The answer's acks are fed
//! back to the core (they may carry the claim's next job).

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use client::Client;
use proto::address::Address;
use proto::startd::ClaimEvents;
use tokio::sync::Notify;

use super::Service;
use crate::core::Report;

/// How long a busy startd waits for more reports before sending.
const GATHER: Duration = Duration::from_millis(1);

/// The queue of reports for one schedd.
pub struct Reporter {
    queue: Mutex<Vec<Report>>,
    wake: Notify,
    /// Signalled whenever the queue is empty and nothing is in flight.
    idle: Notify,
    busy: Mutex<bool>,
}

impl Reporter {
    pub fn spawn(schedd: Address, startd: String, svc: Weak<Service>) -> Arc<Reporter> {
        let r = Arc::new(Reporter { queue: Mutex::new(Vec::new()), wake: Notify::new(), idle: Notify::new(), busy: Mutex::new(false) });
        tokio::spawn(run(r.clone(), schedd, startd, svc));
        r
    }

    pub fn push(&self, report: Report) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(report);
        self.wake.notify_one();
    }

    /// Resolves once everything queued has been sent.
    pub async fn drained(&self) {
        loop {
            let empty = self.queue.lock().map(|q| q.is_empty()).unwrap_or(true) && !*self.busy.lock().unwrap_or_else(|p| p.into_inner());
            if empty {
                return;
            }
            self.idle.notified().await;
        }
    }
}

async fn run(r: Arc<Reporter>, schedd: Address, startd: String, svc: Weak<Service>) {
    let client = Client::new(schedd.clone());
    let mut backoff = Duration::from_millis(50);
    loop {
        let batch: Vec<Report> = {
            let mut q = r.queue.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *q)
        };
        if batch.is_empty() {
            *r.busy.lock().unwrap_or_else(|p| p.into_inner()) = false;
            r.idle.notify_waiters();
            r.wake.notified().await;
            continue;
        }
        *r.busy.lock().unwrap_or_else(|p| p.into_inner()) = true;
        // While jobs still run here, more reports follow within a moment:
        // gather them into this request (one request per job was what the
        // schedd spent most of its time on in a burst). An idle startd's
        // report — the last job's exit — goes at once.
        let mut batch = batch;
        if svc.upgrade().is_some_and(|s| s.lock().jobs_in_progress() > 0) {
            tokio::time::sleep(GATHER).await;
            batch.extend(std::mem::take(&mut *r.queue.lock().unwrap_or_else(|p| p.into_inner())));
        }
        let mut ev = ClaimEvents { startd: startd.clone(), ..ClaimEvents::default() };
        for rep in &batch {
            match rep {
                Report::Started(s) => ev.started.push(s.clone()),
                Report::Exit(e) => ev.exits.push((**e).clone()),
                Report::Lost(l) => ev.lost.push(l.clone()),
            }
        }
        let sent = std::time::Instant::now();
        match client::startd::report_events(&client, &ev).await {
            Ok(answer) => {
                tracing::debug!(
                    "reported {} started, {} exits, {} lost to {schedd}: answered in {:.2} ms",
                    ev.started.len(),
                    ev.exits.len(),
                    ev.lost.len(),
                    sent.elapsed().as_secs_f64() * 1e3
                );
                backoff = Duration::from_millis(50);
                let Some(svc) = svc.upgrade() else { return };
                let now = daemon::ads::now_f64();
                for (exit, ack) in ev.exits.iter().zip(answer.acks) {
                    let a = svc.lock().on_exit_ack(&schedd, &exit.claim_id, ack, now);
                    svc.apply(a);
                }
            }
            Err(e) => {
                // Keep the reports, in order, and try again.
                if backoff >= Duration::from_secs(1) {
                    tracing::warn!("cannot report to the schedd at {schedd}: {e}; retrying");
                }
                {
                    let mut q = r.queue.lock().unwrap_or_else(|p| p.into_inner());
                    let later = std::mem::take(&mut *q);
                    *q = batch;
                    q.extend(later);
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}
