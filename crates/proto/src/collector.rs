//! The collector's API: daemons advertise ads; tools and daemons query them.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | POST | `/v1/ads` | [`Advertise`] → [`Stored`] |
//! | POST | `/v1/ads/query` | [`AdQuery`] → JSON list of [`WireAd`]s |
//! | POST | `/v1/ads/invalidate` | [`Invalidate`] → [`Stored`] |
//!
//! An ad is identified by its `MyType` and `Name` (compared without case):
//! advertising an ad with the same pair replaces the stored one. The
//! collector sets `LastHeardFrom` (seconds since the epoch) on every ad it
//! stores. The `MyType`s in use are in [`ad_type`].
//!
//! Every daemon ad says where its daemon listens in `MyAddress`
//! ([`set_addresses`], [`addresses`]): the daemon's addresses separated by
//! spaces, Unix socket first (`"unix:/pool/lock/schedd.sock tcp:10.0.0.5:40123"`).
//! A peer on the same host uses the socket; others use TCP.
//!
//! An ad lives for its `ClassAdLifetime` attribute (seconds) when it has
//! one, else for the collector's default (`CLASSAD_LIFETIME`, 900); a
//! daemon re-advertises every `UPDATE_INTERVAL` and whenever its ads
//! change. [`Stored::instance`] identifies the collector process: a daemon
//! that sees it change (the collector restarted) sends all its ads again.
//!
//! A query's `constraint` is a ClassAd expression evaluated against each
//! ad (`MY` is the ad); ads for which it is `true` are returned, in the
//! order they were first advertised, with only the `projection`
//! attributes when one is given (an attribute the ad lacks is left out).

use serde::{Deserialize, Serialize};

use crate::ad::WireAd;
use crate::address::Address;

/// The attribute holding a daemon's addresses.
pub const ADDRESS_ATTR: &str = "MyAddress";

/// Set `MyAddress` to `addrs` (space-separated, as a ClassAd string).
pub fn set_addresses(ad: &mut WireAd, addrs: &[Address]) {
    let joined: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    ad.set(ADDRESS_ATTR, quote(&joined.join(" ")));
}

/// The addresses in an ad's `MyAddress`, in order; unreadable parts are skipped.
pub fn addresses(ad: &WireAd) -> Vec<Address> {
    let Some(text) = ad.get(ADDRESS_ATTR) else { return Vec::new() };
    let text = unquote(text).unwrap_or_else(|| text.to_string());
    text.split_whitespace().filter_map(|a| a.parse().ok()).collect()
}

/// The address to use: the first Unix socket for which `local` says yes
/// (it exists on this host), else the first TCP address.
pub fn pick_address(addrs: &[Address], local: impl Fn(&std::path::Path) -> bool) -> Option<Address> {
    addrs
        .iter()
        .find(|a| matches!(a, Address::Unix(p) if local(p)))
        .or_else(|| addrs.iter().find(|a| matches!(a, Address::Tcp(_))))
        .cloned()
}

/// An old-syntax ClassAd string literal for `s` (a quote is escaped; a
/// backslash is literal in old syntax unless it precedes a quote).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The text of a plain old-syntax string literal (`"abc"` → `abc`), if `expr` is one.
pub fn unquote(expr: &str) -> Option<String> {
    let inner = expr.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'"') => {
                out.push('"');
                chars.next();
            }
            '"' => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// The `MyType`s of the ads a pool's daemons advertise.
pub mod ad_type {
    /// A slot of a startd (`condor_status`' default).
    pub const MACHINE: &str = "Machine";
    pub const SCHEDULER: &str = "Scheduler";
    pub const MASTER: &str = "DaemonMaster";
    pub const NEGOTIATOR: &str = "Negotiator";
    pub const COLLECTOR: &str = "Collector";
    /// One per user with jobs at a schedd (`condor_status -submitters`).
    pub const SUBMITTER: &str = "Submitter";
    pub const ACCOUNTING: &str = "Accounting";
    pub const GENERIC: &str = "Generic";
}

/// Store or replace ads. Each needs `MyType` and `Name`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Advertise {
    pub ads: Vec<WireAd>,
}

/// Which ads to return.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AdQuery {
    /// `MyType` to look at (`Machine`, `Scheduler`, …); `None` or `"Any"`: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_type: Option<String>,
    /// A ClassAd expression each returned ad satisfies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Attributes to return; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projection: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Remove ads (a daemon going away, a startd removing a dynamic slot).
/// All given parts must hold: the type, one of `names` (when not empty),
/// and the constraint (when given).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Invalidate {
    pub ad_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
}

/// What the collector did with an advertise or invalidate request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Stored {
    /// Ads stored (advertise) or removed (invalidate).
    pub count: usize,
    /// Identifies the collector process (pid and start time); it changes
    /// when the collector restarts.
    #[serde(default)]
    pub instance: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_my_address() {
        let mut ad = WireAd::new();
        let addrs = vec![Address::Unix("/p/lock/schedd.sock".into()), Address::Tcp("10.0.0.5:4000".into())];
        set_addresses(&mut ad, &addrs);
        assert_eq!(ad.get("MyAddress"), Some("\"unix:/p/lock/schedd.sock tcp:10.0.0.5:4000\""));
        assert_eq!(addresses(&ad), addrs);
        assert_eq!(pick_address(&addrs, |_| true), Some(addrs[0].clone()));
        assert_eq!(pick_address(&addrs, |_| false), Some(addrs[1].clone()));
    }

    #[test]
    fn quoting_follows_old_syntax() {
        let q = quote(r#"a"b\c"#);
        assert_eq!(q, r#""a\"b\c""#);
        assert_eq!(unquote(&q).as_deref(), Some(r#"a"b\c"#));
        assert_eq!(unquote("12"), None);
    }
}
