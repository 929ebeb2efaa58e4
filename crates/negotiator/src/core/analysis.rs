//! Why an autocluster's jobs stayed idle: counts of slots by how they
//! judged the job, and of slots each condition of its `Requirements`
//! holds for (`condor_q -better-analyze`).
//!
//! Counts are taken over the pool as it was at the start of the cycle
//! (slots excluded by `NEGOTIATOR_SLOT_CONSTRAINT` are not counted), with
//! every evaluation done once per slot state.

use classad::ops::bool_equiv;
use proto::negotiator::{ConditionCount, MatchAnalysis, Rejection};

use super::hash::FxHashMap;
use super::matcher::Cycle;
use super::pool::{Kind, StateId};

/// Slots grouped by their state at the start of the cycle and, for claimed
/// ones, whom they work for.
pub struct Census {
    groups: Vec<(StateId, Option<String>, u64)>,
}

impl Census {
    pub fn take(cycle: &Cycle) -> Census {
        let mut index: FxHashMap<(StateId, Option<&str>), usize> = FxHashMap::default();
        let mut groups: Vec<(StateId, Option<String>, u64)> = Vec::new();
        for slot in &cycle.pool.slots {
            if slot.excluded {
                continue;
            }
            let who = if slot.kind == Kind::Claimed { slot.principal.as_deref().or(Some("")) } else { None };
            match index.get(&(slot.initial_state, who)) {
                Some(&g) => groups[g].2 += 1,
                None => {
                    index.insert((slot.initial_state, who), groups.len());
                    groups.push((slot.initial_state, who.map(str::to_string), 1));
                }
            }
        }
        Census { groups }
    }
}

/// The rejection for autocluster `a`, which has jobs left.
pub fn reject(cycle: &mut Cycle, census: &Census, a: usize) -> Rejection {
    let shape = cycle.acs[a].shape;
    let submitter = cycle.acs[a].submitter.clone();
    let conditions = cycle.shapes[shape as usize].conditions.clone();
    let job = cycle.shapes[shape as usize].ad.clone();
    let mut an = MatchAnalysis {
        conditions: conditions.iter().map(|c| ConditionCount { condition: c.to_old_string(), matched: 0 }).collect(),
        ..MatchAnalysis::default()
    };
    let mut cond_cache: FxHashMap<u32, Vec<bool>> = FxHashMap::default();
    for (state, who, n) in &census.groups {
        let (state, n) = (*state, *n);
        an.slots += n;
        let m = cycle.match_eval(shape, state);
        let ms = cycle.pool.states[state as usize].mstate;
        if !conditions.is_empty() {
            let held = match cond_cache.get(&ms) {
                Some(h) => h.clone(),
                None => {
                    let slot = cycle.pool.state_ad(state);
                    cycle.pool.evaluations += conditions.len() as u64;
                    let h: Vec<bool> = conditions
                        .iter()
                        .map(|c| bool_equiv(&c.eval(Some(&job), Some(&slot))).unwrap_or(false))
                        .collect();
                    cond_cache.insert(ms, h.clone());
                    h
                }
            };
            for (c, ok) in an.conditions.iter_mut().zip(held) {
                if ok {
                    c.matched += n;
                }
            }
        }
        if !m.job_ok {
            an.rejected_by_job += n;
        } else if !m.slot_ok || !m.fits {
            an.rejected_by_slot += n;
        } else {
            match (cycle.pool.states[state as usize].kind, who) {
                (Kind::Claimed, Some(w)) if *w == submitter => an.running_your_jobs += n,
                (Kind::Claimed, _) | (Kind::Unavailable, _) => an.serving_others += n,
                _ => an.available += n,
            }
        }
    }
    let ac = &cycle.acs[a];
    let reason = if ac.limited { "submitter limit exceeded" } else { "no match found" };
    Rejection {
        autocluster: ac.autocluster,
        submitter: ac.submitter.clone(),
        unmatched: ac.remaining,
        reason: reason.to_string(),
        analysis: an,
    }
}
