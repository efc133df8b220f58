//! Send a message: store it, stream the answer, store the answer as it arrives.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_bedrock::access::{accepts_context_1m, estimate_cost, price_for};
use cairn_bedrock::chat::{stream_answer, ChatRequest, ChatSettings, StreamEvent, Turn, TurnRole};
use cairn_bedrock::{BedrockClients, ErrorKind};
use cairn_store::{MessageStatus, Role, Store};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::CairnError;

/// Partial answers are written to the database at most this often while streaming.
const SAVE_EVERY: Duration = Duration::from_millis(250);
/// The clock is read once per this many deltas: fast streams send thousands a second.
const DELTAS_PER_CLOCK_CHECK: u32 = 8;

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AnswerUsage {
    pub input_tokens: u32,
    pub output_tokens: u32,
    /// Time to the first token, from the moment the request left.
    pub first_token_ms: Option<u32>,
    pub total_ms: u32,
    /// Estimated USD from the bundled list prices (premium and long-context included);
    /// `None` when the model's price is unknown.
    pub cost_usd: Option<f64>,
    /// The date of the price list the estimate used.
    pub price_date: Option<String>,
}

/// What the UI hears while an answer streams. Every stream ends with exactly one of
/// `Done`, `Failed` or `Cancelled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ChatEvent {
    #[serde(rename_all = "camelCase")]
    Started {
        conversation_id: String,
        user_message_id: String,
        assistant_message_id: String,
    },
    Delta {
        text: String,
    },
    #[serde(rename_all = "camelCase")]
    Done {
        usage: AnswerUsage,
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
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

impl ChatService {
    pub fn new(store: Arc<Store>, clients: BedrockClients) -> Self {
        Self {
            store,
            clients,
            retry_delays: RETRY_DELAYS.to_vec(),
        }
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
    /// before anything was stored (empty text, unknown conversation, database failure); every
    /// later outcome is reported through `emit` and stored with the message.
    pub async fn send(
        &self,
        request: SendRequest,
        cancel: CancellationToken,
        mut emit: impl FnMut(ChatEvent),
    ) -> Result<(), CairnError> {
        let text = request.text.trim();
        if text.is_empty() {
            return Err(CairnError::new(
                ErrorKind::InvalidInput,
                "the message is empty",
            ));
        }
        if request.model_id.trim().is_empty() {
            return Err(CairnError::new(
                ErrorKind::InvalidInput,
                "no model is selected",
            ));
        }
        let settings = match &request.settings {
            Some(s) => s.clone(),
            None => match &request.conversation_id {
                Some(id) => self.settings(id)?,
                None => ChatSettings::default(),
            },
        };
        // The beta flag goes only to models that accept it.
        if settings.context_1m && !accepts_context_1m(&request.model_id) {
            return Err(CairnError::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} does not accept the 1M-token context beta",
                    request.model_id
                ),
            )
            .with_code("Context1mUnsupported"));
        }

        // The user's words are safe on disk before the request leaves.
        let conversation_id = match &request.conversation_id {
            Some(id) => id.clone(),
            None => {
                self.store
                    .create_conversation(&cairn_store::title_from(text), &request.model_id)?
                    .id
            }
        };
        if request.settings.is_some() {
            if let Ok(json) = serde_json::to_string(&settings) {
                self.store
                    .set_conversation_settings(&conversation_id, &json)?;
            }
        }
        let user_message_id = self.store.add_message(
            &conversation_id,
            Role::User,
            &request.text,
            MessageStatus::Complete,
            None,
        )?;
        let history = self.store.conversation(&conversation_id)?;
        let turns: Vec<Turn> = history
            .messages
            .iter()
            .filter(|m| m.role == Role::User || !m.text.trim().is_empty())
            .map(|m| Turn {
                role: match m.role {
                    Role::User => TurnRole::User,
                    Role::Assistant => TurnRole::Assistant,
                },
                text: m.text.clone(),
            })
            .collect();
        let assistant_message_id = self.store.add_message(
            &conversation_id,
            Role::Assistant,
            "",
            MessageStatus::Streaming,
            Some(&request.model_id),
        )?;
        emit(ChatEvent::Started {
            conversation_id,
            user_message_id,
            assistant_message_id: assistant_message_id.clone(),
        });

        let outcome = self
            .stream_answer(
                ChatRequest {
                    model_id: request.model_id.clone(),
                    turns,
                    settings,
                },
                &assistant_message_id,
                &cancel,
                &mut emit,
            )
            .await;
        if let Err(error) = outcome {
            // The database itself failed mid-answer: say so, and leave the message marked.
            let _ = self
                .store
                .set_message_status(&assistant_message_id, MessageStatus::Incomplete);
            emit(ChatEvent::Failed { error });
        }
        Ok(())
    }

    async fn stream_answer(
        &self,
        request: ChatRequest,
        message_id: &str,
        cancel: &CancellationToken,
        emit: &mut impl FnMut(ChatEvent),
    ) -> Result<(), CairnError> {
        let started = Instant::now();
        let mut attempt = 0usize;
        let opened = loop {
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
        let mut stream = match opened {
            None => {
                self.store
                    .finish_message(message_id, "", MessageStatus::Cancelled, None)?;
                emit(ChatEvent::Cancelled);
                return Ok(());
            }
            Some(Err(error)) => {
                self.store
                    .finish_message(message_id, "", MessageStatus::Failed, None)?;
                emit(ChatEvent::Failed {
                    error: error.into(),
                });
                return Ok(());
            }
            Some(Ok(stream)) => stream,
        };

        let mut text = String::new();
        let mut first_token: Option<Duration> = None;
        let mut last_save = Instant::now();
        let mut saved_len = 0;
        let mut deltas_since_check = 0u32;
        let mut stop_reason: Option<String> = None;
        let mut usage = None;
        // One waiter for the whole stream: a fresh `cancelled()` per delta would register and
        // unregister with the token thousands of times a second on fast streams.
        let cancelled = cancel.cancelled();
        tokio::pin!(cancelled);
        loop {
            let next = tokio::select! {
                biased;
                _ = &mut cancelled => {
                    self.store.finish_message(message_id, &text, MessageStatus::Cancelled, None)?;
                    emit(ChatEvent::Cancelled);
                    return Ok(());
                }
                next = stream.next() => next,
            };
            match next {
                Some(Ok(StreamEvent::Text(delta))) => {
                    first_token.get_or_insert_with(|| started.elapsed());
                    text.push_str(&delta);
                    emit(ChatEvent::Delta { text: delta });
                    deltas_since_check += 1;
                    if deltas_since_check >= DELTAS_PER_CLOCK_CHECK {
                        deltas_since_check = 0;
                        if last_save.elapsed() >= SAVE_EVERY && text.len() != saved_len {
                            self.store.save_partial(message_id, &text)?;
                            saved_len = text.len();
                            last_save = Instant::now();
                        }
                    }
                }
                Some(Ok(StreamEvent::Stop { reason })) => stop_reason = Some(reason),
                Some(Ok(StreamEvent::Usage {
                    input_tokens,
                    output_tokens,
                })) => {
                    usage = Some(cairn_store::Usage {
                        input_tokens,
                        output_tokens,
                    })
                }
                Some(Err(error)) => {
                    self.store.finish_message(
                        message_id,
                        &text,
                        MessageStatus::Incomplete,
                        usage,
                    )?;
                    emit(ChatEvent::Failed {
                        error: error.into(),
                    });
                    return Ok(());
                }
                None => break,
            }
        }
        let Some(stop_reason) = stop_reason else {
            self.store
                .finish_message(message_id, &text, MessageStatus::Incomplete, usage)?;
            emit(ChatEvent::Failed {
                error: CairnError::new(
                    ErrorKind::Network,
                    "the answer stream ended before the model finished",
                ),
            });
            return Ok(());
        };
        self.store
            .finish_message(message_id, &text, MessageStatus::Complete, usage)?;
        let usage = usage.unwrap_or(cairn_store::Usage {
            input_tokens: 0,
            output_tokens: 0,
        });
        let price = price_for(&request.model_id);
        emit(ChatEvent::Done {
            usage: AnswerUsage {
                input_tokens: usage.input_tokens,
                output_tokens: usage.output_tokens,
                first_token_ms: first_token.map(millis),
                total_ms: millis(started.elapsed()),
                cost_usd: price.as_ref().map(|p| {
                    estimate_cost(
                        p,
                        usage.input_tokens,
                        usage.output_tokens,
                        request.settings.context_1m,
                    )
                }),
                price_date: price.map(|p| p.date),
            },
            stop_reason,
        });
        Ok(())
    }
}
