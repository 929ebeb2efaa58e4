//! One cycle's demand: the schedds' autoclusters, grouped into job shapes.
//!
//! An autocluster is a schedd's group of identical idle jobs. Autoclusters
//! whose attributes agree on every name matchmaking can read (see
//! [`super::pool`]) form one *shape*, even across schedds: the shape's
//! representative ad is evaluated against each slot state once, and the
//! answer serves every job of every autocluster of that shape.

use std::sync::Arc;

use classad::{ClassAd, Expr, Node};

use super::hash::FxHashMap;
use super::intern::{ExprId, NameId};
use super::pool::Pool;
use super::settings::Settings;
use super::ScheddRequests;

/// One autocluster of one schedd.
pub struct Ac {
    pub schedd: usize,
    pub autocluster: u64,
    pub submitter: String,
    pub count: u64,
    pub attrs: Vec<(NameId, ExprId)>,
    pub shape: u32,
    /// Idle jobs not matched yet.
    pub remaining: u64,
    /// Stopped at least once by the submitter's fair-share limit.
    pub limited: bool,
    /// No slot is left for it this cycle.
    pub exhausted: bool,
    /// It fails `NEGOTIATOR_JOB_CONSTRAINT`.
    pub excluded: bool,
}

/// Autoclusters that look alike to matchmaking.
pub struct Shape {
    pub ad: Arc<ClassAd>,
    /// Shapes that agree on what the rank expressions read share a rank
    /// shape, and with it every rank evaluation.
    pub rank_shape: u32,
    /// The job's `Rank` is a constant (then it cannot order slots).
    pub rank_constant: bool,
    /// The top-level conditions of the job's `Requirements`.
    pub conditions: Vec<Expr>,
}

/// Intern every request (before the closure is known).
pub fn ingest_requests(pool: &mut Pool, schedds: &[ScheddRequests]) -> Vec<Ac> {
    let mut acs = Vec::new();
    for (si, s) in schedds.iter().enumerate() {
        for r in &s.requests {
            let what = || format!("autocluster {} of schedd {}", r.autocluster, s.name);
            let attrs = pool.intern_ad(&r.ad, &what);
            acs.push(Ac {
                schedd: si,
                autocluster: r.autocluster,
                submitter: r.submitter.clone(),
                count: r.count,
                attrs,
                shape: 0,
                remaining: r.count,
                limited: false,
                exhausted: false,
                excluded: false,
            });
        }
    }
    acs
}

/// Once the closure is known: give every autocluster its shape.
pub fn group_shapes(pool: &mut Pool, acs: &mut [Ac], settings: &Settings) -> Vec<Shape> {
    let mut index: FxHashMap<Vec<(NameId, ExprId)>, u32> = FxHashMap::default();
    let mut rank_index: FxHashMap<Vec<(NameId, ExprId)>, u32> = FxHashMap::default();
    let mut shapes: Vec<Shape> = Vec::new();
    let mut shape_ok: Vec<bool> = Vec::new();
    for ac in acs.iter_mut() {
        let key = pool.key(&ac.attrs, &pool.need_any, false);
        let id = match index.get(&key) {
            Some(&id) => id,
            None => {
                let ad = Arc::new(pool.build_ad(&ac.attrs));
                let rank_constant = ad.get("Rank").is_none_or(|e| e.as_literal().is_some());
                let conditions = ad.get("Requirements").map(split_conditions).unwrap_or_default();
                let ok = match &settings.job_constraint {
                    None => true,
                    Some(c) => {
                        pool.evaluations += 1;
                        classad::ops::bool_equiv(&c.eval(Some(&ad), None)).unwrap_or(false)
                    }
                };
                let rkey = pool.key(&ac.attrs, &pool.need_rank, false);
                let next = rank_index.len() as u32;
                let rank_shape = *rank_index.entry(rkey).or_insert(next);
                let id = shapes.len() as u32;
                shapes.push(Shape { ad, rank_shape, rank_constant, conditions });
                shape_ok.push(ok);
                index.insert(key, id);
                id
            }
        };
        ac.shape = id;
        ac.excluded = !shape_ok[id as usize];
    }
    shapes
}

/// Split an expression at its top-level `&&`s (parentheses around an `&&`
/// are looked through), as `condor_q -better-analyze` lists conditions.
pub fn split_conditions(e: &Expr) -> Vec<Expr> {
    fn walk(e: &Expr, out: &mut Vec<Expr>) {
        match e.node() {
            Node::Binary { op: classad::BinaryOp::And, lhs, rhs } => {
                walk(lhs, out);
                walk(rhs, out);
            }
            Node::Paren(inner) if matches!(inner.node(), Node::Binary { op: classad::BinaryOp::And, .. } | Node::Paren(_)) => {
                walk(inner, out)
            }
            Node::Paren(inner) => out.push(inner.clone()),
            _ => out.push(e.clone()),
        }
    }
    let mut out = Vec::new();
    walk(e, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_split_at_top_level_ands_only() {
        let e = Expr::parse("(TARGET.Arch == \"X86_64\") && ((TARGET.Memory >= RequestMemory) && (a || b))").unwrap();
        let parts: Vec<String> = split_conditions(&e).iter().map(|c| c.to_old_string()).collect();
        assert_eq!(parts, ["TARGET.Arch == \"X86_64\"", "TARGET.Memory >= RequestMemory", "a || b"]);
    }
}
