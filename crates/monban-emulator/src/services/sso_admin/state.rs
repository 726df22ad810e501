//! IAM Identity Center's (SSO Admin's) part of the World: the one instance, its permission
//! sets with every attribute and policy, account assignments, the permission sets
//! provisioned into accounts (with their `AWSReservedSSO_<name>_<16 hex>` roles), and the
//! asynchronous request records (assignment creation/deletion, provisioning).
//!
//! Plain data: the handlers implement AWS's rules. Enums serialize as AWS spells them.
//! Helpers here (`add_permission_set`, `assignments_for`, `settle` …) do not validate; the
//! handlers and the control API's seed validate before calling them.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::async_operation::{AsyncOperation, AsyncStatus};
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
    /// Attached AWS managed policies, by ARN.
    #[serde(default)]
    pub managed_policies: BTreeMap<String, AttachedManagedPolicy>,
    /// Attached customer managed policy references (path `/` when none was given).
    #[serde(default)]
    pub customer_managed_policies: BTreeSet<CustomerManagedPolicyReference>,
    /// The permissions boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Incremented by every change that the roles in accounts must pick up (policies,
    /// boundary, session duration, relay state, description); a provisioned copy with an
    /// older version is `LATEST_PERMISSION_SET_NOT_PROVISIONED`.
    #[serde(default)]
    pub version: u64,
}

impl PermissionSet {
    /// How many managed policies (AWS and customer) are attached: the quota counts both.
    #[must_use]
    pub fn attached_policy_count(&self) -> usize {
        self.managed_policies.len() + self.customer_managed_policies.len()
    }
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

/// An account assignment: principal × permission set × account. The field order is the
/// sort order, so the assignments of one (account, permission set) pair are contiguous.
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
    /// The permission set's `version` the role was last provisioned from.
    #[serde(default)]
    pub version: u64,
}

/// Create/DeleteAccountAssignment's asynchronous record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountAssignmentOperation {
    /// Request id (UUID), timing and decided outcome.
    pub operation: AsyncOperation,
    /// The assignment being created or deleted.
    pub assignment: AccountAssignment,
    /// The permission set's version when the request was made (what a new role gets).
    #[serde(default)]
    pub permission_set_version: u64,
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
    /// The permission set's version when the request was made (what the roles get).
    #[serde(default)]
    pub permission_set_version: u64,
}

/// SSO Admin's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoAdminState {
    /// The one instance.
    pub instance: Instance,
    /// The instance's tags.
    #[serde(default)]
    pub instance_tags: BTreeMap<String, String>,
    /// Permission sets by ARN.
    #[serde(default)]
    pub permission_sets: BTreeMap<String, PermissionSet>,
    /// Account assignments (completed creations only).
    #[serde(default)]
    pub account_assignments: BTreeSet<AccountAssignment>,
    /// Permission sets provisioned into accounts: account id → permission set ARN → role.
    #[serde(default, deserialize_with = "map_or_empty_list")]
    pub provisioned: BTreeMap<String, BTreeMap<String, ProvisionedPermissionSet>>,
    /// CreateAccountAssignment requests by request id.
    #[serde(default)]
    pub assignment_creations: BTreeMap<String, AccountAssignmentOperation>,
    /// DeleteAccountAssignment requests by request id.
    #[serde(default)]
    pub assignment_deletions: BTreeMap<String, AccountAssignmentOperation>,
    /// ProvisionPermissionSet requests by request id.
    #[serde(default)]
    pub provisioning_requests: BTreeMap<String, PermissionSetProvisioningOperation>,
    /// Request ids of the three maps above not settled yet, so `settle` and the overlap
    /// checks never walk the whole history.
    #[serde(default)]
    pub pending: BTreeSet<String>,
}

/// Reads a map, or the empty list that state files written before provisioning was
/// modelled hold in its place.
fn map_or_empty_list<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum MapOrList<V> {
        Map(BTreeMap<String, V>),
        List(Vec<serde::de::IgnoredAny>),
    }
    match MapOrList::deserialize(deserializer)? {
        MapOrList::Map(map) => Ok(map),
        MapOrList::List(list) if list.is_empty() => Ok(BTreeMap::new()),
        MapOrList::List(_) => Err(serde::de::Error::custom(
            "provisioned: expected a map of accounts",
        )),
    }
}

/// What an unsettled asynchronous request touches: a permission set in one account, or in
/// every account it is provisioned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTarget<'a> {
    /// The permission set.
    pub permission_set_arn: &'a str,
    /// The account, or `None` for `ALL_PROVISIONED_ACCOUNTS`.
    pub account_id: Option<&'a str>,
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
            instance_tags: BTreeMap::new(),
            permission_sets: BTreeMap::new(),
            account_assignments: BTreeSet::new(),
            provisioned: BTreeMap::new(),
            assignment_creations: BTreeMap::new(),
            assignment_deletions: BTreeMap::new(),
            provisioning_requests: BTreeMap::new(),
            pending: BTreeSet::new(),
        }
    }

    /// The role name a permission set gets in an account, with a fresh random suffix.
    pub fn new_role_name(ids: &mut IdGenerator, permission_set_name: &str) -> String {
        format!("AWSReservedSSO_{permission_set_name}_{}", ids.hex(16))
    }

    /// Adds an empty permission set named `name` (session duration `PT1H`) and returns its
    /// ARN.
    pub fn add_permission_set(
        &mut self,
        ids: &mut IdGenerator,
        name: &str,
        now: Timestamp,
    ) -> String {
        let arn = loop {
            let arn = format!(
                "arn:aws:sso:::permissionSet/{}/ps-{}",
                self.instance.instance_id(),
                ids.hex(16)
            );
            if !self.permission_sets.contains_key(&arn) {
                break arn;
            }
        };
        self.permission_sets.insert(
            arn.clone(),
            PermissionSet {
                arn: arn.clone(),
                name: name.to_owned(),
                description: None,
                created_date: now,
                session_duration: "PT1H".into(),
                relay_state: None,
                inline_policy: None,
                managed_policies: BTreeMap::new(),
                customer_managed_policies: BTreeSet::new(),
                permissions_boundary: None,
                tags: BTreeMap::new(),
                version: 0,
            },
        );
        arn
    }

    /// The assignments of one permission set in one account (a range of the sorted set).
    pub fn assignments_for<'a>(
        &'a self,
        account_id: &'a str,
        permission_set_arn: &'a str,
    ) -> impl Iterator<Item = &'a AccountAssignment> + 'a {
        let lowest = AccountAssignment {
            account_id: account_id.to_owned(),
            permission_set_arn: permission_set_arn.to_owned(),
            principal_type: PrincipalType::User,
            principal_id: String::new(),
        };
        self.account_assignments
            .range(lowest..)
            .take_while(move |assignment| {
                assignment.account_id == account_id
                    && assignment.permission_set_arn == permission_set_arn
            })
    }

    /// The provisioned copy of a permission set in an account, if any.
    #[must_use]
    pub fn provisioned_in(
        &self,
        account_id: &str,
        permission_set_arn: &str,
    ) -> Option<&ProvisionedPermissionSet> {
        self.provisioned.get(account_id)?.get(permission_set_arn)
    }

    /// The accounts a permission set is provisioned to, in id order.
    pub fn accounts_provisioned_with<'a>(
        &'a self,
        permission_set_arn: &'a str,
    ) -> impl Iterator<Item = &'a ProvisionedPermissionSet> + 'a {
        self.provisioned
            .values()
            .filter_map(move |by_arn| by_arn.get(permission_set_arn))
    }

    /// Whether the provisioned copy matches the permission set's latest version.
    #[must_use]
    pub fn provisioning_status(
        &self,
        provisioned: &ProvisionedPermissionSet,
    ) -> ProvisioningStatus {
        let latest = self
            .permission_sets
            .get(&provisioned.permission_set_arn)
            .map_or(0, |permission_set| permission_set.version);
        if provisioned.version >= latest {
            ProvisioningStatus::LatestPermissionSetProvisioned
        } else {
            ProvisioningStatus::LatestPermissionSetNotProvisioned
        }
    }

    /// Provisions `permission_set_arn` into `account_id` at `version`: creates the role
    /// (with a fresh suffix) when absent, else brings it up to `version`.
    pub fn provision(
        &mut self,
        ids: &mut IdGenerator,
        account_id: &str,
        permission_set_arn: &str,
        version: u64,
    ) {
        let Some(name) = self
            .permission_sets
            .get(permission_set_arn)
            .map(|permission_set| permission_set.name.clone())
        else {
            return;
        };
        let by_arn = self.provisioned.entry(account_id.to_owned()).or_default();
        match by_arn.get_mut(permission_set_arn) {
            Some(existing) => existing.version = existing.version.max(version),
            None => {
                by_arn.insert(
                    permission_set_arn.to_owned(),
                    ProvisionedPermissionSet {
                        account_id: account_id.to_owned(),
                        permission_set_arn: permission_set_arn.to_owned(),
                        role_name: Self::new_role_name(ids, &name),
                        version,
                    },
                );
            }
        }
    }

    /// Removes the provisioned copy (and its role) from an account.
    pub fn deprovision(&mut self, account_id: &str, permission_set_arn: &str) {
        if let Some(by_arn) = self.provisioned.get_mut(account_id) {
            by_arn.remove(permission_set_arn);
            if by_arn.is_empty() {
                self.provisioned.remove(account_id);
            }
        }
    }

    /// What an unsettled request touches, by request id.
    #[must_use]
    pub fn pending_target(&self, request_id: &str) -> Option<PendingTarget<'_>> {
        if let Some(record) = self
            .assignment_creations
            .get(request_id)
            .or_else(|| self.assignment_deletions.get(request_id))
        {
            return Some(PendingTarget {
                permission_set_arn: &record.assignment.permission_set_arn,
                account_id: Some(&record.assignment.account_id),
            });
        }
        self.provisioning_requests
            .get(request_id)
            .map(|record| PendingTarget {
                permission_set_arn: &record.permission_set_arn,
                account_id: record.account_id.as_deref(),
            })
    }

    /// Whether a request still in progress at `now` touches `permission_set_arn` in
    /// `account_id` (`None`: in any account).
    #[must_use]
    pub fn has_overlapping_request(
        &self,
        now: Timestamp,
        permission_set_arn: &str,
        account_id: Option<&str>,
    ) -> bool {
        self.pending.iter().any(|request_id| {
            let in_progress = self
                .operation(request_id)
                .is_some_and(|operation| operation.status(now) == AsyncStatus::InProgress);
            in_progress
                && self.pending_target(request_id).is_some_and(|target| {
                    target.permission_set_arn == permission_set_arn
                        && match (target.account_id, account_id) {
                            (Some(theirs), Some(ours)) => theirs == ours,
                            _ => true,
                        }
                })
        })
    }

    fn operation(&self, request_id: &str) -> Option<&AsyncOperation> {
        self.assignment_creations
            .get(request_id)
            .or_else(|| self.assignment_deletions.get(request_id))
            .map(|record| &record.operation)
            .or_else(|| {
                self.provisioning_requests
                    .get(request_id)
                    .map(|record| &record.operation)
            })
    }

    /// Applies the completion side effects of every request due by `now`, in completion
    /// order: a created assignment is added and its permission set provisioned into the
    /// account; a deleted one is removed, and the permission set deprovisioned from the
    /// account with its last assignment; a provisioning brings the roles up to the version
    /// it was made at. Failed requests change nothing. Returns whether anything settled.
    pub fn settle(&mut self, ids: &mut IdGenerator, now: Timestamp) -> bool {
        let mut due: Vec<(Timestamp, String)> = self
            .pending
            .iter()
            .filter_map(|request_id| {
                let operation = self.operation(request_id)?;
                (operation.completes_at <= now)
                    .then(|| (operation.completes_at, request_id.clone()))
            })
            .collect();
        if due.is_empty() {
            return false;
        }
        due.sort();
        for (_, request_id) in due {
            self.pending.remove(&request_id);
            self.settle_one(ids, now, &request_id);
        }
        true
    }

    fn settle_one(&mut self, ids: &mut IdGenerator, now: Timestamp, request_id: &str) {
        if let Some(record) = self.assignment_creations.get_mut(request_id) {
            if record.operation.settle(now) && record.operation.failure_reason.is_none() {
                let record = record.clone();
                let assignment = record.assignment;
                self.provision(
                    ids,
                    &assignment.account_id,
                    &assignment.permission_set_arn,
                    record.permission_set_version,
                );
                self.account_assignments.insert(assignment);
            }
        } else if let Some(record) = self.assignment_deletions.get_mut(request_id) {
            if record.operation.settle(now) && record.operation.failure_reason.is_none() {
                let assignment = record.assignment.clone();
                self.account_assignments.remove(&assignment);
                if self
                    .assignments_for(&assignment.account_id, &assignment.permission_set_arn)
                    .next()
                    .is_none()
                {
                    self.deprovision(&assignment.account_id, &assignment.permission_set_arn);
                }
            }
        } else if let Some(record) = self.provisioning_requests.get_mut(request_id)
            && record.operation.settle(now)
            && record.operation.failure_reason.is_none()
        {
            let record = record.clone();
            let accounts: Vec<String> = match record.account_id {
                Some(account_id) => vec![account_id],
                None => self
                    .accounts_provisioned_with(&record.permission_set_arn)
                    .map(|provisioned| provisioned.account_id.clone())
                    .collect(),
            };
            for account_id in accounts {
                self.provision(
                    ids,
                    &account_id,
                    &record.permission_set_arn,
                    record.permission_set_version,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    fn assignment(
        account_id: &str,
        permission_set_arn: &str,
        principal_id: &str,
    ) -> AccountAssignment {
        AccountAssignment {
            account_id: account_id.into(),
            permission_set_arn: permission_set_arn.into(),
            principal_type: PrincipalType::User,
            principal_id: principal_id.into(),
        }
    }

    fn start(
        state: &mut SsoAdminState,
        ids: &mut IdGenerator,
        now: Timestamp,
        assignment: AccountAssignment,
        create: bool,
    ) {
        let request_id = ids.uuid();
        let record = AccountAssignmentOperation {
            operation: AsyncOperation::start(
                request_id.clone(),
                now,
                SignedDuration::from_secs(1),
                None,
            ),
            assignment,
            permission_set_version: 0,
        };
        state.pending.insert(request_id.clone());
        if create {
            state.assignment_creations.insert(request_id, record);
        } else {
            state.assignment_deletions.insert(request_id, record);
        }
    }

    #[test]
    fn the_last_assignment_removed_drops_the_role_and_a_new_one_gets_a_new_suffix() {
        let mut ids = IdGenerator::new(7);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let mut state = SsoAdminState::fresh(&mut ids, "111111111111", "us-east-1", now);
        let arn = state.add_permission_set(&mut ids, "Admin", now);
        for user in ["u1", "u2"] {
            start(
                &mut state,
                &mut ids,
                now,
                assignment("222222222222", &arn, user),
                true,
            );
        }
        assert!(!state.settle(&mut ids, now));
        let later = now + SignedDuration::from_secs(2);
        assert!(state.settle(&mut ids, later));
        assert!(state.pending.is_empty());
        assert_eq!(state.assignments_for("222222222222", &arn).count(), 2);
        let role = state
            .provisioned_in("222222222222", &arn)
            .unwrap()
            .role_name
            .clone();
        let suffix = role.strip_prefix("AWSReservedSSO_Admin_").unwrap();
        assert_eq!(suffix.len(), 16);
        assert!(suffix.bytes().all(|b| b.is_ascii_hexdigit()));

        start(
            &mut state,
            &mut ids,
            later,
            assignment("222222222222", &arn, "u1"),
            false,
        );
        let later = later + SignedDuration::from_secs(2);
        state.settle(&mut ids, later);
        assert_eq!(
            state
                .provisioned_in("222222222222", &arn)
                .unwrap()
                .role_name,
            role
        );
        start(
            &mut state,
            &mut ids,
            later,
            assignment("222222222222", &arn, "u2"),
            false,
        );
        let later = later + SignedDuration::from_secs(2);
        state.settle(&mut ids, later);
        assert!(state.provisioned_in("222222222222", &arn).is_none());
        assert!(state.provisioned.is_empty());

        start(
            &mut state,
            &mut ids,
            later,
            assignment("222222222222", &arn, "u1"),
            true,
        );
        let later = later + SignedDuration::from_secs(2);
        state.settle(&mut ids, later);
        let new_role = &state
            .provisioned_in("222222222222", &arn)
            .unwrap()
            .role_name;
        assert!(new_role.starts_with("AWSReservedSSO_Admin_"));
        assert_ne!(new_role, &role);
    }

    #[test]
    fn a_change_marks_the_provisioned_copy_stale_until_provisioned_again() {
        let mut ids = IdGenerator::new(8);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let mut state = SsoAdminState::fresh(&mut ids, "111111111111", "us-east-1", now);
        let arn = state.add_permission_set(&mut ids, "Reader", now);
        state.provision(&mut ids, "222222222222", &arn, 0);
        let provisioned = state.provisioned_in("222222222222", &arn).unwrap().clone();
        assert_eq!(
            state.provisioning_status(&provisioned),
            ProvisioningStatus::LatestPermissionSetProvisioned
        );
        state.permission_sets.get_mut(&arn).unwrap().version += 1;
        assert_eq!(
            state.provisioning_status(&provisioned),
            ProvisioningStatus::LatestPermissionSetNotProvisioned
        );
        state.provision(&mut ids, "222222222222", &arn, 1);
        let again = state.provisioned_in("222222222222", &arn).unwrap();
        assert_eq!(again.role_name, provisioned.role_name);
        assert_eq!(
            state.provisioning_status(again),
            ProvisioningStatus::LatestPermissionSetProvisioned
        );
    }

    #[test]
    fn a_state_file_from_before_provisioning_still_loads() {
        let mut ids = IdGenerator::new(9);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let state = SsoAdminState::fresh(&mut ids, "111111111111", "us-east-1", now);
        let mut json = serde_json::to_value(&state).unwrap();
        json["provisioned"] = serde_json::json!([]);
        let loaded: SsoAdminState = serde_json::from_value(json).unwrap();
        assert_eq!(loaded, state);
    }
}
