//! Typed calls to the startd's `/v1` endpoints (see `proto::startd`).
//!
//! The schedd claims slots and runs jobs on them with these; tools use
//! [`query_slots`] to ask a startd directly what it would advertise.

use proto::startd::{
    Activate, ClaimGranted, ClaimsAlive, ClaimsAliveAnswer, ReleaseClaim, RequestClaim, SignalJob,
};
use proto::WireAd;

use crate::{BlockingClient, Client, ClientError};

/// Claim a slot (a partitionable slot carves a dynamic slot for the job).
pub async fn request_claim(c: &Client, req: &RequestClaim) -> Result<ClaimGranted, ClientError> {
    c.post("/v1/claims", req).await
}

/// Start a job on a claim.
pub async fn activate(c: &Client, req: &Activate) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/activate", req).await.map(|_| ())
}

/// Vacate, kill, suspend or continue the job running on a claim.
pub async fn signal_job(c: &Client, req: &SignalJob) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/signal", req).await.map(|_| ())
}

/// Give a claim back (its job, if any, is killed; a dynamic slot returns
/// its resources to its partitionable slot).
pub async fn release(c: &Client, req: &ReleaseClaim) -> Result<(), ClientError> {
    c.post::<_, Option<()>>("/v1/claims/release", req).await.map(|_| ())
}

/// Renew claim leases; the answer lists the claims the startd does not know.
pub async fn claims_alive(c: &Client, req: &ClaimsAlive) -> Result<ClaimsAliveAnswer, ClientError> {
    c.post("/v1/claims/alive", req).await
}

/// The slot ads the startd would advertise now.
pub async fn query_slots(c: &Client) -> Result<Vec<WireAd>, ClientError> {
    c.post("/v1/slots/query", &serde_json::Value::Null).await
}

/// Blocking [`query_slots`], for command-line tools.
pub fn query_slots_blocking(c: &BlockingClient) -> Result<Vec<WireAd>, ClientError> {
    c.post("/v1/slots/query", &serde_json::Value::Null)
}
