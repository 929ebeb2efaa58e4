//! Tokens of the ClassAd language.
//!
//! The lexer follows HTCondor's rules exactly where they are visible to
//! users: `-1` right after an operator is one negative-number token while
//! `3 -1` is a subtraction; integers with a leading zero (`017`, `0x1F`) are
//! refused, as HTCondor does with old-ClassAd semantics; an integer too big
//! for 64 bits reads as 0; adjacent string literals are concatenated;
//! `?` followed by `:` (spaces allowed) is the elvis operator; `//` and
//! `/* */` are comments.

use crate::ParseError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Int(i64),
    Real(f64),
    Str(String),
    /// An identifier, bare or `'quoted'`.
    Ident(String),
    Bool(bool),
    Undefined,
    Error,
    Dot,
    Star,
    Slash,
    Percent,
    Plus,
    Minus,
    Tilde,
    Caret,
    Amp,
    AndAnd,
    Pipe,
    OrOr,
    Bang,
    Lt,
    Le,
    Gt,
    Ge,
    Shl,
    Shr,
    UShr,
    Eq,
    Ne,
    MetaEq,
    MetaNe,
    Assign,
    Question,
    Elvis,
    Colon,
    Semi,
    Comma,
    LBox,
    RBox,
    LParen,
    RParen,
    LBrace,
    RBrace,
    End,
}

impl Tok {
    /// How a token is named in error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Int(i) => format!("the integer {i}"),
            Tok::Real(_) => "a real number".into(),
            Tok::Str(_) => "a string".into(),
            Tok::Ident(s) => format!("the name '{s}'"),
            Tok::Bool(b) => format!("'{b}'"),
            Tok::Undefined => "'undefined'".into(),
            Tok::Error => "'error'".into(),
            Tok::End => "the end of the input".into(),
            other => format!("'{}'", other.text()),
        }
    }

    fn text(&self) -> &'static str {
        match self {
            Tok::Dot => ".",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Tilde => "~",
            Tok::Caret => "^",
            Tok::Amp => "&",
            Tok::AndAnd => "&&",
            Tok::Pipe => "|",
            Tok::OrOr => "||",
            Tok::Bang => "!",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Shl => "<<",
            Tok::Shr => ">>",
            Tok::UShr => ">>>",
            Tok::Eq => "==",
            Tok::Ne => "!=",
            Tok::MetaEq => "=?=",
            Tok::MetaNe => "=!=",
            Tok::Assign => "=",
            Tok::Question => "?",
            Tok::Elvis => "?:",
            Tok::Colon => ":",
            Tok::Semi => ";",
            Tok::Comma => ",",
            Tok::LBox => "[",
            Tok::RBox => "]",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            _ => "?",
        }
    }

    /// Tokens after which `-` is always an operator, never a number's sign.
    fn ends_operand(&self) -> bool {
        matches!(
            self,
            Tok::Int(_)
                | Tok::Real(_)
                | Tok::Bool(_)
                | Tok::Str(_)
                | Tok::Undefined
                | Tok::Error
                | Tok::Ident(_)
                | Tok::Dot
                | Tok::RBox
                | Tok::RParen
                | Tok::RBrace
        )
    }
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Spanned {
    pub tok: Tok,
    pub pos: usize,
}

/// Splits source text into tokens.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Old-syntax strings: backslash is literal except before a quote.
    old_strings: bool,
    /// Integers with leading zeros read as decimal (the unconfigured library).
    leading_zeros: bool,
    last: Option<Tok>,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str, old_strings: bool) -> Lexer<'a> {
        Lexer { src, bytes: src.as_bytes(), pos: 0, old_strings, leading_zeros: false, last: None }
    }

    /// Read `017` as 17 and `0x1F` as 0 instead of refusing them, as
    /// HTCondor's library does before its configuration switches it to
    /// old ClassAd semantics.
    pub fn set_leading_zeros(&mut self, on: bool) {
        self.leading_zeros = on;
    }

    pub fn src(&self) -> &'a str {
        self.src
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.pos + n).copied()
    }

    fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError::at(self.src, pos, msg)
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Spanned, ParseError> {
        self.skip_space()?;
        let start = self.pos;
        let tok = self.token()?;
        self.last = Some(tok.clone());
        Ok(Spanned { tok, pos: start })
    }

    fn skip_space(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_whitespace() || c == 0x0b => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    loop {
                        match self.peek() {
                            None => {
                                return Err(self.err(
                                    start,
                                    "this /* comment is never closed; add */ where it should end",
                                ))
                            }
                            Some(b'*') if self.peek_at(1) == Some(b'/') => {
                                self.pos += 2;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn token(&mut self) -> Result<Tok, ParseError> {
        let Some(c) = self.peek() else {
            return Ok(Tok::End);
        };
        if c == b'-' {
            let operand_before = self.last.as_ref().is_some_and(Tok::ends_operand);
            let next = self.peek_at(1);
            let starts_number = next.is_some_and(|d| d.is_ascii_digit())
                || (next == Some(b'.') && self.peek_at(2).is_some_and(|d| d.is_ascii_digit()));
            if !operand_before && starts_number {
                return self.number();
            }
            self.pos += 1;
            return Ok(Tok::Minus);
        }
        if c.is_ascii_digit() {
            return self.number();
        }
        if c == b'.' {
            if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
                return self.number();
            }
            self.pos += 1;
            return Ok(Tok::Dot);
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            return Ok(self.word());
        }
        if c == b'"' {
            let s = self.string(b'"')?;
            return Ok(Tok::Str(s));
        }
        if c == b'\'' {
            let s = self.string(b'\'')?;
            return Ok(Tok::Ident(s));
        }
        self.punct()
    }

    fn number(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let first = self.peek().unwrap_or(b'0');
        let mut real = false;
        if first == b'0' && matches!(self.peek_at(1), Some(b'x' | b'X')) {
            self.pos += 2;
            if !self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                return Err(self.err(start, "a hexadecimal number needs digits after 0x"));
            }
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.pos += 1;
            }
        } else if first == b'0' {
            let mut non_octal = false;
            while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
                if c > b'7' {
                    non_octal = true;
                }
                self.pos += 1;
            }
            if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                real = true;
            } else if non_octal {
                return Err(self.err(
                    start,
                    format!("'{}' is not a valid number", &self.src[start..self.pos]),
                ));
            }
        } else if first.is_ascii_digit() {
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            real = matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                real = true;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
            } else {
                return Err(self.err(
                    start,
                    format!(
                        "'{}' is not a valid number: write a digit after the decimal point (e.g. 1.0)",
                        &self.src[start..self.pos]
                    ),
                ));
            }
        }
        if real && matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.err(
                    start,
                    format!(
                        "'{}' is not a valid number: the exponent needs digits (e.g. 1e5)",
                        &self.src[start..self.pos]
                    ),
                ));
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let text = &self.src[start..self.pos];
        if real {
            return Ok(Tok::Real(text.parse::<f64>().unwrap_or(0.0)));
        }
        if text.len() > 1 && text.starts_with('0') && !self.leading_zeros {
            return Err(self.err(
                start,
                format!(
                    "'{text}' is not accepted: integers are written in decimal without leading zeros"
                ),
            ));
        }
        Ok(Tok::Int(decimal_prefix(text)))
    }

    fn word(&mut self) -> Tok {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        let w = &self.src[start..self.pos];
        if w.eq_ignore_ascii_case("true") {
            Tok::Bool(true)
        } else if w.eq_ignore_ascii_case("false") {
            Tok::Bool(false)
        } else if w.eq_ignore_ascii_case("undefined") {
            Tok::Undefined
        } else if w.eq_ignore_ascii_case("error") {
            Tok::Error
        } else if w.eq_ignore_ascii_case("is") {
            Tok::MetaEq
        } else if w.eq_ignore_ascii_case("isnt") {
            Tok::MetaNe
        } else {
            Tok::Ident(w.to_string())
        }
    }

    /// A `"string"` or `'quoted name'`; adjacent literals with the same
    /// quote are joined (new syntax only).
    fn string(&mut self, delim: u8) -> Result<String, ParseError> {
        let start = self.pos;
        let unterminated = |l: &Self| {
            l.err(
                start,
                if delim == b'"' {
                    "this string is never closed; add the closing \""
                } else {
                    "this quoted name is never closed; add the closing '"
                },
            )
        };
        if self.old_strings {
            self.pos += 1;
            let mut raw: Vec<u8> = Vec::new();
            loop {
                match self.peek() {
                    None => return Err(unterminated(self)),
                    Some(c) if c == delim => {
                        self.pos += 1;
                        if raw.last() == Some(&b'\\') {
                            match self.peek() {
                                Some(n) if n != b'\n' => {
                                    if let Some(l) = raw.last_mut() {
                                        *l = delim;
                                    }
                                    continue;
                                }
                                _ => break,
                            }
                        }
                        break;
                    }
                    Some(c) => {
                        raw.push(c);
                        self.pos += 1;
                    }
                }
            }
            return Ok(String::from_utf8_lossy(&raw).into_owned());
        }
        let mut raw: Vec<u8> = Vec::new();
        loop {
            // at the opening quote
            self.pos += 1;
            let mut odd_backslashes = false;
            loop {
                match self.peek() {
                    None | Some(0) => return Err(unterminated(self)),
                    Some(c) if c == delim && !odd_backslashes => break,
                    Some(c) => {
                        odd_backslashes = c == b'\\' && !odd_backslashes;
                        raw.push(c);
                        self.pos += 1;
                    }
                }
            }
            self.pos += 1; // closing quote
            let mut look = self.pos;
            while self.bytes.get(look).is_some_and(|c| c.is_ascii_whitespace()) {
                look += 1;
            }
            if self.bytes.get(look) == Some(&delim) {
                self.pos = look;
                continue;
            }
            break;
        }
        match convert_escapes(&raw) {
            Some(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            None => Err(self.err(start, "a string may not contain a NUL character (\\0)")),
        }
    }

    fn punct(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        let c = self.bytes[self.pos];
        let n1 = self.peek_at(1);
        let n2 = self.peek_at(2);
        let (tok, len) = match c {
            b'*' => (Tok::Star, 1),
            b'/' => (Tok::Slash, 1),
            b'%' => (Tok::Percent, 1),
            b'+' => (Tok::Plus, 1),
            b'~' => (Tok::Tilde, 1),
            b'^' => (Tok::Caret, 1),
            b':' => (Tok::Colon, 1),
            b';' => (Tok::Semi, 1),
            b',' => (Tok::Comma, 1),
            b'[' => (Tok::LBox, 1),
            b']' => (Tok::RBox, 1),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'{' => (Tok::LBrace, 1),
            b'}' => (Tok::RBrace, 1),
            b'?' => {
                let mut look = self.pos + 1;
                while self.bytes.get(look).is_some_and(|c| c.is_ascii_whitespace()) {
                    look += 1;
                }
                if self.bytes.get(look) == Some(&b':') {
                    self.pos = look + 1;
                    return Ok(Tok::Elvis);
                }
                (Tok::Question, 1)
            }
            b'&' if n1 == Some(b'&') => (Tok::AndAnd, 2),
            b'&' => (Tok::Amp, 1),
            b'|' if n1 == Some(b'|') => (Tok::OrOr, 2),
            b'|' => (Tok::Pipe, 1),
            b'<' if n1 == Some(b'=') => (Tok::Le, 2),
            b'<' if n1 == Some(b'<') => (Tok::Shl, 2),
            b'<' => (Tok::Lt, 1),
            b'>' if n1 == Some(b'=') => (Tok::Ge, 2),
            b'>' if n1 == Some(b'>') && n2 == Some(b'>') => (Tok::UShr, 3),
            b'>' if n1 == Some(b'>') => (Tok::Shr, 2),
            b'>' => (Tok::Gt, 1),
            b'=' if n1 == Some(b'=') => (Tok::Eq, 2),
            b'=' if n1 == Some(b'?') => {
                if n2 == Some(b'=') {
                    (Tok::MetaEq, 3)
                } else {
                    return Err(self.err(start, "'=?' must be followed by '=' (the operator is =?=)"));
                }
            }
            b'=' if n1 == Some(b'!') && n2 == Some(b'=') => (Tok::MetaNe, 3),
            b'=' => (Tok::Assign, 1),
            b'!' if n1 == Some(b'=') => (Tok::Ne, 2),
            b'!' => (Tok::Bang, 1),
            _ => {
                let ch = self.src[start..].chars().next().unwrap_or('?');
                return Err(self.err(start, format!("unexpected character '{ch}'")));
            }
        };
        self.pos += len;
        Ok(tok)
    }
}

/// The value of a decimal integer token, as HTCondor reads it: the longest
/// `[-]digits` prefix, or 0 when it does not fit in 64 bits.
fn decimal_prefix(text: &str) -> i64 {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let mut v: i128 = 0;
    for c in digits.bytes() {
        if !c.is_ascii_digit() {
            break;
        }
        v = v * 10 + (c - b'0') as i128;
        if v > i64::MAX as i128 + 1 {
            return 0;
        }
    }
    let v = if neg { -v } else { v };
    i64::try_from(v).unwrap_or(0)
}

/// Resolve backslash escapes of a new-syntax string. `None` when the
/// result would contain a NUL byte.
pub(crate) fn convert_escapes(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    let n = raw.len();
    while i < n {
        let mut c = raw[i];
        if c == b'\\' && i + 1 < n {
            i += 1;
            c = raw[i];
            c = match c {
                b'a' => 0x07,
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 0x0b,
                b'0'..=b'7' => {
                    let mut num: u32 = (c - b'0') as u32;
                    if i + 1 < n && (b'0'..=b'7').contains(&raw[i + 1]) {
                        i += 1;
                        num = (num << 3) + (raw[i] - b'0') as u32;
                        if num < 0x20 && i + 1 < n && (b'0'..=b'7').contains(&raw[i + 1]) {
                            i += 1;
                            num = (num << 3) + (raw[i] - b'0') as u32;
                        }
                    }
                    let b = num as u8;
                    if b == 0 {
                        return None;
                    }
                    b
                }
                other => other,
            };
        }
        out.push(c);
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let mut l = Lexer::new(s, false);
        let mut v = Vec::new();
        loop {
            let t = l.next_token().expect("lexes").tok;
            if t == Tok::End {
                return v;
            }
            v.push(t);
        }
    }

    #[test]
    fn minus_binds_to_numbers_only_after_operators() {
        assert_eq!(toks("-1"), vec![Tok::Int(-1)]);
        assert_eq!(toks("3 -1"), vec![Tok::Int(3), Tok::Minus, Tok::Int(1)]);
        assert_eq!(toks("- 1"), vec![Tok::Minus, Tok::Int(1)]);
        assert_eq!(toks("--1"), vec![Tok::Minus, Tok::Int(-1)]);
    }

    #[test]
    fn numbers() {
        assert_eq!(toks(".5"), vec![Tok::Real(0.5)]);
        assert_eq!(toks("1e300"), vec![Tok::Real(1e300)]);
        assert_eq!(toks("99999999999999999999"), vec![Tok::Int(0)]);
        assert_eq!(toks("-9223372036854775808"), vec![Tok::Int(i64::MIN)]);
        assert!(Lexer::new("017", false).next_token().is_err());
        assert!(Lexer::new("0x1F", false).next_token().is_err());
        assert!(Lexer::new("1.", false).next_token().is_err());
    }

    #[test]
    fn strings() {
        assert_eq!(toks(r#""a\"b\n""#), vec![Tok::Str("a\"b\n".into())]);
        assert_eq!(toks(r#""a" "b""#), vec![Tok::Str("ab".into())]);
        assert_eq!(toks(r#""\777""#), vec![Tok::Str("?7".into())]);
        assert!(Lexer::new(r#""\0""#, false).next_token().is_err());
        let mut old = Lexer::new(r#""a\b\"c""#, true);
        assert_eq!(old.next_token().map(|t| t.tok).ok(), Some(Tok::Str("a\\b\"c".into())));
    }
}
