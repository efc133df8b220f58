//! One conversation as Markdown (to read) or JSON (to process), with model, API, parameters
//! and usage.

use cairn_bedrock::chat::{ChatApi, ChatSettings};
use cairn_store::{Conversation, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Markdown,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
        }
    }
}

fn api_name(api: ChatApi) -> &'static str {
    match api {
        ChatApi::Converse => "Converse (ConverseStream)",
        ChatApi::InvokeModel => "InvokeModel (InvokeModelWithResponseStream)",
    }
}

pub fn render(
    conversation: &Conversation,
    settings: &ChatSettings,
    format: ExportFormat,
) -> String {
    match format {
        ExportFormat::Markdown => markdown(conversation, settings),
        ExportFormat::Json => json!({
            "title": conversation.summary.title,
            "model": conversation.summary.model_id,
            "api": settings.api,
            "settings": settings,
            "updatedAt": conversation.summary.updated_at,
            "messages": conversation.messages.iter().map(|m| json!({
                "role": m.role,
                "text": m.text,
                "status": m.status,
                "model": m.model_id,
                "thinking": m.thinking,
                "usage": m.usage,
                "createdAt": m.created_at,
            })).collect::<Vec<_>>(),
        })
        .to_string(),
    }
}

fn markdown(conversation: &Conversation, settings: &ChatSettings) -> String {
    let mut out = format!("# {}\n\n", conversation.summary.title);
    out.push_str(&format!("- Model: `{}`\n", conversation.summary.model_id));
    out.push_str(&format!("- API: {}\n", api_name(settings.api)));
    if let Some(system) = settings.system.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push_str(&format!("- System prompt: {}\n", system.replace('\n', " ")));
    }
    let params: Vec<String> = [
        settings.max_tokens.map(|v| format!("max tokens {v}")),
        settings.temperature.map(|v| format!("temperature {v}")),
        settings.top_p.map(|v| format!("top-p {v}")),
        settings.top_k.map(|v| format!("top-k {v}")),
        settings
            .thinking_budget
            .map(|v| format!("thinking budget {v}")),
        settings.context_1m.then(|| "1M context beta".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !params.is_empty() {
        out.push_str(&format!("- Parameters: {}\n", params.join(", ")));
    }
    let usages = conversation
        .messages
        .iter()
        .filter_map(|m| m.usage.as_ref());
    let (input, output, cost) = usages.fold((0u64, 0u64, None), |(i, o, c), u| {
        (
            i + u64::from(u.input_tokens + u.cache_read_tokens + u.cache_write_tokens),
            o + u64::from(u.output_tokens),
            u.cost_usd.map_or(c, |cost| Some(c.unwrap_or(0.0) + cost)),
        )
    });
    out.push_str(&format!("- Tokens: {input} input, {output} output\n"));
    if let Some(cost) = cost {
        out.push_str(&format!("- Estimated cost: ${cost:.4} (list prices)\n"));
    }
    out.push('\n');
    for m in &conversation.messages {
        let who = match m.role {
            Role::User => "You",
            Role::Assistant => "Claude",
        };
        out.push_str(&format!("## {who}\n\n{}\n\n", m.text.trim_end()));
    }
    out
}

/// A file name from a title: letters, digits, spaces and dashes, at most 60 characters.
pub fn file_stem(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let short: String = cleaned.chars().take(60).collect();
    if short.is_empty() {
        "Cairn conversation".to_owned()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_store::{ChatMessage, ConversationSummary, MessageStatus};

    fn conversation() -> Conversation {
        let message = |role, text: &str, tokens: Option<(u32, u32)>| ChatMessage {
            id: "m".into(),
            role,
            text: text.into(),
            status: MessageStatus::Complete,
            thinking: None,
            documents: Vec::new(),
            citations: Vec::new(),
            stop_reason: None,
            model_id: None,
            usage: tokens.map(|(input_tokens, output_tokens)| cairn_store::Usage {
                input_tokens,
                output_tokens,
                cost_usd: Some(0.0015),
                ..cairn_store::Usage::default()
            }),
            created_at: "2026-11-26T00:00:00Z".into(),
        };
        Conversation {
            summary: ConversationSummary {
                id: "c".into(),
                title: "財報 Q3: revenue?".into(),
                model_id: "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
                updated_at: "2026-11-26T00:00:00Z".into(),
                message_count: 2,
                pinned: false,
            },
            messages: vec![
                message(Role::User, "What was revenue?", None),
                message(Role::Assistant, "It grew 12%.", Some((120, 40))),
            ],
        }
    }

    #[test]
    fn markdown_has_model_api_parameters_usage_and_every_message() {
        let settings = ChatSettings {
            api: ChatApi::InvokeModel,
            system: Some("Be brief.".into()),
            temperature: Some(0.3),
            ..ChatSettings::default()
        };
        let md = render(&conversation(), &settings, ExportFormat::Markdown);
        assert!(md.starts_with("# 財報 Q3: revenue?\n"));
        assert!(md.contains("- API: InvokeModel"));
        assert!(md.contains("- System prompt: Be brief."));
        assert!(md.contains("temperature 0.3"));
        assert!(md.contains("- Tokens: 120 input, 40 output"));
        assert!(md.contains("- Estimated cost: $0.0015"));
        assert!(
            md.contains("## You\n\nWhat was revenue?") && md.contains("## Claude\n\nIt grew 12%.")
        );
    }

    #[test]
    fn json_round_trips() {
        let text = render(
            &conversation(),
            &ChatSettings::default(),
            ExportFormat::Json,
        );
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["api"], "converse");
        assert_eq!(value["messages"][1]["usage"]["outputTokens"], 40);
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_stem("財報 Q3: revenue?/../x"), "財報 Q3 revenue x");
        assert_eq!(file_stem("///"), "Cairn conversation");
    }
}
