//! The plan as a value: the target it was computed for, the resource changes in apply
//! order, the per-person access diff, what the live state holds that the repo does not
//! manage, warnings, the `complete` / `applyable` flags and the digests of its inputs.
//!
//! This is the documented, versioned JSON plan format (`docs/reference/plan-json.md`):
//! renderers and the apply engine consume it; change it additively only, and bump
//! [`PLAN_FORMAT_VERSION`] otherwise.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::PersonAccess;
use crate::change::{AccountRef, Address, Change, Principal};
use crate::highlights::{ExpiringGrant, Risk};

/// The version of the JSON plan format.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// How monban reached the target (supplied by the caller; the plan adds what the live
/// state says about it in [`PlanTarget`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetEndpoint {
    /// The embedded sandbox (the repo declares no AWS target, or `--sandbox`).
    EmbeddedSandbox,
    /// The repo's declared AWS target.
    Aws {
        profile: Option<String>,
        region: String,
    },
    /// `--endpoint-url URL`: any AWS-compatible server.
    EndpointUrl { url: String, region: String },
}

/// The target a plan was computed for; `apply` refuses a plan made for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTarget {
    pub endpoint: TargetEndpoint,
    /// `o-…`.
    pub organization_id: String,
    pub management_account_id: String,
    /// The account whose credentials read the state.
    pub caller_account_id: String,
    /// `true` when the caller is a delegated administrator, not the management account.
    pub delegated_admin: bool,
    /// The IAM Identity Center instance ARN, if the organization has one.
    pub instance_arn: Option<String>,
}

/// How bad a warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; changes nothing.
    Info,
    /// Needs a human look; the plan is still applyable.
    Warning,
    /// The plan is not applyable (or not complete) because of it.
    Error,
}

/// What a warning is about, for filtering and for tests; the text is in
/// [`Warning::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// A live account no account file declares (left alone).
    UndeclaredAccount,
    /// A live OU `organization.ous` does not declare (left alone).
    UndeclaredOu,
    /// A live permission set the repo does not declare, kept (not `exclusive`, or still
    /// assigned on undeclared accounts, or protected).
    UndeclaredPermissionSet,
    /// Live assignments not in the repo, kept (not `exclusive`, or on undeclared accounts).
    UnmanagedAssignments,
    /// An account bound by `id:` whose live name differs from its file name.
    AccountNameDiffers,
    /// An account bound by `id:` that the organization does not have.
    AccountNotFound,
    /// `organization.management_account` names a file bound to another account than the
    /// organization's management account: probably the wrong target.
    ManagementAccountMismatch,
    /// Two account files mean the same live account (one by `id:`, one by root e-mail, or
    /// both by e-mail).
    AccountBoundTwice,
    /// A declared account that is suspended or pending closure without `close: true`.
    AccountNotActive,
    /// A `CreateAccount` for a declared account is still in progress.
    AccountBeingCreated,
    /// A declared account (by `id:`) was invited to the organization and has not
    /// accepted yet.
    InvitationPending,
    /// A previous `CreateAccount` for a declared account failed.
    AccountCreationFailed,
    /// `close: true` on an account that does not exist live.
    CloseUnknownAccount,
    /// `close: true` on the management account.
    CloseManagementAccount,
    /// The repo names a group or user the Identity Store lacks.
    PrincipalNotFound,
    /// A permission-set rename: new roles (new ARNs) in every account.
    PermissionSetReplaced,
    /// A removal of a `safety.protected` assignment was dropped, or an account holding
    /// one cannot be closed.
    ProtectedAssignment,
    /// A permission-set deletion was dropped (still assigned where the plan does not
    /// remove the assignment).
    PermissionSetStillAssigned,
    /// A permission-set deletion was dropped: it is provisioned in accounts where no
    /// assignment of it is left to delete, and Identity Center refuses to delete a
    /// provisioned permission set (no API call deprovisions it).
    PermissionSetStillProvisioned,
    /// A permission set the plan would create has a name that differs from another
    /// permission set's only in case; names are unique regardless of case, so it cannot be
    /// created (a case-only rename among them).
    PermissionSetNameClash,
    /// More removals than `safety.max_removals`.
    MassRemoval,
    /// A change touches the management account and the caller is a delegated admin.
    ManagementAccountFromDelegatedAdmin,
    /// The organization has no IAM Identity Center instance.
    NoIdentityCenterInstance,
}

/// A message for the reader of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub severity: Severity,
    pub code: WarningCode,
    /// What happened and what to do next, in one or two sentences.
    pub message: String,
    /// The change or resource it is about, if any.
    pub address: Option<Address>,
}

/// A live account no account file declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedAccount {
    pub id: String,
    pub name: String,
    pub email: String,
    pub ou: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

/// Why a live permission set outside the repo is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeptBecause {
    /// `safety.exclusive` is off.
    NotExclusive,
    /// Still assigned on accounts the repo does not declare (or where the plan keeps
    /// an assignment of it).
    StillAssigned,
    /// Provisioned in accounts where no assignment of it is left for the plan to delete:
    /// Identity Center refuses to delete it, and only deleting its last assignment in an
    /// account (or the console's "Remove") deprovisions it there.
    StillProvisioned,
}

/// A live permission set the repo does not declare and the plan keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedPermissionSet {
    pub name: String,
    pub arn: String,
    pub kept_because: KeptBecause,
}

/// Why a live assignment outside the repo is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmanagedBecause {
    /// The account has no account file.
    UndeclaredAccount,
    /// `safety.exclusive` is off.
    NotExclusive,
    /// A `safety.protected` entry.
    Protected,
}

/// A live assignment the repo does not declare and the plan keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedAssignment {
    pub account: AccountRef,
    pub permission_set: String,
    pub principal: Principal,
    /// The principal no longer exists in the Identity Store.
    pub orphaned: bool,
    pub kept_because: UnmanagedBecause,
}

/// What the live state holds that this repo does not manage (reported, never changed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmanaged {
    /// Sorted by name.
    pub accounts: Vec<UnmanagedAccount>,
    /// OU paths, sorted.
    pub ous: Vec<String>,
    /// Sorted by name.
    pub permission_sets: Vec<UnmanagedPermissionSet>,
    /// Sorted by account, permission set, principal.
    pub assignments: Vec<UnmanagedAssignment>,
}

impl Unmanaged {
    /// Whether the live state holds nothing outside the repo.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.ous.is_empty()
            && self.permission_sets.is_empty()
            && self.assignments.is_empty()
    }
}

/// A plan: what applying the repo to the target would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT_VERSION`].
    pub format_version: u32,
    /// The monban version that computed it; `apply` refuses a plan of another version.
    pub tool_version: String,
    pub target: PlanTarget,
    /// The UTC day `until` dates were evaluated against.
    pub evaluated_on: Date,
    /// When the live state was read.
    pub read_at: Timestamp,
    /// Every resource change, in apply order: OUs (parents first), accounts, permission
    /// sets created/updated/replaced, provisioning, assignments created, assignments
    /// deleted, permission sets deleted; by address within each step.
    pub changes: Vec<Change>,
    /// Per person (sorted by user name), the access they gain or lose; people without
    /// changes are left out.
    pub access: Vec<PersonAccess>,
    /// What the live state holds outside the repo.
    #[serde(default)]
    pub unmanaged: Unmanaged,
    /// Sorted by severity (errors first), then code, then address.
    pub warnings: Vec<Warning>,
    /// What a reviewer should look at first: administrator access granted, protected
    /// entries, mass removals, role ARNs that change. In change order, then warnings'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    /// Grants whose `until` comes within the window the plan was asked for
    /// (`--expiring-within`), soonest first; empty without it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expiring: Vec<ExpiringGrant>,
    /// `false` when the plan could not be fully computed (a principal the Identity Store
    /// lacks, no Identity Center instance): applying it would not reach the repo's state.
    pub complete: bool,
    /// `false` when `apply` must refuse it: a blocked change, an error, or more removals
    /// than `max_removals` without `allow_mass_removal`.
    pub applyable: bool,
    /// SHA-256 (hex) of the canonical JSON of the desired inputs (design §10).
    pub repo_digest: String,
    /// SHA-256 (hex) of the canonical JSON of the live state the plan read.
    pub state_digest: String,
}

/// Counts for the one-line summary (`Plan: N to add, N to change, N to remove.`). A
/// replacement counts as one add and one remove, as in Terraform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub remove: usize,
    /// People who gain at least one (account, permission set).
    pub people_gaining: usize,
    /// People who lose at least one.
    pub people_losing: usize,
    /// Accounts a change touches (the account itself, an assignment on it, or a
    /// permission set provisioned into it).
    pub accounts_changing: usize,
}

impl Plan {
    /// The counts of changes and of people affected.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            if change.action.adds() {
                summary.add += 1;
            }
            if change.action.removes() {
                summary.remove += 1;
            }
            if !change.action.adds() && !change.action.removes() {
                summary.change += 1;
            }
        }
        summary.people_gaining = self
            .access
            .iter()
            .filter(|person| !person.gains.is_empty())
            .count();
        summary.people_losing = self
            .access
            .iter()
            .filter(|person| !person.losses.is_empty())
            .count();
        summary.accounts_changing = self
            .changes
            .iter()
            .flat_map(|change| {
                change
                    .address
                    .account()
                    .into_iter()
                    .chain(change.provision.iter().map(|account| account.name.as_str()))
            })
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        summary
    }

    /// Whether the plan changes anything.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// The warnings of one severity or worse.
    pub fn warnings_at_least(&self, severity: Severity) -> impl Iterator<Item = &Warning> {
        self.warnings
            .iter()
            .filter(move |warning| warning.severity >= severity)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::access::{AccessChange, AccessPath};
    use crate::change::{
        AccountState, Action, AssignmentState, Blocker, Cause, FieldChange, Origin, PrincipalKind,
        Resource,
    };

    /// A plan exercising every enum of the format at least once.
    pub(crate) fn sample_plan() -> Plan {
        let engineers = Principal::named(PrincipalKind::Group, "engineers", Some("g-1"));
        let account = AccountRef {
            name: "payments-prod".to_owned(),
            id: Some("210987654321".to_owned()),
        };
        let assignment = Address::Assignment {
            account: account.name.clone(),
            permission_set: "ReadOnly".to_owned(),
            principal: engineers.address_form(),
        };
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            tool_version: "0.1.0".to_owned(),
            target: PlanTarget {
                endpoint: TargetEndpoint::Aws {
                    profile: Some("org-admin".to_owned()),
                    region: "eu-central-1".to_owned(),
                },
                organization_id: "o-abc".to_owned(),
                management_account_id: "111111111111".to_owned(),
                caller_account_id: "111111111111".to_owned(),
                delegated_admin: false,
                instance_arn: Some("arn:aws:sso:::instance/ssoins-1".to_owned()),
            },
            evaluated_on: jiff::civil::date(2026, 11, 29),
            read_at: "2026-11-29T08:00:00Z".parse().unwrap(),
            changes: vec![
                Change {
                    address: Address::Account {
                        account: account.name.clone(),
                    },
                    action: Action::Update,
                    cause: Cause::Declared,
                    before: Some(Resource::Account(AccountState {
                        name: account.name.clone(),
                        id: account.id.clone(),
                        email: Some("root@example.com".to_owned()),
                        ou: None,
                        tags: BTreeMap::new(),
                        status: Some("ACTIVE".to_owned()),
                    })),
                    after: None,
                    fields: vec![FieldChange {
                        field: "ou".to_owned(),
                        before: serde_json::Value::Null,
                        after: serde_json::json!("Products"),
                    }],
                    provision: vec![account.clone()],
                    blocked_by: vec![Blocker::ManagementAccountFromDelegatedAdmin],
                    reason: "moved".to_owned(),
                },
                Change {
                    address: assignment.clone(),
                    action: Action::Delete,
                    cause: Cause::Expired {
                        until: jiff::civil::date(2026, 1, 1),
                    },
                    before: Some(Resource::Assignment(AssignmentState {
                        account: account.clone(),
                        permission_set: "ReadOnly".to_owned(),
                        permission_set_arn: None,
                        principal: engineers.clone(),
                        origins: vec![Origin::Rule {
                            file: "rules/a.yaml".to_owned(),
                            entry: 1,
                        }],
                    })),
                    after: None,
                    fields: Vec::new(),
                    provision: Vec::new(),
                    blocked_by: Vec::new(),
                    reason: "expired".to_owned(),
                },
            ],
            access: vec![PersonAccess {
                user_name: "alice".to_owned(),
                display_name: None,
                enabled: true,
                gains: Vec::new(),
                losses: vec![AccessChange {
                    account,
                    permission_set: "ReadOnly".to_owned(),
                    via: vec![AccessPath {
                        principal: engineers,
                        origins: Vec::new(),
                        removal: Some(Cause::Orphaned),
                    }],
                }],
            }],
            unmanaged: Unmanaged::default(),
            warnings: vec![Warning {
                severity: Severity::Error,
                code: WarningCode::MassRemoval,
                message: "too many".to_owned(),
                address: Some(assignment),
            }],
            risks: Vec::new(),
            expiring: Vec::new(),
            complete: true,
            applyable: false,
            repo_digest: "00".to_owned(),
            state_digest: "11".to_owned(),
        }
    }

    #[test]
    fn plan_round_trips_through_json() {
        let plan = sample_plan();
        let text = serde_json::to_string_pretty(&plan).unwrap();
        let back: Plan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, plan);
    }

    #[test]
    fn json_spells_enums_as_documented() {
        let value = serde_json::to_value(sample_plan()).unwrap();
        assert_eq!(value["target"]["endpoint"]["kind"], "aws");
        assert_eq!(value["changes"][0]["action"], "update");
        assert_eq!(value["changes"][0]["address"]["type"], "account");
        assert_eq!(value["changes"][0]["before"]["type"], "account");
        assert_eq!(
            value["changes"][0]["blocked_by"][0]["kind"],
            "management_account_from_delegated_admin"
        );
        assert_eq!(value["changes"][1]["cause"]["kind"], "expired");
        assert_eq!(value["changes"][1]["cause"]["until"], "2026-01-01");
        assert_eq!(
            value["changes"][1]["address"]["principal"],
            serde_json::json!({"kind": "group", "name": "engineers", "id": null})
        );
        assert_eq!(value["warnings"][0]["code"], "mass_removal");
        assert_eq!(value["evaluated_on"], "2026-11-29");
    }

    #[test]
    fn summary_counts_a_replacement_as_add_and_remove() {
        let mut plan = sample_plan();
        plan.changes[0].action = Action::Replace;
        let summary = plan.summary();
        assert_eq!((summary.add, summary.change, summary.remove), (1, 0, 2));
        assert_eq!((summary.people_gaining, summary.people_losing), (0, 1));
        plan.changes[0].action = Action::Provision;
        assert_eq!(plan.summary().change, 1);
    }
}
