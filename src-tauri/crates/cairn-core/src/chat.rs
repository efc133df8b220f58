//! Send a message — or edit one, regenerate or continue an answer: store it, stream the
//! answer, store the answer (and its thinking) as it arrives.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_bedrock::access::{
    accepts_context_1m, estimate_cost, limits_for, price_for, TokenCounts,
};
use cairn_bedrock::chat::{
    stream_answer, ChatRequest, ChatSettings, CitedPassage, DocumentBytes, StreamEvent, Turn,
    TurnDocument, TurnRole, DEFAULT_MAX_TOKENS,
};
use cairn_bedrock::error::ChatParameter;
use cairn_bedrock::{BedrockClients, ErrorKind};
use cairn_store::{Citation, DocumentInfo, MessageStatus, Role, Store, Usage};

use crate::activity::{self, ActivityContext};
use crate::documents::{check_request, neutral_name, DocumentStore};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::CairnError;

/// Partial answers are written to the database at most this often while streaming.
const SAVE_EVERY: Duration = Duration::from_millis(250);
/// The clock is read once per this many deltas: fast streams send thousands a second.
const DELTAS_PER_CLOCK_CHECK: u32 = 8;
/// Extended thinking needs at least this budget.
pub const MIN_THINKING_BUDGET: u32 = 1024;

/// What a send does besides asking the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SendAction {
    /// Replace this user message's text with the request's text; every later message goes.
    #[serde(rename_all = "camelCase")]
    Edit { message_id: String },
    /// Answer again in place of this answer (the Retry after a failure, too); every later
    /// message goes. The request's text is not used.
    #[serde(rename_all = "camelCase")]
    Regenerate { message_id: String },
    /// Continue this interrupted answer where it stopped: its text is sent as the start of the
    /// answer and the model writes on. Thinking is off for the continuation (a started answer
    /// cannot be thought about afresh). The request's text is not used.
    #[serde(rename_all = "camelCase")]
    Continue { message_id: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SendRequest {
    /// Chosen by the UI; `stop_stream` cancels by it.
    pub stream_id: String,
    /// `None` starts a new conversation.
    pub conversation_id: Option<String>,
    /// The invocation ID (profile or base ID).
    pub model_id: String,
    pub text: String,
    /// API, system prompt and parameters; saved with the conversation. `None` keeps the
    /// conversation's saved settings (or the defaults).
    #[serde(default)]
    #[specta(optional)]
    pub settings: Option<ChatSettings>,
    /// `None` sends `text` as a new message.
    #[serde(default)]
    #[specta(optional)]
    pub action: Option<SendAction>,
    /// PDFs attached to this new message (as `attach_documents` returned them); they are sent
    /// again with every later turn of the conversation.
    #[serde(default)]
    #[specta(optional)]
    pub documents: Vec<DocumentInfo>,
}

/// What a message would cost to send, counted by Bedrock before it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InputEstimate {
    pub input_tokens: u32,
    /// USD for the input at the full price (prompt caching can make later turns cheaper).
    pub cost_usd: Option<f64>,
    pub price_date: Option<String>,
}

/// What the UI hears while an answer streams. Every stream ends with exactly one of
/// `Done`, `Failed` or `Cancelled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ChatEvent {
    /// The messages are stored. For Edit and Regenerate the messages after the user message
    /// are gone; for Continue the answer is `assistant_message_id` itself, its text cut to
    /// `continued_from` (trailing whitespace removed), and deltas append to it.
    #[serde(rename_all = "camelCase")]
    Started {
        conversation_id: String,
        user_message_id: String,
        assistant_message_id: String,
        continued_from: Option<String>,
    },
    Delta {
        text: String,
    },
    /// Extended thinking, streamed before the answer's text.
    Thinking {
        text: String,
    },
    /// The answer cites a document here (its marker goes at `citation.text_offset`).
    Citation {
        citation: Citation,
    },
    #[serde(rename_all = "camelCase")]
    Done {
        usage: Usage,
        stop_reason: String,
    },
    Failed {
        error: CairnError,
    },
    Cancelled,
    /// Bedrock is throttling (or briefly unavailable): Cairn waits `wait_ms`, then tries again.
    #[serde(rename_all = "camelCase")]
    Retrying {
        /// 1 for the first retry.
        attempt: u32,
        max_attempts: u32,
        wait_ms: u32,
        error: CairnError,
    },
}

fn refused(code: &str, message: String, parameters: Vec<ChatParameter>) -> CairnError {
    let mut error = CairnError::new(ErrorKind::InvalidInput, message).with_code(code);
    error.parameters = parameters;
    error
}

/// Settings Bedrock would refuse for this model, found before anything is stored or sent.
/// The error names the settings so the UI can offer to drop them.
pub fn check_settings(model_id: &str, settings: &ChatSettings) -> Result<(), CairnError> {
    use ChatParameter::*;
    if settings.context_1m && !accepts_context_1m(model_id) {
        return Err(refused(
            "Context1mUnsupported",
            format!("{model_id} does not accept the 1M-token context beta"),
            vec![Context1m],
        ));
    }
    let Some(limits) = limits_for(model_id) else {
        // Unknown to the bundled data: Bedrock itself will judge.
        return Ok(());
    };
    if let Some(max) = settings.max_tokens.filter(|m| *m > limits.max_output) {
        return Err(refused(
            "MaxTokensAboveLimit",
            format!(
                "max tokens {max} is above this model's limit of {}",
                limits.max_output
            ),
            vec![MaxTokens],
        ));
    }
    if limits.sampling_exclusive && settings.temperature.is_some() && settings.top_p.is_some() {
        return Err(refused(
            "TemperatureWithTopP",
            format!("{model_id} takes temperature or top-p, not both"),
            vec![TopP, Temperature],
        ));
    }
    let Some(budget) = settings.thinking_budget else {
        return Ok(());
    };
    if !limits.thinking {
        return Err(refused(
            "ThinkingUnsupported",
            format!("{model_id} has no extended thinking"),
            vec![Thinking],
        ));
    }
    if budget < MIN_THINKING_BUDGET {
        return Err(refused(
            "ThinkingBudgetTooSmall",
            format!("a thinking budget needs at least {MIN_THINKING_BUDGET} tokens"),
            vec![Thinking],
        ));
    }
    if settings
        .temperature
        .is_some_and(|t| (t - 1.0).abs() > f64::EPSILON)
    {
        return Err(refused(
            "ThinkingWithTemperature",
            "with extended thinking the temperature must be 1 (or unset)".into(),
            vec![Temperature, Thinking],
        ));
    }
    if settings.top_k.is_some() {
        return Err(refused(
            "ThinkingWithTopK",
            "top-k cannot be used with extended thinking".into(),
            vec![TopK, Thinking],
        ));
    }
    if settings.max_tokens.is_some_and(|max| max <= budget) {
        return Err(refused(
            "ThinkingBudgetAboveMaxTokens",
            format!("max tokens must be above the thinking budget of {budget}"),
            vec![MaxTokens, Thinking],
        ));
    }
    Ok(())
}

/// The settings as sent: with thinking on and no max tokens set, room is made for the
/// budget plus an answer (Bedrock needs max tokens above the budget).
fn settings_to_send(model_id: &str, settings: &ChatSettings) -> ChatSettings {
    let mut out = settings.clone();
    if let (Some(budget), None) = (out.thinking_budget, out.max_tokens) {
        let ceiling = limits_for(model_id).map_or(u32::MAX, |l| l.max_output);
        out.max_tokens = Some(budget.saturating_add(DEFAULT_MAX_TOKENS).min(ceiling));
    }
    out
}

fn turns_documents(turns: &[Turn]) -> usize {
    turns.iter().map(|t| t.documents.len()).sum()
}

/// A citation as the UI shows it: numbered, pointing at the stored document, placed where the
/// answer's text stands (UTF-16 offset, as the UI's strings count).
fn cite(passage: &CitedPassage, received: &Received, sent: &[DocumentInfo]) -> Citation {
    let document = usize::try_from(passage.document_index)
        .ok()
        .and_then(|i| sent.get(i));
    Citation {
        number: u32::try_from(received.citations.len() + 1).unwrap_or(u32::MAX),
        document_id: document.map(|d| d.id.clone()),
        document_name: document.map_or_else(
            || format!("Document {}", passage.document_index + 1),
            |d| d.name.clone(),
        ),
        cited_text: passage.cited_text.clone(),
        page_start: passage.page_start,
        page_end: passage.page_end,
        text_offset: u32::try_from(received.text.encode_utf16().count()).unwrap_or(u32::MAX),
    }
}

/// Where the answer goes and what it starts from.
struct Prepared {
    conversation_id: String,
    user_message_id: String,
    assistant_message_id: String,
    /// Continue: the answer's text so far (no trailing whitespace) and its thinking.
    continued: Option<(String, Option<String>)>,
    /// Continue: the citations the answer already has.
    citations: Vec<Citation>,
}

/// Waits before each automatic retry of a throttled request (then the user gets a Retry).
pub const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

pub struct ChatService {
    store: Arc<Store>,
    clients: BedrockClients,
    retry_delays: Vec<Duration>,
    documents: Option<DocumentStore>,
    /// Every model call is written to the activity log under this connection.
    activity: Option<ActivityContext>,
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

fn invalid(message: &str) -> CairnError {
    CairnError::new(ErrorKind::InvalidInput, message)
}

/// The answer being received: text, thinking and citations, and what of them is on disk.
#[derive(Default)]
struct Received {
    text: String,
    thinking: String,
    saved: (usize, usize),
    citations: Vec<Citation>,
}

impl Received {
    fn thinking(&self) -> Option<&str> {
        (!self.thinking.is_empty()).then_some(self.thinking.as_str())
    }

    fn unsaved(&self) -> bool {
        self.saved != (self.text.len(), self.thinking.len())
    }
}

impl ChatService {
    pub fn new(store: Arc<Store>, clients: BedrockClients) -> Self {
        Self {
            store,
            clients,
            retry_delays: RETRY_DELAYS.to_vec(),
            documents: None,
            activity: None,
        }
    }

    /// Log each model call for this connection in the activity log.
    pub fn with_activity(mut self, context: ActivityContext) -> Self {
        self.activity = Some(context);
        self
    }

    /// Writes one call to the activity log; a failure to log never fails the chat.
    fn log_call(
        &self,
        request: &ChatRequest,
        outcome: &str,
        error_kind: Option<ErrorKind>,
        usage: Option<&Usage>,
        since: Instant,
    ) {
        let Some(context) = &self.activity else {
            return;
        };
        let question = request
            .turns
            .iter()
            .rev()
            .find(|t| t.role == TurnRole::User)
            .map_or("", |t| t.text.as_str());
        let call = activity::Call {
            invocation_id: &request.model_id,
            api: match request.settings.api {
                cairn_bedrock::chat::ChatApi::Converse => "converse",
                cairn_bedrock::chat::ChatApi::InvokeModel => "invokeModel",
            },
            outcome,
            error_kind,
            usage,
            duration_ms: millis(since.elapsed()),
            question,
        };
        if let Err(error) =
            activity::record(&self.store, context, call, time::OffsetDateTime::now_utc())
        {
            tracing::warn!(%error, "could not write the activity log");
        }
    }

    /// Where PDFs are kept (without it, messages with documents are refused).
    pub fn with_documents(mut self, documents: DocumentStore) -> Self {
        self.documents = Some(documents);
        self
    }

    /// Other waits between automatic retries (tests use short ones).
    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = delays;
        self
    }

    pub fn clients(&self) -> &BedrockClients {
        &self.clients
    }

    /// A conversation's saved API, system prompt and parameters (the defaults when none).
    pub fn settings(&self, conversation_id: &str) -> Result<ChatSettings, CairnError> {
        Ok(self
            .store
            .conversation_settings(conversation_id)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Sends `request` and streams the answer to `emit`. Returns `Err` only for problems found
    /// before anything was stored (empty text, settings the model refuses, unknown
    /// conversation or message, database failure); every later outcome is reported through
    /// `emit` and stored with the message.
    pub async fn send(
        &self,
        request: SendRequest,
        cancel: CancellationToken,
        mut emit: impl FnMut(ChatEvent),
    ) -> Result<(), CairnError> {
        if request.model_id.trim().is_empty() {
            return Err(invalid("no model is selected"));
        }
        // The conversation and, for an action, the position of the message it acts on.
        let acted_on = match &request.action {
            None => None,
            Some(
                SendAction::Edit { message_id }
                | SendAction::Regenerate { message_id }
                | SendAction::Continue { message_id },
            ) => Some(self.store.message(message_id)?),
        };
        let conversation = match &acted_on {
            Some(at) => Some(at.conversation_id.as_str()),
            None => request.conversation_id.as_deref(),
        };
        // Edit and regenerate send the documents up to the message they act on.
        let until = match (&request.action, &acted_on) {
            (Some(SendAction::Edit { .. } | SendAction::Regenerate { .. }), Some(at)) => {
                Some(at.seq)
            }
            _ => None,
        };
        let has_text = request.action.is_some() || !request.text.trim().is_empty();
        let settings = self.checked(&request, conversation, until, has_text)?;

        // The user's words are safe on disk before the request leaves.
        let prepared = self.prepare(&request)?;
        if !request.documents.is_empty() && request.action.is_none() {
            self.store
                .attach_documents(&prepared.user_message_id, &request.documents)?;
        }
        if request.settings.is_some() {
            if let Ok(json) = serde_json::to_string(&settings) {
                self.store
                    .set_conversation_settings(&prepared.conversation_id, &json)?;
            }
        }
        let history = self.store.conversation(&prepared.conversation_id)?;
        // Documents are numbered across the request; citations point back by that number.
        let mut sent_documents: Vec<DocumentInfo> = Vec::new();
        let mut turns: Vec<Turn> = Vec::new();
        for m in history
            .messages
            .iter()
            .filter(|m| m.id != prepared.assistant_message_id)
            .filter(|m| m.role == Role::User || !m.text.trim().is_empty())
        {
            turns.push(self.turn_of(
                &m.role,
                m.text.clone(),
                &m.documents,
                sent_documents.len(),
            )?);
            sent_documents.extend(m.documents.iter().cloned());
        }
        // The documents are the bulk of the input and repeat on every turn: cache them.
        if limits_for(&request.model_id).is_some_and(|l| l.prompt_cache) {
            if let Some(last) = turns.iter_mut().rev().find(|t| !t.documents.is_empty()) {
                last.cache_point = true;
            }
        }
        let mut to_send = settings_to_send(&request.model_id, &settings);
        if let Some((text, _)) = &prepared.continued {
            turns.push(Turn::text(TurnRole::Assistant, text.clone()));
            to_send.thinking_budget = None;
        }
        emit(ChatEvent::Started {
            conversation_id: prepared.conversation_id.clone(),
            user_message_id: prepared.user_message_id.clone(),
            assistant_message_id: prepared.assistant_message_id.clone(),
            continued_from: prepared.continued.as_ref().map(|(text, _)| text.clone()),
        });

        let received = match prepared.continued {
            Some((text, thinking)) => Received {
                saved: (text.len(), thinking.as_ref().map_or(0, String::len)),
                text,
                thinking: thinking.unwrap_or_default(),
                citations: prepared.citations,
            },
            None => Received::default(),
        };
        let message_id = prepared.assistant_message_id;
        let outcome = self
            .stream_answer(
                ChatRequest {
                    model_id: request.model_id.clone(),
                    turns,
                    settings: to_send,
                },
                &message_id,
                received,
                &sent_documents,
                &cancel,
                &mut emit,
            )
            .await;
        if let Err(error) = outcome {
            // The database itself failed mid-answer: say so, and leave the message marked.
            let _ = self
                .store
                .set_message_status(&message_id, MessageStatus::Incomplete);
            emit(ChatEvent::Failed { error });
        }
        Ok(())
    }

    /// Counts the input tokens of `request` as it would be sent now (the conversation so far,
    /// its documents, and this message) and prices them. Nothing is stored; the same checks as
    /// `send` run first, so a refusal shows before the user presses Enter.
    pub async fn estimate(&self, request: &SendRequest) -> Result<InputEstimate, CairnError> {
        let settings = self.checked(
            request,
            request.conversation_id.as_deref(),
            None,
            !request.text.trim().is_empty(),
        )?;
        let mut turns = Vec::new();
        if let Some(id) = &request.conversation_id {
            for m in self.store.conversation(id)?.messages {
                turns.push(self.turn_of(&m.role, m.text, &m.documents, turns_documents(&turns))?);
            }
        }
        turns.push(self.turn_of(
            &Role::User,
            request.text.clone(),
            &request.documents,
            turns_documents(&turns),
        )?);
        let chat = ChatRequest {
            model_id: request.model_id.clone(),
            turns,
            settings: settings_to_send(&request.model_id, &settings),
        };
        let input_tokens = cairn_bedrock::chat::count_input_tokens(&self.clients, &chat).await?;
        let price = price_for(&request.model_id);
        Ok(InputEstimate {
            input_tokens,
            cost_usd: price.as_ref().map(|p| {
                estimate_cost(
                    p,
                    TokenCounts {
                        input: input_tokens,
                        ..TokenCounts::default()
                    },
                    settings.context_1m,
                )
            }),
            price_date: price.map(|p| p.date),
        })
    }

    /// A stored or new message as a turn, its documents read and named after those before.
    fn turn_of(
        &self,
        role: &Role,
        text: String,
        documents: &[DocumentInfo],
        numbered_before: usize,
    ) -> Result<Turn, CairnError> {
        let mut sent = Vec::new();
        for (i, doc) in documents.iter().enumerate() {
            sent.push(TurnDocument {
                name: neutral_name(numbered_before + i),
                bytes: DocumentBytes::File(self.document_path(&doc.id)?),
            });
        }
        Ok(Turn {
            role: match role {
                Role::User => TurnRole::User,
                Role::Assistant => TurnRole::Assistant,
            },
            text,
            documents: sent,
            cache_point: false,
        })
    }

    /// Stores what the action changes and the (empty, streaming) answer.
    fn prepare(&self, request: &SendRequest) -> Result<Prepared, CairnError> {
        let text = request.text.trim();
        let new_answer = |conversation_id: &str| {
            self.store.add_message(
                conversation_id,
                Role::Assistant,
                "",
                MessageStatus::Streaming,
                Some(&request.model_id),
            )
        };
        match &request.action {
            None => {
                if text.is_empty() {
                    return Err(invalid("the message is empty"));
                }
                let conversation_id = match &request.conversation_id {
                    Some(id) => id.clone(),
                    None => {
                        self.store
                            .create_conversation(&cairn_store::title_from(text), &request.model_id)?
                            .id
                    }
                };
                let user_message_id = self.store.add_message(
                    &conversation_id,
                    Role::User,
                    &request.text,
                    MessageStatus::Complete,
                    None,
                )?;
                Ok(Prepared {
                    assistant_message_id: new_answer(&conversation_id)?,
                    conversation_id,
                    user_message_id,
                    continued: None,
                    citations: Vec::new(),
                })
            }
            Some(SendAction::Edit { message_id }) => {
                if text.is_empty() {
                    return Err(invalid("the message is empty"));
                }
                let at = self.store.message(message_id)?;
                if at.message.role != Role::User {
                    return Err(invalid("only your own messages can be edited"));
                }
                self.store
                    .delete_messages_from(&at.conversation_id, at.seq + 1)?;
                self.store.save_partial(message_id, &request.text, None)?;
                Ok(Prepared {
                    assistant_message_id: new_answer(&at.conversation_id)?,
                    conversation_id: at.conversation_id,
                    user_message_id: message_id.clone(),
                    continued: None,
                    citations: Vec::new(),
                })
            }
            Some(SendAction::Regenerate { message_id }) => {
                let at = self.store.message(message_id)?;
                if at.message.role != Role::Assistant {
                    return Err(invalid("only answers can be regenerated"));
                }
                let question = self.question_before(&at)?;
                self.store
                    .delete_messages_from(&at.conversation_id, at.seq)?;
                Ok(Prepared {
                    assistant_message_id: new_answer(&at.conversation_id)?,
                    conversation_id: at.conversation_id,
                    user_message_id: question,
                    continued: None,
                    citations: Vec::new(),
                })
            }
            Some(SendAction::Continue { message_id }) => {
                let at = self.store.message(message_id)?;
                let is_last = self.store.last_seq(&at.conversation_id)? == at.seq;
                let so_far = at.message.text.trim_end().to_owned();
                if at.message.role != Role::Assistant || !is_last || so_far.is_empty() {
                    return Err(invalid(
                        "only the last answer, with some text, can be continued",
                    ));
                }
                let question = self.question_before(&at)?;
                self.store
                    .save_partial(message_id, &so_far, at.message.thinking.as_deref())?;
                self.store
                    .set_message_status(message_id, MessageStatus::Streaming)?;
                Ok(Prepared {
                    conversation_id: at.conversation_id,
                    user_message_id: question,
                    assistant_message_id: message_id.clone(),
                    continued: Some((so_far, at.message.thinking)),
                    citations: at.message.citations,
                })
            }
        }
    }

    /// Where a stored document is (its bytes are read only into the request itself).
    fn document_path(&self, id: &str) -> Result<std::path::PathBuf, CairnError> {
        match &self.documents {
            Some(store) => store.path(id).map_err(|e| {
                CairnError::new(
                    ErrorKind::NotFound,
                    format!("a document of this conversation is missing: {}", e.message),
                )
                .with_code("DocumentMissing")
            }),
            None => Err(CairnError::new(ErrorKind::Internal, "no document store")),
        }
    }

    /// The settings a request is sent with, checked against the model; and every document it
    /// will carry (the conversation's, up to position `until`, then the new ones) checked
    /// against the API's and the model's limits and found on disk. The same checks run for
    /// `send` and `estimate`, before anything is stored or sent.
    fn checked(
        &self,
        request: &SendRequest,
        conversation: Option<&str>,
        until: Option<i64>,
        has_text: bool,
    ) -> Result<ChatSettings, CairnError> {
        let model_id = request.model_id.as_str();
        let settings = match (&request.settings, conversation) {
            (Some(s), _) => s.clone(),
            (None, Some(id)) => self.settings(id)?,
            (None, None) => ChatSettings::default(),
        };
        check_settings(model_id, &settings)?;
        let mut all = match conversation {
            Some(id) => self.store.conversation_documents(id, until)?,
            None => Vec::new(),
        };
        all.extend(request.documents.iter().cloned());
        if !all.is_empty() {
            check_request(&all, has_text, model_id, &settings)?;
            for doc in &all {
                self.document_path(&doc.id)?;
            }
        }
        Ok(settings)
    }

    /// The user message an answer replies to.
    fn question_before(&self, at: &cairn_store::MessageAt) -> Result<String, CairnError> {
        self.store
            .question_before(&at.conversation_id, at.seq)?
            .ok_or_else(|| invalid("this answer has no question before it"))
    }

    async fn stream_answer(
        &self,
        request: ChatRequest,
        message_id: &str,
        mut received: Received,
        sent_documents: &[DocumentInfo],
        cancel: &CancellationToken,
        emit: &mut impl FnMut(ChatEvent),
    ) -> Result<(), CairnError> {
        let started = Instant::now();
        let mut attempt = 0usize;
        let mut attempt_started;
        let opened = loop {
            attempt_started = Instant::now();
            let opened = tokio::select! {
                biased;
                _ = cancel.cancelled() => None,
                opened = stream_answer(&self.clients, &request) => Some(opened),
            };
            // Throttling and brief unavailability pass: wait (visibly, cancellably) and retry.
            let retryable = matches!(&opened, Some(Err(e))
                if e.kind == ErrorKind::Throttled
                    || e.code.as_deref() == Some("ServiceUnavailableException"));
            let Some(delay) = self
                .retry_delays
                .get(attempt)
                .copied()
                .filter(|_| retryable)
            else {
                break opened;
            };
            attempt += 1;
            if let Some(Err(e)) = opened {
                self.log_call(&request, "failed", Some(e.kind), None, attempt_started);
                emit(ChatEvent::Retrying {
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    max_attempts: u32::try_from(self.retry_delays.len()).unwrap_or(u32::MAX),
                    wait_ms: millis(delay),
                    error: e.into(),
                });
            }
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break None,
                _ = tokio::time::sleep(delay) => {}
            }
        };
        // A continued answer keeps its earlier text whatever happens; a new one had none.
        let status_before_any_text = |failed| {
            if received.text.is_empty() {
                failed
            } else {
                MessageStatus::Incomplete
            }
        };
        let mut stream = match opened {
            None => {
                self.log_call(&request, "cancelled", None, None, attempt_started);
                self.store.finish_message(
                    message_id,
                    &received.text,
                    received.thinking(),
                    status_before_any_text(MessageStatus::Cancelled),
                    None,
                )?;
                emit(ChatEvent::Cancelled);
                return Ok(());
            }
            Some(Err(error)) => {
                self.log_call(&request, "failed", Some(error.kind), None, attempt_started);
                self.store.finish_message(
                    message_id,
                    &received.text,
                    received.thinking(),
                    status_before_any_text(MessageStatus::Failed),
                    None,
                )?;
                emit(ChatEvent::Failed {
                    error: error.into(),
                });
                return Ok(());
            }
            Some(Ok(stream)) => stream,
        };

        let mut first_token: Option<Duration> = None;
        let mut last_save = Instant::now();
        let mut deltas_since_check = 0u32;
        let mut stop_reason: Option<String> = None;
        let mut tokens: Option<TokenCounts> = None;
        // One waiter for the whole stream: a fresh `cancelled()` per delta would register and
        // unregister with the token thousands of times a second on fast streams.
        let cancelled = cancel.cancelled();
        tokio::pin!(cancelled);
        loop {
            let next = tokio::select! {
                biased;
                _ = &mut cancelled => {
                    self.log_call(&request, "cancelled", None, None, attempt_started);
                    self.store.finish_message(
                        message_id,
                        &received.text,
                        received.thinking(),
                        MessageStatus::Cancelled,
                        None,
                    )?;
                    emit(ChatEvent::Cancelled);
                    return Ok(());
                }
                next = stream.next() => next,
            };
            let delta = match next {
                Some(Ok(StreamEvent::Text(delta))) => {
                    received.text.push_str(&delta);
                    ChatEvent::Delta { text: delta }
                }
                Some(Ok(StreamEvent::Thinking(delta))) => {
                    received.thinking.push_str(&delta);
                    ChatEvent::Thinking { text: delta }
                }
                Some(Ok(StreamEvent::Stop { reason })) => {
                    stop_reason = Some(reason);
                    continue;
                }
                Some(Ok(StreamEvent::Usage(counts))) => {
                    tokens = Some(counts);
                    continue;
                }
                Some(Ok(StreamEvent::Citation(passage))) => {
                    let citation = cite(&passage, &received, sent_documents);
                    received.citations.push(citation.clone());
                    self.store.set_citations(message_id, &received.citations)?;
                    emit(ChatEvent::Citation { citation });
                    continue;
                }
                Some(Err(error)) => {
                    let usage = tokens.map(|t| self.usage(&request, t, first_token, started));
                    self.log_call(
                        &request,
                        "incomplete",
                        Some(error.kind),
                        usage.as_ref(),
                        attempt_started,
                    );
                    self.store.finish_message(
                        message_id,
                        &received.text,
                        received.thinking(),
                        MessageStatus::Incomplete,
                        usage.as_ref(),
                    )?;
                    emit(ChatEvent::Failed {
                        error: error.into(),
                    });
                    return Ok(());
                }
                None => break,
            };
            first_token.get_or_insert_with(|| started.elapsed());
            emit(delta);
            deltas_since_check += 1;
            if deltas_since_check >= DELTAS_PER_CLOCK_CHECK {
                deltas_since_check = 0;
                if last_save.elapsed() >= SAVE_EVERY && received.unsaved() {
                    self.store
                        .save_partial(message_id, &received.text, received.thinking())?;
                    received.saved = (received.text.len(), received.thinking.len());
                    last_save = Instant::now();
                }
            }
        }
        let usage = tokens.map(|t| self.usage(&request, t, first_token, started));
        let Some(stop_reason) = stop_reason else {
            self.log_call(
                &request,
                "incomplete",
                Some(ErrorKind::Network),
                usage.as_ref(),
                attempt_started,
            );
            self.store.finish_message(
                message_id,
                &received.text,
                received.thinking(),
                MessageStatus::Incomplete,
                usage.as_ref(),
            )?;
            emit(ChatEvent::Failed {
                error: CairnError::new(
                    ErrorKind::Network,
                    "the answer stream ended before the model finished",
                ),
            });
            return Ok(());
        };
        let usage = usage
            .unwrap_or_else(|| self.usage(&request, TokenCounts::default(), first_token, started));
        self.log_call(&request, "complete", None, Some(&usage), attempt_started);
        self.store.finish_message(
            message_id,
            &received.text,
            received.thinking(),
            MessageStatus::Complete,
            Some(&usage),
        )?;
        self.store.set_stop_reason(message_id, &stop_reason)?;
        emit(ChatEvent::Done { usage, stop_reason });
        Ok(())
    }

    /// Tokens, timings and the estimated cost of one answer.
    fn usage(
        &self,
        request: &ChatRequest,
        tokens: TokenCounts,
        first_token: Option<Duration>,
        started: Instant,
    ) -> Usage {
        let price = price_for(&request.model_id);
        Usage {
            input_tokens: tokens.input,
            output_tokens: tokens.output,
            cache_read_tokens: tokens.cache_read,
            cache_write_tokens: tokens.cache_write,
            first_token_ms: first_token.map(millis),
            total_ms: Some(millis(started.elapsed())),
            cost_usd: price
                .as_ref()
                .map(|p| estimate_cost(p, tokens, request.settings.context_1m)),
            price_date: price.map(|p| p.date),
        }
    }
}
