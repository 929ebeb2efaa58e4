//! A tiny process harness: run the `aerie` binary under any of its names and
//! capture what it prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of the built `aerie` binary.
pub fn aerie_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_aerie"))
}

/// The project's shared folder (`../shared` beside the clone, or `$AERIE_SHARED`).
pub fn shared_dir() -> PathBuf {
    if let Ok(p) = std::env::var("AERIE_SHARED") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// A command running `aerie` as `condor_<tool>`: a link named after the tool
/// is made in a temporary directory, as an installation would.
pub fn condor_tool(tool: &str) -> Command {
    let dir = std::env::temp_dir().join(format!("aerie-links-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let link = dir.join(tool);
    if !link.exists() {
        let _ = std::os::unix::fs::symlink(aerie_bin(), &link);
    }
    let mut cmd = Command::new(link);
    cmd.env_remove("CONDOR_CONFIG");
    cmd
}

/// A command running `aerie ARGS…`.
pub fn aerie(args: &[&str]) -> Command {
    let mut cmd = Command::new(aerie_bin());
    cmd.args(args);
    cmd
}

/// Standard output and error of a finished command, as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Parse the closing `N passed, M failed[, K skipped]` line of a conformance run.
pub fn closing_counts(stdout: &str) -> Option<(usize, usize)> {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty())?;
    let mut parts = last.split(',').map(str::trim);
    let passed = parts.next()?.strip_suffix(" passed")?.parse().ok()?;
    let failed = parts.next()?.strip_suffix(" failed")?.parse().ok()?;
    Some((passed, failed))
}
