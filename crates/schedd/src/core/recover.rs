//! Restart: rebuilding the core from the durable queue, and deciding what
//! became of the jobs that were running when the schedd stopped.
//!
//! The queue is the truth for everything committed. A job still `Running`
//! in it did not have its end committed; but the events that end a run are
//! written to the user log *before* the commit (see [`super::effects`]), so
//! its log may already say how the run ended. The decision per job:
//!
//! | queue says | log's last event for the job | becomes |
//! |---|---|---|
//! | Running | terminated | Completed (the exit is not run again) |
//! | Running | held / aborted | Held / Removed |
//! | Running | executing | Idle, with an evicted event written now |
//! | Running | anything else, or no log | Idle |
//! | Held or Removed while it ran | executing | evicted (and aborted) events written now |
//! | Removed / Completed, not `LeaveJobInQueue` | — | to history |
//!
//! Claims the old schedd held are released, which stops any job still
//! running on them; those jobs run again from Idle.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use classad::ClassAd;
use eventlog::EventBody;
use proto::address::Address;
use proto::startd::ReleaseClaim;
use proto::{JobId, JobStatus};

use super::ads::{boolean, int, string, AdExt, AdStore};
use super::effects::Action;
use super::events;
use super::policy;
use super::schedd::{Config, Edits, Schedd};

/// How a job's user log last spoke of it.
#[derive(Debug, Clone, PartialEq)]
pub enum LastEvent {
    Nothing,
    Submitted,
    Executing,
    Terminated { code: Option<i32>, signal: Option<i32> },
    Held { reason: String, code: i64, subcode: i64 },
    Released,
    Aborted,
    Evicted,
    Other,
}

impl LastEvent {
    /// The state after `ev`, given the state before it. Image size and job
    /// ad information events do not change what the log says.
    pub fn fold(self, ev: &EventBody) -> LastEvent {
        match ev {
            EventBody::Submit { .. } => LastEvent::Submitted,
            EventBody::Execute { .. } => LastEvent::Executing,
            EventBody::ImageSize { .. } | EventBody::JobAdInformation { .. } => self,
            EventBody::Terminated { normal, return_value, signal, .. } => LastEvent::Terminated {
                code: normal.then_some(*return_value),
                signal: (!normal).then_some(*signal),
            },
            EventBody::Held { reason, code, subcode } => LastEvent::Held {
                reason: reason.clone().unwrap_or_default(),
                code: *code as i64,
                subcode: *subcode as i64,
            },
            EventBody::Released { .. } => LastEvent::Released,
            EventBody::Aborted { .. } => LastEvent::Aborted,
            EventBody::Evicted { .. } => LastEvent::Evicted,
            _ => LastEvent::Other,
        }
    }
}

/// What the service must find out before the core can finish recovering.
#[derive(Debug, Default)]
pub struct Recovery {
    /// Jobs whose user log decides their fate, and where the log is.
    pub check_logs: Vec<(JobId, Arc<Path>)>,
    /// Jobs in the queue.
    pub jobs: usize,
}

impl Schedd {
    /// Rebuild the core from every job in the queue (ads chained to their
    /// cluster ads). Finish with [`Schedd::on_recovered`] once the logs in
    /// [`Recovery::check_logs`] have been read.
    pub fn recover(cfg: Config, now: i64, jobs: impl IntoIterator<Item = (JobId, Arc<ClassAd>)>) -> (Schedd, Recovery) {
        let mut s = Schedd::new(cfg, now);
        let mut rec = Recovery::default();
        for (id, ad) in jobs {
            rec.jobs += 1;
            let owner_name = ad.string("Owner").unwrap_or_default();
            let owner = s.owners.intern(&owner_name);
            if !s.jobs.clusters.contains_key(&id.cluster) {
                let cluster_ad = ad.chained().cloned().unwrap_or_else(|| ad.clone());
                s.new_cluster_entry(id.cluster, owner, &cluster_ad);
                if cluster_ad.get(super::factory::DIGEST_ATTR).is_some() {
                    s.recovered_factories.push((id.cluster, cluster_ad.clone()));
                }
            }
            let status = ad.int("JobStatus").and_then(JobStatus::from_code).unwrap_or(JobStatus::Idle);
            let prio = ad.int("JobPrio").unwrap_or(0).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            s.new_job(id, status, owner, prio);
            let was_running = ad.int("LastJobStatus") == Some(JobStatus::Running.code());
            let pending = match status {
                JobStatus::Idle => {
                    s.make_idle(id, &ad);
                    false
                }
                JobStatus::Running | JobStatus::TransferringOutput | JobStatus::Suspended => true,
                JobStatus::Held => was_running,
                JobStatus::Removed => true,
                JobStatus::Completed => !policy::leave_in_queue(&ad),
            };
            if matches!(status, JobStatus::Running | JobStatus::TransferringOutput | JobStatus::Suspended)
                || (was_running && matches!(status, JobStatus::Held | JobStatus::Removed))
            {
                // Stop whatever still runs under the old claim.
                if let (Some(claim_id), Some(addr)) = (ad.string("ClaimId"), ad.string("StartdIpAddr")) {
                    if let Ok(startd) = addr.parse::<Address>() {
                        s.out.actions.push(Action::Release { startd: Arc::new(startd), req: ReleaseClaim { claim_id } });
                    }
                }
            }
            if pending {
                s.recovering.push(id);
                if let Some(p) = s.log_path(Some(&ad), id) {
                    rec.check_logs.push((id, p));
                }
            }
        }
        (s, rec)
    }

    /// Decide on the jobs left mid-way, knowing their logs' last events.
    pub fn on_recovered(&mut self, store: &dyn AdStore, last: &HashMap<JobId, LastEvent>, now: i64) {
        self.resume_factories(now);
        let pending = std::mem::take(&mut self.recovering);
        for id in pending {
            let Some(job) = self.jobs.get(id) else { continue };
            let status = job.status;
            let l = last.get(&id).cloned().unwrap_or(LastEvent::Nothing);
            let base = self.ad(store, id);
            let path = self.log_path(base.as_deref(), id);
            let mut ed = Edits::new(id, base);
            let restarted = "The schedd restarted while the job was running";
            let evicted = |ed: &Edits| {
                let u = events::RunUsage::default();
                events::evicted(id, now, 0, Some(restarted.to_string()), None, &u, events::usage_table(ed.ad(), None, &u))
            };
            match status {
                JobStatus::Running | JobStatus::TransferringOutput | JobStatus::Suspended => {
                    if let Some(e) = ed.ad().get("RemoteHost").cloned() {
                        ed.set("LastRemoteHost", e);
                    }
                    ed.delete("RemoteHost");
                    ed.delete("ClaimId");
                    ed.set("CurrentHosts", int(0));
                    match l {
                        LastEvent::Terminated { code, signal } => {
                            match (code, signal) {
                                (Some(c), _) => {
                                    ed.set("ExitBySignal", boolean(false));
                                    ed.set("ExitCode", int(c as i64));
                                }
                                (None, Some(sg)) => {
                                    ed.set("ExitBySignal", boolean(true));
                                    ed.set("ExitSignal", int(sg as i64));
                                }
                                _ => {}
                            }
                            ed.bump("NumJobCompletions");
                            ed.set("CompletionDate", int(now));
                            self.set_status(&mut ed, JobStatus::Completed, now);
                            let leave = policy::leave_in_queue(ed.ad());
                            self.finish(ed, leave, now);
                        }
                        LastEvent::Held { reason, code, subcode } => {
                            ed.set("HoldReason", string(&reason));
                            ed.set("HoldReasonCode", int(code));
                            ed.set("HoldReasonSubCode", int(subcode));
                            self.set_status(&mut ed, JobStatus::Held, now);
                            ed.commit(&mut self.out.changes);
                        }
                        LastEvent::Aborted => {
                            self.set_status(&mut ed, JobStatus::Removed, now);
                            let leave = policy::leave_in_queue(ed.ad());
                            self.finish(ed, leave, now);
                        }
                        LastEvent::Executing => {
                            self.log_before(&path, evicted(&ed));
                            self.requeue_recovered(ed, now);
                        }
                        _ => self.requeue_recovered(ed, now),
                    }
                }
                JobStatus::Held => {
                    if l == LastEvent::Executing {
                        self.log_before(&path, evicted(&ed));
                        let reason = ed.ad().string("HoldReason").unwrap_or_default();
                        let code = ed.int("HoldReasonCode").unwrap_or(0);
                        let sub = ed.int("HoldReasonSubCode").unwrap_or(0);
                        self.log_before(&path, events::held(id, now, &reason, code, sub));
                    }
                }
                JobStatus::Removed => {
                    if l == LastEvent::Executing {
                        self.log_before(&path, evicted(&ed));
                    }
                    if l != LastEvent::Aborted {
                        let reason = ed.ad().string("RemoveReason").unwrap_or_else(|| "via condor_rm".to_string());
                        self.log_before(&path, events::aborted(id, now, &reason));
                    }
                    let leave = policy::leave_in_queue(ed.ad());
                    self.finish(ed, leave, now);
                }
                JobStatus::Completed => self.finish(ed, false, now),
                JobStatus::Idle => {}
            }
        }
        if self.acs.with_idle().next().is_some() {
            self.out.actions.push(Action::Reschedule);
        }
    }

    fn requeue_recovered(&mut self, mut ed: Edits, now: i64) {
        let id = ed.id;
        self.set_status(&mut ed, JobStatus::Idle, now);
        let view = ed.ad().clone();
        ed.commit(&mut self.out.changes);
        self.make_idle(id, &view);
    }
}
