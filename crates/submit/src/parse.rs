//! Reading statements of a submit description into a [`SubmitHash`].
//!
//! Statements are read up to the next `queue` statement (which the caller
//! then processes), exactly as condor_submit interleaves reading and
//! queueing:
//!
//! - `name = value` (any case; the name may itself contain `$(...)`),
//!   stored raw except that `$(name)` in the value means the previous value;
//! - `+Attr = expr` / `-Attr =`, stored as `MY.Attr`;
//! - `name @=TAG` ... `@TAG` multi-line values;
//! - `include : file`, `include command : cmd args`, `include ifexist : f`;
//! - `if`/`elif`/`else`/`endif` with `defined X`, `version >= 8.9`, numbers,
//!   booleans and macros;
//! - `error : text` and `warning : text`;
//! - comments and blank lines.
//!
//! Anything else that is not a queue statement is an error at that line.

use std::path::{Path, PathBuf};

use config::{IfLine, IfStack};

use crate::error::{SubmitError, Warning};
use crate::hash::{Origin, SubmitHash};
use crate::queue::queue_statement_args;
use crate::reader::{is_c_space, trim_c, LineReader};

/// Includes nested deeper than this are refused.
pub const MAX_INCLUDE_DEPTH: usize = 20;

/// Opens included files and commands relative to a directory.
#[derive(Debug, Clone, Default)]
pub struct SourceOpener {
    /// Directory that relative file names are taken from (the submitter's
    /// working directory).
    pub base_dir: PathBuf,
}

impl SourceOpener {
    pub fn new(base_dir: impl Into<PathBuf>) -> SourceOpener {
        SourceOpener { base_dir: base_dir.into() }
    }

    fn path(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        if p.is_absolute() || self.base_dir.as_os_str().is_empty() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    /// Read a file, or the output of a command (`cmd args |`, or any text
    /// when `is_command`). Returns the text.
    pub fn read(&self, source: &str, is_command: bool) -> Result<String, String> {
        let piped = source.contains('|');
        if is_command || piped {
            let cmd = if piped {
                source.trim_end_matches(['|', ' ']).to_string()
            } else {
                source.to_string()
            };
            let args = crate::args::ArgList::parse_v1_wacked_or_v2_quoted(&cmd)
                .map(|a| a.args)
                .or_else(|_| Ok::<_, String>(crate::args::split_v1_raw(&cmd)))?;
            let Some((prog, rest)) = args.split_first() else {
                return Err("not a valid command, | must be at the end\n".to_string());
            };
            let out = std::process::Command::new(prog)
                .args(rest)
                .current_dir(if self.base_dir.as_os_str().is_empty() { Path::new(".") } else { &self.base_dir })
                .stdin(std::process::Stdio::null())
                .output()
                .map_err(|e| format!("not a valid command, errno={} : {}", e.raw_os_error().unwrap_or(0), e))?;
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        match std::fs::read(self.path(source)) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) => Err(format!("can't open file {source}: {}", os_error_text(&e))),
        }
    }
}

/// The C library's text for an I/O error (`No such file or directory`).
pub fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn starts_word(line: &str, word: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= word.len()
        && b[..word.len()].eq_ignore_ascii_case(word.as_bytes())
        && (b.len() == word.len() || is_c_space(b[word.len()]))
}

/// The submit variables as `if`/`elif` conditions see them: HTCondor
/// evaluates them with its configuration rules (the same function), and a
/// submit description has no `use` templates.
struct Vars<'a>(&'a SubmitHash);

impl config::CondContext for Vars<'_> {
    fn expand(&self, text: &str) -> Result<String, config::MacroError> {
        self.0.expand(text)
    }
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.lookup(name).map(|v| v.into_owned())
    }
    fn use_defined(&self, _category: &str, _template: Option<&str>) -> bool {
        false
    }
}

/// Characters allowed in a variable name.
pub fn is_valid_param_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/'))
}

/// What reading stopped at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A queue statement (the whole logical line) at this line number.
    Queue { line: String, lineno: usize },
    /// End of the description.
    Eof,
}

/// Reads statements into a [`SubmitHash`].
pub struct Parser<'a> {
    pub hash: &'a mut SubmitHash,
    pub opener: &'a SourceOpener,
    pub warnings: &'a mut Vec<Warning>,
}

impl Parser<'_> {
    /// Read statements from `reader` until a queue statement or the end.
    pub fn parse_up_to_queue(&mut self, reader: &mut LineReader) -> Result<Stop, SubmitError> {
        self.parse_stream(reader, 0, true)
    }

    fn err(reader: &LineReader, message: impl Into<String>) -> SubmitError {
        SubmitError::parse(&reader.name().0, reader.line(), message)
    }

    fn parse_stream(&mut self, reader: &mut LineReader, depth: usize, top: bool) -> Result<Stop, SubmitError> {
        let mut ifs = IfStack::default();
        let mut here: Option<(String, String, Vec<String>)> = None;
        loop {
            let Some(line) = reader.next_line() else {
                if let Some((_, tag, _)) = here {
                    return Err(Self::err(reader, format!("Found end-of-file while scanning for '@{tag}' in {}", reader.name())));
                }
                break;
            };
            if line.starts_with('#') || line.bytes().all(is_c_space) {
                continue;
            }
            if let Some((name, tag, mut data)) = here.take() {
                if line.starts_with('@') && line[1..] == tag {
                    let value = self.self_expand(&data.join("\n"), &name);
                    self.hash.insert(&name, &value, Origin::File { source: reader.name().0.clone(), line: reader.line() });
                } else {
                    data.push(line);
                    here = Some((name, tag, data));
                }
                continue;
            }
            let mut line: &str = &line;
            if let Some(rest) = line.strip_prefix(':') {
                if ifs.inside_if() || starts_word(rest, "if") {
                    line = rest;
                }
            }
            if let Some(handled) = self.if_line(line, &mut ifs) {
                handled.map_err(|m| Self::err(reader, m))?;
                continue;
            }
            if !ifs.enabled() {
                continue;
            }

            let b = line.as_bytes();
            let name_end = b.iter().position(|&c| is_c_space(c) || c == b'=' || c == b':').unwrap_or(b.len());
            if name_end == b.len() {
                // no operator: a queue statement, or an error
                return self.queue_or_error(reader, line, top);
            }
            let name_raw = &line[..name_end];
            let mut op = b[name_end];
            let mut p = name_end + 1;
            let mut pop = name_end;
            let mut word_before_op = false;
            if op != b'=' && op != b':' {
                while p < b.len() && is_c_space(b[p]) {
                    p += 1;
                }
                if p < b.len() && b[p] != b'=' && b[p] != b':' && b[p] != b'@' {
                    word_before_op = true;
                }
                while p < b.len() && b[p] != b'=' && b[p] != b':' && b[p] != b'@' {
                    p += 1;
                }
                pop = p;
                op = b.get(p).copied().unwrap_or(0);
                if op != 0 {
                    p += 1;
                    if op == b'@' {
                        if b.get(p) == Some(&b'=') {
                            p += 1;
                        } else {
                            op = 0;
                        }
                    }
                }
            }
            while p < b.len() && is_c_space(b[p]) {
                p += 1;
            }
            let rhs = &line[p.min(line.len())..];
            let has_at = name_raw.starts_with('@');
            let bare = &name_raw[usize::from(has_at)..];
            let is_colon = op == b':';
            let is_include = is_colon && bare.eq_ignore_ascii_case("include");
            let is_meta = is_colon && bare.eq_ignore_ascii_case("use");
            let is_error_kw = is_colon && bare.eq_ignore_ascii_case("error");
            let is_warn_kw = is_colon && bare.eq_ignore_ascii_case("warning");

            if is_meta {
                return Err(Self::err(
                    reader,
                    format!("'use {}' is not supported in submit descriptions", trim_c(&line[name_end..pop])),
                ));
            }
            if is_error_kw || is_warn_kw {
                let msg = self.hash.expand(rhs).unwrap_or_else(|_| rhs.to_string());
                let text = format!(
                    "{} \"{}\", Line {}: {}",
                    if is_error_kw { "Error" } else { "Warning" },
                    reader.name(),
                    reader.line(),
                    msg
                );
                if is_error_kw {
                    return Err(Self::err(reader, text));
                }
                self.warnings.push(Warning::new(text));
                continue;
            }
            if is_include {
                let opts = trim_c(&line[name_end..pop]);
                let mut is_command = false;
                let mut if_exists = false;
                let mut words = opts.split([' ', '\t']).filter(|w| !w.is_empty());
                let mut w = words.next();
                if matches!(w, Some("ifexist" | "ifexists")) {
                    if_exists = true;
                    w = words.next();
                }
                if let Some(word) = w {
                    if word == "output" || word == "command" {
                        is_command = true;
                        if words.next().is_some() {
                            return Err(Self::err(reader, "'include command into' is not supported in submit descriptions"));
                        }
                    } else {
                        return Err(Self::err(
                            reader,
                            format!("Error \"{}\", Line {}: unexpected keyword(s) '{}' after include ", reader.name(), reader.line(), opts),
                        ));
                    }
                }
                let target = self.hash.expand(rhs).map_err(|e| Self::err(reader, e.to_string()))?;
                self.include(reader, &target, is_command, if_exists, depth)?;
                continue;
            }
            if word_before_op {
                // extra words before the operator: only a queue statement may look like that
                return self.queue_or_error(reader, line, top);
            }
            let name = self.hash.expand(name_raw).map_err(|e| Self::err(reader, e.to_string()))?;
            let origin = Origin::File { source: reader.name().0.clone(), line: reader.line() };
            if op == b'=' && (name.starts_with('+') || name.starts_with('-')) {
                let attr = format!("MY.{}", &name[1..]);
                let value = if name.starts_with('+') { rhs } else { "" };
                self.hash.insert(&attr, value, origin);
                continue;
            }
            if (op != b'=' && op != b'@') || name.eq_ignore_ascii_case("queue") {
                return match queue_statement_args(line) {
                    Some(_) if top => Ok(Stop::Queue { line: line.to_string(), lineno: reader.line() }),
                    Some(_) => Err(Self::err(reader, "Queue statement not allowed in include file or command")),
                    None => Err(Self::err(reader, "invalid queue statement.")),
                };
            }
            if !is_valid_param_name(&name) {
                return Err(Self::err(
                    reader,
                    format!("Error \"{}\", Line {}: Illegal Identifier: <{}>", reader.name(), reader.line(), name),
                ));
            }
            if op == b'@' {
                here = Some((name, rhs.to_string(), Vec::new()));
                continue;
            }
            let value = self.self_expand(rhs, &name);
            self.hash.insert(&name, &value, origin);
        }
        if ifs.inside_if() {
            return Err(Self::err(reader, "endif(s) not found before end-of-file"));
        }
        Ok(Stop::Eof)
    }

    fn self_expand(&self, value: &str, name: &str) -> String {
        if !value.contains('$') {
            return value.to_string();
        }
        config::macros::expand_self(value, name, None, &*self.hash)
    }

    fn queue_or_error(&mut self, reader: &LineReader, line: &str, top: bool) -> Result<Stop, SubmitError> {
        if queue_statement_args(line).is_some() {
            if !top {
                return Err(Self::err(reader, "Queue statement not allowed in include file or command"));
            }
            return Ok(Stop::Queue { line: line.to_string(), lineno: reader.line() });
        }
        if is_dag_command(line) {
            return Err(SubmitError::job(
                "A DAG file was provided. Please provide a submit file or use condor_submit_dag.",
            ));
        }
        Err(Self::err(reader, ""))
    }

    /// Handle an if/elif/else/endif line. `None` when the line is not one.
    fn if_line(&mut self, line: &str, ifs: &mut IfStack) -> Option<Result<(), String>> {
        let bad = |keyword: &str, condition: &str, reason: &dyn std::fmt::Display| {
            Some(Err(format!("{condition} is not a valid {keyword} condition because {reason}")))
        };
        match ifs.line(line, &Vars(self.hash)) {
            IfLine::NotIf => None,
            IfLine::Ok => Some(Ok(())),
            IfLine::BadCondition { keyword, condition, reason } => bad(keyword, &condition, &reason),
            IfLine::Macro { keyword, condition, error } => bad(keyword, &condition, &error),
            IfLine::Structure(m) => Some(Err(m.to_string())),
        }
    }

    fn include(
        &mut self,
        reader: &LineReader,
        target: &str,
        is_command: bool,
        if_exists: bool,
        depth: usize,
    ) -> Result<(), SubmitError> {
        let text = match self.opener.read(target, is_command) {
            Ok(t) => t,
            Err(_) if if_exists => return Ok(()),
            Err(msg) => {
                return Err(Self::err(reader, format!("Error \"{target}\", Line 0, Include Depth {}: {msg}", depth + 1)));
            }
        };
        if depth + 1 >= MAX_INCLUDE_DEPTH {
            return Err(Self::err(reader, "includes nested too deep"));
        }
        let display = if is_command && !target.contains('|') { format!("{target} |") } else { target.to_string() };
        let mut inner = LineReader::new(&display, text, reader.id() + 1000 + depth as u32);
        match self.parse_stream(&mut inner, depth + 1, false) {
            Ok(_) => Ok(()),
            Err(SubmitError::Parse { file, line, message }) => Err(Self::err(
                reader,
                format!("Error \"{file}\", Line {line}, Include Depth {}: {message}", depth + 1),
            )),
            Err(e) => Err(e),
        }
    }
}

/// True when the line starts with a DAGMan command (`JOB`, `PARENT`, …).
pub fn is_dag_command(line: &str) -> bool {
    const DAG: &[&str] = &[
        "JOB", "PROVISIONER", "FINAL", "SERVICE", "SPLICE", "SUBDAG", "PARENT", "SUBMIT-DESCRIPTION", "DONE",
        "PRE_SKIP", "SCRIPT", "PRIORITY", "VARS", "CATEGORY", "MAXJOBS", "ABORT-DAG-ON", "CONFIG", "ENV",
        "SET_JOB_ATTR", "DOT", "JOBSTATE_LOG", "NODE_STATUS_FILE", "SAVE_POINT_FILE", "REJECT",
    ];
    let first = line.split([' ', '\t']).find(|w| !w.is_empty()).unwrap_or("");
    DAG.iter().any(|d| d.eq_ignore_ascii_case(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (SubmitHash, Result<Stop, SubmitError>) {
        let mut hash = SubmitHash::new();
        let opener = SourceOpener::default();
        let mut warnings = Vec::new();
        let mut reader = LineReader::new("job.sub", text, 1);
        let r = Parser { hash: &mut hash, opener: &opener, warnings: &mut warnings }.parse_up_to_queue(&mut reader);
        (hash, r)
    }

    #[test]
    fn assignments_plus_attrs_and_queue() {
        let (h, r) = run("Executable = a.sh\n+Foo = \"x\"\nMY.Bar = 2\n-Baz =\nqueue 2\n");
        assert_eq!(r.unwrap(), Stop::Queue { line: "queue 2".into(), lineno: 5 });
        assert_eq!(h.peek("executable"), Some("a.sh"));
        assert_eq!(h.peek("MY.Foo"), Some("\"x\""));
        assert_eq!(h.peek("my.bar"), Some("2"));
        assert_eq!(h.peek("MY.Baz"), Some(""));
    }

    #[test]
    fn self_references_use_the_previous_value() {
        let (h, _) = run("a = x\na = $(a) y $(b)\n");
        assert_eq!(h.peek("a"), Some("x y $(b)"));
    }

    #[test]
    fn if_else_blocks() {
        let (h, _) = run("x = 1\nif defined x\n a = yes\nelse\n a = no\nendif\nif version >= 8.0\n v = new\nendif\nif $(nothing)\n n = 1\nelif true\n n = 2\nendif\n");
        assert_eq!(h.peek("a"), Some("yes"));
        assert_eq!(h.peek("v"), Some("new"));
        assert_eq!(h.peek("n"), Some("2"));
        let (_, r) = run("if x > 1\nendif\n");
        assert!(r.is_err());
        let (_, r) = run("if true\n");
        assert!(r.is_err());
    }

    #[test]
    fn lines_that_are_not_statements_are_errors_at_their_line() {
        let (_, r) = run("a = 1\ninclude common.inc\n");
        match r.unwrap_err() {
            SubmitError::Parse { line, message, .. } => {
                assert_eq!(line, 2);
                assert_eq!(message, "");
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn here_documents() {
        let (h, _) = run("text @=END\nline one\nline two\n@END\n");
        assert_eq!(h.peek("text"), Some("line one\nline two"));
    }
}
