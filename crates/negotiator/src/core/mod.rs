//! The negotiator's decisions, as plain functions of their inputs.
//!
//! [`Negotiator::on_cycle`] takes one cycle's input — the slot ads the
//! collector gave, the autoclusters each schedd asked for, the time — and
//! returns a [`Plan`]: for each schedd, the matches it gets and the
//! rejections of what stayed idle. The negotiator's own state between
//! cycles is the fair-share accountant and the matches the collector does
//! not show yet. Nothing here does I/O, sleeps or reads a clock.
//!
//! Data flow of a cycle:
//!
//! ```text
//! slot ads ──intern──▶ pool (slots → rbases/mbases → states)
//! requests ──intern──▶ autoclusters → shapes
//!        (the names matchmaking reads decide what "identical" means)
//! held matches ──▶ slots taken out / charged
//! accountant: age priorities, charge what slots are claimed by
//! pie spins ──▶ submitters in priority order ──▶ autocluster × states
//!        (evaluations cached per shape × state; slots handed out in bulk,
//!         partitionable slots carved arithmetically)
//! leftovers ──▶ rejections with per-condition counts
//! ──▶ Plan (per schedd: MatchSet)
//! ```

pub mod accountant;
mod analysis;
mod demand;
mod fairshare;
mod hash;
mod ingest;
mod intern;
mod matcher;
mod pool;
pub mod reservations;
pub mod settings;
pub mod wakeup;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use proto::collector::{addresses, unquote};
use proto::negotiator::{Match, MatchSet, Priorities, PriorityEdit, ResourceRequest};
use proto::WireAd;

pub use accountant::{Accountant, EditError};
pub use settings::{Settings, SettingsError};
pub use wakeup::{Wake, Wakeup};

use pool::{Kind, Pool};
use reservations::{fingerprint, Held, Reservations};

/// One schedd's answer to the request for resource requests.
#[derive(Debug, Clone, Default)]
pub struct ScheddRequests {
    pub name: String,
    pub requests: Vec<ResourceRequest>,
}

/// Everything one cycle decides on.
#[derive(Debug, Clone, Default)]
pub struct CycleInput {
    /// Seconds since the epoch.
    pub now: f64,
    /// Slot ads (`MyType == "Machine"`), claimed ones included.
    pub slots: Vec<WireAd>,
    pub schedds: Vec<ScheddRequests>,
}

/// What one schedd gets.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheddPlan {
    /// Index into [`CycleInput::schedds`].
    pub schedd: usize,
    pub name: String,
    pub set: MatchSet,
}

/// Counts describing a cycle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanStats {
    pub slots: usize,
    /// Unclaimed slots that could take jobs at the start of the cycle.
    pub available_slots: usize,
    /// Groups of interchangeable slots (states) and of alike jobs (shapes).
    pub states: usize,
    pub shapes: usize,
    pub autoclusters: usize,
    pub idle_jobs: u64,
    pub matched_jobs: u64,
    /// Match records (a partitionable slot taking 8 jobs is one).
    pub matches: usize,
    /// Expressions evaluated.
    pub evaluations: u64,
    /// Spins of the fair-share pie.
    pub spins: u32,
    /// Matches still held from earlier cycles.
    pub held: usize,
    /// Problems with the input (unparsable expressions, nameless slots).
    pub problems: Vec<String>,
}

/// The result of a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub cycle: u64,
    /// One per schedd that sent requests, in input order.
    pub schedds: Vec<ScheddPlan>,
    pub stats: PlanStats,
}

impl Plan {
    /// Every match of the cycle, with the index of its schedd.
    pub fn matches(&self) -> impl Iterator<Item = (usize, &Match)> {
        self.schedds.iter().flat_map(|s| s.set.matches.iter().map(move |m| (s.schedd, m)))
    }
}

/// A cycle whose slot ads are read, waiting for the schedds' requests.
pub struct Prepared {
    pool: Pool,
    slots: Vec<WireAd>,
    now: f64,
    charges: Vec<(String, (u64, f64))>,
    significant: Vec<String>,
}

impl Prepared {
    /// Job attributes the slots' `Requirements`, `START` and `Rank` read
    /// (names no slot defines): what schedds must autocluster by.
    pub fn significant_attributes(&self) -> &[String] {
        &self.significant
    }

    /// Slot ads read (those without a `Name` are left out).
    pub fn slots(&self) -> usize {
        self.pool.slots.len()
    }

    /// Problems found in the slot ads so far.
    pub fn problems(&self) -> &[String] {
        &self.pool.problems
    }
}

/// The negotiator: settings, accountant and held matches between cycles.
#[derive(Debug, Clone)]
pub struct Negotiator {
    name: String,
    settings: Settings,
    accountant: Accountant,
    held: Reservations,
    cycles: u64,
}

/// Roots of evaluation on the matching side.
const MATCH_ROOTS: [&str; 10] = [
    "Requirements",
    "START",
    "RequestCpus",
    "RequestMemory",
    "RequestDisk",
    "RequestGPUs",
    "Cpus",
    "Memory",
    "Disk",
    "GPUs",
];
/// Where slots' own expressions start (for the job attributes they read).
const SLOT_ROOTS: [&str; 3] = ["Requirements", "START", "Rank"];
/// …and the ranking side.
const RANK_ROOTS: [&str; 2] = ["Rank", "SlotWeight"];

impl Negotiator {
    /// `name` is the negotiator's `Name`, sent to schedds with its matches.
    pub fn new(name: impl Into<String>, settings: Settings) -> Negotiator {
        let accountant = Accountant::new(settings.half_life_secs, settings.default_prio_factor);
        Negotiator { name: name.into(), settings, accountant, held: Reservations::default(), cycles: 0 }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// New settings (a reconfiguration); the accountant keeps its records.
    pub fn reconfigure(&mut self, settings: Settings) {
        self.accountant.reconfigure(settings.half_life_secs, settings.default_prio_factor);
        self.settings = settings;
    }

    /// A schedd could not claim these slots (or never got the matches):
    /// do not hold them any longer. With `schedd`, only the matches sent to
    /// that schedd are forgotten.
    pub fn on_failed_matches(&mut self, schedd: Option<&str>, slots: &[String]) {
        self.held.forget(schedd, slots);
    }

    /// The accountant's records aged to `now` (the records themselves age
    /// only at cycles).
    pub fn priorities(&self, now: f64, all: bool) -> Priorities {
        let mut a = self.accountant.clone();
        a.age(now);
        a.snapshot(now, all)
    }

    pub fn on_priority_edit(&mut self, edit: &PriorityEdit, now: f64) -> Result<Priorities, EditError> {
        self.accountant.edit(edit, now)?;
        Ok(self.priorities(now, true))
    }

    /// Negotiate once, with all the inputs at hand.
    pub fn on_cycle(&mut self, input: CycleInput) -> Plan {
        let prepared = self.prepare(input.now, input.slots);
        self.negotiate(prepared, &input.schedds)
    }

    /// The first half of a cycle: read the slot ads the collector gave
    /// (before the schedds are asked, so they can be told which job
    /// attributes the slots refer to).
    pub fn prepare(&mut self, now: f64, slots: Vec<WireAd>) -> Prepared {
        let mut pool = Pool::new();
        ingest::ingest_slots(&mut pool, &slots);
        let charges = self.held.apply(&mut pool, &slots, now, self.settings.match_timeout_secs);
        let significant = pool.external_refs(&SLOT_ROOTS);
        Prepared { pool, slots, now, charges, significant }
    }

    /// The second half: match the schedds' requests to the prepared slots.
    pub fn negotiate(&mut self, prepared: Prepared, schedds: &[ScheddRequests]) -> Plan {
        self.cycles += 1;
        let Prepared { mut pool, slots, now, charges, significant: _ } = prepared;
        let settings = &self.settings;
        let mut acs = demand::ingest_requests(&mut pool, schedds);

        let mut match_exprs = vec![
            pool.intern_config(&settings.modify_request_cpus),
            pool.intern_config(&settings.modify_request_memory),
            pool.intern_config(&settings.modify_request_disk),
        ];
        for c in [&settings.slot_constraint, &settings.job_constraint].into_iter().flatten() {
            match_exprs.push(pool.intern_config(c));
        }
        let mut match_roots: Vec<u32> = MATCH_ROOTS.iter().map(|n| pool.names.name(n)).collect();
        pool.need_match = pool.closure(&match_roots, &match_exprs);
        let mut any_exprs = match_exprs;
        any_exprs.push(pool.intern_config(&settings.slot_weight));
        for c in [&settings.pre_job_rank, &settings.post_job_rank].into_iter().flatten() {
            any_exprs.push(pool.intern_config(c));
        }
        match_roots.extend(RANK_ROOTS.iter().map(|n| pool.names.name(n)));
        pool.need_any = pool.closure(&match_roots, &any_exprs);
        let rank_root = [pool.names.name("Rank")];
        let rank_exprs: Vec<u32> = [&settings.pre_job_rank, &settings.post_job_rank]
            .into_iter()
            .flatten()
            .map(|e| pool.intern_config(e))
            .collect();
        pool.need_rank = pool.closure(&rank_root, &rank_exprs);

        ingest::keep_attrs(&mut pool, &slots);
        pool::group_slots(&mut pool, settings);
        // Resources held for matches on partitionable slots are out of the
        // slots' states but charged to their submitters below: they are
        // part of the pie too, or a submitter holding one is refused the
        // rest of the slot (limit = pie − usage would miss them).
        pool.total_weight += charges.iter().map(|(_, (_, w))| *w).sum::<f64>();
        let shapes = demand::group_shapes(&mut pool, &mut acs, settings);

        // Charge submitters for what they hold: claimed slots and matches
        // the collector does not show yet.
        let mut usage: BTreeMap<String, (u64, f64)> = BTreeMap::new();
        for i in 0..pool.slots.len() {
            if pool.slots[i].kind != Kind::Claimed {
                continue;
            }
            let Some(who) = pool.slots[i].principal.clone() else { continue };
            let w = pool.weight(pool.slots[i].initial_state, settings);
            let e = usage.entry(who).or_default();
            e.0 += 1;
            e.1 += w;
        }
        for (who, (n, w)) in charges {
            let e = usage.entry(who).or_default();
            e.0 += n;
            e.1 += w;
        }
        self.accountant.age(now);
        self.accountant.set_usage(usage.iter().map(|(k, v)| (k.as_str(), *v)));

        let available_slots = pool.slots.iter().filter(|s| s.kind.available() && !s.excluded).count();
        let mut cycle = matcher::Cycle::new(settings, pool, acs, shapes);
        let spins = fairshare::run(&mut cycle, &mut self.accountant);

        let census = analysis::Census::take(&cycle);
        let mut plans: Vec<ScheddPlan> = schedds
            .iter()
            .enumerate()
            .map(|(i, s)| ScheddPlan {
                schedd: i,
                name: s.name.clone(),
                set: MatchSet { negotiator: self.name.clone(), cycle: self.cycles, matches: Vec::new(), rejections: Vec::new() },
            })
            .collect();
        for a in 0..cycle.acs.len() {
            let ac = &cycle.acs[a];
            if ac.remaining > 0 && !ac.excluded {
                let schedd = ac.schedd;
                let r = analysis::reject(&mut cycle, &census, a);
                plans[schedd].set.rejections.push(r);
            }
        }
        let mut matched_jobs = 0;
        for m in &cycle.made {
            let ac = &cycle.acs[m.ac];
            let slot = &cycle.pool.slots[m.slot as usize];
            let ad = &slots[slot.input];
            matched_jobs += m.jobs;
            plans[ac.schedd].set.matches.push(Match {
                autocluster: ac.autocluster,
                submitter: ac.submitter.clone(),
                slot_name: slot.name.clone(),
                startd: addresses(ad),
                jobs: m.jobs,
                claim_id: ad.get("ClaimId").map(|c| unquote(c).unwrap_or_else(|| c.to_string())),
            });
            self.held.hold(
                &slot.name,
                Held {
                    schedd: schedds[ac.schedd].name.clone(),
                    principal: ac.submitter.clone(),
                    jobs: m.jobs,
                    per_job: m.per_job,
                    left: m.left,
                    weight: m.weight,
                    at: now,
                    fingerprint: fingerprint(ad),
                },
            );
        }
        plans.retain(|p| !schedds[p.schedd].requests.is_empty());

        let stats = PlanStats {
            slots: cycle.pool.slots.len(),
            available_slots,
            states: cycle.pool.states.len(),
            shapes: cycle.shapes.len(),
            autoclusters: cycle.acs.len(),
            idle_jobs: cycle.acs.iter().map(|a| a.count).sum(),
            matched_jobs,
            matches: cycle.made.len(),
            evaluations: cycle.pool.evaluations,
            spins,
            held: self.held.len(),
            problems: std::mem::take(&mut cycle.pool.problems),
        };
        Plan { cycle: self.cycles, schedds: plans, stats }
    }
}
