//! The startd's API: claims on slots, and running jobs on them.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/claims` | [`RequestClaim`] → [`ClaimGranted`] |
//! | POST | `/v1/claims/activate` | [`Activate`] → — (the job starts) |
//! | POST | `/v1/claims/signal` | [`SignalJob`] → — |
//! | POST | `/v1/claims/release` | [`ReleaseClaim`] → — |
//!
//! When a job ends, the startd reports [`JobExit`] to the schedd's
//! `/v1/claims/exit`.

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

/// How a job ended on the execute side.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobExit {
    pub claim_id: String,
    pub job_id: JobId,
    /// `Some(code)` when the process exited; `None` when a signal killed it.
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    /// The job was stopped because the schedd or startd asked (vacate/kill).
    pub stopped_by_request: bool,
    /// Could not start the job at all (missing executable, sandbox error…): the reason.
    pub start_error: Option<String>,
    pub user_cpu_secs: f64,
    pub sys_cpu_secs: f64,
    pub wall_secs: f64,
    /// Peak resident set size in KiB.
    pub max_rss_kb: i64,
    /// Attributes to set on the job ad (e.g. `MemoryUsage`, `DiskUsage`).
    pub updates: WireAd,
}
