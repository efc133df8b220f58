//! The typed IPC boundary: the command list, and the TypeScript bindings generated from it.

use specta_typescript::Typescript;
use tauri_specta::{collect_commands, Builder};

use crate::commands::{activity, app, chat, connection, documents, models};

/// Where the generated bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/lib/ipc/bindings.ts";

pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // One TypeScript type per Rust type: these types serialize and deserialize alike.
        .disable_serde_phases()
        .commands(collect_commands![
            app::app_status,
            models::list_models,
            models::model_table,
            models::set_endpoint_choice,
            models::set_keep_in_geography,
            models::check_model_access,
            models::check_all_access,
            chat::list_conversations,
            chat::get_conversation,
            chat::send_message,
            chat::estimate_message,
            chat::stop_stream,
            chat::conversation_settings,
            chat::rename_conversation,
            chat::set_conversation_pinned,
            chat::delete_conversation,
            chat::restore_conversation,
            chat::search_messages,
            chat::export_conversation,
            activity::activity_list,
            activity::activity_summary,
            activity::export_activity_csv,
            activity::activity_settings,
            activity::set_activity_settings,
            activity::invocation_logging,
            activity::set_invocation_logging,
            documents::attach_documents,
            documents::pick_documents,
            documents::opened_documents,
            connection::list_connections,
            connection::list_profiles,
            connection::region_choices,
            connection::save_connection,
            connection::verify_connection,
            connection::delete_connection,
            connection::activate_connection,
            connection::sso_start,
            connection::sso_poll,
        ])
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    builder()
        .export(
            Typescript::default().header("// Generated from Rust by tauri-specta (src-tauri/src/ipc.rs). Do not edit.\n// Regenerate: CAIRN_WRITE_BINDINGS=1 cargo test -p cairn-app bindings\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when the committed bindings differ from what the Rust types generate.
    #[test]
    fn bindings_are_fresh() {
        let committed_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("CAIRN_WRITE_BINDINGS").is_some() {
            export_bindings(&committed_path).expect("write bindings");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh_path = dir.path().join("bindings.ts");
        export_bindings(&fresh_path).expect("generate bindings");
        let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh");
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        assert!(
            fresh == committed,
            "ui/src/lib/ipc/bindings.ts is stale: run `CAIRN_WRITE_BINDINGS=1 cargo test -p cairn-app bindings`"
        );
    }
}
