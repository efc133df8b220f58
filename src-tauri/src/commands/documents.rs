//! PDFs: attach (file dialog, drag-and-drop, opened with Cairn), checked and kept in Rust; the
//! window gets their metadata only, and the viewer reads them through `cairn-doc://`.

use std::path::PathBuf;

use cairn_core::documents::DocumentInfo;
use cairn_core::CairnError;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::state::AppState;

/// One file the user offered, attached or refused (with why).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AttachResult {
    /// The file's name as the user knows it.
    pub name: String,
    pub document: Option<DocumentInfo>,
    pub error: Option<CairnError>,
}

fn attach_all(state: &AppState, paths: Vec<PathBuf>) -> Result<Vec<AttachResult>, CairnError> {
    let documents = state.documents()?;
    Ok(paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match documents.add_file(&path) {
                Ok(document) => AttachResult {
                    name,
                    document: Some(document),
                    error: None,
                },
                Err(error) => AttachResult {
                    name,
                    document: None,
                    error: Some(error),
                },
            }
        })
        .collect())
}

/// Checks and keeps the files at `paths` (dropped on the window).
#[tauri::command]
#[specta::specta]
pub async fn attach_documents(
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> Result<Vec<AttachResult>, CairnError> {
    attach_all(&state, paths.into_iter().map(PathBuf::from).collect())
}

/// Opens the system's file dialog for PDFs, then attaches what was chosen (nothing when the
/// dialog is cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_documents(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<Vec<AttachResult>, CairnError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter("PDF", &["pdf", "PDF"])
        .pick_files(move |files| {
            let _ = tx.send(files);
        });
    let chosen = rx.await.ok().flatten().unwrap_or_default();
    let paths = chosen
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .collect();
    attach_all(&state, paths)
}

/// PDFs given on the command line ("Open with Cairn"), attached once at start.
#[tauri::command]
#[specta::specta]
pub async fn opened_documents(state: State<'_, AppState>) -> Result<Vec<AttachResult>, CairnError> {
    let paths = state.take_opened_files();
    attach_all(&state, paths)
}
