//! The configuration values submit reads (`param()` in HTCondor's words).
//!
//! condor_submit consults the pool configuration for a handful of knobs:
//! `FILESYSTEM_DOMAIN` (put into jobs that may share a file system),
//! `JOB_DEFAULT_REQUEST*` (requests the user did not make), `APPEND_*` /
//! `DEFAULT_RANK` (site additions to Requirements and Rank), `ARCH` / `OPSYS`
//! (the automatic Requirements clauses and the `$(ARCH)` macro), and a few
//! switches. [`Params`] answers them from any [`MacroSource`] (the loaded
//! configuration, or a small map in tests), falling back to HTCondor
//! 25.0's compiled-in defaults for the knobs submit uses, so a pool
//! without a configuration file behaves like a stock HTCondor pool.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use config::macros::{expand_param, ExpandOptions, MacroMap, MacroSource};

/// A configuration source shared with the caller.
pub type ConfigSource = Arc<dyn MacroSource + Send + Sync>;

/// Tells whether a configuration file (not a built-in default) sets a name.
pub type SetByFiles = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Knobs whose HTCondor 25.0 default this crate knows; a configuration
/// that does not set one in a file gets this default, whatever the
/// configuration's own table of defaults says.
const SUBMIT_DEFAULTS: &[&str] = &[
    "JOB_DEFAULT_REQUESTMEMORY",
    "JOB_DEFAULT_REQUESTDISK",
    "JOB_DEFAULT_REQUESTCPUS",
    "JOB_DEFAULT_LEASE_DURATION",
    "NICE_USER_ACCOUNTING_GROUP_NAME",
    "SUBMIT_ALLOW_GETENV",
    "ENABLE_DEPRECATION_WARNINGS",
    "SIGN_S3_URLS",
    "SUBMIT_GENERATE_CUSTOM_RESOURCE_REQUIREMENTS",
    "SUBMIT_GENERATE_CONDOR_C_REQUIREMENTS",
    "DEFAULT_JOB_MAX_RETRIES",
    "SUBMIT_SKIP_FILECHECKS",
    "WARN_ON_UNUSED_SUBMIT_FILE_MACROS",
    "SUBMIT_CONTAINER_NEVER_XFER_ABSOLUTE_CMD",
    "SUBMIT_SHOULD_SET_LOCAL_OWNER",
];

/// Configuration lookups with HTCondor's defaults behind them.
#[derive(Clone)]
pub struct Params {
    src: Option<ConfigSource>,
    set_by_files: Option<SetByFiles>,
    defaults: MacroMap,
    /// Values already expanded (configuration does not change during a submit).
    cache: std::cell::RefCell<HashMap<String, Option<String>>>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Params").field("has_source", &self.src.is_some()).finish()
    }
}

/// `ARCH` as HTCondor names this machine's architecture.
pub fn native_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "X86_64",
        "x86" => "INTEL",
        "aarch64" => "aarch64",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// `OPSYS` as HTCondor names this operating system.
pub fn native_opsys() -> &'static str {
    match std::env::consts::OS {
        "linux" => "LINUX",
        "macos" => "OSX",
        "windows" => "WINDOWS",
        "freebsd" => "FREEBSD",
        other => other,
    }
}

/// This machine's host name (the default `FULL_HOSTNAME`).
pub fn host_name() -> String {
    for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(path) {
            let s = s.trim();
            if !s.is_empty() {
                return s.to_string();
            }
        }
    }
    "localhost".to_string()
}

fn builtin_defaults() -> MacroMap {
    let mut m = MacroMap::new();
    let host = host_name();
    for (k, v) in [
        ("FULL_HOSTNAME", host.as_str()),
        ("HOSTNAME", host.split('.').next().unwrap_or(&host)),
        ("FILESYSTEM_DOMAIN", "$(FULL_HOSTNAME)"),
        ("UID_DOMAIN", "$(FULL_HOSTNAME)"),
        ("ARCH", native_arch()),
        ("OPSYS", native_opsys()),
        ("SPOOL", "$(LOCAL_DIR)/spool"),
        ("JOB_DEFAULT_REQUESTMEMORY", "ifthenelse(MemoryUsage =!= UNDEFINED,MemoryUsage,(ImageSize+1023)/1024)"),
        ("JOB_DEFAULT_REQUESTDISK", "DiskUsage"),
        ("JOB_DEFAULT_REQUESTCPUS", "1"),
        ("JOB_DEFAULT_LEASE_DURATION", "2400"),
        ("NICE_USER_ACCOUNTING_GROUP_NAME", "nice-user"),
        ("SUBMIT_ALLOW_GETENV", "true"),
        ("ENABLE_DEPRECATION_WARNINGS", "true"),
        ("SIGN_S3_URLS", "true"),
        ("SUBMIT_GENERATE_CUSTOM_RESOURCE_REQUIREMENTS", "true"),
        ("SUBMIT_GENERATE_CONDOR_C_REQUIREMENTS", "true"),
        ("DEFAULT_JOB_MAX_RETRIES", "2"),
        ("SUBMIT_SKIP_FILECHECKS", "true"),
        ("WARN_ON_UNUSED_SUBMIT_FILE_MACROS", "true"),
        ("SUBMIT_CONTAINER_NEVER_XFER_ABSOLUTE_CMD", "false"),
        ("SUBMIT_SHOULD_SET_LOCAL_OWNER", "false"),
    ] {
        m.set(k, v);
    }
    m
}

/// The configuration source layered over the defaults.
struct Layered<'a> {
    src: Option<&'a (dyn MacroSource + Send + Sync)>,
    defaults: &'a MacroMap,
}

impl MacroSource for Layered<'_> {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(src) = self.src {
            if let Some(v) = src.lookup_raw(name) {
                return Some(v);
            }
        }
        self.defaults.lookup_raw(name)
    }
}

impl Default for Params {
    fn default() -> Self {
        Params::new(None)
    }
}

impl Params {
    /// Lookups in `src` (when given), then in HTCondor's defaults.
    pub fn new(src: Option<ConfigSource>) -> Params {
        Params { src, set_by_files: None, defaults: builtin_defaults(), cache: Default::default() }
    }

    /// Lookups in a loaded configuration whose table of built-in defaults
    /// may differ from HTCondor 25.0's: for the knobs submit reads, a value
    /// that no configuration file sets is HTCondor 25.0's default.
    pub fn with_files(src: ConfigSource, set_by_files: SetByFiles) -> Params {
        Params { src: Some(src), set_by_files: Some(set_by_files), defaults: builtin_defaults(), cache: Default::default() }
    }

    /// A configuration of only these values (plus the defaults): for tests
    /// and for callers that have no configuration loaded.
    pub fn from_pairs<I, K, V>(pairs: I) -> Params
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut m = MacroMap::new();
        for (k, v) in pairs {
            m.set(k.as_ref(), v.as_ref());
        }
        Params::new(Some(Arc::new(m)))
    }

    /// The expanded value of `name`; `None` when it is undefined or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some(v) = self.cache.borrow().get(name) {
            return v.clone();
        }
        let own_default = match &self.set_by_files {
            Some(f) => SUBMIT_DEFAULTS.iter().any(|k| k.eq_ignore_ascii_case(name)) && !f(name),
            None => false,
        };
        let src = if own_default { None } else { self.src.as_deref() };
        let layered = Layered { src, defaults: &self.defaults };
        let v = expand_param(name, &layered, &ExpandOptions::default())
            .ok()
            .flatten()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        self.cache.borrow_mut().insert(name.to_string(), v.clone());
        v
    }

    /// A boolean knob (`true`/`false`/`yes`/`no`/`1`/`0`, or a ClassAd
    /// expression), `default` when unset or unreadable.
    pub fn boolean(&self, name: &str, default: bool) -> bool {
        match self.get(name) {
            None => default,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "t" | "y" | "1" => true,
                "false" | "no" | "f" | "n" | "0" => false,
                _ => crate::eval::bool_param(&v).unwrap_or(default),
            },
        }
    }

    /// An integer knob, `default` when unset or not a number.
    pub fn integer(&self, name: &str, default: i64) -> i64 {
        self.get(name).and_then(|v| crate::eval::long_param(&v)).unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htcondor_25_defaults_win_over_a_table_that_differs() {
        let mut m = MacroMap::new();
        m.set("JOB_DEFAULT_REQUESTMEMORY", "128");
        m.set("FILESYSTEM_DOMAIN", "from.table");
        let p = Params::with_files(Arc::new(m.clone()), Arc::new(|_: &str| false));
        assert_eq!(p.get("JOB_DEFAULT_REQUESTMEMORY").as_deref(), Some("ifthenelse(MemoryUsage =!= UNDEFINED,MemoryUsage,(ImageSize+1023)/1024)"));
        assert_eq!(p.get("FILESYSTEM_DOMAIN").as_deref(), Some("from.table"));
        let p = Params::with_files(Arc::new(m), Arc::new(|n: &str| n == "JOB_DEFAULT_REQUESTMEMORY"));
        assert_eq!(p.get("JOB_DEFAULT_REQUESTMEMORY").as_deref(), Some("128"));
    }

    #[test]
    fn defaults_stand_behind_the_configuration() {
        let p = Params::from_pairs([("FILESYSTEM_DOMAIN", "localdomain"), ("DEFAULT_JOB_MAX_RETRIES", "5")]);
        assert_eq!(p.get("FILESYSTEM_DOMAIN").as_deref(), Some("localdomain"));
        assert_eq!(p.integer("DEFAULT_JOB_MAX_RETRIES", 2), 5);
        assert_eq!(p.get("JOB_DEFAULT_REQUESTDISK").as_deref(), Some("DiskUsage"));
        assert_eq!(p.get("NO_SUCH_KNOB"), None);
        assert!(p.boolean("SUBMIT_ALLOW_GETENV", false));
        assert_eq!(p.get("UID_DOMAIN"), Some(host_name()));
    }
}
