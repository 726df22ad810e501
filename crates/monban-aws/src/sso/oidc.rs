//! SSO OIDC: client registration, the device flow, the authorization-code flow with PKCE,
//! and the refresh-token grant — the calls AWS CLI v2 makes (aws-api-facts §2.4), through
//! `aws-sdk-ssooidc`. Flows are split into steps so the binary can show the user what to do
//! between them; nothing here prints.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use sha2::Digest as _;

use super::cache::{
    CachedRegistration, CachedToken, load_registration, load_token, save_registration, save_token,
};
use super::config::SsoSession;
use super::{SsoClients, SsoError};

/// The device-code grant type.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The redirect URI registered for the authorization-code flow (the port is chosen per
/// login; AWS matches loopback redirects without it, as for AWS CLI v2).
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

/// A token is refreshed when it has less than this left (the Rust SDK's window).
pub const REFRESH_WINDOW: SignedDuration = SignedDuration::from_mins(5);

/// Which login flow a registration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// `--use-device-code`, or no browser.
    DeviceCode,
    /// Browser + loopback redirect with PKCE.
    AuthorizationCode,
}

/// A cached registration usable for `flow`, else a new `RegisterClient` (cached for next
/// time, in the same file AWS CLI v2 uses).
pub async fn registration(
    clients: &SsoClients,
    cache_dir: &Path,
    session: &SsoSession,
    flow: Flow,
) -> Result<CachedRegistration, SsoError> {
    let scopes = session.scopes_or_default();
    let now = Timestamp::now();
    let authorization_code = flow == Flow::AuthorizationCode;
    if let Ok(Some(cached)) = load_registration(cache_dir, session, &scopes)
        && cached.usable_for(authorization_code, now)
    {
        return Ok(cached);
    }
    let mut request = clients
        .oidc
        .register_client()
        .client_name(format!("monban-{}", session.name))
        .client_type("public")
        .set_scopes(Some(scopes.clone()));
    if authorization_code {
        request = request
            .grant_types("authorization_code")
            .grant_types("refresh_token")
            .redirect_uris(REGISTERED_REDIRECT_URI)
            .issuer_url(&session.start_url);
    }
    let output = request
        .send()
        .await
        .map_err(|error| SsoError::call("sso-oidc", "RegisterClient", error))?;
    let missing = |field| SsoError::MissingField {
        service: "sso-oidc",
        operation: "RegisterClient",
        field,
    };
    let registration = CachedRegistration {
        client_id: output.client_id.ok_or_else(|| missing("clientId"))?,
        client_secret: output
            .client_secret
            .ok_or_else(|| missing("clientSecret"))?,
        expires_at: Timestamp::from_second(output.client_secret_expires_at)
            .map_err(|_| missing("clientSecretExpiresAt"))?,
        scopes: Some(scopes.clone()),
        grant_types: authorization_code
            .then(|| vec!["authorization_code".to_owned(), "refresh_token".to_owned()]),
    };
    save_registration(cache_dir, session, &scopes, &registration)?;
    Ok(registration)
}

/// A started device authorization. `Debug` hides the device code.
#[derive(Clone)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    /// The URI with the user code filled in (what to open).
    pub verification_uri_complete: String,
    pub expires_in: Duration,
    pub interval: Duration,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// `StartDeviceAuthorization` for `session`.
pub async fn start_device_authorization(
    clients: &SsoClients,
    registration: &CachedRegistration,
    session: &SsoSession,
) -> Result<DeviceAuthorization, SsoError> {
    let output = clients
        .oidc
        .start_device_authorization()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .start_url(&session.start_url)
        .send()
        .await
        .map_err(|error| SsoError::call("sso-oidc", "StartDeviceAuthorization", error))?;
    let missing = |field| SsoError::MissingField {
        service: "sso-oidc",
        operation: "StartDeviceAuthorization",
        field,
    };
    let verification_uri = output
        .verification_uri
        .ok_or_else(|| missing("verificationUri"))?;
    let user_code = output.user_code.ok_or_else(|| missing("userCode"))?;
    Ok(DeviceAuthorization {
        device_code: output.device_code.ok_or_else(|| missing("deviceCode"))?,
        verification_uri_complete: output
            .verification_uri_complete
            .unwrap_or_else(|| verification_uri.clone()),
        verification_uri,
        user_code,
        // The Rust SDK turns a missing `expiresIn`/`interval` into 0: use AWS CLI's
        // defaults then (10 minutes; 5 s), so a bad answer cannot make the poll spin.
        expires_in: Duration::from_secs(positive_or(output.expires_in, 600)),
        interval: Duration::from_secs(positive_or(output.interval, 5)),
    })
}

fn positive_or(value: i32, default: u64) -> u64 {
    u64::try_from(value)
        .ok()
        .filter(|value| *value > 0)
        .unwrap_or(default)
}

/// A token grant's answer. `Debug` hides the tokens.
#[derive(Clone)]
pub struct TokenGrant {
    pub access_token: String,
    pub expires_in: Duration,
    pub refresh_token: Option<String>,
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("TokenGrant")
            .field("expires_in", &self.expires_in)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

fn grant_from(
    output: aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
) -> Result<TokenGrant, SsoError> {
    Ok(TokenGrant {
        access_token: output.access_token.ok_or(SsoError::MissingField {
            service: "sso-oidc",
            operation: "CreateToken",
            field: "accessToken",
        })?,
        expires_in: Duration::from_secs(positive_or(output.expires_in, 3600)),
        refresh_token: output.refresh_token.filter(|token| !token.is_empty()),
    })
}

/// Polls `CreateToken` with the device code until the user approves: every `interval`
/// (one immediate attempt first, as AWS CLI does), `SlowDown` adds 5 s, `ExpiredToken` (or
/// the code's own lifetime passing) aborts, `AccessDenied` aborts.
pub async fn poll_device_token(
    clients: &SsoClients,
    registration: &CachedRegistration,
    authorization: &DeviceAuthorization,
) -> Result<TokenGrant, SsoError> {
    use aws_sdk_ssooidc::operation::create_token::CreateTokenError;
    let deadline = tokio::time::Instant::now() + authorization.expires_in + Duration::from_secs(5);
    let mut interval = authorization.interval;
    let expired = || SsoError::DeviceCodeExpired {
        minutes: i64::try_from(authorization.expires_in.as_secs() / 60).unwrap_or(i64::MAX),
    };
    loop {
        let result = clients
            .oidc
            .create_token()
            .grant_type(DEVICE_CODE_GRANT)
            .client_id(&registration.client_id)
            .client_secret(&registration.client_secret)
            .device_code(&authorization.device_code)
            .send()
            .await;
        match result {
            Ok(output) => return grant_from(output),
            Err(error) => match error.as_service_error() {
                Some(CreateTokenError::AuthorizationPendingException(_)) => {}
                Some(CreateTokenError::SlowDownException(_)) => {
                    interval += Duration::from_secs(5);
                }
                Some(CreateTokenError::ExpiredTokenException(_)) => return Err(expired()),
                Some(CreateTokenError::AccessDeniedException(denied)) => {
                    return Err(SsoError::AccessDenied {
                        reason: denied
                            .error_description()
                            .or(denied.error())
                            .unwrap_or("the request was denied")
                            .to_owned(),
                    });
                }
                _ => return Err(SsoError::call("sso-oidc", "CreateToken", error)),
            },
        }
        if tokio::time::Instant::now() + interval > deadline {
            return Err(expired());
        }
        tokio::time::sleep(interval).await;
    }
}

/// A PKCE verifier and its S256 challenge (RFC 7636).
#[derive(Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

impl Pkce {
    /// A random 64-character verifier (from RFC 7636's unreserved characters, as AWS CLI
    /// uses 64) and `base64url(sha256(verifier))` without padding.
    #[must_use]
    pub fn new() -> Self {
        const UNRESERVED: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        let verifier: String = (0..64)
            .map(|_| char::from(UNRESERVED[rand::random_range(0..UNRESERVED.len())]))
            .collect();
        Self::from_verifier(verifier)
    }

    /// The challenge of a given verifier.
    #[must_use]
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// A random `state` for the authorization request (checked on the redirect).
#[must_use]
pub fn random_state() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// The `/authorize` URL on the OIDC host the browser opens (the step AWS CLI v2 takes,
/// aws-api-facts §2.4).
#[must_use]
pub fn authorize_url(
    clients: &SsoClients,
    registration: &CachedRegistration,
    redirect_uri: &str,
    state: &str,
    pkce: &Pkce,
    scopes: &[String],
) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &registration.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scopes", &scopes.join(" "))
        .append_pair("code_challenge", &pkce.challenge)
        .finish();
    format!(
        "{}/authorize?{query}",
        clients.oidc_endpoint().trim_end_matches('/')
    )
}

/// `CreateToken` with the authorization code the redirect brought back.
pub async fn exchange_code(
    clients: &SsoClients,
    registration: &CachedRegistration,
    code: &str,
    redirect_uri: &str,
    pkce: &Pkce,
) -> Result<TokenGrant, SsoError> {
    let output = clients
        .oidc
        .create_token()
        .grant_type("authorization_code")
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .code(code)
        .redirect_uri(redirect_uri)
        .code_verifier(&pkce.verifier)
        .send()
        .await
        .map_err(|error| SsoError::call("sso-oidc", "CreateToken", error))?;
    grant_from(output)
}

/// Writes the token cache file for `session` from a grant (the CLI's fields); its path.
pub fn store_token(
    cache_dir: &Path,
    session: &SsoSession,
    registration: &CachedRegistration,
    grant: &TokenGrant,
) -> Result<PathBuf, SsoError> {
    let token = CachedToken {
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        access_token: grant.access_token.clone(),
        expires_at: expiry(grant.expires_in),
        refresh_token: grant.refresh_token.clone(),
        client_id: Some(registration.client_id.clone()),
        client_secret: Some(registration.client_secret.clone()),
        registration_expires_at: Some(registration.expires_at),
    };
    save_token(cache_dir, &session.name, &token)
}

/// Now + `expires_in`, to the second (the cache format has no fractions).
fn expiry(expires_in: Duration) -> Timestamp {
    let now = Timestamp::now();
    let seconds = i64::try_from(expires_in.as_secs()).unwrap_or(i64::MAX);
    Timestamp::from_second(now.as_second().saturating_add(seconds)).unwrap_or(Timestamp::MAX)
}

/// The session's access token, refreshed silently (and the cache rewritten) when it has
/// less than [`REFRESH_WINDOW`] left and the cache holds a refresh token. Errors:
/// [`SsoError::NotLoggedIn`] (no token for this session), [`SsoError::SessionExpired`]
/// (expired, and the refresh failed or was impossible).
pub async fn access_token(
    clients: &SsoClients,
    cache_dir: &Path,
    session: &SsoSession,
) -> Result<CachedToken, SsoError> {
    let Some(token) = load_token(cache_dir, &session.name)?.filter(|token| token.matches(session))
    else {
        return Err(SsoError::NotLoggedIn {
            session: session.name.clone(),
        });
    };
    let now = Timestamp::now();
    if token.is_valid_at(now, REFRESH_WINDOW) {
        return Ok(token);
    }
    match refresh(clients, cache_dir, session, &token).await {
        Ok(refreshed) => Ok(refreshed),
        // Still usable for a few minutes: use it; the next run refreshes again.
        Err(_) if token.is_valid_at(now, SignedDuration::ZERO) => Ok(token),
        Err(error) => Err(error),
    }
}

/// The refresh-token grant; rewrites the cache. A token without refresh fields, or whose
/// registration expired, is [`SsoError::SessionExpired`].
pub async fn refresh(
    clients: &SsoClients,
    cache_dir: &Path,
    session: &SsoSession,
    token: &CachedToken,
) -> Result<CachedToken, SsoError> {
    let Some(inputs) = token.refreshable(Timestamp::now()) else {
        return Err(SsoError::SessionExpired {
            session: session.name.clone(),
            reason: "the cache holds no refresh token, or the client registration expired"
                .to_owned(),
        });
    };
    let output = clients
        .oidc
        .create_token()
        .grant_type("refresh_token")
        .client_id(inputs.client_id)
        .client_secret(inputs.client_secret)
        .refresh_token(inputs.refresh_token)
        .send()
        .await
        .map_err(|error| SsoError::SessionExpired {
            session: session.name.clone(),
            reason: format!("refresh refused: {}", super::describe(&error)),
        })?;
    let grant = grant_from(output)?;
    let refreshed = CachedToken {
        access_token: grant.access_token,
        expires_at: expiry(grant.expires_in),
        // Keep the old refresh token when none is returned (as the Rust SDK does).
        refresh_token: grant.refresh_token.or_else(|| token.refresh_token.clone()),
        ..token.clone()
    };
    save_token(cache_dir, &session.name, &refreshed)?;
    Ok(refreshed)
}

/// The `error_description` SSO OIDC puts in its error bodies (no client maps it to the
/// message, aws-api-facts §1.2), for any OIDC error; `None` for other services' errors.
pub(crate) fn error_description(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    use aws_sdk_ssooidc::types::error as oidc;
    macro_rules! description {
        ($($kind:ident),*) => {
            $(if let Some(error) = error.downcast_ref::<oidc::$kind>() {
                return error.error_description().map(str::to_owned);
            })*
        };
    }
    description!(
        AccessDeniedException,
        AuthorizationPendingException,
        ExpiredTokenException,
        InternalServerException,
        InvalidClientException,
        InvalidGrantException,
        InvalidRequestException,
        InvalidScopeException,
        SlowDownException,
        UnauthorizedClientException,
        UnsupportedGrantTypeException,
        InvalidClientMetadataException,
        InvalidRedirectUriException
    );
    // The operation-level enums wrap those shapes: look one level down.
    error.source().and_then(error_description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_base64url_sha256_without_padding() {
        // Computed independently with Python: hashlib.sha256 + base64.urlsafe_b64encode, "=" stripped.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mJ92K9LTwgBYk0i-MqyYsbw2hOFPy0".to_owned());
        assert_eq!(
            pkce.challenge,
            "EWjbFj10gCce6HaJrXXVi04-BUsGmm7WXKKMyrrMQ3Q"
        );
        let fresh = Pkce::new();
        assert_eq!(fresh.verifier.len(), 64);
        assert!(!fresh.challenge.ends_with('='));
    }

    #[test]
    fn authorize_url_carries_pkce_and_state() {
        let clients = SsoClients::new("us-east-1", Some("http://127.0.0.1:9/".into()), None);
        let registration = CachedRegistration {
            client_id: "client-1".into(),
            client_secret: "secret".into(),
            expires_at: Timestamp::MAX,
            scopes: None,
            grant_types: None,
        };
        let pkce = Pkce::from_verifier("v".repeat(64));
        let url = authorize_url(
            &clients,
            &registration,
            "http://127.0.0.1:5555/oauth/callback",
            "state-1",
            &pkce,
            &["sso:account:access".to_owned()],
        );
        assert!(url.starts_with("http://127.0.0.1:9/authorize?response_type=code&client_id=client-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Foauth%2Fcallback&state=state-1&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge="), "{url}");
        assert!(!url.contains("secret"));
    }
}
