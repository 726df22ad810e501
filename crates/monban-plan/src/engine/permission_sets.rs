//! Permission sets: created, updated (compared semantically: policy documents as JSON
//! values, policy lists as sets, durations by length), re-provisioned where their roles
//! are outdated, replaced when renamed, and deleted only under `exclusive` once every live
//! assignment of them is planned for removal.
//!
//! Runs after the assignments, because whether a live permission set may go depends on
//! what happens to its assignments.

use std::collections::{BTreeMap, BTreeSet};

use monban_model::{LivePermissionSet, PermissionSet, PermissionSetName, PermissionsBoundary};

use super::assignments::live_key;
use super::{Planner, count, name_list};
use crate::before::{permission_set_differences, permission_set_state};
use crate::change::{
    AccountRef, Action, Address, Blocker, BoundaryState, Cause, Change, CustomerManagedPolicyState,
    PermissionSetState, Resource,
};
use crate::plan::{KeptBecause, Severity, UnmanagedPermissionSet, WarningCode};

pub(super) fn desired_state(set: &PermissionSet, arn: Option<&str>) -> PermissionSetState {
    let mut managed_policies: Vec<String> = set
        .managed_policies
        .iter()
        .map(|arn| arn.as_str().to_owned())
        .collect();
    managed_policies.sort();
    managed_policies.dedup();
    let mut customer_managed_policies: Vec<CustomerManagedPolicyState> = set
        .customer_managed_policies
        .iter()
        .map(|policy| CustomerManagedPolicyState {
            name: policy.name.as_str().to_owned(),
            path: policy.path.as_str().to_owned(),
        })
        .collect();
    customer_managed_policies.sort();
    customer_managed_policies.dedup();
    PermissionSetState {
        name: set.name.as_str().to_owned(),
        arn: arn.map(str::to_owned),
        description: set
            .description
            .as_ref()
            .map(|description| description.as_str().to_owned()),
        session_duration: Some(set.session_duration.to_string()),
        relay_state: set
            .relay_state
            .as_ref()
            .map(|relay_state| relay_state.as_str().to_owned()),
        managed_policies,
        customer_managed_policies,
        inline_policy: set
            .inline_policy
            .as_ref()
            .map(|policy| policy.as_str().to_owned()),
        permissions_boundary: set
            .permissions_boundary
            .as_ref()
            .map(|boundary| match boundary {
                PermissionsBoundary::ManagedPolicy(arn) => BoundaryState::ManagedPolicy {
                    arn: arn.as_str().to_owned(),
                },
                PermissionsBoundary::CustomerManagedPolicy(policy) => {
                    BoundaryState::CustomerManagedPolicy {
                        name: policy.name.as_str().to_owned(),
                        path: policy.path.as_str().to_owned(),
                    }
                }
            }),
        tags: set
            .tags
            .iter()
            .map(|(key, value)| (key.as_str().to_owned(), value.as_str().to_owned()))
            .collect(),
    }
}

impl<'input> Planner<'input> {
    /// Whether every live assignment of the permission set is deleted by this plan (those
    /// on closing accounts do not count: they linger until AWS closes the account).
    fn all_assignments_removed(&self, arn: &str) -> bool {
        self.index
            .assignments_by_permission_set
            .get(arn)
            .is_none_or(|assignments| {
                assignments.iter().all(|assignment| {
                    self.removed
                        .get(&live_key(assignment))
                        .is_some_and(|cause| *cause != Cause::Closed)
                })
            })
    }

    /// Whether the repo declares an active assignment of this permission set name (only
    /// possible for an undeclared permission set in a repo that failed validation; its
    /// deletion must not follow an assignment the same plan creates).
    fn declared_in_use(&self, name: &str) -> bool {
        self.declared
            .iter()
            .any(|(key, declared)| key.1 == name && !declared.origins.is_empty())
    }

    /// Accounts the permission set is provisioned into without any live assignment of it
    /// there (`ProvisionPermissionSet` called directly, or a provisioning left behind).
    /// No assignment deletion of the plan deprovisions it there, and AWS has no call that
    /// does, so `DeletePermissionSet` would be refused (aws-api-facts §5.1 item 5).
    fn provisioned_without_assignments(&self, arn: &str) -> Vec<&'input str> {
        let Some(accounts) = self.index.provisioned.get(arn) else {
            return Vec::new();
        };
        let assigned: BTreeSet<&str> = self
            .index
            .assignments_by_permission_set
            .get(arn)
            .into_iter()
            .flatten()
            .map(|assignment| assignment.account_id.as_str())
            .collect();
        accounts
            .keys()
            .copied()
            .filter(|account_id| !assigned.contains(account_id))
            .collect()
    }

    /// Whether this plan may delete the live permission set: every live assignment of it
    /// is deleted by the plan, the repo does not assign it, and once those deletions are
    /// done no account still has it provisioned — every account it is provisioned into
    /// is one where the plan deletes its last assignment (which deprovisions it there).
    fn deletable(&self, set: &LivePermissionSet) -> bool {
        self.all_assignments_removed(&set.arn)
            && !self.declared_in_use(&set.name)
            && self.provisioned_without_assignments(&set.arn).is_empty()
    }

    /// Another permission set whose name differs from `name` only in case: one the repo
    /// also declares, else a live one. Identity Center names are unique regardless of case
    /// (the sandbox refuses such a create with `ConflictException`, and IAM does not tell
    /// role names apart by case), so a permission set with such a name cannot be created.
    /// ASCII folding is enough: a name matches `[\w+=,.@-]+`.
    fn name_clash(&self, name: &str) -> Option<(&'input str, bool)> {
        let differs_in_case = |other: &str| other != name && other.eq_ignore_ascii_case(name);
        self.repo
            .permission_sets
            .keys()
            .map(PermissionSetName::as_str)
            .find(|other| differs_in_case(other))
            .map(|other| (other, true))
            .or_else(|| {
                self.live()
                    .permission_sets
                    .iter()
                    .map(|set| set.name.as_str())
                    .find(|other| differs_in_case(other))
                    .map(|other| (other, false))
            })
    }

    /// Blocks the creation of `name` (a create or the new side of a replacement) when its
    /// name clashes with another's in case only, with an error saying what to do.
    fn block_name_clash(&mut self, name: &str, blocked_by: &mut Vec<Blocker>) {
        let Some((other, declared)) = self.name_clash(name) else {
            return;
        };
        blocked_by.push(Blocker::PermissionSetNameClash {
            permission_set: other.to_owned(),
        });
        let message = if declared {
            format!(
                "the repo declares permission sets `{other}` and `{name}`, whose names differ \
                 only in case. Identity Center permission-set names are unique regardless of \
                 case, so both cannot exist; give one of them another name."
            )
        } else {
            format!(
                "permission set `{name}` cannot be created while `{other}` exists: the names \
                 differ only in case, and Identity Center permission-set names are unique \
                 regardless of case. A rename is a create before a delete, so a case-only \
                 rename cannot be applied in one step. To change only the case, rename it \
                 through another name in two plans (`{other}` → e.g. `{name}-next`, apply; \
                 then → `{name}`, apply; each step replaces its roles), or keep the name \
                 `{other}` (permission-sets/{other}.yaml and the grants)."
            )
        };
        self.warn(
            Severity::Error,
            WarningCode::PermissionSetNameClash,
            message,
            Some(Address::PermissionSet {
                permission_set: name.to_owned(),
            }),
        );
    }

    /// The accounts a live permission set is provisioned into, and the outdated ones.
    fn provisioned_accounts(&self, arn: &str) -> (Vec<AccountRef>, Vec<AccountRef>) {
        let Some(accounts) = self.index.provisioned.get(arn) else {
            return (Vec::new(), Vec::new());
        };
        let all = self.account_refs(accounts.keys().copied());
        let outdated = self.account_refs(
            accounts
                .iter()
                .filter(|(_, current)| !**current)
                .map(|(id, _)| *id),
        );
        (all, outdated)
    }

    pub(super) fn plan_permission_sets(&mut self) {
        let repo = self.repo;
        let live = self.live();
        let instance_missing = live.instance.is_none();
        if instance_missing && (!repo.permission_sets.is_empty() || !self.declared.is_empty()) {
            self.complete = false;
            self.warn(
                Severity::Error,
                WarningCode::NoIdentityCenterInstance,
                format!(
                    "organization {} has no IAM Identity Center instance, so no permission set \
                     or assignment can be planned. Enable IAM Identity Center in the management \
                     account (region {}).",
                    live.organization.id,
                    repo.settings.identity_center.region.as_str()
                ),
                None,
            );
        }
        let renames = self.detect_renames();
        for set in repo.permission_sets.values() {
            let name = set.name.as_str();
            if let Some(live_set) = self.index.permission_sets_by_name.get(name).copied() {
                self.plan_existing_permission_set(set, live_set);
            } else if let Some(old) = renames.get(name).copied() {
                self.plan_replacement(set, old);
            } else {
                let after = desired_state(set, None);
                let mut blocked_by = if instance_missing {
                    vec![Blocker::NoIdentityCenterInstance]
                } else {
                    Vec::new()
                };
                self.block_name_clash(name, &mut blocked_by);
                self.permission_set_changes.push(Change {
                    address: Address::PermissionSet {
                        permission_set: name.to_owned(),
                    },
                    action: Action::Create,
                    cause: Cause::Declared,
                    before: None,
                    after: Some(Resource::PermissionSet(after)),
                    fields: Vec::new(),
                    provision: Vec::new(),
                    blocked_by,
                    reason: format!("permission-sets/{name}.yaml is new"),
                });
            }
        }
        let replaced: BTreeSet<&str> = renames.values().map(|old| old.name.as_str()).collect();
        let undeclared: Vec<&LivePermissionSet> = live
            .permission_sets
            .iter()
            .filter(|set| {
                !repo.permission_sets.contains_key(set.name.as_str())
                    && !replaced.contains(set.name.as_str())
            })
            .collect();
        self.plan_undeclared_permission_sets(&undeclared);
    }

    /// Renames: a permission set the repo declares and AWS lacks, paired with a live one
    /// the repo does not declare whose content (everything but the name) is identical.
    /// Only a one-to-one match counts, only under `exclusive` (otherwise the old one would
    /// stay and it is no rename), and only when the old one may be deleted
    /// ([`Self::deletable`]). Returns new name → old live permission set.
    fn detect_renames(&self) -> BTreeMap<&'input str, &'input LivePermissionSet> {
        let mut renames = BTreeMap::new();
        if !self.exclusive() {
            return renames;
        }
        let repo = self.repo;
        let live = self.live();
        let missing: Vec<&PermissionSet> = repo
            .permission_sets
            .values()
            .filter(|set| {
                !self
                    .index
                    .permission_sets_by_name
                    .contains_key(set.name.as_str())
            })
            .collect();
        let candidates: Vec<&LivePermissionSet> = live
            .permission_sets
            .iter()
            .filter(|set| {
                !repo.permission_sets.contains_key(set.name.as_str()) && self.deletable(set)
            })
            .collect();
        let mut matches: BTreeMap<&str, Vec<&LivePermissionSet>> = BTreeMap::new();
        let mut matched_by: BTreeMap<&str, usize> = BTreeMap::new();
        for set in &missing {
            let desired = desired_state(set, None);
            for candidate in &candidates {
                if permission_set_differences(&desired, &permission_set_state(candidate)).is_empty()
                {
                    matches
                        .entry(set.name.as_str())
                        .or_default()
                        .push(candidate);
                    *matched_by.entry(candidate.arn.as_str()).or_default() += 1;
                }
            }
        }
        for (name, found) in matches {
            if let [old] = found.as_slice()
                && matched_by.get(old.arn.as_str()) == Some(&1)
            {
                renames.insert(name, *old);
            }
        }
        renames
    }

    fn plan_existing_permission_set(
        &mut self,
        set: &PermissionSet,
        live_set: &'input LivePermissionSet,
    ) {
        let name = set.name.as_str();
        let desired = desired_state(set, Some(&live_set.arn));
        let before = permission_set_state(live_set);
        let fields = permission_set_differences(&desired, &before);
        let (provisioned, outdated) = self.provisioned_accounts(&live_set.arn);
        let address = Address::PermissionSet {
            permission_set: name.to_owned(),
        };
        if !fields.is_empty() {
            let changed: Vec<&str> = fields.iter().map(|field| field.field.as_str()).collect();
            let mut reason = format!("changes {}", changed.join(", "));
            if !provisioned.is_empty() {
                reason = format!(
                    "{reason}; re-provisions the role in {}",
                    count(provisioned.len(), "account", "accounts")
                );
            }
            self.permission_set_changes.push(Change {
                address,
                action: Action::Update,
                cause: Cause::Declared,
                before: Some(Resource::PermissionSet(before)),
                after: Some(Resource::PermissionSet(desired)),
                fields,
                provision: provisioned,
                blocked_by: Vec::new(),
                reason,
            });
        } else if !outdated.is_empty() {
            let reason = format!(
                "the role is outdated in {} (LATEST_PERMISSION_SET_NOT_PROVISIONED): {}",
                count(outdated.len(), "account", "accounts"),
                name_list(outdated.iter().map(|account| account.name.as_str()))
            );
            self.provision_changes.push(Change {
                address,
                action: Action::Provision,
                cause: Cause::Outdated,
                before: Some(Resource::PermissionSet(before)),
                after: Some(Resource::PermissionSet(desired)),
                fields: Vec::new(),
                provision: outdated,
                blocked_by: Vec::new(),
                reason,
            });
        }
    }

    /// A rename is a replacement in AWS: the new permission set gets new roles (new role
    /// ARNs) wherever it is assigned, and the old one's roles are deleted.
    fn plan_replacement(&mut self, set: &PermissionSet, old: &'input LivePermissionSet) {
        let name = set.name.as_str();
        let (provisioned, _) = self.provisioned_accounts(&old.arn);
        let address = Address::PermissionSet {
            permission_set: name.to_owned(),
        };
        self.warn(
            Severity::Warning,
            WarningCode::PermissionSetReplaced,
            format!(
                "RENAME = REPLACEMENT: permission set `{}` becomes `{name}`. AWS cannot rename \
                 a permission set, so `{}` is deleted and `{name}` created: its roles get new \
                 names and new ARNs (AWSReservedSSO_{name}_…) in {}{}. Anything that references \
                 the old role ARNs — trust policies, EKS aws-auth, resource policies — stops \
                 working, and sessions end. If this is not intended, restore \
                 permission-sets/{}.yaml.",
                old.name,
                old.name,
                count(provisioned.len(), "account", "accounts"),
                if provisioned.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        name_list(provisioned.iter().map(|account| account.name.as_str()))
                    )
                },
                old.name,
            ),
            Some(address.clone()),
        );
        for change in &mut self.assignment_deletes {
            if let Some(Resource::Assignment(before)) = &change.before
                && before.permission_set_arn.as_deref() == Some(old.arn.as_str())
            {
                change.cause = Cause::Replaced {
                    by: name.to_owned(),
                };
                change.reason = format!("permission set {} is replaced by {name}", old.name);
            }
        }
        for (key, cause) in &mut self.removed {
            if key.1 == old.arn && *cause != Cause::Closed {
                *cause = Cause::Replaced {
                    by: name.to_owned(),
                };
            }
        }
        let mut blocked_by = Vec::new();
        self.block_name_clash(name, &mut blocked_by);
        self.permission_set_changes.push(Change {
            address,
            action: Action::Replace,
            cause: Cause::Renamed {
                from: old.name.clone(),
            },
            before: Some(Resource::PermissionSet(permission_set_state(old))),
            after: Some(Resource::PermissionSet(desired_state(set, None))),
            fields: Vec::new(),
            provision: provisioned,
            blocked_by,
            reason: format!(
                "renamed from {}: same content under a new name (a replacement)",
                old.name
            ),
        });
    }

    /// Live permission sets the repo does not declare: deleted under `exclusive` when no
    /// live assignment of them stays and no account keeps them provisioned after the
    /// plan's assignment deletions ([`Self::deletable`]), else reported.
    fn plan_undeclared_permission_sets(&mut self, undeclared: &[&'input LivePermissionSet]) {
        let mut not_exclusive = Vec::new();
        for set in undeclared {
            if !self.exclusive() {
                not_exclusive.push(set.name.as_str());
                self.unmanaged.permission_sets.push(UnmanagedPermissionSet {
                    name: set.name.clone(),
                    arn: set.arn.clone(),
                    kept_because: KeptBecause::NotExclusive,
                });
            } else if self.deletable(set) {
                self.permission_set_deletes.push(Change {
                    address: Address::PermissionSet {
                        permission_set: set.name.clone(),
                    },
                    action: Action::Delete,
                    cause: Cause::Undeclared,
                    before: Some(Resource::PermissionSet(permission_set_state(set))),
                    after: None,
                    fields: Vec::new(),
                    provision: Vec::new(),
                    blocked_by: Vec::new(),
                    reason: "not in the repo (`safety.exclusive` removes undeclared permission \
                             sets)"
                        .to_owned(),
                });
            } else {
                self.keep_undeclared_permission_set(set);
            }
        }
        if !not_exclusive.is_empty() {
            self.warn(
                Severity::Info,
                WarningCode::UndeclaredPermissionSet,
                format!(
                    "{} not in the repo and kept, because `safety.exclusive` is off: {}.",
                    count(
                        not_exclusive.len(),
                        "live permission set is",
                        "live permission sets are"
                    ),
                    name_list(not_exclusive),
                ),
                None,
            );
        }
    }

    /// An undeclared permission set `exclusive` would delete but the plan must keep: still
    /// assigned where the plan keeps the assignment (or assigned by the repo), and/or
    /// provisioned in accounts where no assignment of it is left to delete. Each reason
    /// gets its warning; `kept_because` names the first.
    fn keep_undeclared_permission_set(&mut self, set: &'input LivePermissionSet) {
        let still_assigned =
            !self.all_assignments_removed(&set.arn) || self.declared_in_use(&set.name);
        if still_assigned {
            let kept_on: BTreeSet<String> = self
                .index
                .assignments_by_permission_set
                .get(set.arn.as_str())
                .into_iter()
                .flatten()
                .filter(|assignment| {
                    self.removed
                        .get(&live_key(assignment))
                        .is_none_or(|cause| *cause == Cause::Closed)
                })
                .map(|assignment| self.account_ref_by_id(&assignment.account_id).name)
                .collect();
            let message = if kept_on.is_empty() {
                format!(
                    "permission set `{0}` is not in the repo but is kept: the repo still \
                         assigns it. Add permission-sets/{0}.yaml.",
                    set.name
                )
            } else {
                format!(
                    "permission set `{}` is not in the repo but is kept: it is still \
                         assigned on {} ({}) where this plan does not remove the assignment.",
                    set.name,
                    count(kept_on.len(), "account", "accounts"),
                    name_list(kept_on.iter().map(String::as_str)),
                )
            };
            self.warn(
                Severity::Warning,
                WarningCode::PermissionSetStillAssigned,
                message,
                Some(Address::PermissionSet {
                    permission_set: set.name.clone(),
                }),
            );
        }
        let provisioned = self.provisioned_without_assignments(&set.arn);
        if !provisioned.is_empty() {
            let accounts: Vec<String> = self
                .account_refs(provisioned.iter().copied())
                .into_iter()
                .map(|account| match account.id {
                    Some(id) => format!("{} ({id})", account.name),
                    None => account.name,
                })
                .collect();
            self.warn(
                Severity::Warning,
                WarningCode::PermissionSetStillProvisioned,
                format!(
                    "permission set `{}` is not in the repo but is kept: it is still \
                     provisioned in {} where nobody is assigned it ({}), and IAM Identity \
                     Center refuses to delete a permission set that is provisioned anywhere. \
                     No API call removes a provisioning: AWS removes it when the last \
                     assignment in the account is deleted. Remove it from each of these \
                     accounts in the IAM Identity Center console (AWS accounts → the account \
                     → Permission sets → Remove), or assign it to someone there and delete \
                     that assignment; the next plan then deletes it.",
                    set.name,
                    count(accounts.len(), "account", "accounts"),
                    name_list(accounts.iter().map(String::as_str)),
                ),
                Some(Address::PermissionSet {
                    permission_set: set.name.clone(),
                }),
            );
        }
        self.unmanaged.permission_sets.push(UnmanagedPermissionSet {
            name: set.name.clone(),
            arn: set.arn.clone(),
            kept_because: if still_assigned {
                KeptBecause::StillAssigned
            } else {
                KeptBecause::StillProvisioned
            },
        });
    }
}
