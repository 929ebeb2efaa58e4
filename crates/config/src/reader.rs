//! Logical lines of a configuration file: white space trimmed at both ends,
//! a line ending in `\` continued onto the next, and HTCondor's rules for
//! `#` and continuation.
//!
//! - A line that starts with `#` is a comment; a `\` at its end does not
//!   continue it (unless the old rules are on).
//! - A continuation line that starts with `#` is "commented out": only its
//!   last character survives (so a commented-out line ending in `\` keeps
//!   the value going), as HTCondor does.
//! - The last line of a file without a final newline is returned exactly as
//!   written (not trimmed) and does not count as a line, as in HTCondor.

/// Reads logical lines from a text.
pub struct LineReader<'a> {
    text: &'a str,
    pos: usize,
    /// Number of physical lines consumed so far (the line number of the
    /// last line of the most recent logical line).
    pub line: u32,
    /// `#opt:oldcomment`: a `\` at the end of a comment continues it and
    /// commented-out continuation lines are kept.
    pub old_comments: bool,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'a> LineReader<'a> {
    pub fn new(text: &'a str) -> LineReader<'a> {
        LineReader { text, pos: 0, line: 0, old_comments: false }
    }

    /// The next logical line, or `None` at the end.
    pub fn next_line(&mut self) -> Option<String> {
        if self.pos >= self.text.len() {
            return None;
        }
        let mut buf = String::new();
        let mut first = true;
        loop {
            if self.pos >= self.text.len() {
                return if buf.is_empty() { None } else { Some(buf) };
            }
            let rest = &self.text[self.pos..];
            let Some(nl) = rest.find('\n') else {
                // last line without a newline: appended as is
                buf.push_str(rest);
                self.pos = self.text.len();
                return Some(buf);
            };
            let phys = &rest[..nl];
            self.pos += nl + 1;
            self.line += 1;
            let trimmed = phys.trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8));
            let mut seg = trimmed.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
            let mut in_comment = seg.starts_with('#');
            if in_comment && !first && !self.old_comments {
                // commented-out continuation: keep only the last character
                let last = seg.char_indices().last().map(|(i, _)| i).unwrap_or(0);
                seg = &seg[last..];
                in_comment = false;
            }
            buf.push_str(seg);
            first = false;
            if buf.ends_with('\\') {
                buf.pop();
                if !in_comment || self.old_comments {
                    continue;
                }
            }
            return Some(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &str) -> Vec<String> {
        let mut r = LineReader::new(t);
        let mut v = Vec::new();
        while let Some(l) = r.next_line() {
            v.push(l);
        }
        v
    }

    #[test]
    fn continuation_and_comments() {
        assert_eq!(lines("  A = 1  \nB = a \\\n   b\n"), vec!["A = 1", "B = a b"]);
        assert_eq!(lines("A = a \\\n# comment x\nB = 1\n"), vec!["A = a x", "B = 1"]);
        assert_eq!(lines("C = c \\\n   # more \\\n  d\n"), vec!["C = c d"]);
        assert_eq!(lines("# not continued \\\nX = 1\n"), vec!["# not continued ", "X = 1"]);
        assert_eq!(lines("E = e \\\n\nF = f\n"), vec!["E = e ", "F = f"]);
    }

    #[test]
    fn last_line_without_newline_is_raw() {
        let mut r = LineReader::new("X = 1\n  Y = 2  ");
        assert_eq!(r.next_line().as_deref(), Some("X = 1"));
        assert_eq!(r.next_line().as_deref(), Some("  Y = 2  "));
        assert_eq!(r.line, 1);
        assert_eq!(r.next_line(), None);
    }
}
