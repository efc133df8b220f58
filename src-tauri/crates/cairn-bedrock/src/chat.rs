//! Chat requests through either API — ConverseStream or InvokeModelWithResponseStream (an
//! Anthropic Messages body) — and their event streams decoded into text, stop and usage.

use std::collections::VecDeque;

use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::error::{ConverseStreamOutputError, ResponseStreamError};
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, CitationLocation, CitationsConfig, ContentBlock,
    ContentBlockDelta, ConversationRole, ConverseStreamOutput, DocumentBlock, DocumentFormat,
    DocumentSource, InferenceConfiguration, Message, ReasoningContentBlockDelta, ResponseStream,
    SystemContentBlock,
};
use aws_smithy_types::Document;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::access::TokenCounts;
use crate::error::{from_sdk, source_chain, BedrockError, ErrorKind};
use crate::BedrockClients;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TurnRole {
    #[default]
    User,
    Assistant,
}

/// Where a document's bytes are. A file is read only while a request is built, straight into
/// the request, so a large PDF is held once rather than once per layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentBytes {
    File(std::path::PathBuf),
    Memory(std::sync::Arc<Vec<u8>>),
}

impl DocumentBytes {
    fn load(&self) -> Result<Vec<u8>, BedrockError> {
        match self {
            DocumentBytes::File(path) => std::fs::read(path).map_err(|e| {
                BedrockError::new(
                    ErrorKind::NotFound,
                    format!("cannot read the document {}: {e}", path.display()),
                )
                .with_code("DocumentMissing")
            }),
            DocumentBytes::Memory(bytes) => Ok(bytes.as_ref().clone()),
        }
    }
}

/// A PDF sent with a user turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnDocument {
    /// The name Bedrock sees: neutral and rule-conforming (the real file name stays local).
    pub name: String,
    pub bytes: DocumentBytes,
}

/// One message of the history as sent to the model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Turn {
    pub role: TurnRole,
    pub text: String,
    /// PDFs of a user turn, sent before its text.
    pub documents: Vec<TurnDocument>,
    /// Put a prompt-cache point after this turn's documents: later requests read everything up
    /// to it from the cache (×0.1 of the input price) instead of paying for it in full.
    pub cache_point: bool,
}

impl Turn {
    pub fn text(role: TurnRole, text: impl Into<String>) -> Self {
        Self {
            role,
            text: text.into(),
            documents: Vec::new(),
            cache_point: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.documents.is_empty()
    }
}

/// Which Bedrock API carries the conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ChatApi {
    /// Converse / ConverseStream: Bedrock's common format.
    #[default]
    Converse,
    /// InvokeModel / InvokeModelWithResponseStream with an Anthropic Messages body.
    InvokeModel,
}

/// The beta flag that opens the 1M-token context window on models that accept it.
pub const CONTEXT_1M_BETA: &str = "context-1m-2025-08-07";
/// InvokeModel needs `max_tokens`; this is used when the user set none.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// A conversation's API, system prompt and parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatSettings {
    pub api: ChatApi,
    pub system: Option<String>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u32>,
    pub stop_sequences: Vec<String>,
    /// Extended thinking with this token budget.
    pub thinking_budget: Option<u32>,
    /// Send the 1M-context beta flag (only to models that accept it; the caller checks).
    pub context_1m: bool,
    /// Citations on the PDFs sent. Through Converse this is also what makes Claude read pages
    /// visually (charts, images, layout); without it Converse passes only the text. Through
    /// InvokeModel pages are read visually either way and this adds citations.
    pub document_citations: bool,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            api: ChatApi::default(),
            system: None,
            max_tokens: None,
            temperature: None,
            top_p: None,
            top_k: None,
            stop_sequences: Vec::new(),
            thinking_budget: None,
            context_1m: false,
            document_citations: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// The invocation ID (profile or base ID).
    pub model_id: String,
    pub turns: Vec<Turn>,
    pub settings: ChatSettings,
}

/// What the stream yields, already decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Text(String),
    /// Extended thinking, streamed before the answer.
    Thinking(String),
    Stop {
        reason: String,
    },
    Usage(TokenCounts),
    /// The answer cites a document; it belongs where the answer's text stands now.
    Citation(CitedPassage),
}

/// A passage of a sent document that the answer cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedPassage {
    /// Which document of the request (0-based, in the order sent).
    pub document_index: u32,
    pub cited_text: String,
    /// 1-based pages, when the citation points at pages.
    pub page_start: Option<u32>,
    pub page_end: Option<u32>,
}

/// Bedrock wants alternating roles starting with the user: consecutive turns of one role (e.g.
/// a question whose answer failed, then another question) become one message.
fn grouped_turns(turns: &[Turn]) -> Vec<(TurnRole, Vec<&Turn>)> {
    let mut grouped: Vec<(TurnRole, Vec<&Turn>)> = Vec::new();
    for turn in turns.iter().filter(|t| !t.is_empty()) {
        match grouped.last_mut() {
            Some((role, members)) if *role == turn.role => members.push(turn),
            _ => grouped.push((turn.role, vec![turn])),
        }
    }
    if grouped.first().map(|(role, _)| *role) == Some(TurnRole::Assistant) {
        grouped.remove(0);
    }
    grouped
}

fn internal(e: impl std::fmt::Display) -> BedrockError {
    BedrockError::new(ErrorKind::Internal, e.to_string())
}

/// Converse messages: each user turn's documents come before its text.
pub fn build_messages(turns: &[Turn], citations: bool) -> Result<Vec<Message>, BedrockError> {
    grouped_turns(turns)
        .into_iter()
        .map(|(role, members)| {
            let mut content = Vec::new();
            for turn in members {
                for doc in &turn.documents {
                    let block = DocumentBlock::builder()
                        .format(DocumentFormat::Pdf)
                        .name(&doc.name)
                        .source(DocumentSource::Bytes(Blob::new(doc.bytes.load()?)))
                        .citations(
                            CitationsConfig::builder()
                                .enabled(citations)
                                .build()
                                .map_err(internal)?,
                        )
                        .build()
                        .map_err(internal)?;
                    content.push(ContentBlock::Document(block));
                }
                if turn.cache_point && !turn.documents.is_empty() {
                    content.push(ContentBlock::CachePoint(
                        CachePointBlock::builder()
                            .r#type(CachePointType::Default)
                            .build()
                            .map_err(internal)?,
                    ));
                }
                if !turn.text.trim().is_empty() {
                    content.push(ContentBlock::Text(turn.text.clone()));
                }
            }
            Message::builder()
                .role(match role {
                    TurnRole::User => ConversationRole::User,
                    TurnRole::Assistant => ConversationRole::Assistant,
                })
                .set_content(Some(content))
                .build()
                .map_err(internal)
        })
        .collect()
}

enum Receiver {
    Converse(EventReceiver<ConverseStreamOutput, ConverseStreamOutputError>),
    Invoke(EventReceiver<ResponseStream, ResponseStreamError>),
}

/// An answer arriving from either API.
pub struct ChatStream {
    receiver: Receiver,
    /// InvokeModel: input and cache tokens from `message_start`, reported with the final usage.
    opening_usage: TokenCounts,
    pending: VecDeque<StreamEvent>,
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
            if let Some(event) = self.pending.pop_front() {
                return Some(Ok(event));
            }
            match &mut self.receiver {
                Receiver::Converse(r) => match r.recv().await {
                    Ok(None) => return None,
                    Ok(Some(event)) => {
                        if let Some(decoded) = decode_converse(event) {
                            return Some(Ok(decoded));
                        }
                    }
                    Err(err) => return Some(Err(converse_stream_error(&err))),
                },
                Receiver::Invoke(r) => match r.recv().await {
                    Ok(None) => return None,
                    Ok(Some(ResponseStream::Chunk(part))) => {
                        let Some(bytes) = part.bytes else { continue };
                        match serde_json::from_slice::<Value>(bytes.as_ref()) {
                            Ok(event) => self.decode_invoke(&event),
                            Err(e) => {
                                return Some(Err(BedrockError::new(
                                    ErrorKind::Service,
                                    format!("an answer chunk was not JSON: {e}"),
                                )))
                            }
                        }
                    }
                    Ok(Some(_)) => {}
                    Err(err) => return Some(Err(invoke_stream_error(&err))),
                },
            }
        }
    }

    /// One Anthropic streaming event → zero or more of our events.
    fn decode_invoke(&mut self, event: &Value) {
        let count = |v: &Value| u32::try_from(v.as_u64().unwrap_or(0)).unwrap_or(u32::MAX);
        match event["type"].as_str().unwrap_or_default() {
            "message_start" => {
                let usage = &event["message"]["usage"];
                self.opening_usage = TokenCounts {
                    input: count(&usage["input_tokens"]),
                    output: 0,
                    cache_read: count(&usage["cache_read_input_tokens"]),
                    cache_write: count(&usage["cache_creation_input_tokens"]),
                };
            }
            "content_block_delta" => {
                let delta = &event["delta"];
                let decoded = match delta["type"].as_str() {
                    Some("text_delta") => delta["text"]
                        .as_str()
                        .map(|t| StreamEvent::Text(t.to_owned())),
                    Some("thinking_delta") => delta["thinking"]
                        .as_str()
                        .map(|t| StreamEvent::Thinking(t.to_owned())),
                    Some("citations_delta") => {
                        let c = &delta["citation"];
                        let page = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
                        Some(StreamEvent::Citation(CitedPassage {
                            document_index: page(&c["document_index"]).unwrap_or(0),
                            cited_text: c["cited_text"].as_str().unwrap_or_default().to_owned(),
                            page_start: page(&c["start_page_number"]),
                            // Anthropic's end page number is exclusive.
                            page_end: page(&c["end_page_number"]).map(|e| {
                                e.saturating_sub(1)
                                    .max(page(&c["start_page_number"]).unwrap_or(0))
                            }),
                        }))
                    }
                    _ => None,
                };
                self.pending.extend(decoded);
            }
            "message_delta" => {
                if let Some(reason) = event["delta"]["stop_reason"].as_str() {
                    self.pending.push_back(StreamEvent::Stop {
                        reason: reason.to_owned(),
                    });
                }
                self.pending.push_back(StreamEvent::Usage(TokenCounts {
                    output: count(&event["usage"]["output_tokens"]),
                    ..self.opening_usage
                }));
            }
            _ => {}
        }
    }
}

fn decode_converse(event: ConverseStreamOutput) -> Option<StreamEvent> {
    match event {
        ConverseStreamOutput::ContentBlockDelta(delta) => match delta.delta {
            Some(ContentBlockDelta::Text(text)) => Some(StreamEvent::Text(text)),
            Some(ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(text))) => {
                Some(StreamEvent::Thinking(text))
            }
            Some(ContentBlockDelta::Citation(citation)) => {
                let cited_text: String = citation
                    .source_content()
                    .iter()
                    .filter_map(|c| c.text())
                    .collect();
                let page = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
                let (document_index, page_start, page_end) = match citation.location() {
                    Some(CitationLocation::DocumentPage(at)) => {
                        (page(at.document_index()), page(at.start()), page(at.end()))
                    }
                    Some(CitationLocation::DocumentChar(at)) => {
                        (page(at.document_index()), None, None)
                    }
                    Some(CitationLocation::DocumentChunk(at)) => {
                        (page(at.document_index()), None, None)
                    }
                    _ => (None, None, None),
                };
                Some(StreamEvent::Citation(CitedPassage {
                    document_index: document_index.unwrap_or(0),
                    cited_text,
                    page_start,
                    // Bedrock's page ranges end exclusively; ours name the last page.
                    page_end: page_end.map(|e| e.saturating_sub(1).max(page_start.unwrap_or(0))),
                }))
            }
            _ => None,
        },
        ConverseStreamOutput::MessageStop(stop) => Some(StreamEvent::Stop {
            reason: stop.stop_reason.as_str().to_owned(),
        }),
        ConverseStreamOutput::Metadata(meta) => meta.usage.map(|u| {
            let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
            StreamEvent::Usage(TokenCounts {
                input: count(Some(u.input_tokens)),
                output: count(Some(u.output_tokens)),
                cache_read: count(u.cache_read_input_tokens),
                cache_write: count(u.cache_write_input_tokens),
            })
        }),
        _ => None,
    }
}

/// Errors inside a stream carry no code; both APIs' stream errors classify alike by type.
macro_rules! stream_error_fn {
    ($name:ident, $error:ty) => {
        fn $name<R: std::fmt::Debug + 'static>(err: &SdkError<$error, R>) -> BedrockError {
            match err {
                SdkError::ServiceError(service) => {
                    let inner = service.err();
                    if inner.is_validation_exception() {
                        return BedrockError::invalid_request(source_chain(inner));
                    }
                    let kind = if inner.is_throttling_exception() {
                        ErrorKind::Throttled
                    } else {
                        ErrorKind::Service
                    };
                    BedrockError::new(kind, source_chain(inner))
                }
                other => cut(other),
            }
        }
    };
}

stream_error_fn!(converse_stream_error, ConverseStreamOutputError);
stream_error_fn!(invoke_stream_error, ResponseStreamError);

fn cut(err: &(dyn std::error::Error + 'static)) -> BedrockError {
    BedrockError::new(
        ErrorKind::Network,
        format!("the answer stream was cut: {}", source_chain(err)),
    )
}

fn json_to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Document::Number(aws_smithy_types::Number::PosInt(u)),
            (None, Some(i), _) => Document::Number(aws_smithy_types::Number::NegInt(i)),
            (_, _, Some(f)) => Document::Number(aws_smithy_types::Number::Float(f)),
            _ => Document::Null,
        },
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(json_to_document).collect()),
        Value::Object(o) => Document::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_document(v)))
                .collect(),
        ),
    }
}

/// Anthropic fields that Converse passes through `additionalModelRequestFields`.
pub fn additional_fields(settings: &ChatSettings) -> Option<Value> {
    let mut fields = serde_json::Map::new();
    if let Some(k) = settings.top_k {
        fields.insert("top_k".into(), json!(k));
    }
    if let Some(budget) = settings.thinking_budget {
        fields.insert(
            "thinking".into(),
            json!({ "type": "enabled", "budget_tokens": budget }),
        );
    }
    if settings.context_1m {
        fields.insert("anthropic_beta".into(), json!([CONTEXT_1M_BETA]));
    }
    (!fields.is_empty()).then_some(Value::Object(fields))
}

fn non_blank(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|s| !s.trim().is_empty())
}

/// The Anthropic Messages body InvokeModel sends (tests assert it exactly).
pub fn invoke_body(turns: &[Turn], settings: &ChatSettings) -> Result<Value, BedrockError> {
    let messages: Vec<Value> = grouped_turns(turns)
        .into_iter()
        .map(|(role, members)| {
            let mut content = Vec::new();
            for turn in members {
                for doc in &turn.documents {
                    let mut block = json!({
                        "type": "document",
                        "source": {
                            "type": "base64",
                            "media_type": "application/pdf",
                            "data": base64::engine::general_purpose::STANDARD.encode(doc.bytes.load()?),
                        },
                        "title": doc.name,
                    });
                    if settings.document_citations {
                        block["citations"] = json!({ "enabled": true });
                    }
                    content.push(block);
                }
                if turn.cache_point {
                    if let Some(last) = content.last_mut().filter(|b| b["type"] == "document") {
                        last["cache_control"] = json!({ "type": "ephemeral" });
                    }
                }
                if !turn.text.trim().is_empty() {
                    content.push(json!({ "type": "text", "text": turn.text }));
                }
            }
            let role = match role {
                TurnRole::User => "user",
                TurnRole::Assistant => "assistant",
            };
            Ok(json!({ "role": role, "content": content }))
        })
        .collect::<Result<_, BedrockError>>()?;
    let mut body = json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": settings.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": messages,
    });
    if let Some(system) = non_blank(&settings.system) {
        body["system"] = json!(system);
    }
    if let Some(t) = settings.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(p) = settings.top_p {
        body["top_p"] = json!(p);
    }
    if !settings.stop_sequences.is_empty() {
        body["stop_sequences"] = json!(settings.stop_sequences);
    }
    if let Some(Value::Object(extra)) = additional_fields(settings) {
        for (k, v) in extra {
            body[k] = v;
        }
    }
    Ok(body)
}

/// Input tokens the request would use, from Bedrock's CountTokens (free; nothing is invoked),
/// in the form of the settings' API.
pub async fn count_input_tokens(
    clients: &BedrockClients,
    request: &ChatRequest,
) -> Result<u32, BedrockError> {
    use aws_sdk_bedrockruntime::types::{
        ConverseTokensRequest, CountTokensInput, InvokeModelTokensRequest,
    };
    let settings = &request.settings;
    let input = match settings.api {
        ChatApi::Converse => {
            let mut tokens = ConverseTokensRequest::builder().set_messages(Some(build_messages(
                &request.turns,
                settings.document_citations,
            )?));
            if let Some(system) = non_blank(&settings.system) {
                tokens = tokens.system(SystemContentBlock::Text(system.to_owned()));
            }
            CountTokensInput::Converse(tokens.build())
        }
        ChatApi::InvokeModel => CountTokensInput::InvokeModel(
            InvokeModelTokensRequest::builder()
                .body(Blob::new(
                    invoke_body(&request.turns, settings)?.to_string(),
                ))
                .build()
                .map_err(internal)?,
        ),
    };
    let out = clients
        .runtime
        .count_tokens()
        .model_id(&request.model_id)
        .input(input)
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    Ok(u32::try_from(out.input_tokens).unwrap_or(0))
}

/// Starts a streamed answer through the settings' API; errors before the first event are
/// returned here.
pub async fn stream_answer(
    clients: &BedrockClients,
    request: &ChatRequest,
) -> Result<ChatStream, BedrockError> {
    let settings = &request.settings;
    let receiver = match settings.api {
        ChatApi::Converse => {
            let messages = build_messages(&request.turns, settings.document_citations)?;
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
            if let Some(system) = non_blank(&settings.system) {
                call = call.system(SystemContentBlock::Text(system.to_owned()));
            }
            let inference = InferenceConfiguration::builder()
                .set_max_tokens(settings.max_tokens.and_then(|m| i32::try_from(m).ok()))
                .set_temperature(settings.temperature.map(|t| t as f32))
                .set_top_p(settings.top_p.map(|p| p as f32))
                .set_stop_sequences(
                    (!settings.stop_sequences.is_empty()).then(|| settings.stop_sequences.clone()),
                )
                .build();
            call = call.inference_config(inference);
            if let Some(fields) = additional_fields(settings) {
                call = call.additional_model_request_fields(json_to_document(&fields));
            }
            Receiver::Converse(call.send().await.map_err(|e| from_sdk(&e))?.stream)
        }
        ChatApi::InvokeModel => {
            let body = invoke_body(&request.turns, settings)?;
            if body["messages"].as_array().is_none_or(|m| m.is_empty()) {
                return Err(BedrockError::new(
                    ErrorKind::InvalidInput,
                    "the message is empty",
                ));
            }
            let out = clients
                .runtime
                .invoke_model_with_response_stream()
                .model_id(&request.model_id)
                .content_type("application/json")
                .accept("application/json")
                .body(Blob::new(body.to_string()))
                .send()
                .await
                .map_err(|e| from_sdk(&e))?;
            Receiver::Invoke(out.body)
        }
    };
    Ok(ChatStream {
        receiver,
        opening_usage: TokenCounts::default(),
        pending: VecDeque::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: TurnRole, text: &str) -> Turn {
        Turn::text(role, text)
    }

    #[test]
    fn consecutive_turns_of_one_role_are_merged() {
        let messages = build_messages(
            &[
                turn(TurnRole::User, "first"),
                turn(TurnRole::User, "second"),
                turn(TurnRole::Assistant, "answer"),
                turn(TurnRole::Assistant, ""),
                turn(TurnRole::User, "third"),
            ],
            true,
        )
        .expect("valid");
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[0].content.len(), 2);
        assert_eq!(messages[1].role, ConversationRole::Assistant);
    }

    #[test]
    fn the_invoke_body_is_an_anthropic_messages_request() {
        let settings = ChatSettings {
            api: ChatApi::InvokeModel,
            system: Some("Be brief.".into()),
            max_tokens: Some(300),
            temperature: Some(0.5),
            top_p: None,
            top_k: Some(40),
            stop_sequences: vec!["END".into()],
            thinking_budget: None,
            context_1m: true,
            document_citations: true,
        };
        let body = invoke_body(
            &[
                turn(TurnRole::User, "a"),
                turn(TurnRole::User, "b"),
                turn(TurnRole::Assistant, "c"),
                turn(TurnRole::User, "d"),
            ],
            &settings,
        )
        .expect("body");
        assert_eq!(
            body,
            json!({
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 300,
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                    {"role": "assistant", "content": [{"type": "text", "text": "c"}]},
                    {"role": "user", "content": [{"type": "text", "text": "d"}]},
                ],
                "system": "Be brief.",
                "temperature": 0.5,
                "stop_sequences": ["END"],
                "top_k": 40,
                "anthropic_beta": ["context-1m-2025-08-07"],
            })
        );
        let plain =
            invoke_body(&[turn(TurnRole::User, "x")], &ChatSettings::default()).expect("body");
        assert_eq!(plain["max_tokens"], DEFAULT_MAX_TOKENS);
        assert!(plain.get("anthropic_beta").is_none() && plain.get("system").is_none());
    }

    #[test]
    fn documents_come_before_the_text_with_their_neutral_names() {
        let doc = TurnDocument {
            name: "Document 1".into(),
            bytes: DocumentBytes::Memory(std::sync::Arc::new(b"%PDF-1.4 x".to_vec())),
        };
        let question = Turn {
            documents: vec![doc],
            ..turn(TurnRole::User, "Summarize it")
        };
        let body = invoke_body(
            std::slice::from_ref(&question),
            &ChatSettings {
                document_citations: false,
                ..ChatSettings::default()
            },
        )
        .expect("body");
        assert_eq!(
            body["messages"][0]["content"],
            json!([
                {"type": "document", "title": "Document 1", "source": {
                    "type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQgeA=="}},
                {"type": "text", "text": "Summarize it"},
            ])
        );
        let messages = build_messages(&[question], true).expect("valid");
        let ContentBlock::Document(block) = &messages[0].content[0] else {
            panic!("document first");
        };
        assert_eq!(block.name, "Document 1");
        assert_eq!(block.citations.as_ref().map(|c| c.enabled), Some(true));
        assert!(matches!(messages[0].content[1], ContentBlock::Text(_)));
    }

    #[test]
    fn a_leading_assistant_turn_is_dropped() {
        let messages = build_messages(
            &[turn(TurnRole::Assistant, "hi"), turn(TurnRole::User, "q")],
            true,
        )
        .expect("valid");
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].role, ConversationRole::User);
    }
}
