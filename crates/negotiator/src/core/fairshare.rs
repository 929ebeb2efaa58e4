//! Fair share between submitters: HTCondor's "pie spin".
//!
//! The pie is the total weight of the pool's slots. Each submitter with
//! idle jobs gets a share inversely proportional to its effective priority,
//! `share = (1/EUP) / Σ(1/EUP)`, and a limit of `share × pie − what it
//! already uses`. Submitters are served in priority order (lowest EUP
//! first, then the least starved), each up to its limit; one that got all
//! it could match leaves the pie. While a spin matched something, the pie
//! spins again with the limits recomputed from the new usage, so what one
//! submitter could not use goes to the others.
//!
//! A submitter may round its limit up by one job per spin (HTCondor's rule
//! against crumbs). Unlike HTCondor, that holds in later spins too: HTCondor
//! skips a submitter whose remaining limit is below the smallest slot's
//! weight after the first spin, which can leave a free slot idle until the
//! next cycle — a whole `NEGOTIATOR_INTERVAL` when no submit wakes one.
//!
//! As in HTCondor, one submitter name on two schedds is two entries that
//! share one priority and one usage. Left out: group quotas and
//! accounting-group hierarchies, submitter floors and ceilings, and
//! preemption (claimed slots are never offered).

use super::accountant::Accountant;
use super::matcher::{AcOutcome, Cycle};

/// One submitter on one schedd, with its autoclusters in the schedd's order.
struct Entry {
    submitter: String,
    acs: Vec<usize>,
    starvation: f64,
}

/// The spins of the pie this cycle took.
pub fn run(cycle: &mut Cycle, accountant: &mut Accountant) -> u32 {
    let mut entries: Vec<Entry> = Vec::new();
    for (i, ac) in cycle.acs.iter().enumerate() {
        if ac.excluded || ac.remaining == 0 {
            continue;
        }
        match entries.iter_mut().find(|e| e.submitter == ac.submitter && cycle.acs[e.acs[0]].schedd == ac.schedd) {
            Some(e) => e.acs.push(i),
            None => entries.push(Entry { submitter: ac.submitter.clone(), acs: vec![i], starvation: 0.0 }),
        }
    }
    for e in &entries {
        accountant.touch(&e.submitter);
    }
    let pie = cycle.pool.total_weight;
    let ignore = cycle.settings.ignore_user_priorities;
    let mut active: Vec<Entry> = entries;
    let mut spin = 0u32;
    while !active.is_empty() && any_free(cycle) && spin < 1000 {
        spin += 1;
        let limits = Limits::compute(&active, accountant, pie, ignore);
        let mut pie_left: f64 = active.iter().map(|e| limits.limit(&e.submitter, accountant)).sum();
        if pie_left <= 0.0 {
            break;
        }
        if spin == 1 {
            for e in active.iter_mut() {
                let usage = accountant.weighted_usage(&e.submitter);
                let lim = limits.limit(&e.submitter, accountant);
                e.starvation = if usage + lim > 0.0 { usage / (usage + lim) } else { f64::MAX };
                accountant.set_share(&e.submitter, limits.share(&e.submitter));
            }
            active.sort_by(|a, b| {
                accountant
                    .effective_priority(&a.submitter)
                    .total_cmp(&accountant.effective_priority(&b.submitter))
                    .then(a.starvation.total_cmp(&b.starvation))
                    .then_with(|| a.submitter.cmp(&b.submitter))
            });
        }
        let pie_left_before = pie_left;
        let count_before = active.len();
        let mut still: Vec<Entry> = Vec::with_capacity(active.len());
        for e in active {
            let mut limit = limits.limit(&e.submitter, accountant);
            if limit > pie_left {
                limit = pie_left;
            }
            if limit <= 1e-6 {
                // Nothing left of its share this spin.
                still.push(e);
                continue;
            }
            let mut used = 0.0;
            let mut resume = false;
            for &a in &e.acs {
                let ac = &cycle.acs[a];
                if ac.remaining == 0 || ac.exhausted {
                    continue;
                }
                if cycle.negotiate_ac(a, limit, &mut used, accountant) == AcOutcome::Limited {
                    resume = true;
                }
            }
            pie_left -= used;
            if resume {
                still.push(e);
            }
        }
        active = still;
        if !(pie_left < pie_left_before || active.len() < count_before) {
            break;
        }
    }
    spin
}

/// The shares of one spin.
struct Limits {
    /// `max EUP / EUP` per submitter and their sum over distinct names.
    weights: Vec<(String, f64)>,
    normal: f64,
    pie: f64,
    ignore: bool,
}

impl Limits {
    fn compute(active: &[Entry], accountant: &Accountant, pie: f64, ignore: bool) -> Limits {
        let mut names: Vec<&str> = active.iter().map(|e| e.submitter.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let max = names.iter().map(|n| accountant.effective_priority(n)).fold(f64::MIN_POSITIVE, f64::max);
        let weights: Vec<(String, f64)> =
            names.iter().map(|n| (n.to_string(), max / accountant.effective_priority(n))).collect();
        let normal = weights.iter().map(|(_, w)| w).sum();
        Limits { weights, normal, pie, ignore }
    }

    fn share(&self, name: &str) -> f64 {
        let w = self.weights.iter().find(|(n, _)| n == name).map_or(0.0, |(_, w)| *w);
        if self.normal > 0.0 {
            w / self.normal
        } else {
            0.0
        }
    }

    /// What `name` may still take: its share of the pie minus its usage.
    fn limit(&self, name: &str, accountant: &Accountant) -> f64 {
        if self.ignore {
            return f64::INFINITY;
        }
        (self.share(name) * self.pie - accountant.weighted_usage(name)).max(0.0)
    }
}

fn any_free(cycle: &Cycle) -> bool {
    cycle.pool.states.iter().any(|s| s.kind.available() && !s.free.is_empty())
}
