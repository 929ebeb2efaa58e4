//! C's `strftime` in the C locale, as the GNU C library formats it, over a
//! broken-down time whose fields may be out of range (`formatTime` accepts
//! any ad of `Year`, `Month`, `Day`, … and prints what it is given).
//!
//! Supported: every conversion of C and POSIX (`%a %A %b %B %c %C %d %D %e
//! %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s %S %t %T %u %U %V %w
//! %W %x %X %y %Y %z %Z %%`), the flags `_ - 0 ^ #`, a field width, and
//! the `E`/`O` modifiers (which change nothing in the C locale). Anything
//! else is copied through as written.

/// A broken-down time, as C's `struct tm`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tm {
    pub sec: i32,
    pub min: i32,
    pub hour: i32,
    /// Day of the month, 1-31.
    pub mday: i32,
    /// Month, 0-11.
    pub mon: i32,
    /// Years since 1900.
    pub year: i32,
    /// Day of the week, 0-6 (Sunday 0).
    pub wday: i32,
    /// Day of the year, 0-365.
    pub yday: i32,
    /// Seconds east of UTC (for `%z`).
    pub gmtoff: i64,
}

const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
];

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days from the start of the ISO week-based year to `yday` (negative when
/// `yday` belongs to the previous ISO year).
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    let big_enough_multiple_of_7 = (366 / 7 + 2) * 7;
    yday - (yday - wday + 4 + big_enough_multiple_of_7) % 7 + 4 - 1
}

/// The ISO 8601 year and week number of `tm`.
fn iso_year_week(tm: &Tm) -> (i64, i64) {
    let mut year = tm.year as i64 + 1900;
    let yday = tm.yday as i64;
    let wday = tm.wday as i64;
    let mut days = iso_week_days(yday, wday);
    if days < 0 {
        year -= 1;
        days = iso_week_days(yday + 365 + is_leap(year) as i64, wday);
    } else {
        let d = iso_week_days(yday - (365 + is_leap(year) as i64), wday);
        if d >= 0 {
            year += 1;
            days = d;
        }
    }
    (year, days / 7 + 1)
}

/// Seconds since the epoch of `tm` read as a time at `tm.gmtoff` east of UTC.
fn epoch_seconds(tm: &Tm) -> i64 {
    let year = tm.year as i64 + 1900 + (tm.mon as i64).div_euclid(12);
    let mon = (tm.mon as i64).rem_euclid(12) + 1;
    let days = days_from_civil(year, mon, 1) + tm.mday as i64 - 1;
    days * 86_400 + tm.hour as i64 * 3600 + tm.min as i64 * 60 + tm.sec as i64 - tm.gmtoff
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Clone, Copy)]
struct Spec {
    /// 0 (default), `_`, `-`, `0`.
    pad: u8,
    upper: bool,
    swap_case: bool,
    /// Explicit field width, if any.
    width: Option<usize>,
}

/// Append `s` padded on the left to the spec's width.
fn add(out: &mut String, spec: &Spec, s: &str) {
    if let Some(w) = spec.width {
        let n = s.chars().count();
        if w > n {
            let c = if spec.pad == b'0' { '0' } else { ' ' };
            out.extend(std::iter::repeat_n(c, w - n));
        }
    }
    out.push_str(s);
}

/// A number with `digits` minimum digits, padded per the flags.
fn number(out: &mut String, spec: &Spec, digits: usize, v: i64, space_pad: bool) {
    let mut spec = *spec;
    if space_pad && spec.pad != b'0' && spec.pad != b'-' {
        spec.pad = b'_';
    }
    let digits = digits.max(spec.width.unwrap_or(0));
    let neg = v < 0;
    let body = v.unsigned_abs().to_string();
    let len = body.len() + neg as usize;
    if spec.pad != b'-' && digits > len {
        let padding = digits - len;
        if spec.pad == b'_' {
            out.extend(std::iter::repeat_n(' ', padding));
            spec.width = spec.width.map(|w| w.saturating_sub(padding));
        } else {
            if neg {
                out.push('-');
            }
            out.extend(std::iter::repeat_n('0', padding));
            out.push_str(&body);
            return;
        }
    }
    let text = if neg { format!("-{body}") } else { body };
    add(out, &spec, &text);
}

fn text(out: &mut String, spec: &Spec, s: &str, lower_on_swap: bool) {
    let s = if spec.upper || (spec.swap_case && !lower_on_swap) {
        s.to_ascii_uppercase()
    } else if spec.swap_case && lower_on_swap {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    };
    add(out, spec, &s);
}

fn name(table: &[&'static str], i: i32, abbrev: bool) -> &'static str {
    match usize::try_from(i).ok().and_then(|i| table.get(i)) {
        Some(n) if abbrev => &n[..3],
        Some(n) => n,
        None => "?",
    }
}

/// Format `tm` with `fmt`. `zone` is the name `%Z` prints.
pub fn strftime(fmt: &str, tm: &Tm, zone: &str) -> String {
    let mut out = String::with_capacity(fmt.len() + 16);
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(pos) = fmt[i..].find('%') else {
            out.push_str(&fmt[i..]);
            break;
        };
        out.push_str(&fmt[i..i + pos]);
        let start = i + pos;
        let mut j = start + 1;
        let mut spec = Spec { pad: 0, upper: false, swap_case: false, width: None };
        while j < b.len() {
            match b[j] {
                b'_' | b'-' | b'0' => spec.pad = b[j],
                b'^' => spec.upper = true,
                b'#' => spec.swap_case = true,
                _ => break,
            }
            j += 1;
        }
        let mut w: Option<usize> = None;
        while j < b.len() && b[j].is_ascii_digit() {
            w = Some(w.unwrap_or(0).saturating_mul(10).saturating_add((b[j] - b'0') as usize).min(4096));
            j += 1;
        }
        spec.width = w;
        let mut modifier = 0u8;
        if j < b.len() && (b[j] == b'E' || b[j] == b'O') {
            modifier = b[j];
            j += 1;
        }
        if j >= b.len() {
            // A lone '%' (with flags) at the end is copied.
            add(&mut out, &spec, &fmt[start..]);
            break;
        }
        let conv = b[j];
        let allowed = match modifier {
            b'E' => b"cCxXyY".contains(&conv),
            b'O' => b"deHIklmMSuUVwWygGj".contains(&conv),
            _ => true,
        };
        let done = allowed && convert(&mut out, &spec, conv, tm, zone);
        if !done {
            // Unknown conversion: copy it through as written.
            let end = j + fmt[j..].chars().next().map_or(1, char::len_utf8);
            add(&mut out, &spec, &fmt[start..end]);
            i = end;
            continue;
        }
        i = j + 1;
    }
    out
}

/// One conversion; false when `conv` is not a conversion.
fn convert(out: &mut String, spec: &Spec, conv: u8, tm: &Tm, zone: &str) -> bool {
    let year = tm.year as i64 + 1900;
    let sub = |out: &mut String, f: &str| {
        let s = strftime(f, tm, zone);
        let s = if spec.upper { s.to_ascii_uppercase() } else { s };
        add(out, spec, &s);
    };
    match conv {
        b'a' => text(out, spec, name(&DAYS, tm.wday, true), false),
        b'A' => text(out, spec, name(&DAYS, tm.wday, false), false),
        b'b' | b'h' => text(out, spec, name(&MONTHS, tm.mon, true), false),
        b'B' => text(out, spec, name(&MONTHS, tm.mon, false), false),
        b'c' => sub(out, "%a %b %e %H:%M:%S %Y"),
        // The century, rounded toward minus infinity.
        b'C' => number(out, spec, 1, year / 100 - (year % 100 < 0) as i64, false),
        b'd' => number(out, spec, 2, tm.mday as i64, false),
        b'D' | b'x' => sub(out, "%m/%d/%y"),
        b'e' => number(out, spec, 2, tm.mday as i64, true),
        b'F' => sub(out, "%Y-%m-%d"),
        b'g' => number(out, spec, 2, iso_year_week(tm).0.rem_euclid(100), false),
        b'G' => number(out, spec, 1, iso_year_week(tm).0, false),
        b'H' => number(out, spec, 2, tm.hour as i64, false),
        b'I' => number(out, spec, 2, hour12(tm.hour), false),
        b'j' => number(out, spec, 3, tm.yday as i64 + 1, false),
        b'k' => number(out, spec, 2, tm.hour as i64, true),
        b'l' => number(out, spec, 2, hour12(tm.hour), true),
        b'm' => number(out, spec, 2, tm.mon as i64 + 1, false),
        b'M' => number(out, spec, 2, tm.min as i64, false),
        b'n' => add(out, spec, "\n"),
        b'p' => text(out, spec, if tm.hour > 11 { "PM" } else { "AM" }, true),
        b'P' => {
            let s = if tm.hour > 11 { "pm" } else { "am" };
            let plain = Spec { upper: false, swap_case: false, ..*spec };
            text(out, &plain, s, true)
        }
        b'r' => sub(out, "%I:%M:%S %p"),
        b'R' => sub(out, "%H:%M"),
        b's' => number(out, spec, 1, epoch_seconds(tm), false),
        b'S' => number(out, spec, 2, tm.sec as i64, false),
        b't' => add(out, spec, "\t"),
        b'T' | b'X' => sub(out, "%H:%M:%S"),
        b'u' => number(out, spec, 1, (tm.wday as i64 - 1 + 7).rem_euclid(7) + 1, false),
        b'U' => number(out, spec, 2, (tm.yday as i64 - tm.wday as i64 + 7) / 7, false),
        b'V' => number(out, spec, 2, iso_year_week(tm).1, false),
        b'w' => number(out, spec, 1, tm.wday as i64, false),
        b'W' => number(out, spec, 2, (tm.yday as i64 - (tm.wday as i64 - 1 + 7) % 7 + 7) / 7, false),
        b'y' => number(out, spec, 2, (tm.year as i64 % 100 + 100) % 100, false),
        b'Y' => number(out, spec, 1, year, false),
        b'z' => {
            let diff = tm.gmtoff;
            add(out, spec, if diff < 0 { "-" } else { "+" });
            let m = diff.abs() / 60;
            number(out, spec, 4, (m / 60) * 100 + m % 60, false);
        }
        b'Z' => text(out, spec, zone, true),
        b'%' => add(out, spec, "%"),
        _ => return false,
    }
    true
}

fn hour12(h: i32) -> i64 {
    let h = h as i64;
    if h > 12 {
        h - 12
    } else if h == 0 {
        12
    } else {
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tm(year: i32, mon: i32, mday: i32, hour: i32, min: i32, sec: i32, wday: i32, yday: i32) -> Tm {
        Tm { sec, min, hour, mday, mon, year: year - 1900, wday, yday, gmtoff: 0 }
    }

    #[test]
    fn c_locale_conversions() {
        let t = tm(1970, 0, 1, 0, 0, 0, 4, 0);
        assert_eq!(
            strftime("%a %A %b %B %c %d %e %H %I %j %m %M %p %S %U %w %W %x %X %y %Y %Z %%", &t, "UTC"),
            "Thu Thursday Jan January Thu Jan  1 00:00:00 1970 01  1 00 12 001 01 00 AM 00 00 4 00 01/01/70 00:00:00 70 1970 UTC %"
        );
        assert_eq!(
            strftime("%C %D %F %g %G %h %k %l %n %r %R %s %t %T %u %V %z %P", &t, "UTC"),
            "19 01/01/70 1970-01-01 70 1970 Jan  0 12 \n 12:00:00 AM 00:00 0 \t 00:00:00 4 01 +0000 am"
        );
        let t = tm(2023, 10, 14, 22, 13, 20, 2, 317);
        assert_eq!(strftime("%U %W %V %G %g %u %w %j %s", &t, "UTC"), "46 46 46 2023 23 2 2 318 1700000000");
        let t = tm(1999, 11, 31, 0, 0, 0, 5, 364);
        assert_eq!(strftime("%U %W %V %G %g %u %w", &t, "UTC"), "52 52 52 1999 99 5 5");
    }

    #[test]
    fn flags_widths_and_modifiers() {
        let t = tm(2020, 0, 5, 0, 0, 0, 0, 4);
        assert_eq!(
            strftime("%_5d|%-5d|%05e|%^a|%#a|%^b|%#p|%10A|%-10A|%_3j|%3S|%^B", &t, "UTC"),
            "    5|    5|00005|SUN|SUN|JAN|am|    Sunday|    Sunday|  5|000|JANUARY"
        );
        assert_eq!(strftime("%Ec|%Ox|%Ey|%EY|%Od|%Oe|%OH", &t, "UTC"), "Sun Jan  5 00:00:00 2020|%Ox|20|2020|05| 5|00");
        assert_eq!(strftime("%-d %_d %0e", &tm(1970, 0, 1, 0, 0, 0, 4, 0), "UTC"), "1  1 01");
        assert_eq!(strftime("%Q|%+Y|%", &t, "UTC"), "%Q|%+Y|%");
        assert_eq!(strftime("%#Z|%^Z|%5z|%_z|%-z", &t, "UTC"), "utc|UTC|    +00000|+   0|+0");
        let t = tm(2023, 10, 14, 22, 13, 20, 2, 317);
        assert_eq!(strftime("%10x|%^c|%20D", &t, "UTC"), "  11/14/23|TUE NOV 14 22:13:20 2023|            11/14/23");
        assert_eq!(strftime("%010Y|%_Y|%-Y", &t, "UTC"), "0000002023|2023|2023");
    }

    #[test]
    fn out_of_range_fields() {
        let t = tm(5, 0, 1, 0, 0, 0, 6, 0);
        assert_eq!(strftime("%Y|%C|%y|%F|%4Y|%_4Y", &t, "UTC"), "5|0|05|5-01-01|0005|   5");
        let t = tm(-5, 0, 1, 0, 0, 0, 0, 0);
        assert_eq!(strftime("%Y|%C|%y|%F", &t, "UTC"), "-5|-1|95|-5-01-01");
        let t = tm(12345, 0, 1, 0, 0, 0, 0, 0);
        assert_eq!(strftime("%Y|%C|%y", &t, "UTC"), "12345|123|45");
        let t = tm(2020, 0, -3, 0, 0, 0, 6, -4);
        assert_eq!(strftime("%d|%e|%j|%U|%W|%a", &t, "UTC"), "-3|-3|-03|00|00|Sat");
        let t = tm(2020, 0, 5, -3, -5, -7, 0, 4);
        assert_eq!(strftime("%H|%I|%k|%l|%M|%S|%p", &t, "UTC"), "-3|-3|-3|-3|-5|-7|AM");
        let t = tm(2020, 12, 1, 25, 0, 0, 9, 0);
        assert_eq!(strftime("%b|%B|%m|%a|%H|%I|%p", &t, "UTC"), "?|?|13|?|25|13|PM");
    }
}
