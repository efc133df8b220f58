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
