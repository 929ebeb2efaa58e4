//! Matches the collector does not show yet.
//!
//! After a match, the schedd claims the slot from the startd, and the
//! startd re-advertises the slot; until that new ad reaches the collector,
//! the negotiator would see the slot as free and could offer it again. So
//! each match is remembered with a fingerprint of the slot ad it was made
//! against. While the collector keeps answering with that same ad, the
//! match holds: a static slot counts as claimed by the submitter, a
//! partitionable slot has the matched resources taken out, and the
//! submitter is charged for them. A match is forgotten when the ad changes
//! (the startd has spoken since), when the schedd reports it could not
//! claim the slot, or after `MATCH_TIMEOUT`.
//!
//! A partitionable slot's claims arrive one by one (one dynamic slot per
//! job), so its ad may change while some of a match's claims are still on
//! their way. For [`CLAIM_GRACE`] seconds after the match, a changed ad
//! only releases the part of the match it shows carved (the slot has no
//! more free resources than the match left it); the rest stays held. After
//! that, any change releases the whole match.

use std::collections::HashMap;

use proto::WireAd;

use super::hash::hash_bytes;
use super::pool::{Kind, Pool, Res};

/// How long a partitionable slot's match may take to show in its ad.
pub const CLAIM_GRACE: f64 = 2.0;

/// One remembered match.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The schedd the match was sent to.
    pub schedd: String,
    pub principal: String,
    pub jobs: u64,
    pub per_job: Res,
    /// What the slot had free right after this match.
    pub left: Res,
    /// Weight of all its jobs.
    pub weight: f64,
    /// When it was made (seconds since the epoch).
    pub at: f64,
    pub fingerprint: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Reservations {
    by_slot: HashMap<String, Vec<Held>>,
}

/// A fingerprint of everything a slot ad says.
pub fn fingerprint(ad: &WireAd) -> u64 {
    hash_bytes(ad.0.iter().flat_map(|(k, v)| [k.as_bytes(), v.as_bytes()]))
}

impl Reservations {
    pub fn len(&self) -> usize {
        self.by_slot.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_slot.is_empty()
    }

    pub fn hold(&mut self, slot: &str, held: Held) {
        self.by_slot.entry(slot.to_string()).or_default().push(held);
    }

    /// These slots could not be claimed: stop holding them — only the
    /// matches sent to `schedd` when it is known.
    pub fn forget(&mut self, schedd: Option<&str>, slots: &[String]) {
        for s in slots {
            match schedd {
                None => {
                    self.by_slot.remove(s);
                }
                Some(name) => {
                    if let Some(held) = self.by_slot.get_mut(s) {
                        held.retain(|h| h.schedd != name);
                        if held.is_empty() {
                            self.by_slot.remove(s);
                        }
                    }
                }
            }
        }
    }

    /// Apply the matches that still hold to the freshly read slots (before
    /// they are grouped), dropping the rest. Returns what partitionable
    /// slots' held matches charge each submitter: (slots, weight).
    pub fn apply(&mut self, pool: &mut Pool, ads: &[WireAd], now: f64, timeout: f64) -> Vec<(String, (u64, f64))> {
        let mut charges = Vec::new();
        if self.by_slot.is_empty() {
            return charges;
        }
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for slot in pool.slots.iter_mut() {
            let Some(held) = self.by_slot.get_mut(&slot.name) else { continue };
            seen.insert(slot.name.as_str(), ());
            let fp = fingerprint(&ads[slot.input]);
            let partitionable = slot.kind == Kind::Partitionable;
            let free = slot.advertised;
            held.retain_mut(|h| {
                if now - h.at >= timeout {
                    return false;
                }
                if h.fingerprint == fp {
                    return true;
                }
                if !partitionable || now - h.at >= CLAIM_GRACE || h.per_job.cpus <= 0 || free.cpus <= h.left.cpus {
                    return false;
                }
                // Some of the claims show; hold the ones that do not yet.
                let outstanding = ((free.cpus - h.left.cpus + h.per_job.cpus - 1) / h.per_job.cpus) as u64;
                let outstanding = outstanding.min(h.jobs);
                h.weight *= outstanding as f64 / h.jobs as f64;
                h.jobs = outstanding;
                // The fingerprint stays that of the matched ad: once the
                // grace is over, an ad that changed releases the rest.
                true
            });
            for h in held.iter() {
                match slot.kind {
                    Kind::Static => {
                        slot.kind = Kind::Claimed;
                        slot.principal = Some(h.principal.clone());
                    }
                    Kind::Partitionable => {
                        slot.res = slot.res.minus(&h.per_job, h.jobs);
                        charges.push((h.principal.clone(), (h.jobs, h.weight)));
                    }
                    Kind::Claimed | Kind::Unavailable => {}
                }
            }
        }
        // Slots that left the collector take their matches with them.
        self.by_slot.retain(|name, held| seen.contains_key(name.as_str()) && !held.is_empty());
        charges
    }
}
