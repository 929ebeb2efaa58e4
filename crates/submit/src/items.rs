//! Item data of a queue statement and the walk over it.
//!
//! Items come from the statement itself (`in (a, b)`, `from ( ... )` rows),
//! from a file, a command (`from cmd args |`), standard input (`from -`), or
//! file-name globs (`matching *.dat`). A walk over the items yields one
//! `(item_index, step)` per job: each selected row (after the slice) is
//! queued `count` times, and the row's fields become the queue variables.
//!
//! The walk follows condor_submit exactly: a row with fewer fields than
//! variables leaves the remaining variables empty, an empty row changes
//! none of them (they keep the previous row's values), and a statement
//! without items queues `count` jobs with `$(Item)` empty.

use std::path::Path;

use crate::queue::{split_row_slices, ForeachMode, QueueArgs};

/// Warnings condor_submit prints while expanding globs (`\nWARNING: ...`,
/// printed at once, without a final newline).
pub type Notices = Vec<String>;

/// Expand the `matching` patterns of a queue statement into file names,
/// relative to `base_dir` as written (HTCondor's `submit_expand_globs`):
/// each pattern's matches sorted, directories marked with a trailing `/`,
/// duplicates of earlier patterns' matches skipped.
pub fn expand_globs(patterns: &[String], mode: ForeachMode, base_dir: &Path, notices: &mut Notices) -> Result<Vec<String>, String> {
    let files_only = mode == ForeachMode::MatchingFiles;
    let dirs_only = mode == ForeachMode::MatchingDirs;
    let opts = glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };
    let mut out: Vec<String> = Vec::new();
    for pattern in patterns {
        let absolute = pattern.starts_with('/');
        let full = if absolute { pattern.clone() } else { format!("{}/{}", base_dir.to_string_lossy(), pattern) };
        let prefix_len = if absolute { 0 } else { base_dir.to_string_lossy().len() + 1 };
        let paths = match glob::glob_with(&full, opts) {
            Ok(p) => p,
            Err(e) => return Err(format!("invalid pattern '{pattern}': {e}")),
        };
        let mut matches: Vec<String> = Vec::new();
        for p in paths.flatten() {
            let is_dir = p.is_dir();
            if dirs_only && !is_dir {
                continue;
            }
            let mut s = p.to_string_lossy().into_owned();
            if prefix_len > 0 && s.len() >= prefix_len {
                s = s[prefix_len..].to_string();
            }
            if is_dir {
                s.push('/');
            }
            matches.push(s);
        }
        matches.sort();
        let count = if files_only { matches.iter().filter(|m| !m.ends_with('/')).count() } else { matches.len() };
        if count == 0 {
            notices.push(format!("\nWARNING: '{pattern}' does not match any files"));
        }
        for m in matches {
            if files_only && m.ends_with('/') {
                continue;
            }
            if let Some(i) = out.iter().position(|o| *o == m) {
                notices.push(format!("\nWARNING: '{m}' matching pattern '{pattern}' is a duplicate of item {i}, skipping"));
                continue;
            }
            out.push(m);
        }
    }
    Ok(out)
}

/// One job of a walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Index of the row (after slicing, in the original numbering): `$(Row)`, `$(ItemIndex)`.
    pub item_index: i64,
    /// Which of the `count` copies of the row: `$(Step)`.
    pub step: i64,
    /// Jobs started before this one in the same statement.
    pub iter: i64,
}

/// Walks the jobs of one queue statement.
#[derive(Debug, Clone)]
pub struct Walk {
    pub args: QueueArgs,
    pub vars: Vec<String>,
    step_size: i64,
    iter: i64,
    done: bool,
    /// Current value of each queue variable (same order as `vars`).
    values: Vec<String>,
}

/// What the caller must store in the submit variables for the next job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveUpdate {
    /// Nothing changes (another copy of the same row).
    None,
    /// A new row: set [`Walk::vars`] to [`Walk::values`].
    Row,
    /// No items at all: `$(Item)` is empty.
    EmptyItem,
}

impl Walk {
    pub fn new(args: QueueArgs) -> Walk {
        let vars = args.effective_vars();
        let step_size = if args.count > 1 { args.count } else { 1 };
        let values = vec![String::new(); vars.len()];
        Walk { args, vars, step_size, iter: 0, done: false, values }
    }

    /// Rows selected by the slice (1 for a statement without items).
    pub fn selected_item_count(&self) -> i64 {
        self.args.selected_item_count()
    }

    /// Jobs this walk produces.
    pub fn selected_job_count(&self) -> i64 {
        if self.args.count < 0 {
            return 0;
        }
        self.selected_item_count() * self.step_size
    }

    /// Jobs per row.
    pub fn step_size(&self) -> i64 {
        self.step_size
    }

    /// The next job's position and what to store before building it.
    pub fn next_job(&mut self) -> Option<(Position, LiveUpdate)> {
        if self.done {
            return None;
        }
        let iter = self.iter;
        let mut item_index = iter / self.step_size;
        let step = iter % self.step_size;
        let nitems = self.args.items.len() as i64;
        if nitems > 0 {
            match self.args.slice.translate(item_index, nitems) {
                Some(i) => item_index = i,
                None => {
                    self.done = true;
                    return None;
                }
            }
        }
        let mut update = LiveUpdate::None;
        if step == 0 {
            if item_index >= 0 && item_index < nitems {
                self.select_row(item_index as usize);
                update = LiveUpdate::Row;
            } else if iter == 0 {
                update = LiveUpdate::EmptyItem;
            } else {
                self.done = true;
                return None;
            }
        }
        self.iter += 1;
        Some((Position { item_index, step, iter }, update))
    }

    /// The current values of the queue variables.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Make row `index` current: its fields (split as condor_submit splits
    /// them) become the variables' values; an empty row changes nothing.
    pub fn select_row(&mut self, index: usize) {
        let Some(row) = self.args.items.get(index) else { return };
        let fields = split_row_slices(row, self.vars.len());
        for (slot, value) in self.values.iter_mut().zip(fields) {
            slot.clear();
            slot.push_str(value);
        }
    }

    /// The variables and values after selecting row `index`.
    pub fn row_values(&mut self, index: usize) -> Vec<(String, String)> {
        self.select_row(index);
        self.vars.iter().cloned().zip(self.values.iter().cloned()).collect()
    }

    /// The rows as variable maps (the Python `itemdata()`).
    pub fn rows(&self) -> Vec<Vec<(String, String)>> {
        let mut w = self.clone();
        let mut out = Vec::new();
        let n = self.args.items.len() as i64;
        let mut ix = 0;
        while let Some(i) = self.args.slice.translate(ix, n) {
            out.push(w.row_values(i as usize));
            ix += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(args: &str) -> Walk {
        Walk::new(QueueArgs::parse(args, &|s: &str| crate::eval::long_param(s)).expect("parses"))
    }

    #[test]
    fn queue_n_makes_n_jobs_with_steps() {
        let mut w = walk("3");
        let got: Vec<(i64, i64)> = std::iter::from_fn(|| w.next_job()).map(|(p, _)| (p.item_index, p.step)).collect();
        assert_eq!(got, vec![(0, 0), (0, 1), (0, 2)]);
    }

    #[test]
    fn rows_are_sliced_and_repeated() {
        let mut w = walk("2 x in [1:] (a, b, c)");
        let mut seen = Vec::new();
        while let Some((p, u)) = w.next_job() {
            seen.push((p.item_index, p.step, u));
        }
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[0].2, LiveUpdate::Row);
        assert_eq!(seen[1].2, LiveUpdate::None);
        assert_eq!((seen[2].0, seen[2].1), (2, 0));
    }

    #[test]
    fn short_rows_leave_the_rest_empty_and_empty_rows_change_nothing() {
        let mut w = walk("a,b from (x, y)");
        w.args.items = vec!["1 2".into(), "3".into()];
        w.args.items.push(String::new());
        assert_eq!(w.next_job().map(|(_, u)| u), Some(LiveUpdate::Row));
        assert_eq!(w.values(), ["1", "2"]);
        assert_eq!(w.next_job().map(|(_, u)| u), Some(LiveUpdate::Row));
        assert_eq!(w.values(), ["3", ""]);
        // an empty row keeps the values of the row before
        assert_eq!(w.next_job().map(|(_, u)| u), Some(LiveUpdate::Row));
        assert_eq!(w.values(), ["3", ""]);
    }

    #[test]
    fn an_empty_slice_makes_no_jobs() {
        let mut w = walk("x in [5:] (a, b)");
        assert_eq!(w.selected_job_count(), 0);
        assert!(w.next_job().is_none());
    }
}
