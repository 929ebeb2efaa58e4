//! The negotiator service over real sockets: the real collector (run
//! in-process from the `collector` crate) holds the slot and schedd ads;
//! the schedd side is a small in-test HTTP server answering
//! `/v1/negotiate/requests` and `/v1/negotiate/matches` with the
//! `proto::negotiator` types, until the schedd daemon serves them itself.
//! The negotiator runs its real service (`negotiator::service::run_until`)
//! on its own Unix socket, reached through the real client.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use client::Client;
use proto::address::{Address, Daemon};
use proto::collector::{quote, set_addresses, Advertise};
use proto::negotiator::{
    CycleStats, MatchSet, MatchesAck, Priorities, PrioritiesQuery, PriorityEdit, Reschedule, RequestsQuery, ResourceRequest,
    ResourceRequests,
};
use proto::WireAd;

fn wire(text: &str) -> WireAd {
    let ad = classad::ClassAd::parse_old(text).expect("test ad parses");
    WireAd(ad.iter().map(|(n, e)| (n.to_string(), e.to_old_string())).collect())
}

fn slot_ad(name: &str, cpus: i64, extra: &str) -> WireAd {
    wire(&format!(
        "MyType = \"Machine\"\nName = \"{name}\"\nMyAddress = \"unix:/nonexistent/startd.sock tcp:127.0.0.1:9\"\n\
         State = \"Unclaimed\"\nActivity = \"Idle\"\nSlotType = \"Static\"\nCpus = {cpus}\nMemory = 4096\nDisk = 1000000\n\
         Arch = \"X86_64\"\nOpSys = \"LINUX\"\nSTART = true\nRequirements = START\nRank = 0\nSlotID = 1\n{extra}"
    ))
}

fn job_ad(owner: &str) -> WireAd {
    wire(&format!(
        "Owner = \"{owner}\"\nUser = \"{owner}@pool\"\nRequestCpus = 1\nRequestMemory = 1024\nRequestDisk = 100\n\
         Requirements = (TARGET.Arch == \"X86_64\") && (TARGET.Memory >= RequestMemory) && (TARGET.Cpus >= RequestCpus)"
    ))
}

/// A pool directory with its configuration.
struct Pool {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Pool {
    fn new(extra: &str) -> Pool {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        let pool = Pool { _dir: dir, root };
        std::fs::write(pool.config(), format!("LOCAL_DIR = {}\nLOG = $(LOCAL_DIR)/log\nLOCK = $(LOCAL_DIR)/lock\nCOLLECTOR_HOST = 127.0.0.1:0\n{extra}", pool.root.display())).unwrap();
        pool
    }

    fn config(&self) -> PathBuf {
        self.root.join("condor_config")
    }

    fn settings(&self, subsystem: &str) -> daemon::Settings {
        daemon::Settings::from_parts(subsystem, Some(&self.config()), Default::default()).expect("config reads")
    }

    fn log(&self) -> PathBuf {
        self.root.join("log")
    }
}

async fn wait_for_file(p: &Path) {
    let t = Instant::now();
    while !p.exists() {
        assert!(t.elapsed() < Duration::from_secs(20), "{} did not appear", p.display());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The real collector, on a thread of its own (it serves until the test
/// process ends).
async fn start_collector(pool: &Pool) -> Client {
    let settings = pool.settings("COLLECTOR");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let _ = rt.block_on(collector::service::run(settings));
    });
    let file = pool.log().join(Daemon::Collector.address_file_name());
    wait_for_file(&file).await;
    Client::new(proto::address::read_address_file(&file).expect("collector address"))
}

/// What the in-test schedd saw.
#[derive(Default)]
struct Seen {
    queries: Vec<RequestsQuery>,
    sets: Vec<MatchSet>,
}

#[derive(Clone)]
struct FakeSchedd {
    name: String,
    requests: Vec<ResourceRequest>,
    delay: Duration,
    seen: Arc<Mutex<Seen>>,
}

async fn requests(State(s): State<FakeSchedd>, Json(q): Json<RequestsQuery>) -> Json<ResourceRequests> {
    s.seen.lock().unwrap().queries.push(q);
    tokio::time::sleep(s.delay).await;
    Json(ResourceRequests { schedd: s.name.clone(), requests: s.requests.clone() })
}

async fn matches(State(s): State<FakeSchedd>, Json(set): Json<MatchSet>) -> Json<MatchesAck> {
    let accepted = set.matches.len();
    s.seen.lock().unwrap().sets.push(set);
    Json(MatchesAck { accepted, refused: vec![] })
}

/// Serve a fake schedd on a Unix socket; returns its address and the stop sender.
async fn start_schedd(pool: &Pool, fake: FakeSchedd) -> (Address, tokio::sync::oneshot::Sender<()>) {
    let sock = pool.root.join(format!("{}.sock", fake.name.replace('@', "_")));
    let router = Router::new()
        .route("/v1/negotiate/requests", post(requests))
        .route("/v1/negotiate/matches", post(matches))
        .with_state(fake);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(daemon::serve(
        router,
        daemon::Listeners { unix: sock, tcp: None },
        move |a| {
            let _ = ready_tx.send(a[0].clone());
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    (ready_rx.await.expect("schedd listening"), stop_tx)
}

fn schedd_ad(name: &str, addr: &Address) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("MyType", quote("Scheduler"));
    ad.set("Name", quote(name));
    set_addresses(&mut ad, std::slice::from_ref(addr));
    ad
}

/// The negotiator service in this process; stops when the sender fires.
async fn start_negotiator(pool: &Pool) -> (Client, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let settings = pool.settings("NEGOTIATOR");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(negotiator::service::run_until(settings, async move {
        let _ = stop_rx.await;
    }));
    let file = pool.log().join(Daemon::Negotiator.address_file_name());
    wait_for_file(&file).await;
    (Client::new(proto::address::read_address_file(&file).expect("negotiator address")), stop_tx, task)
}

async fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reschedule_wakes_a_cycle_and_the_schedd_gets_its_matches() {
    // A long interval: only the start-up cycle and reschedules negotiate.
    let pool = Pool::new("NEGOTIATOR_INTERVAL = 3600\n");
    let collector = start_collector(&pool).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let fake = FakeSchedd {
        name: "schedd@test".into(),
        requests: vec![ResourceRequest { autocluster: 7, submitter: "alice@pool".into(), count: 6, ad: job_ad("alice"), job: None }],
        delay: Duration::ZERO,
        seen: seen.clone(),
    };
    let (schedd_addr, _schedd_stop) = start_schedd(&pool, fake).await;
    let mut ads: Vec<WireAd> = (0..4).map(|i| slot_ad(&format!("slot1@host{i}"), 1, "")).collect();
    ads.push(slot_ad("slot1@owned", 1, "").into_iter_start_owner());
    ads.push(schedd_ad("schedd@test", &schedd_addr));
    client::collector::advertise(&collector, &Advertise { ads }).await.expect("advertise");

    let (neg, stop, task) = start_negotiator(&pool).await;
    // The start-up cycle matches the four free slots.
    let first = wait_until("the first match set", || seen.lock().unwrap().sets.first().cloned()).await;
    assert_eq!(first.matches.len(), 4);
    assert!(first.matches.iter().all(|m| m.autocluster == 7 && m.jobs == 1 && m.submitter == "alice@pool"));
    let r = &first.rejections[0];
    assert_eq!((r.autocluster, r.unmatched), (7, 2));
    assert_eq!(r.analysis.slots, 5);
    assert_eq!(r.analysis.rejected_by_slot, 1, "the owner's slot refuses alice");
    let q = seen.lock().unwrap().queries[0].clone();
    assert_eq!(q.cycle, first.cycle);
    assert_eq!(q.significant_attributes, ["Owner"], "the owner slot's START reads TARGET.Owner");

    // A new slot appears; a reschedule negotiates at once (the interval is an hour).
    client::collector::advertise(&collector, &Advertise { ads: vec![slot_ad("slot1@late", 1, "")] }).await.expect("advertise");
    let t = Instant::now();
    let before: CycleStats = neg.post("/v1/reschedule", &Reschedule { from: Some("schedd@test".into()), ..Default::default() }).await.expect("reschedule");
    assert_eq!(before.cycles, first.cycle);
    let second = wait_until("the second match set", || seen.lock().unwrap().sets.get(1).cloned()).await;
    println!("reschedule → match set in {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    let names: Vec<&str> = second.matches.iter().map(|m| m.slot_name.as_str()).collect();
    assert_eq!(names, ["slot1@late"], "the first four are held by the first cycle's matches");

    // A burst of reschedules is served by one cycle, or two when one arrived during it.
    let cycles_before = seen.lock().unwrap().sets.len();
    let burst: Vec<_> = (0..20)
        .map(|_| {
            let c = Client::new(neg.address().clone());
            tokio::spawn(async move { c.post::<_, CycleStats>("/v1/reschedule", &Reschedule::default()).await })
        })
        .collect();
    for b in burst {
        b.await.expect("task").expect("reschedule answered");
    }
    let status = wait_until("the burst's cycle", || {
        let n = seen.lock().unwrap().sets.len();
        (n > cycles_before).then_some(n)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = seen.lock().unwrap().sets.len();
    assert!(after - cycles_before <= 2, "{} cycles for one burst", after - cycles_before);
    assert!(status > cycles_before);

    // Usage is charged: alice holds five slots.
    let p: Priorities = neg.post("/v1/negotiator/priorities", &PrioritiesQuery { all: true }).await.expect("priorities");
    let alice = p.submitters.iter().find(|s| s.name == "alice@pool").expect("alice has a record");
    assert_eq!(alice.resources_used, 5);
    assert_eq!(alice.priority_factor, 1000.0);
    let p: Priorities = neg
        .post("/v1/negotiator/priorities/edit", &PriorityEdit::SetFactor { name: "alice@pool".into(), factor: 2000.0 })
        .await
        .expect("the pool's own user may set factors");
    assert_eq!(p.submitters.iter().find(|s| s.name == "alice@pool").map(|s| s.priority_factor), Some(2000.0));
    let bad = neg
        .post::<_, Priorities>("/v1/negotiator/priorities/edit", &PriorityEdit::SetFactor { name: "alice@pool".into(), factor: 0.1 })
        .await
        .expect_err("a factor below 1 is refused");
    assert_eq!(bad.api().map(|e| e.code.as_str()), Some("bad_request"));

    // The negotiator advertised itself.
    let q = proto::collector::AdQuery { ad_type: Some("Negotiator".into()), ..Default::default() };
    let ads = wait_until_async(|| client::collector::query(&collector, &q)).await;
    assert!(ads[0].get("LastNegotiationCycleTime0").is_some(), "{:?}", ads[0]);

    stop.send(()).expect("negotiator running");
    task.await.expect("joined").expect("clean exit");
    assert!(!pool.log().join(".negotiator_address").exists(), "address file removed on exit");
}

async fn wait_until_async<F, Fut>(mut f: F) -> Vec<WireAd>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<WireAd>, client::ClientError>>,
{
    let t = Instant::now();
    loop {
        if let Ok(v) = f().await {
            if !v.is_empty() && v[0].get("LastNegotiationCycleTime0").is_some() {
                return v;
            }
        }
        assert!(t.elapsed() < Duration::from_secs(20), "the negotiator's ad did not appear");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedd_that_does_not_answer_in_time_is_left_out_of_the_cycle() {
    let pool = Pool::new("NEGOTIATOR_INTERVAL = 3600\nNEGOTIATOR_TIMEOUT = 1\n");
    let collector = start_collector(&pool).await;
    let slow_seen = Arc::new(Mutex::new(Seen::default()));
    let good_seen = Arc::new(Mutex::new(Seen::default()));
    let request = |who: &str| vec![ResourceRequest { autocluster: 1, submitter: format!("{who}@pool"), count: 2, ad: job_ad(who), job: None }];
    let (slow_addr, _s1) = start_schedd(
        &pool,
        FakeSchedd { name: "slow@test".into(), requests: request("bob"), delay: Duration::from_secs(30), seen: slow_seen.clone() },
    )
    .await;
    let (good_addr, _s2) = start_schedd(
        &pool,
        FakeSchedd { name: "good@test".into(), requests: request("carol"), delay: Duration::ZERO, seen: good_seen.clone() },
    )
    .await;
    let mut ads: Vec<WireAd> = (0..4).map(|i| slot_ad(&format!("slot1@host{i}"), 1, "")).collect();
    ads.push(schedd_ad("slow@test", &slow_addr));
    ads.push(schedd_ad("good@test", &good_addr));
    client::collector::advertise(&collector, &Advertise { ads }).await.expect("advertise");
    let (neg, stop, task) = start_negotiator(&pool).await;
    let set = wait_until("the good schedd's matches", || good_seen.lock().unwrap().sets.first().cloned()).await;
    assert_eq!(set.matches.len(), 2);
    assert!(slow_seen.lock().unwrap().sets.is_empty());
    let st: CycleStats = wait_until_status(&neg).await;
    // Bodies may be left out; a body that is not JSON is refused with a hint.
    let _: CycleStats = neg.post("/v1/reschedule", &serde_json::Value::Null).await.expect("a null body reschedules");
    let bad = neg.post::<_, CycleStats>("/v1/reschedule", &serde_json::json!({"from": 5})).await.expect_err("refused");
    let api = bad.api().expect("a refusal body");
    assert_eq!(api.code, "bad_request");
    assert!(api.hint.is_some());
    assert!(st.problems.iter().any(|p| p.contains("slow@test") && p.contains("NEGOTIATOR_TIMEOUT")), "{:?}", st.problems);
    stop.send(()).expect("running");
    task.await.expect("joined").expect("clean exit");
}

async fn wait_until_status(neg: &Client) -> CycleStats {
    let t = Instant::now();
    loop {
        let st: CycleStats = neg.post("/v1/negotiator/status", &serde_json::json!({})).await.expect("status");
        if st.cycles >= 1 {
            return st;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "no cycle finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

trait OwnerSlot {
    fn into_iter_start_owner(self) -> WireAd;
}

impl OwnerSlot for WireAd {
    /// A slot that runs only its owner's jobs.
    fn into_iter_start_owner(mut self) -> WireAd {
        self.set("START", "TARGET.Owner == \"bob\"");
        self
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedd_the_collector_does_not_list_yet_is_asked_when_it_reschedules_with_its_address() {
    let pool = Pool::new("NEGOTIATOR_INTERVAL = 3600\n");
    let collector = start_collector(&pool).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let fake = FakeSchedd {
        name: "new@test".into(),
        requests: vec![ResourceRequest { autocluster: 3, submitter: "dave@pool".into(), count: 1, ad: job_ad("dave"), job: None }],
        delay: Duration::ZERO,
        seen: seen.clone(),
    };
    let (addr, _stop_schedd) = start_schedd(&pool, fake).await;
    client::collector::advertise(&collector, &Advertise { ads: vec![slot_ad("slot1@h", 1, "")] }).await.expect("advertise");
    let (neg, stop, task) = start_negotiator(&pool).await;
    wait_until_status(&neg).await;
    assert!(seen.lock().unwrap().queries.is_empty(), "not listed, not asked");
    let req = Reschedule { from: Some("new@test".into()), addresses: vec![addr], failed_matches: vec![], ..Default::default() };
    let _: CycleStats = neg.post("/v1/reschedule", &req).await.expect("reschedule");
    let set = wait_until("its match set", || seen.lock().unwrap().sets.first().cloned()).await;
    assert_eq!(set.matches.len(), 1);
    assert_eq!(set.matches[0].slot_name, "slot1@h");
    assert_eq!(set.matches[0].startd, vec![Address::Unix("/nonexistent/startd.sock".into()), Address::Tcp("127.0.0.1:9".into())]);
    stop.send(()).expect("running");
    task.await.expect("joined").expect("clean exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freed_slot_starts_a_cycle_only_when_the_last_one_left_jobs_idle() {
    let pool = Pool::new("NEGOTIATOR_INTERVAL = 3600\n");
    let collector = start_collector(&pool).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let fake = FakeSchedd {
        name: "schedd@test".into(),
        requests: vec![ResourceRequest { autocluster: 1, submitter: "bob@pool".into(), count: 2, ad: job_ad("bob"), job: None }],
        delay: Duration::ZERO,
        seen: seen.clone(),
    };
    let (addr, _stop_schedd) = start_schedd(&pool, fake).await;
    let ads = vec![slot_ad("slot1@a", 1, ""), slot_ad("slot1@b", 1, ""), schedd_ad("schedd@test", &addr)];
    client::collector::advertise(&collector, &Advertise { ads }).await.expect("advertise");
    let (neg, stop, task) = start_negotiator(&pool).await;
    let first = wait_until("the start-up match set", || seen.lock().unwrap().sets.first().cloned()).await;
    assert_eq!(first.matches.len(), 2, "both jobs matched: none left idle");
    let freed = Reschedule { from: Some("startd a".into()), slots_freed: vec!["slot1@a".into()], ..Default::default() };
    let _: CycleStats = neg.post("/v1/reschedule", &freed).await.expect("reschedule");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(seen.lock().unwrap().queries.len(), 1, "no cycle for a freed slot when nothing waits");

    // Another submitter's jobs could not all be matched: a freed slot is worth a cycle.
    client::collector::advertise(&collector, &Advertise { ads: vec![slot_ad("slot1@c", 1, "")] }).await.expect("advertise");
    let _: CycleStats = neg.post("/v1/reschedule", &Reschedule { from: Some("schedd@test".into()), ..Default::default() }).await.expect("reschedule");
    wait_until("the second cycle", || (seen.lock().unwrap().sets.len() >= 2).then_some(())).await;
    let _: CycleStats = neg.post("/v1/reschedule", &freed).await.expect("reschedule");
    wait_until("a cycle for the freed slot", || (seen.lock().unwrap().queries.len() >= 3).then_some(())).await;

    stop.send(()).expect("negotiator running");
    task.await.expect("joined").expect("clean exit");
}
