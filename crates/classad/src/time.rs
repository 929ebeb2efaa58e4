//! Absolute and relative time text, read as HTCondor reads it.
//!
//! `absTime("2003-01-25T09:00:00-06:00")`: digits are picked out in order
//! (year, month, day, hour, minute, second — separators are anything that
//! is not a digit), with an optional `Z`, `+hh:mm`, `-hhmm` zone; fields
//! left out are zero and normalise as C's `mktime` does. Without a zone the
//! local offset applies.
//!
//! `relTime("1+02:03:04.5")`: `[-][days+][hh:][mm:]ss[.fff]`, or with unit
//! letters `1d 2h 3m 4s`.

use chrono::{Local, Offset, TimeZone};

/// Seconds since the epoch (UTC) and the zone offset in seconds east of UTC.
pub fn parse_abs_time(text: &str) -> Option<(i64, i32)> {
    let mut s: Vec<u8> = text.as_bytes().to_vec();
    let mut zone: Option<i32> = None;
    // trailing Z / +hhmm / +hh:mm
    let mut i = s.len() as isize - 1;
    while i >= 0 && s[i as usize].is_ascii_whitespace() {
        i -= 1;
    }
    let len = s.len();
    if i > 0 && matches!(s[i as usize], b'z' | b'Z') {
        zone = Some(0);
        s.remove(i as usize);
    } else if len > 5 && matches!(s[len - 5], b'+' | b'-') {
        zone = extract_zone(&mut s);
    } else if len > 6 && matches!(s[len - 6], b'+' | b'-') && s[len - 3] == b':' {
        s.remove(len - 3);
        zone = extract_zone(&mut s);
    }
    let len = s.len();
    let mut i = 0usize;
    let skip = |s: &[u8], i: &mut usize| {
        while *i < s.len() && !s[*i].is_ascii_digit() {
            *i += 1;
        }
    };
    let num = |s: &[u8], i: usize, n: usize| -> i64 { atoi(&s[i..(i + n).min(s.len())]) };
    skip(&s, &mut i);
    if len < 4 || i > len - 4 {
        return None;
    }
    let year = num(&s, i, 4);
    i += 4;
    let mut fields = [0i64; 5]; // month, day, hour, minute, second
    for f in fields.iter_mut() {
        skip(&s, &mut i);
        if len >= 2 && i <= len - 2 {
            *f = num(&s, i, 2);
            i += 2;
        }
    }
    skip(&s, &mut i);
    if i < len && s[i].is_ascii_digit() {
        return None;
    }
    let [mon, mday, hour, min, sec] = fields;
    // mktime-style normalisation: month counted from 0, day from 1.
    let m0 = mon - 1;
    let y = year + m0.div_euclid(12);
    let m = m0.rem_euclid(12) + 1;
    let days = days_from_civil(y, m as u32, 1) + (mday - 1);
    let local = days * 86_400 + hour * 3600 + min * 60 + sec;
    let offset = match zone {
        Some(z) => z,
        None => local_offset(local),
    };
    Some((local - offset as i64, offset))
}

fn extract_zone(s: &mut Vec<u8>) -> Option<i32> {
    let len = s.len();
    if len < 5 {
        return None;
    }
    let off = &s[len - 5..];
    if !(matches!(off[0], b'+' | b'-') && off[1..].iter().all(u8::is_ascii_digit)) {
        return None;
    }
    let hh = atoi(&off[1..3]) as i32;
    let mm = atoi(&off[3..5]) as i32;
    let sign = if off[0] == b'-' { -1 } else { 1 };
    s.truncate(len - 5);
    Some(sign * (hh * 3600 + mm * 60))
}

fn atoi(b: &[u8]) -> i64 {
    let mut v: i64 = 0;
    for c in b {
        if !c.is_ascii_digit() {
            break;
        }
        v = v.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    v
}

/// The local zone's offset (seconds east of UTC) at the instant `utc_secs`
/// (0 where the zone database cannot say, e.g. far outside its range).
pub fn local_offset_at(utc_secs: i64) -> i32 {
    match Local.timestamp_opt(utc_secs, 0) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.offset().fix().local_minus_utc(),
        chrono::LocalResult::None => 0,
    }
}

/// A UTC instant broken down into calendar fields, for any 64-bit second
/// count (C's `gmtime`, without its range limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1-12
    pub month: u32,
    /// 1-31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0-6, Sunday 0
    pub weekday: u32,
    /// 0-365
    pub yearday: u32,
}

/// Break `secs` (seconds since the epoch, already shifted to the wanted
/// zone) into calendar fields.
pub fn civil(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = crate::unparse::civil_from_days(days);
    let jan1 = days_from_civil(year, 1, 1);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: (rem / 60) % 60,
        second: rem % 60,
        weekday: (days + 4).rem_euclid(7) as u32,
        yearday: (days - jan1) as u32,
    }
}

/// The local zone's offset (seconds east of UTC) for a local wall-clock time.
fn local_offset(local_secs: i64) -> i32 {
    match Local.timestamp_opt(local_secs, 0) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.offset().fix().local_minus_utc()
        }
        chrono::LocalResult::None => 0,
    }
}

/// Days since 1970-01-01 of a Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds of a relative time, or `None` when the text is not one.
pub fn parse_rel_time(text: &str) -> Option<f64> {
    let s = text.as_bytes();
    let mut i = s.len() as isize - 1;
    let back_space = |i: &mut isize| {
        while *i >= 0 && s[*i as usize].is_ascii_whitespace() {
            *i -= 1;
        }
    };
    let at = |i: isize| -> u8 { if i >= 0 { s[i as usize] } else { 0 } };
    let digits_back = |i: &mut isize| -> String {
        let mut rev = String::new();
        while *i >= 0 && s[*i as usize].is_ascii_digit() {
            rev.push(s[*i as usize] as char);
            *i -= 1;
        }
        rev.chars().rev().collect()
    };
    let int_of = |d: &str| -> i64 {
        if d.is_empty() {
            0
        } else {
            d.parse::<i64>().unwrap_or(0)
        }
    };
    let mut secs = 0.0;
    let (mut mins, mut hrs, mut days) = (0i64, 0i64, 0i64);
    back_space(&mut i);
    if i >= 0 && (matches!(at(i), b's' | b'S') || at(i).is_ascii_digit()) {
        if matches!(at(i), b's' | b'S') {
            i -= 1;
        }
        back_space(&mut i);
        let mut num = digits_back(&mut i);
        if i >= 0 && at(i) == b'.' {
            i -= 1;
            let whole = digits_back(&mut i);
            num = format!("{whole}.{num}");
        }
        secs = num.parse::<f64>().unwrap_or(0.0);
    }
    back_space(&mut i);
    if i >= 0 && matches!(at(i), b'm' | b'M' | b':') {
        i -= 1;
        back_space(&mut i);
        mins = int_of(&digits_back(&mut i));
    }
    back_space(&mut i);
    if i >= 0 && matches!(at(i), b'h' | b'H' | b':') {
        i -= 1;
        back_space(&mut i);
        hrs = int_of(&digits_back(&mut i));
    }
    back_space(&mut i);
    if i >= 0 && matches!(at(i), b'd' | b'D' | b'+') {
        i -= 1;
        back_space(&mut i);
        days = int_of(&digits_back(&mut i));
    }
    back_space(&mut i);
    let mut negative = false;
    if i >= 0 && at(i) == b'-' {
        negative = true;
        i -= 1;
    }
    back_space(&mut i);
    if i >= 0 && !at(i).is_ascii_whitespace() {
        return None;
    }
    let total = (days * 86_400 + hrs * 3600 + mins * 60) as f64 + secs;
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abs_times() {
        assert_eq!(parse_abs_time("2020-01-01T00:00:00Z"), Some((1577836800, 0)));
        assert_eq!(parse_abs_time("2003-01-25T09:00:00-06:00"), Some((1043506800, -21600)));
        assert_eq!(parse_abs_time("x"), None);
    }

    #[test]
    fn rel_times() {
        assert_eq!(parse_rel_time("1:00:00"), Some(3600.0));
        assert_eq!(parse_rel_time("90"), Some(90.0));
        assert_eq!(parse_rel_time("1+00:02:00"), Some(86520.0));
        assert_eq!(parse_rel_time("-5"), Some(-5.0));
        assert_eq!(parse_rel_time("1d 2h"), Some(93600.0));
        assert_eq!(parse_rel_time("bad"), None);
    }
}
