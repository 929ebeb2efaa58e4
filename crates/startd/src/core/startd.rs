//! The startd's decisions: claims on slots and the jobs queued on them.
//!
//! [`Startd`] reacts to the schedd's requests (`on_request_claim`,
//! `on_activate`, `on_signal`, `on_release`, `on_alive`, `on_exit_ack`),
//! to its starters (`on_starter_event`, `on_starter_gone`) and to time
//! (`on_timer`: claim leases), and returns [`Action`]s: start or feed a
//! starter, report to a schedd, re-advertise, save the claim list. The
//! claim protocol it implements is documented in `proto::startd`.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use classad::{ClassAd, Expr, Value};
use proto::address::Address;
use proto::startd::{
    Activate, ClaimGranted, ClaimsAliveAnswer, ExitAck, JobExit, JobStarted, LostClaim, RequestClaim, SignalJob, StarterCommand, StarterEvent, StarterJob,
};
use proto::{ApiError, JobId, WireAd};

use super::layout::{Resources, SlotSpec};
use super::slot::{self, Activity, JobInfo, Kind, MachineFacts, Slot, State};

/// What the startd is configured with.
#[derive(Debug, Clone)]
pub struct StartdConfig {
    pub facts: MachineFacts,
    pub slots: Vec<SlotSpec>,
    /// `ALIVE_INTERVAL × MAX_CLAIM_ALIVES_MISSED` unless a claim asks for another.
    pub lease_secs: u64,
    /// Jobs a claim accepts beyond the running one.
    pub queue_depth: u32,
    pub execute_dir: PathBuf,
    /// `MODIFY_REQUEST_EXPR_REQUEST{CPUS,MEMORY,DISK}` (may be empty).
    pub modify_cpus: String,
    pub modify_memory: String,
    pub modify_disk: String,
}

/// A message for a schedd.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Started(JobStarted),
    Exit(Box<JobExit>),
    Lost(LostClaim),
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start the starter process of a new claim.
    SpawnStarter { claim_id: String },
    /// Write a command to a claim's starter.
    Starter { claim_id: String, cmd: StarterCommand },
    /// Close a starter's input (it kills its job, if any, and exits).
    CloseStarter { claim_id: String },
    /// Send a report to the schedd at `schedd`.
    Report { schedd: Address, report: Report },
    /// The slot ads changed: advertise.
    AdsChanged,
    /// Only a claimed slot's activity changed (Idle ↔ Busy): nothing the
    /// negotiator matches on, so advertise soon rather than at once (a
    /// burst of short jobs would otherwise send an ad per job).
    ActivityChanged,
    /// A claim ended and gave its resources back (slot name): once the
    /// collector has the new ads, the negotiator may match them.
    SlotFreed(String),
    /// The set of claims changed: record it (for reporting losses after a restart).
    SaveClaims,
    /// Write a line to the StartLog.
    Log(String),
}

#[derive(Debug, Clone)]
struct Claim {
    id: String,
    slot: String,
    schedd: Address,
    lease_secs: u64,
    renewed: f64,
    /// Accepted jobs not yet reported exited, in order; the first may run.
    jobs: VecDeque<JobId>,
    /// Job attributes the slot ad shows once the job starts.
    info: HashMap<JobId, JobInfo>,
    running: Option<JobId>,
    /// Release once the queued jobs are done (an ack said `next` and `release`).
    release_when_done: bool,
    /// Release under way: waiting for the starter to report the jobs gone.
    releasing: bool,
    /// Report the claim lost once released (the startd, not the schedd, ended it).
    report_lost: Option<String>,
    /// The slot's ad as the claim's jobs see it (`_CONDOR_MACHINE_AD`),
    /// made once per claim.
    machine: WireAd,
}

/// The startd's slots and claims.
#[derive(Debug)]
pub struct Startd {
    cfg: StartdConfig,
    slots: Vec<Slot>,
    claims: HashMap<String, Claim>,
    shutting_down: bool,
}

fn refuse(code: &str, message: String) -> ApiError {
    ApiError::new(code, message)
}

fn unquoted(wire: &WireAd, attr: &str) -> Option<String> {
    wire.get(attr).and_then(proto::collector::unquote)
}

impl Startd {
    /// Jobs accepted on claims and not yet reported exited (running or
    /// queued): while there are any, more reports are on their way.
    pub fn jobs_in_progress(&self) -> usize {
        self.claims.values().map(|c| c.jobs.len()).sum()
    }

    pub fn new(cfg: StartdConfig, now: f64) -> Startd {
        let slots = cfg
            .slots
            .iter()
            .map(|s| {
                let kind = if s.partitionable { Kind::Partitionable } else { Kind::Static };
                Slot::new(s.id, s.type_id, kind, s.res, now)
            })
            .collect();
        Startd { cfg, slots, claims: HashMap::new(), shutting_down: false }
    }

    pub fn config(&self) -> &StartdConfig {
        &self.cfg
    }

    /// Set an attribute every slot ad carries (`MyAddress` once bound).
    pub fn set_common(&mut self, name: &str, expr: &str) {
        self.cfg.facts.common.set(name, expr);
    }

    fn host(&self) -> &str {
        &self.cfg.facts.host
    }

    fn slot_index(&self, name: &str) -> Option<usize> {
        let host = self.host().to_string();
        self.slots.iter().position(|s| s.name(&host).eq_ignore_ascii_case(name) || s.short_name().eq_ignore_ascii_case(name))
    }

    fn children_of(&self, id: u32) -> Vec<&Slot> {
        self.slots.iter().filter(|s| s.kind == Kind::Dynamic { parent: id }).collect()
    }

    fn ad_of(&self, idx: usize, now: f64, load: f64) -> WireAd {
        let s = &self.slots[idx];
        let children = if s.kind == Kind::Partitionable { self.children_of(s.id) } else { Vec::new() };
        slot::slot_ad(&self.cfg.facts, s, &children, now, load)
    }

    /// Every slot's ad, in slot order (`slot1`, `slot1_1`, …, `slot2`).
    pub fn slot_ads(&self, now: f64, load: f64) -> Vec<WireAd> {
        let mut order: Vec<usize> = (0..self.slots.len()).collect();
        order.sort_by_key(|&i| (self.slots[i].id, self.slots[i].sub));
        order.into_iter().map(|i| self.ad_of(i, now, load)).collect()
    }

    /// The claims to record: (claim id, schedd address).
    pub fn claim_records(&self) -> Vec<(String, Address)> {
        let mut v: Vec<(String, Address)> = self.claims.values().map(|c| (c.id.clone(), c.schedd.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    pub fn shutting_down(&self) -> bool {
        self.shutting_down
    }

    pub fn claim_count(&self) -> usize {
        self.claims.len()
    }

    /// The (dynamic) slot a claim holds.
    pub fn slot_of_claim(&self, claim_id: &str) -> Option<String> {
        self.claims.get(claim_id).map(|c| c.slot.clone())
    }

    /// Evaluate a job request (`RequestCpus`, …) the way the startd sizes a
    /// dynamic slot: the job's expression against the slot, then the
    /// `MODIFY_REQUEST_EXPR_*` rounding.
    fn request(job: &ClassAd, slot: &ClassAd, attr: &str, modify: &str, default: f64) -> Result<f64, String> {
        let raw = match job.get(attr) {
            Some(e) => e.eval(Some(job), Some(slot)),
            None => Value::Undefined,
        };
        let value = match raw {
            Value::Int(i) => i as f64,
            Value::Real(r) => r,
            Value::Undefined => default,
            Value::Bool(b) => {
                if b {
                    1.0
                } else {
                    0.0
                }
            }
            other => return Err(format!("{attr} evaluates to {} against the slot; it must be a number", other.type_name())),
        };
        if modify.trim().is_empty() {
            return Ok(value);
        }
        let Ok(expr) = Expr::parse(modify) else { return Ok(value) };
        let mut scratch = job.clone();
        scratch.insert_value(attr, if value.fract() == 0.0 { Value::Int(value as i64) } else { Value::Real(value) });
        Ok(match expr.eval(Some(&scratch), Some(slot)) {
            Value::Int(i) => i as f64,
            Value::Real(r) => r,
            _ => value,
        })
    }

    /// `/v1/claims`: claim (or carve) a slot for `req.job`. `claim_id` is
    /// a fresh secret made by the shell.
    pub fn on_request_claim(
        &mut self,
        req: &RequestClaim,
        claim_id: String,
        now: f64,
    ) -> Result<(ClaimGranted, Vec<Action>), ApiError> {
        if self.shutting_down {
            return Err(refuse("unavailable", "the startd is shutting down".into()));
        }
        let host = self.host().to_string();
        let idx = self.slot_index(&req.slot_name).ok_or_else(|| {
            let names: Vec<String> =
                self.slots.iter().filter(|s| !matches!(s.kind, Kind::Dynamic { .. })).map(|s| s.name(&host)).collect();
            refuse("not_found", format!("no slot named {} here; this startd has {}", req.slot_name, names.join(", ")))
        })?;
        let (job, bad) = slot::to_classad(&req.job);
        if !bad.is_empty() {
            return Err(refuse("bad_request", format!("the job ad has attributes that do not parse: {}", bad.join("; "))));
        }
        let slot_wire = self.ad_of(idx, now, 0.0);
        let (slot_ad, _) = slot::to_classad(&slot_wire);
        let name = self.slots[idx].name(&host);
        match slot_ad.get("Start").map(|e| e.eval(Some(&slot_ad), Some(&job))) {
            Some(Value::Bool(true)) | None => {}
            Some(v) => {
                return Err(refuse(
                    "bad_request",
                    format!("{name}'s START expression ({}) is {} for this job", self.cfg.facts.start, classad::unparse::unparse_value(&v)),
                ))
            }
        }
        if let Some(r) = job.get("Requirements") {
            let v = r.eval(Some(&job), Some(&slot_ad));
            if !matches!(v, Value::Bool(true)) {
                return Err(refuse(
                    "bad_request",
                    format!("the job's Requirements ({}) are {} against {name}", r.to_old_string(), classad::unparse::unparse_value(&v)),
                ));
            }
        }
        let slot = &self.slots[idx];
        let lease_secs = req.lease_secs.unwrap_or(self.cfg.lease_secs).max(1);
        let seq_public = claim_id.split('#').take(3).collect::<Vec<_>>().join("#");
        let claim_slot = match slot.kind {
            Kind::Dynamic { .. } => {
                return Err(refuse("unavailable", format!("{name} is a dynamic slot, already claimed")));
            }
            Kind::Static => {
                if slot.claim.is_some() || slot.state != State::Unclaimed {
                    return Err(refuse("unavailable", format!("{name} is {} already", slot.state.as_str())));
                }
                let s = &mut self.slots[idx];
                s.claim = Some(claim_id.clone());
                s.public_claim = Some(format!("{seq_public}#..."));
                s.remote_schedd = req.schedd_name.clone();
                s.set_state(State::Claimed, Activity::Idle, now);
                idx
            }
            Kind::Partitionable => {
                let cpus = Self::request(&job, &slot_ad, "RequestCpus", &self.cfg.modify_cpus, 1.0)
                    .map_err(|e| refuse("bad_request", e))?
                    .max(1.0)
                    .ceil();
                let memory = Self::request(&job, &slot_ad, "RequestMemory", &self.cfg.modify_memory, 1.0)
                    .map_err(|e| refuse("bad_request", e))?
                    .max(1.0)
                    .ceil() as i64;
                let disk = Self::request(&job, &slot_ad, "RequestDisk", &self.cfg.modify_disk, 1024.0)
                    .map_err(|e| refuse("bad_request", e))?
                    .max(1.0)
                    .ceil() as i64;
                let have = slot.res;
                let short = |what: &str, attr: &str, has: String, wants: String| {
                    refuse(
                        "unavailable",
                        format!("{name} has {has} {what} left; the job requests {wants} ({attr}); try again when a job on it ends"),
                    )
                };
                if cpus > have.cpus {
                    return Err(short("Cpus", "RequestCpus", num(have.cpus), num(cpus)));
                }
                if memory > have.memory_mb {
                    return Err(short("MB of Memory", "RequestMemory", have.memory_mb.to_string(), memory.to_string()));
                }
                if disk > have.disk_kb {
                    return Err(short("KB of Disk", "RequestDisk", have.disk_kb.to_string(), disk.to_string()));
                }
                let parent = &mut self.slots[idx];
                parent.res.cpus -= cpus;
                parent.res.memory_mb -= memory;
                parent.res.disk_kb -= disk;
                let sub = parent.next_sub;
                parent.next_sub += 1;
                let (id, type_id) = (parent.id, parent.type_id);
                let res = Resources { cpus, memory_mb: memory, disk_kb: disk };
                let mut d = Slot::new(id, type_id, Kind::Dynamic { parent: id }, res, now);
                d.sub = sub;
                d.claim = Some(claim_id.clone());
                d.public_claim = Some(format!("{seq_public}#..."));
                d.remote_schedd = req.schedd_name.clone();
                d.set_state(State::Claimed, Activity::Idle, now);
                self.slots.push(d);
                self.slots.len() - 1
            }
        };
        let slot_name = self.slots[claim_slot].name(&host);
        let machine = self.ad_of(claim_slot, now, 0.0);
        self.claims.insert(
            claim_id.clone(),
            Claim {
                id: claim_id.clone(),
                slot: slot_name.clone(),
                schedd: req.schedd.clone(),
                lease_secs,
                renewed: now,
                jobs: VecDeque::new(),
                info: HashMap::new(),
                running: None,
                release_when_done: false,
                releasing: false,
                report_lost: None,
                machine: machine.clone(),
            },
        );
        let granted = ClaimGranted {
            claim_id: claim_id.clone(),
            slot: machine,
            queue_depth: self.cfg.queue_depth,
            lease_secs,
        };
        let actions = vec![
            Action::Log(format!("{slot_name} claimed by {} ({})", req.schedd_name.as_deref().unwrap_or("a schedd"), req.schedd)),
            Action::SpawnStarter { claim_id },
            Action::AdsChanged,
            Action::SaveClaims,
        ];
        Ok((granted, actions))
    }

    /// `/v1/claims/activate`: queue a job on a claim.
    pub fn on_activate(&mut self, act: Activate, now: f64) -> Result<Vec<Action>, ApiError> {
        let depth = self.cfg.queue_depth as usize;
        let execute_dir = self.cfg.execute_dir.clone();
        let claim = self.claims.get_mut(&act.claim_id).ok_or_else(|| {
            refuse("not_found", "no such claim (it was released, its lease ran out, or the startd restarted)".into())
        })?;
        if claim.releasing || claim.release_when_done {
            return Err(refuse("not_found", format!("the claim on {} is being released", claim.slot)));
        }
        claim.renewed = now;
        if claim.jobs.len() > depth {
            return Err(refuse(
                "unavailable",
                format!("the claim on {} already has {} jobs queued (queue depth {depth}); send the next job when one ends", claim.slot, claim.jobs.len() - 1),
            ));
        }
        if claim.jobs.contains(&act.job_id) {
            return Err(refuse("bad_request", format!("job {} is already on this claim", act.job_id)));
        }
        let info = JobInfo {
            job_id: act.job_id.to_string(),
            global_job_id: unquoted(&act.job, "GlobalJobId"),
            user: unquoted(&act.job, "User"),
            owner: unquoted(&act.job, "Owner"),
            started: now,
        };
        claim.jobs.push_back(act.job_id);
        claim.info.insert(act.job_id, info);
        let claim_id = claim.id.clone();
        let slot_name = claim.slot.clone();
        let machine = claim.machine.clone();
        let mut out = Vec::new();
        if let Some(i) = self.slot_index(&slot_name) {
            let was = self.slots[i].state;
            if self.slots[i].set_state(State::Claimed, Activity::Busy, now) {
                out.push(if was == State::Claimed { Action::ActivityChanged } else { Action::AdsChanged });
            }
        }
        let short = slot_name.split('@').next().unwrap_or(&slot_name).to_string();
        out.push(Action::Starter {
            claim_id,
            cmd: StarterCommand::Run(Box::new(StarterJob {
                job_id: act.job_id,
                job: act.job,
                machine,
                slot: short,
                execute_dir,
            })),
        });
        Ok(out)
    }

    /// `/v1/claims/signal`.
    pub fn on_signal(&mut self, req: &SignalJob, now: f64) -> Result<Vec<Action>, ApiError> {
        let claim = self
            .claims
            .get_mut(&req.claim_id)
            .ok_or_else(|| refuse("not_found", "no such claim".into()))?;
        claim.renewed = now;
        if !claim.jobs.contains(&req.job_id) {
            return Err(refuse("not_found", format!("job {} is not on this claim", req.job_id)));
        }
        Ok(vec![Action::Starter {
            claim_id: claim.id.clone(),
            cmd: StarterCommand::Signal { job_id: req.job_id, signal: req.signal, vacate_secs: 0 },
        }])
    }

    /// `/v1/claims/release` (also used for lease expiry and shutdown).
    pub fn on_release(&mut self, claim_id: &str, now: f64) -> Result<Vec<Action>, ApiError> {
        let claim = self.claims.get_mut(claim_id).ok_or_else(|| refuse("not_found", "no such claim".into()))?;
        if claim.releasing {
            return Ok(Vec::new());
        }
        claim.releasing = true;
        let slot_name = claim.slot.clone();
        if claim.jobs.is_empty() {
            let mut out = vec![Action::CloseStarter { claim_id: claim_id.to_string() }];
            out.extend(self.finish_claim(claim_id, now));
            return Ok(out);
        }
        let mut out = vec![Action::Starter { claim_id: claim_id.to_string(), cmd: StarterCommand::Shutdown }];
        if let Some(i) = self.slot_index(&slot_name) {
            if self.slots[i].set_state(State::Preempting, Activity::Vacating, now) {
                out.push(Action::AdsChanged);
            }
        }
        Ok(out)
    }

    /// The claim is over: free its slot, forget it.
    fn finish_claim(&mut self, claim_id: &str, now: f64) -> Vec<Action> {
        let Some(claim) = self.claims.remove(claim_id) else { return Vec::new() };
        let mut out = vec![
            Action::Log(format!("{} released", claim.slot)),
            Action::AdsChanged,
            Action::SlotFreed(claim.slot.clone()),
            Action::SaveClaims,
        ];
        if let Some(reason) = claim.report_lost {
            out.push(Action::Report {
                schedd: claim.schedd.clone(),
                report: Report::Lost(LostClaim { claim_id: claim.id.clone(), reason }),
            });
        }
        if let Some(i) = self.slot_index(&claim.slot) {
            let s = self.slots[i].clone();
            match s.kind {
                Kind::Dynamic { parent } => {
                    self.slots.remove(i);
                    if let Some(p) = self.slots.iter_mut().find(|p| p.id == parent && p.kind == Kind::Partitionable) {
                        p.res.cpus += s.res.cpus;
                        p.res.memory_mb += s.res.memory_mb;
                        p.res.disk_kb += s.res.disk_kb;
                    }
                }
                _ => {
                    let s = &mut self.slots[i];
                    s.claim = None;
                    s.public_claim = None;
                    s.remote_schedd = None;
                    s.job = None;
                    s.set_state(State::Unclaimed, Activity::Idle, now);
                }
            }
        }
        out
    }

    /// `/v1/claims/alive`: renew leases, name the unknown claims.
    pub fn on_alive(&mut self, ids: &[String], now: f64) -> ClaimsAliveAnswer {
        let mut unknown = Vec::new();
        for id in ids {
            match self.claims.get_mut(id) {
                Some(c) => c.renewed = now,
                None => unknown.push(id.clone()),
            }
        }
        ClaimsAliveAnswer { unknown }
    }

    /// The schedd at `schedd` answered a reported exit.
    pub fn on_exit_ack(&mut self, schedd: &Address, claim_id: &str, ack: ExitAck, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        if let Some(c) = self.claims.get_mut(claim_id) {
            c.renewed = now;
        }
        if let Some(next) = ack.next {
            let job_id = next.job_id;
            match self.on_activate(next, now) {
                Ok(a) => out.extend(a),
                Err(e) => {
                    // The schedd believes the job is on its way: tell it it is not.
                    out.push(Action::Log(format!("cannot run job {job_id} handed over with an exit: {}", e.message)));
                    let mut exit = JobExit::empty(claim_id, job_id);
                    exit.not_started = true;
                    exit.start_error = Some(e.message);
                    out.push(Action::Report { schedd: schedd.clone(), report: Report::Exit(Box::new(exit)) });
                }
            }
        }
        if ack.release {
            let idle = self.claims.get(claim_id).map(|c| c.jobs.is_empty());
            match idle {
                Some(true) => {
                    if let Ok(a) = self.on_release(claim_id, now) {
                        out.extend(a);
                    }
                }
                Some(false) => {
                    if let Some(c) = self.claims.get_mut(claim_id) {
                        c.release_when_done = true;
                    }
                }
                None => {}
            }
        }
        out
    }

    /// A line from a claim's starter.
    pub fn on_starter_event(&mut self, claim_id: &str, ev: StarterEvent, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        let Some(claim) = self.claims.get_mut(claim_id) else { return out };
        match ev {
            StarterEvent::Ready { pid, cgroups } => {
                out.push(Action::Log(format!(
                    "starter for {} is up (pid {pid}{})",
                    claim.slot,
                    if cgroups { ", jobs get cgroups" } else { "" }
                )));
            }
            StarterEvent::Started { job_id, time, .. } => {
                claim.running = Some(job_id);
                let schedd = claim.schedd.clone();
                let slot_name = claim.slot.clone();
                let info = claim.info.get(&job_id).cloned();
                out.push(Action::Report {
                    schedd,
                    report: Report::Started(JobStarted { claim_id: claim_id.to_string(), job_id, time }),
                });
                if let Some(i) = self.slot_index(&slot_name) {
                    if let Kind::Dynamic { parent } = self.slots[i].kind {
                        if let Some(p) = self.slots.iter_mut().find(|p| p.id == parent && p.kind == Kind::Partitionable) {
                            p.note_start(time);
                        }
                    }
                    let s = &mut self.slots[i];
                    s.note_start(time);
                    s.job = info.map(|mut j| {
                        j.started = time;
                        j
                    });
                    s.set_state(State::Claimed, Activity::Busy, now);
                }
            }
            StarterEvent::Exited(mut exit) => {
                exit.claim_id = claim_id.to_string();
                let job_id = exit.job_id;
                claim.jobs.retain(|j| *j != job_id);
                claim.info.remove(&job_id);
                if claim.running == Some(job_id) {
                    claim.running = None;
                }
                let schedd = claim.schedd.clone();
                let slot_name = claim.slot.clone();
                let empty = claim.jobs.is_empty();
                let releasing = claim.releasing;
                let release_when_done = claim.release_when_done;
                out.push(Action::Report { schedd, report: Report::Exit(exit) });
                if empty {
                    if releasing {
                        out.push(Action::CloseStarter { claim_id: claim_id.to_string() });
                        out.extend(self.finish_claim(claim_id, now));
                    } else if release_when_done {
                        if let Ok(a) = self.on_release(claim_id, now) {
                            out.extend(a);
                        }
                    } else if let Some(i) = self.slot_index(&slot_name) {
                        let s = &mut self.slots[i];
                        s.job = None;
                        let was = s.state;
                        if s.set_state(State::Claimed, Activity::Idle, now) {
                            out.push(if was == State::Claimed { Action::ActivityChanged } else { Action::AdsChanged });
                        }
                    }
                }
            }
        }
        out
    }

    /// A claim's starter process ended (or could not be started).
    pub fn on_starter_gone(&mut self, claim_id: &str, how: &str, now: f64) -> Vec<Action> {
        let Some(claim) = self.claims.get_mut(claim_id) else { return Vec::new() };
        let mut out = vec![Action::Log(format!("the starter of {} {how}", claim.slot))];
        if claim.report_lost.is_none() {
            claim.report_lost = Some(format!("the starter of {} {how}", claim.slot));
        }
        out.extend(self.finish_claim(claim_id, now));
        out
    }

    /// Release claims whose lease ran out.
    pub fn on_timer(&mut self, now: f64) -> Vec<Action> {
        let expired: Vec<String> = self
            .claims
            .values()
            .filter(|c| !c.releasing && c.renewed + c.lease_secs as f64 <= now)
            .map(|c| c.id.clone())
            .collect();
        let mut out = Vec::new();
        for id in expired {
            if let Some(c) = self.claims.get_mut(&id) {
                out.push(Action::Log(format!("the lease of the claim on {} ran out; releasing it", c.slot)));
                c.report_lost = Some(format!("its lease ran out ({} s without word from the schedd)", c.lease_secs));
            }
            if let Ok(a) = self.on_release(&id, now) {
                out.extend(a);
            }
        }
        out
    }

    /// When [`Startd::on_timer`] next has something to do.
    pub fn next_deadline(&self) -> Option<f64> {
        self.claims.values().filter(|c| !c.releasing).map(|c| c.renewed + c.lease_secs as f64).reduce(f64::min)
    }

    /// Stop: release every claim, reporting each as lost.
    pub fn on_shutdown(&mut self, now: f64) -> Vec<Action> {
        self.shutting_down = true;
        let ids: Vec<String> = self.claims.keys().cloned().collect();
        let mut out = Vec::new();
        for id in ids {
            if let Some(c) = self.claims.get_mut(&id) {
                c.report_lost = Some("the startd is shutting down".into());
            }
            if let Ok(a) = self.on_release(&id, now) {
                out.extend(a);
            }
        }
        out
    }
}

fn num(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
