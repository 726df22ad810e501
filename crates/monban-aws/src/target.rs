//! Targets (design §4): what monban talks to, how its SDK clients are built, and the
//! [`Target`] description a plan prints on its first line and a saved plan records.
//!
//! Three kinds, never guessed from whatever credentials happen to be around:
//! - the **embedded sandbox**: an endpoint URL plus the sandbox's static keys;
//! - an **endpoint** (`--endpoint-url`): any AWS-compatible server, static keys if given,
//!   else the standard credential chain (environment first; the repo's profile is ignored);
//! - **AWS**: the standard credential chain with an optional profile and region. Missing
//!   credentials are [`AwsError::MissingCredentials`] naming the target — no fallback.
//!
//! The caller's account is resolved once, at [`connect`]: given by the caller, else STS
//! `GetCallerIdentity`; an endpoint without STS (the sandbox today) is assumed to be called
//! with the management account's key, and the [`Target`] says so ([`CallerSource`]).

use std::fmt;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use serde::{Deserialize, Serialize};

use crate::error::AwsError;
use crate::limits::{RateLimiter, RateLimits, Service};
use crate::stats::CallCounter;

/// The sandbox's region when none is given (the emulator's default home region).
pub const SANDBOX_REGION: &str = "us-east-1";

/// A static access key (the sandbox's, or explicit ones for an endpoint).
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl fmt::Debug for StaticCredentials {
    // The secret never reaches a log.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl StaticCredentials {
    /// The embedded sandbox's documented management-account key
    /// (`AKIAMONBANSANDBOX000` / `monban-sandbox-secret`, see `docs/reference/sandbox.md`).
    #[must_use]
    pub fn sandbox_default() -> Self {
        Self {
            access_key_id: "AKIAMONBANSANDBOX000".into(),
            secret_access_key: "monban-sandbox-secret".into(),
            session_token: None,
        }
    }
}

/// Which kind of target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// The in-process sandbox at this loopback URL.
    EmbeddedSandbox { endpoint_url: String },
    /// Any AWS-compatible server (`--endpoint-url`, a standalone `monban sandbox serve`).
    Endpoint { endpoint_url: String },
    /// Real AWS through the standard credential chain, with this profile if given.
    Aws { profile: Option<String> },
}

/// How to reach a target: resolved by the CLI from `monban.yaml`, `--sandbox` and
/// `--endpoint-url`, then handed to [`connect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    pub kind: TargetKind,
    /// The region (Identity Center is regional; Organizations is global). `None` = from
    /// the profile/environment (AWS), or [`SANDBOX_REGION`] (sandbox/endpoint).
    pub region: Option<String>,
    /// Static keys; `None` = the standard credential chain.
    pub credentials: Option<StaticCredentials>,
    /// The calling account when the caller knows it (skips STS).
    pub caller_account_id: Option<String>,
}

impl TargetSpec {
    /// The embedded sandbox at `endpoint_url` with its default management key.
    #[must_use]
    pub fn embedded_sandbox(endpoint_url: impl Into<String>) -> Self {
        Self {
            kind: TargetKind::EmbeddedSandbox {
                endpoint_url: endpoint_url.into(),
            },
            region: None,
            credentials: Some(StaticCredentials::sandbox_default()),
            caller_account_id: None,
        }
    }

    /// An AWS-compatible endpoint; `credentials: None` uses the standard chain.
    #[must_use]
    pub fn endpoint(
        endpoint_url: impl Into<String>,
        region: Option<String>,
        credentials: Option<StaticCredentials>,
    ) -> Self {
        Self {
            kind: TargetKind::Endpoint {
                endpoint_url: endpoint_url.into(),
            },
            region,
            credentials,
            caller_account_id: None,
        }
    }

    /// Real AWS with the standard credential chain.
    #[must_use]
    pub fn aws(profile: Option<String>, region: Option<String>) -> Self {
        Self {
            kind: TargetKind::Aws { profile },
            region,
            credentials: None,
            caller_account_id: None,
        }
    }

    /// The same spec with the calling account given.
    #[must_use]
    pub fn with_caller_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.caller_account_id = Some(account_id.into());
        self
    }

    /// A description before connecting (used in errors).
    fn describe(&self, region: Option<&str>) -> String {
        let region = region
            .map(|region| format!(" ({region})"))
            .unwrap_or_default();
        match &self.kind {
            TargetKind::EmbeddedSandbox { endpoint_url } => {
                format!("the embedded sandbox at {endpoint_url}{region}")
            }
            TargetKind::Endpoint { endpoint_url } => format!("endpoint {endpoint_url}{region}"),
            TargetKind::Aws {
                profile: Some(profile),
            } => format!("AWS profile `{profile}`{region}"),
            TargetKind::Aws { profile: None } => {
                format!("AWS (default credential chain){region}")
            }
        }
    }
}

/// How the caller's account was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallerSource {
    /// Given with the spec.
    Given,
    /// STS `GetCallerIdentity`.
    Sts,
    /// The endpoint has no STS: assumed to be the management account (true for the
    /// sandbox's default key).
    AssumedManagement,
}

/// `sandbox`, `endpoint` or `aws`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKindName {
    Sandbox,
    Endpoint,
    Aws,
}

/// What a plan names on its first line and a saved plan records; `apply` compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetKindName,
    /// The endpoint URL (sandbox, endpoint).
    pub endpoint_url: Option<String>,
    /// The profile (AWS).
    pub profile: Option<String>,
    pub region: String,
    /// The account whose credentials are used.
    pub caller_account_id: String,
    pub caller_source: CallerSource,
    /// The caller's ARN when STS `GetCallerIdentity` answered (the lockout guard of
    /// `apply` reads an Identity Center role session from it); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
}

impl Target {
    /// A directory-safe key for per-target state (`.monban/snapshots/<key>/`): `sandbox`,
    /// `endpoint-<host>-<port>`, `aws-<account>-<region>`. The embedded sandbox's port
    /// changes every run, so its key does not include it.
    #[must_use]
    pub fn key(&self) -> String {
        let raw = match self.kind {
            TargetKindName::Sandbox => "sandbox".to_owned(),
            TargetKindName::Endpoint => {
                let url = self.endpoint_url.as_deref().unwrap_or_default();
                let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                format!("endpoint-{}", without_scheme.trim_end_matches('/'))
            }
            TargetKindName::Aws => format!("aws-{}-{}", self.caller_account_id, self.region),
        };
        raw.chars()
            .map(|character| {
                if character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.') {
                    character
                } else {
                    '-'
                }
            })
            .collect()
    }

    /// Whether this is real AWS (as opposed to a sandbox or another emulator).
    #[must_use]
    pub fn is_aws(&self) -> bool {
        self.kind == TargetKindName::Aws
    }
}

impl fmt::Display for Target {
    /// `embedded sandbox http://127.0.0.1:4566 (us-east-1), account 111111111111`,
    /// `AWS profile prod (eu-west-1), account 123456789012`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TargetKindName::Sandbox => write!(
                formatter,
                "embedded sandbox {}",
                self.endpoint_url.as_deref().unwrap_or_default()
            )?,
            TargetKindName::Endpoint => write!(
                formatter,
                "endpoint {}",
                self.endpoint_url.as_deref().unwrap_or_default()
            )?,
            TargetKindName::Aws => match &self.profile {
                Some(profile) => write!(formatter, "AWS profile {profile}")?,
                None => write!(formatter, "AWS")?,
            },
        }
        write!(
            formatter,
            " ({}), account {}",
            self.region, self.caller_account_id
        )?;
        if self.caller_source == CallerSource::AssumedManagement {
            write!(formatter, " (assumed: management account)")?;
        }
        Ok(())
    }
}

/// Client behaviour shared by every call.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectOptions {
    /// Client-side rate limits ([`RateLimits::aws`] by default).
    pub rate_limits: RateLimits,
    /// At most this many calls in flight at once (the buckets decide the rate).
    pub concurrency: usize,
    /// SDK attempts per call (standard retry mode: throttling, 5xx and transient errors are
    /// retried with exponential backoff and jitter). Ten, not the SDK's three: a read of a
    /// large organization makes thousands of calls paced at exactly AWS's rate, and a burst of
    /// throttling against AWS's own buckets must not fail the whole read (the plan
    /// benchmark saw one call throttled five times in a row against the realistic sandbox).
    /// `AWS_MAX_ATTEMPTS` in the environment sets it, as for every AWS SDK.
    pub max_attempts: u32,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            rate_limits: RateLimits::aws(),
            concurrency: 16,
            // The standard `AWS_MAX_ATTEMPTS` wins, as in every AWS SDK and CLI.
            max_attempts: std::env::var("AWS_MAX_ATTEMPTS")
                .ok()
                .and_then(|value| value.trim().parse().ok())
                .filter(|attempts: &u32| *attempts >= 1)
                .unwrap_or(10),
        }
    }
}

/// Connected SDK clients for one target, with the shared rate limiter and call counter.
#[derive(Debug, Clone)]
pub struct Clients {
    pub(crate) organizations: aws_sdk_organizations::Client,
    pub(crate) sso_admin: aws_sdk_ssoadmin::Client,
    pub(crate) identity_store: aws_sdk_identitystore::Client,
    pub(crate) limiter: RateLimiter,
    pub(crate) counter: CallCounter,
    pub(crate) concurrency: usize,
    target: Target,
}

impl Clients {
    /// The target these clients talk to.
    #[must_use]
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The Organizations client (for the applier).
    #[must_use]
    pub fn organizations(&self) -> &aws_sdk_organizations::Client {
        &self.organizations
    }

    /// The SSO Admin client (for the applier).
    #[must_use]
    pub fn sso_admin(&self) -> &aws_sdk_ssoadmin::Client {
        &self.sso_admin
    }

    /// The Identity Store client (for the applier).
    #[must_use]
    pub fn identity_store(&self) -> &aws_sdk_identitystore::Client {
        &self.identity_store
    }

    /// Waits for the rate limiter's permission to call `operation` of `service`.
    pub(crate) async fn throttle(&self, service: Service, operation: &'static str) {
        let waited = self.limiter.acquire(service, operation).await;
        self.counter.add_wait(waited);
    }
}

/// Builds the SDK clients for `spec`, checks that credentials exist, and resolves the
/// calling account.
pub async fn connect(spec: &TargetSpec, options: &ConnectOptions) -> Result<Clients, AwsError> {
    let endpoint_url = match &spec.kind {
        TargetKind::EmbeddedSandbox { endpoint_url } | TargetKind::Endpoint { endpoint_url } => {
            Some(endpoint_url.clone())
        }
        TargetKind::Aws { .. } => None,
    };
    let region = match (&spec.region, &spec.kind) {
        (Some(region), _) => Some(region.clone()),
        (None, TargetKind::Aws { .. }) => None,
        (None, _) => Some(SANDBOX_REGION.to_owned()),
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_mins(1))
                .build(),
        );
    if let Some(region) = &region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let TargetKind::Aws {
        profile: Some(profile),
    } = &spec.kind
    {
        loader = loader.profile_name(profile);
    }
    if let Some(credentials) = &spec.credentials {
        loader = loader.credentials_provider(Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.clone(),
            credentials.session_token.clone(),
            None,
            "monban-static",
        ));
    }
    let sdk = loader.load().await;
    let Some(region) = sdk.region().map(ToString::to_string) else {
        return Err(AwsError::MissingRegion {
            target: spec.describe(None),
        });
    };
    check_credentials(spec, &sdk, &region).await?;

    let counter = CallCounter::default();
    let limiter = RateLimiter::new(options.rate_limits);
    let organizations = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(&sdk)
            .interceptor(counter.interceptor())
            .interceptor(limiter.retry_room())
            .build(),
    );
    let sso_admin = aws_sdk_ssoadmin::Client::from_conf(
        aws_sdk_ssoadmin::config::Builder::from(&sdk)
            .interceptor(counter.interceptor())
            .interceptor(limiter.retry_room())
            .build(),
    );
    let identity_store = aws_sdk_identitystore::Client::from_conf(
        aws_sdk_identitystore::config::Builder::from(&sdk)
            .interceptor(counter.interceptor())
            .interceptor(limiter.retry_room())
            .build(),
    );
    let mut clients = Clients {
        organizations,
        sso_admin,
        identity_store,
        limiter,
        counter,
        concurrency: options.concurrency.max(1),
        target: Target {
            kind: match spec.kind {
                TargetKind::EmbeddedSandbox { .. } => TargetKindName::Sandbox,
                TargetKind::Endpoint { .. } => TargetKindName::Endpoint,
                TargetKind::Aws { .. } => TargetKindName::Aws,
            },
            endpoint_url,
            profile: match &spec.kind {
                TargetKind::Aws { profile } => profile.clone(),
                _ => None,
            },
            region: region.clone(),
            caller_account_id: String::new(),
            caller_source: CallerSource::Given,
            caller_arn: None,
        },
    };
    let (account_id, source, arn) = resolve_caller(spec, &sdk, &clients, &region).await?;
    clients.target.caller_account_id = account_id;
    clients.target.caller_source = source;
    clients.target.caller_arn = arn;
    Ok(clients)
}

async fn check_credentials(
    spec: &TargetSpec,
    sdk: &SdkConfig,
    region: &str,
) -> Result<(), AwsError> {
    let missing = |source: crate::error::BoxError| AwsError::MissingCredentials {
        target: spec.describe(Some(region)),
        profile_hint: match &spec.kind {
            TargetKind::Aws {
                profile: Some(profile),
            } => format!(" --profile {profile}"),
            _ => String::new(),
        },
        source,
    };
    let Some(provider) = sdk.credentials_provider() else {
        return Err(missing("no credential provider is configured".into()));
    };
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|error| missing(Box::new(error)))
}

async fn resolve_caller(
    spec: &TargetSpec,
    sdk: &SdkConfig,
    clients: &Clients,
    region: &str,
) -> Result<(String, CallerSource, Option<String>), AwsError> {
    if let Some(account_id) = &spec.caller_account_id {
        return Ok((account_id.clone(), CallerSource::Given, None));
    }
    if !matches!(spec.kind, TargetKind::EmbeddedSandbox { .. }) {
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(sdk)
                .interceptor(clients.counter.interceptor())
                .build(),
        );
        match sts.get_caller_identity().send().await {
            Ok(identity) => {
                if let Some(account) = identity.account {
                    return Ok((account, CallerSource::Sts, identity.arn));
                }
            }
            Err(error) if matches!(spec.kind, TargetKind::Aws { .. }) => {
                return Err(AwsError::CallerUnknown {
                    target: spec.describe(Some(region)),
                    source: Box::new(AwsError::call("sts", "GetCallerIdentity", error)),
                });
            }
            // An emulator without STS: fall through to the management account.
            Err(_) => {}
        }
    }
    clients
        .throttle(Service::Organizations, "DescribeOrganization")
        .await;
    let organization = clients
        .organizations
        .describe_organization()
        .send()
        .await
        .map_err(|error| AwsError::call("organizations", "DescribeOrganization", error))?
        .organization
        .and_then(|organization| organization.master_account_id)
        .ok_or_else(|| {
            AwsError::missing(
                "organizations",
                "DescribeOrganization",
                "Organization.MasterAccountId",
            )
        })?;
    Ok((organization, CallerSource::AssumedManagement, None))
}
