use cairn_core::chat::{ChatEvent, SendRequest};
use cairn_core::CairnError;
use cairn_store::{Conversation, ConversationSummary};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_conversations(
    state: State<'_, AppState>,
) -> Result<Vec<ConversationSummary>, CairnError> {
    Ok(state.store()?.list_conversations()?)
}

#[tauri::command]
#[specta::specta]
pub fn get_conversation(
    state: State<'_, AppState>,
    id: String,
) -> Result<Conversation, CairnError> {
    Ok(state.store()?.conversation(&id)?)
}

/// Sends a message; the answer streams over `on_event` and this returns when it has ended.
#[tauri::command]
#[specta::specta]
pub async fn send_message(
    state: State<'_, AppState>,
    request: SendRequest,
    on_event: Channel<ChatEvent>,
) -> Result<(), CairnError> {
    let chat = state.chat()?;
    let cancel = CancellationToken::new();
    let stream_id = request.stream_id.clone();
    if let Ok(mut streams) = state.streams.lock() {
        streams.insert(stream_id.clone(), cancel.clone());
    }
    let result = chat
        .send(request, cancel, |event| {
            if let Err(error) = on_event.send(event) {
                tracing::warn!(%error, "the window stopped listening to a stream");
            }
        })
        .await;
    if let Ok(mut streams) = state.streams.lock() {
        streams.remove(&stream_id);
    }
    result
}

/// Counts the input tokens a message would send (CountTokens, free) and prices them.
#[tauri::command]
#[specta::specta]
pub async fn estimate_message(
    state: State<'_, AppState>,
    request: SendRequest,
) -> Result<cairn_core::chat::InputEstimate, CairnError> {
    state.chat()?.estimate(&request).await
}

/// Stops a running answer; the partial text is kept. `false` when no such stream is running.
#[tauri::command]
#[specta::specta]
pub fn stop_stream(state: State<'_, AppState>, stream_id: String) -> bool {
    let token = state
        .streams
        .lock()
        .ok()
        .and_then(|streams| streams.get(&stream_id).cloned());
    match token {
        Some(token) => {
            token.cancel();
            true
        }
        None => false,
    }
}

/// A conversation's API, system prompt and parameters (the defaults when none were saved).
#[tauri::command]
#[specta::specta]
pub fn conversation_settings(
    state: State<'_, AppState>,
    id: String,
) -> Result<cairn_bedrock::chat::ChatSettings, CairnError> {
    state.chat()?.settings(&id)
}

#[tauri::command]
#[specta::specta]
pub fn rename_conversation(
    state: State<'_, AppState>,
    id: String,
    title: String,
) -> Result<(), CairnError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(CairnError::new(
            cairn_bedrock::ErrorKind::InvalidInput,
            "a conversation needs a title",
        ));
    }
    Ok(state.store()?.rename_conversation(&id, title)?)
}

#[tauri::command]
#[specta::specta]
pub fn set_conversation_pinned(
    state: State<'_, AppState>,
    id: String,
    pinned: bool,
) -> Result<(), CairnError> {
    Ok(state.store()?.set_pinned(&id, pinned)?)
}

/// Hides a conversation; `restore_conversation` undoes it until Cairn restarts.
#[tauri::command]
#[specta::specta]
pub fn delete_conversation(state: State<'_, AppState>, id: String) -> Result<(), CairnError> {
    Ok(state.store()?.delete_conversation(&id)?)
}

#[tauri::command]
#[specta::specta]
pub fn restore_conversation(state: State<'_, AppState>, id: String) -> Result<(), CairnError> {
    Ok(state.store()?.restore_conversation(&id)?)
}

/// Full-text search over every message (works for Chinese as well as English).
#[tauri::command]
#[specta::specta]
pub fn search_messages(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<cairn_store::SearchHit>, CairnError> {
    Ok(state.store()?.search(&query, 50)?)
}

/// Writes the conversation as Markdown or JSON into the Downloads folder; returns the path.
#[tauri::command]
#[specta::specta]
pub fn export_conversation(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    format: cairn_core::export::ExportFormat,
) -> Result<String, CairnError> {
    let store = state.store()?;
    let conversation = store.conversation(&id)?;
    let settings = state.chat()?.settings(&id)?;
    let text = cairn_core::export::render(&conversation, &settings, format);
    let stem = cairn_core::export::file_stem(&conversation.summary.title);
    super::write_download(&app, &stem, format.extension(), text.as_bytes())
}
