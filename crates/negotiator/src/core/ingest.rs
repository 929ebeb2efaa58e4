//! Reading slot ads into the pool, in two passes.
//!
//! Before the names matchmaking reads are known, [`ingest_slots`] learns
//! every ad's attribute names, parses only the expressions that may refer
//! to something (literals are recognised from their text), and reads the
//! attributes the negotiator uses itself (`Name`, `State`, `SlotType`,
//! `Cpus`, …). Once the closure of needed names is known, [`keep_attrs`]
//! interns just those attributes: a slot ad of fifty attributes usually
//! keeps a dozen.

use classad::Value;
use proto::WireAd;

use super::intern::NameId;
use super::pool::{Kind, Pool, Res, Slot};

/// Whether `text` surely refers to no attribute: a number, a plain
/// string, or a boolean/undefined/error literal. Such values need no
/// parsing to know they add nothing to the reference graph.
fn ref_free(text: &str) -> bool {
    let t = text.trim().as_bytes();
    let Some(&first) = t.first() else { return false };
    if first == b'"' {
        if t.len() < 2 || t[t.len() - 1] != b'"' || t[t.len() - 2] == b'\\' {
            return false;
        }
        let inner = &t[1..t.len() - 1];
        return !inner.iter().enumerate().any(|(i, &c)| c == b'"' && (i == 0 || inner[i - 1] != b'\\'));
    }
    if [&b"true"[..], b"false", b"undefined", b"error"].iter().any(|w| t.eq_ignore_ascii_case(w)) {
        return true;
    }
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return false;
    }
    let mut digit = false;
    for (i, &c) in t.iter().enumerate() {
        match c {
            b'0'..=b'9' => digit = true,
            b'+' | b'-' | b'.' => {}
            b'e' | b'E' if i > 0 && (t[i - 1].is_ascii_digit() || t[i - 1] == b'.') => {}
            _ => return false,
        }
    }
    digit
}

/// The value of a literal's text, without parsing it as an expression.
fn literal_value(text: &str) -> Option<Value> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::Int(i));
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        if let Ok(r) = t.parse::<f64>() {
            return Some(Value::Real(r));
        }
    }
    if t.starts_with('"') {
        return proto::collector::unquote(t).map(|s| Value::string(&s));
    }
    match t.to_ascii_lowercase().as_str() {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "undefined" => Some(Value::Undefined),
        _ => None,
    }
}

/// Add slot ads to the pool (before the closure is known): learn their
/// names, record the references of their non-literal expressions, and
/// read the attributes the negotiator uses itself.
pub fn ingest_slots(pool: &mut Pool, ads: &[WireAd]) {
    for (i, ad) in ads.iter().enumerate() {
        let what = || format!("slot ad {}", ad.get("Name").unwrap_or("(no Name)"));
        let mut names = Vec::with_capacity(ad.len());
        for (pos, (k, v)) in ad.0.iter().enumerate() {
            let n = pool.name_at(pos, k);
            if !ref_free(v) {
                pool.expr_of(n, k, v, &what);
            }
            names.push(n);
        }
        let k = &pool.known;
        let (kn, kstate, ktype, kpart, koff, kru, kag) =
            (k.name, k.state, k.slot_type, k.partitionable, k.offline, k.remote_user, k.accounting_group);
        let (kc, km, kd, kg) = (k.cpus, k.memory, k.disk, k.gpus);
        let get = |pool: &mut Pool, n: NameId| -> Value {
            let Some(pos) = names.iter().position(|&x| x == n) else { return Value::Undefined };
            let text = &ad.0[pos].1;
            if let Some(v) = literal_value(text) {
                return v;
            }
            // Not a plain literal: evaluate it in the whole ad.
            let attrs = pool.intern_ad(ad, &what);
            pool.evaluations += 1;
            pool.build_ad(&attrs).eval_attr(pool.names.name_text(n))
        };
        let name = match get(pool, kn) {
            Value::String(s) => s.to_string(),
            _ => {
                pool.problems.push(format!("a slot ad without a Name was left out ({} attributes)", ad.len()));
                continue;
            }
        };
        let text = |v: Value| v.as_str().map(str::to_string);
        let state = text(get(pool, kstate));
        let slot_type = text(get(pool, ktype));
        let partitionable = get(pool, kpart).as_bool() == Some(true)
            || slot_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("Partitionable"));
        let offline = get(pool, koff).as_bool() == Some(true);
        let dynamic = slot_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("Dynamic"));
        let state_is = |s: &str| state.as_deref().map_or(s == "Unclaimed", |x| x.eq_ignore_ascii_case(s));
        let kind = if offline {
            Kind::Unavailable
        } else if state_is("Claimed") {
            Kind::Claimed
        } else if !state_is("Unclaimed") || dynamic {
            Kind::Unavailable
        } else if partitionable {
            Kind::Partitionable
        } else {
            Kind::Static
        };
        let num = |pool: &mut Pool, n: NameId| match get(pool, n) {
            Value::Int(i) => i,
            Value::Real(r) if r.is_finite() => r.floor() as i64,
            Value::Bool(b) => b as i64,
            _ => 0,
        };
        let res = Res { cpus: num(pool, kc), memory: num(pool, km), disk: num(pool, kd), gpus: num(pool, kg) };
        let principal = if kind == Kind::Claimed {
            text(get(pool, kag)).or_else(|| text(get(pool, kru)))
        } else {
            None
        };
        pool.slots.push(Slot {
            input: i,
            name,
            names,
            attrs: Vec::new(),
            kind,
            advertised: res,
            res,
            principal,
            rbase: 0,
            state: 0,
            initial_state: 0,
            taken: 0,
            excluded: false,
        });
    }
}

/// Once the closure is known: intern the attributes matchmaking reads.
pub fn keep_attrs(pool: &mut Pool, ads: &[WireAd]) {
    for i in 0..pool.slots.len() {
        let ad = &ads[pool.slots[i].input];
        let what = || format!("slot ad {}", pool_name(ad));
        let names = std::mem::take(&mut pool.slots[i].names);
        let mut attrs = Vec::with_capacity(24);
        for (pos, &n) in names.iter().enumerate() {
            let keep = pool.opaque || pool.need_any.get(n as usize).copied().unwrap_or(false) || pool.known.is_resource(n);
            if keep {
                let (k, v) = &ad.0[pos];
                let e = pool.expr_of(n, k, v, &what);
                attrs.push((n, e));
            }
        }
        pool.slots[i].attrs = attrs;
    }
}

fn pool_name(ad: &WireAd) -> &str {
    ad.get("Name").unwrap_or("(no Name)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_free_texts_are_literals_only() {
        for t in ["1", "-2.5", "1e5", "\"LINUX\"", "\"a\\\"b\"", "True", "undefined", " 42 "] {
            assert!(ref_free(t), "{t}");
        }
        for t in ["Cpus", "e", "e1", "1 + x", "\"a\" + \"b\"", "\"a\" == b", "\"open", "START && x", "-x", ""] {
            assert!(!ref_free(t), "{t}");
        }
        assert_eq!(literal_value("\"slot1@h\"").and_then(|v| v.as_str().map(str::to_string)).as_deref(), Some("slot1@h"));
        assert_eq!(literal_value("16").and_then(|v| v.as_int()), Some(16));
        assert_eq!(literal_value("0.5").and_then(|v| v.as_number()), Some(0.5));
        assert!(literal_value("inf").is_none() && literal_value("Cpus").is_none());
    }
}
