//! The server's shared state: the World behind its one lock, the state directory, the
//! request log and the settings. One `Arc<Engine>` is shared by every request.

use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;
use serde::Serialize;

use crate::config::{Config, Settings};
use crate::persistence::{StateDir, StateError};
use crate::protocol::error::WireError;
use crate::world::World;

/// One AWS request served, as `GET /_sandbox/requests` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestLogEntry {
    /// The sandbox clock's time when the request was served (RFC 3339).
    pub time: Timestamp,
    /// `organizations`, `sso-admin`, `identitystore`, or `unknown`.
    pub service: String,
    /// The operation name (as sent, even when unknown).
    pub operation: String,
    /// `ok` or `error`.
    pub outcome: &'static str,
    /// The AWS error code when the outcome is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The HTTP status sent.
    pub status: u16,
    /// The request id sent in `x-amzn-RequestId`.
    pub request_id: String,
}

impl RequestLogEntry {
    pub(crate) fn new(
        time: Timestamp,
        service: &str,
        operation: &str,
        request_id: &str,
        error: Option<&WireError>,
    ) -> Self {
        Self {
            time,
            service: service.to_owned(),
            operation: operation.to_owned(),
            outcome: if error.is_some() { "error" } else { "ok" },
            error_code: error.map(|error| error.type_name.clone()),
            status: error.map_or(200, |error| error.status.as_u16()),
            request_id: request_id.to_owned(),
        }
    }
}

/// The state every request shares.
#[derive(Debug)]
pub(crate) struct Engine {
    world: Mutex<World>,
    /// `None` when in memory, or after `close`.
    state_dir: Mutex<Option<StateDir>>,
    request_log: Mutex<Vec<RequestLogEntry>>,
    settings: Settings,
    config: Config,
}

impl Engine {
    /// Locks the state dir (if any), loads or creates the World, installs the configured
    /// management key and saves.
    pub(crate) fn open(config: Config) -> Result<Self, StateError> {
        let state_dir = config
            .state_dir
            .as_deref()
            .map(StateDir::open)
            .transpose()?;
        let loaded = match &state_dir {
            Some(dir) => dir.load()?,
            None => None,
        };
        let mut world = loaded.unwrap_or_else(|| World::fresh(&config));
        world.install_management_credentials(&config);
        if let Some(dir) = &state_dir {
            dir.save(&world)?;
        }
        Ok(Self {
            world: Mutex::new(world),
            state_dir: Mutex::new(state_dir),
            request_log: Mutex::new(Vec::new()),
            settings: Settings::from_config(&config),
            config,
        })
    }

    /// The World, locked. A panic in a handler poisons the mutex; the World is still the
    /// best state there is (handlers validate before they mutate), so keep serving it.
    pub(crate) fn lock_world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Saves `world` (the caller holds the lock) if there is a state dir.
    pub(crate) fn persist(&self, world: &World) -> Result<(), StateError> {
        let state_dir = self
            .state_dir
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match state_dir.as_ref() {
            Some(dir) => dir.save(world),
            None => Ok(()),
        }
    }

    /// Releases the state directory (and its lock) after the server stopped; later
    /// changes are no longer saved.
    pub(crate) fn close(&self) {
        // Lock order: World, then state dir (as `persist` callers do).
        let _world = self.lock_world();
        self.state_dir
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Appends to the request log.
    pub(crate) fn log(&self, entry: RequestLogEntry) {
        self.request_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }

    /// The request log so far.
    pub(crate) fn request_log(&self) -> Vec<RequestLogEntry> {
        self.request_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the World with a fresh one (saved) and clears the request log.
    pub(crate) fn reset(&self) -> Result<(), StateError> {
        let mut world = self.lock_world();
        *world = World::fresh(&self.config);
        self.persist(&world)?;
        self.request_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(())
    }
}
