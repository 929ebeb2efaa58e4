//! The submit variables: every `name = value` of the description, the queue
//! variables, and the built-in defaults (`$(Cluster)`, `$(Process)`,
//! `$(ARCH)`, …), looked up case-insensitively and expanded with the
//! configuration language's macro engine.
//!
//! Lookup order for `$(NAME)` is HTCondor's: a `SUBMIT.NAME` entry, the
//! description's own entries (including `+Attr`, stored as `MY.Attr`, and the
//! queue variables), then the defaults table. Names that are nowhere expand
//! to nothing. Every entry remembers whether it was ever used so that
//! condor_submit can warn about lines that were probably typos.
//!
//! Lookups are on the hot path of job generation (hundreds per job, mostly
//! for commands that are absent), so absent names are rejected by a small
//! bitmap before any hashing.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use config::macros::{ExpandOptions, MacroError, MacroSource};

/// Where a variable was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a file: name and line number.
    File { source: Arc<str>, line: usize },
    /// `name=value` on the command line.
    Argument,
    /// Set by submit itself (`FACTORY.Iwd`, templates).
    Detected,
    /// A queue loop variable (`$(Item)`, `$(x)` of `queue x in (...)`).
    Live,
    /// Set through the API (`Submit` from a map, `-append`).
    Api,
}

/// One variable of the description.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The name as first written (used in messages).
    pub name: String,
    pub raw: String,
    pub origin: Origin,
    used: Cell<bool>,
    /// Its value can change from job to job (see `builder::replay`).
    varying: Cell<bool>,
}

impl Entry {
    pub fn used(&self) -> bool {
        self.used.get()
    }
}

/// FNV-1a over bytes: fast for the short names used here.
#[derive(Default)]
pub(crate) struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<FnvHasher>>;

/// The live values of the built-in per-job variables.
#[derive(Debug, Clone, Default)]
pub struct LiveVars {
    pub cluster: String,
    pub process: String,
    /// `$(Row)` and `$(ItemIndex)`.
    pub row: String,
    pub step: String,
    pub node: String,
}

/// The submit variables of one description.
#[derive(Debug, Clone)]
pub struct SubmitHash {
    entries: Vec<Entry>,
    index: FnvMap<Box<str>, usize>,
    /// Bitmap over a cheap signature of the names present (see `sig`).
    present: [u64; 16],
    has_submit_prefix: bool,
    /// Defaults table entries (name → raw value), looked up last.
    defaults: FnvMap<Box<str>, String>,
    /// Bitmap over the signatures of the defaults and live names.
    defaults_present: [u64; 16],
    pub live: LiveVars,
    pub(crate) expand_opts: RefCell<ExpandOptions>,
    /// A lookup since the last reset found a value that changes from job to job.
    touched: Cell<bool>,
}

fn lower_into<'a>(name: &str, buf: &'a mut [u8; 96]) -> Option<&'a str> {
    let b = name.as_bytes();
    if b.len() > buf.len() {
        return None;
    }
    for (i, c) in b.iter().enumerate() {
        buf[i] = c.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..b.len()]).ok()
}

fn sig(name: &str) -> usize {
    let b = name.as_bytes();
    let first = b.first().map_or(0, |c| c.to_ascii_lowercase() as usize);
    let last = b.last().map_or(0, |c| c.to_ascii_lowercase() as usize);
    (b.len().wrapping_mul(131) ^ first.wrapping_mul(31) ^ last.wrapping_mul(7)) & 1023
}

impl Default for SubmitHash {
    fn default() -> Self {
        SubmitHash::new()
    }
}

impl SubmitHash {
    pub fn new() -> SubmitHash {
        let mut h = SubmitHash {
            entries: Vec::new(),
            index: FnvMap::default(),
            present: [0; 16],
            has_submit_prefix: false,
            defaults: FnvMap::default(),
            defaults_present: [0; 16],
            live: LiveVars {
                cluster: "1".into(),
                process: "0".into(),
                row: "0".into(),
                step: "0".into(),
                node: String::new(),
            },
            expand_opts: RefCell::new(ExpandOptions::default()),
            touched: Cell::new(false),
        };
        for name in ["Cluster", "ClusterId", "Process", "ProcId", "Row", "ItemIndex", "Step", "Node"] {
            let sg = sig(name);
            h.defaults_present[sg >> 6] |= 1u64 << (sg & 63);
        }
        for (k, v) in [
            ("JobId", "$(ClusterId).$(ProcId)"),
            ("Request_CPUs", "$(RequestCPUs)"),
            ("Request_Memory", "$(RequestMemory)"),
            ("VM_MEMORY", "$(Request_Memory)"),
            ("VM_VCPUS", "$(Request_CPUs)"),
            ("IsLinux", if cfg!(target_os = "linux") { "1" } else { "0" }),
            ("IsWindows", "0"),
            ("SUBMIT_FILE", ""),
        ] {
            h.set_default(k, v);
        }
        h
    }

    /// Set an entry of the defaults table (`ARCH`, `OPSYS`, `SUBMIT_FILE`, …).
    pub fn set_default(&mut self, name: &str, value: &str) {
        let sg = sig(name);
        self.defaults_present[sg >> 6] |= 1u64 << (sg & 63);
        self.defaults.insert(name.to_ascii_lowercase().into_boxed_str(), value.to_string());
    }

    /// Options used for every expansion (environment for `$ENV()`, the
    /// job's initial directory for `$Fp()`).
    pub fn expand_options_mut(&mut self) -> &mut ExpandOptions {
        self.expand_opts.get_mut()
    }

    /// Set the directory that `$Ff()` and friends resolve relative paths
    /// against (the job's initial directory, once known).
    pub fn set_cwd(&self, cwd: Option<std::path::PathBuf>) {
        let mut o = self.expand_opts.borrow_mut();
        if o.cwd != cwd {
            o.cwd = cwd;
        }
    }

    /// True when `name` has a value here or in the defaults table
    /// (HTCondor's `lookup`).
    pub fn has_with_defaults(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Index of `name` in the entries, case-insensitively.
    pub fn find(&self, name: &str) -> Option<usize> {
        let s = sig(name);
        if self.present[s >> 6] & (1u64 << (s & 63)) == 0 {
            return None;
        }
        let mut buf = [0u8; 96];
        match lower_into(name, &mut buf) {
            Some(lower) => self.index.get(lower).copied(),
            None => self.index.get(name.to_ascii_lowercase().as_str()).copied(),
        }
    }

    /// Set `name` to the raw `value`, replacing an earlier value (the
    /// spelling of the first definition is kept).
    pub fn insert(&mut self, name: &str, value: &str, origin: Origin) {
        if let Some(i) = self.find(name) {
            let e = &mut self.entries[i];
            e.raw.clear();
            e.raw.push_str(value);
            e.origin = origin;
            return;
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("submit.") {
            self.has_submit_prefix = true;
        }
        let s = sig(name);
        self.present[s >> 6] |= 1u64 << (s & 63);
        self.index.insert(lower.into_boxed_str(), self.entries.len());
        self.entries.push(Entry { name: name.to_string(), raw: value.to_string(), origin, used: Cell::new(false), varying: Cell::new(false) });
    }

    /// Set a queue variable's value for the current job; the entry is created
    /// (empty) if needed. `force_used` marks it as used.
    pub fn set_live(&mut self, name: &str, value: &str, force_used: bool) {
        let i = match self.find(name) {
            Some(i) => i,
            None => {
                self.insert(name, "", Origin::Live);
                self.entries.len() - 1
            }
        };
        let e = &mut self.entries[i];
        e.raw.clear();
        e.raw.push_str(value);
        if force_used {
            e.used.set(true);
        }
    }

    /// Mark a variable as used (so it is not reported as a probable typo).
    pub fn mark_used(&self, name: &str) {
        if let Some(i) = self.find(name) {
            self.entries[i].used.set(true);
        }
    }

    /// The defaults table (lowercase name, raw value).
    pub fn defaults(&self) -> impl Iterator<Item = (&str, &str)> {
        self.defaults.iter().map(|(k, v)| (&**k, v.as_str()))
    }

    /// All entries in the order they were first defined.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The raw value of an entry (no defaults), marking it used.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.find(name).map(|i| {
            let e = &self.entries[i];
            e.used.set(true);
            if e.varying.get() {
                self.touched.set(true);
            }
            e.raw.as_str()
        })
    }

    /// Mark the entries whose values change from job to job (`varying`
    /// holds lowercase names); lookups of them set [`SubmitHash::touched`].
    pub fn mark_varying(&self, varying: &dyn Fn(&str) -> bool) {
        for e in &self.entries {
            e.varying.set(varying(&e.name.to_ascii_lowercase()));
        }
    }

    /// Whether the entry `name` changes from job to job.
    pub fn is_varying(&self, name: &str) -> bool {
        self.find(name).is_some_and(|i| self.entries[i].varying.get())
    }

    /// Forget earlier lookups of varying values.
    pub fn reset_touched(&self) {
        self.touched.set(false);
    }

    /// A lookup since [`SubmitHash::reset_touched`] found a varying value
    /// (an entry marked varying, or `$(Process)`, `$(Row)`, `$(Step)`, `$(Node)`).
    pub fn touched(&self) -> bool {
        self.touched.get()
    }

    /// The raw value of an entry without marking it used.
    pub fn peek(&self, name: &str) -> Option<&str> {
        self.find(name).map(|i| self.entries[i].raw.as_str())
    }

    fn live_default(&self, lower: &str) -> Option<&str> {
        let v = match lower {
            "cluster" | "clusterid" => return Some(&self.live.cluster),
            "process" | "procid" => &self.live.process,
            "row" | "itemindex" => &self.live.row,
            "step" => &self.live.step,
            "node" => &self.live.node,
            _ => return None,
        };
        self.touched.set(true);
        Some(v)
    }

    /// The raw value of `name` as `$(name)` sees it: `SUBMIT.name`, the
    /// entries, then the defaults. Marks entries used.
    pub fn lookup(&self, name: &str) -> Option<Cow<'_, str>> {
        if self.has_submit_prefix {
            let prefixed = format!("SUBMIT.{name}");
            if let Some(v) = self.raw(&prefixed) {
                return Some(Cow::Borrowed(v));
            }
        }
        if let Some(v) = self.raw(name) {
            return Some(Cow::Borrowed(v));
        }
        self.lookup_default(name)
    }

    /// The defaults table only.
    pub fn lookup_default(&self, name: &str) -> Option<Cow<'_, str>> {
        let sg = sig(name);
        if self.defaults_present[sg >> 6] & (1u64 << (sg & 63)) == 0 {
            return None;
        }
        let mut buf = [0u8; 96];
        let owned;
        let lower = match lower_into(name, &mut buf) {
            Some(l) => l,
            None => {
                owned = name.to_ascii_lowercase();
                owned.as_str()
            }
        };
        if let Some(v) = self.live_default(lower) {
            return Some(Cow::Borrowed(v));
        }
        self.defaults.get(lower).map(|v| Cow::Borrowed(v.as_str()))
    }

    /// Expand all macros in `text`.
    pub fn expand(&self, text: &str) -> Result<String, MacroError> {
        if !text.contains('$') {
            return Ok(text.to_string());
        }
        if let Some(fast) = self.expand_simple(text) {
            return Ok(fast);
        }
        config::macros::expand(text, self, &self.expand_opts.borrow())
    }

    /// `submit_param`: look `name` up (then `alt`), expand it; an empty
    /// result counts as not set.
    pub fn param(&self, name: &str, alt: Option<&str>) -> Result<Option<String>, ParamError> {
        let (used_name, raw) = match self.lookup(name) {
            Some(v) => (name, v),
            None => match alt.and_then(|a| self.lookup(a).map(|v| (a, v))) {
                Some(x) => x,
                None => return Ok(None),
            },
        };
        if !raw.contains('$') {
            return Ok(if raw.is_empty() { None } else { Some(raw.into_owned()) });
        }
        if let Some(fast) = self.expand_simple(&raw) {
            return Ok(if fast.is_empty() { None } else { Some(fast) });
        }
        let expanded = config::macros::expand(&raw, self, &self.expand_opts.borrow())
            .map_err(|e| ParamError { name: used_name.to_string(), source: e })?;
        Ok(if expanded.is_empty() { None } else { Some(expanded) })
    }

    /// Expand text whose only macros are plain `$(NAME)` references to
    /// values without macros — what most per-job values look like
    /// (`out/$(name).txt`) — without the general expander. `None` when the
    /// text needs the general rules (functions, defaults, `$$`, nested
    /// macros, `$(DOLLAR)`).
    fn expand_simple(&self, raw: &str) -> Option<String> {
        let b = raw.as_bytes();
        let mut out = String::with_capacity(raw.len() + 32);
        let mut i = 0;
        let mut copied = 0;
        while let Some(off) = b[i..].iter().position(|&c| c == b'$') {
            let d = i + off;
            if b.get(d + 1) != Some(&b'(') {
                return None;
            }
            let start = d + 2;
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                j += 1;
            }
            if j == start || j >= b.len() || b[j] != b')' {
                return None;
            }
            let name = &raw[start..j];
            if name.eq_ignore_ascii_case("DOLLAR") {
                return None;
            }
            out.push_str(&raw[copied..d]);
            if let Some(v) = self.lookup(name) {
                if v.contains('$') || v.starts_with('(') {
                    return None;
                }
                out.push_str(&v);
            }
            i = j + 1;
            copied = i;
        }
        out.push_str(&raw[copied..]);
        Some(out)
    }

    /// Names of the entries that were never used, for the "probably a typo"
    /// warnings: `(name, raw, is_queue_variable)`.
    pub fn unused(&self) -> Vec<(&str, &str, bool)> {
        self.entries
            .iter()
            .filter(|e| !e.used.get())
            .filter(|e| !e.name.starts_with('+') && !e.name.contains('.'))
            .map(|e| (e.name.as_str(), e.raw.as_str(), e.origin == Origin::Live))
            .collect()
    }
}

/// Case-insensitive ordering (ASCII), HTCondor's `strcasecmp`.
pub fn cmp_nocase(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// A variable whose value could not be expanded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Failed to expand macros in: {name} ({source})")]
pub struct ParamError {
    pub name: String,
    #[source]
    pub source: MacroError,
}

impl MacroSource for SubmitHash {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        self.lookup(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive_and_keep_the_first_spelling() {
        let mut h = SubmitHash::new();
        h.insert("Greeting", "hello", Origin::Api);
        h.insert("GREETING", "hi", Origin::Api);
        assert_eq!(h.lookup("greeting").as_deref(), Some("hi"));
        assert_eq!(h.entries()[0].name, "Greeting");
        assert_eq!(h.find("nothing"), None);
    }

    #[test]
    fn builtin_variables_follow_the_live_values() {
        let mut h = SubmitHash::new();
        h.live.cluster = "7".into();
        h.live.process = "3".into();
        assert_eq!(h.lookup("ClusterId").as_deref(), Some("7"));
        assert_eq!(h.lookup("PROCESS").as_deref(), Some("3"));
        h.insert("Process", "mine", Origin::Api);
        assert_eq!(h.lookup("process").as_deref(), Some("mine"));
    }

    #[test]
    fn simple_references_expand_like_the_general_expander() {
        let mut h = SubmitHash::new();
        h.insert("a", "x y", Origin::Api);
        h.insert("b", "$(a)!", Origin::Api);
        h.insert("e", "", Origin::Api);
        h.live.process = "7".into();
        for t in ["out/$(a).$(Process)", "$(nope)-$(e)-", "$(b)", "$(a:dflt)", "$$(a)", "$ENV(HOME)", "$(DOLLAR)(a)", "a$(a)b$(a)c"] {
            let general = config::macros::expand(t, &h, &h.expand_opts.borrow()).unwrap();
            if let Some(fast) = h.expand_simple(t) {
                assert_eq!(fast, general, "{t}");
            }
        }
        assert_eq!(h.expand_simple("out/$(a).$(Process)").as_deref(), Some("out/x y.7"));
        assert_eq!(h.expand_simple("$(b)"), None, "a value with macros takes the general path");
    }

    #[test]
    fn usage_is_tracked() {
        let mut h = SubmitHash::new();
        h.insert("a", "1", Origin::Api);
        h.insert("b", "2", Origin::Api);
        h.set_live("x", "v", false);
        let _ = h.lookup("a");
        let unused: Vec<_> = h.unused().into_iter().map(|(n, _, live)| (n, live)).collect();
        assert_eq!(unused, vec![("b", false), ("x", true)]);
    }
}
