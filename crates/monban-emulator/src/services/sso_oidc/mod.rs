//! SSO OIDC (restJson1, unsigned): RegisterClient, StartDeviceAuthorization and CreateToken
//! with the device-code, authorization-code (PKCE S256) and refresh-token grants.
//!
//! # How to drive it
//!
//! All on the sandbox's one endpoint (`http://127.0.0.1:<port>`, also the value for
//! `AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO`):
//!
//! 1. `POST /client/register` `{"clientName": "…", "clientType": "public"}` (+ `scopes`
//!    such as `["sso:account:access"]` for a refreshable session, + `grantTypes` and
//!    `redirectUris` for the authorization-code flow) → `clientId`, `clientSecret`, valid 90
//!    days.
//! 2. Device flow: `POST /device_authorization` `{"clientId", "clientSecret", "startUrl"}`
//!    (any start URL) → `deviceCode`, `userCode`, `verificationUri` (`<endpoint>/device`),
//!    `verificationUriComplete` (`<endpoint>/device?user_code=XXXX-XXXX`), `expiresIn` 600,
//!    `interval` 1. A person (or a script) opens `verificationUriComplete` and posts its form
//!    (`user_code`, `user_name`, `password`; the password is `monban-sandbox` unless the
//!    server was started with `--sign-in-password`) — see `services::signin`.
//!    `POST /token` `{"grantType": "urn:ietf:params:oauth:grant-type:device_code",
//!    "clientId", "clientSecret", "deviceCode"}` answers `AuthorizationPendingException`
//!    until then (`SlowDownException` when polled sooner than `interval` after the last
//!    poll), then the token once; `ExpiredTokenException` after 10 minutes,
//!    `AccessDeniedException` when the person denied.
//! 3. Authorization-code flow: `GET /authorize?response_type=code&client_id=…&redirect_uri=
//!    http://127.0.0.1:<port>/…&state=…&code_challenge_method=S256&code_challenge=…` shows
//!    the sign-in form; posting it redirects (302) to `redirect_uri?code=…&state=…`; then
//!    `POST /token` with `grantType=authorization_code`, `code`, `redirectUri`,
//!    `codeVerifier`.
//! 4. `POST /token` with `grantType=refresh_token` and `refreshToken` renews the access
//!    token until the session's 8 hours are over, it is logged out, or the user is disabled
//!    or deleted.
//!
//! Access tokens last 1 hour when a refresh token comes with them (registrations with
//! scopes or the refresh grant), else 8 hours; never past the 8-hour session. Errors are
//! encoded as the real service does (`protocol::rest_json`).

pub mod state;

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::protocol::rest_json::{RestError, RestRequest, json_response};
use crate::services::identity_store::state::UserStatus;
use crate::world::World;
use state::{
    AccessToken, CLIENT_REGISTRATION_LIFETIME, DEVICE_CODE_LIFETIME, DeviceAuthorization,
    DeviceAuthorizationState, GRANT_AUTHORIZATION_CODE, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN,
    POLLING_INTERVAL_SECONDS, REFRESHABLE_ACCESS_TOKEN_LIFETIME, RefreshToken, RegisteredClient,
    SESSION_LIFETIME, SignInSession, new_token, new_user_code,
};

fn invalid_request(description: impl Into<String>) -> RestError {
    RestError::oidc(
        "InvalidRequestException",
        StatusCode::BAD_REQUEST,
        "invalid_request",
        description,
    )
}

fn invalid_client(description: impl Into<String>) -> RestError {
    RestError::oidc(
        "InvalidClientException",
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        description,
    )
}

fn invalid_grant(description: impl Into<String>) -> RestError {
    RestError::oidc(
        "InvalidGrantException",
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        description,
    )
}

/// Reads a JSON body; a missing member or a wrong type is `InvalidRequestException`.
fn decode<T: DeserializeOwned>(request: &RestRequest<'_>) -> Result<T, RestError> {
    let body: &[u8] = if request.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        request.body
    };
    serde_json::from_slice(body).map_err(|error| {
        let text = error.to_string();
        match text
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            Some(member) => invalid_request(format!("Missing required parameter: {member}")),
            None => invalid_request(format!("The request body is not valid: {text}")),
        }
    })
}

fn epoch_seconds(timestamp: Timestamp) -> i64 {
    timestamp.as_second()
}

/// Whether `uri` is an `http` URI on a loopback host (RFC 8252 §7.3): the only redirect
/// URIs the sandbox accepts (it only serves loopback, and CLIs listen there).
#[must_use]
pub fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    host == "127.0.0.1" || host == "localhost" || host == "::1"
}

/// A redirect URI without its port, for matching a registered loopback URI against the
/// one used (RFC 8252 §7.3: the port is chosen at run time; AWS CLI v2 registers
/// `http://127.0.0.1/oauth/callback` and redirects to `http://127.0.0.1:<port>/oauth/callback`).
fn without_port(uri: &str) -> String {
    let Some(rest) = uri.strip_prefix("http://") else {
        return uri.to_owned();
    };
    let (authority, path) = rest
        .find(['/', '?', '#'])
        .map_or((rest, ""), |at| rest.split_at(at));
    let host = if authority.starts_with('[') {
        authority
            .split(']')
            .next()
            .map_or(authority.to_owned(), |h| format!("{h}]"))
    } else {
        authority.split(':').next().unwrap_or(authority).to_owned()
    };
    format!("http://{host}{path}")
}

/// Whether `client` may redirect to `redirect_uri`: a loopback URI matching a registered
/// one up to the port (or any loopback URI when none was registered).
#[must_use]
pub fn redirect_allowed(client: &RegisteredClient, redirect_uri: &str) -> bool {
    is_loopback_redirect(redirect_uri)
        && (client.redirect_uris.is_empty()
            || client
                .redirect_uris
                .iter()
                .any(|registered| without_port(registered) == without_port(redirect_uri)))
}

/// The client `client_id` if the secret matches and the registration has not expired.
fn authenticate_client<'w>(
    world: &'w World,
    client_id: &str,
    client_secret: &str,
    now: Timestamp,
) -> Result<&'w RegisteredClient, RestError> {
    let client = world
        .sso_oidc
        .clients
        .get(client_id)
        .filter(|client| client.client_secret == client_secret)
        .ok_or_else(|| invalid_client("Invalid client provided"))?;
    if client.expires_at <= now {
        return Err(invalid_client("Client registration has expired"));
    }
    Ok(client)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientRequest {
    client_name: String,
    client_type: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    grant_types: Vec<String>,
    #[serde(default)]
    #[expect(dead_code, reason = "accepted as AWS does; the sandbox has one issuer")]
    issuer_url: Option<String>,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "accepted as AWS does; no applications in the sandbox"
    )]
    entitled_application_arn: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[expect(clippy::struct_field_names, reason = "the model's member names")]
struct RegisterClientResponse {
    client_id: String,
    client_secret: String,
    client_id_issued_at: i64,
    client_secret_expires_at: i64,
}

/// RegisterClient: a public client, valid for 90 days.
pub fn register_client(
    request: &RestRequest<'_>,
    world: &mut World,
) -> Result<Response, RestError> {
    let input: RegisterClientRequest = decode(request)?;
    if input.client_name.trim().is_empty() {
        return Err(invalid_request("clientName must not be empty"));
    }
    if input.client_type != "public" {
        return Err(RestError::oidc(
            "InvalidClientMetadataException",
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            format!(
                "Invalid client type: {}; only public clients are supported",
                input.client_type
            ),
        ));
    }
    if let Some(grant) = input.grant_types.iter().find(|grant| {
        ![
            GRANT_DEVICE_CODE,
            GRANT_AUTHORIZATION_CODE,
            GRANT_REFRESH_TOKEN,
        ]
        .contains(&grant.as_str())
    }) {
        return Err(RestError::oidc(
            "UnsupportedGrantTypeException",
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant type: {grant}"),
        ));
    }
    if input.scopes.iter().any(|scope| scope.trim().is_empty()) {
        return Err(RestError::oidc(
            "InvalidScopeException",
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "A scope must not be empty",
        ));
    }
    if let Some(uri) = input
        .redirect_uris
        .iter()
        .find(|uri| !is_loopback_redirect(uri))
    {
        return Err(RestError::oidc(
            "InvalidRedirectUriException",
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            format!(
                "Invalid redirect URI: {uri}; the sandbox only redirects to http loopback addresses"
            ),
        ));
    }
    if input
        .grant_types
        .iter()
        .any(|grant| grant == GRANT_AUTHORIZATION_CODE)
        && input.redirect_uris.is_empty()
    {
        return Err(invalid_request(
            "redirectUris is required for the authorization_code grant",
        ));
    }
    let now = request.now;
    world.sso_oidc.prune(now);
    let client_id = loop {
        let id = new_token(&mut world.ids, "", 1)[..22].to_owned();
        if !world.sso_oidc.clients.contains_key(&id) {
            break id;
        }
    };
    let client_secret = new_token(&mut world.ids, "", 6);
    let issued_at = Timestamp::from_second(now.as_second()).unwrap_or(now);
    let client = RegisteredClient {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        client_name: input.client_name,
        scopes: input.scopes,
        redirect_uris: input.redirect_uris,
        grant_types: input.grant_types,
        issued_at,
        expires_at: issued_at + CLIENT_REGISTRATION_LIFETIME,
    };
    let response = RegisterClientResponse {
        client_id: client_id.clone(),
        client_secret,
        client_id_issued_at: epoch_seconds(client.issued_at),
        client_secret_expires_at: epoch_seconds(client.expires_at),
    };
    world.sso_oidc.clients.insert(client_id, client);
    Ok(json_response(StatusCode::OK, &response, request.request_id))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationRequest {
    client_id: String,
    client_secret: String,
    start_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationResponse {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
    expires_in: i64,
    interval: i64,
}

/// StartDeviceAuthorization: a device code and a user code for the sign-in page.
pub fn start_device_authorization(
    request: &RestRequest<'_>,
    world: &mut World,
) -> Result<Response, RestError> {
    let input: StartDeviceAuthorizationRequest = decode(request)?;
    let now = request.now;
    authenticate_client(world, &input.client_id, &input.client_secret, now)?;
    if !(input.start_url.starts_with("https://") || input.start_url.starts_with("http://")) {
        return Err(invalid_request(format!(
            "Invalid start URL: {}",
            input.start_url
        )));
    }
    world.sso_oidc.prune(now);
    let device_code = new_token(&mut world.ids, "", 2);
    let user_code = loop {
        let code = new_user_code(&mut world.ids);
        if world.sso_oidc.by_user_code(&code).is_none() {
            break code;
        }
    };
    let verification_uri = format!("{}/device", request.endpoint());
    let response = StartDeviceAuthorizationResponse {
        device_code: device_code.clone(),
        user_code: user_code.clone(),
        verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
        verification_uri,
        expires_in: DEVICE_CODE_LIFETIME.as_secs(),
        interval: POLLING_INTERVAL_SECONDS,
    };
    world.sso_oidc.device_authorizations.insert(
        device_code.clone(),
        DeviceAuthorization {
            device_code,
            user_code,
            client_id: input.client_id,
            start_url: input.start_url,
            expires_at: now + DEVICE_CODE_LIFETIME,
            last_polled_at: None,
            state: DeviceAuthorizationState::Pending,
        },
    );
    Ok(json_response(StatusCode::OK, &response, request.request_id))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenRequest {
    client_id: String,
    client_secret: String,
    grant_type: String,
    #[serde(default)]
    device_code: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    code_verifier: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// Whether the Identity Store user may still sign in (exists and is `ENABLED`).
#[must_use]
pub fn user_is_active(world: &World, user_id: &str) -> bool {
    world
        .identity_store
        .users
        .get(user_id)
        .is_some_and(|user| user.user_status == UserStatus::Enabled)
}

/// Opens a sign-in session for `user_id` through `client_id` and returns its id.
pub fn open_session(world: &mut World, user_id: &str, client_id: &str, now: Timestamp) -> String {
    let session_id = world.ids.uuid();
    world.sso_oidc.sessions.insert(
        session_id.clone(),
        SignInSession {
            user_id: user_id.to_owned(),
            client_id: client_id.to_owned(),
            started_at: now,
            expires_at: now + SESSION_LIFETIME,
            revoked: false,
        },
    );
    session_id
}

/// Issues an access token (and a refresh token for a refreshable client) for a session.
fn issue_tokens(
    world: &mut World,
    client: &RegisteredClient,
    session_id: &str,
    existing_refresh_token: Option<String>,
    now: Timestamp,
) -> CreateTokenResponse {
    let session_end = world
        .sso_oidc
        .sessions
        .get(session_id)
        .map_or(now, |session| session.expires_at);
    let refreshable = client.is_refreshable();
    let lifetime = if refreshable {
        REFRESHABLE_ACCESS_TOKEN_LIFETIME
    } else {
        SESSION_LIFETIME
    };
    let expires_at = (now + lifetime).min(session_end);
    let access_token = new_token(&mut world.ids, "aoa", 3);
    world.sso_oidc.access_tokens.insert(
        access_token.clone(),
        AccessToken {
            session_id: session_id.to_owned(),
            expires_at,
        },
    );
    let refresh_token = if refreshable {
        Some(existing_refresh_token.unwrap_or_else(|| {
            let token = new_token(&mut world.ids, "aor", 3);
            world.sso_oidc.refresh_tokens.insert(
                token.clone(),
                RefreshToken {
                    session_id: session_id.to_owned(),
                    client_id: client.client_id.clone(),
                },
            );
            token
        }))
    } else {
        None
    };
    let expires_in = expires_at.duration_since(now).as_secs().max(0);
    CreateTokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token,
    }
}

/// CreateToken: exchanges a device code, an authorization code or a refresh token.
pub fn create_token(request: &RestRequest<'_>, world: &mut World) -> Result<Response, RestError> {
    let input: CreateTokenRequest = decode(request)?;
    let now = request.now;
    let client = authenticate_client(world, &input.client_id, &input.client_secret, now)?.clone();
    let known = [
        GRANT_DEVICE_CODE,
        GRANT_AUTHORIZATION_CODE,
        GRANT_REFRESH_TOKEN,
    ];
    if !known.contains(&input.grant_type.as_str()) {
        return Err(RestError::oidc(
            "UnsupportedGrantTypeException",
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant type: {}", input.grant_type),
        ));
    }
    if !client.allows_grant(&input.grant_type) {
        return Err(RestError::oidc(
            "UnauthorizedClientException",
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            format!(
                "The client is not registered for the {} grant",
                input.grant_type
            ),
        ));
    }
    let response = match input.grant_type.as_str() {
        GRANT_DEVICE_CODE => device_code_grant(world, &client, &input, now)?,
        GRANT_AUTHORIZATION_CODE => authorization_code_grant(world, &client, &input, now)?,
        _ => refresh_token_grant(world, &client, &input, now)?,
    };
    Ok(json_response(StatusCode::OK, &response, request.request_id))
}

fn device_code_grant(
    world: &mut World,
    client: &RegisteredClient,
    input: &CreateTokenRequest,
    now: Timestamp,
) -> Result<CreateTokenResponse, RestError> {
    let device_code = input
        .device_code
        .as_deref()
        .ok_or_else(|| invalid_request("Missing required parameter: deviceCode"))?;
    let authorization = world
        .sso_oidc
        .device_authorizations
        .get_mut(device_code)
        .filter(|authorization| authorization.client_id == client.client_id)
        .ok_or_else(|| invalid_grant("Invalid device code provided"))?;
    if authorization.state == DeviceAuthorizationState::Redeemed {
        return Err(invalid_grant("Device code has already been used"));
    }
    if authorization.expires_at <= now {
        return Err(RestError::oidc(
            "ExpiredTokenException",
            StatusCode::BAD_REQUEST,
            "expired_token",
            "Device code has expired",
        ));
    }
    let session_id = match &authorization.state {
        DeviceAuthorizationState::Pending => {
            let too_soon = authorization.last_polled_at.is_some_and(|last| {
                now.duration_since(last) < SignedDuration::from_secs(POLLING_INTERVAL_SECONDS)
            });
            authorization.last_polled_at = Some(now);
            if too_soon {
                return Err(RestError::oidc(
                    "SlowDownException",
                    StatusCode::BAD_REQUEST,
                    "slow_down",
                    "Client is polling too quickly",
                ));
            }
            return Err(RestError::oidc(
                "AuthorizationPendingException",
                StatusCode::BAD_REQUEST,
                "authorization_pending",
                "Authorization is still pending",
            ));
        }
        DeviceAuthorizationState::Denied => {
            return Err(RestError::oidc(
                "AccessDeniedException",
                StatusCode::BAD_REQUEST,
                "access_denied",
                "The user denied the authorization request",
            ));
        }
        DeviceAuthorizationState::Approved { session_id } => session_id.clone(),
        DeviceAuthorizationState::Redeemed => {
            return Err(invalid_grant("Device code has already been used"));
        }
    };
    authorization.state = DeviceAuthorizationState::Redeemed;
    check_session_user(world, &session_id)?;
    start_session_clock(world, &session_id, now);
    Ok(issue_tokens(world, client, &session_id, None, now))
}

/// The session's eight hours run from the moment its first token is issued (the sign-in
/// page may have been submitted a few seconds before the client polled), so a legacy
/// client's token lasts exactly the documented eight hours.
fn start_session_clock(world: &mut World, session_id: &str, now: Timestamp) {
    if let Some(session) = world.sso_oidc.sessions.get_mut(session_id) {
        session.started_at = now;
        session.expires_at = now + SESSION_LIFETIME;
    }
}

/// A session whose user was disabled or deleted since the sign-in gets no tokens.
fn check_session_user(world: &World, session_id: &str) -> Result<(), RestError> {
    let active = world
        .sso_oidc
        .sessions
        .get(session_id)
        .is_some_and(|session| user_is_active(world, &session.user_id));
    if active {
        Ok(())
    } else {
        Err(RestError::oidc(
            "AccessDeniedException",
            StatusCode::BAD_REQUEST,
            "access_denied",
            "The user is disabled or no longer exists",
        ))
    }
}

/// `base64url(sha256(verifier))` without padding: PKCE's S256 transform (RFC 7636 §4.2).
#[must_use]
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn authorization_code_grant(
    world: &mut World,
    client: &RegisteredClient,
    input: &CreateTokenRequest,
    now: Timestamp,
) -> Result<CreateTokenResponse, RestError> {
    let code = input
        .code
        .as_deref()
        .ok_or_else(|| invalid_request("Missing required parameter: code"))?;
    let verifier = input
        .code_verifier
        .as_deref()
        .ok_or_else(|| invalid_request("Missing required parameter: codeVerifier"))?;
    let record = world
        .sso_oidc
        .authorization_codes
        .get_mut(code)
        .filter(|record| record.client_id == client.client_id)
        .ok_or_else(|| invalid_grant("Invalid authorization code provided"))?;
    if record.used {
        return Err(invalid_grant("Authorization code has already been used"));
    }
    // Any redemption attempt burns the code (RFC 6749 §4.1.2: single use), so a wrong
    // verifier cannot be retried against it.
    record.used = true;
    if record.expires_at <= now {
        return Err(invalid_grant("Authorization code has expired"));
    }
    if input.redirect_uri.as_deref() != Some(record.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirectUri does not match the one the code was issued to",
        ));
    }
    if pkce_challenge(verifier) != record.code_challenge {
        return Err(invalid_grant(
            "Code verifier does not match the code challenge",
        ));
    }
    let session_id = record.session_id.clone();
    check_session_user(world, &session_id)?;
    start_session_clock(world, &session_id, now);
    Ok(issue_tokens(world, client, &session_id, None, now))
}

fn refresh_token_grant(
    world: &mut World,
    client: &RegisteredClient,
    input: &CreateTokenRequest,
    now: Timestamp,
) -> Result<CreateTokenResponse, RestError> {
    let refresh_token = input
        .refresh_token
        .as_deref()
        .ok_or_else(|| invalid_request("Missing required parameter: refreshToken"))?;
    let record = world
        .sso_oidc
        .refresh_tokens
        .get(refresh_token)
        .filter(|record| record.client_id == client.client_id)
        .ok_or_else(|| invalid_grant("Invalid refresh token provided"))?;
    let session_id = record.session_id.clone();
    let session = world
        .sso_oidc
        .sessions
        .get(&session_id)
        .ok_or_else(|| invalid_grant("Invalid refresh token provided"))?;
    if session.revoked {
        return Err(invalid_grant("The session was logged out"));
    }
    if session.expires_at <= now {
        return Err(invalid_grant("The session has expired; sign in again"));
    }
    if !user_is_active(world, &session.user_id) {
        return Err(invalid_grant("The user is disabled or no longer exists"));
    }
    Ok(issue_tokens(
        world,
        client,
        &session_id,
        Some(refresh_token.to_owned()),
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_redirects_are_accepted() {
        assert!(is_loopback_redirect("http://127.0.0.1:4321/oauth/callback"));
        assert!(is_loopback_redirect("http://localhost/cb"));
        assert!(is_loopback_redirect("http://[::1]:80/cb"));
        assert!(!is_loopback_redirect("https://127.0.0.1/cb"));
        assert!(!is_loopback_redirect("http://127.0.0.1.example.com/cb"));
        assert!(!is_loopback_redirect("http://example.com/cb"));
    }

    #[test]
    fn registered_loopback_uris_match_any_port() {
        let client = RegisteredClient {
            client_id: "c".into(),
            client_secret: "s".into(),
            client_name: "n".into(),
            scopes: Vec::new(),
            redirect_uris: vec!["http://127.0.0.1/oauth/callback".into()],
            grant_types: vec![GRANT_AUTHORIZATION_CODE.into()],
            issued_at: Timestamp::UNIX_EPOCH,
            expires_at: Timestamp::UNIX_EPOCH,
        };
        assert!(redirect_allowed(
            &client,
            "http://127.0.0.1:51234/oauth/callback"
        ));
        assert!(!redirect_allowed(&client, "http://127.0.0.1:51234/other"));
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
