//! Matching one autocluster: which slots take its jobs, best first.
//!
//! Evaluations are cached: whether the job and the slot
//! accept each other (per mstate), how much of a partitionable slot one job
//! takes, and the order of preference (per state and *rank shape* — the
//! job attributes the rank expressions read, which most shapes share):
//! `NEGOTIATOR_PRE_JOB_RANK`, then the job's `Rank`, then
//! `NEGOTIATOR_POST_JOB_RANK`, higher first, ties going to the slot seen
//! first (HTCondor's order of preference).
//!
//! Static slots of one state are handed out in bulk. A partitionable slot,
//! once it is the best candidate, takes as many jobs as its resources hold
//! — computed, not tried one by one — for as long as it stays the best
//! candidate: the state after the last carved job is checked first (it
//! still matches and ranks at least as high as the runner-up), and only if
//! it does not is the largest count found by bisection. That is what
//! HTCondor's job-by-job choice gives whenever `Requirements` and the ranks
//! change monotonically with the resources left (every expression HTCondor
//! ships does; the default pre-job rank prefers the fullest slot, so
//! partitionable slots fill one after another).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use classad::matchmaking::requirements_met;
use classad::Value;

use super::accountant::Accountant;
use super::demand::{Ac, Shape};
use super::pool::{Kind, Pool, Res, StateId};
use super::settings::Settings;

/// Preference of a slot for a job: pre-job rank, job rank, post-job rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rank(pub f64, pub f64, pub f64);

impl Rank {
    fn cmp(&self, o: &Rank) -> Ordering {
        self.0.total_cmp(&o.0).then(self.1.total_cmp(&o.1)).then(self.2.total_cmp(&o.2))
    }
}

/// Whether a job shape and a slot state accept each other.
#[derive(Debug, Clone, Copy)]
pub struct MatchEval {
    pub job_ok: bool,
    pub slot_ok: bool,
    /// A partitionable slot has room for at least one job.
    pub fits: bool,
    /// What one job takes from a partitionable slot (rounded as the startd does).
    pub request: Res,
}

impl MatchEval {
    pub fn ok(&self) -> bool {
        self.job_ok && self.slot_ok && self.fits
    }
}

/// A match made this cycle.
#[derive(Debug, Clone)]
pub struct Made {
    pub ac: usize,
    pub slot: u32,
    pub jobs: u64,
    pub per_job: Res,
    /// What the slot had free right after this match.
    pub left: Res,
    /// Weight of all its jobs together.
    pub weight: f64,
}

/// Whether an autocluster's negotiation ran out of slots or of share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcOutcome {
    /// Every job matched, or no slot is left that takes one.
    Done,
    /// Stopped by the submitter's limit.
    Limited,
}

#[derive(PartialEq)]
struct Cand {
    rank: Rank,
    seq: u32,
    state: StateId,
}

impl Eq for Cand {}

impl Ord for Cand {
    fn cmp(&self, o: &Cand) -> Ordering {
        // Max-heap: higher rank first, then the earlier state.
        self.rank.cmp(&o.rank).then(o.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Cand {
    fn partial_cmp(&self, o: &Cand) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Everything one cycle's matchmaking works on.
pub struct Cycle<'a> {
    pub settings: &'a Settings,
    pub pool: Pool,
    pub acs: Vec<Ac>,
    pub shapes: Vec<Shape>,
    pub made: Vec<Made>,
    /// `[shape][mstate]` and `[rank shape][state]`, grown as states appear.
    match_cache: Vec<Vec<Option<MatchEval>>>,
    rank_cache: Vec<Vec<Option<Rank>>>,
}

/// How many jobs of weight `w` a submitter may still take: within its
/// limit, or one if it has taken nothing yet this turn (HTCondor lets a
/// submitter round up once per spin so no crumbs are left).
pub fn allowed(limit: f64, used: f64, w: f64) -> u64 {
    if limit.is_infinite() || w <= 0.0 {
        return u64::MAX;
    }
    const EPS: f64 = 1e-9;
    if used + w <= limit + EPS {
        return (((limit - used) / w) + EPS).floor().max(1.0) as u64;
    }
    if used <= 0.0 && limit > 0.0 {
        return 1;
    }
    0
}

/// Store `v` at `[row][col]` of a table that grows as needed.
fn put<T: Copy>(table: &mut Vec<Vec<Option<T>>>, row: u32, col: u32, v: T) {
    let (r, c) = (row as usize, col as usize);
    if table.len() <= r {
        table.resize_with(r + 1, Vec::new);
    }
    let row = &mut table[r];
    if row.len() <= c {
        row.resize(c + 1, None);
    }
    row[c] = Some(v);
}

fn rank_number(v: Value) -> f64 {
    // HTCondor keeps these as floats: `(float)val`, and -DBL_MAX when not a number.
    match v.as_number() {
        Some(x) if x.is_finite() => x as f32 as f64,
        _ => -f64::MAX,
    }
}

fn request_number(v: Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Real(r) if r.is_finite() => Some(r.ceil() as i64),
        Value::Bool(b) => Some(b as i64),
        _ => None,
    }
}

impl<'a> Cycle<'a> {
    pub fn new(settings: &'a Settings, pool: Pool, acs: Vec<Ac>, shapes: Vec<Shape>) -> Cycle<'a> {
        Cycle {
            settings,
            pool,
            acs,
            shapes,
            made: Vec::new(),
            match_cache: Vec::new(),
            rank_cache: Vec::new(),
        }
    }

    /// Job shape `shape` against slot state `s` (cached per mstate).
    pub fn match_eval(&mut self, shape: u32, s: StateId) -> MatchEval {
        let ms = self.pool.states[s as usize].mstate;
        if let Some(Some(m)) = self.match_cache.get(shape as usize).and_then(|row| row.get(ms as usize)) {
            return *m;
        }
        let rep = self.pool.mstates[ms as usize].rep_state;
        let slot = self.pool.state_ad(rep);
        let job = self.shapes[shape as usize].ad.clone();
        let job_ok = requirements_met(&job, &slot);
        let slot_ok = requirements_met(&slot, &job);
        let st = self.settings;
        let cpus = request_number(st.modify_request_cpus.eval(Some(&job), Some(&slot)))
            .or_else(|| request_number(job.eval_attr_against("RequestCpus", &slot)))
            .unwrap_or(1)
            .max(1);
        let memory = request_number(st.modify_request_memory.eval(Some(&job), Some(&slot)))
            .or_else(|| request_number(job.eval_attr_against("RequestMemory", &slot)))
            .unwrap_or(0)
            .max(0);
        let disk = request_number(st.modify_request_disk.eval(Some(&job), Some(&slot)))
            .or_else(|| request_number(job.eval_attr_against("RequestDisk", &slot)))
            .unwrap_or(0)
            .max(0);
        let gpus = request_number(job.eval_attr_against("RequestGPUs", &slot)).unwrap_or(0).max(0);
        let request = Res { cpus, memory, disk, gpus };
        let state = &self.pool.states[rep as usize];
        let fits = state.kind != Kind::Partitionable || state.res.fits(&request) >= 1;
        self.pool.evaluations += 6;
        let m = MatchEval { job_ok, slot_ok, fits, request };
        put(&mut self.match_cache, shape, ms, m);
        m
    }

    /// How much slot state `s` is preferred by job shape `shape`.
    pub fn rank(&mut self, shape: u32, s: StateId) -> Rank {
        let rs = self.shapes[shape as usize].rank_shape;
        if let Some(Some(r)) = self.rank_cache.get(rs as usize).and_then(|row| row.get(s as usize)) {
            return *r;
        }
        let slot = self.pool.state_ad(s);
        let job = self.shapes[shape as usize].ad.clone();
        let st = self.settings;
        let pre = st.pre_job_rank.as_ref().map_or(-f64::MAX, |e| rank_number(e.eval(Some(&slot), Some(&job))));
        let post = st.post_job_rank.as_ref().map_or(-f64::MAX, |e| rank_number(e.eval(Some(&slot), Some(&job))));
        let job_rank = if self.shapes[shape as usize].rank_constant { 0.0 } else { classad::rank(&job, &slot) };
        self.pool.evaluations += 3;
        let r = Rank(pre, job_rank, post);
        put(&mut self.rank_cache, rs, s, r);
        r
    }

    /// Match jobs of autocluster `a` until all are matched, no slot takes
    /// one, or the submitter's `limit` (weighted slots this turn, of which
    /// `used` are taken) is reached.
    pub fn negotiate_ac(&mut self, a: usize, limit: f64, used: &mut f64, accountant: &mut Accountant) -> AcOutcome {
        let shape = self.acs[a].shape;
        let mut heap: BinaryHeap<Cand> = BinaryHeap::new();
        for ms in 0..self.pool.mstates.len() {
            let live = |p: &Pool, s: StateId| {
                let st = &p.states[s as usize];
                st.kind.available() && !st.free.is_empty()
            };
            if !self.pool.mstates[ms].states.iter().any(|&s| live(&self.pool, s)) {
                continue;
            }
            let rep = self.pool.mstates[ms].rep_state;
            if !self.match_eval(shape, rep).ok() {
                continue;
            }
            for i in 0..self.pool.mstates[ms].states.len() {
                let s = self.pool.mstates[ms].states[i];
                if live(&self.pool, s) {
                    let rank = self.rank(shape, s);
                    heap.push(Cand { rank, seq: self.pool.states[s as usize].seq, state: s });
                }
            }
        }
        while self.acs[a].remaining > 0 {
            if limit.is_finite() && *used > 0.0 && *used >= limit - 1e-9 {
                // The submitter has its share for this turn: limited if a
                // slot is left for the job, else simply out of slots.
                while heap.peek().is_some_and(|c| self.pool.states[c.state as usize].free.is_empty()) {
                    heap.pop();
                }
                if heap.is_empty() {
                    self.acs[a].exhausted = true;
                    return AcOutcome::Done;
                }
                self.acs[a].limited = true;
                return AcOutcome::Limited;
            }
            let Some(top) = heap.pop() else {
                self.acs[a].exhausted = true;
                return AcOutcome::Done;
            };
            let s = top.state;
            if self.pool.states[s as usize].free.is_empty() {
                continue;
            }
            let m = self.match_eval(shape, s);
            match self.pool.states[s as usize].kind {
                Kind::Static => {
                    let w = self.pool.weight(s, self.settings);
                    let n_allowed = allowed(limit, *used, w);
                    if n_allowed == 0 {
                        self.acs[a].limited = true;
                        return AcOutcome::Limited;
                    }
                    let free = self.pool.states[s as usize].free.len() as u64;
                    let n = self.acs[a].remaining.min(free).min(n_allowed);
                    for _ in 0..n {
                        if let Some(slot) = self.pool.states[s as usize].free.pop() {
                            self.pool.slots[slot as usize].taken += 1;
                            let left = Res::default();
                            self.made.push(Made { ac: a, slot, jobs: 1, per_job: m.request, left, weight: w });
                        }
                    }
                    self.take(a, n, n as f64 * w, used, accountant);
                    if !self.pool.states[s as usize].free.is_empty() {
                        heap.push(top);
                    }
                }
                Kind::Partitionable => {
                    let rbase = self.pool.states[s as usize].rbase;
                    let w = self.pool.carved_weight(rbase, m.request, self.settings);
                    let n_allowed = allowed(limit, *used, w);
                    if n_allowed == 0 {
                        self.acs[a].limited = true;
                        return AcOutcome::Limited;
                    }
                    let Some(slot) = self.pool.states[s as usize].free.pop() else { continue };
                    let runner_up = if self.pool.states[s as usize].free.is_empty() {
                        heap.peek().map(|c| c.rank)
                    } else {
                        Some(top.rank)
                    };
                    let want = self.acs[a].remaining.min(n_allowed);
                    let k = self.carve(shape, s, m.request, want, runner_up);
                    let left = self.pool.states[s as usize].res.minus(&m.request, k);
                    let ns = self.pool.state_for(rbase, Kind::Partitionable, left);
                    self.pool.states[ns as usize].free.push(slot);
                    let sl = &mut self.pool.slots[slot as usize];
                    sl.state = ns;
                    sl.taken += k;
                    self.made.push(Made { ac: a, slot, jobs: k, per_job: m.request, left, weight: k as f64 * w });
                    self.take(a, k, k as f64 * w, used, accountant);
                    if !self.pool.states[s as usize].free.is_empty() {
                        heap.push(top);
                    }
                    if self.acs[a].remaining > 0 && self.match_eval(shape, ns).ok() {
                        let rank = self.rank(shape, ns);
                        heap.push(Cand { rank, seq: self.pool.states[ns as usize].seq, state: ns });
                    }
                }
                Kind::Claimed | Kind::Unavailable => {}
            }
        }
        AcOutcome::Done
    }

    fn take(&mut self, a: usize, jobs: u64, weight: f64, used: &mut f64, accountant: &mut Accountant) {
        self.acs[a].remaining -= jobs;
        *used += weight;
        accountant.add_match(&self.acs[a].submitter, jobs, weight);
    }

    /// How many jobs (1..=`want`) to carve from a partitionable slot in
    /// state `s`: as many as fit while the slot keeps matching and ranks
    /// at least as high as `runner_up`.
    fn carve(&mut self, shape: u32, s: StateId, per: Res, want: u64, runner_up: Option<Rank>) -> u64 {
        let (rbase, res) = {
            let st = &self.pool.states[s as usize];
            (st.rbase, st.res)
        };
        let n = res.fits(&per).min(want);
        if n <= 1 {
            return 1;
        }
        let ok = |this: &mut Self, j: u64| -> bool {
            let sj = this.pool.state_for(rbase, Kind::Partitionable, res.minus(&per, j));
            if !this.match_eval(shape, sj).ok() {
                return false;
            }
            match runner_up {
                None => true,
                Some(r) => this.rank(shape, sj).cmp(&r) != Ordering::Less,
            }
        };
        if ok(self, n - 1) {
            return n;
        }
        // ok(0) holds (the slot was chosen); find the last j that holds.
        let (mut lo, mut hi) = (0u64, n - 1);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if ok(self, mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_rounds_up_once_per_turn() {
        assert_eq!(allowed(10.0, 0.0, 1.0), 10);
        assert_eq!(allowed(10.0, 8.0, 4.0), 0);
        assert_eq!(allowed(2.5, 0.0, 4.0), 1, "a first job may overshoot the limit");
        assert_eq!(allowed(0.0, 0.0, 1.0), 0);
        assert_eq!(allowed(f64::INFINITY, 5.0, 1.0), u64::MAX);
    }

    #[test]
    fn ranks_order_lexicographically() {
        let a = Rank(1.0, 0.0, 0.0);
        let b = Rank(0.0, 100.0, 100.0);
        assert_eq!(a.cmp(&b), Ordering::Greater);
        assert_eq!(Rank(0.0, 2.0, -5.0).cmp(&Rank(0.0, 1.0, 50.0)), Ordering::Greater);
    }
}
