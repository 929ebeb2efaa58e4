//! `condor_history -file` on a history file in HTCondor's format holding
//! the very ad of HTCondor's golden session (job 2.2, as its
//! `condor_history -long` printed it): the default table, `-af` and
//! `-long` must come out as HTCondor printed them, byte for byte, with
//! nothing to normalise but the time zone (the goldens' is UTC).

use std::path::Path;
use std::process::Command;

use crate::normalize::{diff, golden};

/// `condor_history ARGS` through a `condor_history` link to the binary.
fn history(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let link = dir.join("condor_history");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_aerie"), &link).unwrap();
    }
    let out = Command::new(&link).args(args).current_dir(dir).env("TZ", "UTC").env_remove("CONDOR_CONFIG").output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The history file: older ads first, each followed by its `***` banner.
fn write_history(dir: &Path, ads: &[&str]) -> String {
    let mut text = String::new();
    for (i, ad) in ads.iter().enumerate() {
        text.push_str(ad.trim_end_matches('\n'));
        text.push('\n');
        let get = |name: &str| {
            ad.lines().find_map(|l| l.strip_prefix(&format!("{name} = "))).unwrap_or("0").to_string()
        };
        text.push_str(&format!(
            "*** Offset = {i} ClusterId = {} ProcId = {} Owner = {} CompletionDate = {}\n",
            get("ClusterId"),
            get("ProcId"),
            get("Owner"),
            get("CompletionDate")
        ));
    }
    let path = dir.join("history");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_history_file_of_htcondor_s_session_prints_as_htcondor_printed_it() {
    if !crate::normalize::golden_dir().is_dir() {
        eprintln!("skipped: goldens not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let g45 = golden("45-");
    let ad22 = g45.stdout.clone();
    // An older, different job before it: the newest (2.2) must come first.
    let older = ad22.replace("ProcId = 2\n", "ProcId = 7\n").replace("ClusterId = 2\n", "ClusterId = 1\n");
    let file = write_history(dir.path(), &[&older, &ad22]);
    let check = |prefix: &str, args: &[&str]| {
        let g = golden(prefix);
        let (code, out, err) = history(dir.path(), args);
        assert_eq!(code, g.exit, "{}: {err}", g.name);
        assert_eq!(err, g.stderr, "{}", g.name);
        assert!(out == g.stdout, "{}: condor_history {args:?} differs from HTCondor's:\n{}", g.name, diff(&g.stdout, &out));
    };
    // The goldens were printed from a history holding 2.2 alone: select it.
    check("43-", &["-file", &file, "2.2"]);
    check("44-", &["-file", &file, "-af", "ClusterId", "ProcId", "ExitCode", "-limit", "1"]);
    check("45-", &["-file", &file, "-limit", "1", "-long"]);
    // Newest first; -forwards oldest first; owner and constraint restrictions.
    let (_, out, _) = history(dir.path(), &["-file", &file, "-af", "ClusterId", "ProcId"]);
    assert_eq!(out, "2 2\n1 7\n");
    let (_, out, _) = history(dir.path(), &["-file", &file, "-forwards", "-af", "ClusterId", "ProcId"]);
    assert_eq!(out, "1 7\n2 2\n");
    let (_, out, _) = history(dir.path(), &["-file", &file, "-constraint", "ProcId == 7", "-af", "ClusterId"]);
    assert_eq!(out, "1\n");
    let (_, out, _) = history(dir.path(), &["-file", &file, "nobody", "-af", "ClusterId"]);
    assert_eq!(out, "");
    let (_, out, _) = history(dir.path(), &["-file", &file, "-since", "2.2", "-af", "ClusterId"]);
    assert_eq!(out, "", "-since stops before the job it names");
    let (code, _, err) = history(dir.path(), &["-file", &dir.path().join("nope").display().to_string()]);
    assert_eq!(code, 1);
    assert!(err.contains("nope"), "{err}");
}
