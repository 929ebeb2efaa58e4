//! Matches the collector does not show yet are held, not offered twice.

use super::harness::{job, slot, Harness};

#[test]
fn a_matched_slot_is_not_offered_again_until_its_ad_changes() {
    let mut h = Harness::new();
    h.static_slots(2, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 2, &job("alice", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 2);
    // The schedd still has idle jobs of another shape; the collector answers with the old ads.
    h.clear_requests();
    h.request("schedd@a", 2, "alice@pool", 5, &job("alice", 1, 512, ""));
    h.cycle();
    assert_eq!(h.jobs_of(2), 0, "both slots are held by the first cycle's matches");
    assert_eq!(h.rejection(2).unwrap().analysis.running_your_jobs, 2);
    // The startd re-advertises one slot (it ran its job and is free again).
    h.update_slot("slot1@host0", "EnteredCurrentState", "1700000100");
    h.cycle();
    assert_eq!(h.jobs_of(2), 1);
    assert_eq!(h.matches()[0].slot_name, "slot1@host0");
}

#[test]
fn held_matches_expire_and_failed_claims_release_them_at_once() {
    let mut h = Harness::new();
    h.static_slots(2, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 2, &job("alice", 1, 1024, ""));
    h.cycle();
    h.negotiator.on_failed_matches(Some("schedd@other"), &["slot1@host1".to_string()]);
    h.cycle();
    assert_eq!(h.jobs_of(1), 0, "another schedd's failure does not release this schedd's match");
    h.negotiator.on_failed_matches(Some("schedd@a"), &["slot1@host1".to_string()]);
    h.cycle();
    assert_eq!(h.jobs_of(1), 1);
    assert_eq!(h.matches()[0].slot_name, "slot1@host1");
    h.advance(121.0);
    h.cycle();
    assert_eq!(h.jobs_of(1), 2, "MATCH_TIMEOUT passed: both slots are offered again");
}

#[test]
fn a_held_partitionable_match_keeps_its_resources_out_and_charges_the_submitter() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@p", "Partitionable", 8, 32768, ""));
    h.request("schedd@a", 1, "alice@pool", 3, &job("alice", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 3);
    h.clear_requests();
    h.request("schedd@a", 2, "bob@pool", 10, &job("bob", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(2), 5, "8 cpus minus the 3 held");
    let p = h.negotiator.priorities(h.now, true);
    let alice = p.submitters.iter().find(|s| s.name == "alice@pool").unwrap();
    assert_eq!(alice.weighted_resources_used, 3.0);
}

#[test]
fn regression_a_held_partitionable_slot_is_evaluated_with_what_it_has_left() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@p", "Partitionable", 8, 32768, ""));
    h.request("schedd@a", 1, "alice@pool", 3, &job("alice", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 3);
    // Five cpus are left while the collector still says 8: a job that wants
    // a slot with 6 free cpus must not match.
    h.clear_requests();
    h.request("schedd@a", 2, "bob@pool", 4, &job("bob", 1, 1024, "").replace("(TARGET.Cpus >= RequestCpus)", "(TARGET.Cpus >= 6)"));
    h.request("schedd@a", 3, "bob@pool", 4, &job("bob", 1, 1024, "").replace("(TARGET.Cpus >= RequestCpus)", "(TARGET.Cpus >= 4)"));
    h.cycle();
    assert_eq!(h.jobs_of(2), 0);
    assert_eq!(h.jobs_of(3), 2, "5 and 4 cpus left when they are matched");
}

#[test]
fn a_partitionable_slot_whose_ad_shows_some_of_the_claims_keeps_the_rest_held() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@p", "Partitionable", 8, 32768, ""));
    h.request("schedd@a", 1, "alice@pool", 3, &job("alice", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 3);
    // The startd has carved one of the three dynamic slots so far.
    h.update_slot("slot1@p", "Cpus", "7");
    h.update_slot("slot1@p", "Memory", "31744");
    h.clear_requests();
    h.request("schedd@a", 2, "bob@pool", 10, &job("bob", 1, 1024, ""));
    h.advance(0.5);
    h.cycle();
    assert_eq!(h.jobs_of(2), 5, "7 free in the ad, 2 of alice's claims still to come");
    // All claims show (and bob's five are held in turn); later changes release everything.
    h.update_slot("slot1@p", "Cpus", "0");
    h.advance(0.5);
    h.clear_requests();
    h.request("schedd@a", 3, "carol@pool", 10, &job("carol", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(3), 0);
    h.update_slot("slot1@p", "Cpus", "8");
    h.update_slot("slot1@p", "Memory", "32768");
    h.advance(5.0);
    h.cycle();
    assert_eq!(h.jobs_of(3), 8, "after the grace a changed ad is the truth");
}

#[test]
fn regression_a_claim_made_and_released_within_the_grace_does_not_hold_the_slot_until_match_timeout() {
    // A job held right after it started, then released: its dynamic slot
    // was carved and given back before the negotiator read the slot again,
    // so the ad changed but shows every cpu free. During the grace that
    // looks like a claim still on its way; after it, the changed ad is the
    // truth and the released job matches again (it waited for
    // MATCH_TIMEOUT, 120 s, when the partial hold adopted the new ad).
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@p", "Partitionable", 2, 2048, ""));
    h.request("schedd@a", 1, "alice@pool", 1, &job("alice", 1, 128, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 1);
    h.update_slot("slot1@p", "EnteredCurrentState", "1700000100");
    h.advance(0.5);
    h.cycle();
    h.advance(3.0);
    h.cycle();
    assert_eq!(h.jobs_of(1), 1, "past the grace the released job matches again: {:?}", h.rejection(1));
}

#[test]
fn regression_a_submitter_with_a_held_partitionable_match_gets_the_cpus_left_during_the_grace() {
    // A 2-cpu partitionable slot: alice's first 1-cpu job is matched; her
    // next one, half a second later, must get the other cpu whether or not
    // the startd's new ad has reached the collector yet.
    for carved in [false, true] {
        let mut h = Harness::new();
        h.add_slot(&slot("slot1@p", "Partitionable", 2, 2048, ""));
        h.request("schedd@a", 1, "alice@pool", 1, &job("alice", 1, 128, ""));
        h.cycle();
        assert_eq!(h.jobs_of(1), 1);
        if carved {
            // The startd's new ads: the partitionable slot with what is
            // left, and the dynamic slot running alice's job.
            h.update_slot("slot1@p", "Cpus", "1");
            h.update_slot("slot1@p", "Memory", "1920");
            let dynamic = slot("slot1_1@p", "Dynamic", 1, 128, "RemoteUser = \"alice@pool\"\nRemoteOwner = \"alice@pool\"\n")
                .replace("State = \"Unclaimed\"\nActivity = \"Idle\"", "State = \"Claimed\"\nActivity = \"Busy\"");
            h.add_slot(&dynamic);
        }
        h.clear_requests();
        h.request("schedd@a", 1, "alice@pool", 1, &job("alice", 1, 128, ""));
        h.advance(0.5);
        h.cycle();
        assert_eq!(h.jobs_of(1), 1, "carved {carved}: {:?}", h.rejection(1));
    }
}
