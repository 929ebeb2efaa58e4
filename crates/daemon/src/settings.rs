//! The configuration values a daemon reads, in one place.
//!
//! [`Settings`] answers `param`-style lookups for one subsystem (`SCHEDD`,
//! `STARTD`, …): `SUBSYS.NAME` before `NAME`, `_CONDOR_NAME` environment
//! overrides, macros expanded with the `config` crate's expander, and the
//! built-in defaults of the knobs the daemons use ([`DEFAULTS`]).
//!
//! It reads the configuration file named by `CONDOR_CONFIG` with a small
//! reader: `NAME = value` lines (with `\` continuations and `NAME @=TAG …
//! @TAG` blocks), `X = $(X) more` self-references, `include : FILE`,
//! `use ROLE : …` meta-knobs, `LOCAL_CONFIG_FILE`/`LOCAL_CONFIG_DIR`, and
//! `if [!] defined NAME` / `if true|false` blocks. It is the seam where the
//! `config` crate's full loader plugs in; every daemon asks through it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{ExpandOptions, MacroSource};

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Syntax { path: PathBuf, line: usize, message: String },
    #[error("configuration files include each other too deeply (at {0}); look for an include loop")]
    TooDeep(PathBuf),
}

/// Built-in defaults of the knobs Aerie's daemons read (HTCondor's values
/// unless noted).
pub const DEFAULTS: &[(&str, &str)] = &[
    ("LOCAL_DIR", "$(TILDE)"),
    ("LOG", "$(LOCAL_DIR)/log"),
    ("SPOOL", "$(LOCAL_DIR)/spool"),
    ("EXECUTE", "$(LOCAL_DIR)/execute"),
    ("LOCK", "$(LOCAL_DIR)/lock"),
    ("RUN", "$(LOCAL_DIR)/run"),
    ("CONDOR_HOST", "$(FULL_HOSTNAME)"),
    ("COLLECTOR_HOST", "$(CONDOR_HOST)"),
    ("DAEMON_LIST", "MASTER"),
    ("MASTER_LOG", "$(LOG)/MasterLog"),
    ("COLLECTOR_LOG", "$(LOG)/CollectorLog"),
    ("NEGOTIATOR_LOG", "$(LOG)/NegotiatorLog"),
    ("SCHEDD_LOG", "$(LOG)/SchedLog"),
    ("STARTD_LOG", "$(LOG)/StartLog"),
    ("STARTER_LOG", "$(LOG)/StarterLog"),
    ("FILESYSTEM_DOMAIN", "$(FULL_HOSTNAME)"),
    ("UID_DOMAIN", "$(FULL_HOSTNAME)"),
    ("COLLECTOR_NAME", "My Pool - $(CONDOR_HOST)"),
    ("CLASSAD_LIFETIME", "900"),
    ("UPDATE_INTERVAL", "300"),
    ("MASTER_UPDATE_INTERVAL", "300"),
    ("MASTER_BACKOFF_CONSTANT", "9"),
    ("MASTER_BACKOFF_FACTOR", "2.0"),
    ("MASTER_BACKOFF_CEILING", "3600"),
    ("MASTER_RECOVER_FACTOR", "300"),
    ("SHUTDOWN_GRACEFUL_TIMEOUT", "1800"),
    ("ALIVE_INTERVAL", "300"),
    ("MAX_CLAIM_ALIVES_MISSED", "6"),
    ("START", "TRUE"),
    ("NUM_CPUS", "$(DETECTED_CPUS)"),
    ("MEMORY", "$(DETECTED_MEMORY)"),
    ("NEGOTIATOR_INTERVAL", "60"),
    ("JOB_DEFAULT_REQUESTMEMORY", "ifthenelse(MemoryUsage =!= UNDEFINED, MemoryUsage, 1)"),
    ("JOB_DEFAULT_REQUESTDISK", "DiskUsage"),
    ("JOB_DEFAULT_REQUESTCPUS", "1"),
    (
        "MODIFY_REQUEST_EXPR_REQUESTMEMORY",
        "quantize(RequestMemory,{128})",
    ),
    ("MODIFY_REQUEST_EXPR_REQUESTDISK", "quantize(RequestDisk,{1024})"),
    ("MODIFY_REQUEST_EXPR_REQUESTCPUS", "quantize(RequestCpus,{1})"),
    ("STARTD_JOB_QUEUE_DEPTH", "2"),
    ("USE_TCP", "false"),
];

/// The `use ROLE : NAME` templates, as HTCondor defines them.
fn role_template(name: &str) -> Option<&'static [(&'static str, &'static str)]> {
    Some(match name.to_ascii_lowercase().as_str() {
        "personal" => &[
            ("CONDOR_HOST", "127.0.0.1"),
            ("COLLECTOR_HOST", "$(CONDOR_HOST):0"),
            ("DAEMON_LIST", "MASTER COLLECTOR NEGOTIATOR STARTD SCHEDD"),
            ("RunBenchmarks", "0"),
        ],
        "execute" => &[("DAEMON_LIST", "$(DAEMON_LIST) STARTD")],
        "submit" => &[("DAEMON_LIST", "$(DAEMON_LIST) SCHEDD")],
        "centralmanager" => &[("DAEMON_LIST", "$(DAEMON_LIST) COLLECTOR NEGOTIATOR")],
        _ => return None,
    })
}

/// A loaded configuration, seen by one subsystem.
#[derive(Debug, Clone)]
pub struct Settings {
    subsystem: String,
    file: Option<PathBuf>,
    /// Raw values by upper-cased name, as the files set them.
    raw: HashMap<String, String>,
    /// `_CONDOR_*` overrides by upper-cased name.
    env: HashMap<String, String>,
    builtins: HashMap<String, String>,
    /// Warnings met while reading (unknown `use` templates, …).
    pub warnings: Vec<String>,
}

struct Lookup<'a>(&'a Settings);

impl MacroSource for Lookup<'_> {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        self.0.raw_value(name).map(Cow::Borrowed)
    }
}

struct FileSource<'a> {
    raw: &'a HashMap<String, String>,
    builtins: &'a HashMap<String, String>,
}

impl MacroSource for FileSource<'_> {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        let key = name.to_ascii_uppercase();
        self.raw
            .get(&key)
            .or_else(|| self.builtins.get(&key))
            .map(|v| Cow::Borrowed(v.as_str()))
            .or_else(|| default_of(&key).map(Cow::Borrowed))
    }
}

fn default_of(key: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| *v)
}

impl Settings {
    /// Read the configuration named by `CONDOR_CONFIG` (none: only the
    /// built-in defaults) for `subsystem`.
    pub fn load(subsystem: &str) -> Result<Settings, SettingsError> {
        let file = std::env::var_os("CONDOR_CONFIG").map(PathBuf::from).filter(|p| p.as_os_str() != "ONLY_ENV");
        let env: HashMap<String, String> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("_CONDOR_").map(|n| (n.to_ascii_uppercase(), v)))
            .collect();
        Settings::from_parts(subsystem, file.as_deref(), env)
    }

    /// Read `file` (if any) for `subsystem`, with `env` as the `_CONDOR_*`
    /// overrides (names without the prefix).
    pub fn from_parts(
        subsystem: &str,
        file: Option<&Path>,
        env: HashMap<String, String>,
    ) -> Result<Settings, SettingsError> {
        let mut s = Settings {
            subsystem: subsystem.to_ascii_uppercase(),
            file: file.map(Path::to_path_buf),
            raw: HashMap::new(),
            env: env.into_iter().map(|(k, v)| (k.to_ascii_uppercase(), v)).collect(),
            builtins: builtin_macros(subsystem),
            warnings: Vec::new(),
        };
        if let Some(f) = file {
            if f != Path::new("/dev/null") {
                s.read_file(f, 0)?;
                // LOCAL_CONFIG_FILE / LOCAL_CONFIG_DIR, read after the main file.
                for local in s.list("LOCAL_CONFIG_FILE") {
                    let p = PathBuf::from(&local);
                    if p.exists() {
                        s.read_file(&p, 1)?;
                    }
                }
                for dir in s.list("LOCAL_CONFIG_DIR") {
                    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect())
                        .unwrap_or_default();
                    files.sort();
                    for p in files {
                        s.read_file(&p, 1)?;
                    }
                }
            }
        }
        Ok(s)
    }

    /// Settings from text, for tests.
    pub fn from_text(subsystem: &str, text: &str) -> Result<Settings, SettingsError> {
        let mut s = Settings::from_parts(subsystem, None, HashMap::new())?;
        s.read_text(Path::new("<text>"), text, 0)?;
        Ok(s)
    }

    /// The subsystem this view answers for (`STARTD`).
    pub fn subsystem(&self) -> &str {
        &self.subsystem
    }

    /// The configuration file read, if any.
    pub fn config_file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Set a value as if the configuration file had said `name = value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.raw.insert(name.to_ascii_uppercase(), value.to_string());
    }

    fn read_file(&mut self, path: &Path, depth: usize) -> Result<(), SettingsError> {
        if depth > 16 {
            return Err(SettingsError::TooDeep(path.to_path_buf()));
        }
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read { path: path.to_path_buf(), source })?;
        self.read_text(path, &text, depth)
    }

    fn read_text(&mut self, path: &Path, text: &str, depth: usize) -> Result<(), SettingsError> {
        let mut lines = text.lines().enumerate().peekable();
        // Stack of "is this branch active" for if/elif/else/endif.
        let mut conds: Vec<(bool, bool)> = Vec::new(); // (active, some branch taken)
        while let Some((i, line)) = lines.next() {
            let lineno = i + 1;
            let mut logical = line.to_string();
            while logical.trim_end().ends_with('\\') {
                let t = logical.trim_end();
                logical = t[..t.len() - 1].to_string();
                match lines.next() {
                    Some((_, next)) => logical.push_str(next),
                    None => break,
                }
            }
            let t = logical.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let lower = t.to_ascii_lowercase();
            let active = conds.iter().all(|c| c.0);
            if let Some(cond) = lower.strip_prefix("if ").map(|_| &t[3..]) {
                let v = active && self.condition(cond);
                conds.push((v, v));
                continue;
            }
            if let Some(cond) = lower.strip_prefix("elif ").map(|_| &t[5..]) {
                let outer = conds.len() > 1 && conds[..conds.len() - 1].iter().all(|c| c.0);
                let outer = outer || conds.len() == 1;
                match conds.last_mut() {
                    Some(c) => {
                        let v = outer && !c.1 && self.condition(cond);
                        c.0 = v;
                        c.1 |= v;
                    }
                    None => return Err(syntax(path, lineno, "elif without if")),
                }
                continue;
            }
            if lower == "else" {
                let outer = conds.len() <= 1 || conds[..conds.len() - 1].iter().all(|c| c.0);
                match conds.last_mut() {
                    Some(c) => {
                        c.0 = outer && !c.1;
                        c.1 = true;
                    }
                    None => return Err(syntax(path, lineno, "else without if")),
                }
                continue;
            }
            if lower == "endif" {
                if conds.pop().is_none() {
                    return Err(syntax(path, lineno, "endif without if"));
                }
                continue;
            }
            if !active {
                continue;
            }
            if let Some(rest) = strip_keyword(t, "use") {
                let (cat, opts) = rest.split_once(':').ok_or_else(|| {
                    syntax(path, lineno, "expected `use CATEGORY : TEMPLATE`, e.g. `use ROLE : Personal`")
                })?;
                for opt in opts.split(|c: char| c == ',' || c.is_whitespace()).filter(|o| !o.is_empty()) {
                    if cat.trim().eq_ignore_ascii_case("ROLE") {
                        match role_template(opt) {
                            Some(tpl) => {
                                for (k, v) in tpl {
                                    self.assign(k, v);
                                }
                            }
                            None => self.warnings.push(format!(
                                "{}:{lineno}: unknown template `use ROLE : {opt}` (known: Personal, Execute, Submit, CentralManager)",
                                path.display()
                            )),
                        }
                    } else {
                        self.warnings.push(format!(
                            "{}:{lineno}: `use {} : {opt}` is not applied by the daemons yet",
                            path.display(),
                            cat.trim()
                        ));
                    }
                }
                continue;
            }
            if let Some(rest) = strip_keyword(t, "include") {
                let (opts, file) = rest.split_once(':').ok_or_else(|| syntax(path, lineno, "expected `include : FILE`"))?;
                let file = self.expand_text(file.trim());
                let mut p = PathBuf::from(&file);
                if p.is_relative() {
                    if let Some(dir) = path.parent() {
                        p = dir.join(p);
                    }
                }
                if opts.to_ascii_lowercase().contains("ifexist") && !p.exists() {
                    continue;
                }
                self.read_file(&p, depth + 1)?;
                continue;
            }
            let Some(eq) = t.find('=') else {
                return Err(syntax(path, lineno, &format!("expected `NAME = value`, found `{t}`")));
            };
            let (name, mut value) = match t[..eq].strip_suffix('@') {
                Some(n) => (n.trim(), format!("@{}", t[eq + 1..].trim())),
                None => (t[..eq].trim(), t[eq + 1..].trim().to_string()),
            };
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(syntax(path, lineno, &format!("`{name}` is not a configuration name")));
            }
            // NAME @=TAG … @TAG
            if let Some(tag) = value.strip_prefix('@') {
                let tag = format!("@{}", tag.trim());
                let mut body = Vec::new();
                let mut closed = false;
                for (_, l) in lines.by_ref() {
                    if l.trim() == tag {
                        closed = true;
                        break;
                    }
                    body.push(l.to_string());
                }
                if !closed {
                    return Err(syntax(path, lineno, &format!("`{name} @={}` has no closing `{tag}` line", &tag[1..])));
                }
                value = body.join("\n");
            }
            self.assign(name, &value);
        }
        Ok(())
    }

    fn assign(&mut self, name: &str, value: &str) {
        let key = name.to_ascii_uppercase();
        let value = if config::macros::has_macros(value) {
            // `X = $(X) more` appends to the previous value.
            let prev = FileSource { raw: &self.raw, builtins: &self.builtins };
            let alt = key.split_once('.').map(|(_, n)| n.to_string());
            config::macros::expand_self(value, &key, alt.as_deref(), &prev)
        } else {
            value.to_string()
        };
        self.raw.insert(key, value);
    }

    fn condition(&self, cond: &str) -> bool {
        let c = cond.trim();
        let (neg, c) = match c.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, c),
        };
        let v = if let Some(name) = strip_keyword(c, "defined") {
            let name = name.trim();
            self.raw_value(name).is_some_and(|v| !v.trim().is_empty())
        } else {
            matches!(self.expand_text(c).trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1")
        };
        v != neg
    }

    /// The raw (unexpanded) value of `name` for this subsystem.
    fn raw_value(&self, name: &str) -> Option<&str> {
        let key = name.to_ascii_uppercase();
        let sub_key = format!("{}.{}", self.subsystem, key);
        if let Some(v) = self.env.get(&sub_key).or_else(|| self.env.get(&key)) {
            return Some(v);
        }
        if !key.contains('.') {
            if let Some(v) = self.raw.get(&sub_key) {
                return Some(v);
            }
        }
        self.raw
            .get(&key)
            .or_else(|| self.builtins.get(&key))
            .map(String::as_str)
            .or_else(|| default_of(&key))
    }

    fn expand_text(&self, text: &str) -> String {
        config::expand(text, &Lookup(self), &ExpandOptions::default()).unwrap_or_else(|_| text.to_string())
    }

    /// The expanded value of `name`; `None` when undefined or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        let raw = self.raw_value(name)?;
        let v = config::macros::expand_with_warnings(raw, Some(name), &Lookup(self), &ExpandOptions::default())
            .map(|e| e.value)
            .unwrap_or_else(|_| raw.to_string());
        let v = v.trim().to_string();
        (!v.is_empty()).then_some(v)
    }

    /// The expanded value of `name`, or `default`.
    pub fn get_or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_string())
    }

    /// An integer knob. A value that is not an integer (after evaluating
    /// it as a ClassAd expression, as HTCondor does) gives `default`.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        let Some(v) = self.get(name) else { return default };
        if let Ok(i) = v.parse::<i64>() {
            return i;
        }
        match classad::Expr::parse(&v).map(|e| e.eval(None, None)) {
            Ok(classad::Value::Int(i)) => i,
            Ok(classad::Value::Real(r)) => r as i64,
            _ => default,
        }
    }

    /// A real-number knob.
    pub fn real(&self, name: &str, default: f64) -> f64 {
        let Some(v) = self.get(name) else { return default };
        if let Ok(f) = v.parse::<f64>() {
            return f;
        }
        match classad::Expr::parse(&v).map(|e| e.eval(None, None)) {
            Ok(classad::Value::Int(i)) => i as f64,
            Ok(classad::Value::Real(r)) => r,
            _ => default,
        }
    }

    /// A boolean knob (`true`/`false`/`yes`/`no`/`1`/`0`, any case).
    pub fn bool(&self, name: &str, default: bool) -> bool {
        match self.get(name).map(|v| v.to_ascii_lowercase()) {
            Some(v) if matches!(v.as_str(), "true" | "yes" | "t" | "y" | "1") => true,
            Some(v) if matches!(v.as_str(), "false" | "no" | "f" | "n" | "0") => false,
            _ => default,
        }
    }

    /// A path knob.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.get(name).map(PathBuf::from)
    }

    /// A list knob: items separated by commas or white space.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| v.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// `$(LOG)`.
    pub fn log_dir(&self) -> PathBuf {
        self.path("LOG").unwrap_or_else(|| PathBuf::from("log"))
    }

    /// `$(LOCK)`, where daemons put their Unix sockets.
    pub fn lock_dir(&self) -> PathBuf {
        self.path("LOCK").unwrap_or_else(|| self.log_dir())
    }

    /// `$(SPOOL)`.
    pub fn spool_dir(&self) -> PathBuf {
        self.path("SPOOL").unwrap_or_else(|| PathBuf::from("spool"))
    }

    /// `$(EXECUTE)`.
    pub fn execute_dir(&self) -> PathBuf {
        self.path("EXECUTE").unwrap_or_else(|| PathBuf::from("execute"))
    }
}

fn strip_keyword<'a>(line: &'a str, kw: &str) -> Option<&'a str> {
    let head = line.get(..kw.len())?;
    let rest = &line[kw.len()..];
    (head.eq_ignore_ascii_case(kw) && rest.starts_with(|c: char| c.is_whitespace() || c == ':')).then_some(rest)
}

fn syntax(path: &Path, line: usize, message: &str) -> SettingsError {
    SettingsError::Syntax { path: path.to_path_buf(), line, message: message.to_string() }
}

/// Values HTCondor computes rather than reads (`$(FULL_HOSTNAME)`, …).
fn builtin_macros(subsystem: &str) -> HashMap<String, String> {
    let host = crate::host::hostname();
    let short = host.split('.').next().unwrap_or(&host).to_string();
    let mut m = HashMap::new();
    m.insert("FULL_HOSTNAME".into(), host.clone());
    m.insert("HOSTNAME".into(), short);
    m.insert("IP_ADDRESS".into(), "127.0.0.1".into());
    m.insert("IPV4_ADDRESS".into(), "127.0.0.1".into());
    m.insert("SUBSYSTEM".into(), subsystem.to_ascii_uppercase());
    m.insert("DETECTED_CPUS".into(), crate::host::detected_cpus().to_string());
    m.insert("DETECTED_CORES".into(), crate::host::detected_cpus().to_string());
    m.insert("DETECTED_MEMORY".into(), crate::host::detected_memory_mb().to_string());
    let facts = crate::host::os_facts();
    m.insert("ARCH".into(), facts.arch.clone());
    m.insert("OPSYS".into(), facts.opsys.clone());
    m.insert("OPSYSANDVER".into(), facts.opsys_and_ver.clone());
    m.insert("PID".into(), std::process::id().to_string());
    let user = crate::host::current_user();
    if let Some(home) = crate::host::home_of(&user) {
        m.insert("TILDE".into(), home.display().to_string());
    }
    m.insert("USERNAME".into(), user);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_role_and_local_dir_give_the_pool_layout() {
        let s = Settings::from_text("SCHEDD", "use ROLE : Personal\nLOCAL_DIR = /p\n").unwrap();
        assert_eq!(s.get("LOG").as_deref(), Some("/p/log"));
        assert_eq!(s.get("SCHEDD_LOG").as_deref(), Some("/p/log/SchedLog"));
        assert_eq!(s.list("DAEMON_LIST"), ["MASTER", "COLLECTOR", "NEGOTIATOR", "STARTD", "SCHEDD"]);
        assert_eq!(s.get("COLLECTOR_HOST").as_deref(), Some("127.0.0.1:0"));
    }

    #[test]
    fn subsystem_prefix_wins_and_self_reference_appends() {
        let text = "X = 1\nSTARTD.X = 2\nL = a\nL = $(L) b\n";
        let s = Settings::from_text("STARTD", text).unwrap();
        assert_eq!(s.int("X", 0), 2);
        assert_eq!(s.get("L").as_deref(), Some("a b"));
        let s = Settings::from_text("SCHEDD", text).unwrap();
        assert_eq!(s.int("X", 0), 1);
    }

    #[test]
    fn typed_lookups_fall_back_to_defaults() {
        let s = Settings::from_text("MASTER", "A = 3 * 4\nB = yes\nC = oops\n").unwrap();
        assert_eq!(s.int("A", 0), 12);
        assert!(s.bool("B", false));
        assert_eq!(s.int("C", 7), 7);
        assert_eq!(s.int("CLASSAD_LIFETIME", 0), 900);
        assert_eq!(s.real("MASTER_BACKOFF_FACTOR", 0.0), 2.0);
    }

    #[test]
    fn conditionals_and_blocks() {
        let text = "if defined NOPE\nA = 1\nelse\nA = 2\nendif\nB @=end\nline1\nline2\n@end\n";
        let s = Settings::from_text("X", text).unwrap();
        assert_eq!(s.int("A", 0), 2);
        assert_eq!(s.get("B").as_deref(), Some("line1\nline2"));
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = Settings::from_text("X", "A = 1\nthis is not config\n").unwrap_err();
        assert!(err.to_string().contains(":2:"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut env = HashMap::new();
        env.insert("NUM_CPUS".to_string(), "3".to_string());
        let s = Settings::from_parts("STARTD", None, env).unwrap();
        assert_eq!(s.int("NUM_CPUS", 0), 3);
    }
}
