//! `aerie pool start|stop|status DIR`: a personal pool in a directory.
//!
//! `start` writes `DIR/condor_config` (`use ROLE : Personal`,
//! `LOCAL_DIR = DIR`; your own settings go in `DIR/condor_config.local`,
//! which it reads last and never touches), starts `condor_master` in the
//! background, waits until every `DAEMON_LIST` daemon answers, and prints
//! the `export CONDOR_CONFIG=…` line. `stop` asks the master to stop the
//! pool and waits until it has. `status` shows the master's children.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use proto::address::{Address, Daemon};
use proto::master::{ChildState, MasterStatus};

const USAGE: &str = "\
usage: aerie pool start DIR [--slots N] [--memory MB] [--daemons \"COLLECTOR STARTD ...\"] [--timeout SECS]
       aerie pool stop DIR [--fast] [--timeout SECS]
       aerie pool status DIR

  start   write DIR/condor_config (a personal pool: LOCAL_DIR = DIR), start
          condor_master in the background, wait until its daemons answer,
          and print `export CONDOR_CONFIG=DIR/condor_config`.
            --slots N     run up to N one-cpu jobs at once (NUM_CPUS = N)
            --memory MB   memory the pool's slot offers (MEMORY = MB)
            --daemons L   the daemons to run (DAEMON_LIST; the master is implied)
          Your own settings go in DIR/condor_config.local (read last, kept).
  stop    stop the pool gracefully (--fast: kill the jobs at once)
  status  show the pool's daemons";

/// The first line of a configuration written by `aerie pool start`.
const MARKER: &str = "# Written by `aerie pool start`";

pub fn main(args: &[String]) -> ExitCode {
    if args.iter().skip(1).any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = match args.first().map(String::as_str) {
        Some("start") => start(&args[1..]),
        Some("stop") => stop(&args[1..]),
        Some("status") => status(&args[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("aerie pool: {e:#}");
            ExitCode::from(1)
        }
    }
}

struct Opts {
    dir: PathBuf,
    slots: Option<u32>,
    memory: Option<u64>,
    daemons: Option<String>,
    timeout: Duration,
    fast: bool,
}

fn parse(args: &[String]) -> anyhow::Result<Opts> {
    let mut o = Opts { dir: PathBuf::new(), slots: None, memory: None, daemons: None, timeout: Duration::from_secs(60), fast: false };
    let mut dir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().with_context(|| format!("{name} needs a value\n\n{USAGE}"));
        match a.as_str() {
            "--slots" => {
                let v = value("--slots")?;
                o.slots = Some(v.parse().ok().filter(|n| *n > 0).with_context(|| format!("--slots {v}: expected a positive whole number"))?);
            }
            "--memory" => {
                let v = value("--memory")?;
                o.memory = Some(v.parse().ok().filter(|n| *n > 0).with_context(|| format!("--memory {v}: expected megabytes, e.g. --memory 4096"))?);
            }
            "--daemons" => o.daemons = Some(value("--daemons")?),
            "--timeout" => {
                let v = value("--timeout")?;
                o.timeout = Duration::from_secs(v.parse().with_context(|| format!("--timeout {v}: expected seconds"))?);
            }
            "--fast" => o.fast = true,
            s if s.starts_with('-') => bail!("unknown option {s}\n\n{USAGE}"),
            s => {
                if dir.replace(PathBuf::from(s)).is_some() {
                    bail!("give one directory\n\n{USAGE}");
                }
            }
        }
    }
    let dir = dir.with_context(|| format!("which directory?\n\n{USAGE}"))?;
    o.dir = absolute(&dir)?;
    Ok(o)
}

fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    Ok(std::env::current_dir().context("reading the current directory")?.join(p))
}

/// The text of `DIR/condor_config`.
fn config_text(o: &Opts) -> String {
    let mut s = String::new();
    s.push_str(MARKER);
    s.push_str("; it is rewritten on every start.\n");
    s.push_str("# Put your own settings in condor_config.local beside it (read last, never rewritten).\n");
    s.push_str("use ROLE : Personal\n");
    s.push_str(&format!("LOCAL_DIR = {}\n", o.dir.display()));
    if let Some(d) = &o.daemons {
        let mut list: Vec<String> = d.split(|c: char| c == ',' || c.is_whitespace()).filter(|x| !x.is_empty()).map(|x| x.to_ascii_uppercase()).collect();
        list.retain(|x| x != "MASTER");
        list.insert(0, "MASTER".into());
        s.push_str(&format!("DAEMON_LIST = {}\n", list.join(" ")));
    }
    if let Some(n) = o.slots {
        s.push_str(&format!("NUM_CPUS = {n}\n"));
    }
    if let Some(m) = o.memory {
        s.push_str(&format!("MEMORY = {m}\n"));
    }
    // A personal pool restarts a crashed daemon within seconds.
    s.push_str("MASTER_BACKOFF_CONSTANT = 1\n");
    s.push_str("LOCAL_CONFIG_FILE = $(LOCAL_DIR)/condor_config.local\n");
    s
}

fn load_settings(config: &Path) -> anyhow::Result<daemon::Settings> {
    daemon::Settings::from_parts("TOOL", Some(config), None).with_context(|| format!("reading {}", config.display()))
}

/// True while `pid` runs (a zombie waiting for its parent to reap it has
/// finished).
fn pid_alive(pid: i32) -> bool {
    if nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err() {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The state follows the parenthesised command name.
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()).unwrap_or("");
    state != "Z" && state != "X"
}

fn master_pid(settings: &daemon::Settings) -> Option<i32> {
    let text = std::fs::read_to_string(settings.log_dir().join(".master_pid")).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    // The pid file may outlive its master; a reused pid is not ours.
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let is_master = String::from_utf8_lossy(&cmdline).contains("master");
    (pid_alive(pid) && is_master).then_some(pid)
}

fn master_status(settings: &daemon::Settings) -> Option<MasterStatus> {
    let addr = daemon::locate::local_address(settings, Daemon::Master).ok()?;
    let c = client::BlockingClient::new(addr).ok()?;
    c.post("/v1/master/status", &proto::master::Empty {}).ok()
}

fn answers(addr: &Address) -> bool {
    match addr {
        Address::Unix(p) => std::os::unix::net::UnixStream::connect(p).is_ok(),
        Address::Tcp(hp) => std::net::TcpStream::connect_timeout(
            &match hp.parse() {
                Ok(a) => a,
                Err(_) => return false,
            },
            Duration::from_millis(200),
        )
        .is_ok(),
    }
}

/// True when the local collector has an ad of `ad_type` from this host.
fn advertised(settings: &daemon::Settings, ad_type: &str) -> bool {
    let Ok(addr) = daemon::locate::collector_address(settings) else { return false };
    let Ok(c) = client::BlockingClient::new(addr) else { return false };
    let q = proto::collector::AdQuery {
        ad_type: Some(ad_type.to_string()),
        constraint: Some(format!("Machine == {}", proto::collector::quote(&daemon::host::hostname()))),
        projection: vec!["Name".into()],
        limit: Some(1),
    };
    client::collector::query_blocking(&c, &q).map(|ads| !ads.is_empty()).unwrap_or(false)
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

fn daemon_log(settings: &daemon::Settings, name: &str) -> PathBuf {
    settings
        .path(&format!("{name}_LOG"))
        .unwrap_or_else(|| settings.log_dir().join(Daemon::from_name(name).map(|d| d.log_file_name()).unwrap_or("MasterLog")))
}

fn start(args: &[String]) -> anyhow::Result<ExitCode> {
    let o = parse(args)?;
    std::fs::create_dir_all(&o.dir).with_context(|| format!("creating {}", o.dir.display()))?;
    let config = o.dir.join("condor_config");
    if let Ok(existing) = std::fs::read_to_string(&config) {
        if !existing.starts_with(MARKER) {
            bail!(
                "{} exists and was not written by `aerie pool start`; move it away, or run `CONDOR_CONFIG={} condor_master` to use it as it is",
                config.display(),
                config.display()
            );
        }
    }
    let settings_before = load_settings(&config).ok();
    if let Some(pid) = settings_before.as_ref().and_then(master_pid) {
        println!("A pool already runs in {} (condor_master pid {pid}).", o.dir.display());
        println!("export CONDOR_CONFIG={}", config.display());
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&config, config_text(&o)).with_context(|| format!("writing {}", config.display()))?;
    let local = o.dir.join("condor_config.local");
    if !local.exists() {
        std::fs::write(&local, "# Your settings for this pool; read after condor_config, never rewritten.\n")
            .with_context(|| format!("writing {}", local.display()))?;
    }
    let settings = load_settings(&config)?;
    let log_dir = settings.log_dir();
    std::fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let master_log = daemon_log(&settings, "MASTER");
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&master_log)
        .with_context(|| format!("opening {}", master_log.display()))?;
    let exe = std::env::current_exe().context("finding the aerie binary")?;
    let mut cmd = std::process::Command::new(exe);
    {
        use std::os::unix::process::CommandExt;
        cmd.arg0("condor_master");
        // SAFETY: setsid is async-signal-safe; it detaches the master from
        // this terminal's session so it outlives the command.
        unsafe {
            cmd.pre_exec(|| nix::unistd::setsid().map(|_| ()).map_err(std::io::Error::from));
        }
    }
    cmd.env("CONDOR_CONFIG", &config)
        .current_dir(&o.dir)
        .stdin(std::process::Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
    let mut master = cmd.spawn().context("starting condor_master")?;
    let master_pid = master.id();

    // Wait for every daemon of DAEMON_LIST to answer.
    let wanted: Vec<String> = settings.list("DAEMON_LIST").into_iter().map(|d| d.to_ascii_uppercase()).collect();
    let deadline = Instant::now() + o.timeout;
    let mut pending: Vec<String> = wanted.clone();
    loop {
        if let Ok(Some(st)) = master.try_wait() {
            bail!(
                "condor_master exited at once ({st}); its log {} says:\n{}",
                master_log.display(),
                log_tail(&master_log, 10)
            );
        }
        pending.retain(|name| {
            let Some(d) = Daemon::from_name(name) else { return false };
            !matches!(daemon::locate::local_address(&settings, d), Ok(a) if answers(&a))
        });
        // Then the startd's slots and the master's ad are in the collector,
        // so condor_status right after shows them.
        let missing_ads: Vec<&str> = if pending.is_empty() && wanted.iter().any(|w| w == "COLLECTOR") {
            [("STARTD", "Machine"), ("MASTER", "DaemonMaster")]
                .into_iter()
                .filter(|(d, t)| wanted.iter().any(|w| w == d) && !advertised(&settings, t))
                .map(|(_, t)| t)
                .collect()
        } else {
            Vec::new()
        };
        if pending.is_empty() && missing_ads.is_empty() {
            break;
        }
        if pending.is_empty() && Instant::now() >= deadline {
            bail!(
                "the daemons answer, but the collector has no {} ad after {} s; see {}",
                missing_ads.join(" or "),
                o.timeout.as_secs(),
                daemon_log(&settings, "COLLECTOR").display()
            );
        }

        // A daemon that keeps exiting will not come up: say which, and why.
        if let Some(st) = master_status(&settings) {
            for c in &st.daemons {
                if pending.contains(&c.name) && c.starts >= 2 && matches!(c.state, ChildState::Backoff) {
                    let log = daemon_log(&settings, &c.name);
                    bail!(
                        "the {} keeps exiting ({}); the pool is up without it (condor_master pid {master_pid}).\n  its log {}:\n{}\n  stop the pool with `aerie pool stop {}`",
                        c.name.to_ascii_lowercase(),
                        c.last_exit.as_deref().unwrap_or("?"),
                        log.display(),
                        log_tail(&log, 5),
                        o.dir.display()
                    );
                }
            }
        }
        if Instant::now() >= deadline {
            let names: Vec<String> = pending
                .iter()
                .map(|n| format!("{} (log: {})", n.to_ascii_lowercase(), daemon_log(&settings, n).display()))
                .collect();
            bail!(
                "no answer within {} s from {}; the master (pid {master_pid}) keeps trying. Look at those logs, or stop the pool with `aerie pool stop {}`",
                o.timeout.as_secs(),
                names.join(", "),
                o.dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let names: Vec<String> = wanted.iter().map(|n| n.to_ascii_lowercase()).collect();
    eprintln!("Pool started in {} ({}; condor_master pid {master_pid}).", o.dir.display(), names.join(", "));
    println!("export CONDOR_CONFIG={}", config.display());
    let _ = std::io::stdout().flush();
    Ok(ExitCode::SUCCESS)
}

fn stop(args: &[String]) -> anyhow::Result<ExitCode> {
    let o = parse(args)?;
    let config = o.dir.join("condor_config");
    if !config.exists() {
        bail!("{} does not exist; is {} a pool directory?", config.display(), o.dir.display());
    }
    let settings = load_settings(&config)?;
    let Some(pid) = master_pid(&settings) else {
        println!("No pool runs in {}.", o.dir.display());
        return Ok(ExitCode::SUCCESS);
    };
    let sig = if o.fast { nix::sys::signal::Signal::SIGQUIT } else { nix::sys::signal::Signal::SIGTERM };
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig).with_context(|| format!("signalling condor_master (pid {pid})"))?;
    let deadline = Instant::now() + o.timeout;
    while pid_alive(pid) {
        if Instant::now() >= deadline {
            bail!(
                "condor_master (pid {pid}) is still stopping after {} s; see {} (or `aerie pool stop {} --fast`)",
                o.timeout.as_secs(),
                daemon_log(&settings, "MASTER").display(),
                o.dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("Pool in {} stopped.", o.dir.display());
    Ok(ExitCode::SUCCESS)
}

fn fmt_age(secs: i64) -> String {
    let s = secs.max(0);
    format!("{}+{:02}:{:02}:{:02}", s / 86400, (s % 86400) / 3600, (s % 3600) / 60, s % 60)
}

fn status(args: &[String]) -> anyhow::Result<ExitCode> {
    let o = parse(args)?;
    let config = o.dir.join("condor_config");
    if !config.exists() {
        bail!("{} does not exist; is {} a pool directory?", config.display(), o.dir.display());
    }
    let settings = load_settings(&config)?;
    let Some(st) = master_status(&settings) else {
        println!("No pool runs in {}.", o.dir.display());
        return Ok(ExitCode::from(1));
    };
    let now = daemon::ads::now_secs();
    println!("Pool in {} (condor_master pid {}, up {})", o.dir.display(), st.pid, fmt_age(now - st.start_time));
    println!("{:<11} {:<9} {:>7} {:>6}  {:<44} LOG", "DAEMON", "STATE", "PID", "STARTS", "ADDRESS");
    for c in &st.daemons {
        let state = c.state.as_str();
        let pid = c.pid.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        let addr = c.addresses.first().cloned().unwrap_or_else(|| "-".into());
        println!("{:<11} {:<9} {:>7} {:>6}  {:<44} {}", c.name, state, pid, c.starts, addr, c.log.as_deref().unwrap_or("-"));
        if let (Some(how), ChildState::Backoff) = (&c.last_exit, c.state) {
            println!("{:<11} last {how}; restarting in {} s", "", c.restart_at.map(|t| (t - now).max(0)).unwrap_or(0));
        }
    }
    println!("export CONDOR_CONFIG={}", config.display());
    Ok(ExitCode::SUCCESS)
}
