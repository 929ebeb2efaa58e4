//! The startd's API and the claim protocol: how a schedd claims a slot,
//! runs job after job on it, and learns how each job ended; and the
//! messages between the startd and its starters.
//!
//! # Endpoints
//!
//! On the startd:
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/claims` | [`RequestClaim`] → [`ClaimGranted`] |
//! | POST | `/v1/claims/activate` | [`Activate`] → `null` (the job is queued on the claim) |
//! | POST | `/v1/claims/signal` | [`SignalJob`] → `null` |
//! | POST | `/v1/claims/release` | [`ReleaseClaim`] → `null` |
//! | POST | `/v1/claims/alive` | [`ClaimsAlive`] → [`ClaimsAliveAnswer`] (renews leases) |
//! | POST | `/v1/slots/query` | `null` → JSON list of slot [`WireAd`]s (what the startd advertises) |
//!
//! On the schedd (the address given in [`RequestClaim::schedd`]):
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/claims/events` | [`ClaimEvents`] → [`ClaimEventsAnswer`] |
//!
//! # The claim protocol
//!
//! 1. **Claim.** The schedd sends [`RequestClaim`] naming a slot the
//!    negotiator matched and the job it wants to run. A partitionable slot
//!    carves a dynamic slot sized by the job's `RequestCpus`,
//!    `RequestMemory` and `RequestDisk` (`slot1` → `slot1_3`); a static
//!    slot is claimed whole. The startd starts one long-lived starter
//!    process for the claim and answers [`ClaimGranted`] with a secret
//!    `claim_id`, the claimed slot's ad, and `queue_depth`. Refusals:
//!    `not_found` (no such slot), `unavailable` (the slot is claimed, or too
//!    small for the job; the message says which resource), `bad_request`
//!    (the slot's `START` or `Requirements` refuse the job, or the job's
//!    requests do not evaluate to numbers; the message says which).
//!
//! 2. **Activate.** The schedd sends [`Activate`] with a job. The answer
//!    comes as soon as the job is handed to the claim's starter — it does
//!    not wait for the spawn. A claim holds the running job plus up to
//!    `queue_depth` more: the schedd should send the next job of the same
//!    shape *while* the current one runs, so the starter spawns it the
//!    instant the previous one is reaped (no round trip between jobs). An
//!    activation beyond `queue_depth` is refused `unavailable`; an unknown
//!    (or released, or expired) claim is refused `not_found`.
//!
//! 3. **Events.** The startd posts [`ClaimEvents`] to the schedd: jobs that
//!    started (`started`), jobs that ended (`exits`), claims it lost
//!    (`lost`). It keeps **at most one events request in flight per
//!    schedd**: whatever happens while one is outstanding goes into the
//!    next. An idle startd therefore reports an exit at once, and a busy one
//!    batches exits without any timer. Within one claim, events arrive in
//!    the order they happened.
//!
//!    The answer, [`ClaimEventsAnswer`], has one [`ExitAck`] per element of
//!    `exits`, in the same order (missing trailing acks mean "nothing to
//!    say"). An ack may carry the claim's `next` job — exactly as if it had
//!    been sent to `/v1/claims/activate`, and subject to the same
//!    `queue_depth` — or `release` the claim. This is claim reuse without
//!    an extra round trip: in a steady stream, each exit report brings back
//!    the job that refills the queue. A schedd that does not know a claim
//!    any more (it restarted) acks its exits with `release: true`.
//!
//! 4. **Leases.** Every request from the schedd naming a claim (activate,
//!    signal, alive, and every events answer) renews the claim's lease.
//!    The schedd sends [`ClaimsAlive`] for its idle and long-running claims
//!    about every `lease_secs / 3`. A claim whose lease runs out is
//!    released by the startd: its job is killed and reported, and the slot
//!    is freed. `ClaimsAliveAnswer::unknown` lists claims the startd does
//!    not have: their jobs are not running any more (requeue them).
//!
//! 5. **Loss.** When the startd dies, its starters see their standard input
//!    close and kill their jobs; the claims are gone. The startd records its
//!    claims (id, schedd address) in a small file; when it starts again it
//!    reports every recorded claim in `lost` to its schedd and forgets it.
//!    A schedd whose request to a startd fails to connect treats all its
//!    claims on that startd as lost. Either way the schedd puts the jobs
//!    that were running (or queued) on those claims back to Idle.
//!
//! Invariants the schedd can rely on:
//!
//! - Every accepted activation gets exactly one [`JobExit`], unless its
//!   claim is reported lost first. A job dropped from a claim's queue before
//!   it started (release, kill, lease expiry, startd shutdown) gets a
//!   `JobExit` with `not_started: true`.
//! - A [`JobStarted`] precedes the job's `JobExit`, in the same or an
//!   earlier [`ClaimEvents`], unless the job never started.
//! - Releasing a claim (or the last exit acked with `release`) frees the
//!   dynamic slot's resources back to its partitionable slot, and the
//!   startd re-advertises at once.
//!
//! # Starter pipe
//!
//! The startd runs one starter process per claim and speaks to it over its
//! standard input and output, one JSON object per line: the startd writes
//! [`StarterCommand`]s, the starter answers with [`StarterEvent`]s. The
//! starter keeps the claim's job queue: it runs `Run` jobs one after the
//! other, in order. End of its input (the startd died) makes it kill its
//! job and exit.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ad::WireAd;
use crate::address::Address;
use crate::job::JobId;

/// Claim the slot `slot_name` for the schedd at `schedd`, sized for `job`.
/// A partitionable slot carves a dynamic slot of the job's requests.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequestClaim {
    pub slot_name: String,
    /// Where the startd posts [`ClaimEvents`] for this claim.
    pub schedd: Address,
    /// The schedd's `Name` (recorded in the slot ad as `RemoteScheddName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedd_name: Option<String>,
    pub job: WireAd,
    /// How long the claim lives without a request from the schedd before
    /// the startd frees it. `None`: the startd's `CLAIM_LEASE_DURATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClaimGranted {
    pub claim_id: String,
    /// The ad of the (possibly dynamic) slot now claimed; its `Name` is the
    /// job's `RemoteHost`.
    pub slot: WireAd,
    /// How many jobs the claim accepts beyond the running one.
    #[serde(default = "default_queue_depth")]
    pub queue_depth: u32,
    /// The lease the startd applies (renew about every third of it).
    #[serde(default = "default_lease")]
    pub lease_secs: u64,
}

fn default_queue_depth() -> u32 {
    1
}

fn default_lease() -> u64 {
    1800
}

/// Run `job` on a claimed slot (after the jobs already queued on it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Activate {
    pub claim_id: String,
    pub job_id: JobId,
    /// The whole job ad (cluster attributes included).
    pub job: WireAd,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Signal {
    /// Stop the job gracefully (SIGTERM, then SIGKILL after `JobMaxVacateTime`).
    Vacate,
    /// Stop it now (SIGKILL to its whole process group).
    Kill,
    Suspend,
    Continue,
}

/// Signal a job on a claim. A job still queued is dropped by `Vacate` and
/// `Kill` (its exit is reported with `not_started`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignalJob {
    pub claim_id: String,
    pub job_id: JobId,
    pub signal: Signal,
}

/// Give a claim back: a running job is vacated, queued jobs are dropped
/// (each reported), then the slot is freed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReleaseClaim {
    pub claim_id: String,
}

/// "These claims are still wanted": renews their leases. The answer lists
/// the ones the startd does not know (it restarted, or the lease ran out);
/// their jobs are not running any more.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClaimsAlive {
    pub claim_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClaimsAliveAnswer {
    pub unknown: Vec<String>,
}

/// What the startd reports to a schedd (see the module doc, step 3).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClaimEvents {
    /// The startd's `Name` (`host`), for the schedd's log.
    pub startd: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub started: Vec<JobStarted>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exits: Vec<JobExit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lost: Vec<LostClaim>,
}

/// The schedd's answer to [`ClaimEvents`]: `acks[i]` answers `exits[i]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClaimEventsAnswer {
    #[serde(default)]
    pub acks: Vec<ExitAck>,
}

/// A job's process was spawned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobStarted {
    pub claim_id: String,
    pub job_id: JobId,
    /// Seconds since the epoch (`JobCurrentStartExecutingDate`).
    pub time: f64,
}

/// A claim the startd no longer has (it restarted, or was told to stop).
/// Jobs that were running or queued on it are not running any more.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LostClaim {
    pub claim_id: String,
    /// Why, in words (`the startd restarted`).
    pub reason: String,
}

/// How a job ended on the execute side.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobExit {
    pub claim_id: String,
    pub job_id: JobId,
    /// `Some(code)` when the process exited; `None` when a signal killed it.
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    /// The job was stopped because the schedd or startd asked (vacate/kill,
    /// release, the startd shutting down, the claim's lease running out).
    pub stopped_by_request: bool,
    /// Could not start the job at all (missing executable, sandbox error…): the reason.
    pub start_error: Option<String>,
    pub user_cpu_secs: f64,
    pub sys_cpu_secs: f64,
    pub wall_secs: f64,
    /// Peak resident set size in KiB.
    pub max_rss_kb: i64,
    /// Attributes to set on the job ad (`MemoryUsage`, `ResidentSetSize`,
    /// `ImageSize`, `DiskUsage`, `RemoteUserCpu`, `RemoteSysCpu`, …).
    pub updates: WireAd,
    /// The job ran, but its output could not be transferred back: the reason
    /// (HTCondor holds such a job with `HoldReasonCode` 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_error: Option<String>,
    /// With `start_error` or `transfer_error`: the `HoldReasonCode` HTCondor
    /// gives this failure (6 cannot start the process, 13 input transfer,
    /// 12 output transfer, 14 Iwd, …) and its `HoldReasonSubCode` (an errno).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_subcode: Option<i64>,
    /// The job was dropped from the claim's queue before it started
    /// (release, kill, lease expiry, shutdown): requeue it as if it had
    /// never been activated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_started: bool,
}

impl JobExit {
    /// An exit with nothing known yet: no code, no signal, no usage.
    pub fn empty(claim_id: impl Into<String>, job_id: JobId) -> JobExit {
        JobExit {
            claim_id: claim_id.into(),
            job_id,
            exit_code: None,
            exit_signal: None,
            stopped_by_request: false,
            start_error: None,
            user_cpu_secs: 0.0,
            sys_cpu_secs: 0.0,
            wall_secs: 0.0,
            max_rss_kb: 0,
            updates: WireAd::new(),
            transfer_error: None,
            hold_code: None,
            hold_subcode: None,
            not_started: false,
        }
    }
}

/// The schedd's answer to one [`JobExit`] (`null` and `{}` mean "keep the
/// claim; I may activate it again or release it later").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExitAck {
    /// Run this job next on the same claim (as `/v1/claims/activate` would).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Activate>,
    /// The schedd has no more use for the claim: free the slot (after
    /// `next`, if both are given, the claim is released once it is done).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub release: bool,
}

/// What the startd tells a starter (one JSON object per line on its stdin).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum StarterCommand {
    /// Queue one job: when its turn comes, make its sandbox, transfer
    /// input, spawn, wait, transfer output, clean up; answer with
    /// [`StarterEvent::Started`] (or not, if it could not start) and then
    /// [`StarterEvent::Exited`].
    Run(Box<StarterJob>),
    /// Signal a job. `Vacate` sends SIGTERM, then SIGKILL after
    /// `vacate_secs` (the job's `JobMaxVacateTime`). A queued job is dropped
    /// by `Vacate`/`Kill` and reported `Exited` with `not_started`.
    Signal { job_id: JobId, signal: Signal, vacate_secs: u64 },
    /// Vacate the running job, drop the queued ones (reporting each), and
    /// exit (the claim is over). End of input means the same, but kills at
    /// once.
    Shutdown,
}

/// One job for a starter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StarterJob {
    pub job_id: JobId,
    pub job: WireAd,
    /// The ad of the slot the job runs on (written to `_CONDOR_MACHINE_AD`).
    pub machine: WireAd,
    /// `_CONDOR_SLOT`: the slot's name before `@` (`slot1_2`).
    pub slot: String,
    /// The execute directory under which the sandbox is made.
    pub execute_dir: PathBuf,
}

/// What a starter tells the startd (one JSON object per line on its stdout).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum StarterEvent {
    /// The starter is up. `cgroups` says whether jobs get a cgroup (v2).
    Ready { pid: u32, cgroups: bool },
    /// The job's process was spawned (`time`: seconds since the epoch).
    Started { job_id: JobId, pid: u32, time: f64 },
    /// The job is over (or could not start, or was dropped from the queue).
    /// `claim_id` is left empty; the startd fills it in.
    Exited(Box<JobExit>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_ack_reads_null_and_empty_objects() {
        let a: ExitAck = serde_json::from_str("{}").unwrap();
        assert_eq!(a, ExitAck::default());
        let a: Option<ExitAck> = serde_json::from_str("null").unwrap();
        assert_eq!(a, None);
        let a: ExitAck = serde_json::from_str(r#"{"release":true}"#).unwrap();
        assert!(a.release);
        let ans: ClaimEventsAnswer = serde_json::from_str("{}").unwrap();
        assert!(ans.acks.is_empty());
    }

    #[test]
    fn starter_messages_are_one_line_each() {
        let cmd = StarterCommand::Signal { job_id: JobId { cluster: 1, proc: 0 }, signal: Signal::Kill, vacate_secs: 0 };
        let line = serde_json::to_string(&cmd).unwrap();
        assert!(!line.contains('\n'));
        assert_eq!(serde_json::from_str::<StarterCommand>(&line).unwrap(), cmd);
        let ev = StarterEvent::Exited(Box::new(JobExit::empty("", JobId { cluster: 2, proc: 3 })));
        let line = serde_json::to_string(&ev).unwrap();
        assert_eq!(serde_json::from_str::<StarterEvent>(&line).unwrap(), ev);
    }

    #[test]
    fn exit_reports_without_newer_fields_still_read() {
        let text = r#"{"claim_id":"c","job_id":{"cluster":1,"proc":0},"exit_code":0,"exit_signal":null,
            "stopped_by_request":false,"start_error":null,"user_cpu_secs":0.0,"sys_cpu_secs":0.0,
            "wall_secs":0.1,"max_rss_kb":100,"updates":{}}"#;
        let e: JobExit = serde_json::from_str(text).unwrap();
        assert_eq!(e.hold_code, None);
        assert!(!e.not_started);
        assert_eq!(e.exit_code, Some(0));
    }

    #[test]
    fn claim_events_omit_empty_parts() {
        let ev = ClaimEvents { startd: "host".into(), ..ClaimEvents::default() };
        assert_eq!(serde_json::to_string(&ev).unwrap(), r#"{"startd":"host"}"#);
        let granted: ClaimGranted = serde_json::from_str(r#"{"claim_id":"x","slot":{}}"#).unwrap();
        assert_eq!(granted.queue_depth, 1);
    }
}
