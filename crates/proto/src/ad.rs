//! ClassAds on the wire.
//!
//! An ad travels as a JSON object mapping attribute names to the old-syntax
//! text of their expressions (`{"ClusterId": "1", "Cmd": "\"/bin/echo\""}`),
//! in the ad's attribute order. The text form is lossless (expressions stay
//! expressions) and cheap to produce and parse.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A ClassAd as attribute → unparsed expression pairs, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireAd(pub Vec<(String, String)>);

impl WireAd {
    pub fn new() -> WireAd {
        WireAd(Vec::new())
    }

    /// The expression text of `name`, looked up case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Set `name` to the expression text `expr`, replacing a same-named attribute.
    pub fn set(&mut self, name: &str, expr: impl Into<String>) {
        let expr = expr.into();
        match self.0.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            Some(slot) => slot.1 = expr,
            None => self.0.push((name.to_string(), expr)),
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for WireAd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for WireAd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WireAd, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = WireAd;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of attribute name to expression text")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<WireAd, A::Error> {
                let mut v = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, e)) = map.next_entry::<String, String>()? {
                    v.push((k, e));
                }
                Ok(WireAd(v))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_finds_names_ignoring_case() {
        let mut ad = WireAd::new();
        ad.set("ClusterId", "1");
        ad.set("Cmd", "\"/bin/echo\"");
        ad.set("clusterid", "2");
        let json = serde_json::to_string(&ad).unwrap();
        assert_eq!(json, r#"{"ClusterId":"2","Cmd":"\"/bin/echo\""}"#);
        let back: WireAd = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ad);
        assert_eq!(back.get("CMD"), Some("\"/bin/echo\""));
    }
}
