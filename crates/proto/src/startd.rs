//! The startd's API: claims on slots, and running jobs on them; and the
//! messages between the startd and its starters.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/claims` | [`RequestClaim`] → [`ClaimGranted`] |
//! | POST | `/v1/claims/activate` | [`Activate`] → `null` (the job is starting) |
//! | POST | `/v1/claims/signal` | [`SignalJob`] → `null` |
//! | POST | `/v1/claims/release` | [`ReleaseClaim`] → `null` |
//! | POST | `/v1/claims/alive` | [`ClaimsAlive`] → [`ClaimsAliveAnswer`] (renews leases) |
//! | POST | `/v1/slots/query` | — → JSON list of slot [`WireAd`]s (what the startd would advertise) |
//!
//! When a job ends, the startd reports [`JobExit`] to the schedd's
//! `/v1/claims/exit` and reads an [`ExitAck`] back: the schedd may hand the
//! claim its next job in that answer (claim reuse without another round
//! trip), ask for the claim to be released, or say nothing (`null`, `{}`).
//! A `not_found` refusal means the schedd no longer knows the claim (it
//! restarted): the startd releases it.
//!
//! Refusals of `/v1/claims`: `not_found` (no such slot), `unavailable` (the
//! slot is claimed or too small for the job), `bad_request` (the slot's
//! `START`/`Requirements` do not accept the job; the message says which).
//!
//! The startd runs one starter process per claim and speaks to it over its
//! standard input and output, one JSON object per line: the startd writes
//! [`StarterCommand`]s, the starter answers with [`StarterEvent`]s.

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
    pub schedd: Address,
    pub job: WireAd,
    /// How long the claim lives without a job, an activation or an
    /// `/v1/claims/alive` renewal before the startd frees it. `None`: the
    /// startd's `CLAIM_LEASE_DURATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClaimGranted {
    pub claim_id: String,
    /// The ad of the (possibly dynamic) slot now claimed.
    pub slot: WireAd,
}

/// Run `job` on a claimed slot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Activate {
    pub claim_id: String,
    pub job_id: JobId,
    pub job: WireAd,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Signal {
    /// Stop the job gracefully (SIGTERM, then SIGKILL after `JobMaxVacateTime`).
    Vacate,
    /// Stop it now (SIGKILL).
    Kill,
    Suspend,
    Continue,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignalJob {
    pub claim_id: String,
    pub job_id: JobId,
    pub signal: Signal,
}

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

/// How a job ended on the execute side.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobExit {
    pub claim_id: String,
    pub job_id: JobId,
    /// `Some(code)` when the process exited; `None` when a signal killed it.
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    /// The job was stopped because the schedd or startd asked (vacate/kill,
    /// the startd shutting down, the claim's lease running out).
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
        }
    }
}

/// The schedd's answer to a [`JobExit`] (`null` and `{}` mean "keep the
/// claim; I may activate it again or release it later").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExitAck {
    /// Run this job next on the same claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Activate>,
    /// The schedd has no more use for the claim: free the slot.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub release: bool,
}

/// What the startd tells a starter (one JSON object per line on its stdin).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum StarterCommand {
    /// Run one job: make its sandbox, transfer input, spawn, wait, transfer
    /// output, clean up; answer with [`StarterEvent::Started`] (or not, if
    /// it could not start) and then [`StarterEvent::Exited`].
    Run(StarterJob),
    /// Signal the running job. `Vacate` sends SIGTERM, then SIGKILL after
    /// `vacate_secs` (the job's `JobMaxVacateTime`).
    Signal { job_id: JobId, signal: Signal, vacate_secs: u64 },
    /// Kill any job and exit (the claim is over). End of input means the same.
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
    /// The job's process was spawned.
    Started { job_id: JobId, pid: u32 },
    /// The job is over (or could not start). `claim_id` is left empty; the
    /// startd fills it in.
    Exited(JobExit),
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
    }

    #[test]
    fn starter_messages_are_one_line_each() {
        let cmd = StarterCommand::Signal { job_id: JobId { cluster: 1, proc: 0 }, signal: Signal::Kill, vacate_secs: 0 };
        let line = serde_json::to_string(&cmd).unwrap();
        assert!(!line.contains('\n'));
        assert_eq!(serde_json::from_str::<StarterCommand>(&line).unwrap(), cmd);
        let ev = StarterEvent::Exited(JobExit::empty("", JobId { cluster: 2, proc: 3 }));
        let line = serde_json::to_string(&ev).unwrap();
        assert_eq!(serde_json::from_str::<StarterEvent>(&line).unwrap(), ev);
    }

    #[test]
    fn old_exit_reports_still_read() {
        let text = r#"{"claim_id":"c","job_id":{"cluster":1,"proc":0},"exit_code":0,"exit_signal":null,
            "stopped_by_request":false,"start_error":null,"user_cpu_secs":0.0,"sys_cpu_secs":0.0,
            "wall_secs":0.1,"max_rss_kb":100,"updates":{}}"#;
        let e: JobExit = serde_json::from_str(text).unwrap();
        assert_eq!(e.hold_code, None);
        assert_eq!(e.exit_code, Some(0));
    }
}
