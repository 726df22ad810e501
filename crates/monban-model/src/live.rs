//! The live side of a plan: what monban read from an AWS target (or a sandbox) — the
//! organization tree, accounts, the Identity Center instance, permission sets with every
//! policy, where they are provisioned, account assignments, and the Identity Store's users,
//! groups and memberships.
//!
//! `monban-aws` fills it (through the official SDKs), `monban-plan` diffs the repo against
//! it, and it is cached as JSON under `.monban/` for targeted refreshes. Live names need not
//! satisfy the repo's rules (anything AWS accepts can exist), so everything here is plain
//! strings as AWS spells them; ids and ARNs are kept because apply needs them and because a
//! deleted principal leaves nothing else behind.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The version of the snapshot's JSON format; a cached snapshot of another version is
/// re-read rather than trusted.
pub const LIVE_FORMAT_VERSION: u32 = 1;

/// Everything read from one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    /// [`LIVE_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// When the read finished (the target's clock is not consulted).
    pub read_at: Timestamp,
    /// Who read it.
    pub caller: LiveCaller,
    /// The organization and its root.
    pub organization: LiveOrganization,
    /// Every OU, parents before children.
    pub ous: Vec<LiveOu>,
    /// Every account in the organization (any status), sorted by id.
    pub accounts: Vec<LiveAccount>,
    /// `CreateAccount` requests still `IN_PROGRESS`, or `FAILED` (`ListCreateAccountStatus`):
    /// an account being created must not be created twice.
    #[serde(default)]
    pub account_creations: Vec<LiveAccountCreation>,
    /// Invitations to join the organization still `OPEN` (`ListHandshakesForOrganization`,
    /// action `INVITE`), sorted by handshake id: an account invited once is not invited
    /// again while its owner has not answered.
    #[serde(default)]
    pub invitations: Vec<LiveInvitation>,
    /// Why the invitations could not be read (`ListHandshakesForOrganization` refused, e.g.
    /// to a delegated administrator, or not implemented by an AWS-compatible server); `None`
    /// when they were. An account to invite is then blocked: whether one is pending is
    /// unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitations_unreadable: Option<String>,
    /// The Identity Center instance; `None` when the organization has none.
    pub instance: Option<LiveInstance>,
    /// Every permission set of the instance, sorted by name.
    #[serde(default)]
    pub permission_sets: Vec<LivePermissionSet>,
    /// Where each permission set is provisioned, and whether the role there is current.
    #[serde(default)]
    pub provisioned: Vec<LiveProvisioned>,
    /// Every account assignment, including those of deleted principals (orphans).
    #[serde(default)]
    pub assignments: Vec<LiveAssignment>,
    /// The Identity Store's users, sorted by user name.
    #[serde(default)]
    pub users: Vec<LiveUser>,
    /// The Identity Store's groups, sorted by display name.
    #[serde(default)]
    pub groups: Vec<LiveGroup>,
    /// Group memberships.
    #[serde(default)]
    pub memberships: Vec<LiveMembership>,
}

/// The identity that read the state (STS-free: from the organization's view of the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveCaller {
    /// The account the credentials belong to.
    pub account_id: String,
    /// Whether that is the management account (else a delegated administrator, which
    /// cannot change access to the management account).
    pub is_management_account: bool,
}

/// `Organization` plus its one root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveOrganization {
    /// `o-…`.
    pub id: String,
    /// The management account's id.
    pub management_account_id: String,
    /// `r-…`.
    pub root_id: String,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveOu {
    /// `ou-…`.
    pub id: String,
    /// Its own name.
    pub name: String,
    /// Names from the root down, `/`-joined (`Products/Payments`).
    pub path: String,
    /// The parent OU's id, or the root's id.
    pub parent_id: String,
}

/// `AccountStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LiveAccountStatus {
    Active,
    Suspended,
    PendingClosure,
}

/// An account in the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveAccount {
    /// The 12-digit id.
    pub id: String,
    /// Its name in AWS.
    pub name: String,
    /// Its root e-mail.
    pub email: String,
    pub status: LiveAccountStatus,
    /// The parent OU's path; `None` = directly under the root.
    pub ou_path: Option<String>,
    /// Its tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// `CreateAccountState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LiveCreationState {
    InProgress,
    Succeeded,
    Failed,
}

/// A `CreateAccount` request (`CreateAccountStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveAccountCreation {
    /// `car-…`.
    pub request_id: String,
    pub account_name: String,
    pub state: LiveCreationState,
    /// The account id, once known.
    pub account_id: Option<String>,
    /// `FailureReason`, when failed.
    pub failure_reason: Option<String>,
}

/// An `OPEN` invitation (`Handshake` with action `INVITE`) and whom it invites.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LiveInvitation {
    /// `h-…`.
    pub handshake_id: String,
    /// The invited account's id, when the invitation targets an account (`ACCOUNT` party).
    pub account_id: Option<String>,
    /// The invited e-mail, when the invitation targets one (`EMAIL` party).
    pub email: Option<String>,
}

/// The Identity Center instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveInstance {
    /// `arn:aws:sso:::instance/ssoins-…`.
    pub arn: String,
    /// `d-…`.
    pub identity_store_id: String,
}

/// A customer managed policy reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LiveCustomerManagedPolicy {
    pub name: String,
    /// `/` when AWS reports none.
    pub path: String,
}

/// A permissions boundary: exactly one of the two kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivePermissionsBoundary {
    ManagedPolicy(String),
    CustomerManagedPolicy(LiveCustomerManagedPolicy),
}

/// A permission set with everything attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePermissionSet {
    /// `arn:aws:sso:::permissionSet/ssoins-…/ps-…`.
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    /// ISO-8601 (`PT8H`) as AWS returns it.
    pub session_duration: Option<String>,
    pub relay_state: Option<String>,
    /// The inline policy document as AWS returns it (not normalized).
    pub inline_policy: Option<String>,
    /// AWS managed policy ARNs, sorted.
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Customer managed policy references, sorted.
    #[serde(default)]
    pub customer_managed_policies: Vec<LiveCustomerManagedPolicy>,
    pub permissions_boundary: Option<LivePermissionsBoundary>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A permission set provisioned into an account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LiveProvisioned {
    pub permission_set_arn: String,
    pub account_id: String,
    /// `false` = `LATEST_PERMISSION_SET_NOT_PROVISIONED` (the role is outdated).
    pub current: bool,
}

/// `PrincipalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LivePrincipalType {
    User,
    Group,
}

/// An account assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LiveAssignment {
    pub account_id: String,
    pub permission_set_arn: String,
    pub principal_type: LivePrincipalType,
    /// The Identity Store id (may name a deleted principal).
    pub principal_id: String,
}

/// An Identity Store user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUser {
    pub id: String,
    pub user_name: String,
    pub display_name: Option<String>,
    /// The primary (or first) e-mail.
    pub email: Option<String>,
    /// `UserStatus` `ENABLED` (a disabled user cannot sign in).
    pub enabled: bool,
}

/// An Identity Store group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveGroup {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
}

/// A group membership.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LiveMembership {
    pub group_id: String,
    pub user_id: String,
}

impl LiveState {
    /// The permission set with this ARN.
    #[must_use]
    pub fn permission_set_by_arn(&self, arn: &str) -> Option<&LivePermissionSet> {
        self.permission_sets.iter().find(|set| set.arn == arn)
    }

    /// The account with this id.
    #[must_use]
    pub fn account_by_id(&self, id: &str) -> Option<&LiveAccount> {
        self.accounts.iter().find(|account| account.id == id)
    }

    /// The open invitation of the account with this id.
    #[must_use]
    pub fn invitation_for_account(&self, id: &str) -> Option<&LiveInvitation> {
        self.invitations
            .iter()
            .find(|invitation| invitation.account_id.as_deref() == Some(id))
    }

    /// The user with this id.
    #[must_use]
    pub fn user_by_id(&self, id: &str) -> Option<&LiveUser> {
        self.users.iter().find(|user| user.id == id)
    }

    /// The group with this id.
    #[must_use]
    pub fn group_by_id(&self, id: &str) -> Option<&LiveGroup> {
        self.groups.iter().find(|group| group.id == id)
    }
}
