//! Typed calls to the schedd's `/v1` endpoints (see `proto::schedd`).
//!
//! The `condor_*` job tools and the Python module use these. Queries are
//! streamed: [`query_each`] hands each ad to the caller as it arrives.

use proto::schedd::{
    ActRequest, ActResponse, EditRequest, EditResponse, NewCluster, QueryLine, QueryRequest, ScheddStatus, SubmitRequest,
    SubmitResponse,
};

use crate::{BlockingClient, Client, ClientError};

/// Reserve a cluster id for a submit.
pub async fn new_cluster(c: &Client) -> Result<NewCluster, ClientError> {
    c.post("/v1/clusters", &serde_json::json!({})).await
}

/// Queue a cluster of jobs (answered once committed).
pub async fn submit(c: &Client, req: &SubmitRequest) -> Result<SubmitResponse, ClientError> {
    c.post("/v1/submit", req).await
}

/// Hold, release, remove, vacate jobs.
pub async fn act(c: &Client, req: &ActRequest) -> Result<ActResponse, ClientError> {
    c.post("/v1/jobs/act", req).await
}

/// Set an attribute of jobs (`condor_qedit`).
pub async fn edit(c: &Client, req: &EditRequest) -> Result<EditResponse, ClientError> {
    c.post("/v1/jobs/edit", req).await
}

/// Query the queue, line by line; `each` returns false to stop.
pub async fn query_each(c: &Client, req: &QueryRequest, each: impl FnMut(QueryLine) -> bool) -> Result<(), ClientError> {
    c.post_each_line("/v1/jobs/query", req, each).await
}

/// The schedd's name, addresses and counts.
pub async fn status(c: &Client) -> Result<ScheddStatus, ClientError> {
    c.post("/v1/schedd/status", &serde_json::json!({})).await
}

/// Blocking [`new_cluster`].
pub fn new_cluster_blocking(c: &BlockingClient) -> Result<NewCluster, ClientError> {
    c.post("/v1/clusters", &serde_json::json!({}))
}

/// Blocking [`submit`].
pub fn submit_blocking(c: &BlockingClient, req: &SubmitRequest) -> Result<SubmitResponse, ClientError> {
    c.post("/v1/submit", req)
}

/// Blocking [`act`].
pub fn act_blocking(c: &BlockingClient, req: &ActRequest) -> Result<ActResponse, ClientError> {
    c.post("/v1/jobs/act", req)
}

/// Blocking [`edit`].
pub fn edit_blocking(c: &BlockingClient, req: &EditRequest) -> Result<EditResponse, ClientError> {
    c.post("/v1/jobs/edit", req)
}

/// Blocking [`query_each`].
pub fn query_each_blocking(c: &BlockingClient, req: &QueryRequest, each: impl FnMut(QueryLine) -> bool) -> Result<(), ClientError> {
    c.post_each_line("/v1/jobs/query", req, each)
}

/// Blocking history query, newest first, line by line.
pub fn history_each_blocking(c: &BlockingClient, req: &QueryRequest, each: impl FnMut(QueryLine) -> bool) -> Result<(), ClientError> {
    c.post_each_line("/v1/history/query", req, each)
}

/// Ask the schedd to have the negotiator run a cycle (`condor_reschedule`).
pub fn reschedule_blocking(c: &BlockingClient) -> Result<(), ClientError> {
    c.post::<_, serde_json::Value>("/v1/reschedule", &serde_json::json!({})).map(|_| ())
}

/// Blocking [`status`].
pub fn status_blocking(c: &BlockingClient) -> Result<ScheddStatus, ClientError> {
    c.post("/v1/schedd/status", &serde_json::json!({}))
}
