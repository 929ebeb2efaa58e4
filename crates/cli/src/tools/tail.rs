//! `condor_tail [-f] [-maxbytes N] [-stderr] [-no-stdout] [-auto-retry]
//! JOBID [FILE…]`: the end of a running job's standard output (or error,
//! or other files of its sandbox), and with `-f` what it writes next.
//!
//! The schedd says whether the job runs; its sandbox is found under this
//! host's `EXECUTE` directory by the job ad the starter leaves there
//! (`.job.ad` with its `ClusterId`/`ProcId`). A job running on another host
//! is refused with a message saying so (the execute side does not stream
//! sandbox files to remote tools yet). Following sleeps on inotify and
//! ends when the job's sandbox goes away (the job ended).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use proto::job::JobSpec;
use proto::schedd::{JobSelector, QueryLine, QueryRequest};

use super::attrs;
use super::q::{ad_of, connect_schedd};

const USAGE: &str = "Usage: condor_tail [options] <job-id> [filename1[, filename2[, ...]]]
Tail a file in a running job's sandbox.
The options are:
    -help             Display options
    -version          Display HTCondor version
    -pool <hostname>  Use this central manager
    -name <name>      Query this schedd
    -maxbytes         The maximum number of bytes to transfer.  Defaults to 1024
    -auto-retry       Auto retry if job is not running yet.
    -f,-follow        Follow the contents of a file.
By default, only stdout is returned.
The filename may be any file in the job's transfer_output_files.
You may also include the following options.
    -no-stdout        Do not tail the job's stdout
    -stderr           Tail at the job's stderr

Options and exit status: aerie help tail
";

fn usage_fail(msg: &str) -> ExitCode {
    eprintln!("{msg}\n");
    eprint!("{USAGE}");
    ExitCode::from(1)
}

/// The sandbox of job `cluster.proc` under `execute`, if it runs here.
fn find_sandbox(execute: &Path, cluster: i64, proc: i64) -> Option<PathBuf> {
    for e in std::fs::read_dir(execute).ok()?.flatten() {
        if !e.file_name().to_string_lossy().starts_with("dir_") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path().join(".job.ad")) else { continue };
        let Ok(ad) = classad::ClassAd::parse_old(&text) else { continue };
        if attrs::int(&ad, "ClusterId") == Some(cluster) && attrs::int(&ad, "ProcId") == Some(proc) {
            return Some(e.path());
        }
    }
    None
}

/// The last `max` bytes of `path` from `offset` on; the new offset.
fn read_tail(path: &Path, offset: Option<u64>, max: u64) -> std::io::Result<(Vec<u8>, u64)> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let start = match offset {
        Some(o) if o <= len => o.max(len.saturating_sub(max)),
        _ => len.saturating_sub(max),
    };
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    f.take(len - start).read_to_end(&mut buf)?;
    Ok((buf, len))
}

pub fn main(args: &[String]) -> ExitCode {
    let (mut name, mut pool) = (None, None);
    let mut max_bytes: u64 = 1024;
    let (mut stdout, mut stderr, mut follow, mut retry) = (true, false, false, false);
    let mut job: Option<String> = None;
    let mut files: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-help" | "-h" => {
                eprint!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "-version" => {
                println!("{}\n{}", super::version::version_line(), super::version::platform_line());
                return ExitCode::SUCCESS;
            }
            "-pool" | "-name" => {
                let Some(v) = args.get(i + 1).cloned() else { return usage_fail(&format!("{a} requires an argument.")) };
                if a == "-pool" {
                    pool = Some(v);
                } else {
                    name = Some(v);
                }
                i += 1;
            }
            "-maxbytes" => {
                let Some(v) = args.get(i + 1) else { return usage_fail("-maxbytes requires an argument.") };
                match v.parse() {
                    Ok(n) => max_bytes = n,
                    Err(_) => return usage_fail(&format!("Error: maxbytes ({v}) is not valid")),
                }
                i += 1;
            }
            "-debug" => {}
            "-no-stdout" => stdout = false,
            "-stderr" => {
                stderr = true;
                stdout = false;
            }
            "-f" | "-follow" => follow = true,
            "-auto-retry" => retry = true,
            _ if job.is_none() => job = Some(a.to_string()),
            _ => files.push(a.to_string()),
        }
        i += 1;
    }
    if !stdout && !stderr && files.is_empty() {
        return usage_fail("No file transfer specified.");
    }
    let Some(job) = job else { return usage_fail("Job ID not specified.") };
    let (cluster, proc) = match job.parse::<JobSpec>() {
        Ok(JobSpec::Job(id)) => (id.cluster, id.proc),
        Ok(JobSpec::Cluster(c)) => (c, 0),
        Err(_) => return usage_fail(&format!("Invalid Job ID: {job}")),
    };
    let client = match connect_schedd(name.as_deref(), pool.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Can't find address of local schedd ({e})");
            return ExitCode::from(1);
        }
    };
    let settings = daemon::Settings::load("TOOL").ok();
    let execute = settings.as_ref().and_then(|s| s.path("EXECUTE")).unwrap_or_else(|| PathBuf::from("/var/lib/condor/execute"));
    let host = daemon::host::hostname();
    // Wait (with -auto-retry) until the job runs and its sandbox is here.
    let sandbox = loop {
        let req = QueryRequest {
            select: JobSelector { ids: vec![JobSpec::Job(proto::JobId { cluster, proc })], ..Default::default() },
            projection: vec!["JobStatus".into(), "RemoteHost".into()],
            ..Default::default()
        };
        let mut ad = None;
        let r = client::schedd::query_each_blocking(&client, &req, |l| {
            if let QueryLine::Ad(w) = l {
                ad = Some(ad_of(&w));
            }
            true
        });
        if let Err(e) = r {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        let Some(ad) = ad else {
            eprintln!("Job {cluster}.{proc} is not in the queue.");
            return ExitCode::from(1);
        };
        let running = attrs::int(&ad, "JobStatus") == Some(2);
        if running {
            if let Some(dir) = find_sandbox(&execute, cluster, proc) {
                break dir;
            }
            let remote = attrs::string(&ad, "RemoteHost").unwrap_or_default();
            let remote_host = remote.rsplit('@').next().unwrap_or("");
            if !remote_host.is_empty() && remote_host != host && !retry {
                eprintln!(
                    "Job {cluster}.{proc} runs on {remote}; condor_tail reads sandboxes on this host ({host}) only. Run it on {remote_host}."
                );
                return ExitCode::from(1);
            }
        }
        if !retry {
            eprintln!("Job {cluster}.{proc} is not running.");
            return ExitCode::from(1);
        }
        std::thread::sleep(Duration::from_secs(2));
    };
    let mut wanted: Vec<PathBuf> = Vec::new();
    if stdout {
        wanted.push(sandbox.join("_condor_stdout"));
    }
    if stderr {
        wanted.push(sandbox.join("_condor_stderr"));
    }
    for f in &files {
        if Path::new(f).components().any(|c| matches!(c, std::path::Component::ParentDir)) || Path::new(f).is_absolute() {
            eprintln!("{f}: only files inside the job's sandbox can be tailed");
            return ExitCode::from(1);
        }
        wanted.push(sandbox.join(f));
    }
    let mut offsets: Vec<Option<u64>> = vec![None; wanted.len()];
    let notify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok();
    if let Some(n) = &notify {
        let _ = n.add_watch(&sandbox, AddWatchFlags::IN_MODIFY | AddWatchFlags::IN_CREATE | AddWatchFlags::IN_DELETE_SELF | AddWatchFlags::IN_MOVE_SELF);
    }
    let mut out = std::io::stdout().lock();
    loop {
        for (p, off) in wanted.iter().zip(offsets.iter_mut()) {
            match read_tail(p, *off, if off.is_some() && follow { u64::MAX } else { max_bytes }) {
                Ok((bytes, end)) => {
                    let _ = out.write_all(&bytes);
                    *off = Some(end);
                }
                Err(e) if off.is_none() && !follow => {
                    eprintln!("{}: {e}", p.display());
                    return ExitCode::from(1);
                }
                Err(_) => {}
            }
        }
        let _ = out.flush();
        if !follow || !sandbox.is_dir() {
            return ExitCode::SUCCESS;
        }
        match &notify {
            Some(n) => {
                use std::os::fd::{AsFd, AsRawFd};
                let mut pfd = nix::libc::pollfd { fd: n.as_fd().as_raw_fd(), events: nix::libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd for the inotify descriptor we own; a
                // second's timeout notices a sandbox removed without an event.
                unsafe {
                    nix::libc::poll(&mut pfd, 1, 1000);
                }
                let _ = n.read_events();
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_the_last_bytes_then_what_follows() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, "0123456789").unwrap();
        let (b, end) = read_tail(&p, None, 4).unwrap();
        assert_eq!((b.as_slice(), end), (&b"6789"[..], 10));
        std::fs::OpenOptions::new().append(true).open(&p).unwrap().write_all(b"abc").unwrap();
        let (b, end) = read_tail(&p, Some(end), u64::MAX).unwrap();
        assert_eq!((b.as_slice(), end), (&b"abc"[..], 13));
    }

    #[test]
    fn a_sandbox_is_found_by_its_job_ad() {
        let d = tempfile::tempdir().unwrap();
        for (dir, c, p) in [("dir_1", 4, 0), ("dir_2", 4, 1), ("other", 4, 2)] {
            std::fs::create_dir(d.path().join(dir)).unwrap();
            std::fs::write(d.path().join(dir).join(".job.ad"), format!("ClusterId = {c}\nProcId = {p}\n")).unwrap();
        }
        assert_eq!(find_sandbox(d.path(), 4, 1), Some(d.path().join("dir_2")));
        assert_eq!(find_sandbox(d.path(), 4, 2), None, "only dir_* are sandboxes");
    }
}
