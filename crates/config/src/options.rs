//! What to load: the subsystem the process runs as, its local name, the
//! environment to read `CONDOR_CONFIG`, `_CONDOR_*` and `$ENV()` from, and
//! test knobs (a fixed host, a random seed).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::host::HostInfo;

/// The kind of process reading the configuration; it selects `SCHEDD.X`
/// style settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subsystem {
    Tool,
    Submit,
    Master,
    Collector,
    Negotiator,
    Schedd,
    Startd,
    Starter,
    Shadow,
    Gridmanager,
    /// Any other name (`-subsystem HAD`).
    Other(String),
}

impl Subsystem {
    /// Parse a subsystem name, any case.
    pub fn parse(name: &str) -> Subsystem {
        match name.to_ascii_uppercase().as_str() {
            "TOOL" => Subsystem::Tool,
            "SUBMIT" => Subsystem::Submit,
            "MASTER" => Subsystem::Master,
            "COLLECTOR" => Subsystem::Collector,
            "NEGOTIATOR" => Subsystem::Negotiator,
            "SCHEDD" => Subsystem::Schedd,
            "STARTD" => Subsystem::Startd,
            "STARTER" => Subsystem::Starter,
            "SHADOW" => Subsystem::Shadow,
            "GRIDMANAGER" => Subsystem::Gridmanager,
            other => Subsystem::Other(other.to_string()),
        }
    }

    /// The name as HTCondor writes it (`SCHEDD`).
    pub fn as_str(&self) -> &str {
        match self {
            Subsystem::Tool => "TOOL",
            Subsystem::Submit => "SUBMIT",
            Subsystem::Master => "MASTER",
            Subsystem::Collector => "COLLECTOR",
            Subsystem::Negotiator => "NEGOTIATOR",
            Subsystem::Schedd => "SCHEDD",
            Subsystem::Startd => "STARTD",
            Subsystem::Starter => "STARTER",
            Subsystem::Shadow => "SHADOW",
            Subsystem::Gridmanager => "GRIDMANAGER",
            Subsystem::Other(s) => s,
        }
    }
}

impl fmt::Display for Subsystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An environment: variable name → value.
pub type EnvMap = BTreeMap<String, String>;

/// How to load a configuration.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub subsystem: Subsystem,
    /// `-local-name`: selects `NAME.X` settings before `SUBSYS.X`.
    pub local_name: Option<String>,
    /// The environment; `None` reads the process environment.
    pub env: Option<EnvMap>,
    /// Read this file as the top-level configuration instead of looking at
    /// `CONDOR_CONFIG` (`condor_config_val -root-config`).
    pub root_config: Option<PathBuf>,
    /// Seed for `$RANDOM_INTEGER()`/`$RANDOM_CHOICE()`; `None` seeds from
    /// the clock (each lookup draws anew, as in HTCondor).
    pub random_seed: Option<u64>,
    /// Host facts to use instead of detecting them.
    pub host: Option<HostInfo>,
    /// Refuse configurations whose macros refer to each other in a circle
    /// (checked once after loading).
    pub check_loops: bool,
    /// Home directory for `~/.condor/user_config` (defaults to the user's).
    pub home: Option<PathBuf>,
}

impl LoadOptions {
    /// Options for `subsystem`, reading the process environment.
    pub fn new(subsystem: Subsystem) -> LoadOptions {
        LoadOptions {
            subsystem,
            local_name: None,
            env: None,
            root_config: None,
            random_seed: None,
            host: None,
            check_loops: true,
            home: None,
        }
    }

    /// Use `env` instead of the process environment.
    pub fn with_env(mut self, env: EnvMap) -> LoadOptions {
        self.env = Some(env);
        self
    }

    pub fn with_local_name(mut self, name: &str) -> LoadOptions {
        self.local_name = Some(name.to_string()).filter(|n| !n.is_empty());
        self
    }

    /// The environment these options read.
    pub fn env_map(&self) -> EnvMap {
        match &self.env {
            Some(e) => e.clone(),
            None => std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions::new(Subsystem::Tool)
    }
}
