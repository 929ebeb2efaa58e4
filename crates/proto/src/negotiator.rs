//! The negotiator's API: wake it up, ask how the last cycle went.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/reschedule` | [`Reschedule`] → [`CycleStats`] of the last finished cycle |
//! | POST | `/v1/negotiator/status` | `{}` → [`CycleStats`] of the last finished cycle |
//!
//! A reschedule starts a negotiation cycle within a few milliseconds
//! (requests arriving together are served by one cycle); the negotiator
//! also negotiates every `NEGOTIATOR_INTERVAL` seconds.

use serde::{Deserialize, Serialize};

/// Ask for a negotiation cycle (`condor_reschedule`; schedds after a submit
/// or a released claim).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Reschedule {
    /// Who asks (a schedd's name), for the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// What one negotiation cycle did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CycleStats {
    /// Cycles completed since the negotiator started.
    pub cycles: u64,
    /// Seconds since the epoch when the last cycle started (0: none yet).
    pub started: f64,
    /// Wall time of the whole cycle, and of the matchmaking alone.
    pub duration_secs: f64,
    pub matchmaking_secs: f64,
    pub slots: usize,
    pub schedds: usize,
    pub autoclusters: usize,
    pub idle_jobs: u64,
    /// Jobs matched (a partitionable slot may take several).
    pub matched_jobs: u64,
    /// Problems met (a schedd that did not answer, an unreadable ad…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}
