use cairn_bedrock::catalog::{list_chat_models, ModelOption};
use cairn_core::CairnError;
use tauri::State;

use crate::state::AppState;

/// The Claude models this connection can chat with, each with the ID to call it by.
#[tauri::command]
#[specta::specta]
pub async fn list_models(state: State<'_, AppState>) -> Result<Vec<ModelOption>, CairnError> {
    let chat = state.chat()?;
    Ok(list_chat_models(chat.clients()).await?)
}
