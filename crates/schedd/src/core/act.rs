//! Acting on jobs: hold, release, remove, vacate (`condor_hold`, …), edits
//! (`condor_qedit`) and the periodic policy check, which does the same
//! things on the policy's behalf.
//!
//! A running job that is held or removed shows its new status at once (the
//! change is committed before the answer); its execute side is asked to
//! stop, and the evicted and held/aborted events are written when the
//! startd reports that it stopped.

use classad::{ClassAd, Expr};
use proto::job::{hold_code, JobSpec};
use proto::schedd::{ActOutcome, ActRequest, ActResponse, EditRequest, EditResponse, JobAction, JobSelector};
use proto::startd::{Signal, SignalJob};
use proto::{ApiError, JobId, JobStatus};

use super::ads::{int, string, AdStore};
use super::effects::{Action, Reply, Token};
use super::events;
use super::jobs::{Phase, Stop};
use super::policy::{self, PeriodicDecision};
use super::schedd::{Edits, Schedd, Who, PERIODIC_ATTRS};

/// Attributes nobody may edit, and those only queue super users may.
const FIXED_ATTRS: &[&str] = &["ClusterId", "ProcId"];
const PROTECTED_ATTRS: &[&str] = &["Owner", "User", "JobStatus", "MyType", "TargetType", "GlobalJobId", "QDate"];

/// Jobs a selector picks, and the named ids that matched nothing.
#[derive(Debug, Default)]
pub struct Selection {
    pub ids: Vec<JobId>,
    pub not_found: Vec<JobSpec>,
}

impl Schedd {
    /// The jobs `sel` picks, in id order; `constraint` is its parsed
    /// constraint. Only the parts that need no ad (ids, owners) are
    /// checked without reading ads.
    pub fn select(&self, store: &dyn AdStore, sel: &JobSelector, constraint: Option<&Expr>) -> Selection {
        let mut out = Selection::default();
        let owners: Vec<u32> = sel.owners.iter().filter_map(|o| self.owners.get(o)).collect();
        if !sel.owners.is_empty() && owners.is_empty() {
            out.not_found = sel.ids.clone();
            return out;
        }
        let keep = |id: JobId, owner: u32| -> bool {
            if !owners.is_empty() && !owners.contains(&owner) {
                return false;
            }
            match constraint {
                None => true,
                Some(c) => match self.ad(store, id) {
                    Some(ad) => classad::ops::bool_equiv(&ad.eval_expr(c, None)).unwrap_or(false),
                    None => false,
                },
            }
        };
        if sel.ids.is_empty() {
            for (id, j) in self.jobs.iter() {
                if keep(id, j.owner) {
                    out.ids.push(id);
                }
            }
            return out;
        }
        let mut specs = sel.ids.clone();
        specs.sort_by_key(|s| match s {
            JobSpec::Cluster(c) => (*c, i64::MIN),
            JobSpec::Job(j) => (j.cluster, j.proc),
        });
        for spec in specs {
            let before = out.ids.len();
            let mut exists = false;
            match spec {
                JobSpec::Job(id) => {
                    if let Some(j) = self.jobs.get(id) {
                        exists = true;
                        if keep(id, j.owner) {
                            out.ids.push(id);
                        }
                    }
                }
                JobSpec::Cluster(c) => {
                    for (id, j) in self.jobs.cluster_jobs(c) {
                        exists = true;
                        if keep(id, j.owner) {
                            out.ids.push(id);
                        }
                    }
                }
            }
            if !exists || (out.ids.len() == before && constraint.is_none() && owners.is_empty()) {
                out.not_found.push(spec);
            }
        }
        out.ids.dedup();
        out
    }

    /// `condor_rm`, `condor_hold`, `condor_release`, `condor_vacate_job`.
    pub fn on_act(&mut self, store: &dyn AdStore, who: &Who, req: &ActRequest, constraint: Option<&Expr>, now: i64, token: Token) {
        if req.select.is_empty() {
            let e = ApiError::bad_request("no jobs named: give job ids, owners, a constraint, or all")
                .with_hint("condor_rm -all acts on every job you own");
            self.reply(token, Reply::Act(Err(e)));
            return;
        }
        let Some(user) = who.user.clone() else {
            let e = ApiError::permission_denied("acting on jobs needs a known user; this connection is not authenticated");
            self.reply(token, Reply::Act(Err(e)));
            return;
        };
        let sel = self.select(store, &req.select, constraint);
        let mut resp = ActResponse { results: Vec::with_capacity(sel.ids.len()), not_found: sel.not_found };
        let by = format!("(by user {user})");
        for id in sel.ids {
            let Some(job) = self.jobs.get(id) else { continue };
            let owner = self.owner_name(job.owner).to_string();
            // With `-all` or owner selection a user only sees their own jobs.
            if !self.may_act(who, &owner) {
                if !req.select.all {
                    resp.results.push((id, ActOutcome::PermissionDenied));
                }
                continue;
            }
            let outcome = match req.action {
                JobAction::Hold => {
                    let reason = format!("{} {by}", req.reason.as_deref().unwrap_or("via condor_hold"));
                    self.hold(store, id, &reason, hold_code::USER_REQUEST, req.reason_code.unwrap_or(0), now)
                }
                JobAction::Release => {
                    let reason = format!("{} {by}", req.reason.as_deref().unwrap_or("via condor_release"));
                    self.release(store, id, &reason, now)
                }
                JobAction::Remove => {
                    let reason = format!("{} {by}", req.reason.as_deref().unwrap_or("via condor_rm"));
                    self.remove(store, id, &reason, now)
                }
                JobAction::RemoveX => self.forget_removed(store, id, now),
                JobAction::Vacate => self.vacate(id, Signal::Vacate),
                JobAction::VacateFast => self.vacate(id, Signal::Kill),
                JobAction::Suspend => self.suspend(store, id, true, now),
                JobAction::Continue => self.suspend(store, id, false, now),
            };
            resp.results.push((id, outcome));
        }
        self.reply(token, Reply::Act(Ok(resp)));
    }

    /// Put a job on hold with `reason` (HTCondor's `HoldReason*` attributes).
    pub(crate) fn hold(&mut self, store: &dyn AdStore, id: JobId, reason: &str, code: i64, subcode: i64, now: i64) -> ActOutcome {
        let Some(job) = self.jobs.get(id) else { return ActOutcome::NotFound };
        let phase = job.phase.clone();
        match job.status {
            JobStatus::Held => return ActOutcome::AlreadyDone,
            JobStatus::Completed | JobStatus::Removed => return ActOutcome::BadStatus,
            _ => {}
        }
        let ad = self.ad(store, id);
        let mut ed = Edits::new(id, ad.clone());
        ed.set("HoldReason", string(reason));
        ed.set("HoldReasonCode", int(code));
        ed.set("HoldReasonSubCode", int(subcode));
        ed.bump("NumHolds");
        if code != hold_code::USER_REQUEST {
            ed.bump("NumSystemHolds");
        }
        self.set_status(&mut ed, JobStatus::Held, now);
        match phase {
            Phase::Running(claim) => {
                self.stop_running(id, claim, Stop::Hold, Signal::Vacate);
            }
            Phase::Queued(claim) => self.drop_queued(id, claim, Stop::Hold),
            Phase::Stopping(claim, _) => {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.phase = Phase::Stopping(claim, Stop::Hold);
                }
            }
            Phase::Dropping(claim, _) => {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.phase = Phase::Dropping(claim, Stop::Hold);
                }
            }
            _ => {
                self.unidle(id);
                if let Some(j) = self.jobs.get_mut(id) {
                    j.phase = Phase::Quiet;
                }
                let path = self.log_path(ad.as_deref(), id);
                self.log_after(&path, events::held(id, now, reason, code, subcode));
            }
        }
        ed.commit(&mut self.out.changes);
        ActOutcome::Done
    }

    pub(crate) fn release(&mut self, store: &dyn AdStore, id: JobId, reason: &str, now: i64) -> ActOutcome {
        let Some(job) = self.jobs.get(id) else { return ActOutcome::NotFound };
        if job.status != JobStatus::Held {
            return ActOutcome::BadStatus;
        }
        if matches!(job.phase, Phase::Stopping(..) | Phase::Dropping(..)) {
            // Still stopping on its slot: release once it has stopped.
            return ActOutcome::BadStatus;
        }
        let ad = self.ad(store, id);
        let mut ed = Edits::new(id, ad.clone());
        if let Some(e) = ed.ad().get("HoldReason").cloned() {
            ed.set("LastHoldReason", e);
        }
        if let Some(e) = ed.ad().get("HoldReasonCode").cloned() {
            ed.set("LastHoldReasonCode", e);
        }
        ed.delete("HoldReason");
        ed.delete("HoldReasonCode");
        ed.delete("HoldReasonSubCode");
        ed.set("ReleaseReason", string(reason));
        self.set_status(&mut ed, JobStatus::Idle, now);
        let path = self.log_path(ad.as_deref(), id);
        self.log_after(&path, events::released(id, now, reason));
        let view = ed.ad().clone();
        ed.commit(&mut self.out.changes);
        self.make_idle(id, &view);
        self.feed_idle_claims(store);
        if self.acs.with_idle().next().is_some() {
            self.out.actions.push(Action::Reschedule);
        }
        ActOutcome::Done
    }

    pub(crate) fn remove(&mut self, store: &dyn AdStore, id: JobId, reason: &str, now: i64) -> ActOutcome {
        let Some(job) = self.jobs.get(id) else { return ActOutcome::NotFound };
        if job.status == JobStatus::Removed {
            return ActOutcome::AlreadyDone;
        }
        let phase = job.phase.clone();
        let ad = self.ad(store, id);
        let mut ed = Edits::new(id, ad.clone());
        ed.set("RemoveReason", string(reason));
        self.set_status(&mut ed, JobStatus::Removed, now);
        match phase {
            Phase::Running(claim) => {
                self.stop_running(id, claim, Stop::Remove, Signal::Vacate);
                ed.commit(&mut self.out.changes);
            }
            Phase::Queued(claim) => {
                self.drop_queued(id, claim, Stop::Remove);
                ed.commit(&mut self.out.changes);
            }
            Phase::Stopping(claim, _) => {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.phase = Phase::Stopping(claim, Stop::Remove);
                }
                ed.commit(&mut self.out.changes);
            }
            Phase::Dropping(claim, _) => {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.phase = Phase::Dropping(claim, Stop::Remove);
                }
                ed.commit(&mut self.out.changes);
            }
            _ => {
                self.unidle(id);
                let path = self.log_path(ad.as_deref(), id);
                self.log_after(&path, events::aborted(id, now, reason));
                let leave = policy::leave_in_queue(ed.ad());
                self.finish(ed, leave, now);
            }
        }
        ActOutcome::Done
    }

    /// `condor_rm -forcex`: a removed job still waiting for its execute side is dropped now.
    fn forget_removed(&mut self, store: &dyn AdStore, id: JobId, now: i64) -> ActOutcome {
        let Some(job) = self.jobs.get(id) else { return ActOutcome::NotFound };
        if job.status != JobStatus::Removed {
            return ActOutcome::BadStatus;
        }
        let phase = job.phase.clone();
        if let Phase::Running(claim) | Phase::Stopping(claim, _) | Phase::Queued(claim) | Phase::Dropping(claim, _) = phase {
            if let Some(c) = self.drop_claim(claim) {
                self.out.actions.push(Action::Release {
                    startd: c.startd.clone(),
                    req: proto::startd::ReleaseClaim { claim_id: c.id.to_string() },
                });
            }
        }
        let ad = self.ad(store, id);
        let path = self.log_path(ad.as_deref(), id);
        let ed = Edits::new(id, ad);
        self.log_before(&path, events::aborted(id, now, "removed with -forcex"));
        self.finish(ed, false, now);
        ActOutcome::Done
    }

    fn vacate(&mut self, id: JobId, signal: Signal) -> ActOutcome {
        let Some(job) = self.jobs.get(id) else { return ActOutcome::NotFound };
        match job.phase.clone() {
            Phase::Running(claim) => {
                self.stop_running(id, claim, Stop::Vacate, signal);
                ActOutcome::Done
            }
            Phase::Queued(claim) => {
                self.drop_queued(id, claim, Stop::Vacate);
                ActOutcome::Done
            }
            Phase::Stopping(claim, _) if signal == Signal::Kill => {
                self.signal_claim(id, claim, Signal::Kill);
                ActOutcome::Done
            }
            _ => ActOutcome::BadStatus,
        }
    }

    fn suspend(&mut self, store: &dyn AdStore, id: JobId, suspend: bool, now: i64) -> ActOutcome {
        let Some(job) = self.jobs.get(id) else { return ActOutcome::NotFound };
        let Phase::Running(claim) = job.phase else { return ActOutcome::BadStatus };
        let (want, from) = if suspend {
            (JobStatus::Suspended, JobStatus::Running)
        } else {
            (JobStatus::Running, JobStatus::Suspended)
        };
        if job.status != from {
            return if job.status == want { ActOutcome::AlreadyDone } else { ActOutcome::BadStatus };
        }
        let mut ed = Edits::new(id, self.ad(store, id));
        self.set_status(&mut ed, want, now);
        if suspend {
            ed.bump("TotalSuspensions");
            ed.set("LastSuspensionTime", int(now));
        }
        ed.commit(&mut self.out.changes);
        self.signal_claim(id, claim, if suspend { Signal::Suspend } else { Signal::Continue });
        ActOutcome::Done
    }

    /// Ask the execute side to stop a running job, remembering what it becomes.
    pub(crate) fn stop_running(&mut self, id: JobId, claim: u32, stop: Stop, signal: Signal) {
        if let Some(j) = self.jobs.get_mut(id) {
            j.phase = Phase::Stopping(claim, stop);
        }
        self.signal_claim(id, claim, signal);
    }

    /// Ask the startd to drop a job queued on a claim before it starts.
    pub(crate) fn drop_queued(&mut self, id: JobId, claim: u32, stop: Stop) {
        if let Some(j) = self.jobs.get_mut(id) {
            j.phase = Phase::Dropping(claim, stop);
        }
        self.signal_claim(id, claim, Signal::Kill);
    }

    fn signal_claim(&mut self, id: JobId, claim: u32, signal: Signal) {
        if let Some(c) = self.claim(claim) {
            let (startd, claim_id) = (c.startd.clone(), c.id.to_string());
            self.out.actions.push(Action::Signal { startd, req: SignalJob { claim_id, job_id: id, signal } });
        }
    }

    /// `condor_qedit`: set one attribute of the selected jobs.
    pub fn on_edit(&mut self, store: &dyn AdStore, who: &Who, req: &EditRequest, constraint: Option<&Expr>, now: i64, token: Token) {
        let answer = self.edit(store, who, req, constraint, now);
        self.reply(token, Reply::Edit(answer));
    }

    fn edit(&mut self, store: &dyn AdStore, who: &Who, req: &EditRequest, constraint: Option<&Expr>, now: i64) -> Result<EditResponse, ApiError> {
        if req.select.is_empty() {
            return Err(ApiError::bad_request("no jobs named: give job ids, owners, a constraint, or all"));
        }
        let Some(user) = who.user.clone() else {
            return Err(ApiError::permission_denied("editing jobs needs a known user; this connection is not authenticated"));
        };
        let attr = req.attr.trim();
        if attr.is_empty() || !attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            return Err(ApiError::bad_request(format!("'{attr}' is not an attribute name")));
        }
        if FIXED_ATTRS.iter().any(|a| a.eq_ignore_ascii_case(attr)) {
            return Err(ApiError::permission_denied(format!("{attr} cannot be changed")));
        }
        if PROTECTED_ATTRS.iter().any(|a| a.eq_ignore_ascii_case(attr)) && !self.is_super(&user) {
            return Err(ApiError::permission_denied(format!("only queue super users may change {attr}"))
                .with_hint("use condor_hold/condor_release/condor_rm to change a job's status"));
        }
        let value = Expr::parse_old(&req.value).map_err(|e| {
            ApiError::bad_request(format!("the value for {attr} is not a ClassAd expression: {e}"))
                .with_hint("strings need double quotes, e.g. '\"text\"'")
        })?;
        let sel = self.select(store, &req.select, constraint);
        let mut resp = EditResponse::default();
        for id in sel.ids {
            let Some(job) = self.jobs.get(id) else { continue };
            if !self.may_act(who, self.owner_name(job.owner)) {
                resp.denied.push(id);
                continue;
            }
            let idle_quiet = job.status == JobStatus::Idle && job.phase == Phase::Quiet;
            let done = matches!(job.status, JobStatus::Completed | JobStatus::Removed) && job.phase == Phase::Quiet;
            let mut ed = Edits::new(id, self.ad(store, id));
            ed.set(attr, value.clone());
            if done && attr.eq_ignore_ascii_case("LeaveJobInQueue") && !policy::leave_in_queue(ed.ad()) {
                // a finished job kept by LeaveJobInQueue leaves once it no longer is
                resp.edited.push(id);
                self.finish(ed, false, now);
                continue;
            }
            if attr.eq_ignore_ascii_case("JobPrio") {
                let prio = ed.int("JobPrio").unwrap_or(0).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
                self.unidle(id);
                if let Some(j) = self.jobs.get_mut(id) {
                    j.prio = prio;
                }
            }
            if PERIODIC_ATTRS.iter().any(|a| a.eq_ignore_ascii_case(attr)) {
                self.periodic_clusters.insert(id.cluster);
            }
            if idle_quiet {
                let view: ClassAd = ed.ad().clone();
                self.make_idle(id, &view);
            }
            ed.commit(&mut self.out.changes);
            resp.edited.push(id);
        }
        if resp.edited.is_empty() && resp.denied.is_empty() {
            return Err(ApiError::not_found("no job matched"));
        }
        Ok(resp)
    }

    /// Evaluate periodic policies of jobs that have them (every `PERIODIC_EXPR_INTERVAL`).
    pub(crate) fn periodic_check(&mut self, store: &dyn AdStore, now: i64) {
        let all = self.cfg.system.hold.is_some() || self.cfg.system.release.is_some() || self.cfg.system.remove.is_some();
        let ids: Vec<JobId> = if all {
            self.jobs.iter().map(|(id, _)| id).collect()
        } else {
            let clusters: Vec<i64> = self.periodic_clusters.iter().copied().collect();
            clusters.into_iter().flat_map(|c| self.jobs.cluster_jobs(c).map(|(id, _)| id).collect::<Vec<_>>()).collect()
        };
        let sys = self.cfg.system.clone();
        for id in ids {
            let Some(job) = self.jobs.get(id) else { continue };
            if matches!(job.phase, Phase::Stopping(..) | Phase::Dropping(..) | Phase::Matching(_) | Phase::Queued(_)) {
                continue;
            }
            let status = job.status;
            let Some(ad) = self.ad(store, id) else { continue };
            let decision = policy::periodic(&ad, status, now, &sys, true);
            match decision {
                PeriodicDecision::Stay => {}
                PeriodicDecision::Hold(f) => {
                    self.hold(store, id, &f.reason, f.code, f.subcode, now);
                }
                PeriodicDecision::Release(f) => {
                    self.release(store, id, &f.reason, now);
                }
                PeriodicDecision::Remove(f) => {
                    self.remove(store, id, &f.reason, now);
                }
                PeriodicDecision::Vacate(_) => {
                    self.vacate(id, Signal::Vacate);
                }
            }
        }
    }
}
