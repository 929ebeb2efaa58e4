//! Matchmaking between two ads: each ad's `Requirements` evaluated with the
//! other ad as `TARGET`, and `Rank` as a preference.

use crate::{ClassAd, Value};

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
}
