//! The schedd's API: submit, query, act on and edit jobs; history; and the
//! calls other daemons make to it.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/clusters` | `{}` → [`NewCluster`] (reserves a cluster id, durably) |
//! | POST | `/v1/submit` | [`SubmitRequest`] → [`SubmitResponse`], after commit |
//! | POST | `/v1/jobs/query` | [`QueryRequest`] → NDJSON stream of [`QueryLine`]s |
//! | POST | `/v1/jobs/act` | [`ActRequest`] → [`ActResponse`], after commit |
//! | POST | `/v1/jobs/edit` | [`EditRequest`] → [`EditResponse`], after commit |
//! | POST | `/v1/history/query` | [`QueryRequest`] → NDJSON stream of [`QueryLine`]s, newest first |
//! | POST | `/v1/reschedule` | `{}` → `{}` (`condor_reschedule`: the schedd asks the negotiator for a cycle) |
//! | POST | `/v1/schedd/status` | `{}` → [`ScheddStatus`] |
//! | POST | `/v1/claims/exit` | [`crate::startd::JobExit`] → [`crate::startd::ExitAck`] (from a startd) |
//! | POST | `/v1/negotiate/requests`, `/v1/negotiate/matches` | see [`crate::negotiator`] (from the negotiator) |
//!
//! Who may do what: a local caller is known by its Unix socket's peer
//! credentials; the schedd sets `Owner`/`User` of submitted jobs from that
//! identity and lets a user act only on their own jobs, unless the user is
//! one of `QUEUE_SUPER_USERS`. Queries are open to everyone.
//!
//! A query answer is a stream of JSON lines so that a client can print the
//! first jobs of a million-job queue before the last ones are read: zero or
//! more [`QueryLine::Ad`] lines, then one [`QueryLine::Summary`] (when the
//! request asked for it), or a [`QueryLine::Error`] if the query failed
//! part way (for example a constraint that does not parse is refused
//! before any line with a `bad_request` error instead).

use serde::{Deserialize, Serialize};

use crate::ad::WireAd;
use crate::job::{JobId, JobSpec};
use crate::ApiError;

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
/// The whole request is one transaction: either every proc is queued or
/// none is. With `factory`, `procs` is empty and the schedd makes the procs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmitRequest {
    pub cluster: i64,
    pub cluster_ad: WireAd,
    pub procs: Vec<WireAd>,
    /// Late materialization (`max_materialize`, `max_idle`): instead of
    /// `procs`, the submit digest and item rows from which the schedd
    /// makes procs as the limits allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory: Option<FactoryRequest>,
}

/// A late-materialization cluster's digest (the submit language's
/// `Factory::digest`), item rows and limits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FactoryRequest {
    pub digest: String,
    #[serde(default)]
    pub items: Vec<String>,
    /// Procs the cluster has in all.
    pub total_procs: i64,
    /// At most this many procs in the queue at once (`JobMaterializeLimit`).
    pub max_materialize: i64,
    /// At most this many of them idle (`JobMaterializeMaxIdle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_idle: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmitResponse {
    pub cluster: i64,
    pub first_proc: i64,
    pub num_procs: i64,
}

/// Which jobs a query, action or edit is about. All parts must hold.
///
/// For an action or edit, a selector with no part at all is refused unless
/// `all` is set (`condor_rm -all`), so that a bug in a client cannot remove
/// every job by accident.
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
    /// Every job the caller may act on (`-all`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

impl JobSelector {
    /// True when the selector names nothing: no ids, owners, constraint or `all`.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.owners.is_empty() && self.constraint.is_none() && !self.all
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct QueryRequest {
    #[serde(default)]
    pub select: JobSelector,
    /// Attributes to return; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projection: Vec<String>,
    /// At most this many ads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// End the stream with a [`QueryLine::Summary`] (`condor_q`'s totals).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary: bool,
    /// Send only the summary, no ads (`condor_q -totals`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary_only: bool,
}

/// One line of a query answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum QueryLine {
    Ad(WireAd),
    Summary(QuerySummary),
    Error(ApiError),
}

/// Job counts by status, as `condor_q` prints them in its totals lines.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StatusCounts {
    pub jobs: u64,
    pub idle: u64,
    pub running: u64,
    pub removed: u64,
    pub completed: u64,
    pub held: u64,
    pub transferring_output: u64,
    pub suspended: u64,
}

impl StatusCounts {
    /// Count one job of status `code` (`JobStatus`); unknown codes count
    /// only towards `jobs`.
    pub fn add(&mut self, code: i64, n: u64) {
        self.jobs += n;
        match code {
            1 => self.idle += n,
            2 => self.running += n,
            3 => self.removed += n,
            4 => self.completed += n,
            5 => self.held += n,
            6 => self.transferring_output += n,
            7 => self.suspended += n,
            _ => {}
        }
    }

    pub fn merge(&mut self, other: &StatusCounts) {
        self.jobs += other.jobs;
        self.idle += other.idle;
        self.running += other.running;
        self.removed += other.removed;
        self.completed += other.completed;
        self.held += other.held;
        self.transferring_output += other.transferring_output;
        self.suspended += other.suspended;
    }
}

/// The closing line of a job query: who answered and the totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct QuerySummary {
    /// The schedd's `Name` (`alice@host` in a personal pool).
    pub schedd_name: String,
    /// Its address as `condor_q` shows it in the `-- Schedd:` line.
    pub schedd_address: String,
    /// Jobs the query matched (before `limit`).
    pub query: StatusCounts,
    /// Every job in the queue.
    pub all_users: StatusCounts,
}

/// What `condor_rm`/`condor_hold`/`condor_release`/`condor_vacate_job` ask for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum JobAction {
    Hold,
    Release,
    Remove,
    /// `condor_rm -forcex`: forget a job already marked removed without waiting for its execute side.
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
    /// `condor_hold -reason`; the schedd appends ` (by user NAME)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `HoldReasonSubCode` for a hold (`condor_hold -subcode`).
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

impl ActResponse {
    /// How many jobs the action was applied to.
    pub fn done(&self) -> usize {
        self.results.iter().filter(|(_, o)| *o == ActOutcome::Done).count()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EditRequest {
    pub select: JobSelector,
    pub attr: String,
    /// The new value as ClassAd expression text.
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EditResponse {
    pub edited: Vec<JobId>,
    /// Selected jobs the caller may not edit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied: Vec<JobId>,
}

/// What `/v1/schedd/status` answers: the schedd's identity and counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScheddStatus {
    pub name: String,
    /// The schedd's addresses (Unix socket first).
    pub addresses: Vec<String>,
    pub totals: StatusCounts,
    /// Claims the schedd holds on execute slots.
    pub claims: usize,
    /// Idle autoclusters (distinct job shapes waiting for a slot).
    pub autoclusters: usize,
    /// Seconds since the epoch when the schedd started.
    pub start_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_lines_are_tagged_objects() {
        let mut ad = WireAd::new();
        ad.set("ClusterId", "1");
        let line = serde_json::to_string(&QueryLine::Ad(ad.clone())).unwrap();
        assert_eq!(line, r#"{"ad":{"ClusterId":"1"}}"#);
        assert_eq!(serde_json::from_str::<QueryLine>(&line).unwrap(), QueryLine::Ad(ad));
        let s = QueryLine::Summary(QuerySummary::default());
        let back: QueryLine = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn empty_selector_is_recognised() {
        assert!(JobSelector::default().is_empty());
        assert!(!JobSelector { all: true, ..Default::default() }.is_empty());
        let sel: JobSelector = serde_json::from_str("{}").unwrap();
        assert!(sel.is_empty());
    }

    #[test]
    fn counts_follow_job_status_codes() {
        let mut c = StatusCounts::default();
        for code in [1, 1, 2, 4, 5, 9] {
            c.add(code, 1);
        }
        assert_eq!((c.jobs, c.idle, c.running, c.completed, c.held), (6, 2, 1, 1, 1));
    }
}
