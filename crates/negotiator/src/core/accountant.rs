//! Fair-share accounting: each submitter's usage and priority, as
//! HTCondor's accountant keeps them.
//!
//! - The *real user priority* (`Priority`) follows the weighted slots a
//!   submitter uses, smoothed with a half-life: after `dt` seconds,
//!   `p ← p·β + used·(1 − β)` with `β = 0.5^(dt / PRIORITY_HALFLIFE)`, and
//!   never below 0.5.
//! - The *effective user priority* is the real priority times the
//!   submitter's `PriorityFactor` (`DEFAULT_PRIO_FACTOR`, 1000, unless set).
//!   Lower is better; shares of the pool are proportional to its inverse.
//! - Usage accumulates as slot-seconds (`AccumulatedUsage`) and weighted
//!   slot-seconds (`WeightedAccumulatedUsage`).
//!
//! What a submitter uses is recomputed every cycle from the slot ads
//! (claimed slots name their `RemoteUser`/`AccountingGroup`) plus the
//! matches the negotiator made that the ads do not show yet. The records
//! live in memory: a restarted negotiator starts everyone afresh.

use std::collections::BTreeMap;

use proto::negotiator::{Priorities, PriorityEdit, SubmitterPriority};

/// The lowest real priority (HTCondor's `MinPriority`).
pub const MIN_PRIORITY: f64 = 0.5;
/// The lowest priority factor `condor_userprio -setfactor` accepts.
pub const MIN_PRIORITY_FACTOR: f64 = 1.0;

/// One submitter's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Real user priority.
    pub priority: f64,
    /// Set explicitly with `-setfactor`; else the default applies.
    pub factor: Option<f64>,
    pub resources_used: u64,
    pub weighted_resources_used: f64,
    pub accumulated_usage: f64,
    pub weighted_accumulated_usage: f64,
    pub begin_usage_time: i64,
    pub last_usage_time: i64,
    /// Share of the pool in the last cycle.
    pub share: f64,
}

impl Default for Record {
    fn default() -> Record {
        Record {
            priority: MIN_PRIORITY,
            factor: None,
            resources_used: 0,
            weighted_resources_used: 0.0,
            accumulated_usage: 0.0,
            weighted_accumulated_usage: 0.0,
            begin_usage_time: 0,
            last_usage_time: 0,
            share: 0.0,
        }
    }
}

/// A refused edit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("priority factor {0} is below {MIN_PRIORITY_FACTOR}: use a factor of at least 1")]
    FactorTooSmall(f64),
    #[error("priority {0} is below {MIN_PRIORITY}: use a priority of at least 0.5")]
    PriorityTooSmall(f64),
    #[error("usage {0} is negative: use 0 or more seconds")]
    NegativeUsage(f64),
    #[error("no accounting record for '{0}': check the name with condor_userprio -all")]
    UnknownSubmitter(String),
}

/// Every submitter's record, and when they were last aged.
#[derive(Debug, Clone)]
pub struct Accountant {
    records: BTreeMap<String, Record>,
    /// Seconds since the epoch of the last aging (0: never).
    last_update: f64,
    half_life: f64,
    default_factor: f64,
}

impl Accountant {
    pub fn new(half_life_secs: f64, default_factor: f64) -> Accountant {
        Accountant { records: BTreeMap::new(), last_update: 0.0, half_life: half_life_secs, default_factor }
    }

    pub fn reconfigure(&mut self, half_life_secs: f64, default_factor: f64) {
        self.half_life = half_life_secs;
        self.default_factor = default_factor;
    }

    pub fn record(&self, name: &str) -> Option<&Record> {
        self.records.get(name)
    }

    pub fn factor(&self, name: &str) -> f64 {
        self.records.get(name).and_then(|r| r.factor).unwrap_or(self.default_factor)
    }

    /// Effective user priority (lower is better).
    pub fn effective_priority(&self, name: &str) -> f64 {
        let real = self.records.get(name).map_or(MIN_PRIORITY, |r| r.priority.max(MIN_PRIORITY));
        real * self.factor(name)
    }

    pub fn weighted_usage(&self, name: &str) -> f64 {
        self.records.get(name).map_or(0.0, |r| r.weighted_resources_used)
    }

    /// Age every record to `now` with the usage each had since the last
    /// update (HTCondor's `UpdatePriorities`).
    pub fn age(&mut self, now: f64) {
        if self.last_update <= 0.0 || now < self.last_update {
            // First update, or the clock went back: start counting from now.
            self.last_update = now;
            return;
        }
        let dt = now - self.last_update;
        if dt <= 0.0 {
            return;
        }
        let beta = 0.5f64.powf(dt / self.half_life);
        let t = now as i64;
        for r in self.records.values_mut() {
            let p = r.priority.max(MIN_PRIORITY);
            r.priority = (p * beta + r.weighted_resources_used * (1.0 - beta)).max(MIN_PRIORITY);
            r.accumulated_usage += r.resources_used as f64 * dt;
            r.weighted_accumulated_usage += r.weighted_resources_used * dt;
            if r.accumulated_usage > 0.0 && r.begin_usage_time == 0 {
                r.begin_usage_time = t;
            }
            if r.resources_used > 0 {
                r.last_usage_time = t;
            }
        }
        self.last_update = now;
    }

    /// Replace what every submitter uses now: `usage` maps a submitter to
    /// (slots, weighted slots); submitters not in it use nothing.
    pub fn set_usage<'a>(&mut self, usage: impl IntoIterator<Item = (&'a str, (u64, f64))>) {
        for r in self.records.values_mut() {
            r.resources_used = 0;
            r.weighted_resources_used = 0.0;
        }
        for (name, (n, w)) in usage {
            let r = self.records.entry(name.to_string()).or_default();
            r.resources_used += n;
            r.weighted_resources_used += w;
        }
    }

    /// A match just made: `name` now uses `slots` more slots of total weight `weight`.
    pub fn add_match(&mut self, name: &str, slots: u64, weight: f64) {
        let r = self.records.entry(name.to_string()).or_default();
        r.resources_used += slots;
        r.weighted_resources_used += weight;
    }

    /// Make sure `name` has a record (a submitter seen for the first time).
    pub fn touch(&mut self, name: &str) {
        self.records.entry(name.to_string()).or_default();
    }

    pub fn set_share(&mut self, name: &str, share: f64) {
        self.records.entry(name.to_string()).or_default().share = share;
    }

    pub fn edit(&mut self, edit: &PriorityEdit, now: f64) -> Result<(), EditError> {
        match edit {
            PriorityEdit::SetFactor { name, factor } => {
                if !(*factor >= MIN_PRIORITY_FACTOR) {
                    return Err(EditError::FactorTooSmall(*factor));
                }
                self.records.entry(name.clone()).or_default().factor = Some(*factor);
            }
            PriorityEdit::SetPriority { name, priority } => {
                if !(*priority >= MIN_PRIORITY) {
                    return Err(EditError::PriorityTooSmall(*priority));
                }
                self.records.entry(name.clone()).or_default().priority = *priority;
            }
            PriorityEdit::SetAccumulated { name, usage } => {
                if !(*usage >= 0.0) {
                    return Err(EditError::NegativeUsage(*usage));
                }
                let r = self.records.entry(name.clone()).or_default();
                r.accumulated_usage = *usage;
                r.weighted_accumulated_usage = *usage;
            }
            PriorityEdit::ResetUsage { name } => {
                let r = self.records.get_mut(name).ok_or_else(|| EditError::UnknownSubmitter(name.clone()))?;
                r.accumulated_usage = 0.0;
                r.weighted_accumulated_usage = 0.0;
                r.begin_usage_time = now as i64;
            }
            PriorityEdit::ResetAllUsage => {
                for r in self.records.values_mut() {
                    r.accumulated_usage = 0.0;
                    r.weighted_accumulated_usage = 0.0;
                    r.begin_usage_time = now as i64;
                }
            }
            PriorityEdit::Delete { name } => {
                self.records.remove(name).ok_or_else(|| EditError::UnknownSubmitter(name.clone()))?;
            }
        }
        Ok(())
    }

    /// Every record as `condor_userprio` shows it, best priority first.
    /// Without `all`, submitters that never used anything are left out.
    pub fn snapshot(&self, now: f64, all: bool) -> Priorities {
        let mut submitters: Vec<SubmitterPriority> = self
            .records
            .iter()
            .filter(|(_, r)| all || r.resources_used > 0 || r.accumulated_usage > 0.0 || r.factor.is_some())
            .map(|(name, r)| {
                let factor = r.factor.unwrap_or(self.default_factor);
                let real = r.priority.max(MIN_PRIORITY);
                SubmitterPriority {
                    name: name.clone(),
                    effective_priority: real * factor,
                    real_priority: real,
                    priority_factor: factor,
                    resources_used: r.resources_used,
                    weighted_resources_used: r.weighted_resources_used,
                    accumulated_usage: r.accumulated_usage,
                    weighted_accumulated_usage: r.weighted_accumulated_usage,
                    begin_usage_time: r.begin_usage_time,
                    last_usage_time: r.last_usage_time,
                    share: r.share,
                }
            })
            .collect();
        submitters.sort_by(|a, b| a.effective_priority.total_cmp(&b.effective_priority).then_with(|| a.name.cmp(&b.name)));
        Priorities { now: now as i64, last_update: self.last_update as i64, half_life_secs: self.half_life, submitters }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_moves_halfway_to_usage_in_one_half_life() {
        let mut a = Accountant::new(100.0, 1000.0);
        a.age(1000.0);
        a.set_usage([("alice@h", (4, 4.0))]);
        a.age(1100.0);
        let r = a.record("alice@h").unwrap();
        // From the minimum 0.5 halfway to 4.
        assert!((r.priority - 2.25).abs() < 1e-9, "{}", r.priority);
        assert_eq!(r.accumulated_usage, 400.0);
        assert_eq!(r.begin_usage_time, 1100);
        assert!((a.effective_priority("alice@h") - 2250.0).abs() < 1e-6);
        // Unused, it decays back towards the floor.
        a.set_usage([]);
        a.age(1100.0 + 100.0 * 20.0);
        assert!(a.record("alice@h").unwrap().priority < 0.51);
        assert_eq!(a.effective_priority("nobody@h"), 500.0);
    }

    #[test]
    fn edits_check_their_values() {
        let mut a = Accountant::new(86400.0, 1000.0);
        assert_eq!(a.edit(&PriorityEdit::SetFactor { name: "b@h".into(), factor: 0.5 }, 0.0), Err(EditError::FactorTooSmall(0.5)));
        a.edit(&PriorityEdit::SetFactor { name: "b@h".into(), factor: 10.0 }, 0.0).unwrap();
        assert_eq!(a.effective_priority("b@h"), 5.0);
        assert!(matches!(a.edit(&PriorityEdit::Delete { name: "x@h".into() }, 0.0), Err(EditError::UnknownSubmitter(_))));
        let p = a.snapshot(10.0, false);
        assert_eq!(p.submitters.len(), 1, "a set factor is shown");
        assert_eq!(p.submitters[0].priority_factor, 10.0);
    }
}
