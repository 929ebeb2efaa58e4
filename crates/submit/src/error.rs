//! Errors of the submit language.
//!
//! Every error says where it happened (file and line for reading errors,
//! the commands for job errors) in HTCondor's words, so that scripts
//! matching condor_submit's messages keep working; [`SubmitError::hint`]
//! adds what to do about it.

/// A refused submit description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The description could not be read: a bad line, a bad queue statement,
    /// a missing include file. `message` may be empty (HTCondor prints just
    /// the location for lines it cannot classify).
    #[error("on Line {line} of {file}: {message}")]
    Parse { file: String, line: usize, message: String },

    /// A job could not be built from the commands: each message is
    /// HTCondor's text for one problem (a message that starts with
    /// `ERROR: ` is printed on its own paragraph, as condor_submit does).
    #[error("{}", display_messages(.messages))]
    Job { messages: Vec<String> },

    /// An `-append` line is not a `name = value` statement.
    #[error("Failed to parse -a argument line (#{index}): {line}")]
    Append { index: usize, line: String },

    /// A file the description needs could not be read.
    #[error("{message}")]
    Io { message: String },

    /// The place the jobs were going refused them (the schedd, a file).
    #[error("{message}")]
    Sink { message: String },
}

fn display_messages(messages: &[String]) -> String {
    let mut out = String::new();
    for m in messages {
        let m = m.strip_prefix("ERROR: ").unwrap_or(m);
        let m = m.trim_end_matches('\n');
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(m.trim_start_matches('\n'));
    }
    out
}

impl SubmitError {
    pub fn parse(file: &str, line: usize, message: impl Into<String>) -> SubmitError {
        SubmitError::Parse { file: file.to_string(), line, message: message.into() }
    }

    pub fn job(message: impl Into<String>) -> SubmitError {
        SubmitError::Job { messages: vec![message.into()] }
    }

    /// A suggestion for the person reading the error, when there is an obvious one.
    pub fn hint(&self) -> Option<String> {
        match self {
            SubmitError::Parse { message, .. } if message.is_empty() => Some(
                "a line must be 'name = value', '+Attr = value', 'include : file', an if/else line or a queue statement"
                    .to_string(),
            ),
            SubmitError::Parse { message, .. } if message.contains("closing brace") => {
                Some("end the item list with a line that starts with ')'".to_string())
            }
            SubmitError::Parse { message, .. } if message.contains("Queue count") => {
                Some("the count after 'queue' must be a whole number from 0 up, or an expression giving one".to_string())
            }
            SubmitError::Job { messages } => {
                let all = messages.join("");
                if all.contains("Parse error in expression") {
                    Some("write a number with a unit (512M, 1.5G) or a valid ClassAd expression".to_string())
                } else if all.contains("universe") {
                    Some("supported universes are vanilla, scheduler, local, docker, container, parallel, java and grid".to_string())
                } else if all.contains("Can't access executable") {
                    Some("check the 'executable' path (relative paths are taken from the submit directory)".to_string())
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// A warning found while reading the description (`warning : text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub text: String,
}

impl Warning {
    pub fn new(text: impl Into<String>) -> Warning {
        Warning { text: text.into() }
    }
}
