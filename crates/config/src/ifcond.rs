//! `if`/`elif`/`else`/`endif`: which conditions HTCondor accepts and what
//! they mean, and the stack of nested blocks.
//!
//! A condition is expanded first when it holds a `$`; an empty expansion is
//! false. Then it must be one of: a number (true when non-zero), `true`/
//! `false` (or `yes`/`no`/`t`/`f`), `defined NAME` (true when NAME has a
//! non-empty value), `defined use CATEGORY[:NAME]`, or `version OP X.Y[.Z]`.
//! A leading `!` negates. Anything else is refused as HTCondor refuses it
//! ("complex conditionals are not supported").

use crate::defaults;

/// The version `version >= X.Y.Z` compares against.
pub const CONDOR_VERSION: (u32, u32, u32) = (25, 0, 14);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Empty,
    Number,
    Bool,
    Identifier,
    Macro,
    Version,
    Defined,
    Complex,
}

/// `text` (after leading spaces) starts with the lower-case `lit`, case
/// insensitively; with `alone` nothing but spaces may follow, otherwise the
/// next character must not be alphanumeric.
fn matches_literal(text: &str, lit: &str, alone: bool) -> bool {
    let t = text.trim_start_matches(is_space);
    let b = t.as_bytes();
    if b.len() < lit.len() || !b[..lit.len()].iter().zip(lit.bytes()).all(|(&c, l)| (c | 0x20) == l) {
        return false;
    }
    let rest = &t[lit.len()..];
    if alone {
        rest.trim_matches(is_space).is_empty()
    } else {
        !rest.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
    }
}

/// C's `isspace`.
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn shape(expr: &str, keywords: bool) -> Shape {
    const SPACE: u32 = 0x01;
    const DIGIT: u32 = 0x02;
    const ALPHA: u32 = 0x04;
    const IDENT: u32 = 0x08;
    const CMP: u32 = 0x10;
    const SUM: u32 = 0x20;
    const LOGIC: u32 = 0x40;
    const GROUP: u32 = 0x80;
    const MONEY: u32 = 0x100;
    const COLON: u32 = 0x200;
    const OTHER: u32 = 0x400;
    const FLOAT: u32 = 0x1000;
    const MACRO: u32 = 0x2000;

    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() && is_space(b[i] as char) {
        i += 1;
    }
    if i == b.len() {
        return Shape::Empty;
    }
    let begin = &expr[i..];
    if b[i] == b'-' {
        i += 1;
    }
    let mut set: u32 = 0;
    while i < b.len() {
        let ch = b[i];
        i += 1;
        let next = b.get(i).copied().unwrap_or(0);
        match ch {
            b'0'..=b'9' => set |= DIGIT,
            b'.' => {
                if set == DIGIT || next == 0 || next.is_ascii_digit() {
                    set |= FLOAT
                } else {
                    set |= IDENT
                }
            }
            b'e' | b'E' => {
                if (set & !FLOAT) == DIGIT {
                    set |= FLOAT
                } else {
                    set |= ALPHA
                }
            }
            b'-' | b'+' => {
                if set != (DIGIT | FLOAT) {
                    set |= SUM
                }
            }
            b'a'..=b'z' | b'A'..=b'Z' => set |= ALPHA,
            b'_' | b'/' => set |= IDENT,
            b'<'..=b'>' => set |= CMP,
            b'!' if next == b'=' => set |= CMP,
            b'$' => {
                set |= MONEY;
                if next == b'(' {
                    set |= MACRO
                }
            }
            c if is_space(c as char) => {
                if next != 0 && !is_space(next as char) {
                    set |= SPACE
                }
            }
            b'&' | b'|' => set |= LOGIC,
            b'{'..=b'}' | b'(' | b')' | b'[' | b']' => set |= GROUP,
            b':' => set |= COLON,
            _ => set |= OTHER,
        }
    }
    match set {
        0 => return Shape::Empty,
        s if s == DIGIT || s == DIGIT | FLOAT => return Shape::Number,
        s if s == ALPHA => {
            if matches_literal(expr, "false", true) || matches_literal(expr, "true", true) {
                return Shape::Bool;
            }
            if keywords {
                if matches_literal(begin, "version", true) {
                    return Shape::Version;
                }
                if matches_literal(begin, "defined", true) {
                    return Shape::Defined;
                }
            }
            return Shape::Identifier;
        }
        s if s == ALPHA | DIGIT
            || s == ALPHA | DIGIT | FLOAT
            || s == ALPHA | IDENT
            || s == ALPHA | IDENT | DIGIT
            || s == ALPHA | IDENT | DIGIT | FLOAT =>
        {
            return Shape::Identifier
        }
        s if s == ALPHA | SPACE | CMP | DIGIT || s == ALPHA | SPACE | CMP | DIGIT | FLOAT => {
            if keywords && matches_literal(begin, "version", false) {
                return Shape::Version;
            }
            return Shape::Complex;
        }
        s if s == ALPHA | SPACE
            || s == ALPHA | SPACE | COLON
            || s == ALPHA | SPACE | IDENT
            || s == ALPHA | SPACE | IDENT | COLON
            || s == ALPHA | SPACE | DIGIT
            || s == ALPHA | SPACE | DIGIT | IDENT
            || s == ALPHA | SPACE | DIGIT | FLOAT
            || s == ALPHA | SPACE | DIGIT | IDENT | FLOAT =>
        {
            if keywords && matches_literal(begin, "defined", false) {
                return Shape::Defined;
            }
            return Shape::Complex;
        }
        _ => {}
    }
    if set & MACRO != 0 && set & !(MONEY | IDENT | ALPHA | DIGIT | MACRO | COLON) == 0 {
        return Shape::Macro;
    }
    Shape::Complex
}

/// C's `atof` on the leading number of `s`.
fn atof(s: &str) -> f64 {
    let t = s.trim_start_matches(is_space);
    let mut end = 0;
    let b = t.as_bytes();
    let mut best = 0.0;
    // longest prefix that parses as a float
    while end < b.len() && (b[end].is_ascii_digit() || b".eE+-".contains(&b[end])) {
        end += 1;
        if let Ok(v) = t[..end].parse::<f64>() {
            best = v;
        }
    }
    best
}

fn crufty_bool(expr: &str) -> Option<bool> {
    if matches_literal(expr, "yes", true) || matches_literal(expr, "t", true) {
        return Some(true);
    }
    if matches_literal(expr, "no", true) || matches_literal(expr, "f", true) {
        return Some(false);
    }
    None
}

/// What a condition needs from the configuration being read.
pub trait CondContext {
    /// Expand the macros in `text`.
    fn expand(&self, text: &str) -> Result<String, crate::MacroError>;
    /// Raw value of a name (files and defaults); `None` when not defined.
    fn lookup(&self, name: &str) -> Option<String>;
    /// `defined use CATEGORY[:TEMPLATE]`: whether the meta-knob table has
    /// it (a submit description has no templates, and says no).
    fn use_defined(&self, category: &str, template: Option<&str>) -> bool {
        let table = defaults::table();
        table.meta_category(category).is_some()
            && match template {
                None | Some("") => true,
                Some(k) => table.meta(category, k).is_some(),
            }
    }
}

/// Why a condition was refused: HTCondor's reason text, or a macro error.
pub enum CondError {
    Invalid(String),
    Macro(crate::MacroError),
}

/// Evaluate an `if`/`elif` condition.
pub fn test_condition(expr: &str, ctx: &dyn CondContext) -> Result<bool, CondError> {
    let mut expanded: Option<String> = None;
    let mut text = expr;
    if expr.contains('$') {
        let mut e = ctx.expand(expr).map_err(CondError::Macro)?;
        let keep = e.trim_end_matches(is_space).len();
        e.truncate(keep);
        expanded = Some(e);
        text = expanded.as_deref().unwrap_or("");
    }
    let mut text = text.trim_start_matches(is_space);
    let mut inverted = false;
    if let Some(rest) = text.strip_prefix('!') {
        inverted = true;
        text = rest.trim_start_matches(is_space);
    }
    let value = if expanded.is_some() && text.is_empty() { false } else { evaluate(text, ctx)? };
    Ok(value != inverted)
}

fn evaluate(expr: &str, ctx: &dyn CondContext) -> Result<bool, CondError> {
    let sh = shape(expr, true);
    match sh {
        Shape::Number => return Ok(atof(expr) != 0.0),
        Shape::Bool => return Ok(matches_literal(expr, "true", true)),
        Shape::Identifier => {
            if let Some(b) = crufty_bool(expr) {
                return Ok(b);
            }
        }
        Shape::Version => return version_condition(expr),
        Shape::Defined => return defined_condition(expr, ctx),
        _ => {}
    }
    Err(CondError::Invalid(if sh == Shape::Complex {
        "complex conditionals are not supported".to_string()
    } else {
        "expression is not a conditional".to_string()
    }))
}

fn version_condition(expr: &str) -> Result<bool, CondError> {
    let t = expr.trim_start_matches(is_space);
    let mut p = t[7.min(t.len())..].trim_start_matches(is_space);
    let negated = p.starts_with('!');
    if negated {
        p = &p[1..];
    }
    let mut op = 0i32;
    if let Some(c) = p.bytes().next().filter(|c| (b'<'..=b'>').contains(c)) {
        op = c as i32 - b'=' as i32;
        p = &p[1..];
    }
    let mut or_equal = false;
    if p.starts_with('=') {
        or_equal = true;
        p = &p[1..];
    }
    let mut p = p.trim_start_matches(is_space);
    if let Some(theirs) = condor_version_string(p) {
        let diff = (version_scalar(CONDOR_VERSION) - theirs).signum() as i32;
        return Ok((diff == op || (or_equal && diff == 0)) != negated);
    }
    if p.starts_with(['v', 'V']) {
        p = &p[1..];
    }
    // sscanf("%d.%d.%d")
    let mut fields: Vec<i64> = Vec::new();
    let mut rest = p;
    for i in 0..3 {
        if i > 0 {
            match rest.strip_prefix('.') {
                Some(r) => rest = r,
                None => break,
            }
        }
        let s = rest.trim_start_matches(is_space);
        let (sign, digits) = match s.strip_prefix('-') {
            Some(d) => (-1, d),
            None => (1, s.strip_prefix('+').unwrap_or(s)),
        };
        let n = digits.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            break;
        }
        fields.push(sign * digits[..n].parse::<i64>().unwrap_or(i64::MAX));
        rest = &digits[n..];
    }
    if fields.len() < 2 || fields[0] < 6 {
        return Err(CondError::Invalid("the version literal is invalid".to_string()));
    }
    let sub = fields.get(2).copied().unwrap_or(CONDOR_VERSION.2 as i64);
    let theirs = fields[0] * 1_000_000 + fields[1] * 1000 + sub;
    let diff = (version_scalar(CONDOR_VERSION) - theirs).signum() as i32;
    let result = diff == op || (or_equal && diff == 0);
    Ok(result != negated)
}

fn version_scalar((a, b, c): (u32, u32, u32)) -> i64 {
    a as i64 * 1_000_000 + b as i64 * 1000 + c as i64
}

/// A whole version string, `$CondorVersion: 25.0.1 2025-01-01 $`, as
/// HTCondor's version comparison also takes.
fn condor_version_string(s: &str) -> Option<i64> {
    let body = s.trim().strip_prefix("$CondorVersion:")?.trim_start();
    let ver: String = body.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut it = ver.split('.').map(|x| x.parse::<u32>().ok());
    Some(version_scalar((it.next()??, it.next()??, it.next()??)))
}

fn defined_condition(expr: &str, ctx: &dyn CondContext) -> Result<bool, CondError> {
    let t = expr.trim_start_matches(is_space);
    let arg = t[7.min(t.len())..].trim_start_matches(is_space);
    if arg.is_empty() {
        return Ok(false);
    }
    match shape(arg, false) {
        Shape::Identifier => {
            let v = ctx.lookup(arg);
            if v.is_none() && crufty_bool(arg).is_some() {
                return Ok(true);
            }
            Ok(v.is_some_and(|v| !v.is_empty()))
        }
        Shape::Number | Shape::Bool => Ok(true),
        _ => {
            if arg.len() >= 4 && arg[..4].eq_ignore_ascii_case("use ") {
                let spec = arg[4..].trim_start_matches(is_space);
                let (cat, knob) = match spec.split_once(':') {
                    Some((c, k)) => (c, Some(k)),
                    None => (spec, None),
                };
                let result = ctx.use_defined(cat, knob);
                if spec.contains([' ', '\t', '\r']) {
                    return Err(CondError::Invalid("defined use meta argument with internal spaces will never match".to_string()));
                }
                return Ok(result);
            }
            Err(CondError::Invalid("defined argument must be param name, boolean, or number".to_string()))
        }
    }
}

/// The nesting of `if` blocks (up to 63 deep), as bit masks.
#[derive(Debug, Clone)]
pub struct IfStack {
    state: u64,
    estate: u64,
    istate: u64,
    top: u64,
}

impl Default for IfStack {
    fn default() -> Self {
        IfStack { state: 1, estate: 0, istate: 0, top: 1 }
    }
}

/// What an `if`-family line did.
pub enum IfLine {
    /// Not an `if`/`elif`/`else`/`endif` line.
    NotIf,
    Ok,
    /// A condition HTCondor cannot evaluate.
    BadCondition { keyword: &'static str, condition: String, reason: String },
    /// `else`/`elif`/`endif` out of place.
    Structure(&'static str),
    /// Expanding the condition failed.
    Macro { keyword: &'static str, condition: String, error: crate::MacroError },
}

impl IfStack {
    /// Lines are read only when every enclosing block is taken.
    pub fn enabled(&self) -> bool {
        let mask = self.top | (self.top.wrapping_sub(1));
        (self.state & mask) == mask
    }

    pub fn inside_if(&self) -> bool {
        self.top > 1
    }

    fn inside_else(&self) -> bool {
        self.top > 1 && (self.istate & self.top) == 0
    }

    fn begin_if(&mut self, b: bool) -> bool {
        self.top <<= 1;
        self.istate |= self.top;
        if b {
            self.state |= self.top;
            self.estate |= self.top;
        } else {
            self.state &= !self.top;
            self.estate &= !self.top;
        }
        self.top != 0
    }

    fn begin_else(&mut self) -> bool {
        if self.istate & self.top == 0 {
            return false;
        }
        self.istate &= !self.top;
        if (self.estate | self.state) & self.top != 0 {
            self.state &= !self.top;
        } else {
            self.state |= self.top;
        }
        self.top > 1
    }

    fn begin_elif(&mut self, b: bool) -> bool {
        if self.istate & self.top == 0 {
            return false;
        }
        if self.estate & self.top != 0 {
            self.state &= !self.top;
        } else if b {
            self.estate |= self.top;
            self.state |= self.top;
        } else {
            self.state &= !self.top;
        }
        self.top > 1
    }

    fn end_if(&mut self) -> bool {
        self.istate &= !self.top;
        self.top >>= 1;
        if self.top == 0 {
            *self = IfStack::default();
            return false;
        }
        true
    }

    /// Handle `line` when it is an `if`-family line.
    pub fn line(&mut self, line: &str, ctx: &dyn CondContext) -> IfLine {
        let kw = |k: &str| -> Option<&str> {
            if line.len() >= k.len() && line.as_bytes()[..k.len()].eq_ignore_ascii_case(k.as_bytes()) {
                let rest = &line[k.len()..];
                if rest.is_empty() || rest.starts_with(is_space) {
                    return Some(rest.trim_start_matches(is_space));
                }
            }
            None
        };
        if let Some(expr) = kw("if") {
            let mut b = self.enabled();
            if b {
                match test_condition(expr, ctx) {
                    Ok(v) => b = v,
                    Err(CondError::Invalid(reason)) => {
                        return IfLine::BadCondition { keyword: "if", condition: expr.to_string(), reason };
                    }
                    Err(CondError::Macro(error)) => return IfLine::Macro { keyword: "if", condition: expr.to_string(), error },
                }
            }
            if !self.begin_if(b) {
                return IfLine::Structure("if nesting too deep!");
            }
            return IfLine::Ok;
        }
        if kw("else").is_some() {
            if !self.begin_else() {
                let m = if self.inside_else() { "else is not allowed after else" } else { "else without matching if" };
                return IfLine::Structure(m);
            }
            return IfLine::Ok;
        }
        if let Some(expr) = kw("elif") {
            let mut b = (self.estate & self.top) == 0 && (self.state & (self.top - 1)) == (self.top - 1);
            if b {
                match test_condition(expr, ctx) {
                    Ok(v) => b = v,
                    Err(CondError::Invalid(reason)) => {
                        return IfLine::BadCondition { keyword: "elif", condition: expr.to_string(), reason };
                    }
                    Err(CondError::Macro(error)) => return IfLine::Macro { keyword: "elif", condition: expr.to_string(), error },
                }
            }
            if !self.begin_elif(b) {
                let m = if self.inside_else() { "elif is not allowed after else" } else { "elif without matching if" };
                return IfLine::Structure(m);
            }
            return IfLine::Ok;
        }
        if kw("endif").is_some() {
            if !self.end_if() {
                return IfLine::Structure("endif without matching if");
            }
            return IfLine::Ok;
        }
        IfLine::NotIf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ctx;
    impl CondContext for Ctx {
        fn expand(&self, text: &str) -> Result<String, crate::MacroError> {
            Ok(text.replace("$(FLAG)", "/opt/x").replace("$(EMPTY)", "").replace("$(ONE)", "1"))
        }
        fn lookup(&self, name: &str) -> Option<String> {
            match name {
                "A" => Some("x".into()),
                "E" => Some(String::new()),
                _ => None,
            }
        }
    }

    fn t(e: &str) -> Option<bool> {
        test_condition(e, &Ctx).ok()
    }

    #[test]
    fn simple_conditions() {
        assert_eq!(t("true"), Some(true));
        assert_eq!(t("FALSE"), Some(false));
        assert_eq!(t("yes"), Some(true));
        assert_eq!(t("f"), Some(false));
        assert_eq!(t("1"), Some(true));
        assert_eq!(t("0.0"), Some(false));
        assert_eq!(t("-2"), Some(true));
        assert_eq!(t("! 0"), Some(true));
        assert_eq!(t("$(EMPTY)"), Some(false));
        assert_eq!(t("$(ONE)"), Some(true));
        assert_eq!(t("$(FLAG)"), None);
        assert_eq!(t("a == b"), None);
        assert_eq!(t("foo"), None);
    }

    #[test]
    fn defined_and_version() {
        assert_eq!(t("defined A"), Some(true));
        assert_eq!(t("defined E"), Some(false));
        assert_eq!(t("defined NOPE"), Some(false));
        assert_eq!(t("! defined NOPE"), Some(true));
        assert_eq!(t("defined use ROLE:Personal"), Some(true));
        assert_eq!(t("defined use ROLE:Nonsense"), Some(false));
        assert_eq!(t("version >= 8.0"), Some(true));
        assert_eq!(t("version > 99.0"), Some(false));
        assert_eq!(t("version == 25.0.14"), Some(true));
        assert_eq!(t("version < 25.1"), Some(true));
        assert_eq!(t("version > 2.0"), None);
    }

    #[test]
    fn nesting() {
        let mut s = IfStack::default();
        assert!(matches!(s.line("if false", &Ctx), IfLine::Ok));
        assert!(!s.enabled());
        assert!(matches!(s.line("elif true", &Ctx), IfLine::Ok));
        assert!(s.enabled());
        assert!(matches!(s.line("else", &Ctx), IfLine::Ok));
        assert!(!s.enabled());
        assert!(matches!(s.line("else", &Ctx), IfLine::Structure(_)));
        assert!(matches!(s.line("endif", &Ctx), IfLine::Ok));
        assert!(matches!(s.line("endif", &Ctx), IfLine::Structure(_)));
        assert!(matches!(s.line("iffy = 1", &Ctx), IfLine::NotIf));
    }
}
