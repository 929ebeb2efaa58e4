//! [`Config`]: a loaded configuration and the lookups everything else makes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::defaults::{self, cmp_ignore_case, ParamType};
use crate::error::{ConfigError, ErrorKind, Location};
use crate::host::HostInfo;
use crate::load::{self, find_root, ConfigWarning, Loaded, Loader, Root};
use crate::macros::{self, ExpandOptions, MacroError, MacroSource};
use crate::options::{EnvMap, LoadOptions};
use crate::param::{self, ParamError, ParamValue};
use crate::table::{Found, Item, Origin, Table, View, SOURCE_DEFAULT, SOURCE_OVER};

/// A loaded configuration. Cheap to share (`Send + Sync`); cloning copies
/// the table.
#[derive(Clone)]
pub struct Config {
    opts: LoadOptions,
    /// In-memory text the configuration was built from (for reload).
    text_root: Option<(String, String)>,
    table: Table,
    sources: Vec<String>,
    global: Option<String>,
    locals: Vec<String>,
    warnings: Vec<ConfigWarning>,
    host: HostInfo,
    env: Arc<EnvMap>,
    expand_opts: ExpandOptions,
}

/// Where a parameter's value comes from, as `condor_config_val -verbose`
/// reports it (`/etc/condor/condor_config, line 12`, `<Default>`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file, or `<Default>`, `<Detected>`, `<Environment>`, `<Over>`.
    pub file: String,
    /// The line, for files.
    pub line: Option<u32>,
    /// `(category, template, offset)` when a `use` statement set it.
    pub template: Option<(String, String, i32)>,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
            if let Some((cat, name, off)) = &self.template {
                write!(f, ", use {cat}:{name}+{off}")?;
            }
        }
        Ok(())
    }
}

/// What a parameter lookup found, with everything `condor_config_val`
/// shows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamEntry {
    /// The name that matched (`SCHEDD.MAX_JOBS_RUNNING`, `SCHEDD_LOG`).
    pub name: String,
    /// Its raw value; `None` for a known parameter without a default.
    pub raw: Option<String>,
    /// The built-in default of the name, if any.
    pub default: Option<String>,
    pub source: Source,
}

/// What a reload changed: names whose raw values differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// `(name, old raw value, new raw value)`.
    pub changed: Vec<(String, String, String)>,
}

impl ConfigChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// True when `name` was added, removed or changed.
    pub fn touches(&self, name: &str) -> bool {
        self.added.iter().chain(self.removed.iter()).any(|n| n.eq_ignore_ascii_case(name))
            || self.changed.iter().any(|(n, _, _)| n.eq_ignore_ascii_case(name))
    }
}

impl Config {
    /// Load the configuration as HTCondor's `config()` does (see
    /// [`crate::load`] for the order of sources).
    pub fn load(opts: &LoadOptions) -> Result<Config, ConfigError> {
        let env = opts.env_map();
        let host = opts.host.clone().unwrap_or_else(|| crate::host::detected().clone());
        let root = find_root(opts, &env, &host)?;
        Config::load_root(opts, root, None)
    }

    /// A configuration whose top-level file is `text` (named `name` in
    /// messages); `include`s and local files are still read from disk.
    pub fn from_text(name: &str, text: &str, opts: &LoadOptions) -> Result<Config, ConfigError> {
        let root = Root::Text { name: name.to_string(), text: text.to_string() };
        Config::load_root(opts, root, Some((name.to_string(), text.to_string())))
    }

    /// Built-in defaults and detected values only (`CONDOR_CONFIG=/dev/null`).
    pub fn defaults(opts: &LoadOptions) -> Result<Config, ConfigError> {
        Config::load_root(opts, Root::Nothing { only_env: false }, None)
    }

    fn load_root(opts: &LoadOptions, root: Root, text_root: Option<(String, String)>) -> Result<Config, ConfigError> {
        let loaded = Loader::new(opts).run(root)?;
        let cfg = Config::from_loaded(opts.clone(), text_root, loaded);
        if opts.check_loops {
            cfg.check_loops()?;
        }
        Ok(cfg)
    }

    fn from_loaded(opts: LoadOptions, text_root: Option<(String, String)>, l: Loaded) -> Config {
        let expand_opts = load::expand_options(&l.env, opts.random_seed);
        Config {
            opts,
            text_root,
            table: l.table,
            sources: l.sources,
            global: l.global,
            locals: l.locals,
            warnings: l.warnings,
            host: l.host,
            env: l.env,
            expand_opts,
        }
    }

    /// Read the same sources again (a daemon's reconfig) and report what
    /// changed. On error the old configuration stays in place.
    pub fn reload(&mut self) -> Result<ConfigChanges, ConfigError> {
        let fresh = match &self.text_root {
            Some((name, text)) => Config::from_text(name, text, &self.opts)?,
            None => Config::load(&self.opts)?,
        };
        let changes = diff(&self.table, &fresh.table);
        *self = fresh;
        Ok(changes)
    }

    pub fn options(&self) -> &LoadOptions {
        &self.opts
    }

    pub fn subsystem(&self) -> &str {
        self.opts.subsystem.as_str()
    }

    pub fn local_name(&self) -> Option<&str> {
        self.opts.local_name.as_deref().filter(|l| !l.is_empty())
    }

    /// The host facts the configuration was built with.
    pub fn host(&self) -> &HostInfo {
        &self.host
    }

    /// The environment `$ENV()` reads.
    pub fn env(&self) -> &EnvMap {
        &self.env
    }

    /// Options for expanding other text against this configuration (the
    /// submit language layers its variables over it).
    pub fn expand_options(&self) -> &ExpandOptions {
        &self.expand_opts
    }

    fn view(&self) -> View<'_> {
        View::new(&self.table, Some(self.subsystem()), self.local_name())
    }

    fn view_for<'a>(&'a self, subsys: Option<&'a str>, local: Option<&'a str>) -> View<'a> {
        View::new(&self.table, subsys, local)
    }

    /// The expanded value of `name` as HTCondor's `param()` gives it:
    /// subsystem and local-name prefixes apply, defaults fill in, and a
    /// value that is empty (or expands to nothing) is `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.try_get(name).ok().flatten()
    }

    /// [`Config::get`], reporting a value that cannot be expanded.
    pub fn try_get(&self, name: &str) -> Result<Option<String>, MacroError> {
        self.get_in(name, Some(self.subsystem()), self.local_name())
    }

    fn get_in(&self, name: &str, subsys: Option<&str>, local: Option<&str>) -> Result<Option<String>, MacroError> {
        let view = self.view_for(subsys, local);
        let Some(raw) = view.raw(name) else { return Ok(None) };
        if raw.is_empty() {
            return Ok(None);
        }
        let v = macros::expand_with_warnings(raw, Some(name), &view, &self.expand_opts)?.value;
        Ok(Some(v).filter(|v| !v.is_empty()))
    }

    /// The raw (unexpanded) value `name` resolves to, `Some("")` when it is
    /// defined empty, `None` when not defined.
    pub fn get_raw(&self, name: &str) -> Option<String> {
        self.view().raw(name).map(str::to_string)
    }

    /// True when the files (not just the defaults) define `name`.
    pub fn defined_by_files(&self, name: &str) -> bool {
        let mut v = self.view();
        v.use_defaults = false;
        v.find(name).is_some()
    }

    /// The type typed lookups of `name` use.
    pub fn param_type(&self, name: &str) -> ParamType {
        defaults::table().type_of(name)
    }

    fn int_type(&self, name: &str) -> ParamType {
        match self.param_type(name) {
            ParamType::Long => ParamType::Long,
            _ => ParamType::Int,
        }
    }

    /// An integer parameter as HTCondor's `param_integer` reads it: the
    /// setting when it is an integer (or an expression evaluating to a
    /// number), else the built-in default; clamped to the table's range.
    /// `None` when unset and without a built-in default.
    pub fn get_int(&self, name: &str) -> Option<i64> {
        param::int_from(self.get(name).as_deref(), self.info(name), self.int_type(name), None).map(|(v, _)| v)
    }

    /// [`Config::get_int`] with the caller's default for an unset (or
    /// invalid) value when the table has none.
    pub fn get_int_or(&self, name: &str, default: i64) -> i64 {
        param::int_from(self.get(name).as_deref(), self.info(name), self.int_type(name), Some(default)).map_or(default, |(v, _)| v)
    }

    /// [`Config::get_int`], but an invalid setting is an error instead of
    /// falling back to the default.
    pub fn try_get_int(&self, name: &str) -> Result<Option<i64>, ParamError> {
        let value = self.get(name);
        match param::int_from(value.as_deref(), self.info(name), self.int_type(name), None) {
            Some((_, false)) => Err(ParamError {
                name: name.to_string(),
                value: value.unwrap_or_default(),
                expected: "integer",
                hint: "an integer or an integer expression",
            }),
            other => Ok(other.map(|(v, _)| v)),
        }
    }

    /// A boolean parameter as `param_boolean` reads it (`true`/`false`/
    /// `1`/`0`, or an expression; numbers are true when non-zero).
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        param::bool_from(self.get(name).as_deref(), self.info(name), None).map(|(v, _)| v)
    }

    pub fn get_bool_or(&self, name: &str, default: bool) -> bool {
        param::bool_from(self.get(name).as_deref(), self.info(name), Some(default)).map_or(default, |(v, _)| v)
    }

    /// [`Config::get_bool`], but an invalid setting is an error.
    pub fn try_get_bool(&self, name: &str) -> Result<Option<bool>, ParamError> {
        let value = self.get(name);
        match param::bool_from(value.as_deref(), self.info(name), None) {
            Some((_, false)) => Err(ParamError { name: name.to_string(), value: value.unwrap_or_default(), expected: "boolean", hint: "True or False" }),
            other => Ok(other.map(|(v, _)| v)),
        }
    }

    /// A real parameter as `param_double` reads it.
    pub fn get_real(&self, name: &str) -> Option<f64> {
        param::real_from(self.get(name).as_deref(), self.info(name), None).map(|(v, _)| v)
    }

    pub fn get_real_or(&self, name: &str, default: f64) -> f64 {
        param::real_from(self.get(name).as_deref(), self.info(name), Some(default)).map_or(default, |(v, _)| v)
    }

    /// A string parameter: the same as [`Config::get`].
    pub fn get_string(&self, name: &str) -> Option<String> {
        self.get(name)
    }

    /// A list parameter split on commas and white space (`DAEMON_LIST`).
    pub fn get_list(&self, name: &str) -> Vec<String> {
        self.get(name).map(|v| load::split_list(&v)).unwrap_or_default()
    }

    /// A typed value the way `htcondor2.param[name]` returns it: typed by
    /// the defaults table, `None` ("KeyError") when not defined or when a
    /// string parameter is empty.
    pub fn value(&self, name: &str) -> Option<ParamValue> {
        // htcondor2 finds the entry without the subsystem, then reads the
        // value with it
        let entry = self.entry_in(name, None, None)?;
        entry.raw.as_ref()?;
        let info = self.info(name);
        match self.param_type(&entry.name) {
            ParamType::String => self.get(name).map(ParamValue::String),
            ParamType::Int | ParamType::Long => {
                let ty = self.param_type(&entry.name);
                let v = param::int_from(self.get(name).as_deref(), info, ty, Some(0)).map_or(0, |(v, _)| v);
                Some(ParamValue::Int(v))
            }
            ParamType::Bool => Some(ParamValue::Bool(param::bool_from(self.get(name).as_deref(), info, Some(false)).is_some_and(|(v, _)| v))),
            ParamType::Double => Some(ParamValue::Real(param::real_from(self.get(name).as_deref(), info, Some(0.0)).map_or(0.0, |(v, _)| v))),
        }
    }

    /// The defaults-table entry typed lookups of `name` use (subsystem
    /// overrides first).
    fn info(&self, name: &str) -> Option<&'static defaults::ParamInfo> {
        let t = defaults::table();
        let sub = t.subsys(self.subsystem(), name).filter(|p| p.default.is_some() && p.cooked.is_some());
        sub.or_else(|| t.entry_for(name).filter(|p| p.default.is_some()))
    }

    /// Where `name` is defined (`-verbose`).
    pub fn source(&self, name: &str) -> Option<Source> {
        self.entry(name).map(|e| e.source)
    }

    /// Everything known about `name` as this process's subsystem and local
    /// name see it (HTCondor's `param_get_info`).
    pub fn entry(&self, name: &str) -> Option<ParamEntry> {
        self.entry_in(name, Some(self.subsystem()), self.local_name())
    }

    fn entry_in(&self, name: &str, subsys: Option<&str>, local: Option<&str>) -> Option<ParamEntry> {
        let t = defaults::table();
        let exact_default = |n: &str| -> Option<String> {
            match n.split_once('.') {
                Some((p, rest)) => t.subsys(p, rest).and_then(|i| i.default.clone()),
                None => t.generic(n).and_then(|i| i.default.clone()),
            }
        };
        let from_item = |item: &Item| ParamEntry {
            name: item.key.clone(),
            raw: Some(item.raw.clone()),
            default: exact_default(&item.key),
            source: self.describe(&item.origin),
        };
        let default_source = Source { file: "<Default>".into(), line: None, template: None };
        if let Some(l) = local {
            if let Some(item) = self.table.get_prefixed(l, name) {
                return Some(from_item(item));
            }
        }
        if let Some(s) = subsys {
            if let Some(item) = self.table.get_prefixed(s, name) {
                return Some(from_item(item));
            }
            if let Some(info) = t.subsys(s, name) {
                return Some(ParamEntry {
                    name: format!("{}.{}", s.to_ascii_uppercase(), info.name),
                    raw: info.default.clone(),
                    default: info.default.clone(),
                    source: default_source,
                });
            }
        }
        if let Some(item) = self.table.get(name) {
            return Some(from_item(item));
        }
        if let Some((pre, rest)) = name.split_once('.') {
            if let Some(info) = t.subsys(pre, rest) {
                return Some(ParamEntry {
                    name: format!("{}.{}", pre.to_ascii_uppercase(), info.name),
                    raw: info.default.clone(),
                    default: info.default.clone(),
                    source: default_source,
                });
            }
        }
        let info = t.lookup(name)?;
        Some(ParamEntry { name: info.name.clone(), raw: info.default.clone(), default: info.default.clone(), source: default_source })
    }

    fn describe(&self, o: &Origin) -> Source {
        let file = self.sources.get(o.source).cloned().unwrap_or_else(|| "<unknown>".into());
        Source {
            file,
            line: if o.line >= 0 { Some(o.line as u32) } else { None },
            template: o.meta.as_ref().map(|m| (m.category.clone(), m.name.clone(), m.offset)),
        }
    }

    /// The built-in default of `name` as this subsystem sees it.
    pub fn default_value(&self, name: &str) -> Option<String> {
        let t = defaults::table();
        for p in [self.local_name(), Some(self.subsystem())].into_iter().flatten() {
            if let Some(i) = t.subsys(p, name) {
                return i.default.clone();
            }
        }
        t.lookup(name).and_then(|i| i.default.clone())
    }

    /// Names of every parameter (files and defaults) matching `pattern`
    /// (a case-insensitive regular expression, unanchored; `None` for all),
    /// sorted, each as [`Config::entry`] sees it (`condor_config_val -dump`).
    pub fn dump(&self, pattern: Option<&str>) -> Result<Vec<ParamEntry>, regex::Error> {
        let re = match pattern {
            Some(p) if !p.is_empty() => Some(regex::RegexBuilder::new(p).case_insensitive(true).build()?),
            _ => None,
        };
        let mut out = Vec::new();
        for name in self.names() {
            if re.as_ref().is_some_and(|r| !r.is_match(&name)) {
                continue;
            }
            if let Some(e) = self.entry(&name) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Every name the files or the defaults define, sorted as HTCondor
    /// sorts them (case-insensitively), without duplicates.
    pub fn names(&self) -> Vec<String> {
        let t = defaults::table();
        let mut names: Vec<String> = self.table.items().iter().map(|i| i.key.clone()).collect();
        for p in &t.params {
            if self.table.get(&p.name).is_none() {
                names.push(p.name.clone());
            }
        }
        names.sort_by(|a, b| cmp_ignore_case(a, b));
        names
    }

    /// The names `htcondor2.param` iterates: every name (files and
    /// defaults) whose value expands to something non-empty.
    pub fn param_keys(&self) -> Vec<String> {
        self.names().into_iter().filter(|n| self.get(n).is_some()).collect()
    }

    /// Names the files (and detected values, environment) set, sorted.
    pub fn defined_names(&self) -> Vec<String> {
        self.table.sorted().into_iter().map(|i| i.key.clone()).collect()
    }

    /// The top-level file, if one was read.
    pub fn global_file(&self) -> Option<&str> {
        self.global.as_deref()
    }

    /// Local files, directories' files and included files, in the order read.
    pub fn local_files(&self) -> &[String] {
        &self.locals
    }

    /// Every file that contributed, top-level first.
    pub fn files_read(&self) -> Vec<String> {
        self.global.iter().cloned().chain(self.locals.iter().cloned()).collect()
    }

    /// Warnings HTCondor would print while loading.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// Set `name` in memory (lost on reload), like `htcondor2.param[name] = value`.
    pub fn set(&mut self, name: &str, value: &str) {
        let value = if self.table.get(name).is_some() {
            let alt = None;
            macros::expand_self(value, name, alt, &self.view())
        } else {
            value.to_string()
        };
        self.table.insert(name, value, Origin::special(SOURCE_OVER));
    }

    /// Expand the macros of `text` against this configuration.
    pub fn expand(&self, text: &str) -> Result<String, MacroError> {
        macros::expand(text, &self.view(), &self.expand_opts)
    }

    /// [`Config::expand`], leaving `$(DOLLAR)` as written (for text that
    /// will be expanded again, and `condor_config_val -macro`).
    pub fn expand_keep_dollar(&self, text: &str) -> Result<String, MacroError> {
        let opts = ExpandOptions { keep_dollar: true, ..self.expand_opts.clone() };
        macros::expand(text, &self.view(), &opts)
    }

    /// Expand every name this process can see once; the first macro loop
    /// is an error naming where its first member is defined.
    pub fn check_loops(&self) -> Result<(), ConfigError> {
        let subsys = self.subsystem().to_ascii_uppercase();
        let local = self.local_name().map(str::to_ascii_uppercase);
        for item in self.table.items() {
            if !item.raw.contains('$') {
                continue;
            }
            // the name as this process looks it up
            let upper = item.key.to_ascii_uppercase();
            let lookup_name = match upper.split_once('.') {
                Some((p, rest)) if p == subsys || local.as_deref() == Some(p) => rest.to_string(),
                Some((p, _)) if is_subsystem_name(p) => continue,
                _ => item.key.clone(),
            };
            if let Err(e) = self.try_get(&lookup_name) {
                let kind = match e {
                    MacroError::Loop { name, chain } => ErrorKind::MacroLoop { name, chain },
                    other => ErrorKind::MacroExpansion(other.to_string()),
                };
                let src = self.describe(&item.origin);
                let mut err = ConfigError::new(kind).with_text(&format!("{} = {}", item.key, item.raw));
                if let Some(line) = src.line {
                    err.at = Some(Location { file: src.file, line });
                }
                return Err(err);
            }
        }
        Ok(())
    }

    /// Evaluate an `if` condition against this configuration
    /// (`condor_config_val -check-if`): `Err` holds HTCondor's reason.
    pub fn test_condition(&self, expr: &str) -> Result<bool, String> {
        struct Ctx<'a>(&'a Config);
        impl crate::ifcond::CondContext for Ctx<'_> {
            fn expand(&self, text: &str) -> Result<String, MacroError> {
                self.0.expand(text)
            }
            fn lookup(&self, name: &str) -> Option<String> {
                self.0.get_raw(name)
            }
        }
        crate::ifcond::test_condition(expr, &Ctx(self)).map_err(|e| match e {
            crate::ifcond::CondError::Invalid(r) => r,
            crate::ifcond::CondError::Macro(m) => m.to_string(),
        })
    }

    /// The settings the files and environment made, for
    /// `condor_config_val -summary`: `(source, entries)` groups in the order
    /// read (environment last), each entry `(name, raw)` in line order.
    /// Values equal to their default and obsolete settings HTCondor's
    /// upgrade templates list are left out.
    pub fn summary(&self) -> Vec<(String, Vec<(String, String)>)> {
        let t = defaults::table();
        let lines_of = |cat: &str, name: &str| -> Vec<String> {
            t.meta(cat, name).map(|m| m.text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()).unwrap_or_default()
        };
        let mut obsolete = lines_of("UPGRADE", "DISCARD");
        obsolete.extend(lines_of("UPGRADE", "DISCARDX"));
        let mut obsolete_if = lines_of("UPGRADE", "DISCARDIF");
        obsolete_if.extend(lines_of("UPGRADE", "DISCARDIFX"));
        let mut rows: Vec<(usize, i32, usize, String, String)> = Vec::new();
        for (iter, item) in self.table.items().iter().enumerate() {
            let o = &item.origin;
            let is_file = o.source > SOURCE_OVER;
            let is_env = o.source == crate::table::SOURCE_ENVIRONMENT || o.source == SOURCE_OVER;
            if !is_file && !is_env {
                continue;
            }
            let def = t.entry_for(&item.key).and_then(|p| p.default.clone());
            if def.as_deref() == Some(item.raw.as_str()) || (item.raw.is_empty() && def.is_none() && t.entry_for(&item.key).is_some()) {
                continue;
            }
            if is_file {
                if obsolete.iter().any(|n| n.eq_ignore_ascii_case(&item.key)) {
                    continue;
                }
                let pair = format!("{}={}", item.key.to_ascii_uppercase(), item.raw);
                if obsolete_if.contains(&pair) {
                    continue;
                }
            }
            let sort_src = if is_env { usize::MAX - 1 + (o.source == SOURCE_OVER) as usize } else { o.source };
            rows.push((sort_src, o.line, iter, item.key.clone(), item.raw.clone()));
        }
        rows.sort_by_key(|r| (r.0, r.1, r.2));
        let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
        let mut last: Option<usize> = None;
        for (src, _, _, k, v) in rows {
            if last != Some(src) {
                let name = match src {
                    s if s == usize::MAX - 1 => self.sources[crate::table::SOURCE_ENVIRONMENT].clone(),
                    usize::MAX => self.sources[SOURCE_OVER].clone(),
                    s => self.sources[s].clone(),
                };
                out.push((name, Vec::new()));
                last = Some(src);
            }
            if let Some(g) = out.last_mut() {
                g.1.push((k, v));
            }
        }
        out
    }

    /// The source names in the order HTCondor numbers them.
    pub fn source_names(&self) -> &[String] {
        &self.sources
    }

    /// A value is at its built-in default (not set by any file).
    pub fn is_default(&self, name: &str) -> bool {
        matches!(self.view().find(name), Some(Found::Default { .. }))
    }

    /// Where the `<Default>` source sits in [`Config::source_names`].
    pub const DEFAULT_SOURCE: usize = SOURCE_DEFAULT;
}

/// Subsystem names that mark `NAME.X` settings as another daemon's.
fn is_subsystem_name(p: &str) -> bool {
    matches!(
        p,
        "MASTER" | "COLLECTOR" | "NEGOTIATOR" | "SCHEDD" | "STARTD" | "STARTER" | "SHADOW" | "TOOL" | "SUBMIT" | "GRIDMANAGER" | "HAD" | "REPLICATION"
            | "CREDD" | "DAGMAN" | "KBDD" | "DEFRAG" | "ROOSTER" | "SHARED_PORT" | "JOB_ROUTER"
    )
}

fn diff(old: &Table, new: &Table) -> ConfigChanges {
    let mut o: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for i in old.items() {
        o.insert(i.key.to_ascii_uppercase(), (i.key.as_str(), i.raw.as_str()));
    }
    let mut ch = ConfigChanges::default();
    for i in new.items() {
        match o.remove(&i.key.to_ascii_uppercase()) {
            None => ch.added.push(i.key.clone()),
            Some((_, raw)) if raw != i.raw => ch.changed.push((i.key.clone(), raw.to_string(), i.raw.clone())),
            Some(_) => {}
        }
    }
    ch.removed = o.into_values().map(|(k, _)| k.to_string()).collect();
    ch.added.sort_by(|a, b| cmp_ignore_case(a, b));
    ch.changed.sort_by(|a, b| cmp_ignore_case(&a.0, &b.0));
    ch.removed.sort_by(|a, b| cmp_ignore_case(a, b));
    ch
}

impl MacroSource for Config {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        self.view().raw(name).map(Cow::Borrowed)
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("subsystem", &self.subsystem())
            .field("local_name", &self.local_name())
            .field("files", &self.files_read())
            .field("defined", &self.table.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn config_can_be_shared_between_threads() {
        assert_send_sync::<Config>();
    }
}
