//! Building the jobs of one queue statement without redoing what cannot
//! have changed.
//!
//! A statement that queues 100,000 jobs usually varies a handful of
//! commands per job (`arguments = $(file)`, `output = out.$(Process)`); the
//! other forty-odd steps of job building would give the same result every
//! time. So each step of a job is *recorded*: which submit variables it
//! read (and whether any of them can change from job to job), which job
//! attributes it read, and what it set. For the next job of the statement a
//! step is *replayed* — its recorded settings applied without running it —
//! when it read no varying variable and none of the attributes it read was
//! set differently by a step that did run. The result is identical to
//! running every step (the same ads, the same per-job warnings); only the
//! work is skipped.
//!
//! A variable *varies* when its value refers, directly or through other
//! variables, to a per-job macro (`$(Process)`, `$(Row)`, `$(Step)`, a
//! queue variable, …) or to a random choice. The analysis is textual and
//! errs on the side of "varies".

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

/// A set of lowercase names hashed with FNV (short keys, looked up often).
pub(crate) type NameSet = HashSet<String, BuildHasherDefault<crate::hash::FnvHasher>>;

use classad::Expr;

/// What one step did while building one job.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recording {
    /// The step read a submit variable that can change from job to job.
    pub touches_varying: bool,
    /// Job attributes the step read (lowercase; `request*` for "every
    /// attribute whose name starts with Request").
    pub reads: Vec<Box<str>>,
    /// [`name_bit`] of every read, to rule out most steps at once.
    pub read_mask: u64,
    /// What the step set, in order.
    pub writes: Vec<Write>,
    /// Warnings the step gave.
    pub warnings: Vec<String>,
    /// False when the step changed state that outlives the job (a
    /// warn-once flag): such a step is always run.
    pub replayable: bool,
}

/// One attribute a step set.
#[derive(Debug, Clone)]
pub(crate) struct Write {
    pub attr: Arc<str>,
    /// The value the job keeps, or `None` for a value equal to the
    /// cluster's (so the job keeps none of its own).
    pub expr: Option<Expr>,
    /// [`name_bit`] of the attribute.
    pub bit: u64,
    /// A `None` write that found no value of the job's own to remove.
    pub noop: bool,
}

/// The recordings of the previous job of the statement, one per step.
#[derive(Debug, Default)]
pub(crate) struct Templates {
    pub steps: Vec<Option<Recording>>,
    /// Submit variables (lowercase) whose value can change from job to job.
    pub varying: NameSet,
    /// Replay is allowed (the statement was analysed, nothing forbids it).
    pub enabled: bool,
}

impl Templates {
    pub fn clear(&mut self) {
        self.steps.clear();
        self.varying.clear();
        self.enabled = false;
    }
}

/// One of 64 bits for a lowercase attribute name (`request*` and every
/// name starting with `request` share bit 63).
pub(crate) fn name_bit(name: &str) -> u64 {
    let b = name.as_bytes();
    if b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"request") {
        return 1 << 63;
    }
    let mut h: u32 = 2_166_136_261;
    for c in b {
        h ^= u32::from(c.to_ascii_lowercase());
        h = h.wrapping_mul(16_777_619);
    }
    1 << (h % 63)
}

/// Names referenced inside the macros of `raw` (every identifier-like word
/// between the parentheses of a `$…(…)`), lowercased.
fn macro_refs(raw: &str, out: &mut Vec<String>) {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$') {
            j += 1;
        }
        if j >= b.len() || b[j] != b'(' {
            i = j.max(i + 1);
            continue;
        }
        // to the matching parenthesis
        let mut depth = 0;
        let mut k = j;
        while k < b.len() {
            match b[k] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        let inner = &raw[j + 1..k.min(raw.len())];
        for word in inner.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
            if !word.is_empty() {
                out.push(word.to_ascii_lowercase());
            }
        }
        i = j + 1;
    }
}

/// The per-job macros every job sets.
const LIVE: &[&str] = &["process", "procid", "row", "itemindex", "step", "node", "jobid", "item"];

/// The variables of `entries` (name, raw value) that can change from job to
/// job, given the statement's queue variables.
pub(crate) fn varying_names(entries: &[(String, String)], queue_vars: &[String]) -> NameSet {
    let mut set: NameSet = LIVE.iter().map(|s| s.to_string()).collect();
    for v in queue_vars {
        set.insert(v.to_ascii_lowercase());
    }
    let parsed: Vec<(String, Vec<String>, bool, bool)> = entries
        .iter()
        .map(|(n, raw)| {
            let mut refs = Vec::new();
            macro_refs(raw, &mut refs);
            (n.to_ascii_lowercase(), refs, raw.contains("$RANDOM"), raw.contains("$F"))
        })
        .collect();
    loop {
        let mut changed = false;
        for (name, refs, random, _) in &parsed {
            if set.contains(name) {
                continue;
            }
            if *random || refs.iter().any(|r| set.contains(r)) {
                set.insert(name.clone());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // a varying initial directory changes what $F() makes of relative paths
    if ["initialdir", "iwd", "initial_dir", "job_iwd"].iter().any(|n| set.contains(*n)) {
        for (name, _, _, uses_f) in &parsed {
            if *uses_f {
                set.insert(name.clone());
            }
        }
    }
    // SUBMIT.x is looked up for x
    let prefixed: Vec<String> = set.iter().filter_map(|n| n.strip_prefix("submit.").map(str::to_string)).collect();
    set.extend(prefixed);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_through_other_variables_vary() {
        let e = |n: &str, v: &str| (n.to_string(), v.to_string());
        let entries = vec![
            e("executable", "run.sh"),
            e("base", "out/$(file)"),
            e("output", "$(base).txt"),
            e("log", "job_$(Cluster).log"),
            e("arguments", "$INT(Process, %d) x"),
            e("pick", "$RANDOM_CHOICE(a, b)"),
        ];
        let v = varying_names(&entries, &["file".to_string()]);
        assert!(v.contains("base") && v.contains("output") && v.contains("arguments") && v.contains("pick"));
        assert!(!v.contains("executable") && !v.contains("log"));
    }
}
