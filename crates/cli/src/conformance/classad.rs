//! Conformance runner for the classad corpus.
//!
//! Each corpus file is JSON Lines; `contexts.json` beside it holds the `my`
//! and `target` ads in old syntax. A case passes when the expression's value
//! (evaluated in `my`, matched against `target`, in UTC) and its old-syntax
//! unparse (`R = <expr>`) both agree with HTCondor's answers. Values compare
//! in the corpus's canonical form: reals as Python's `repr` of the double,
//! ads as attribute → old-syntax text, lists written as `{...}` with their
//! non-literal elements as expressions, relative times as seconds (as
//! HTCondor's Python bindings hand them out).
//!
//! The reference answered the corpus in batches of 100 cases, each in a
//! fresh Python process that loads only `classad2`. Such a process starts
//! with HTCondor's ClassAd library unconfigured (see [`classad::Dialect`]);
//! it becomes configured when the bindings first hand a ClassAd value to
//! Python, which imports `htcondor2` and loads the configuration. The
//! runner therefore judges each batch's cases up to and including the
//! first one whose answer contains an ad against the unconfigured library
//! and the rest against the configured one — or, where that fits the batch
//! better (some batches never switched), every case against the
//! unconfigured library. `--configured-only` judges every case against the
//! configured library (what Aerie's users see), `--unconfigured-only`
//! every case against the unconfigured one. The details are in
//! crates/classad/KNOWN_DIFFERENCES.md.

use std::path::Path;

use anyhow::{bail, Context};
use classad::unparse::python_repr_f64;
use classad::{ClassAd, Dialect, Expr, Lazy, Value};
use serde_json::{json, Map, Value as Json};

use super::Tally;

/// Cases the reference answered in one process.
const BATCH: usize = 100;

pub fn run(args: &[String]) -> anyhow::Result<Tally> {
    // The corpus was answered in UTC; local-time functions must agree.
    std::env::set_var("TZ", "UTC");
    let configured_only = args.iter().any(|a| a == "--configured-only");
    let unconfigured_only = args.iter().any(|a| a == "--unconfigured-only");
    let mut tally = Tally::default();
    let mut unconfigured = 0usize;
    for file in args.iter().filter(|a| !a.starts_with("--")) {
        let mode = if configured_only {
            Mode::Configured
        } else if unconfigured_only {
            Mode::Unconfigured
        } else {
            Mode::AsAnswered
        };
        unconfigured += run_file(Path::new(file), mode, &mut tally)?;
    }
    if unconfigured > 0 {
        println!(
            "({unconfigured} cases judged against HTCondor's unconfigured ClassAd library, as the reference \
             answered them; see crates/classad/KNOWN_DIFFERENCES.md)"
        );
    }
    Ok(tally)
}

/// Which state of HTCondor's library each case is judged against.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// As the reference answered it (see the module documentation).
    AsAnswered,
    /// Every case configured (`--configured-only`).
    Configured,
    /// Every case unconfigured (`--unconfigured-only`).
    Unconfigured,
}

struct Case {
    id: String,
    expr: String,
    expected: Json,
    expected_unparse: Json,
}

impl Case {
    /// True when the reference's answer holds a ClassAd (handing one to
    /// Python is what configured the reference's library).
    fn answer_has_ad(&self) -> bool {
        fn has_ad(v: &Json) -> bool {
            match v.get("t").and_then(Json::as_str) {
                Some("ad") => true,
                Some("list") => v.get("v").and_then(Json::as_array).is_some_and(|items| items.iter().any(has_ad)),
                _ => false,
            }
        }
        has_ad(&self.expected)
    }

    fn is_exception(&self) -> bool {
        self.expected.get("t").and_then(Json::as_str) == Some("exception")
    }
}

/// Our answer in one dialect and whether it agrees with the reference.
struct Judged {
    got: Json,
    got_unparse: Json,
    pass: bool,
}

fn judge(case: &Case, my: &ClassAd, target: &ClassAd, dialect: Dialect) -> Judged {
    let (got, got_unparse) = answer(&case.expr, my, target, dialect);
    let pass = got == case.expected && got_unparse == case.expected_unparse;
    Judged { got, got_unparse, pass }
}

/// Runs one file; returns how many cases were judged unconfigured.
fn run_file(path: &Path, mode: Mode, tally: &mut Tally) -> anyhow::Result<usize> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("cannot read corpus file {} (give the path of a classad corpus .jsonl file)", path.display())
    })?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let ctx_path = dir.join("contexts.json");
    let (my, target) = load_contexts(&ctx_path)?;
    let mut cases = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Json = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON object", path.display(), lineno + 1))?;
        let Some(expr) = case.get("expr").and_then(Json::as_str) else {
            bail!("{}:{}: case has no \"expr\" string", path.display(), lineno + 1);
        };
        cases.push(Case {
            id: case.get("id").and_then(Json::as_str).unwrap_or("?").to_string(),
            expr: expr.to_string(),
            expected: case.get("value").cloned().unwrap_or(Json::Null),
            expected_unparse: case.get("unparse").cloned().unwrap_or(Json::Null),
        });
    }
    let mut unconfigured_total = 0;
    for batch in cases.chunks(BATCH) {
        let configured: Vec<Judged> = batch.iter().map(|c| judge(c, &my, &target, Dialect::Configured)).collect();
        // How many leading cases were answered unconfigured.
        let prefix = if mode == Mode::Configured {
            0
        } else {
            let unconf: Vec<Judged> = batch.iter().map(|c| judge(c, &my, &target, Dialect::Unconfigured)).collect();
            let switch = batch.iter().position(Case::answer_has_ad).map_or(batch.len(), |i| i + 1);
            let passes = |k: usize| {
                batch
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| !c.is_exception() && if *i < k { unconf[*i].pass } else { configured[*i].pass })
                    .count()
            };
            let k = if mode == Mode::Unconfigured || passes(batch.len()) > passes(switch) {
                batch.len()
            } else {
                switch
            };
            report(&batch[..k], &unconf[..k], "unconfigured", tally);
            k
        };
        unconfigured_total += prefix;
        report(&batch[prefix..], &configured[prefix..], "configured", tally);
    }
    Ok(unconfigured_total)
}

fn report(cases: &[Case], judged: &[Judged], state: &str, tally: &mut Tally) {
    for (case, j) in cases.iter().zip(judged) {
        if case.is_exception() {
            tally.skipped += 1;
        } else if j.pass {
            tally.passed += 1;
        } else {
            tally.failed += 1;
            println!("FAIL {} ({state}): {}", case.id, case.expr);
            println!("  expected: {}  {}", case.expected, case.expected_unparse);
            println!("  got:      {}  {}", j.got, j.got_unparse);
        }
    }
}

fn load_contexts(path: &Path) -> anyhow::Result<(ClassAd, ClassAd)> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("cannot read {} (the corpus's my/target ads must sit beside the corpus file)", path.display())
    })?;
    let v: Json = serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", path.display()))?;
    let ad = |key: &str| -> anyhow::Result<ClassAd> {
        let Some(s) = v.get(key).and_then(Json::as_str) else {
            bail!("{}: no \"{key}\" ad (a string of old-syntax lines)", path.display());
        };
        ClassAd::parse_old(s).with_context(|| format!("{}: the \"{key}\" ad does not parse", path.display()))
    };
    Ok((ad("my")?, ad("target")?))
}

/// Our answer for one expression: (value, unparse) in the corpus's form.
fn answer(text: &str, my: &ClassAd, target: &ClassAd, dialect: Dialect) -> (Json, Json) {
    match Expr::parse_with(text, dialect) {
        Err(_) => (json!({"t": "parse_error"}), Json::Null),
        Ok(e) => {
            let v = e.eval_lazy_with(Some(my), Some(target), dialect);
            (lazy_json(&v), Json::String(format!("R = {e}")))
        }
    }
}

fn lazy_json(v: &Lazy) -> Json {
    match v {
        Lazy::Value(v) => value_json(v),
        Lazy::List(items) => json!({"t": "list", "v": items.iter().map(lazy_json).collect::<Vec<_>>()}),
        Lazy::Expr(e) => json!({"t": "expr", "v": e.to_string()}),
    }
}

fn value_json(v: &Value) -> Json {
    match v {
        Value::Undefined => json!({"t": "undefined"}),
        Value::Error => json!({"t": "error"}),
        Value::Bool(b) => json!({"t": "bool", "v": b}),
        Value::Int(i) => json!({"t": "int", "v": i}),
        Value::Real(r) => json!({"t": "real", "v": python_repr_f64(*r)}),
        Value::String(s) => json!({"t": "string", "v": &**s}),
        Value::List(items) => json!({"t": "list", "v": items.iter().map(value_json).collect::<Vec<_>>()}),
        Value::Ad(ad) => {
            let mut m = Map::new();
            for (name, e) in ad.iter() {
                m.insert(name.to_string(), Json::String(e.to_string()));
            }
            json!({"t": "ad", "v": m})
        }
        Value::AbsTime { secs, offset } => json!({"t": "abstime", "v": {"secs": secs, "offset": offset}}),
        // The reference's Python bindings hand relative times out as seconds.
        Value::RelTime(r) => json!({"t": "real", "v": python_repr_f64(*r)}),
    }
}
