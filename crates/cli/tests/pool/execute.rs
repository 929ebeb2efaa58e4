//! The execute side: claims, activations, the starter's sandboxes and
//! transfers, signals, and what happens when the startd dies — driven
//! through the real client with a stand-in schedd (testkit's FakeSchedd)
//! receiving the startd's reports.

use std::path::Path;
use std::time::Duration;

use proto::address::Daemon;
use proto::collector::quote;
use proto::startd::{Activate, ClaimGranted, ReleaseClaim, RequestClaim, Signal, SignalJob};
use proto::{JobId, WireAd};
use testkit::fake_schedd::FakeSchedd;
use testkit::Pool;

use crate::{execute_pool, SECS_10, SECS_5};

fn job_ad(iwd: &Path, cmd: &str, args: &str, extra: &[(&str, String)]) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("Cmd", quote(cmd));
    ad.set("Arguments", quote(args));
    ad.set("Iwd", quote(&iwd.display().to_string()));
    ad.set("Owner", quote(&daemon::host::current_user()));
    ad.set("User", quote(&format!("{}@{}", daemon::host::current_user(), daemon::host::hostname())));
    ad.set("RequestCpus", "1");
    ad.set("RequestMemory", "64");
    ad.set("RequestDisk", "1024");
    ad.set("In", quote("/dev/null"));
    ad.set("ShouldTransferFiles", quote("YES"));
    for (k, v) in extra {
        ad.set(k, v.clone());
    }
    ad
}

fn claim(pool: &Pool, schedd: &FakeSchedd, job: &WireAd) -> ClaimGranted {
    let c = pool.client(Daemon::Startd).unwrap();
    let req = RequestClaim {
        slot_name: format!("slot1@{}", daemon::host::hostname()),
        schedd: schedd.address(),
        schedd_name: Some("test-schedd".into()),
        job: job.clone(),
        lease_secs: None,
    };
    client::startd::request_claim_blocking(&c, &req).unwrap_or_else(|e| panic!("claim refused: {e}"))
}

fn id(cluster: i64, proc: i64) -> JobId {
    JobId { cluster, proc }
}

fn activate(pool: &Pool, claim_id: &str, job_id: JobId, job: WireAd) {
    let c = pool.client(Daemon::Startd).unwrap();
    client::startd::activate_blocking(&c, &Activate { claim_id: claim_id.into(), job_id, job }).unwrap_or_else(|e| panic!("activation refused: {e}"));
}

fn pid_alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).map(|s| s.contains(") Z ")).unwrap_or(true)
}

#[test]
fn a_claimed_slot_runs_job_after_job_and_brings_their_output_back() {
    let pool = execute_pool(2);
    let schedd = FakeSchedd::start(pool.dir()).unwrap();
    let work = pool.dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("input.txt"), "from the submit side\n").unwrap();
    let first = job_ad(
        &work,
        "/bin/echo",
        "hello world",
        &[("Out", quote("echo.out")), ("Err", quote("echo.err"))],
    );
    let granted = claim(&pool, &schedd, &first);
    let host = daemon::host::hostname();
    assert_eq!(granted.slot.get("Name"), Some(quote(&format!("slot1_1@{host}")).as_str()));
    assert_eq!(granted.slot.get("Memory"), Some("128"), "64 MB requested, rounded up to 128 as HTCondor does");
    assert!(granted.queue_depth >= 1);

    // The second job reads its input, writes a file and says where it ran;
    // it is queued behind the first; the third comes back in an exit ack.
    let script = "cat input.txt; echo made > result.txt; echo $_CONDOR_SLOT $(basename $_CONDOR_SCRATCH_DIR) >&2; test -f $_CONDOR_JOB_AD && test -f $_CONDOR_MACHINE_AD";
    let second = job_ad(
        &work,
        "/bin/sh",
        &format!("-c '{script}'"),
        &[("Out", quote("sh.out")), ("Err", quote("sh.err")), ("TransferInput", quote("input.txt")), ("TransferOutput", quote("result.txt")), ("TransferOutputRemaps", quote("result.txt = results/r.txt"))],
    );
    std::fs::create_dir_all(work.join("results")).unwrap();
    let third = job_ad(&work, "/bin/sh", "-c 'exit 3'", &[]);
    activate(&pool, &granted.claim_id, id(1, 0), first);
    activate(&pool, &granted.claim_id, id(1, 1), second);
    schedd.queue_next(Activate { claim_id: granted.claim_id.clone(), job_id: id(1, 2), job: third });
    schedd.release_when_idle(&granted.claim_id);

    let e0 = schedd.wait_exit(id(1, 0), SECS_10).unwrap();
    assert_eq!(e0.exit_code, Some(0), "{e0:?}");
    assert_eq!(e0.claim_id, granted.claim_id);
    assert!(schedd.wait_started(id(1, 0), SECS_5).is_ok());
    assert_eq!(std::fs::read_to_string(work.join("echo.out")).unwrap(), "hello world\n");
    assert_eq!(std::fs::read_to_string(work.join("echo.err")).unwrap(), "");

    let e1 = schedd.wait_exit(id(1, 1), SECS_10).unwrap();
    assert_eq!(e1.exit_code, Some(0), "{e1:?}");
    assert_eq!(std::fs::read_to_string(work.join("sh.out")).unwrap(), "from the submit side\n");
    let err = std::fs::read_to_string(work.join("sh.err")).unwrap();
    assert!(err.starts_with("slot1_1 dir_"), "{err}");
    assert_eq!(std::fs::read_to_string(work.join("results/r.txt")).unwrap(), "made\n");
    assert!(!work.join("result.txt").exists());

    let e2 = schedd.wait_exit(id(1, 2), SECS_10).unwrap();
    assert_eq!(e2.exit_code, Some(3));
    assert!(e2.updates.get("RemoteUserCpu").is_some() && e2.updates.get("ResidentSetSize").is_some(), "{:?}", e2.updates);
    // The ack released the claim: the dynamic slot is gone, its resources back.
    pool.wait_for(SECS_5, "the dynamic slot to go", || {
        let slots = client::startd::query_slots_blocking(&pool.client(Daemon::Startd).ok()?).ok()?;
        (slots.len() == 1 && slots[0].get("Cpus") == Some("2")).then_some(())
    })
    .unwrap();
    // The claim's sandbox goes with its starter.
    pool.wait_for(SECS_5, "the sandbox to be removed", || {
        std::fs::read_dir(pool.dir().join("execute")).ok()?.next().is_none().then_some(())
    })
    .unwrap();
}

#[test]
fn a_job_that_cannot_start_says_why_with_htcondor_hold_codes() {
    let pool = execute_pool(1);
    let schedd = FakeSchedd::start(pool.dir()).unwrap();
    let work = pool.dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let missing = job_ad(&work, "/no/such/program", "", &[]);
    let granted = claim(&pool, &schedd, &missing);
    activate(&pool, &granted.claim_id, id(2, 0), missing);
    let no_input = job_ad(&work, "/bin/true", "", &[("TransferInput", quote("absent.dat"))]);
    activate(&pool, &granted.claim_id, id(2, 1), no_input);
    let e = schedd.wait_exit(id(2, 0), SECS_10).unwrap();
    assert_eq!(e.hold_code, Some(6));
    assert_eq!(e.hold_subcode, Some(2));
    assert!(e.start_error.as_deref().unwrap_or("").contains("/no/such/program"), "{e:?}");
    let e = schedd.wait_exit(id(2, 1), SECS_10).unwrap();
    assert_eq!(e.hold_code, Some(13));
    assert!(e.start_error.as_deref().unwrap_or("").contains("absent.dat"), "{e:?}");
    let missing_out = job_ad(&work, "/bin/true", "", &[("TransferOutput", quote("never.txt"))]);
    activate(&pool, &granted.claim_id, id(2, 2), missing_out);
    let e = schedd.wait_exit(id(2, 2), SECS_10).unwrap();
    assert_eq!(e.exit_code, Some(0));
    assert_eq!(e.hold_code, Some(12));
    assert!(e.transfer_error.as_deref().unwrap_or("").contains("never.txt"), "{e:?}");
}

/// A job that starts a child and records both pids, then sleeps.
fn sleeper(work: &Path, name: &str) -> WireAd {
    job_ad(
        work,
        "/bin/sh",
        &format!("-c 'sleep 600 & echo $$ $! > {}/{name}.pids; wait'", work.display()),
        &[],
    )
}

fn wait_pids(pool: &Pool, work: &Path, name: &str) -> Vec<i32> {
    pool.wait_for(SECS_10, "the job's pids", || {
        let text = std::fs::read_to_string(work.join(format!("{name}.pids"))).ok()?;
        let pids: Vec<i32> = text.split_whitespace().filter_map(|p| p.parse().ok()).collect();
        (pids.len() == 2).then_some(pids)
    })
    .unwrap()
}

#[test]
fn killing_a_job_kills_its_whole_process_group_and_drops_queued_jobs() {
    let pool = execute_pool(1);
    let schedd = FakeSchedd::start(pool.dir()).unwrap();
    let work = pool.dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let job = sleeper(&work, "k");
    let granted = claim(&pool, &schedd, &job);
    activate(&pool, &granted.claim_id, id(3, 0), job);
    activate(&pool, &granted.claim_id, id(3, 1), job_ad(&work, "/bin/true", "", &[]));
    let pids = wait_pids(&pool, &work, "k");
    let c = pool.client(Daemon::Startd).unwrap();
    // The queued job is dropped without running; the running one is killed.
    client::startd::signal_job_blocking(&c, &SignalJob { claim_id: granted.claim_id.clone(), job_id: id(3, 1), signal: Signal::Kill }).unwrap();
    let dropped = schedd.wait_exit(id(3, 1), SECS_5).unwrap();
    assert!(dropped.not_started && dropped.stopped_by_request, "{dropped:?}");
    client::startd::signal_job_blocking(&c, &SignalJob { claim_id: granted.claim_id.clone(), job_id: id(3, 0), signal: Signal::Kill }).unwrap();
    let e = schedd.wait_exit(id(3, 0), SECS_10).unwrap();
    assert_eq!(e.exit_signal, Some(9), "{e:?}");
    assert!(e.stopped_by_request);
    for pid in pids {
        pool.wait_for(SECS_5, "the job's processes to die", || (!pid_alive(pid)).then_some(())).unwrap();
    }
    client::startd::release_blocking(&c, &ReleaseClaim { claim_id: granted.claim_id.clone() }).unwrap();
    let err = client::startd::activate_blocking(&c, &Activate { claim_id: granted.claim_id, job_id: id(3, 2), job: WireAd::new() }).unwrap_err();
    assert_eq!(err.api().map(|e| e.code.as_str()), Some("not_found"));
}

#[test]
fn when_the_startd_is_killed_its_jobs_die_and_its_claims_are_reported_lost() {
    let pool = execute_pool(1);
    let schedd = FakeSchedd::start(pool.dir()).unwrap();
    let work = pool.dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let job = sleeper(&work, "s");
    let granted = claim(&pool, &schedd, &job);
    activate(&pool, &granted.claim_id, id(4, 0), job);
    let pids = wait_pids(&pool, &work, "s");
    let old = pool.kill_daemon(Daemon::Startd, 9).unwrap();
    // The starter sees its input close and kills the job.
    for pid in &pids {
        pool.wait_for(SECS_5, "the job to die with its startd", || (!pid_alive(*pid)).then_some(())).unwrap();
    }
    pool.wait_restarted(Daemon::Startd, old, SECS_10).unwrap();
    // The new startd tells the schedd the claim is gone, and does not know it.
    let lost = schedd.wait_lost(&granted.claim_id, SECS_10).unwrap();
    assert!(lost.reason.contains("restarted"), "{lost:?}");
    let c = pool.client(Daemon::Startd).unwrap();
    let alive = client::startd::claims_alive_blocking(&c, &proto::startd::ClaimsAlive { claim_ids: vec![granted.claim_id.clone()] }).unwrap();
    assert_eq!(alive.unknown, vec![granted.claim_id]);
    let slots = client::startd::query_slots_blocking(&c).unwrap();
    assert_eq!(slots.len(), 1, "only the partitionable slot, whole again");
    assert_eq!(slots[0].get("Cpus"), Some("1"));
}

#[test]
fn vacating_sends_sigterm_first_and_the_claim_refuses_more_than_its_queue() {
    let pool = execute_pool(1);
    let schedd = FakeSchedd::start(pool.dir()).unwrap();
    let work = pool.dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // A job that exits 42 when asked to stop.
    let job = job_ad(&work, "/bin/sh", &format!("-c 'trap \"exit 42\" TERM; echo $$ x > {}/v.pids; while true; do sleep 0.05; done'", work.display()), &[]);
    let granted = claim(&pool, &schedd, &job);
    activate(&pool, &granted.claim_id, id(5, 0), job);
    let c = pool.client(Daemon::Startd).unwrap();
    for p in 1..=granted.queue_depth as i64 {
        activate(&pool, &granted.claim_id, id(5, p), job_ad(&work, "/bin/true", "", &[]));
    }
    let full = client::startd::activate_blocking(
        &c,
        &Activate { claim_id: granted.claim_id.clone(), job_id: id(5, 99), job: job_ad(&work, "/bin/true", "", &[]) },
    )
    .unwrap_err();
    assert_eq!(full.api().map(|e| e.code.as_str()), Some("unavailable"), "{full}");
    pool.wait_for(SECS_10, "the job to start", || std::fs::metadata(work.join("v.pids")).ok()).unwrap();
    client::startd::signal_job_blocking(&c, &SignalJob { claim_id: granted.claim_id.clone(), job_id: id(5, 0), signal: Signal::Vacate }).unwrap();
    let e = schedd.wait_exit(id(5, 0), SECS_10).unwrap();
    assert_eq!(e.exit_code, Some(42), "{e:?}");
    assert!(e.stopped_by_request);
    // The queued jobs then run.
    let last = schedd.wait_exit(id(5, granted.queue_depth as i64), SECS_10).unwrap();
    assert_eq!(last.exit_code, Some(0));
    let _ = Duration::from_secs(0);
}

#[test]
fn only_root_or_the_startds_own_user_may_claim_slots() {
    use std::os::unix::process::CommandExt;
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to act as another local user");
        return;
    }
    let Ok(curl) = which("curl") else {
        eprintln!("skipped: no curl to send the request as another user");
        return;
    };
    let pool = execute_pool(1);
    let sock = pool.dir().join("log/startd.sock");
    // Another user (nobody) asks for a claim with a job that names root as its owner.
    let body = format!(
        r#"{{"slot_name":"slot1@{}","schedd":{{"Unix":"/tmp/x.sock"}},"job":{{"Owner":"\"root\"","RequestCpus":"1"}}}}"#,
        daemon::host::hostname()
    );
    let out = std::process::Command::new(curl)
        .args(["-s", "-H", "Content-Type: application/json", "--unix-socket"])
        .arg(&sock)
        .args(["-X", "POST", "-d", &body, "http://startd/v1/claims"])
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("permission_denied") && text.contains("may not claim slots"), "{text}");
    let slots = client::startd::query_slots_blocking(&pool.client(Daemon::Startd).unwrap()).unwrap();
    assert_eq!(slots.len(), 1, "no slot was carved");
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|c| c.is_file()))
        .ok_or(())
}
