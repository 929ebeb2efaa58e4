//! Jobs through a whole personal pool, driven by the real `condor_*`
//! commands as a user types them: submit, watch, remove, hold, edit, and
//! what survives a daemon crash. Every test starts its own pool in a
//! temporary directory (testkit) and stops it, even when it fails.

mod basics;
mod crash;
mod refusals;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use eventlog::EventBody;
use testkit::{Pool, PoolOptions};

pub const SECS_30: Duration = Duration::from_secs(30);

/// A full personal pool with `slots` cpus (the schedd renews claims
/// every 2 seconds, so a lost startd is noticed quickly).
pub fn pool(slots: u32, extra: &[(&str, &str)]) -> Pool {
    let mut opts = PoolOptions { bin: Some(env!("CARGO_BIN_EXE_aerie").into()), ..PoolOptions::default() }
        .slots(slots)
        .memory(1024 * slots as u64)
        .config("ALIVE_INTERVAL", "2")
        .config("NEGOTIATOR_INTERVAL", "5");
    for (k, v) in extra {
        opts = opts.config(k, v);
    }
    Pool::start_with(opts).unwrap_or_else(|e| panic!("{e}"))
}

/// Run `condor_<tool> ARGS` in the pool; (exit code, stdout, stderr).
pub fn run(pool: &Pool, tool: &str, args: &[&str]) -> (i32, String, String) {
    let out = pool.tool(tool).args(args).output().unwrap_or_else(|e| panic!("condor_{tool}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `condor_q -af ATTRS…` lines (all users).
pub fn q_af(pool: &Pool, attrs: &[&str]) -> Vec<String> {
    q_af_where(pool, None, attrs)
}

/// `condor_q [-constraint C] -af ATTRS…` lines (all users).
pub fn q_af_where(pool: &Pool, constraint: Option<&str>, attrs: &[&str]) -> Vec<String> {
    let mut a = vec!["-allusers"];
    if let Some(c) = constraint {
        a.extend_from_slice(&["-constraint", c]);
    }
    a.push("-af");
    a.extend_from_slice(attrs);
    let (code, out, err) = run(pool, "q", &a);
    assert_eq!(code, 0, "condor_q failed: {err}");
    out.lines().map(str::to_string).collect()
}

/// The events of a user log, by job: `cluster.proc` → event numbers in order.
pub fn log_events(path: &Path) -> BTreeMap<String, Vec<u32>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let parsed = eventlog::parse_log(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for ev in parsed.events {
        out.entry(format!("{}.{}", ev.id.cluster, ev.id.proc)).or_default().push(ev.body.number());
    }
    out
}

/// Exit codes of the terminated events in a user log, by job.
pub fn return_values(path: &Path) -> BTreeMap<String, Vec<i32>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for ev in eventlog::parse_log(&text).unwrap().events {
        if let EventBody::Terminated { return_value, .. } = ev.body {
            out.entry(format!("{}.{}", ev.id.cluster, ev.id.proc)).or_default().push(return_value);
        }
    }
    out
}
