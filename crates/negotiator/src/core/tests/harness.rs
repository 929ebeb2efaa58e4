//! A plan-recording harness for the core: tests describe the pool and the
//! schedds' requests as ads in old syntax, run cycles, and read what each
//! cycle decided from the recorded plans.

use classad::ClassAd;
use proto::negotiator::{Match, PriorityEdit, Rejection, ResourceRequest};
use proto::WireAd;

use crate::core::{CycleInput, Negotiator, Plan, ScheddRequests, Settings};

/// An ad in old syntax (`Attr = expr` lines) as it travels on the wire.
pub fn wire(text: &str) -> WireAd {
    let ad = ClassAd::parse_old(text).unwrap_or_else(|e| panic!("test ad does not parse: {e}\n{text}"));
    WireAd(ad.iter().map(|(n, e)| (n.to_string(), e.to_old_string())).collect())
}

/// A machine's unclaimed slot with the attributes a startd advertises.
pub fn slot(name: &str, kind: &str, cpus: i64, memory: i64, extra: &str) -> String {
    let machine = name.split('@').nth(1).unwrap_or("host");
    let partitionable = kind == "Partitionable";
    format!(
        "Name = \"{name}\"\nMachine = \"{machine}\"\nMyType = \"Machine\"\nMyAddress = \"unix:/pool/{machine}/startd.sock\"\n\
         State = \"Unclaimed\"\nActivity = \"Idle\"\nSlotType = \"{kind}\"\nPartitionableSlot = {partitionable}\n\
         Cpus = {cpus}\nMemory = {memory}\nDisk = 1000000\nArch = \"X86_64\"\nOpSys = \"LINUX\"\n\
         START = true\nRequirements = START\nRank = 0\nSlotID = 1\nSlotWeight = Cpus\n{extra}"
    )
}

/// A job ad as `condor_submit` writes one, with the usual `Requirements`.
pub fn job(owner: &str, cpus: i64, memory: i64, extra: &str) -> String {
    format!(
        "Owner = \"{owner}\"\nUser = \"{owner}@pool\"\nRequestCpus = {cpus}\nRequestMemory = {memory}\nRequestDisk = 1000\n\
         Requirements = (TARGET.Arch == \"X86_64\") && (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) && \
         (TARGET.Memory >= RequestMemory) && (TARGET.Cpus >= RequestCpus)\n{extra}"
    )
}

pub struct Harness {
    pub negotiator: Negotiator,
    pub slots: Vec<WireAd>,
    pub schedds: Vec<ScheddRequests>,
    pub now: f64,
    /// Every cycle run, with its input.
    pub recorded: Vec<(CycleInput, Plan)>,
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with(&[])
    }

    /// With configuration knobs set.
    pub fn with(knobs: &[(&str, &str)]) -> Harness {
        let knobs: Vec<(String, String)> = knobs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let settings = Settings::from_params(|k| knobs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .unwrap_or_else(|e| panic!("{e}"));
        Harness {
            negotiator: Negotiator::new("negotiator@pool", settings),
            slots: Vec::new(),
            schedds: Vec::new(),
            now: 1_700_000_000.0,
            recorded: Vec::new(),
        }
    }

    pub fn add_slot(&mut self, text: &str) -> &mut Harness {
        self.slots.push(wire(text));
        self
    }

    /// `n` identical static slots on one machine each.
    pub fn static_slots(&mut self, n: usize, cpus: i64, memory: i64, extra: &str) -> &mut Harness {
        for i in 0..n {
            let text = slot(&format!("slot1@host{i}"), "Static", cpus, memory, extra);
            self.add_slot(&text);
        }
        self
    }

    /// Replace attribute `attr` of the slot named `name` (the startd re-advertised).
    pub fn update_slot(&mut self, name: &str, attr: &str, expr: &str) {
        let quoted = format!("\"{name}\"");
        let ad = self.slots.iter_mut().find(|a| a.get("Name") == Some(quoted.as_str())).expect("slot exists");
        ad.set(attr, expr);
    }

    /// An autocluster of `count` jobs like `job_text` on schedd `schedd`.
    pub fn request(&mut self, schedd: &str, autocluster: u64, submitter: &str, count: u64, job_text: &str) -> &mut Harness {
        let idx = match self.schedds.iter().position(|s| s.name == schedd) {
            Some(i) => i,
            None => {
                self.schedds.push(ScheddRequests { name: schedd.to_string(), requests: Vec::new() });
                self.schedds.len() - 1
            }
        };
        self.schedds[idx].requests.push(ResourceRequest {
            autocluster,
            submitter: submitter.to_string(),
            count,
            ad: wire(job_text),
            job: None,
        });
        self
    }

    pub fn clear_requests(&mut self) {
        self.schedds.clear();
    }

    pub fn edit(&mut self, edit: PriorityEdit) {
        self.negotiator.on_priority_edit(&edit, self.now).unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn advance(&mut self, secs: f64) {
        self.now += secs;
    }

    /// Run one cycle and record it.
    pub fn cycle(&mut self) -> &Plan {
        let input = CycleInput { now: self.now, slots: self.slots.clone(), schedds: self.schedds.clone() };
        let plan = self.negotiator.on_cycle(input.clone());
        self.recorded.push((input, plan));
        &self.recorded.last().expect("just pushed").1
    }

    pub fn last(&self) -> &Plan {
        &self.recorded.last().expect("a cycle ran").1
    }

    /// Matches of the last cycle.
    pub fn matches(&self) -> Vec<&Match> {
        self.last().matches().map(|(_, m)| m).collect()
    }

    /// Jobs the last cycle matched for `submitter`.
    pub fn jobs_for(&self, submitter: &str) -> u64 {
        self.matches().iter().filter(|m| m.submitter == submitter).map(|m| m.jobs).sum()
    }

    /// Jobs the last cycle matched of autocluster `ac`.
    pub fn jobs_of(&self, ac: u64) -> u64 {
        self.matches().iter().filter(|m| m.autocluster == ac).map(|m| m.jobs).sum()
    }

    pub fn rejection(&self, ac: u64) -> Option<&Rejection> {
        self.last().schedds.iter().flat_map(|s| s.set.rejections.iter()).find(|r| r.autocluster == ac)
    }
}
