//! `condor_status` and `condor_version` through the real binaries.

use proto::address::Daemon;
use proto::startd::RequestClaim;

use crate::{execute_pool, SECS_10};

#[test]
fn condor_status_shows_the_slots_of_a_running_pool() {
    let pool = execute_pool(2);
    let host = daemon::host::hostname();
    let rows = pool
        .wait_for(SECS_10, "a slot in condor_status", || {
            let r = pool.status_af(&[], &["Name", "State", "Activity", "Cpus", "Memory"]).ok()?;
            (!r.is_empty()).then_some(r)
        })
        .unwrap();
    assert_eq!(rows, [format!("slot1@{host} Unclaimed Idle 2 1024")]);

    // Claim a slot: condor_status shows the dynamic slot, and the totals count it.
    let schedd = testkit::fake_schedd::FakeSchedd::start(pool.dir()).unwrap();
    let mut job = proto::WireAd::new();
    job.set("RequestCpus", "1");
    job.set("RequestMemory", "200");
    let c = pool.client(Daemon::Startd).unwrap();
    client::startd::request_claim_blocking(
        &c,
        &RequestClaim { slot_name: format!("slot1@{host}"), schedd: schedd.address(), schedd_name: None, job, lease_secs: None },
    )
    .unwrap();
    let table = pool
        .wait_for(SECS_10, "the dynamic slot in condor_status", || {
            let t = pool.run("status", &[]).ok()?;
            t.contains(&format!("slot1_1@{host}")).then_some(t)
        })
        .unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Name                               OpSys      Arch     State     Activity LoadAv Mem     ActvtyTime"), "{table}");
    assert!(lines[2].starts_with(&format!("slot1@{host}")) && lines[2].contains(" Unclaimed Idle ") && lines[2].contains("    768 "), "{table}");
    assert!(lines[3].starts_with(&format!("slot1_1@{host}")) && lines[3].contains(" Claimed   Idle ") && lines[3].contains("    256 "), "{table}");
    let total = lines.iter().rev().find(|l| l.trim_start().starts_with("Total ")).unwrap();
    assert_eq!(total.split_whitespace().collect::<Vec<_>>(), ["Total", "2", "0", "1", "1", "0", "0", "0", "0", "0"]);

    let only = pool.run("status", &["-constraint", "State == \"Claimed\"", "-af", "Name"]).unwrap();
    assert_eq!(only, format!("slot1_1@{host}\n"));
    let long = pool.run("status", &["-long", &format!("slot1_1@{host}")]).unwrap();
    assert!(long.contains("DynamicSlot = true\n") && long.contains("Memory = 256\n"), "{long}");
    let masters = pool.run("status", &["-master", "-af", "Name"]).unwrap();
    assert_eq!(masters, format!("{host}\n"));
    let bad = pool.tool("status").args(["-constraint", "Memory >"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not parse"));
}

#[test]
fn condor_status_without_a_collector_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("condor_config");
    std::fs::write(&config, format!("LOCAL_DIR = {}\nCOLLECTOR_HOST = 127.0.0.1:0\n", dir.path().display())).unwrap();
    let link = dir.path().join("condor_status");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_aerie"), &link).unwrap();
    let out = std::process::Command::new(&link).env("CONDOR_CONFIG", &config).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("Error: Couldn't contact the condor_collector"), "{err}");
}

#[test]
fn condor_version_keeps_htcondor_shape_and_names_aerie() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("condor_version");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_aerie"), &link).unwrap();
    let out = std::process::Command::new(&link).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // The shape HTCondor's golden output has: version, date, build tag.
    let words: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(words[0], "$CondorVersion:");
    assert!(words[1].starts_with("25.0."), "{text}");
    assert_eq!(words[2].len(), 10, "a YYYY-MM-DD date: {text}");
    assert_eq!(*words.last().unwrap(), "$");
    assert!(lines[1].starts_with("$CondorPlatform: ") && lines[1].ends_with(" $"), "{text}");
    assert!(lines[2].starts_with("$AerieVersion: "), "{text}");
    let golden = std::fs::read_to_string(crate_shared().join("reference/golden/01-version.txt")).ok();
    if let Some(g) = golden {
        let expected_platform = g.lines().find(|l| l.starts_with("$CondorPlatform")).unwrap_or("");
        if std::fs::read_to_string("/etc/os-release").unwrap_or_default().contains("VERSION_ID=\"12\"") && std::env::consts::ARCH == "x86_64" {
            assert_eq!(lines[1], expected_platform, "same platform line as HTCondor on this OS");
        }
    }
}

fn crate_shared() -> std::path::PathBuf {
    std::env::var("AERIE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}
