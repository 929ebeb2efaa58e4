//! The `/v1` endpoints (see `proto::schedd`): each handler parses and
//! checks its request, hands it to the engine, and answers with what the
//! engine sends back once the batch is committed.

use std::convert::Infallible;
use std::sync::mpsc::Sender;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use classad::{ClassAd, Expr};
use daemon::{ApiFailure, Caller};
use jobqueue::Filter;
use proto::negotiator::{MatchSet, MatchesAck, RequestsQuery, ResourceRequest, ResourceRequests};
use proto::schedd::{
    ActRequest, ActResponse, EditRequest, EditResponse, JobSelector, NewCluster, QueryLine, QueryRequest, QuerySummary,
    ScheddStatus, SubmitRequest, SubmitResponse,
};
use proto::startd::{ClaimEvents, ClaimEventsAnswer};
use proto::{ApiError, WireAd};
use tokio::sync::{mpsc, oneshot};

use super::engine::{Input, Snapshot};
use crate::core::ads::{ad_from_wire, parse_wire_expr, project_to_wire};
use crate::core::{MatchOffer, Reply, SubmitJobs, Who};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub engine: Sender<Input>,
    pub name: String,
    /// How `condor_q` shows the schedd's address (`<127.0.0.1:9618?...`).
    pub display_address: Arc<std::sync::Mutex<String>>,
    pub history_path: std::path::PathBuf,
}

type Answer<T> = Result<Json<T>, ApiFailure>;

/// The largest request body accepted (a submit of a few million procs).
const MAX_BODY: usize = 1 << 30;

fn who(caller: &Caller) -> Who {
    match caller.user() {
        Some(u) => Who::user(u),
        None => Who::anonymous(),
    }
}

fn gone() -> ApiFailure {
    ApiFailure(ApiError::new("unavailable", "the schedd is shutting down").with_hint("try again once it is back"))
}

impl AppState {
    fn send(&self, input: Input) -> Result<(), ApiFailure> {
        self.engine.send(input).map_err(|_| gone())
    }
}

async fn wait<T>(rx: oneshot::Receiver<T>) -> Result<T, ApiFailure> {
    rx.await.map_err(|_| gone())
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/clusters", post(new_cluster))
        .route("/v1/submit", post(submit))
        .route("/v1/jobs/query", post(query))
        .route("/v1/jobs/act", post(act))
        .route("/v1/jobs/edit", post(edit))
        .route("/v1/history/query", post(history))
        .route("/v1/reschedule", post(reschedule))
        .route("/v1/schedd/status", post(status))
        .route("/v1/claims/events", post(claim_events))
        .route("/v1/negotiate/requests", post(requests))
        .route("/v1/negotiate/matches", post(matches))
        // A 100,000-proc submit is tens of megabytes of JSON.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

async fn new_cluster(State(st): State<AppState>, caller: Caller) -> Answer<NewCluster> {
    let (tx, rx) = oneshot::channel();
    st.send(Input::Reserve { who: who(&caller), reply: tx })?;
    let cluster = wait(rx).await?.map_err(ApiFailure)?;
    Ok(Json(NewCluster { cluster }))
}

/// Parse a submit's ads off the async threads (a 100,000-proc submit is
/// mostly this).
fn parse_submit(req: SubmitRequest) -> Result<SubmitJobs, ApiError> {
    let cluster_ad = ad_from_wire(&req.cluster_ad)
        .map_err(|e| ApiError::bad_request(format!("cluster ad: {e}")).with_hint("attribute values are old-syntax ClassAd expressions"))?;
    let mut procs = Vec::with_capacity(req.procs.len());
    for (i, p) in req.procs.iter().enumerate() {
        let ad = ad_from_wire(p).map_err(|e| ApiError::bad_request(format!("proc ad #{i}: {e}")))?;
        procs.push(ad);
    }
    check_input(&cluster_ad, None, req.cluster)?;
    for p in &procs {
        if p.get_own("In").is_some() || p.get_own("Iwd").is_some() {
            let mut view = p.clone();
            view.chain_to(std::sync::Arc::new(cluster_ad.clone()));
            check_input(&view, view.eval_attr("ProcId").as_int(), req.cluster)?;
        }
    }
    Ok(SubmitJobs { cluster: req.cluster, cluster_ad, procs, factory: req.factory })
}

/// A job's standard input (`In`, relative to `Iwd`) must be readable when
/// it is submitted, as `condor_submit` demands; a job whose input is
/// spooled or whose directory is not on this host is left alone.
fn check_input(ad: &ClassAd, proc: Option<i64>, cluster: i64) -> Result<(), ApiError> {
    use crate::core::ads::AdExt;
    let Some(input) = ad.string("In") else { return Ok(()) };
    if input.is_empty() || input == "/dev/null" {
        return Ok(());
    }
    if ad.int("JobStatus") == Some(proto::JobStatus::Held.code()) && ad.int("HoldReasonCode") == Some(proto::job::hold_code::SPOOLING_INPUT) {
        return Ok(());
    }
    let path = std::path::Path::new(&input);
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match ad.string("Iwd") {
            Some(iwd) if std::path::Path::new(&iwd).is_dir() => std::path::Path::new(&iwd).join(path),
            _ => return Ok(()),
        }
    };
    if let Err(e) = std::fs::File::open(&full) {
        let which = match proc {
            Some(p) => format!("job {cluster}.{p}"),
            None => format!("cluster {cluster}"),
        };
        return Err(ApiError::bad_request(format!("{which}: cannot read the input file {} ({e})", full.display()))
            .with_hint("check the input = line of the submit description; the file must exist when the job is submitted"));
    }
    Ok(())
}

async fn submit(State(st): State<AppState>, caller: Caller, Json(req): Json<SubmitRequest>) -> Answer<SubmitResponse> {
    let t0 = std::time::Instant::now();
    let jobs = tokio::task::spawn_blocking(move || parse_submit(req))
        .await
        .map_err(|e| ApiFailure(ApiError::internal(e.to_string())))?
        .map_err(ApiFailure)?;
    let parsed = t0.elapsed();
    let (tx, rx) = oneshot::channel();
    st.send(Input::Submit { who: who(&caller), jobs, reply: tx })?;
    match wait(rx).await? {
        Reply::Submit(r) => {
            if let Ok(r) = &r {
                tracing::info!(
                    "cluster {} submitted by {}: {} procs (read in {:.1} ms, queued in {:.1} ms)",
                    r.cluster,
                    caller.user().unwrap_or("?"),
                    r.num_procs,
                    parsed.as_secs_f64() * 1e3,
                    (t0.elapsed() - parsed).as_secs_f64() * 1e3
                );
            }
            r.map(Json).map_err(ApiFailure)
        }
        _ => Err(ApiFailure(ApiError::internal("unexpected answer"))),
    }
}

fn parse_constraint(sel: &JobSelector) -> Result<Option<Expr>, ApiFailure> {
    match &sel.constraint {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => Expr::parse_old(text).map(Some).map_err(|e| {
            ApiFailure(
                ApiError::bad_request(format!("the constraint '{text}' is not a ClassAd expression: {e}"))
                    .with_hint("quote strings with double quotes, e.g. 'Owner == \"alice\"'"),
            )
        }),
    }
}

fn filter_of(sel: &JobSelector, constraint: Option<Expr>) -> Filter {
    Filter { ids: sel.ids.clone(), owners: sel.owners.clone(), statuses: Vec::new(), constraint }
}

/// `GlobalJobId` (`schedd#cluster.proc#qdate`, as HTCondor forms it),
/// made when asked for rather than kept in every ad.
pub fn global_job_id(schedd: &str, ad: &ClassAd) -> Option<String> {
    use crate::core::ads::AdExt;
    let (c, p) = (ad.int("ClusterId")?, ad.int("ProcId")?);
    let q = ad.int("QDate").unwrap_or(0);
    Some(proto::collector::quote(&format!("{schedd}#{c}.{p}#{q}")))
}

/// The projected attributes plus the ad's attributes they refer to, so
/// that a client evaluating them (`MemoryUsage` refers to
/// `ResidentSetSize`) gets the same value the schedd would.
fn with_references(ad: &ClassAd, projection: &[String]) -> Vec<String> {
    let mut names: Vec<String> = projection.to_vec();
    let mut i = 0;
    while i < names.len() && names.len() < 256 {
        if let Some(e) = ad.get(&names[i]) {
            for r in e.references() {
                let r = r.strip_prefix("MY.").map(str::to_string).unwrap_or(r);
                if r.starts_with("TARGET.") || names.iter().any(|n| n.eq_ignore_ascii_case(&r)) || !ad.contains(&r) {
                    continue;
                }
                names.push(r);
            }
        }
        i += 1;
    }
    names
}

/// Stream lines produced by `produce` (run on a blocking thread) as the body.
fn stream_body(produce: impl FnOnce(mpsc::Sender<Bytes>) + Send + 'static) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    tokio::task::spawn_blocking(move || produce(tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx)) });
    Body::from_stream(stream)
}

/// Serialize ads in chunks of lines, so a big answer is sent as it is made.
struct Chunker {
    tx: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

impl Chunker {
    fn push(&mut self, l: &QueryLine) -> bool {
        if serde_json::to_writer(&mut self.buf, l).is_err() {
            return true;
        }
        self.buf.push(b'\n');
        if self.buf.len() >= 64 * 1024 {
            return self.flush();
        }
        true
    }

    fn flush(&mut self) -> bool {
        if self.buf.is_empty() {
            return true;
        }
        let b = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.blocking_send(b).is_ok()
    }
}

async fn query(State(st): State<AppState>, Json(req): Json<QueryRequest>) -> Result<Body, ApiFailure> {
    let constraint = parse_constraint(&req.select)?;
    let filter = filter_of(&req.select, constraint);
    let (tx, rx) = oneshot::channel();
    st.send(Input::Query { filter, summary_only: req.summary_only, limit: req.limit, reply: tx })?;
    let snap: Snapshot = wait(rx).await?;
    let summary = (req.summary || req.summary_only).then(|| QuerySummary {
        schedd_name: st.name.clone(),
        schedd_address: st.display_address.lock().map(|a| a.clone()).unwrap_or_default(),
        query: snap.query,
        all_users: snap.all,
    });
    let projection = req.projection;
    // Like HTCondor's schedd, every answered ad says when it was read
    // (`condor_q` computes RUN_TIME from it).
    let server_time = (projection.is_empty() || projection.iter().any(|p| p.eq_ignore_ascii_case("ServerTime")))
        .then(|| daemon::ads::now_secs().to_string());
    let want_global_id = projection.is_empty() || projection.iter().any(|p| p.eq_ignore_ascii_case("GlobalJobId"));
    let schedd_name = st.name.clone();
    Ok(stream_body(move |tx| {
        let mut out = Chunker { tx, buf: Vec::with_capacity(64 * 1024) };
        // Referenced names are found once per cluster ad (procs share it).
        let mut names: std::collections::HashMap<usize, Vec<String>> = std::collections::HashMap::new();
        for ad in &snap.ads {
            let wire = if projection.is_empty() {
                project_to_wire(ad, &projection)
            } else {
                let key = ad.chained().map(|p| Arc::as_ptr(p) as usize).unwrap_or(Arc::as_ptr(ad) as usize);
                let n = names.entry(key).or_insert_with(|| with_references(ad, &projection));
                project_to_wire(ad, n)
            };
            let mut wire = wire;
            if let Some(t) = &server_time {
                wire.set("ServerTime", t.clone());
            }
            if want_global_id && wire.get("GlobalJobId").is_none() {
                if let Some(g) = global_job_id(&schedd_name, ad) {
                    wire.set("GlobalJobId", g);
                }
            }
            if !out.push(&QueryLine::Ad(wire)) {
                return;
            }
        }
        if let Some(s) = summary {
            out.push(&QueryLine::Summary(s));
        }
        out.flush();
    }))
}

async fn act(State(st): State<AppState>, caller: Caller, Json(req): Json<ActRequest>) -> Answer<ActResponse> {
    let constraint = parse_constraint(&req.select)?;
    let (tx, rx) = oneshot::channel();
    st.send(Input::Act { who: who(&caller), req, constraint, reply: tx })?;
    match wait(rx).await? {
        Reply::Act(r) => r.map(Json).map_err(ApiFailure),
        _ => Err(ApiFailure(ApiError::internal("unexpected answer"))),
    }
}

async fn edit(State(st): State<AppState>, caller: Caller, Json(req): Json<EditRequest>) -> Answer<EditResponse> {
    let constraint = parse_constraint(&req.select)?;
    let (tx, rx) = oneshot::channel();
    st.send(Input::Edit { who: who(&caller), req, constraint, reply: tx })?;
    match wait(rx).await? {
        Reply::Edit(r) => r.map(Json).map_err(ApiFailure),
        _ => Err(ApiFailure(ApiError::internal("unexpected answer"))),
    }
}

/// History, newest first, read straight from the history file and then its
/// rotated files, backwards: only as much is read as the answer needs, and
/// the ads of other jobs and owners are skipped by their banner lines
/// without being parsed.
async fn history(State(st): State<AppState>, Json(req): Json<QueryRequest>) -> Result<Body, ApiFailure> {
    let constraint = parse_constraint(&req.select)?;
    let path = st.history_path.clone();
    let sel = req.select.clone();
    let projection = req.projection.clone();
    let limit = req.limit.unwrap_or(usize::MAX);
    Ok(stream_body(move |tx| {
        let mut out = Chunker { tx, buf: Vec::new() };
        if !path.exists() {
            out.flush();
            return;
        }
        let iter = match jobqueue::NewestFirst::open_rotated(&path, &sel.ids, &sel.owners) {
            Ok(i) => i,
            Err(e) => {
                out.push(&QueryLine::Error(ApiError::internal(format!("cannot read the history {}: {e}", path.display()))));
                out.flush();
                return;
            }
        };
        let mut n = 0;
        for ad in iter {
            if n >= limit {
                break;
            }
            let ad = match ad {
                Ok(a) => a,
                Err(e) => {
                    out.push(&QueryLine::Error(ApiError::internal(format!("history {}: {e}", path.display()))));
                    break;
                }
            };
            if !history_matches(&ad, &sel, constraint.as_ref()) {
                continue;
            }
            n += 1;
            let names = if projection.is_empty() { Vec::new() } else { with_references(&ad, &projection) };
            if !out.push(&QueryLine::Ad(project_to_wire(&ad, &names))) {
                return;
            }
        }
        out.flush();
    }))
}

fn history_matches(ad: &ClassAd, sel: &JobSelector, constraint: Option<&Expr>) -> bool {
    use crate::core::ads::AdExt;
    if !sel.ids.is_empty() {
        let (Some(c), Some(p)) = (ad.int("ClusterId"), ad.int("ProcId")) else { return false };
        let id = proto::JobId { cluster: c, proc: p };
        if !sel.ids.iter().any(|s| s.covers(id)) {
            return false;
        }
    }
    if !sel.owners.is_empty() {
        let owner = ad.string("Owner").unwrap_or_default();
        if !sel.owners.iter().any(|o| o.eq_ignore_ascii_case(&owner)) {
            return false;
        }
    }
    match constraint {
        Some(c) => classad::ops::bool_equiv(&ad.eval_expr(c, None)).unwrap_or(false),
        None => true,
    }
}

async fn reschedule(State(st): State<AppState>) -> Answer<serde_json::Value> {
    st.send(Input::Reschedule)?;
    Ok(Json(serde_json::json!({})))
}

async fn status(State(st): State<AppState>) -> Answer<ScheddStatus> {
    let (tx, rx) = oneshot::channel();
    st.send(Input::Status { reply: tx })?;
    Ok(Json(wait(rx).await?))
}

async fn claim_events(State(st): State<AppState>, Json(events): Json<ClaimEvents>) -> Answer<ClaimEventsAnswer> {
    let mut updates = Vec::with_capacity(events.exits.len());
    for e in &events.exits {
        let mut ups = Vec::with_capacity(e.updates.len());
        for (k, v) in &e.updates.0 {
            match parse_wire_expr(k, v) {
                Ok(x) => ups.push((k.clone(), x)),
                Err(err) => tracing::warn!("exit report of job {}: {err}; attribute ignored", e.job_id),
            }
        }
        updates.push(ups);
    }
    let (tx, rx) = oneshot::channel();
    st.send(Input::Events { events, updates, reply: tx })?;
    match wait(rx).await? {
        Reply::Events(r) => r.map(|acks| Json(ClaimEventsAnswer { acks })).map_err(ApiFailure),
        _ => Err(ApiFailure(ApiError::internal("unexpected answer"))),
    }
}

async fn requests(State(st): State<AppState>, Json(_q): Json<RequestsQuery>) -> Answer<ResourceRequests> {
    let (tx, rx) = oneshot::channel();
    st.send(Input::Requests { reply: tx })?;
    let groups = wait(rx).await?;
    let requests = groups
        .into_iter()
        .map(|(g, ad): (crate::core::IdleGroup, WireAd)| ResourceRequest {
            autocluster: g.id,
            submitter: g.submitter,
            count: g.count as u64,
            ad,
            job: Some(g.representative),
        })
        .collect();
    Ok(Json(ResourceRequests { schedd: st.name.clone(), requests }))
}

async fn matches(State(st): State<AppState>, Json(set): Json<MatchSet>) -> Answer<MatchesAck> {
    let mut offers = Vec::with_capacity(set.matches.len());
    let mut refused = Vec::new();
    for m in set.matches {
        match proto::collector::pick_address(&m.startd, |p| p.exists()) {
            Some(startd) => offers.push(MatchOffer {
                group: m.autocluster,
                slot_name: m.slot_name,
                startd,
                slot_ad: None,
                count: m.jobs.min(u32::MAX as u64) as usize,
            }),
            None => refused.push(m.slot_name),
        }
    }
    let (tx, rx) = oneshot::channel();
    let rejections = set.rejections.iter().map(|r| (r.autocluster, r.reason.clone())).collect();
    st.send(Input::Matches { offers, negotiator: set.negotiator, rejections, reply: tx })?;
    match wait(rx).await? {
        Reply::Matches(r) => r.map(|accepted| Json(MatchesAck { accepted, refused })).map_err(ApiFailure),
        _ => Err(ApiFailure(ApiError::internal("unexpected answer"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projections_bring_the_attributes_their_expressions_need() {
        let ad = ClassAd::parse_old("MemoryUsage = ((ResidentSetSize + 1023) / 1024)\nResidentSetSize = 5000\nOther = 1").unwrap();
        let names = with_references(&ad, &["MemoryUsage".to_string()]);
        assert_eq!(names, ["MemoryUsage", "ResidentSetSize"]);
    }

    #[test]
    fn global_job_ids_are_formed_like_htcondor_s() {
        let ad = ClassAd::parse_old("ClusterId = 2\nProcId = 1\nQDate = 1795603666").unwrap();
        assert_eq!(global_job_id("condoruser@vm", &ad).as_deref(), Some("\"condoruser@vm#2.1#1795603666\""));
    }
}
