use cairn_bedrock::profiles::ProfileInfo;
use cairn_bedrock::regions::CLAUDE_REGIONS;
use cairn_core::connections::{ConnectionInfo, ConnectionInput, RegionSource};
use cairn_core::CairnError;
use serde::Serialize;
use tauri::State;

use crate::state::{AppState, AppStatus};

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsView {
    /// The active connection's ID, or `demo`.
    pub active_id: String,
    pub connections: Vec<ConnectionInfo>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RegionChoices {
    /// Regions where Claude is served, for the picker.
    pub regions: Vec<String>,
    /// What a new connection gets when the user picks nothing, and why.
    pub default_region: String,
    pub default_source: RegionSource,
}

/// Saved connections (never their secrets) and which one is active.
#[tauri::command]
#[specta::specta]
pub fn list_connections(state: State<'_, AppState>) -> Result<ConnectionsView, CairnError> {
    let connections = state.connections()?;
    Ok(ConnectionsView {
        active_id: state.status().connection_id,
        connections: connections.list()?,
    })
}

/// Profiles of the shared AWS config and credentials files.
#[tauri::command]
#[specta::specta]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileInfo>, CairnError> {
    state.connections()?.profiles().await
}

#[tauri::command]
#[specta::specta]
pub fn region_choices(state: State<'_, AppState>) -> Result<RegionChoices, CairnError> {
    let (default_region, default_source) = state.connections()?.default_region(None);
    Ok(RegionChoices {
        regions: CLAUDE_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
        default_region,
        default_source,
    })
}

/// Saves (or edits) a connection; its secret goes to the OS keychain.
#[tauri::command]
#[specta::specta]
pub async fn save_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
) -> Result<ConnectionInfo, CairnError> {
    let saved = state.connections()?.save(input).await?;
    // Editing the active connection takes effect at once.
    if state.status().connection_id == saved.id {
        state.activate(&saved.id).await?;
    }
    Ok(saved)
}

/// Asks STS who these credentials belong to (a free CountTokens call for API keys).
#[tauri::command]
#[specta::specta]
pub async fn verify_connection(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConnectionInfo, CairnError> {
    state.connections()?.verify(&id).await
}

/// Deletes a connection and its keychain entry; returns the (possibly changed) status.
#[tauri::command]
#[specta::specta]
pub async fn delete_connection(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppStatus, CairnError> {
    let was_active = state.status().connection_id == id;
    state.connections()?.delete(&id)?;
    if was_active {
        return state.activate(cairn_core::connections::DEMO_ID).await;
    }
    Ok(state.status())
}

/// Switches to another connection (or `demo`).
#[tauri::command]
#[specta::specta]
pub async fn activate_connection(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppStatus, CairnError> {
    state.activate(&id).await
}

/// Starts an IAM Identity Center sign-in and opens its page in the default browser (the UI
/// shows the link and code too, for when no browser can be opened).
#[tauri::command]
#[specta::specta]
pub async fn sso_start(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    start_url: String,
    sso_region: String,
    endpoint: Option<String>,
) -> Result<cairn_core::connections::SsoSignIn, CairnError> {
    let sign_in = state
        .connections()?
        .sso_start(&start_url, &sso_region, endpoint.as_deref())
        .await?;
    use tauri_plugin_opener::OpenerExt;
    if let Err(error) = app
        .opener()
        .open_url(sign_in.verification_uri.clone(), None::<&str>)
    {
        tracing::warn!(%error, "could not open the browser for the sign-in page");
    }
    Ok(sign_in)
}

/// One poll of a sign-in: approved yet? Then the accounts and roles to choose from.
#[tauri::command]
#[specta::specta]
pub async fn sso_poll(
    state: State<'_, AppState>,
    flow_id: String,
) -> Result<cairn_core::connections::SsoPoll, CairnError> {
    state.connections()?.sso_poll(&flow_id).await
}
