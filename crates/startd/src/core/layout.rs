//! How the machine is cut into slots: `NUM_SLOTS`, `NUM_SLOTS_TYPE_<n>`,
//! `SLOT_TYPE_<n>` (`cpus=2, memory=50%, disk=1/4` or one share for all
//! resources: `1/4`, `25%`, `auto`) and `SLOT_TYPE_<n>_PARTITIONABLE`, as
//! HTCondor reads them. With no slot types, the machine is one
//! partitionable slot (`NUM_SLOTS` of them, sharing it evenly, if set).

/// The machine's resources (memory in MiB, disk in KiB, as in machine ads).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Resources {
    pub cpus: f64,
    pub memory_mb: i64,
    pub disk_kb: i64,
}

/// One slot as configured, before it is claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotSpec {
    /// 1-based slot number (`slot3`).
    pub id: u32,
    /// `SLOT_TYPE_<n>` number (0 when no types are configured).
    pub type_id: u32,
    pub partitionable: bool,
    pub res: Resources,
}

/// A share of one resource.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Share {
    Auto,
    Fraction(f64),
    Amount(f64),
}

/// Why a slot layout is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    #[error("SLOT_TYPE_{type_id} = {text}: cannot read '{part}' (expected e.g. `cpus=2, memory=50%, disk=1/4` or `auto`)")]
    BadShare { type_id: u32, text: String, part: String },
    #[error("the slot types ask for more {resource} than the machine has ({asked} > {total}); lower the shares in SLOT_TYPE_<n>")]
    Overcommitted { resource: &'static str, asked: f64, total: f64 },
}

fn parse_share(text: &str) -> Option<(Share, f64)> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("auto") || t.eq_ignore_ascii_case("automatic") {
        return Some((Share::Auto, 1.0));
    }
    if let Some(p) = t.strip_suffix('%') {
        return p.trim().parse::<f64>().ok().map(|v| (Share::Fraction(v / 100.0), 1.0));
    }
    if let Some((n, d)) = t.split_once('/') {
        let n: f64 = n.trim().parse().ok()?;
        let d: f64 = d.trim().parse().ok()?;
        return (d > 0.0).then_some((Share::Fraction(n / d), 1.0));
    }
    // An amount, with an optional K/M/G/T suffix (scale in powers of 1024).
    let digits_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let v: f64 = t[..digits_end].parse().ok()?;
    let scale = match t[digits_end..].trim().chars().next().map(|c| c.to_ascii_uppercase()) {
        None => 0.0,
        Some('K') => 1.0,
        Some('M') => 2.0,
        Some('G') => 3.0,
        Some('T') => 4.0,
        Some(_) => return None,
    };
    Some((Share::Amount(v), scale))
}

#[derive(Debug, Clone, Copy)]
struct TypeShares {
    cpus: (Share, f64),
    memory: (Share, f64),
    disk: (Share, f64),
}

fn parse_type(type_id: u32, text: &str) -> Result<TypeShares, LayoutError> {
    let bad = |part: &str| LayoutError::BadShare { type_id, text: text.to_string(), part: part.to_string() };
    let mut shares = TypeShares { cpus: (Share::Auto, 1.0), memory: (Share::Auto, 1.0), disk: (Share::Auto, 1.0) };
    let t = text.trim();
    if t.is_empty() {
        return Ok(shares);
    }
    if !t.contains('=') {
        let s = parse_share(t).ok_or_else(|| bad(t))?;
        return Ok(TypeShares { cpus: s, memory: s, disk: s });
    }
    for part in t.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| bad(part))?;
        let s = parse_share(v).ok_or_else(|| bad(part))?;
        match k.trim().to_ascii_lowercase().as_str() {
            "cpus" | "cpu" | "c" => shares.cpus = s,
            "memory" | "mem" | "ram" | "m" => shares.memory = s,
            "disk" | "d" => shares.disk = s,
            // Swap and custom resources are not divided (yet).
            "swap" | "s" | "v" | "virtualmemory" | "gpus" | "gpu" => {}
            _ => return Err(bad(part)),
        }
    }
    Ok(shares)
}

/// Turn the slot types into slots. `types` lists `(type_id, count,
/// SLOT_TYPE_<n> text, partitionable)`; an empty list means the default:
/// `num_slots` (1 when unset) partitionable slots sharing the machine.
pub fn build_slots(
    machine: Resources,
    types: &[(u32, u32, String, bool)],
    num_slots: Option<u32>,
    default_partitionable: bool,
) -> Result<Vec<SlotSpec>, LayoutError> {
    let mut plan: Vec<(u32, bool, TypeShares)> = Vec::new();
    if types.iter().all(|t| t.1 == 0) {
        let n = num_slots.unwrap_or(if default_partitionable { 1 } else { machine.cpus.max(1.0) as u32 }).max(1);
        let share = (Share::Fraction(1.0 / n as f64), 1.0);
        for _ in 0..n {
            plan.push((0, default_partitionable, TypeShares { cpus: share, memory: share, disk: share }));
        }
    } else {
        for (type_id, count, text, part) in types {
            let shares = parse_type(*type_id, text)?;
            for _ in 0..*count {
                plan.push((*type_id, *part, shares));
            }
        }
    }
    // Fixed and fractional shares first; what is left goes to `auto` shares evenly.
    let resolve = |pick: fn(&TypeShares) -> (Share, f64), total: f64, native_scale: f64, name: &'static str, min: f64| {
        let mut fixed = vec![None; plan.len()];
        let mut used = 0.0;
        let mut autos = 0;
        for (i, (_, _, s)) in plan.iter().enumerate() {
            let (share, scale) = pick(s);
            match share {
                Share::Auto => autos += 1,
                Share::Fraction(f) => {
                    let v = (f * total).floor().max(min);
                    used += v;
                    fixed[i] = Some(v);
                }
                Share::Amount(a) => {
                    let v = a * 1024f64.powf((scale - native_scale).max(0.0));
                    used += v;
                    fixed[i] = Some(v);
                }
            }
        }
        if used > total + 1e-9 {
            return Err(LayoutError::Overcommitted { resource: name, asked: used, total });
        }
        let each = if autos > 0 { ((total - used) / autos as f64).floor().max(min) } else { 0.0 };
        Ok(fixed.into_iter().map(|f| f.unwrap_or(each)).collect::<Vec<f64>>())
    };
    let cpus = resolve(|s| s.cpus, machine.cpus, 0.0, "Cpus", 1.0)?;
    // Memory amounts are in MiB (scale 2), disk amounts in KiB (scale 1).
    let memory = resolve(|s| s.memory, machine.memory_mb as f64, 2.0, "Memory", 1.0)?;
    let disk = resolve(|s| s.disk, machine.disk_kb as f64, 1.0, "Disk", 1024.0)?;
    Ok(plan
        .iter()
        .enumerate()
        .map(|(i, (type_id, part, _))| SlotSpec {
            id: i as u32 + 1,
            type_id: *type_id,
            partitionable: *part,
            res: Resources { cpus: cpus[i], memory_mb: memory[i] as i64, disk_kb: disk[i] as i64 },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Resources = Resources { cpus: 4.0, memory_mb: 8000, disk_kb: 4_000_000 };

    #[test]
    fn default_is_one_partitionable_slot_with_everything() {
        let s = build_slots(M, &[], None, true).unwrap();
        assert_eq!(s.len(), 1);
        assert!(s[0].partitionable);
        assert_eq!(s[0].res, M);
    }

    #[test]
    fn num_slots_divides_evenly() {
        let s = build_slots(M, &[], Some(4), false).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(s[3].res, Resources { cpus: 1.0, memory_mb: 2000, disk_kb: 1_000_000 });
        assert_eq!(s[3].id, 4);
    }

    #[test]
    fn typed_slots_with_fixed_fractional_and_auto_shares() {
        let types = vec![(1, 1, "cpus=2, memory=50%, disk=1/4".to_string(), false), (2, 2, "auto".to_string(), false)];
        let s = build_slots(M, &types, None, true).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].res, Resources { cpus: 2.0, memory_mb: 4000, disk_kb: 1_000_000 });
        assert_eq!(s[1].res, Resources { cpus: 1.0, memory_mb: 2000, disk_kb: 1_500_000 });
        assert_eq!(s[2].type_id, 2);
    }

    #[test]
    fn amounts_take_unit_suffixes() {
        let types = vec![(1, 1, "cpus=1, memory=2G, disk=1G".to_string(), true)];
        let s = build_slots(M, &types, None, true).unwrap();
        assert_eq!(s[0].res.memory_mb, 2048);
        assert_eq!(s[0].res.disk_kb, 1024 * 1024);
    }

    #[test]
    fn bad_shares_are_named() {
        let err = build_slots(M, &[(1, 1, "cpus=lots".into(), false)], None, true).unwrap_err();
        assert!(err.to_string().contains("SLOT_TYPE_1") && err.to_string().contains("cpus=lots"), "{err}");
        let err = build_slots(M, &[(1, 2, "cpus=3".into(), false)], None, true).unwrap_err();
        assert!(err.to_string().contains("more Cpus"), "{err}");
    }
}
