//! Integration tests for the classad language and its commands:
//! `aerie conformance classad` on HTCondor's shared corpora, and a
//! differential run against HTCondor's own `classad2` module on freshly
//! generated expressions (when the reference Python environment exists).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{aerie, closing_counts, shared_dir, text};

/// The pass rate the corpora must reach.
const REQUIRED: f64 = 0.995;

fn run_conformance(args: &[&str]) -> (usize, usize, String) {
    let mut all = vec!["conformance", "classad"];
    all.extend_from_slice(args);
    let out = aerie(&all).output().expect("run aerie conformance classad");
    let (stdout, stderr) = text(&out);
    let Some((passed, failed)) = closing_counts(&stdout) else {
        panic!("no closing 'N passed, M failed' line\nstdout:\n{stdout}\nstderr:\n{stderr}");
    };
    // The exit status says whether anything failed.
    assert_eq!(out.status.success(), failed == 0, "exit status {:?} with {failed} failures", out.status);
    (passed, failed, stdout)
}

fn assert_rate(what: &str, passed: usize, failed: usize, stdout: &str) {
    let rate = passed as f64 / (passed + failed).max(1) as f64;
    assert!(
        rate >= REQUIRED,
        "{what}: {passed} passed, {failed} failed ({:.2}%), below {:.1}%:\n{stdout}",
        rate * 100.0,
        REQUIRED * 100.0
    );
}

#[test]
fn classad_corpora_pass_at_htcondors_level() {
    let dir = shared_dir().join("conformance/classad");
    if !dir.join("contexts.json").exists() {
        eprintln!("skipping: no ClassAd corpora at {} (set AERIE_SHARED)", dir.display());
        return;
    }
    let mut corpora: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read corpus folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    corpora.sort();
    assert!(!corpora.is_empty(), "no .jsonl corpus in {}", dir.display());
    for corpus in &corpora {
        let path = corpus.to_string_lossy();
        let (passed, failed, stdout) = run_conformance(&[&path]);
        assert!(passed > 1000, "{path}: only {passed} cases ran");
        assert_rate(&path, passed, failed, &stdout);
    }
}

#[test]
fn conformance_refuses_a_missing_corpus_clearly() {
    let out = aerie(&["conformance", "classad", "/nonexistent/cases.jsonl"]).output().expect("run aerie");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("/nonexistent/cases.jsonl"), "{stderr}");
}

/// The Python with HTCondor's modules: `$AERIE_PYTHON`, else the venv.
fn reference_python() -> Option<PathBuf> {
    let candidate = match std::env::var_os("AERIE_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/aerie-venv/bin/python"),
    };
    let ok = Command::new(&candidate)
        .args(["-c", "import classad2, htcondor2"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(candidate)
}

fn classad_crate() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../classad")
}

/// Generate `count` cases with the reference (configured or not), then
/// judge them with `aerie conformance classad`.
fn differential(python: &Path, seed: u32, count: u32, unconfigured: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let contexts = classad_crate().join("tests/data/contexts.json");
    std::fs::copy(&contexts, dir.path().join("contexts.json")).expect("copy contexts.json");
    let corpus = dir.path().join("cases.jsonl");
    let out = Command::new(python)
        .arg(classad_crate().join("tests/reference/gen_corpus.py"))
        .args([seed.to_string(), count.to_string(), "d".to_string()])
        .arg(&contexts)
        .env("UNCONF", if unconfigured { "1" } else { "0" })
        .output()
        .expect("run the reference generator");
    assert!(out.status.success(), "generator failed: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(&corpus, &out.stdout).expect("write corpus");
    let lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
    assert!(lines as u32 >= count * 9 / 10, "the reference answered only {lines} of {count} cases");
    let mode = if unconfigured { "--unconfigured-only" } else { "--configured-only" };
    let (passed, failed, stdout) = run_conformance(&[mode, &corpus.to_string_lossy()]);
    assert_rate(&format!("classad2 differential ({mode}, seed {seed})"), passed, failed, &stdout);
}

#[test]
fn random_expressions_agree_with_classad2() {
    let Some(python) = reference_python() else {
        eprintln!("skipping: no Python with HTCondor's classad2 (set AERIE_PYTHON or create ~/.cache/aerie-venv)");
        return;
    };
    differential(&python, 20_241, 400, false);
    differential(&python, 20_242, 200, true);
}
