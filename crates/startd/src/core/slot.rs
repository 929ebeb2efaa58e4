//! Slots: their resources, HTCondor's states and activities, and the
//! machine ad each one advertises.

use classad::{ClassAd, Expr};
use proto::collector::quote;
use proto::WireAd;

use super::layout::Resources;

/// A slot's `State`, with HTCondor's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Owner,
    Unclaimed,
    Matched,
    Claimed,
    Preempting,
    Drained,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Owner => "Owner",
            State::Unclaimed => "Unclaimed",
            State::Matched => "Matched",
            State::Claimed => "Claimed",
            State::Preempting => "Preempting",
            State::Drained => "Drained",
        }
    }
}

/// A slot's `Activity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Idle,
    Busy,
    Suspended,
    Vacating,
    Killing,
}

impl Activity {
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Idle => "Idle",
            Activity::Busy => "Busy",
            Activity::Suspended => "Suspended",
            Activity::Vacating => "Vacating",
            Activity::Killing => "Killing",
        }
    }
}

/// What kind of slot it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Static,
    Partitionable,
    /// Carved from partitionable slot `parent` (its `id`).
    Dynamic { parent: u32 },
}

/// The running job a slot reports (`JobId`, `RemoteUser`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct JobInfo {
    pub job_id: String,
    pub global_job_id: Option<String>,
    pub user: Option<String>,
    pub owner: Option<String>,
    pub started: f64,
}

/// One slot.
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: u32,
    /// The dynamic slot's number (`slot1_3` → 3); 0 otherwise.
    pub sub: u32,
    pub type_id: u32,
    pub kind: Kind,
    /// Resources the slot has (a partitionable slot: what is left).
    pub res: Resources,
    /// A partitionable slot's resources before carving.
    pub total: Resources,
    pub state: State,
    pub activity: Activity,
    pub entered_state: f64,
    pub entered_activity: f64,
    pub claim: Option<String>,
    /// The public part of the claim id (`PublicClaimId`).
    pub public_claim: Option<String>,
    pub remote_schedd: Option<String>,
    pub job: Option<JobInfo>,
    pub next_sub: u32,
    pub job_starts: u64,
    /// When jobs started here (and, for a partitionable slot, on its
    /// dynamic slots) in the last [`RECENT_SECS`], for `RecentJobStarts`.
    pub recent_starts: std::collections::VecDeque<f64>,
}

/// The window of `RecentJobStarts` (HTCondor's 20 minutes).
pub const RECENT_SECS: f64 = 1200.0;

impl Slot {
    pub fn new(id: u32, type_id: u32, kind: Kind, res: Resources, now: f64) -> Slot {
        Slot {
            id,
            sub: 0,
            type_id,
            kind,
            res,
            total: res,
            state: State::Unclaimed,
            activity: Activity::Idle,
            entered_state: now,
            entered_activity: now,
            claim: None,
            public_claim: None,
            remote_schedd: None,
            job: None,
            next_sub: 1,
            job_starts: 0,
            recent_starts: std::collections::VecDeque::new(),
        }
    }

    /// `slot1` or `slot1_3`.
    pub fn short_name(&self) -> String {
        if self.sub > 0 {
            format!("slot{}_{}", self.id, self.sub)
        } else {
            format!("slot{}", self.id)
        }
    }

    /// `slot1_3@host`.
    pub fn name(&self, host: &str) -> String {
        format!("{}@{host}", self.short_name())
    }

    /// A job started at `t`.
    pub fn note_start(&mut self, t: f64) {
        self.job_starts += 1;
        self.recent_starts.push_back(t);
        while self.recent_starts.front().is_some_and(|s| *s < t - RECENT_SECS) {
            self.recent_starts.pop_front();
        }
    }

    pub fn set_state(&mut self, state: State, activity: Activity, now: f64) -> bool {
        let mut changed = false;
        if self.state != state {
            self.state = state;
            self.entered_state = now;
            changed = true;
        }
        if self.activity != activity {
            self.activity = activity;
            self.entered_activity = now;
            changed = true;
        }
        changed
    }
}

/// What every slot ad of this machine shares (detected facts, versions,
/// addresses), plus the policy expressions.
#[derive(Debug, Clone, Default)]
pub struct MachineFacts {
    pub host: String,
    /// Attributes copied into every slot ad, in order.
    pub common: WireAd,
    pub start: String,
    pub machine: Resources,
}

/// The requirement a slot puts on jobs: `START` and room for the request.
const WITHIN_LIMITS: &str = "(ifThenElse(TARGET.RequestCpus =!= undefined, MY.Cpus >= TARGET.RequestCpus, MY.Cpus > 0) && ifThenElse(TARGET.RequestMemory =!= undefined, MY.Memory >= TARGET.RequestMemory, true) && ifThenElse(TARGET.RequestDisk =!= undefined, MY.Disk >= TARGET.RequestDisk, true))";

fn int_list(v: &[i64]) -> String {
    format!("{{ {} }}", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))
}

fn str_list(v: &[&str]) -> String {
    format!("{{ {} }}", v.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", "))
}

fn num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        classad::unparse::format_real(f)
    }
}

/// The ad `slot` advertises. `children` are the dynamic slots of a
/// partitionable slot.
pub fn slot_ad(facts: &MachineFacts, slot: &Slot, children: &[&Slot], now: f64, load: f64) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("MyType", quote("Machine"));
    ad.set("TargetType", quote("Job"));
    ad.set("Name", quote(&slot.name(&facts.host)));
    ad.set("Machine", quote(&facts.host));
    for (k, v) in &facts.common.0 {
        ad.set(k, v.clone());
    }
    ad.set("SlotID", slot.id.to_string());
    ad.set("SlotTypeID", slot.type_id.to_string());
    let slot_type = match slot.kind {
        Kind::Static => "Static",
        Kind::Partitionable => "Partitionable",
        Kind::Dynamic { .. } => "Dynamic",
    };
    ad.set("SlotType", quote(slot_type));
    ad.set("PartitionableSlot", (slot.kind == Kind::Partitionable).to_string());
    ad.set("DynamicSlot", matches!(slot.kind, Kind::Dynamic { .. }).to_string());
    if let Kind::Dynamic { parent } = slot.kind {
        ad.set("DSlotId", slot.sub.to_string());
        ad.set("ParentSlotId", parent.to_string());
    }
    ad.set("Cpus", num(slot.res.cpus));
    ad.set("Memory", slot.res.memory_mb.to_string());
    ad.set("Disk", slot.res.disk_kb.to_string());
    ad.set("GPUs", "0");
    ad.set("TotalSlotCpus", num(slot.total.cpus));
    ad.set("TotalSlotMemory", slot.total.memory_mb.to_string());
    ad.set("TotalSlotDisk", slot.total.disk_kb.to_string());
    ad.set("TotalCpus", num(facts.machine.cpus));
    ad.set("TotalMemory", facts.machine.memory_mb.to_string());
    ad.set("TotalDisk", facts.machine.disk_kb.to_string());
    ad.set("MachineResources", quote("Cpus Memory Disk Swap GPUs"));
    ad.set("State", quote(slot.state.as_str()));
    ad.set("Activity", quote(slot.activity.as_str()));
    ad.set("EnteredCurrentState", (slot.entered_state as i64).to_string());
    ad.set("EnteredCurrentActivity", (slot.entered_activity as i64).to_string());
    ad.set("MyCurrentTime", (now as i64).to_string());
    let busy = slot.activity == Activity::Busy;
    ad.set("CondorLoadAvg", if busy { "1.0" } else { "0.0" });
    ad.set("TotalLoadAvg", classad::unparse::format_real(load));
    ad.set("LoadAvg", classad::unparse::format_real(if busy { load.max(0.0).min(slot.res.cpus.max(1.0)) } else { 0.0 }));
    ad.set("TotalCondorLoadAvg", classad::unparse::format_real(load));
    ad.set("KeyboardIdle", "0");
    ad.set("ConsoleIdle", "0");
    ad.set("Start", facts.start.clone());
    ad.set("WithinResourceLimits", WITHIN_LIMITS);
    ad.set("Requirements", "START && WithinResourceLimits");
    ad.set("Rank", "0.0");
    ad.set("CurrentRank", "0.0");
    ad.set("JobStarts", slot.job_starts.to_string());
    ad.set("RecentJobStarts", slot.recent_starts.iter().filter(|t| **t >= now - RECENT_SECS).count().to_string());
    ad.set("TotalSlotGpus", "0");
    if let Some(pc) = &slot.public_claim {
        ad.set("PublicClaimId", quote(pc));
    }
    if let Some(s) = &slot.remote_schedd {
        ad.set("RemoteScheddName", quote(s));
    }
    if let Some(job) = &slot.job {
        ad.set("JobId", quote(&job.job_id));
        if let Some(g) = &job.global_job_id {
            ad.set("GlobalJobId", quote(g));
        }
        if let Some(u) = &job.user {
            ad.set("RemoteUser", quote(u));
        }
        if let Some(o) = &job.owner {
            ad.set("RemoteOwner", quote(o));
        }
        ad.set("JobStart", (job.started as i64).to_string());
    }
    if slot.kind == Kind::Partitionable {
        ad.set("NumDynamicSlots", children.len().to_string());
        let cpus: Vec<String> = children.iter().map(|c| num(c.res.cpus)).collect();
        ad.set("ChildCpus", format!("{{ {} }}", cpus.join(", ")));
        ad.set("ChildMemory", int_list(&children.iter().map(|c| c.res.memory_mb).collect::<Vec<_>>()));
        ad.set("ChildDisk", int_list(&children.iter().map(|c| c.res.disk_kb).collect::<Vec<_>>()));
        ad.set("ChildState", str_list(&children.iter().map(|c| c.state.as_str()).collect::<Vec<_>>()));
        ad.set("ChildActivity", str_list(&children.iter().map(|c| c.activity.as_str()).collect::<Vec<_>>()));
        let users: Vec<&str> =
            children.iter().map(|c| c.job.as_ref().and_then(|j| j.user.as_deref()).unwrap_or("")).collect();
        ad.set("ChildRemoteUser", str_list(&users));
    }
    ad
}

/// Parse a wire ad into a ClassAd (attributes that do not parse are left
/// out and named in the error list).
pub fn to_classad(wire: &WireAd) -> (ClassAd, Vec<String>) {
    let mut ad = ClassAd::new();
    let mut bad = Vec::new();
    for (k, v) in &wire.0 {
        match Expr::parse_old(v) {
            Ok(e) => ad.insert(k, e),
            Err(e) => bad.push(format!("{k}: {e}")),
        }
    }
    (ad, bad)
}
