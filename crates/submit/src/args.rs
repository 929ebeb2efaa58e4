//! Job arguments in HTCondor's two syntaxes.
//!
//! - **Old (V1) syntax**: `arguments = a b\"c` — words separated by
//!   whitespace, `\"` is a literal double quote, an unescaped `"` is an
//!   error. Stored in the job ad as `Args` (words joined by one space).
//! - **New (V2) syntax**: `arguments = "a 'b c' ""d"""` — the whole value in
//!   double quotes (a doubled `""` is a literal quote); inside, words are
//!   separated by whitespace and `'...'` groups a word (`''` is a literal
//!   single quote). Stored as `Arguments` in the V2 raw form, where words that
//!   need it are re-quoted with `'`.
//!
//! Environments in the V2 syntax (`environment = "A=1 B='x y'"`) use the same
//! word splitting, so [`split_v2_raw`] and [`join_v2_raw`] are shared.

/// An error in an argument (or environment) string, with HTCondor's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArgError(pub String);

/// A parsed argument list and the syntax it was written in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArgList {
    pub args: Vec<String>,
    /// True when the input was the old (V1) syntax; such arguments are
    /// written back as `Args`, others as `Arguments`.
    pub input_was_v1: bool,
}

/// True if the text (after leading whitespace) starts with a double quote,
/// i.e. it is in the new (V2) quoted syntax.
pub fn is_v2_quoted(s: &str) -> bool {
    s.trim_start().starts_with('"')
}

/// Remove the outer double quotes of a V2 quoted string, turning `""` into `"`.
pub fn v2_quoted_to_raw(s: &str) -> Result<String, ArgError> {
    let s = s.trim_start();
    let mut chars = s.char_indices().peekable();
    // skip the opening quote
    chars.next();
    let mut raw = String::new();
    let mut terminated_at = None;
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            if let Some(&(_, '"')) = chars.peek() {
                chars.next();
                raw.push('"');
            } else {
                terminated_at = Some(i);
                break;
            }
        } else {
            raw.push(c);
        }
    }
    let Some(end) = terminated_at else {
        return Err(ArgError("Unterminated double-quote.".into()));
    };
    let rest = &s[end + 1..];
    if !rest.trim().is_empty() {
        return Err(ArgError(format!(
            "Unexpected characters following double-quote.  Did you forget to escape the double-quote by repeating it?  Here is the quote and trailing characters: {}\n",
            &s[end..]
        )));
    }
    Ok(raw)
}

/// Split a V2 raw string into words: whitespace separates, `'...'` quotes
/// (with `''` a literal single quote).
pub fn split_v2_raw(s: &str) -> Result<Vec<String>, ArgError> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut parsed_token = false;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' => {
                parsed_token = true;
                let mut closed = false;
                while let Some((_, q)) = chars.next() {
                    if q == '\'' {
                        if let Some(&(_, '\'')) = chars.peek() {
                            chars.next();
                            buf.push('\'');
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        buf.push(q);
                    }
                }
                if !closed {
                    return Err(ArgError(format!("Unbalanced quote starting here: {}", &s[i..])));
                }
            }
            ' ' | '\t' | '\n' | '\r' => {
                if parsed_token {
                    parsed_token = false;
                    out.push(std::mem::take(&mut buf));
                }
            }
            other => {
                parsed_token = true;
                buf.push(other);
            }
        }
    }
    if parsed_token {
        out.push(buf);
    }
    Ok(out)
}

/// Append one word to a V2 raw string, quoting it with `'` where needed.
pub fn append_v2_word(word: &str, result: &mut String) {
    if !result.is_empty() {
        result.push(' ');
    }
    if word.is_empty() {
        result.push_str("''");
    }
    for c in word.chars() {
        match c {
            ' ' | '\t' | '\n' | '\r' | '\'' => {
                if result.ends_with('\'') {
                    // merge with the preceding quoted section
                    result.pop();
                } else {
                    result.push('\'');
                }
                if c == '\'' {
                    result.push('\'');
                }
                result.push(c);
                result.push('\'');
            }
            other => result.push(other),
        }
    }
}

/// Join words into the V2 raw form.
pub fn join_v2_raw<S: AsRef<str>>(words: &[S]) -> String {
    let mut out = String::new();
    for w in words {
        append_v2_word(w.as_ref(), &mut out);
    }
    out
}

/// Turn V1 "wacked" input (`\"` is a literal quote) into V1 raw text.
pub fn v1_wacked_to_raw(s: &str) -> Result<String, ArgError> {
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            return Err(ArgError(format!("Found illegal unescaped double-quote: {}", &s[i..])));
        }
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'"') {
            out.push('"');
            i += 2;
            continue;
        }
        // copy one full UTF-8 character
        let ch_len = utf8_len(bytes[i]);
        let end = (i + ch_len).min(bytes.len());
        out.push_str(&s[i..end]);
        i = end;
    }
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Split V1 raw text on whitespace.
pub fn split_v1_raw(s: &str) -> Vec<String> {
    s.split([' ', '\t', '\n', '\r']).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

impl ArgList {
    /// Parse the value of `arguments`/`args`: V2 if quoted, else V1 wacked.
    pub fn parse_v1_wacked_or_v2_quoted(s: &str) -> Result<ArgList, ArgError> {
        if is_v2_quoted(s) {
            let raw = v2_quoted_to_raw(s)?;
            Ok(ArgList { args: split_v2_raw(&raw)?, input_was_v1: false })
        } else {
            let raw = v1_wacked_to_raw(s)?;
            Ok(ArgList { args: split_v1_raw(&raw), input_was_v1: true })
        }
    }

    /// Parse the value of `arguments2`: must be V2 quoted.
    pub fn parse_v2_quoted(s: &str) -> Result<ArgList, ArgError> {
        if !is_v2_quoted(s) {
            return Err(ArgError("Expecting double-quoted input string (V2 format).".into()));
        }
        let raw = v2_quoted_to_raw(s)?;
        Ok(ArgList { args: split_v2_raw(&raw)?, input_was_v1: false })
    }

    /// The V1 raw form (`Args`): words joined by one space. Fails for a word
    /// containing whitespace.
    pub fn to_v1_raw(&self) -> Result<String, ArgError> {
        let mut out = String::new();
        for a in &self.args {
            if a.contains([' ', '\t', '\r', '\n']) {
                return Err(ArgError(format!("Cannot represent '{a}' in V1 arguments syntax.")));
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(a);
        }
        Ok(out)
    }

    /// The V2 raw form (`Arguments`).
    pub fn to_v2_raw(&self) -> String {
        join_v2_raw(&self.args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(s: &str) -> String {
        ArgList::parse_v1_wacked_or_v2_quoted(s).unwrap().to_v2_raw()
    }

    #[test]
    fn new_syntax_round_trips_to_htcondor_raw_form() {
        assert_eq!(v2(r#""a 'b c'""#), "a b' 'c");
        assert_eq!(v2(r#""""delta"" 'beta y1'""#), r#""delta" beta' 'y1"#);
        assert_eq!(v2(r#""'it''s' ''""#), "it''''s ''");
        assert_eq!(v2(r#""it''s""#), "its");
        assert_eq!(v2(r#""""#), "");
        assert_eq!(v2(r#""one  two""#), "one two");
    }

    #[test]
    fn old_syntax_keeps_words_and_escaped_quotes() {
        let a = ArgList::parse_v1_wacked_or_v2_quoted(r#"a  b\"c d"#).unwrap();
        assert!(a.input_was_v1);
        assert_eq!(a.args, vec!["a", "b\"c", "d"]);
        assert_eq!(a.to_v1_raw().unwrap(), "a b\"c d");
    }

    #[test]
    fn bad_quoting_is_an_error() {
        assert!(ArgList::parse_v1_wacked_or_v2_quoted(r#"a "b"#).is_err());
        assert!(ArgList::parse_v1_wacked_or_v2_quoted(r#""a 'b""#).is_err());
        assert!(ArgList::parse_v1_wacked_or_v2_quoted(r#""a" b"#).is_err());
        assert!(ArgList::parse_v1_wacked_or_v2_quoted(r#""a"#).is_err());
    }

    #[test]
    fn empty_words_are_quoted() {
        assert_eq!(join_v2_raw(&["", "x"]), "'' x");
        assert_eq!(join_v2_raw(&["a b", "c'd", " x"]), "a' 'b c''''d ' 'x");
    }
}
