//! Parse errors with a position and a message meant for people.

use std::fmt;

/// A refusal to parse: where (1-based line and column, counted in
/// characters) and why, with a hint at the fix where one is obvious.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// An error at byte offset `pos` of `src`.
    pub(crate) fn at(src: &str, pos: usize, message: impl Into<String>) -> ParseError {
        let pos = pos.min(src.len());
        let mut line = 1;
        let mut line_start = 0;
        for (i, b) in src.bytes().enumerate().take(pos) {
            if b == b'\n' {
                line += 1;
                line_start = i + 1;
            }
        }
        let column = src
            .get(line_start..pos)
            .map(|s| s.chars().count())
            .unwrap_or(pos - line_start)
            + 1;
        ParseError { line, column, message: message.into() }
    }

    /// An error with no useful position.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError { line: 1, column: 1, message: message.into() }
    }

    /// The same error moved down by `lines` (for text embedded in a larger file).
    pub(crate) fn shifted(mut self, lines: usize) -> ParseError {
        self.line += lines;
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}
