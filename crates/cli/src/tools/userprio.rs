//! `condor_userprio`: the negotiator's accounting records (user
//! priorities, usage) in HTCondor's table, and the edits an administrator
//! makes (`-setfactor`, `-setprio`, `-setaccum`, `-resetusage`,
//! `-resetall`, `-delete`).
//!
//! The figures come from the negotiator's `/v1/negotiator/priorities`
//! (`proto::negotiator`); edits go to `/v1/negotiator/priorities/edit`.
//! The table is laid out as HTCondor lays it out: a name column at least as
//! wide as `Number of users: N`, then one right-aligned field per column
//! (`Effective Priority`, `Priority Factor`, `Wghted In Use`, `Total Usage
//! (wghted-hrs)`, `Time Since Last Usage`, …) under two centred heading
//! rows, dashes under the headings and under the rows, and a totals line.
//! Users whose last usage is older than a day are left out unless
//! `-allusers` is given or they are named.

use std::process::ExitCode;

use proto::address::Daemon;
use proto::negotiator::{Priorities, PrioritiesQuery, PriorityEdit, SubmitterPriority};

use super::daemon_client::{self, Target};

const USAGE: &str = "usage: condor_userprio [options] [edit-option | display-options [usernames]]
    where [options] are
\t-name <name>\t\tName of negotiator
\t-pool <host>\t\tUse host as the central manager to query
\t-help\t\t\tThis Screen
    where [edit-option] is one of
\t-resetusage <user>\tReset usage data for <user>
\t-resetall\t\tReset all usage data
\t-delete <user>\t\tRemove a user record from the accountant
\t-setprio <user> <val>\tSet priority for <user>
\t-setfactor <user> <val>\tSet priority factor for <user>
\t-setaccum <user> <val>\tSet Accumulated usage for <user>
    where [display-options] are one or more of
\t-allusers\t\tDisplay data for all users
\t-priority\t\tDisplay user priority fields
\t-usage\t\t\tDisplay user/group usage fields
\t-most\t\t\tDisplay most useful prio and usage fields
\t-all\t\t\tDisplay all fields
\t-long\t\t\tVerbose output (one ClassAd per user)
\t-json\t\t\tThe records as JSON
   if [usernames] is specified, output will be restricted to the given names if possible.
Options, JSON output and exit status: aerie help userprio";

/// The columns HTCondor can show, in its order (width, two heading rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Priority,
    RealPrio,
    Factor,
    ResUsed,
    WtResUsed,
    UseTime1,
    UseTime2,
    UseDeltaT,
    Floor,
    Ceiling,
}

impl Col {
    const ORDER: [Col; 10] = [
        Col::Priority,
        Col::RealPrio,
        Col::Factor,
        Col::ResUsed,
        Col::WtResUsed,
        Col::UseTime1,
        Col::UseTime2,
        Col::UseDeltaT,
        Col::Floor,
        Col::Ceiling,
    ];

    fn width(self) -> usize {
        match self {
            Col::Priority | Col::WtResUsed => 12,
            Col::RealPrio => 8,
            Col::Factor | Col::Floor | Col::Ceiling => 9,
            Col::ResUsed => 6,
            Col::UseTime1 | Col::UseTime2 => 16,
            Col::UseDeltaT => 10,
        }
    }

    fn heads(self) -> (&'static str, &'static str) {
        match self {
            Col::Priority => ("Effective", "Priority"),
            Col::RealPrio => ("Real", "Priority"),
            Col::Factor => ("Priority", "Factor"),
            Col::ResUsed => ("Wghted", "In Use"),
            Col::WtResUsed => ("Total Usage", "(wghted-hrs)"),
            Col::UseTime1 => ("Usage", "Start Time"),
            Col::UseTime2 => ("Last", "Usage Time"),
            Col::UseDeltaT => ("Time Since", "Last Usage"),
            Col::Floor => ("Submitter", "Floor"),
            Col::Ceiling => ("Submitter", "Ceiling"),
        }
    }
}

/// Which columns the options ask for (HTCondor's defaults: `-most` without
/// the group quota columns, which a pool without accounting groups hides).
#[derive(Debug, Clone, Copy, Default)]
struct Detail {
    priority: bool,
    usage: bool,
    most: bool,
    all: bool,
}

impl Detail {
    fn columns(self) -> Vec<Col> {
        let none = !(self.priority || self.usage || self.most || self.all);
        let most = self.most || none;
        Col::ORDER
            .into_iter()
            .filter(|c| match c {
                Col::Priority | Col::Factor => most || self.all || self.priority,
                Col::RealPrio => self.all || self.priority,
                Col::ResUsed | Col::WtResUsed => most || self.all || self.usage,
                Col::UseTime1 | Col::UseTime2 => self.all || self.usage,
                Col::UseDeltaT | Col::Floor | Col::Ceiling => most || self.all,
            })
            .collect()
    }
}

/// `text` in a field of `width`: left, right or centred as HTCondor pads.
fn pad(text: &str, width: usize, align: char) -> String {
    let len = text.chars().count();
    if len >= width {
        return text.chars().take(width).collect();
    }
    let room = width - len;
    match align {
        'r' => format!("{}{text}", " ".repeat(room)),
        'c' => format!("{}{text}{}", " ".repeat(room / 2), " ".repeat(room - room / 2)),
        _ => format!("{text}{}", " ".repeat(room)),
    }
}

/// A number right-aligned in `width` with `decimals` (HTCondor falls back to
/// `%g` when it does not fit).
fn num(v: f64, width: usize, decimals: usize) -> String {
    let s = format!("{v:width$.decimals$}");
    if s.len() > width {
        let g = format_g(v, width.saturating_sub(6).max(1));
        return pad(&g, width, 'r');
    }
    s
}

/// C's `%.Ng`: `n` significant digits, trailing zeros dropped.
fn format_g(v: f64, n: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    if exp < -4 || exp >= n as i32 {
        let s = format!("{:.*e}", n.saturating_sub(1), v);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
        let e: i32 = e.parse().unwrap_or(0);
        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        let dec = (n as i32 - 1 - exp).max(0) as usize;
        let s = format!("{v:.dec$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// `M/D HH:MM` (HTCondor's `format_date`, local time).
fn date(t: i64) -> String {
    use chrono::{Datelike, TimeZone, Timelike};
    match chrono::Local.timestamp_opt(t, 0).single() {
        Some(d) if t >= 0 => format!("{:2}/{:<2} {:02}:{:02}", d.month(), d.day(), d.hour(), d.minute()),
        _ => "    ???    ".into(),
    }
}

/// `M/DD/YYYY HH:MM` (`format_date_year`).
fn date_year(t: i64) -> String {
    use chrono::{Datelike, TimeZone, Timelike};
    match chrono::Local.timestamp_opt(t, 0).single() {
        Some(d) if t >= 0 => format!("{:2}/{:02}/{:<4} {:02}:{:02}", d.month(), d.day(), d.year(), d.hour(), d.minute()),
        _ => "    ???    ".into(),
    }
}

/// `D+HH:MM` (`format_time_nosecs`).
fn delta(secs: i64) -> String {
    if secs < 0 {
        return "[?????]".into();
    }
    format!("{:3}+{:02}:{:02}", secs / 86400, (secs % 86400) / 3600, (secs % 3600) / 60)
}

fn cell(col: Col, s: &SubmitterPriority, now: i64) -> String {
    let w = col.width();
    match col {
        Col::Priority => num(s.effective_priority, w, 2),
        Col::RealPrio => num(s.real_priority, w, 2),
        Col::Factor => {
            if s.priority_factor > 0.0 {
                num(s.priority_factor, w, 2)
            } else {
                " ".repeat(w)
            }
        }
        Col::ResUsed => num(s.weighted_resources_used, w, 0),
        Col::WtResUsed => num(s.weighted_accumulated_usage / 3600.0, w, 2),
        Col::UseTime1 => pad(if s.begin_usage_time > 0 { date_year(s.begin_usage_time) } else { String::new() }.as_str(), w, 'r'),
        Col::UseTime2 => pad(if s.last_usage_time > 0 { date_year(s.last_usage_time) } else { String::new() }.as_str(), w, 'r'),
        Col::UseDeltaT => {
            let d = now - s.last_usage_time;
            pad(&if d <= 0 { "<now>".to_string() } else { delta(d) }, w, 'r')
        }
        Col::Floor | Col::Ceiling => " ".repeat(w),
    }
}

/// The table HTCondor prints for these records.
fn table(p: &Priorities, rows: &[&SubmitterPriority], cols: &[Col], min_last_usage: i64) -> String {
    let now = p.last_update;
    let count_text = |n: usize| format!("Number of users: {n}");
    let mut name_w = rows.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).clamp(10, 99);
    name_w = name_w.max(count_text(p.submitters.len()).len());
    let line = |first: String, fields: &mut dyn Iterator<Item = String>| {
        let mut l = first;
        for f in fields {
            l.push(' ');
            l.push_str(&f);
        }
        l.push('\n');
        l
    };
    let mut out = format!("Last Priority Update: {}\n", date(p.last_update));
    out += &line(" ".repeat(name_w), &mut cols.iter().map(|c| pad(c.heads().0, c.width(), 'c')));
    out += &line(pad("User Name", name_w, 'l'), &mut cols.iter().map(|c| pad(c.heads().1, c.width(), 'c')));
    let dashes = line("-".repeat(name_w), &mut cols.iter().map(|c| "-".repeat(c.width())));
    out += &dashes;
    let (mut in_use, mut acc) = (0.0, 0.0);
    for s in rows {
        out += &line(pad(&s.name, name_w, 'l'), &mut cols.iter().map(|c| cell(*c, s, now)));
        in_use += s.weighted_resources_used;
        acc += s.weighted_accumulated_usage;
    }
    out += &dashes;
    out += &line(
        pad(&count_text(rows.len()), name_w, 'l'),
        &mut cols.iter().map(|c| match c {
            Col::ResUsed => num(in_use, c.width(), 0),
            Col::WtResUsed => num(acc / 3600.0, c.width(), 2),
            Col::UseTime2 if min_last_usage > 0 => pad(&date_year(min_last_usage), c.width(), 'r'),
            Col::UseDeltaT if min_last_usage > 0 => pad(&delta(now - min_last_usage), c.width(), 'r'),
            _ => " ".repeat(c.width()),
        }),
    );
    out
}

/// One record as a ClassAd in HTCondor's attribute names (`-long`).
fn long_ad(s: &SubmitterPriority, p: &Priorities) -> String {
    let q = proto::collector::quote;
    format!(
        "AccumulatedUsage = {}\nBeginUsageTime = {}\nIsAccountingGroup = false\nLastUpdate = {}\nLastUsageTime = {}\nName = {}\nPriority = {}\nPriorityFactor = {}\nResourcesUsed = {}\nWeightedAccumulatedUsage = {}\nWeightedResourcesUsed = {}\n\n",
        s.accumulated_usage,
        s.begin_usage_time,
        p.last_update,
        s.last_usage_time,
        q(&s.name),
        s.effective_priority,
        s.priority_factor,
        s.resources_used,
        s.weighted_accumulated_usage,
        s.weighted_resources_used
    )
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("condor_userprio: {msg}");
    ExitCode::from(1)
}

/// HTCondor's check that an edit names a full submitter (`user@domain`).
fn full_name(name: &str) -> Result<(), String> {
    if name.contains('@') {
        Ok(())
    } else {
        Err(format!(
            "You must specify the full name of the submittor you wish\n\tto update the priority of (user@uid.domain or user@full.host.name)\n\t(got '{name}')"
        ))
    }
}

pub fn main(args: &[String]) -> ExitCode {
    let mut target = Target::default();
    let mut detail = Detail::default();
    let (mut allusers, mut long, mut json) = (false, false, false);
    let mut names: Vec<String> = Vec::new();
    let mut edit: Option<(PriorityEdit, String)> = None;
    let mut i = 0;
    let arg = |i: usize| args.get(i).cloned();
    while i < args.len() {
        let a = args[i].as_str();
        let opt = a.trim_start_matches('-');
        let is = |name: &str, min: usize| a.starts_with('-') && opt.len() >= min && name.starts_with(opt);
        if is("help", 1) {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        } else if is("name", 4) || is("pool", 1) {
            let Some(v) = arg(i + 1) else { return fail(format!("{a} requires an argument")) };
            if is("name", 4) {
                target.name = Some(v);
            } else {
                target.pool = Some(v);
            }
            i += 1;
        } else if is("allusers", 4) {
            allusers = true;
        } else if is("all", 3) {
            detail.all = true;
        } else if is("most", 2) {
            detail.most = true;
        } else if is("usage", 2) {
            detail.usage = true;
        } else if is("priority", 4) {
            detail.priority = true;
        } else if is("long", 1) {
            long = true;
        } else if is("json", 2) {
            json = true;
        } else if is("resetall", 6) {
            edit = Some((PriorityEdit::ResetAllUsage, "The accumulated usage was reset for all users".into()));
        } else if is("resetusage", 6) || is("delete", 3) {
            let Some(n) = arg(i + 1) else { return fail(format!("{a} requires a user name")) };
            if let Err(e) = full_name(&n) {
                return fail(e);
            }
            edit = Some(if is("delete", 3) {
                (PriorityEdit::Delete { name: n.clone() }, format!("The accountant record named {n} was deleted"))
            } else {
                (PriorityEdit::ResetUsage { name: n.clone() }, format!("The accumulated usage of {n} was reset"))
            });
            i += 1;
        } else if is("setfactor", 4) || is("setprio", 4) || is("setaccum", 4) {
            let (Some(n), Some(v)) = (arg(i + 1), arg(i + 2)) else { return fail(format!("{a} requires a user name and a value")) };
            if let Err(e) = full_name(&n) {
                return fail(e);
            }
            let Ok(x) = v.parse::<f64>() else { return fail(format!("{a}: '{v}' is not a number")) };
            edit = Some(if is("setfactor", 4) {
                if x < 1.0 {
                    return fail("Priority factors must be greater than or equal to 1.");
                }
                (PriorityEdit::SetFactor { name: n.clone(), factor: x }, format!("The priority factor of {n} was set to {x:.6}"))
            } else if is("setprio", 4) {
                (PriorityEdit::SetPriority { name: n.clone(), priority: x }, format!("The priority of {n} was set to {x:.6}"))
            } else {
                if x < 0.0 {
                    return fail("Usage must be greater than 0 seconds");
                }
                (PriorityEdit::SetAccumulated { name: n.clone(), usage: x }, format!("The Accumulated Usage of {n} was set to {x:.6}"))
            });
            i += 2;
        } else if a.starts_with('-') {
            eprintln!("condor_userprio: unknown option {a}\n{USAGE}");
            return ExitCode::from(1);
        } else {
            names.push(a.to_string());
        }
        i += 1;
    }
    let client = match daemon_client::connect(Daemon::Negotiator, &target) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "condor_userprio: Can't locate negotiator '{}' in {}: {e}",
                target.name.as_deref().unwrap_or("default"),
                target.pool.as_deref().unwrap_or("local pool")
            );
            return ExitCode::from(1);
        }
    };
    if let Some((e, done)) = edit {
        return match client.post::<_, Priorities>("/v1/negotiator/priorities/edit", &e) {
            Ok(_) => {
                println!("{done}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    let want_all = allusers || !names.is_empty();
    let p: Priorities = match client.post("/v1/negotiator/priorities", &PrioritiesQuery { all: want_all }) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let min_last_usage = if want_all { -1 } else { p.last_update - 86400 };
    let named = |s: &SubmitterPriority| {
        names.is_empty() || names.iter().any(|n| *n == s.name || s.name.split('@').next() == Some(n.as_str()))
    };
    let rows: Vec<&SubmitterPriority> =
        p.submitters.iter().filter(|s| named(s) && (want_all || s.last_usage_time >= min_last_usage)).collect();
    if json {
        match serde_json::to_string_pretty(&rows) {
            Ok(t) => println!("{t}"),
            Err(e) => return fail(e),
        }
        return ExitCode::SUCCESS;
    }
    if long {
        let text: String = rows.iter().map(|s| long_ad(s, &p)).collect();
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    if p.submitters.is_empty() {
        // HTCondor prints nothing when the accountant has no records.
        return ExitCode::SUCCESS;
    }
    print!("{}", table(&p, &rows, &detail.columns(), min_last_usage));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, prio: f64, in_use: f64, hours: f64, last: i64) -> SubmitterPriority {
        SubmitterPriority {
            name: name.into(),
            effective_priority: prio,
            real_priority: prio,
            priority_factor: 1.0,
            resources_used: in_use as u64,
            weighted_resources_used: in_use,
            accumulated_usage: hours * 3600.0,
            weighted_accumulated_usage: hours * 3600.0,
            begin_usage_time: last - 7200,
            last_usage_time: last,
            share: 0.5,
        }
    }

    #[test]
    fn the_default_table_has_htcondors_columns_widths_and_footer() {
        let now = 1_800_000_000;
        let p = Priorities {
            now,
            last_update: now,
            half_life_secs: 86400.0,
            submitters: vec![rec("alice@pool", 0.5, 2.0, 1.25, now), rec("bob@pool", 12.75, 0.0, 0.5, now - 3700)],
        };
        let rows: Vec<&SubmitterPriority> = p.submitters.iter().collect();
        let t = table(&p, &rows, &Detail::default().columns(), now - 86400);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("Last Priority Update: "));
        // Name column: "Number of users: 2" (18) is wider than any name.
        assert_eq!(lines[1], format!("{} {} {} {} {} {} {} {}", " ".repeat(18), " Effective  ", "Priority ", "Wghted", "Total Usage ", "Time Since", "Submitter", "Submitter"));
        assert_eq!(lines[2], format!("{:<18} {} {} {} {} {} {} {}", "User Name", "  Priority  ", " Factor  ", "In Use", "(wghted-hrs)", "Last Usage", "  Floor  ", " Ceiling "));
        assert_eq!(lines[3], format!("{} {} {} {} {} {} {} {}", "-".repeat(18), "-".repeat(12), "-".repeat(9), "-".repeat(6), "-".repeat(12), "-".repeat(10), "-".repeat(9), "-".repeat(9)));
        assert_eq!(lines[4], format!("{:<18} {:>12} {:>9} {:>6} {:>12} {:>10} {} {}", "alice@pool", "0.50", "1.00", "2", "1.25", "<now>", " ".repeat(9), " ".repeat(9)));
        assert_eq!(lines[5], format!("{:<18} {:>12} {:>9} {:>6} {:>12} {:>10} {} {}", "bob@pool", "12.75", "1.00", "0", "0.50", "0+01:01", " ".repeat(9), " ".repeat(9)));
        assert_eq!(lines[6], lines[3]);
        assert_eq!(lines[7], format!("{:<18} {} {} {:>6} {:>12} {:>10} {} {}", "Number of users: 2", " ".repeat(12), " ".repeat(9), "2", "1.75", "1+00:00", " ".repeat(9), " ".repeat(9)));
        assert_eq!(lines.len(), 8);
    }

    #[test]
    fn option_columns_follow_htcondors_detail_flags() {
        assert_eq!(Detail { priority: true, ..Default::default() }.columns(), [Col::Priority, Col::RealPrio, Col::Factor]);
        assert_eq!(Detail { usage: true, ..Default::default() }.columns(), [Col::ResUsed, Col::WtResUsed, Col::UseTime1, Col::UseTime2]);
        assert_eq!(Detail { all: true, ..Default::default() }.columns().len(), 10);
    }

    #[test]
    fn numbers_too_wide_fall_back_to_g_format() {
        assert_eq!(num(0.5, 12, 2), "        0.50");
        assert_eq!(num(123456789012.0, 9, 2), " 1.23e+11");
        assert_eq!(format_g(1234.5, 3), "1.23e+03");
        assert_eq!(delta(90061), "  1+01:01");
    }
}
