//! The core driven through whole job lives, without sockets or processes:
//! an in-memory store applies the changes the core asks for, exactly as the
//! durable queue would, and the effects are checked the way a user would
//! see them (statuses, history, log events, answers to the startd).

use std::collections::HashMap;
use std::sync::Arc;

use classad::{ClassAd, Expr};
use eventlog::EventBody;
use proto::address::Address;
use proto::schedd::{ActOutcome, ActRequest, EditRequest, JobAction, JobSelector};
use proto::startd::{ClaimEvents, ExitAck, JobExit, JobStarted};
use proto::job::JobSpec;
use proto::{JobId, JobStatus};

use super::ads::AdExt;
use super::*;

/// A store that applies changes like the durable queue: procs chained to
/// their cluster ad, the cluster gone with its last proc.
#[derive(Default)]
struct MemStore {
    clusters: HashMap<i64, Arc<ClassAd>>,
    procs: HashMap<JobId, Arc<ClassAd>>,
}

impl AdStore for MemStore {
    fn job(&self, id: JobId) -> Option<Arc<ClassAd>> {
        self.procs.get(&id).cloned()
    }
}

impl MemStore {
    fn apply(&mut self, changes: Vec<Change>) {
        for c in changes {
            match c {
                Change::NewCluster { cluster, ad } => {
                    self.clusters.insert(cluster, Arc::new(ad));
                }
                Change::NewProc { id, mut ad } => {
                    ad.chain_to(self.clusters[&id.cluster].clone());
                    self.procs.insert(id, Arc::new(ad));
                }
                Change::Set { id, attr, expr } => {
                    let mut ad = (*self.procs[&id]).clone();
                    ad.insert(&attr, expr);
                    self.procs.insert(id, Arc::new(ad));
                }
                Change::Delete { id, attr } => {
                    let mut ad = (*self.procs[&id]).clone();
                    ad.remove(&attr);
                    self.procs.insert(id, Arc::new(ad));
                }
                Change::SetCluster { cluster, attr, expr } => {
                    let mut ad = (*self.clusters[&cluster]).clone();
                    ad.insert(&attr, expr);
                    let ad = Arc::new(ad);
                    self.clusters.insert(cluster, ad.clone());
                    // Like the queue's index: the procs now read the new cluster ad.
                    for (id, p) in self.procs.iter_mut() {
                        if id.cluster == cluster {
                            let mut own = (**p).clone();
                            own.chain_to(ad.clone());
                            *p = Arc::new(own);
                        }
                    }
                }
                Change::Remove { id } => {
                    self.procs.remove(&id);
                    if !self.procs.keys().any(|k| k.cluster == id.cluster) {
                        self.clusters.remove(&id.cluster);
                    }
                }
            }
        }
    }
}

/// The core, its store, and everything it wrote.
struct Sim {
    core: Schedd,
    store: MemStore,
    now: i64,
    log: Vec<LogEntry>,
    history: Vec<HistoryEntry>,
    token: Token,
}

fn cfg() -> Config {
    Config::new("alice@host", Address::Unix("/pool/lock/schedd.sock".into()))
}

fn startd() -> Address {
    Address::Unix("/pool/lock/startd.sock".into())
}

impl Sim {
    fn new() -> Sim {
        Sim { core: Schedd::new(cfg(), 1000), store: MemStore::default(), now: 1000, log: vec![], history: vec![], token: 0 }
    }

    /// Carry out the effects as the service does; return the actions.
    fn flush(&mut self) -> Vec<Action> {
        let fx = self.core.take_effects();
        self.store.apply(fx.pre_changes);
        self.log.extend(fx.log_before);
        self.history.extend(fx.history);
        self.store.apply(fx.changes);
        self.log.extend(fx.log_after);
        fx.actions
    }

    fn tok(&mut self) -> Token {
        self.token += 1;
        1_000_000 + self.token
    }

    fn submit_as(&mut self, user: &str, cluster_ad: &str, procs: usize) -> Result<i64, proto::ApiError> {
        let cluster = 1 + self.store.clusters.keys().max().copied().unwrap_or(0) + self.token as i64;
        self.core.on_cluster_reserved(cluster, &Who::user(user));
        let ad = ClassAd::parse_old(cluster_ad).unwrap();
        let procs = (0..procs).map(|p| ClassAd::parse_old(&format!("ProcId = {p}")).unwrap()).collect();
        let t = self.tok();
        self.core.on_submit(&Who::user(user), SubmitJobs { cluster, cluster_ad: ad, procs, factory: None }, self.now, t);
        let actions = self.flush();
        match reply(&actions, t) {
            Reply::Submit(r) => r.map(|r| r.cluster),
            other => panic!("{other:?}"),
        }
    }

    fn submit(&mut self, cluster_ad: &str, procs: usize) -> i64 {
        self.submit_as("alice", cluster_ad, procs).expect("submit accepted")
    }

    /// Let the negotiator match the first idle group to a slot for `count`
    /// jobs; grant every claim requested (each taking `depth` queued jobs
    /// beyond the running one); return the activations sent.
    fn negotiate_depth(&mut self, count: usize, depth: u32) -> Vec<proto::startd::Activate> {
        let groups = self.core.idle_groups(&self.store);
        let g = groups.first().expect("an idle group").clone();
        let t = self.tok();
        let offer = MatchOffer { group: g.id, slot_name: "slot1@host".into(), startd: startd(), slot_ad: None, count };
        self.core.on_matches(&self.store, vec![offer], self.now, t);
        let actions = self.flush();
        let mut activations = vec![];
        let mut n = 0;
        for a in actions {
            if let Action::RequestClaim { token, req, .. } = a {
                n += 1;
                let slot = ClassAd::parse_old(&format!(
                    "Name = \"slot1_{n}@host\"\nCpus = 1\nMemory = 1024\nDisk = 10000\nRequirements = true"
                ))
                .unwrap();
                assert!(req.job.get("Cmd").is_some(), "the claim request carries the job ad");
                let g = Granted { claim_id: format!("claim{n}"), slot, queue_depth: depth, lease_secs: 1800 };
                self.core.on_claim_result(&self.store, token, Ok(g), self.now);
                for a in self.flush() {
                    if let Action::Activate { req, .. } = a {
                        activations.push(req);
                    }
                }
            }
        }
        activations
    }

    /// Match, claim and start `count` jobs (one per claim, `claim1`…).
    fn negotiate(&mut self, count: usize) -> Vec<proto::startd::Activate> {
        let acts = self.negotiate_depth(count, 0);
        for a in &acts {
            self.start(&a.claim_id, a.job_id);
        }
        acts
    }

    fn events(&mut self, ev: ClaimEvents) -> Vec<ExitAck> {
        let t = self.tok();
        let ups = vec![vec![]; ev.exits.len()];
        self.core.on_claim_events(&self.store, &ev, &ups, self.now, t);
        let actions = self.flush();
        match reply(&actions, t) {
            Reply::Events(Ok(acks)) => acks,
            other => panic!("{other:?}"),
        }
    }

    fn start(&mut self, claim: &str, job: JobId) {
        let started = vec![JobStarted { claim_id: claim.into(), job_id: job, time: self.now as f64 }];
        self.events(ClaimEvents { startd: "host".into(), started, ..Default::default() });
    }

    fn exit(&mut self, claim: &str, job: JobId, code: Option<i32>) -> ExitAck {
        let mut e = JobExit::empty(claim, job);
        e.exit_code = code;
        e.exit_signal = if code.is_none() { Some(15) } else { None };
        e.wall_secs = 2.0;
        e.max_rss_kb = 5000;
        self.exit_with(e)
    }

    fn exit_with(&mut self, e: JobExit) -> ExitAck {
        let mut acks = self.events(ClaimEvents { startd: "host".into(), exits: vec![e], ..Default::default() });
        acks.remove(0)
    }

    /// The next job came with an ack: the startd starts it.
    fn run_next(&mut self, ack: &ExitAck) -> Option<JobId> {
        let next = ack.next.as_ref()?;
        self.start(&next.claim_id, next.job_id);
        Some(next.job_id)
    }

    fn act(&mut self, user: &str, action: JobAction, select: JobSelector) -> (proto::schedd::ActResponse, Vec<Action>) {
        let t = self.tok();
        let req = ActRequest { action, select, reason: None, reason_code: None };
        self.core.on_act(&self.store, &Who::user(user), &req, None, self.now, t);
        let actions = self.flush();
        match reply(&actions, t) {
            Reply::Act(Ok(r)) => (r.clone(), actions),
            other => panic!("{other:?}"),
        }
    }

    fn attr(&self, id: JobId, name: &str) -> Option<String> {
        self.store.job(id).and_then(|ad| ad.get(name).map(|e| e.to_old_string()))
    }

    fn events_of(&self, id: JobId) -> Vec<u32> {
        self.log
            .iter()
            .filter(|e| e.event.id.cluster == id.cluster && e.event.id.proc == id.proc)
            .map(|e| e.event.body.number())
            .collect()
    }
}

fn reply(actions: &[Action], t: Token) -> Reply {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Reply { token, reply } if *token == t => Some(reply.clone()),
            _ => None,
        })
        .expect("a reply")
}

const ECHO: &str = "Cmd = \"/bin/echo\"\nRequestCpus = 1\nRequestMemory = 100\nRequirements = TARGET.Memory >= RequestMemory\nUserLog = \"/home/alice/job.log\"";

fn jid(c: i64, p: i64) -> JobId {
    JobId { cluster: c, proc: p }
}

#[test]
fn submit_match_claim_run_complete_and_leave_for_history() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    assert_eq!(s.attr(jid(c, 0), "JobStatus").as_deref(), Some("1"));
    assert_eq!(s.attr(jid(c, 0), "Owner").as_deref(), Some("\"alice\""));
    assert_eq!(s.attr(jid(c, 0), "User").as_deref(), Some("\"alice@localdomain\""));
    let groups = s.core.idle_groups(&s.store);
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].count, groups[0].submitter.as_str()), (1, "alice@localdomain"));

    let acts = s.negotiate(1);
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].job_id, jid(c, 0));
    assert_eq!(acts[0].job.get("Cmd"), Some("\"/bin/echo\""), "the activation carries the whole job ad");
    assert_eq!(s.attr(jid(c, 0), "JobStatus").as_deref(), Some("2"), "running once the startd said it started");
    assert_eq!(s.attr(jid(c, 0), "RemoteHost").as_deref(), Some("\"slot1_1@host\""));
    assert_eq!(s.attr(jid(c, 0), "NumJobStarts").as_deref(), Some("1"));

    s.now += 2;
    let ack = s.exit("claim1", jid(c, 0), Some(0));
    assert!(ack.release && ack.next.is_none(), "no more work: the claim is released");
    assert!(s.store.job(jid(c, 0)).is_none(), "the completed job left the queue");
    let h = &s.history[0];
    assert_eq!(h.id, jid(c, 0));
    assert_eq!(h.ad.int("JobStatus"), Some(4));
    assert_eq!(h.ad.int("ExitCode"), Some(0));
    assert_eq!(h.ad.boolean("ExitBySignal"), Some(false));
    assert_eq!(h.ad.int("CompletionDate"), Some(1002));
    assert_eq!(h.ad.real("RemoteWallClockTime"), Some(2.0));
    assert_eq!(h.ad.string("LastRemoteHost").as_deref(), Some("slot1_1@host"));
    assert!(h.ad.get("RemoteHost").is_none());
    assert!(h.ad.chained().is_none(), "history ads are flat");
    assert_eq!(h.ad.string("GlobalJobId"), Some(format!("alice@host#{c}.0#1000")));
    assert_eq!(s.events_of(jid(c, 0)), [0, 1, 6, 5]);
    assert_eq!(s.core.totals().jobs, 0);
    assert_eq!(s.core.num_claims(), 0);
    // The negotiator is told (with the next reschedule) that the match is over.
    assert_eq!(s.core.take_failed_matches(), ["slot1@host"]);
    assert!(s.core.take_failed_matches().is_empty());
}

#[test]
fn a_claim_runs_the_next_job_of_the_same_shape_without_negotiating() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 3);
    let acts = s.negotiate(1);
    assert_eq!(acts.len(), 1);
    let mut running = acts[0].job_id;
    let mut ran = vec![running];
    for _ in 0..2 {
        let ack = s.exit("claim1", running, Some(0));
        assert!(!ack.release);
        assert_eq!(ack.next.as_ref().map(|n| n.claim_id.as_str()), Some("claim1"));
        running = s.run_next(&ack).expect("the next job comes with the answer");
        ran.push(running);
        assert_eq!(s.core.status(running), Some(JobStatus::Running));
    }
    let ack = s.exit("claim1", running, Some(0));
    assert!(ack.release);
    assert_eq!(ran, [jid(c, 0), jid(c, 1), jid(c, 2)]);
    assert_eq!(s.history.len(), 3);
    assert!(s.core.idle_groups(&s.store).is_empty());
}

#[test]
fn a_claim_keeps_a_queued_job_so_the_next_one_starts_at_once() {
    let mut s = Sim::new();
    s.core.cfg.unproven_queue = 1;
    let c = s.submit(ECHO, 4);
    // A claim that queues one job beyond the running one gets two at once.
    let acts = s.negotiate_depth(1, 1);
    assert_eq!(acts.iter().map(|a| a.job_id).collect::<Vec<_>>(), [jid(c, 0), jid(c, 1)]);
    s.start("claim1", jid(c, 0));
    assert_eq!(s.core.status(jid(c, 1)), Some(JobStatus::Idle), "queued, not running yet");
    // Job 0 ends and job 1 starts in the same report; the ack refills the queue.
    let mut e = JobExit::empty("claim1", jid(c, 0));
    e.exit_code = Some(0);
    let started = vec![JobStarted { claim_id: "claim1".into(), job_id: jid(c, 1), time: s.now as f64 }];
    let acks = s.events(ClaimEvents { startd: "host".into(), started, exits: vec![e], lost: vec![] });
    assert_eq!(acks[0].next.as_ref().map(|n| n.job_id), Some(jid(c, 2)));
    assert_eq!(s.core.status(jid(c, 1)), Some(JobStatus::Running));
    // The log of job 1 says it executed; job 0's says it terminated.
    assert_eq!(s.events_of(jid(c, 0)), [0, 1, 5]);
    assert_eq!(s.events_of(jid(c, 1)), [0, 1]);
    // Job 1 ends: the queue gets the last job; then nothing is left to add.
    let ack = s.exit("claim1", jid(c, 1), Some(0));
    assert_eq!(ack.next.as_ref().map(|n| n.job_id), Some(jid(c, 3)));
    s.start("claim1", jid(c, 2));
    let ack = s.exit("claim1", jid(c, 2), Some(0));
    assert!(ack.next.is_none() && !ack.release, "job 3 is still queued on the claim");
    s.start("claim1", jid(c, 3));
    let ack = s.exit("claim1", jid(c, 3), Some(0));
    assert!(ack.release);
    assert_eq!(s.history.len(), 4);
}

#[test]
fn a_start_is_committed_with_the_batch_unless_the_run_also_ended_in_it() {
    let mut s = Sim::new();
    s.core.cfg.unproven_queue = 1;
    let c = s.submit(ECHO, 2);
    s.negotiate_depth(1, 1);
    // Only a start: one commit; the executing event after it.
    let started = vec![JobStarted { claim_id: "claim1".into(), job_id: jid(c, 0), time: s.now as f64 }];
    s.core.on_claim_events(&s.store, &ClaimEvents { startd: "h".into(), started, ..Default::default() }, &[], s.now, 7);
    let fx = s.core.take_effects();
    assert!(fx.pre_changes.is_empty());
    assert!(fx.changes.iter().any(|c| matches!(c, Change::Set { attr, .. } if attr == "JobStatus")));
    assert_eq!(fx.log_after.iter().map(|e| e.event.body.number()).collect::<Vec<_>>(), [1]);
    s.store.apply(fx.changes);
    // Job 1 starts and ends in one report: committed Running first, its
    // executing event before its terminated one, both before the commit.
    let mut e = JobExit::empty("claim1", jid(c, 1));
    e.exit_code = Some(0);
    let mut e0 = JobExit::empty("claim1", jid(c, 0));
    e0.exit_code = Some(0);
    let started = vec![JobStarted { claim_id: "claim1".into(), job_id: jid(c, 1), time: s.now as f64 }];
    let ev = ClaimEvents { startd: "h".into(), started, exits: vec![e0, e], lost: vec![] };
    s.core.on_claim_events(&s.store, &ev, &[vec![], vec![]], s.now, 8);
    let fx = s.core.take_effects();
    assert!(fx.pre_changes.iter().all(|ch| matches!(ch, Change::Set { id, .. } if *id == jid(c, 1))));
    assert!(!fx.pre_changes.is_empty());
    let order: Vec<(i64, u32)> = fx.log_before.iter().map(|e| (e.event.id.proc, e.event.body.number())).collect();
    let p1: Vec<u32> = order.iter().filter(|(p, _)| *p == 1).map(|(_, n)| *n).collect();
    assert_eq!(p1, [1, 5]);
    // The history ad of job 1 knows where it ran, though it started in the same batch.
    assert!(fx.history.iter().any(|h| h.id == jid(c, 1) && h.ad.string("LastRemoteHost").as_deref() == Some("slot1_1@host")));
}

#[test]
fn removing_a_queued_job_drops_it_from_the_claim_without_an_eviction() {
    let mut s = Sim::new();
    s.core.cfg.unproven_queue = 1;
    let c = s.submit(ECHO, 2);
    s.negotiate_depth(1, 1);
    s.start("claim1", jid(c, 0));
    let (_, actions) = s.act("alice", JobAction::Remove, JobSelector { ids: vec![JobSpec::Job(jid(c, 1))], ..Default::default() });
    assert!(actions.iter().any(|a| matches!(a, Action::Signal { req, .. } if req.job_id == jid(c, 1))));
    let mut e = JobExit::empty("claim1", jid(c, 1));
    e.not_started = true;
    let ack = s.exit_with(e);
    assert!(!ack.release, "job 0 still runs on the claim");
    assert_eq!(s.events_of(jid(c, 1)), [0, 9]);
    assert_eq!(s.history.len(), 1);
}

#[test]
fn an_idle_claim_lingers_and_takes_the_next_submit_without_negotiation() {
    let mut s = Sim::new();
    s.core.cfg.claim_linger = 2;
    let c = s.submit(ECHO, 1);
    s.negotiate(1);
    let ack = s.exit("claim1", jid(c, 0), Some(0));
    assert_eq!(ack, ExitAck::default(), "the claim is kept, not released");
    assert_eq!(s.core.num_claims(), 1);
    // A job of the same shape submitted now goes straight to that claim.
    let cluster = 50;
    s.core.on_cluster_reserved(cluster, &Who::user("alice"));
    let t = s.tok();
    let sub = SubmitJobs { cluster, cluster_ad: ClassAd::parse_old(ECHO).unwrap(), procs: vec![ClassAd::parse_old("ProcId = 0").unwrap()], factory: None };
    s.core.on_submit(&Who::user("alice"), sub, s.now, t);
    let acts = s.flush();
    let activated: Vec<_> = acts.iter().filter_map(|a| match a { Action::Activate { req, .. } => Some((req.claim_id.clone(), req.job_id)), _ => None }).collect();
    assert_eq!(activated, [("claim1".to_string(), jid(cluster, 0))]);
    assert!(!acts.contains(&Action::Reschedule), "no negotiation needed");
    s.start("claim1", jid(cluster, 0));
    s.exit("claim1", jid(cluster, 0), Some(0));
    // Nothing more comes: the claim is released once it has lingered.
    s.now += 1;
    s.core.on_timer(&s.store, s.now);
    assert!(!s.flush().iter().any(|a| matches!(a, Action::Release { .. })));
    s.now += 1;
    assert!(s.core.next_deadline() <= s.now);
    s.core.on_timer(&s.store, s.now);
    assert!(s.flush().iter().any(|a| matches!(a, Action::Release { req, .. } if req.claim_id == "claim1")));
    assert_eq!(s.core.num_claims(), 0);
    assert_eq!(s.history.len(), 2);
}

#[test]
fn a_repeated_exit_report_gets_the_same_answer() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 2);
    s.negotiate(1);
    let first = s.exit("claim1", jid(c, 0), Some(0));
    let again = s.exit("claim1", jid(c, 0), Some(0));
    assert_eq!(first, again);
    assert_eq!(s.history.len(), 1, "the job completed once");
}

#[test]
fn on_exit_hold_holds_with_a_clear_reason_and_no_terminated_event() {
    let mut s = Sim::new();
    let c = s.submit(&format!("{ECHO}\nOnExitHold = ExitCode != 0"), 1);
    s.negotiate(1);
    s.exit("claim1", jid(c, 0), Some(1));
    let id = jid(c, 0);
    assert_eq!(s.attr(id, "JobStatus").as_deref(), Some("5"));
    assert_eq!(
        s.attr(id, "HoldReason").as_deref(),
        Some("\"The job attribute OnExitHold expression 'ExitCode != 0' evaluated to TRUE\"")
    );
    assert_eq!(s.attr(id, "HoldReasonCode").as_deref(), Some("3"));
    assert_eq!(s.attr(id, "ExitCode").as_deref(), Some("1"));
    assert_eq!(s.events_of(id), [0, 1, 6, 12]);
    assert!(s.history.is_empty());
    // Released, it runs again.
    let (r, _) = s.act("alice", JobAction::Release, JobSelector { ids: vec![JobSpec::Job(id)], ..Default::default() });
    assert_eq!(r.results, [(id, ActOutcome::Done)]);
    assert_eq!(s.attr(id, "JobStatus").as_deref(), Some("1"));
    assert!(s.attr(id, "HoldReason").is_none());
    assert_eq!(s.core.idle_groups(&s.store)[0].count, 1);
    assert_eq!(s.events_of(id).last(), Some(&13));
}

#[test]
fn on_exit_remove_false_requeues_until_max_retries() {
    let mut s = Sim::new();
    let c = s.submit(&format!("{ECHO}\nJobMaxRetries = 1\nOnExitRemove = ExitCode == 0 || NumJobCompletions > JobMaxRetries"), 1);
    let id = jid(c, 0);
    s.negotiate(1);
    let ack = s.exit("claim1", id, Some(3));
    // Requeued, and the same claim takes it again at once.
    assert_eq!(s.run_next(&ack), Some(id), "the requeued job runs again on the claim");
    assert_eq!(s.attr(id, "NumJobStarts").as_deref(), Some("2"));
    let ack = s.exit("claim1", id, Some(3));
    assert!(ack.release);
    assert_eq!(s.history[0].ad.int("NumJobCompletions"), Some(2));
    assert_eq!(s.events_of(id), [0, 1, 6, 4, 1, 6, 5]);
    match &s.log.iter().find(|e| e.event.body.number() == 4).unwrap().event.body {
        EventBody::Evicted { requeued: Some(t), reason, .. } => {
            assert_eq!(t.return_value, 3);
            assert!(reason.as_deref().unwrap().contains("OnExitRemove"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn condor_rm_of_a_running_job_kills_it_and_it_goes_removed() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    let id = jid(c, 0);
    s.negotiate(1);
    let (r, actions) = s.act("alice", JobAction::Remove, JobSelector { ids: vec![JobSpec::Job(id)], ..Default::default() });
    assert_eq!(r.results, [(id, ActOutcome::Done)]);
    let signal = actions.iter().find_map(|a| match a {
        Action::Signal { req, .. } => Some(req.clone()),
        _ => None,
    });
    assert_eq!(signal.map(|s| (s.claim_id, s.job_id)), Some(("claim1".to_string(), id)));
    // Removed at once in the queue, as condor_q shows it.
    assert_eq!(s.attr(id, "JobStatus").as_deref(), Some("3"));
    assert_eq!(s.attr(id, "RemoveReason").as_deref(), Some("\"via condor_rm (by user alice)\""));
    let mut e = JobExit::empty("claim1", id);
    e.exit_signal = Some(15);
    e.stopped_by_request = true;
    let ack = s.exit_with(e);
    assert!(ack.release);
    assert_eq!(s.events_of(id), [0, 1, 4, 9]);
    let h = &s.history[0].ad;
    assert_eq!(h.int("JobStatus"), Some(3));
    assert_eq!(h.int("ExitSignal"), Some(15));
    assert_eq!(h.string("ExitReason").as_deref(), Some("died on signal 15 (Terminated)"));
}

#[test]
fn hold_of_a_running_job_writes_evicted_then_held_when_it_stopped() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    let id = jid(c, 0);
    s.negotiate(1);
    s.act("alice", JobAction::Hold, JobSelector { ids: vec![JobSpec::Cluster(c)], ..Default::default() });
    assert_eq!(s.attr(id, "JobStatus").as_deref(), Some("5"));
    assert_eq!(s.attr(id, "HoldReasonCode").as_deref(), Some("1"));
    let mut e = JobExit::empty("claim1", id);
    e.stopped_by_request = true;
    e.exit_signal = Some(15);
    s.exit_with(e);
    let evs = s.events_of(id);
    assert_eq!(&evs[evs.len() - 2..], [4, 12]);
    assert_eq!(s.attr(id, "JobStatus").as_deref(), Some("5"));
    match &s.log.last().unwrap().event.body {
        EventBody::Held { reason, code, .. } => {
            assert_eq!(reason.as_deref(), Some("via condor_hold (by user alice)"));
            assert_eq!(*code, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn users_act_only_on_their_own_jobs_unless_super_users() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 2);
    let sel = JobSelector { ids: vec![JobSpec::Cluster(c)], ..Default::default() };
    let (r, _) = s.act("bob", JobAction::Remove, sel.clone());
    assert!(r.results.iter().all(|(_, o)| *o == ActOutcome::PermissionDenied));
    assert_eq!(s.core.totals().idle, 2);
    // -all for bob means bob's jobs: none of alice's are touched or reported.
    let (r, _) = s.act("bob", JobAction::Remove, JobSelector { all: true, ..Default::default() });
    assert!(r.results.is_empty());
    let (r, _) = s.act("condor", JobAction::Remove, sel);
    assert_eq!(r.done(), 2);
    assert_eq!(s.history.len(), 2);
    // Bob cannot submit as alice either.
    let err = s.submit_as("bob", &format!("{ECHO}\nOwner = \"alice\""), 1).unwrap_err();
    assert_eq!(err.code, "permission_denied");
}

#[test]
fn refused_submits_queue_nothing_and_say_why() {
    let mut s = Sim::new();
    let err = s.submit_as("alice", &format!("{ECHO}\nRequestMemory = 99999999999999"), 1).unwrap_err();
    assert_eq!(err.code, "bad_request");
    assert!(err.message.contains("RequestMemory"), "{}", err.message);
    assert!(err.hint.is_some());
    assert!(s.store.procs.is_empty() && s.store.clusters.is_empty());
    assert!(s.log.is_empty());
    // A cluster id that was never reserved.
    let t = s.tok();
    let sub = SubmitJobs { cluster: 77, cluster_ad: ClassAd::parse_old(ECHO).unwrap(), procs: vec![ClassAd::parse_old("ProcId = 0").unwrap()], factory: None };
    s.core.on_submit(&Who::user("alice"), sub, 1000, t);
    let acts = s.flush();
    match reply(&acts, t) {
        Reply::Submit(Err(e)) => assert!(e.message.contains("not reserved")),
        other => panic!("{other:?}"),
    }
    assert!(s.store.procs.is_empty());
    // An unauthenticated caller cannot submit.
    s.core.on_cluster_reserved(78, &Who::anonymous());
    let t = s.tok();
    let sub = SubmitJobs { cluster: 78, cluster_ad: ClassAd::parse_old(ECHO).unwrap(), procs: vec![ClassAd::parse_old("ProcId = 0").unwrap()], factory: None };
    s.core.on_submit(&Who::anonymous(), sub, 1000, t);
    let acts = s.flush();
    assert!(matches!(reply(&acts, t), Reply::Submit(Err(e)) if e.code == "permission_denied"));
}

#[test]
fn a_job_matching_no_slot_stays_idle_and_a_refused_claim_puts_it_back() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    let g = s.core.idle_groups(&s.store)[0].clone();
    let t = s.tok();
    s.core.on_matches(&s.store, vec![MatchOffer { group: g.id, slot_name: "slot1@host".into(), startd: startd(), slot_ad: None, count: 1 }], s.now, t);
    let token = s
        .flush()
        .into_iter()
        .find_map(|a| match a {
            Action::RequestClaim { token, .. } => Some(token),
            _ => None,
        })
        .unwrap();
    assert!(s.core.idle_groups(&s.store).is_empty(), "a job being claimed is not offered twice");
    s.core.on_claim_result(&s.store, token, Err("the slot is claimed".into()), s.now);
    s.flush();
    assert_eq!(s.core.status(jid(c, 0)), Some(JobStatus::Idle));
    assert_eq!(s.core.idle_groups(&s.store)[0].count, 1);
    // A stale group id (the negotiator's view is old) matches nothing.
    let t = s.tok();
    s.core.on_matches(&s.store, vec![MatchOffer { group: 999, slot_name: "x".into(), startd: startd(), slot_ad: None, count: 1 }], s.now, t);
    let acts = s.flush();
    assert_eq!(reply(&acts, t), Reply::Matches(Ok(0)));
}

#[test]
fn a_lost_claim_sends_its_job_back_to_idle_with_an_evicted_event() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    let id = jid(c, 0);
    s.negotiate(1);
    s.now += 300;
    s.core.on_timer(&s.store, s.now);
    let alive = s.flush().into_iter().find_map(|a| match a {
        Action::ClaimsAlive { claim_ids, .. } => Some(claim_ids),
        _ => None,
    });
    assert_eq!(alive, Some(vec!["claim1".to_string()]));
    s.core.on_claims_alive(&s.store, &startd(), Ok(vec!["claim1".into()]), s.now);
    let acts = s.flush();
    assert!(acts.contains(&Action::Reschedule));
    assert_eq!(s.core.status(id), Some(JobStatus::Idle));
    assert_eq!(s.events_of(id), [0, 1, 4]);
    assert_eq!(s.core.num_claims(), 0);
    // A late exit report for the forgotten claim: the startd releases it.
    let ack = s.exit_with(JobExit::empty("claim1", id));
    assert!(ack.release, "a late report for a forgotten claim is told to release it");
    assert_eq!(s.core.status(id), Some(JobStatus::Idle));
}

#[test]
fn an_unreachable_startd_loses_its_claims_after_three_tries() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    s.negotiate(1);
    for i in 0..3 {
        assert_eq!(s.core.status(jid(c, 0)), Some(JobStatus::Running), "try {i}");
        s.core.on_claims_alive(&s.store, &startd(), Err("connection refused".into()), s.now);
        s.flush();
    }
    assert_eq!(s.core.status(jid(c, 0)), Some(JobStatus::Idle));
}

#[test]
fn leave_in_queue_keeps_the_completed_job() {
    let mut s = Sim::new();
    let c = s.submit(&format!("{ECHO}\nLeaveJobInQueue = true"), 1);
    s.negotiate(1);
    s.exit("claim1", jid(c, 0), Some(0));
    assert_eq!(s.attr(jid(c, 0), "JobStatus").as_deref(), Some("4"));
    assert_eq!(s.attr(jid(c, 0), "TerminationPending").as_deref(), Some("true"));
    assert!(s.history.is_empty());
    assert_eq!(s.core.totals().completed, 1);
    // condor_rm of the completed job marks it removed; LeaveJobInQueue still
    // keeps it (HTCondor's queue shows it as removed until it is edited).
    let c4 = Expr::parse("JobStatus == 4").unwrap();
    let t = s.tok();
    let req = ActRequest {
        action: JobAction::Remove,
        select: JobSelector { constraint: Some("JobStatus == 4".into()), ..Default::default() },
        reason: None,
        reason_code: None,
    };
    s.core.on_act(&s.store, &Who::user("alice"), &req, Some(&c4), s.now, t);
    let acts = s.flush();
    assert!(matches!(reply(&acts, t), Reply::Act(Ok(r)) if r.done() == 1));
    assert!(s.history.is_empty());
    assert_eq!(s.attr(jid(c, 0), "JobStatus").as_deref(), Some("3"));
    assert_eq!(s.core.totals().removed, 1);
    assert_eq!(s.events_of(jid(c, 0)).last(), Some(&9));
}

#[test]
fn leave_in_queue_edited_false_lets_the_completed_job_leave() {
    // htcondor2's remote-submission workflow: retrieve the output, then
    // edit(cluster, "LeaveJobInQueue", False) to let the job go.
    let mut s = Sim::new();
    let c = s.submit(&format!("{ECHO}\nLeaveJobInQueue = true"), 1);
    s.negotiate(1);
    s.exit("claim1", jid(c, 0), Some(0));
    assert!(s.history.is_empty());
    let t = s.tok();
    let req = EditRequest {
        select: JobSelector { ids: vec![JobSpec::Cluster(c)], ..Default::default() },
        attr: "LeaveJobInQueue".into(),
        value: "False".into(),
    };
    s.core.on_edit(&s.store, &Who::user("alice"), &req, None, s.now, t);
    let acts = s.flush();
    assert!(matches!(reply(&acts, t), Reply::Edit(Ok(r)) if r.edited.len() == 1));
    assert_eq!(s.history.len(), 1);
    assert_eq!(s.core.status(jid(c, 0)), None);
}

#[test]
fn periodic_hold_fires_on_the_timer() {
    let mut s = Sim::new();
    let c = s.submit(&format!("{ECHO}\nPeriodicHold = QDate < 2000"), 2);
    s.now += 60;
    s.core.on_timer(&s.store, s.now);
    s.flush();
    for p in 0..2 {
        assert_eq!(s.attr(jid(c, p), "JobStatus").as_deref(), Some("5"));
        assert_eq!(
            s.attr(jid(c, p), "HoldReason").as_deref(),
            Some("\"The job attribute PeriodicHold expression 'QDate < 2000' evaluated to TRUE\"")
        );
    }
    assert!(s.core.idle_groups(&s.store).is_empty());
}

#[test]
fn qedit_changes_attributes_and_reshapes_idle_jobs() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 2);
    assert_eq!(s.core.idle_groups(&s.store).len(), 1);
    let t = s.tok();
    let req = EditRequest {
        select: JobSelector { ids: vec![JobSpec::Job(jid(c, 1))], ..Default::default() },
        attr: "RequestMemory".into(),
        value: "2048".into(),
    };
    s.core.on_edit(&s.store, &Who::user("alice"), &req, None, s.now, t);
    let acts = s.flush();
    assert!(matches!(reply(&acts, t), Reply::Edit(Ok(r)) if r.edited == vec![jid(c, 1)]));
    assert_eq!(s.attr(jid(c, 1), "RequestMemory").as_deref(), Some("2048"));
    assert_eq!(s.core.idle_groups(&s.store).len(), 2, "the edited job is another shape now");
    // Protected attributes and bad values are refused.
    for (attr, value) in [("Owner", "\"bob\""), ("ProcId", "3"), ("Foo", "1 +")] {
        let t = s.tok();
        let req = EditRequest { select: JobSelector { all: true, ..Default::default() }, attr: attr.into(), value: value.into() };
        s.core.on_edit(&s.store, &Who::user("alice"), &req, None, s.now, t);
        let acts = s.flush();
        assert!(matches!(reply(&acts, t), Reply::Edit(Err(_))), "{attr}");
    }
}

#[test]
fn selection_by_cluster_constraint_and_missing_ids() {
    let mut s = Sim::new();
    let a = s.submit(ECHO, 3);
    let b = s.submit(&format!("{ECHO}\nFoo = 1"), 1);
    let sel = JobSelector { ids: vec![JobSpec::Cluster(a), JobSpec::Job(jid(999, 0))], ..Default::default() };
    let got = s.core.select(&s.store, &sel, None);
    assert_eq!(got.ids, [jid(a, 0), jid(a, 1), jid(a, 2)]);
    assert_eq!(got.not_found, [JobSpec::Job(jid(999, 0))]);
    let c = Expr::parse("Foo == 1").unwrap();
    let got = s.core.select(&s.store, &JobSelector::default(), Some(&c));
    assert_eq!(got.ids, [jid(b, 0)]);
    let got = s.core.select(&s.store, &JobSelector { owners: vec!["nobody".into()], ..Default::default() }, None);
    assert!(got.ids.is_empty());
}

/// Restart: rebuild a core from the store of another.
fn restart(s: &Sim, last: HashMap<JobId, LastEvent>) -> (Sim, Recovery, Vec<Action>) {
    let jobs: Vec<(JobId, Arc<ClassAd>)> = s.store.procs.iter().map(|(k, v)| (*k, v.clone())).collect();
    let (core, rec) = Schedd::recover(cfg(), s.now + 10, jobs);
    let store = MemStore { clusters: s.store.clusters.clone(), procs: s.store.procs.clone() };
    let mut n = Sim { core, store, now: s.now + 10, log: vec![], history: vec![], token: 0 };
    n.core.on_recovered(&n.store, &last, n.now);
    let actions = n.flush();
    (n, rec, actions)
}

#[test]
fn restart_completes_a_job_whose_exit_reached_the_log_but_not_the_queue() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 3);
    s.negotiate(3);
    let id0 = jid(c, 0);
    // Job 0 ran to its end and its terminated event was written, then the
    // schedd died before committing; job 1 was running; job 2's log says
    // only that it started.
    let last = HashMap::from([
        (id0, LastEvent::Terminated { code: Some(0), signal: None }),
        (jid(c, 2), LastEvent::Executing),
    ]);
    let (n, rec, actions) = restart(&s, last);
    assert_eq!(rec.jobs, 3);
    assert_eq!(rec.check_logs.len(), 3, "every running job's log is read");
    assert_eq!(n.history.len(), 1);
    assert_eq!(n.history[0].id, id0);
    assert_eq!(n.history[0].ad.int("ExitCode"), Some(0));
    assert!(n.store.job(id0).is_none(), "the completed job does not run again");
    assert_eq!(n.core.status(jid(c, 1)), Some(JobStatus::Idle));
    assert_eq!(n.core.status(jid(c, 2)), Some(JobStatus::Idle));
    assert_eq!(n.events_of(jid(c, 2)), [4], "the abandoned run gets its evicted event");
    assert!(n.events_of(jid(c, 1)).is_empty());
    assert!(actions.contains(&Action::Reschedule));
    assert_eq!(n.core.idle_groups(&n.store)[0].count, 2);
}

#[test]
fn restart_releases_the_claims_of_jobs_that_were_running() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    s.negotiate(1);
    let jobs: Vec<(JobId, Arc<ClassAd>)> = s.store.procs.iter().map(|(k, v)| (*k, v.clone())).collect();
    let (mut core, _) = Schedd::recover(cfg(), s.now, jobs);
    let fx = core.take_effects();
    let rel: Vec<_> = fx
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Release { startd, req } => Some((startd.to_string(), req.claim_id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(rel, [(startd().to_string(), "claim1".to_string())]);
    assert_eq!(core.status(jid(c, 0)), Some(JobStatus::Running), "decided only once the logs are read");
}

#[test]
fn restart_finishes_removals_and_holds_left_mid_way() {
    let mut s = Sim::new();
    let a = s.submit(ECHO, 1);
    let b = s.submit(ECHO, 1);
    s.negotiate(2);
    // Both removed/held while running; the schedd died before the exits came.
    s.act("alice", JobAction::Remove, JobSelector { ids: vec![JobSpec::Cluster(a)], ..Default::default() });
    s.act("alice", JobAction::Hold, JobSelector { ids: vec![JobSpec::Cluster(b)], ..Default::default() });
    let last = HashMap::from([(jid(a, 0), LastEvent::Executing), (jid(b, 0), LastEvent::Executing)]);
    let (n, _, _) = restart(&s, last);
    assert_eq!(n.events_of(jid(a, 0)), [4, 9]);
    assert_eq!(n.history.len(), 1);
    assert_eq!(n.events_of(jid(b, 0)), [4, 12]);
    assert_eq!(n.core.status(jid(b, 0)), Some(JobStatus::Held));
}

#[test]
fn last_event_folds_like_the_log_reads() {
    let body = |text: &str| eventlog::parse_log(text).unwrap().events.remove(0).body;
    let exec = body("001 (001.000.000) 2026-01-01 00:00:00 Job executing on host: <x>\n...\n");
    let img = body("006 (001.000.000) 2026-01-01 00:00:00 Image size of job updated: 4\n...\n");
    let l = LastEvent::Submitted.fold(&exec).fold(&img);
    assert_eq!(l, LastEvent::Executing);
}

#[test]
fn a_rejected_autocluster_records_the_failed_match_on_its_first_idle_job() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 2);
    let g = s.core.idle_groups(&s.store)[0].clone();
    s.core.on_rejections(&s.store, "alice@host", &[(g.id, "no match found".into()), (999, "stale".into())], s.now + 5);
    s.flush();
    assert_eq!(s.attr(jid(c, 0), "LastRejMatchTime").as_deref(), Some("1005"));
    assert_eq!(s.attr(jid(c, 0), "LastRejMatchReason").as_deref(), Some("\"no match found\""));
    assert_eq!(s.attr(jid(c, 0), "LastRejMatchNegotiator").as_deref(), Some("\"alice@host\""));
    assert_eq!(s.attr(jid(c, 1), "LastRejMatchTime"), None, "only the job the negotiator analysed");
    assert_eq!(s.core.idle_groups(&s.store)[0].count, 2, "the jobs stay idle in their autocluster");
}

/// A maker like the submit language's: proc N gets `Args = "N"`.
struct CountingMaker;

impl ProcMaker for CountingMaker {
    fn proc_ad(&mut self, proc: i64) -> Result<ClassAd, String> {
        ClassAd::parse_old(&format!("ProcId = {proc}\nArgs = \"{proc}\"")).map_err(|e| e.to_string())
    }
}

fn counting_makers() -> MakerBuilder {
    Box::new(|_, _, digest, _| {
        if digest == "bad" {
            Err("line 1: not a digest".to_string())
        } else {
            Ok(Box::new(CountingMaker) as Box<dyn ProcMaker>)
        }
    })
}

fn submit_factory(s: &mut Sim, total: i64, limit: i64, max_idle: Option<i64>, digest: &str) -> Result<i64, proto::ApiError> {
    let cluster = 60;
    s.core.on_cluster_reserved(cluster, &Who::user("alice"));
    let t = s.tok();
    let factory = proto::schedd::FactoryRequest { digest: digest.into(), items: vec![], total_procs: total, max_materialize: limit, max_idle };
    let sub = SubmitJobs { cluster, cluster_ad: ClassAd::parse_old(ECHO).unwrap(), procs: vec![], factory: Some(factory) };
    s.core.on_submit(&Who::user("alice"), sub, s.now, t);
    let acts = s.flush();
    match reply(&acts, t) {
        Reply::Submit(r) => r.map(|r| r.cluster),
        other => panic!("{other:?}"),
    }
}

fn procs_of(s: &Sim, c: i64) -> Vec<i64> {
    let mut v: Vec<i64> = s.store.procs.keys().filter(|k| k.cluster == c).map(|k| k.proc).collect();
    v.sort();
    v
}

#[test]
fn late_materialization_keeps_at_most_max_materialize_procs_in_the_queue() {
    let mut s = Sim::new();
    s.core.set_proc_makers(counting_makers());
    let c = submit_factory(&mut s, 5, 2, None, "digest").unwrap();
    assert_eq!(procs_of(&s, c), [0, 1]);
    assert_eq!(s.attr(jid(c, 1), "Args").as_deref(), Some("\"1\""));
    assert_eq!(s.store.clusters[&c].int("TotalSubmitProcs"), Some(5));
    assert_eq!(s.store.clusters[&c].int("JobMaterializeNextProcId"), Some(2));
    // Each job that leaves makes room for the next one.
    let acts = s.negotiate(1);
    let mut running = acts[0].job_id;
    for _ in 0..4 {
        let ack = s.exit("claim1", running, Some(0));
        match s.run_next(&ack) {
            Some(j) => running = j,
            None => break,
        }
        assert!(procs_of(&s, c).len() <= 2);
    }
    s.exit("claim1", running, Some(0));
    assert_eq!(s.history.len(), 5, "every proc was made and ran");
    assert!(s.store.clusters.get(&c).is_none(), "the cluster went with its last proc");
    assert_eq!(s.events_of(jid(c, 4)).first(), Some(&0));
}

#[test]
fn max_idle_holds_back_procs_until_idle_ones_start() {
    let mut s = Sim::new();
    s.core.set_proc_makers(counting_makers());
    let c = submit_factory(&mut s, 10, 10, Some(2), "digest").unwrap();
    assert_eq!(procs_of(&s, c), [0, 1]);
    s.negotiate(1);
    // One started: one idle left, so one more is made.
    assert_eq!(procs_of(&s, c), [0, 1, 2]);
}

#[test]
fn a_digest_that_does_not_read_queues_nothing() {
    let mut s = Sim::new();
    s.core.set_proc_makers(counting_makers());
    let err = submit_factory(&mut s, 5, 2, None, "bad").unwrap_err();
    assert!(err.message.contains("digest"), "{}", err.message);
    assert!(s.store.clusters.is_empty() && s.store.procs.is_empty());
}

#[test]
fn a_factory_goes_on_after_a_restart() {
    let mut s = Sim::new();
    s.core.set_proc_makers(counting_makers());
    let c = submit_factory(&mut s, 4, 2, None, "digest").unwrap();
    let jobs: Vec<(JobId, Arc<ClassAd>)> = s.store.procs.iter().map(|(k, v)| (*k, v.clone())).collect();
    let (mut core, _) = Schedd::recover(cfg(), s.now, jobs);
    core.set_proc_makers(counting_makers());
    let mut n = Sim { core, store: MemStore { clusters: s.store.clusters.clone(), procs: s.store.procs.clone() }, now: s.now, log: vec![], history: vec![], token: 0 };
    n.core.on_recovered(&n.store, &HashMap::new(), n.now);
    n.flush();
    // Remove proc 0: proc 2 is made, from where the factory stopped.
    n.act("alice", JobAction::Remove, JobSelector { ids: vec![JobSpec::Job(jid(c, 0))], ..Default::default() });
    assert_eq!(procs_of(&n, c), [1, 2]);
}

/// Regression: a lingering claim took a newly submitted job whose
/// Requirements the claimed slot does not meet (`Memory > 100000000`).
#[test]
fn an_idle_claim_does_not_take_a_job_its_slot_does_not_match() {
    let mut s = Sim::new();
    s.core.cfg.claim_linger = 2;
    let c = s.submit(ECHO, 1);
    s.negotiate(1);
    s.exit("claim1", jid(c, 0), Some(0));
    let cluster = 51;
    s.core.on_cluster_reserved(cluster, &Who::user("alice"));
    let t = s.tok();
    let never = format!("{}\nRequirements = (Memory > 100000000) && (TARGET.Memory >= RequestMemory)", ECHO.replace("Requirements = TARGET.Memory >= RequestMemory\n", ""));
    let sub = SubmitJobs { cluster, cluster_ad: ClassAd::parse_old(&never).unwrap(), procs: vec![ClassAd::parse_old("ProcId = 0").unwrap()], factory: None };
    s.core.on_submit(&Who::user("alice"), sub, s.now, t);
    let acts = s.flush();
    assert!(!acts.iter().any(|a| matches!(a, Action::Activate { .. })), "{acts:?}");
    assert_eq!(s.attr(jid(cluster, 0), "JobStatus").as_deref(), Some("1"));
}

#[test]
fn regression_a_released_claim_does_not_tell_the_negotiator_to_forget_a_newer_match_on_the_same_slot() {
    // A partitionable slot matched twice: the first claim is released
    // while the second match is still being claimed. The negotiator
    // forgets every match of this schedd on a slot it is told about, so
    // it must hear of the slot only when nothing of its matches is left.
    let mut s = Sim::new();
    let c = s.submit(ECHO, 1);
    s.negotiate(1);
    s.submit(ECHO, 1);
    let g = s.core.idle_groups(&s.store)[0].clone();
    let t = s.tok();
    let offer = MatchOffer { group: g.id, slot_name: "slot1@host".into(), startd: startd(), slot_ad: None, count: 1 };
    s.core.on_matches(&s.store, vec![offer], s.now, t);
    let pending = s
        .flush()
        .into_iter()
        .find_map(|a| match a {
            Action::RequestClaim { token, .. } => Some(token),
            _ => None,
        })
        .expect("a claim request for the second match");
    let ack = s.exit("claim1", jid(c, 0), Some(0));
    assert!(ack.release, "nothing else for the first claim: released");
    assert!(s.core.take_failed_matches().is_empty(), "the second match on slot1@host is still being claimed");
    s.core.on_claim_result(&s.store, pending, Err("no room".into()), s.now);
    s.flush();
    assert_eq!(s.core.take_failed_matches(), ["slot1@host"], "now nothing of the matches is left");
}

/// Short jobs get the claim's whole queue depth; jobs of unknown length
/// and long ones get none, so they spread over the free slots.
#[test]
fn a_claim_running_short_jobs_fills_its_whole_queue_and_long_ones_keep_none() {
    let mut s = Sim::new();
    let c = s.submit(ECHO, 20);
    let acts = s.negotiate_depth(1, 8);
    assert_eq!(acts.len(), 1, "before any job has run: only the running one");
    s.start("claim1", acts[0].job_id);
    let exit_of = |s: &mut Sim, job: JobId, wall: f64| -> (ExitAck, usize) {
        let mut e = JobExit::empty("claim1", job);
        e.exit_code = Some(0);
        e.wall_secs = wall;
        let t = s.tok();
        s.core.on_claim_events(&s.store, &ClaimEvents { startd: "host".into(), exits: vec![e], ..Default::default() }, &[vec![]], s.now, t);
        let actions = s.flush();
        let extra = actions.iter().filter(|a| matches!(a, Action::Activate { .. })).count();
        let Reply::Events(Ok(mut acks)) = reply(&actions, t) else { panic!("{actions:?}") };
        (acks.remove(0), extra)
    };
    // A job of a tenth of a second: the ack's next job and eight more fill the depth of 8.
    let (ack, extra) = exit_of(&mut s, acts[0].job_id, 0.1);
    let next = ack.next.as_ref().map(|a| a.job_id).expect("a next job");
    assert_eq!(extra, 8, "1 running + 8 queued");
    // Then a long job: the claim holds 8 more, so nothing is sent.
    s.start("claim1", next);
    let (ack, extra) = exit_of(&mut s, next, 30.0);
    assert!(ack.next.is_none(), "{ack:?}");
    assert_eq!(extra, 0);
    assert_eq!(s.attr(jid(c, 19), "JobStatus").as_deref(), Some("1"), "the rest stay idle in the queue");
}

/// Regression: after short jobs deepened a claim's queue, a long job at
/// its head kept the queued ones waiting while another claim sat idle.
#[test]
fn jobs_queued_behind_a_long_job_go_to_a_claim_that_ran_out_of_work() {
    let mut s = Sim::new();
    s.core.cfg.claim_linger = 60;
    let c = s.submit(ECHO, 12);
    let acts = s.negotiate_depth(2, 8);
    let (a, b) = (acts[0].job_id, acts[1].job_id);
    assert_eq!((acts[0].claim_id.as_str(), acts[1].claim_id.as_str()), ("claim1", "claim2"));
    let report = |s: &mut Sim, claim: &str, job: JobId, wall: f64| -> (Vec<Action>, Token) {
        let mut e = JobExit::empty(claim, job);
        e.exit_code = Some(0);
        e.wall_secs = wall;
        let t = s.tok();
        s.core.on_claim_events(&s.store, &ClaimEvents { startd: "host".into(), exits: vec![e], ..Default::default() }, &[vec![]], s.now, t);
        (s.flush(), t)
    };
    let queued = |(actions, t): (Vec<Action>, Token)| -> Vec<JobId> {
        let mut v: Vec<JobId> = actions.iter().filter_map(|x| if let Action::Activate { req, .. } = x { Some(req.job_id) } else { None }).collect();
        if let Some(Reply::Events(Ok(acks))) = actions.iter().find_map(|x| if let Action::Reply { token, reply } = x { (*token == t).then_some(reply.clone()) } else { None }) {
            v.extend(acks.iter().filter_map(|k| k.next.as_ref().map(|n| n.job_id)));
        }
        v
    };
    // claim1's first job is short: its queue fills (the ack's job and eight more).
    s.start("claim1", a);
    let on_claim1 = queued(report(&mut s, "claim1", a, 0.1));
    assert_eq!(on_claim1.len(), 9);
    // ... and the next one runs long. claim2 finishes what is left and runs dry.
    s.start("claim1", on_claim1[on_claim1.len() - 1]);
    s.now += 10;
    s.start("claim2", b);
    let on_claim2 = queued(report(&mut s, "claim2", b, 0.1));
    assert_eq!(on_claim2.len(), 1, "the last idle job");
    s.start("claim2", on_claim2[0]);
    let (last, _) = report(&mut s, "claim2", on_claim2[0], 0.1);
    let dropped: Vec<JobId> = last
        .iter()
        .filter_map(|x| match x {
            Action::Signal { req, .. } if req.claim_id == "claim1" => Some(req.job_id),
            _ => None,
        })
        .collect();
    assert_eq!(dropped.len(), 8, "the jobs queued behind the long one are taken back: {last:?}");
    // The startd drops them: the idle claim takes one at once, the rest are idle again.
    let mut moved = Vec::new();
    for j in &dropped {
        let mut e = JobExit::empty("claim1", *j);
        e.not_started = true;
        e.stopped_by_request = true;
        let t = s.tok();
        s.core.on_claim_events(&s.store, &ClaimEvents { startd: "host".into(), exits: vec![e], ..Default::default() }, &[vec![]], s.now, t);
        for x in s.flush() {
            if let Action::Activate { req, .. } = x {
                moved.push((req.claim_id.clone(), req.job_id));
            }
        }
    }
    assert_eq!(moved, [("claim2".to_string(), dropped[0])]);
    let idle = dropped[1..].iter().filter(|j| s.attr(**j, "JobStatus").as_deref() == Some("1")).count();
    assert_eq!(idle, 7);
    assert_eq!(s.core.idle_groups(&s.store)[0].count, 7, "back in their autocluster for the negotiator");
    let _ = c;
}
