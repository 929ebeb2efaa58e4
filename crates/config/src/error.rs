//! Why a configuration could not be loaded.
//!
//! Every refusal says where it happened (file and line, and the chain of
//! `include` lines that led there), quotes the offending text, and suggests
//! a fix. [`ConfigError::htcondor_line`] gives the line HTCondor itself
//! prints (`Configuration Error Line 9 while reading global config source
//! /etc/condor/condor_config`) for tools that keep its output.

use std::fmt;

/// A place in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (or `command |`) as it was named.
    pub file: String,
    /// 1-based line number.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}", self.file, self.line)
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// No configuration file was found anywhere.
    #[error(
        "Neither the environment variable CONDOR_CONFIG,\n/etc/condor/, /usr/local/etc/, nor ~condor/ contain a condor_config source.\n\
         Either set CONDOR_CONFIG to point to a valid config source,\n\
         or put a \"condor_config\" file in /etc/condor/ /usr/local/etc/ or ~condor/"
    )]
    NoConfigFile,
    /// `CONDOR_CONFIG` names something unusable.
    #[error("File specified in CONDOR_CONFIG environment variable:\n\"{path}\" {problem}")]
    ConfigEnv { path: String, problem: String },
    /// A file that must be read could not be.
    #[error("Can't read {what} {path}: {reason}")]
    CannotRead { what: String, path: String, reason: String },
    /// An `if`/`elif` condition HTCondor cannot evaluate.
    #[error("{condition} is not a valid {keyword} condition because {reason}")]
    IfCondition { keyword: String, condition: String, reason: String },
    /// `else`/`elif`/`endif` out of place, or nesting too deep.
    #[error("{0}")]
    IfStructure(String),
    /// A file ended inside an `if`.
    #[error("endif(s) not found before end-of-file")]
    UnclosedIf,
    /// A line that is neither a statement nor a comment.
    #[error("expected NAME = VALUE, found no '=' (or ':' for include/use/error/warning)")]
    NoOperator,
    /// A parameter name with characters HTCondor does not allow.
    #[error("Illegal Identifier: <{0}>")]
    IllegalName(String),
    /// `NAME : value` under `#opt:strict`.
    #[error("obsolete use of ':' for parameter assignment at {name} : {value}")]
    ColonAssignment { name: String, value: String },
    /// An `error :` statement.
    #[error("Error : {0}")]
    ErrorStatement(String),
    /// An included file that does not exist (without `ifexist`).
    #[error("can't open file {path}: {reason}")]
    IncludeOpen { path: String, reason: String },
    /// Unknown words between `include` and `:`.
    #[error("unexpected keyword(s) '{0}' after include")]
    IncludeKeyword(String),
    /// `include` or `use` nested more than 20 deep.
    #[error("includes nested too deep")]
    IncludeDepth,
    /// `include command :` whose command failed.
    #[error("command '{command}' {problem}")]
    Command { command: String, problem: String },
    /// `use CATEGORY : NAME` with an unknown category or name.
    #[error("use {category}: does not recognise {name}")]
    UnknownTemplate { category: String, name: String },
    /// `use : NAME` without a category.
    #[error("use needs a keyword before : {0}")]
    UseWithoutCategory(String),
    /// A line inside a meta-knob template that does not parse.
    #[error("use {category}: {name} is invalid")]
    BadTemplate { category: String, name: String },
    /// `NAME @=tag` without the closing `@tag`.
    #[error("Found end-of-file while scanning for '@{0}'")]
    UnclosedMultiLine(String),
    /// Macros that refer to each other in a circle.
    #[error("macro loop: {chain}")]
    MacroLoop { name: String, chain: String },
    /// A value that grows without bound when expanded.
    #[error("{0}")]
    MacroExpansion(String),
    /// `LOCAL_CONFIG_DIR_EXCLUDE_REGEXP` is not a regular expression.
    #[error("LOCAL_CONFIG_DIR_EXCLUDE_REGEXP config parameter is not a valid regular expression.  Value: {pattern}: {reason}")]
    BadExcludeRegex { pattern: String, reason: String },
}

impl ErrorKind {
    /// How to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            ErrorKind::NoConfigFile => "set CONDOR_CONFIG=/dev/null to run on built-in defaults only",
            ErrorKind::ConfigEnv { .. } => "point CONDOR_CONFIG at a configuration file, or set it to /dev/null for defaults only",
            ErrorKind::CannotRead { .. } => "check the path and its permissions, or set REQUIRE_LOCAL_CONFIG_FILE = false",
            ErrorKind::IfCondition { .. } => {
                "conditions may be a number, true/false, a parameter name, `defined NAME`, `version >= X.Y.Z` or a $(macro) that expands to one of those"
            }
            ErrorKind::IfStructure(_) | ErrorKind::UnclosedIf => "every `if` needs a matching `endif`; `elif`/`else` go between them",
            ErrorKind::NoOperator => "write `NAME = VALUE`; start comments with #",
            ErrorKind::IllegalName(_) => "parameter names may contain letters, digits, '_', '.' and '/'",
            ErrorKind::ColonAssignment { .. } => "write `NAME = VALUE`",
            ErrorKind::ErrorStatement(_) => "the configuration asked to stop here with an `error :` statement",
            ErrorKind::IncludeOpen { .. } => "use `include ifexist : FILE` when the file may be missing",
            ErrorKind::IncludeKeyword(_) => "write `include [ifexist] [command] [into FILE] : NAME`",
            ErrorKind::IncludeDepth => "an included file probably includes itself",
            ErrorKind::Command { .. } => "run the command by hand to see why it fails",
            ErrorKind::UnknownTemplate { .. } | ErrorKind::UseWithoutCategory(_) | ErrorKind::BadTemplate { .. } => {
                "`condor_config_val use CATEGORY` lists the templates of a category"
            }
            ErrorKind::UnclosedMultiLine(_) => "end a `NAME @=tag` value with a line holding only `@tag`",
            ErrorKind::MacroLoop { .. } => "change one of these definitions so that it no longer refers back",
            ErrorKind::MacroExpansion(_) => "a macro probably repeats itself on every level",
            ErrorKind::BadExcludeRegex { .. } => "fix the regular expression",
        }
    }
}

/// A configuration that cannot be loaded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub kind: ErrorKind,
    /// Where the problem is (innermost file).
    pub at: Option<Location>,
    /// The offending line or value, as written.
    pub text: Option<String>,
    /// The `include`/`use` lines that led to [`ConfigError::at`], innermost first.
    pub included_from: Vec<Location>,
    /// What HTCondor calls the outermost file ("global config source", "config source").
    pub source_role: Option<String>,
}

impl ConfigError {
    pub fn new(kind: ErrorKind) -> ConfigError {
        ConfigError { kind, at: None, text: None, included_from: Vec::new(), source_role: None }
    }

    pub(crate) fn at(mut self, file: &str, line: u32) -> ConfigError {
        self.at = Some(Location { file: file.to_string(), line });
        self
    }

    pub(crate) fn with_text(mut self, text: &str) -> ConfigError {
        self.text = Some(text.to_string());
        self
    }

    /// The outermost location: the line of the top-level file HTCondor reports.
    pub fn top_location(&self) -> Option<&Location> {
        self.included_from.last().or(self.at.as_ref())
    }

    /// The first line HTCondor prints for this error, when it has one.
    pub fn htcondor_line(&self) -> Option<String> {
        let top = self.top_location()?;
        let role = self.source_role.as_deref().unwrap_or("config source");
        Some(format!("Configuration Error Line {} while reading {} {}", top.line, role, top.file))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "configuration error at {at}: {}", self.kind)?,
            None => write!(f, "configuration error: {}", self.kind)?,
        }
        if let Some(t) = &self.text {
            write!(f, "\n    {t}")?;
        }
        for loc in &self.included_from {
            write!(f, "\n  included from {loc}")?;
        }
        write!(f, "\n  hint: {}", self.kind.hint())
    }
}

impl std::error::Error for ConfigError {}
