//! Real clients, unchanged, against a personal pool: dask-jobqueue's
//! `HTCondorCluster`, parsl's `CondorProvider`, Nextflow's condor executor
//! rules, and HTCondor's own `htcondor2.JobEventLog` reading the user logs
//! the pool writes.
//!
//! The Python clients are pinned in `tests/requirements-clients.txt` and
//! installed from PyPI into `~/.cache/aerie-clients-venv` (or
//! `$AERIE_CLIENTS_VENV`) the first time a test needs them; the venv is
//! rebuilt only when the requirements change. Their driver scripts live in
//! `tests/clients/`. Every test starts its own pool (testkit) and stops it,
//! also when it fails.
//!
//! Run them with `cargo test -p aerie-cli --test clients` (`./test.sh` runs
//! them with everything else).

mod dask;
mod eventlog_reader;
mod nextflow;
mod parsl;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use testkit::{Pool, PoolOptions};

/// The repository's root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

/// A personal pool for one client test.
pub fn pool(slots: u32, memory_mb: u64) -> Pool {
    let opts = PoolOptions { bin: Some(env!("CARGO_BIN_EXE_aerie").into()), ..PoolOptions::default() }
        .slots(slots)
        .memory(memory_mb)
        .config("NEGOTIATOR_INTERVAL", "5")
        .config("ALIVE_INTERVAL", "2");
    Pool::start_with(opts).unwrap_or_else(|e| panic!("{e}"))
}

static VENV: Mutex<Option<PathBuf>> = Mutex::new(None);

/// The Python of the clients' venv, created (once) from
/// `tests/requirements-clients.txt` if it is missing or out of date.
///
/// The venv counts as ready only once its stamp (a copy of the
/// requirements) is written after a complete install.
pub fn client_python() -> PathBuf {
    let mut guard = VENV.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = guard.as_ref() {
        return p.clone();
    }
    let reqs_path = repo_root().join("tests/requirements-clients.txt");
    let reqs = std::fs::read_to_string(&reqs_path).unwrap_or_else(|e| panic!("{}: {e}", reqs_path.display()));
    let venv = match std::env::var_os("AERIE_CLIENTS_VENV") {
        Some(v) => PathBuf::from(v),
        None => {
            let home = std::env::var_os("HOME").expect("HOME is set");
            PathBuf::from(home).join(".cache/aerie-clients-venv")
        }
    };
    let stamp = venv.join("aerie-requirements.txt");
    let python = venv.join("bin/python");
    let ready = python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == reqs);
    if !ready {
        let _ = std::fs::remove_dir_all(&venv);
        eprintln!("setting up {} from {} (PyPI; once)", venv.display(), reqs_path.display());
        let py3 = std::env::var("AERIE_CLIENTS_BASE_PYTHON").unwrap_or_else(|_| "python3".into());
        must(Command::new(&py3).arg("-m").arg("venv").arg(&venv), "creating the clients' venv");
        must(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&reqs_path),
            "installing the clients from PyPI",
        );
        // Written last: a venv whose install was interrupted has no stamp
        // and is made again next time.
        std::fs::write(&stamp, &reqs).expect("writing the venv's stamp");
    }
    *guard = Some(python.clone());
    python
}

fn must(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run a driver script of `tests/clients/` with the clients' Python, the
/// pool's `condor_*` commands first on `PATH` and its `CONDOR_CONFIG`, in
/// `cwd`; killed after `timeout`.
pub fn run_script(pool: &Pool, script: &str, args: &[&str], cwd: &Path, timeout: Duration) -> Output {
    let python = client_python();
    let venv_bin = python.parent().expect("venv bin").to_path_buf();
    let path = format!(
        "{}:{}:{}",
        pool.bin_dir().display(),
        venv_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script_path = repo_root().join("tests/clients").join(script);
    let out = Command::new("timeout")
        .arg("-k")
        .arg("5")
        .arg(timeout.as_secs().to_string())
        .arg(&python)
        .arg(&script_path)
        .args(args)
        .env("PATH", path)
        .env("CONDOR_CONFIG", pool.config_path())
        .env("PYTHONUNBUFFERED", "1")
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script_path.display()));
    out
}

/// A script's result: the JSON object it printed last on stdout; fails
/// the test with everything it printed when it failed.
pub fn script_result(out: &Output, what: &str) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}", out.status);
    let last = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("{what} printed no result:\n{stdout}\n{stderr}"));
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{what} printed a bad result {last:?}: {e}"))
}

/// Run `condor_<tool> ARGS` in the pool; (exit code, stdout, stderr).
pub fn run(pool: &Pool, tool: &str, args: &[&str]) -> (i32, String, String) {
    run_in(pool, tool, args, pool.dir())
}

/// The same, in `cwd`.
pub fn run_in(pool: &Pool, tool: &str, args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = pool.tool(tool).args(args).current_dir(cwd).output().unwrap_or_else(|e| panic!("condor_{tool}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Wait until `f` holds, or fail naming `what`.
pub fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The name of the user running the tests (the jobs' `Owner`).
pub fn me() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid()).ok().flatten().map(|u| u.name).unwrap_or_default()
}
