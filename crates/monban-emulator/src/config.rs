//! How a sandbox server is configured: address, state directory, region, management account,
//! credentials, profile (timing and AWS's limits), time scale, faults, quotas and the seed.
//! Resolved by the caller (the `monban sandbox serve` flags, or a test) into one [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::baseline::BaselinePolicy;
use crate::faults::FaultSettings;

/// The management account's documented default access key id.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIAMONBANSANDBOX000";
/// The management account's documented default secret access key.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "monban-sandbox-secret";
/// The management account id of a fresh sandbox.
pub const DEFAULT_MANAGEMENT_ACCOUNT_ID: &str = "111111111111";
/// The management account's root e-mail in a fresh sandbox.
pub const DEFAULT_MANAGEMENT_ACCOUNT_EMAIL: &str = "management@example.com";
/// The management account's name in a fresh sandbox.
pub const DEFAULT_MANAGEMENT_ACCOUNT_NAME: &str = "management";
/// The region of the Identity Center instance in a fresh sandbox.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The password every Identity Store user signs in with on the sandbox's sign-in pages
/// (`services::signin`), unless `Config::sign_in_password` says otherwise.
pub const DEFAULT_SIGN_IN_PASSWORD: &str = "monban-sandbox";
/// How many accounts an organization may hold by default (AWS's default is 10; the sandbox
/// is generous so that large scenarios run without configuration).
pub const DEFAULT_ACCOUNT_QUOTA: u32 = 10_000;

/// How the sandbox behaves in time: how long asynchronous operations take and whether AWS's
/// rate and concurrency limits apply (docs/reference/sandbox.md, "Profiles, limits and
/// faults").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Profile {
    /// Async operations complete after a few hundred milliseconds and nothing is rate
    /// limited (the default: fast tests that still see `IN_PROGRESS`).
    #[default]
    Fast,
    /// AWS's published request rates and concurrency limits apply, and async operations take
    /// seconds (CreateAccount tens of seconds), as in AWS.
    Realistic,
}

impl Profile {
    /// How long each asynchronous operation takes under this profile (before the time
    /// scale).
    #[must_use]
    pub fn async_durations(self) -> AsyncDurations {
        match self {
            Self::Fast => AsyncDurations::all(Duration::from_millis(300)),
            // AWS publishes no durations; these are typical of what tools report (account
            // creation well under a minute to a few minutes, assignments and provisioning a
            // few seconds — terraform polls every 5 s). Sandbox decision, documented.
            Self::Realistic => AsyncDurations {
                create_account: Duration::from_secs(30),
                close_account: Duration::from_secs(30),
                create_account_assignment: Duration::from_secs(4),
                delete_account_assignment: Duration::from_secs(4),
                provision_permission_set: Duration::from_secs(5),
            },
        }
    }

    /// Whether AWS's request-rate and concurrency limits apply.
    #[must_use]
    pub fn enforces_limits(self) -> bool {
        self == Self::Realistic
    }

    /// `fast` or `realistic`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Realistic => "realistic",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "fast" => Ok(Self::Fast),
            "realistic" => Ok(Self::Realistic),
            other => Err(format!(
                "unknown sandbox profile `{other}` (expected `fast` or `realistic`)"
            )),
        }
    }
}

/// How long each asynchronous operation stays `IN_PROGRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsyncDurations {
    /// Organizations CreateAccount (`IN_PROGRESS` → `SUCCEEDED`/`FAILED`).
    pub create_account: Duration,
    /// Organizations CloseAccount (`PENDING_CLOSURE` → `SUSPENDED`).
    pub close_account: Duration,
    /// SSO Admin CreateAccountAssignment.
    pub create_account_assignment: Duration,
    /// SSO Admin DeleteAccountAssignment.
    pub delete_account_assignment: Duration,
    /// SSO Admin ProvisionPermissionSet.
    pub provision_permission_set: Duration,
}

impl AsyncDurations {
    /// The same duration for every operation.
    #[must_use]
    pub fn all(duration: Duration) -> Self {
        Self {
            create_account: duration,
            close_account: duration,
            create_account_assignment: duration,
            delete_account_assignment: duration,
            provision_permission_set: duration,
        }
    }

    /// Every duration divided by `time_scale` (a positive, finite number).
    #[must_use]
    pub fn scaled(self, time_scale: f64) -> Self {
        let scale = |duration: Duration| scale_duration(duration, time_scale);
        Self {
            create_account: scale(self.create_account),
            close_account: scale(self.close_account),
            create_account_assignment: scale(self.create_account_assignment),
            delete_account_assignment: scale(self.delete_account_assignment),
            provision_permission_set: scale(self.provision_permission_set),
        }
    }
}

/// `duration / time_scale`; a scale that is not a positive finite number leaves it as is.
#[must_use]
pub fn scale_duration(duration: Duration, time_scale: f64) -> Duration {
    if time_scale.is_finite() && time_scale > 0.0 {
        Duration::try_from_secs_f64(duration.as_secs_f64() / time_scale).unwrap_or(duration)
    } else {
        duration
    }
}

/// An access key for the management account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagementCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl Default for ManagementCredentials {
    fn default() -> Self {
        Self {
            access_key_id: DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.into(),
        }
    }
}

/// Everything a sandbox server needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (read it back from
    /// `RunningServer::endpoint_url`). Loopback only.
    pub addr: SocketAddr,
    /// Where the World persists (`<dir>/world.json`, locked by `<dir>/lock`); `None` keeps
    /// it in memory only.
    pub state_dir: Option<PathBuf>,
    /// The Identity Center instance's region in a fresh World.
    pub region: String,
    /// The management account id in a fresh World.
    pub management_account_id: String,
    /// The management account's root e-mail in a fresh World.
    pub management_account_email: String,
    /// The management account's name in a fresh World ([`DEFAULT_MANAGEMENT_ACCOUNT_NAME`]
    /// by default; the embedded sandbox uses the repo's file name for it, so a plan finds
    /// the name it expects).
    pub management_account_name: String,
    /// The management account's access key (added to the credential store at every start,
    /// so a changed secret takes effect on an existing state dir).
    pub credentials: ManagementCredentials,
    /// The profile: async durations and whether AWS's rate and concurrency limits apply.
    pub profile: Profile,
    /// Overrides the profile's async durations (one value for every operation; still
    /// divided by `time_scale`).
    pub async_duration: Option<Duration>,
    /// Runs the sandbox this many times faster: every async duration (and injected latency)
    /// is divided by it and every request rate multiplied by it, so every ratio stays as in
    /// AWS. Must be a positive, finite number; `1.0` is real speed. The sandbox clock itself
    /// stays real time.
    pub time_scale: f64,
    /// Faults to inject from the start (the control API can change them at run time).
    pub faults: FaultSettings,
    /// How many accounts the organization may hold.
    pub account_quota: u32,
    /// Seeds the id generator of a fresh World (reproducible ids) and the fault injector
    /// (reproducible faults); random when `None`.
    pub seed: Option<u64>,
    /// The account baseline: IAM customer managed policies that exist in every member
    /// account (created at start for the accounts there are and for every account that
    /// joins later). Empty by default. See [`crate::baseline`].
    pub account_baseline: Vec<BaselinePolicy>,
    /// The one password every Identity Store user signs in with on the sign-in pages
    /// (the device-authorization page, `/authorize`); [`DEFAULT_SIGN_IN_PASSWORD`] by
    /// default. The sandbox has no per-user passwords: users come from the IdP (SCIM or
    /// the Identity Store API), which never carries one.
    pub sign_in_password: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_dir: None,
            region: DEFAULT_REGION.into(),
            management_account_id: DEFAULT_MANAGEMENT_ACCOUNT_ID.into(),
            management_account_email: DEFAULT_MANAGEMENT_ACCOUNT_EMAIL.into(),
            management_account_name: DEFAULT_MANAGEMENT_ACCOUNT_NAME.into(),
            credentials: ManagementCredentials::default(),
            profile: Profile::Fast,
            async_duration: None,
            time_scale: 1.0,
            faults: FaultSettings::default(),
            account_quota: DEFAULT_ACCOUNT_QUOTA,
            seed: None,
            account_baseline: Vec::new(),
            sign_in_password: DEFAULT_SIGN_IN_PASSWORD.into(),
        }
    }
}

/// The settings handlers read at request time (derived from [`Config`], not persisted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long an asynchronous operation takes when no operation-specific duration applies
    /// (the time scale applied).
    pub async_duration: jiff::SignedDuration,
    /// How long each asynchronous operation takes (the time scale applied).
    pub durations: OperationDurations,
    /// Whether AWS's concurrency limits apply (the realistic profile): 15 outstanding
    /// CreateAccountAssignment, 3 concurrent ProvisionPermissionSet, one role update per
    /// account at a time.
    pub concurrency_limits: bool,
    /// How many accounts the organization may hold.
    pub account_quota: u32,
    /// The sandbox's home region (where the Identity Center instance lives).
    pub region: String,
}

/// [`AsyncDurations`] as the sandbox clock's durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationDurations {
    /// Organizations CreateAccount.
    pub create_account: jiff::SignedDuration,
    /// Organizations CloseAccount.
    pub close_account: jiff::SignedDuration,
    /// SSO Admin CreateAccountAssignment.
    pub create_account_assignment: jiff::SignedDuration,
    /// SSO Admin DeleteAccountAssignment.
    pub delete_account_assignment: jiff::SignedDuration,
    /// SSO Admin ProvisionPermissionSet.
    pub provision_permission_set: jiff::SignedDuration,
}

fn signed(duration: Duration) -> jiff::SignedDuration {
    jiff::SignedDuration::try_from(duration).unwrap_or(jiff::SignedDuration::MAX)
}

impl Settings {
    /// The settings of `config`.
    #[must_use]
    pub fn from_config(config: &Config) -> Self {
        let durations = config
            .async_duration
            .map_or_else(|| config.profile.async_durations(), AsyncDurations::all)
            .scaled(config.time_scale);
        Self {
            async_duration: signed(durations.create_account_assignment),
            durations: OperationDurations {
                create_account: signed(durations.create_account),
                close_account: signed(durations.close_account),
                create_account_assignment: signed(durations.create_account_assignment),
                delete_account_assignment: signed(durations.delete_account_assignment),
                provision_permission_set: signed(durations.provision_permission_set),
            },
            concurrency_limits: config.profile.enforces_limits(),
            account_quota: config.account_quota,
            region: config.region.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_scale_divides_every_duration() {
        let config = Config {
            profile: Profile::Realistic,
            time_scale: 10.0,
            ..Config::default()
        };
        let settings = Settings::from_config(&config);
        assert_eq!(
            settings.durations.create_account,
            jiff::SignedDuration::from_secs(3)
        );
        assert_eq!(
            settings.durations.provision_permission_set,
            jiff::SignedDuration::from_millis(500)
        );
        assert!(settings.concurrency_limits);
        assert!(!Settings::from_config(&Config::default()).concurrency_limits);
    }

    #[test]
    fn an_async_duration_overrides_every_operation_and_is_scaled_too() {
        let config = Config {
            async_duration: Some(Duration::from_secs(2)),
            time_scale: 4.0,
            ..Config::default()
        };
        let settings = Settings::from_config(&config);
        assert_eq!(
            settings.durations.create_account,
            jiff::SignedDuration::from_millis(500)
        );
        assert_eq!(
            settings.async_duration,
            jiff::SignedDuration::from_millis(500)
        );
    }
}
