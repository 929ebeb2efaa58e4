//! Quantities with optional size units, as `request_memory`, `request_disk`,
//! `image_size` and `disk_usage` accept them (`512`, `1 GB`, `1.5G`, `1024K`,
//! `4g`, `1T`, `2.2Mb`).
//!
//! The rules are HTCondor's: an integer with up to three significant
//! fractional digits, optional whitespace, an optional `K`/`M`/`G`/`T` unit
//! (case-insensitive) that may be followed by `b`/`B`, and nothing else. A bare
//! number is in the command's base unit (MiB for memory, KiB for disk). The
//! result is rounded *up* to the base unit. Anything else is not a quantity and
//! the caller treats it as a ClassAd expression.

/// A parsed quantity: the value in base units and the unit letter seen (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    pub value: i64,
    /// The unit letter as written (`'G'`, `'m'`, …), `None` for a bare number.
    pub unit: Option<char>,
}

/// Parse `input` as a quantity whose bare-number unit is `base` bytes
/// (1024*1024 for memory in MiB, 1024 for disk in KiB).
///
/// Returns `None` when the text is not a simple quantity.
pub fn parse_bytes(input: &str, base: i64) -> Option<Quantity> {
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    // strtol: optional sign then digits.
    let mut j = i;
    let mut negative = false;
    if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
        negative = bytes[j] == b'-';
        j += 1;
    }
    let digits_start = j;
    let mut val: i64 = 0;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        val = val.saturating_mul(10).saturating_add(i64::from(bytes[j] - b'0'));
        j += 1;
    }
    let mut p = if j > digits_start { j } else { start };
    if negative {
        val = -val;
    }
    // Optional fraction: only meaningful after a number was read, but HTCondor
    // also accepts ".5" (strtol consumed nothing, then the '.' branch runs).
    let mut fract = 0.0f64;
    if p < bytes.len() && bytes[p] == b'.' {
        p += 1;
        let scales = [10.0, 100.0, 1000.0];
        for scale in scales {
            if p < bytes.len() && bytes[p].is_ascii_digit() {
                fract += f64::from(bytes[p] - b'0') / scale;
                p += 1;
            }
        }
        while p < bytes.len() && bytes[p].is_ascii_digit() {
            p += 1;
        }
    }
    if p == start {
        return None;
    }
    while p < bytes.len() && bytes[p].is_ascii_whitespace() {
        p += 1;
    }
    let unit_ch = bytes.get(p).copied();
    let mult: i64 = match unit_ch {
        None => base,
        Some(b'k' | b'K') => 1 << 10,
        Some(b'm' | b'M') => 1 << 20,
        Some(b'g' | b'G') => 1 << 30,
        Some(b't' | b'T') => 1 << 40,
        Some(_) => return None,
    };
    let scaled = ((val as f64 + fract) * mult as f64 + (base - 1) as f64) as i64;
    let value = scaled / base;
    let unit = unit_ch.map(char::from);
    // At end of string, or a single trailing unit letter.
    if unit_ch.is_none() || p + 1 >= bytes.len() {
        return Some(Quantity { value, unit });
    }
    let mut q = p + 1;
    if bytes[q] == b'b' || bytes[q] == b'B' {
        q += 1;
    }
    while q < bytes.len() && bytes[q].is_ascii_whitespace() {
        q += 1;
    }
    if q >= bytes.len() {
        Some(Quantity { value, unit })
    } else {
        None
    }
}

/// Bytes in a MiB: the base unit of `request_memory`.
pub const MIB: i64 = 1024 * 1024;
/// Bytes in a KiB: the base unit of `request_disk`, `image_size`, `disk_usage`.
pub const KIB: i64 = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(s: &str) -> Option<i64> {
        parse_bytes(s, MIB).map(|q| q.value)
    }
    fn disk(s: &str) -> Option<i64> {
        parse_bytes(s, KIB).map(|q| q.value)
    }

    #[test]
    fn memory_units_scale_to_mib() {
        assert_eq!(mem("512"), Some(512));
        assert_eq!(mem("1 GB"), Some(1024));
        assert_eq!(mem("512M"), Some(512));
        assert_eq!(mem("1.5G"), Some(1536));
        assert_eq!(mem("1024K"), Some(1));
        assert_eq!(mem("4g"), Some(4096));
        assert_eq!(mem("1T"), Some(1024 * 1024));
        assert_eq!(mem("100MB"), Some(100));
        assert_eq!(mem("  2 Gb  "), Some(2048));
        // rounds up to whole MiB
        assert_eq!(mem("1K"), Some(1));
        assert_eq!(mem("1.5"), Some(2));
    }

    #[test]
    fn disk_units_scale_to_kib() {
        assert_eq!(disk("500K"), Some(500));
        assert_eq!(disk("500"), Some(500));
        assert_eq!(disk("1 GB"), Some(1024 * 1024));
        assert_eq!(disk("2M"), Some(2048));
    }

    #[test]
    fn non_quantities_are_refused() {
        for s in ["lots", "1GiB", "2 KB MB", "1,024", "1.5 Q", "5 G B", "10 XB", "2 GBB", "", "  "] {
            assert_eq!(mem(s), None, "{s:?}");
        }
        assert_eq!(mem("MemoryUsage * 2"), None);
    }

    #[test]
    fn the_unit_letter_is_reported() {
        assert_eq!(parse_bytes("1 GB", MIB).and_then(|q| q.unit), Some('G'));
        assert_eq!(parse_bytes("10", MIB).and_then(|q| q.unit), None);
    }
}
