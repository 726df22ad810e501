//! IAM's part of the World: per account, its users, their access keys and MFA devices, and
//! its customer managed policies; plus when each access key was last used.
//!
//! Roles are not stored: the ones the sandbox has follow from other state and are computed
//! by [`roles_in`] — `OrganizationAccountAccessRole` in every member account that
//! CreateAccount (or the seed) made, and the `AWSReservedSSO_<name>_<hex>` role of every
//! permission set provisioned into the account (SSO Admin's `provisioned`). So they appear
//! exactly when AWS creates them, without IAM hooking into the other services.
//!
//! Plain data plus helpers that do not validate (the handlers and the seed validate).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::services::organizations::state::{AccountState, JoinedMethod};
use crate::world::World;
use crate::world::ids::IdGenerator;

/// The role AWS creates in every account made with CreateAccount (the default
/// `RoleName` of CreateAccount).
pub const ORGANIZATION_ACCOUNT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamUser {
    /// The name (unique in the account, case-insensitively).
    pub user_name: String,
    /// `AIDA…` (21 characters).
    pub user_id: String,
    /// The path, `/` by default.
    pub path: String,
    /// `arn:aws:iam::<account>:user<path><name>`.
    pub arn: String,
    /// When it was created (sandbox clock, whole seconds).
    pub create_date: Timestamp,
    /// The permissions boundary policy ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// Tags, in the order given.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
}

/// An IAM user's access key (its secret lives in the World's credential store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamAccessKey {
    /// `AKIA…` (20 characters).
    pub access_key_id: String,
    /// The owning user.
    pub user_name: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// When it was created (sandbox clock, whole seconds).
    pub create_date: Timestamp,
}

/// An MFA device enabled for a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDevice {
    /// The serial number (a virtual device's ARN, `arn:aws:iam::<account>:mfa/<name>`).
    pub serial_number: String,
    /// The user it is enabled for.
    pub user_name: String,
    /// When it was enabled.
    pub enable_date: Timestamp,
}

/// A customer managed policy (one version, `v1`, the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    /// The name (unique in the account, case-insensitively).
    pub policy_name: String,
    /// `ANPA…` (21 characters).
    pub policy_id: String,
    /// `arn:aws:iam::<account>:policy<path><name>`.
    pub arn: String,
    /// The path, `/` by default.
    pub path: String,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy document as given.
    pub document: String,
    /// When it was created.
    pub create_date: Timestamp,
    /// Tags, in the order given.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
}

/// One account's IAM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountIam {
    /// Users by name.
    #[serde(default)]
    pub users: BTreeMap<String, IamUser>,
    /// Users' access keys by id.
    #[serde(default)]
    pub access_keys: BTreeMap<String, IamAccessKey>,
    /// MFA devices by serial number.
    #[serde(default)]
    pub mfa_devices: BTreeMap<String, MfaDevice>,
    /// Customer managed policies by ARN.
    #[serde(default)]
    pub policies: BTreeMap<String, ManagedPolicy>,
}

impl AccountIam {
    /// The user called `name` (IAM names are unique without regard to case).
    #[must_use]
    pub fn user(&self, name: &str) -> Option<&IamUser> {
        self.users.get(name).or_else(|| {
            self.users
                .values()
                .find(|user| user.user_name.eq_ignore_ascii_case(name))
        })
    }

    /// The policy with `path` + `name` (a customer managed policy reference).
    #[must_use]
    pub fn policy_by_path_and_name(&self, path: &str, name: &str) -> Option<&ManagedPolicy> {
        self.policies
            .values()
            .find(|policy| policy.path == path && policy.policy_name == name)
    }
}

/// When and where an access key was last used to sign a request to the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLastUsed {
    /// When (sandbox clock).
    pub date: Timestamp,
    /// The service's signing name (`iam`, `sts`, `organizations`, `sso`, `identitystore`).
    pub service_name: String,
    /// The region in the request's credential scope.
    pub region: String,
}

/// IAM's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamState {
    /// Per account id.
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountIam>,
    /// The last use of each access key (any key the sandbox recognizes), by key id.
    #[serde(default)]
    pub key_last_used: BTreeMap<String, KeyLastUsed>,
}

impl IamState {
    /// An account's IAM (empty when nothing was ever created in it).
    #[must_use]
    pub fn account(&self, account_id: &str) -> Option<&AccountIam> {
        self.accounts.get(account_id)
    }

    /// An account's IAM for writing.
    pub fn account_mut(&mut self, account_id: &str) -> &mut AccountIam {
        self.accounts.entry(account_id.to_owned()).or_default()
    }

    /// Records that `access_key_id` signed a request now. Temporary (`ASIA…`) keys are not
    /// recorded: GetAccessKeyLastUsed is about long-term keys.
    pub fn record_key_use(
        &mut self,
        access_key_id: &str,
        service_name: &str,
        region: &str,
        now: Timestamp,
    ) {
        if access_key_id.starts_with("ASIA") {
            return;
        }
        self.key_last_used.insert(
            access_key_id.to_owned(),
            KeyLastUsed {
                date: now,
                service_name: service_name.to_owned(),
                region: region.to_owned(),
            },
        );
    }

    /// Adds a user (not validated) and returns it.
    pub fn add_user(
        &mut self,
        ids: &mut IdGenerator,
        account_id: &str,
        user_name: &str,
        path: &str,
        now: Timestamp,
    ) -> IamUser {
        let user = IamUser {
            user_name: user_name.to_owned(),
            user_id: format!("AIDA{}", uppercase_id(ids, 17)),
            path: path.to_owned(),
            arn: format!("arn:aws:iam::{account_id}:user{path}{user_name}"),
            create_date: whole_seconds(now),
            permissions_boundary: None,
            tags: Vec::new(),
        };
        self.account_mut(account_id)
            .users
            .insert(user_name.to_owned(), user.clone());
        user
    }

    /// Adds a policy (not validated) and returns it.
    #[expect(
        clippy::too_many_arguments,
        reason = "the policy's members, all distinct"
    )]
    pub fn add_policy(
        &mut self,
        ids: &mut IdGenerator,
        account_id: &str,
        name: &str,
        path: &str,
        document: &str,
        description: Option<String>,
        tags: Vec<(String, String)>,
        now: Timestamp,
    ) -> ManagedPolicy {
        let policy = ManagedPolicy {
            policy_name: name.to_owned(),
            policy_id: format!("ANPA{}", uppercase_id(ids, 17)),
            arn: format!("arn:aws:iam::{account_id}:policy{path}{name}"),
            path: path.to_owned(),
            description,
            document: document.to_owned(),
            create_date: whole_seconds(now),
            tags,
        };
        self.account_mut(account_id)
            .policies
            .insert(policy.arn.clone(), policy.clone());
        policy
    }
}

/// `length` characters of `[A-Z0-9]` (IAM unique ids and access key ids).
pub fn uppercase_id(ids: &mut IdGenerator, length: usize) -> String {
    ids.lowercase_alphanumeric(length).to_uppercase()
}

/// A 40-character secret access key.
pub fn new_secret(ids: &mut IdGenerator) -> String {
    let mut secret = STANDARD.encode(ids.next_bytes());
    secret.truncate(40);
    secret
}

/// A session token (opaque, base64, about as long as AWS's).
pub fn new_session_token(ids: &mut IdGenerator) -> String {
    let mut bytes = Vec::with_capacity(32 * 12);
    for _ in 0..12 {
        bytes.extend_from_slice(&ids.next_bytes());
    }
    format!("IQoJb3JpZ2luX2Vj{}", STANDARD.encode(bytes))
}

/// `now` without its fraction: IAM and STS report whole seconds, and a temporary key must
/// expire exactly at the `Expiration` it was given.
#[must_use]
pub fn whole_seconds(now: Timestamp) -> Timestamp {
    Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// A stable unique id for an entity the sandbox does not store (a computed role, a
/// principal only named by a seeded key): `prefix` + 17 characters derived from `seed`.
#[must_use]
pub fn derived_id(prefix: &str, seed: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(seed.as_bytes());
    let suffix: String = digest
        .iter()
        .take(17)
        .map(|byte| char::from(ALPHABET[usize::from(byte % 32)]))
        .collect();
    format!("{prefix}{suffix}")
}

/// A role in an account (computed, see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamRole {
    /// The name.
    pub role_name: String,
    /// The path.
    pub path: String,
    /// `arn:aws:iam::<account>:role<path><name>`.
    pub arn: String,
    /// `AROA…`, stable for the account and name.
    pub role_id: String,
    /// When it was created.
    pub create_date: Timestamp,
    /// The trust policy.
    pub assume_role_policy_document: String,
    /// The description.
    pub description: Option<String>,
    /// The longest session AssumeRole grants, in seconds.
    pub max_session_duration: i64,
    /// Whether the management account's principals may assume it (its trust policy trusts
    /// the management account); `false` for SSO roles, which trust only the SAML provider.
    pub trusts_management_account: bool,
}

impl IamRole {
    fn new(account_id: &str, role_name: &str, path: &str) -> Self {
        Self {
            role_name: role_name.to_owned(),
            path: path.to_owned(),
            arn: format!("arn:aws:iam::{account_id}:role{path}{role_name}"),
            role_id: derived_id("AROA", &format!("{account_id}/{role_name}")),
            create_date: Timestamp::UNIX_EPOCH,
            assume_role_policy_document: String::new(),
            description: None,
            max_session_duration: 3600,
            trusts_management_account: false,
        }
    }
}

/// The roles of `account_id`, by name.
#[must_use]
pub fn roles_in(world: &World, account_id: &str) -> BTreeMap<String, IamRole> {
    let mut roles = BTreeMap::new();
    let management_account_id = world.management_account_id();
    if let Some(account) = world.organizations.accounts.get(account_id)
        && account.joined_method == JoinedMethod::Created
        && account.id != management_account_id
        && account.state != AccountState::Closed
    {
        let mut role = IamRole::new(account_id, ORGANIZATION_ACCOUNT_ACCESS_ROLE, "/");
        role.create_date = whole_seconds(account.joined_timestamp);
        role.assume_role_policy_document = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{management_account_id}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        role.trusts_management_account = true;
        roles.insert(role.role_name.clone(), role);
    }
    let region = &world.sso_admin.instance.region;
    // No region segment when Identity Center lives in us-east-1 (aws-api-facts §2.6).
    let path = if region == "us-east-1" {
        "/aws-reserved/sso.amazonaws.com/".to_owned()
    } else {
        format!("/aws-reserved/sso.amazonaws.com/{region}/")
    };
    let saml_provider = format!(
        "arn:aws:iam::{account_id}:saml-provider/AWSSSO_{}_DO_NOT_DELETE",
        &derived_id("", &format!("{account_id}/saml")).to_lowercase()[..16]
    );
    for provisioned in world
        .sso_admin
        .provisioned
        .get(account_id)
        .into_iter()
        .flat_map(BTreeMap::values)
    {
        let mut role = IamRole::new(account_id, &provisioned.role_name, &path);
        let permission_set = world
            .sso_admin
            .permission_sets
            .get(&provisioned.permission_set_arn);
        if let Some(permission_set) = permission_set {
            role.create_date = whole_seconds(permission_set.created_date);
            role.max_session_duration = permission_set
                .session_duration
                .parse::<SignedDuration>()
                .map_or(3600, |duration| duration.as_secs());
        }
        role.assume_role_policy_document = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{saml_provider}"}},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{{"StringEquals":{{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}}}]}}"#
        );
        role.description = Some(
            "Created by AWS SSO. Do not modify or delete. This role may be automatically updated or removed by AWS SSO."
                .into(),
        );
        roles.insert(role.role_name.clone(), role);
    }
    roles
}

/// The unique id GetCallerIdentity reports for a principal ARN: the account id for the
/// root user, the user id for an IAM user, `<role id>:<session>` for an assumed role.
#[must_use]
pub fn user_id_of(world: &World, account_id: &str, principal_arn: &str) -> String {
    let resource = principal_arn.splitn(6, ':').nth(5).unwrap_or_default();
    if resource == "root" {
        return account_id.to_owned();
    }
    if let Some(user_path) = resource.strip_prefix("user/") {
        let name = user_path.rsplit('/').next().unwrap_or(user_path);
        if let Some(user) = world
            .iam
            .account(account_id)
            .and_then(|account| account.user(name))
        {
            return user.user_id.clone();
        }
        return derived_id("AIDA", principal_arn);
    }
    if let Some(rest) = resource.strip_prefix("assumed-role/")
        && let Some((role_name, session)) = rest.split_once('/')
    {
        let role_id = derived_id("AROA", &format!("{account_id}/{role_name}"));
        return format!("{role_id}:{session}");
    }
    derived_id("AIDA", principal_arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_shaped_like_aws_ids() {
        let id = derived_id("AROA", "222222222222/OrganizationAccountAccessRole");
        assert_eq!(id.len(), 21);
        assert_eq!(
            id,
            derived_id("AROA", "222222222222/OrganizationAccountAccessRole")
        );
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
    }

    #[test]
    fn key_use_is_recorded_for_long_term_keys_only() {
        let mut state = IamState::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        state.record_key_use("AKIAEXAMPLE000000000", "iam", "eu-west-1", now);
        state.record_key_use("ASIAEXAMPLE000000000", "iam", "eu-west-1", now);
        assert_eq!(state.key_last_used.len(), 1);
        assert_eq!(
            state.key_last_used["AKIAEXAMPLE000000000"].region,
            "eu-west-1"
        );
    }
}
