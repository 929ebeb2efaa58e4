//! `condor_watch_q`: follow jobs through their user logs and redraw a table
//! (one row per batch, log or cluster, with a progress bar), a total
//! progress bar and a summary line whenever an event arrives.
//!
//! The jobs to track come from the schedd (the current user's, or those of
//! `-users`, `-clusters`, `-batches`) or from `-files`; their states come
//! only from their event logs, read as they grow. The tool sleeps on
//! inotify (the logs' directories), so it wakes when a log is written, not
//! on an interval; `-interval` is the shortest time between two redraws.
//! `-exit GROUPER,STATUS[,CODE]` ends it with CODE (0 by default) when
//! all/any/none of the jobs are active/done/idle/held. Output, options and
//! exit statuses follow HTCondor's `condor_watch_q`.

mod render;

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use proto::schedd::{JobSelector, QueryLine, QueryRequest};

use self::render::{Layout, Row, State};
use super::attrs;
use super::q::{ad_of, connect_schedd, my_user};

const USAGE: &str = "usage: condor_watch_q [-help] [-debug] [-users USER [USER ...]] [-clusters CLUSTER_ID [CLUSTER_ID ...]]
                      [-larger-than CLUSTER_ID] [-files FILE [FILE ...]] [-batches BATCH_NAME [BATCH_NAME ...]]
                      [-collector COLLECTOR] [-schedd SCHEDD] [-exit GROUPER,JOB_STATUS[,EXIT_STATUS]]
                      [-exit-on-key-press | -no-exit-on-key-press] [-interval N]
                      [-groupby {batch,log,cluster}] [-display-exited | -no-display-exited]
                      [-table | -no-table] [-progress | -no-progress] [-row-progress | -no-row-progress]
                      [-summary | -no-summary] [-summary-type {totals,percentages}]
                      [-updated-at | -no-updated-at] [-abbreviate | -no-abbreviate]
                      [-color | -no-color] [-refresh | -no-refresh]

Track the status of jobs over time, redrawing when their event logs change.
GROUPER is one of all, any, none; JOB_STATUS is one of active, done, idle, held.
Exit status: 0 when no jobs are found or on ^C; the EXIT_STATUS of a -exit
condition that was met; 1 on failure. More: aerie help watch_q";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouper {
    All,
    Any,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Active,
    Done,
    Idle,
    Held,
}

#[derive(Debug, Clone)]
struct ExitCond {
    grouper: Grouper,
    check: Check,
    code: i32,
    text: String,
}

impl ExitCond {
    fn parse(text: &str) -> Result<ExitCond, String> {
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() < 2 || parts.len() > 3 {
            return Err(format!("-exit takes GROUPER,JOB_STATUS[,EXIT_STATUS], not \"{text}\""));
        }
        let grouper = match parts[0].to_ascii_lowercase().as_str() {
            "all" => Grouper::All,
            "any" => Grouper::Any,
            "none" => Grouper::None,
            g => return Err(format!("invalid GROUPER \"{g}\" (choose from all, any, none)")),
        };
        let check = match parts[1].to_ascii_lowercase().as_str() {
            "active" => Check::Active,
            "done" => Check::Done,
            "idle" => Check::Idle,
            "held" => Check::Held,
            s => return Err(format!("invalid JOB_STATUS \"{s}\" (choose from active, done, idle, held)")),
        };
        let code = match parts.get(2) {
            Some(c) => c.parse().map_err(|_| format!("exit_status must be an integer, but was \"{c}\""))?,
            None => 0,
        };
        Ok(ExitCond { grouper, check, code, text: format!("{} {}", parts[0], parts[1]) })
    }

    fn met(&self, states: &[State]) -> bool {
        let ok = |s: &State| match self.check {
            Check::Active => s.active(),
            Check::Done => *s == State::Done,
            Check::Idle => *s == State::Idle,
            Check::Held => *s == State::Held,
        };
        match self.grouper {
            Grouper::All => states.iter().all(ok),
            Grouper::Any => states.iter().any(ok),
            Grouper::None => !states.iter().any(ok),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupBy {
    Batch,
    Log,
    Cluster,
}

struct Opts {
    users: Vec<String>,
    clusters: Vec<i64>,
    larger_than: Option<i64>,
    files: Vec<PathBuf>,
    batches: Vec<String>,
    schedd: Option<String>,
    collector: Option<String>,
    exits: Vec<ExitCond>,
    interval: Duration,
    group_by: GroupBy,
    display_exited: bool,
    layout: Layout,
    refresh: bool,
    key_press: bool,
}

fn parse(args: &[String]) -> Result<Option<Opts>, String> {
    let tty_out = std::io::stdout().is_terminal();
    let (columns, rows) = terminal_size();
    let mut o = Opts {
        users: vec![],
        clusters: vec![],
        larger_than: None,
        files: vec![],
        batches: vec![],
        schedd: None,
        collector: None,
        exits: vec![],
        interval: Duration::from_millis(500),
        group_by: GroupBy::Batch,
        display_exited: true,
        layout: Layout { key_header: "BATCH", table: true, row_progress: true, progress: true, summary: true, percentages: false, updated_at: true, columns, rows, color: tty_out },
        refresh: tty_out,
        key_press: std::io::stdin().is_terminal(),
    };
    let mut i = 0;
    // Options that take a list: everything up to the next option.
    let list = |i: &mut usize| -> Vec<String> {
        let mut v = Vec::new();
        while *i + 1 < args.len() && !args[*i + 1].starts_with('-') {
            *i += 1;
            v.push(args[*i].clone());
        }
        v
    };
    while i < args.len() {
        let a = args[i].trim_start_matches('-').to_string();
        let one = |i: &mut usize| -> Result<String, String> {
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| format!("argument -{a}: expected one argument"))
        };
        match a.as_str() {
            "help" | "h" => {
                println!("{USAGE}");
                return Ok(None);
            }
            "debug" => {}
            "users" => o.users.extend(list(&mut i)),
            "clusters" => {
                for c in list(&mut i) {
                    o.clusters.push(c.parse().map_err(|_| format!("argument -clusters: invalid cluster id '{c}'"))?);
                }
            }
            "larger-than" => o.larger_than = Some(one(&mut i)?.parse().map_err(|_| "argument -larger-than: invalid cluster id".to_string())?),
            "files" => o.files.extend(list(&mut i).into_iter().map(PathBuf::from)),
            "batches" => o.batches.extend(list(&mut i)),
            "collector" => o.collector = Some(one(&mut i)?),
            "schedd" => o.schedd = Some(one(&mut i)?),
            "exit" => o.exits.push(ExitCond::parse(&one(&mut i)?)?),
            "exit-on-key-press" => o.key_press = true,
            "no-exit-on-key-press" => o.key_press = false,
            "interval" => {
                let v = one(&mut i)?;
                let secs: f64 = v.parse().map_err(|_| format!("argument -interval: invalid number '{v}'"))?;
                o.interval = Duration::from_secs_f64(secs.max(0.0));
            }
            "groupby" => {
                o.group_by = match one(&mut i)?.as_str() {
                    "batch" => GroupBy::Batch,
                    "log" => GroupBy::Log,
                    "cluster" => GroupBy::Cluster,
                    g => return Err(format!("argument -groupby: invalid choice: '{g}' (choose from 'batch', 'log', 'cluster')")),
                }
            }
            "display-exited" => o.display_exited = true,
            "no-display-exited" => o.display_exited = false,
            "exited-row-decay" => {
                one(&mut i)?;
            }
            "decay-start-at-read" | "no-decay-start-at-read" | "abbreviate" | "no-abbreviate" => {}
            "table" => o.layout.table = true,
            "no-table" => o.layout.table = false,
            "progress" => o.layout.progress = true,
            "no-progress" => o.layout.progress = false,
            "row-progress" => o.layout.row_progress = true,
            "no-row-progress" => o.layout.row_progress = false,
            "summary" => o.layout.summary = true,
            "no-summary" => o.layout.summary = false,
            "summary-type" => {
                o.layout.percentages = match one(&mut i)?.as_str() {
                    "totals" => false,
                    "percentages" => true,
                    t => return Err(format!("argument -summary-type: invalid choice: '{t}' (choose from 'totals', 'percentages')")),
                }
            }
            "updated-at" => o.layout.updated_at = true,
            "no-updated-at" => o.layout.updated_at = false,
            "color" => o.layout.color = true,
            "no-color" => o.layout.color = false,
            "refresh" => o.refresh = tty_out,
            "no-refresh" => o.refresh = false,
            other => return Err(format!("unrecognized arguments: -{other}\n{USAGE}")),
        }
        i += 1;
    }
    o.layout.key_header = match o.group_by {
        GroupBy::Batch => "BATCH",
        GroupBy::Log => "LOG",
        GroupBy::Cluster => "CLUSTER",
    };
    Ok(Some(o))
}

/// `COLUMNS`/`LINES`, else the terminal's size, else 80×24 (as Python's `shutil.get_terminal_size`).
fn terminal_size() -> (usize, usize) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0);
    let mut ws = nix::libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ fills the winsize we pass; stdout is a valid descriptor.
    let ok = unsafe { nix::libc::ioctl(1, nix::libc::TIOCGWINSZ, &mut ws) } == 0;
    let (c, r) = if ok && ws.ws_col > 0 { (ws.ws_col as usize, ws.ws_row as usize) } else { (80, 24) };
    (env("COLUMNS").unwrap_or(c), env("LINES").unwrap_or(r))
}

/// One tracked cluster.
struct Cluster {
    log: PathBuf,
    batch: Option<String>,
    procs: Option<usize>,
    jobs: BTreeMap<i64, State>,
}

/// A log being followed: how far it has been read.
struct Follow {
    offset: u64,
    pending: Vec<u8>,
}

struct Tracker {
    logs: BTreeMap<PathBuf, Follow>,
    filter: Option<Vec<i64>>,
    since: Option<i64>,
    known: HashMap<i64, (Option<String>, Option<usize>)>,
    clusters: BTreeMap<i64, Cluster>,
}

impl Tracker {
    /// Read what the logs gained; true when some job changed state.
    fn read(&mut self, problems: &mut Vec<String>) -> bool {
        let mut changed = false;
        for (path, f) in self.logs.iter_mut() {
            let Ok(mut file) = std::fs::File::open(path) else { continue };
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            if len < f.offset {
                // Truncated or replaced: read it again from the start.
                f.offset = 0;
                f.pending.clear();
            }
            if file.seek(SeekFrom::Start(f.offset)).is_err() {
                continue;
            }
            let mut buf = Vec::new();
            if file.read_to_end(&mut buf).is_err() {
                continue;
            }
            f.offset += buf.len() as u64;
            f.pending.extend_from_slice(&buf);
            let text = String::from_utf8_lossy(&f.pending).into_owned();
            let parsed = match eventlog::parse_log(&text) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(format!("ERROR: Failed to parse event from {}. Reason: {e}", path.display()));
                    f.pending.clear();
                    continue;
                }
            };
            let consumed = text[..parsed.consumed].len();
            f.pending.drain(..consumed.min(f.pending.len()));
            for ev in parsed.events {
                let c = ev.id.cluster;
                if self.filter.as_ref().is_some_and(|ids| !ids.contains(&c)) || self.since.is_some_and(|s| c < s) {
                    continue;
                }
                let Some(state) = State::after_event(ev.body.number()) else { continue };
                let (batch, procs) = self.known.get(&c).cloned().unwrap_or((None, None));
                let cl = self.clusters.entry(c).or_insert_with(|| Cluster { log: path.clone(), batch, procs, jobs: BTreeMap::new() });
                if cl.jobs.insert(ev.id.proc, state) != Some(state) {
                    changed = true;
                }
            }
        }
        changed
    }

    fn states(&self) -> Vec<State> {
        self.clusters.values().flat_map(|c| c.jobs.values().copied()).collect()
    }

    fn rows(&self, by: GroupBy, display_exited: bool) -> Vec<Row> {
        let mut groups: BTreeMap<String, Vec<(i64, &Cluster)>> = BTreeMap::new();
        for (id, c) in &self.clusters {
            let key = match by {
                GroupBy::Batch => c.batch.clone().unwrap_or_else(|| format!("ID: {id}")),
                GroupBy::Log => c.log.display().to_string(),
                GroupBy::Cluster => id.to_string(),
            };
            groups.entry(key).or_default().push((*id, c));
        }
        let mut rows: Vec<(bool, i64, Row)> = Vec::new();
        for (key, clusters) in groups {
            let mut row = Row { key, ..Row::default() };
            let mut active: Vec<(i64, i64)> = Vec::new();
            for (id, c) in &clusters {
                row.total += c.procs.unwrap_or(c.jobs.len()).max(c.jobs.len());
                for (p, s) in &c.jobs {
                    *row.counts.entry(*s).or_default() += 1;
                    if s.active() {
                        active.push((*id, *p));
                    }
                }
            }
            active.sort();
            let ids: Vec<String> = active.iter().map(|(c, p)| format!("{c}.{p}")).collect();
            row.job_ids = if ids.len() > 2 { format!("{} ... {}", ids[0], ids[ids.len() - 1]) } else { ids.join(", ") };
            let done = clusters.iter().all(|(_, c)| c.jobs.values().all(|s| !s.active()));
            if display_exited || !done {
                let first = clusters.iter().map(|(id, _)| *id).min().unwrap_or(0);
                rows.push((done, first, row));
            }
        }
        // Groups with active jobs first, each part by smallest cluster id.
        rows.sort_by_key(|(done, first, _)| (*done, *first));
        rows.into_iter().map(|(_, _, r)| r).collect()
    }
}

/// Ask the schedd which clusters to track and where their logs are.
fn discover(o: &Opts, tracker: &mut Tracker) -> Result<(), String> {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(o.users.iter().map(|u| format!("Owner == {}", proto::collector::quote(u))));
    parts.extend(o.clusters.iter().map(|c| format!("ClusterId == {c}")));
    parts.extend(o.batches.iter().map(|b| format!("JobBatchName == {}", proto::collector::quote(b))));
    if parts.is_empty() {
        return Ok(());
    }
    let client = connect_schedd(o.schedd.as_deref(), o.collector.as_deref())?;
    let req = QueryRequest {
        select: JobSelector { constraint: Some(parts.join(" || ")), ..Default::default() },
        projection: ["ClusterId", "ProcId", "Owner", "UserLog", "JobBatchName", "Iwd", "TotalSubmitProcs"].iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let mut warned = std::collections::HashSet::new();
    let mut batch_ids = Vec::new();
    let mut err = None;
    client::schedd::query_each_blocking(&client, &req, |line| {
        match line {
            QueryLine::Ad(w) => {
                let ad = ad_of(&w);
                let Some(c) = attrs::int(&ad, "ClusterId") else { return true };
                let procs = attrs::int(&ad, "TotalSubmitProcs").map(|n| n.max(0) as usize);
                tracker.known.insert(c, (attrs::string(&ad, "JobBatchName"), procs));
                if !o.batches.is_empty() {
                    batch_ids.push(c);
                }
                match attrs::string(&ad, "UserLog") {
                    Some(log) => {
                        let p = PathBuf::from(&log);
                        let p = if p.is_absolute() { p } else { PathBuf::from(attrs::string(&ad, "Iwd").unwrap_or_default()).join(p) };
                        tracker.logs.entry(p).or_insert(Follow { offset: 0, pending: vec![] });
                    }
                    None => {
                        if warned.insert(c) {
                            eprintln!("WARNING: Cluster {c} does not have a job event log file (set log=<path> in the submit description)");
                        }
                    }
                }
            }
            QueryLine::Error(e) => err = Some(e.to_string()),
            QueryLine::Summary(_) => {}
        }
        true
    })
    .map_err(|e| e.to_string())?;
    if let Some(e) = err {
        return Err(e);
    }
    if tracker.filter.is_none() && !batch_ids.is_empty() {
        tracker.filter = Some(batch_ids);
    }
    Ok(())
}

/// Sleep until a watched log directory changes, a key is pressed, or `limit`.
fn wait(notify: &Inotify, key_press: bool, limit: Option<Duration>) -> bool {
    use std::os::fd::{AsFd, AsRawFd};
    let mut fds = vec![nix::libc::pollfd { fd: notify.as_fd().as_raw_fd(), events: nix::libc::POLLIN, revents: 0 }];
    if key_press {
        fds.push(nix::libc::pollfd { fd: 0, events: nix::libc::POLLIN, revents: 0 });
    }
    let ms = limit.map(|d| d.as_millis().min(i32::MAX as u128) as i32).unwrap_or(-1);
    // SAFETY: valid pollfds for descriptors we hold for the duration of the call.
    unsafe {
        nix::libc::poll(fds.as_mut_ptr(), fds.len() as nix::libc::nfds_t, ms);
    }
    let _ = notify.read_events();
    key_press && fds.get(1).is_some_and(|f| f.revents & nix::libc::POLLIN != 0)
}

pub fn main(args: &[String]) -> ExitCode {
    let mut o = match parse(args) {
        Ok(Some(o)) => o,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("condor_watch_q: error: {e}");
            return ExitCode::from(1);
        }
    };
    if o.users.is_empty() && o.clusters.is_empty() && o.files.is_empty() && o.batches.is_empty() {
        o.users.push(my_user());
    }
    let mut tracker = Tracker {
        logs: BTreeMap::new(),
        filter: (!o.clusters.is_empty()).then(|| o.clusters.clone()),
        since: o.larger_than,
        known: HashMap::new(),
        clusters: BTreeMap::new(),
    };
    for f in &o.files {
        let p = std::path::absolute(f).unwrap_or_else(|_| f.clone());
        tracker.logs.insert(p, Follow { offset: 0, pending: vec![] });
    }
    if let Err(e) = discover(&o, &mut tracker) {
        eprintln!("WARNING: Was not able to query to discover job event logs due to: {e}");
    }
    if tracker.logs.is_empty() {
        eprintln!("WARNING: No jobs found, exiting...");
        return ExitCode::SUCCESS;
    }
    let notify = match Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("condor_watch_q: cannot watch the event logs: {e}");
            return ExitCode::from(1);
        }
    };
    let dirs: std::collections::BTreeSet<&Path> = tracker.logs.keys().filter_map(|p| p.parent()).collect();
    for d in dirs {
        let _ = notify.add_watch(d, AddWatchFlags::IN_MODIFY | AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO | AddWatchFlags::IN_CLOSE_WRITE);
    }
    let mut out = std::io::stdout().lock();
    if o.refresh {
        let _ = write!(out, "\x1b[?1049h");
    }
    let leave = |out: &mut std::io::StdoutLock, refresh: bool| {
        if refresh {
            let _ = write!(out, "\x1b[?1049l");
            let _ = out.flush();
        }
    };
    let mut first = true;
    let mut last_draw = Instant::now() - o.interval;
    loop {
        let mut problems = Vec::new();
        let changed = tracker.read(&mut problems);
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
        if changed || first || !problems.is_empty() {
            first = false;
            let since = last_draw.elapsed();
            if since < o.interval {
                // At most one redraw per interval: gather what else arrives.
                std::thread::sleep(o.interval - since);
                tracker.read(&mut problems);
            }
            last_draw = Instant::now();
            let (columns, rows) = if o.refresh { terminal_size() } else { (o.layout.columns, o.layout.rows) };
            o.layout.columns = columns;
            o.layout.rows = rows;
            let mut msg = render::frame(&tracker.rows(o.group_by, o.display_exited), &o.layout, &now);
            if !o.refresh {
                msg.push_str("\n...");
            }
            if o.exits.is_empty() {
                msg.push_str(if o.key_press { "\nPress any key to exit" } else { "\nPress ^C to exit" });
            }
            if o.refresh {
                let _ = write!(out, "\x1b[H\x1b[2J");
            }
            for p in &problems {
                eprintln!("{now} | {p}");
            }
            let _ = writeln!(out, "{msg}");
            let _ = out.flush();
            let states = tracker.states();
            if let Some(c) = o.exits.iter().find(|c| c.met(&states)) {
                leave(&mut out, o.refresh);
                let _ = writeln!(out, "Exiting with code {} because of condition \"{}\" at {now}", c.code, c.text);
                return ExitCode::from(c.code.clamp(0, 255) as u8);
            }
        }
        if wait(&notify, o.key_press, None) {
            leave(&mut out, o.refresh);
            return ExitCode::SUCCESS;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_conditions_parse_and_apply_as_htcondor_says() {
        let c = ExitCond::parse("all,done").unwrap();
        assert_eq!((c.grouper, c.check, c.code, c.text.as_str()), (Grouper::All, Check::Done, 0, "all done"));
        assert!(c.met(&[State::Done, State::Done]));
        assert!(!c.met(&[State::Done, State::Run]));
        let h = ExitCond::parse("any,held,3").unwrap();
        assert!(h.met(&[State::Run, State::Held]));
        assert_eq!(h.code, 3);
        assert!(ExitCond::parse("none,active").unwrap().met(&[State::Done, State::Removed]));
        assert!(ExitCond::parse("some,done").is_err());
        assert!(ExitCond::parse("all,done,x").is_err());
    }
}
