//! What the core asks the service to do.
//!
//! Every `on_*` call appends to one [`Effects`] value; the service takes it
//! after a batch of events and carries it out in this order, which is what
//! makes the queue, the user logs and the execute side agree after a crash:
//!
//! 1. `pre_changes`: jobs that started *and* ended in this batch are
//!    committed as Running first, so that their executing event is never
//!    in a log whose job the queue still calls Idle (other starts are
//!    committed with the batch and their executing events written after);
//! 2. `log_before`: the executing events of those jobs, then events that end a run (evicted, terminated, held or
//!    aborted while running) are written to the user logs first, so a
//!    restarted schedd that finds the job still `Running` in the queue can
//!    read its log and see how the run ended;
//! 3. `history`: finished job ads are appended to the history store;
//! 4. `changes`: one transaction on the durable queue;
//! 5. `log_after`: every other event (submitted, held or released while
//!    not running, aborted while idle);
//! 6. `actions`: answers to the requests of the batch (only now, after the
//!    commit) and messages to startds and the negotiator.

use std::path::Path;
use std::sync::Arc;

use classad::{ClassAd, Expr};
use proto::address::Address;
use proto::schedd::{ActResponse, EditResponse, SubmitResponse};
use proto::startd::{Activate, ExitAck, ReleaseClaim, RequestClaim, SignalJob};
use proto::{ApiError, JobId};

/// Identifies a waiting request (the service keeps its reply channel) or an
/// outstanding claim request.
pub type Token = u64;

/// One change to the durable queue. The changes of one batch are committed
/// as one transaction, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new cluster and its ad (the procs follow as [`Change::NewProc`]).
    NewCluster { cluster: i64, ad: ClassAd },
    /// A new proc; `ad` holds the attributes that differ from the cluster ad.
    NewProc { id: JobId, ad: ClassAd },
    Set { id: JobId, attr: String, expr: Expr },
    Delete { id: JobId, attr: String },
    SetCluster { cluster: i64, attr: String, expr: Expr },
    /// The job leaves the queue (its cluster goes with its last proc).
    Remove { id: JobId },
}

/// One event for one user log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub path: Arc<Path>,
    pub event: eventlog::Event,
}

/// The answer to a request, sent once the batch is committed.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Submit(Result<SubmitResponse, ApiError>),
    Act(Result<ActResponse, ApiError>),
    Edit(Result<EditResponse, ApiError>),
    /// One ack per reported exit, in order.
    Events(Result<Vec<ExitAck>, ApiError>),
    /// How many of the offered matches the schedd will try to claim.
    Matches(Result<usize, ApiError>),
}

/// Something for the service to send once the batch is committed.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Reply { token: Token, reply: Reply },
    /// Ask a startd for a claim; the outcome comes back through
    /// [`super::Schedd::on_claim_result`] with the same token.
    RequestClaim { token: Token, startd: Arc<Address>, req: RequestClaim },
    /// Queue a job on a claim; a refusal comes back through
    /// [`super::Schedd::on_activate_failed`].
    Activate { startd: Arc<Address>, req: Activate },
    Signal { startd: Arc<Address>, req: SignalJob },
    Release { startd: Arc<Address>, req: ReleaseClaim },
    /// Renew these claims; unknown ones come back through [`super::Schedd::on_claims_unknown`].
    ClaimsAlive { startd: Arc<Address>, claim_ids: Vec<String> },
    /// Wake the negotiator (jobs became idle, or a claim was released with work left).
    Reschedule,
}

/// A finished job leaving the queue for the history store.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: JobId,
    /// The final ad, flattened (no chain to the cluster ad).
    pub ad: ClassAd,
}

/// Everything one batch of events asks for, in the order it is carried out.
#[derive(Debug, Default)]
pub struct Effects {
    pub pre_changes: Vec<Change>,
    pub log_before: Vec<LogEntry>,
    pub history: Vec<HistoryEntry>,
    pub changes: Vec<Change>,
    pub log_after: Vec<LogEntry>,
    pub actions: Vec<Action>,
}

impl Effects {
    pub fn is_empty(&self) -> bool {
        self.pre_changes.is_empty()
            && self.log_before.is_empty()
            && self.history.is_empty()
            && self.changes.is_empty()
            && self.log_after.is_empty()
            && self.actions.is_empty()
    }

    /// The replies among the actions, by token (for tests and the service).
    pub fn reply(&self, token: Token) -> Option<&Reply> {
        self.actions.iter().find_map(|a| match a {
            Action::Reply { token: t, reply } if *t == token => Some(reply),
            _ => None,
        })
    }
}
