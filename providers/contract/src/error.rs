//! [`ProviderError`]: what a grant flow reports when it cannot return tokens.

use serde::{Deserialize, Serialize};

/// The class of a provider failure; the host decides what to do next from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required input is missing or malformed (no client id, unreadable certificate …).
    InvalidRequest,
    /// The authority refused the credentials (wrong secret, unknown client, expired cert …).
    Authentication,
    /// The refresh token is no longer valid; the host drops it and signs in again if it may.
    InvalidGrant,
    /// A person must act, but the run is not interactive.
    InteractionRequired,
    /// The authority or endpoint could not be reached, or answered with a server error.
    Network,
    /// The flow ran out of time.
    Timeout,
    /// The provider does not implement the operation.
    Unsupported,
    /// A bug or an unexpected answer.
    Internal,
}

/// A provider failure: a kind, a one-line message and an optional hint naming the fix.
///
/// Messages and hints must never contain a secret: providers build them from what they know is
/// safe to print (AADSTS codes, file paths, client ids).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// What went wrong, lowercase, no trailing period.
    pub message: String,
    /// How to fix it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ProviderError {
    /// A failure without a hint.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint naming the fix.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
