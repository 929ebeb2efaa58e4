//! Every builtin function, through the parser and evaluator, against
//! HTCondor's answers (tests/data/builtins.txt, written by
//! tests/reference/make_builtin_vectors.py from HTCondor's classad2 module
//! with tests/data/contexts.json as MY and TARGET). The functions that read
//! the clock are pinned by the unit tests in src/builtins/time.rs instead.

mod common;

use classad::{ClassAd, Expr};

fn contexts() -> (ClassAd, ClassAd) {
    let v: serde_json::Value = serde_json::from_str(include_str!("data/contexts.json")).expect("contexts.json is JSON");
    let ad = |k: &str| ClassAd::parse_old(v[k].as_str().expect("old-syntax ad text")).expect("context ad parses");
    (ad("my"), ad("target"))
}

#[test]
fn builtin_calls_agree_with_htcondor() {
    let (my, target) = contexts();
    let env = common::env();
    let vectors = common::vectors(include_str!("data/builtins.txt"));
    let mut failures = Vec::new();
    for (text, want) in &vectors {
        let got = match Expr::parse(text) {
            Ok(e) => common::show(&e.eval_with_env(Some(&my), Some(&target), &env)),
            Err(err) => format!("parse error: {err}"),
        };
        if got != *want {
            failures.push(format!("{text}: HTCondor {want}, Aerie {got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} differ:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}

/// Names the evaluator implements itself (they need unevaluated arguments).
const SPECIAL_FORMS: &[&str] =
    &["ifThenElse", "eval", "unparse", "debug", "evalInEachContext", "countMatches", "unresolved"];

#[test]
fn every_builtin_has_reference_vectors() {
    let text = include_str!("data/builtins.txt").to_ascii_lowercase();
    let clock = ["time", "currenttime", "daytime", "timezoneoffset", "random"];
    let missing: Vec<String> = classad::builtins::names()
        .map(str::to_string)
        .chain(SPECIAL_FORMS.iter().map(|s| s.to_ascii_lowercase()))
        .filter(|n| !text.contains(&format!("{n}(")) && !clock.contains(&n.as_str()))
        .collect();
    assert!(missing.is_empty(), "builtins without vectors: {missing:?}");
}
