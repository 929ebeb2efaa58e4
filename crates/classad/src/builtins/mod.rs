//! The builtin function library: pure functions from evaluated arguments to a value.
//!
//! Special forms that need unevaluated arguments or the evaluation context
//! (`ifThenElse`, `eval`, `unparse`, `unresolved`, `debug`,
//! `evalInEachContext`, `countMatches`) live in the evaluator; everything
//! here sees only [`Value`]s and the [`Env`].
//!
//! The evaluator resolves a call's name once, at parse time, with [`lookup`],
//! and then calls the returned [`BuiltinFn`] with the evaluated arguments.
//!
//! Every function follows HTCondor's own rules for arity (a wrong number of
//! arguments is `error`), for `undefined` (most functions are strict and
//! yield `undefined`; some treat it as an empty value) and for type
//! conversions. The files group the functions by topic:
//!
//! - [`types`]: `isUndefined` … `isReltime`, `int`, `real`, `string`, `bool`.
//! - [`strings`]: `strcat`, `join`, `substr`, `toUpper`, `size`, `split`, …
//! - [`version`]: `versioncmp` and the `version*` comparisons.
//! - [`stringlists`]: `stringListSize`, `stringListMember`, … (delimited strings).
//! - [`lists`]: `member`, `sum`, `min`, `anyCompare`, … (list values).
//! - [`math`]: `floor`, `ceiling`, `round`, `pow`, `quantize`, `random`.
//! - [`time`]: `time`, `absTime`, `relTime`, `formatTime`, `splitTime`, `interval`, …
//! - [`regex`]: `regexp`, `regexps`, `replace`, `replaceAll`, `regexpMember`, …
//! - [`env`]: `envV1ToV2`, `mergeEnvironment`, `argsToList`, `listToArgs`.
//! - [`users`]: `userHome`, `userMap`.
//!
//! Shared helpers: [`conv`] (HTCondor's value conversions, C number parsing),
//! [`ops`] (comparison and addition as the operators define them) and
//! [`strftime`] (C-locale `strftime`).

use std::fmt;
use std::sync::Arc;

use crate::Value;

pub mod conv;
pub mod env;
pub mod lists;
pub mod math;
pub mod ops;
pub mod regex;
pub mod strftime;
pub mod stringlists;
pub mod strings;
pub mod time;
pub mod types;
pub mod users;

#[cfg(test)]
mod testing;
pub mod version;

/// Maps a user name through a named map set, as `userMap()` needs.
///
/// Returns the comma-separated list of groups the map yields, or `None`
/// when the map set does not exist or has no entry for the user.
pub trait UserMapper: Send + Sync {
    fn map(&self, map_set: &str, user: &str) -> Option<String>;
}

/// What a builtin may need from its surroundings beyond its arguments.
#[derive(Clone)]
pub struct Env {
    /// The current time in seconds since the epoch; `None` reads the clock.
    /// Fixing it makes `time()`, `absTime()`, `formatTime()` … reproducible.
    pub now: Option<i64>,
    /// The map sets consulted by `userMap()`; without one every lookup
    /// misses (`undefined`, or the default given as fourth argument).
    pub user_mapper: Option<Arc<dyn UserMapper>>,
    /// Where `userHome()` reads accounts (`/etc/passwd` when `None`).
    pub passwd_file: Option<Arc<str>>,
    /// A fixed zone, in seconds east of UTC, for the functions that read
    /// local time (`formatTime`, `getHours`, `absTime(n)` …); `None` uses
    /// the system's local zone.
    pub tz: Option<i32>,
    /// Whether `userHome()` may look accounts up at all (HTCondor's
    /// `CLASSAD_ENABLE_USER_HOME`, on by default).
    pub user_home_enabled: bool,
    /// Filled by the evaluator: the list expressions evaluated lists came
    /// from. Leave it empty.
    pub lists: ListSources,
}

/// The expressions evaluated lists came from, so that converting a list
/// to a string prints it as written (`string({x})` is `"{ x }"`), as
/// HTCondor does: its list values are lists of expressions.
#[derive(Default, Clone)]
pub struct ListSources(Vec<(Arc<Vec<Value>>, crate::Expr)>);

impl ListSources {
    /// Most sources remembered in one evaluation (beyond, lists print by value).
    const MAX: usize = 4096;

    /// Remember that `list` was made by evaluating `source`.
    pub(crate) fn record(&mut self, list: &Arc<Vec<Value>>, source: &crate::Expr) {
        if self.0.len() < Self::MAX {
            self.0.push((list.clone(), source.clone()));
        }
    }

    /// The expression `list` was evaluated from, if known.
    pub fn source_of(&self, list: &Arc<Vec<Value>>) -> Option<&crate::Expr> {
        self.0.iter().rev().find(|(l, _)| Arc::ptr_eq(l, list)).map(|(_, e)| e)
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("now", &self.now)
            .field("user_mapper", &self.user_mapper.as_ref().map(|_| "…"))
            .field("passwd_file", &self.passwd_file)
            .field("tz", &self.tz)
            .field("user_home_enabled", &self.user_home_enabled)
            .field("lists", &self.lists.0.len())
            .finish()
    }
}

impl Default for Env {
    fn default() -> Env {
        Env {
            now: None,
            user_mapper: None,
            passwd_file: None,
            tz: None,
            user_home_enabled: true,
            lists: ListSources::default(),
        }
    }
}

impl Env {
    /// The current time: the fixed one if set, else the system clock.
    pub fn now(&self) -> i64 {
        match self.now {
            Some(t) => t,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        }
    }
}

impl Env {
    /// The zone offset (seconds east of UTC) in force at `utc_secs`.
    pub fn offset_at(&self, utc_secs: i64) -> i32 {
        match self.tz {
            Some(tz) => tz,
            None => crate::time::local_offset_at(utc_secs),
        }
    }
}

/// A builtin: evaluated arguments in, value out. Never panics.
pub type BuiltinFn = fn(args: &[Value], env: &Env) -> Value;

/// Every builtin, by lowercase name, sorted for binary search.
static TABLE: &[(&str, BuiltinFn)] = &[
    ("abstime", time::abs_time),
    ("allcompare", lists::all_compare),
    ("anycompare", lists::any_compare),
    ("argstolist", env::args_to_list),
    ("avg", lists::avg),
    ("bool", types::to_bool),
    ("ceil", math::ceiling),
    ("ceiling", math::ceiling),
    ("currenttime", time::current_time),
    ("daytime", time::day_time),
    ("envv1tov2", env::env_v1_to_v2),
    ("floor", math::floor),
    ("formattime", time::format_time),
    ("getdayofmonth", time::get_day_of_month),
    ("getdayofweek", time::get_day_of_week),
    ("getdayofyear", time::get_day_of_year),
    ("getdays", time::get_days),
    ("gethours", time::get_hours),
    ("getminutes", time::get_minutes),
    ("getmonth", time::get_month),
    ("getseconds", time::get_seconds),
    ("getyear", time::get_year),
    ("identicalmember", lists::identical_member),
    ("int", types::to_int),
    ("interval", time::interval),
    ("isabstime", types::is_abstime),
    ("isboolean", types::is_boolean),
    ("isclassad", types::is_classad),
    ("iserror", types::is_error),
    ("isinteger", types::is_integer),
    ("islist", types::is_list),
    ("isreal", types::is_real),
    ("isreltime", types::is_reltime),
    ("isstring", types::is_string),
    ("isundefined", types::is_undefined),
    ("join", strings::join),
    ("listtoargs", env::list_to_args),
    ("max", lists::max),
    ("member", lists::member),
    ("mergeenvironment", env::merge_environment),
    ("min", lists::min),
    ("pow", math::pow),
    ("quantize", math::quantize),
    ("random", math::random),
    ("real", types::to_real),
    ("regexp", regex::regexp),
    ("regexpmember", regex::regexp_member),
    ("regexps", regex::regexps),
    ("reltime", time::rel_time),
    ("replace", regex::replace),
    ("replaceall", regex::replace_all),
    ("round", math::round),
    ("size", strings::size),
    ("split", strings::split),
    ("splitslotname", strings::split_slot_name),
    ("splittime", time::split_time),
    ("splitusername", strings::split_user_name),
    ("strcat", strings::strcat),
    ("strcmp", strings::strcmp),
    ("stricmp", strings::stricmp),
    ("string", types::to_string),
    ("stringlist_regexpmember", regex::string_list_regexp_member),
    ("stringlistavg", stringlists::avg),
    ("stringlistimember", stringlists::imember),
    ("stringlistisubsetmatch", stringlists::isubset_match),
    ("stringlistmax", stringlists::max),
    ("stringlistmember", stringlists::member),
    ("stringlistmin", stringlists::min),
    ("stringlistsintersect", stringlists::intersect),
    ("stringlistsize", stringlists::size),
    ("stringlistsubsetmatch", stringlists::subset_match),
    ("stringlistsum", stringlists::sum),
    ("substr", strings::substr),
    ("sum", lists::sum),
    ("time", time::time),
    ("timezoneoffset", time::time_zone_offset),
    ("tolower", strings::to_lower),
    ("toupper", strings::to_upper),
    ("userhome", users::user_home),
    ("usermap", users::user_map),
    ("version_in_range", version::version_in_range),
    ("versioncmp", version::versioncmp),
    ("versioneq", version::version_eq),
    ("versionge", version::version_ge),
    ("versiongt", version::version_gt),
    ("versionle", version::version_le),
    ("versionlt", version::version_lt),
];

/// Longest name in [`TABLE`]; longer names cannot match.
const MAX_NAME: usize = 32;

/// Find a builtin by name, case-insensitively (`strcat`, `StrCat`, …).
pub fn lookup(name: &str) -> Option<BuiltinFn> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_NAME {
        return None;
    }
    let mut buf = [0u8; MAX_NAME];
    for (dst, src) in buf.iter_mut().zip(bytes) {
        *dst = src.to_ascii_lowercase();
    }
    let key = &buf[..bytes.len()];
    TABLE
        .binary_search_by(|(n, _)| n.as_bytes().cmp(key))
        .ok()
        .map(|i| TABLE[i].1)
}

/// The names of every builtin, lowercase (for documentation and completion).
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_lowercase_and_fits_the_buffer() {
        for w in TABLE.windows(2) {
            assert!(w[0].0 < w[1].0, "{} must sort before {}", w[0].0, w[1].0);
        }
        for (n, _) in TABLE {
            assert_eq!(*n, n.to_ascii_lowercase());
            assert!(n.len() <= MAX_NAME);
        }
    }

    #[test]
    fn lookup_ignores_case() {
        assert!(lookup("strcat").is_some());
        assert!(lookup("StrCat").is_some());
        assert!(lookup("STRINGLIST_REGEXPMEMBER").is_some());
        assert!(lookup("Version_In_Range").is_some());
        assert!(lookup("versionInRange").is_none());
        assert!(lookup("sprintf").is_none());
        assert!(lookup("strlen").is_none());
        assert!(lookup("").is_none());
        assert!(lookup(&"x".repeat(100)).is_none());
        assert!(lookup("ifThenElse").is_none(), "special forms live in the evaluator");
    }

    #[test]
    fn lookup_finds_every_entry() {
        for (n, f) in TABLE {
            assert_eq!(lookup(n).map(|g| g as usize), Some(*f as usize), "{n}");
        }
    }
}
