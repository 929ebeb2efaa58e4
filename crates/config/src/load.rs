//! The loading sequence, as HTCondor's `config()` runs it:
//!
//! 1. detected host facts (`ARCH`, `OPSYS`, `DETECTED_CPUS`, …);
//! 2. the top-level file: `CONDOR_CONFIG` (a file, `/dev/null` or
//!    `ONLY_ENV` for none), else `/etc/condor/condor_config`,
//!    `/usr/local/etc/condor_config`, `~condor/condor_config`, and (an
//!    Aerie addition for ordinary users) `~/.condor/condor_config`;
//! 3. `HOSTNAME`/`FULL_HOSTNAME`, then every file of `LOCAL_CONFIG_DIR`
//!    (sorted, minus `LOCAL_CONFIG_DIR_EXCLUDE_REGEXP`), the
//!    `LOCAL_CONFIG_FILE` list (re-read when a file changes the list), and
//!    `LOCAL_CONFIG_DIR` again if a local file changed it;
//! 4. `~/.condor/user_config` (`USER_CONFIG_FILE`);
//! 5. `_CONDOR_NAME` environment variables;
//! 6. the values the files cannot override (`FULL_HOSTNAME`, `IP_ADDRESS`,
//!    `USERNAME`, `PID`, …) and `FILESYSTEM_DOMAIN`/`UID_DOMAIN`;
//! 7. `AUTO_USE_<CATEGORY>_<TEMPLATE>` triggers.
//!
//! Statements inside files are parsed in [`crate::parse`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ConfigError, ErrorKind, Location};
use crate::host::HostInfo;
use crate::macros::{self, ExpandOptions, MacroError};
use crate::options::{EnvMap, LoadOptions};
use crate::table::{Origin, Table, View, SOURCE_DETECTED, SOURCE_ENVIRONMENT, SPECIAL_SOURCES};

/// A warning HTCondor prints while loading (and keeps going).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    pub at: Option<Location>,
    pub message: String,
}

impl std::fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.at {
            Some(at) => write!(f, "Config source Warning \"{}\", Line {}: {}", at.file, at.line, self.message),
            None => write!(f, "Config source Warning: {}", self.message),
        }
    }
}

/// Everything a finished load produced.
pub(crate) struct Loaded {
    pub table: Table,
    pub sources: Vec<String>,
    pub global: Option<String>,
    pub locals: Vec<String>,
    pub warnings: Vec<ConfigWarning>,
    pub host: HostInfo,
    pub env: Arc<EnvMap>,
}

/// The state of one load in progress.
pub(crate) struct Loader<'o> {
    pub opts: &'o LoadOptions,
    pub env: Arc<EnvMap>,
    pub table: Table,
    pub sources: Vec<String>,
    pub global: Option<String>,
    pub locals: Vec<String>,
    pub warnings: Vec<ConfigWarning>,
    pub subsys: String,
    pub local: Option<String>,
    pub expand_opts: ExpandOptions,
    pub host: HostInfo,
}

/// Where the top-level file comes from.
pub(crate) enum Root {
    /// Read this file (or `cmd |`).
    File(String),
    /// In-memory text, named for messages.
    Text { name: String, text: String },
    /// No files at all (`/dev/null`, `ONLY_ENV`).
    Nothing { only_env: bool },
}

pub(crate) fn expand_options(env: &Arc<EnvMap>, seed: Option<u64>) -> ExpandOptions {
    let e = Arc::clone(env);
    ExpandOptions {
        keep_dollar: false,
        env: Some(Arc::new(move |name: &str| e.get(name).cloned())),
        random_seed: seed,
        cwd: None,
    }
}

impl<'o> Loader<'o> {
    pub fn new(opts: &'o LoadOptions) -> Loader<'o> {
        let env = Arc::new(opts.env_map());
        let expand_opts = expand_options(&env, opts.random_seed);
        let host = opts.host.clone().unwrap_or_else(|| crate::host::detected().clone());
        Loader {
            opts,
            env,
            table: Table::default(),
            sources: SPECIAL_SOURCES.iter().map(|s| s.to_string()).collect(),
            global: None,
            locals: Vec::new(),
            warnings: Vec::new(),
            subsys: opts.subsystem.as_str().to_string(),
            local: opts.local_name.clone().filter(|l| !l.is_empty()),
            expand_opts,
            host,
        }
    }

    /// Lookups as this process sees them.
    pub fn view(&self) -> View<'_> {
        View::new(&self.table, Some(self.subsys.as_str()), self.local.as_deref())
    }

    pub fn expand(&self, text: &str) -> Result<String, MacroError> {
        macros::expand(text, &self.view(), &self.expand_opts)
    }

    /// HTCondor's `param()`: expanded, `None` when undefined or empty.
    pub fn param(&self, name: &str) -> Result<Option<String>, MacroError> {
        let Some(raw) = self.view().raw(name) else { return Ok(None) };
        if raw.is_empty() {
            return Ok(None);
        }
        let raw = raw.to_string();
        let v = macros::expand_with_warnings(&raw, Some(name), &self.view(), &self.expand_opts)?.value;
        Ok(Some(v).filter(|v| !v.is_empty()))
    }

    /// Expand only references to `name` itself (`X = $(X) more`).
    pub fn expand_self(&self, text: &str, name: &str) -> String {
        if !text.contains('$') {
            return text.to_string();
        }
        let alt = self_alt(name, self.local.as_deref()).or_else(|| self_alt(name, Some(&self.subsys)));
        macros::expand_self(text, name, alt, &self.view())
    }

    /// Define `name`, as HTCondor's `insert_macro` does.
    pub fn insert(&mut self, name: &str, value: &str, origin: Origin) {
        let value = if self.table.get(name).is_some() { self.expand_self(value, name) } else { value.to_string() };
        self.table.insert(name, value, origin);
    }

    fn insert_detected(&mut self, name: &str, value: &str) {
        self.insert(name, value, Origin::special(SOURCE_DETECTED));
    }

    pub fn add_source(&mut self, name: &str) -> usize {
        self.sources.push(name.to_string());
        self.sources.len() - 1
    }

    pub fn warn(&mut self, at: Option<Location>, message: String) {
        self.warnings.push(ConfigWarning { at, message });
    }

    /// Run the whole sequence.
    pub fn run(mut self, root: Root) -> Result<Loaded, ConfigError> {
        let host = self.host.clone();
        if let Some(t) = &host.tilde {
            self.insert_detected("TILDE", t);
        }
        let env = Arc::clone(&self.env);
        let getenv = move |k: &str| env.get(k).cloned();
        let subsys = self.subsys.clone();
        let local = self.local.clone();
        for (name, value) in host.early_values(&subsys, local.as_deref(), &getenv) {
            self.insert_detected(name, &value);
        }
        let only_env = matches!(root, Root::Nothing { only_env: true });
        match root {
            Root::File(path) => {
                let dir = dirname(&path);
                if !dir.is_empty() {
                    self.insert_detected("CONFIG_ROOT", &dir);
                }
                self.process_source(&path, "global config source", true)?;
                self.global = Some(path);
            }
            Root::Text { name, text } => {
                let src = self.add_source(&name);
                self.parse_source(&text, src, 0).map_err(|e| with_role(e, "global config source"))?;
                self.global = Some(name);
            }
            Root::Nothing { .. } => {}
        }
        self.insert_detected("HOSTNAME", &host.hostname);
        self.insert_detected("FULL_HOSTNAME", &host.full_hostname);
        if let Some(t) = &host.tilde {
            self.insert_detected("TILDE", t);
        }

        if !only_env {
            let dirs_before = self.param_str("LOCAL_CONFIG_DIR");
            if let Some(d) = &dirs_before {
                self.process_directories(d)?;
            }
            self.process_locals()?;
            let dirs_after = self.param_str("LOCAL_CONFIG_DIR");
            if let Some(d) = &dirs_after {
                if dirs_before.as_deref() != Some(d.as_str()) {
                    self.process_directories(d)?;
                }
            }
            if let Some(user_file) = self.param_str("USER_CONFIG_FILE") {
                if let Some(path) = self.user_file(&user_file) {
                    if Path::new(&path).is_file() {
                        self.process_source(&path, "user_config source", false)?;
                        self.locals.push(path);
                    }
                }
            }
        }

        // _CONDOR_NAME=value overrides
        let env_vars: Vec<(String, String)> = self
            .env
            .iter()
            .filter(|(k, _)| k.len() > 8 && k.as_bytes()[..8].eq_ignore_ascii_case(b"_condor_"))
            .map(|(k, v)| (k[8..].trim_end().to_string(), v.trim_start().to_string()))
            .collect();
        for (name, value) in env_vars {
            if !name.is_empty() {
                self.insert(&name, &value, Origin::special(SOURCE_ENVIRONMENT));
            }
        }

        for (name, value) in host.special_values(&subsys, local.as_deref()) {
            self.insert_detected(name, &value);
        }
        for dom in ["FILESYSTEM_DOMAIN", "UID_DOMAIN"] {
            if self.param_str(dom).is_none() {
                self.insert_detected(dom, &host.full_hostname);
            }
        }
        self.smart_auto_use()?;

        Ok(Loaded {
            table: self.table,
            sources: self.sources,
            global: self.global,
            locals: self.locals,
            warnings: self.warnings,
            host,
            env: self.env,
        })
    }

    /// `param()` for the loader's own decisions; a macro error reads as unset.
    fn param_str(&self, name: &str) -> Option<String> {
        self.param(name).ok().flatten()
    }

    fn user_file(&self, name: &str) -> Option<String> {
        if name.starts_with('/') {
            return Some(name.to_string());
        }
        let home = match &self.opts.home {
            Some(h) => h.clone(),
            None => PathBuf::from(self.env.get("HOME").cloned().or_else(|| nix::unistd::User::from_uid(nix::unistd::getuid()).ok().flatten().map(|u| u.dir.to_string_lossy().into_owned()))?),
        };
        Some(home.join(".condor").join(name).to_string_lossy().into_owned())
    }

    fn require_local(&self) -> bool {
        // param_boolean_crufty: a leading t/f decides, otherwise a boolean
        match self.param_str("REQUIRE_LOCAL_CONFIG_FILE") {
            None => true,
            Some(v) => match v.bytes().next() {
                Some(b't') | Some(b'T') => true,
                Some(b'f') | Some(b'F') => false,
                _ => crate::param::parse_bool(&v).unwrap_or(true),
            },
        }
    }

    /// Read one top-level or local file (HTCondor's `process_config_source`).
    pub fn process_source(&mut self, path: &str, role: &str, required: bool) -> Result<(), ConfigError> {
        let is_cmd = is_piped_command(path);
        if !is_cmd {
            if let Err(e) = std::fs::metadata(path).and_then(|m| if m.is_dir() { Err(std::io::Error::other("Is a directory")) } else { Ok(m) }) {
                if !required {
                    return Ok(());
                }
                return Err(ConfigError::new(ErrorKind::CannotRead { what: role.to_string(), path: path.to_string(), reason: io_reason(&e) }));
            }
        }
        let src = self.add_source(path);
        let text = match self.read_source(path, is_cmd) {
            Ok(t) => t,
            Err(kind) => {
                let mut e = ConfigError::new(kind);
                e.source_role = Some(role.to_string());
                e.at = Some(Location { file: path.to_string(), line: 0 });
                return Err(e);
            }
        };
        self.parse_source(&text, src, 0).map_err(|e| with_role(e, role))
    }

    /// The text of a file or the output of `command |`.
    pub fn read_source(&self, name: &str, is_cmd: bool) -> Result<String, ErrorKind> {
        if is_cmd {
            let cmd = name.trim_end_matches(['|', ' ']);
            return run_command(cmd);
        }
        match std::fs::read(name) {
            Ok(bytes) => Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
            Err(e) => Err(ErrorKind::IncludeOpen { path: name.to_string(), reason: io_reason(&e) }),
        }
    }

    fn process_locals(&mut self) -> Result<(), ConfigError> {
        let Some(mut value) = self.param_str("LOCAL_CONFIG_FILE") else { return Ok(()) };
        let required = self.require_local();
        let split = |v: &str| -> Vec<String> {
            if is_piped_command(v) {
                vec![v.to_string()]
            } else {
                split_list(v)
            }
        };
        let mut todo = split(&value);
        let mut done: Vec<String> = Vec::new();
        let mut i = 0;
        while i < todo.len() {
            let file = todo[i].clone();
            self.locals.push(file.clone());
            self.process_source(&file, "config source", required)?;
            done.push(file);
            if let Some(new_value) = self.param_str("LOCAL_CONFIG_FILE") {
                if new_value != value {
                    todo = split(&new_value).into_iter().filter(|f| !done.contains(f)).collect();
                    value = new_value;
                    i = 0;
                    continue;
                }
            }
            i += 1;
        }
        Ok(())
    }

    fn process_directories(&mut self, dirlist: &str) -> Result<(), ConfigError> {
        let required = self.require_local();
        let exclude = match self.param_str("LOCAL_CONFIG_DIR_EXCLUDE_REGEXP") {
            Some(pat) => match regex::Regex::new(&pat) {
                Ok(re) => Some(re),
                Err(e) => return Err(ConfigError::new(ErrorKind::BadExcludeRegex { pattern: pat, reason: e.to_string() })),
            },
            None => None,
        };
        for dir in split_list(dirlist) {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut files: Vec<String> = Vec::new();
            for entry in entries.flatten() {
                let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false) || entry.path().is_dir();
                if is_dir {
                    continue;
                }
                let fname = entry.file_name().to_string_lossy().into_owned();
                if exclude.as_ref().is_some_and(|re| re.is_match(&fname)) {
                    continue;
                }
                files.push(Path::new(&dir).join(&fname).to_string_lossy().into_owned());
            }
            files.sort();
            for f in files {
                self.process_source(&f, "config source", required)?;
                self.locals.push(f);
            }
        }
        Ok(())
    }

    /// `AUTO_USE_<CATEGORY>_<TEMPLATE> = condition` applies the template
    /// when the condition is true.
    fn smart_auto_use(&mut self) -> Result<(), ConfigError> {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = RE.get_or_init(|| regex::Regex::new("(?i)^AUTO_USE_([A-Za-z]+)_(.+)").expect("constant pattern"));
        let mut triggers: Vec<(String, String, String)> = Vec::new();
        for item in self.table.items() {
            if item.key.len() > 9 && item.key.as_bytes()[..9].eq_ignore_ascii_case(b"AUTO_USE_") {
                if let Some(c) = re.captures(&item.key) {
                    triggers.push((item.key.clone(), c[1].to_string(), c[2].to_string()));
                }
            }
        }
        triggers.sort_by(|a, b| crate::defaults::cmp_ignore_case(&a.0, &b.0));
        for (name, cat, knob) in triggers {
            let Some(trigger) = self.param_str(&name) else { continue };
            let fired = match crate::ifcond::test_condition(&trigger, &crate::parse::LoaderCond(self)) {
                Ok(b) => b,
                Err(_) => {
                    self.warn(None, format!("Configuration error while interpreting {name} : invalid condition {trigger}"));
                    continue;
                }
            };
            if !fired {
                continue;
            }
            let Some(meta) = crate::defaults::table().meta(&cat, &knob) else {
                self.warn(None, format!("Configuration error while interpreting {name} : no template named {cat}:{knob}"));
                continue;
            };
            let src = self.add_source(&name);
            let text = crate::meta::expand_meta_args(&meta.text, "");
            self.parse_template(&text, src, -2, &meta.category.clone(), &meta.name.clone(), 1)?;
        }
        Ok(())
    }
}

/// `name` without the `prefix.` it starts with, if it does.
fn self_alt<'a>(name: &'a str, prefix: Option<&str>) -> Option<&'a str> {
    let p = prefix?;
    if name.len() > p.len() + 1 && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()) && name.as_bytes()[p.len()] == b'.' {
        Some(&name[p.len() + 1..])
    } else {
        None
    }
}

pub(crate) fn with_role(mut e: ConfigError, role: &str) -> ConfigError {
    if e.source_role.is_none() {
        e.source_role = Some(role.to_string());
    }
    e
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// HTCondor's list splitting: items separated by commas and white space.
pub(crate) fn split_list(v: &str) -> Vec<String> {
    v.split(|c: char| c == ',' || c.is_ascii_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

pub(crate) fn is_piped_command(name: &str) -> bool {
    name.contains('|')
}

/// HTCondor's `condor_dirname`: "." for a bare name.
fn dirname(path: &str) -> String {
    match path.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => path[..i].to_string(),
        None => ".".to_string(),
    }
}

/// Run `cmd` (HTCondor argument syntax, simplified: white space separates,
/// double quotes group) and return what it prints.
pub(crate) fn run_command(cmd: &str) -> Result<String, ErrorKind> {
    let args = split_command(cmd);
    let Some((prog, rest)) = args.split_first() else {
        return Err(ErrorKind::Command { command: cmd.to_string(), problem: "is empty".to_string() });
    };
    let out = std::process::Command::new(prog)
        .args(rest)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| ErrorKind::Command { command: cmd.to_string(), problem: format!("is not a valid command: {}", io_reason(&e)) })?;
    if !out.status.success() {
        return Err(ErrorKind::Command {
            command: cmd.to_string(),
            problem: format!("terminated with exit code {}", out.status.code().unwrap_or(-1)),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn split_command(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut any = false;
    for c in cmd.chars() {
        match c {
            '"' => {
                in_quote = !in_quote;
                any = true;
            }
            c if c.is_whitespace() && !in_quote => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Decide where the top-level configuration comes from.
pub(crate) fn find_root(opts: &LoadOptions, env: &EnvMap, host: &HostInfo) -> Result<Root, ConfigError> {
    if let Some(p) = &opts.root_config {
        let s = p.to_string_lossy().into_owned();
        return Ok(classify_root(s));
    }
    if let Some(cc) = env.get("CONDOR_CONFIG") {
        if cc.eq_ignore_ascii_case("ONLY_ENV") {
            return Ok(Root::Nothing { only_env: true });
        }
        if cc.is_empty() {
            return Ok(Root::Nothing { only_env: false });
        }
        match std::fs::metadata(cc) {
            Ok(m) if m.is_dir() => {
                return Err(ConfigError::new(ErrorKind::ConfigEnv { path: cc.clone(), problem: "is a directory.  Please specify a file.".into() }))
            }
            Ok(_) => return Ok(classify_root(cc.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if is_piped_command(cc) && cc.trim_end().ends_with('|') {
                    return Ok(Root::File(cc.clone()));
                }
                return Err(ConfigError::new(ErrorKind::ConfigEnv { path: cc.clone(), problem: "does not exist.".into() }));
            }
            Err(e) => {
                return Err(ConfigError::new(ErrorKind::ConfigEnv { path: cc.clone(), problem: format!("cannot be read: {}", io_reason(&e)) }))
            }
        }
    }
    let mut candidates: Vec<String> = vec!["/etc/condor/condor_config".into(), "/usr/local/etc/condor_config".into()];
    if let Some(t) = &host.tilde {
        candidates.push(format!("{t}/condor_config"));
    }
    let home = opts.home.clone().or_else(|| env.get("HOME").map(PathBuf::from));
    if let Some(h) = home {
        candidates.push(h.join(".condor").join("condor_config").to_string_lossy().into_owned());
    }
    for c in candidates {
        if std::fs::File::open(&c).is_ok() {
            return Ok(Root::File(c));
        }
    }
    Err(ConfigError::new(ErrorKind::NoConfigFile))
}

fn classify_root(path: String) -> Root {
    if path == "/dev/null" || path.is_empty() {
        Root::Nothing { only_env: false }
    } else if path.eq_ignore_ascii_case("ONLY_ENV") {
        Root::Nothing { only_env: true }
    } else {
        Root::File(path)
    }
}
