//! Records shared with the UI (their TypeScript twins are generated).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    pub fn as_db(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }

    pub fn from_db(value: &str) -> Self {
        if value == "user" {
            Role::User
        } else {
            Role::Assistant
        }
    }
}

/// Where an answer stands. Anything but `complete` keeps its partial text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum MessageStatus {
    Complete,
    /// Still arriving (found after a crash, it becomes `incomplete`).
    Streaming,
    /// The stream died or the app stopped mid-answer.
    Incomplete,
    /// The user pressed Stop.
    Cancelled,
    /// The request failed before any answer arrived.
    Failed,
}

impl MessageStatus {
    pub fn as_db(self) -> &'static str {
        match self {
            MessageStatus::Complete => "complete",
            MessageStatus::Streaming => "streaming",
            MessageStatus::Incomplete => "incomplete",
            MessageStatus::Cancelled => "cancelled",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn from_db(value: &str) -> Self {
        match value {
            "complete" => MessageStatus::Complete,
            "streaming" => MessageStatus::Streaming,
            "cancelled" => MessageStatus::Cancelled,
            "failed" => MessageStatus::Failed,
            _ => MessageStatus::Incomplete,
        }
    }
}

/// What one answer used and cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Input tokens billed at the full price (cache reads and writes not included).
    pub input_tokens: u32,
    pub output_tokens: u32,
    /// Input tokens read from the prompt cache (billed ×0.1).
    pub cache_read_tokens: u32,
    /// Input tokens written to the prompt cache (billed ×1.25).
    pub cache_write_tokens: u32,
    /// Time to the first token, from the moment the request left.
    pub first_token_ms: Option<u32>,
    pub total_ms: Option<u32>,
    /// Estimated USD from the bundled list prices; `None` when the model's price is unknown.
    pub cost_usd: Option<f64>,
    /// The date of the price list the estimate used.
    pub price_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    /// The invocation ID of the model last used.
    pub model_id: String,
    /// RFC 3339.
    pub updated_at: String,
    pub message_count: u32,
    pub pinned: bool,
}

/// A message that matches a search, with the matching part marked by `[` and `]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub conversation_id: String,
    pub title: String,
    pub message_id: String,
    pub role: Role,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: String,
    pub role: Role,
    pub text: String,
    /// The model's extended thinking, when it was on.
    pub thinking: Option<String>,
    pub status: MessageStatus,
    pub model_id: Option<String>,
    /// Answers only, once the model reported it.
    pub usage: Option<Usage>,
    /// PDFs sent with this (user) message, in order.
    pub documents: Vec<DocumentInfo>,
    /// What this answer cites.
    pub citations: Vec<Citation>,
    /// Why the model stopped ("end_turn", "max_tokens", …), once it did.
    pub stop_reason: Option<String>,
    pub created_at: String,
}

/// A stored PDF as the UI knows it: never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DocumentInfo {
    /// SHA-256 of the bytes, hex.
    pub id: String,
    /// The file name the user chose (shown, never sent to Bedrock).
    pub name: String,
    pub pages: u32,
    pub size_bytes: u32,
}

/// A passage of a document an answer cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    /// 1-based, in the order the answer cites.
    pub number: u32,
    /// The stored document, when known.
    pub document_id: Option<String>,
    /// Its file name as the user knows it.
    pub document_name: String,
    pub cited_text: String,
    /// 1-based pages, when the citation points at pages.
    pub page_start: Option<u32>,
    pub page_end: Option<u32>,
    /// Where the marker belongs: an offset into the answer's text in UTF-16 code units.
    pub text_offset: u32,
}

/// A message with where it sits in its conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageAt {
    pub conversation_id: String,
    pub seq: i64,
    pub message: ChatMessage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub summary: ConversationSummary,
    pub messages: Vec<ChatMessage>,
}
