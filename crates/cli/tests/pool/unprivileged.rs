//! A personal pool as an ordinary user: the README's way (`aerie pool
//! start`, `condor_submit`, `condor_wait`, `aerie pool stop`) run by a user
//! without privileges. Under root (as CI often runs) the whole session runs
//! as `nobody` through `setpriv`, from a copy of the binary that user can
//! read; otherwise it runs as the current user, who is not root already.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

/// uid/gid the session runs as when the tests run as root.
const NOBODY: u32 = 65534;

const SESSION: &str = r#"set -eu
cd "$WORK"
eval "$(aerie pool start "$WORK/pool" --slots 1)"
printf 'executable = /usr/bin/id\narguments = -u\noutput = id.out\nerror = id.err\nlog = id.log\nqueue\n' > id.sub
condor_submit id.sub
condor_wait -wait 60 id.log
aerie pool stop "$WORK/pool"
"#;

fn chown(path: &Path, uid: u32) {
    nix::unistd::chown(path, Some(nix::unistd::Uid::from_raw(uid)), Some(nix::unistd::Gid::from_raw(uid)))
        .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
}

#[test]
fn a_personal_pool_runs_jobs_as_an_ordinary_user() {
    let me = nix::unistd::getuid().as_raw();
    let as_root = me == 0;
    let expect_uid = if as_root { NOBODY } else { me };
    // Under /tmp, not the build tree: `nobody` must reach every directory above it.
    let tmp = tempfile::Builder::new().prefix("aerie-unpriv-").tempdir_in("/tmp").unwrap();
    let work = tmp.path();
    let bin = work.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_aerie"), bin.join("aerie")).unwrap();
    for tool in ["submit", "wait", "q", "master", "collector", "negotiator", "schedd", "startd", "starter"] {
        std::os::unix::fs::symlink("aerie", bin.join(format!("condor_{tool}"))).unwrap();
    }
    for p in [work, bin.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(bin.join("aerie"), std::fs::Permissions::from_mode(0o755)).unwrap();
    if as_root {
        chown(work, NOBODY);
    }
    let mut cmd = if as_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid", &NOBODY.to_string(), "--regid", &NOBODY.to_string(), "--clear-groups", "sh", "-c", SESSION]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", SESSION]);
        c
    };
    cmd.env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", work)
        .env("WORK", work)
        .env("LANG", "C.UTF-8");
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run the session ({}): {e}", if as_root { "setpriv" } else { "sh" }));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        // The daemons' logs say why, when the session itself does not.
        let logs: String = std::fs::read_dir(work.join("pool/log"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| format!("--- {}\n{}", e.path().display(), std::fs::read_to_string(e.path()).unwrap_or_default()))
            .collect();
        panic!("the session failed ({}):\n{stdout}\n{stderr}\n{logs}", out.status);
    }
    assert!(stdout.contains("1 job(s) submitted to cluster 1."), "{stdout}");
    assert!(stdout.contains("All jobs done."), "{stdout}");
    let id_out = work.join("id.out");
    assert_eq!(std::fs::read_to_string(&id_out).unwrap().trim(), expect_uid.to_string(), "the job ran as the pool's user");
    for made in [id_out.as_path(), &work.join("id.log"), &work.join("pool/condor_config")] {
        let meta = std::fs::metadata(made).unwrap_or_else(|e| panic!("{}: {e}", made.display()));
        assert_eq!(meta.uid(), expect_uid, "{} belongs to the pool's user", made.display());
    }
}
