//! `condor_ping [-type DAEMON] [-name N] [-pool P] [-address A]
//! [-quiet|-table|-verbose] TOKEN…`: can this user reach a daemon, and would
//! it authorize commands of each level (`READ`, `WRITE`, `ADMINISTRATOR`,
//! …, or `ALL`)?
//!
//! A daemon is reached with a real request (its cheapest read-only call).
//! Over its Unix socket the daemon knows the caller from the socket's peer
//! credentials — HTCondor's `FS` method — and Aerie's rules decide: `READ`,
//! `WRITE`, `OWNER` and `ALLOW` are open to every local user; the other
//! levels (`ADMINISTRATOR`, `CONFIG`, `DAEMON`, `NEGOTIATOR`,
//! `ADVERTISE_*`) only to root and the user the pool runs as (the owner of
//! the daemon's socket). Output and exit status are HTCondor's: one
//! sentence per level (`WRITE command using (no encryption, no integrity,
//! and FS) succeeded as alice@host to local schedd.`), `-table` one row
//! per level, `-quiet` nothing; exit 0 when every level was reached and
//! authorized, 1 otherwise.

use std::os::unix::fs::MetadataExt;
use std::process::ExitCode;

use proto::address::{Address, Daemon};

use super::daemon_client::{self, Target};

const USAGE: &str = "Usage: condor_ping [options] TOKEN [TOKEN [TOKEN [...]]]

where TOKEN is ( ALL | <authorization-level> | <command-name> | <command-int> )

general options:
    -help                           Display this output
    -version                        Display Condor version

specifying target options:
    -address <sinful>               Use this address (unix:PATH, tcp:HOST:PORT or <HOST:PORT>)
    -pool    <host>                 Query this collector
    -name    <name>                 Find a daemon with this name
    -subsystem <subsystem>          Type of daemon to contact (default: SCHEDD)
    -type    <subsystem>            Type of daemon to contact (default: SCHEDD)

output options (specify only one):
    -quiet                          No output, only sets status
    -table                          Print one result per line
    -verbose                        Print all available information

Example:
    condor_ping -type schedd -table READ WRITE DAEMON

Options and exit status: aerie help ping
";

/// HTCondor's authorization levels and their `DC_NOP_*` command numbers.
const LEVELS: &[(&str, i32)] = &[
    ("ALLOW", 60011),
    ("READ", 60020),
    ("WRITE", 60021),
    ("NEGOTIATOR", 60022),
    ("ADMINISTRATOR", 60023),
    ("OWNER", 60024),
    ("CONFIG", 60025),
    ("DAEMON", 60026),
    ("ADVERTISE_STARTD", 60027),
    ("ADVERTISE_SCHEDD", 60028),
    ("ADVERTISE_MASTER", 60029),
];

/// `ALL` as HTCondor expands it.
const ALL: &[&str] =
    &["ALLOW", "READ", "WRITE", "NEGOTIATOR", "ADMINISTRATOR", "OWNER", "CONFIG", "DAEMON", "ADVERTISE_STARTD", "ADVERTISE_SCHEDD", "ADVERTISE_MASTER"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Sentence,
    Verbose,
    Table,
}

/// Whether Aerie lets `uid` use `level` on a daemon whose socket `owner` has.
fn authorized(level: &str, uid: u32, owner: Option<u32>) -> bool {
    match level {
        "ALLOW" | "READ" | "WRITE" | "OWNER" => true,
        _ => uid == 0 || owner == Some(uid),
    }
}

/// The token as a level name: a level, `DC_NOP_<LEVEL>`, or its number.
fn level_of(token: &str) -> Option<(&'static str, i32)> {
    let up = token.to_ascii_uppercase();
    let up = up.strip_prefix("DC_NOP_").unwrap_or(&up).to_string();
    LEVELS.iter().copied().find(|(n, c)| *n == up || c.to_string() == up)
}

/// Reach the daemon with a read-only request.
fn reach(daemon: Daemon, c: &client::BlockingClient) -> Result<(), String> {
    let empty = serde_json::json!({});
    let v: serde_json::Value = match daemon {
        Daemon::Master => c.post("/v1/master/status", &empty),
        Daemon::Negotiator => c.post("/v1/negotiator/status", &empty),
        Daemon::Schedd => c.post("/v1/schedd/status", &empty),
        Daemon::Startd => c.post("/v1/slots/query", &empty),
        Daemon::Collector => {
            let q = proto::collector::AdQuery { ad_type: Some(proto::collector::ad_type::COLLECTOR.into()), constraint: None, projection: vec!["Name".into()], limit: Some(1) };
            c.post::<_, Vec<proto::WireAd>>("/v1/ads/query", &q).map(|ads| {
                serde_json::json!({ "name": ads.first().and_then(|a| a.get("Name")).map(|n| n.trim_matches('"').to_string()) })
            })
        }
    }
    .map_err(|e| e.to_string())?;
    let _ = v;
    Ok(())
}

fn daemon_of(text: &str) -> Option<Daemon> {
    let t = text.to_ascii_lowercase();
    let t = t.trim_start_matches("condor_");
    Daemon::ALL.into_iter().find(|d| d.name() == t || d.subsystem().eq_ignore_ascii_case(t))
}

pub fn main(args: &[String]) -> ExitCode {
    let mut target = Target::default();
    let mut daemon = Daemon::Schedd;
    let mut mode: Option<Mode> = None;
    let mut tokens: Vec<String> = Vec::new();
    let mut i = 0;
    let set_mode = |mode: &mut Option<Mode>, m: Mode| -> bool {
        if mode.is_some() {
            eprintln!("ERROR: only one output mode may be specified.\n\n{USAGE}");
            return false;
        }
        *mode = Some(m);
        true
    };
    while i < args.len() {
        let a = args[i].as_str();
        let opt = a.trim_start_matches('-');
        let is = |name: &str, min: usize| a.starts_with('-') && opt.len() >= min && name.starts_with(opt);
        let value = args.get(i + 1).cloned();
        if is("help", 1) {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        } else if is("version", 4) {
            println!("{}\n{}", super::version::version_line(), super::version::platform_line());
            return ExitCode::SUCCESS;
        } else if is("quiet", 1) {
            if !set_mode(&mut mode, Mode::Quiet) {
                return ExitCode::from(1);
            }
        } else if is("table", 2) {
            if !set_mode(&mut mode, Mode::Table) {
                return ExitCode::from(1);
            }
        } else if is("verbose", 1) {
            if !set_mode(&mut mode, Mode::Verbose) {
                return ExitCode::from(1);
            }
        } else if is("address", 4) || is("pool", 1) || is("name", 1) || is("type", 2) || is("subsystem", 3) {
            let Some(v) = value else {
                eprintln!("ERROR: {a} requires an argument.\n\n{USAGE}");
                return ExitCode::from(1);
            };
            if is("address", 4) {
                if target.pool.is_some() || target.name.is_some() {
                    eprintln!("ERROR: -address cannot be used with -pool or -name.\n\n{USAGE}");
                    return ExitCode::from(1);
                }
                target.address = Some(v);
            } else if is("pool", 1) || is("name", 1) {
                if target.address.is_some() {
                    eprintln!("ERROR: -address cannot be used with -pool or -name.\n\n{USAGE}");
                    return ExitCode::from(1);
                }
                if is("pool", 1) {
                    target.pool = Some(v);
                } else {
                    target.name = Some(v);
                }
            } else {
                match daemon_of(&v) {
                    Some(d) => daemon = d,
                    None => {
                        eprintln!("ERROR: unrecognized daemon type: {v}\n\n{USAGE}");
                        return ExitCode::from(1);
                    }
                }
            }
            i += 1;
        } else if !a.starts_with('-') || a == "-" {
            if a.eq_ignore_ascii_case("ALL") {
                tokens.extend(ALL.iter().map(|s| s.to_string()));
            } else {
                tokens.push(a.to_string());
            }
        } else {
            eprintln!("ERROR: Unknown argument: {a}\n\n{USAGE}");
            return ExitCode::from(1);
        }
        i += 1;
    }
    let mode = mode.unwrap_or(Mode::Sentence);
    if tokens.is_empty() {
        tokens.push("WRITE".into());
    }
    let mut levels = Vec::new();
    for t in &tokens {
        match level_of(t) {
            Some(l) => levels.push(l),
            None => {
                if mode != Mode::Quiet {
                    eprintln!("ERROR: Could not understand TOKEN \"{t}\".");
                }
                return ExitCode::from(1);
            }
        }
    }
    let addr = match daemon_client::locate(daemon, &target) {
        Ok(a) => a,
        Err(e) => {
            if mode != Mode::Quiet {
                eprintln!("ERROR: couldn't locate {}! ({e})", target.address.as_deref().or(target.name.as_deref()).unwrap_or(daemon.name()));
            }
            return ExitCode::from(1);
        }
    };
    let reached = client::BlockingClient::new(addr.clone()).map_err(|e| e.to_string()).and_then(|c| reach(daemon, &c));
    let uid = nix::unistd::getuid().as_raw();
    let user = super::q::my_user();
    let domain = daemon::Settings::load("TOOL").ok().and_then(|s| s.get("UID_DOMAIN")).unwrap_or_else(daemon::host::hostname);
    let (method, identity, owner) = match &addr {
        Address::Unix(p) => ("FS", format!("{user}@{domain}"), std::fs::metadata(p).ok().map(|m| m.uid())),
        Address::Tcp(_) => ("none", "unauthenticated@unmapped".to_string(), None),
    };
    // HTCondor's `Daemon::idStr()`: `local schedd`, `schedd NAME`, `schedd at ADDRESS`.
    let dname = match (&target.name, &target.address, &target.pool) {
        (Some(n), _, _) => format!("{} {n}", daemon.name()),
        (None, Some(_), _) | (None, None, Some(_)) => format!("{} at {addr}", daemon.name()),
        (None, None, None) => format!("local {}", daemon.name()),
    };
    if mode == Mode::Table {
        println!("         Instruction Authentication Encryption Integrity Decision Identity");
    }
    let mut all_ok = true;
    for (level, cmd) in levels {
        let ok_auth = authorized(level, uid, owner);
        match &reached {
            Err(e) => {
                all_ok = false;
                match mode {
                    Mode::Quiet => {}
                    Mode::Sentence => println!("{level} failed!  Use -verbose for more information."),
                    Mode::Table => println!("{level:>20}           FAIL       FAIL      FAIL     FAIL FAIL  (use -verbose for more info)"),
                    Mode::Verbose => println!("{level} failed!\n{e}\n"),
                }
            }
            Ok(_) => {
                all_ok &= ok_auth;
                match mode {
                    Mode::Quiet => {}
                    Mode::Sentence => println!(
                        "{level} command using (no encryption, no integrity, and {method}) {} as {identity} to {dname}.",
                        if ok_auth { "succeeded" } else { "failed" }
                    ),
                    Mode::Table => println!(
                        "{level:>20}{method:>15}{:>11}{:>10}{}{identity}",
                        "none",
                        "none",
                        if ok_auth { "    ALLOW " } else { "     DENY " }
                    ),
                    Mode::Verbose => {
                        println!("Destination:                 {dname}");
                        println!("Remote Version:              {}", super::version::version_line());
                        println!("Local  Version:              {}", super::version::version_line());
                        println!("Session ID:                  (none: every request is authenticated)");
                        println!("Instruction:                 {level}");
                        println!("Command:                     {cmd}");
                        println!("Encryption:                  none");
                        println!("Integrity:                   none");
                        if method == "none" {
                            println!("Authentication:              none");
                        } else {
                            println!("Authenticated using:         {method}");
                            println!("All authentication methods:  {method}");
                        }
                        println!("Remote Mapping:              {identity}");
                        println!("Authorized:                  {}", if ok_auth { "TRUE" } else { "FALSE" });
                        println!();
                    }
                }
            }
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_levels_command_names_or_numbers() {
        assert_eq!(level_of("write"), Some(("WRITE", 60021)));
        assert_eq!(level_of("DC_NOP_READ"), Some(("READ", 60020)));
        assert_eq!(level_of("60023"), Some(("ADMINISTRATOR", 60023)));
        assert_eq!(level_of("BOGUS"), None);
    }

    #[test]
    fn local_users_may_read_and_write_and_only_the_pool_owner_administer() {
        assert!(authorized("READ", 1000, Some(0)));
        assert!(authorized("WRITE", 1000, Some(0)));
        assert!(!authorized("ADMINISTRATOR", 1000, Some(0)));
        assert!(authorized("ADMINISTRATOR", 1000, Some(1000)));
        assert!(authorized("DAEMON", 0, Some(1000)));
    }
}
