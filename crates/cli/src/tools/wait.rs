//! `condor_wait [-wait SECS] [-num N] [-status] [-echo] LOGFILE [JOBID]`:
//! wait until every job the user log mentions (or the one named) has
//! terminated or been aborted. The log is read as it grows; the tool
//! sleeps on inotify (file changes), not on a polling interval.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use eventlog::EventBody;
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

const USAGE: &str = "
Use: condor_wait [options] <log-file> [job-number]
Where options are:
    -help              Display options
    -version           Display Condor version
    -debug             Show the progress of the log file reading
    -status            Show job start and terminate info
    -echo              Print the events as they are read
    -num <number>      Wait for this many jobs to end (default is all jobs)
    -wait <seconds>    Wait no more than this time (default is unlimited)

Examples:
    condor_wait logfile
    condor_wait logfile 35
    condor_wait logfile 1406.35
    condor_wait -wait 60 logfile 13.25.3
    condor_wait -num 2 logfile";

fn fail(msg: &str) -> ExitCode {
    if !msg.is_empty() {
        eprintln!("{msg}");
    }
    ExitCode::from(1)
}

/// Which jobs to wait for: `cluster`, `cluster.proc`, `cluster.proc.sub`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Want {
    cluster: Option<i64>,
    proc: Option<i64>,
    sub: Option<i64>,
}

impl Want {
    fn parse(s: &str) -> Option<Want> {
        let mut parts = s.split('.');
        let n = |p: Option<&str>| -> Option<Option<i64>> {
            match p {
                None | Some("") => Some(None),
                Some(x) => x.parse().ok().map(Some),
            }
        };
        let w = Want { cluster: n(parts.next())?, proc: n(parts.next())?, sub: n(parts.next())? };
        parts.next().is_none().then_some(w)
    }

    fn matches(&self, id: &eventlog::JobId) -> bool {
        self.cluster.is_none_or(|c| c == id.cluster) && self.proc.is_none_or(|p| p == id.proc) && self.sub.is_none_or(|s| s == id.subproc)
    }
}

pub fn main(args: &[String]) -> ExitCode {
    let mut wait: Option<u64> = None;
    let mut num: Option<usize> = None;
    let mut status = false;
    let mut echo = false;
    let mut log: Option<PathBuf> = None;
    let mut job: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-help" | "-h" => {
                eprintln!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "-version" => {
                println!("{}\n{}", daemon::version::condor_version_line(), daemon::version::condor_platform_line());
                return ExitCode::SUCCESS;
            }
            "-debug" | "-status" => status = true,
            "-echo" => echo = true,
            "-wait" => {
                i += 1;
                match args.get(i).and_then(|s| s.parse().ok()) {
                    Some(w) => wait = Some(w),
                    None => return fail("-wait requires an argument"),
                }
            }
            "-num" => {
                i += 1;
                match args.get(i).and_then(|s| s.parse::<usize>().ok()) {
                    Some(0) => return fail("-num must be greater than zero"),
                    Some(n) => num = Some(n),
                    None => return fail("-num requires an argument"),
                }
            }
            _ if a.starts_with('-') && a.len() > 1 => return fail(&format!("Unknown option: {a}\n{USAGE}")),
            _ if log.is_none() => log = Some(PathBuf::from(a)),
            _ if job.is_none() => job = Some(a.to_string()),
            _ => return fail(&format!("Extra argument: {a}\n")),
        }
        i += 1;
    }
    let Some(log) = log else { return fail(USAGE) };
    let want = match &job {
        None => Want { cluster: None, proc: None, sub: None },
        Some(j) => match Want::parse(j) {
            Some(w) => w,
            None => return fail(&format!("Couldn't understand job number: {j}")),
        },
    };
    let mut file = match std::fs::File::open(&log) {
        Ok(f) => f,
        Err(e) => return fail(&format!("Couldn't open {}: {e}", log.display())),
    };
    let stop = wait.map(|w| Instant::now() + Duration::from_secs(w));
    let notify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok();
    if let Some(n) = &notify {
        let _ = n.add_watch(&log, AddWatchFlags::IN_MODIFY | AddWatchFlags::IN_CLOSE_WRITE);
    }
    let mut pending: Vec<u8> = Vec::new();
    let mut table: HashSet<eventlog::JobId> = HashSet::new();
    let (mut submitted, mut ended) = (0usize, 0usize);
    let mut initial = true;
    loop {
        let mut buf = Vec::new();
        if let Err(e) = file.read_to_end(&mut buf) {
            return fail(&format!("Couldn't read {}: {e}", log.display()));
        }
        pending.extend_from_slice(&buf);
        let text = String::from_utf8_lossy(&pending).into_owned();
        let parsed = match eventlog::parse_log(&text) {
            Ok(p) => p,
            Err(e) => return fail(&format!("{}: {e}", log.display())),
        };
        let consumed = text[..parsed.consumed].len();
        pending.drain(..consumed.min(pending.len()));
        for ev in &parsed.events {
            if !want.matches(&ev.id) {
                continue;
            }
            if echo {
                print!("{}", eventlog::format::format_event(ev, eventlog::format::TimeFormat::default()));
            }
            let key = format!("{}.{}.{}", ev.id.cluster, ev.id.proc, ev.id.subproc);
            match &ev.body {
                EventBody::Submit { .. } => {
                    if status {
                        println!("{key} submitted");
                    }
                    table.insert(ev.id);
                    submitted += 1;
                }
                EventBody::Terminated { .. } => {
                    if status {
                        println!("{key} completed");
                    }
                    table.remove(&ev.id);
                    ended += 1;
                }
                EventBody::Aborted { .. } => {
                    if status {
                        println!("{key} aborted");
                    }
                    table.remove(&ev.id);
                    ended += 1;
                }
                EventBody::Execute { host, .. } if status => {
                    println!("{key} executing on host {host}");
                }
                _ => {}
            }
            if let Some(n) = num {
                if ended >= n {
                    println!("Specifed number of jobs ({n}) done.");
                    return ExitCode::SUCCESS;
                }
            }
            if table.is_empty() && submitted > 0 && num.is_none() && !initial {
                println!("All jobs done.");
                return ExitCode::SUCCESS;
            }
        }
        if initial {
            initial = false;
            if table.is_empty() && num.is_none() {
                println!("All jobs done.");
                return ExitCode::SUCCESS;
            }
        }
        if table.is_empty() && submitted == 0 {
            eprintln!("{}", if job.is_none() { "This log does not mention any jobs!" } else { "This log does not mention that job!" });
            return ExitCode::from(1);
        }
        // Sleep until the log changes (or the time is up).
        let remaining = stop.map(|s| s.saturating_duration_since(Instant::now()));
        if remaining == Some(Duration::ZERO) {
            println!("Time expired.");
            return ExitCode::from(1);
        }
        wait_for_change(notify.as_ref(), remaining);
        // A log replaced under us (rotated) is read again from its start.
        if let Ok(meta) = std::fs::metadata(&log) {
            if let Ok(pos) = file.stream_position() {
                if meta.len() < pos {
                    let _ = file.seek(SeekFrom::Start(0));
                    pending.clear();
                }
            }
        }
    }
}

/// Block until inotify reports a change, at most `limit` (and at most a
/// second, so a log on a file system without inotify is still followed).
fn wait_for_change(notify: Option<&Inotify>, limit: Option<Duration>) {
    let cap = limit.unwrap_or(Duration::from_secs(1)).min(Duration::from_secs(1));
    let Some(n) = notify else {
        std::thread::sleep(cap.min(Duration::from_millis(100)));
        return;
    };
    use std::os::fd::{AsFd, AsRawFd};
    let fd = n.as_fd().as_raw_fd();
    let mut pfd = nix::libc::pollfd { fd, events: nix::libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd for the inotify descriptor we own.
    unsafe {
        nix::libc::poll(&mut pfd, 1, cap.as_millis() as i32);
    }
    let _ = n.read_events();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_numbers() {
        let w = Want::parse("13.25").unwrap();
        assert!(w.matches(&eventlog::JobId { cluster: 13, proc: 25, subproc: 0 }));
        assert!(!w.matches(&eventlog::JobId { cluster: 13, proc: 2, subproc: 0 }));
        assert!(Want::parse("35").unwrap().matches(&eventlog::JobId::new(35, 9)));
        assert!(Want::parse("x").is_none());
    }
}
