//! Running jobs: answering the negotiator, claiming matched slots, feeding
//! claims with jobs, and what happens when a job starts and when its run
//! ends — the shadow's duties, without a process per job.
//!
//! A claim holds its running job plus up to `queue_depth` queued ones
//! (`proto::startd`, the claim protocol). A queued job is still Idle in the
//! queue; it becomes Running when the startd reports that it started.
//!
//! Claim reuse: when a job on a claim ends, the ack to the startd's report
//! carries the claim's next job (an idle job of the same shape and owner,
//! or of another shape of that owner that the slot accepts), so the claim
//! stays full without a negotiation cycle. A claim with no more work is
//! released, and the negotiator is woken if other shapes are still idle.

use std::collections::VecDeque;
use std::sync::Arc;

use classad::{ClassAd, Expr};
use proto::address::Address;
use proto::startd::{Activate, ClaimEvents, ExitAck, JobExit, ReleaseClaim, RequestClaim};
use proto::{JobId, JobStatus};

use super::ads::{boolean, int, real, string, AdExt, AdStore};
use super::autocluster::{slot_refs_to_job, AcId, NO_AC};
use super::effects::{Action, LogEntry, Reply, Token};
use super::events::{self, RunUsage};
use super::jobs::{ClaimKey, Phase, Stop};
use super::policy::{self, ExitDecision};
use super::schedd::{Claim, Edits, PendingMatch, Schedd};

/// An idle autocluster, as the negotiator is told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleGroup {
    /// The id to name it by in a match.
    pub id: u64,
    pub owner: String,
    /// The accounting principal: `AccountingGroup`, else `owner@uid_domain`.
    pub submitter: String,
    pub count: usize,
    /// A job of the group whose ad represents it.
    pub representative: JobId,
    pub attrs: Arc<[String]>,
}

/// A slot the negotiator matched to an autocluster.
#[derive(Debug, Clone)]
pub struct MatchOffer {
    pub group: u64,
    pub slot_name: String,
    pub startd: Address,
    /// The slot's ad, when known (learned for autoclustering).
    pub slot_ad: Option<ClassAd>,
    /// How many jobs of the group the slot can take (a partitionable slot may take several).
    pub count: usize,
}

/// A granted claim, with the (dynamic) slot's ad parsed.
#[derive(Debug, Clone)]
pub struct Granted {
    pub claim_id: String,
    pub slot: ClassAd,
    pub queue_depth: u32,
    pub lease_secs: u64,
}

/// How a run ended, in the core's terms.
enum RunEnd<'a> {
    /// The startd reported the job's end.
    Exit(&'a JobExit, &'a [(String, Expr)]),
    /// The claim is gone (the startd forgot it or could not be reached):
    /// the job did not finish.
    Lost(&'a str),
}

const RECENT_ACKS: usize = 8;

impl Schedd {
    /// The idle autoclusters (for `/v1/negotiate/requests`), each owner's in
    /// the order it wants them run (job priority, then age).
    pub fn idle_groups(&self, store: &dyn AdStore) -> Vec<IdleGroup> {
        let mut out: Vec<(i32, JobId, IdleGroup)> = self
            .acs
            .with_idle()
            .filter_map(|(id, ac)| {
                let (std::cmp::Reverse(prio), first) = *ac.idle.iter().next()?;
                let owner = self.owner_name(ac.owner).to_string();
                let submitter = self
                    .ad(store, first)
                    .and_then(|ad| ad.string("AccountingGroup"))
                    .unwrap_or_else(|| format!("{owner}@{}", self.cfg.uid_domain));
                Some((
                    prio,
                    first,
                    IdleGroup {
                        id: self.acs.public_id(id),
                        submitter,
                        owner,
                        count: ac.idle.len(),
                        representative: first,
                        attrs: ac.attrs.clone(),
                    },
                ))
            })
            .collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        out.into_iter().map(|(_, _, g)| g).collect()
    }

    /// The negotiator left these autoclusters' idle jobs unmatched (public
    /// autocluster id, HTCondor's reason): recorded on the job it analysed
    /// (the autocluster's first idle job) as `LastRejMatchTime`,
    /// `LastRejMatchReason` and `LastRejMatchNegotiator`, as HTCondor's
    /// schedd does, for `condor_q -better-analyze`.
    pub fn on_rejections(&mut self, store: &dyn AdStore, negotiator: &str, rejections: &[(u64, String)], now: i64) {
        for (public, reason) in rejections {
            let Some(ac) = self.acs.from_public(*public) else { continue };
            let Some(job) = self.acs.get(ac).and_then(|a| a.first_idle()) else { continue };
            let Some(ad) = self.ad(store, job) else { continue };
            let mut ed = Edits::new(job, Some(ad));
            ed.set("LastRejMatchTime", int(now));
            ed.set("LastRejMatchReason", string(reason));
            ed.set("LastRejMatchNegotiator", string(negotiator));
            ed.commit(&mut self.out.changes);
        }
    }

    /// Slots the negotiator matched: request a claim for each job it can take.
    pub fn on_matches(&mut self, store: &dyn AdStore, offers: Vec<MatchOffer>, now: i64, token: Token) {
        let _ = now;
        let mut accepted = 0;
        let mut learned = false;
        for offer in offers {
            if let Some(slot) = &offer.slot_ad {
                learned |= self.acs.learn_machine_refs(slot_refs_to_job(slot));
            }
            let Some(ac) = self.acs.from_public(offer.group) else { continue };
            let startd = Arc::new(offer.startd.clone());
            let mut took = false;
            for _ in 0..offer.count {
                let Some(owner) = self.acs.get(ac).map(|a| a.owner) else { break };
                let Some(job) = self.acs.get(ac).and_then(|a| a.first_idle()) else { break };
                // A claim being requested holds its autocluster like a granted
                // one, from before its job leaves the idle list: the id must
                // not be reused for another shape while the answer is awaited.
                if let Some(a) = self.acs.get_mut(ac) {
                    a.claims += 1;
                }
                self.unidle(job);
                let Some(ad) = self.ad(store, job) else {
                    self.release_ac_hold(ac);
                    continue;
                };
                let t = self.token();
                if let Some(j) = self.jobs.get_mut(job) {
                    j.phase = Phase::Matching(t);
                    j.ac = ac;
                }
                self.matches.insert(t, PendingMatch { job, ac, owner, startd: startd.clone(), slot_name: offer.slot_name.clone() });
                let wire = self.wire_ad(&ad, job.cluster);
                self.out.actions.push(Action::RequestClaim {
                    token: t,
                    startd: startd.clone(),
                    req: RequestClaim {
                        slot_name: offer.slot_name.clone(),
                        schedd: self.cfg.address.clone(),
                        schedd_name: Some(self.cfg.name.clone()),
                        job: wire,
                        lease_secs: Some(self.cfg.claim_lease),
                    },
                });
                took = true;
            }
            if took {
                accepted += 1;
            }
        }
        if learned {
            self.replace_idle_jobs(store);
        }
        self.reply(token, Reply::Matches(Ok(accepted)));
    }

    /// Place every idle job again (the significant attributes changed).
    fn replace_idle_jobs(&mut self, store: &dyn AdStore) {
        let idle: Vec<JobId> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.status == JobStatus::Idle && j.phase == Phase::Quiet)
            .map(|(id, _)| id)
            .collect();
        for id in idle {
            if let Some(ad) = self.ad(store, id) {
                self.make_idle(id, &ad);
            }
        }
    }

    /// Slot names of matches that are over since the last call — they
    /// could not be claimed, or their claims were given back — sent with
    /// the next reschedule so the negotiator stops holding them.
    pub fn take_failed_matches(&mut self) -> Vec<String> {
        std::mem::take(&mut self.failed_matches)
    }

    /// The answer to a claim request.
    pub fn on_claim_result(&mut self, store: &dyn AdStore, token: Token, result: Result<Granted, String>, now: i64) {
        let Some(pm) = self.matches.remove(&token) else {
            tracing::warn!("answer to an unknown claim request {token}");
            return;
        };
        let still_ours = self.jobs.get(pm.job).is_some_and(|j| j.status == JobStatus::Idle && j.phase == Phase::Matching(token));
        // The request holds its autocluster until the answer has been dealt
        // with (a granted claim takes a hold of its own first).
        match result {
            Err(reason) => {
                tracing::info!("claim for job {} on {} refused: {reason}", pm.job, pm.slot_name);
                self.match_over(&pm.slot_name);
                if still_ours {
                    if let Some(ad) = self.ad(store, pm.job) {
                        self.make_idle(pm.job, &ad);
                    }
                }
                self.release_ac_hold(pm.ac);
            }
            Ok(g) => {
                if self.acs.learn_machine_refs(slot_refs_to_job(&g.slot)) {
                    self.replace_idle_jobs(store);
                }
                let slot_name = g.slot.string("Name").unwrap_or(pm.slot_name.clone());
                let host = format!("<{}>", pm.startd);
                let key = self.add_claim(Claim {
                    id: Arc::from(g.claim_id.as_str()),
                    startd: pm.startd.clone(),
                    host: Arc::from(host.as_str()),
                    slot_name: Arc::from(slot_name.as_str()),
                    matched_slot: Arc::from(pm.slot_name.as_str()),
                    slot: Arc::new(g.slot),
                    owner: pm.owner,
                    ac: pm.ac,
                    jobs: VecDeque::new(),
                    depth: g.queue_depth,
                    short_runs: false,
                    head_started: None,
                    lease: g.lease_secs,
                    alive_failures: 0,
                    recent_acks: VecDeque::new(),
                    idle_since: None,
                });
                self.release_ac_hold(pm.ac);
                let _ = now;
                let first = if still_ours { Some(pm.job) } else { self.next_for_claim(store, key) };
                match first {
                    Some(job) => {
                        if let Some(act) = self.queue_on_claim(store, key, job) {
                            self.out.actions.push(Action::Activate { startd: pm.startd.clone(), req: act });
                        }
                        // Fill the claim's queue so the next job starts the moment this one ends.
                        while self.claim_room(key) {
                            let Some(next) = self.next_for_claim(store, key) else { break };
                            match self.queue_on_claim(store, key, next) {
                                Some(act) => self.out.actions.push(Action::Activate { startd: pm.startd.clone(), req: act }),
                                None => break,
                            }
                        }
                    }
                    None => self.release_claim(key),
                }
            }
        }
    }

    /// Send `job` to claim `key`: it waits there (Idle in the queue) until
    /// the startd starts it. The activation to send.
    fn queue_on_claim(&mut self, store: &dyn AdStore, key: ClaimKey, job: JobId) -> Option<Activate> {
        let claim_id = self.claim(key)?.id.to_string();
        let ad = self.ad(store, job)?;
        self.unidle(job);
        let wire = self.wire_ad(&ad, job.cluster);
        if let Some(j) = self.jobs.get_mut(job) {
            j.phase = Phase::Queued(key);
        }
        if let Some(c) = self.claim_mut(key) {
            c.jobs.push_back(job);
        }
        Some(Activate { claim_id, job_id: job, job: wire })
    }

    /// The startd started a queued job: it is Running from now on.
    fn on_started(&mut self, store: &dyn AdStore, key: ClaimKey, job: JobId, time: f64, now: i64) {
        let Some(claim) = self.claim_view(key) else { return };
        let Some(ad) = self.ad(store, job) else { return };
        let mut ed = Edits::new(job, Some(ad.clone()));
        self.set_status(&mut ed, JobStatus::Running, now);
        let started = if time > 0.0 { time as i64 } else { now };
        if ed.ad().get("JobStartDate").is_none() {
            ed.set("JobStartDate", int(started));
        }
        if ed.ad().get("FirstJobMatchDate").is_none() {
            ed.set("FirstJobMatchDate", int(started));
        }
        ed.set("JobCurrentStartDate", int(started));
        if let Some(c) = self.claim_mut(key) {
            c.head_started = Some(started);
        }
        ed.set("JobCurrentStartExecutingDate", int(started));
        ed.set("ShadowBday", int(started));
        ed.set("LastMatchTime", int(started));
        ed.set("RemoteHost", string(&claim.slot_name));
        ed.set("CurrentHosts", int(1));
        ed.set("ClaimId", string(&claim.id));
        ed.set("StartdIpAddr", string(&claim.startd.to_string()));
        ed.bump("NumJobStarts");
        ed.bump("JobRunCount");
        ed.bump("NumShadowStarts");
        ed.bump("NumJobMatches");
        let path = self.log_path(Some(&ad), job);
        // Placed by `take_effects`: committed before its executing event is written.
        self.started_ads.insert(job, Arc::new(ed.ad().clone()));
        let mut changes = Vec::new();
        ed.commit(&mut changes);
        let log = path.map(|p| LogEntry { path: p, event: events::executing(job, started, &claim.host, &claim.slot_name, Some(&claim.slot)) });
        self.pending_starts.push((job, changes, log));
        if let Some(j) = self.jobs.get_mut(job) {
            if matches!(j.phase, Phase::Queued(_)) {
                j.phase = Phase::Running(key);
            }
        }
        // One idle job fewer: a factory held back by max_idle may make another.
        if self.has_factory(job.cluster) {
            self.materialize(job.cluster, now);
        }
    }

    /// The next idle job claim `key` can run: same shape first, then
    /// another shape of the same owner whose job the slot accepts.
    fn next_for_claim(&mut self, store: &dyn AdStore, key: ClaimKey) -> Option<JobId> {
        let (ac, owner, slot) = {
            let c = self.claim(key)?;
            (c.ac, c.owner, c.slot.clone())
        };
        if let Some(j) = self.acs.get(ac).and_then(|a| a.first_idle()) {
            return Some(j);
        }
        let candidates: Vec<(AcId, JobId)> = self
            .acs
            .with_idle()
            .filter(|(id, a)| *id != ac && a.owner == owner)
            .filter_map(|(id, a)| Some((id, a.first_idle()?)))
            .take(16)
            .collect();
        for (other, job) in candidates {
            let Some(ad) = self.ad(store, job) else { continue };
            if classad::symmetric_match(&ad, &slot) {
                // The claim now serves the other shape.
                if let Some(a) = self.acs.get_mut(other) {
                    a.claims += 1;
                }
                if let Some(a) = self.acs.get_mut(ac) {
                    a.claims = a.claims.saturating_sub(1);
                }
                if let Some(c) = self.claim_mut(key) {
                    c.ac = other;
                    // Another shape: how long its jobs run is not known yet.
                    c.short_runs = false;
                }
                self.acs.collect(ac);
                return Some(job);
            }
        }
        None
    }

    /// End one hold on autocluster `ac` (a claim request answered), dropping
    /// it if nothing else uses it.
    fn release_ac_hold(&mut self, ac: AcId) {
        if let Some(a) = self.acs.get_mut(ac) {
            a.claims = a.claims.saturating_sub(1);
        }
        self.acs.collect(ac);
    }

    /// Give a claim back now (nothing runs on it).
    fn release_claim(&mut self, key: ClaimKey) {
        if let Some(c) = self.drop_claim(key) {
            self.out.actions.push(Action::Release { startd: c.startd.clone(), req: ReleaseClaim { claim_id: c.id.to_string() } });
            if self.acs.with_idle().next().is_some() {
                self.out.actions.push(Action::Reschedule);
            }
        }
    }

    /// A startd's report: jobs that started, jobs that ended, claims lost.
    /// `updates[i]` are the parsed attribute updates of `events.exits[i]`.
    pub fn on_claim_events(&mut self, store: &dyn AdStore, events: &ClaimEvents, updates: &[Vec<(String, Expr)>], now: i64, token: Token) {
        for st in &events.started {
            let Some(&key) = self.claim_by_id.get(st.claim_id.as_str()) else { continue };
            match self.jobs.get(st.job_id).map(|j| j.phase.clone()) {
                Some(Phase::Queued(k)) if k == key => self.on_started(store, key, st.job_id, st.time, now),
                Some(Phase::Dropping(k, stop)) if k == key => {
                    // Asked to stop while it waited, it started anyway: its
                    // exit will say how it ended. The log records the start.
                    if let Some(j) = self.jobs.get_mut(st.job_id) {
                        j.phase = Phase::Stopping(k, stop);
                    }
                    let claim = self.claim_view(key);
                    if let Some(c) = claim {
                        let path = self.log_path(self.ad(store, st.job_id).as_deref(), st.job_id);
                        let t = if st.time > 0.0 { st.time as i64 } else { now };
                        let log = path.map(|p| LogEntry { path: p, event: events::executing(st.job_id, t, &c.host, &c.slot_name, Some(&c.slot)) });
                        self.pending_starts.push((st.job_id, Vec::new(), log));
                    }
                }
                _ => {}
            }
        }
        let mut acks = Vec::with_capacity(events.exits.len());
        for (i, exit) in events.exits.iter().enumerate() {
            let empty: Vec<(String, Expr)> = Vec::new();
            let ups = updates.get(i).unwrap_or(&empty);
            acks.push(self.on_exit(store, exit, ups, now));
        }
        for lost in &events.lost {
            self.on_claim_lost(store, &lost.claim_id, &lost.reason, now);
        }
        self.reply(token, Reply::Events(Ok(acks)));
    }

    /// One job's end on a claim; the ack for the startd.
    fn on_exit(&mut self, store: &dyn AdStore, exit: &JobExit, updates: &[(String, Expr)], now: i64) -> ExitAck {
        let Some(&key) = self.claim_by_id.get(exit.claim_id.as_str()) else {
            // Not one of our claims (we restarted, or gave it up): let it go.
            return ExitAck { next: None, release: true };
        };
        let Some(claim) = self.claim(key) else { return ExitAck { next: None, release: true } };
        let Some(pos) = claim.jobs.iter().position(|j| *j == exit.job_id) else {
            // A report already handled (sent again): answer as before.
            let Some(&(_, next, release)) = claim.recent_acks.iter().find(|(j, _, _)| *j == exit.job_id) else {
                return ExitAck::default();
            };
            let claim_id = claim.id.to_string();
            let next = next.and_then(|j| {
                let ad = self.ad(store, j)?;
                Some(Activate { claim_id: claim_id.clone(), job_id: j, job: self.wire_ad(&ad, j.cluster) })
            });
            return ExitAck { next, release };
        };
        if let Some(c) = self.claim_mut(key) {
            c.jobs.remove(pos);
            if !exit.not_started {
                c.short_runs = exit.wall_secs < super::schedd::SHORT_RUN_SECS;
                c.head_started = None;
            }
        }
        let phase = self.jobs.get(exit.job_id).map(|j| j.phase.clone());
        let by_startd = exit.stopped_by_request && !matches!(phase, Some(Phase::Stopping(..) | Phase::Dropping(..)));
        if exit.not_started || matches!(phase, Some(Phase::Queued(_) | Phase::Dropping(..))) {
            self.end_unstarted(store, exit.job_id, now);
        } else {
            self.end_run(store, exit.job_id, RunEnd::Exit(exit, updates), now);
        }
        let taken_back = matches!(phase, Some(Phase::Dropping(_, super::jobs::Stop::Vacate)));
        let ack = if taken_back {
            // Taken back for another claim: not replaced here.
            ExitAck::default()
        } else if by_startd {
            // The startd stopped the job on its own (shutting down, its
            // policy, the lease): no more jobs for this claim.
            let drained = self.claim(key).is_some_and(|c| c.jobs.is_empty());
            if drained {
                self.drop_claim(key);
                if self.acs.with_idle().next().is_some() {
                    self.out.actions.push(Action::Reschedule);
                }
            }
            ExitAck { next: None, release: true }
        } else {
            self.refill(store, key, now)
        };
        if let Some(c) = self.claim_mut(key) {
            c.recent_acks.push_back((exit.job_id, ack.next.as_ref().map(|a| a.job_id), ack.release));
            if c.recent_acks.len() > RECENT_ACKS {
                c.recent_acks.pop_front();
            }
        }
        ack
    }

    /// After an exit: the next job for the claim, or its release.
    fn refill(&mut self, store: &dyn AdStore, key: ClaimKey, now: i64) -> ExitAck {
        if self.claim(key).is_none() {
            return ExitAck { next: None, release: true };
        }
        if self.claim_room(key) {
            if let Some(next) = self.next_for_claim(store, key) {
                if let Some(act) = self.queue_on_claim(store, key, next) {
                    // Short jobs: deepen the queue with activations of their own.
                    let startd = self.claim(key).map(|c| c.startd.clone());
                    while let (true, Some(startd)) = (self.claim_room(key), &startd) {
                        let Some(more) = self.next_for_claim(store, key) else { break };
                        let Some(req) = self.queue_on_claim(store, key, more) else { break };
                        self.out.actions.push(Action::Activate { startd: startd.clone(), req });
                    }
                    return ExitAck { next: Some(act), release: false };
                }
            }
        }
        if self.claim(key).is_some_and(|c| c.jobs.is_empty()) {
            self.take_back_queued(key, now);
            if self.cfg.claim_linger > 0 {
                // Keep it a moment for a job of its shape that may come.
                if let Some(c) = self.claim_mut(key) {
                    c.idle_since = Some(now);
                    c.short_runs = false;
                }
                if self.acs.with_idle().next().is_some() {
                    self.out.actions.push(Action::Reschedule);
                }
                return ExitAck::default();
            }
            self.drop_claim(key);
            if self.acs.with_idle().next().is_some() {
                self.out.actions.push(Action::Reschedule);
            }
            return ExitAck { next: None, release: true };
        }
        ExitAck::default()
    }

    /// Claim `idle` ran out of work: jobs of its owner still queued behind
    /// a job that has run longer than a short one on another claim are
    /// taken back (dropped before they start, idle again), so this claim
    /// or the negotiator can run them instead of letting them wait.
    fn take_back_queued(&mut self, idle: ClaimKey, now: i64) {
        let Some(owner) = self.claim(idle).map(|c| c.owner) else { return };
        let long = super::schedd::SHORT_RUN_SECS.ceil() as i64;
        let mut drop: Vec<(JobId, ClaimKey)> = Vec::new();
        for (k, c) in self.claims.iter().enumerate() {
            let Some(c) = c else { continue };
            let stuck = c.owner == owner && c.head_started.is_some_and(|t| now - t > long);
            if k as ClaimKey == idle || !stuck {
                continue;
            }
            for j in c.jobs.iter().skip(1) {
                if self.jobs.get(*j).is_some_and(|e| e.phase == Phase::Queued(k as ClaimKey)) {
                    drop.push((*j, k as ClaimKey));
                }
            }
        }
        for (job, claim) in drop {
            self.drop_queued(job, claim, super::jobs::Stop::Vacate);
        }
    }

    /// Give jobs that just became idle to claims that have nothing to do
    /// (lingering after their last job), before asking the negotiator.
    pub(crate) fn feed_idle_claims(&mut self, store: &dyn AdStore) {
        let idle: Vec<ClaimKey> = self
            .claims
            .iter()
            .enumerate()
            .filter_map(|(k, c)| c.as_ref().filter(|c| c.idle_since.is_some()).map(|_| k as ClaimKey))
            .collect();
        for key in idle {
            while self.claim_room(key) {
                let Some(job) = self.next_for_claim(store, key) else { break };
                let Some(act) = self.queue_on_claim(store, key, job) else { break };
                let startd = match self.claim_mut(key) {
                    Some(c) => {
                        c.idle_since = None;
                        c.startd.clone()
                    }
                    None => break,
                };
                self.out.actions.push(Action::Activate { startd, req: act });
            }
        }
    }

    /// Release claims that lingered idle long enough.
    fn release_idle_claims(&mut self, now: i64) {
        let linger = self.cfg.claim_linger;
        let expired: Vec<ClaimKey> = self
            .claims
            .iter()
            .enumerate()
            .filter_map(|(k, c)| c.as_ref().filter(|c| c.jobs.is_empty() && c.idle_since.is_some_and(|t| now >= t + linger)).map(|_| k as ClaimKey))
            .collect();
        for key in expired {
            if let Some(c) = self.drop_claim(key) {
                self.out.actions.push(Action::Release { startd: c.startd.clone(), req: ReleaseClaim { claim_id: c.id.to_string() } });
            }
        }
    }

    /// A job that ended without having started (dropped from a claim's queue).
    fn end_unstarted(&mut self, store: &dyn AdStore, job: JobId, now: i64) {
        let Some(entry) = self.jobs.get(job) else { return };
        let phase = entry.phase.clone();
        let base = self.ad(store, job);
        let path = self.log_path(base.as_deref(), job);
        let ed = Edits::new(job, base);
        match phase {
            Phase::Stopping(_, Stop::Remove) | Phase::Dropping(_, Stop::Remove) => {
                let reason = ed.ad().string("RemoveReason").unwrap_or_else(|| "via condor_rm".to_string());
                self.log_before(&path, events::aborted(job, now, &reason));
                let leave = policy::leave_in_queue(ed.ad());
                self.finish(ed, leave, now);
            }
            Phase::Stopping(_, Stop::Hold) | Phase::Dropping(_, Stop::Hold) => {
                let reason = ed.ad().string("HoldReason").unwrap_or_else(|| "held".to_string());
                let code = ed.int("HoldReasonCode").unwrap_or(0);
                let sub = ed.int("HoldReasonSubCode").unwrap_or(0);
                self.log_before(&path, events::held(job, now, &reason, code, sub));
                if let Some(j) = self.jobs.get_mut(job) {
                    j.phase = Phase::Quiet;
                }
            }
            Phase::Running(_) | Phase::Stopping(_, Stop::Vacate) => {
                // We believed it started; it did not. Back to Idle.
                self.requeue(ed, now);
            }
            _ => {
                let view = ed.ad().clone();
                if let Some(j) = self.jobs.get_mut(job) {
                    j.ac = NO_AC;
                }
                if self.jobs.get(job).is_some_and(|j| j.status == JobStatus::Idle) {
                    self.make_idle(job, &view);
                    self.feed_idle_claims(store);
                    self.out.actions.push(Action::Reschedule);
                } else if let Some(j) = self.jobs.get_mut(job) {
                    j.phase = Phase::Quiet;
                }
            }
        }
    }

    /// A queued activation was refused (`reason`); `lost` when the claim is
    /// gone at the startd.
    pub fn on_activate_failed(&mut self, store: &dyn AdStore, claim_id: &str, job: JobId, reason: &str, lost: bool, now: i64) {
        if lost {
            self.on_claim_lost(store, claim_id, reason, now);
            return;
        }
        let Some(&key) = self.claim_by_id.get(claim_id) else { return };
        if let Some(c) = self.claim_mut(key) {
            c.jobs.retain(|j| *j != job);
        }
        self.end_unstarted(store, job, now);
        if self.claim(key).is_some_and(|c| c.jobs.is_empty()) {
            self.release_claim(key);
        }
    }

    /// A claim is gone without exit reports for its jobs (the startd lost
    /// it, forgot it, or stopped answering).
    pub fn on_claim_lost(&mut self, store: &dyn AdStore, claim_id: &str, reason: &str, now: i64) {
        let Some(&key) = self.claim_by_id.get(claim_id) else { return };
        let jobs: Vec<JobId> = self.claim(key).map(|c| c.jobs.iter().copied().collect()).unwrap_or_default();
        for job in jobs {
            let started = matches!(self.jobs.get(job).map(|j| &j.phase), Some(Phase::Running(_) | Phase::Stopping(..)));
            if started {
                self.end_run(store, job, RunEnd::Lost(reason), now);
            } else {
                self.end_unstarted(store, job, now);
            }
        }
        self.drop_claim(key);
        if self.acs.with_idle().next().is_some() {
            self.out.actions.push(Action::Reschedule);
        }
    }

    /// The startd at `startd` answered a lease renewal: `unknown` are the
    /// claims it does not have (their jobs are not running).
    pub fn on_claims_alive(&mut self, store: &dyn AdStore, startd: &Address, result: Result<Vec<String>, String>, now: i64) {
        let keys: Vec<ClaimKey> = self
            .claims
            .iter()
            .enumerate()
            .filter_map(|(k, c)| c.as_ref().filter(|c| *c.startd == *startd).map(|_| k as ClaimKey))
            .collect();
        match result {
            Ok(unknown) => {
                for k in keys {
                    if let Some(c) = self.claim_mut(k) {
                        c.alive_failures = 0;
                    }
                }
                for id in unknown {
                    self.on_claim_lost(store, &id, "the execute node no longer has the claim (it restarted or the lease ran out)", now);
                }
            }
            Err(e) => {
                let mut lost = Vec::new();
                for k in keys {
                    if let Some(c) = self.claim_mut(k) {
                        c.alive_failures += 1;
                        if c.alive_failures >= 3 {
                            lost.push(c.id.to_string());
                        }
                    }
                }
                for id in lost {
                    self.on_claim_lost(store, &id, &format!("the execute node did not answer ({e})"), now);
                }
            }
        }
    }

    /// Every claim on `startd` is gone (a request to it could not connect).
    pub fn on_startd_unreachable(&mut self, store: &dyn AdStore, startd: &Address, reason: &str, now: i64) {
        let ids: Vec<String> = self.claims.iter().flatten().filter(|c| *c.startd == *startd).map(|c| c.id.to_string()).collect();
        for id in ids {
            self.on_claim_lost(store, &id, reason, now);
        }
    }

    /// Time passed: periodic policy and claim lease renewals when due.
    pub fn on_timer(&mut self, store: &dyn AdStore, now: i64) {
        self.release_idle_claims(now);
        if now >= self.next_periodic {
            self.periodic_check(store, now);
            self.next_periodic = now + self.cfg.periodic_interval.max(1);
        }
        if now >= self.next_alive {
            let mut by_startd: Vec<(Arc<Address>, Vec<String>)> = Vec::new();
            let mut interval = self.cfg.alive_interval.max(1);
            for c in self.claims.iter().flatten() {
                interval = interval.min((c.lease as i64 / 3).max(1));
                match by_startd.iter_mut().find(|(s, _)| **s == *c.startd) {
                    Some((_, ids)) => ids.push(c.id.to_string()),
                    None => by_startd.push((c.startd.clone(), vec![c.id.to_string()])),
                }
            }
            for (startd, claim_ids) in by_startd {
                self.out.actions.push(Action::ClaimsAlive { startd, claim_ids });
            }
            self.next_alive = now + interval;
        }
    }

    /// The end of a run: usage into the ad, the job's new status by what
    /// stopped it or by its policy, and the user-log events.
    fn end_run(&mut self, store: &dyn AdStore, job: JobId, how: RunEnd, now: i64) {
        self.ended.insert(job);
        let Some(entry) = self.jobs.get(job) else { return };
        let phase = entry.phase.clone();
        let claim_key = match &phase {
            Phase::Running(k) | Phase::Stopping(k, _) => *k,
            _ => return,
        };
        let claim = self.claim_view(claim_key);
        let slot = claim.as_ref().map(|c| c.slot.clone());
        let slot_name = claim.as_ref().map(|c| c.slot_name.to_string()).unwrap_or_default();
        let base = self.ad(store, job);
        let path = self.log_path(base.as_deref(), job);
        let mut ed = Edits::new(job, base);
        let mut usage = RunUsage::default();
        if let RunEnd::Exit(exit, updates) = &how {
            for (k, e) in updates.iter() {
                ed.set(k, e.clone());
            }
            if exit.max_rss_kb > 0 && ed.ad().get_own("ResidentSetSize").is_none() {
                ed.set("ResidentSetSize", int(exit.max_rss_kb));
            }
            if exit.max_rss_kb > 0 && ed.ad().get_own("ImageSize").is_none() {
                let img = ed.int("ImageSize").unwrap_or(0).max(exit.max_rss_kb);
                ed.set("ImageSize", int(img));
            }
            usage.user_cpu = exit.user_cpu_secs;
            usage.sys_cpu = exit.sys_cpu_secs;
            usage.wall = exit.wall_secs;
            ed.set("RemoteUserCpu", real(exit.user_cpu_secs));
            ed.set("RemoteSysCpu", real(exit.sys_cpu_secs));
            usage.total_user_cpu = ed.add_real("CumulativeRemoteUserCpu", exit.user_cpu_secs);
            usage.total_sys_cpu = ed.add_real("CumulativeRemoteSysCpu", exit.sys_cpu_secs);
        }
        let start = ed.int("JobCurrentStartDate").unwrap_or(now);
        if usage.wall <= 0.0 {
            usage.wall = (now - start).max(0) as f64;
        }
        ed.set("LastRemoteWallClockTime", real(usage.wall));
        ed.add_real("RemoteWallClockTime", usage.wall);
        ed.add_real("CumulativeSlotTime", usage.wall);
        usage.memory_mb = ed.int("MemoryUsage");
        usage.disk_kb = ed.int("DiskUsage");
        usage.cpus_usage = ed.real("CpusUsage");
        if let Some(e) = ed.ad().get("RemoteHost").cloned() {
            ed.set("LastRemoteHost", e);
        }
        ed.delete("RemoteHost");
        ed.delete("ClaimId");
        ed.set("CurrentHosts", int(0));
        ed.set("LastJobLeaseRenewal", int(now));
        if let Some(img) = ed.ad().get_own("ImageSize").and_then(|_| ed.int("ImageSize")) {
            let mem = ed.int("MemoryUsage");
            let rss = ed.int("ResidentSetSize");
            self.log_before(&path, events::image_size(job, now, img, mem, rss));
        }
        let table = events::usage_table(ed.ad(), slot.as_deref(), &usage);
        let set_exit = |ed: &mut Edits, exit: &JobExit| match (exit.exit_code, exit.exit_signal) {
            (Some(code), _) => {
                ed.set("ExitBySignal", boolean(false));
                ed.set("ExitCode", int(code as i64));
                ed.set("ExitStatus", int(code as i64));
                ed.delete("ExitSignal");
            }
            (None, Some(sig)) => {
                ed.set("ExitBySignal", boolean(true));
                ed.set("ExitSignal", int(sig as i64));
                ed.set("ExitReason", string(&format!("died on signal {sig}{}", signal_name(sig))));
                ed.delete("ExitCode");
            }
            (None, None) => {}
        };
        let evicted = |code: i32, reason: &str| events::evicted(job, now, code, Some(reason.to_string()), None, &usage, table.clone());
        match (phase, how) {
            (Phase::Stopping(_, stop), how) => {
                if let RunEnd::Exit(exit, _) = how {
                    set_exit(&mut ed, exit);
                }
                ed.set("LastVacateTime", int(now));
                ed.bump("NumVacates");
                self.log_before(&path, evicted(1009, "Claim deactivated"));
                match stop {
                    Stop::Remove => {
                        let reason = ed.ad().string("RemoveReason").unwrap_or_else(|| "via condor_rm".to_string());
                        self.log_before(&path, events::aborted(job, now, &reason));
                        let leave = policy::leave_in_queue(ed.ad());
                        self.finish(ed, leave, now);
                    }
                    Stop::Hold => {
                        let reason = ed.ad().string("HoldReason").unwrap_or_else(|| "held".to_string());
                        let code = ed.int("HoldReasonCode").unwrap_or(0);
                        let sub = ed.int("HoldReasonSubCode").unwrap_or(0);
                        self.log_before(&path, events::held(job, now, &reason, code, sub));
                        if let Some(j) = self.jobs.get_mut(job) {
                            j.phase = Phase::Quiet;
                        }
                        ed.commit(&mut self.out.changes);
                    }
                    Stop::Vacate => self.requeue(ed, now),
                }
            }
            (_, RunEnd::Lost(reason)) => {
                self.log_before(&path, evicted(0, reason));
                self.requeue(ed, now);
            }
            (_, RunEnd::Exit(exit, _)) => {
                if let Some(err) = exit.start_error.as_deref().or(exit.transfer_error.as_deref()) {
                    let default_code = if exit.start_error.is_some() {
                        proto::job::hold_code::FAILED_TO_CREATE_PROCESS
                    } else {
                        proto::job::hold_code::TRANSFER_OUTPUT_ERROR
                    };
                    let code = exit.hold_code.unwrap_or(default_code);
                    let sub = exit.hold_subcode.unwrap_or(0);
                    let reason = format!("Error from {slot_name}: {err}");
                    self.hold_after_run(&mut ed, &path, &reason, code, sub, now);
                    ed.commit(&mut self.out.changes);
                    return;
                }
                if exit.stopped_by_request {
                    set_exit(&mut ed, exit);
                    self.log_before(&path, evicted(0, "The execute node stopped the job"));
                    self.requeue(ed, now);
                    return;
                }
                set_exit(&mut ed, exit);
                ed.bump("NumJobCompletions");
                match policy::at_exit(ed.ad(), now, &self.cfg.system) {
                    ExitDecision::Complete => {
                        ed.set("CompletionDate", int(now));
                        self.set_status(&mut ed, JobStatus::Completed, now);
                        self.log_before(&path, events::terminated(job, now, exit.exit_code, exit.exit_signal, &usage, table));
                        let leave = policy::leave_in_queue(ed.ad());
                        if leave {
                            ed.set("TerminationPending", boolean(true));
                        }
                        if let Some(j) = self.jobs.get_mut(job) {
                            j.phase = Phase::Quiet;
                        }
                        self.finish(ed, leave, now);
                    }
                    ExitDecision::Hold(f) => {
                        self.hold_after_run(&mut ed, &path, &f.reason, f.code, f.subcode, now);
                        ed.commit(&mut self.out.changes);
                    }
                    ExitDecision::Remove(f) => {
                        self.log_before(&path, events::terminated(job, now, exit.exit_code, exit.exit_signal, &usage, table));
                        ed.set("RemoveReason", string(&f.reason));
                        self.set_status(&mut ed, JobStatus::Removed, now);
                        self.log_before(&path, events::aborted(job, now, &f.reason));
                        let leave = policy::leave_in_queue(ed.ad());
                        self.finish(ed, leave, now);
                    }
                    ExitDecision::Requeue(f) => {
                        let ev = events::evicted(job, now, 0, Some(f.reason), Some((exit.exit_code, exit.exit_signal)), &usage, table);
                        self.log_before(&path, ev);
                        self.requeue(ed, now);
                    }
                }
            }
        }
    }

    fn hold_after_run(&mut self, ed: &mut Edits, path: &Option<Arc<std::path::Path>>, reason: &str, code: i64, sub: i64, now: i64) {
        let job = ed.id;
        ed.set("HoldReason", string(reason));
        ed.set("HoldReasonCode", int(code));
        ed.set("HoldReasonSubCode", int(sub));
        ed.bump("NumHolds");
        if code != proto::job::hold_code::USER_REQUEST {
            ed.bump("NumSystemHolds");
        }
        self.set_status(ed, JobStatus::Held, now);
        self.log_before(path, events::held(job, now, reason, code, sub));
        if let Some(j) = self.jobs.get_mut(job) {
            j.phase = Phase::Quiet;
            j.ac = NO_AC;
        }
    }

    /// Back to Idle, to run again.
    fn requeue(&mut self, mut ed: Edits, now: i64) {
        let job = ed.id;
        self.set_status(&mut ed, JobStatus::Idle, now);
        let view = ed.ad().clone();
        ed.commit(&mut self.out.changes);
        if let Some(j) = self.jobs.get_mut(job) {
            j.ac = NO_AC;
        }
        self.make_idle(job, &view);
        self.out.actions.push(Action::Reschedule);
    }
}

/// ` (Terminated)` after a signal number, as HTCondor's `ExitReason` says it.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        1 => " (Hangup)",
        2 => " (Interrupt)",
        3 => " (Quit)",
        4 => " (Illegal instruction)",
        6 => " (Aborted)",
        7 => " (Bus error)",
        8 => " (Floating point exception)",
        9 => " (Killed)",
        11 => " (Segmentation fault)",
        13 => " (Broken pipe)",
        14 => " (Alarm clock)",
        15 => " (Terminated)",
        _ => "",
    }
}
