//! The error body of every refused request.

use serde::{Deserialize, Serialize};

/// Why a request was refused, and what to do about it.
///
/// `code` is stable and machine-readable (`not_found`, `permission_denied`,
/// `bad_request`, `unavailable`, `internal`); `message` says what went wrong
/// in a person's words; `hint`, when present, says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError { code: code.to_string(), message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> ApiError {
        self.hint = Some(hint.into());
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new("bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new("not_found", message)
    }

    pub fn permission_denied(message: impl Into<String>) -> ApiError {
        ApiError::new("permission_denied", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new("internal", message)
    }
}
