//! The collector's API: daemons advertise ads; tools and daemons query them.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/ads` | [`Advertise`] → — |
//! | POST | `/v1/ads/query` | [`AdQuery`] → JSON list of [`WireAd`]s |
//! | POST | `/v1/ads/invalidate` | [`Invalidate`] → — |

use serde::{Deserialize, Serialize};

use crate::ad::WireAd;

/// Kinds of ads, by HTCondor's `MyType` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AdType {
    Machine,
    Schedd,
    Master,
    Negotiator,
    Collector,
    Submitter,
    Generic,
    Any,
}

impl AdType {
    /// The `MyType` value (`"Machine"` for startd slots).
    pub fn my_type(self) -> &'static str {
        match self {
            AdType::Machine => "Machine",
            AdType::Schedd => "Scheduler",
            AdType::Master => "DaemonMaster",
            AdType::Negotiator => "Negotiator",
            AdType::Collector => "Collector",
            AdType::Submitter => "Submitter",
            AdType::Generic => "Generic",
            AdType::Any => "Any",
        }
    }

    pub fn from_my_type(s: &str) -> AdType {
        [
            AdType::Machine,
            AdType::Schedd,
            AdType::Master,
            AdType::Negotiator,
            AdType::Collector,
            AdType::Submitter,
        ]
        .into_iter()
        .find(|t| t.my_type().eq_ignore_ascii_case(s))
        .unwrap_or(AdType::Generic)
    }
}

/// Ads to store; each is keyed by its `MyType` and `Name` and replaces the
/// previous ad with that key. `lifetime_secs` overrides `ClassAdLifetime`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Advertise {
    pub ads: Vec<WireAd>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdQuery {
    pub ad_type: AdType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projection: Vec<String>,
}

/// Remove the ads of `ad_type` named `names` (a daemon going away).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Invalidate {
    pub ad_type: AdType,
    pub names: Vec<String>,
}
