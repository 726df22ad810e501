//! The SCIM endpoint's part of the World: the tenant id in its URL and the bearer tokens an
//! IdP authenticates with, as Identity Center's console issues them ("Enable automatic
//! provisioning" shows the endpoint and a token once). Created on first use through the
//! control API (`GET /_sandbox/scim-token`), persisted with the World.

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::world::ids::IdGenerator;

/// How long an access token is valid: one year (AWS documents that tokens expire, not the
/// period; one year is what admins report from AWS's expiry notices — sandbox decision).
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

/// How many access tokens a tenant holds at most ("An IAM Identity Center directory supports
/// up to two access tokens at a time", IAM Identity Center user guide, "Rotate an access
/// token").
pub const MAX_TOKENS: usize = 2;

/// The SCIM endpoint's state. Empty (no tenant, no token) until the first token is asked for;
/// until then every SCIM request is refused with 401.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimState {
    /// The tenant id in `/<tenant id>/scim/v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The access tokens, oldest first (at most [`MAX_TOKENS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<ScimToken>,
}

impl ScimState {
    /// The newest live token, if any.
    #[must_use]
    pub fn current_token(&self, now: Timestamp) -> Option<&ScimToken> {
        self.tokens
            .iter()
            .rev()
            .find(|token| now < token.expires_at)
    }

    /// The tenant id and a live token, creating either if missing (expired tokens are
    /// dropped). Returns whether anything changed.
    pub fn ensure_token(&mut self, ids: &mut IdGenerator, now: Timestamp) -> bool {
        let mut changed = false;
        if self.tenant_id.is_none() {
            self.tenant_id = Some(ids.uuid());
            changed = true;
        }
        let before = self.tokens.len();
        self.tokens.retain(|token| now < token.expires_at);
        changed |= self.tokens.len() != before;
        if self.tokens.is_empty() {
            self.tokens.push(new_token(now));
            changed = true;
        }
        changed
    }

    /// Issues a new token, as an admin rotating one does: the previous token keeps working
    /// (two may be live at once); with two already, the older is deleted first (the console
    /// asks the admin to delete one; the sandbox deletes the older).
    pub fn rotate(&mut self, ids: &mut IdGenerator, now: Timestamp) {
        self.ensure_token(ids, now);
        while self.tokens.len() >= MAX_TOKENS {
            self.tokens.remove(0);
        }
        self.tokens.push(new_token(now));
    }

    /// Whether `tenant_id` is this endpoint's tenant and `bearer` one of its live tokens.
    #[must_use]
    pub fn authorizes(&self, tenant_id: &str, bearer: &str, now: Timestamp) -> bool {
        self.tenant_id.as_deref() == Some(tenant_id)
            && self.tokens.iter().any(|token| {
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

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    #[test]
    fn a_token_works_until_its_year_is_over_and_is_then_replaced() {
        let mut ids = IdGenerator::new(7);
        let mut state = ScimState::default();
        let start = Timestamp::UNIX_EPOCH;
        assert!(state.ensure_token(&mut ids, start));
        let tenant = state.tenant_id.clone().unwrap();
        let token = state.tokens[0].token.clone();
        assert!(state.authorizes(&tenant, &token, start));
        assert!(!state.authorizes("another-tenant", &token, start));
        assert!(!state.ensure_token(&mut ids, start));

        let later = start.checked_add(TOKEN_LIFETIME).unwrap();
        assert!(!state.authorizes(&tenant, &token, later));
        assert!(state.ensure_token(&mut ids, later));
        assert_eq!(state.tokens.len(), 1);
        assert_ne!(state.tokens[0].token, token);
        assert_eq!(state.tenant_id.as_deref(), Some(tenant.as_str()));
    }

    #[test]
    fn rotating_keeps_at_most_two_tokens() {
        let mut ids = IdGenerator::new(7);
        let mut state = ScimState::default();
        let now = Timestamp::UNIX_EPOCH;
        state.ensure_token(&mut ids, now);
        let first = state.tokens[0].token.clone();
        let tenant = state.tenant_id.clone().unwrap();
        state.rotate(
            &mut ids,
            now.checked_add(SignedDuration::from_secs(1)).unwrap(),
        );
        assert_eq!(state.tokens.len(), 2);
        assert!(state.authorizes(&tenant, &first, now));
        state.rotate(
            &mut ids,
            now.checked_add(SignedDuration::from_secs(2)).unwrap(),
        );
        assert_eq!(state.tokens.len(), MAX_TOKENS);
        assert!(!state.authorizes(&tenant, &first, now));
    }
}
