//! `cairn-sim`: a local Amazon Bedrock that speaks the real wire format. See README.md.

pub mod answer;
pub mod catalog;
pub mod config;
mod server;
pub mod sigv4;
pub mod sso;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{SimConfig, SimCredential, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A simulator serving on a loopback port until it is shut down or dropped.
pub struct Simulator {
    addr: SocketAddr,
    state: server::Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `addr` (use port 0 for a free one) and serves in the current Tokio runtime.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> Result<Self, SimError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let state = Arc::new(server::SimState {
            config,
            base_url: format!("http://{addr}"),
            requests: Mutex::new(Vec::new()),
            logging: Mutex::new(None),
            sso: Mutex::new(sso::SsoState::default()),
            throttle_counts: Mutex::new(Default::default()),
            prompt_cache: Mutex::new(Default::default()),
        });
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(state.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = signal.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "cairn-sim stopped");
            }
        });
        tracing::info!(%addr, "cairn-sim listening");
        Ok(Self {
            addr,
            state,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Starts on a free loopback port.
    pub async fn start_local(config: SimConfig) -> Result<Self, SimError> {
        Self::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give every client as its endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn config(&self) -> &SimConfig {
        &self.state.config
    }

    /// Every request received so far, oldest first (same shape as `GET /_sim/requests`).
    pub fn requests(&self) -> Vec<Value> {
        self.state
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Approves (or denies) an IAM Identity Center sign-in, as the user would in the browser.
    /// `false` when no sign-in has that code.
    pub fn answer_sso(&self, user_code: &str, approve: bool) -> bool {
        self.state
            .sso
            .lock()
            .map(|mut s| s.answer(user_code, approve))
            .unwrap_or(false)
    }

    pub fn clear_requests(&self) {
        if let Ok(mut r) = self.state.requests.lock() {
            r.clear();
        }
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
