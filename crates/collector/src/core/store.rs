//! The ad store: ads keyed by (`MyType`, `Name`), each with an expiry time.
//!
//! Time is passed in (`now`, seconds since the epoch) so that expiry is
//! tested without clocks. The store keeps ads in the order they were first
//! advertised; an update keeps the ad's place.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use classad::{ClassAd, Expr, Value};
use proto::collector::{quote, unquote, AdQuery, Invalidate};
use proto::WireAd;

/// Why an ad or a query was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdError {
    /// An ad without a string `MyType` or `Name`.
    #[error("ad #{index} has no {attr} string attribute; every advertised ad needs MyType and Name (e.g. MyType = \"Machine\", Name = \"slot1@host\")")]
    MissingKey { index: usize, attr: &'static str },
    /// An attribute whose expression does not parse.
    #[error("ad #{index}: attribute {attr} does not parse: {message}")]
    BadAttribute { index: usize, attr: String, message: String },
    /// A query constraint that does not parse.
    #[error("constraint '{constraint}' does not parse: {message}")]
    BadConstraint { constraint: String, message: String },
}

type Key = (String, String);

#[derive(Debug, Clone)]
struct Entry {
    seq: u64,
    wire: WireAd,
    ad: ClassAd,
    expires_ms: i64,
}

/// The collector's ads.
#[derive(Debug, Default)]
pub struct Store {
    entries: HashMap<Key, Entry>,
    /// Per lower-cased `MyType`: advertise order → lower-cased name.
    by_type: HashMap<String, BTreeMap<u64, String>>,
    expiry: BTreeSet<(i64, Key)>,
    /// Lower-cased `MyType` → its spelling in the first ad of that type.
    type_names: HashMap<String, String>,
    next_seq: u64,
    default_lifetime: i64,
}

/// Parse a wire ad into a ClassAd; `index` names the ad in errors.
pub fn to_classad(wire: &WireAd, index: usize) -> Result<ClassAd, AdError> {
    let mut ad = ClassAd::new();
    for (name, text) in &wire.0 {
        let expr = Expr::parse_old(text).map_err(|e| AdError::BadAttribute {
            index,
            attr: name.clone(),
            message: e.to_string(),
        })?;
        ad.insert(name, expr);
    }
    Ok(ad)
}

fn string_attr(wire: &WireAd, name: &str) -> Option<String> {
    wire.get(name).and_then(unquote)
}

impl Store {
    /// A store whose ads live `default_lifetime` seconds unless they say
    /// otherwise (`ClassAdLifetime`).
    pub fn new(default_lifetime: i64) -> Store {
        Store { default_lifetime: default_lifetime.max(1), ..Store::default() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Store or replace `ads`. Either every ad is stored or none is.
    pub fn on_advertise(&mut self, ads: Vec<WireAd>, now: f64) -> Result<usize, AdError> {
        let mut parsed = Vec::with_capacity(ads.len());
        for (i, mut wire) in ads.into_iter().enumerate() {
            let my_type = string_attr(&wire, "MyType").ok_or(AdError::MissingKey { index: i, attr: "MyType" })?;
            let name = string_attr(&wire, "Name").ok_or(AdError::MissingKey { index: i, attr: "Name" })?;
            wire.set("LastHeardFrom", (now as i64).to_string());
            let ad = to_classad(&wire, i)?;
            let lifetime = match ad.eval_attr("ClassAdLifetime") {
                Value::Int(n) if n > 0 => n,
                Value::Real(r) if r > 0.0 => r.ceil() as i64,
                _ => self.default_lifetime,
            };
            parsed.push((my_type, name, wire, ad, lifetime));
        }
        let n = parsed.len();
        for (my_type, name, wire, ad, lifetime) in parsed {
            let key = (my_type.to_ascii_lowercase(), name.to_ascii_lowercase());
            let expires_ms = (now * 1000.0) as i64 + lifetime * 1000;
            match self.entries.get_mut(&key) {
                Some(e) => {
                    self.expiry.remove(&(e.expires_ms, key.clone()));
                    e.wire = wire;
                    e.ad = ad;
                    e.expires_ms = expires_ms;
                }
                None => {
                    self.type_names.entry(key.0.clone()).or_insert_with(|| my_type.clone());
                    let seq = self.next_seq;
                    self.next_seq += 1;
                    self.by_type.entry(key.0.clone()).or_default().insert(seq, key.1.clone());
                    self.entries.insert(key.clone(), Entry { seq, wire, ad, expires_ms });
                }
            }
            self.expiry.insert((expires_ms, key));
        }
        Ok(n)
    }

    fn remove(&mut self, key: &Key) -> bool {
        match self.entries.remove(key) {
            Some(e) => {
                self.expiry.remove(&(e.expires_ms, key.clone()));
                if let Some(m) = self.by_type.get_mut(&key.0) {
                    m.remove(&e.seq);
                }
                true
            }
            None => false,
        }
    }

    /// Ads matching `q`, projected, in advertise order.
    pub fn on_query(&self, q: &AdQuery) -> Result<Vec<WireAd>, AdError> {
        let constraint = match q.constraint.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(Expr::parse_old(c).map_err(|e| AdError::BadConstraint {
                constraint: c.to_string(),
                message: e.to_string(),
            })?),
            None => None,
        };
        let mut out = Vec::new();
        let limit = q.limit.unwrap_or(usize::MAX);
        let wanted_type = q.ad_type.as_deref().filter(|t| !t.eq_ignore_ascii_case("any") && !t.is_empty());
        let mut visit = |type_key: &str, names: &BTreeMap<u64, String>| {
            for name in names.values() {
                if out.len() >= limit {
                    return;
                }
                let Some(e) = self.entries.get(&(type_key.to_string(), name.clone())) else { continue };
                if let Some(c) = &constraint {
                    if !matches!(e.ad.eval_expr(c, None), Value::Bool(true)) {
                        continue;
                    }
                }
                out.push(project(&e.wire, &q.projection));
            }
        };
        match wanted_type {
            Some(t) => {
                if let Some(names) = self.by_type.get(&t.to_ascii_lowercase()) {
                    visit(&t.to_ascii_lowercase(), names);
                }
            }
            None => {
                // All types, each in advertise order, types by first appearance.
                let mut types: Vec<(&String, &BTreeMap<u64, String>)> = self.by_type.iter().collect();
                types.sort_by_key(|(_, m)| m.keys().next().copied().unwrap_or(u64::MAX));
                for (t, names) in types {
                    visit(t, names);
                }
            }
        }
        Ok(out)
    }

    /// Remove the ads `inv` names; returns how many went.
    pub fn on_invalidate(&mut self, inv: &Invalidate) -> Result<usize, AdError> {
        let type_key = inv.ad_type.to_ascii_lowercase();
        let constraint = match inv.constraint.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(Expr::parse_old(c).map_err(|e| AdError::BadConstraint {
                constraint: c.to_string(),
                message: e.to_string(),
            })?),
            None => None,
        };
        let names: Vec<String> = match self.by_type.get(&type_key) {
            Some(m) => m.values().cloned().collect(),
            None => return Ok(0),
        };
        let wanted: Vec<String> = inv.names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let mut removed = 0;
        for name in names {
            if !wanted.is_empty() && !wanted.contains(&name) {
                continue;
            }
            let key = (type_key.clone(), name);
            if let (Some(c), Some(e)) = (&constraint, self.entries.get(&key)) {
                if !matches!(e.ad.eval_expr(c, None), Value::Bool(true)) {
                    continue;
                }
            }
            if self.remove(&key) {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Drop the ads whose lifetime has run out; returns their (type, name).
    pub fn on_timer(&mut self, now: f64) -> Vec<(String, String)> {
        let now_ms = (now * 1000.0) as i64;
        let mut gone = Vec::new();
        while let Some((t, key)) = self.expiry.iter().next().cloned() {
            if t > now_ms {
                break;
            }
            if let Some(e) = self.entries.get(&key) {
                let my_type = string_attr(&e.wire, "MyType").unwrap_or_else(|| key.0.clone());
                let name = string_attr(&e.wire, "Name").unwrap_or_else(|| key.1.clone());
                gone.push((my_type, name));
            }
            self.remove(&key);
            self.expiry.remove(&(t, key));
        }
        gone
    }

    /// When the next ad expires (seconds since the epoch), if any.
    pub fn next_expiry(&self) -> Option<f64> {
        self.expiry.iter().next().map(|(t, _)| *t as f64 / 1000.0)
    }

    /// How many ads of each `MyType` are stored (for the collector's own ad).
    pub fn counts(&self) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = self
            .by_type
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(k, m)| (self.type_names.get(k).cloned().unwrap_or_else(|| k.clone()), m.len()))
            .collect();
        v.sort();
        v
    }
}

/// `wire` with only the `projection` attributes (all when empty), in the
/// ad's order.
fn project(wire: &WireAd, projection: &[String]) -> WireAd {
    if projection.is_empty() {
        return wire.clone();
    }
    WireAd(wire.0.iter().filter(|(k, _)| projection.iter().any(|p| p.eq_ignore_ascii_case(k))).cloned().collect())
}

/// A string literal in wire form (for callers building ads).
pub fn wire_string(s: &str) -> String {
    quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(name: &str, memory: i64) -> WireAd {
        let mut ad = WireAd::new();
        ad.set("MyType", "\"Machine\"");
        ad.set("Name", quote(name));
        ad.set("Memory", memory.to_string());
        ad.set("State", "\"Unclaimed\"");
        ad
    }

    #[test]
    fn advertise_replaces_by_type_and_name_keeping_order() {
        let mut s = Store::new(900);
        s.on_advertise(vec![slot("slot1@a", 100), slot("slot2@a", 200)], 1000.0).unwrap();
        s.on_advertise(vec![slot("SLOT1@a", 150)], 1001.0).unwrap();
        assert_eq!(s.len(), 2);
        let all = s.on_query(&AdQuery { ad_type: Some("Machine".into()), ..AdQuery::default() }).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].get("Memory"), Some("150"));
        assert_eq!(all[0].get("LastHeardFrom"), Some("1001"));
    }

    #[test]
    fn constraint_and_projection() {
        let mut s = Store::new(900);
        s.on_advertise(vec![slot("slot1@a", 100), slot("slot2@a", 2000)], 0.0).unwrap();
        let q = AdQuery {
            ad_type: Some("machine".into()),
            constraint: Some("Memory > 1000 && State == \"Unclaimed\"".into()),
            projection: vec!["name".into(), "Nope".into()],
            limit: None,
        };
        let got = s.on_query(&q).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, vec![("Name".to_string(), "\"slot2@a\"".to_string())]);
        let bad = s.on_query(&AdQuery { constraint: Some("Memory >".into()), ..AdQuery::default() });
        assert!(matches!(bad, Err(AdError::BadConstraint { .. })));
    }

    #[test]
    fn ads_expire_after_their_lifetime() {
        let mut s = Store::new(900);
        let mut short = slot("slot1@a", 1);
        short.set("ClassAdLifetime", "5");
        s.on_advertise(vec![short, slot("slot2@a", 1)], 100.0).unwrap();
        assert_eq!(s.next_expiry(), Some(105.0));
        assert!(s.on_timer(104.9).is_empty());
        assert_eq!(s.on_timer(105.0), vec![("Machine".to_string(), "slot1@a".to_string())]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.next_expiry(), Some(1000.0));
    }

    #[test]
    fn readvertising_pushes_expiry_back() {
        let mut s = Store::new(10);
        s.on_advertise(vec![slot("slot1@a", 1)], 0.0).unwrap();
        s.on_advertise(vec![slot("slot1@a", 1)], 8.0).unwrap();
        assert!(s.on_timer(12.0).is_empty());
        assert_eq!(s.on_timer(18.0).len(), 1);
    }

    #[test]
    fn invalidate_by_name_and_constraint() {
        let mut s = Store::new(900);
        s.on_advertise(vec![slot("slot1@a", 1), slot("slot1_1@a", 2), slot("slot1_2@a", 3)], 0.0).unwrap();
        let n = s
            .on_invalidate(&Invalidate { ad_type: "Machine".into(), names: vec!["slot1_1@A".into()], constraint: None })
            .unwrap();
        assert_eq!(n, 1);
        let n = s
            .on_invalidate(&Invalidate { ad_type: "Machine".into(), names: vec![], constraint: Some("Memory == 3".into()) })
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(s.len(), 1);
        assert!(s.on_timer(1e9).len() == 1);
    }

    #[test]
    fn an_ad_without_a_name_is_refused_and_nothing_is_stored() {
        let mut s = Store::new(900);
        let mut nameless = WireAd::new();
        nameless.set("MyType", "\"Machine\"");
        let err = s.on_advertise(vec![slot("slot1@a", 1), nameless], 0.0).unwrap_err();
        assert!(err.to_string().contains("Name"), "{err}");
        assert!(s.is_empty());
    }

    #[test]
    fn query_of_all_types_lists_each_type_in_order() {
        let mut s = Store::new(900);
        let mut schedd = WireAd::new();
        schedd.set("MyType", "\"Scheduler\"");
        schedd.set("Name", "\"me@a\"");
        s.on_advertise(vec![slot("slot1@a", 1), schedd, slot("slot2@a", 1)], 0.0).unwrap();
        let all = s.on_query(&AdQuery::default()).unwrap();
        let names: Vec<_> = all.iter().map(|a| a.get("Name").unwrap().to_string()).collect();
        assert_eq!(names, ["\"slot1@a\"", "\"slot2@a\"", "\"me@a\""]);
        assert_eq!(s.counts(), vec![("Machine".to_string(), 2), ("Scheduler".to_string(), 1)]);
    }
}
