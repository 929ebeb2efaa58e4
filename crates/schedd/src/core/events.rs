//! Building the user-log events the schedd writes, from job and slot ads,
//! with the details HTCondor puts in them.

use classad::ClassAd;
use eventlog::{Event, EventBody, Rusage, Termination, UsageEntry, UsageNum};
use proto::JobId;

use super::ads::AdExt;

fn id(j: JobId) -> eventlog::JobId {
    eventlog::JobId::new(j.cluster, j.proc)
}

/// What one run used, for the terminated and evicted events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunUsage {
    pub user_cpu: f64,
    pub sys_cpu: f64,
    pub wall: f64,
    /// Totals over every run of the job (this one included).
    pub total_user_cpu: f64,
    pub total_sys_cpu: f64,
    /// `MemoryUsage` in MB, `DiskUsage` in KB, `CpusUsage`, if reported.
    pub memory_mb: Option<i64>,
    pub disk_kb: Option<i64>,
    pub cpus_usage: Option<f64>,
}

fn rusage(user: f64, sys: f64) -> Rusage {
    Rusage { user_secs: user.max(0.0) as i64, sys_secs: sys.max(0.0) as i64 }
}

pub fn submitted(job: JobId, now: i64, host: &str) -> Event {
    Event { id: id(job), time: now, body: EventBody::Submit { host: host.to_string(), notes: None } }
}

/// 001: the slot's name and resources as the execute event lists them.
pub fn executing(job: JobId, now: i64, host: &str, slot_name: &str, slot: Option<&ClassAd>) -> Event {
    let mut props = Vec::new();
    if let Some(s) = slot {
        for attr in ["CondorScratchDir", "Cpus", "Disk", "GPUs", "Memory"] {
            if let Some(e) = s.get(attr) {
                props.push((attr.to_string(), e.to_old_string()));
            }
        }
    }
    Event {
        id: id(job),
        time: now,
        body: EventBody::Execute { host: host.to_string(), slot_name: Some(slot_name.to_string()), props },
    }
}

pub fn image_size(job: JobId, now: i64, image_kb: i64, memory_mb: Option<i64>, rss_kb: Option<i64>) -> Event {
    Event {
        id: id(job),
        time: now,
        body: EventBody::ImageSize { image_size_kb: image_kb, memory_usage_mb: memory_mb, rss_kb, pss_kb: None },
    }
}

/// The `Partitionable Resources` table: usage, request and allocation of
/// cpus, disk, GPUs and memory, and how long the job ran.
pub fn usage_table(job: &ClassAd, slot: Option<&ClassAd>, u: &RunUsage) -> Vec<UsageEntry> {
    let mut out = Vec::new();
    let mut push = |attr: &str, v: UsageNum| out.push(UsageEntry { attr: attr.to_string(), value: v });
    let alloc = |name: &str| slot.and_then(|s| s.int(name));
    if let Some(c) = u.cpus_usage {
        push("CpusUsage", UsageNum::Real(c));
    }
    if let Some(r) = job.int("RequestCpus") {
        push("RequestCpus", UsageNum::Int(r));
    }
    if let Some(a) = alloc("Cpus") {
        push("Cpus", UsageNum::Int(a));
    }
    if let Some(d) = u.disk_kb {
        push("DiskUsage", UsageNum::Int(d));
    }
    if let Some(r) = job.int("RequestDisk") {
        push("RequestDisk", UsageNum::Int(r));
    }
    if let Some(a) = alloc("Disk") {
        push("Disk", UsageNum::Int(a));
    }
    if let Some(r) = job.int("RequestGPUs").filter(|r| *r > 0) {
        push("RequestGPUs", UsageNum::Int(r));
    }
    if let Some(a) = alloc("GPUs") {
        push("GPUs", UsageNum::Int(a));
    }
    if let Some(m) = u.memory_mb {
        push("MemoryUsage", UsageNum::Int(m));
    }
    if let Some(r) = job.int("RequestMemory") {
        push("RequestMemory", UsageNum::Int(r));
    }
    if let Some(a) = alloc("Memory") {
        push("Memory", UsageNum::Int(a));
    }
    push("TimeExecuteUsage", UsageNum::Int(u.wall.max(0.0).round() as i64));
    push("TimeSlotBusyUsage", UsageNum::Int(u.wall.max(0.0).round() as i64));
    out
}

/// 005: the job ran to its end.
pub fn terminated(
    job: JobId,
    now: i64,
    exit_code: Option<i32>,
    signal: Option<i32>,
    u: &RunUsage,
    table: Vec<UsageEntry>,
) -> Event {
    let normal = exit_code.is_some();
    Event {
        id: id(job),
        time: now,
        body: EventBody::Terminated {
            normal,
            return_value: exit_code.unwrap_or(0),
            signal: signal.unwrap_or(0),
            core_file: None,
            run_remote: rusage(u.user_cpu, u.sys_cpu),
            run_local: Rusage::default(),
            total_remote: rusage(u.total_user_cpu, u.total_sys_cpu),
            total_local: Rusage::default(),
            sent_bytes: 0.0,
            recvd_bytes: 0.0,
            total_sent_bytes: 0.0,
            total_recvd_bytes: 0.0,
            usage: table,
        },
    }
}

/// 004: the job was stopped (code 1009 "Claim deactivated" when the schedd
/// asked), or — with `requeued` — it exited and its policy sent it back.
pub fn evicted(
    job: JobId,
    now: i64,
    code: i32,
    reason: Option<String>,
    requeued: Option<(Option<i32>, Option<i32>)>,
    u: &RunUsage,
    table: Vec<UsageEntry>,
) -> Event {
    let requeued = requeued.map(|(code, sig)| Termination {
        normal: code.is_some(),
        return_value: code.unwrap_or(0),
        signal: sig.unwrap_or(0),
        core_file: None,
    });
    Event {
        id: id(job),
        time: now,
        body: EventBody::Evicted {
            code,
            subcode: 0,
            requeued,
            run_remote: rusage(u.user_cpu, u.sys_cpu),
            run_local: Rusage::default(),
            sent_bytes: 0.0,
            recvd_bytes: 0.0,
            reason,
            usage: table,
        },
    }
}

pub fn aborted(job: JobId, now: i64, reason: &str) -> Event {
    Event { id: id(job), time: now, body: EventBody::Aborted { reason: Some(reason.to_string()) } }
}

pub fn held(job: JobId, now: i64, reason: &str, code: i64, subcode: i64) -> Event {
    Event {
        id: id(job),
        time: now,
        body: EventBody::Held { reason: Some(reason.to_string()), code: code as i32, subcode: subcode as i32 },
    }
}

pub fn released(job: JobId, now: i64, reason: &str) -> Event {
    Event { id: id(job), time: now, body: EventBody::Released { reason: Some(reason.to_string()) } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventlog::format::{format_event, TimeFormat};

    #[test]
    fn terminated_event_reads_like_htcondor_s() {
        let job = ClassAd::parse_old("RequestCpus = 1\nRequestDisk = 45\nRequestMemory = 1").unwrap();
        let slot = ClassAd::parse_old("Cpus = 1\nDisk = 2048\nGPUs = 0\nMemory = 128").unwrap();
        let u = RunUsage { memory_mb: Some(6), disk_kb: Some(45), ..Default::default() };
        let ev = terminated(JobId { cluster: 1, proc: 0 }, 0, Some(0), None, &u, usage_table(&job, Some(&slot), &u));
        let text = format_event(&ev, TimeFormat::IsoUtc);
        let expected = "005 (001.000.000) 1970-01-01 00:00:00Z Job terminated.
	(1) Normal termination (return value 0)
		Usr 0 00:00:00, Sys 0 00:00:00  -  Run Remote Usage
		Usr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage
		Usr 0 00:00:00, Sys 0 00:00:00  -  Total Remote Usage
		Usr 0 00:00:00, Sys 0 00:00:00  -  Total Local Usage
	0  -  Run Bytes Sent By Job
	0  -  Run Bytes Received By Job
	0  -  Total Bytes Sent By Job
	0  -  Total Bytes Received By Job
	Partitionable Resources :    Usage  Request Allocated 
	   Cpus                 :                 1         1 
	   Disk (KB)            :       45       45      2048 
	   GPUs                 :                           0 
	   Memory (MB)          :        6        1       128 
	   TimeExecute (s)      :        0                    
	   TimeSlotBusy (s)     :        0                    
...
";
        assert_eq!(text, expected);
    }

    #[test]
    fn execute_event_lists_slot_resources() {
        let slot = ClassAd::parse_old("Cpus = 1\nDisk = 2048\nGPUs = 0\nMemory = 128\nName = \"slot1_1@vm\"").unwrap();
        let ev = executing(JobId { cluster: 1, proc: 0 }, 0, "<127.0.0.1:1>", "slot1_1@vm", Some(&slot));
        let text = format_event(&ev, TimeFormat::IsoUtc);
        assert_eq!(
            text,
            "001 (001.000.000) 1970-01-01 00:00:00Z Job executing on host: <127.0.0.1:1>\n\tSlotName: slot1_1@vm\n\
             \tCpus = 1\n\tDisk = 2048\n\tGPUs = 0\n\tMemory = 128\n...\n"
        );
    }
}
