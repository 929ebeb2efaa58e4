//! One negotiation cycle's I/O around the core.
//!
//! 1. Ask the collector for slot ads and schedd ads.
//! 2. Read the slot ads ([`Negotiator::prepare`]), then ask every schedd at
//!    once for its resource requests, telling it which job attributes the
//!    slots refer to.
//! 3. Match ([`Negotiator::negotiate`]) and send every schedd its match
//!    set, all at once.
//!
//! The core runs on a blocking thread, so the endpoints keep answering.
//! A schedd that does not answer within `NEGOTIATOR_TIMEOUT` is left out
//! of the cycle; the others are not held up by it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use client::Client;
use proto::address::Address;
use proto::collector::{ad_type, addresses, pick_address, unquote, AdQuery};
use proto::negotiator::{CycleStats, MatchSet, MatchesAck, RequestsQuery, ResourceRequests};
use proto::WireAd;

use crate::core::{Negotiator, Plan, ScheddRequests};

use super::Shared;

/// A schedd to ask this cycle.
#[derive(Debug, Clone)]
struct Target {
    name: String,
    addr: Address,
}

impl Shared {
    /// A kept client for `addr` (connections are reused across cycles).
    pub(super) fn client(&self, addr: &Address) -> Arc<Client> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.entry(addr.to_string()).or_insert_with(|| Arc::new(Client::new(addr.clone()))).clone()
    }
}

fn name_of(ad: &WireAd) -> Option<String> {
    ad.get("Name").and_then(unquote)
}

/// The schedds to ask: those the collector lists, and those that asked
/// for this cycle with their addresses.
fn targets(schedd_ads: &[WireAd], asked_by: &[(String, Vec<Address>)]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut add = |name: String, addrs: &[Address]| {
        let Some(addr) = pick_address(addrs, |p| p.exists()) else { return };
        if !out.iter().any(|t| t.addr == addr || (!name.is_empty() && t.name == name)) {
            out.push(Target { name, addr });
        }
    };
    for ad in schedd_ads {
        add(name_of(ad).unwrap_or_default(), &addresses(ad));
    }
    for (name, addrs) in asked_by {
        add(name.clone(), addrs);
    }
    out
}

async fn with_timeout<T>(secs: f64, f: impl std::future::Future<Output = Result<T, client::ClientError>>) -> Result<T, String> {
    match tokio::time::timeout(Duration::from_secs_f64(secs), f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {secs} s (NEGOTIATOR_TIMEOUT)")),
    }
}

/// Run one cycle; what it did.
pub(super) async fn run(shared: Arc<Shared>) -> CycleStats {
    let t0 = Instant::now();
    let started = daemon::ads::now_f64();
    let mut problems: Vec<String> = Vec::new();
    let (timeout, name, cycle) = {
        let core = shared.lock();
        (core.negotiator.settings().timeout_secs, core.negotiator.name().to_string(), core.negotiator.cycles() + 1)
    };
    tracing::info!("---------- Started Negotiation Cycle {cycle} ----------");

    // 1. The collector's view of the pool.
    let collector = match daemon::locate::collector_address(&shared.settings) {
        Ok(a) => shared.client(&a),
        Err(e) => return failed(&shared, cycle, started, t0, format!("cannot find the collector: {e}")),
    };
    let slot_query = AdQuery { ad_type: Some(ad_type::MACHINE.into()), ..AdQuery::default() };
    let slots = match with_timeout(timeout, client::collector::query(&collector, &slot_query)).await {
        Ok(s) => s,
        Err(e) => return failed(&shared, cycle, started, t0, format!("cannot get slot ads from the collector at {}: {e}", collector.address())),
    };
    let schedd_query = AdQuery {
        ad_type: Some(ad_type::SCHEDULER.into()),
        projection: vec!["Name".into(), "MyAddress".into()],
        ..AdQuery::default()
    };
    let schedd_ads = match with_timeout(timeout, client::collector::query(&collector, &schedd_query)).await {
        Ok(s) => s,
        Err(e) => {
            problems.push(format!("cannot get schedd ads from the collector: {e}"));
            Vec::new()
        }
    };
    let asked_by = std::mem::take(&mut shared.lock().asked_by);
    let targets = targets(&schedd_ads, &asked_by);
    tracing::info!("Phase 1: got {} slot ads and {} schedds", slots.len(), targets.len());

    // 2. Read the slots, then ask every schedd for its requests.
    let now = daemon::ads::now_f64();
    let sh = shared.clone();
    let prepared = match tokio::task::spawn_blocking(move || sh.lock().negotiator.prepare(now, slots)).await {
        Ok(p) => p,
        Err(e) => return failed(&shared, cycle, started, t0, format!("reading the slot ads failed: {e}")),
    };
    problems.extend(prepared.problems().iter().cloned());
    let query = RequestsQuery { negotiator: name.clone(), cycle, significant_attributes: prepared.significant_attributes().to_vec() };
    let mut asks = tokio::task::JoinSet::new();
    for (i, t) in targets.iter().enumerate() {
        let c = shared.client(&t.addr);
        let q = query.clone();
        asks.spawn(async move { (i, with_timeout(timeout, c.post::<_, ResourceRequests>("/v1/negotiate/requests", &q)).await) });
    }
    let mut answers: BTreeMap<usize, ResourceRequests> = BTreeMap::new();
    while let Some(done) = asks.join_next().await {
        let Ok((i, result)) = done else { continue };
        match result {
            Ok(r) => {
                let jobs: u64 = r.requests.iter().map(|q| q.count).sum();
                tracing::info!("  {} ({}): {} autoclusters, {} idle jobs", display_name(&r.schedd, &targets[i]), targets[i].addr, r.requests.len(), jobs);
                answers.insert(i, r);
            }
            Err(e) => {
                let p = format!("schedd {} at {} did not give its requests: {e}", targets[i].name, targets[i].addr);
                tracing::warn!("  {p}");
                problems.push(p);
            }
        }
    }
    // Schedds in a stable order, each with the address it was reached at.
    let order: Vec<usize> = answers.keys().copied().collect();
    let schedds: Vec<ScheddRequests> = order
        .iter()
        .map(|i| {
            let r = &answers[i];
            ScheddRequests { name: display_name(&r.schedd, &targets[*i]), requests: r.requests.clone() }
        })
        .collect();

    // 3. Match and tell each schedd.
    let tm = Instant::now();
    let sh = shared.clone();
    let input = schedds.clone();
    let plan = match tokio::task::spawn_blocking(move || sh.lock().negotiator.negotiate(prepared, &input)).await {
        Ok(p) => p,
        Err(e) => return failed(&shared, cycle, started, t0, format!("matchmaking failed: {e}")),
    };
    let matchmaking = tm.elapsed();
    log_plan(&plan, &schedds);
    let mut sends = tokio::task::JoinSet::new();
    for sp in &plan.schedds {
        let t = &targets[order[sp.schedd]];
        let c = shared.client(&t.addr);
        let set: MatchSet = sp.set.clone();
        let label = format!("{} at {}", sp.name, t.addr);
        let name = sp.name.clone();
        sends.spawn(async move {
            let r = with_timeout(timeout, c.post::<_, MatchesAck>("/v1/negotiate/matches", &set)).await;
            (name, label, set, r)
        });
    }
    while let Some(done) = sends.join_next().await {
        let Ok((name, label, set, result)) = done else { continue };
        let forget = match result {
            Ok(ack) => {
                if !ack.refused.is_empty() {
                    tracing::info!("  {label} refused {} matches", ack.refused.len());
                }
                ack.refused
            }
            Err(e) => {
                // It never got them: the slots are free for the next cycle.
                let p = format!("schedd {label} did not take its matches: {e}");
                tracing::warn!("  {p}");
                problems.push(p);
                set.matches.iter().map(|m| m.slot_name.clone()).collect()
            }
        };
        if !forget.is_empty() {
            shared.lock().negotiator.on_failed_matches(Some(&name), &forget);
        }
    }

    let st = &plan.stats;
    let stats = CycleStats {
        cycles: plan.cycle,
        started,
        duration_secs: t0.elapsed().as_secs_f64(),
        matchmaking_secs: matchmaking.as_secs_f64(),
        slots: st.slots,
        schedds: plan.schedds.len(),
        autoclusters: st.autoclusters,
        idle_jobs: st.idle_jobs,
        matched_jobs: st.matched_jobs,
        problems,
    };
    for p in &stats.problems {
        tracing::warn!("{p}");
    }
    tracing::info!(
        "---------- Finished Negotiation Cycle {} ---------- ({} jobs matched in {} matches, {} slots, {} idle jobs; {:.3} s, matchmaking {:.3} s)",
        plan.cycle,
        st.matched_jobs,
        st.matches,
        st.slots,
        st.idle_jobs,
        stats.duration_secs,
        stats.matchmaking_secs
    );
    stats
}

fn display_name(answered: &str, t: &Target) -> String {
    if answered.is_empty() {
        t.name.clone()
    } else {
        answered.to_string()
    }
}

/// The NegotiatorLog lines of a plan: per submitter what it got, and every
/// match at debug level.
fn log_plan(plan: &Plan, schedds: &[ScheddRequests]) {
    let mut per: HashMap<(&str, &str), (u64, u64)> = HashMap::new();
    for sp in &plan.schedds {
        for m in &sp.set.matches {
            tracing::debug!("    Matched {} job(s) of autocluster {} of {} ({}) to {}", m.jobs, m.autocluster, m.submitter, sp.name, m.slot_name);
            per.entry((sp.name.as_str(), m.submitter.as_str())).or_default().0 += m.jobs;
        }
        for r in &sp.set.rejections {
            per.entry((sp.name.as_str(), r.submitter.as_str())).or_default().1 += r.unmatched;
            tracing::debug!("    Rejected {} job(s) of autocluster {} of {}: {}", r.unmatched, r.autocluster, r.submitter, r.reason);
        }
    }
    let mut rows: Vec<_> = per.into_iter().collect();
    rows.sort();
    for ((schedd, submitter), (matched, left)) in rows {
        tracing::info!("  {submitter} at {schedd}: {matched} job(s) matched, {left} left idle");
    }
    let _ = schedds;
}

fn failed(shared: &Shared, cycle: u64, started: f64, t0: Instant, problem: String) -> CycleStats {
    tracing::warn!("negotiation cycle {cycle} stopped: {problem}");
    let core = shared.lock();
    CycleStats {
        cycles: core.negotiator.cycles(),
        started,
        duration_secs: t0.elapsed().as_secs_f64(),
        problems: vec![problem],
        ..CycleStats::default()
    }
}

/// What the negotiator advertises about itself (HTCondor's
/// `LastNegotiationCycle*0` attributes).
pub(super) fn negotiator_ad(base: WireAd, last: &CycleStats, core: &Negotiator) -> WireAd {
    let mut ad = base;
    let s = core.settings();
    ad.set("NegotiatorInterval", (s.interval_secs as i64).to_string());
    ad.set("UpdateInterval", (s.update_interval_secs as i64).to_string());
    ad.set("ClassAdLifetime", ((s.update_interval_secs * 3.0) as i64).to_string());
    if last.started > 0.0 {
        ad.set("LastNegotiationCycleTime0", (last.started as i64).to_string());
        ad.set("LastNegotiationCycleEnd0", ((last.started + last.duration_secs) as i64).to_string());
        ad.set("LastNegotiationCycleDuration0", format!("{:.3}", last.duration_secs));
        ad.set("LastNegotiationCycleMatchmakingDuration0", format!("{:.3}", last.matchmaking_secs));
        ad.set("LastNegotiationCycleMatches0", last.matched_jobs.to_string());
        ad.set("LastNegotiationCycleNumIdleJobs0", last.idle_jobs.to_string());
        ad.set("LastNegotiationCycleNumSchedulers0", last.schedds.to_string());
        ad.set("LastNegotiationCycleCandidateSlots0", last.slots.to_string());
    }
    ad
}
