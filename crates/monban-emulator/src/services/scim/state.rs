//! The SCIM endpoint's part of the World: the tenant id in its URL and the bearer tokens an
//! IdP authenticates with, as Identity Center's console issues them ("Enable automatic
//! provisioning" shows the endpoint and a token once). Created on first use through the
//! control API (`GET /_sandbox/scim-token`), persisted with the World.

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::world::ids::IdGenerator;

/// How long an access token is valid: Identity Center's SCIM access tokens expire after one
/// year ("Rotate an access token", IAM Identity Center user guide).
pub const TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(365 * 24);

/// One SCIM bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimToken {
    /// The secret itself.
    pub token: String,
    /// When it was issued (sandbox clock).
    pub created_at: Timestamp,
    /// When it stops working (sandbox clock).
    pub expires_at: Timestamp,
}

/// The SCIM endpoint's state. Empty (no tenant, no token) until the first token is asked for;
/// until then every SCIM request is refused with 401.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimState {
    /// The tenant id in `/<tenant id>/scim/v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The live token (the sandbox keeps one; rotating replaces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<ScimToken>,
}

impl ScimState {
    /// The tenant id and a valid token, creating either if missing (or the token if it
    /// expired). Returns whether anything was created.
    pub fn ensure_token(&mut self, ids: &mut IdGenerator, now: Timestamp) -> bool {
        let mut created = false;
        if self.tenant_id.is_none() {
            self.tenant_id = Some(ids.uuid());
            created = true;
        }
        if self
            .token
            .as_ref()
            .is_none_or(|token| token.expires_at <= now)
        {
            self.token = Some(new_token(now));
            created = true;
        }
        created
    }

    /// Replaces the token with a new one (the old one stops working at once).
    pub fn rotate(&mut self, ids: &mut IdGenerator, now: Timestamp) {
        self.ensure_token(ids, now);
        self.token = Some(new_token(now));
    }

    /// Whether `tenant_id` and `bearer` are this endpoint's tenant and a live token.
    #[must_use]
    pub fn authorizes(&self, tenant_id: &str, bearer: &str, now: Timestamp) -> bool {
        self.tenant_id.as_deref() == Some(tenant_id)
            && self.token.as_ref().is_some_and(|token| {
                constant_time_equal(token.token.as_bytes(), bearer.as_bytes())
                    && now < token.expires_at
            })
    }
}

/// A fresh random token: 48 random bytes, base64url (64 characters). Random from the OS, not
/// from the World's seeded id generator: a token is a secret even in a seeded sandbox.
fn new_token(now: Timestamp) -> ScimToken {
    let bytes: [u8; 48] = rand::random();
    ScimToken {
        token: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        created_at: now,
        expires_at: now.checked_add(TOKEN_LIFETIME).unwrap_or(Timestamp::MAX),
    }
}

/// Compares two secrets without returning early on the first difference.
fn constant_time_equal(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}
