//! Logical lines of a submit description.
//!
//! HTCondor reads a submit file line by line with these rules, which this
//! reader follows exactly (scripts depend on the corner cases):
//!
//! - Leading and trailing whitespace of every physical line is removed.
//! - A line ending in `\` continues on the next physical line; the `\` is
//!   removed and the next line (trimmed) is appended directly.
//! - A whole line starting with `#` is a comment; a `\` at its end does not
//!   continue it.
//! - A `#` line *inside* a continuation is treated as blank: only its last
//!   character survives (so a commented-out line that itself ends in `\`
//!   keeps the continuation going).
//! - A final line without a newline is returned as read, untrimmed.
//!
//! Line numbers count physical lines; the number reported for a logical
//! line is that of its last physical line.

use std::sync::Arc;

/// C `isspace` in the C locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Trim C whitespace from both ends.
pub(crate) fn trim_c(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_c_space(c as u8))
}

/// Where a line came from: a file name (as given), `<stdin>`, a command, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceName(pub Arc<str>);

impl std::fmt::Display for SourceName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads logical lines from an in-memory text.
#[derive(Debug, Clone)]
pub struct LineReader {
    text: Arc<str>,
    pos: usize,
    /// Number of physical lines read so far (1-based line of the last one).
    line: usize,
    name: SourceName,
    /// Identifies the stream (queue statements are only allowed in the
    /// top-level submit file, not in included files).
    id: u32,
}

impl LineReader {
    pub fn new(name: &str, text: impl Into<Arc<str>>, id: u32) -> LineReader {
        LineReader { text: text.into(), pos: 0, line: 0, name: SourceName(Arc::from(name)), id }
    }

    /// Line number of the last physical line read.
    pub fn line(&self) -> usize {
        self.line
    }

    pub fn name(&self) -> &SourceName {
        &self.name
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn at_eof(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Next physical line without its terminator; `bool` tells whether it
    /// ended with a newline.
    fn physical(&mut self) -> Option<(std::ops::Range<usize>, bool)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        match self.text[start..].find('\n') {
            Some(nl) => {
                self.pos = start + nl + 1;
                Some((start..start + nl, true))
            }
            None => {
                self.pos = self.text.len();
                Some((start..self.text.len(), false))
            }
        }
    }

    /// The next logical line (continuations joined), or `None` at the end.
    pub fn next_line(&mut self) -> Option<String> {
        let mut buf = String::new();
        let mut first_segment = true;
        loop {
            let Some((range, had_newline)) = self.physical() else {
                return if buf.is_empty() { None } else { Some(buf) };
            };
            let text = Arc::clone(&self.text);
            let raw = &text[range];
            if !had_newline {
                // fgets read a final line without a newline: appended as is.
                buf.push_str(raw);
                if raw.is_empty() && buf.is_empty() {
                    return None;
                }
                return Some(buf);
            }
            self.line += 1;
            let trimmed_end = raw.trim_end_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
            let mut seg = trimmed_end.trim_start_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
            let mut in_comment = seg.starts_with('#');
            if in_comment && !first_segment {
                // A commented-out line inside a continuation: only its last
                // character is kept.
                let last = seg.char_indices().last().map(|(i, _)| i).unwrap_or(0);
                seg = &seg[last..];
                in_comment = false;
            }
            buf.push_str(seg);
            first_segment = false;
            if buf.ends_with('\\') {
                buf.pop();
                if !in_comment {
                    continue;
                }
            }
            return Some(buf);
        }
    }

    /// Remaining unread text (used when a queue statement reads items that
    /// follow it).
    pub fn remaining(&self) -> &str {
        &self.text[self.pos.min(self.text.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(String, usize)> {
        let mut r = LineReader::new("t", text, 1);
        let mut out = Vec::new();
        while let Some(l) = r.next_line() {
            out.push((l, r.line()));
        }
        out
    }

    #[test]
    fn continuation_joins_trimmed_lines() {
        let got = lines("a = 1 \\\n   2\nb = 3\n");
        assert_eq!(got, vec![("a = 1 2".to_string(), 2), ("b = 3".to_string(), 3)]);
    }

    #[test]
    fn comment_lines_do_not_continue() {
        let got = lines("# note \\\nx = 1\n");
        assert_eq!(got[0].0, "# note ");
        assert_eq!(got[1].0, "x = 1");
    }

    #[test]
    fn a_comment_inside_a_continuation_keeps_only_its_last_char() {
        let got = lines("a = x \\\n# skip \\\n  y\n");
        assert_eq!(got, vec![("a = x y".to_string(), 3)]);
        let got = lines("a = x \\\n# skipped\n");
        assert_eq!(got[0].0, "a = x d");
    }

    #[test]
    fn a_blank_line_ends_a_continuation() {
        let got = lines("a = 1 \\\n\nb = 2\n");
        assert_eq!(got[0].0, "a = 1 ");
        assert_eq!(got[1].0, "b = 2");
    }

    #[test]
    fn a_last_line_without_newline_is_kept_raw() {
        let got = lines("a = 1\n  queue  ");
        assert_eq!(got, vec![("a = 1".to_string(), 1), ("  queue  ".to_string(), 1)]);
    }
}
