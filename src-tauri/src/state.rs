//! What the commands share: the engine handles, the active connection, the running streams.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use cairn_bedrock::{ErrorKind, ProfileLocation};
use cairn_core::activity::ActivityContext;
use cairn_core::chat::ChatService;
use cairn_core::connections::{
    ConnectionInput, ConnectionKind, ConnectionService, EndpointOverrides, DEMO_ID,
};
use cairn_core::documents::DocumentStore;
use cairn_core::session::{self, AppMode, Demo};
use cairn_core::CairnError;
use cairn_store::Store;
use cairn_vault::KeychainStore;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

/// The keychain service name under which Cairn keeps connection secrets.
const KEYCHAIN_SERVICE: &str = "dev.cairn.desktop";

/// What the UI needs to know: demo or AWS, which connection, the region, start-up failures.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub mode: AppMode,
    /// The active connection, or `demo`.
    pub connection_id: String,
    pub connection_name: Option<String>,
    pub region: String,
    pub simulator_endpoint: Option<String>,
    /// A failure at start (or when the saved connection could not be used) to show plainly.
    pub startup_error: Option<CairnError>,
}

struct Active {
    status: AppStatus,
    chat: Option<Arc<ChatService>>,
}

pub struct AppState {
    store: Option<Arc<Store>>,
    /// PDFs, by SHA-256, in `documents/` next to the database.
    documents: Option<DocumentStore>,
    connections: Option<Arc<ConnectionService>>,
    demo: Option<Demo>,
    active: RwLock<Active>,
    /// stream ID → its cancellation
    pub streams: Mutex<HashMap<String, CancellationToken>>,
    /// PDFs named on the command line, until the window asks for them.
    opened_files: Mutex<Vec<PathBuf>>,
}

/// PDFs named on the command line (how Linux and Windows open a file with an app).
fn opened_files_from_args() -> Vec<PathBuf> {
    std::env::args_os()
        .skip(1)
        .map(PathBuf::from)
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect()
}

/// `CAIRN_DATA_DIR` wins (tests, portable use); else the OS's app data directory.
pub fn data_dir(app_data_dir: Option<PathBuf>) -> Option<PathBuf> {
    std::env::var_os("CAIRN_DATA_DIR")
        .map(PathBuf::from)
        .or(app_data_dir)
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

async fn start_demo_from_env() -> Result<Demo, CairnError> {
    let text = match std::env::var("CAIRN_SIM_CONFIG") {
        Ok(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
            CairnError::new(ErrorKind::Simulator, format!("cannot read {path}: {e}"))
        })?),
        Err(_) => None,
    };
    session::start_demo(session::demo_config(text.as_deref())?).await
}

impl AppState {
    pub async fn start(data_dir: Option<PathBuf>) -> Self {
        let mut startup_error = None;
        let documents = data_dir
            .as_ref()
            .map(|dir| DocumentStore::new(dir.join("documents")));
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
        let connections = store.as_ref().map(|store| {
            Arc::new(ConnectionService::new(
                store.clone(),
                Arc::new(KeychainStore::new(KEYCHAIN_SERVICE)),
                ProfileLocation::default(),
                Arc::new(env_lookup),
            ))
        });
        let demo = match start_demo_from_env().await {
            Ok(demo) => Some(demo),
            Err(e) => {
                tracing::error!(error = %e, "the demo could not start");
                startup_error.get_or_insert(e);
                None
            }
        };
        let state = Self {
            store,
            documents,
            opened_files: Mutex::new(opened_files_from_args()),
            connections,
            demo,
            active: RwLock::new(Active {
                status: AppStatus {
                    mode: AppMode::Demo,
                    connection_id: DEMO_ID.to_owned(),
                    connection_name: None,
                    region: "us-east-1".to_owned(),
                    simulator_endpoint: None,
                    startup_error: startup_error.clone(),
                },
                chat: None,
            }),
            streams: Mutex::new(HashMap::new()),
        };
        if let Some(connections) = &state.connections {
            if let Err(e) = adopt_local_aws_setup(connections).await {
                tracing::warn!(error = %e, "could not add this computer's AWS setup");
            }
        }
        let wanted = state
            .connections
            .as_ref()
            .and_then(|c| c.active_id().ok())
            .unwrap_or_else(|| DEMO_ID.to_owned());
        if let Err(e) = state.activate(&wanted).await {
            tracing::warn!(error = %e, connection = %wanted, "falling back to the demo");
            let _ = state.activate(DEMO_ID).await;
            state.set_startup_error(e);
        } else if let Some(e) = startup_error {
            state.set_startup_error(e);
        }
        state.prune_activity();
        let status = state.status();
        tracing::info!(mode = ?status.mode, region = %status.region, "Cairn started");
        state
    }

    /// Drops activity older than the retention period (at start-up, then daily).
    pub fn prune_activity(&self) {
        let Some(store) = &self.store else { return };
        match cairn_core::activity::prune(store, time::OffsetDateTime::now_utc()) {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "pruned old activity"),
            Err(error) => tracing::warn!(%error, "could not prune the activity log"),
        }
    }

    fn set_startup_error(&self, error: CairnError) {
        if let Ok(mut active) = self.active.write() {
            active.status.startup_error = Some(error);
        }
    }

    pub fn status(&self) -> AppStatus {
        self.active
            .read()
            .map(|a| a.status.clone())
            .unwrap_or_else(|p| p.into_inner().status.clone())
    }

    /// Makes `id` the active connection: builds its clients and a chat service on them.
    pub async fn activate(&self, id: &str) -> Result<AppStatus, CairnError> {
        let connections = self.connections()?;
        let store = self.store()?;
        let clients = session::clients_for(connections, self.demo.as_ref(), id).await?;
        let (mode, name, account) = if id == DEMO_ID {
            (AppMode::Demo, None, None)
        } else {
            let info = connections.get(id)?;
            (
                AppMode::Aws,
                Some(info.name),
                info.verification.map(|v| v.account),
            )
        };
        connections.set_active(id)?;
        let status = AppStatus {
            mode,
            connection_id: id.to_owned(),
            connection_name: name.clone(),
            region: clients.region.clone(),
            simulator_endpoint: (id == DEMO_ID)
                .then(|| self.demo.as_ref().map(|d| d.simulator.url()))
                .flatten(),
            startup_error: None,
        };
        let activity = ActivityContext {
            connection_id: id.to_owned(),
            connection_name: name.clone().unwrap_or_else(|| "Demo".to_owned()),
            account,
            region: clients.region.clone(),
        };
        let mut chat = ChatService::new(store.clone(), clients).with_activity(activity);
        if let Some(documents) = &self.documents {
            chat = chat.with_documents(documents.clone());
        }
        let chat = Arc::new(chat);
        let mut active = self
            .active
            .write()
            .map_err(|_| CairnError::new(ErrorKind::Internal, "state lock poisoned"))?;
        *active = Active {
            status: status.clone(),
            chat: Some(chat),
        };
        tracing::info!(connection = %id, "connection activated");
        Ok(status)
    }

    pub fn chat(&self) -> Result<Arc<ChatService>, CairnError> {
        let active = self
            .active
            .read()
            .map_err(|_| CairnError::new(ErrorKind::Internal, "state lock poisoned"))?;
        active
            .chat
            .clone()
            .ok_or_else(|| self.unavailable(&active.status))
    }

    /// The files Cairn was opened with, once.
    pub fn take_opened_files(&self) -> Vec<PathBuf> {
        self.opened_files
            .lock()
            .map(|mut files| std::mem::take(&mut *files))
            .unwrap_or_default()
    }

    pub fn documents(&self) -> Result<&DocumentStore, CairnError> {
        self.documents
            .as_ref()
            .ok_or_else(|| self.unavailable(&self.status()))
    }

    pub fn store(&self) -> Result<&Arc<Store>, CairnError> {
        self.store
            .as_ref()
            .ok_or_else(|| self.unavailable(&self.status()))
    }

    pub fn connections(&self) -> Result<&Arc<ConnectionService>, CairnError> {
        self.connections
            .as_ref()
            .ok_or_else(|| self.unavailable(&self.status()))
    }

    fn unavailable(&self, status: &AppStatus) -> CairnError {
        status.startup_error.clone().unwrap_or_else(|| {
            CairnError::new(ErrorKind::Internal, "Cairn did not finish starting")
        })
    }
}

/// On the very first start, an AWS setup already on this computer (environment variables,
/// `~/.aws` files) becomes a connection of its own and the active one.
async fn adopt_local_aws_setup(connections: &ConnectionService) -> Result<(), CairnError> {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from);
    let first_start = connections.list()?.is_empty() && connections.active_id()? == DEMO_ID;
    if !first_start || !session::aws_configured(env_lookup, home.as_deref()) {
        return Ok(());
    }
    let input = ConnectionInput {
        id: None,
        name: "This computer's AWS setup".to_owned(),
        kind: ConnectionKind::DefaultChain,
        region: None,
        profile: None,
        access_key_id: None,
        secret_access_key: None,
        session_token: None,
        api_key: None,
        endpoints: EndpointOverrides::default(),
        session_only: false,
        sso_flow_id: None,
        sso_account_id: None,
        sso_role_name: None,
    };
    let saved = connections.save(input).await?;
    connections.set_active(&saved.id)
}
