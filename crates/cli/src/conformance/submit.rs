//! Conformance runner for the submit corpus.
//!
//! Each case (one JSON line, format in the corpus README) is run the way it
//! was run against HTCondor: its files are written into a fresh directory
//! (executables mode 0755), and `condor_submit` runs there — the same code
//! as the `condor_submit` command, in this process — with exactly the
//! case's environment and a configuration of HTCondor's defaults plus
//! `FILESYSTEM_DOMAIN = UID_DOMAIN = localdomain`. Then:
//!
//! - the exit status must be the same;
//! - for a successful case, the `-dry-run` output must give the same
//!   number of procs, with the same attribute names and value text, after
//!   the run's directory, user and configuration path are replaced by the
//!   corpus's placeholders; a value that is only a placeholder (`@TIME@`,
//!   `@EXESIZE@`, …) needs an attribute of that kind;
//! - a failing case must print an error.
//!
//! Warnings are compared too (the first line of each `WARNING`/`Warning`
//! line of standard error), but only reported: the corpus's pass rule is
//! exit status, ads and errors.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use serde_json::Value as Json;

use super::Tally;
use crate::tools::submit::{self as submit_tool, Invocation};

pub fn run(files: &[String]) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut warning_diffs = 0usize;
    for file in files {
        run_file(Path::new(file), &mut tally, &mut warning_diffs)?;
    }
    if warning_diffs > 0 {
        println!("({warning_diffs} passing cases printed different warnings)");
    }
    Ok(tally)
}

fn run_file(path: &Path, tally: &mut Tally, warning_diffs: &mut usize) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read corpus file {} (give the path of a submit corpus .jsonl file)", path.display()))?;
    let verbose = std::env::var_os("AERIE_CONFORMANCE_VERBOSE").is_some();
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Json = serde_json::from_str(line).with_context(|| format!("{}:{}: not a JSON object", path.display(), lineno + 1))?;
        let id = case.get("id").and_then(Json::as_str).unwrap_or("?").to_string();
        match run_case(&case).with_context(|| format!("{}:{}: case {id}", path.display(), lineno + 1))? {
            Outcome::Pass { warnings_differ } => {
                tally.passed += 1;
                if let Some((want, got)) = warnings_differ {
                    *warning_diffs += 1;
                    if verbose {
                        println!("WARNINGS {id}:\n  expected: {want:?}\n  got:      {got:?}");
                    }
                }
            }
            Outcome::Fail(reason) => {
                tally.failed += 1;
                println!("FAIL {id}: {reason}");
            }
        }
    }
    Ok(())
}

enum Outcome {
    Pass { warnings_differ: Option<(Vec<String>, Vec<String>)> },
    Fail(String),
}

struct Placeholders {
    dir: String,
    user: String,
    config: String,
    host: String,
}

impl Placeholders {
    fn fill(&self, s: &str) -> String {
        s.replace("@DIR@", &self.dir).replace("@USER@", &self.user).replace("@CONDOR_CONFIG@", &self.config).replace("@HOST@", &self.host)
    }
    fn normalize(&self, s: &str) -> String {
        let mut out = s.replace(&self.config, "@CONDOR_CONFIG@").replace(&self.dir, "@DIR@");
        if !self.user.is_empty() {
            out = out.replace(&self.user, "@USER@");
        }
        out
    }
}

fn run_case(case: &Json) -> anyhow::Result<Outcome> {
    let Some(files) = case.get("files").and_then(Json::as_object) else { bail!("case has no \"files\" object") };
    let Some(argv) = case.get("argv").and_then(Json::as_array) else { bail!("case has no \"argv\" list") };
    let want_exit = case.get("exit").and_then(Json::as_i64).unwrap_or(0);
    let dir = tempfile::Builder::new().prefix("aerie-submit-case.").tempdir().context("cannot make a directory for the case")?;
    let dir_path = dir.path().canonicalize().context("cannot resolve the case directory")?;
    let ph = Placeholders {
        dir: dir_path.to_string_lossy().into_owned(),
        user: submit_tool::current_user(),
        config: dir_path.join("condor_config").to_string_lossy().into_owned(),
        host: submit::params::host_name(),
    };
    let exec: Vec<&str> = case.get("exec").and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
    for (name, content) in files {
        let p = dir_path.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot make {}", parent.display()))?;
        }
        std::fs::write(&p, content.as_str().unwrap_or("")).with_context(|| format!("cannot write {}", p.display()))?;
        if exec.contains(&name.as_str()) {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    let environ: Vec<(String, String)> = case
        .get("env")
        .and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), ph.fill(v.as_str().unwrap_or("")))).collect())
        .unwrap_or_default();
    let args: Vec<String> = argv.iter().filter_map(Json::as_str).map(|s| ph.fill(s)).collect();

    let mut stdout: Vec<u8> = Vec::new();
    let mut stderr: Vec<u8> = Vec::new();
    let code = {
        let mut inv = Invocation {
            cwd: dir_path.clone(),
            environ,
            user: ph.user.clone(),
            params: submit::Params::from_pairs([("FILESYSTEM_DOMAIN", "localdomain"), ("UID_DOMAIN", "localdomain")]),
            stdin: Box::new(std::io::empty()),
            stdout: &mut stdout,
            stderr: &mut stderr,
            submit_time: None,
        };
        submit_tool::run(&args, &mut inv)
    };
    let stderr_text = String::from_utf8_lossy(&stderr).into_owned();
    let _ = std::io::stdout().flush();

    if i64::from(code) != want_exit {
        let first_err = stderr_text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").to_string();
        let expected = case.get("error").and_then(Json::as_str).unwrap_or("");
        return Ok(Outcome::Fail(format!(
            "exit {code}, expected {want_exit}{}{}",
            if expected.is_empty() { String::new() } else { format!(" (HTCondor: {expected})") },
            if first_err.is_empty() { String::new() } else { format!("; we said: {}", ph.normalize(&first_err)) }
        )));
    }
    if want_exit != 0 {
        if !stderr_text.to_ascii_uppercase().contains("ERROR") {
            return Ok(Outcome::Fail("refused without an error message".into()));
        }
        return Ok(Outcome::Pass { warnings_differ: None });
    }

    // the ads
    let dry_name = args.iter().position(|a| a.starts_with("-dry")).and_then(|i| args.get(i + 1)).cloned().unwrap_or_default();
    let dry_text = if dry_name == "-" {
        String::from_utf8_lossy(&stdout).into_owned()
    } else {
        std::fs::read_to_string(dir_path.join(&dry_name)).unwrap_or_default()
    };
    let got = submit::dryrun::read_dry_run(&dry_text);
    let want: Vec<&serde_json::Map<String, Json>> =
        case.get("ads").and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_object).collect()).unwrap_or_default();
    if got.len() != want.len() {
        return Ok(Outcome::Fail(format!("{} procs, expected {}", got.len(), want.len())));
    }
    for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
        let mut problems = Vec::new();
        for (name, wv) in w.iter() {
            let wv = wv.as_str().unwrap_or("");
            match g.iter().find(|(n, _)| n == name) {
                None => problems.push(format!("missing {name} = {wv}")),
                Some((_, gv)) => {
                    let gv = ph.normalize(gv);
                    if !placeholder_matches(wv, &gv) {
                        problems.push(format!("{name} = {gv}, expected {wv}"));
                    }
                }
            }
        }
        for (name, gv) in g {
            if !w.contains_key(name) {
                problems.push(format!("extra {name} = {}", ph.normalize(gv)));
            }
        }
        if !problems.is_empty() {
            problems.truncate(6);
            return Ok(Outcome::Fail(format!("proc {i}: {}", problems.join("; "))));
        }
    }

    // warnings (reported, not failed)
    let want_w: Vec<String> = case
        .get("warnings")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let got_w: Vec<String> = stderr_text
        .lines()
        .filter(|l| l.contains("WARNING") || l.contains("Warning"))
        .map(|l| ph.normalize(l))
        .collect();
    let differ = if want_w != got_w { Some((want_w, got_w)) } else { None };
    Ok(Outcome::Pass { warnings_differ: differ })
}

/// A corpus value against ours: equal text, or a whole-value placeholder
/// and a value of its kind.
fn placeholder_matches(want: &str, got: &str) -> bool {
    match want {
        "@TIME@" | "@EXESIZE@" => got.parse::<i64>().is_ok(),
        "@CONDOR_VERSION@" => got.starts_with("\"$CondorVersion: "),
        "@CONDOR_PLATFORM@" => got.starts_with("\"$CondorPlatform: "),
        _ => want == got,
    }
}
