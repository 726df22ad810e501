//! Standalone accounts — AWS accounts outside the organization — and what the control API
//! does for their owners: create one with its own access key
//! (`POST /_sandbox/standalone-accounts`), and accept or decline an invitation as its owner
//! would (`POST /_sandbox/handshakes/<id>/accept|decline`). `src/control.rs` only routes
//! and encodes; the rules live here, next to the handshakes they share.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::OrganizationsError;
use super::handshakes::{Answer, apply_answer, find_handshake};
use crate::auth::CredentialRecord;
use crate::world::World;

/// The body of `POST /_sandbox/standalone-accounts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStandaloneAccount {
    /// The account name.
    pub name: String,
    /// Its root e-mail (unique across members and standalone accounts).
    pub email: String,
    /// A 12-digit id; generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The owner's access key id; generated (`AKIA…`) when absent.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// Its secret; generated when absent.
    #[serde(default)]
    pub secret_access_key: Option<String>,
}

/// What `POST /_sandbox/standalone-accounts` answers: the account and its owner's key.
#[derive(Debug, Serialize)]
pub struct CreatedStandaloneAccount {
    /// The account id.
    pub id: String,
    /// The account name.
    pub name: String,
    /// The root e-mail.
    pub email: String,
    /// The owner's access key id (signs as `arn:aws:iam::<id>:root`).
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
}

/// Why the control API refused a request; the message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum StandaloneError {
    /// The request is malformed or conflicts with existing state (HTTP 400, `InvalidRequest`).
    #[error("{0}")]
    Invalid(String),
    /// No account the sandbox knows owns the handshake's target, so nobody can answer it
    /// (HTTP 400, `NoRecipient`).
    #[error("{0}")]
    NoRecipient(String),
    /// AWS's rules refuse the answer; carries the exception AcceptHandshake or
    /// DeclineHandshake would return (HTTP 400, the exception's name).
    #[error(transparent)]
    Refused(OrganizationsError),
}

impl StandaloneError {
    /// The control API's `error` code: `InvalidRequest`, `NoRecipient`, or the AWS
    /// exception name (`HandshakeAlreadyInStateException`, …).
    #[must_use]
    pub fn code(&self) -> String {
        match self {
            Self::Invalid(_) => "InvalidRequest".into(),
            Self::NoRecipient(_) => "NoRecipient".into(),
            Self::Refused(error) => serde_json::to_value(error)
                .ok()
                .and_then(|value| value.get("__type")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| "InvalidRequest".into()),
        }
    }
}

/// Creates a standalone account with its owner's access key.
///
/// # Errors
/// [`StandaloneError::Invalid`] for a malformed or taken id, an e-mail already used by a
/// member or standalone account, a taken access key id, or an empty name.
pub fn create_standalone_account(
    world: &mut World,
    now: Timestamp,
    request: NewStandaloneAccount,
) -> Result<CreatedStandaloneAccount, StandaloneError> {
    let NewStandaloneAccount {
        name,
        email,
        id,
        access_key_id,
        secret_access_key,
    } = request;
    let invalid = |message: String| Err(StandaloneError::Invalid(message));
    let name_length = name.chars().count();
    if name_length == 0 || name_length > 50 {
        return invalid(format!("name {name:?} must be 1..50 characters"));
    }
    if !super::accounts::is_email_syntax(&email) {
        return invalid(format!("email {email:?} is not a valid e-mail address"));
    }
    let organizations = &world.organizations;
    if organizations.email_in_use(&email) {
        return invalid(format!(
            "email {email} is already used by another account (e-mails are unique across AWS)"
        ));
    }
    let id = match id {
        Some(id) if id.len() == 12 && id.bytes().all(|byte| byte.is_ascii_digit()) => {
            if organizations.account_exists(&id) {
                return invalid(format!("account id {id} already exists"));
            }
            id
        }
        Some(id) => return invalid(format!("id {id:?} is not 12 digits")),
        None => loop {
            let id = world.ids.account_id();
            if !world.organizations.account_exists(&id) {
                break id;
            }
        },
    };
    let access_key_id = access_key_id.unwrap_or_else(|| {
        format!(
            "AKIA{}",
            world.ids.lowercase_alphanumeric(16).to_ascii_uppercase()
        )
    });
    if world.credentials.get(&access_key_id).is_some() {
        return invalid(format!("access key {access_key_id} already exists"));
    }
    let secret_access_key = secret_access_key.unwrap_or_else(|| world.ids.hex(40));
    world
        .organizations
        .add_standalone_account(&id, &name, &email, now);
    world.credentials.insert(CredentialRecord {
        access_key_id: access_key_id.clone(),
        secret_access_key: secret_access_key.clone(),
        session_token: None,
        expires_at: None,
        account_id: id.clone(),
        principal_arn: format!("arn:aws:iam::{id}:root"),
    });
    Ok(CreatedStandaloneAccount {
        id,
        name,
        email,
        access_key_id,
        secret_access_key,
    })
}

/// Accepts or declines the handshake `handshake_id` as the owner of the account it is
/// addressed to would (the same rules as AcceptHandshake / DeclineHandshake signed with
/// that account's key). Returns `{"Handshake": …}` as the API would.
///
/// # Errors
/// [`StandaloneError::Refused`] with the AWS exception (unknown handshake, not `OPEN`,
/// already a member, quota); [`StandaloneError::NoRecipient`] when the target names an
/// account or e-mail no member or standalone account has.
pub fn answer_as_owner(
    world: &mut World,
    now: Timestamp,
    account_quota: u32,
    handshake_id: &str,
    accept: bool,
) -> Result<serde_json::Value, StandaloneError> {
    let handshake = find_handshake(world, handshake_id).map_err(StandaloneError::Refused)?;
    let Some(recipient) = world.organizations.account_named_by(&handshake.target) else {
        return Err(StandaloneError::NoRecipient(format!(
            "no account in the sandbox is {} (the handshake's target); create it with POST /_sandbox/standalone-accounts first",
            handshake.target.id
        )));
    };
    let answer = if accept {
        Answer::Accept
    } else {
        Answer::Decline
    };
    let handshake = apply_answer(world, now, account_quota, &recipient, handshake_id, answer)
        .map_err(StandaloneError::Refused)?;
    Ok(serde_json::json!({ "Handshake": handshake }))
}
