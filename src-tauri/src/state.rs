//! What the commands share: the engine handles and the running streams.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cairn_bedrock::ErrorKind;
use cairn_core::chat::ChatService;
use cairn_core::session::{self, AppMode, Session};
use cairn_core::CairnError;
use cairn_store::Store;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

/// What the UI needs to know at start: demo or AWS, the region, and any start-up failure.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub mode: AppMode,
    pub region: String,
    pub simulator_endpoint: Option<String>,
    pub startup_error: Option<CairnError>,
}

pub struct AppState {
    pub status: AppStatus,
    pub store: Option<Arc<Store>>,
    pub chat: Option<Arc<ChatService>>,
    /// stream ID → its cancellation
    pub streams: Mutex<HashMap<String, CancellationToken>>,
    /// Keeps the demo simulator alive as long as the app.
    _session: Option<Session>,
}

/// `CAIRN_DATA_DIR` wins (tests, portable use); else the OS's app data directory.
pub fn data_dir(app_data_dir: Option<PathBuf>) -> Option<PathBuf> {
    std::env::var_os("CAIRN_DATA_DIR")
        .map(PathBuf::from)
        .or(app_data_dir)
}

impl AppState {
    pub async fn start(data_dir: Option<PathBuf>) -> Self {
        let env = |name: &str| std::env::var(name).ok();
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        let (region, _) = session::region_from_env(env);

        let mut startup_error = None;
        let store = match data_dir {
            Some(dir) => match Store::open_in(&dir) {
                Ok(store) => Some(Arc::new(store)),
                Err(e) => {
                    startup_error = Some(CairnError::from(e));
                    None
                }
            },
            None => {
                startup_error = Some(CairnError::new(
                    ErrorKind::Storage,
                    "no data directory could be found for this user",
                ));
                None
            }
        };

        let session = if session::aws_configured(env, home.as_deref()) {
            Ok(session::start_aws(region.clone()).await)
        } else {
            let config_text = std::env::var("CAIRN_SIM_CONFIG")
                .ok()
                .map(|path| {
                    std::fs::read_to_string(&path).map_err(|e| {
                        CairnError::new(ErrorKind::Simulator, format!("cannot read {path}: {e}"))
                    })
                })
                .transpose();
            match config_text {
                Ok(text) => match session::demo_config(text.as_deref()) {
                    Ok(config) => session::start_demo(config).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        };

        let (mode, session) = match session {
            Ok(s) => (s.mode, Some(s)),
            Err(e) => {
                tracing::error!(error = %e, "the session could not start");
                startup_error.get_or_insert(e);
                (AppMode::Demo, None)
            }
        };
        let chat = match (&store, &session) {
            (Some(store), Some(session)) => Some(Arc::new(ChatService::new(
                store.clone(),
                session.clients.clone(),
            ))),
            _ => None,
        };
        let status = AppStatus {
            mode,
            region: session.as_ref().map_or(region, |s| s.region.clone()),
            simulator_endpoint: session
                .as_ref()
                .and_then(|s| s.simulator.as_ref())
                .map(|sim| sim.url()),
            startup_error,
        };
        tracing::info!(mode = ?status.mode, region = %status.region, "Cairn started");
        Self {
            status,
            store,
            chat,
            streams: Mutex::new(HashMap::new()),
            _session: session,
        }
    }

    pub fn chat(&self) -> Result<&Arc<ChatService>, CairnError> {
        self.chat.as_ref().ok_or_else(|| self.unavailable())
    }

    pub fn store(&self) -> Result<&Arc<Store>, CairnError> {
        self.store.as_ref().ok_or_else(|| self.unavailable())
    }

    fn unavailable(&self) -> CairnError {
        self.status.startup_error.clone().unwrap_or_else(|| {
            CairnError::new(ErrorKind::Internal, "Cairn did not finish starting")
        })
    }
}
