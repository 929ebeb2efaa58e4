//! The shape of the Python `htcondor2.Submit` object, so the Python module
//! is a thin layer over this crate.
//!
//! A [`Submit`] is a set of submit commands (`Submit({"executable": ...})`
//! or the text of a submit description) plus an optional queue statement
//! (`getQArgs()`/`setQArgs()`). It answers `expand(key)`, `itemdata()`, and
//! builds the job ads of a submit (`jobs(count, itemdata)`), which is what
//! `Schedd.submit()` sends.

use std::collections::BTreeMap;

use crate::error::SubmitError;
use crate::hash::Origin;
use crate::items::Walk;
use crate::queue::{queue_statement_args, QueueArgs};
use crate::submission::{CollectSink, Report, SubmitFailure, SubmitOptions, Submission};

/// Submit commands and a queue statement (`htcondor2.Submit`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submit {
    /// Commands in insertion order; keys compare case-insensitively.
    entries: Vec<(String, String)>,
    qargs: String,
}

/// Item rows given to `jobs()` / `Schedd.submit(itemdata=...)`.
pub type ItemData = Vec<BTreeMap<String, String>>;

impl Submit {
    /// `Submit({...})`: commands from key/value pairs. Python values are
    /// turned into text by the caller (`True` → `true`, numbers as written).
    pub fn from_pairs<I, K, V>(pairs: I) -> Submit
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut s = Submit::default();
        for (k, v) in pairs {
            s.set(k.as_ref(), v.as_ref());
        }
        s
    }

    /// `Submit("""...""")`: commands from submit-description text; a queue
    /// statement in it becomes the queue arguments.
    pub fn from_description(text: &str) -> Result<Submit, SubmitError> {
        let mut hash = crate::hash::SubmitHash::new();
        let opener = crate::parse::SourceOpener::default();
        let mut warnings = Vec::new();
        let mut reader = crate::reader::LineReader::new("<submit>", text, 1);
        let stop = crate::parse::Parser { hash: &mut hash, opener: &opener, warnings: &mut warnings }.parse_up_to_queue(&mut reader)?;
        let mut s = Submit::default();
        for e in hash.entries() {
            s.entries.push((e.name.clone(), e.raw.clone()));
        }
        if let crate::parse::Stop::Queue { line, .. } = stop {
            let mut args = queue_statement_args(&line).unwrap_or("").to_string();
            // an item list that continues on the following lines
            if args.trim_end().ends_with('(') {
                let mut rows = Vec::new();
                while let Some(l) = reader.next_line() {
                    if l.starts_with(')') {
                        break;
                    }
                    if !l.starts_with('#') {
                        rows.push(l);
                    }
                }
                args = format!("{}{})", args, rows.join(", "));
            }
            s.qargs = args;
        }
        Ok(s)
    }

    fn pos(&self, key: &str) -> Option<usize> {
        let key = normalize_key(key);
        self.entries.iter().position(|(k, _)| k.eq_ignore_ascii_case(&key))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pos(key).map(|i| self.entries[i].1.as_str())
    }

    /// `submit[key] = value`.
    pub fn set(&mut self, key: &str, value: &str) {
        let key = normalize_key(key);
        match self.pos(&key) {
            Some(i) => self.entries[i].1 = value.to_string(),
            None => self.entries.push((key, value.to_string())),
        }
    }

    /// `del submit[key]`.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.pos(key).map(|i| self.entries.remove(i).1)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn items(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `getQArgs()`: the queue statement's arguments (`""` when none).
    pub fn queue_args(&self) -> &str {
        &self.qargs
    }

    /// `setQArgs(args)`: replace the queue statement (`"3"`, `"x in (a, b)"`, …).
    pub fn set_queue_args(&mut self, args: &str) -> Result<(), SubmitError> {
        let args = queue_statement_args(args).unwrap_or(args);
        let expanded = self.hash().expand(args).map_err(|e| SubmitError::parse("<queue>", 0, e.to_string()))?;
        QueueArgs::parse(&expanded, &|s: &str| crate::eval::long_param(s)).map_err(|e| SubmitError::parse("<queue>", 0, e.to_string()))?;
        self.qargs = args.to_string();
        Ok(())
    }

    fn hash(&self) -> crate::hash::SubmitHash {
        let opts = crate::builder::BuildOptions::default();
        let params = crate::params::Params::default();
        let mut h = crate::submission::new_hash(&opts, &params, None);
        for (k, v) in &self.entries {
            h.insert(k, v, Origin::Api);
        }
        h
    }

    /// `expand(key)`: the value of `key` with its macros expanded.
    pub fn expand(&self, key: &str) -> Result<String, SubmitError> {
        let h = self.hash();
        match h.param(&normalize_key(key), None) {
            Ok(v) => Ok(v.unwrap_or_default()),
            Err(e) => Err(SubmitError::job(format!("Failed to expand macros in: {}\n{}\n", e.name, e.source))),
        }
    }

    /// `itemdata()`: the rows of the queue statement's items as variable
    /// maps; `None` when the statement has no items. Files and globs are
    /// read relative to `base_dir`.
    pub fn itemdata(&self, base_dir: &std::path::Path) -> Result<Option<ItemData>, SubmitError> {
        if self.qargs.trim().is_empty() {
            return Ok(None);
        }
        let h = self.hash();
        let expanded = h.expand(&self.qargs).map_err(|e| SubmitError::parse("<queue>", 0, e.to_string()))?;
        let mut qa = QueueArgs::parse(&expanded, &|s: &str| crate::eval::long_param(s))
            .map_err(|e| SubmitError::parse("<queue>", 0, e.to_string()))?;
        if qa.mode == crate::queue::ForeachMode::Not {
            return Ok(None);
        }
        if let Some(src) = qa.items_source.clone() {
            if src != "<" && src != "-" {
                let text = crate::parse::SourceOpener::new(base_dir).read(&src, false).map_err(|m| SubmitError::Io { message: m })?;
                let mut r = crate::reader::LineReader::new(&src, text, 1);
                while let Some(l) = r.next_line() {
                    qa.items.push(l);
                }
            }
        }
        if matches!(
            qa.mode,
            crate::queue::ForeachMode::Matching
                | crate::queue::ForeachMode::MatchingFiles
                | crate::queue::ForeachMode::MatchingDirs
                | crate::queue::ForeachMode::MatchingAny
        ) {
            let mut notices = Vec::new();
            qa.items = crate::items::expand_globs(&qa.items, qa.mode, base_dir, &mut notices)
                .map_err(|m| SubmitError::parse("<queue>", 0, m))?;
        }
        let walk = Walk::new(qa);
        Ok(Some(walk.rows().into_iter().map(|r| r.into_iter().collect()).collect()))
    }

    /// The description as text (`str(submit)`), with the queue statement.
    pub fn to_description(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.entries {
            push_entry(&mut out, k, v);
        }
        if !self.qargs.is_empty() {
            out.push_str(&format!("queue {}\n", self.qargs));
        }
        out
    }

    /// Build the job ads of a submit of this description
    /// (`Schedd.submit(self, count, itemdata=...)`): `count` jobs per item
    /// (0: as the queue statement says), with `itemdata` replacing the
    /// statement's items. Cluster ids come from `opts`'s sink numbering,
    /// starting at `first_cluster`.
    pub fn jobs(
        &self,
        count: i64,
        itemdata: Option<&ItemData>,
        first_cluster: i64,
        mut opts: SubmitOptions,
    ) -> Result<(CollectSink, Report), SubmitFailure> {
        let mut text = String::new();
        for (k, v) in &self.entries {
            push_entry(&mut text, k, v);
        }
        match itemdata {
            Some(rows) => {
                let mut vars: Vec<String> = Vec::new();
                for r in rows {
                    for k in r.keys() {
                        if !vars.iter().any(|v| v.eq_ignore_ascii_case(k)) {
                            vars.push(k.clone());
                        }
                    }
                }
                if vars.is_empty() {
                    vars.push("Item".into());
                }
                let n = if count > 0 { count.to_string() } else { String::new() };
                text.push_str(&format!("queue {n} {} from (\n", vars.join(",")));
                for r in rows {
                    let fields: Vec<&str> = vars.iter().map(|v| r.get(v).map(String::as_str).unwrap_or("")).collect();
                    text.push_str(&fields.join("\x1f"));
                    text.push('\n');
                }
                text.push_str(")\n");
            }
            None if count > 0 => text.push_str(&format!("queue {count}\n")),
            None if !self.qargs.is_empty() => {
                // an inline list given on one line keeps its parentheses
                text.push_str(&format!("queue {}\n", self.qargs));
            }
            None => text.push_str("queue\n"),
        }
        if opts.build.submit_method == Some(0) {
            opts.build.submit_method = Some(2);
        }
        opts.build.check_executable = false;
        let mut sub = Submission::from_text("<python>", &text, opts);
        let mut sink = CollectSink::starting_at(first_cluster);
        let report = sub.run(&mut sink)?;
        Ok((sink, report))
    }
}

/// `+Attr` is stored as `MY.Attr` (both spellings mean the same thing).
fn normalize_key(key: &str) -> String {
    match key.strip_prefix('+') {
        Some(rest) => format!("MY.{rest}"),
        None => key.to_string(),
    }
}

fn push_entry(out: &mut String, k: &str, v: &str) {
    if v.contains('\n') {
        let mut tag = String::from("END");
        while v.lines().any(|l| l == format!("@{tag}")) {
            tag.push('X');
        }
        out.push_str(&format!("{k} @={tag}\n{v}\n@{tag}\n"));
    } else {
        out.push_str(&format!("{k} = {v}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_plus_means_my() {
        let mut s = Submit::from_pairs([("Executable", "/bin/echo"), ("+ProjectName", "\"x\"")]);
        assert_eq!(s.get("executable"), Some("/bin/echo"));
        assert_eq!(s.get("MY.projectname"), Some("\"x\""));
        s.set("EXECUTABLE", "/bin/true");
        assert_eq!(s.keys().count(), 2);
        assert_eq!(s.get("executable"), Some("/bin/true"));
    }

    #[test]
    fn expand_and_queue_args() {
        let mut s = Submit::from_pairs([("a", "x"), ("b", "$(a)-$(Cluster)")]);
        assert_eq!(s.expand("b").unwrap(), "x-1");
        s.set_queue_args("y in (p, q)").unwrap();
        assert_eq!(s.queue_args(), "y in (p, q)");
        let rows = s.itemdata(std::path::Path::new("/")).unwrap().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].get("y").map(String::as_str), Some("q"));
        assert!(s.set_queue_args("-1").is_err());
    }

    #[test]
    fn descriptions_keep_their_queue_statement() {
        let s = Submit::from_description("executable = /bin/true\nqueue x in (a, b)\n").unwrap();
        assert_eq!(s.queue_args(), "x in (a, b)");
        assert_eq!(s.get("executable"), Some("/bin/true"));
    }
}
