//! The developer-login part of the World: SSO OIDC client registrations, device
//! authorizations and authorization codes waiting for a person to sign in, the sign-in
//! sessions that sign-ins open, their access and refresh tokens, the role credentials the
//! SSO portal issued, and the console sign-in tokens the federation stand-in issued.
//!
//! Plain data plus the lifetimes (every one a sandbox decision, documented in
//! `docs/reference/sandbox.md`, "Developer sign-in"): the handlers in `sso_oidc`,
//! `sso_portal` and `signin` implement the rules. Every expiry is a sandbox-clock timestamp,
//! so `POST /_sandbox/clock/advance` expires things, and all of it persists with the World,
//! so tokens survive a restart.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::world::ids::IdGenerator;

/// How long a client registration (its `clientSecret`) is valid: 90 days, as AWS's
/// registrations are (the CLI caches them until `clientSecretExpiresAt`).
pub const CLIENT_REGISTRATION_LIFETIME: SignedDuration = SignedDuration::from_hours(90 * 24);
/// How long a device code and its user code wait for a sign-in: 10 minutes ("short lived
/// (currently only 10 minutes)", AWS CLI v2's `SSOTokenFetcher`).
pub const DEVICE_CODE_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// The polling interval StartDeviceAuthorization sends; a poll sooner than this after the
/// previous one is `SlowDownException`.
pub const POLLING_INTERVAL_SECONDS: i64 = 1;
/// How long an authorization code from `/authorize` may be redeemed (RFC 6749 §4.1.2
/// recommends at most 10 minutes).
pub const AUTHORIZATION_CODE_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// How long an access-portal session lasts after sign-in (AWS's default session duration,
/// 8 hours); its refresh token works until then.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(8);
/// How long an access token lives when it comes with a refresh token (AWS issues one-hour
/// access tokens to refreshable `sso-session` registrations).
pub const REFRESHABLE_ACCESS_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(1);
/// How long a console sign-in token from `/federation?Action=getSigninToken` lasts (AWS: 15
/// minutes).
pub const CONSOLE_SIGN_IN_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_mins(15);

/// The grant types RegisterClient and CreateToken know.
pub const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The authorization-code grant (with PKCE).
pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
/// The refresh-token grant.
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";

/// A client RegisterClient registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredClient {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: String,
    /// `clientName`.
    pub client_name: String,
    /// The scopes asked for at registration.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The redirect URIs registered (authorization-code clients).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// The grant types registered; empty means the legacy device-code client.
    #[serde(default)]
    pub grant_types: Vec<String>,
    /// `clientIdIssuedAt`.
    pub issued_at: Timestamp,
    /// `clientSecretExpiresAt`.
    pub expires_at: Timestamp,
}

impl RegisteredClient {
    /// Whether this client may use `grant_type`: a client registered without grant types
    /// (the legacy device-code registration botocore and aws-sso-util send) may use the
    /// device-code and refresh-token grants.
    #[must_use]
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        if self.grant_types.is_empty() {
            grant_type == GRANT_DEVICE_CODE || grant_type == GRANT_REFRESH_TOKEN
        } else {
            self.grant_types.iter().any(|granted| granted == grant_type)
        }
    }

    /// Whether its tokens come with a refresh token: registrations with scopes (the
    /// `sso-session` configuration) or with the refresh-token grant do; the legacy
    /// scope-less registration gets a fixed eight-hour access token only, as AWS documents
    /// for the "legacy non-refreshable configuration".
    #[must_use]
    pub fn is_refreshable(&self) -> bool {
        !self.scopes.is_empty() || self.grant_types.iter().any(|g| g == GRANT_REFRESH_TOKEN)
    }
}

/// Where a device authorization stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeviceAuthorizationState {
    /// Nobody signed in yet.
    Pending,
    /// A person signed in and approved; the sign-in session waits for the token request.
    Approved {
        /// The sign-in session it opened.
        session_id: String,
    },
    /// The person who signed in denied the request.
    Denied,
    /// The device code was exchanged for a token (a device code is single-use).
    Redeemed,
}

/// A StartDeviceAuthorization waiting for (or done with) its sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorization {
    /// `deviceCode`.
    pub device_code: String,
    /// `userCode`, `XXXX-XXXX`.
    pub user_code: String,
    /// The client that asked.
    pub client_id: String,
    /// The start URL it gave.
    pub start_url: String,
    /// When it stops working (`expiresIn` after it was started).
    pub expires_at: Timestamp,
    /// When CreateToken last polled it while pending (for `SlowDownException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled_at: Option<Timestamp>,
    /// Where it stands.
    pub state: DeviceAuthorizationState,
}

/// An authorization code `/authorize` issued after a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCode {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI it was sent to (CreateToken must name the same one).
    pub redirect_uri: String,
    /// The PKCE `code_challenge` (S256).
    pub code_challenge: String,
    /// The sign-in session it opened.
    pub session_id: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Whether CreateToken already took it (a code is single-use).
    pub used: bool,
}

/// A person's access-portal session, opened by a sign-in on the sandbox's pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInSession {
    /// The Identity Store user who signed in.
    pub user_id: String,
    /// The OIDC client the sign-in was for.
    pub client_id: String,
    /// When it was opened.
    pub started_at: Timestamp,
    /// When it ends ([`SESSION_LIFETIME`] after the sign-in).
    pub expires_at: Timestamp,
    /// Set by the portal's Logout: every token of the session stops working.
    #[serde(default)]
    pub revoked: bool,
}

/// An access token (the portal's bearer token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    /// Its sign-in session.
    pub session_id: String,
    /// When it expires.
    pub expires_at: Timestamp,
}

/// A refresh token: works until its session ends or is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// Its sign-in session.
    pub session_id: String,
    /// The client it was issued to (only that client may redeem it).
    pub client_id: String,
}

/// Role credentials the portal's GetRoleCredentials issued (by access key id): who holds
/// them, for the console-federation stand-in. The key itself is in the World's credential
/// store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSession {
    /// The Identity Store user.
    pub user_id: String,
    /// The user's `UserName` (the role session name).
    pub user_name: String,
    /// The account.
    pub account_id: String,
    /// The permission set's name (the portal's `roleName`).
    pub permission_set_name: String,
    /// The IAM role, `AWSReservedSSO_<permission set>_<16 hex>`.
    pub role_name: String,
    /// When the keys expire.
    pub expires_at: Timestamp,
}

/// A console sign-in token from the federation stand-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleSignInToken {
    /// The role credentials it was made from.
    pub access_key_id: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Whether a login already used it (single-use).
    pub used: bool,
}

/// The developer-login state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoOidcState {
    /// Registered clients by client id.
    #[serde(default)]
    pub clients: BTreeMap<String, RegisteredClient>,
    /// Device authorizations by device code.
    #[serde(default)]
    pub device_authorizations: BTreeMap<String, DeviceAuthorization>,
    /// Authorization codes by code.
    #[serde(default)]
    pub authorization_codes: BTreeMap<String, AuthorizationCode>,
    /// Sign-in sessions by id.
    #[serde(default)]
    pub sessions: BTreeMap<String, SignInSession>,
    /// Access tokens by token.
    #[serde(default)]
    pub access_tokens: BTreeMap<String, AccessToken>,
    /// Refresh tokens by token.
    #[serde(default)]
    pub refresh_tokens: BTreeMap<String, RefreshToken>,
    /// Portal-issued role credentials by access key id.
    #[serde(default)]
    pub role_sessions: BTreeMap<String, RoleSession>,
    /// Console sign-in tokens by token.
    #[serde(default)]
    pub console_sign_in_tokens: BTreeMap<String, ConsoleSignInToken>,
}

impl SsoOidcState {
    /// Forgets everything that expired more than a day ago (so the state file does not grow
    /// without bound); recent expiries are kept so that their errors stay precise
    /// (`ExpiredTokenException` rather than `InvalidGrantException`).
    pub fn prune(&mut self, now: Timestamp) {
        let horizon = now - SignedDuration::from_hours(24);
        self.clients.retain(|_, client| client.expires_at > horizon);
        self.device_authorizations
            .retain(|_, authorization| authorization.expires_at > horizon);
        self.authorization_codes
            .retain(|_, code| code.expires_at > horizon);
        self.sessions
            .retain(|_, session| session.expires_at > horizon);
        let sessions = &self.sessions;
        self.access_tokens
            .retain(|_, token| sessions.contains_key(&token.session_id));
        self.refresh_tokens
            .retain(|_, token| sessions.contains_key(&token.session_id));
        self.role_sessions
            .retain(|_, session| session.expires_at > horizon);
        self.console_sign_in_tokens
            .retain(|_, token| token.expires_at > horizon);
    }

    /// The session behind `access_token`, if the token is known, unexpired and its session
    /// neither ended nor revoked.
    #[must_use]
    pub fn live_session(&self, access_token: &str, now: Timestamp) -> Option<&SignInSession> {
        let token = self.access_tokens.get(access_token)?;
        let session = self.sessions.get(&token.session_id)?;
        (token.expires_at > now && session.expires_at > now && !session.revoked).then_some(session)
    }

    /// The device authorization whose user code is `user_code` (case and the dash do not
    /// matter, as people type them).
    #[must_use]
    pub fn by_user_code(&self, user_code: &str) -> Option<&DeviceAuthorization> {
        let wanted = normalize_user_code(user_code);
        self.device_authorizations
            .values()
            .find(|authorization| normalize_user_code(&authorization.user_code) == wanted)
    }
}

/// A user code without its dash, upper-case.
#[must_use]
pub fn normalize_user_code(user_code: &str) -> String {
    user_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|character| character.to_ascii_uppercase())
        .collect()
}

/// An opaque token: `prefix` + base64url of `blocks` × 32 fresh bytes.
pub fn new_token(ids: &mut IdGenerator, prefix: &str, blocks: usize) -> String {
    let mut bytes = Vec::with_capacity(32 * blocks);
    for _ in 0..blocks {
        bytes.extend_from_slice(&ids.next_bytes());
    }
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A user code `XXXX-XXXX` from consonants only (RFC 8628 §6.1: no vowels, so no words; no
/// look-alike characters).
pub fn new_user_code(ids: &mut IdGenerator) -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let bytes = ids.next_bytes();
    let letters: String = bytes
        .iter()
        .take(8)
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_four_consonants_and_match_loosely() {
        let mut ids = IdGenerator::new(7);
        let code = new_user_code(&mut ids);
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(
            code.chars()
                .filter(|c| *c != '-')
                .all(|c| c.is_ascii_uppercase() && !"AEIOUY".contains(c))
        );
        assert_eq!(
            normalize_user_code(&code.to_lowercase().replace('-', "")),
            normalize_user_code(&code)
        );
    }

    #[test]
    fn legacy_clients_use_device_code_and_refresh_only() {
        let now = Timestamp::UNIX_EPOCH;
        let mut client = RegisteredClient {
            client_id: "c".into(),
            client_secret: "s".into(),
            client_name: "botocore-client-1".into(),
            scopes: Vec::new(),
            redirect_uris: Vec::new(),
            grant_types: Vec::new(),
            issued_at: now,
            expires_at: now,
        };
        assert!(client.allows_grant(GRANT_DEVICE_CODE));
        assert!(!client.allows_grant(GRANT_AUTHORIZATION_CODE));
        assert!(!client.is_refreshable());
        client.scopes.push("sso:account:access".into());
        assert!(client.is_refreshable());
    }
}
