//! Time functions: `time`, `currentTime`, `timeZoneOffset`, `dayTime`,
//! `absTime`, `relTime`, `splitTime`, `formatTime`, `interval` and the
//! field getters `getYear` … `getSeconds`.
//!
//! HTCondor's conventions are kept where they show: absolute times carry
//! their own zone offset, but the field getters read the instant in the
//! local zone; integer arguments pass through 32-bit C `int`s
//! (`absTime(4294967297)` is one second after the epoch); `absTime` of a
//! string computed at run time returns the string unchanged and `relTime`
//! of one gives zero (literal strings were already turned into times by
//! the parser); `splitTime` gives an ad of `Type`, `Year`, `Month`, `Day`,
//! `Hours`, `Minutes`, `Seconds`, `Offset` (absolute) or `Days`, `Hours`,
//! `Minutes`, `Seconds` (relative), and `formatTime` accepts such an ad.

use std::sync::Arc;

use super::conv::{self, f64_to_i32, i64_to_i32};
use super::strftime::{strftime, Tm};
use super::Env;
use crate::time::civil;
use crate::{ClassAd, Value};

/// `time()`: seconds since the epoch.
pub fn time(args: &[Value], env: &Env) -> Value {
    if !args.is_empty() {
        return Value::Error;
    }
    Value::Int(env.now())
}

/// `currentTime()`: now as an absolute time in the local zone.
pub fn current_time(args: &[Value], env: &Env) -> Value {
    if !args.is_empty() {
        return Value::Error;
    }
    now_abs(env)
}

fn now_abs(env: &Env) -> Value {
    let now = env.now();
    Value::AbsTime { secs: now, offset: env.offset_at(now) }
}

/// `timeZoneOffset()`: the local zone's offset from UTC now, as a relative time.
pub fn time_zone_offset(args: &[Value], env: &Env) -> Value {
    if !args.is_empty() {
        return Value::Error;
    }
    Value::RelTime(env.offset_at(env.now()) as f64)
}

/// `dayTime()`: seconds since local midnight, as a relative time.
pub fn day_time(args: &[Value], env: &Env) -> Value {
    if !args.is_empty() {
        return Value::Error;
    }
    let now = env.now();
    let c = civil(now.wrapping_add(env.offset_at(now) as i64));
    Value::RelTime((c.hour * 3600 + c.minute * 60 + c.second) as f64)
}

/// Which calendar field a getter reads.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Year,
    Month,
    DayOfYear,
    DayOfMonth,
    DayOfWeek,
    Days,
    Hours,
    Minutes,
    Seconds,
}

fn get_field(args: &[Value], env: &Env, field: Field) -> Value {
    let [v] = args else { return Value::Error };
    match v {
        Value::AbsTime { secs, .. } => {
            // The instant is read in the local zone, whatever its own offset.
            let c = civil(secs.wrapping_add(env.offset_at(*secs) as i64));
            Value::Int(match field {
                Field::Year => c.year,
                Field::Month => c.month as i64,
                Field::DayOfYear => c.yearday as i64,
                Field::DayOfMonth => c.day as i64,
                Field::DayOfWeek => c.weekday as i64,
                Field::Hours => c.hour as i64,
                Field::Minutes => c.minute as i64,
                Field::Seconds => c.second as i64,
                Field::Days => return Value::Error,
            })
        }
        Value::RelTime(r) => {
            // Whole seconds, with C's truncating division and remainder.
            let s = conv::f64_to_i64(*r);
            Value::Int(match field {
                Field::Days => s / 86_400,
                Field::Hours => (s % 86_400) / 3600,
                Field::Minutes => (s % 3600) / 60,
                Field::Seconds => s % 60,
                _ => return Value::Error,
            })
        }
        _ => Value::Error,
    }
}

/// `getYear(t)`: the year of an absolute time (local zone).
pub fn get_year(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::Year)
}

/// `getMonth(t)`: the month, 1-12.
pub fn get_month(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::Month)
}

/// `getDayOfYear(t)`: the day of the year, counted from 0.
pub fn get_day_of_year(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::DayOfYear)
}

/// `getDayOfMonth(t)`: the day of the month, 1-31.
pub fn get_day_of_month(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::DayOfMonth)
}

/// `getDayOfWeek(t)`: the day of the week, Sunday 0.
pub fn get_day_of_week(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::DayOfWeek)
}

/// `getDays(r)`: whole days of a relative time.
pub fn get_days(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::Days)
}

/// `getHours(t)`: the hour of an absolute time, or the hours of a relative one.
pub fn get_hours(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::Hours)
}

/// `getMinutes(t)`: the minute of an absolute time, or the minutes of a relative one.
pub fn get_minutes(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::Minutes)
}

/// `getSeconds(t)`: the second of an absolute time, or the seconds of a relative one.
pub fn get_seconds(args: &[Value], env: &Env) -> Value {
    get_field(args, env, Field::Seconds)
}

/// The offset the second argument of `absTime` gives (`int`, `real` or
/// relative time, read as a C `int`).
fn offset_arg(v: &Value) -> Option<i32> {
    match v {
        Value::Int(i) => Some(i64_to_i32(*i)),
        Value::Real(r) => Some(f64_to_i32(*r)),
        Value::RelTime(r) => Some(i64_to_i32(conv::f64_to_i64(*r))),
        _ => None,
    }
}

fn conv_time(args: &[Value], env: &Env, relative: bool) -> Value {
    if args.is_empty() && !relative {
        return now_abs(env);
    }
    if args.is_empty() || args.len() > 2 {
        return Value::Error;
    }
    let offset = match args.get(1) {
        None => None,
        Some(_) if relative => return Value::Error,
        Some(v) => match offset_arg(v) {
            Some(o) => Some(o),
            None => return Value::Error,
        },
    };
    let abs = |secs: i64| Value::AbsTime { secs, offset: offset.unwrap_or_else(|| env.offset_at(secs)) };
    match &args[0] {
        Value::Undefined => Value::Undefined,
        Value::Error | Value::Ad(_) | Value::List(_) | Value::Bool(_) => Value::Error,
        Value::Int(i) => {
            let i = i64_to_i32(*i) as i64;
            if relative {
                Value::RelTime(i as f64)
            } else {
                abs(i)
            }
        }
        Value::Real(r) => {
            if relative {
                Value::RelTime(*r)
            } else {
                abs(f64_to_i32(*r) as i64)
            }
        }
        // A literal string was made a time by the parser; a computed one
        // falls through HTCondor's switch to the absolute-time case.
        s @ Value::String(_) => {
            if relative {
                Value::RelTime(0.0)
            } else {
                s.clone()
            }
        }
        t @ Value::AbsTime { secs, .. } => {
            if relative {
                Value::RelTime(*secs as f64)
            } else {
                t.clone()
            }
        }
        Value::RelTime(r) => {
            if relative {
                Value::RelTime(*r)
            } else {
                abs(conv::f64_to_i64(*r))
            }
        }
    }
}

/// `absTime(x [, offset])`: an absolute time from seconds since the epoch
/// (the offset defaults to the local zone's), from a relative time, or
/// unchanged; `absTime()` is now.
pub fn abs_time(args: &[Value], env: &Env) -> Value {
    conv_time(args, env, false)
}

/// `relTime(x)`: a relative time of `x` seconds (an absolute time gives
/// its seconds since the epoch).
pub fn rel_time(args: &[Value], env: &Env) -> Value {
    conv_time(args, env, true)
}

/// The ad `splitTime` gives for an absolute time.
fn split_abs(secs: i64, offset: i32) -> ClassAd {
    let c = civil(secs.wrapping_add(offset as i64));
    let mut ad = ClassAd::new();
    ad.insert_value("Type", Value::string("AbsoluteTime"));
    ad.insert_value("Year", Value::Int(c.year));
    ad.insert_value("Month", Value::Int(c.month as i64));
    ad.insert_value("Day", Value::Int(c.day as i64));
    ad.insert_value("Hours", Value::Int(c.hour as i64));
    ad.insert_value("Minutes", Value::Int(c.minute as i64));
    ad.insert_value("Seconds", Value::Int(c.second as i64));
    ad.insert_value("Offset", Value::Int(offset as i64));
    ad
}

/// The ad `splitTime` gives for a relative time: only the leading
/// non-zero field carries the sign.
fn split_rel(r: f64) -> ClassAd {
    let negative = r < 0.0;
    let r = r.abs();
    let whole = f64_to_i32(r);
    let mut days = whole;
    let mut hrs = days % 86_400;
    let mut mins = hrs % 3600;
    let mut secs = (mins % 60) as f64 + (r - r.floor());
    days /= 86_400;
    hrs /= 3600;
    mins /= 60;
    if negative {
        if days > 0 {
            days = -days;
        } else if hrs > 0 {
            hrs = -hrs;
        } else if mins > 0 {
            mins = -mins;
        } else {
            secs = -secs;
        }
    }
    let mut ad = ClassAd::new();
    ad.insert_value("Type", Value::string("RelativeTime"));
    ad.insert_value("Days", Value::Int(days as i64));
    ad.insert_value("Hours", Value::Int(hrs as i64));
    ad.insert_value("Minutes", Value::Int(mins as i64));
    ad.insert_value("Seconds", Value::Real(secs));
    ad
}

/// HTCondor's `doSplitTime`: numbers are absolute times in the local zone,
/// an ad is taken as already split. `None` for other values.
fn split(v: &Value, env: &Env) -> Option<ClassAd> {
    match v {
        Value::Int(i) => Some(split_abs(*i, env.offset_at(*i))),
        Value::Real(r) => {
            let secs = f64_to_i32(*r) as i64;
            Some(split_abs(secs, env.offset_at(secs)))
        }
        Value::AbsTime { secs, offset } => Some(split_abs(*secs, *offset)),
        Value::RelTime(r) => Some(split_rel(*r)),
        Value::Ad(ad) => Some((**ad).clone()),
        _ => None,
    }
}

/// `splitTime(t)`: the fields of a time as an ad.
pub fn split_time(args: &[Value], env: &Env) -> Value {
    let [v] = args else { return Value::Error };
    match v {
        Value::Undefined => Value::Undefined,
        Value::Ad(_) => Value::Error,
        other => match split(other, env) {
            Some(ad) => Value::Ad(Arc::new(ad)),
            None => Value::Error,
        },
    }
}

/// An attribute of a split-time ad as a C `int`, 0 when it is missing or
/// not an integer.
fn int_field(ad: &ClassAd, name: &str) -> i32 {
    match ad.eval_attr(name) {
        Value::Int(i) => i64_to_i32(i),
        _ => 0,
    }
}

/// Day of the week and of the year as HTCondor computes them (from its
/// Rata Die day numbers, in C `int` arithmetic).
fn day_numbers(year: i32, month: i32, day: i32) -> (i32, i32) {
    let fixed = fixed_from_gregorian(year, month, day);
    let jan1 = fixed_from_gregorian(year, 1, 1);
    (fixed.wrapping_rem(7), fixed.wrapping_sub(jan1))
}

fn fixed_from_gregorian(year: i32, month: i32, day: i32) -> i32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let adjust = if month <= 2 {
        0
    } else if leap {
        -1
    } else {
        -2
    };
    let y = year.wrapping_sub(1);
    365i32
        .wrapping_mul(y)
        .wrapping_add(y / 4)
        .wrapping_sub(y / 100)
        .wrapping_add(y / 400)
        .wrapping_add(367i32.wrapping_mul(month).wrapping_sub(362) / 12)
        .wrapping_add(adjust)
        .wrapping_add(day)
}

/// C's `strftime` into HTCondor's 1024-byte buffer: output that does not
/// fit gives the empty string.
fn format_tm(format: &str, tm: &Tm, zone: &str) -> Value {
    let s = strftime(format, tm, zone);
    if s.len() > 1023 {
        return Value::string("");
    }
    Value::string(&s)
}

/// `formatTime([t [, format]])`: `t` (seconds since the epoch in the local
/// zone, an absolute time at its own offset, or a split-time ad) printed
/// with C's `strftime` (default `%c`); `formatTime()` prints now.
pub fn format_time(args: &[Value], env: &Env) -> Value {
    let zone = if env.offset_at(env.now()) == 0 { "UTC" } else { "" };
    if args.is_empty() {
        let now = env.now();
        let offset = env.offset_at(now);
        let c = civil(now.wrapping_add(offset as i64));
        let tm = Tm {
            sec: c.second as i32,
            min: c.minute as i32,
            hour: c.hour as i32,
            mday: c.day as i32,
            mon: c.month as i32 - 1,
            year: (c.year - 1900) as i32,
            wday: c.weekday as i32,
            yday: c.yearday as i32,
            gmtoff: offset as i64,
        };
        return format_tm("%c", &tm, zone);
    }
    if args.len() > 2 {
        return Value::Error;
    }
    let t = &args[0];
    if matches!(t, Value::RelTime(_)) {
        return Value::Error;
    }
    let Some(ad) = split(t, env) else { return Value::Error };
    let year = match ad.eval_attr("Year") {
        Value::Int(y) => i64_to_i32(y).wrapping_sub(1900),
        _ => 0,
    };
    let mon = match ad.eval_attr("Month") {
        Value::Int(m) => i64_to_i32(m).wrapping_sub(1),
        _ => 0,
    };
    let mday = int_field(&ad, "Day");
    let (wday, yday) = day_numbers(year.wrapping_add(1900), mon.wrapping_add(1), mday);
    let tm = Tm {
        sec: int_field(&ad, "Seconds"),
        min: int_field(&ad, "Minutes"),
        hour: int_field(&ad, "Hours"),
        mday,
        mon,
        year,
        wday,
        yday,
        gmtoff: 0,
    };
    let format = match args.get(1) {
        None => "%c",
        Some(Value::String(f)) => f,
        Some(_) => return Value::Error,
    };
    format_tm(format, &tm, zone)
}

/// `interval(secs)`: `[-]D+HH:MM:SS`, `H:MM:SS`, `M:SS` or `S` (leading
/// zero fields dropped), the seconds read as a C `int`.
pub fn interval(args: &[Value], _: &Env) -> Value {
    let [v] = args else { return Value::Error };
    let Ok(total) = conv::to_int(v) else { return Value::Error };
    let mut t = i64_to_i32(total);
    let days = t / 86_400;
    t %= 86_400;
    let hours = t / 3600;
    t %= 3600;
    let min = t / 60;
    let secs = t % 60;
    let text = if days != 0 {
        format!("{days}+{:02}:{:02}:{:02}", hours.abs(), min.abs(), secs.abs())
    } else if hours != 0 {
        format!("{hours}:{:02}:{:02}", min.abs(), secs.abs())
    } else if min != 0 {
        format!("{min}:{:02}", secs.abs())
    } else {
        format!("{secs}")
    };
    Value::string(&text)
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn clock_functions_use_the_environment() {
        check("time()", "1700000000");
        check("time(1)", "error");
        check("currentTime()", "abstime(1700000000, 0)");
        check("absTime()", "abstime(1700000000, 0)");
        check("timeZoneOffset()", "reltime(0.0)");
        check("dayTime()", "reltime(80000.0)");
        check("dayTime(1)", "error");
    }

    #[test]
    fn abs_and_rel_time_conversions() {
        check("absTime(5)", "abstime(5, 0)");
        check("absTime(5, 3600)", "abstime(5, 3600)");
        check("absTime(5.7, 3600.9)", "abstime(5, 3600)");
        check("absTime(4294967297)", "abstime(1, 0)");
        check("absTime(relTime(5.5))", "abstime(5, 0)");
        check("absTime(absTime(5, 60), 7)", "abstime(5, 60)");
        check("absTime(undefined)", "undefined");
        check("absTime(undefined, \"x\")", "error");
        check("absTime(true)", "error");
        check("absTime({1})", "error");
        check("absTime(\"20\")", "\"20\"");
        check("absTime(1, 2, 3)", "error");
        check("relTime(5)", "reltime(5.0)");
        check("relTime(2.5)", "reltime(2.5)");
        check("relTime(absTime(5, 60))", "reltime(5.0)");
        check("relTime(\"20\")", "reltime(0.0)");
        check("relTime(5, 1)", "error");
        check("relTime()", "error");
        check("relTime(error)", "error");
    }

    #[test]
    fn field_getters() {
        check("getYear(absTime(0, 3600))", "1970");
        check("getMonth(absTime(1700000000))", "11");
        check("getDayOfMonth(absTime(1700000000))", "14");
        check("getDayOfWeek(absTime(1700000000))", "2");
        check("getDayOfYear(absTime(3456000))", "40");
        check("getHours(absTime(1700000000))", "22");
        check("getMinutes(absTime(1700000000))", "13");
        check("getSeconds(absTime(1700000000))", "20");
        check("getDays(absTime(0))", "error");
        check("getDays(relTime(-90061))", "-1");
        check("getHours(relTime(-90061))", "-1");
        check("getMinutes(relTime(90061))", "1");
        check("getSeconds(relTime(-90061))", "-1");
        check("getYear(relTime(5))", "error");
        check("getYear(5)", "error");
        check("getYear()", "error");
    }

    #[test]
    fn split_time_ads() {
        check(
            "splitTime(absTime(0, 3600))",
            "[Type = \"AbsoluteTime\"; Year = 1970; Month = 1; Day = 1; Hours = 1; Minutes = 0; Seconds = 0; Offset = 3600]",
        );
        check(
            "splitTime(1.5)",
            "[Type = \"AbsoluteTime\"; Year = 1970; Month = 1; Day = 1; Hours = 0; Minutes = 0; Seconds = 1; Offset = 0]",
        );
        check(
            "splitTime(relTime(-90061.5))",
            "[Type = \"RelativeTime\"; Days = -1; Hours = 1; Minutes = 1; Seconds = 1.5]",
        );
        check(
            "splitTime(relTime(-61))",
            "[Type = \"RelativeTime\"; Days = 0; Hours = 0; Minutes = -1; Seconds = 1.0]",
        );
        check("splitTime(undefined)", "undefined");
        check("splitTime([a = 1])", "error");
        check("splitTime(\"x\")", "error");
        check("splitTime(true)", "error");
        check("splitTime()", "error");
    }

    #[test]
    fn format_time_like_strftime() {
        check("formatTime(0)", "\"Thu Jan  1 00:00:00 1970\"");
        check("formatTime(-1, \"%Y-%m-%d %H:%M:%S\")", "\"1969-12-31 23:59:59\"");
        check("formatTime(86399, \"%j\")", "\"001\"");
        check("formatTime(1700000000, \"%s\")", "\"1700000000\"");
        check("formatTime(0, \"%Z|%z\")", "\"UTC|+0000\"");
        check("formatTime(absTime(0, 3600), \"%H %z\")", "\"01 +0000\"");
        check("formatTime(1.9e10)", "\"Fri Dec 13 20:45:52 1901\"");
        check("formatTime([Year = 2020; Month = 13; Day = 40; Hours = 25], \"%c|%j|%a|%s\")", "\"Tue ? 40 25:00:00 2020|406|Tue|1612918800\"");
        check("formatTime([Year = 2020.5], \"%Y\")", "\"1900\"");
        check("formatTime()", "\"Tue Nov 14 22:13:20 2023\"");
        check("formatTime(relTime(5))", "error");
        check("formatTime(undefined)", "error");
        check("formatTime(\"x\")", "error");
        check("formatTime(true)", "error");
        check("formatTime(0, 1)", "error");
        check("formatTime(0, \"%c\", 1)", "error");
    }

    #[test]
    fn intervals() {
        check("interval(0)", "\"0\"");
        check("interval(59)", "\"59\"");
        check("interval(-5)", "\"-5\"");
        check("interval(3700)", "\"1:01:40\"");
        check("interval(90061)", "\"1+01:01:01\"");
        check("interval(-90061)", "\"-1+01:01:01\"");
        check("interval(\"90\")", "\"1:30\"");
        check("interval(true)", "\"1\"");
        check("interval(4294967297)", "\"1\"");
        check("interval(4.5)", "\"4\"");
        check("interval(undefined)", "error");
        check("interval(\"x\")", "error");
        check("interval()", "error");
    }
}
