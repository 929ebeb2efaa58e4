//! Matching: static and partitionable slots, requirements both ways,
//! rank order, rejections and their analysis.

use super::harness::{job, slot, Harness};

#[test]
fn static_slots_take_one_job_each_and_the_rest_is_rejected_with_counts() {
    let mut h = Harness::new();
    h.static_slots(3, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 5, &job("alice", 1, 1024, ""));
    h.cycle();
    let m = h.matches();
    assert_eq!(m.len(), 3);
    assert!(m.iter().all(|m| m.jobs == 1 && m.autocluster == 1));
    let mut names: Vec<&str> = m.iter().map(|m| m.slot_name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["slot1@host0", "slot1@host1", "slot1@host2"]);
    assert_eq!(m[0].startd[0].to_string(), format!("unix:/pool/{}/startd.sock", m[0].slot_name.split('@').nth(1).unwrap()));
    let r = h.rejection(1).expect("two jobs left idle");
    assert_eq!(r.unmatched, 2);
    assert_eq!(r.reason, "no match found");
    assert_eq!((r.analysis.slots, r.analysis.rejected_by_job, r.analysis.available), (3, 0, 3));
    assert_eq!(h.last().stats.matched_jobs, 3);
}

#[test]
fn requirements_matching_nothing_leave_the_jobs_idle_and_say_which_condition() {
    let mut h = Harness::new();
    h.static_slots(4, 1, 2048, "");
    h.add_slot(&slot("slot1@big", "Static", 1, 65536, ""));
    h.request("schedd@a", 7, "alice@pool", 10, &job("alice", 1, 1024, "").replace("\"LINUX\"", "\"WINDOWS\""));
    h.request("schedd@a", 8, "alice@pool", 1, &job("alice", 1, 32768, ""));
    h.cycle();
    assert_eq!(h.jobs_of(7), 0);
    let r = h.rejection(7).expect("rejected");
    assert_eq!(r.unmatched, 10);
    assert_eq!(r.analysis.slots, 5);
    assert_eq!(r.analysis.rejected_by_job, 5);
    let conds: Vec<(&str, u64)> = r.analysis.conditions.iter().map(|c| (c.condition.as_str(), c.matched)).collect();
    assert_eq!(conds[0], ("TARGET.Arch == \"X86_64\"", 5));
    assert_eq!(conds[1], ("TARGET.OpSys == \"WINDOWS\"", 0));
    assert_eq!(conds.len(), 5);
    // The big job fits one slot only.
    assert_eq!(h.jobs_of(8), 1);
    assert_eq!(h.matches().iter().find(|m| m.autocluster == 8).unwrap().slot_name, "slot1@big");
}

#[test]
fn a_slot_whose_start_refuses_the_job_is_counted_as_rejecting_it() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@bobs", "Static", 1, 4096, "").replace("START = true", "START = TARGET.Owner == \"bob\""));
    h.request("schedd@a", 1, "alice@pool", 1, &job("alice", 1, 1024, ""));
    h.request("schedd@a", 2, "bob@pool", 1, &job("bob", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 0);
    assert_eq!(h.jobs_of(2), 1);
    let r = h.rejection(1).unwrap();
    assert_eq!((r.analysis.rejected_by_job, r.analysis.rejected_by_slot), (0, 1));
}

#[test]
fn a_partitionable_slot_takes_as_many_jobs_as_its_rounded_requests_allow() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@fat", "Partitionable", 16, 32768, ""));
    // 3000 MB rounds up to 3072 MB: 32768 / 3072 = 10 jobs, fewer than 16 cpus.
    h.request("schedd@a", 1, "alice@pool", 100, &job("alice", 1, 3000, ""));
    h.cycle();
    let m = h.matches();
    assert_eq!(m.len(), 1, "one match record for the slot");
    assert_eq!((m[0].slot_name.as_str(), m[0].jobs), ("slot1@fat", 10));
    let r = h.rejection(1).unwrap();
    assert_eq!(r.unmatched, 90);
}

#[test]
fn many_jobs_of_one_shape_fill_big_partitionable_slots_with_few_evaluations() {
    let mut h = Harness::new();
    for i in 0..50 {
        h.add_slot(&slot(&format!("slot1@node{i}"), "Partitionable", 128, 512 * 1024, &format!("KFlops = {}", 1000 + i)));
    }
    h.request("schedd@a", 1, "alice@pool", 10_000, &job("alice", 1, 1024, ""));
    h.cycle();
    let m = h.matches();
    assert_eq!(m.len(), 50);
    assert!(m.iter().all(|m| m.jobs == 128));
    assert_eq!(h.jobs_of(1), 6400);
    let stats = &h.last().stats;
    // Work grows with slot states and shapes, not with the 6400 jobs.
    assert!(stats.evaluations < 2000, "{} evaluations", stats.evaluations);
}

#[test]
fn carving_stops_where_the_job_stops_matching_the_slot_that_is_left() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@p", "Partitionable", 16, 65536, ""));
    // Wants a slot that still has 4 cpus when it is matched: 16, 15, …, 4 → 13 jobs.
    h.request("schedd@a", 1, "alice@pool", 100, &job("alice", 1, 1024, "").replace("(TARGET.Cpus >= RequestCpus)", "(TARGET.Cpus >= 4)"));
    h.cycle();
    assert_eq!(h.jobs_of(1), 13);
}

#[test]
fn the_default_pre_job_rank_packs_jobs_onto_the_smallest_slot_that_fits() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@wide", "Partitionable", 16, 65536, ""));
    h.add_slot(&slot("slot1@narrow", "Partitionable", 4, 16384, ""));
    h.request("schedd@a", 1, "alice@pool", 6, &job("alice", 1, 1024, ""));
    h.cycle();
    let m = h.matches();
    let on = |n: &str| m.iter().filter(|x| x.slot_name == n).map(|x| x.jobs).sum::<u64>();
    assert_eq!(on("slot1@narrow"), 4, "the narrow slot fills first");
    assert_eq!(on("slot1@wide"), 2);
}

#[test]
fn the_jobs_rank_orders_otherwise_equal_slots() {
    let mut h = Harness::new();
    for (i, speed) in [(0, 10), (1, 30), (2, 20)] {
        h.add_slot(&slot(&format!("slot1@host{i}"), "Static", 1, 4096, &format!("Speed = {speed}")));
    }
    h.request("schedd@a", 1, "alice@pool", 2, &job("alice", 1, 1024, "Rank = TARGET.Speed"));
    h.cycle();
    let mut names: Vec<&str> = h.matches().iter().map(|m| m.slot_name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["slot1@host1", "slot1@host2"], "the two fastest");
    // A negative rank turns the order around.
    let mut h2 = Harness::new();
    for (i, speed) in [(0, 10), (1, 30), (2, 20)] {
        h2.add_slot(&slot(&format!("slot1@host{i}"), "Static", 1, 4096, &format!("Speed = {speed}")));
    }
    h2.request("schedd@a", 1, "alice@pool", 1, &job("alice", 1, 1024, "Rank = -TARGET.Speed"));
    h2.cycle();
    assert_eq!(h2.matches()[0].slot_name, "slot1@host0");
}

#[test]
fn claimed_slots_are_not_offered_but_count_in_the_analysis() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@a", "Static", 1, 4096, "RemoteUser = \"alice@pool\"").replace("\"Unclaimed\"", "\"Claimed\""));
    h.add_slot(&slot("slot1@b", "Static", 1, 4096, "RemoteUser = \"carol@pool\"").replace("\"Unclaimed\"", "\"Claimed\""));
    h.add_slot(&slot("slot1@c", "Static", 1, 4096, "").replace("\"Unclaimed\"", "\"Owner\""));
    h.request("schedd@a", 1, "alice@pool", 3, &job("alice", 1, 1024, ""));
    h.cycle();
    assert!(h.matches().is_empty());
    let a = &h.rejection(1).unwrap().analysis;
    assert_eq!((a.slots, a.running_your_jobs, a.serving_others, a.available), (3, 1, 2, 0));
}

#[test]
fn slot_and_job_constraints_keep_things_out_of_negotiation() {
    let mut h = Harness::with(&[("NEGOTIATOR_SLOT_CONSTRAINT", "Memory > 2048"), ("NEGOTIATOR_JOB_CONSTRAINT", "Owner != \"mallory\"")]);
    h.add_slot(&slot("slot1@small", "Static", 1, 1024, ""));
    h.add_slot(&slot("slot1@large", "Static", 1, 8192, ""));
    h.request("schedd@a", 1, "alice@pool", 2, &job("alice", 1, 512, ""));
    h.request("schedd@a", 2, "mallory@pool", 2, &job("mallory", 1, 512, ""));
    h.cycle();
    assert_eq!(h.matches().len(), 1);
    assert_eq!(h.matches()[0].slot_name, "slot1@large");
    assert!(h.rejection(2).is_none(), "excluded jobs are not negotiated");
    assert_eq!(h.rejection(1).unwrap().analysis.slots, 1);
}

#[test]
fn bad_ads_are_reported_and_do_not_stop_the_cycle() {
    let mut h = Harness::new();
    h.static_slots(2, 1, 2048, "");
    h.slots[1].set("START", "true &&");
    let mut nameless = h.slots[0].clone();
    nameless.0.retain(|(k, _)| k != "Name");
    h.slots.push(nameless);
    h.request("schedd@a", 1, "alice@pool", 5, &job("alice", 1, 1024, ""));
    h.cycle();
    assert_eq!(h.jobs_of(1), 1, "the slot with the broken START does not match");
    let problems = &h.last().stats.problems;
    assert!(problems.iter().any(|p| p.contains("slot1@host1") && p.contains("START")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("without a Name")), "{problems:?}");
}

#[test]
fn identical_autoclusters_of_two_schedds_share_evaluations_and_both_get_slots() {
    let mut h = Harness::new();
    h.static_slots(4, 1, 2048, "");
    h.request("schedd@a", 1, "alice@pool", 2, &job("alice", 1, 1024, "Cmd = \"/bin/a\""));
    h.request("schedd@b", 1, "bob@pool", 2, &job("bob", 1, 1024, "Cmd = \"/bin/b\""));
    h.cycle();
    let plan = h.last();
    assert_eq!(plan.schedds.len(), 2);
    assert_eq!(plan.schedds[0].set.matches.len(), 2);
    assert_eq!(plan.schedds[1].set.matches.len(), 2);
    assert_eq!(plan.stats.shapes, 1, "Cmd and Owner differ, but nothing reads them: {:?}", plan.stats);
}

#[test]
fn the_job_attributes_slots_refer_to_are_named_for_the_schedds() {
    let mut h = Harness::new();
    h.add_slot(&slot("slot1@a", "Static", 1, 4096, "").replace("START = true", "START = TARGET.Owner == \"bob\" && Memory > TARGET.RequestMemory"));
    h.add_slot(&slot("slot1@b", "Static", 1, 4096, "Rank = TARGET.Department =?= \"physics\""));
    let prepared = h.negotiator.prepare(h.now, h.slots.clone());
    assert_eq!(prepared.significant_attributes(), ["Department", "Owner", "RequestMemory"]);
    assert_eq!(prepared.slots(), 2);
}
