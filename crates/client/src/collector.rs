//! Typed calls to the collector's `/v1` endpoints (see `proto::collector`).

use proto::collector::{AdQuery, Advertise, Invalidate, Stored};
use proto::WireAd;

use crate::{BlockingClient, Client, ClientError};

/// Store or replace ads.
pub async fn advertise(c: &Client, req: &Advertise) -> Result<Stored, ClientError> {
    c.post("/v1/ads", req).await
}

/// Ads matching a query.
pub async fn query(c: &Client, req: &AdQuery) -> Result<Vec<WireAd>, ClientError> {
    c.post("/v1/ads/query", req).await
}

/// Remove ads.
pub async fn invalidate(c: &Client, req: &Invalidate) -> Result<Stored, ClientError> {
    c.post("/v1/ads/invalidate", req).await
}

/// Blocking [`advertise`], for command-line tools.
pub fn advertise_blocking(c: &BlockingClient, req: &Advertise) -> Result<Stored, ClientError> {
    c.post("/v1/ads", req)
}

/// Blocking [`query`], for command-line tools.
pub fn query_blocking(c: &BlockingClient, req: &AdQuery) -> Result<Vec<WireAd>, ClientError> {
    c.post("/v1/ads/query", req)
}

/// Blocking [`invalidate`].
pub fn invalidate_blocking(c: &BlockingClient, req: &Invalidate) -> Result<Stored, ClientError> {
    c.post("/v1/ads/invalidate", req)
}
