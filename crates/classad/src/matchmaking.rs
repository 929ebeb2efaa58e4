//! Matchmaking between two ads: each ad's `Requirements` evaluated with the
//! other ad as `TARGET`, and `Rank` as a preference; and the clause-by-clause
//! view of a `Requirements` that `condor_q -better-analyze` prints.

use crate::expr::{BinaryOp, Node};
use crate::{ClassAd, Expr, Value};

/// True when `a`'s `Requirements` is true with `b` as the target and
/// `b`'s `Requirements` is true with `a` as the target. A missing or
/// non-boolean `Requirements` (undefined, error, a string) does not match;
/// numbers count as booleans (non-zero is true), as in HTCondor.
pub fn symmetric_match(a: &ClassAd, b: &ClassAd) -> bool {
    requirements_met(a, b) && requirements_met(b, a)
}

/// True when `ad`'s `Requirements` evaluates to true against `target`.
///
/// The attribute is looked up in `ad` itself (as HTCondor's
/// `RIGHT.Requirements` does): an ad without one never matches, even when
/// the target has a `Requirements` of its own.
pub fn requirements_met(ad: &ClassAd, target: &ClassAd) -> bool {
    ad.get("Requirements").is_some() && is_true(&ad.eval_attr_against("Requirements", target))
}

/// `a`'s `Rank` evaluated against `b`: a number (booleans count as 0/1),
/// or 0.0 when it is missing, undefined, an error or not numeric.
pub fn rank(a: &ClassAd, b: &ClassAd) -> f64 {
    if a.get("Rank").is_none() {
        return 0.0;
    }
    match a.eval_attr_against("Rank", b) {
        Value::Int(i) => i as f64,
        Value::Real(r) if r.is_finite() => r,
        Value::Bool(x) => x as i64 as f64,
        _ => 0.0,
    }
}

/// Evaluate attribute `name` of `ad` with `target` as the matched ad.
pub fn eval_against(ad: &ClassAd, name: &str, target: &ClassAd) -> Value {
    ad.eval_attr_against(name, target)
}

/// The clauses of a conjunction: `a && (b && c) && d` gives `a`, `b`, `c`,
/// `d` (parentheses around a conjunction are looked through); any other
/// expression is one clause.
pub fn conjuncts(expr: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    let mut stack = vec![expr.clone()];
    while let Some(e) = stack.pop() {
        match e.node() {
            Node::Binary { op: BinaryOp::And, lhs, rhs } => {
                stack.push(rhs.clone());
                stack.push(lhs.clone());
            }
            Node::Paren(inner) if matches!(inner.node(), Node::Binary { op: BinaryOp::And, .. } | Node::Paren(_)) => {
                stack.push(inner.clone())
            }
            _ => out.push(e),
        }
    }
    out
}

/// One clause of a `Requirements` and what it evaluated to against a target.
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseOutcome {
    /// The clause as it appears in the expression.
    pub expr: Expr,
    /// Its old-syntax text, as HTCondor prints it (`TARGET.Memory >= RequestMemory`).
    pub text: String,
    /// Its value with the analysed ad as `MY` and the other as `TARGET`.
    pub value: Value,
}

impl ClauseOutcome {
    /// True when the clause alone lets the match go ahead (true, or a
    /// non-zero number).
    pub fn is_satisfied(&self) -> bool {
        is_true(&self.value)
    }
}

/// Split attribute `attr` of `ad` (normally `Requirements`) into its
/// top-level `&&` clauses and evaluate each against `target`. Empty when
/// the attribute does not exist.
pub fn analyze_clauses(ad: &ClassAd, attr: &str, target: &ClassAd) -> Vec<ClauseOutcome> {
    let Some(expr) = ad.get(attr) else { return Vec::new() };
    conjuncts(expr)
        .into_iter()
        .map(|c| {
            let value = ad.eval_expr(&c, Some(target));
            ClauseOutcome { text: c.to_string(), expr: c, value }
        })
        .collect()
}

fn is_true(v: &Value) -> bool {
    crate::ops::bool_equiv(v).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_matches_machine() {
        let job = ClassAd::parse_old(
            "RequestMemory = 1024\nRequirements = TARGET.Memory >= RequestMemory && TARGET.OpSys == \"LINUX\"\nRank = TARGET.Memory",
        )
        .expect("job parses");
        let machine = ClassAd::parse_old("Memory = 4096\nOpSys = \"LINUX\"\nRequirements = TARGET.RequestMemory < 2000")
            .expect("machine parses");
        assert!(symmetric_match(&job, &machine));
        assert_eq!(rank(&job, &machine), 4096.0);
        let small = ClassAd::parse_old("Memory = 512\nOpSys = \"LINUX\"\nRequirements = true").expect("parses");
        assert!(!symmetric_match(&job, &small));
        let no_req = ClassAd::parse_old("Memory = 8192\nOpSys = \"LINUX\"").expect("parses");
        assert!(!symmetric_match(&job, &no_req));
    }

    #[test]
    fn requirements_split_into_clauses_and_each_is_judged() {
        let job = ClassAd::parse_old(
            "RequestMemory = 4096\nRequirements = (TARGET.Arch == \"X86_64\") && (TARGET.Memory >= RequestMemory && TARGET.OpSys == \"LINUX\") && TARGET.HasGPU",
        )
        .expect("job parses");
        let machine = ClassAd::parse_old("Arch = \"X86_64\"\nMemory = 2048\nOpSys = \"LINUX\"").expect("parses");
        let clauses = analyze_clauses(&job, "Requirements", &machine);
        let texts: Vec<&str> = clauses.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["(TARGET.Arch == \"X86_64\")", "TARGET.Memory >= RequestMemory", "TARGET.OpSys == \"LINUX\"", "TARGET.HasGPU"]
        );
        let values: Vec<Value> = clauses.iter().map(|c| c.value.clone()).collect();
        assert_eq!(values, [Value::Bool(true), Value::Bool(false), Value::Bool(true), Value::Undefined]);
        assert_eq!(clauses.iter().filter(|c| c.is_satisfied()).count(), 2);
        assert!(analyze_clauses(&job, "NoSuchAttr", &machine).is_empty());
        let single = Expr::parse("a || b").expect("parses");
        assert_eq!(conjuncts(&single), vec![single.clone()]);
    }
}
