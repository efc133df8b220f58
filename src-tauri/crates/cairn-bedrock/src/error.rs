//! SDK errors → a small set of kinds, each with plain words and a next step in the UI.

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use serde::{Deserialize, Serialize};

/// What went wrong, in the terms a user can act on. Serialized to a TypeScript union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// Missing, wrong or expired credentials.
    Credentials,
    /// IAM/SCP denies the call, or the model is not enabled for the account.
    AccessDenied,
    /// The model only runs through an inference profile.
    NeedsProfile,
    /// Too many requests or tokens per minute.
    Throttled,
    /// The request itself is wrong (empty message, bad parameter, bad document).
    InvalidInput,
    /// Bedrock could not be reached.
    Network,
    /// Bedrock answered with a server-side failure.
    Service,
    /// The model, conversation or resource does not exist.
    NotFound,
    /// The local database failed.
    Storage,
    /// The offline demo's simulator could not start.
    Simulator,
    /// The OS keychain is missing (e.g. no Secret Service running).
    KeychainUnavailable,
    /// The OS keychain is locked.
    KeychainLocked,
    /// The feature needs SigV4 credentials (access keys, a profile); a Bedrock API key only
    /// works for chat.
    NeedsSigV4,
    /// A bug in Cairn.
    Internal,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{kind:?}: {message}")]
pub struct BedrockError {
    pub kind: ErrorKind,
    /// The AWS error code when there is one (`InvalidSignatureException`, …) or Cairn's own
    /// (`AccessKeyIdInvalid`, …): the UI picks more specific words by it.
    pub code: Option<String>,
    /// Technical detail (Bedrock's own message); the UI shows it under its plain words.
    pub message: String,
}

impl BedrockError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            message: message.into(),
        }
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

/// Kind of an error from its AWS error code and message.
pub fn kind_for_code(code: &str, message: &str) -> ErrorKind {
    match code {
        "AccessDeniedException" | "AccessDenied" => ErrorKind::AccessDenied,
        "ThrottlingException" | "TooManyRequestsException" | "ServiceQuotaExceededException" => {
            ErrorKind::Throttled
        }
        "ExpiredTokenException"
        | "ExpiredToken"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "MissingAuthenticationTokenException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => ErrorKind::Credentials,
        "ResourceNotFoundException" => ErrorKind::NotFound,
        "ValidationException" => {
            if message.contains("on-demand throughput") {
                ErrorKind::NeedsProfile
            } else if message.contains("model identifier is invalid") {
                ErrorKind::NotFound
            } else {
                ErrorKind::InvalidInput
            }
        }
        "ServiceUnavailableException"
        | "InternalServerException"
        | "ModelNotReadyException"
        | "ModelTimeoutException"
        | "ModelErrorException"
        | "ModelStreamErrorException" => ErrorKind::Service,
        _ => ErrorKind::Service,
    }
}

/// STS names the same credential failures differently from Bedrock; the UI knows one name each.
pub fn canonical_code(code: &str) -> &str {
    match code {
        "SignatureDoesNotMatch" => "InvalidSignatureException",
        "InvalidClientTokenId" => "UnrecognizedClientException",
        "ExpiredToken" => "ExpiredTokenException",
        other => other,
    }
}

/// Classifies any SDK operation error.
pub fn from_sdk<E, R>(err: &SdkError<E, R>) -> BedrockError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or("Unknown");
            let message = inner.message().unwrap_or("no message").to_owned();
            BedrockError::new(kind_for_code(code, &message), format!("{code}: {message}"))
                .with_code(canonical_code(code))
        }
        SdkError::TimeoutError(_) => BedrockError::new(ErrorKind::Network, "the request timed out"),
        SdkError::ConstructionFailure(_) | SdkError::DispatchFailure(_)
            if source_chain(err).contains(crate::sso::SSO_SESSION_EXPIRED) =>
        {
            BedrockError::new(ErrorKind::Credentials, crate::sso::SSO_SESSION_EXPIRED)
                .with_code("SsoSessionExpired")
        }
        SdkError::DispatchFailure(failure) => {
            let detail = format!("{:?}", failure);
            if detail.contains("credential") || detail.contains("Credential") {
                BedrockError::new(
                    ErrorKind::Credentials,
                    "no usable AWS credentials were found",
                )
            } else {
                BedrockError::new(
                    ErrorKind::Network,
                    format!("could not reach Bedrock: {}", source_chain(err)),
                )
            }
        }
        SdkError::ResponseError(_) => BedrockError::new(
            ErrorKind::Service,
            format!("unreadable answer: {}", source_chain(err)),
        ),
        SdkError::ConstructionFailure(_) => {
            let chain = source_chain(err);
            let kind = if chain.to_lowercase().contains("credential") {
                ErrorKind::Credentials
            } else {
                ErrorKind::Internal
            };
            BedrockError::new(kind, chain)
        }
        _ => BedrockError::new(ErrorKind::Internal, source_chain(err)),
    }
}

/// The error and its sources on one line, for the technical detail.
pub fn source_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut current = err.source();
    while let Some(source) = current {
        out.push_str(": ");
        out.push_str(&source.to_string());
        current = source.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_pick_the_right_kind() {
        assert_eq!(
            kind_for_code(
                "ValidationException",
                "Invocation of model ID x with on-demand throughput isn’t supported."
            ),
            ErrorKind::NeedsProfile
        );
        assert_eq!(
            kind_for_code(
                "ValidationException",
                "The provided model identifier is invalid."
            ),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_for_code("ValidationException", "temperature: bad"),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            kind_for_code("ExpiredTokenException", ""),
            ErrorKind::Credentials
        );
        assert_eq!(
            kind_for_code("ThrottlingException", ""),
            ErrorKind::Throttled
        );
        assert_eq!(
            kind_for_code("AccessDeniedException", ""),
            ErrorKind::AccessDenied
        );
    }
}
