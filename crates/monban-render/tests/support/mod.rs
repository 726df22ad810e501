//! A builder for hand-made plans, so each renderer test states only what it is about.
//!
//! The plans it builds are what the diff engine would produce for the situation named
//! (sorted the way `monban-plan` documents), but written by hand: the renderers must
//! present any valid plan, and their tests must not depend on the engine.

use std::collections::BTreeMap;

use jiff::civil::{Date, date};
use monban_plan::{
    AccessChange, AccessPath, AccountRef, AccountState, Action, Address, AssignmentState, Blocker,
    Cause, Change, FieldChange, KeptBecause, Origin, OuState, PLAN_FORMAT_VERSION,
    PermissionSetState, PersonAccess, Plan, PlanTarget, Principal, PrincipalKind, Resource,
    Severity, TargetEndpoint, UnmanagedAccount, UnmanagedAssignment, UnmanagedBecause,
    UnmanagedPermissionSet, Warning, WarningCode,
};

/// A plan under construction: starts empty, complete and applyable, for the embedded
/// sandbox, evaluated on 2026-11-29.
#[derive(Debug)]
pub struct PlanBuilder {
    plan: Plan,
}

impl Default for PlanBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PlanBuilder {
    pub fn new() -> Self {
        Self {
            plan: Plan {
                format_version: PLAN_FORMAT_VERSION,
                tool_version: "0.1.0".to_owned(),
                target: PlanTarget {
                    endpoint: TargetEndpoint::EmbeddedSandbox,
                    organization_id: "o-tessera1".to_owned(),
                    management_account_id: "111111111111".to_owned(),
                    caller_account_id: "111111111111".to_owned(),
                    delegated_admin: false,
                    instance_arn: Some("arn:aws:sso:::instance/ssoins-0000000000000001".to_owned()),
                },
                evaluated_on: date(2026, 11, 29),
                read_at: "2026-11-29T08:00:00Z".parse().expect("a valid timestamp"),
                changes: Vec::new(),
                access: Vec::new(),
                unmanaged: monban_plan::Unmanaged::default(),
                warnings: Vec::new(),
                risks: Vec::new(),
                expiring: Vec::new(),
                complete: true,
                applyable: true,
                repo_digest: "a".repeat(64),
                state_digest: "b".repeat(64),
            },
        }
    }

    pub fn endpoint(mut self, endpoint: TargetEndpoint) -> Self {
        self.plan.target.endpoint = endpoint;
        self
    }

    /// The caller is a delegated administrator in `account`.
    pub fn delegated_admin(mut self, account: &str) -> Self {
        self.plan.target.delegated_admin = true;
        account.clone_into(&mut self.plan.target.caller_account_id);
        self
    }

    pub fn change(mut self, change: Change) -> Self {
        self.plan.changes.push(change);
        self
    }

    pub fn person(mut self, person: PersonAccess) -> Self {
        self.plan.access.push(person);
        self
    }

    pub fn warning(
        mut self,
        severity: Severity,
        code: WarningCode,
        message: &str,
        address: Option<Address>,
    ) -> Self {
        self.plan.warnings.push(Warning {
            severity,
            code,
            message: message.to_owned(),
            address,
        });
        self
    }

    pub fn unmanaged_account(mut self, name: &str, id: &str, ou: Option<&str>) -> Self {
        self.plan.unmanaged.accounts.push(UnmanagedAccount {
            id: id.to_owned(),
            name: name.to_owned(),
            email: format!("aws-root+{name}@example.com"),
            ou: ou.map(str::to_owned),
            status: "ACTIVE".to_owned(),
        });
        self
    }

    pub fn unmanaged_ou(mut self, path: &str) -> Self {
        self.plan.unmanaged.ous.push(path.to_owned());
        self
    }

    pub fn unmanaged_permission_set(mut self, name: &str, kept_because: KeptBecause) -> Self {
        self.plan
            .unmanaged
            .permission_sets
            .push(UnmanagedPermissionSet {
                name: name.to_owned(),
                arn: format!("arn:aws:sso:::permissionSet/ssoins-1/ps-{name}"),
                kept_because,
            });
        self
    }

    pub fn unmanaged_assignment(
        mut self,
        account: AccountRef,
        permission_set: &str,
        principal: Principal,
        orphaned: bool,
        kept_because: UnmanagedBecause,
    ) -> Self {
        self.plan.unmanaged.assignments.push(UnmanagedAssignment {
            account,
            permission_set: permission_set.to_owned(),
            principal,
            orphaned,
            kept_because,
        });
        self
    }

    pub fn incomplete(mut self) -> Self {
        self.plan.complete = false;
        self
    }

    pub fn not_applyable(mut self) -> Self {
        self.plan.applyable = false;
        self
    }

    pub fn build(self) -> Plan {
        self.plan
    }
}

pub fn group(name: &str) -> Principal {
    Principal::named(PrincipalKind::Group, name, Some(&format!("g-{name}")))
}

pub fn user(name: &str) -> Principal {
    Principal::named(PrincipalKind::User, name, Some(&format!("u-{name}")))
}

/// A principal the Identity Store no longer has, known by id alone.
pub fn deleted_group(id: &str) -> Principal {
    Principal {
        kind: PrincipalKind::Group,
        name: None,
        id: Some(id.to_owned()),
    }
}

/// An existing account (`id` given) or one the plan creates (`None`).
pub fn account(name: &str, id: Option<&str>) -> AccountRef {
    AccountRef {
        name: name.to_owned(),
        id: id.map(str::to_owned),
    }
}

pub fn in_account_file(account: &str) -> Origin {
    Origin::Account {
        account: account.to_owned(),
        until: None,
        reason: None,
    }
}

pub fn in_account_file_until(account: &str, until: Date, reason: &str) -> Origin {
    Origin::Account {
        account: account.to_owned(),
        until: Some(until),
        reason: Some(reason.to_owned()),
    }
}

pub fn in_rule(file: &str, entry: usize) -> Origin {
    Origin::Rule {
        file: file.to_owned(),
        entry,
    }
}

fn assignment_address(account: &AccountRef, permission_set: &str, who: &Principal) -> Address {
    Address::Assignment {
        account: account.name.clone(),
        permission_set: permission_set.to_owned(),
        principal: who.address_form(),
    }
}

fn assignment_state(
    account: &AccountRef,
    permission_set: &str,
    who: &Principal,
    origins: Vec<Origin>,
) -> Resource {
    Resource::Assignment(AssignmentState {
        account: account.clone(),
        permission_set: permission_set.to_owned(),
        permission_set_arn: Some(format!(
            "arn:aws:sso:::permissionSet/ssoins-1/ps-{permission_set}"
        )),
        principal: who.clone(),
        origins,
    })
}

/// A change with nothing filled in beyond its address, action, cause and reason.
fn bare(address: Address, action: Action, cause: Cause, reason: &str) -> Change {
    Change {
        address,
        action,
        cause,
        before: None,
        after: None,
        fields: Vec::new(),
        provision: Vec::new(),
        blocked_by: Vec::new(),
        reason: reason.to_owned(),
    }
}

pub fn create_assignment(
    account: &AccountRef,
    permission_set: &str,
    who: &Principal,
    origins: Vec<Origin>,
) -> Change {
    Change {
        after: Some(assignment_state(account, permission_set, who, origins)),
        ..bare(
            assignment_address(account, permission_set, who),
            Action::Create,
            Cause::Declared,
            "declared in the repo, missing live",
        )
    }
}

pub fn delete_assignment(
    account: &AccountRef,
    permission_set: &str,
    who: &Principal,
    cause: Cause,
    reason: &str,
) -> Change {
    Change {
        before: Some(assignment_state(account, permission_set, who, Vec::new())),
        ..bare(
            assignment_address(account, permission_set, who),
            Action::Delete,
            cause,
            reason,
        )
    }
}

pub fn create_ou(path: &str) -> Change {
    Change {
        after: Some(Resource::Ou(OuState {
            path: path.to_owned(),
            id: None,
        })),
        ..bare(
            Address::Ou {
                path: path.to_owned(),
            },
            Action::Create,
            Cause::Declared,
            "declared in organization.ous",
        )
    }
}

pub fn delete_ou(path: &str, id: &str) -> Change {
    Change {
        before: Some(Resource::Ou(OuState {
            path: path.to_owned(),
            id: Some(id.to_owned()),
        })),
        ..bare(
            Address::Ou {
                path: path.to_owned(),
            },
            Action::Delete,
            Cause::Undeclared,
            "not in organization.ous and empty",
        )
    }
}

fn account_state(
    name: &str,
    id: Option<&str>,
    ou: Option<&str>,
    tags: &[(&str, &str)],
) -> AccountState {
    AccountState {
        name: name.to_owned(),
        id: id.map(str::to_owned),
        email: Some(format!("aws-root+{name}@example.com")),
        ou: ou.map(str::to_owned),
        tags: tags
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect(),
        status: id.map(|_| "ACTIVE".to_owned()),
    }
}

pub fn create_account(name: &str, ou: &str, tags: &[(&str, &str)]) -> Change {
    Change {
        after: Some(Resource::Account(account_state(name, None, Some(ou), tags))),
        ..bare(
            Address::Account {
                account: name.to_owned(),
            },
            Action::Create,
            Cause::Declared,
            "no live account has this root e-mail",
        )
    }
}

/// An account outside the organization invited to join it.
pub fn invite_account(name: &str, id: &str, ou: &str) -> Change {
    let mut state = account_state(name, Some(id), Some(ou), &[("team", "partner")]);
    state.status = None;
    Change {
        after: Some(Resource::Account(state)),
        ..bare(
            Address::Account {
                account: name.to_owned(),
            },
            Action::Invite,
            Cause::Declared,
            &format!(
                "accounts/{name}.yaml binds account {id}, which is not in organization \
                 o-example: it is invited to join (pending until its owner accepts)"
            ),
        )
    }
}

/// An account moved from one OU to another and re-tagged.
pub fn move_account(name: &str, id: &str, from: &str, to: &str) -> Change {
    Change {
        before: Some(Resource::Account(account_state(
            name,
            Some(id),
            Some(from),
            &[("env", "dev")],
        ))),
        after: Some(Resource::Account(account_state(
            name,
            Some(id),
            Some(to),
            &[("env", "prod")],
        ))),
        fields: vec![
            FieldChange {
                field: "ou".to_owned(),
                before: serde_json::json!(from),
                after: serde_json::json!(to),
            },
            FieldChange {
                field: "tags".to_owned(),
                before: serde_json::json!({"env": "dev", "team": "payments"}),
                after: serde_json::json!({"env": "prod", "team": "payments"}),
            },
        ],
        ..bare(
            Address::Account {
                account: name.to_owned(),
            },
            Action::Update,
            Cause::Declared,
            "the account file's ou and tags differ from the live account",
        )
    }
}

pub fn close_account(name: &str, id: &str) -> Change {
    Change {
        before: Some(Resource::Account(account_state(
            name,
            Some(id),
            Some("Sandbox"),
            &[],
        ))),
        ..bare(
            Address::Account {
                account: name.to_owned(),
            },
            Action::Close,
            Cause::Closed,
            &format!("close: true in accounts/{name}.yaml"),
        )
    }
}

pub fn permission_set_state(name: &str, inline_policy: Option<&str>) -> PermissionSetState {
    PermissionSetState {
        name: name.to_owned(),
        arn: None,
        description: Some(format!("{name} access")),
        session_duration: Some("PT8H".to_owned()),
        relay_state: None,
        managed_policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()],
        customer_managed_policies: vec![monban_plan::CustomerManagedPolicyState {
            name: "deny-secrets".to_owned(),
            path: "/".to_owned(),
        }],
        inline_policy: inline_policy.map(str::to_owned),
        permissions_boundary: Some(monban_plan::BoundaryState::ManagedPolicy {
            arn: "arn:aws:iam::aws:policy/PowerUserAccess".to_owned(),
        }),
        tags: BTreeMap::new(),
    }
}

pub fn permission_set_address(name: &str) -> Address {
    Address::PermissionSet {
        permission_set: name.to_owned(),
    }
}

pub fn create_permission_set(name: &str, inline_policy: Option<&str>) -> Change {
    Change {
        after: Some(Resource::PermissionSet(permission_set_state(
            name,
            inline_policy,
        ))),
        ..bare(
            permission_set_address(name),
            Action::Create,
            Cause::Declared,
            "declared in the repo, missing live",
        )
    }
}

/// A permission set whose description and inline policy change; re-provisioned into
/// `accounts`.
pub fn update_permission_set(
    name: &str,
    before_policy: serde_json::Value,
    after_policy: serde_json::Value,
    accounts: &[AccountRef],
) -> Change {
    Change {
        before: Some(Resource::PermissionSet(permission_set_state(
            name,
            Some(&before_policy.to_string()),
        ))),
        after: Some(Resource::PermissionSet(permission_set_state(
            name,
            Some(&after_policy.to_string()),
        ))),
        fields: vec![
            FieldChange {
                field: "description".to_owned(),
                before: serde_json::json!("Read everything"),
                after: serde_json::json!("Read everything except secrets"),
            },
            FieldChange {
                field: "inline_policy".to_owned(),
                before: before_policy,
                after: after_policy,
            },
        ],
        provision: accounts.to_vec(),
        ..bare(
            permission_set_address(name),
            Action::Update,
            Cause::Declared,
            "description and inline policy differ from the live permission set",
        )
    }
}

pub fn replace_permission_set(from: &str, to: &str, accounts: &[AccountRef]) -> Change {
    Change {
        before: Some(Resource::PermissionSet(permission_set_state(from, None))),
        after: Some(Resource::PermissionSet(permission_set_state(to, None))),
        fields: vec![FieldChange {
            field: "name".to_owned(),
            before: serde_json::json!(from),
            after: serde_json::json!(to),
        }],
        provision: accounts.to_vec(),
        ..bare(
            permission_set_address(to),
            Action::Replace,
            Cause::Renamed {
                from: from.to_owned(),
            },
            "renamed: AWS cannot rename a permission set, so it is replaced",
        )
    }
}

pub fn provision_permission_set(name: &str, accounts: &[AccountRef]) -> Change {
    Change {
        before: Some(Resource::PermissionSet(permission_set_state(name, None))),
        after: Some(Resource::PermissionSet(permission_set_state(name, None))),
        provision: accounts.to_vec(),
        ..bare(
            permission_set_address(name),
            Action::Provision,
            Cause::Outdated,
            "LATEST_PERMISSION_SET_NOT_PROVISIONED in some accounts",
        )
    }
}

pub fn delete_permission_set(name: &str) -> Change {
    Change {
        before: Some(Resource::PermissionSet(permission_set_state(name, None))),
        ..bare(
            permission_set_address(name),
            Action::Delete,
            Cause::Undeclared,
            "no file in permission-sets/ and exclusive is on",
        )
    }
}

/// Marks a change blocked.
pub fn blocked(mut change: Change, blockers: Vec<Blocker>) -> Change {
    change.blocked_by = blockers;
    change
}

/// A person with no changes yet; add them with [`gain`] and [`loss`].
pub fn person(user_name: &str, display_name: Option<&str>) -> PersonAccess {
    PersonAccess {
        user_name: user_name.to_owned(),
        display_name: display_name.map(str::to_owned),
        enabled: true,
        gains: Vec::new(),
        losses: Vec::new(),
    }
}

pub fn disabled(mut person: PersonAccess) -> PersonAccess {
    person.enabled = false;
    person
}

pub fn gain(
    mut person: PersonAccess,
    account: &AccountRef,
    permission_set: &str,
    via: &Principal,
    origins: Vec<Origin>,
) -> PersonAccess {
    person.gains.push(AccessChange {
        account: account.clone(),
        permission_set: permission_set.to_owned(),
        via: vec![AccessPath {
            principal: via.clone(),
            origins,
            removal: None,
        }],
    });
    person
}

pub fn loss(
    mut person: PersonAccess,
    account: &AccountRef,
    permission_set: &str,
    via: &Principal,
    removal: Cause,
) -> PersonAccess {
    person.losses.push(AccessChange {
        account: account.clone(),
        permission_set: permission_set.to_owned(),
        via: vec![AccessPath {
            principal: via.clone(),
            origins: Vec::new(),
            removal: Some(removal),
        }],
    });
    person
}
