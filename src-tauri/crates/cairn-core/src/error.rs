//! The one error type that crosses to the UI: a kind to switch on and a technical detail.

use cairn_bedrock::error::ChatParameter;
use cairn_bedrock::{BedrockError, ErrorKind};
use cairn_store::StoreError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct CairnError {
    pub kind: ErrorKind,
    /// An AWS error code (`InvalidSignatureException`) or Cairn's own (`SecretKeyInvalid`):
    /// the UI shows more specific words when it knows the code.
    pub code: Option<String>,
    /// Technical detail in English; the UI shows plain words by `kind` above it.
    pub message: String,
    /// Chat settings the request was refused for: the UI offers to drop each and resend.
    pub parameters: Vec<ChatParameter>,
}

impl CairnError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            message: message.into(),
            parameters: Vec::new(),
        }
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl From<BedrockError> for CairnError {
    fn from(e: BedrockError) -> Self {
        Self {
            kind: e.kind,
            code: e.code,
            message: e.message,
            parameters: e.parameters,
        }
    }
}

impl From<StoreError> for CairnError {
    fn from(e: StoreError) -> Self {
        let kind = match e {
            StoreError::ConversationNotFound(_)
            | StoreError::MessageNotFound(_)
            | StoreError::ConnectionNotFound(_) => ErrorKind::NotFound,
            _ => ErrorKind::Storage,
        };
        Self::new(kind, e.to_string())
    }
}
