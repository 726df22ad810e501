//! Developer access through IAM Identity Center: `monban login`, `logout`, `credentials`,
//! `exec`, `console` (and `profiles sync`) build on this module.
//!
//! # API
//!
//! Files (no AWS calls, no async — cheap enough for every `credential_process` run):
//! - [`config`]: [`AwsConfig::load`] reads `~/.aws/config` (`AWS_CONFIG_FILE` honoured);
//!   [`AwsConfig::sso_session`]`(Some(name) | None)` → [`SsoSession`] (start URL, region,
//!   scopes; `None` = the only session, else an error listing them);
//!   [`AwsConfig::sso_profile`] → [`SsoProfile`]; [`AwsConfig::endpoint_url`]`(profile,
//!   `[`SsoService`]`)` resolves the endpoint overrides as the SDKs do.
//! - [`cache`]: the token cache exactly as AWS CLI v2 writes it — [`token_cache_dir`],
//!   [`load_token`] / [`save_token`] / [`delete_token`] of a [`CachedToken`]
//!   (`~/.aws/sso/cache/<sha1(session)>.json`, `Z` timestamps, 0600, atomic), and the client
//!   registration ([`load_registration`] / [`save_registration`]).
//! - [`credentials`]: [`RoleCredentials`] and their `credential_process` JSON
//!   ([`RoleCredentials::to_process_json`]); monban's credential cache
//!   ([`monban_cache_dir`], [`credentials_path`], [`load_cached_credentials`],
//!   [`save_cached_credentials`], [`clear_session_credentials`]).
//!
//! AWS calls (async, `aws-sdk-ssooidc` and `aws-sdk-sso`, unsigned as the models say):
//! - [`SsoClients::for_session`] builds both clients for a session, honouring the endpoint
//!   overrides of `profile`.
//! - [`oidc`]: [`oidc::registration`] (reuses a cached one), the device flow
//!   ([`oidc::start_device_authorization`], [`oidc::poll_device_token`]), the
//!   authorization-code flow with PKCE ([`oidc::Pkce`], [`oidc::authorize_url`],
//!   [`oidc::exchange_code`], the loopback listener in [`loopback`]), [`oidc::store_token`],
//!   and [`oidc::access_token`]: the cached token, refreshed silently when it expired.
//! - [`portal`]: [`portal::role_credentials`] (refresh-and-retry once on a refused token;
//!   a role not held lists the roles held), [`portal::accounts`],
//!   [`portal::account_roles`], [`portal::logout`], and [`portal::console_url`].
//!
//! Secrets (access and refresh tokens, client secrets, secret keys, session tokens) never
//! appear in an error message or a `Debug` output.

pub mod cache;
pub mod config;
pub mod credentials;
pub mod loopback;
pub mod oidc;
pub mod portal;

use std::fmt;
use std::path::PathBuf;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub use cache::{
    CachedRegistration, CachedToken, delete_token, load_registration, load_token,
    save_registration, save_token, token_cache_dir, token_path,
};
pub use config::{AwsConfig, SsoProfile, SsoService, SsoSession};
pub use credentials::{
    RoleCredentials, clear_session_credentials, credentials_path, load_cached_credentials,
    monban_cache_dir, save_cached_credentials,
};

/// A boxed cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong signing in or getting keys. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("cannot find the home directory (HOME is not set)")]
    NoHome,

    #[error("{path}: {action} failed")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is not valid JSON of the expected shape")]
    Format {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    #[error(
        "{config} has no [sso-session NAME] section; add one with sso_start_url and sso_region (see docs/reference/developer-access.md)"
    )]
    NoSsoSession { config: PathBuf },

    #[error(
        "{config} has several SSO sessions ({}); choose one with --sso-session NAME",
        names.join(", ")
    )]
    AmbiguousSsoSession { config: PathBuf, names: Vec<String> },

    #[error(
        "{config} has no [sso-session {name}] section{}",
        if names.is_empty() { String::new() } else { format!(" (it has: {})", names.join(", ")) }
    )]
    UnknownSsoSession {
        config: PathBuf,
        name: String,
        names: Vec<String>,
    },

    #[error("{config} has no profile `{name}`{}", if names.is_empty() { String::new() } else { format!(" (it has: {})", names.join(", ")) })]
    UnknownProfile {
        config: PathBuf,
        name: String,
        names: Vec<String>,
    },

    #[error("[{section}] in {config} has no `{key}`")]
    MissingKey {
        config: PathBuf,
        section: String,
        key: &'static str,
    },

    #[error(
        "not signed in to the SSO session `{session}`: run `monban login --sso-session {session}`"
    )]
    NotLoggedIn { session: String },

    #[error(
        "the SSO session `{session}` has expired or was revoked, and could not be refreshed ({reason}); run `monban login --sso-session {session}` (if sign-in is refused, your access may have been removed)"
    )]
    SessionExpired { session: String, reason: String },

    #[error(
        "the sign-in code expired before it was approved; run `monban login` again and approve it within {minutes} minutes"
    )]
    DeviceCodeExpired { minutes: i64 },

    #[error("sign-in was refused: {reason}")]
    AccessDenied { reason: String },

    #[error(
        "you hold no permission set `{role}` on account {account_id}{}",
        if roles.is_empty() {
            "; you have no access to that account at all (`monban profiles sync` lists what you have)".to_owned()
        } else {
            format!("; your permission sets there: {}", roles.join(", "))
        }
    )]
    RoleNotHeld {
        account_id: String,
        role: String,
        roles: Vec<String>,
    },

    #[error("the browser sign-in did not complete: {detail}")]
    Redirect { detail: String },

    #[error("{service} {operation} failed: {message}")]
    Call {
        service: &'static str,
        operation: &'static str,
        message: String,
        #[source]
        source: BoxError,
    },

    #[error("console sign-in through {endpoint} failed: {detail}")]
    Federation { endpoint: String, detail: String },

    #[error("{service} {operation} returned no `{field}`")]
    MissingField {
        service: &'static str,
        operation: &'static str,
        field: &'static str,
    },
}

impl SsoError {
    /// Wraps an SDK error with a one-line description ([`describe`]).
    pub(crate) fn call<E, R>(
        service: &'static str,
        operation: &'static str,
        error: SdkError<E, R>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        Self::Call {
            service,
            operation,
            message: describe(&error),
            source: Box::new(error),
        }
    }
}

/// One line for an SDK error: `Code: message` for a service error (SSO OIDC's
/// `error_description` when it has no message), the innermost cause otherwise. Never the raw
/// response (which the SDK's own context display includes, body and all).
pub(crate) fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    match error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or("unknown error");
            let message = inner
                .message()
                .map(str::to_owned)
                .or_else(|| oidc::error_description(inner));
            match message {
                Some(message) => format!("{code}: {message}"),
                None => code.to_owned(),
            }
        }
        // Unreachable, timed out…: the innermost cause says what happened (the whole chain
        // is kept as the error's source).
        other => {
            let mut cause: &dyn std::error::Error = other;
            while let Some(source) = cause.source() {
                cause = source;
            }
            cause.to_string()
        }
    }
}

/// The SSO OIDC and portal clients of one session (region = `sso_region`; endpoints from
/// the overrides, else AWS's).
#[derive(Debug, Clone)]
pub struct SsoClients {
    pub(crate) oidc: aws_sdk_ssooidc::Client,
    pub(crate) portal: aws_sdk_sso::Client,
    /// The OIDC base URL (override or AWS's), for the `/authorize` step.
    pub(crate) oidc_endpoint: String,
    /// The portal endpoint override, if any (a sandbox also serves its federation
    /// stand-in there).
    pub(crate) portal_endpoint: Option<String>,
}

impl SsoClients {
    /// Clients for `session`, with the endpoint overrides the environment and `profile`
    /// give (aws-api-facts §6.4), else the session's own `[services]` sections
    /// ([`AwsConfig::session_endpoint_url`]).
    #[must_use]
    pub fn for_session(config: &AwsConfig, profile: &str, session: &SsoSession) -> Self {
        Self::new(
            &session.region,
            config.session_endpoint_url(profile, &session.name, SsoService::Oidc),
            config.session_endpoint_url(profile, &session.name, SsoService::Portal),
        )
    }

    /// Clients for `region` with explicit endpoint overrides.
    #[must_use]
    pub fn new(
        region: &str,
        oidc_endpoint: Option<String>,
        portal_endpoint: Option<String>,
    ) -> Self {
        let retry = aws_smithy_types::retry::RetryConfig::standard();
        let timeouts = aws_smithy_types::timeout::TimeoutConfig::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .operation_attempt_timeout(std::time::Duration::from_secs(30))
            .build();
        let mut oidc = aws_sdk_ssooidc::Config::builder()
            .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
            .region(aws_sdk_ssooidc::config::Region::new(region.to_owned()))
            .retry_config(retry.clone())
            .timeout_config(timeouts.clone());
        if let Some(url) = &oidc_endpoint {
            oidc = oidc.endpoint_url(url);
        }
        let mut portal = aws_sdk_sso::Config::builder()
            .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
            .region(aws_sdk_sso::config::Region::new(region.to_owned()))
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(url) = &portal_endpoint {
            portal = portal.endpoint_url(url);
        }
        Self {
            oidc: aws_sdk_ssooidc::Client::from_conf(oidc.build()),
            portal: aws_sdk_sso::Client::from_conf(portal.build()),
            oidc_endpoint: oidc_endpoint
                .unwrap_or_else(|| format!("https://oidc.{region}.amazonaws.com")),
            portal_endpoint,
        }
    }

    /// Where `/authorize` is: the OIDC endpoint's base.
    #[must_use]
    pub fn oidc_endpoint(&self) -> &str {
        &self.oidc_endpoint
    }

    /// The portal endpoint override, if any.
    #[must_use]
    pub fn portal_endpoint(&self) -> Option<&str> {
        self.portal_endpoint.as_deref()
    }
}
