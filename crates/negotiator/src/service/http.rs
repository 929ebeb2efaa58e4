//! The negotiator's `/v1` endpoints (see `proto::negotiator`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use daemon::{ApiFailure, Caller};
use proto::negotiator::{CycleStats, Priorities, PrioritiesQuery, PriorityEdit, Reschedule};
use proto::ApiError;

use super::Shared;

type St = Arc<Shared>;

/// A request body that may be left out: empty, `null` and `{}` all mean
/// the defaults.
fn body_or_default<T: DeserializeOwned + Default>(body: &Bytes, what: &str) -> Result<T, ApiFailure> {
    let text = body.trim_ascii();
    if text.is_empty() || text == b"null" {
        return Ok(T::default());
    }
    serde_json::from_slice(text).map_err(|e| {
        ApiError::bad_request(format!("the {what} request body is not understood: {e}"))
            .with_hint("send a JSON object as described in proto::negotiator, or an empty body")
            .into()
    })
}

/// `condor_reschedule`, and schedds after a submit or a released claim.
async fn reschedule(State(s): State<St>, body: Bytes) -> Result<Json<CycleStats>, ApiFailure> {
    let req: Reschedule = body_or_default(&body, "reschedule")?;
    let now = s.clock();
    let mut core = s.lock();
    if !req.failed_matches.is_empty() {
        tracing::info!(
            "{} is done with its matches of {} (claims refused, or made and released); those slots are offered again",
            req.from.as_deref().unwrap_or("a schedd"),
            req.failed_matches.join(", ")
        );
        core.negotiator.on_failed_matches(req.from.as_deref(), &req.failed_matches);
    }
    if !req.addresses.is_empty() {
        let name = req.from.clone().unwrap_or_default();
        if !core.asked_by.iter().any(|(n, a)| *n == name && *a == req.addresses) {
            core.asked_by.push((name, req.addresses.clone()));
        }
    }
    // A freed slot matters only to jobs the last cycle left idle (new jobs
    // bring their schedd's own reschedule).
    let only_freed = !req.slots_freed.is_empty() && req.failed_matches.is_empty() && req.addresses.is_empty();
    let left_idle = core.last.idle_jobs > core.last.matched_jobs || !core.last.problems.is_empty();
    if only_freed && !left_idle {
        tracing::debug!(
            "{} freed {}; the last cycle left no job idle, no cycle for it",
            req.from.as_deref().unwrap_or("a startd"),
            req.slots_freed.join(", ")
        );
        return Ok(Json(core.last.clone()));
    }
    tracing::debug!("reschedule from {}", req.from.as_deref().unwrap_or("(unnamed)"));
    core.wakeup.on_reschedule(now);
    let last = core.last.clone();
    drop(core);
    s.wake.notify_one();
    Ok(Json(last))
}

async fn status(State(s): State<St>) -> Json<CycleStats> {
    Json(s.lock().last.clone())
}

/// `condor_userprio`.
async fn priorities(State(s): State<St>, body: Bytes) -> Result<Json<Priorities>, ApiFailure> {
    let q: PrioritiesQuery = body_or_default(&body, "priorities")?;
    Ok(Json(s.lock().negotiator.priorities(daemon::ads::now_f64(), q.all)))
}

/// `condor_userprio -setfactor …`: the pool's administrators only (the
/// negotiator's own user or root, on this host).
async fn edit(State(s): State<St>, caller: Caller, Json(edit): Json<PriorityEdit>) -> Result<Json<Priorities>, ApiFailure> {
    let me = nix::unistd::getuid().as_raw();
    match &caller {
        Caller::Local { uid, .. } if *uid == me || *uid == 0 => {}
        Caller::Local { user, .. } => {
            return Err(ApiError::permission_denied(format!("{user} may not change user priorities"))
                .with_hint("run condor_userprio as the user the pool runs as, or as root")
                .into())
        }
        Caller::Remote { peer } => {
            return Err(ApiError::permission_denied(format!("priority changes from {peer} are refused"))
                .with_hint("change priorities on the negotiator's host")
                .into())
        }
    }
    let mut core = s.lock();
    match core.negotiator.on_priority_edit(&edit, daemon::ads::now_f64()) {
        Ok(p) => {
            tracing::info!("priorities changed by {}: {edit:?}", caller.user().unwrap_or("?"));
            Ok(Json(p))
        }
        Err(e) => Err(ApiError::bad_request(e.to_string()).into()),
    }
}

pub fn router(state: St) -> Router {
    Router::new()
        .route("/v1/reschedule", post(reschedule))
        .route("/v1/negotiator/status", post(status))
        .route("/v1/negotiator/priorities", post(priorities))
        .route("/v1/negotiator/priorities/edit", post(edit))
        .with_state(state)
}
