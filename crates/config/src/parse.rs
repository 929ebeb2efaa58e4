//! Statements of the configuration language, parsed as HTCondor parses
//! them, one logical line at a time:
//!
//! - `NAME = value`, `NAME += value` (also `+,=` `+;=` `+&&=` … joining with
//!   a separator), `NAME @=tag` … `@tag` (multi-line), and the obsolete
//!   `NAME : value` (a warning; an error after `#opt:strict`);
//! - `include [ifexist] [command [into FILE]] : NAME`;
//! - `use CATEGORY : TEMPLATE[(args)], …`;
//! - `error : message`, `warning : message`;
//! - `if`/`elif`/`else`/`endif`; a `:` before a line inside an `if` is
//!   ignored (old parsers skipped such lines);
//! - `[section]` lines and `#` comments are ignored.
//!
//! Values are stored raw; only references to the name being defined are
//! expanded at once (`PATH = $(PATH):/extra`). The name itself is expanded
//! (`$(PREFIX)_LOG = …`).

use crate::error::{ConfigError, ErrorKind, Location};
use crate::ifcond::{CondContext, IfLine, IfStack};
use crate::load::{io_reason, is_piped_command, Loader};
use crate::macros::MacroError;
use crate::meta;
use crate::table::{MetaOrigin, Origin};

/// Nesting limit of `include` and `use`, as in HTCondor.
pub const MAX_NESTING: u32 = 20;

/// The loader as an `if` condition sees it.
pub(crate) struct LoaderCond<'a, 'o>(pub &'a Loader<'o>);

impl CondContext for LoaderCond<'_, '_> {
    fn expand(&self, text: &str) -> Result<String, MacroError> {
        self.0.expand(text)
    }
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.view().raw(name).map(str::to_string)
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn blank(line: &str) -> bool {
    line.bytes().all(is_space)
}

/// HTCondor's characters of a parameter name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'/')
}

/// A statement split into its parts.
struct Statement<'l> {
    /// The first word (the name, or `include`/`use`/`error`/`warning`).
    name: &'l str,
    /// Text between the first word and the operator (`use CATEGORY :`,
    /// `include ifexist :`), trimmed.
    between: &'l str,
    op: u8,
    /// For `+=`: the separator and whether it is doubled (`&&`).
    plus_sep: Option<u8>,
    double_plus: bool,
    rhs: &'l str,
}

/// Split a logical line; `None` when it has no operator.
fn split_statement(line: &str) -> Option<Statement<'_>> {
    let b = line.as_bytes();
    let mut p = 0;
    while p < b.len() && !is_space(b[p]) && b[p] != b'=' && b[p] != b':' {
        p += 1;
    }
    if p == b.len() {
        return None;
    }
    let name = &line[..p];
    let mut op = b[p];
    let mut q = p + 1;
    let mut pop = p;
    let mut plus_sep = None;
    let mut double_plus = false;
    if op != b'=' && op != b':' {
        while q < b.len() && is_space(b[q]) {
            q += 1;
        }
        while q < b.len() && !matches!(b[q], b'=' | b':' | b'@' | b'+') {
            q += 1;
        }
        pop = q;
        op = b.get(q).copied().unwrap_or(0);
        if op != 0 {
            q += 1;
            if op == b'@' {
                if b.get(q) == Some(&b'=') {
                    q += 1;
                } else {
                    op = 0;
                }
            } else if op == b'+' {
                if let Some(&s) = b.get(q).filter(|c| b",;|&*".contains(c)) {
                    plus_sep = Some(s);
                    q += 1;
                    if b.get(q) == Some(&s) {
                        double_plus = true;
                        q += 1;
                    }
                }
                if b.get(q) == Some(&b'=') {
                    q += 1;
                } else {
                    op = 0;
                }
            }
        }
    }
    if !matches!(op, b'=' | b':' | b'@' | b'+') {
        return None;
    }
    while q < b.len() && is_space(b[q]) {
        q += 1;
    }
    let between = if p < pop { line[p..pop].trim_matches(|c: char| c.is_ascii_whitespace()) } else { "" };
    Some(Statement { name, between, op, plus_sep, double_plus, rhs: &line[q..] })
}

/// An open `NAME @=tag` value.
struct Here {
    name: String,
    tag: String,
    data: String,
}

/// Where statements come from: a file, or a `use` template inside one.
#[derive(Clone)]
struct Place<'a> {
    src: usize,
    file: &'a str,
    /// Set for templates: (category, name, line of the `use` statement).
    template: Option<(&'a str, &'a str, i32)>,
}

impl Place<'_> {
    fn origin(&self, line: u32, offset: i32) -> Origin {
        match self.template {
            None => Origin { source: self.src, line: line as i32, meta: None },
            Some((cat, name, use_line)) => Origin {
                source: self.src,
                line: use_line,
                meta: Some(MetaOrigin { category: cat.to_string(), name: name.to_string(), offset }),
            },
        }
    }
}

impl Loader<'_> {
    /// Parse the text of one file (source index `src`) at include depth `depth`.
    pub(crate) fn parse_source(&mut self, text: &str, src: usize, depth: u32) -> Result<(), ConfigError> {
        let file = self.sources[src].clone();
        let place = Place { src, file: &file, template: None };
        let mut rd = crate::reader::LineReader::new(text);
        let mut ifs = IfStack::default();
        let mut here: Option<Here> = None;
        let mut strict = false;
        let err = |kind: ErrorKind, line: u32, text: &str| ConfigError::new(kind).at(&file, line).with_text(text);
        while let Some(line) = rd.next_line() {
            let lineno = rd.line;
            if line.starts_with('#') || blank(&line) {
                if line.eq_ignore_ascii_case("#opt:oldcomment") {
                    rd.old_comments = true;
                } else if line.eq_ignore_ascii_case("#opt:newcomment") {
                    rd.old_comments = false;
                } else if line.eq_ignore_ascii_case("#opt:strict") {
                    strict = true;
                }
                continue;
            }
            if let Some(h) = here.as_mut() {
                if line.strip_prefix('@') == Some(h.tag.as_str()) {
                    let h = here.take().expect("open here value");
                    let value = self.expand_self(&h.data, &h.name);
                    self.insert(&h.name, &value, place.origin(lineno, 0));
                } else {
                    if !h.data.is_empty() {
                        h.data.push('\n');
                    }
                    h.data.push_str(&line);
                }
                continue;
            }
            let mut l: &str = &line;
            if let Some(rest) = l.strip_prefix(':') {
                let b = rest.as_bytes();
                if ifs.inside_if() || (b.len() >= 2 && b[0] == b'i' && b[1] == b'f' && (b.len() == 2 || is_space(b[2]))) {
                    l = rest;
                }
            }
            match ifs.line(l, &LoaderCond(self)) {
                IfLine::NotIf => {}
                IfLine::Ok => continue,
                IfLine::BadCondition { keyword, condition, reason } => {
                    return Err(err(ErrorKind::IfCondition { keyword: keyword.to_string(), condition, reason }, lineno, l));
                }
                IfLine::Structure(m) => return Err(err(ErrorKind::IfStructure(m.to_string()), lineno, l)),
                IfLine::Macro { error, .. } => return Err(macro_error(error).at(&file, lineno).with_text(l)),
            }
            if !ifs.enabled() {
                continue;
            }
            if let Some(h) = self.statement(l, &place, lineno, 0, depth, strict)? {
                here = Some(h);
            }
        }
        if let Some(h) = here {
            let text = format!("{} @={}", h.name, h.tag);
            return Err(err(ErrorKind::UnclosedMultiLine(h.tag), rd.line, &text));
        }
        if ifs.inside_if() {
            return Err(err(ErrorKind::UnclosedIf, rd.line, ""));
        }
        Ok(())
    }

    /// One statement of a file or template. Returns an opened `@=` value.
    fn statement(&mut self, line: &str, place: &Place<'_>, lineno: u32, offset: i32, depth: u32, strict: bool) -> Result<Option<Here>, ConfigError> {
        let err = |kind: ErrorKind| ConfigError::new(kind).at(place.file, lineno).with_text(line);
        let Some(st) = split_statement(line) else {
            if line.starts_with('[') && place.template.is_none() {
                return Ok(None);
            }
            return Err(err(ErrorKind::NoOperator));
        };
        let kname = st.name.strip_prefix('@').unwrap_or(st.name);
        let colon = st.op == b':';
        if colon && kname.eq_ignore_ascii_case("use") {
            let category = self.expand(st.between).map_err(|e| macro_error(e).at(place.file, lineno).with_text(line))?;
            return self
                .use_templates(&category, st.rhs, place, lineno, depth + 1)
                .map(|()| None)
                .map_err(|e| if e.at.is_none() { e.at(place.file, lineno).with_text(line) } else { e });
        }
        if colon && (kname.eq_ignore_ascii_case("error") || kname.eq_ignore_ascii_case("warning")) {
            let msg = self.expand(st.rhs).unwrap_or_else(|_| st.rhs.to_string());
            if kname.eq_ignore_ascii_case("error") {
                return Err(err(ErrorKind::ErrorStatement(msg)));
            }
            self.warn(Some(Location { file: place.file.to_string(), line: lineno }), msg);
            return Ok(None);
        }
        if colon && kname.eq_ignore_ascii_case("include") && place.template.is_none() {
            self.include(st.between, st.rhs, place, lineno, depth).map_err(|mut e| {
                if e.at.is_none() {
                    e = e.at(place.file, lineno).with_text(line);
                }
                e
            })?;
            return Ok(None);
        }
        let mut op = st.op;
        if colon {
            if strict {
                return Err(err(ErrorKind::ColonAssignment { name: st.name.to_string(), value: st.rhs.to_string() }));
            }
            if !st.name.eq_ignore_ascii_case("RunBenchmarks") {
                self.warn(
                    Some(Location { file: place.file.to_string(), line: lineno }),
                    format!("obsolete use of ':' for parameter assignment at {} : {}", st.name, st.rhs),
                );
            }
            op = b'=';
        }
        let name = if place.template.is_none() && st.name.contains('$') {
            self.expand(st.name).map_err(|e| macro_error(e).at(place.file, lineno).with_text(line))?
        } else {
            st.name.to_string()
        };
        if !is_valid_name(&name) {
            return Err(err(ErrorKind::IllegalName(name)));
        }
        if op == b'@' {
            return Ok(Some(Here { name, tag: st.rhs.to_string(), data: String::new() }));
        }
        let mut rhs = st.rhs.to_string();
        if op == b'+' {
            if let Some(cur) = self.view().raw(&name).filter(|c| !c.is_empty()) {
                let mut joined = cur.to_string();
                match st.plus_sep {
                    Some(s) if st.double_plus => {
                        joined.push(' ');
                        joined.push(s as char);
                        joined.push(s as char);
                        joined.push(' ');
                    }
                    Some(s) => joined.push(s as char),
                    None => joined.push(' '),
                }
                joined.push_str(&rhs);
                rhs = joined;
            }
        }
        let value = self.expand_self(&rhs, &name);
        self.insert(&name, &value, place.origin(lineno, offset));
        Ok(None)
    }

    /// `include [ifexist] [command [into FILE]] : NAME`.
    fn include(&mut self, words: &str, target: &str, place: &Place<'_>, lineno: u32, depth: u32) -> Result<(), ConfigError> {
        let mut must_exist = true;
        let mut is_command = false;
        let mut into: Option<String> = None;
        let toks: Vec<&str> = words.split_ascii_whitespace().collect();
        let mut i = 0;
        if toks.get(i).is_some_and(|t| *t == "ifexist" || *t == "ifexists") {
            must_exist = false;
            i += 1;
        }
        if i < toks.len() {
            if toks[i] == "output" || toks[i] == "command" {
                is_command = true;
                i += 1;
                if toks.get(i) == Some(&"into") {
                    match toks.get(i + 1) {
                        Some(f) => into = Some(f.to_string()),
                        None => return Err(ConfigError::new(ErrorKind::IncludeKeyword(format!("{words} (expected filename after keyword 'into')")))),
                    }
                    i += 2;
                }
            }
            if i < toks.len() {
                return Err(ConfigError::new(ErrorKind::IncludeKeyword(words.to_string())));
            }
        }
        let name = self.expand(target).map_err(macro_error)?;
        if depth + 1 >= MAX_NESTING {
            return Err(ConfigError::new(ErrorKind::IncludeDepth));
        }
        let into_file = match &into {
            Some(f) => {
                if f.ends_with('|') {
                    return Err(ConfigError::new(ErrorKind::IncludeKeyword("destination for 'include into' may not be a script".into())));
                }
                let f = self.expand(f).map_err(macro_error)?;
                if f.is_empty() {
                    return Err(ConfigError::new(ErrorKind::IncludeKeyword("destination for 'include into' expanded to ''".into())));
                }
                Some(f)
            }
            None => None,
        };
        let cmd_mode = is_command || is_piped_command(&name);
        let (shown, text) = if let Some(f) = &into_file {
            match std::fs::read(f) {
                Ok(bytes) => (f.clone(), Ok(String::from_utf8_lossy(&bytes).into_owned())),
                Err(_) => {
                    let out = self.read_source(&name, true);
                    if let Ok(t) = &out {
                        if let Err(e) = std::fs::write(f, t) {
                            self.warn(None, format!("cannot save the output of '{name}' into {f}: {}", io_reason(&e)));
                        }
                    }
                    (f.clone(), out)
                }
            }
        } else if cmd_mode {
            let shown = if name.trim_end().ends_with('|') { name.clone() } else { format!("{name} |") };
            (shown, self.read_source(&name, true))
        } else {
            (name.clone(), self.read_source(&name, false))
        };
        let text = match text {
            Ok(t) => t,
            Err(kind) => {
                if must_exist {
                    return Err(ConfigError::new(kind));
                }
                return Ok(());
            }
        };
        self.locals.push(shown.clone());
        let src = self.add_source(&shown);
        self.parse_source(&text, src, depth + 1).map_err(|mut e| {
            e.included_from.push(Location { file: place.file.to_string(), line: lineno });
            e
        })
    }

    /// `use CATEGORY : A, B(args)`.
    fn use_templates(&mut self, category: &str, rhs: &str, place: &Place<'_>, lineno: u32, depth: u32) -> Result<(), ConfigError> {
        if category.is_empty() {
            return Err(ConfigError::new(ErrorKind::UseWithoutCategory(rhs.to_string())));
        }
        if depth >= MAX_NESTING {
            return Err(ConfigError::new(ErrorKind::IncludeDepth));
        }
        let table = crate::defaults::table();
        let cat_name = category.split(':').next().unwrap_or(category).trim();
        if table.meta_category(cat_name).is_none() {
            return Err(ConfigError::new(ErrorKind::UnknownTemplate { category: cat_name.to_string(), name: rhs.trim().to_string() }));
        }
        let use_line = match place.template {
            Some((_, _, l)) => l,
            None => lineno as i32,
        };
        for u in meta::split_uses(rhs) {
            let Some(knob) = table.meta(cat_name, &u.name) else {
                return Err(ConfigError::new(ErrorKind::UnknownTemplate { category: cat_name.to_string(), name: u.name }));
            };
            let text = if !u.args.is_empty() || meta::has_meta_args(&knob.text) {
                meta::expand_meta_args(&knob.text, &u.args)
            } else {
                knob.text.clone()
            };
            self.parse_template(&text, place.src, use_line, &knob.category, &knob.name, depth)?;
        }
        Ok(())
    }

    /// The statements of one template (HTCondor's `Parse_config_string`).
    pub(crate) fn parse_template(&mut self, text: &str, src: usize, use_line: i32, category: &str, name: &str, depth: u32) -> Result<(), ConfigError> {
        let file = self.sources[src].clone();
        let place = Place { src, file: &file, template: Some((category, name, use_line)) };
        let bad = || ConfigError::new(ErrorKind::BadTemplate { category: category.to_string(), name: name.to_string() });
        let mut ifs = IfStack::default();
        let mut here: Option<Here> = None;
        let mut offset: i32 = -1;
        for raw_line in text.split('\n') {
            let line = raw_line.trim();
            if line.is_empty() {
                continue;
            }
            offset += 1;
            if line.starts_with('#') {
                continue;
            }
            if let Some(h) = here.as_mut() {
                if line.strip_prefix('@') == Some(h.tag.as_str()) {
                    let h = here.take().expect("open here value");
                    let value = self.expand_self(&h.data, &h.name);
                    self.insert(&h.name, &value, place.origin(0, offset));
                } else {
                    if !h.data.is_empty() {
                        h.data.push('\n');
                    }
                    h.data.push_str(line);
                }
                continue;
            }
            match ifs.line(line, &LoaderCond(self)) {
                IfLine::NotIf => {}
                IfLine::Ok => continue,
                _ => return Err(bad()),
            }
            if !ifs.enabled() {
                continue;
            }
            let line_no = if use_line > 0 { use_line as u32 } else { 0 };
            match self.statement(line, &place, line_no, offset, depth, false) {
                Ok(Some(h)) => here = Some(h),
                Ok(None) => {}
                Err(e) => {
                    return Err(match e.kind {
                        ErrorKind::ErrorStatement(_) | ErrorKind::UnknownTemplate { .. } | ErrorKind::IncludeDepth => ConfigError { at: None, text: None, ..e },
                        _ => bad(),
                    })
                }
            }
        }
        Ok(())
    }
}

pub(crate) fn macro_error(e: MacroError) -> ConfigError {
    match e {
        MacroError::Loop { name, chain } => ConfigError::new(ErrorKind::MacroLoop { name, chain }),
        other => ConfigError::new(ErrorKind::MacroExpansion(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split() {
        let s = split_statement("A = 1").expect("statement");
        assert_eq!((s.name, s.op, s.rhs), ("A", b'=', "1"));
        let s = split_statement("use ROLE : Personal").expect("statement");
        assert_eq!((s.name, s.between, s.op, s.rhs), ("use", "ROLE", b':', "Personal"));
        let s = split_statement("X +,= more").expect("statement");
        assert_eq!((s.op, s.plus_sep, s.rhs), (b'+', Some(b','), "more"));
        let s = split_statement("C @=end").expect("statement");
        assert_eq!((s.op, s.rhs), (b'@', "end"));
        let s = split_statement("include ifexist : $(D)/x").expect("statement");
        assert_eq!((s.name, s.between, s.rhs), ("include", "ifexist", "$(D)/x"));
        assert!(split_statement("JUSTAWORD").is_none());
        assert!(split_statement("A @ b").is_none());
        let s = split_statement("A=").expect("statement");
        assert_eq!(s.rhs, "");
    }

    #[test]
    fn names() {
        assert!(is_valid_name("SCHEDD.MAX_JOBS"));
        assert!(is_valid_name("a/b"));
        assert!(!is_valid_name("A-B"));
        assert!(!is_valid_name(""));
    }
}
