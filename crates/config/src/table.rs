//! The macro table: every name a configuration defined, its raw value and
//! where it came from, and the lookup rules that layer it over the
//! built-in defaults.
//!
//! A name is looked up as HTCondor's `lookup_macro` does, first match wins:
//! `LOCALNAME.name` in the files, then in the defaults table, then
//! `SUBSYS.name` in the files, then in the defaults table, then `name` in the
//! files, then in the defaults table.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::defaults::{self, cmp_ignore_case};
use crate::macros::MacroSource;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Index into the source names (0 `<Detected>`, 1 `<Default>`,
    /// 2 `<Environment>`, 3 `<Over>`, then files in the order read).
    pub source: usize,
    /// Line in that source; -2 for sources without lines.
    pub line: i32,
    /// Set when the statement came from a `use` template.
    pub meta: Option<MetaOrigin>,
}

/// The `use CATEGORY : NAME` template a value came from, and the line
/// within it (0-based, as HTCondor counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaOrigin {
    pub category: String,
    pub name: String,
    pub offset: i32,
}

pub const SOURCE_DETECTED: usize = 0;
pub const SOURCE_DEFAULT: usize = 1;
pub const SOURCE_ENVIRONMENT: usize = 2;
pub const SOURCE_OVER: usize = 3;

pub const SPECIAL_SOURCES: [&str; 4] = ["<Detected>", "<Default>", "<Environment>", "<Over>"];

impl Origin {
    pub fn special(source: usize) -> Origin {
        Origin { source, line: -2, meta: None }
    }
}

/// FNV-1a: names are short and not attacker-chosen in a way that matters
/// here (a configuration file is trusted input), and lookups happen for
/// every macro reference.
#[derive(Default, Clone, Copy)]
pub struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A map keyed by upper-case names.
pub type NameMap<V> = HashMap<String, V, BuildHasherDefault<FnvHasher>>;

/// One defined name.
#[derive(Debug, Clone)]
pub struct Item {
    /// The name as first written (or as the defaults table spells it).
    pub key: String,
    pub raw: String,
    pub origin: Origin,
}

/// The defined names, looked up case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Table {
    items: Vec<Item>,
    index: NameMap<usize>,
}

impl Table {
    /// The item named exactly `name` (any case).
    pub fn get(&self, name: &str) -> Option<&Item> {
        if let Some(&i) = self.index.get(name) {
            return Some(&self.items[i]);
        }
        if !name.bytes().any(|c| c.is_ascii_lowercase()) {
            return None;
        }
        with_upper(&[name], |k| self.index.get(k).map(|&i| &self.items[i]))
    }

    /// The item named `prefix.name`.
    pub fn get_prefixed(&self, prefix: &str, name: &str) -> Option<&Item> {
        with_upper(&[prefix, ".", name], |k| self.index.get(k).map(|&i| &self.items[i]))
    }

    /// Set `name` to `raw`. A new name whose value equals its built-in
    /// default is not stored (HTCondor keeps such names in the defaults
    /// table only, so `-verbose` reports `<Default>`).
    pub fn insert(&mut self, name: &str, raw: String, origin: Origin) {
        let upper = name.to_ascii_uppercase();
        if let Some(&i) = self.index.get(&upper) {
            let item = &mut self.items[i];
            item.raw = raw;
            item.origin = origin;
            return;
        }
        let table = defaults::table();
        let mut key = name.to_string();
        if let Some(def) = table.generic(name) {
            if same_value(def.default.as_deref(), &raw) {
                return;
            }
            if def.name == name {
                key = def.name.clone();
            }
        }
        self.index.insert(upper, self.items.len());
        self.items.push(Item { key, raw, origin });
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// All items in the order they were first defined.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// All items sorted by name as HTCondor sorts them.
    pub fn sorted(&self) -> Vec<&Item> {
        let mut v: Vec<&Item> = self.items.iter().collect();
        v.sort_by(|a, b| cmp_ignore_case(&a.key, &b.key));
        v
    }
}

/// Run `f` on the upper-case concatenation of `parts`, built in a reused
/// buffer (lookups happen for every macro reference).
pub(crate) fn with_upper<R>(parts: &[&str], f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUF.with(|b| match b.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            for p in parts {
                buf.push_str(p);
            }
            buf.make_ascii_uppercase();
            f(&buf)
        }
        Err(_) => {
            let mut key: String = parts.concat();
            key.make_ascii_uppercase();
            f(&key)
        }
    })
}

/// HTCondor's test for "this setting is just the default": the same text,
/// or the same boolean spelled in another case.
fn same_value(default: Option<&str>, value: &str) -> bool {
    match default {
        None => false,
        Some(d) => d == value || (d.eq_ignore_ascii_case(value) && (d.eq_ignore_ascii_case("true") || d.eq_ignore_ascii_case("false"))),
    }
}

/// A view of a table for one subsystem and local name: the lookups macro
/// expansion makes.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub table: &'a Table,
    pub subsys: Option<&'a str>,
    pub local: Option<&'a str>,
    /// Consult the built-in defaults (false for "defined by the files?").
    pub use_defaults: bool,
}

/// A lookup result: the raw value and where it was found.
pub enum Found<'a> {
    Item(&'a Item),
    Default { info: &'static defaults::ParamInfo },
}

impl<'a> View<'a> {
    pub fn new(table: &'a Table, subsys: Option<&'a str>, local: Option<&'a str>) -> View<'a> {
        View { table, subsys, local, use_defaults: true }
    }

    /// HTCondor's `lookup_macro`: `None` when not defined anywhere.
    pub fn find(&self, name: &str) -> Option<Found<'a>> {
        let defs = defaults::table();
        for prefix in [self.local, self.subsys].into_iter().flatten() {
            if let Some(item) = self.table.get_prefixed(prefix, name) {
                return Some(Found::Item(item));
            }
            if self.use_defaults {
                if let Some(info) = defs.subsys(prefix, name) {
                    return Some(Found::Default { info });
                }
            }
        }
        if let Some(item) = self.table.get(name) {
            return Some(Found::Item(item));
        }
        if self.use_defaults {
            if let Some(info) = defs.lookup(name) {
                if info.default.is_some() {
                    return Some(Found::Default { info });
                }
            }
        }
        None
    }

    /// The raw value of `name`, `None` when not defined.
    pub fn raw(&self, name: &str) -> Option<&'a str> {
        match self.find(name)? {
            Found::Item(i) => Some(i.raw.as_str()),
            Found::Default { info, .. } => Some(info.default.as_deref().unwrap_or("")),
        }
    }
}

impl MacroSource for View<'_> {
    fn lookup_raw(&self, name: &str) -> Option<Cow<'_, str>> {
        self.raw(name).map(Cow::Borrowed)
    }
}
