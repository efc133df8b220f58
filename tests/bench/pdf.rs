//! `cairn-bench pdf URL FILE`: attach FILE (checks, SHA-256, kept next to a fresh database)
//! and ask about it through Converse, as the app does; prints the wall time from attaching to
//! the last token and the peak extra memory (VmHWM minus the resident size before).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use cairn_bedrock::chat::ChatSettings;
use cairn_core::chat::{ChatEvent, ChatService, SendRequest};
use cairn_core::documents::DocumentStore;
use tokio_util::sync::CancellationToken;

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub async fn send(url: &str, file: &Path) -> Result<serde_json::Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Arc::new(cairn_store::Store::open_in(dir.path()).map_err(|e| e.to_string())?);
    let documents = DocumentStore::new(dir.path().join("documents"));
    let service =
        ChatService::new(store, crate::clients(url).await).with_documents(documents.clone());
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let document = documents.add_file(file).map_err(|e| e.message)?;
    let attach_seconds = started.elapsed().as_secs_f64();
    let mut failure = None;
    service
        .send(
            SendRequest {
                stream_id: "bench".into(),
                conversation_id: None,
                model_id: "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
                text: "What is in this report? [[sim:tokens=50]] [[sim:rate=0]]".into(),
                settings: Some(ChatSettings::default()),
                action: None,
                documents: vec![document],
            },
            CancellationToken::new(),
            |event| {
                if let ChatEvent::Failed { error } = event {
                    failure = Some(error.message);
                }
            },
        )
        .await
        .map_err(|e| e.message)?;
    if let Some(message) = failure {
        return Err(message);
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak_extra = status_kib("VmHWM:").saturating_sub(before);
    Ok(serde_json::json!({
        "client": "cairn-engine", "seconds": seconds, "peakExtraMiB": peak_extra as f64 / 1024.0,
        "attachSeconds": attach_seconds, "sendSeconds": seconds - attach_seconds,
    }))
}
