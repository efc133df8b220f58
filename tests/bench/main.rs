//! `cairn-bench catalog URL`: one live model-catalog refresh (ListFoundationModels, every page of
//! ListInferenceProfiles, GetFoundationModelAvailability per model at bounded concurrency),
//! printed as `{"client", "models", "profiles", "concurrency", "seconds"}`.
//!
//! `cairn-bench search N` and `cairn-bench seed DIR TITLE=N…`: see `history.rs`.
//! `cairn-bench pdf URL FILE`: see `pdf.rs`. `cairn-bench activity N`: see `activity.rs`.
//!
//! `cairn-bench engine|sdk URL MODEL TOKENS`: consume one simulated answer of TOKENS tokens and
//! print `{"client", "chars", "seconds"}`. `engine` goes through Cairn's chat use case (SQLite
//! persistence included); `sdk` is the bare aws-sdk-bedrockruntime ConverseStream loop.
//! `seconds` runs from sending the request to the last token: set-up that the app does once at
//! start (opening the database, building SDK clients) is excluded for both.

mod activity;
mod history;
mod pdf;

use std::sync::Arc;
use std::time::Instant;

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
};
use cairn_bedrock::{BedrockClients, CredentialSource, Endpoints, ProfileLocation, Target};
use cairn_core::chat::{ChatEvent, ChatService, SendRequest};
use tokio_util::sync::CancellationToken;

fn prompt(tokens: u64) -> String {
    format!("Benchmark answer [[sim:tokens={tokens}]] [[sim:rate=0]]")
}

pub(crate) async fn clients(url: &str) -> BedrockClients {
    BedrockClients::connect(&Target {
        region: "us-east-1".into(),
        endpoints: Endpoints::all(url),
        credentials: CredentialSource::Static {
            access_key_id: cairn_sim::DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: cairn_sim::DEFAULT_SECRET_ACCESS_KEY.into(),
            session_token: None,
        },
        profiles: ProfileLocation::default(),
    })
    .await
}

async fn engine(url: &str, model: &str, tokens: u64) -> Result<(usize, f64), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Arc::new(cairn_store::Store::open_in(dir.path()).map_err(|e| e.to_string())?);
    let service = ChatService::new(store, clients(url).await);
    let started = Instant::now();
    let mut chars = 0usize;
    let mut failure = None;
    service
        .send(
            SendRequest {
                stream_id: "bench".into(),
                conversation_id: None,
                model_id: model.into(),
                text: prompt(tokens),
                settings: None,
                action: None,
                documents: Vec::new(),
            },
            CancellationToken::new(),
            |event| match event {
                ChatEvent::Delta { text } => chars += text.len(),
                ChatEvent::Failed { error } => failure = Some(error.message),
                _ => {}
            },
        )
        .await
        .map_err(|e| e.message)?;
    match failure {
        Some(message) => Err(message),
        None => Ok((chars, started.elapsed().as_secs_f64())),
    }
}

async fn bare_sdk(url: &str, model: &str, tokens: u64) -> Result<(usize, f64), String> {
    let clients = clients(url).await;
    let started = Instant::now();
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(prompt(tokens)))
        .build()
        .map_err(|e| e.to_string())?;
    let mut output = clients
        .runtime
        .converse_stream()
        .model_id(model)
        .messages(message)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let mut chars = 0usize;
    while let Some(event) = output.stream.recv().await.map_err(|e| format!("{e:?}"))? {
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event {
            if let Some(ContentBlockDelta::Text(text)) = delta.delta {
                chars += text.len();
            }
        }
    }
    Ok((chars, started.elapsed().as_secs_f64()))
}

async fn catalog(url: &str) -> std::process::ExitCode {
    let clients = clients(url).await;
    let started = Instant::now();
    match cairn_bedrock::access::refresh_catalog(&clients).await {
        Ok(catalog) => {
            let profiles: usize = catalog.entries.iter().map(|e| e.profiles.len()).sum();
            println!(
                "{}",
                serde_json::json!({
                    "client": "catalog-refresh",
                    "models": catalog.entries.len(),
                    "profiles": profiles,
                    "concurrency": cairn_bedrock::access::AVAILABILITY_CONCURRENCY,
                    "seconds": started.elapsed().as_secs_f64(),
                })
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cairn-bench catalog: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let (Some("catalog"), Some(url)) = (args.get(1).map(String::as_str), args.get(2)) {
        return catalog(url).await;
    }
    let outcome = match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("search"), Some(n)) => Some(
            n.parse::<u64>()
                .map_err(|e| e.to_string())
                .and_then(history::search)
                .map(|v| println!("{v}")),
        ),
        (Some("activity"), Some(n)) => Some(
            n.parse::<u64>()
                .map_err(|e| e.to_string())
                .and_then(|n| activity::run(n, args.get(3).map(std::path::Path::new)))
                .map(|v| println!("{v}")),
        ),
        (Some("seed"), Some(dir)) => Some(history::seed(std::path::Path::new(dir), &args[3..])),
        (Some("pdf"), Some(url)) => match args.get(3) {
            Some(file) => Some(
                pdf::send(url, std::path::Path::new(file))
                    .await
                    .map(|v| println!("{v}")),
            ),
            None => Some(Err("usage: cairn-bench pdf URL FILE".to_owned())),
        },
        _ => None,
    };
    if let Some(outcome) = outcome {
        return match outcome {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("cairn-bench: {message}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let (Some(mode), Some(url), Some(model), Some(tokens)) = (
        args.get(1),
        args.get(2),
        args.get(3),
        args.get(4).and_then(|t| t.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: cairn-bench engine|sdk URL MODEL TOKENS");
        return std::process::ExitCode::from(2);
    };
    let result = match mode.as_str() {
        "engine" => engine(url, model, tokens).await,
        "sdk" => bare_sdk(url, model, tokens).await,
        other => Err(format!("unknown mode {other}")),
    };
    match result {
        Ok((chars, seconds)) => {
            let client = if mode == "engine" {
                "cairn-engine"
            } else {
                "rust-sdk"
            };
            println!(
                "{}",
                serde_json::json!({ "client": client, "chars": chars, "seconds": seconds })
            );
            std::process::ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cairn-bench {mode}: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
