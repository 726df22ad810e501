//! The control API's IAM seed (`"iam"` in `POST /_sandbox/seed`): users with access keys
//! (of any age and last use) and MFA devices, and customer managed policies, per account.
//!
//! An account is named by a seeded or existing account's name, or by any 12-digit id — also
//! one outside the organization, which gives tests a standalone account's key.

use jiff::Timestamp;
use serde::Deserialize;

use super::policies::check_policy_document;
use super::state::{KeyLastUsed, MfaDevice, whole_seconds};
use super::users::add_access_key;
use crate::world::World;

/// The policy document of a seeded policy given without one.
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// One account's IAM to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIamAccount {
    /// An account name (seeded or existing) or a 12-digit account id.
    pub account: String,
    /// Users.
    #[serde(default)]
    pub users: Vec<SeedIamUser>,
    /// Customer managed policies.
    #[serde(default)]
    pub policies: Vec<SeedIamPolicy>,
}

/// A user to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIamUser {
    /// `UserName`.
    pub user_name: String,
    /// `Path`, `/` when absent.
    #[serde(default)]
    pub path: Option<String>,
    /// `CreateDate` (RFC 3339); the sandbox clock's now when absent.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Access keys (at most two, as in AWS).
    #[serde(default)]
    pub access_keys: Vec<SeedAccessKey>,
    /// Serial numbers of enabled MFA devices.
    #[serde(default)]
    pub mfa_devices: Vec<String>,
}

/// An access key to seed (it authenticates as the user).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccessKey {
    /// The access key id.
    pub access_key_id: String,
    /// The secret.
    pub secret_access_key: String,
    /// `CreateDate`; the user's creation time when absent.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// When it was last used (reported with service `sts`, region `us-east-1`).
    #[serde(default)]
    pub last_used_at: Option<Timestamp>,
}

/// A customer managed policy to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIamPolicy {
    /// `PolicyName`.
    pub name: String,
    /// `Path`, `/` when absent.
    #[serde(default)]
    pub path: Option<String>,
    /// The document; allow-all when absent.
    #[serde(default)]
    pub document: Option<String>,
    /// `Description`.
    #[serde(default)]
    pub description: Option<String>,
}

fn resolve_account(world: &World, account: &str) -> Result<String, String> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(account.to_owned());
    }
    world
        .organizations
        .accounts
        .values()
        .find(|existing| existing.name == account)
        .map(|existing| existing.id.clone())
        .ok_or_else(|| {
            format!("iam: account '{account}' is neither a known account name nor 12 digits")
        })
}

/// Applies the IAM seed (validating names, duplicates and documents).
///
/// # Errors
/// A message naming what could not be seeded.
pub fn apply(world: &mut World, accounts: Vec<SeedIamAccount>) -> Result<(), String> {
    let now = world.clock.now();
    for seed in accounts {
        let account_id = resolve_account(world, &seed.account)?;
        for policy in seed.policies {
            let path = policy.path.unwrap_or_else(|| "/".into());
            let document = policy.document.unwrap_or_else(|| ALLOW_ALL.into());
            check_policy_document(&document)
                .map_err(|error| format!("iam policy '{}': {error}", policy.name))?;
            let taken = world.iam.account(&account_id).is_some_and(|account| {
                account
                    .policies
                    .values()
                    .any(|existing| existing.policy_name.eq_ignore_ascii_case(&policy.name))
            });
            if taken || policy.name.is_empty() || !path.starts_with('/') || !path.ends_with('/') {
                return Err(format!(
                    "iam policy '{}' in {account_id}: duplicate name or bad path '{path}'",
                    policy.name
                ));
            }
            world.iam.add_policy(
                &mut world.ids,
                &account_id,
                &policy.name,
                &path,
                &document,
                policy.description,
                Vec::new(),
                now,
            );
        }
        for user in seed.users {
            let path = user.path.unwrap_or_else(|| "/".into());
            let taken = world
                .iam
                .account(&account_id)
                .is_some_and(|account| account.user(&user.user_name).is_some());
            if taken || user.user_name.is_empty() || !path.starts_with('/') || !path.ends_with('/')
            {
                return Err(format!(
                    "iam user '{}' in {account_id}: duplicate name or bad path '{path}'",
                    user.user_name
                ));
            }
            if user.access_keys.len() > 2 {
                return Err(format!(
                    "iam user '{}': at most two access keys per user",
                    user.user_name
                ));
            }
            let created = user.created_at.unwrap_or(now);
            let stored =
                world
                    .iam
                    .add_user(&mut world.ids, &account_id, &user.user_name, &path, created);
            for key in user.access_keys {
                if world.credentials.get(&key.access_key_id).is_some() {
                    return Err(format!(
                        "iam user '{}': access key {} already exists",
                        user.user_name, key.access_key_id
                    ));
                }
                add_access_key(
                    world,
                    &account_id,
                    &stored,
                    Some(key.access_key_id.clone()),
                    Some(key.secret_access_key),
                    key.created_at.unwrap_or(created),
                );
                if let Some(used) = key.last_used_at {
                    world.iam.key_last_used.insert(
                        key.access_key_id,
                        KeyLastUsed {
                            date: whole_seconds(used),
                            service_name: "sts".into(),
                            region: "us-east-1".into(),
                        },
                    );
                }
            }
            for serial_number in user.mfa_devices {
                world.iam.account_mut(&account_id).mfa_devices.insert(
                    serial_number.clone(),
                    MfaDevice {
                        serial_number,
                        user_name: stored.user_name.clone(),
                        enable_date: whole_seconds(created),
                    },
                );
            }
        }
    }
    Ok(())
}
