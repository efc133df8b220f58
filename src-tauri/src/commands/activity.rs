//! The activity log (local) and the account's Bedrock invocation logging (remote).

use cairn_bedrock::logging::InvocationLogging;
use cairn_core::activity::ActivitySettings;
use cairn_core::CairnError;
use cairn_store::{ActivityEntry, ActivityFilter, ActivitySummary};
use tauri::State;

use crate::state::AppState;

/// Calls matching `filter`, newest first, a page of 200 from `offset`.
#[tauri::command]
#[specta::specta]
pub fn activity_list(
    state: State<'_, AppState>,
    filter: ActivityFilter,
    offset: u32,
) -> Result<Vec<ActivityEntry>, CairnError> {
    Ok(state.store()?.activity(&filter, 200, offset)?)
}

/// Totals, per-day and per-model sums for `filter`.
#[tauri::command]
#[specta::specta]
pub fn activity_summary(
    state: State<'_, AppState>,
    filter: ActivityFilter,
) -> Result<ActivitySummary, CairnError> {
    Ok(state.store()?.activity_summary(&filter)?)
}

/// Writes the filtered calls as CSV into the Downloads folder; returns the path.
#[tauri::command]
#[specta::specta]
pub fn export_activity_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    filter: ActivityFilter,
) -> Result<String, CairnError> {
    let csv = state.store()?.activity_csv(&filter)?;
    let stem = format!("Cairn activity {}", time::OffsetDateTime::now_utc().date());
    super::write_download(&app, &stem, "csv", csv.as_bytes())
}

#[tauri::command]
#[specta::specta]
pub fn activity_settings(state: State<'_, AppState>) -> Result<ActivitySettings, CairnError> {
    cairn_core::activity::settings(state.store()?)
}

/// Saves the settings and prunes at once; returns how many calls were removed.
#[tauri::command]
#[specta::specta]
pub fn set_activity_settings(
    state: State<'_, AppState>,
    settings: ActivitySettings,
) -> Result<u32, CairnError> {
    let removed = cairn_core::activity::set_settings(
        state.store()?,
        settings,
        time::OffsetDateTime::now_utc(),
    )?;
    Ok(u32::try_from(removed).unwrap_or(u32::MAX))
}

/// The active connection's account and region: Bedrock's model-invocation logging.
#[tauri::command]
#[specta::specta]
pub async fn invocation_logging(
    state: State<'_, AppState>,
) -> Result<InvocationLogging, CairnError> {
    let chat = state.chat()?;
    Ok(cairn_bedrock::logging::get_logging(chat.clients()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_invocation_logging(
    state: State<'_, AppState>,
    logging: InvocationLogging,
) -> Result<InvocationLogging, CairnError> {
    let chat = state.chat()?;
    cairn_bedrock::logging::set_logging(chat.clients(), &logging).await?;
    Ok(cairn_bedrock::logging::get_logging(chat.clients()).await?)
}
