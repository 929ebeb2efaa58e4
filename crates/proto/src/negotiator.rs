//! The negotiator's API, and what it asks of each schedd.
//!
//! Served by the negotiator:
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/reschedule` | [`Reschedule`] → [`CycleStats`] of the last finished cycle |
//! | POST | `/v1/negotiator/status` | `{}` → [`CycleStats`] of the last finished cycle |
//! | POST | `/v1/negotiator/priorities` | [`PrioritiesQuery`] → [`Priorities`] (`condor_userprio`) |
//! | POST | `/v1/negotiator/priorities/edit` | [`PriorityEdit`] → [`Priorities`] (`condor_userprio -setfactor …`) |
//!
//! Served by every schedd, called by the negotiator during a cycle:
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/negotiate/requests` | [`RequestsQuery`] → [`ResourceRequests`] (the schedd's idle autoclusters) |
//! | POST | `/v1/negotiate/matches` | [`MatchSet`] → [`MatchesAck`] (what the cycle gave that schedd) |
//!
//! A reschedule starts a negotiation cycle within a few milliseconds;
//! requests arriving together are served by one cycle, and one arriving
//! during a cycle causes one more cycle right after it. The negotiator also
//! negotiates every `NEGOTIATOR_INTERVAL` seconds.
//!
//! One cycle:
//!
//! 1. The negotiator asks the collector for slot ads (`MyType == "Machine"`)
//!    and schedd ads (`MyType == "Scheduler"`, their `MyAddress`); a schedd
//!    that sent a [`Reschedule`] with its addresses is asked even before the
//!    collector lists it.
//! 2. It asks each schedd for its [`ResourceRequests`] (telling it which
//!    job attributes the slots refer to, so it can autocluster by them): one
//!    [`ResourceRequest`] per autocluster of idle jobs (jobs whose
//!    significant attributes are identical), with a representative job ad,
//!    how many idle jobs have that shape, and the submitter (the accounting
//!    principal the jobs are charged to). A schedd lists a submitter's
//!    autoclusters in the order it wants them run (job priority, then age).
//! 3. It matches autoclusters to slots (symmetric `Requirements`, job
//!    `Rank`, fair share between submitters).
//! 4. It sends each schedd that had requests a [`MatchSet`]: the
//!    [`Match`]es for it (a slot and how many jobs of which autocluster to
//!    run there; a partitionable slot may take several) and, for
//!    autoclusters left with idle jobs, a [`Rejection`] saying why with
//!    per-condition slot counts (`condor_q -better-analyze`).
//!
//! The schedd then claims each matched slot itself, once per job, with the
//! startd's `/v1/claims` (`proto::startd::RequestClaim`: a partitionable
//! slot carves a dynamic slot of the job's size for each claim). A schedd
//! that cannot claim a slot it was given lists it in `failed_matches` of
//! its next [`Reschedule`] so the negotiator stops holding it for that
//! schedd.
//!
//! The negotiator remembers each match until the slot's ad in the collector
//! changes (the startd re-advertised after the claim) or `MATCH_TIMEOUT`
//! seconds pass, and does not offer that slot's matched resources again
//! in the meantime. For a partitionable slot, during the first two seconds
//! a changed ad releases only the dynamic slots it shows carved. So a
//! startd should re-advertise a slot as soon as a claim changes it, and a
//! schedd should claim its matches at once.

use serde::{Deserialize, Serialize};

use crate::ad::WireAd;
use crate::address::Address;
use crate::job::JobId;

/// Ask for a negotiation cycle (`condor_reschedule`; schedds after a submit
/// or a released claim; startds after a claim freed a slot).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Reschedule {
    /// Who asks (a schedd's name), for the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The asking schedd's addresses (Unix socket first). The negotiator
    /// asks this schedd for requests in the next cycle even if the
    /// collector does not list it yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Slots (their `Name`) this schedd was matched with but could not
    /// claim; the negotiator forgets those matches at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_matches: Vec<String>,
    /// Slots (their `Name`) a startd freed, sent once the collector has
    /// their new ads: jobs the last cycle left idle may match them now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots_freed: Vec<String>,
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

/// The negotiator asks a schedd for its idle work (`/v1/negotiate/requests`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RequestsQuery {
    /// The negotiator's `Name`.
    pub negotiator: String,
    /// The cycle number; the [`MatchSet`] of this cycle carries the same one.
    pub cycle: u64,
    /// Job attributes the pool's slots refer to (`TARGET.Owner` in a
    /// `START`, …: names their `Requirements`, `START` and `Rank` read that
    /// no slot defines), sorted. Jobs that differ in one of these must not
    /// share an autocluster; HTCondor's schedd adds them to its significant
    /// attributes (`AutoClusterAttrs`) before answering.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub significant_attributes: Vec<String>,
}

/// A schedd's idle work, one entry per autocluster.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ResourceRequests {
    /// The schedd's `Name` (as in its Scheduler ad).
    pub schedd: String,
    pub requests: Vec<ResourceRequest>,
}

/// One autocluster: `count` idle jobs that all look like `ad`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResourceRequest {
    /// The schedd's id for this autocluster (`AutoClusterId`); matches
    /// name it. It must stay valid until the cycle's [`MatchSet`] arrives.
    pub autocluster: u64,
    /// The accounting principal: the job's `AccountingGroup` when set,
    /// else its `User` (`owner@uid_domain`), as HTCondor names submitters.
    pub submitter: String,
    /// How many idle jobs have this shape.
    pub count: u64,
    /// A representative job ad: everything the job's `Requirements`,
    /// `Rank` and `Request*` expressions refer to must be in it (sending the
    /// whole ad of the autocluster's first job is simplest).
    pub ad: WireAd,
    /// The job `ad` was taken from, for the negotiator's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobId>,
}

/// What a cycle gives one schedd (`/v1/negotiate/matches`). Sent to every
/// schedd that answered with requests, even when it got nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MatchSet {
    pub negotiator: String,
    pub cycle: u64,
    pub matches: Vec<Match>,
    /// Autoclusters left with idle jobs, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejections: Vec<Rejection>,
}

/// Run `jobs` jobs of `autocluster` on the slot `slot_name`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Match {
    pub autocluster: u64,
    pub submitter: String,
    /// The slot's `Name` (`slot1@host`): what [`crate::startd::RequestClaim`] names.
    pub slot_name: String,
    /// The startd's addresses from the slot ad's `MyAddress`, Unix socket
    /// first (pick one with [`crate::collector::pick_address`]).
    pub startd: Vec<Address>,
    /// How many jobs: 1 for a static slot; for a partitionable slot, how
    /// many dynamic slots of the jobs' size it can carve (one claim each).
    pub jobs: u64,
    /// The slot ad's `ClaimId`, when the collector gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<String>,
}

/// Why idle jobs of an autocluster were not matched this cycle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rejection {
    pub autocluster: u64,
    pub submitter: String,
    /// Idle jobs of the autocluster left unmatched.
    pub unmatched: u64,
    /// HTCondor's wording for `LastRejMatchReason`: `no match found`,
    /// `submitter limit exceeded`.
    pub reason: String,
    pub analysis: MatchAnalysis,
}

/// How the pool's slots judged an autocluster's representative job
/// (`condor_q -better-analyze`). Counts are of slot ads.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MatchAnalysis {
    /// Slot ads considered (claimed ones included).
    pub slots: u64,
    /// … whose attributes fail the job's `Requirements`.
    pub rejected_by_job: u64,
    /// … that satisfy the job but whose own `Requirements`/`START` reject it.
    pub rejected_by_slot: u64,
    /// … that match and are running jobs of the same submitter.
    pub running_your_jobs: u64,
    /// … that match but are claimed by other submitters.
    pub serving_others: u64,
    /// … that match and are free (they went to others this cycle, or were
    /// beyond the submitter's share).
    pub available: u64,
    /// The job's `Requirements` split at its top-level `&&`s, each with the
    /// number of slot ads it holds for on its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionCount>,
}

/// One top-level condition of a job's `Requirements`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ConditionCount {
    /// The condition's text (old syntax).
    pub condition: String,
    /// Slot ads for which it is true.
    pub matched: u64,
}

/// The schedd's answer to a [`MatchSet`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MatchesAck {
    /// Matches the schedd will act on (the others named autoclusters it no
    /// longer has; the negotiator forgets them).
    pub accepted: usize,
    /// Slot names of matches the schedd refused at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

/// Which submitters `condor_userprio` asks about.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PrioritiesQuery {
    /// Include submitters with no recent usage (`condor_userprio -all`
    /// shows them; the default view hides them when their usage aged out).
    #[serde(default)]
    pub all: bool,
}

/// The accountant's view of every submitter, aged to `now`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Priorities {
    /// Seconds since the epoch the figures are aged to.
    pub now: i64,
    /// Seconds since the epoch of the last priority update (`LastUpdateTime`).
    pub last_update: i64,
    /// `PRIORITY_HALFLIFE` in seconds.
    pub half_life_secs: f64,
    /// Sorted by effective priority, best (lowest) first.
    pub submitters: Vec<SubmitterPriority>,
}

/// One submitter's accounting record, with HTCondor's meanings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SubmitterPriority {
    pub name: String,
    /// Effective user priority: `real_priority × priority_factor` (lower is better).
    pub effective_priority: f64,
    /// Real user priority (`Priority`): usage decayed with `PRIORITY_HALFLIFE`, at least 0.5.
    pub real_priority: f64,
    /// `PriorityFactor` (`DEFAULT_PRIO_FACTOR` unless set).
    pub priority_factor: f64,
    /// Slots in use (`ResourcesUsed`) and their weight (`WeightedResourcesUsed`).
    pub resources_used: u64,
    pub weighted_resources_used: f64,
    /// Slot-seconds used (`AccumulatedUsage`) and weighted (`WeightedAccumulatedUsage`).
    pub accumulated_usage: f64,
    pub weighted_accumulated_usage: f64,
    /// Seconds since the epoch (0: never).
    pub begin_usage_time: i64,
    pub last_usage_time: i64,
    /// The submitter's fair share of the pool in the last cycle (0..1).
    pub share: f64,
}

/// A change to the accountant (`condor_userprio -setfactor` and friends).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PriorityEdit {
    /// `-setfactor NAME F` (F ≥ 1).
    SetFactor { name: String, factor: f64 },
    /// `-setprio NAME P`: the real priority.
    SetPriority { name: String, priority: f64 },
    /// `-setaccum NAME SECS`.
    SetAccumulated { name: String, usage: f64 },
    /// `-resetusage NAME`: accumulated usage back to 0, real priority to the minimum.
    ResetUsage { name: String },
    /// `-resetusage -allusers`.
    ResetAllUsage,
    /// `-delete NAME`: forget the record.
    Delete { name: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reschedule_reads_an_empty_object_and_keeps_new_fields_optional() {
        let r: Reschedule = serde_json::from_str("{}").unwrap();
        assert_eq!(r, Reschedule::default());
        let r: Reschedule = serde_json::from_str(r#"{"from":"s@h","failed_matches":["slot1@h"]}"#).unwrap();
        assert_eq!(r.failed_matches, ["slot1@h"]);
        assert_eq!(serde_json::to_string(&Reschedule::default()).unwrap(), "{}");
    }

    #[test]
    fn requests_and_matches_round_trip() {
        let mut ad = WireAd::new();
        ad.set("RequestCpus", "1");
        let reqs = ResourceRequests {
            schedd: "schedd@h".into(),
            requests: vec![ResourceRequest {
                autocluster: 3,
                submitter: "alice@h".into(),
                count: 50,
                ad,
                job: Some(JobId { cluster: 7, proc: 0 }),
            }],
        };
        let back: ResourceRequests = serde_json::from_str(&serde_json::to_string(&reqs).unwrap()).unwrap();
        assert_eq!(back, reqs);
        let set = MatchSet {
            negotiator: "n@h".into(),
            cycle: 2,
            matches: vec![Match {
                autocluster: 3,
                submitter: "alice@h".into(),
                slot_name: "slot1@h".into(),
                startd: vec![Address::Unix("/p/startd.sock".into())],
                jobs: 8,
                claim_id: None,
            }],
            rejections: vec![],
        };
        let text = serde_json::to_string(&set).unwrap();
        assert!(!text.contains("rejections") && !text.contains("claim_id"));
        assert_eq!(serde_json::from_str::<MatchSet>(&text).unwrap(), set);
    }

    #[test]
    fn priority_edits_are_tagged_by_name() {
        let e = PriorityEdit::SetFactor { name: "alice@h".into(), factor: 2.0 };
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(text, r#"{"set_factor":{"name":"alice@h","factor":2.0}}"#);
        assert_eq!(serde_json::from_str::<PriorityEdit>(r#""reset_all_usage""#).unwrap(), PriorityEdit::ResetAllUsage);
    }
}
