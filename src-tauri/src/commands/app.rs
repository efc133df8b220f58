use tauri::State;

use crate::state::{AppState, AppStatus};

/// Demo or AWS, the region, and whether start-up failed.
#[tauri::command]
#[specta::specta]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    state.status()
}
