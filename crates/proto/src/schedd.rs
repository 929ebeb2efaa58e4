//! The schedd's API: submit, query, act on and edit jobs; history.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/clusters` | — → [`NewCluster`] (reserves a cluster id) |
//! | POST | `/v1/submit` | [`SubmitRequest`] → [`SubmitResponse`], after commit |
//! | POST | `/v1/jobs/query` | [`QueryRequest`] → NDJSON stream of [`WireAd`]s |
//! | POST | `/v1/jobs/act` | [`ActRequest`] → [`ActResponse`] |
//! | POST | `/v1/jobs/edit` | [`EditRequest`] → [`EditResponse`] |
//! | POST | `/v1/history/query` | [`QueryRequest`] → NDJSON, newest first |

use serde::{Deserialize, Serialize};

use crate::ad::WireAd;
use crate::job::{JobId, JobSpec};

/// A reserved cluster id; `$(Cluster)` expands to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NewCluster {
    pub cluster: i64,
}

/// One cluster's jobs, as `condor_submit` builds them.
///
/// `cluster_ad` holds the attributes common to every proc; each element of
/// `procs` holds the attributes of one proc that differ from it (at least
/// `ProcId`). The schedd fills in `Owner`/`User` from the caller's identity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmitRequest {
    pub cluster: i64,
    pub cluster_ad: WireAd,
    pub procs: Vec<WireAd>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmitResponse {
    pub cluster: i64,
    pub first_proc: i64,
    pub num_procs: i64,
}

/// Which jobs a query, action or edit is about. All parts must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct JobSelector {
    /// Clusters and jobs named on the command line (any of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<JobSpec>,
    /// Owners named on the command line (any of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// A ClassAd constraint (`-constraint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct QueryRequest {
    #[serde(default)]
    pub select: JobSelector,
    /// Attributes to return; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projection: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// What `condor_rm`/`condor_hold`/`condor_release`/`condor_vacate_job` ask for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum JobAction {
    Hold,
    Release,
    Remove,
    RemoveX,
    Vacate,
    VacateFast,
    Suspend,
    Continue,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActRequest {
    pub action: JobAction,
    pub select: JobSelector,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<i64>,
}

/// What happened to one selected job.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ActOutcome {
    Done,
    NotFound,
    PermissionDenied,
    /// The job's state does not allow it (e.g. releasing a job that is not held).
    BadStatus,
    AlreadyDone,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ActResponse {
    pub results: Vec<(JobId, ActOutcome)>,
    /// Ids named in the request that matched no job.
    #[serde(default)]
    pub not_found: Vec<JobSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EditRequest {
    pub select: JobSelector,
    pub attr: String,
    /// The new value as ClassAd expression text.
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EditResponse {
    pub edited: Vec<JobId>,
}
