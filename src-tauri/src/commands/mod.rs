//! One file per domain; each command extracts state, calls the engine, maps the error.

pub mod activity;
pub mod app;
pub mod chat;
pub mod connection;
pub mod documents;
pub mod models;

use cairn_core::CairnError;

/// Writes `bytes` as `<stem>.<extension>` into the Downloads folder (the app data folder when
/// there is none), never over an existing file ("<stem> (2)", …); returns the path.
pub fn write_download(
    app: &tauri::AppHandle,
    stem: &str,
    extension: &str,
    bytes: &[u8],
) -> Result<String, CairnError> {
    use tauri::Manager;
    let storage = |message: String| CairnError::new(cairn_bedrock::ErrorKind::Storage, message);
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir())
        .map_err(|e| storage(e.to_string()))?;
    let mut path = dir.join(format!("{stem}.{extension}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem} ({n}).{extension}"));
        n += 1;
    }
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|e| storage(format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}
