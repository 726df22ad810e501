//! IAM Identity Center's (SSO Admin's) part of the World: the one instance, its permission
//! sets with every attribute and policy, account assignments, the permission sets
//! provisioned into accounts (with their `AWSReservedSSO_<name>_<16 hex>` roles), and the
//! asynchronous request records (assignment creation/deletion, provisioning).
//!
//! Plain data: the handlers implement AWS's rules. Enums serialize as AWS spells them.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::async_operation::AsyncOperation;
use crate::world::ids::IdGenerator;

/// `InstanceStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceStatus {
    /// Being created.
    CreateInProgress,
    /// Creation failed.
    CreateFailed,
    /// Being deleted.
    DeleteInProgress,
    /// In use (the sandbox's instance always is).
    Active,
}

/// The Identity Center instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// `arn:aws:sso:::instance/ssoins-<16 hex>`.
    pub arn: String,
    /// Its identity store, `d-<10 hex>`.
    pub identity_store_id: String,
    /// The account that owns it (the management account).
    pub owner_account_id: String,
    /// Its optional display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was created.
    pub created_date: Timestamp,
    /// Its status.
    pub status: InstanceStatus,
    /// The region it lives in (the sandbox's configured region).
    pub region: String,
}

impl Instance {
    /// `arn:aws:identitystore::<owner>:identitystore/<id>`.
    #[must_use]
    pub fn identity_store_arn(&self) -> String {
        format!(
            "arn:aws:identitystore::{}:identitystore/{}",
            self.owner_account_id, self.identity_store_id
        )
    }

    /// The part after `instance/` (`ssoins-…`), used in permission-set ARNs.
    #[must_use]
    pub fn instance_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }
}

/// `CustomerManagedPolicyReference`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerManagedPolicyReference {
    /// The policy name.
    pub name: String,
    /// Its path (`/` when none was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `AttachedManagedPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedManagedPolicy {
    /// The policy's name (the last ARN segment).
    pub name: String,
    /// `arn:aws:iam::aws:policy/…`.
    pub arn: String,
}

/// `PermissionsBoundary`: exactly one of the two is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundary {
    /// A customer managed policy as the boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_managed_policy_reference: Option<CustomerManagedPolicyReference>,
    /// An AWS managed policy as the boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_policy_arn: Option<String>,
}

/// A permission set with everything attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSet {
    /// `arn:aws:sso:::permissionSet/ssoins-<16 hex>/ps-<16 hex>`.
    pub arn: String,
    /// Its name (unique in the instance).
    pub name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it was created.
    pub created_date: Timestamp,
    /// ISO-8601 duration, `PT1H` unless set.
    pub session_duration: String,
    /// The relay state URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    /// The inline policy document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_policy: Option<String>,
    /// Attached AWS managed policies.
    #[serde(default)]
    pub managed_policies: Vec<AttachedManagedPolicy>,
    /// Attached customer managed policy references.
    #[serde(default)]
    pub customer_managed_policies: Vec<CustomerManagedPolicyReference>,
    /// The permissions boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// `PrincipalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrincipalType {
    /// An Identity Store user.
    User,
    /// An Identity Store group.
    Group,
}

/// An account assignment: principal × permission set × account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountAssignment {
    /// The target account.
    pub account_id: String,
    /// The permission set.
    pub permission_set_arn: String,
    /// User or group.
    pub principal_type: PrincipalType,
    /// The Identity Store user or group id (may dangle after the principal is deleted, as
    /// in AWS).
    pub principal_id: String,
}

/// Whether an account runs a permission set's latest version (`ProvisioningStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProvisioningStatus {
    /// The account's role matches the permission set.
    LatestPermissionSetProvisioned,
    /// The permission set changed since it was provisioned there.
    LatestPermissionSetNotProvisioned,
}

/// A permission set provisioned into an account: the IAM role AWS creates there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedPermissionSet {
    /// The account.
    pub account_id: String,
    /// The permission set.
    pub permission_set_arn: String,
    /// `AWSReservedSSO_<permission set name>_<16 hex>`; a new suffix on every re-provisioning
    /// after removal.
    pub role_name: String,
    /// Whether the role matches the permission set's latest version.
    pub status: ProvisioningStatus,
}

/// Create/DeleteAccountAssignment's asynchronous record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountAssignmentOperation {
    /// Request id (UUID), timing and decided outcome.
    pub operation: AsyncOperation,
    /// The assignment being created or deleted.
    pub assignment: AccountAssignment,
}

/// ProvisionPermissionSet's asynchronous record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSetProvisioningOperation {
    /// Request id (UUID), timing and decided outcome.
    pub operation: AsyncOperation,
    /// The permission set being provisioned.
    pub permission_set_arn: String,
    /// The one account (`TargetType` `AWS_ACCOUNT`), or `None` for all provisioned accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

/// SSO Admin's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoAdminState {
    /// The one instance.
    pub instance: Instance,
    /// Permission sets by ARN.
    #[serde(default)]
    pub permission_sets: BTreeMap<String, PermissionSet>,
    /// Account assignments (completed creations only).
    #[serde(default)]
    pub account_assignments: BTreeSet<AccountAssignment>,
    /// Permission sets provisioned into accounts.
    #[serde(default)]
    pub provisioned: Vec<ProvisionedPermissionSet>,
    /// CreateAccountAssignment requests by request id.
    #[serde(default)]
    pub assignment_creations: BTreeMap<String, AccountAssignmentOperation>,
    /// DeleteAccountAssignment requests by request id.
    #[serde(default)]
    pub assignment_deletions: BTreeMap<String, AccountAssignmentOperation>,
    /// ProvisionPermissionSet requests by request id.
    #[serde(default)]
    pub provisioning_requests: BTreeMap<String, PermissionSetProvisioningOperation>,
}

impl SsoAdminState {
    /// A fresh, active instance in `region` owned by `owner_account_id`, with its identity
    /// store id.
    #[must_use]
    pub fn fresh(
        ids: &mut IdGenerator,
        owner_account_id: &str,
        region: &str,
        now: Timestamp,
    ) -> Self {
        let instance = Instance {
            arn: format!("arn:aws:sso:::instance/ssoins-{}", ids.hex(16)),
            identity_store_id: format!("d-{}", ids.hex(10)),
            owner_account_id: owner_account_id.to_owned(),
            name: None,
            created_date: now,
            status: InstanceStatus::Active,
            region: region.to_owned(),
        };
        Self {
            instance,
            permission_sets: BTreeMap::new(),
            account_assignments: BTreeSet::new(),
            provisioned: Vec::new(),
            assignment_creations: BTreeMap::new(),
            assignment_deletions: BTreeMap::new(),
            provisioning_requests: BTreeMap::new(),
        }
    }

    /// The role name a permission set gets in an account, with a fresh random suffix.
    pub fn new_role_name(ids: &mut IdGenerator, permission_set_name: &str) -> String {
        format!("AWSReservedSSO_{permission_set_name}_{}", ids.hex(16))
    }
}
