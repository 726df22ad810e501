//! Starting and stopping a sandbox server: one axum server on one loopback port serving
//! every AWS service plus the control API under `/_sandbox/`.
//!
//! Used in-process (tests, the embedded sandbox) and by `monban sandbox serve`, which prints
//! `READY <endpoint_url>` once [`Server::start`] returns.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::any;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::control;
use crate::engine::Engine;
use crate::persistence::StateError;
use crate::protocol;

/// Why a server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The state directory could not be used.
    #[error(transparent)]
    State(#[from] StateError),
    /// Only loopback addresses are served.
    #[error("the sandbox only listens on loopback addresses, not {addr}; use 127.0.0.1")]
    NotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the sandbox server failed")]
    Serve(#[source] std::io::Error),
    /// The configuration is not usable (time scale, faults, account baseline).
    #[error("invalid sandbox configuration: {message}")]
    InvalidConfig {
        /// What is wrong.
        message: String,
    },
    /// The server task panicked or was cancelled.
    #[error("the sandbox server task ended abnormally")]
    Task(#[source] tokio::task::JoinError),
}

/// Entry point: `Server::start(config)`.
#[derive(Debug)]
pub struct Server;

impl Server {
    /// Locks and loads the state directory (or starts in memory), binds `config.addr` and
    /// serves until [`RunningServer::shutdown`].
    pub async fn start(config: Config) -> Result<RunningServer, ServerError> {
        if !config.addr.ip().is_loopback() {
            return Err(ServerError::NotLoopback { addr: config.addr });
        }
        if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
            return Err(ServerError::InvalidConfig {
                message: format!(
                    "the time scale must be a positive number, not {}",
                    config.time_scale
                ),
            });
        }
        config
            .faults
            .validate()
            .map_err(|error| ServerError::InvalidConfig {
                message: error.to_string(),
            })?;
        crate::baseline::validate(&config.account_baseline).map_err(|error| {
            ServerError::InvalidConfig {
                message: error.to_string(),
            }
        })?;
        let addr = config.addr;
        // Opening reads and may write the state file: keep it off the async workers.
        let engine = tokio::task::spawn_blocking(move || Engine::open(config))
            .await
            .map_err(ServerError::Task)??;
        let engine = Arc::new(engine);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        let app = Router::new()
            .nest("/_sandbox", control::router())
            // IAM Identity Center's SCIM endpoint (`services::scim`), before the AWS fallback.
            .route("/{tenant_id}/scim/v2", any(protocol::scim::handle_root))
            .route("/{tenant_id}/scim/v2/{*rest}", any(protocol::scim::handle))
            .fallback(protocol::handle_aws_request)
            .with_state(Arc::clone(&engine));
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender also stops the server.
                    let _ = shutdown_signal.await;
                })
                .await
        });
        Ok(RunningServer {
            local_addr,
            engine,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// A server that is serving. Dropping it stops it too (without waiting).
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    engine: Arc<Engine>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// The address actually bound (the real port when port 0 was asked).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The endpoint URL for SDK clients, e.g. `http://127.0.0.1:49152`.
    #[must_use]
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stops accepting connections, finishes in-flight requests, and releases the state
    /// directory's lock.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(shutdown) = self.shutdown.take() {
            // The receiver is gone only if the server already stopped.
            let _ = shutdown.send(());
        }
        let result = match self.task.take() {
            Some(task) => task
                .await
                .map_err(ServerError::Task)?
                .map_err(ServerError::Serve),
            None => Ok(()),
        };
        // Release the state directory now, not whenever the last connection task lets go
        // of the engine: a caller may restart on the same directory right away.
        self.engine.close();
        result
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
