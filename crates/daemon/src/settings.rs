//! The configuration values a daemon reads, in one place.
//!
//! [`Settings`] answers `param`-style lookups for one subsystem (`SCHEDD`,
//! `STARTD`, …) over a configuration loaded by the `config` crate
//! (`CONDOR_CONFIG`, local files, `use ROLE : …`, `SUBSYS.NAME` before
//! `NAME`, `_CONDOR_NAME` overrides, HTCondor's built-in defaults). Knobs
//! Aerie adds, and the few HTCondor knobs its table leaves without a
//! default, fall back to [`DEFAULTS`]; typed lookups take the caller's
//! default last.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use config::{Config, EnvMap, LoadOptions, Subsystem};

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Config(#[from] Box<config::ConfigError>),
}

/// Defaults of knobs the built-in table does not define (expanded like
/// configuration values).
pub const DEFAULTS: &[(&str, &str)] = &[
    ("CLASSAD_LIFETIME", "900"),
    ("SHUTDOWN_GRACEFUL_TIMEOUT", "1800"),
    ("STARTD_JOB_QUEUE_DEPTH", "8"),
    ("USE_TCP", "false"),
];

fn default_of(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
}

/// A loaded configuration, seen by one subsystem. Cheap to clone.
#[derive(Clone)]
pub struct Settings {
    cfg: Arc<Config>,
    /// Values set in memory ([`Settings::set`]), consulted first.
    overrides: Vec<(String, String)>,
    subsystem: String,
    file: Option<PathBuf>,
    /// Warnings met while reading, as HTCondor words them.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("subsystem", &self.subsystem).field("file", &self.file).finish()
    }
}

impl Settings {
    /// Settings over a configuration already loaded (the Python module's `param`).
    pub fn from_config(cfg: Config) -> Settings {
        let warnings = cfg.warnings().iter().map(|w| w.to_string()).collect();
        let file = cfg.global_file().map(PathBuf::from);
        Settings { subsystem: cfg.subsystem().to_string(), file, warnings, overrides: Vec::new(), cfg: Arc::new(cfg) }
    }

    /// Read the configuration named by `CONDOR_CONFIG` (or HTCondor's
    /// usual places) for `subsystem`.
    pub fn load(subsystem: &str) -> Result<Settings, SettingsError> {
        let cfg = Config::load(&LoadOptions::new(Subsystem::parse(subsystem))).map_err(Box::new)?;
        Ok(Settings::from_config(cfg))
    }

    /// Read `file` (none: built-in defaults only) for `subsystem`, with
    /// `env` as the environment (`_CONDOR_*` overrides, `$ENV()`); `None`
    /// reads the process environment.
    pub fn from_parts(subsystem: &str, file: Option<&Path>, env: Option<EnvMap>) -> Result<Settings, SettingsError> {
        let mut opts = LoadOptions::new(Subsystem::parse(subsystem));
        opts.env = env;
        opts.root_config = Some(file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/dev/null")));
        let cfg = Config::load(&opts).map_err(Box::new)?;
        Ok(Settings::from_config(cfg))
    }

    /// Settings from text (and an empty environment), for tests.
    pub fn from_text(subsystem: &str, text: &str) -> Result<Settings, SettingsError> {
        let opts = LoadOptions::new(Subsystem::parse(subsystem)).with_env(EnvMap::new());
        let cfg = Config::from_text("<text>", text, &opts).map_err(Box::new)?;
        Ok(Settings::from_config(cfg))
    }

    /// The subsystem this view answers for (`STARTD`).
    pub fn subsystem(&self) -> &str {
        &self.subsystem
    }

    /// The configuration file read, if any.
    pub fn config_file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The loaded configuration itself.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Set a value as if the configuration had said `name = value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.overrides.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.overrides.push((name.to_string(), value.to_string()));
    }

    fn overridden(&self, name: &str) -> Option<&str> {
        self.overrides.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The expanded value of `name`; `None` when undefined or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some(v) = self.overridden(name) {
            return self.cfg.expand(v).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        }
        match self.cfg.get(name) {
            Some(v) => Some(v.trim().to_string()).filter(|v| !v.is_empty()),
            None if self.cfg.get_raw(name).is_none() => {
                default_of(name).and_then(|d| self.cfg.expand(d).ok()).filter(|v| !v.is_empty())
            }
            None => None,
        }
    }

    /// The expanded value of `name` only when the configuration files or
    /// the environment set it (never a built-in default): for knobs whose
    /// HTCondor default names something Aerie lays out differently.
    pub fn get_configured(&self, name: &str) -> Option<String> {
        if self.overridden(name).is_some() || self.cfg.defined_by_files(name) {
            self.get(name)
        } else {
            None
        }
    }

    /// The expanded value of `name`, or `default`.
    pub fn get_or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_string())
    }

    /// An integer knob (an expression evaluating to a number counts, as in
    /// HTCondor); the built-in default, then `default`, when unset or
    /// unreadable.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        let from = |v: &str| v.trim().parse::<i64>().ok().or_else(|| eval_number(v).map(|f| f as i64));
        self.get(name)
            .and_then(|v| from(&v))
            .or_else(|| self.cfg.default_value(name).and_then(|d| self.cfg.expand(&d).ok()).and_then(|d| from(&d)))
            .unwrap_or(default)
    }

    /// A real-number knob.
    pub fn real(&self, name: &str, default: f64) -> f64 {
        let from = |v: &str| v.trim().parse::<f64>().ok().or_else(|| eval_number(v));
        self.get(name)
            .and_then(|v| from(&v))
            .or_else(|| self.cfg.default_value(name).and_then(|d| self.cfg.expand(&d).ok()).and_then(|d| from(&d)))
            .unwrap_or(default)
    }

    /// A boolean knob (`true`/`false`/`yes`/`no`/`1`/`0`, any case).
    pub fn bool(&self, name: &str, default: bool) -> bool {
        match self.get(name).map(|v| v.to_ascii_lowercase()) {
            Some(v) if matches!(v.as_str(), "true" | "yes" | "t" | "y" | "1") => true,
            Some(v) if matches!(v.as_str(), "false" | "no" | "f" | "n" | "0") => false,
            Some(_) => self.cfg.get_bool(name).unwrap_or(default),
            None => default,
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

fn eval_number(text: &str) -> Option<f64> {
    match classad::Expr::parse(text).ok()?.eval(None, None) {
        classad::Value::Int(i) => Some(i as f64),
        classad::Value::Real(r) => Some(r),
        _ => None,
    }
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
    fn aerie_knobs_have_defaults() {
        let s = Settings::from_text("STARTD", "").unwrap();
        assert_eq!(s.int("STARTD_JOB_QUEUE_DEPTH", 0), 8);
        assert_eq!(s.int("CLASSAD_LIFETIME", 0), 900);
        assert!(!s.bool("USE_TCP", true));
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
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut env = EnvMap::new();
        env.insert("_CONDOR_NUM_CPUS".to_string(), "3".to_string());
        let s = Settings::from_parts("STARTD", None, Some(env)).unwrap();
        assert_eq!(s.int("NUM_CPUS", 0), 3);
    }
}
