//! `aerie pool start|status|stop` and the master's supervision.

use std::process::Command;
use std::time::Duration;

use proto::address::Daemon;

use crate::{execute_pool, SECS_10};

#[test]
fn pool_start_status_and_stop() {
    let mut pool = execute_pool(2);
    let dir = pool.dir().to_path_buf();
    let config = std::fs::read_to_string(pool.config_path()).unwrap();
    assert!(config.contains("use ROLE : Personal"), "{config}");
    assert!(config.contains(&format!("LOCAL_DIR = {}", dir.display())), "{config}");
    assert!(config.contains("NUM_CPUS = 2"), "{config}");

    let out = Command::new(env!("CARGO_BIN_EXE_aerie")).args(["pool", "status"]).arg(&dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for d in ["COLLECTOR", "STARTD"] {
        let line = text.lines().find(|l| l.starts_with(d)).unwrap_or_else(|| panic!("no {d} in:\n{text}"));
        assert!(line.contains("running"), "{line}");
    }
    assert!(text.contains(&format!("export CONDOR_CONFIG={}/condor_config", dir.display())), "{text}");

    // Starting again is harmless and says so.
    let again = Command::new(env!("CARGO_BIN_EXE_aerie")).args(["pool", "start"]).arg(&dir).output().unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already runs"));

    let master = pool.master_pid();
    pool.stop().unwrap();
    assert!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(master), None).is_err() || is_zombie(master));
    for d in [Daemon::Master, Daemon::Collector, Daemon::Startd] {
        assert!(!dir.join("log").join(d.address_file_name()).exists(), "{} address file left behind", d.name());
    }
    let status = Command::new(env!("CARGO_BIN_EXE_aerie")).args(["pool", "status"]).arg(&dir).output().unwrap();
    assert_eq!(status.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&status.stdout).contains("No pool runs"));
}

/// Regression: a pool whose directory was deleted kept running, and its
/// daemons advertised into the next pool started at the same path.
#[test]
fn a_pool_whose_directory_is_deleted_stops() {
    let pool = execute_pool(1);
    let master = pool.master_pid();
    let st = pool.master_status().unwrap();
    let startd = st.daemons.iter().find(|d| d.name == "STARTD").and_then(|d| d.pid).expect("the startd's pid") as i32;
    std::fs::remove_dir_all(pool.dir()).unwrap();
    let gone = |pid: i32| nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err() || is_zombie(pid);
    let t0 = std::time::Instant::now();
    while !(gone(master) && gone(startd)) {
        assert!(t0.elapsed() < SECS_10, "the master ({master}) or the startd ({startd}) still runs without its directory");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map(|s| s.contains(") Z ")).unwrap_or(true)
}

#[test]
fn the_master_restarts_a_killed_daemon() {
    let pool = execute_pool(1);
    let old = pool.kill_daemon(Daemon::Startd, 9).unwrap();
    let new = pool.wait_restarted(Daemon::Startd, old, SECS_10).unwrap();
    assert_ne!(old, new);
    let log = pool.log(Daemon::Master);
    assert!(log.contains("The STARTD died on signal 9 (SIGKILL); restarting it in 2 seconds"), "{log}");
    let st = pool.master_status().unwrap();
    let startd = st.daemons.iter().find(|d| d.name == "STARTD").unwrap();
    assert_eq!(startd.starts, 2);
    // The restarted startd answers.
    let slots = client::startd::query_slots_blocking(&pool.client(Daemon::Startd).unwrap()).unwrap();
    assert_eq!(slots.len(), 1);
}

#[test]
fn a_daemon_that_keeps_failing_is_named_with_its_log() {
    let dir = tempfile::Builder::new().prefix("aerie-pool-").tempdir_in("/tmp").unwrap();
    // A startd that cannot start: its slot layout is impossible.
    std::fs::write(dir.path().join("condor_config.local"), "NUM_SLOTS_TYPE_1 = 1\nSLOT_TYPE_1 = cpus=64\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aerie"))
        .args(["pool", "start"])
        .arg(dir.path())
        .args(["--daemons", "COLLECTOR STARTD", "--slots", "1", "--timeout", "20"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let stop = Command::new(env!("CARGO_BIN_EXE_aerie")).args(["pool", "stop"]).arg(dir.path()).output().unwrap();
    assert!(stop.status.success());
    assert!(!out.status.success());
    assert!(err.contains("the startd keeps exiting"), "{err}");
    assert!(err.contains("StartLog"), "{err}");
    assert!(err.contains("more Cpus than the machine has"), "{err}");
}

#[test]
fn condor_master_runs_with_any_config_and_stops_on_sigterm() {
    let dir = tempfile::Builder::new().prefix("aerie-master-").tempdir_in("/tmp").unwrap();
    let config = dir.path().join("my_config");
    std::fs::write(&config, format!("LOCAL_DIR = {}\nDAEMON_LIST = MASTER, COLLECTOR\nCOLLECTOR_HOST = 127.0.0.1:0\n", dir.path().display())).unwrap();
    let link = dir.path().join("condor_master");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_aerie"), &link).unwrap();
    let mut master = Command::new(&link).env("CONDOR_CONFIG", &config).spawn().unwrap();
    let addr = dir.path().join("log/.collector_address");
    let deadline = std::time::Instant::now() + SECS_10;
    while !addr.exists() {
        assert!(std::time::Instant::now() < deadline, "no collector address file");
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(master.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = master.wait().unwrap();
    assert!(status.success(), "{status}");
    let log = std::fs::read_to_string(dir.path().join("log/MasterLog")).unwrap();
    assert!(log.contains("The COLLECTOR exited with status 0"), "{log}");
    assert!(log.contains("EXITING WITH STATUS 0"), "{log}");
}

#[test]
fn condor_off_through_the_master_api_stops_one_daemon_until_on() {
    let pool = execute_pool(1);
    let c = pool.client(Daemon::Master).unwrap();
    let _: proto::master::MasterStatus =
        c.post("/v1/master/off", &proto::master::Off { daemons: vec!["STARTD".into()], fast: false }).unwrap();
    pool.wait_for(SECS_10, "the startd to stop", || {
        let st = pool.master_status().ok()?;
        st.daemons.iter().find(|d| d.name == "STARTD" && d.state == proto::master::ChildState::Stopped).map(|_| ())
    })
    .unwrap();
    let err = c
        .post::<_, proto::master::MasterStatus>("/v1/master/off", &proto::master::Off { daemons: vec!["NOPE".into()], fast: false })
        .unwrap_err();
    assert!(err.to_string().contains("NOPE"), "{err}");
    let _: proto::master::MasterStatus = c.post("/v1/master/on", &proto::master::On { daemons: vec![], restart: false }).unwrap();
    pool.wait_for(SECS_10, "the startd to run again", || {
        let st = pool.master_status().ok()?;
        st.daemons.iter().find(|d| d.name == "STARTD" && d.state == proto::master::ChildState::Running).map(|_| ())
    })
    .unwrap();
}

#[test]
fn regression_pool_start_in_a_fresh_directory_creates_the_local_config_file() {
    // `aerie pool start DIR` on a new DIR failed: condor_config names
    // LOCAL_CONFIG_FILE = DIR/condor_config.local, which must exist.
    let dir = tempfile::Builder::new().prefix("aerie-fresh-").tempdir_in("/tmp").unwrap();
    let aerie = env!("CARGO_BIN_EXE_aerie");
    let out = Command::new(aerie).args(["pool", "start"]).arg(dir.path()).args(["--daemons", "COLLECTOR", "--timeout", "30"]).env_remove("CONDOR_CONFIG").output().unwrap();
    let stop = || Command::new(aerie).args(["pool", "stop"]).arg(dir.path()).output();
    if !out.status.success() {
        let _ = stop();
        panic!("aerie pool start failed:\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    assert!(dir.path().join("condor_config.local").is_file());
    // Own settings in it survive the next start.
    let _ = stop();
    std::fs::write(dir.path().join("condor_config.local"), "MY_KNOB = 7\n").unwrap();
    let out = Command::new(aerie).args(["pool", "start"]).arg(dir.path()).args(["--daemons", "COLLECTOR", "--timeout", "30"]).env_remove("CONDOR_CONFIG").output().unwrap();
    let kept = std::fs::read_to_string(dir.path().join("condor_config.local")).unwrap();
    let _ = stop();
    assert!(out.status.success());
    assert_eq!(kept, "MY_KNOB = 7\n");
}
