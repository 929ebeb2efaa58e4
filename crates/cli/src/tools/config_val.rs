//! condor_config_val: print configuration values, where they are set, the
//! files read, all parameters matching a pattern, or the `use` templates.
//!
//! Output lines, messages (`Not defined: NAME`) and exit statuses follow
//! HTCondor's `condor_config_val`: 0 when every name was defined, 1 when
//! one was not, or on a usage or configuration error. Asking a daemon
//! (`-set`, `-rset`, `-unset`, `-runset`, `-name`, `-pool`, `-address`,
//! `-master`/`-schedd`/…) is parsed and checked here and handed to
//! [`remote`], which says that it needs a running daemon.

use std::process::ExitCode;

use config::{Config, ConfigError, ErrorKind, LoadOptions, ParamEntry, Subsystem};

/// HTCondor's option matching: `arg` is a prefix of `name` at least `min`
/// characters long (`-1`: the whole name).
fn is_arg_prefix(arg: &str, name: &str, min: i32) -> bool {
    if arg.is_empty() || name.is_empty() || arg.as_bytes()[0] != name.as_bytes()[0] {
        return false;
    }
    if !name.starts_with(arg) {
        return false;
    }
    if min < 0 {
        return arg.len() == name.len();
    }
    arg.len() >= min as usize
}

/// Like [`is_arg_prefix`], allowing `name:options`; returns the options.
fn is_arg_colon_prefix<'a>(arg: &'a str, name: &str, min: i32) -> Option<Option<&'a str>> {
    let (head, opts) = match arg.split_once(':') {
        Some((h, o)) => (h, Some(o)),
        None => (arg, None),
    };
    if is_arg_prefix(head, name, min) {
        Some(opts)
    } else {
        None
    }
}

/// What the command was asked to do with the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Query,
    Set,
    Unset,
    RuntimeSet,
    RuntimeUnset,
}

/// Which daemon a remote query goes to.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub daemon: Option<&'static str>,
    pub name: Option<String>,
    pub pool: Option<String>,
    pub address: Option<String>,
}

#[derive(Default)]
struct Args {
    params: Vec<String>,
    target: Target,
    ask_daemon: bool,
    mode: Option<Mode>,
    subsystem: Option<String>,
    local_name: Option<String>,
    root_config: Option<String>,
    verbose: bool,
    dump: bool,
    expanded: bool,
    raw: bool,
    default: bool,
    evaluate: bool,
    config: bool,
    summary: bool,
    summary_detected: bool,
    macro_expand: bool,
    check_if: Option<String>,
    owner: bool,
    tilde: bool,
    unsupported: Vec<String>,
}

const USAGE: &str = "\
Usage: condor_config_val <help>

       condor_config_val [<location>] <edit> 

       condor_config_val [<location>] [<view>] <vars>

       condor_config_val [<location>] use <template>

    where <edit> is one set/unset operation with one or more arguments
\t-set \"<var> = <value>\"\tSet persistent <var> to <value>
\t-unset <var>\t\tRevert persistent <var> to previous value
\t-rset \"<var> = <value>\"\tSet runtime <var> to <value>
\t-runset <var>\t\tRevert runtime <var> to previous value

    where <vars> is <var> [<var>...]\tPrint the value of <var>. The
\tvalue is expanded unless -raw, -evaluate, -default or -dump is
\tspecified. When used with -dump, <var> is regular expression.

    where <view> is one or more of
\t-summary[:detected] Print all variables changed by config files
\t\t\toptionally including detected values
\t-dump\t\tPrint values of all variables that match <var>
\t\t\tThe value is raw unless -expanded, -default, or -evaluate
\t\t\tis specified. If no <vars>, Print all variables
\t-default\tPrint default value
\t-expanded\tPrint expanded value
\t-raw\t\tPrint raw value as it appears in the file
\t-verbose\tPrint source, raw, expanded, and default values
\t-evaluate\tevaluate as a ClassAd expression (with respect to the <daemon> ClassAd when asking one)
      these options apply when reading configuration files
\t-config\t\tPrint the locations of configuration files
\t-macro\t\tMacro expand <vars> as if they were config values
\t-local-name <name>  Use local name for querying and expanding
\t-subsystem <daemon> Subsystem/Daemon name for querying and
\t\t\texpanding. The default subsystem is TOOL

    where <template> is <category>:<var> or <category>
        for <category>:<var>\tPrint the statements in that template
        for <category>\t\tList available <vars> in <category>
            categories are ROLE, POLICY, FEATURE, and SECURITY

    where <location> is one or more of
\t-address <ip:port>\tConnect to the given ip/port
\t-pool <hostname>\tUse the given central manager to find daemons
\t-name <daemon_name>\tQuery the specified daemon
\t-master\t\t\tQuery the master
\t-schedd\t\t\tQuery the schedd
\t-startd\t\t\tQuery the startd
\t-collector\t\tQuery the collector
\t-negotiator\t\tQuery the negotiator
\t-root-config <file>\tUse <file> as the root config file

    where <help> is one of
\t-help\t\tPrint this screen and exit
\t-version\tPrint HTCondor version and exit
";

fn usage() -> ExitCode {
    eprint!("{USAGE}");
    ExitCode::from(1)
}

enum Parsed {
    Run(Box<Args>),
    Exit(ExitCode),
}

fn parse_args(argv: &[String]) -> Parsed {
    let mut a = Args::default();
    let mut i = 0;
    let next = |i: &mut usize, what: &str| -> Result<String, ExitCode> {
        if *i + 1 < argv.len() {
            *i += 1;
            Ok(argv[*i].clone())
        } else {
            eprintln!("-{what} requires an argument");
            Err(ExitCode::from(1))
        }
    };
    macro_rules! take {
        ($what:expr) => {
            match next(&mut i, $what) {
                Ok(v) => v,
                Err(code) => return Parsed::Exit(code),
            }
        };
    }
    while i < argv.len() {
        let full = argv[i].as_str();
        if !full.starts_with('-') {
            if full.eq_ignore_ascii_case("use") {
                if i + 1 < argv.len() && !argv[i + 1].starts_with('-') {
                    i += 1;
                    a.params.push(format!("^{}", argv[i]));
                } else {
                    eprintln!("use should be followed by a category or category:option argument");
                    a.params.push("^".into());
                }
            } else {
                a.params.push(full.to_string());
            }
            i += 1;
            continue;
        }
        let double_dash = full.starts_with("--");
        let arg = if double_dash { &full[2..] } else { &full[1..] };
        let m = |name: &str, min: i32| is_arg_prefix(arg, name, if double_dash { -1 } else { min });
        if m("name", 1) {
            a.target.name = Some(take!("name"));
        } else if m("address", 1) {
            a.target.address = Some(take!("address"));
        } else if m("pool", 1) {
            a.target.pool = Some(take!("pool"));
        } else if m("local-name", 2) {
            a.local_name = Some(take!("local_name"));
        } else if m("subsystem", 3) {
            a.subsystem = Some(take!("subsystem"));
        } else if m("owner", 1) {
            a.owner = true;
        } else if m("tilde", 1) {
            a.tilde = true;
        } else if m("master", 2) {
            a.target.daemon = Some("master");
            a.ask_daemon = true;
        } else if m("schedd", 2) {
            a.target.daemon = Some("schedd");
        } else if m("startd", 2) {
            a.target.daemon = Some("startd");
        } else if m("collector", 3) {
            a.target.daemon = Some("collector");
        } else if m("negotiator", 3) {
            a.target.daemon = Some("negotiator");
        } else if m("set", 2) {
            a.mode = Some(Mode::Set);
        } else if m("unset", 3) {
            a.mode = Some(Mode::Unset);
        } else if m("rset", 3) {
            a.mode = Some(Mode::RuntimeSet);
        } else if m("runset", 5) {
            a.mode = Some(Mode::RuntimeUnset);
        } else if m("mixedcase", 2) || m("diagnostic", 4) {
        } else if m("raw", 3) {
            a.raw = true;
        } else if m("default", 3) {
            if a.verbose {
                eprintln!("-default cannot be used with -verbose");
                return Parsed::Exit(usage());
            }
            a.default = true;
        } else if m("config", 2) {
            a.config = true;
        } else if m("reconfig", 5) {
            let _ = take!("reconfig");
            a.unsupported.push(full.to_string());
        } else if m("swap", 4) {
            a.unsupported.push(full.to_string());
        } else if let Some(opts) = is_arg_colon_prefix(arg, "verbose", 1) {
            if a.default {
                eprintln!("-verbose cannot be used with -default");
                return Parsed::Exit(usage());
            }
            a.verbose = true;
            if let Some(o) = opts {
                if o.split([':', ',']).any(|t| t == "terse") {
                    a.verbose = false;
                }
            }
        } else if m("dump", 1) {
            a.dump = true;
        } else if m("trace", 2) || is_arg_colon_prefix(arg, "stats", 4).is_some() || is_arg_colon_prefix(arg, "info", 3).is_some() {
            a.unsupported.push(full.to_string());
        } else if m("expanded", 2) {
            a.expanded = true;
        } else if is_arg_colon_prefix(arg, "macro", 3).is_some() {
            a.macro_expand = true;
        } else if m("evaluate", 2) {
            a.evaluate = true;
        } else if m("unused", 4) || m("used", 2) {
            a.unsupported.push(full.to_string());
        } else if let Some(opts) = is_arg_colon_prefix(arg, "summary", 3) {
            a.summary = true;
            if let Some(o) = opts {
                a.summary_detected = o.split([':', ',']).any(|t| is_arg_prefix(t, "detected", 3));
            }
        } else if is_arg_colon_prefix(arg, "writeconfig", 3).is_some() {
            let _ = take!("writeconfig");
            a.unsupported.push(full.to_string());
        } else if is_arg_prefix(arg, "root-config", if double_dash { -1 } else { 4 }) {
            a.root_config = Some(take!("root-config"));
        } else if is_arg_colon_prefix(arg, "debug", 2).is_some() {
        } else if m("help", 2) {
            return Parsed::Exit(usage());
        } else if m("version", 3) {
            println!("{}", daemon::version::condor_version_line());
            println!("{}", daemon::version::condor_platform_line());
            return Parsed::Exit(ExitCode::SUCCESS);
        } else if is_arg_prefix(arg, "check-if", -1) {
            a.check_if = Some(take!("check-if"));
        } else {
            eprintln!("{full} is not a valid argument");
            return Parsed::Exit(usage());
        }
        i += 1;
    }
    Parsed::Run(Box::new(a))
}

pub fn main(argv: &[String]) -> ExitCode {
    let a = match parse_args(argv) {
        Parsed::Run(a) => a,
        Parsed::Exit(code) => return code,
    };
    let subsys = a.subsystem.clone().unwrap_or_else(|| "TOOL".to_string());
    let mut opts = LoadOptions::new(Subsystem::parse(&subsys));
    if let Some(l) = &a.local_name {
        opts = opts.with_local_name(l);
    }
    opts.root_config = a.root_config.as_ref().map(Into::into);
    if let Ok(seed) = std::env::var("AERIE_RANDOM_SEED") {
        opts.random_seed = seed.trim().parse().ok();
    }

    if a.owner {
        println!("{}", config::host::detected().username.clone().unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    if a.tilde {
        return match &config::host::detected().tilde {
            Some(t) => {
                println!("{t}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("Error: Specified -tilde but can't find condor's home directory");
                ExitCode::from(1)
            }
        };
    }

    let cfg = match Config::load(&opts) {
        Ok(c) => c,
        Err(e) => return report_load_error(&e),
    };
    for w in cfg.warnings() {
        eprintln!("{w}");
    }
    if !a.unsupported.is_empty() {
        eprintln!(
            "condor_config_val: {} not supported by Aerie yet; the other options still apply",
            a.unsupported.join(" ")
        );
    }
    if a.config {
        print_sources(&cfg);
    }
    if let Some(expr) = &a.check_if {
        match cfg.test_condition(expr) {
            Ok(b) => println!("# ok: \"{expr}\" \n{}", if b { "true" } else { "false" }),
            Err(reason) => println!("# not supported: \"{expr}\" {reason}"),
        }
        return ExitCode::SUCCESS;
    }

    let ask_daemon = a.summary && (a.target.name.is_some() || a.target.address.is_some() || a.mode.is_some() || a.target.daemon.is_some() || a.ask_daemon)
        || a.target.name.is_some()
        || a.target.address.is_some()
        || a.mode.is_some()
        || a.target.daemon.is_some_and(|d| d != "master")
        || a.ask_daemon;
    if a.target.pool.is_some() && a.target.name.is_none() {
        eprintln!("Error: you must specify -name with -pool");
        return ExitCode::from(1);
    }
    if a.summary && !ask_daemon {
        print_summary(&cfg, a.summary_detected);
        return ExitCode::SUCCESS;
    }
    if a.dump && !ask_daemon {
        return dump(&cfg, &a);
    }
    if a.params.is_empty() && !a.config {
        if a.dump || (a.summary && ask_daemon) {
            // remote dump of everything
        } else {
            return usage();
        }
    }
    if ask_daemon {
        return remote(&a.target, a.mode.unwrap_or(Mode::Query), &a.params);
    }
    query(&cfg, &a)
}

fn report_load_error(e: &ConfigError) -> ExitCode {
    match &e.kind {
        ErrorKind::NoConfigFile => {
            eprintln!("\n{}\nExiting.\n", e.kind);
            eprintln!("hint: {}", e.kind.hint());
        }
        ErrorKind::ConfigEnv { .. } => {
            eprintln!("{}", e.kind);
            eprintln!("hint: {}", e.kind.hint());
        }
        ErrorKind::CannotRead { what, path, .. } if e.at.is_none() => {
            eprintln!("ERROR: Can't read {what} {path}");
            eprintln!("{e}");
        }
        _ => {
            if let Some(line) = e.htcondor_line() {
                eprintln!("{line}");
            }
            eprintln!("{e}");
        }
    }
    ExitCode::from(1)
}

/// `-config`: descriptions on stderr, file names on stdout (for xargs).
fn print_sources(cfg: &Config) {
    eprintln!("Configuration source:");
    println!("\t{}", cfg.global_file().unwrap_or(""));
    let locals = cfg.local_files();
    if !locals.is_empty() {
        eprintln!("{}", if locals.len() == 1 { "Local configuration source:" } else { "Local configuration sources:" });
        for l in locals {
            println!("\t{l}");
        }
        eprintln!();
    }
}

/// `NAME = value`, or `NAME @=end` with indented lines for multi-line values.
fn name_value(name: &str, value: &str, indent: &str, herefile: bool) -> String {
    if herefile || value.contains('\n') {
        let mut s = format!("{name} @=end");
        for line in value.split('\n').filter(|l| !l.is_empty()) {
            s.push('\n');
            s.push_str(indent);
            s.push_str(line);
        }
        s.push_str("\n@end");
        s
    } else {
        format!("{name} = {value}")
    }
}

/// HTCondor's continuation of a multi-line value in `# raw:` style lines.
fn commented(value: &str, indent: &str) -> String {
    if !value.contains('\n') {
        return value.to_string();
    }
    let mut s = String::new();
    for line in value.split('\n').filter(|l| !l.is_empty()) {
        s.push('\n');
        s.push_str(indent);
        s.push_str(line);
    }
    s
}

fn dump(cfg: &Config, a: &Args) -> ExitCode {
    let host = cfg.get("FULL_HOSTNAME").unwrap_or_else(|| "<unknown hostname>".to_string());
    println!("# Configuration from machine: {host}");
    let patterns: Vec<String> = if a.params.is_empty() { vec![String::new()] } else { a.params.clone() };
    for pat in &patterns {
        if !pat.is_empty() {
            println!("\n# Parameters with names that match {pat}:");
        }
        let entries: Vec<ParamEntry> = match cfg.dump(Some(pat)) {
            Ok(e) => e,
            Err(_) => continue,
        };
        for e in entries {
            let raw = e.raw.clone().unwrap_or_default();
            let herefile = raw.contains('\n');
            if a.default {
                let d = e.default.clone().unwrap_or_default();
                println!("{}", name_value(&e.name, &d, "   ", d.contains('\n')));
            } else if a.expanded {
                let v = cfg.get(&e.name).unwrap_or_default();
                println!("{}", name_value(&e.name, &v, "   ", herefile));
            } else {
                println!("{}", name_value(&e.name, &raw, "   ", herefile));
            }
            if a.verbose {
                println!(" # at: {}", e.source);
                if a.expanded {
                    println!(" # raw: {}", commented(&raw, " #     "));
                } else {
                    let v = cfg.get(&e.name).unwrap_or_default();
                    println!(" # expanded: {}", commented(&v, " #     "));
                }
                if let Some(d) = &e.default {
                    println!(" # default: {}", commented(d, " #     "));
                }
            }
        }
    }
    if !a.verbose {
        println!("# Contributing configuration file(s):");
        if let Some(g) = cfg.global_file() {
            println!("#\t{g}");
        }
        for l in cfg.local_files() {
            println!("#\t{l}");
        }
    }
    ExitCode::SUCCESS
}

fn print_summary(cfg: &Config, _detected: bool) {
    println!("# condor_config_val {}", daemon::version::condor_version_line());
    for (source, items) in cfg.summary() {
        println!("\n#\n# from {source}\n#");
        for (name, raw) in items {
            println!("{}", name_value(&name, &raw, "   ", false));
        }
    }
}

/// `use CATEGORY[:NAME]`: list a category's templates or print one.
fn print_template(spec: &str, expand: bool) -> bool {
    let table = config::defaults::table();
    let (cat, knob) = match spec.split_once([':', '=']) {
        Some((c, k)) => (c.trim().to_string(), k.trim().to_string()),
        None => match spec.split_once('.') {
            Some((c, k)) => {
                eprintln!("{spec} is not valid, assuming {c}:{k} was intended");
                (c.to_string(), k.to_string())
            }
            None => (spec.trim().to_string(), String::new()),
        },
    };
    let Some(list) = table.meta_category(&cat) else {
        println!("Not defined: use {}", spec.to_ascii_uppercase());
        return false;
    };
    let cat_name = table.meta_categories().iter().find(|c| c.eq_ignore_ascii_case(&cat)).cloned().unwrap_or(cat.clone());
    if knob.is_empty() {
        println!("use {cat_name} accepts");
        for m in list {
            println!("  {}", m.name);
        }
        return true;
    }
    let (kname, args) = match knob.split_once('(') {
        Some((n, rest)) => (n.trim().to_string(), rest.trim_end_matches(')').to_string()),
        None => (knob.clone(), String::new()),
    };
    match table.meta(&cat, &kname) {
        Some(m) => {
            if expand || !args.is_empty() {
                println!("use {cat_name}:{knob} {}", if expand { "expands to" } else { "is" });
                println!("{}", config::expand_template_args(&m.text, &args));
                println!();
            } else {
                println!("use {cat_name}:{} is\n{}", m.name, m.text);
            }
            true
        }
        None => {
            println!("Not defined: use {}", format!("{cat}:{knob}").to_ascii_uppercase());
            false
        }
    }
}

fn query(cfg: &Config, a: &Args) -> ExitCode {
    let mut not_defined = 0;
    for name in &a.params {
        if let Some(spec) = name.strip_prefix('^') {
            print_template(spec, a.expanded);
            continue;
        }
        if a.macro_expand {
            match cfg.expand_keep_dollar(name) {
                Ok(v) => {
                    if a.verbose {
                        println!("{name} expands to: {v}");
                    } else {
                        println!("{v}");
                    }
                }
                Err(e) => {
                    eprintln!("{name}: {e}");
                    not_defined += 1;
                }
            }
            continue;
        }
        let entry = cfg.entry(name);
        let mut raw_line = String::new();
        let mut location = String::new();
        let name_used;
        let mut value: Option<String>;
        match &entry {
            Some(e) => {
                name_used = e.name.clone();
                if a.default {
                    value = e.default.clone();
                } else if a.raw {
                    value = Some(e.raw.clone().unwrap_or_default());
                } else {
                    value = match cfg.try_get(&e.name) {
                        Ok(v) => v,
                        Err(err) => {
                            eprintln!("{}: {err}", e.name);
                            None
                        }
                    };
                    raw_line = format!("{} = {}", e.name, e.raw.clone().unwrap_or_default());
                }
                location = e.source.to_string();
            }
            None => {
                name_used = name.to_ascii_uppercase();
                value = if a.default { cfg.default_value(name) } else { None };
            }
        }
        if a.evaluate {
            if let Some(v) = &value {
                match config::evaluate_to_string(v) {
                    Some(ev) => value = Some(ev),
                    None => eprintln!("Warning: Failed to evaluate '{v}', returning it as config value"),
                }
            }
        }
        match &value {
            None => {
                eprintln!("Not defined: {name_used}");
                not_defined += 1;
            }
            Some(v) => {
                if a.verbose {
                    println!("{}", name_value(&name_used, v, "   ", false));
                } else {
                    println!("{v}");
                }
            }
        }
        if a.verbose {
            if !location.is_empty() {
                println!(" # at: {location}");
            }
            if !raw_line.is_empty() {
                println!(" # raw: {}", commented(&raw_line, " #   "));
            }
            println!();
        }
    }
    if not_defined > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Queries and edits that go to a daemon. The arguments are checked as
/// HTCondor checks them; talking to the daemon needs the daemons' remote
/// configuration interface, which is not there yet.
fn remote(target: &Target, mode: Mode, params: &[String]) -> ExitCode {
    for p in params {
        let p = p.trim_start();
        match mode {
            Mode::Set | Mode::RuntimeSet => {
                if assignment_name(p).is_none() {
                    let name = p.split(['=', ':']).next().unwrap_or(p);
                    eprintln!(
                        "condor_config_val: Can't set configuration value (\"{name}\")\nYou must specify \"macro_name = value\" or \"use category:option\""
                    );
                    return ExitCode::from(1);
                }
            }
            Mode::Unset | Mode::RuntimeUnset => {
                if p.contains([':', '=']) {
                    eprintln!(
                        "condor_config_val: Can't unset configuration value (\"{p}\")\nTo unset, you only specify the name of the attribute"
                    );
                    return ExitCode::from(1);
                }
            }
            Mode::Query => {}
        }
    }
    let daemon = target.daemon.unwrap_or("master");
    let who = target.name.as_deref().or(target.address.as_deref()).unwrap_or("default");
    let pool = target.pool.as_deref().unwrap_or("local pool");
    eprintln!("Can't find address for {daemon} '{who}' in {pool}");
    eprintln!("Perhaps you need to query another pool.");
    eprintln!(
        "hint: Aerie's condor_config_val reads configuration files only; asking or changing a running daemon's configuration (-set, -rset, -unset, -runset, -name, -pool, -address, -{daemon}) needs the daemon's remote configuration interface, which this version does not have. Edit the configuration files and run condor_reconfig instead."
    );
    ExitCode::from(1)
}

/// The parameter name of `NAME = value` or `use CATEGORY : option`, as
/// HTCondor's `is_valid_config_assignment` accepts them.
fn assignment_name(text: &str) -> Option<String> {
    let t = text.trim_start();
    if t.len() > 4 && t[..4].eq_ignore_ascii_case("use ") {
        let (cat, opt) = t[4..].split_once(':')?;
        let table = config::defaults::table();
        let opts: Vec<&str> = opt.split([',', ' ', '\t']).filter(|s| !s.is_empty()).collect();
        if opts.len() != 1 || table.meta(cat.trim(), opts[0]).is_none() {
            return None;
        }
        return Some(format!("${}.{}", cat.trim(), opts[0]));
    }
    let eq = t.find('=')?;
    let name = t[..eq].trim_end();
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || b"_./".contains(&c)) {
        return None;
    }
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_prefixes() {
        assert!(is_arg_prefix("d", "dump", 1));
        assert!(is_arg_prefix("def", "default", 3));
        assert!(!is_arg_prefix("de", "default", 3));
        assert!(!is_arg_prefix("dumpx", "dump", 1));
        assert_eq!(is_arg_colon_prefix("verbose:type", "verbose", 1), Some(Some("type")));
        assert!(is_arg_prefix("check-if", "check-if", -1));
    }

    #[test]
    fn assignments() {
        assert_eq!(assignment_name("FOO = 1").as_deref(), Some("FOO"));
        assert_eq!(assignment_name("use ROLE : Personal").as_deref(), Some("$ROLE.Personal"));
        assert_eq!(assignment_name("FOO 1"), None);
        assert_eq!(assignment_name("use ROLE : Nope"), None);
    }
}
