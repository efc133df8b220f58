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

/// A chat setting an error can name, so the UI can offer to drop it and send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ChatParameter {
    Temperature,
    TopP,
    TopK,
    MaxTokens,
    StopSequences,
    Thinking,
    Context1m,
}

/// The chat settings a ValidationException's message names, in the order it names them
/// (Bedrock passes the model's words through: "`temperature` and `top_p` cannot both be
/// specified for this model", "`temperature` may only be set to 1 when thinking is enabled").
pub fn parameters_named(message: &str) -> Vec<ChatParameter> {
    let lower = message.to_lowercase();
    const NAMES: &[(&str, ChatParameter)] = &[
        ("temperature", ChatParameter::Temperature),
        ("top_p", ChatParameter::TopP),
        ("topp", ChatParameter::TopP),
        ("top_k", ChatParameter::TopK),
        ("topk", ChatParameter::TopK),
        ("max_tokens", ChatParameter::MaxTokens),
        ("maxtokens", ChatParameter::MaxTokens),
        ("maximum tokens", ChatParameter::MaxTokens),
        ("stop_sequences", ChatParameter::StopSequences),
        ("stopsequences", ChatParameter::StopSequences),
        ("budget_tokens", ChatParameter::Thinking),
        ("thinking", ChatParameter::Thinking),
        ("anthropic_beta", ChatParameter::Context1m),
        ("context-1m", ChatParameter::Context1m),
    ];
    let mut found: Vec<(usize, ChatParameter)> = NAMES
        .iter()
        .filter_map(|(name, parameter)| first_word_at(&lower, name).map(|at| (at, *parameter)))
        .collect();
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<ChatParameter> = Vec::new();
    for (_, parameter) in found {
        if !out.contains(&parameter) {
            out.push(parameter);
        }
    }
    out
}

/// Where `word` first starts `text` or follows a non-letter ("stopping" does not name topP).
fn first_word_at(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphabetic())
    })
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
    /// Chat settings the request was refused for (the UI offers to drop each and resend).
    pub parameters: Vec<ChatParameter>,
}

impl BedrockError {
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

    pub fn with_parameters(mut self, parameters: Vec<ChatParameter>) -> Self {
        self.parameters = parameters;
        self
    }

    /// A refused request: when Bedrock's words name chat settings, they are recorded.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        let message = message.into();
        let parameters = parameters_named(&message);
        Self::new(ErrorKind::InvalidInput, message).with_parameters(parameters)
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
            let kind = kind_for_code(code, &message);
            let parameters = if kind == ErrorKind::InvalidInput {
                parameters_named(&message)
            } else {
                Vec::new()
            };
            BedrockError::new(kind, format!("{code}: {message}"))
                .with_code(canonical_code(code))
                .with_parameters(parameters)
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
    fn validation_messages_name_the_parameters_in_order() {
        use ChatParameter::*;
        assert_eq!(
            parameters_named("The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one."),
            [Temperature, TopP]
        );
        assert_eq!(
            parameters_named("`temperature` may only be set to 1 when thinking is enabled."),
            [Temperature, Thinking]
        );
        assert_eq!(
            parameters_named("`max_tokens` must be greater than `thinking.budget_tokens`."),
            [MaxTokens, Thinking]
        );
        assert_eq!(
            parameters_named("The maximum tokens you requested exceeds the model limit of 64000."),
            [MaxTokens]
        );
        assert_eq!(
            parameters_named("inferenceConfig.topP: must be less than or equal to 1"),
            [TopP]
        );
        assert!(parameters_named("Input is too long for requested model.").is_empty());
        assert!(parameters_named("The stream was stopping early.").is_empty());
    }

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
