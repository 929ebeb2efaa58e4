//! Fair share: submitters served in priority order up to their share.

use proto::negotiator::PriorityEdit;

use super::harness::{job, Harness};

#[test]
fn two_users_with_equal_priority_split_the_pool_evenly() {
    let mut h = Harness::new();
    h.static_slots(10, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 20, &job("alice", 1, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 20, &job("bob", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_for("alice@pool"), 5);
    assert_eq!(h.jobs_for("bob@pool"), 5);
    let r = h.rejection(2).unwrap();
    assert_eq!(r.unmatched, 15);
    assert_eq!(r.reason, "no match found", "every slot is taken");
}

#[test]
fn a_priority_factor_shrinks_a_share_and_crumbs_are_handed_out_in_the_same_cycle() {
    let mut h = Harness::new();
    h.edit(PriorityEdit::SetFactor { name: "bob@pool".into(), factor: 3000.0 });
    h.static_slots(10, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 20, &job("alice", 1, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 20, &job("bob", 1, 1024, ""));
    h.cycle();
    // Shares 3/4 and 1/4 of 10: 7.5 and 2.5; the half slots go by priority.
    assert_eq!(h.jobs_for("alice@pool") + h.jobs_for("bob@pool"), 10, "no slot left idle");
    assert_eq!(h.jobs_for("alice@pool"), 8);
    assert_eq!(h.jobs_for("bob@pool"), 2);
}

#[test]
fn what_one_user_cannot_use_goes_to_the_other() {
    let mut h = Harness::new();
    h.static_slots(10, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 2, &job("alice", 1, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 20, &job("bob", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_for("alice@pool"), 2);
    assert_eq!(h.jobs_for("bob@pool"), 8);
}

#[test]
fn usage_raises_a_users_priority_number_and_the_other_user_is_served_first() {
    let mut h = Harness::new();
    h.static_slots(4, 1, 2048, "");
    // alice ran alone on all 4 slots for a day (one half-life).
    h.request("schedd@a", 1, "alice@pool", 4, &job("alice", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_for("alice@pool"), 4);
    for i in 0..4 {
        let name = format!("slot1@host{i}");
        h.update_slot(&name, "State", "\"Claimed\"");
        h.update_slot(&name, "RemoteUser", "\"alice@pool\"");
    }
    h.clear_requests();
    h.cycle();
    h.advance(86400.0);
    h.cycle();
    let p = h.negotiator.priorities(h.now, true);
    let alice = p.submitters.iter().find(|s| s.name == "alice@pool").unwrap();
    assert!((alice.real_priority - 2.25).abs() < 1e-6, "{alice:?}");
    assert_eq!(alice.resources_used, 4);
    assert!((alice.weighted_accumulated_usage - 4.0 * 86400.0).abs() < 1.0);
    // The slots come free; both want all of them; bob's priority is better.
    for i in 0..4 {
        let name = format!("slot1@host{i}");
        h.update_slot(&name, "State", "\"Unclaimed\"");
        h.update_slot(&name, "RemoteUser", "undefined");
    }
    h.request("schedd@a", 1, "alice@pool", 10, &job("alice", 1, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 10, &job("bob", 1, 1024, ""));
    h.cycle();
    // Shares ∝ 1/EUP: bob (500) is served first, with 2250/(2250+500) of
    // 4 slots = 3.27 → 3; alice's 0.73 rounds up to the last slot.
    let order: Vec<&str> = h.matches().iter().map(|m| m.submitter.as_str()).collect();
    assert_eq!(order, ["bob@pool", "bob@pool", "bob@pool", "alice@pool"]);
}

#[test]
fn without_user_priorities_the_first_submitter_takes_what_it_wants() {
    let mut h = Harness::with(&[("NEGOTIATOR_IGNORE_USER_PRIORITIES", "true")]);
    h.static_slots(6, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 5, &job("alice", 1, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 5, &job("bob", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_for("alice@pool") + h.jobs_for("bob@pool"), 6);
    assert_eq!(h.jobs_for("alice@pool").max(h.jobs_for("bob@pool")), 5);
}

#[test]
fn weights_count_cpus_so_a_big_job_costs_its_cores() {
    let mut h = Harness::new();
    h.add_slot(&super::harness::slot("slot1@p", "Partitionable", 8, 65536, ""));
    h.request("schedd@a", 1, "alice@pool", 10, &job("alice", 4, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 10, &job("bob", 1, 1024, ""));
    h.cycle();
    // Each may use 4 of the 8 cpus: one 4-core job for alice, four 1-core jobs for bob.
    assert_eq!(h.jobs_for("alice@pool"), 1);
    assert_eq!(h.jobs_for("bob@pool"), 4);
    let p = h.negotiator.priorities(h.now, true);
    let alice = p.submitters.iter().find(|s| s.name == "alice@pool").unwrap();
    assert_eq!(alice.weighted_resources_used, 4.0);
    assert!((alice.share - 0.5).abs() < 1e-9);
}
