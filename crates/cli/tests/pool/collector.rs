//! The collector: ads from the pool's daemons, expiry, queries, and
//! re-advertising after a collector restart.

use std::time::Duration;

use proto::address::Daemon;
use proto::collector::{quote, AdQuery, Advertise, Invalidate};
use proto::WireAd;

use crate::{execute_pool, pool_with, SECS_10};

fn names(ads: &[WireAd]) -> Vec<String> {
    let mut v: Vec<String> = ads.iter().filter_map(|a| a.get("Name").and_then(proto::collector::unquote)).collect();
    v.sort();
    v
}

fn query(pool: &testkit::Pool, ad_type: &str) -> Vec<WireAd> {
    let c = pool.client(Daemon::Collector).unwrap();
    client::collector::query_blocking(&c, &AdQuery { ad_type: Some(ad_type.into()), ..AdQuery::default() }).unwrap_or_default()
}

#[test]
fn the_daemons_advertise_and_queries_filter_and_project() {
    let pool = execute_pool(2);
    let host = daemon::host::hostname();
    let slots = pool.wait_for(SECS_10, "the slot ad", || Some(query(&pool, "Machine")).filter(|a| !a.is_empty())).unwrap();
    assert_eq!(names(&slots), [format!("slot1@{host}")]);
    let slot = &slots[0];
    for attr in ["Cpus", "Memory", "Disk", "Arch", "OpSys", "OpSysAndVer", "FileSystemDomain", "UidDomain", "HasFileTransfer", "TotalCpus", "TotalMemory", "StartdIpAddr", "MyAddress", "CondorVersion", "State", "Activity", "LastHeardFrom"] {
        assert!(slot.get(attr).is_some(), "slot ad lacks {attr}: {slot:?}");
    }
    assert_eq!(slot.get("Cpus"), Some("2"));
    assert_eq!(slot.get("Memory"), Some("1024"));
    assert_eq!(slot.get("PartitionableSlot"), Some("true"));
    let masters = pool.wait_for(SECS_10, "the master ad", || Some(query(&pool, "DaemonMaster")).filter(|a| !a.is_empty())).unwrap();
    assert_eq!(names(&masters), std::slice::from_ref(&host));

    let c = pool.client(Daemon::Collector).unwrap();
    let q = AdQuery {
        ad_type: Some("Machine".into()),
        constraint: Some("Cpus >= 2 && State == \"Unclaimed\"".into()),
        projection: vec!["Name".into(), "Cpus".into()],
        limit: None,
    };
    let got = client::collector::query_blocking(&c, &q).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, vec![("Name".to_string(), quote(&format!("slot1@{host}"))), ("Cpus".to_string(), "2".to_string())]);
    let none = AdQuery { constraint: Some("Cpus > 100".into()), ..q.clone() };
    assert!(client::collector::query_blocking(&c, &none).unwrap().is_empty());
    let bad = AdQuery { constraint: Some("Cpus >".into()), ..q };
    let err = client::collector::query_blocking(&c, &bad).unwrap_err();
    assert!(err.to_string().contains("does not parse"), "{err}");
}

fn generic(name: &str, lifetime: Option<i64>) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("MyType", quote("Generic"));
    ad.set("Name", quote(name));
    if let Some(l) = lifetime {
        ad.set("ClassAdLifetime", l.to_string());
    }
    ad
}

#[test]
fn stale_ads_expire_and_invalidated_ads_go() {
    let pool = pool_with(testkit::PoolOptions::default().daemons(&["COLLECTOR"]).config("CLASSAD_LIFETIME", "2"));
    let c = pool.client(Daemon::Collector).unwrap();
    let stored = client::collector::advertise_blocking(
        &c,
        &Advertise { ads: vec![generic("short", Some(1)), generic("default", None), generic("long", Some(600))] },
    )
    .unwrap();
    assert_eq!(stored.count, 3);
    assert!(!stored.instance.is_empty());
    assert_eq!(names(&query(&pool, "Generic")), ["default", "long", "short"]);
    let gone = Invalidate { ad_type: "Generic".into(), names: vec!["long".into()], constraint: None };
    assert_eq!(client::collector::invalidate_blocking(&c, &gone).unwrap().count, 1);
    // `short` lives 1 s, `default` the collector's CLASSAD_LIFETIME (2 s).
    pool.wait_for(Duration::from_secs(3), "the 1 s ad to expire", || {
        (names(&query(&pool, "Generic")) == ["default"]).then_some(())
    })
    .unwrap();
    pool.wait_for(Duration::from_secs(4), "the default-lifetime ad to expire", || query(&pool, "Generic").is_empty().then_some(()))
        .unwrap();
    assert!(pool.log(Daemon::Collector).contains("Generic ad short expired"));
}

#[test]
fn daemons_advertise_again_after_the_collector_restarts() {
    let pool = execute_pool(1);
    let host = daemon::host::hostname();
    pool.wait_for(SECS_10, "the first ads", || (!query(&pool, "Machine").is_empty() && !query(&pool, "DaemonMaster").is_empty()).then_some(()))
        .unwrap();
    let old = pool.kill_daemon(Daemon::Collector, 9).unwrap();
    pool.wait_restarted(Daemon::Collector, old, SECS_10).unwrap();
    // The new collector starts empty; the startd and the master notice the
    // lost connection and send their ads again (UPDATE_INTERVAL is 300 s).
    let slots = pool.wait_for(SECS_10, "the slot ad again", || Some(query(&pool, "Machine")).filter(|a| !a.is_empty())).unwrap();
    assert_eq!(names(&slots), [format!("slot1@{host}")]);
    pool.wait_for(SECS_10, "the master ad again", || (!query(&pool, "DaemonMaster").is_empty()).then_some(())).unwrap();
}
