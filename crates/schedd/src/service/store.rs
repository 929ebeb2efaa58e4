//! The durable queue as the core sees it: reads through [`AdStore`], and
//! the core's changes turned into the queue's.

use std::sync::Arc;

use classad::ClassAd;
use jobqueue::JobQueue;
use proto::JobId;

use crate::core::{AdStore, Change};

/// Committed ads, read from the queue's in-memory index.
pub struct QueueStore<'a>(pub &'a JobQueue);

impl AdStore for QueueStore<'_> {
    fn job(&self, id: JobId) -> Option<Arc<ClassAd>> {
        self.0.job(id)
    }
}

/// The queue's form of one core change.
pub fn to_queue(c: Change) -> jobqueue::Change {
    match c {
        Change::NewCluster { cluster, ad } => jobqueue::Change::NewCluster { cluster, ad },
        Change::NewProc { id, ad } => jobqueue::Change::NewProc { id, ad },
        Change::Set { id, attr, expr } => jobqueue::Change::SetAttr { id, name: attr, value: expr },
        Change::Delete { id, attr } => jobqueue::Change::DeleteAttr { id, name: attr },
        Change::SetCluster { cluster, attr, expr } => jobqueue::Change::SetClusterAttr { cluster, name: attr, value: expr },
        Change::Remove { id } => jobqueue::Change::RemoveJob { id },
    }
}
