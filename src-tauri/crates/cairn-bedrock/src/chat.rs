//! ConverseStream: turning a conversation into a request and the event stream into text.

use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput,
    InferenceConfiguration, Message, SystemContentBlock,
};

use crate::error::{from_sdk, source_chain, BedrockError, ErrorKind};
use crate::BedrockClients;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnRole {
    User,
    Assistant,
}

/// One message of the history as sent to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub role: TurnRole,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// The invocation ID (profile or base ID).
    pub model_id: String,
    pub turns: Vec<Turn>,
    pub system: Option<String>,
    pub max_tokens: Option<i32>,
}

/// What the stream yields, already decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Text(String),
    Stop {
        reason: String,
    },
    Usage {
        input_tokens: u32,
        output_tokens: u32,
    },
}

/// Bedrock wants alternating roles starting with the user: consecutive turns of one role (e.g.
/// a question whose answer failed, then another question) become one message with two blocks.
pub fn build_messages(turns: &[Turn]) -> Result<Vec<Message>, BedrockError> {
    let mut grouped: Vec<(TurnRole, Vec<&str>)> = Vec::new();
    for turn in turns.iter().filter(|t| !t.text.trim().is_empty()) {
        match grouped.last_mut() {
            Some((role, texts)) if *role == turn.role => texts.push(&turn.text),
            _ => grouped.push((turn.role, vec![&turn.text])),
        }
    }
    if grouped.first().map(|(role, _)| *role) == Some(TurnRole::Assistant) {
        grouped.remove(0);
    }
    grouped
        .into_iter()
        .map(|(role, texts)| {
            let role = match role {
                TurnRole::User => ConversationRole::User,
                TurnRole::Assistant => ConversationRole::Assistant,
            };
            Message::builder()
                .role(role)
                .set_content(Some(
                    texts
                        .into_iter()
                        .map(|t| ContentBlock::Text(t.to_owned()))
                        .collect(),
                ))
                .build()
                .map_err(|e| BedrockError::new(ErrorKind::Internal, e.to_string()))
        })
        .collect()
}

/// An answer arriving from ConverseStream.
pub struct ChatStream {
    receiver: EventReceiver<ConverseStreamOutput, ConverseStreamOutputError>,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChatStream")
    }
}

impl ChatStream {
    /// The next event; `None` when the stream has ended.
    pub async fn next(&mut self) -> Option<Result<StreamEvent, BedrockError>> {
        loop {
            match self.receiver.recv().await {
                Ok(None) => return None,
                Ok(Some(event)) => {
                    if let Some(decoded) = decode(event) {
                        return Some(Ok(decoded));
                    }
                }
                Err(err) => return Some(Err(stream_error(&err))),
            }
        }
    }
}

fn decode(event: ConverseStreamOutput) -> Option<StreamEvent> {
    match event {
        ConverseStreamOutput::ContentBlockDelta(delta) => match delta.delta {
            Some(ContentBlockDelta::Text(text)) => Some(StreamEvent::Text(text)),
            _ => None,
        },
        ConverseStreamOutput::MessageStop(stop) => Some(StreamEvent::Stop {
            reason: stop.stop_reason.as_str().to_owned(),
        }),
        ConverseStreamOutput::Metadata(meta) => meta.usage.map(|u| StreamEvent::Usage {
            input_tokens: u32::try_from(u.input_tokens).unwrap_or(0),
            output_tokens: u32::try_from(u.output_tokens).unwrap_or(0),
        }),
        _ => None,
    }
}

/// Errors inside the stream carry no code; classify them by type.
fn stream_error<R: std::fmt::Debug + 'static>(
    err: &SdkError<ConverseStreamOutputError, R>,
) -> BedrockError {
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let kind = if inner.is_throttling_exception() {
                ErrorKind::Throttled
            } else if inner.is_validation_exception() {
                ErrorKind::InvalidInput
            } else {
                ErrorKind::Service
            };
            BedrockError::new(kind, source_chain(inner))
        }
        other => BedrockError::new(
            ErrorKind::Network,
            format!("the answer stream was cut: {}", source_chain(other)),
        ),
    }
}

/// Starts a ConverseStream call; errors before the first event are returned here.
pub async fn converse_stream(
    clients: &BedrockClients,
    request: &ChatRequest,
) -> Result<ChatStream, BedrockError> {
    let messages = build_messages(&request.turns)?;
    if messages.is_empty() {
        return Err(BedrockError::new(
            ErrorKind::InvalidInput,
            "the message is empty",
        ));
    }
    let mut call = clients
        .runtime
        .converse_stream()
        .model_id(&request.model_id)
        .set_messages(Some(messages));
    if let Some(system) = request.system.as_deref().filter(|s| !s.trim().is_empty()) {
        call = call.system(SystemContentBlock::Text(system.to_owned()));
    }
    if let Some(max) = request.max_tokens {
        call = call.inference_config(InferenceConfiguration::builder().max_tokens(max).build());
    }
    let output = call.send().await.map_err(|e| from_sdk(&e))?;
    Ok(ChatStream {
        receiver: output.stream,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: TurnRole, text: &str) -> Turn {
        Turn {
            role,
            text: text.into(),
        }
    }

    #[test]
    fn consecutive_turns_of_one_role_are_merged() {
        let messages = build_messages(&[
            turn(TurnRole::User, "first"),
            turn(TurnRole::User, "second"),
            turn(TurnRole::Assistant, "answer"),
            turn(TurnRole::Assistant, ""),
            turn(TurnRole::User, "third"),
        ])
        .expect("valid");
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[0].content.len(), 2);
        assert_eq!(messages[1].role, ConversationRole::Assistant);
    }

    #[test]
    fn a_leading_assistant_turn_is_dropped() {
        let messages =
            build_messages(&[turn(TurnRole::Assistant, "hi"), turn(TurnRole::User, "q")])
                .expect("valid");
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].role, ConversationRole::User);
    }
}
