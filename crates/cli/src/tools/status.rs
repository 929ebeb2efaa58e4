//! `condor_status`: the pool's slots and daemons, as the collector has them.
//!
//! Views, with HTCondor's columns and spacing (scripts read them):
//! the default slot table with its state totals, `-compact` (one row per
//! machine), `-total` (totals only), `-schedd` (and `-master`, `-collector`,
//! `-negotiator`, `-submitters`, `-any` for `-af`/`-long`), `-af` /
//! `-autoformat[:hln,]`, `-long`, `-json`; `-constraint EXPR` filters in the
//! collector; names given as arguments select slots or machines.

use std::collections::BTreeMap;
use std::process::ExitCode;

use classad::{ClassAd, Expr, Value};
use proto::collector::{unquote, AdQuery};
use proto::WireAd;

const USAGE: &str = "\
Usage: condor_status [options] [name ...]
    -af[:hln,] ATTR ...    print the attributes (expressions) of each ad
    -long / -l             print whole ads
    -json                  print ads as JSON
    -total                 print only the totals
    -compact               one row per machine
    -constraint EXPR       only ads for which EXPR is true
    -schedd | -master | -collector | -negotiator | -submitters | -any
                           which daemons' ads (default: slots)
    -pool HOST[:PORT]      ask this collector";

#[derive(Debug, Clone, Copy, PartialEq)]
enum View {
    Slots,
    Compact,
    Schedd,
    Other,
}

struct Opts {
    ad_type: &'static str,
    view: View,
    af: Option<(String, Vec<String>)>,
    long: bool,
    json: bool,
    total_only: bool,
    constraint: Option<String>,
    names: Vec<String>,
    pool: Option<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        ad_type: "Machine",
        view: View::Slots,
        af: None,
        long: false,
        json: false,
        total_only: false,
        constraint: None,
        names: Vec::new(),
        pool: None,
    };
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let lower = a.to_ascii_lowercase();
        let opt = lower.trim_start_matches('-');
        if !a.starts_with('-') {
            o.names.push(a.clone());
            continue;
        }
        let (name, flags) = opt.split_once(':').unwrap_or((opt, ""));
        match name {
            "af" | "autoformat" => {
                let mut attrs = Vec::new();
                while let Some(n) = it.peek() {
                    if n.starts_with('-') {
                        break;
                    }
                    attrs.push(it.next().cloned().unwrap_or_default());
                }
                if attrs.is_empty() {
                    return Err(format!("condor_status: -{name} needs at least one attribute, e.g. -af Name Cpus"));
                }
                o.af = Some((flags.to_string(), attrs));
            }
            "long" | "l" => o.long = true,
            "json" => o.json = true,
            "total" | "totals" => o.total_only = true,
            "compact" => o.view = View::Compact,
            "constraint" | "const" => {
                let c = it.next().ok_or("condor_status: -constraint needs an expression, e.g. -constraint 'Memory > 1024'")?;
                o.constraint = Some(match o.constraint.take() {
                    Some(prev) => format!("({prev}) && ({c})"),
                    None => c.clone(),
                });
            }
            "pool" => o.pool = Some(it.next().ok_or("condor_status: -pool needs a collector, e.g. -pool cm.example.org")?.clone()),
            "schedd" | "scheduler" => {
                o.ad_type = "Scheduler";
                o.view = View::Schedd;
            }
            "master" => {
                o.ad_type = "DaemonMaster";
                o.view = View::Other;
            }
            "collector" => {
                o.ad_type = "Collector";
                o.view = View::Other;
            }
            "negotiator" => {
                o.ad_type = "Negotiator";
                o.view = View::Other;
            }
            "submitters" | "submitter" => {
                o.ad_type = "Submitter";
                o.view = View::Other;
            }
            "any" => {
                o.ad_type = "Any";
                o.view = View::Other;
            }
            "startd" | "machine" | "slots" => {
                o.ad_type = "Machine";
                o.view = View::Slots;
            }
            "help" | "h" => return Err(USAGE.to_string()),
            _ => return Err(format!("condor_status: unknown option {a}\n{USAGE}")),
        }
    }
    Ok(o)
}

pub fn main(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(msg) => {
            let help = msg == USAGE;
            if help {
                println!("{msg}");
                return ExitCode::SUCCESS;
            }
            eprintln!("{msg}");
            return ExitCode::from(1);
        }
    };
    let settings = match daemon::Settings::load("TOOL") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("condor_status: {e}");
            return ExitCode::from(1);
        }
    };
    let addr = match &o.pool {
        Some(p) => match daemon::locate::tcp_of_collector_host(p) {
            Some(a) => a,
            None => {
                eprintln!("condor_status: -pool {p} is not HOST or HOST:PORT");
                return ExitCode::from(1);
            }
        },
        None => match daemon::locate::collector_address(&settings) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("Error: Couldn't contact the condor_collector on {}.\n  {e}", settings.get_or("COLLECTOR_HOST", "this host"));
                return ExitCode::from(1);
            }
        },
    };
    let mut constraint = o.constraint.clone();
    if !o.names.is_empty() {
        let any: Vec<String> = o
            .names
            .iter()
            .map(|n| {
                let q = proto::collector::quote(n);
                format!("(Name == {q} || Machine == {q})")
            })
            .collect();
        let by_name = any.join(" || ");
        constraint = Some(match constraint {
            Some(c) => format!("({c}) && ({by_name})"),
            None => by_name,
        });
    }
    let query = AdQuery { ad_type: Some(o.ad_type.to_string()), constraint, projection: Vec::new(), limit: None };
    let client = match client::BlockingClient::new(addr.clone()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("condor_status: {e}");
            return ExitCode::from(1);
        }
    };
    let mut ads = match client::collector::query_blocking(&client, &query) {
        Ok(a) => a,
        Err(e) => {
            if let Some(api) = e.api() {
                eprintln!("condor_status: {}", api.message);
                if let Some(h) = &api.hint {
                    eprintln!("  {h}");
                }
            } else {
                eprintln!("Error: Couldn't contact the condor_collector at {addr}.\n  {e}");
            }
            return ExitCode::from(1);
        }
    };
    sort_ads(&mut ads);
    let now = daemon::ads::now_secs();
    let out = render(&o, &ads, now);
    print!("{out}");
    ExitCode::SUCCESS
}

/// Order slots naturally: by machine, then slot number, then dynamic number.
fn sort_ads(ads: &mut [WireAd]) {
    let key = |a: &WireAd| {
        let s = |k: &str| a.get(k).and_then(unquote).unwrap_or_default();
        let n = |k: &str| a.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (s("Machine"), n("SlotID"), n("DSlotId"), s("Name"))
    };
    ads.sort_by_key(key);
}

/// Everything `condor_status` prints for `ads`.
fn render(o: &Opts, ads: &[WireAd], now: i64) -> String {
    if let Some((flags, attrs)) = &o.af {
        return autoformat(ads, flags, attrs);
    }
    if o.long {
        return long(ads);
    }
    if o.json {
        return json(ads);
    }
    if ads.is_empty() {
        return String::new();
    }
    match o.view {
        // HTCondor keeps the blank line that would follow the table.
        View::Slots if o.total_only => format!("\n{}", slot_totals(ads, false)),
        View::Slots => {
            let mut s = slot_table(ads, now);
            s.push('\n');
            s.push_str(&slot_totals(ads, false));
            s
        }
        View::Compact if o.total_only => format!("\n{}", slot_totals(ads, true)),
        View::Compact => {
            let mut s = compact_table(ads);
            s.push('\n');
            s.push_str(&slot_totals(ads, true));
            s
        }
        View::Schedd if o.total_only => format!("\n{}", schedd_totals(ads)),
        View::Schedd => {
            let mut s = schedd_table(ads);
            s.push('\n');
            s.push_str(&schedd_totals(ads));
            s
        }
        View::Other => other_table(ads),
    }
}

fn string_of(ad: &WireAd, attr: &str) -> Option<String> {
    let v = ad.get(attr)?;
    Some(unquote(v).unwrap_or_else(|| v.to_string()))
}

fn num_of(ad: &WireAd, attr: &str) -> Option<f64> {
    let v = ad.get(attr)?.trim();
    v.parse::<f64>().ok().or_else(|| match Expr::parse_old(v).ok()?.eval(None, None) {
        Value::Int(i) => Some(i as f64),
        Value::Real(r) => Some(r),
        _ => None,
    })
}

fn to_classad(ad: &WireAd) -> ClassAd {
    let mut c = ClassAd::new();
    for (k, v) in &ad.0 {
        if let Ok(e) = Expr::parse_old(v) {
            c.insert(k, e);
        }
    }
    c
}

/// `d+hh:mm:ss`.
fn elapsed(secs: i64) -> String {
    let s = secs.max(0);
    format!("{}+{:02}:{:02}:{:02}", s / 86400, (s % 86400) / 3600, (s % 3600) / 60, s % 60)
}

fn slot_table(ads: &[WireAd], now: i64) -> String {
    let name_w = ads.iter().map(|a| string_of(a, "Name").unwrap_or_default().len()).max().unwrap_or(0).max(34);
    let state_w = ads.iter().map(|a| string_of(a, "State").map(|s| s.len()).unwrap_or(2)).max().unwrap_or(0).max(5);
    let mut out = format!(
        "{:<name_w$} {:<10} {:<8} {:<state_w$} {:<8} {:>6} {:<6}{:>12}\n\n",
        "Name", "OpSys", "Arch", "State", "Activity", "LoadAv", "Mem", "  ActvtyTime"
    );
    for a in ads {
        let or = |v: Option<String>| v.unwrap_or_else(|| "??".into());
        let load = num_of(a, "CondorLoadAvg").map(|l| format!("{l:.3}")).unwrap_or_else(|| "??".into());
        let mem = num_of(a, "Memory").map(|m| format!("{:6}", m as i64)).unwrap_or_else(|| format!("{:>6}", "??"));
        let at = num_of(a, "MyCurrentTime").or_else(|| num_of(a, "LastHeardFrom")).map(|t| t as i64).unwrap_or(now);
        let atime = num_of(a, "EnteredCurrentActivity").map(|e| elapsed(at - e as i64)).unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<name_w$} {:<10} {:<8} {:<state_w$} {:<8} {:>6} {}{:>12}\n",
            or(string_of(a, "Name")),
            or(string_of(a, "OpSys")),
            or(string_of(a, "Arch")),
            or(string_of(a, "State")),
            or(string_of(a, "Activity")),
            load,
            mem,
            atime,
        ));
    }
    out
}

#[derive(Default, Clone, Copy)]
struct StateCounts {
    total: i64,
    owner: i64,
    claimed: i64,
    unclaimed: i64,
    matched: i64,
    preempting: i64,
    drained: i64,
    backfill: i64,
    bkidle: i64,
}

impl StateCounts {
    fn add(&mut self, state: &str) {
        match state {
            "Owner" => self.owner += 1,
            "Claimed" => self.claimed += 1,
            "Unclaimed" => self.unclaimed += 1,
            "Matched" => self.matched += 1,
            "Preempting" => self.preempting += 1,
            "Drained" => self.drained += 1,
            "Backfill" => self.backfill += 1,
            _ => return,
        }
        self.total += 1;
    }

    fn plus(&mut self, o: &StateCounts) {
        self.total += o.total;
        self.owner += o.owner;
        self.claimed += o.claimed;
        self.unclaimed += o.unclaimed;
        self.matched += o.matched;
        self.preempting += o.preempting;
        self.drained += o.drained;
        self.backfill += o.backfill;
        self.bkidle += o.bkidle;
    }

    fn row(&self) -> String {
        format!(
            "{:6} {:5} {:7} {:9} {:7} {:10} {:6} {:8} {:6}\n",
            self.total, self.owner, self.claimed, self.unclaimed, self.matched, self.preempting, self.drained, self.backfill, self.bkidle
        )
    }
}

fn list_strings(ad: &WireAd, attr: &str) -> Vec<String> {
    let Some(text) = ad.get(attr) else { return Vec::new() };
    match Expr::parse_old(text).map(|e| e.eval(None, None)) {
        Ok(Value::List(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn platform(ad: &WireAd) -> String {
    let arch = string_of(ad, "Arch").unwrap_or_default();
    let arch = match arch.as_str() {
        "X86_64" => "x64".to_string(),
        "X86" => "x86".to_string(),
        other => other.to_string(),
    };
    format!("{arch}/{}", string_of(ad, "OpSysAndVer").unwrap_or_default())
}

/// The state totals block. `compact` rolls partitionable slots up by their
/// children (and counts the partitionable slot itself while it has room).
fn slot_totals(ads: &[WireAd], compact: bool) -> String {
    let mut by_key: BTreeMap<String, StateCounts> = BTreeMap::new();
    for a in ads {
        let key = if compact {
            platform(a)
        } else {
            format!("{}/{}", string_of(a, "Arch").unwrap_or_default(), string_of(a, "OpSys").unwrap_or_default())
        };
        let c = by_key.entry(key).or_default();
        let pslot = a.get("PartitionableSlot") == Some("true");
        let dslot = a.get("DynamicSlot") == Some("true");
        if compact {
            if dslot {
                continue;
            }
            if pslot {
                for st in list_strings(a, "ChildState") {
                    c.add(&st);
                }
                let exhausted = num_of(a, "Cpus").unwrap_or(0.0) <= 0.0 || num_of(a, "Memory").unwrap_or(0.0) <= 0.0;
                if exhausted {
                    continue;
                }
            }
        }
        c.add(&string_of(a, "State").unwrap_or_default());
    }
    let key_w = by_key.keys().map(|k| k.len()).max().unwrap_or(0).max(14);
    let mut out = format!(
        "{:key_w$}{:>6.6} {:>5.5} {:>7.7} {:>9.9} {:>7.7} {:>10.10} {:>6.6} {:>8.8} {:>6.6}\n\n",
        "", "Total", "Owner", "Claimed", "Unclaimed", "Matched", "Preempting", "Drain", "Backfill", "BkIdle"
    );
    let mut total = StateCounts::default();
    for (k, c) in &by_key {
        out.push_str(&format!("{k:>key_w$}"));
        out.push_str(&c.row());
        total.plus(c);
    }
    out.push('\n');
    out.push_str(&format!("{:>key_w$}", "Total"));
    out.push_str(&total.row());
    out
}

fn activity_code(state: &str, activity: &str) -> (char, char) {
    let s = match state {
        "Owner" => 'O',
        "Unclaimed" => 'U',
        "Matched" => 'M',
        "Claimed" => 'C',
        "Preempting" => 'P',
        "Backfill" => 'F',
        "Drained" => 'D',
        _ => ' ',
    };
    let a = match activity {
        "Idle" => 'i',
        "Busy" => 'b',
        "Retiring" => 'r',
        "Vacating" => 'v',
        "Suspended" => 's',
        "Benchmarking" => 'e',
        "Killing" => 'k',
        _ => ' ',
    };
    (s, a)
}

/// The children's common state letter, `?` when they differ (`None` without children).
fn consensus(values: &[String], map: impl Fn(&str) -> char, wins: char) -> Option<char> {
    let mut c: Option<char> = None;
    for v in values {
        let x = map(v);
        if x == wins {
            return Some(x);
        }
        c = match c {
            None => Some(x),
            Some(prev) if prev == x => Some(prev),
            Some(_) => Some('?'),
        };
    }
    c
}

fn compact_table(ads: &[WireAd]) -> String {
    struct Row {
        machine: String,
        platform: String,
        slots: Option<i64>,
        cpus: f64,
        gpus: f64,
        total_mb: f64,
        free_cpus: f64,
        free_mb: f64,
        load: f64,
        st: String,
        jobs_min: Option<f64>,
        max_slot_mb: Option<f64>,
    }
    let mut rows: Vec<Row> = Vec::new();
    for a in ads.iter().filter(|a| a.get("DynamicSlot") != Some("true")) {
        let machine = string_of(a, "Machine").unwrap_or_default();
        let pslot = a.get("PartitionableSlot") == Some("true");
        let (s, ac) = activity_code(&string_of(a, "State").unwrap_or_default(), &string_of(a, "Activity").unwrap_or_default());
        let (mut s, mut ac) = (s, ac);
        if pslot {
            let cs = list_strings(a, "ChildState");
            let ca = list_strings(a, "ChildActivity");
            let bs = consensus(&cs, |x| activity_code(x, "").0, 'P');
            let ba = consensus(&ca, |x| activity_code("", x).1, 'v');
            let exhausted = num_of(a, "Cpus").unwrap_or(0.0) <= 0.0 || num_of(a, "Memory").unwrap_or(0.0) <= 0.0;
            if exhausted && s == 'U' && ac == 'i' {
                if let Some(b) = bs {
                    s = b;
                }
                if let Some(b) = ba {
                    ac = b;
                }
            }
            if bs.is_some_and(|b| b != s) {
                s = '*';
            }
            if ba.is_some_and(|b| b != ac) {
                ac = '*';
            }
        }
        let child_mem: Vec<f64> = a
            .get("ChildMemory")
            .and_then(|t| match Expr::parse_old(t).ok()?.eval(None, None) {
                Value::List(v) => Some(v.iter().filter_map(|x| x.as_number()).collect()),
                _ => None,
            })
            .unwrap_or_default();
        let row = Row {
            machine: machine.clone(),
            platform: platform(a),
            slots: if pslot { num_of(a, "NumDynamicSlots").map(|n| n as i64) } else { Some(1) },
            cpus: num_of(a, "TotalSlotCpus").unwrap_or(0.0),
            gpus: num_of(a, "TotalSlotGpus").unwrap_or(0.0),
            total_mb: num_of(a, "TotalSlotMemory").unwrap_or(0.0),
            free_cpus: num_of(a, "Cpus").unwrap_or(0.0),
            free_mb: num_of(a, "Memory").unwrap_or(0.0),
            load: num_of(a, "TotalLoadAvg").unwrap_or(0.0) / num_of(a, "TotalCpus").unwrap_or(1.0).max(1.0),
            st: format!("{s}{ac}"),
            jobs_min: num_of(a, "RecentJobStarts").map(|n| n / 20.0),
            max_slot_mb: child_mem.iter().cloned().reduce(f64::max),
        };
        // Several slots of one machine fold into one row.
        match rows.iter_mut().find(|r| r.machine == machine) {
            Some(r) => {
                r.slots = Some(r.slots.unwrap_or(0) + row.slots.unwrap_or(0));
                r.cpus += row.cpus;
                r.gpus += row.gpus;
                r.total_mb += row.total_mb;
                r.free_cpus += row.free_cpus;
                r.free_mb += row.free_mb;
                if r.st != row.st {
                    r.st = "**".into();
                }
            }
            None => rows.push(row),
        }
    }
    let mach_w = rows.iter().map(|r| r.machine.len()).max().unwrap_or(0).max(12);
    let plat_w = rows.iter().map(|r| r.platform.len()).max().unwrap_or(0).max(12);
    let mut out = format!(
        "{:<mach_w$} {:<plat_w$} {:<4}s {:<4} {:<4} {:<8} {:<6} {:<8} {:<7} {:<2} {:<8} {:<9}\n\n",
        "Machine", "Platform", "Slot", "Cpus", "Gpus", " TotalGb", "FreCpu", " FreeGb ", "CpuLoad", "ST", "Jobs/Min", "MaxSlotGb"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<mach_w$} {:<plat_w$} {} {:4} {:4} {:8.2} {:6} {:8.2} {:7.2} {:<2} {} {}\n",
            r.machine,
            r.platform,
            r.slots.map(|n| format!("{n:4} ")).unwrap_or_else(|| "     ".into()),
            r.cpus as i64,
            r.gpus as i64,
            r.total_mb / 1024.0,
            r.free_cpus as i64,
            r.free_mb / 1024.0,
            r.load,
            r.st,
            r.jobs_min.map(|j| format!("{j:8.2}")).unwrap_or_else(|| format!("{:>8}", "_")),
            r.max_slot_mb.map(|m| format!("{:9.2}", m / 1024.0)).unwrap_or_else(|| format!("{:>9}", "*")),
        ));
    }
    out
}

fn schedd_table(ads: &[WireAd]) -> String {
    let name_w = ads.iter().map(|a| string_of(a, "Name").unwrap_or_default().len()).max().unwrap_or(0).max(15);
    let mach_w = ads.iter().map(|a| string_of(a, "Machine").unwrap_or_default().len()).max().unwrap_or(0).max(12);
    let mut out = format!("{:<name_w$} {:<mach_w$} {:<11} {:<10} {:<10}\n\n", "Name", "Machine", "RunningJobs", "  IdleJobs", "  HeldJobs");
    let n = |a: &WireAd, k: &str| num_of(a, k).map(|v| v as i64).unwrap_or(0);
    for a in ads {
        out.push_str(&format!(
            "{:<name_w$} {:<mach_w$} {:11} {:10} {:10}\n",
            string_of(a, "Name").unwrap_or_else(|| "??".into()),
            string_of(a, "Machine").unwrap_or_else(|| "??".into()),
            n(a, "TotalRunningJobs"),
            n(a, "TotalIdleJobs"),
            n(a, "TotalHeldJobs"),
        ));
    }
    out
}

fn schedd_totals(ads: &[WireAd]) -> String {
    let n = |k: &str| ads.iter().map(|a| num_of(a, k).map(|v| v as i64).unwrap_or(0)).sum::<i64>();
    format!(
        "{:14}{:>18} {:>18} {:>18}\n\n{:14}\n{:>14}{:18} {:18} {:18}\n",
        "",
        "TotalRunningJobs",
        "TotalIdleJobs",
        "TotalHeldJobs",
        "",
        "Total",
        n("TotalRunningJobs"),
        n("TotalIdleJobs"),
        n("TotalHeldJobs")
    )
}

/// Masters, collectors, negotiators, submitters: name, machine, and type.
fn other_table(ads: &[WireAd]) -> String {
    let name_w = ads.iter().map(|a| string_of(a, "Name").unwrap_or_default().len()).max().unwrap_or(0).max(15);
    let mach_w = ads.iter().map(|a| string_of(a, "Machine").unwrap_or_default().len()).max().unwrap_or(0).max(12);
    let mut out = format!("{:<name_w$} {:<mach_w$} {}\n\n", "Name", "Machine", "Type");
    for a in ads {
        out.push_str(&format!(
            "{:<name_w$} {:<mach_w$} {}\n",
            string_of(a, "Name").unwrap_or_else(|| "??".into()),
            string_of(a, "Machine").unwrap_or_else(|| "??".into()),
            string_of(a, "MyType").unwrap_or_else(|| "??".into()),
        ));
    }
    out
}

/// A value as `-af` prints it: strings bare, everything else unparsed.
fn af_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => classad::unparse::unparse_value(other),
    }
}

fn autoformat(ads: &[WireAd], flags: &str, attrs: &[String]) -> String {
    let headers = flags.contains('h');
    let labels = flags.contains('l');
    let newline = flags.contains('n');
    let sep = if flags.contains(',') { "," } else { " " };
    let exprs: Vec<Option<Expr>> = attrs.iter().map(|a| Expr::parse(a).ok()).collect();
    let mut out = String::new();
    if headers {
        out.push_str(&attrs.join(sep));
        out.push('\n');
    }
    for wire in ads {
        let ad = to_classad(wire);
        let cells: Vec<String> = attrs
            .iter()
            .zip(&exprs)
            .map(|(name, e)| {
                let v = e.as_ref().map(|e| ad.eval_expr(e, None)).unwrap_or(Value::Error);
                let text = af_value(&v);
                if labels {
                    format!("{name} = {text}")
                } else {
                    text
                }
            })
            .collect();
        if newline {
            for c in cells {
                out.push_str(&c);
                out.push('\n');
            }
        } else {
            out.push_str(&cells.join(sep));
            out.push('\n');
        }
    }
    out
}

fn long(ads: &[WireAd]) -> String {
    let mut out = String::new();
    for ad in ads {
        let mut attrs: Vec<&(String, String)> = ad.0.iter().collect();
        attrs.sort_by_key(|(k, _)| k.to_ascii_lowercase());
        for (k, v) in attrs {
            out.push_str(&format!("{k} = {v}\n"));
        }
        out.push('\n');
    }
    out
}

fn json(ads: &[WireAd]) -> String {
    let items: Vec<String> = ads.iter().map(|a| to_classad(a).to_json()).collect();
    if items.is_empty() {
        return String::new();
    }
    format!("[\n{}\n]\n", items.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::collector::quote;

    fn slot(name: &str, state: &str, activity: &str, mem: i64, entered: i64, extra: &[(&str, &str)]) -> WireAd {
        let mut a = WireAd::new();
        a.set("MyType", quote("Machine"));
        a.set("Name", quote(name));
        a.set("Machine", quote("vm"));
        a.set("OpSys", quote("LINUX"));
        a.set("Arch", quote("X86_64"));
        a.set("OpSysAndVer", quote("Debian12"));
        a.set("State", quote(state));
        a.set("Activity", quote(activity));
        a.set("CondorLoadAvg", "0.0");
        a.set("Memory", mem.to_string());
        a.set("Cpus", "1");
        a.set("EnteredCurrentActivity", entered.to_string());
        a.set("MyCurrentTime", "1000");
        for (k, v) in extra {
            a.set(k, v.to_string());
        }
        a
    }

    fn golden(name: &str) -> Option<String> {
        let dir = std::env::var("AERIE_SHARED").map(std::path::PathBuf::from).unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
        let Ok(text) = std::fs::read_to_string(dir.join("reference/golden").join(name)) else {
            eprintln!("skipped: golden file {name} not found under {} (set AERIE_SHARED)", dir.display());
            return None;
        };
        let out = text.split("# ---- stdout ----\n").nth(1)?.split("# ---- stderr ----").next()?;
        Some(out.to_string())
    }

    fn golden_pool() -> Vec<WireAd> {
        let p = [("PartitionableSlot", "true"), ("ChildState", "{ \"Claimed\", \"Claimed\", \"Claimed\" }")];
        let d = [("DynamicSlot", "true")];
        vec![
            slot("slot1@vm", "Unclaimed", "Idle", 23721, 977, &p),
            slot("slot1_2@vm", "Claimed", "Busy", 128, 980, &d),
            slot("slot1_3@vm", "Claimed", "Busy", 128, 980, &d),
            slot("slot1_4@vm", "Claimed", "Busy", 128, 980, &d),
        ]
    }

    fn opts(args: &[&str]) -> Opts {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn the_default_table_matches_htcondor_byte_for_byte() {
        let Some(expected) = golden("28-status_default.txt") else { return };
        assert_eq!(render(&opts(&[]), &golden_pool(), 1000), expected);
    }

    #[test]
    fn totals_and_autoformat_match_htcondor() {
        if let Some(expected) = golden("30-status_total.txt") {
            assert_eq!(render(&opts(&["-total"]), &golden_pool(), 1000), expected);
        }
        if let Some(expected) = golden("29-status_af.txt") {
            assert_eq!(render(&opts(&["-af", "Name", "State", "Activity", "Cpus", "Memory"]), &golden_pool(), 1000), expected);
        }
    }

    #[test]
    fn the_schedd_view_matches_htcondor() {
        let Some(expected) = golden("31-status_schedd.txt") else { return };
        let mut a = WireAd::new();
        a.set("MyType", quote("Scheduler"));
        a.set("Name", quote("condoruser@vm"));
        a.set("Machine", quote("vm"));
        a.set("TotalRunningJobs", "3");
        a.set("TotalIdleJobs", "2");
        a.set("TotalHeldJobs", "1");
        assert_eq!(render(&opts(&["-schedd"]), &[a], 1000), expected);
    }

    #[test]
    fn the_compact_view_matches_htcondor() {
        let Some(expected) = golden("32-status_compact.txt") else { return };
        let mut ads = golden_pool();
        for (k, v) in [
            ("NumDynamicSlots", "3"),
            ("TotalSlotCpus", "4"),
            ("TotalSlotGpus", "0"),
            ("TotalSlotMemory", "24105"),
            ("TotalLoadAvg", "0.64"),
            ("TotalCpus", "4"),
            ("RecentJobStarts", "5"),
            ("ChildMemory", "{ 128, 128, 128 }"),
            ("ChildActivity", "{ \"Busy\", \"Busy\", \"Busy\" }"),
        ] {
            ads[0].set(k, v);
        }
        assert_eq!(render(&opts(&["-compact"]), &ads, 1000), expected);
    }

    #[test]
    fn autoformat_flags_and_expressions() {
        let ads = golden_pool();
        let out = render(&opts(&["-af:h,", "Name", "Memory/2"]), &ads[..1], 0);
        assert_eq!(out, "Name,Memory/2\nslot1@vm,11860\n");
        let out = render(&opts(&["-af:l", "Nope"]), &ads[..1], 0);
        assert_eq!(out, "Nope = undefined\n");
    }

    #[test]
    fn bad_options_are_refused_with_the_usage() {
        let err = parse(&["-frobnicate".to_string()]).err().unwrap();
        assert!(err.contains("unknown option -frobnicate") && err.contains("Usage"), "{err}");
        assert!(parse(&["-af".to_string()]).err().unwrap().contains("at least one attribute"));
    }
}
