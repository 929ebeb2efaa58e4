//! Event types of the job event log and the data each carries.

/// A job id as the log prints it: `(cluster.proc.subproc)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId {
    pub cluster: i64,
    pub proc: i64,
    pub subproc: i64,
}

impl JobId {
    pub fn new(cluster: i64, proc: i64) -> JobId {
        JobId { cluster, proc, subproc: 0 }
    }
}

/// CPU time of a process in whole seconds, as the usage lines show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rusage {
    pub user_secs: i64,
    pub sys_secs: i64,
}

/// A number in the partitionable-resources table: integers and reals print differently.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageNum {
    Int(i64),
    Real(f64),
    /// A value read back from a log, kept exactly as it was printed (`0.00`, `45`).
    Shown(String),
}

/// One attribute of the usage ad behind the resources table, e.g.
/// `("CpusUsage", Real(0.5))`, `("RequestMemory", Int(100))`, `("Memory", Int(128))`.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageEntry {
    pub attr: String,
    pub value: UsageNum,
}

/// How a process ended, as the evicted-and-requeued event prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    pub normal: bool,
    pub return_value: i32,
    pub signal: i32,
    pub core_file: Option<String>,
}

/// One event of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: JobId,
    /// Seconds since the epoch.
    pub time: i64,
    pub body: EventBody,
}

/// What happened, with the details HTCondor records for it.
#[derive(Debug, Clone, PartialEq)]
pub enum EventBody {
    /// 000: `Job submitted from host: <addr>`, with optional log notes.
    Submit { host: String, notes: Option<String> },
    /// 001: `Job executing on host: <addr>`; `props` are `(attr, unparsed value)`
    /// pairs of the slot (Cpus, Memory, CondorScratchDir, …).
    Execute { host: String, slot_name: Option<String>, props: Vec<(String, String)> },
    /// 002: the executable could not be run.
    ExecutableError { kind: i32 },
    /// 004: evicted from the machine (preempted, held or removed while
    /// running), or — with `requeued` — the job exited but its
    /// `OnExitRemove` sent it back to the queue.
    Evicted {
        code: i32,
        subcode: i32,
        requeued: Option<Termination>,
        run_remote: Rusage,
        run_local: Rusage,
        sent_bytes: f64,
        recvd_bytes: f64,
        reason: Option<String>,
        usage: Vec<UsageEntry>,
    },
    /// 005: the job ended, normally (`return_value`) or by a signal.
    Terminated {
        normal: bool,
        return_value: i32,
        signal: i32,
        core_file: Option<String>,
        run_remote: Rusage,
        run_local: Rusage,
        total_remote: Rusage,
        total_local: Rusage,
        sent_bytes: f64,
        recvd_bytes: f64,
        total_sent_bytes: f64,
        total_recvd_bytes: f64,
        usage: Vec<UsageEntry>,
    },
    /// 006: image size and memory use of the running job.
    ImageSize { image_size_kb: i64, memory_usage_mb: Option<i64>, rss_kb: Option<i64>, pss_kb: Option<i64> },
    /// 009: removed (`condor_rm` or a policy); `reason` like `via condor_rm (by user alice)`.
    Aborted { reason: Option<String> },
    /// 010: suspended.
    Suspended { num_pids: i32 },
    /// 011: unsuspended.
    Unsuspended,
    /// 012: held, with `HoldReason`, `HoldReasonCode`, `HoldReasonSubCode`.
    Held { reason: Option<String>, code: i32, subcode: i32 },
    /// 013: released.
    Released { reason: Option<String> },
    /// 028: job ad information: `(attr, unparsed value)` pairs.
    JobAdInformation { attrs: Vec<(String, String)> },
    /// Any other event, kept as its number and raw text so a reader loses nothing.
    Other { number: u32, text: String },
}

impl EventBody {
    /// HTCondor's event number (`ULogEventNumber`).
    pub fn number(&self) -> u32 {
        match self {
            EventBody::Submit { .. } => 0,
            EventBody::Execute { .. } => 1,
            EventBody::ExecutableError { .. } => 2,
            EventBody::Evicted { .. } => 4,
            EventBody::Terminated { .. } => 5,
            EventBody::ImageSize { .. } => 6,
            EventBody::Aborted { .. } => 9,
            EventBody::Suspended { .. } => 10,
            EventBody::Unsuspended => 11,
            EventBody::Held { .. } => 12,
            EventBody::Released { .. } => 13,
            EventBody::JobAdInformation { .. } => 28,
            EventBody::Other { number, .. } => *number,
        }
    }
}
