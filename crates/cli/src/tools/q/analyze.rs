//! `condor_q -analyze` / `-better-analyze`: why a job does (not) run.
//!
//! For each job: its `Requirements` pretty-printed and numbered step by
//! step, the job attributes and (with a single slot) the slot attributes
//! the expression reads, how many slots each deciding condition matches,
//! the run analysis summary (slots rejected by the job, slots rejecting
//! the job, slots willing to run it), and the last match or failed match
//! the schedd recorded. The slots are the collector's slot ads without
//! dynamic slots, compared with the job here, as HTCondor's `condor_q`
//! does; the layout and wording are HTCondor's.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use chrono::{Local, TimeZone};
use classad::{ClassAd, Expr, Value};

use super::clauses;
use super::render::int;

fn string(ad: &ClassAd, name: &str) -> Option<String> {
    match ad.eval_attr(name) {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

fn boolean(ad: &ClassAd, name: &str) -> Option<bool> {
    match ad.eval_attr(name) {
        Value::Bool(b) => Some(b),
        _ => None,
    }
}

/// `ad`'s `Requirements` holds against `target`.
fn constraint_match(ad: &ClassAd, target: &ClassAd) -> bool {
    classad::matchmaking::requirements_met(ad, target)
}

/// One slot ad, or a drained copy of a partitionable slot.
struct SlotRec {
    ad: Arc<ClassAd>,
    /// Dynamic slot id (> 0 for a dynamic slot); for a partitionable slot
    /// with a drained copy, minus the copy's index; for the copy, minus
    /// the original's index.
    sub_id: i64,
    group: usize,
    overlay: bool,
}

/// The slot ads as `condor_q` keeps them for analysis.
pub struct Slots {
    all: Vec<SlotRec>,
    /// Indexes of the fetched ads (not the drained copies), sorted by machine, slot id and name.
    by_key: Vec<usize>,
    groups: usize,
    num_dynamic: usize,
    num_pslots: usize,
}

impl Slots {
    /// The slot ads as the collector answered them (dynamic slots excluded).
    pub fn new(ads: Vec<ClassAd>) -> Slots {
        let mut all = Vec::with_capacity(ads.len());
        let mut keys: Vec<(String, usize)> = Vec::with_capacity(ads.len());
        let mut group_of: HashMap<String, usize> = HashMap::new();
        let (mut num_dynamic, mut num_pslots) = (0, 0);
        for (seq, ad) in ads.into_iter().enumerate() {
            let machine = string(&ad, "Machine").unwrap_or_default();
            let slot_id = int(&ad, "SlotID").unwrap_or(0);
            let mut key = format!("{machine}/{slot_id:03}");
            let dslot = int(&ad, "DSlotId");
            match dslot {
                Some(d) => {
                    key.push_str(&format!(".{d:03}"));
                    num_dynamic += 1;
                }
                None => {
                    if boolean(&ad, "PartitionableSlot") == Some(true) {
                        num_pslots += 1;
                    }
                }
            }
            if let Some(n) = string(&ad, "Name") {
                key.push('/');
                key.push_str(&n);
            }
            key.push_str(&format!("/{:010}", seq + 1));
            let n = group_of.len();
            let group = *group_of.entry(machine).or_insert(n);
            keys.push((key, all.len()));
            all.push(SlotRec { ad: Arc::new(ad), sub_id: dslot.unwrap_or(0), group, overlay: false });
        }
        keys.sort();
        Slots { all, by_key: keys.into_iter().map(|(_, i)| i).collect(), groups: group_of.len(), num_dynamic, num_pslots }
    }

    fn overlays(&self) -> usize {
        self.all.iter().filter(|s| s.overlay).count()
    }
}

/// How the slots judged one job (HTCondor's analysis counters).
#[derive(Default, Debug)]
struct Counters {
    req_constraint: u64,
    off_constraint: u64,
    offline: u64,
    available_now: u64,
    available_if_drained: u64,
    job_matches_slot: u64,
    both_match: u64,
    total_slots: u64,
    slots_running_jobs: u64,
    slots_running_your_jobs: u64,
    unique_machines: u64,
}

/// Which slots take part: 2 skips dynamic slots (partitionable slots are
/// judged whole), 1 takes every slot.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MatchMode {
    Always,
    Pslot,
}

/// A partitionable slot restored to its full size (what it could offer once drained).
fn drained_copy(slot: &Arc<ClassAd>) -> Option<ClassAd> {
    let list = string(slot, "MachineResources").unwrap_or_else(|| "Cpus Memory Disk".to_string());
    let mut over = ClassAd::new();
    for tag in list.split([' ', ',']).filter(|s| !s.is_empty()) {
        if let Ok(e) = Expr::parse_old(&format!("TotalSlot{tag}")) {
            over.insert(tag, e);
        }
    }
    if over.is_empty() {
        return None;
    }
    over.chain_to(slot.clone());
    Some(over)
}

fn within_limits(slot: &ClassAd, job: &ClassAd) -> Option<bool> {
    let e = slot.get("WithinResourceLimits")?;
    classad::ops::bool_equiv(&slot.eval_expr(e, Some(job)))
}

/// Judge the job against every slot; fills the counters and the job's
/// status text. True when some slot rejects the job by its requirements
/// (so the clause analysis is worth showing).
fn run_analysis(job: &ClassAd, slots: &mut Slots, mode: MatchMode, status: &mut String, ac: &mut Counters) -> bool {
    status.clear();
    if string(job, "Owner").is_none() {
        status.push_str("Nothing here.");
        return false;
    }
    let user = string(job, "User").unwrap_or_default();
    let st = int(job, "JobStatus").unwrap_or(0);
    let cool_down = int(job, "JobCoolDownExpiration").unwrap_or(0);
    let server_time = int(job, "ServerTime").unwrap_or_else(|| chrono::Utc::now().timestamp());
    if matches!(st, 2 | 6 | 7) {
        status.push_str("Job is running.");
    }
    if st == 5 {
        status.push_str("Job is held.");
        if let Some(r) = string(job, "HoldReason").filter(|r| !r.is_empty()) {
            status.push_str("\n\nHold reason: ");
            status.push_str(&r);
        }
    }
    if st == 3 {
        status.push_str("Job is removed.");
    }
    if st == 4 {
        status.push_str("Job is completed.");
    }
    if st == 1 && cool_down > server_time {
        status.push_str("Job is in cool down.");
    }
    let universe = int(job, "JobUniverse").unwrap_or(5);
    if universe == 7 || universe == 12 {
        // Scheduler and local universe jobs run on the access point itself.
        if !status.is_empty() {
            status.push_str("\n\n");
        }
        status.push_str("WARNING: A schedd ClassAd is needed to do analysis for scheduler or Local universe jobs.\n");
        return false;
    }
    let mut seen_groups = vec![false; slots.groups];
    let mut needed = 0u64;
    let keys = slots.by_key.clone();
    for index in keys {
        let (ad, group) = (slots.all[index].ad.clone(), slots.all[index].group);
        let is_pslot = boolean(&ad, "PartitionableSlot").unwrap_or(false);
        let is_dslot = !is_pslot && boolean(&ad, "DynamicSlot").unwrap_or(false);
        if !seen_groups[group] {
            seen_groups[group] = true;
            ac.unique_machines += 1;
        }
        if is_dslot && mode == MatchMode::Pslot {
            continue;
        }
        let mut offer: Arc<ClassAd> = ad.clone();
        let mut fits = true;
        if is_pslot && mode == MatchMode::Pslot && within_limits(&ad, job) == Some(false) {
            fits = false;
            if let Some(over) = drained_copy(&ad) {
                if within_limits(&over, job) != Some(false) {
                    let over = Arc::new(over);
                    let at = slots.all.len();
                    slots.all.push(SlotRec { ad: over.clone(), sub_id: -(index as i64), group, overlay: true });
                    slots.all[index].sub_id = -(at as i64);
                    offer = over;
                }
            }
        }
        ac.total_slots += 1;
        if !constraint_match(job, &offer) {
            ac.req_constraint += 1;
            needed += 1;
            continue;
        }
        ac.job_matches_slot += 1;
        if !constraint_match(&offer, job) {
            ac.off_constraint += 1;
            continue;
        }
        ac.both_match += 1;
        if boolean(&offer, "Offline") == Some(true) {
            ac.offline += 1;
        }
        match string(&offer, "RemoteUser") {
            None => {
                if fits {
                    ac.available_now += 1;
                } else {
                    ac.available_if_drained += 1;
                }
            }
            Some(remote) => {
                ac.slots_running_jobs += 1;
                if remote == user {
                    ac.slots_running_your_jobs += 1;
                }
            }
        }
    }
    needed > 0
}

/// `ctime()` without its newline: `Wed Nov 25 10:48:07 2026`, local time.
fn ctime(t: i64) -> String {
    match Local.timestamp_opt(t, 0).single() {
        Some(d) => d.format("%a %b %e %H:%M:%S %Y").to_string(),
        None => String::new(),
    }
}

/// The attributes of the job an expression reads, as `Name = expr` lines
/// (RequestDisk and RequestMemory with their units).
fn referenced_job_attrs(job: &ClassAd, attr: &str, out: &mut String) -> Vec<String> {
    let Some(e) = job.get(attr) else { return Vec::new() };
    let mut internal = job.internal_refs(e);
    internal.retain(|n| !n.eq_ignore_ascii_case(attr));
    for name in &internal {
        let Some(v) = job.get(name) else { continue };
        let _ = write!(out, "    {name} = {}", v.to_old_string());
        if name == "RequestDisk" {
            out.push_str(" (kb)");
        }
        if name == "RequestMemory" {
            out.push_str(" (mb)");
        }
        out.push('\n');
    }
    let mut external = job.external_refs(e);
    if external.iter().any(|n| n == "AvailableGPUs") && !external.iter().any(|n| n == "GPUs") {
        external.push("GPUs".to_string());
        external.sort_by_key(|n| n.to_ascii_lowercase());
    }
    external
}

/// `    TARGET.Name = value` lines for the attributes the job reads that the slot has.
fn target_attrs(trefs: &[String], job: &ClassAd, slot: &ClassAd) -> String {
    let mut out = String::new();
    for name in trefs {
        if slot.get(name).is_none() {
            continue;
        }
        // Evaluated as HTCondor's print mask does: in the job, the slot as its target.
        let v = job.eval_expr(&Expr::attr(name), Some(slot));
        let _ = write!(out, "    TARGET.{name} = {}", clauses::value_v(&v));
        if name == "Disk" {
            out.push_str(" (kb)");
        }
        if name == "Memory" {
            out.push_str(" (mb)");
        }
        out.push('\n');
    }
    out
}

fn slot_name(slot: &ClassAd) -> String {
    if let Some(n) = string(slot, "Name") {
        return n;
    }
    match (int(slot, "ClusterId"), int(slot, "ProcId")) {
        (Some(c), p) => format!("Job {c}.{}", p.unwrap_or(0)),
        _ => "Target".to_string(),
    }
}

/// The requirements section: the expression, its steps, the attributes it
/// reads, and the conditions it reduces to with their slot counts.
fn match_analysis(job: &ClassAd, slots: &Slots, each_clause: bool, mode: MatchMode, width: usize) -> String {
    let mut out = String::new();
    let id = format!("{}.{:03}", int(job, "ClusterId").unwrap_or(0), int(job, "ProcId").unwrap_or(0));
    let c_slots = slots.all.len();
    let skip_dslots = c_slots > 1 && mode == MatchMode::Pslot;
    if let Some(req) = job.get("Requirements") {
        let _ = write!(out, "The Requirements expression for job {id} is\n\n    ");
        out.push_str(&clauses::pretty_print(req, 4, width));
        out.push_str("\n\n");
        out.push_str(&clauses::numbered_steps(job, "Requirements"));
        out.push('\n');
    }
    if each_clause {
        let _ = write!(out, "Job {id} defines the following attributes:\n\n");
        let trefs = referenced_job_attrs(job, "Requirements", &mut out);
        if c_slots == 1 {
            for &index in &slots.by_key {
                let rec = &slots.all[index];
                if skip_dslots && rec.sub_id > 0 {
                    continue;
                }
                let text = target_attrs(&trefs, job, &rec.ad);
                if !text.is_empty() {
                    let _ = write!(out, "\n{} has the following attributes:\n\n{text}", slot_name(&rec.ad));
                }
                if rec.sub_id < 0 {
                    if let Some(drained) = slots.all.get((-rec.sub_id) as usize) {
                        let text = target_attrs(&trefs, job, &drained.ad);
                        if !text.is_empty() {
                            let _ = write!(out, "\n{} has the following attributes when drained:\n\n{text}", slot_name(&drained.ad));
                        }
                    }
                }
            }
        }
        out.push('\n');
        let with_overlays = slots.overlays() > 0;
        let targets: Vec<&ClassAd> = slots
            .all
            .iter()
            .filter(|s| !(skip_dslots && s.sub_id > 0))
            .filter(|s| with_overlays || !s.overlay)
            .map(|s| s.ad.as_ref())
            .collect();
        let _ = write!(out, "The Requirements expression for job {id} reduces to these conditions:\n\n");
        if with_overlays {
            let drained: Vec<bool> = slots
                .all
                .iter()
                .filter(|s| !(skip_dslots && s.sub_id > 0))
                .map(|s| s.overlay)
                .collect();
            out.push_str(&clauses::reduced_conditions_drained(job, "Requirements", &targets, &drained));
        } else {
            out.push_str(&clauses::reduced_conditions(job, "Requirements", &targets, "Slot"));
        }
    }
    match int(job, "JobUniverse").unwrap_or(0) {
        5 | 10 | 11 | 13 => {}
        9 => {
            if !string(job, "GridResource").unwrap_or_default().contains("$$") {
                out.push_str("\nWARNING: Analysis is only meaningful for Grid universe jobs using matchmaking.\n");
            }
        }
        8 => out.push_str("\nWARNING: Analysis is meaningless for MPI universe jobs.\n"),
        7 | 12 => out.push_str("\nWARNING: Analysis is not complete for Scheduler or Local universe jobs.\n"),
        _ => out.push_str("\nWARNING: Job universe unknown.  Analysis may not be meaningful.\n"),
    }
    out
}

fn totals(job: &ClassAd, ac: &Counters) -> String {
    let mut out = String::new();
    let (c, p) = (int(job, "ClusterId").unwrap_or(0), int(job, "ProcId").unwrap_or(0));
    let _ = writeln!(
        out,
        "\n{c:03}.{p:03}:  Run analysis summary ignoring user priority.  Of {} slots on {} machines,",
        ac.total_slots, ac.unique_machines
    );
    let _ = writeln!(out, "  {:5} slots are rejected by your job's requirements", ac.req_constraint);
    let _ = writeln!(out, "  {:5} slots reject your job because of their own requirements", ac.off_constraint);
    if ac.slots_running_your_jobs > 0 {
        let _ = writeln!(out, "  {:5} slots match and are already running your jobs", ac.slots_running_your_jobs);
    }
    if ac.slots_running_jobs > 0 {
        let _ = writeln!(out, "  {:5} slots match but are serving other users", ac.slots_running_jobs - ac.slots_running_your_jobs);
    }
    if ac.offline > 0 {
        let _ = writeln!(out, "  {:5} slots match but are currently offline", ac.offline);
    }
    let _ = writeln!(out, "  {:5} slots match and are willing to run your job", ac.available_now);
    if ac.available_if_drained > 0 {
        let _ = writeln!(out, "  {:5} slots would match if drained", ac.available_if_drained);
    }
    if ac.job_matches_slot == 0 || ac.both_match == 0 {
        out.push_str("\nWARNING:  Be advised:\n");
        if ac.job_matches_slot == 0 {
            out.push_str("   No machines matched the job's constraints\n");
        } else {
            out.push_str(
                "   Job did not match any machines' constraints\n   To see why, pick a machine that you think should match and add\n     -reverse -machine <name>\n   to your query.\n",
            );
        }
    }
    out
}

/// The job's status and the last (failed) match the schedd recorded.
fn basic(job: &ClassAd, status: &str) -> String {
    let mut out = String::new();
    let (c, p) = (int(job, "ClusterId").unwrap_or(0), int(job, "ProcId").unwrap_or(0));
    if !status.is_empty() {
        let _ = write!(out, "\n{c:03}.{p:03}:  {status}\n\n");
    }
    let last_match = int(job, "LastMatchTime").unwrap_or(0);
    let last_rej = int(job, "LastRejMatchTime").unwrap_or(0);
    if last_match != 0 {
        let _ = writeln!(out, "Last successful match: {}", ctime(last_match));
    } else if last_rej != 0 {
        out.push_str("No successful match recorded.\n");
    }
    if last_rej > last_match {
        let _ = write!(out, "Last failed match: {}", ctime(last_rej));
        if let Some(n) = string(job, "LastRejMatchNegotiator").filter(|n| !n.is_empty()) {
            let _ = write!(out, " from {n}");
        }
        out.push('\n');
        if let Some(r) = string(job, "LastRejMatchReason") {
            let _ = writeln!(out, "Reason for last match failure: {r}");
        }
    }
    out
}

/// Everything `condor_q -analyze`/`-better-analyze` prints for `jobs`
/// (in id order) from one schedd: the `-- Schedd: NAME : ADDR` banner,
/// then each job's analysis.
pub fn render(jobs: &[ClassAd], slots: &mut Slots, source_label: &str, better: bool) -> String {
    let width = super::render::display_width().max(1) as usize;
    let mode = if slots.num_dynamic > 1 && slots.num_pslots == 0 { MatchMode::Always } else { MatchMode::Pslot };
    let mut out = format!("\n\n-- {source_label}\n");
    for job in jobs {
        let mut status = String::new();
        let mut ac = Counters::default();
        let needed = run_analysis(job, slots, mode, &mut status, &mut ac);
        if needed || better {
            out.push_str(&match_analysis(job, slots, true, mode, width));
            out.push('\n');
        }
        if ac.total_slots > 0 {
            out.push_str(&totals(job, &ac));
        }
        out.push('\n');
        out.push_str(&basic(job, &status));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQ: &str = "(Memory > 100000000) && (TARGET.Arch == \"X86_64\") && (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer))";

    /// The job and slot of `shared/reference/golden/25-q_better.txt`.
    fn golden_case() -> (ClassAd, Vec<ClassAd>) {
        let job = ClassAd::parse_old(&format!(
            "ClusterId = 3\nProcId = 0\nOwner = \"condoruser\"\nUser = \"condoruser@localdomain\"\nJobStatus = 1\nJobUniverse = 5\n\
             DiskUsage = 35\nFileSystemDomain = \"localdomain\"\nImageSize = 35\nRequestCpus = 1\nRequestDisk = DiskUsage\n\
             RequestMemory = ifthenelse(MemoryUsage =!= undefined,MemoryUsage,(ImageSize + 1023) / 1024)\n\
             LastRejMatchTime = 1795603687\nLastRejMatchNegotiator = \"condoruser@vm\"\nLastRejMatchReason = \"no match found\"\n\
             Requirements = {REQ}"
        ))
        .unwrap();
        let slot = ClassAd::parse_old(
            "Name = \"slot1@vm\"\nMachine = \"vm\"\nSlotID = 1\nPartitionableSlot = true\nArch = \"X86_64\"\nOpSys = \"LINUX\"\n\
             Disk = 80463580\nFileSystemDomain = \"localdomain\"\nHasFileTransfer = true\nMemory = 23721\nCpus = 1\n\
             Requirements = START && WithinResourceLimits\nSTART = true\n\
             WithinResourceLimits = MY.Cpus >= TARGET.RequestCpus && MY.Memory >= TARGET.RequestMemory",
        )
        .unwrap();
        (job, vec![slot])
    }

    fn golden_stdout() -> Option<String> {
        let shared = std::env::var("AERIE_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let text = std::fs::read_to_string(shared.join("reference/golden/25-q_better.txt")).ok()?;
        Some(text.split("# ---- stdout ----\n").nth(1)?.split("# ---- stderr ----").next()?.to_string())
    }

    #[test]
    fn better_analyze_of_a_job_no_slot_can_run_matches_htcondor_byte_for_byte() {
        std::env::set_var("TZ", "UTC");
        let Some(want) = golden_stdout() else {
            eprintln!("skipped: shared/reference/golden/25-q_better.txt not found");
            return;
        };
        let (job, slots) = golden_case();
        let mut slots = Slots::new(slots);
        let got = render(&[job], &mut slots, "Schedd: condoruser@vm : <127.0.0.1:40601?...", true);
        assert_eq!(got, want);
    }

    #[test]
    fn a_busy_partitionable_slot_counts_as_a_match_if_drained() {
        let (job, mut slots) = golden_case();
        let mut job = job;
        job.insert("Requirements", Expr::parse_old("TARGET.Arch == \"X86_64\"").unwrap());
        job.insert("RequestCpus", Expr::parse_old("4").unwrap());
        slots[0].insert("TotalSlotCpus", Expr::parse_old("4").unwrap());
        slots[0].insert("MachineResources", Expr::parse_old("\"Cpus\"").unwrap());
        let mut slots = Slots::new(slots);
        let got = render(&[job], &mut slots, "Schedd: s : <a>", true);
        assert!(got.contains("      1 slots would match if drained\n"), "{got}");
        assert!(got.contains("      0 slots match and are willing to run your job\n"), "{got}");
        assert!(got.contains("  Slots      If    \nStep   Matched   Drained  Condition\n----- --------- --------- ---------\n"), "{got}");
    }

    #[test]
    fn a_running_job_reports_its_last_match() {
        std::env::set_var("TZ", "UTC");
        let (mut job, slots) = golden_case();
        job.insert("JobStatus", Expr::parse_old("2").unwrap());
        job.insert("LastMatchTime", Expr::parse_old("1795603667").unwrap());
        job.insert("LastRejMatchTime", Expr::parse_old("1795603600").unwrap());
        let mut slots = Slots::new(slots);
        let got = render(&[job], &mut slots, "Schedd: s : <a>", false);
        assert!(got.ends_with("\n003.000:  Job is running.\n\nLast successful match: Wed Nov 25 10:47:47 2026\n"), "{got}");
    }
}
