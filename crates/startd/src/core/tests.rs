//! Tests of the claim state machine: claims, activations, exits, releases,
//! leases, starter loss.

use proto::address::Address;
use proto::collector::quote;
use proto::startd::{Activate, ExitAck, JobExit, RequestClaim, StarterCommand, StarterEvent};
use proto::{JobId, WireAd};

use super::layout::{Resources, SlotSpec};
use super::slot::MachineFacts;
use super::{Action, Report, Startd, StartdConfig};

fn cfg(partitionable: bool) -> StartdConfig {
    let machine = Resources { cpus: 2.0, memory_mb: 1024, disk_kb: 10_000_000 };
    StartdConfig {
        facts: MachineFacts { host: "vm".into(), common: WireAd::new(), start: "TRUE".into(), machine },
        slots: vec![SlotSpec { id: 1, type_id: 0, partitionable, res: machine }],
        lease_secs: 60,
        queue_depth: 1,
        execute_dir: "/x".into(),
        modify_cpus: "quantize(RequestCpus,{1})".into(),
        modify_memory: "quantize(RequestMemory,{128})".into(),
        modify_disk: "quantize(RequestDisk,{1024})".into(),
    }
}

fn job(cpus: i64, memory: &str) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("Owner", quote("alice"));
    ad.set("User", quote("alice@vm"));
    ad.set("RequestCpus", cpus.to_string());
    ad.set("RequestMemory", memory);
    ad.set("RequestDisk", "100");
    ad.set("Requirements", "TARGET.Memory >= RequestMemory");
    ad
}

fn schedd() -> Address {
    Address::Unix("/s.sock".into())
}

fn claim_req(j: WireAd) -> RequestClaim {
    RequestClaim {
        slot_name: "slot1@vm".into(),
        schedd: Address::Unix("/s.sock".into()),
        schedd_name: Some("alice@vm".into()),
        job: j,
        lease_secs: None,
    }
}

fn id(p: i64) -> JobId {
    JobId { cluster: 1, proc: p }
}

fn activate(claim: &str, p: i64) -> Activate {
    Activate { claim_id: claim.into(), job_id: id(p), job: job(1, "100") }
}

fn exited(p: i64, code: i32) -> StarterEvent {
    let mut e = JobExit::empty("", id(p));
    e.exit_code = Some(code);
    StarterEvent::Exited(Box::new(e))
}

fn reports(a: &[Action]) -> Vec<&Report> {
    a.iter().filter_map(|x| if let Action::Report { report, .. } = x { Some(report) } else { None }).collect()
}

fn ad_names(s: &Startd) -> Vec<(String, String, String)> {
    s.slot_ads(0.0, 0.0)
        .iter()
        .map(|a| {
            let g = |k: &str| proto::collector::unquote(a.get(k).unwrap_or("\"\"")).unwrap_or_default();
            (g("Name"), g("State"), g("Activity"))
        })
        .collect()
}

#[test]
fn a_partitionable_slot_carves_a_dynamic_slot_rounded_like_htcondor() {
    let mut s = Startd::new(cfg(true), 0.0);
    let (granted, actions) = s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 1.0).unwrap();
    assert!(actions.contains(&Action::SpawnStarter { claim_id: "c1".into() }));
    assert_eq!(granted.slot.get("Name"), Some("\"slot1_1@vm\""));
    assert_eq!(granted.slot.get("Memory"), Some("128"));
    assert_eq!(granted.slot.get("Cpus"), Some("1"));
    let ads = s.slot_ads(1.0, 0.0);
    assert_eq!(ads[0].get("Memory"), Some("896"));
    assert_eq!(ads[0].get("Cpus"), Some("1"));
    assert_eq!(ads[0].get("NumDynamicSlots"), Some("1"));
    assert_eq!(
        ad_names(&s),
        [("slot1@vm".into(), "Unclaimed".into(), "Idle".into()), ("slot1_1@vm".into(), "Claimed".into(), "Idle".into())]
    );
}

#[test]
fn a_claim_too_big_for_what_is_left_is_refused_naming_the_resource() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(2, "100")), "c1".into(), 0.0).unwrap();
    let err = s.on_request_claim(&claim_req(job(1, "100")), "c2".into(), 0.0).unwrap_err();
    assert_eq!(err.code, "unavailable");
    assert!(err.message.contains("Cpus") && err.message.contains("RequestCpus"), "{}", err.message);
    let err = s.on_request_claim(&RequestClaim { slot_name: "slot9@vm".into(), ..claim_req(job(1, "1")) }, "c3".into(), 0.0);
    assert_eq!(err.unwrap_err().code, "not_found");
}

#[test]
fn requirements_that_refuse_the_slot_are_a_bad_request() {
    let mut s = Startd::new(cfg(true), 0.0);
    let err = s.on_request_claim(&claim_req(job(1, "5000")), "c1".into(), 0.0).unwrap_err();
    assert_eq!(err.code, "bad_request");
    assert!(err.message.contains("Requirements"), "{}", err.message);
}

#[test]
fn jobs_run_in_order_with_one_queued_and_exits_are_reported() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    let a = s.on_activate(activate("c1", 0), 1.0).unwrap();
    assert!(a.iter().any(|x| matches!(x, Action::Starter { cmd: StarterCommand::Run(j), .. } if j.job_id == id(0) && j.slot == "slot1_1")));
    s.on_activate(activate("c1", 1), 1.0).unwrap();
    // Depth 1: a third job waits for the schedd's next turn.
    let err = s.on_activate(activate("c1", 2), 1.0).unwrap_err();
    assert_eq!(err.code, "unavailable");
    let a = s.on_starter_event("c1", StarterEvent::Started { job_id: id(0), pid: 5, time: 1.5 }, 1.5);
    assert!(matches!(reports(&a)[..], [Report::Started(st)] if st.job_id == id(0) && st.claim_id == "c1"));
    assert_eq!(ad_names(&s)[1].2, "Busy");
    let a = s.on_starter_event("c1", exited(0, 0), 2.0);
    match reports(&a)[..] {
        [Report::Exit(e)] => {
            assert_eq!(e.claim_id, "c1");
            assert_eq!(e.exit_code, Some(0));
        }
        ref other => panic!("{other:?}"),
    }
    // Job 1 is still queued: the slot stays busy, no advertising churn.
    assert!(!a.contains(&Action::AdsChanged));
    assert_eq!(ad_names(&s)[1].2, "Busy");
    // The schedd's ack carries the next job.
    let a = s.on_exit_ack(&schedd(), "c1", ExitAck { next: Some(activate("c1", 2)), release: false }, 2.0);
    assert!(a.iter().any(|x| matches!(x, Action::Starter { cmd: StarterCommand::Run(j), .. } if j.job_id == id(2))));
    s.on_starter_event("c1", exited(1, 0), 3.0);
    let a = s.on_starter_event("c1", exited(2, 0), 4.0);
    assert!(a.contains(&Action::ActivityChanged), "Busy → Idle under the claim is advertised soon: {a:?}");
    assert_eq!(ad_names(&s)[1].2, "Idle");
}

#[test]
fn releasing_an_idle_claim_returns_the_resources_at_once() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    let a = s.on_release("c1", 1.0).unwrap();
    assert!(a.contains(&Action::CloseStarter { claim_id: "c1".into() }));
    assert!(reports(&a).is_empty());
    let ads = s.slot_ads(1.0, 0.0);
    assert_eq!(ads.len(), 1);
    assert_eq!(ads[0].get("Cpus"), Some("2"));
    assert_eq!(ads[0].get("Memory"), Some("1024"));
    assert_eq!(s.on_activate(activate("c1", 0), 2.0).unwrap_err().code, "not_found");
}

#[test]
fn releasing_a_busy_claim_waits_for_the_starter_to_report_the_jobs() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    s.on_activate(activate("c1", 0), 0.0).unwrap();
    s.on_starter_event("c1", StarterEvent::Started { job_id: id(0), pid: 5, time: 0.0 }, 0.0);
    let a = s.on_release("c1", 1.0).unwrap();
    assert!(a.contains(&Action::Starter { claim_id: "c1".into(), cmd: StarterCommand::Shutdown }));
    assert_eq!(ad_names(&s)[1], ("slot1_1@vm".into(), "Preempting".into(), "Vacating".into()));
    let a = s.on_starter_event("c1", exited(0, 143), 2.0);
    assert!(a.contains(&Action::CloseStarter { claim_id: "c1".into() }));
    assert_eq!(s.slot_ads(2.0, 0.0).len(), 1);
    // Released by the schedd: no loss report.
    assert!(!reports(&a).iter().any(|r| matches!(r, Report::Lost(_))));
}

#[test]
fn an_ack_that_releases_after_next_runs_the_job_then_frees_the_slot() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    s.on_activate(activate("c1", 0), 0.0).unwrap();
    s.on_starter_event("c1", exited(0, 0), 1.0);
    s.on_exit_ack(&schedd(), "c1", ExitAck { next: Some(activate("c1", 1)), release: true }, 1.0);
    assert_eq!(s.claim_count(), 1);
    let a = s.on_starter_event("c1", exited(1, 0), 2.0);
    assert!(a.contains(&Action::CloseStarter { claim_id: "c1".into() }));
    assert_eq!(s.claim_count(), 0);
}

#[test]
fn a_next_job_that_cannot_run_is_reported_not_started() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    s.on_release("c1", 0.5).unwrap();
    let a = s.on_exit_ack(&schedd(), "c1", ExitAck { next: Some(activate("c1", 7)), release: false }, 1.0);
    assert!(matches!(reports(&a)[..], [Report::Exit(e)] if e.not_started && e.job_id == id(7)), "{a:?}");
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    s.on_activate(activate("c1", 0), 0.0).unwrap();
    s.on_activate(activate("c1", 1), 0.0).unwrap();
    let a = s.on_exit_ack(&schedd(), "c1", ExitAck { next: Some(activate("c1", 2)), release: false }, 1.0);
    assert!(matches!(reports(&a)[..], [Report::Exit(e)] if e.not_started && e.job_id == id(2)), "{a:?}");
}

#[test]
fn an_expired_lease_releases_the_claim_and_reports_it_lost() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    assert_eq!(s.next_deadline(), Some(60.0));
    assert!(s.on_alive(&["c1".into(), "zz".into()], 30.0).unknown == ["zz"]);
    assert!(s.on_timer(60.0).is_empty());
    let a = s.on_timer(90.0);
    assert!(matches!(reports(&a)[..], [Report::Lost(l)] if l.claim_id == "c1" && l.reason.contains("lease")), "{a:?}");
    assert_eq!(s.claim_count(), 0);
}

#[test]
fn a_dead_starter_loses_its_claim() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    s.on_activate(activate("c1", 0), 0.0).unwrap();
    let a = s.on_starter_gone("c1", "died on signal 9", 1.0);
    assert!(matches!(reports(&a)[..], [Report::Lost(l)] if l.reason.contains("signal 9")));
    assert_eq!(s.slot_ads(1.0, 0.0).len(), 1);
}

#[test]
fn a_static_slot_is_claimed_whole_and_freed_back_to_unclaimed() {
    let mut s = Startd::new(cfg(false), 0.0);
    let (g, _) = s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    assert_eq!(g.slot.get("Name"), Some("\"slot1@vm\""));
    assert_eq!(g.slot.get("Cpus"), Some("2"));
    assert_eq!(s.on_request_claim(&claim_req(job(1, "100")), "c2".into(), 0.0).unwrap_err().code, "unavailable");
    s.on_release("c1", 1.0).unwrap();
    assert_eq!(ad_names(&s), [("slot1@vm".into(), "Unclaimed".into(), "Idle".into())]);
}

#[test]
fn shutdown_releases_everything_and_reports_losses() {
    let mut s = Startd::new(cfg(true), 0.0);
    s.on_request_claim(&claim_req(job(1, "100")), "c1".into(), 0.0).unwrap();
    let a = s.on_shutdown(1.0);
    assert!(matches!(reports(&a)[..], [Report::Lost(l)] if l.reason.contains("shutting down")));
    assert_eq!(s.on_request_claim(&claim_req(job(1, "100")), "c2".into(), 1.0).unwrap_err().code, "unavailable");
}
