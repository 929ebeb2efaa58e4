//! Typed calls of the claim protocol (see `proto::startd`): the schedd's
//! calls to a startd, and the startd's event reports to a schedd.
//!
//! Tools use [`query_slots`] to ask a startd directly what it advertises.

use proto::startd::{
    Activate, ClaimEvents, ClaimEventsAnswer, ClaimGranted, ClaimsAlive, ClaimsAliveAnswer, ReleaseClaim,
    RequestClaim, SignalJob,
};
use proto::WireAd;

use crate::{BlockingClient, Client, ClientError};

/// Claim a slot (a partitionable slot carves a dynamic slot for the job).
pub async fn request_claim(c: &Client, req: &RequestClaim) -> Result<ClaimGranted, ClientError> {
    c.post("/v1/claims", req).await
}

/// Queue a job on a claim (it starts once the jobs before it are done).
pub async fn activate(c: &Client, req: &Activate) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/activate", req).await.map(|_| ())
}

/// Vacate, kill, suspend or continue a job on a claim.
pub async fn signal_job(c: &Client, req: &SignalJob) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/signal", req).await.map(|_| ())
}

/// Give a claim back (its job, if any, is vacated; a dynamic slot returns
/// its resources to its partitionable slot).
pub async fn release(c: &Client, req: &ReleaseClaim) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/release", req).await.map(|_| ())
}

/// Renew claim leases; the answer lists the claims the startd does not know.
pub async fn claims_alive(c: &Client, req: &ClaimsAlive) -> Result<ClaimsAliveAnswer, ClientError> {
    c.post("/v1/claims/alive", req).await
}

/// The slot ads the startd advertises now.
pub async fn query_slots(c: &Client) -> Result<Vec<WireAd>, ClientError> {
    c.post("/v1/slots/query", &serde_json::Value::Null).await
}

/// Report started jobs, exits and lost claims to a schedd (the startd's side).
pub async fn report_events(c: &Client, ev: &ClaimEvents) -> Result<ClaimEventsAnswer, ClientError> {
    c.post("/v1/claims/events", ev).await
}

/// Blocking [`request_claim`].
pub fn request_claim_blocking(c: &BlockingClient, req: &RequestClaim) -> Result<ClaimGranted, ClientError> {
    c.post("/v1/claims", req)
}

/// Blocking [`activate`].
pub fn activate_blocking(c: &BlockingClient, req: &Activate) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/activate", req).map(|_| ())
}

/// Blocking [`signal_job`].
pub fn signal_job_blocking(c: &BlockingClient, req: &SignalJob) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/signal", req).map(|_| ())
}

/// Blocking [`release`].
pub fn release_blocking(c: &BlockingClient, req: &ReleaseClaim) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/release", req).map(|_| ())
}

/// Blocking [`claims_alive`].
pub fn claims_alive_blocking(c: &BlockingClient, req: &ClaimsAlive) -> Result<ClaimsAliveAnswer, ClientError> {
    c.post("/v1/claims/alive", req)
}

/// Blocking [`query_slots`], for command-line tools.
pub fn query_slots_blocking(c: &BlockingClient) -> Result<Vec<WireAd>, ClientError> {
    c.post("/v1/slots/query", &serde_json::Value::Null)
}
