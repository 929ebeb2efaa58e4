//! Job environments in HTCondor's two syntaxes, and `getenv` import.
//!
//! - **Old (V1) syntax**: `environment = A=1;B=2` — entries separated by `;`
//!   (or by any of `!#$%&*+,-/:;<>?@^`|~` when that character starts the
//!   value), no quoting.
//! - **New (V2) syntax**: `environment = "A=1 B='x y'"` — the argument
//!   syntax of [`crate::args`], one `NAME=value` per word.
//!
//! Entries are kept sorted by name (byte order), which is the order HTCondor
//! writes them in `Environment` (V2 raw) and `Env` (V1 raw).

use std::collections::BTreeMap;

use crate::args::{self, ArgError};

/// Marker for an entry written without `=` but containing `$$` (left for
/// match-time expansion): such an entry is kept as a bare word.
const NO_VALUE: &str = "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}";

/// Characters that may select the V1 delimiter by starting the value.
const PERMITTED_V1_DELIMS: &str = "!#$%&*+,-/:;<>?@^`|~\u{1f}";

/// The default V1 delimiter on Unix.
pub const V1_DELIM: char = ';';

/// A job environment: name → value, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| *v != NO_VALUE)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        if !name.is_empty() {
            self.vars.insert(name.to_string(), value.to_string());
        }
    }

    /// `NAME=value` (or a bare `$$(...)` word) into the environment.
    fn set_entry(&mut self, entry: &str) -> Result<(), ArgError> {
        if entry.is_empty() {
            return Err(ArgError(String::new()));
        }
        match entry.find('=') {
            None if entry.contains("$$") => {
                self.set(entry, NO_VALUE);
                Ok(())
            }
            None => Err(ArgError(format!("ERROR: Missing '=' after environment variable '{entry}'."))),
            Some(0) => Err(ArgError(format!("ERROR: missing variable in '{entry}'."))),
            Some(eq) => {
                self.set(&entry[..eq], &entry[eq + 1..]);
                Ok(())
            }
        }
    }

    /// Merge the value of `environment`/`env`: V2 if quoted, else V1.
    pub fn merge_v1_raw_or_v2_quoted(&mut self, s: &str) -> Result<(), ArgError> {
        if args::is_v2_quoted(s) {
            self.merge_v2_quoted(s)
        } else {
            self.merge_v1_auto_delim(s)
        }
    }

    /// Merge a V2 quoted environment string (`"A=1 B='x y'"`).
    pub fn merge_v2_quoted(&mut self, s: &str) -> Result<(), ArgError> {
        if !args::is_v2_quoted(s) {
            return Err(ArgError("Expecting a double-quoted environment string (V2 format).".into()));
        }
        let raw = args::v2_quoted_to_raw(s)?;
        self.merge_v2_raw(&raw)
    }

    /// Merge a V2 raw environment string (`A=1 B='x y'`).
    pub fn merge_v2_raw(&mut self, raw: &str) -> Result<(), ArgError> {
        for word in args::split_v2_raw(raw)? {
            self.set_entry(&word)?;
        }
        Ok(())
    }

    /// Merge a V1 string, picking the delimiter from its first character.
    pub fn merge_v1_auto_delim(&mut self, s: &str) -> Result<(), ArgError> {
        if s.is_empty() {
            return Ok(());
        }
        let mut delim = V1_DELIM;
        let mut body = s;
        if let Some(first) = s.chars().next() {
            if first == delim {
                body = &s[1..];
            } else if PERMITTED_V1_DELIMS.contains(first) {
                delim = first;
                body = &s[first.len_utf8()..];
            }
        }
        self.merge_v1_raw(body, delim)
    }

    /// Merge V1 raw text with the given delimiter.
    pub fn merge_v1_raw(&mut self, s: &str, delim: char) -> Result<(), ArgError> {
        let mut rest = s;
        while !rest.is_empty() {
            rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
            let end = rest.find(['\n', delim]).unwrap_or(rest.len());
            let entry = &rest[..end];
            rest = if end < rest.len() { &rest[end + 1..] } else { "" };
            if !entry.is_empty() {
                self.set_entry(entry)?;
            }
        }
        Ok(())
    }

    /// Import variables from a process environment that are not set yet and
    /// that `filter` accepts (`getenv`).
    pub fn import<I, F>(&mut self, environ: I, mut filter: F)
    where
        I: IntoIterator<Item = (String, String)>,
        F: FnMut(&str, &str) -> bool,
    {
        for (name, value) in environ {
            if name.is_empty() || self.vars.contains_key(&name) {
                continue;
            }
            if filter(&name, &value) {
                self.vars.insert(name, value);
            }
        }
    }

    /// The V2 raw form written to `Environment`.
    pub fn to_v2_raw(&self) -> String {
        let words: Vec<String> = self
            .vars
            .iter()
            .map(|(k, v)| if v == NO_VALUE { k.clone() } else { format!("{k}={v}") })
            .collect();
        args::join_v2_raw(&words)
    }

    /// The V1 raw form written to `Env`; fails when an entry contains the
    /// delimiter or a newline.
    pub fn to_v1_raw(&self, delim: char) -> Result<String, ArgError> {
        let mut out = String::new();
        for (k, v) in &self.vars {
            if !is_safe_v1_value(k, delim) || !is_safe_v1_value(v, delim) {
                return Err(ArgError(format!("Environment entry is not compatible with V1 syntax: {k}={v}")));
            }
            if !out.is_empty() {
                out.push(delim);
            }
            out.push_str(k);
            if v != NO_VALUE {
                out.push('=');
                out.push_str(v);
            }
        }
        Ok(out)
    }
}

/// A value that can be written in the V1 syntax with this delimiter.
pub fn is_safe_v1_value(s: &str, delim: char) -> bool {
    !s.contains([delim, '\n'])
}

/// The `getenv` filter: `true`/`false`, or a list of names with `*`
/// wildcards where `!name` excludes.
#[derive(Debug, Clone, Default)]
pub struct GetenvFilter {
    white: Vec<String>,
    black: Vec<String>,
    /// Drop values that the V1 syntax cannot express (HTCondor does this
    /// whenever `environment`/`env` is given without `environment2`).
    pub v1_safe_only: bool,
}

impl GetenvFilter {
    /// A filter from a `getenv` name list (`FOO*, !BAR`).
    pub fn from_list(list: &str) -> GetenvFilter {
        let mut f = GetenvFilter::default();
        for tok in list.split([',', ';', ' ', '\t', '\r', '\n']).filter(|t| !t.is_empty()) {
            if let Some(name) = tok.strip_prefix('!') {
                let name = name.trim();
                if !name.is_empty() {
                    f.black.push(name.to_string());
                }
            } else {
                let name = tok.trim();
                if !name.is_empty() {
                    f.white.push(name.to_string());
                }
            }
        }
        f
    }

    /// Accept everything (`getenv = true`).
    pub fn all() -> GetenvFilter {
        GetenvFilter::default()
    }

    pub fn accepts(&self, name: &str, value: &str) -> bool {
        if self.v1_safe_only && !is_safe_v1_value(value, V1_DELIM) {
            return false;
        }
        if value.contains('\n') {
            return false;
        }
        if !self.black.is_empty() && self.black.iter().any(|p| matches_anycase_wildcard(p, name)) {
            return false;
        }
        if !self.white.is_empty() && !self.white.iter().any(|p| matches_anycase_wildcard(p, name)) {
            return false;
        }
        true
    }
}

/// HTCondor's wildcard match: one `*` at the start, middle or end (plus an
/// optional second `*` at the very end), case-insensitive.
pub fn matches_anycase_wildcard(pattern: &str, s: &str) -> bool {
    let lower = |x: &str| x.to_ascii_lowercase();
    let (p, s) = (lower(pattern), lower(s));
    let Some(star) = p.find('*') else {
        return p == s;
    };
    let mut prefix_mode = false;
    let (start, mut end): (String, String) = if star == 0 {
        (String::new(), p[1..].to_string())
    } else if star + 1 == p.len() {
        prefix_mode = true;
        (p[..star].to_string(), String::new())
    } else {
        (p[..star].to_string(), p[star + 1..].to_string())
    };
    if end.ends_with('*') {
        end.pop();
        prefix_mode = true;
    }
    let mut consumed = 0;
    if !start.is_empty() {
        if !s.starts_with(&start) {
            return false;
        }
        consumed = start.len();
    }
    if end.is_empty() {
        return true;
    }
    let tail = &s[consumed..];
    if prefix_mode {
        tail.contains(&end)
    } else {
        tail.ends_with(&end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_environment_is_sorted_and_requoted() {
        let mut e = Env::new();
        e.merge_v1_raw_or_v2_quoted(r#""PATH_X=$(Item) N=""q"" N='x y'""#).unwrap();
        assert_eq!(e.to_v2_raw(), r#"N=x' 'y PATH_X=$(Item)"#);
    }

    #[test]
    fn v1_environment_splits_on_semicolons_or_a_leading_delimiter() {
        let mut e = Env::new();
        e.merge_v1_raw_or_v2_quoted("B=2;A=1").unwrap();
        assert_eq!(e.to_v1_raw(';').unwrap(), "A=1;B=2");
        let mut e = Env::new();
        e.merge_v1_raw_or_v2_quoted("|A=1;x|B=2").unwrap();
        assert_eq!(e.get("A"), Some("1;x"));
        assert_eq!(e.get("B"), Some("2"));
    }

    #[test]
    fn entries_without_equals_are_errors_unless_deferred() {
        let mut e = Env::new();
        assert!(e.merge_v1_raw_or_v2_quoted("FOO").is_err());
        assert!(e.merge_v1_raw_or_v2_quoted("=x").is_err());
        e.merge_v1_raw_or_v2_quoted("\"$$(X)\"").unwrap();
        assert_eq!(e.to_v2_raw(), "$$(X)");
    }

    #[test]
    fn getenv_lists_use_wildcards_and_exclusions() {
        let f = GetenvFilter::from_list("FOO*, !FOO_2, testvar");
        assert!(f.accepts("FOO", "bar"));
        assert!(!f.accepts("FOO_2", "x"));
        assert!(f.accepts("TESTVAR", "hello"));
        assert!(!f.accepts("HOME", "/h"));
        let mut e = Env::new();
        e.set("FOO", "mine");
        e.import(vec![("FOO".into(), "theirs".into()), ("FOOX".into(), "1".into())], |n, v| f.accepts(n, v));
        assert_eq!(e.get("FOO"), Some("mine"));
        assert_eq!(e.get("FOOX"), Some("1"));
    }

    #[test]
    fn wildcards_match_like_htcondor() {
        assert!(matches_anycase_wildcard("*bar", "FOOBAR"));
        assert!(matches_anycase_wildcard("f*r", "foobar"));
        assert!(matches_anycase_wildcard("*oo*", "foobar"));
        assert!(!matches_anycase_wildcard("f*x", "foobar"));
    }
}
