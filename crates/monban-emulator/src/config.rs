//! How a sandbox server is configured: address, state directory, region, management account,
//! credentials, timing profile, quotas and the id seed. Resolved by the caller (the
//! `monban sandbox serve` flags, or a test) into one [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The management account's documented default access key id.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIAMONBANSANDBOX000";
/// The management account's documented default secret access key.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "monban-sandbox-secret";
/// The management account id of a fresh sandbox.
pub const DEFAULT_MANAGEMENT_ACCOUNT_ID: &str = "111111111111";
/// The management account's root e-mail in a fresh sandbox.
pub const DEFAULT_MANAGEMENT_ACCOUNT_EMAIL: &str = "management@example.com";
/// The region of the Identity Center instance in a fresh sandbox.
pub const DEFAULT_REGION: &str = "us-east-1";
/// How many accounts an organization may hold by default (AWS's default is 10; the sandbox
/// is generous so that large scenarios run without configuration).
pub const DEFAULT_ACCOUNT_QUOTA: u32 = 10_000;

/// How long asynchronous operations take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Profile {
    /// Async operations complete after a few hundred milliseconds (the default: fast tests
    /// that still see `IN_PROGRESS`).
    #[default]
    Fast,
    /// Async operations take seconds, closer to AWS (demos, polling code).
    Realistic,
}

impl Profile {
    /// The time an asynchronous operation takes under this profile.
    #[must_use]
    pub fn async_duration(self) -> Duration {
        match self {
            Self::Fast => Duration::from_millis(300),
            Self::Realistic => Duration::from_secs(5),
        }
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The management account's access key (added to the credential store at every start,
    /// so a changed secret takes effect on an existing state dir).
    pub credentials: ManagementCredentials,
    /// The timing profile.
    pub profile: Profile,
    /// Overrides the profile's async duration.
    pub async_duration: Option<Duration>,
    /// How many accounts the organization may hold.
    pub account_quota: u32,
    /// Seeds the id generator of a fresh World (reproducible ids); random when `None`.
    pub seed: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_dir: None,
            region: DEFAULT_REGION.into(),
            management_account_id: DEFAULT_MANAGEMENT_ACCOUNT_ID.into(),
            management_account_email: DEFAULT_MANAGEMENT_ACCOUNT_EMAIL.into(),
            credentials: ManagementCredentials::default(),
            profile: Profile::Fast,
            async_duration: None,
            account_quota: DEFAULT_ACCOUNT_QUOTA,
            seed: None,
        }
    }
}

/// The settings handlers read at request time (derived from [`Config`], not persisted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long an asynchronous operation takes.
    pub async_duration: jiff::SignedDuration,
    /// How many accounts the organization may hold.
    pub account_quota: u32,
    /// The sandbox's home region (where the Identity Center instance lives).
    pub region: String,
}

impl Settings {
    /// The settings of `config`.
    #[must_use]
    pub fn from_config(config: &Config) -> Self {
        let duration = config
            .async_duration
            .unwrap_or_else(|| config.profile.async_duration());
        Self {
            async_duration: jiff::SignedDuration::try_from(duration)
                .unwrap_or(jiff::SignedDuration::MAX),
            account_quota: config.account_quota,
            region: config.region.clone(),
        }
    }
}
