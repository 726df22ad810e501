//! The server's shared state: the World behind its one lock, the state directory, the
//! request log, the settings, and the realistic profile's rate limiter and the fault
//! injector. One `Arc<Engine>` is shared by every request.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use crate::baseline::{self, BaselinePolicy};
use crate::config::{Config, Settings, scale_duration};
use crate::faults::{FaultInjector, FaultSettings, Injected};
use crate::limits::RateLimiter;
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
    /// Why the sandbox refused the request before its operation ran, if it did:
    /// `rate-limit` (the realistic profile's token bucket was empty) or the injected fault
    /// (`throttle`, `server-error`, `conflict`). Such a request changed nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injected: Option<&'static str>,
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
            injected: None,
        }
    }

    /// Records why the request was refused before its operation ran.
    #[must_use]
    pub(crate) fn with_injected(mut self, injected: Option<Injected>) -> Self {
        self.injected = injected.map(Injected::label);
        self
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
    /// The realistic profile's token buckets; `None` in the fast profile.
    limiter: Option<RateLimiter>,
    faults: Mutex<FaultInjector>,
    /// The seed faults are decided from when none is given.
    fault_seed: u64,
    /// The account baseline in force when the server started (reset restores it).
    baseline_at_start: Vec<BaselinePolicy>,
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
        // A configured baseline replaces the stored one; without one the stored baseline
        // (set at an earlier start or through the control API) stays. Either way it is
        // applied again: accounts that lack a policy of it get it now.
        if !config.account_baseline.is_empty() {
            world.account_baseline.clone_from(&config.account_baseline);
        }
        let now = world.clock.now();
        baseline::apply_to_all(&mut world, now);
        let baseline_at_start = world.account_baseline.clone();
        if let Some(dir) = &state_dir {
            dir.save(&world)?;
        }
        let fault_seed = config.seed.unwrap_or_else(rand::random);
        Ok(Self {
            world: Mutex::new(world),
            state_dir: Mutex::new(state_dir),
            request_log: Mutex::new(Vec::new()),
            settings: Settings::from_config(&config),
            limiter: config
                .profile
                .enforces_limits()
                .then(|| RateLimiter::new(config.time_scale)),
            faults: Mutex::new(FaultInjector::new(config.faults.clone(), fault_seed)),
            fault_seed,
            baseline_at_start,
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

    /// The configuration the server started with.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The realistic profile's rate limiter (`None` in the fast profile).
    pub(crate) fn limiter(&self) -> Option<&RateLimiter> {
        self.limiter.as_ref()
    }

    fn fault_injector(&self) -> MutexGuard<'_, FaultInjector> {
        // The injector is plain data; a poisoned lock still holds a usable value.
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Decides whether this request fails with an injected fault (see `faults`).
    pub(crate) fn decide_fault(
        &self,
        service: &str,
        operation: &str,
        write: bool,
    ) -> Option<Injected> {
        self.fault_injector().decide(service, operation, write)
    }

    /// The injected latency for an operation, divided by the time scale.
    pub(crate) fn fault_latency(&self, service: &str, operation: &str) -> Duration {
        let latency = self.fault_injector().latency(service, operation);
        scale_duration(latency, self.config.time_scale)
    }

    /// The fault settings in force and their seed.
    pub(crate) fn faults(&self) -> (FaultSettings, u64) {
        let injector = self.fault_injector();
        (injector.settings().clone(), injector.seed())
    }

    /// Replaces the fault settings (and the seed, if given); the decision counters restart.
    pub(crate) fn set_faults(&self, settings: FaultSettings, seed: Option<u64>) {
        let mut injector = self.fault_injector();
        let seed = seed.unwrap_or_else(|| injector.seed());
        *injector = FaultInjector::new(settings, seed);
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

    /// Replaces the World with a fresh one (saved) holding the account baseline the server
    /// started with, clears the request log, restores the faults the server started with
    /// (and their seed) and refills every rate-limit bucket.
    pub(crate) fn reset(&self) -> Result<(), StateError> {
        let mut world = self.lock_world();
        *world = World::fresh(&self.config);
        world.account_baseline.clone_from(&self.baseline_at_start);
        let now = world.clock.now();
        baseline::apply_to_all(&mut world, now);
        self.persist(&world)?;
        self.request_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        *self.fault_injector() = FaultInjector::new(self.config.faults.clone(), self.fault_seed);
        if let Some(limiter) = &self.limiter {
            limiter.clear();
        }
        Ok(())
    }
}
