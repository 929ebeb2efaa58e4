//! Job identity and the job model's codes, with HTCondor's numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `cluster.proc`, as users type and tools print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId {
    pub cluster: i64,
    pub proc: i64,
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.cluster, self.proc)
    }
}

/// A job id that does not read as `cluster` or `cluster.proc`.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("'{0}' is not a job id: expected CLUSTER or CLUSTER.PROC, e.g. 12 or 12.3")]
pub struct BadJobId(pub String);

/// A job argument: a whole cluster (`12`) or one job (`12.3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobSpec {
    Cluster(i64),
    Job(JobId),
}

impl JobSpec {
    /// True when job `id` is (in) this spec.
    pub fn covers(&self, id: JobId) -> bool {
        match self {
            JobSpec::Cluster(c) => id.cluster == *c,
            JobSpec::Job(j) => *j == id,
        }
    }
}

impl fmt::Display for JobSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobSpec::Cluster(c) => write!(f, "{c}"),
            JobSpec::Job(j) => write!(f, "{j}"),
        }
    }
}

impl FromStr for JobId {
    type Err = BadJobId;
    /// `cluster.proc` (both parts required).
    fn from_str(s: &str) -> Result<JobId, BadJobId> {
        match s.parse::<JobSpec>()? {
            JobSpec::Job(j) => Ok(j),
            JobSpec::Cluster(_) => Err(BadJobId(s.to_string())),
        }
    }
}

impl FromStr for JobSpec {
    type Err = BadJobId;
    fn from_str(s: &str) -> Result<JobSpec, BadJobId> {
        let bad = || BadJobId(s.to_string());
        match s.split_once('.') {
            None => s.parse().map(JobSpec::Cluster).map_err(|_| bad()),
            Some((c, "")) => c.parse().map(JobSpec::Cluster).map_err(|_| bad()),
            Some((c, p)) => Ok(JobSpec::Job(JobId {
                cluster: c.parse().map_err(|_| bad())?,
                proc: p.parse().map_err(|_| bad())?,
            })),
        }
    }
}

/// `JobStatus` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(i64)]
pub enum JobStatus {
    Idle = 1,
    Running = 2,
    Removed = 3,
    Completed = 4,
    Held = 5,
    TransferringOutput = 6,
    Suspended = 7,
}

impl JobStatus {
    pub fn from_code(code: i64) -> Option<JobStatus> {
        Some(match code {
            1 => JobStatus::Idle,
            2 => JobStatus::Running,
            3 => JobStatus::Removed,
            4 => JobStatus::Completed,
            5 => JobStatus::Held,
            6 => JobStatus::TransferringOutput,
            7 => JobStatus::Suspended,
            _ => return None,
        })
    }

    pub fn code(self) -> i64 {
        self as i64
    }

    /// HTCondor's name of the status (`Idle`, `Running`, …), as `condor_q -analyze` prints it.
    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Idle => "Idle",
            JobStatus::Running => "Running",
            JobStatus::Removed => "Removed",
            JobStatus::Completed => "Completed",
            JobStatus::Held => "Held",
            JobStatus::TransferringOutput => "Transferring Output",
            JobStatus::Suspended => "Suspended",
        }
    }

    /// True for the statuses a job leaves the queue from (Removed, Completed).
    pub fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Removed | JobStatus::Completed)
    }

    /// The one-letter code of `condor_q -nobatch`'s ST column.
    pub fn letter(self) -> char {
        match self {
            JobStatus::Idle => 'I',
            JobStatus::Running => 'R',
            JobStatus::Removed => 'X',
            JobStatus::Completed => 'C',
            JobStatus::Held => 'H',
            JobStatus::TransferringOutput => '>',
            JobStatus::Suspended => 'S',
        }
    }
}

/// `HoldReasonCode` values Aerie sets (HTCondor's numbering).
pub mod hold_code {
    pub const USER_REQUEST: i64 = 1;
    pub const JOB_POLICY: i64 = 3;
    pub const CORRUPTED_CRED: i64 = 4;
    pub const JOB_POLICY_UNDEFINED: i64 = 5;
    pub const FAILED_TO_CREATE_PROCESS: i64 = 6;
    pub const UNABLE_TO_OPEN_OUTPUT: i64 = 7;
    pub const UNABLE_TO_OPEN_INPUT: i64 = 8;
    pub const TRANSFER_OUTPUT_ERROR: i64 = 12;
    pub const TRANSFER_INPUT_ERROR: i64 = 13;
    pub const IWD_ERROR: i64 = 14;
    pub const SUBMITTED_ON_HOLD: i64 = 15;
    pub const SPOOLING_INPUT: i64 = 16;
    pub const STARTD_HELD_JOB: i64 = 21;
    pub const SYSTEM_POLICY: i64 = 26;
    pub const SYSTEM_POLICY_UNDEFINED: i64 = 27;
    pub const UNABLE_TO_INIT_USER_LOG: i64 = 22;
    pub const JOB_OUT_OF_RESOURCES: i64 = 34;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_specs_parse_like_condor_tools() {
        assert_eq!("12".parse(), Ok(JobSpec::Cluster(12)));
        assert_eq!("12.".parse(), Ok(JobSpec::Cluster(12)));
        assert_eq!("12.3".parse(), Ok(JobSpec::Job(JobId { cluster: 12, proc: 3 })));
        assert_eq!("4.1".parse(), Ok(JobId { cluster: 4, proc: 1 }));
        assert!("4".parse::<JobId>().is_err());
        assert_eq!(JobSpec::Cluster(4).to_string(), "4");
        assert!(JobSpec::Cluster(4).covers(JobId { cluster: 4, proc: 9 }));
        let err = "x.3".parse::<JobSpec>().unwrap_err();
        assert!(err.to_string().contains("CLUSTER.PROC"));
    }

    #[test]
    fn status_codes_round_trip() {
        for c in 1..=7 {
            assert_eq!(JobStatus::from_code(c).map(JobStatus::code), Some(c));
        }
        assert_eq!(JobStatus::from_code(0), None);
    }
}
