//! The engine thread: it owns the durable queue, the history store, the
//! user logs and the core, and turns batches of requests into one commit.
//!
//! Requests from the HTTP handlers and results of outbound calls arrive on
//! one channel. The engine takes everything waiting (up to a limit), feeds
//! it to the core, then carries out the batch's effects in the order
//! `core::effects` prescribes — one queue transaction for the whole batch —
//! and only then answers. While a commit runs, new requests queue up and
//! form the next batch: group commit without a timer.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use classad::{ClassAd, Expr};
use jobqueue::{Filter, History, JobQueue, Totals};
use proto::address::Address;
use proto::schedd::{ActRequest, EditRequest, ScheddStatus, StatusCounts};
use proto::startd::ClaimEvents;
use proto::{ApiError, JobId, WireAd};
use tokio::sync::{mpsc, oneshot};

use super::logs::{last_events, UserLogs};
use super::store::{to_queue, QueueStore};
use crate::core::{Action, Change, Effects, Granted, IdleGroup, MatchOffer, Reply, Schedd, SubmitJobs, Token, Who};

/// Most requests handled in one batch.
const MAX_BATCH: usize = 4096;

/// A job query's answer, taken from the index in one go (the ads are
/// shared, so serializing them later needs no lock).
pub struct Snapshot {
    pub ads: Vec<Arc<ClassAd>>,
    pub query: StatusCounts,
    pub all: StatusCounts,
}

/// What the engine is asked to do.
pub enum Input {
    Reserve { who: Who, reply: oneshot::Sender<Result<i64, ApiError>> },
    Submit { who: Who, jobs: SubmitJobs, reply: oneshot::Sender<Reply> },
    Act { who: Who, req: ActRequest, constraint: Option<Expr>, reply: oneshot::Sender<Reply> },
    Edit { who: Who, req: EditRequest, constraint: Option<Expr>, reply: oneshot::Sender<Reply> },
    Query { filter: Filter, summary_only: bool, limit: Option<usize>, reply: oneshot::Sender<Snapshot> },
    Requests { reply: oneshot::Sender<Vec<(IdleGroup, WireAd)>> },
    Matches { offers: Vec<MatchOffer>, negotiator: String, rejections: Vec<(u64, String)>, reply: oneshot::Sender<Reply> },
    Events { events: ClaimEvents, updates: Vec<Vec<(String, Expr)>>, reply: oneshot::Sender<Reply> },
    ClaimResult { token: Token, result: Result<Granted, String> },
    ActivateFailed { claim_id: String, job: JobId, reason: String, lost: bool },
    Alive { startd: Address, result: Result<Vec<String>, String> },
    Unreachable { startd: Address, reason: String },
    Reschedule,
    Status { reply: oneshot::Sender<ScheddStatus> },
    Addresses { address: Address, submit_host: String, all: Vec<String> },
    Shutdown,
}

/// What the engine hands to the async side.
#[derive(Debug)]
pub enum Outbound {
    Action(Action),
    /// Wake the negotiator, telling it about matches that could not be claimed.
    Reschedule { failed_matches: Vec<String> },
    /// The engine is done: release these claims and stop.
    Shutdown { claims: Vec<(Arc<Address>, String)> },
}

/// What the advertiser reads: the schedd's counts, refreshed after each batch.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AdState {
    pub totals: StatusCounts,
    pub submitters: Vec<(String, StatusCounts)>,
    pub addresses: Vec<String>,
    pub claims: usize,
}

pub struct Shared {
    pub state: Mutex<AdState>,
    pub changed: tokio::sync::Notify,
}

pub struct Engine {
    queue: JobQueue,
    history: History,
    core: Schedd,
    logs: UserLogs,
    pending: HashMap<Token, oneshot::Sender<Reply>>,
    next_token: Token,
    out: mpsc::UnboundedSender<Outbound>,
    shared: Arc<Shared>,
    addresses: Vec<String>,
    stats: Stats,
}

/// What the engine did since it last reported (in the SchedLog, every
/// ten seconds while it is busy).
#[derive(Default)]
struct Stats {
    since: Option<Instant>,
    batches: u64,
    inputs: u64,
    commits: u64,
    commit_time: Duration,
}

fn now() -> i64 {
    daemon::ads::now_secs()
}

pub fn counts(t: &Totals) -> StatusCounts {
    StatusCounts {
        jobs: t.jobs as u64,
        idle: t.idle as u64,
        running: t.running as u64,
        removed: t.removed as u64,
        completed: t.completed as u64,
        held: t.held as u64,
        transferring_output: t.transferring_output as u64,
        suspended: t.suspended as u64,
    }
}

impl Engine {
    /// Rebuild the core from the queue (the restart decisions included).
    pub fn start(
        queue: JobQueue,
        history: History,
        cfg: crate::core::Config,
        makers: crate::core::MakerBuilder,
        out: mpsc::UnboundedSender<Outbound>,
        shared: Arc<Shared>,
    ) -> Result<Engine, jobqueue::QueueError> {
        let t0 = Instant::now();
        let mut jobs = Vec::with_capacity(queue.len());
        queue.scan(&Filter::all(), |id, ad| {
            jobs.push((id, ad.clone()));
            std::ops::ControlFlow::Continue(())
        });
        let (mut core, rec) = Schedd::recover(cfg, now(), jobs);
        core.set_proc_makers(makers);
        let mut e = Engine {
            queue,
            history,
            core,
            logs: UserLogs::default(),
            pending: HashMap::new(),
            next_token: 1 << 62,
            out,
            shared,
            addresses: Vec::new(),
            stats: Stats::default(),
        };
        let last = last_events(&rec.check_logs);
        e.core.on_recovered(&QueueStore(&e.queue), &last, now());
        let mut fx = e.core.take_effects();
        e.drop_history_duplicates(&mut fx);
        e.execute(fx)?;
        tracing::info!(
            "queue recovered: {} jobs ({} logs read for jobs left running) in {:.1} ms",
            rec.jobs,
            rec.check_logs.len(),
            t0.elapsed().as_secs_f64() * 1000.0
        );
        e.publish();
        Ok(e)
    }

    /// After a crash, a finished job may already be in the history (its ad
    /// is appended before the queue forgets it): do not append it twice.
    fn drop_history_duplicates(&self, fx: &mut crate::core::Effects) {
        if fx.history.is_empty() {
            return;
        }
        let mut wanted: std::collections::HashSet<JobId> = fx.history.iter().map(|h| h.id).collect();
        let Ok(iter) = self.history.newest_first() else { return };
        let budget = 1000 + 4 * wanted.len();
        let mut seen = std::collections::HashSet::new();
        for ad in iter.take(budget).flatten() {
            use crate::core::ads::AdExt;
            if let (Some(c), Some(p)) = (ad.int("ClusterId"), ad.int("ProcId")) {
                let id = JobId { cluster: c, proc: p };
                if wanted.remove(&id) {
                    seen.insert(id);
                }
            }
            if wanted.is_empty() {
                break;
            }
        }
        fx.history.retain(|h| !seen.contains(&h.id));
    }

    fn token(&mut self, reply: oneshot::Sender<Reply>) -> Token {
        self.next_token += 1;
        self.pending.insert(self.next_token, reply);
        self.next_token
    }

    /// Serve until told to stop.
    pub fn run(mut self, rx: Receiver<Input>) {
        loop {
            let wait = (self.core.next_deadline() - now()).clamp(0, 60) as u64;
            let first = match rx.recv_timeout(Duration::from_secs(wait.max(1))) {
                Ok(i) => Some(i),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let started = Instant::now();
            let mut stop = false;
            let mut n = 0;
            if let Some(i) = first {
                stop |= self.handle(i);
                n += 1;
            }
            while n < MAX_BATCH && !stop {
                match rx.try_recv() {
                    Ok(i) => {
                        stop |= self.handle(i);
                        n += 1;
                    }
                    Err(_) => break,
                }
            }
            let t = now();
            if t >= self.core.next_deadline() {
                self.core.on_timer(&QueueStore(&self.queue), t);
            }
            let fx = self.core.take_effects();
            self.stats.batches += 1;
            self.stats.inputs += n as u64;
            let decided = Instant::now();
            if let Err(e) = self.execute(fx) {
                tracing::error!("the job queue could not be written: {e}; the schedd stops (its master restarts it)");
                self.fail_pending(&e.to_string());
                std::process::exit(1);
            }
            tracing::debug!(
                "batch of {n} inputs: decided in {:.2} ms, carried out in {:.2} ms",
                (decided - started).as_secs_f64() * 1e3,
                decided.elapsed().as_secs_f64() * 1e3
            );
            self.publish();
            self.report();
            if stop {
                break;
            }
        }
        let claims = self.core.claims_held();
        let _ = self.out.send(Outbound::Shutdown { claims });
    }

    /// Feed one input to the core. True when the engine must stop.
    fn handle(&mut self, input: Input) -> bool {
        let t = now();
        match input {
            Input::Reserve { who, reply } => {
                let r = self.queue.new_cluster().map_err(|e| ApiError::internal(format!("cannot reserve a cluster id: {e}")));
                if let Ok(c) = r {
                    self.core.on_cluster_reserved(c, &who);
                }
                let _ = reply.send(r);
            }
            Input::Submit { who, jobs, reply } => {
                let tok = self.token(reply);
                self.core.on_submit(&who, jobs, t, tok);
            }
            Input::Act { who, req, constraint, reply } => {
                let tok = self.token(reply);
                self.core.on_act(&QueueStore(&self.queue), &who, &req, constraint.as_ref(), t, tok);
            }
            Input::Edit { who, req, constraint, reply } => {
                let tok = self.token(reply);
                self.core.on_edit(&QueueStore(&self.queue), &who, &req, constraint.as_ref(), t, tok);
            }
            Input::Query { filter, summary_only, limit, reply } => {
                let _ = reply.send(self.query(&filter, summary_only, limit));
            }
            Input::Requests { reply } => {
                let store = QueueStore(&self.queue);
                let groups = self.core.idle_groups(&store);
                let mut out = Vec::with_capacity(groups.len());
                for g in groups {
                    if let Some(ad) = self.core.job_wire(&QueueStore(&self.queue), g.representative) {
                        out.push((g, ad));
                    }
                }
                let _ = reply.send(out);
            }
            Input::Matches { offers, negotiator, rejections, reply } => {
                self.core.on_rejections(&QueueStore(&self.queue), &negotiator, &rejections, t);
                let tok = self.token(reply);
                self.core.on_matches(&QueueStore(&self.queue), offers, t, tok);
            }
            Input::Events { events, updates, reply } => {
                let tok = self.token(reply);
                self.core.on_claim_events(&QueueStore(&self.queue), &events, &updates, t, tok);
            }
            Input::ClaimResult { token, result } => {
                self.core.on_claim_result(&QueueStore(&self.queue), token, result, t);
            }
            Input::ActivateFailed { claim_id, job, reason, lost } => {
                self.core.on_activate_failed(&QueueStore(&self.queue), &claim_id, job, &reason, lost, t);
            }
            Input::Alive { startd, result } => {
                self.core.on_claims_alive(&QueueStore(&self.queue), &startd, result, t);
            }
            Input::Unreachable { startd, reason } => {
                self.core.on_startd_unreachable(&QueueStore(&self.queue), &startd, &reason, t);
            }
            Input::Reschedule => {
                let failed = self.core.take_failed_matches();
                let _ = self.out.send(Outbound::Reschedule { failed_matches: failed });
            }
            Input::Status { reply } => {
                let _ = reply.send(ScheddStatus {
                    name: self.core.config().name.clone(),
                    addresses: self.addresses.clone(),
                    totals: counts(&self.queue.totals(&Filter::all())),
                    claims: self.core.num_claims(),
                    autoclusters: self.core.num_autoclusters(),
                    start_time: self.core.start_time(),
                });
            }
            Input::Addresses { address, submit_host, all } => {
                self.core.set_address(address, submit_host);
                self.addresses = all;
            }
            Input::Shutdown => return true,
        }
        false
    }

    fn query(&self, filter: &Filter, summary_only: bool, limit: Option<usize>) -> Snapshot {
        let all = counts(&self.queue.totals(&Filter::all()));
        if summary_only && filter.ids.is_empty() && filter.constraint.is_none() {
            return Snapshot { ads: Vec::new(), query: counts(&self.queue.totals(filter)), all };
        }
        let mut ads = Vec::new();
        let mut query = StatusCounts::default();
        let limit = limit.unwrap_or(usize::MAX);
        self.queue.scan(filter, |id, ad| {
            query.add(self.queue.status(id).map(|s| s.code()).unwrap_or(0), 1);
            if !summary_only && ads.len() < limit {
                ads.push(ad.clone());
            }
            std::ops::ControlFlow::Continue(())
        });
        Snapshot { ads, query, all }
    }

    /// Carry out a batch's effects in order (see `core::effects`).
    fn execute(&mut self, fx: Effects) -> Result<(), jobqueue::QueueError> {
        let Effects { pre_changes, log_before, history, changes, log_after, actions } = fx;
        let result = (|| {
            if !pre_changes.is_empty() {
                let t = Instant::now();
                self.queue.commit(pre_changes.into_iter().map(to_queue).collect())?;
                self.stats.commits += 1;
                self.stats.commit_time += t.elapsed();
            }
            // Events written before their batch commits see the job as the
            // batch leaves it (a terminated event's 028 has the ExitCode).
            // Looked up by job once per batch: a mass removal writes an
            // event per job in one batch.
            let mut finished: HashMap<JobId, &ClassAd> = HashMap::new();
            let mut edited: HashMap<JobId, Vec<&Change>> = HashMap::new();
            if !log_before.is_empty() {
                finished = history.iter().map(|h| (h.id, &h.ad)).collect();
                for c in &changes {
                    if let Change::Set { id, .. } | Change::Delete { id, .. } = c {
                        edited.entry(*id).or_default().push(c);
                    }
                }
            }
            let log_before = super::logs::decorate(log_before, |id| {
                // A job that leaves the queue in this batch: its history ad
                // holds its last state.
                if let Some(h) = finished.get(&id) {
                    return super::logs::decorates(h).then(|| Arc::new((*h).clone()));
                }
                let base = self.queue.job(id);
                let edits = edited.get(&id).map(Vec::as_slice).unwrap_or_default();
                let edits_decorate = edits.iter().any(|c| {
                    matches!(c, Change::Set { attr, .. } | Change::Delete { attr, .. } if super::logs::is_decorating(attr))
                });
                if !edits_decorate && !base.as_deref().is_some_and(super::logs::decorates) {
                    return None;
                }
                if edits.is_empty() {
                    return base;
                }
                let mut ad = ClassAd::new();
                if let Some(b) = base {
                    ad.chain_to(b);
                }
                for c in edits {
                    match c {
                        Change::Set { attr, expr, .. } => ad.insert(attr, expr.clone()),
                        Change::Delete { attr, .. } => ad.insert(attr, Expr::literal(classad::Value::Undefined)),
                        _ => {}
                    }
                }
                Some(Arc::new(ad))
            });
            self.logs.write_as(log_before);
            if !history.is_empty() {
                let ads: Vec<ClassAd> = history.into_iter().map(|h| h.ad).collect();
                self.history.append(&ads)?;
            }
            if !changes.is_empty() {
                let t = Instant::now();
                self.queue.commit(changes.into_iter().map(to_queue).collect())?;
                self.stats.commits += 1;
                self.stats.commit_time += t.elapsed();
            }
            let log_after = super::logs::decorate(log_after, |id| self.queue.job(id));
            self.logs.write_as(log_after);
            Ok(())
        })();
        let mut reschedule = false;
        for a in actions {
            match a {
                Action::Reply { token, reply } => {
                    if let Some(tx) = self.pending.remove(&token) {
                        let reply = match &result {
                            Ok(()) => reply,
                            Err(e) => failed_reply(reply, e),
                        };
                        let _ = tx.send(reply);
                    }
                }
                Action::Reschedule => reschedule = true,
                other if result.is_ok() => {
                    let _ = self.out.send(Outbound::Action(other));
                }
                _ => {}
            }
        }
        if reschedule && result.is_ok() {
            let failed = self.core.take_failed_matches();
            let _ = self.out.send(Outbound::Reschedule { failed_matches: failed });
        }
        result
    }

    fn report(&mut self) {
        let since = *self.stats.since.get_or_insert_with(Instant::now);
        if since.elapsed() < Duration::from_secs(10) {
            return;
        }
        let s = std::mem::take(&mut self.stats);
        if s.inputs > 0 {
            tracing::info!(
                "engine: {} requests in {} batches, {} commits ({:.2} ms each), {} jobs in the queue, {} claims",
                s.inputs,
                s.batches,
                s.commits,
                if s.commits > 0 { s.commit_time.as_secs_f64() * 1e3 / s.commits as f64 } else { 0.0 },
                self.queue.len(),
                self.core.num_claims()
            );
        }
    }

    fn fail_pending(&mut self, message: &str) {
        for (_, tx) in self.pending.drain() {
            let _ = tx.send(Reply::Submit(Err(ApiError::internal(message.to_string()))));
        }
    }

    /// Refresh what the advertiser sends; wake it when it changed.
    fn publish(&mut self) {
        let st = AdState {
            totals: counts(&self.queue.totals(&Filter::all())),
            submitters: self.core.submitters(),
            addresses: self.addresses.clone(),
            claims: self.core.num_claims(),
        };
        let changed = match self.shared.state.lock() {
            Ok(mut g) => {
                let changed = *g != st;
                *g = st;
                changed
            }
            Err(_) => false,
        };
        if changed {
            self.shared.changed.notify_one();
        }
    }
}

/// The same reply, as a failure: the batch it belonged to was not committed.
fn failed_reply(reply: Reply, e: &jobqueue::QueueError) -> Reply {
    let err = || ApiError::internal(format!("the job queue could not be written: {e}")).with_hint("see the SchedLog; the schedd restarts");
    match reply {
        Reply::Submit(_) => Reply::Submit(Err(err())),
        Reply::Act(_) => Reply::Act(Err(err())),
        Reply::Edit(_) => Reply::Edit(Err(err())),
        Reply::Events(_) => Reply::Events(Err(err())),
        Reply::Matches(_) => Reply::Matches(Err(err())),
    }
}
