//! One resource change of a plan: its name-keyed address, the action, the resource before
//! and after, which fields differ, why (typed, and as display-only text), and what blocks
//! it from being applied.
//!
//! These types are part of the documented JSON plan format (`docs/reference/plan-json.md`):
//! change them additively only, and bump [`crate::PLAN_FORMAT_VERSION`] otherwise.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What a change does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The resource does not exist live and will be created.
    Create,
    /// The resource exists and will be changed in place (for an account: moved between
    /// OUs and/or re-tagged; for a permission set: attributes or policies edited, then
    /// re-provisioned).
    Update,
    /// The resource will be deleted and another created in its place (a permission-set
    /// rename: new role ARNs in every account).
    Replace,
    /// A permission set's roles are outdated in some accounts and will be re-provisioned;
    /// nothing else about it changes.
    Provision,
    /// The resource will be deleted.
    Delete,
    /// The account will be closed (`close: true`).
    Close,
    /// An account outside the organization (declared by `id:`) will be invited to join
    /// it; it stays pending until the account's owner accepts.
    Invite,
}

impl Action {
    /// `create`, `update`, … as in the JSON form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Replace => "replace",
            Self::Provision => "provision",
            Self::Delete => "delete",
            Self::Close => "close",
            Self::Invite => "invite",
        }
    }

    /// Whether the change removes something (counted by `max_removals` for assignments,
    /// permission sets and OUs, and as "to remove" in the summary).
    #[must_use]
    pub fn removes(self) -> bool {
        matches!(self, Self::Delete | Self::Close | Self::Replace)
    }

    /// Whether the change adds something ("to add" in the summary).
    #[must_use]
    pub fn adds(self) -> bool {
        matches!(self, Self::Create | Self::Replace)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// `USER` or `GROUP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    Group,
    User,
}

impl PrincipalKind {
    /// `group` or `user`, as written in the repo.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::User => "user",
        }
    }
}

/// A group or user an assignment names.
///
/// `name` is the group's display name or the user's user name; it is `None` only for a
/// principal that no longer exists in the Identity Store (an orphaned assignment), which
/// is then known by `id` alone. `id` is the Identity Store id when the principal was found
/// live; `None` for a principal the repo names but the Identity Store lacks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: Option<String>,
    pub id: Option<String>,
}

impl Principal {
    /// A principal known by name (id resolved or not).
    #[must_use]
    pub fn named(kind: PrincipalKind, name: &str, id: Option<&str>) -> Self {
        Self {
            kind,
            name: Some(name.to_owned()),
            id: id.map(str::to_owned),
        }
    }

    /// The same principal without its id: the form used in addresses, which are
    /// name-keyed (a principal without a name keeps its id, the only key it has).
    #[must_use]
    pub fn address_form(&self) -> Self {
        Self {
            kind: self.kind,
            name: self.name.clone(),
            id: if self.name.is_some() {
                None
            } else {
                self.id.clone()
            },
        }
    }
}

impl fmt::Display for Principal {
    /// `group:engineers`, `user:alice@example.com`, `user:<deleted 9067…>`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.id) {
            (Some(name), _) => write!(formatter, "{}:{name}", self.kind.as_str()),
            (None, Some(id)) => write!(formatter, "{}:<deleted {id}>", self.kind.as_str()),
            (None, None) => write!(formatter, "{}:<unknown>", self.kind.as_str()),
        }
    }
}

/// What a change is about, by name — never by ARN or generated id, so that adding or
/// renaming one thing never changes the address of another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Address {
    /// An organizational unit, by path from the root (`Products/Payments`).
    Ou { path: String },
    /// An account, by its repo name (file stem).
    Account { account: String },
    /// A permission set, by name.
    PermissionSet { permission_set: String },
    /// An account assignment: (account name, permission set name, principal kind + name).
    Assignment {
        account: String,
        permission_set: String,
        principal: Principal,
    },
}

impl Address {
    /// The account this address belongs to, if any.
    #[must_use]
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Account { account } | Self::Assignment { account, .. } => Some(account),
            Self::Ou { .. } | Self::PermissionSet { .. } => None,
        }
    }
}

impl fmt::Display for Address {
    /// `ou/Products/Payments`, `account/payments-prod`, `permission_set/ReadOnly`,
    /// `assignment/payments-prod/ReadOnly/group:engineers`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ou { path } => write!(formatter, "ou/{path}"),
            Self::Account { account } => write!(formatter, "account/{account}"),
            Self::PermissionSet { permission_set } => {
                write!(formatter, "permission_set/{permission_set}")
            }
            Self::Assignment {
                account,
                permission_set,
                principal,
            } => write!(
                formatter,
                "assignment/{account}/{permission_set}/{principal}"
            ),
        }
    }
}

/// An account as a plan refers to it: its repo name (or, for an account the repo does not
/// declare, its live name) and its id once it exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AccountRef {
    pub name: String,
    /// `None` for an account the plan will create (or that is being created).
    pub id: Option<String>,
}

/// Where the repo declares an assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Under `access:` in the account's own file (`accounts/<account>.yaml`).
    Account {
        account: String,
        /// The grant's last day (inclusive, UTC), if it expires.
        until: Option<Date>,
        /// The grant's `reason:`, if given.
        reason: Option<String>,
    },
    /// A selector rule: `file` relative to the repo root, `entry` its 1-based position in
    /// that file's list (displayed `rules/x.yaml#1`).
    Rule { file: String, entry: usize },
}

impl fmt::Display for Origin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Account { account, until, .. } => {
                write!(formatter, "accounts/{account}.yaml")?;
                if let Some(until) = until {
                    write!(formatter, " (until {until})")?;
                }
                Ok(())
            }
            Self::Rule { file, entry } => write!(formatter, "{file}#{entry}"),
        }
    }
}

/// Why a change is planned, typed (the display text is [`Change::reason`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// The repo declares it and the live state lacks it or differs.
    Declared,
    /// An assignment whose `until` day has passed.
    Expired { until: Date },
    /// An assignment whose principal no longer exists in the Identity Store.
    Orphaned,
    /// Live but not in the repo, removed because `safety.exclusive` is on.
    Undeclared,
    /// The new side of a permission-set rename (a replacement).
    Renamed { from: String },
    /// An assignment of a permission set that is being replaced by `by`.
    Replaced { by: String },
    /// A permission set whose roles are outdated in some accounts.
    Outdated,
    /// The account file says `close: true`.
    Closed,
}

/// A permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BoundaryState {
    ManagedPolicy { arn: String },
    CustomerManagedPolicy { name: String, path: String },
}

/// A customer-managed policy reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CustomerManagedPolicyState {
    pub name: String,
    pub path: String,
}

/// An OU, before or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OuState {
    pub path: String,
    /// `ou-…`, when it exists.
    pub id: Option<String>,
}

/// An account, before or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    /// The repo name (after) or the live name (before).
    pub name: String,
    pub id: Option<String>,
    /// The root e-mail.
    pub email: Option<String>,
    /// The parent OU's path; `None` = directly under the root.
    pub ou: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` (live) — `None` for the desired side.
    pub status: Option<String>,
}

/// A permission set, before or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSetState {
    pub name: String,
    /// The ARN, when it exists.
    pub arn: Option<String>,
    pub description: Option<String>,
    /// ISO-8601 (`PT8H`).
    pub session_duration: Option<String>,
    pub relay_state: Option<String>,
    /// Sorted.
    pub managed_policies: Vec<String>,
    /// Sorted.
    pub customer_managed_policies: Vec<CustomerManagedPolicyState>,
    /// The inline policy document's text (the repo file's, or as AWS returned it).
    pub inline_policy: Option<String>,
    pub permissions_boundary: Option<BoundaryState>,
    pub tags: BTreeMap<String, String>,
}

/// An account assignment, before or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentState {
    pub account: AccountRef,
    pub permission_set: String,
    /// `None` while the permission set does not exist yet.
    pub permission_set_arn: Option<String>,
    pub principal: Principal,
    /// Where the repo declares it (after side; empty before).
    pub origins: Vec<Origin>,
}

/// A resource, before or after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Resource {
    Ou(OuState),
    Account(AccountState),
    PermissionSet(PermissionSetState),
    Assignment(AssignmentState),
}

/// One field that differs in an update, with both values as JSON (an inline policy is
/// its parsed document, so a renderer can pretty-print it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name as in [`AccountState`] / [`PermissionSetState`] (`ou`, `tags`,
    /// `inline_policy`, …).
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// Why a change cannot be applied (the plan is then not applyable).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocker {
    /// The repo names a group or user the Identity Store does not have (not pushed by the
    /// identity provider yet, or misspelled); the plan is incomplete.
    PrincipalNotFound { principal: Principal },
    /// The caller is a delegated administrator, which cannot change access to the
    /// management account.
    ManagementAccountFromDelegatedAdmin,
    /// The management account cannot be closed.
    CloseManagementAccount,
    /// The account's `id:` names no account of the organization.
    AccountNotFound { id: String },
    /// The organization has no IAM Identity Center instance.
    NoIdentityCenterInstance,
    /// Closing the account would remove an assignment `safety.protected` names.
    ProtectedAssignment {
        permission_set: String,
        principal: Principal,
    },
    /// The permission set cannot be created: `permission_set` (live, or also declared)
    /// has a name that differs from its name only in case, and permission-set names are
    /// unique regardless of case.
    PermissionSetNameClash { permission_set: String },
}

/// One planned resource change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    /// Why, typed.
    pub cause: Cause,
    /// The live resource; `None` for a create.
    pub before: Option<Resource>,
    /// The resource as planned; `None` for a delete (and a close).
    pub after: Option<Resource>,
    /// For an update: the fields that differ, in field order.
    #[serde(default)]
    pub fields: Vec<FieldChange>,
    /// For a permission set: the accounts it is (re)provisioned into as part of this
    /// change, sorted by name.
    #[serde(default)]
    pub provision: Vec<AccountRef>,
    /// Why this change cannot be applied; empty when it can.
    #[serde(default)]
    pub blocked_by: Vec<Blocker>,
    /// Display-only text of why; the apply engine never reads it.
    pub reason: String,
}

impl Change {
    /// Whether nothing blocks this change.
    #[must_use]
    pub fn is_applyable(&self) -> bool {
        self.blocked_by.is_empty()
    }
}
