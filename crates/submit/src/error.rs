//! Errors of the submit language.
//!
//! Every error says where it happened (file and line for reading errors, the
//! command for job errors) in HTCondor's words, so that scripts matching
//! condor_submit's messages keep working; [`SubmitError::hint`] adds what to
//! do about it.

/// A refused submit description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The description could not be read: a bad line, a bad queue statement,
    /// a missing include file. `message` may be empty (HTCondor prints just
    /// the location for lines it cannot classify).
    #[error("on Line {line} of {file}: {message}")]
    Parse { file: String, line: usize, message: String },

    /// A command has a value that cannot become a job attribute.
    /// `message` is HTCondor's text (it may span several lines).
    #[error("{message}")]
    Job { message: String },

    /// A file the description needs could not be read.
    #[error("{message}")]
    Io { message: String },
}

impl SubmitError {
    pub fn parse(file: &str, line: usize, message: impl Into<String>) -> SubmitError {
        SubmitError::Parse { file: file.to_string(), line, message: message.into() }
    }

    pub fn job(message: impl Into<String>) -> SubmitError {
        SubmitError::Job { message: message.into() }
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
            SubmitError::Job { message } if message.starts_with("Parse error in expression") => {
                Some("write a number with a unit (512M, 1.5G) or a valid ClassAd expression".to_string())
            }
            SubmitError::Job { message } if message.contains("universe") => {
                Some("supported universes are vanilla, scheduler, local, docker and container".to_string())
            }
            _ => None,
        }
    }
}

/// A warning condor_submit prints on standard error (without the
/// `WARNING: ` prefix unless `raw` is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub text: String,
}

impl Warning {
    pub fn new(text: impl Into<String>) -> Warning {
        Warning { text: text.into() }
    }
}
