//! The guard rails applied to the planned changes: a delegated administrator cannot touch
//! the management account, a permission set cannot be deleted while a removal it depends
//! on is blocked, and a plan removing more than `safety.max_removals` things needs
//! `allow_mass_removal`. (`safety.protected` is applied where removals are planned, in
//! `assignments.rs`, so a protected removal never becomes a change.)

use super::{Planner, count};
use crate::change::{Action, Blocker, Change, Resource};
use crate::plan::{Severity, WarningCode};

/// Whether a change touches this account: the account itself, an assignment on it, or a
/// permission set (re)provisioned into it.
fn touches_account(change: &Change, account_id: &str) -> bool {
    let in_resource = |resource: &Option<Resource>| match resource {
        Some(Resource::Account(account)) => account.id.as_deref() == Some(account_id),
        Some(Resource::Assignment(assignment)) => {
            assignment.account.id.as_deref() == Some(account_id)
        }
        Some(Resource::PermissionSet(_) | Resource::Ou(_)) | None => false,
    };
    in_resource(&change.before)
        || in_resource(&change.after)
        || change
            .provision
            .iter()
            .any(|account| account.id.as_deref() == Some(account_id))
}

impl Planner<'_> {
    pub(super) fn apply_safety(&mut self) {
        self.block_management_account_changes();
        self.block_permission_set_deletes();
        self.check_mass_removal();
    }

    /// A delegated administrator cannot create or delete assignments on the management
    /// account, nor provision permission sets into it (aws-api-facts; field survey §0).
    fn block_management_account_changes(&mut self) {
        if self.live().caller.is_management_account {
            return;
        }
        let management = self.management_account_id();
        let mut flagged = Vec::new();
        for change in self
            .account_changes
            .iter_mut()
            .chain(&mut self.permission_set_changes)
            .chain(&mut self.provision_changes)
            .chain(&mut self.assignment_creates)
            .chain(&mut self.assignment_deletes)
        {
            if touches_account(change, management) {
                change
                    .blocked_by
                    .push(Blocker::ManagementAccountFromDelegatedAdmin);
                flagged.push(change.address.clone());
            }
        }
        let caller = self.live().caller.account_id.clone();
        for address in flagged {
            self.warn(
                Severity::Error,
                WarningCode::ManagementAccountFromDelegatedAdmin,
                format!(
                    "{address} touches the management account ({management}), which a delegated \
                     administrator (this caller, account {caller}) cannot change; apply this \
                     part with credentials of the management account."
                ),
                Some(address.clone()),
            );
        }
    }

    /// A permission set is deleted (or replaced) only after its assignments; when one of
    /// those removals is blocked, so is the deletion.
    fn block_permission_set_deletes(&mut self) {
        let blocked: Vec<(String, Vec<Blocker>)> = self
            .assignment_deletes
            .iter()
            .filter(|change| !change.blocked_by.is_empty())
            .filter_map(|change| match &change.before {
                Some(Resource::Assignment(before)) => before
                    .permission_set_arn
                    .clone()
                    .map(|arn| (arn, change.blocked_by.clone())),
                _ => None,
            })
            .collect();
        for change in self
            .permission_set_deletes
            .iter_mut()
            .chain(&mut self.permission_set_changes)
            .filter(|change| matches!(change.action, Action::Delete | Action::Replace))
        {
            let Some(Resource::PermissionSet(before)) = &change.before else {
                continue;
            };
            for (arn, blockers) in &blocked {
                if before.arn.as_deref() == Some(arn.as_str()) {
                    for blocker in blockers {
                        if !change.blocked_by.contains(blocker) {
                            change.blocked_by.push(blocker.clone());
                        }
                    }
                }
            }
        }
    }

    /// `max_removals` counts removed assignments, permission sets (deleted or replaced)
    /// and OUs (design §2).
    fn check_mass_removal(&mut self) {
        let removals = self.assignment_deletes.len()
            + self.permission_set_deletes.len()
            + self
                .permission_set_changes
                .iter()
                .filter(|change| change.action == Action::Replace)
                .count()
            + self
                .ou_changes
                .iter()
                .filter(|change| change.action == Action::Delete)
                .count();
        let limit = self.repo.settings.safety.max_removals;
        if u32::try_from(removals).is_ok_and(|removals| removals <= limit) {
            return;
        }
        let what = count(removals, "removal", "removals");
        if self.context.allow_mass_removal {
            self.warn(
                Severity::Warning,
                WarningCode::MassRemoval,
                format!(
                    "this plan makes {what}, more than `safety.max_removals` ({limit}); allowed \
                     by --allow-mass-removal."
                ),
                None,
            );
        } else {
            self.mass_removal_refused = true;
            self.warn(
                Severity::Error,
                WarningCode::MassRemoval,
                format!(
                    "this plan makes {what}, more than `safety.max_removals` ({limit}), so it \
                     cannot be applied. Check that this is intended (a bad merge can remove \
                     everyone's access), then plan again with --allow-mass-removal."
                ),
                None,
            );
        }
    }
}
