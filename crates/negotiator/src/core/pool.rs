//! One cycle's view of the pool: slots grouped into interchangeable states.
//!
//! Each slot ad is interned into `(name, expression)` pairs. The names that
//! matchmaking can ever read are found by following references from the
//! roots of evaluation (`Requirements`, `Rank`, `Request*`, the
//! negotiator's rank and weight expressions) through every ad's
//! expressions: slots that agree on those names behave the same for every
//! job, whatever their `Name`, `Machine` or `MyAddress`.
//!
//! Two groupings come out of that:
//!
//! - an *rbase* agrees on everything matching and ranking read; an *mbase*
//!   only on what matching reads (`Requirements` and what it refers to).
//!   Every rbase belongs to one mbase.
//! - a [`State`] is an rbase with a kind (static, partitionable, claimed,
//!   unavailable) and resources left ([`Res`]): the unit evaluations are
//!   cached for. A partitionable slot moves to another state each time
//!   jobs are carved from it; identical slots carved alike meet again in
//!   the same state. An [`MState`] is the same for an mbase.

use std::sync::Arc;

use classad::{ClassAd, Expr, Value};
use proto::WireAd;

use super::hash::{FxHashMap, FxHashSet};
use super::intern::{ExprId, Interner, NameId};
use super::settings::Settings;

pub type StateId = u32;
pub type MStateId = u32;

/// Resources a slot has left, or a job takes: `Cpus`, `Memory` (MB),
/// `Disk` (KB), `GPUs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Res {
    pub cpus: i64,
    pub memory: i64,
    pub disk: i64,
    pub gpus: i64,
}

impl Res {
    /// How many times `per` fits in `self` (cpus always count; other
    /// resources only when requested).
    pub fn fits(&self, per: &Res) -> u64 {
        let mut n = u64::MAX;
        for (have, want) in [(self.cpus, per.cpus), (self.memory, per.memory), (self.disk, per.disk), (self.gpus, per.gpus)] {
            if want > 0 {
                n = n.min((have.max(0) / want) as u64);
            }
        }
        if n == u64::MAX {
            0
        } else {
            n
        }
    }

    /// `self` minus `k` times `per`.
    pub fn minus(&self, per: &Res, k: u64) -> Res {
        let k = k as i64;
        Res {
            cpus: self.cpus - per.cpus * k,
            memory: self.memory - per.memory * k,
            disk: self.disk - per.disk * k,
            gpus: self.gpus - per.gpus * k,
        }
    }
}

/// What a slot can do this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An unclaimed static slot: one job.
    Static,
    /// An unclaimed partitionable slot: as many jobs as its resources hold.
    Partitionable,
    /// Running someone's job (claimed static slots, dynamic slots).
    Claimed,
    /// Not accepting jobs (`Owner`, `Matched`, `Drained`, offline…), or a
    /// carved dynamic slot used only to price a match.
    Unavailable,
}

impl Kind {
    pub fn available(self) -> bool {
        matches!(self, Kind::Static | Kind::Partitionable)
    }
}

/// Ids of the names the negotiator reads itself.
pub struct Known {
    pub name: NameId,
    pub cpus: NameId,
    pub memory: NameId,
    pub disk: NameId,
    pub gpus: NameId,
    pub state: NameId,
    pub slot_type: NameId,
    pub partitionable: NameId,
    pub offline: NameId,
    pub remote_user: NameId,
    pub accounting_group: NameId,
    pub slot_weight: NameId,
    pub claim_id: NameId,
    pub my_address: NameId,
}

impl Known {
    fn new(i: &mut Interner) -> Known {
        Known {
            name: i.name("Name"),
            cpus: i.name("Cpus"),
            memory: i.name("Memory"),
            disk: i.name("Disk"),
            gpus: i.name("GPUs"),
            state: i.name("State"),
            slot_type: i.name("SlotType"),
            partitionable: i.name("PartitionableSlot"),
            offline: i.name("Offline"),
            remote_user: i.name("RemoteUser"),
            accounting_group: i.name("AccountingGroup"),
            slot_weight: i.name("SlotWeight"),
            claim_id: i.name("ClaimId"),
            my_address: i.name("MyAddress"),
        }
    }

    pub fn is_resource(&self, n: NameId) -> bool {
        n == self.cpus || n == self.memory || n == self.disk || n == self.gpus
    }
}

/// One slot ad.
pub struct Slot {
    /// Index in the cycle's input.
    pub input: usize,
    pub name: String,
    /// The name of each attribute of the input ad, by position.
    pub names: Vec<NameId>,
    /// The attributes matchmaking reads (all of them when an expression may
    /// read names it does not spell out).
    pub attrs: Vec<(NameId, ExprId)>,
    pub kind: Kind,
    /// Resources as advertised (what a partitionable slot has left).
    pub advertised: Res,
    /// Resources free this cycle: as advertised, less what held matches took.
    pub res: Res,
    /// Who a claimed slot (or a held match) works for.
    pub principal: Option<String>,
    pub rbase: u32,
    /// Where the slot is now, and where it started the cycle.
    pub state: StateId,
    pub initial_state: StateId,
    /// Jobs matched to it this cycle (per autocluster, in order).
    pub taken: u64,
    /// The slot fails `NEGOTIATOR_SLOT_CONSTRAINT`.
    pub excluded: bool,
}

pub struct RBase {
    /// A slot whose attributes stand for the whole group.
    pub rep: u32,
    pub mbase: u32,
    /// The rep slot's ad, built when first evaluated.
    ad: Option<Arc<ClassAd>>,
}

pub struct State {
    pub rbase: u32,
    pub mstate: MStateId,
    pub kind: Kind,
    pub res: Res,
    /// Free slots in this state (a stack: the last pushed is taken first).
    pub free: Vec<u32>,
    /// Creation order, for ties between equally ranked states.
    pub seq: u32,
    ad: Option<Arc<ClassAd>>,
    weight: Option<f64>,
    constraint_ok: Option<bool>,
}

pub struct MState {
    /// The state whose ad is evaluated for this mstate.
    pub rep_state: StateId,
    /// Every state of this mstate.
    pub states: Vec<StateId>,
}

/// The pool as one cycle sees it.
pub struct Pool {
    pub names: Interner,
    pub known: Known,
    pub slots: Vec<Slot>,
    pub rbases: Vec<RBase>,
    pub states: Vec<State>,
    pub mstates: Vec<MState>,
    state_index: FxHashMap<(u32, Kind, Res), StateId>,
    mstate_index: FxHashMap<(u32, Kind, Res), MStateId>,
    /// Non-literal expressions seen for each name (the reference graph).
    by_name: Vec<Vec<ExprId>>,
    seen_pairs: FxHashSet<(NameId, ExprId)>,
    /// Names matching reads (`need_match`) and matching or ranking read (`need_any`).
    pub need_match: Vec<bool>,
    pub need_any: Vec<bool>,
    /// Names the rank expressions read (job `Rank`, pre- and post-job rank).
    pub need_rank: Vec<bool>,
    /// Some reachable expression may read names it does not spell out.
    pub opaque: bool,
    /// Problems with the input (unparsable expressions, nameless slots).
    pub problems: Vec<String>,
    /// Evaluations of expressions done this cycle.
    pub evaluations: u64,
    /// Total weight of all slots (the pie).
    pub total_weight: f64,
    name_hint: Vec<(String, NameId)>,
    expr_hint: Vec<Option<(String, ExprId)>>,
    /// `SLOT_WEIGHT` reads only resources: carved slots are priced by size alone.
    weight_by_size: Option<bool>,
    size_weights: FxHashMap<Res, f64>,
}

impl Pool {
    pub fn new() -> Pool {
        let mut names = Interner::new();
        let known = Known::new(&mut names);
        Pool {
            names,
            known,
            slots: Vec::new(),
            rbases: Vec::new(),
            states: Vec::new(),
            mstates: Vec::new(),
            state_index: FxHashMap::default(),
            mstate_index: FxHashMap::default(),
            by_name: Vec::new(),
            seen_pairs: FxHashSet::default(),
            need_match: Vec::new(),
            need_any: Vec::new(),
            need_rank: Vec::new(),
            opaque: false,
            problems: Vec::new(),
            evaluations: 0,
            total_weight: 0.0,
            name_hint: Vec::new(),
            expr_hint: Vec::new(),
            weight_by_size: None,
            size_weights: FxHashMap::default(),
        }
    }

    /// The id of the name at position `pos` of an ad. Ads of one pool list
    /// the same names in the same order: the name last seen at a position
    /// is compared before anything is hashed.
    pub(super) fn name_at(&mut self, pos: usize, k: &str) -> NameId {
        match self.name_hint.get(pos) {
            Some((text, id)) if text.as_str() == k => *id,
            _ => {
                let id = self.names.name(k);
                if pos < self.name_hint.len() {
                    self.name_hint[pos] = (k.to_string(), id);
                } else if pos == self.name_hint.len() {
                    self.name_hint.push((k.to_string(), id));
                }
                id
            }
        }
    }

    /// The id of expression `text` of attribute `n` (the text last seen
    /// for a name is compared before anything is hashed), recording the
    /// reference graph.
    pub(super) fn expr_of(&mut self, n: NameId, k: &str, text: &str, what: &dyn Fn() -> String) -> ExprId {
        if let Some(Some((t, e))) = self.expr_hint.get(n as usize) {
            if t.as_str() == text {
                return *e;
            }
        }
        let (e, err) = self.names.expr(text);
        if let Some(err) = err {
            self.problems.push(format!("{}: attribute {k} = {text} does not parse ({err}); it counts as error", what()));
        }
        if self.expr_hint.len() <= n as usize {
            self.expr_hint.resize(n as usize + 1, None);
        }
        self.expr_hint[n as usize] = Some((text.to_string(), e));
        if !self.names.info(e).literal && self.seen_pairs.insert((n, e)) {
            let n = n as usize;
            if self.by_name.len() <= n {
                self.by_name.resize_with(n + 1, Vec::new);
            }
            self.by_name[n].push(e);
        }
        e
    }

    /// Intern all of an ad's attributes, recording the reference graph.
    pub fn intern_ad(&mut self, ad: &WireAd, what: &dyn Fn() -> String) -> Vec<(NameId, ExprId)> {
        let mut attrs = Vec::with_capacity(ad.len());
        for (pos, (k, v)) in ad.0.iter().enumerate() {
            let n = self.name_at(pos, k);
            let e = self.expr_of(n, k, v, what);
            attrs.push((n, e));
        }
        attrs
    }

    /// Names the slots' expressions reachable from `roots` refer to that no
    /// slot defines: attributes of the job they are matched with. Sorted.
    pub fn external_refs(&mut self, roots: &[&str]) -> Vec<String> {
        let mut defined = vec![false; self.names.name_count()];
        for slot in &self.slots {
            for &n in &slot.names {
                defined[n as usize] = true;
            }
        }
        let root_ids: Vec<NameId> = roots.iter().map(|r| self.names.name(r)).collect();
        let reach = self.closure(&root_ids, &[]);
        let mut out: Vec<String> = reach
            .iter()
            .enumerate()
            .filter(|&(n, &r)| r && !defined.get(n).copied().unwrap_or(false) && !root_ids.contains(&(n as NameId)))
            .map(|(n, _)| self.names.name_text(n as NameId).to_string())
            .collect();
        out.sort_by_key(|s| s.to_ascii_lowercase());
        out
    }

    /// Intern a configuration expression as if an ad held it.
    pub fn intern_config(&mut self, e: &Expr) -> ExprId {
        self.names.add(e.clone())
    }

    /// Follow references from `roots` through every expression seen.
    pub fn closure(&mut self, roots: &[NameId], root_exprs: &[ExprId]) -> Vec<bool> {
        let mut need = vec![false; self.names.name_count()];
        let mut stack: Vec<NameId> = Vec::new();
        let push = |n: NameId, need: &mut Vec<bool>, stack: &mut Vec<NameId>| {
            let i = n as usize;
            if i >= need.len() {
                need.resize(i + 1, false);
            }
            if !need[i] {
                need[i] = true;
                stack.push(n);
            }
        };
        for &r in roots {
            push(r, &mut need, &mut stack);
        }
        for &e in root_exprs {
            let info = self.names.info(e);
            self.opaque |= info.opaque;
            for &r in info.refs.iter() {
                push(r, &mut need, &mut stack);
            }
        }
        while let Some(n) = stack.pop() {
            let Some(exprs) = self.by_name.get(n as usize) else { continue };
            for &e in exprs {
                let info = self.names.info(e);
                self.opaque |= info.opaque;
                for &r in info.refs.iter() {
                    push(r, &mut need, &mut stack);
                }
            }
        }
        need
    }

    /// A ClassAd of interned attributes.
    pub fn build_ad(&self, attrs: &[(NameId, ExprId)]) -> ClassAd {
        let mut ad = ClassAd::new();
        for &(n, e) in attrs {
            ad.insert_name(self.names.name_obj(n).clone(), self.names.get(e).clone());
        }
        ad
    }

    /// The key of an interned ad over the names in `need` (for slots,
    /// resources are left out: the state holds them).
    pub fn key(&self, attrs: &[(NameId, ExprId)], need: &[bool], slot: bool) -> Vec<(NameId, ExprId)> {
        let mut key: Vec<(NameId, ExprId)> = attrs
            .iter()
            .copied()
            .filter(|&(n, _)| {
                !(slot && self.known.is_resource(n)) && (self.opaque || need.get(n as usize).copied().unwrap_or(false))
            })
            .collect();
        key.sort_unstable();
        key.dedup_by_key(|p| p.0);
        key
    }

    /// The state of `rbase` with `kind` and `res`, created if new.
    pub fn state_for(&mut self, rbase: u32, kind: Kind, res: Res) -> StateId {
        if let Some(&s) = self.state_index.get(&(rbase, kind, res)) {
            return s;
        }
        let mbase = self.rbases[rbase as usize].mbase;
        let id = self.states.len() as StateId;
        let mstate = match self.mstate_index.get(&(mbase, kind, res)) {
            Some(&m) => m,
            None => {
                let m = self.mstates.len() as MStateId;
                self.mstates.push(MState { rep_state: id, states: Vec::new() });
                self.mstate_index.insert((mbase, kind, res), m);
                m
            }
        };
        self.states.push(State {
            rbase,
            mstate,
            kind,
            res,
            free: Vec::new(),
            seq: id,
            ad: None,
            weight: None,
            constraint_ok: None,
        });
        self.state_index.insert((rbase, kind, res), id);
        self.mstates[mstate as usize].states.push(id);
        id
    }

    /// The ad of an rbase's representative slot.
    fn rbase_ad(&mut self, r: u32) -> Arc<ClassAd> {
        if let Some(ad) = &self.rbases[r as usize].ad {
            return ad.clone();
        }
        let rep = &self.slots[self.rbases[r as usize].rep as usize];
        let ad = Arc::new(self.build_ad(&rep.attrs));
        self.rbases[r as usize].ad = Some(ad.clone());
        ad
    }

    /// The ad a state is evaluated with: its rbase's ad, or a small ad of
    /// the state's resources chained to it.
    pub fn state_ad(&mut self, s: StateId) -> Arc<ClassAd> {
        if let Some(ad) = &self.states[s as usize].ad {
            return ad.clone();
        }
        let (rbase, res) = (self.states[s as usize].rbase, self.states[s as usize].res);
        let base = self.rbase_ad(rbase);
        // The rbase's ad says what its representative advertised.
        let adv = self.slots[self.rbases[rbase as usize].rep as usize].advertised;
        let ad = if res == adv {
            base
        } else {
            let k = &self.known;
            let mut child = ClassAd::new();
            for (n, v, was) in [(k.cpus, res.cpus, adv.cpus), (k.memory, res.memory, adv.memory), (k.disk, res.disk, adv.disk), (k.gpus, res.gpus, adv.gpus)] {
                if v != was {
                    child.insert_name(self.names.name_obj(n).clone(), Expr::literal(Value::Int(v)));
                }
            }
            child.chain_to(base);
            Arc::new(child)
        };
        self.states[s as usize].ad = Some(ad.clone());
        ad
    }

    /// What a slot in state `s` costs: its `SlotWeight` (or `SLOT_WEIGHT`);
    /// 1 without slot weights.
    pub fn weight(&mut self, s: StateId, settings: &Settings) -> f64 {
        if let Some(w) = self.states[s as usize].weight {
            return w;
        }
        let w = if !settings.use_slot_weights {
            1.0
        } else {
            let ad = self.state_ad(s);
            self.evaluations += 1;
            let v = match ad.get("SlotWeight") {
                Some(_) => ad.eval_attr("SlotWeight"),
                None => settings.slot_weight.eval(Some(&ad), None),
            };
            weight_value(v)
        };
        self.states[s as usize].weight = Some(w);
        w
    }

    /// What a dynamic slot of size `per` carved from a slot of `rbase`
    /// costs (`SLOT_WEIGHT` of the carved slot).
    pub fn carved_weight(&mut self, rbase: u32, per: Res, settings: &Settings) -> f64 {
        if !settings.use_slot_weights {
            return 1.0;
        }
        let by_size = match self.weight_by_size {
            Some(b) => b,
            None => {
                let id = self.names.add(settings.slot_weight.clone());
                let info = self.names.info(id);
                let k = &self.known;
                let b = !info.opaque && info.refs.iter().all(|&n| k.is_resource(n));
                self.weight_by_size = Some(b);
                b
            }
        };
        if !by_size {
            let d = self.state_for(rbase, Kind::Unavailable, per);
            self.states[d as usize].weight = None;
            let ad = self.state_ad(d);
            self.evaluations += 1;
            return weight_value(settings.slot_weight.eval(Some(&ad), None));
        }
        if let Some(w) = self.size_weights.get(&per) {
            return *w;
        }
        let mut ad = ClassAd::new();
        ad.insert_value("Cpus", Value::Int(per.cpus));
        ad.insert_value("Memory", Value::Int(per.memory));
        ad.insert_value("Disk", Value::Int(per.disk));
        ad.insert_value("GPUs", Value::Int(per.gpus));
        self.evaluations += 1;
        let w = weight_value(settings.slot_weight.eval(Some(&ad), None));
        self.size_weights.insert(per, w);
        w
    }

    /// `NEGOTIATOR_SLOT_CONSTRAINT` for a state.
    pub fn constraint_ok(&mut self, s: StateId, settings: &Settings) -> bool {
        let Some(c) = &settings.slot_constraint else { return true };
        if let Some(ok) = self.states[s as usize].constraint_ok {
            return ok;
        }
        let ad = self.state_ad(s);
        self.evaluations += 1;
        let ok = classad::ops::bool_equiv(&c.eval(Some(&ad), None)).unwrap_or(false);
        self.states[s as usize].constraint_ok = Some(ok);
        ok
    }
}

fn weight_value(v: Value) -> f64 {
    match v.as_number() {
        Some(x) if x >= 0.0 && x.is_finite() => x,
        _ => 1.0,
    }
}

/// Once the closure is known: group slots into rbases, mbases and states.
pub fn group_slots(pool: &mut Pool, settings: &Settings) {
    let mut rindex: FxHashMap<Vec<(NameId, ExprId)>, u32> = FxHashMap::default();
    let mut mindex: FxHashMap<Vec<(NameId, ExprId)>, u32> = FxHashMap::default();
    let mut total = 0.0;
    for i in 0..pool.slots.len() {
        let rkey = pool.key(&pool.slots[i].attrs, &pool.need_any, true);
        let rbase = match rindex.get(&rkey) {
            Some(&r) => r,
            None => {
                let mkey = pool.key(&pool.slots[i].attrs, &pool.need_match, true);
                let next = mindex.len() as u32;
                let mbase = *mindex.entry(mkey).or_insert(next);
                let r = pool.rbases.len() as u32;
                pool.rbases.push(RBase { rep: i as u32, mbase, ad: None });
                rindex.insert(rkey, r);
                r
            }
        };
        let (kind, res) = (pool.slots[i].kind, pool.slots[i].res);
        let s = pool.state_for(rbase, kind, res);
        let slot = &mut pool.slots[i];
        slot.rbase = rbase;
        slot.state = s;
        slot.initial_state = s;
        total += pool.weight(s, settings);
        if !pool.constraint_ok(s, settings) {
            pool.slots[i].excluded = true;
        }
    }
    // Free lists are stacks: push in reverse so the first slot is taken first.
    for i in (0..pool.slots.len()).rev() {
        let slot = &pool.slots[i];
        if slot.kind.available() && !slot.excluded {
            let s = slot.state as usize;
            pool.states[s].free.push(i as u32);
        }
    }
    pool.total_weight = total;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_counts_whole_jobs_of_every_requested_resource() {
        let have = Res { cpus: 16, memory: 8192, disk: 100_000, gpus: 0 };
        assert_eq!(have.fits(&Res { cpus: 1, memory: 1024, disk: 1024, gpus: 0 }), 8);
        assert_eq!(have.fits(&Res { cpus: 3, memory: 128, disk: 0, gpus: 0 }), 5);
        assert_eq!(have.fits(&Res { cpus: 1, memory: 0, disk: 0, gpus: 1 }), 0);
        assert_eq!(have.minus(&Res { cpus: 2, memory: 1024, disk: 0, gpus: 0 }, 3).cpus, 10);
    }
}
