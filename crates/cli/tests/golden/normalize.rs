//! Reading HTCondor's golden files and normalising what must differ
//! between its session and ours — host and user names, directories,
//! dates and times, addresses, process ids, version strings, sizes the
//! kernel measures — the same way on both sides. Everything else (spacing,
//! blank lines, headers, summary lines, messages, exit statuses) is
//! compared as printed.

use std::path::{Path, PathBuf};

use regex::Regex;

/// One golden file: a command HTCondor 25.0.14 ran and what it printed.
#[derive(Debug, Clone)]
pub struct Golden {
    pub name: String,
    pub command: String,
    pub exit: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `shared/reference/golden` (`$AERIE_SHARED/reference/golden`).
pub fn golden_dir() -> PathBuf {
    let shared = std::env::var("AERIE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    shared.join("reference/golden")
}

/// The golden file whose name starts with `prefix` (`"11-"`).
pub fn golden(prefix: &str) -> Golden {
    let dir = golden_dir();
    let entry = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no golden file {prefix}* in {}", dir.display()));
    let text = std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
    parse(&entry.file_name().to_string_lossy(), &text)
}

/// The file format of the README: `$ command`, `# exit status: N`, then
/// stdout and stderr after their marker lines (stdout may end without a
/// newline right before the stderr marker).
fn parse(name: &str, text: &str) -> Golden {
    let command = text.lines().next().and_then(|l| l.strip_prefix("$ ")).unwrap_or_default().to_string();
    let exit = text
        .lines()
        .find_map(|l| l.strip_prefix("# exit status: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name}: no exit status"));
    let out_marker = "# ---- stdout ----\n";
    let err_marker = "# ---- stderr ----";
    let after = &text[text.find(out_marker).unwrap_or_else(|| panic!("{name}: no stdout")) + out_marker.len()..];
    let split = after.find(err_marker).unwrap_or_else(|| panic!("{name}: no stderr"));
    let stdout = after[..split].to_string();
    let stderr = after[split + err_marker.len()..].strip_prefix('\n').unwrap_or(&after[split + err_marker.len()..]).to_string();
    Golden { name: name.to_string(), command, exit, stdout, stderr }
}

/// Who and where a session ran.
#[derive(Debug, Clone)]
pub struct Site {
    pub host: String,
    pub user: String,
    /// The pool's local directory (`/srv/condor` in the goldens).
    pub pool_dir: String,
    /// The submit directory (`/home/condoruser/work`).
    pub submit_dir: String,
}

impl Site {
    /// The golden session's (see the golden README).
    pub fn htcondor() -> Site {
        Site {
            host: "vm".into(),
            user: "condoruser".into(),
            pool_dir: "/srv/condor".into(),
            submit_dir: "/home/condoruser/work".into(),
        }
    }
}

/// The rewrites applied to both sides.
pub struct Normalizer {
    rules: Vec<(Regex, String)>,
}

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap_or_else(|e| panic!("bad pattern {s}: {e}"))
}

impl Normalizer {
    pub fn new() -> Normalizer {
        let rules = [
            // Version strings.
            (r"\$CondorVersion: [^$]*\$", "$$CondorVersion: VERSION $$"),
            (r"\$CondorPlatform: [^$]*\$", "$$CondorPlatform: PLATFORM $$"),
            // Addresses: sinful strings (whole, or cut at their `?`) and Unix sockets.
            (r"<[^<>\s]*\?\.\.\.", "<ADDR>"),
            (r"<[^<>\s]+>", "<ADDR>"),
            // Dates and times, widest forms first.
            (r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\b", "CTIME"),
            (r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "YYYY-MM-DD hh:mm:ss"),
            (r"\b\d\d/\d\d/\d\d \d\d:\d\d:\d\d\b", "MM/DD/YY hh:mm:ss"),
            (r"[ \d]\d/\d[\d ] \d\d:\d\d\b", "MM/DD hh:mm"),
            (r"\b\d+\+\d\d:\d\d:\d\d\b", "0+hh:mm:ss"),
            // Seconds since the epoch (ten digits, the same width).
            (r"\b1[6-9]\d{8}\b", "EPOCHSECND"),
            // Process ids in sandbox names.
            (r"\bdir_\d+\b", "dir_PID"),
            // Which dynamic slot a job lands on is the scheduler's choice
            // (our claims linger for the next job), not part of the format.
            (r"\bslot(\d+)_\d+@", "slot${1}_N@"),
        ];
        Normalizer { rules: rules.iter().map(|(p, r)| (re(p), r.to_string())).collect() }
    }

    /// `text` printed at `site`, with what must differ replaced.
    pub fn apply(&self, text: &str, site: &Site) -> String {
        let mut t = text.replace(&site.submit_dir, "SUBMITDIR").replace(&site.pool_dir, "POOLDIR");
        for (r, with) in &self.rules {
            t = r.replace_all(&t, with.as_str()).into_owned();
        }
        let host = regex::escape(&site.host);
        t = re(&format!(r"@{host}\b")).replace_all(&t, "@HOST").into_owned();
        t = re(&format!(r"\b{}\b", regex::escape(&site.user))).replace_all(&t, "USER").into_owned();
        // The owner column is as wide as the user's name: its padding is
        // part of what differs (a heading over it, or a name in it).
        t = re(r"\b(USER|OWNER|Owner) +").replace_all(&t, "$1 ").into_owned();
        t
    }
}

/// Apply `rules` (pattern, replacement) to `text`: the narrower
/// normalisations one golden needs (measured sizes in one column).
pub fn rewrite(text: &str, rules: &[(&str, &str)]) -> String {
    let mut t = text.to_string();
    for (p, with) in rules {
        t = re(p).replace_all(&t, *with).into_owned();
    }
    t
}

/// A line-by-line diff for a failure message.
pub fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    let mut out = String::new();
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            out.push_str(&format!("  line {}:\n    want {:?}\n    got  {:?}\n", i + 1, a.unwrap_or(&"<none>"), b.unwrap_or(&"<none>")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_line_from_both_sessions_normalises_alike() {
        let n = Normalizer::new();
        let theirs = Site::htcondor();
        let ours = Site { host: "node7".into(), user: "runner".into(), pool_dir: "/tmp/p".into(), submit_dir: "/tmp/p/work".into() };
        let a = n.apply("-- Schedd: condoruser@vm : <127.0.0.1:40601?... @ 11/25/26 10:48:07\n   2.0   condoruser     11/25 10:47   0+00:00:20 R", &theirs);
        let b = n.apply("-- Schedd: runner@node7 : <unix:/tmp/p/log/schedd.sock> @ 12/01/26 08:10:15\n   2.0   runner         12/1  08:10   0+00:00:02 R", &ours);
        assert_eq!(a, b);
        assert_ne!(n.apply("   2.0   condoruser     11/25 10:47   0+00:00:20 R", &theirs), n.apply("   2.0   condoruser     11/25 10:47   0+00:00:20 I", &theirs));
    }
}
