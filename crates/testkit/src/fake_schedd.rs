//! A stand-in for a schedd's side of the claim protocol: it serves
//! `/v1/claims/events` on a real Unix socket, records what the startd
//! reports, and answers each exit with the next job or a release that the
//! test queued. Tests of the execute side use it with the real startd and
//! the real client (`client::startd`) for the schedd's requests.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use proto::address::Address;
use proto::startd::{Activate, ClaimEvents, ClaimEventsAnswer, ExitAck, JobExit, JobStarted, LostClaim};
use proto::JobId;

#[derive(Default)]
struct Inner {
    events: Vec<ClaimEvents>,
    next: HashMap<String, VecDeque<Activate>>,
    release: HashMap<String, bool>,
}

struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
}

/// A schedd stand-in listening on a Unix socket.
pub struct FakeSchedd {
    addr: Address,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn events(State(s): State<Arc<Shared>>, Json(ev): Json<ClaimEvents>) -> Json<ClaimEventsAnswer> {
    let mut g = s.inner.lock().unwrap_or_else(|p| p.into_inner());
    let mut acks = Vec::new();
    for exit in &ev.exits {
        let next = g.next.get_mut(&exit.claim_id).and_then(|q| q.pop_front());
        let release = next.is_none() && g.release.get(&exit.claim_id).copied().unwrap_or(false);
        acks.push(ExitAck { next, release });
    }
    g.events.push(ev);
    s.changed.notify_all();
    Json(ClaimEventsAnswer { acks })
}

impl FakeSchedd {
    /// Listen on `dir/fake_schedd.sock`.
    pub fn start(dir: &Path) -> crate::Result<FakeSchedd> {
        let sock = dir.join("fake_schedd.sock");
        let shared = Arc::new(Shared { inner: Mutex::new(Inner::default()), changed: Condvar::new() });
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::result::Result<(), String>>();
        let router = Router::new().route("/v1/claims/events", post(events)).with_state(shared.clone());
        let listeners = daemon::Listeners { unix: sock.clone(), tcp: None };
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let ready = ready_tx.clone();
            let r = rt.block_on(daemon::serve(
                router,
                listeners,
                move |_| {
                    let _ = ready.send(Ok(()));
                },
                async move {
                    let _ = stop_rx.await;
                },
            ));
            if let Err(e) = r {
                let _ = ready_tx.send(Err(e.to_string()));
            }
        });
        ready_rx.recv_timeout(Duration::from_secs(5)).map_err(|e| e.to_string())??;
        Ok(FakeSchedd { addr: Address::Unix(sock), shared, stop: Some(stop_tx), thread: Some(thread) })
    }

    /// Where the startd should report (`RequestClaim::schedd`).
    pub fn address(&self) -> Address {
        self.addr.clone()
    }

    /// Hand `act` to its claim in the answer to the claim's next exit.
    pub fn queue_next(&self, act: Activate) {
        let mut g = self.shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.next.entry(act.claim_id.clone()).or_default().push_back(act);
    }

    /// Answer the claim's next exit without a next job with `release`.
    pub fn release_when_idle(&self, claim_id: &str) {
        let mut g = self.shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.release.insert(claim_id.to_string(), true);
    }

    /// Every report received so far.
    pub fn events(&self) -> Vec<ClaimEvents> {
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner()).events.clone()
    }

    fn wait<T>(&self, timeout: Duration, what: &str, find: impl Fn(&[ClaimEvents]) -> Option<T>) -> crate::Result<T> {
        let deadline = Instant::now() + timeout;
        let mut g = self.shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(v) = find(&g.events) {
                return Ok(v);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("no {what} reported within {timeout:?}; reports so far: {:?}", g.events));
            }
            g = self.shared.changed.wait_timeout(g, left).map(|(g, _)| g).unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// How many exits were reported so far.
    pub fn exit_count(&self) -> usize {
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner()).events.iter().map(|e| e.exits.len()).sum()
    }

    /// Wait until `n` exits in all have been reported.
    pub fn wait_exit_count(&self, n: usize, timeout: Duration) -> crate::Result<()> {
        let deadline = Instant::now() + timeout;
        let mut g = self.shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let have: usize = g.events.iter().map(|e| e.exits.len()).sum();
            if have >= n {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("only {have} of {n} exits reported within {timeout:?}"));
            }
            g = self.shared.changed.wait_timeout(g, left).map(|(g, _)| g).unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Wait for the exit report of `job`.
    pub fn wait_exit(&self, job: JobId, timeout: Duration) -> crate::Result<JobExit> {
        self.wait(timeout, &format!("exit of job {job}"), |evs| {
            evs.iter().flat_map(|e| e.exits.iter()).find(|x| x.job_id == job).cloned()
        })
    }

    /// Wait for the start report of `job`.
    pub fn wait_started(&self, job: JobId, timeout: Duration) -> crate::Result<JobStarted> {
        self.wait(timeout, &format!("start of job {job}"), |evs| {
            evs.iter().flat_map(|e| e.started.iter()).find(|x| x.job_id == job).cloned()
        })
    }

    /// Wait for a loss report of `claim_id`.
    pub fn wait_lost(&self, claim_id: &str, timeout: Duration) -> crate::Result<LostClaim> {
        self.wait(timeout, &format!("loss of claim {claim_id}"), |evs| {
            evs.iter().flat_map(|e| e.lost.iter()).find(|x| x.claim_id == claim_id).cloned()
        })
    }
}

impl Drop for FakeSchedd {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
