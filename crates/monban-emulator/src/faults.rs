//! Fault injection: AWS's transient failures on demand, reproducibly.
//!
//! A [`FaultSettings`] holds rates per kind — throttling, server errors, write conflicts —
//! and an extra latency, globally and per operation (`Operation` or `service:Operation`,
//! the most specific value of each kind wins). The server decides, before an operation
//! runs and before the World is touched, whether to fail it; the decision for the n-th
//! request of an operation is a pure function of (seed, service, operation, n), so a test
//! with a fixed seed sees the same faults on every run, whatever other operations
//! interleave. How a decided fault is spelled on the wire (the service's own throttling,
//! 5xx and conflict errors) is the protocol layer's business.
//!
//! Settable per run (`Config::faults`, `monban sandbox serve --faults …`, parsed by
//! [`FaultSettings::parse`]) and at run time (`POST /_sandbox/faults`).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The rates of one scope (the whole sandbox, or one operation). Unset kinds fall back to
/// the less specific scope (operation in any service, then global, then 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRates {
    /// Probability (0..=1) of the API's own throttling error (SSO Admin / Identity Store
    /// `ThrottlingException`, Organizations `TooManyRequestsException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<f64>,
    /// Probability (0..=1) of the API's 5xx error (SSO Admin / Identity Store
    /// `InternalServerException`, Organizations `ServiceException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_error: Option<f64>,
    /// Probability (0..=1) of a write conflict, on write operations only (SSO Admin
    /// `ConflictException` "There is a conflicting operation in process.", Organizations
    /// `ConcurrentModificationException`, Identity Store `ConflictException`
    /// `CONCURRENT_MODIFICATION`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<f64>,
    /// Extra latency added to every request, in milliseconds (divided by the time scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
}

impl FaultRates {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    fn validate(&self, scope: &str) -> Result<(), FaultError> {
        for (kind, rate) in [
            ("throttle", self.throttle),
            ("server_error", self.server_error),
            ("conflict", self.conflict),
        ] {
            if let Some(rate) = rate
                && !(0.0..=1.0).contains(&rate)
            {
                return Err(FaultError(format!(
                    "{scope}: the {kind} rate {rate} is not between 0 and 1"
                )));
            }
        }
        let total = self.throttle.unwrap_or(0.0)
            + self.server_error.unwrap_or(0.0)
            + self.conflict.unwrap_or(0.0);
        if total > 1.0 + f64::EPSILON {
            return Err(FaultError(format!(
                "{scope}: the rates add up to {total}, more than 1"
            )));
        }
        if let Some(latency) = self.latency_ms
            && !(latency.is_finite() && (0.0..=600_000.0).contains(&latency))
        {
            return Err(FaultError(format!(
                "{scope}: the latency {latency} ms is not between 0 and 600000"
            )));
        }
        Ok(())
    }

    /// Sets `kind` (`throttle`, `server-error`, `conflict`, `latency`) from its text.
    fn set(&mut self, kind: &str, value: &str) -> Result<(), FaultError> {
        let rate = || {
            value
                .parse::<f64>()
                .map_err(|_| FaultError(format!("`{kind}={value}`: not a number between 0 and 1")))
        };
        match kind {
            "throttle" => self.throttle = Some(rate()?),
            "server-error" | "server_error" => self.server_error = Some(rate()?),
            "conflict" => self.conflict = Some(rate()?),
            "latency" => self.latency_ms = Some(parse_latency(value)?),
            other => {
                return Err(FaultError(format!(
                    "unknown fault kind `{other}` (expected throttle, server-error, conflict or latency)"
                )));
            }
        }
        Ok(())
    }
}

/// `50ms`, `1.5s` or a bare number of milliseconds.
fn parse_latency(value: &str) -> Result<f64, FaultError> {
    let (number, factor) = if let Some(number) = value.strip_suffix("ms") {
        (number, 1.0)
    } else if let Some(number) = value.strip_suffix('s') {
        (number, 1000.0)
    } else {
        (value, 1.0)
    };
    number
        .trim()
        .parse::<f64>()
        .map(|number| number * factor)
        .map_err(|_| FaultError(format!("`latency={value}`: expected e.g. 50ms or 0.2s")))
}

/// Which faults to inject: global rates plus per-operation overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSettings {
    /// Rates for every operation.
    #[serde(default)]
    pub global: FaultRates,
    /// Rates for one operation: the key is `Operation` (in any service) or
    /// `service:Operation` (`organizations`, `sso-admin`, `identitystore`).
    #[serde(default)]
    pub operations: BTreeMap<String, FaultRates>,
}

/// Invalid fault settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid faults: {0}")]
pub struct FaultError(String);

impl FaultSettings {
    /// Parses the `--faults` syntax: comma-separated `[SCOPE.]KIND=VALUE`, where KIND is
    /// `throttle`, `server-error`, `conflict` (rates 0..1) or `latency` (`50ms`, `0.2s`) and
    /// SCOPE is an operation (`CreateAccountAssignment`) or `service:Operation`
    /// (`sso-admin:TagResource`); without SCOPE the value is global. Example:
    /// `throttle=0.1,server-error=0.05,CreateAccountAssignment.conflict=0.5,latency=50ms`.
    pub fn parse(text: &str) -> Result<Self, FaultError> {
        let mut settings = Self::default();
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                FaultError(format!(
                    "`{item}`: expected KIND=VALUE or OPERATION.KIND=VALUE"
                ))
            })?;
            let rates = match key.rsplit_once('.') {
                Some((scope, kind)) if !scope.is_empty() => {
                    let rates = settings.operations.entry(scope.to_owned()).or_default();
                    (rates, kind)
                }
                _ => (&mut settings.global, key),
            };
            rates.0.set(rates.1.trim(), value.trim())?;
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every rate is within 0..=1 (and each scope's add up to at most 1), latencies
    /// within 0..=600,000 ms, and operation keys are well-formed.
    pub fn validate(&self) -> Result<(), FaultError> {
        self.global.validate("global")?;
        for (scope, rates) in &self.operations {
            let operation = scope.rsplit_once(':').map_or(scope.as_str(), |(_, op)| op);
            if operation.is_empty() || !operation.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(FaultError(format!(
                    "`{scope}` is not an operation name (Operation or service:Operation)"
                )));
            }
            rates.validate(scope)?;
        }
        Ok(())
    }

    /// Whether no fault is configured at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.global.is_empty() && self.operations.values().all(FaultRates::is_empty)
    }

    /// The effective rates for `operation` of `service`: per kind, `service:Operation`,
    /// then `Operation`, then global, then 0.
    #[must_use]
    pub fn resolve(&self, service: &str, operation: &str) -> ResolvedFaults {
        let specific = self.operations.get(&format!("{service}:{operation}"));
        let any_service = self.operations.get(operation);
        let pick = |field: fn(&FaultRates) -> Option<f64>| {
            specific
                .and_then(field)
                .or_else(|| any_service.and_then(field))
                .or_else(|| field(&self.global))
                .unwrap_or(0.0)
        };
        ResolvedFaults {
            throttle: pick(|rates| rates.throttle),
            server_error: pick(|rates| rates.server_error),
            conflict: pick(|rates| rates.conflict),
            latency: Duration::try_from_secs_f64(pick(|rates| rates.latency_ms) / 1000.0)
                .unwrap_or(Duration::ZERO),
        }
    }
}

/// The fault rates that apply to one operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResolvedFaults {
    /// Probability of throttling.
    pub throttle: f64,
    /// Probability of a server error.
    pub server_error: f64,
    /// Probability of a conflict (write operations only).
    pub conflict: f64,
    /// Extra latency (before the time scale).
    pub latency: Duration,
}

/// Why the sandbox refused a request before its operation ran (the request log's
/// `injected` member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// The realistic profile's token bucket for the API was empty; the caller may retry
    /// after `retry_after`.
    RateLimit {
        /// When the bucket holds a token again.
        retry_after: Duration,
    },
    /// An injected throttling error.
    Throttle,
    /// An injected 5xx.
    ServerError,
    /// An injected write conflict.
    Conflict,
}

impl Injected {
    /// `rate-limit`, `throttle`, `server-error` or `conflict`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::RateLimit { .. } => "rate-limit",
            Self::Throttle => "throttle",
            Self::ServerError => "server-error",
            Self::Conflict => "conflict",
        }
    }
}

/// The fault settings in force plus the per-operation request counters that make the
/// decisions reproducible.
#[derive(Debug, Clone)]
pub struct FaultInjector {
    settings: FaultSettings,
    seed: u64,
    /// `service:Operation` → how many requests of it were decided so far.
    counters: HashMap<String, u64>,
}

impl FaultInjector {
    /// An injector with `settings`, deciding from `seed`.
    #[must_use]
    pub fn new(settings: FaultSettings, seed: u64) -> Self {
        Self {
            settings,
            seed,
            counters: HashMap::new(),
        }
    }

    /// The settings in force.
    #[must_use]
    pub fn settings(&self) -> &FaultSettings {
        &self.settings
    }

    /// The seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The extra latency for `operation` of `service` (before the time scale).
    #[must_use]
    pub fn latency(&self, service: &str, operation: &str) -> Duration {
        if self.settings.is_empty() {
            return Duration::ZERO;
        }
        self.settings.resolve(service, operation).latency
    }

    /// Decides whether this request of `operation` fails, and how. `write` says whether the
    /// operation changes state (conflicts apply only to writes). Counts the request.
    pub fn decide(&mut self, service: &str, operation: &str, write: bool) -> Option<Injected> {
        if self.settings.is_empty() {
            return None;
        }
        let rates = self.settings.resolve(service, operation);
        let key = format!("{service}:{operation}");
        let counter = self.counters.entry(key.clone()).or_insert(0);
        let draw = unit_interval(self.seed, &key, *counter);
        *counter += 1;
        let mut threshold = rates.throttle;
        if draw < threshold {
            return Some(Injected::Throttle);
        }
        threshold += rates.server_error;
        if draw < threshold {
            return Some(Injected::ServerError);
        }
        threshold += rates.conflict;
        if write && draw < threshold {
            return Some(Injected::Conflict);
        }
        None
    }
}

/// A number in [0, 1) that depends only on (seed, key, counter): SplitMix64 over the seed,
/// an FNV-1a hash of the key and the counter.
fn unit_interval(seed: u64, key: &str, counter: u64) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mixed = split_mix(split_mix(seed ^ hash) ^ counter);
    // The top 53 bits as a fraction: exact in an f64.
    #[expect(
        clippy::cast_precision_loss,
        reason = "a 53-bit integer converts to f64 exactly"
    )]
    let fraction = (mixed >> 11) as f64 / (1u64 << 53) as f64;
    fraction
}

fn split_mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_global_and_per_operation_faults() {
        let settings = FaultSettings::parse(
            "throttle=0.1, server-error=0.05,CreateAccountAssignment.conflict=0.5,sso-admin:TagResource.throttle=1,latency=50ms",
        )
        .unwrap();
        assert_eq!(settings.global.throttle, Some(0.1));
        assert_eq!(settings.global.server_error, Some(0.05));
        assert_eq!(settings.global.latency_ms, Some(50.0));
        assert_eq!(
            settings.operations["CreateAccountAssignment"].conflict,
            Some(0.5)
        );
        let resolved = settings.resolve("sso-admin", "TagResource");
        assert!((resolved.throttle - 1.0).abs() < f64::EPSILON);
        assert!((resolved.server_error - 0.05).abs() < f64::EPSILON);
        assert_eq!(resolved.latency, Duration::from_millis(50));
        let other_service = settings.resolve("organizations", "TagResource");
        assert!((other_service.throttle - 0.1).abs() < f64::EPSILON);
    }

    #[test]
    fn refuses_bad_rates_kinds_and_scopes() {
        assert!(FaultSettings::parse("throttle=1.5").is_err());
        assert!(FaultSettings::parse("throttle=0.6,conflict=0.6").is_err());
        assert!(FaultSettings::parse("explode=0.1").is_err());
        assert!(FaultSettings::parse("throttle").is_err());
        assert!(FaultSettings::parse("latency=soon").is_err());
        assert!(FaultSettings::parse("Bad-Op!.throttle=0.1").is_err());
        assert_eq!(
            FaultSettings::parse("latency=0.2s")
                .unwrap()
                .global
                .latency_ms,
            Some(200.0)
        );
    }

    #[test]
    fn the_same_seed_decides_the_same_faults() {
        let settings = FaultSettings::parse("throttle=0.3,server-error=0.2,conflict=0.2").unwrap();
        let run = |seed| {
            let mut injector = FaultInjector::new(settings.clone(), seed);
            (0..200)
                .map(|_| injector.decide("sso-admin", "CreatePermissionSet", true))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let decisions = run(7);
        let count = |kind| decisions.iter().filter(|d| **d == Some(kind)).count();
        // 200 draws: each kind lands near its rate.
        assert!(
            (40..=80).contains(&count(Injected::Throttle)),
            "{decisions:?}"
        );
        assert!((20..=60).contains(&count(Injected::ServerError)));
        assert!((20..=60).contains(&count(Injected::Conflict)));
    }

    #[test]
    fn conflicts_hit_writes_only_and_empty_settings_never_fault() {
        let settings = FaultSettings::parse("conflict=1").unwrap();
        let mut injector = FaultInjector::new(settings, 1);
        assert_eq!(
            injector.decide("organizations", "ListAccounts", false),
            None
        );
        assert_eq!(
            injector.decide("organizations", "MoveAccount", true),
            Some(Injected::Conflict)
        );
        let mut none = FaultInjector::new(FaultSettings::default(), 1);
        assert_eq!(none.decide("organizations", "MoveAccount", true), None);
    }
}
