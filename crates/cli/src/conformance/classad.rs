//! Conformance runner for the classad corpus.
//!
//! Each corpus file is JSON Lines; `contexts.json` beside it holds the `my`
//! and `target` ads in old syntax. A case passes when the expression's value
//! (evaluated in `my`, matched against `target`) and its old-syntax unparse
//! (`R = <expr>`) both agree with HTCondor's answers. Values compare in the
//! corpus's canonical form: reals as Python's `repr` of the double, ads as
//! attribute → old-syntax text, lists written as `{...}` with their
//! non-literal elements as expressions (as HTCondor's Python bindings hand
//! them out).

use std::path::Path;

use anyhow::{bail, Context};
use classad::unparse::python_repr_f64;
use classad::{ClassAd, Expr, Lazy, Value};
use serde_json::{json, Map, Value as Json};

use super::Tally;

pub fn run(files: &[String]) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    for file in files {
        run_file(Path::new(file), &mut tally)?;
    }
    Ok(tally)
}

fn run_file(path: &Path, tally: &mut Tally) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read corpus file {} (give the path of a classad corpus .jsonl file)", path.display()))?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let ctx_path = dir.join("contexts.json");
    let (my, target) = load_contexts(&ctx_path)?;
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Json = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON object", path.display(), lineno + 1))?;
        let Some(expr_text) = case.get("expr").and_then(Json::as_str) else {
            bail!("{}:{}: case has no \"expr\" string", path.display(), lineno + 1);
        };
        let id = case.get("id").and_then(Json::as_str).unwrap_or("?");
        let expected = case.get("value").cloned().unwrap_or(Json::Null);
        let expected_unparse = case.get("unparse").cloned().unwrap_or(Json::Null);
        if expected.get("t").and_then(Json::as_str) == Some("exception") {
            tally.skipped += 1;
            continue;
        }
        let (got, got_unparse) = answer(expr_text, &my, &target);
        if got == expected && got_unparse == expected_unparse {
            tally.passed += 1;
        } else {
            tally.failed += 1;
            println!("FAIL {id}: {expr_text}");
            println!("  expected: {}  {}", expected, expected_unparse);
            println!("  got:      {}  {}", got, got_unparse);
        }
    }
    Ok(())
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
fn answer(text: &str, my: &ClassAd, target: &ClassAd) -> (Json, Json) {
    match Expr::parse(text) {
        Err(_) => (json!({"t": "parse_error"}), Json::Null),
        Ok(e) => {
            let v = e.eval_lazy(Some(my), Some(target));
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
