use cairn_bedrock::access::EndpointChoice;
use cairn_bedrock::catalog::ModelOption;
use cairn_core::models::{AccessCheck, ModelService, ModelTable};
use cairn_core::CairnError;
use tauri::State;

use crate::state::AppState;

/// Runs `f` with the model service of the active connection.
macro_rules! with_models {
    ($state:expr, |$svc:ident| $body:expr) => {{
        let chat = $state.chat()?;
        let store = $state.store()?.clone();
        let connection_id = $state.status().connection_id;
        let $svc = ModelService {
            store: &store,
            clients: chat.clients(),
            connection_id: &connection_id,
        };
        $body
    }};
}

/// The Claude models the chat can use, each with the ID to call it by.
#[tauri::command]
#[specta::specta]
pub async fn list_models(state: State<'_, AppState>) -> Result<Vec<ModelOption>, CairnError> {
    with_models!(state, |svc| svc.chat_models().await)
}

/// The model-access table (cached unless `refresh`).
#[tauri::command]
#[specta::specta]
pub async fn model_table(
    state: State<'_, AppState>,
    refresh: bool,
) -> Result<ModelTable, CairnError> {
    with_models!(state, |svc| svc.table(refresh).await)
}

/// Global or regional for one model; returns the updated table.
#[tauri::command]
#[specta::specta]
pub async fn set_endpoint_choice(
    state: State<'_, AppState>,
    model_id: String,
    choice: EndpointChoice,
) -> Result<ModelTable, CairnError> {
    with_models!(state, |svc| {
        svc.set_choice(&model_id, choice)?;
        svc.table(false).await
    })
}

/// "Keep my data in this geography": forbids `global.` for the active connection.
#[tauri::command]
#[specta::specta]
pub async fn set_keep_in_geography(
    state: State<'_, AppState>,
    keep: bool,
) -> Result<ModelTable, CairnError> {
    with_models!(state, |svc| {
        svc.set_keep_in_geography(keep)?;
        svc.table(false).await
    })
}

/// One real, free call (CountTokens) that proves whether this account can use the model.
#[tauri::command]
#[specta::specta]
pub async fn check_model_access(
    state: State<'_, AppState>,
    model_id: String,
) -> Result<AccessCheck, CairnError> {
    with_models!(state, |svc| svc.check_access(&model_id).await)
}

/// Checks every model that has a route; returns the refreshed table.
#[tauri::command]
#[specta::specta]
pub async fn check_all_access(state: State<'_, AppState>) -> Result<ModelTable, CairnError> {
    with_models!(state, |svc| {
        svc.check_all().await?;
        svc.table(false).await
    })
}
