//! Conformance runner for the config corpus.
//!
//! Each case's files are written into a fresh directory `D` (`@CFGDIR@`
//! replaced by `D`), the configuration is loaded as the case's subsystem
//! with `CONDOR_CONFIG=D/condor_config` and only the case's environment,
//! and every expected parameter is compared with what `htcondor2.param`
//! returned: a string, `{"int": n}`, `{"bool": b}`, `{"float": x}` or null.
//!
//! A case with `"error"` is a configuration HTCondor refuses; it passes when
//! Aerie refuses it too and names the file and line — the same line
//! HTCondor names when its message has one.

use std::path::Path;

use anyhow::{bail, Context};
use config::{Config, EnvMap, LoadOptions, ParamValue, Subsystem};
use serde_json::Value as Json;

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
        .with_context(|| format!("cannot read corpus file {} (give the path of a config corpus .jsonl file)", path.display()))?;
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Json =
            serde_json::from_str(line).with_context(|| format!("{}:{}: not a JSON object", path.display(), lineno + 1))?;
        let id = case.get("id").and_then(Json::as_str).unwrap_or("?").to_string();
        match run_case(&case) {
            Ok(Ok(())) => tally.passed += 1,
            Ok(Err(diffs)) => {
                tally.failed += 1;
                println!("FAIL {id}");
                for d in diffs {
                    println!("  {d}");
                }
            }
            Err(e) => bail!("{}:{} (case {id}): {e:#}", path.display(), lineno + 1),
        }
    }
    Ok(())
}

/// `Ok(Ok(()))` when the case passes, `Ok(Err(differences))` when it fails,
/// `Err` when the case itself is malformed.
fn run_case(case: &Json) -> anyhow::Result<Result<(), Vec<String>>> {
    let Some(files) = case.get("files").and_then(Json::as_object) else {
        bail!("case has no \"files\" object");
    };
    // named like Python's temporary directories, so that path functions see
    // the same shape of name the reference did
    let dir = tempfile::Builder::new().prefix("tmp").tempdir().context("cannot make a temporary directory")?;
    let d = dir.path().to_string_lossy().into_owned();
    for (name, content) in files {
        let Some(content) = content.as_str() else { bail!("file {name} is not a string") };
        if name.contains('/') || name.contains("..") {
            bail!("file name {name} is not a plain name");
        }
        std::fs::write(dir.path().join(name), content.replace("@CFGDIR@", &d)).with_context(|| format!("cannot write {name}"))?;
    }
    let mut env = EnvMap::new();
    if let Some(e) = case.get("env").and_then(Json::as_object) {
        for (k, v) in e {
            env.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
    }
    env.insert("CONDOR_CONFIG".into(), format!("{d}/condor_config"));
    let subsystem = case.get("subsystem").and_then(Json::as_str).unwrap_or("TOOL");
    let mut opts = LoadOptions::new(Subsystem::parse(subsystem)).with_env(env);
    opts.home = Some(dir.path().join("home"));
    let loaded = Config::load(&opts);

    if let Some(expected_error) = case.get("error") {
        let expected = expected_error.as_str().unwrap_or("").replace("@CFGDIR@", &d);
        return Ok(match loaded {
            Ok(_) => Err(vec![format!("expected a refusal like HTCondor's ({expected}), but the configuration loaded")]),
            Err(e) => check_refusal(&e, &expected),
        });
    }
    let cfg = match loaded {
        Ok(c) => c,
        Err(e) => return Ok(Err(vec![format!("refused a configuration HTCondor accepts: {e}")])),
    };
    let Some(expect) = case.get("expect").and_then(Json::as_object) else {
        bail!("case has neither \"expect\" nor \"error\"");
    };
    let mut diffs = Vec::new();
    for (name, want) in expect {
        let got = cfg.value(name);
        if !same(want, got.as_ref(), &d) {
            diffs.push(format!("{name}: expected {}, got {}", want, show(got.as_ref())));
        }
    }
    Ok(if diffs.is_empty() { Ok(()) } else { Err(diffs) })
}

/// A refusal passes when it names a file and line, and when HTCondor's
/// message names the line of the top-level file, the same line.
fn check_refusal(e: &config::ConfigError, expected: &str) -> Result<(), Vec<String>> {
    let Some(top) = e.top_location() else {
        return Err(vec![format!("refused without naming a file and line: {e}")]);
    };
    if let Some(rest) = expected.strip_prefix("Configuration Error Line ") {
        let line: Option<u32> = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        if let Some(l) = line {
            if l != top.line {
                return Err(vec![format!("HTCondor refuses at line {l} ({expected}); Aerie at line {}: {e}", top.line)]);
            }
        }
    }
    Ok(())
}

fn same(want: &Json, got: Option<&ParamValue>, dir: &str) -> bool {
    match (want, got) {
        (Json::Null, None) => true,
        (Json::String(w), Some(ParamValue::String(g))) => w.replace("@CFGDIR@", dir) == *g,
        (Json::Object(o), Some(g)) => {
            if let Some(i) = o.get("int") {
                return matches!(g, ParamValue::Int(v) if i.as_i64() == Some(*v));
            }
            if let Some(b) = o.get("bool") {
                return matches!(g, ParamValue::Bool(v) if b.as_bool() == Some(*v));
            }
            if let Some(f) = o.get("float") {
                return matches!(g, ParamValue::Real(v) if f.as_f64().is_some_and(|w| w == *v || (w.is_nan() && v.is_nan())));
            }
            false
        }
        _ => false,
    }
}

fn show(v: Option<&ParamValue>) -> String {
    match v {
        None => "null".to_string(),
        Some(ParamValue::String(s)) => serde_json::to_string(s).unwrap_or_default(),
        Some(ParamValue::Int(i)) => format!("{{\"int\": {i}}}"),
        Some(ParamValue::Bool(b)) => format!("{{\"bool\": {b}}}"),
        Some(ParamValue::Real(r)) => format!("{{\"float\": {r}}}"),
    }
}
