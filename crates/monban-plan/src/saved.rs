//! Saved plans (design §7): what a plan touches, whether the live state of those addresses
//! changed since the plan was made, and the check `monban apply FILE` runs before it applies
//! anything.
//!
//! A saved plan is applied as reviewed or not at all. `apply FILE` re-reads what
//! [`touched`] names (the CLI maps it to a targeted refresh), then [`check_saved`] refuses
//! the plan when it was made by another monban version, for another target, or when the
//! live side of any of its changes differs from what the plan recorded ("saved plan is
//! stale"). The repo digest is informational only: a plan reviewed on a PR stays applicable
//! after unrelated commits land, and nothing here looks at the repo.
//!
//! The live side of each address is rebuilt with the functions the planner used for
//! `before` (`crate::before`) and compared the way the plan compared it (permission sets by
//! meaning). The decisions — what counts, what does not — are in `docs/reference/plan.md`,
//! "Saved plans".

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use monban_model::{LiveAccount, LiveAssignment, LivePrincipalType, LiveState};

use crate::before::{
    account_state, assignment_state, permission_set_differences, permission_set_state,
};
use crate::change::{
    AccountRef, AccountState, Action, Address, AssignmentState, Change, PermissionSetState,
    Principal, PrincipalKind, Resource,
};
use crate::engine::LiveIndex;
use crate::plan::{PLAN_FORMAT_VERSION, Plan};

/// What a saved plan's changes depend on in the live state: what `apply FILE` must re-read
/// before [`check_saved`] can judge the plan.
///
/// Group memberships are not part of it: they belong to the identity provider, monban
/// never applies them, and a plan stays what it says about assignments whoever is in a
/// group (the per-person access diff is informational). The existence (and id) of each
/// principal an assignment change names is.
///
/// Maps onto `monban_aws::RefreshScope` as: `account_ids` → `account_ids`,
/// `permission_set_names` → `permission_set_names`, `group_names` → `group_names`, and a
/// non-empty `user_names` → `identity_store` (users cannot be refreshed by name). `ou_paths`
/// and `new_account_*` need the OU tree and the account list (`ListAccounts`,
/// `ListCreateAccountStatus`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// Accounts by id: the account itself (OU, tags, status) and its assignments.
    pub account_ids: BTreeSet<String>,
    /// Root e-mails of accounts the plan creates: no live account may have one. When
    /// resuming, an account found by one of them was created by the interrupted apply and
    /// its assignments matter like those of `account_ids` (remaining assignment changes on
    /// it find it by this e-mail).
    pub new_account_emails: BTreeSet<String>,
    /// Names of accounts the plan creates: no `CreateAccount` for one may be in progress.
    pub new_account_names: BTreeSet<String>,
    /// OU paths the plan creates: none may exist.
    pub ou_paths: BTreeSet<String>,
    /// Permission sets by name: definition and policies, where provisioned (and whether
    /// current), and their assignments.
    pub permission_set_names: BTreeSet<String>,
    /// Groups (display names) whose existence and id an assignment change depends on.
    pub group_names: BTreeSet<String>,
    /// Users (user names) whose existence and id an assignment change depends on.
    pub user_names: BTreeSet<String>,
}

impl Touched {
    /// Whether the plan depends on nothing live (it has no changes left).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.account_ids.is_empty()
            && self.new_account_emails.is_empty()
            && self.new_account_names.is_empty()
            && self.ou_paths.is_empty()
            && self.permission_set_names.is_empty()
            && self.group_names.is_empty()
            && self.user_names.is_empty()
    }

    fn add_account(&mut self, account: &AccountRef, plan: &Plan) {
        match &account.id {
            Some(id) => {
                self.account_ids.insert(id.clone());
            }
            // An account the plan creates: found by its root e-mail once it exists.
            None => {
                if let Some(email) = new_account_email(plan, &account.name) {
                    self.new_account_emails.insert(email.to_owned());
                }
            }
        }
    }

    fn add_principal(&mut self, principal: &Principal) {
        // A principal known by id only (deleted) cannot come back under that id.
        let Some(name) = &principal.name else {
            return;
        };
        match principal.kind {
            PrincipalKind::Group => self.group_names.insert(name.clone()),
            PrincipalKind::User => self.user_names.insert(name.clone()),
        };
    }
}

/// What a saved plan touches: everything [`stale_changes`] reads.
#[must_use]
pub fn touched(plan: &Plan) -> Touched {
    touched_resuming(plan, &BTreeSet::new())
}

/// What the changes of a saved plan not yet `completed` (by an interrupted apply) touch.
#[must_use]
pub fn touched_resuming(plan: &Plan, completed: &BTreeSet<Address>) -> Touched {
    let mut touched = Touched::default();
    for change in remaining(plan, completed) {
        match &change.address {
            Address::Ou { path } => {
                touched.ou_paths.insert(path.clone());
            }
            Address::Account { .. } => {
                for resource in [&change.before, &change.after].into_iter().flatten() {
                    if let Resource::Account(account) = resource {
                        match &account.id {
                            Some(id) => {
                                touched.account_ids.insert(id.clone());
                            }
                            None if change.action == Action::Create => {
                                touched.new_account_names.insert(account.name.clone());
                                if let Some(email) = &account.email {
                                    touched.new_account_emails.insert(email.clone());
                                }
                            }
                            None => {}
                        }
                    }
                }
            }
            Address::PermissionSet { permission_set } => {
                touched.permission_set_names.insert(permission_set.clone());
                // A replacement's `before` is the old permission set, by its old name.
                if let Some(Resource::PermissionSet(before)) = &change.before {
                    touched.permission_set_names.insert(before.name.clone());
                }
            }
            Address::Assignment { .. } => {
                for resource in [&change.before, &change.after].into_iter().flatten() {
                    if let Resource::Assignment(assignment) = resource {
                        touched.add_account(&assignment.account, plan);
                        touched.add_principal(&assignment.principal);
                        // A permission set the plan creates: its ARN is only known live.
                        if assignment.permission_set_arn.is_none() {
                            touched
                                .permission_set_names
                                .insert(assignment.permission_set.clone());
                        }
                    }
                }
            }
        }
    }
    touched
}

/// One change of a saved plan whose address no longer looks as it did when the plan was
/// made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staleness {
    pub address: Address,
    /// What differs, in words (`permission set ReadOnly: inline_policy changed outside
    /// monban`); several differences at one address are joined with `; `.
    pub what_changed: String,
}

impl fmt::Display for Staleness {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.address, self.what_changed)
    }
}

/// The changes of `plan` whose live side in `live` differs from what the plan recorded,
/// in plan order. Empty when the plan is fresh.
#[must_use]
pub fn stale_changes(plan: &Plan, live: &LiveState) -> Vec<Staleness> {
    stale_changes_resuming(plan, live, &BTreeSet::new())
}

/// [`stale_changes`] for an interrupted apply: the `completed` addresses are done (the
/// live state shows their effect, not their `before`) and are not checked; what they did
/// is taken into account where other changes depend on it (an account or permission set
/// the plan created, provisioning done by a completed assignment change).
#[must_use]
pub fn stale_changes_resuming(
    plan: &Plan,
    live: &LiveState,
    completed: &BTreeSet<Address>,
) -> Vec<Staleness> {
    let checker = Checker::new(plan, live, completed);
    remaining(plan, completed)
        .filter_map(|change| {
            let differences = checker.check(change);
            (!differences.is_empty()).then(|| Staleness {
                address: change.address.clone(),
                what_changed: differences.join("; "),
            })
        })
        .collect()
}

/// Where the target a plan was made for differs from the one `live` was read from
/// (organization, management account, caller account, Identity Center instance), one text
/// per difference. The endpoint (profile, region, URL) is not compared: the same
/// organization reached another way is the same target.
#[must_use]
pub fn target_differences(plan: &Plan, live: &LiveState) -> Vec<String> {
    let target = &plan.target;
    let mut differences = Vec::new();
    if target.organization_id != live.organization.id {
        differences.push(format!(
            "the plan is for organization {}, the credentials reach organization {}",
            target.organization_id, live.organization.id
        ));
    }
    if target.management_account_id != live.organization.management_account_id {
        differences.push(format!(
            "the plan's management account is {}, the organization's is {}",
            target.management_account_id, live.organization.management_account_id
        ));
    }
    if target.caller_account_id != live.caller.account_id {
        differences.push(format!(
            "the plan was made with credentials of account {}, these are of account {}",
            target.caller_account_id, live.caller.account_id
        ));
    }
    let instance = live.instance.as_ref().map(|instance| instance.arn.as_str());
    if target.instance_arn.as_deref() != instance {
        differences.push(format!(
            "the plan's IAM Identity Center instance is {}, the organization's is {}",
            target.instance_arn.as_deref().unwrap_or("none"),
            instance.unwrap_or("none")
        ));
    }
    differences
}

/// Why `apply FILE` refuses a saved plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedPlanError {
    /// The plan file is of another JSON format version.
    #[error(
        "the saved plan is in plan format version {found}; this monban reads version \
         {supported}. Re-run `monban plan --out FILE` with this monban and apply that plan."
    )]
    FormatVersion { found: u32, supported: u32 },
    /// Another monban version made the plan (its rules may differ from this one's).
    #[error(
        "the saved plan was made by monban {planned_with}; this is monban {running}. Apply it \
         with monban {planned_with}, or re-run `monban plan --out FILE` with this one."
    )]
    ToolVersion {
        planned_with: String,
        running: String,
    },
    /// The plan was made for another organization, instance or caller.
    #[error(
        "the saved plan is for another target: {}. Check the profile or credentials, or \
         re-run `monban plan --out FILE` against this target.",
        differences.join("; ")
    )]
    OtherTarget { differences: Vec<String> },
    /// The plan itself says it must not be applied.
    #[error(
        "the saved plan is not applyable (it has errors or blocked changes; `monban show` \
         lists them). Fix them and re-run `monban plan --out FILE`."
    )]
    NotApplyable,
    /// The live state of addresses the plan touches changed since it was made.
    #[error("{}", stale_message(changes))]
    Stale { changes: Vec<Staleness> },
}

fn stale_message(changes: &[Staleness]) -> String {
    const SHOWN: usize = 10;
    let mut text = format!(
        "saved plan is stale: the live state of {} changed since the plan was made:",
        if changes.len() == 1 {
            "1 address it changes".to_owned()
        } else {
            format!("{} addresses it changes", changes.len())
        }
    );
    let mut lines: Vec<String> = changes
        .iter()
        .take(SHOWN)
        .map(|change| format!("\n  - {change}"))
        .collect();
    if changes.len() > SHOWN {
        lines.push(format!("\n  - and {} more", changes.len() - SHOWN));
    }
    text.push_str(&lines.concat());
    text.push_str(
        "\nNothing was applied. Re-run `monban plan --out FILE`, review the new plan, and \
         apply that.",
    );
    text
}

/// Whether `apply FILE` may apply `plan` to the target `live` was read from, with the
/// monban version `tool_version`: same format and tool version, same target, applyable,
/// and not stale.
///
/// # Errors
///
/// The first reason to refuse, in that order.
pub fn check_saved(
    plan: &Plan,
    live: &LiveState,
    tool_version: &str,
) -> Result<(), SavedPlanError> {
    check_saved_resuming(plan, live, tool_version, &BTreeSet::new())
}

/// [`check_saved`] for an interrupted apply of the same plan: the `completed` addresses
/// are not checked for staleness (see [`stale_changes_resuming`]).
///
/// # Errors
///
/// As [`check_saved`].
pub fn check_saved_resuming(
    plan: &Plan,
    live: &LiveState,
    tool_version: &str,
    completed: &BTreeSet<Address>,
) -> Result<(), SavedPlanError> {
    if plan.format_version != PLAN_FORMAT_VERSION {
        return Err(SavedPlanError::FormatVersion {
            found: plan.format_version,
            supported: PLAN_FORMAT_VERSION,
        });
    }
    if plan.tool_version != tool_version {
        return Err(SavedPlanError::ToolVersion {
            planned_with: plan.tool_version.clone(),
            running: tool_version.to_owned(),
        });
    }
    let differences = target_differences(plan, live);
    if !differences.is_empty() {
        return Err(SavedPlanError::OtherTarget { differences });
    }
    if !plan.applyable {
        return Err(SavedPlanError::NotApplyable);
    }
    let changes = stale_changes_resuming(plan, live, completed);
    if changes.is_empty() {
        Ok(())
    } else {
        Err(SavedPlanError::Stale { changes })
    }
}

fn remaining<'plan>(
    plan: &'plan Plan,
    completed: &'plan BTreeSet<Address>,
) -> impl Iterator<Item = &'plan Change> {
    plan.changes
        .iter()
        .filter(move |change| !completed.contains(&change.address))
}

/// The root e-mail of an account the plan creates, by its name.
fn new_account_email<'plan>(plan: &'plan Plan, name: &str) -> Option<&'plan str> {
    plan.changes
        .iter()
        .find_map(|change| match (&change.action, &change.after) {
            (Action::Create, Some(Resource::Account(account))) if account.name == name => {
                account.email.as_deref()
            }
            _ => None,
        })
}

/// The key of a live assignment: (account id, permission set ARN, principal type, id).
type AssignmentKey = (String, String, LivePrincipalType, String);

fn live_type(kind: PrincipalKind) -> LivePrincipalType {
    match kind {
        PrincipalKind::Group => LivePrincipalType::Group,
        PrincipalKind::User => LivePrincipalType::User,
    }
}

fn key_of(assignment: &LiveAssignment) -> AssignmentKey {
    (
        assignment.account_id.clone(),
        assignment.permission_set_arn.clone(),
        assignment.principal_type,
        assignment.principal_id.clone(),
    )
}

/// The live assignment a recorded one means, when every part of its key is known.
fn recorded_key(assignment: &AssignmentState) -> Option<AssignmentKey> {
    Some((
        assignment.account.id.clone()?,
        assignment.permission_set_arn.clone()?,
        live_type(assignment.principal.kind),
        assignment.principal.id.clone()?,
    ))
}

/// The staleness check of one plan against one live state.
struct Checker<'input> {
    plan: &'input Plan,
    index: LiveIndex<'input>,
    completed: &'input BTreeSet<Address>,
    /// Lowercased root e-mail → live account (AWS compares e-mails case-insensitively).
    accounts_by_email: BTreeMap<String, &'input LiveAccount>,
    live_assignments: BTreeMap<AssignmentKey, &'input LiveAssignment>,
    /// Every live assignment the plan deletes (completed or not).
    deleted_by_plan: BTreeSet<AssignmentKey>,
}

impl<'input> Checker<'input> {
    fn new(
        plan: &'input Plan,
        live: &'input LiveState,
        completed: &'input BTreeSet<Address>,
    ) -> Self {
        let deleted_by_plan = plan
            .changes
            .iter()
            .filter(|change| change.action == Action::Delete)
            .filter_map(|change| match &change.before {
                Some(Resource::Assignment(assignment)) => recorded_key(assignment),
                _ => None,
            })
            .collect();
        Self {
            plan,
            index: LiveIndex::new(live),
            completed,
            accounts_by_email: live
                .accounts
                .iter()
                .map(|account| (account.email.to_ascii_lowercase(), account))
                .collect(),
            live_assignments: live
                .assignments
                .iter()
                .map(|assignment| (key_of(assignment), assignment))
                .collect(),
            deleted_by_plan,
        }
    }

    /// What differs at one change's address; empty when nothing does.
    fn check(&self, change: &Change) -> Vec<String> {
        match (&change.address, change.action) {
            (Address::Ou { path }, _) => self.check_ou(path, change),
            (Address::Account { .. }, Action::Create) => match &change.after {
                Some(Resource::Account(after)) => self.check_new_account(after),
                _ => Vec::new(),
            },
            // An invitation is stale once the account has joined: the plan would no longer
            // invite it, and its move and assignments are to be planned instead.
            (Address::Account { account }, Action::Invite) => match &change.after {
                Some(Resource::Account(AccountState { id: Some(id), .. }))
                    if self.index.accounts_by_id.contains_key(id.as_str()) =>
                {
                    vec![format!(
                        "account {account} ({id}) has joined the organization since the plan \
                         was made"
                    )]
                }
                _ => Vec::new(),
            },
            (Address::Account { account }, _) => match &change.before {
                Some(Resource::Account(before)) => self.check_account(account, before),
                _ => Vec::new(),
            },
            (Address::PermissionSet { permission_set }, _) => {
                self.check_permission_set(permission_set, change)
            }
            (Address::Assignment { .. }, Action::Create) => match &change.after {
                Some(Resource::Assignment(after)) => self.check_new_assignment(after),
                _ => Vec::new(),
            },
            (Address::Assignment { .. }, _) => match &change.before {
                Some(Resource::Assignment(before)) => self.check_assignment(before),
                _ => Vec::new(),
            },
        }
    }

    fn check_ou(&self, path: &str, change: &Change) -> Vec<String> {
        let live = self.index.live.ous.iter().find(|ou| ou.path == path);
        match (change.action, live, &change.before) {
            (Action::Create, Some(ou), _) => {
                vec![format!("OU {path} was created outside monban ({})", ou.id)]
            }
            (Action::Create, None, _) => Vec::new(),
            (_, None, _) => vec![format!("OU {path} was deleted outside monban")],
            (_, Some(ou), Some(Resource::Ou(before)))
                if before.id.as_deref() != Some(ou.id.as_str()) =>
            {
                vec![format!(
                    "OU {path} was deleted and re-created outside monban (now {})",
                    ou.id
                )]
            }
            _ => Vec::new(),
        }
    }

    fn check_new_account(&self, after: &AccountState) -> Vec<String> {
        let mut differences = Vec::new();
        if let Some(email) = &after.email
            && let Some(live) = self.accounts_by_email.get(&email.to_ascii_lowercase())
        {
            differences.push(format!(
                "an account with root e-mail {email} now exists ({}, `{}`): it was created \
                 outside monban",
                live.id, live.name
            ));
        }
        for creation in self.index.live.account_creations.iter().filter(|creation| {
            creation.account_name == after.name
                && creation.state == monban_model::LiveCreationState::InProgress
        }) {
            differences.push(format!(
                "a CreateAccount for {} is in progress (request {}), started outside this plan",
                after.name, creation.request_id
            ));
        }
        differences
    }

    fn check_account(&self, name: &str, before: &AccountState) -> Vec<String> {
        let Some(id) = &before.id else {
            return Vec::new();
        };
        let Some(live) = self.index.accounts_by_id.get(id.as_str()) else {
            return vec![format!(
                "account {name} ({id}) is no longer in the organization"
            )];
        };
        let now = account_state(live);
        let mut differences = Vec::new();
        if now.ou != before.ou {
            differences.push(format!(
                "account {name} ({id}) was moved from {} to {} outside monban",
                before.ou.as_deref().unwrap_or("the root"),
                now.ou.as_deref().unwrap_or("the root"),
            ));
        }
        if now.tags != before.tags {
            differences.push(format!(
                "account {name} ({id}): tags changed outside monban ({})",
                map_changes(&before.tags, &now.tags)
            ));
        }
        if now.status != before.status {
            differences.push(format!(
                "account {name} ({id}) is now {} (was {})",
                now.status.as_deref().unwrap_or("unknown"),
                before.status.as_deref().unwrap_or("unknown"),
            ));
        }
        if now.name != before.name {
            differences.push(format!(
                "account {name} ({id}) was renamed in AWS from `{}` to `{}`",
                before.name, now.name
            ));
        }
        if now.email != before.email {
            differences.push(format!(
                "account {name} ({id}): root e-mail changed from {} to {}",
                before.email.as_deref().unwrap_or("none"),
                now.email.as_deref().unwrap_or("none"),
            ));
        }
        differences
    }

    fn check_permission_set(&self, name: &str, change: &Change) -> Vec<String> {
        let mut differences = Vec::new();
        let before = match &change.before {
            Some(Resource::PermissionSet(before)) => Some(before),
            _ => None,
        };
        // The name the change gives the permission set must be free, unless the plan
        // found it live (an update, a provisioning, a deletion) — free regardless of
        // case, as the planner requires: names are unique ignoring case.
        if before.is_none_or(|before| before.name != name)
            && let Some(live) = self.index.live.permission_sets.iter().find(|live| {
                live.name.eq_ignore_ascii_case(name)
                    && before.is_none_or(|before| before.arn.as_deref() != Some(live.arn.as_str()))
            })
        {
            differences.push(if live.name == name {
                format!(
                    "permission set {name} was created outside monban ({})",
                    live.arn
                )
            } else {
                format!(
                    "permission set {} was created outside monban ({}); its name differs from \
                     {name} only in case, which makes {name} impossible to create",
                    live.name, live.arn
                )
            });
        }
        let Some(before) = before else {
            return differences;
        };
        let Some(now) = self.live_permission_set(before, &mut differences) else {
            return differences;
        };
        differences.extend(
            permission_set_differences(before, &now)
                .iter()
                .map(|field| {
                    format!(
                        "permission set {}: {} changed outside monban",
                        before.name, field.field
                    )
                }),
        );
        let arn = now.arn.as_deref().unwrap_or_default();
        match change.action {
            Action::Update | Action::Replace => {
                self.check_provisioned(before, arn, change, false, &mut differences);
            }
            Action::Provision => {
                self.check_provisioned(before, arn, change, true, &mut differences);
            }
            Action::Create | Action::Delete | Action::Close | Action::Invite => {}
        }
        if matches!(change.action, Action::Delete | Action::Replace) {
            self.check_still_assigned(before, arn, &mut differences);
        }
        // (A replacement already compares every provisioned account with `provision`.)
        if change.action == Action::Delete {
            self.check_left_provisioned(before, arn, &mut differences);
        }
        differences
    }

    /// A permission set is deleted only when no account keeps it provisioned
    /// once the plan's assignment deletions are done: every account it is provisioned into
    /// must be one where the plan deletes an assignment of it (its last one there, or
    /// `check_still_assigned` says otherwise), or where a completed change created or
    /// deleted one. Otherwise it was provisioned outside monban
    /// meanwhile, and `DeletePermissionSet` would be refused.
    fn check_left_provisioned(
        &self,
        before: &PermissionSetState,
        arn: &str,
        differences: &mut Vec<String>,
    ) {
        let Some(provisioned) = self.index.provisioned.get(arn) else {
            return;
        };
        let explained = self.provisioned_by_completed(&before.name);
        // Accounts where the plan deletes an assignment of it, by the recorded keys: one
        // deleted outside monban meanwhile is its own change's staleness, and AWS
        // deprovisions the account once its last assignment there is gone.
        let deleted_here: BTreeSet<&str> = self
            .deleted_by_plan
            .iter()
            .filter(|(_, permission_set_arn, _, _)| permission_set_arn == arn)
            .map(|(account_id, _, _, _)| account_id.as_str())
            .collect();
        for id in provisioned.keys() {
            if !deleted_here.contains(id) && !explained.contains(*id) {
                let account = self
                    .index
                    .accounts_by_id
                    .get(id)
                    .map_or(*id, |account| account.name.as_str());
                differences.push(format!(
                    "permission set {} is now provisioned in account {account} ({id}) where \
                     the plan deletes no assignment of it (provisioned outside monban), so it \
                     cannot be deleted",
                    before.name
                ));
            }
        }
    }

    /// The live permission set a recorded `before` means, as a state; `None` (with the
    /// reason pushed) when it is gone.
    fn live_permission_set(
        &self,
        before: &PermissionSetState,
        differences: &mut Vec<String>,
    ) -> Option<PermissionSetState> {
        let Some(live) = self.index.permission_sets_by_name.get(before.name.as_str()) else {
            differences.push(format!(
                "permission set {} was deleted outside monban",
                before.name
            ));
            return None;
        };
        if before.arn.as_deref() != Some(live.arn.as_str()) {
            differences.push(format!(
                "permission set {} was deleted and re-created outside monban (now {})",
                before.name, live.arn
            ));
            return None;
        }
        Some(permission_set_state(live))
    }

    /// Where the permission set is provisioned must still be what the plan recorded: for
    /// an update or replacement, every account (all are re-provisioned or replaced); for
    /// a provisioning (`outdated_only`), the accounts whose role is outdated — an account
    /// that became current meanwhile is not stale (nothing left to do there), one newly
    /// outdated or no longer provisioned is. Accounts where a completed assignment change
    /// of this permission set provisioned or deprovisioned it are not compared.
    fn check_provisioned(
        &self,
        before: &PermissionSetState,
        arn: &str,
        change: &Change,
        outdated_only: bool,
        differences: &mut Vec<String>,
    ) {
        let explained = self.provisioned_by_completed(&before.name);
        let live = self.index.provisioned.get(arn);
        let recorded: BTreeMap<&str, &str> = change
            .provision
            .iter()
            .filter_map(|account| account.id.as_deref().map(|id| (id, account.name.as_str())))
            .collect();
        let account_name = |id: &str| -> String {
            recorded.get(id).map_or_else(
                || {
                    self.index
                        .accounts_by_id
                        .get(id)
                        .map_or_else(|| id.to_owned(), |account| account.name.clone())
                },
                |name| (*name).to_owned(),
            )
        };
        if let Some(live) = live {
            for (id, current) in live {
                let relevant = if outdated_only { !*current } else { true };
                if relevant && !recorded.contains_key(id) && !explained.contains(*id) {
                    differences.push(if outdated_only {
                        format!(
                            "permission set {}: the role is now outdated in account {} ({id}) \
                             too, which the plan does not re-provision",
                            before.name,
                            account_name(id)
                        )
                    } else {
                        format!(
                            "permission set {} is now provisioned in account {} ({id}) too, \
                             which the plan does not {}",
                            before.name,
                            account_name(id),
                            if change.action == Action::Replace {
                                "replace"
                            } else {
                                "re-provision"
                            }
                        )
                    });
                }
            }
        }
        for id in recorded.keys() {
            let provisioned = live.is_some_and(|live| live.contains_key(id));
            if !provisioned && !explained.contains(*id) {
                differences.push(format!(
                    "permission set {} is no longer provisioned in account {} ({id})",
                    before.name,
                    account_name(id)
                ));
            }
        }
    }

    /// Accounts where a completed assignment change of this permission set (by name) may
    /// have provisioned it (a create) or deprovisioned it (the last delete).
    fn provisioned_by_completed(&self, permission_set: &str) -> BTreeSet<String> {
        self.plan
            .changes
            .iter()
            .filter(|change| self.completed.contains(&change.address))
            .filter_map(|change| match (&change.before, &change.after) {
                (_, Some(Resource::Assignment(assignment)))
                | (Some(Resource::Assignment(assignment)), None) => Some(assignment),
                _ => None,
            })
            .filter(|assignment| assignment.permission_set == permission_set)
            .filter_map(|assignment| self.account_id(&assignment.account))
            .collect()
    }

    /// A permission set is deleted (or replaced) only once every assignment of it is
    /// gone; one the plan does not delete was made outside monban and would block it.
    fn check_still_assigned(
        &self,
        before: &PermissionSetState,
        arn: &str,
        differences: &mut Vec<String>,
    ) {
        for assignment in self
            .index
            .assignments_by_permission_set
            .get(arn)
            .into_iter()
            .flatten()
        {
            if !self.deleted_by_plan.contains(&key_of(assignment)) {
                let principal = self
                    .index
                    .principal(assignment.principal_type, &assignment.principal_id);
                let account = self
                    .index
                    .accounts_by_id
                    .get(assignment.account_id.as_str())
                    .map_or(assignment.account_id.as_str(), |account| {
                        account.name.as_str()
                    });
                differences.push(format!(
                    "permission set {} is now assigned to {principal} on account {account} \
                     ({}), which the plan does not remove (assigned outside monban)",
                    before.name, assignment.account_id
                ));
            }
        }
    }

    /// The live id of an account as the plan refers to it: its recorded id, or for an
    /// account the plan creates, the live account with its root e-mail (once created).
    fn account_id(&self, account: &AccountRef) -> Option<String> {
        account.id.clone().or_else(|| {
            let email = new_account_email(self.plan, &account.name)?;
            self.accounts_by_email
                .get(&email.to_ascii_lowercase())
                .map(|live| live.id.clone())
        })
    }

    fn check_new_assignment(&self, after: &AssignmentState) -> Vec<String> {
        let mut differences = Vec::new();
        let principal = &after.principal;
        let live_id = principal
            .name
            .as_deref()
            .and_then(|name| match principal.kind {
                PrincipalKind::Group => self
                    .index
                    .groups_by_name
                    .get(name)
                    .map(|group| group.id.as_str()),
                PrincipalKind::User => self
                    .index
                    .users_by_name
                    .get(name)
                    .map(|user| user.id.as_str()),
            });
        match (principal.id.as_deref(), live_id) {
            (Some(_), None) => differences.push(format!(
                "{principal} no longer exists in the Identity Store (deleted since the plan was \
                 made)"
            )),
            (Some(recorded), Some(now)) if recorded != now => differences.push(format!(
                "{principal} was deleted and re-created in the Identity Store (id {recorded}, \
                 now {now})"
            )),
            (None, Some(now)) => differences.push(format!(
                "{principal} now exists in the Identity Store ({now}); the plan could not \
                 resolve it"
            )),
            _ => {}
        }
        let arn = match &after.permission_set_arn {
            Some(arn) => Some(arn.clone()),
            // A permission set the plan creates: live once its create is done.
            None => self
                .index
                .permission_sets_by_name
                .get(after.permission_set.as_str())
                .map(|set| set.arn.clone()),
        };
        if let (Some(account_id), Some(arn), Some(principal_id)) =
            (self.account_id(&after.account), arn, live_id)
            && self.live_assignments.contains_key(&(
                account_id,
                arn,
                live_type(principal.kind),
                principal_id.to_owned(),
            ))
        {
            differences.push(format!(
                "assignment of {} to {principal} on account {} was created outside monban",
                after.permission_set, after.account.name
            ));
        }
        differences
    }

    fn check_assignment(&self, before: &AssignmentState) -> Vec<String> {
        let Some(key) = recorded_key(before) else {
            return Vec::new();
        };
        let Some(live) = self.live_assignments.get(&key) else {
            return vec![format!(
                "assignment of {} to {} on account {} was deleted outside monban",
                before.permission_set, before.principal, before.account.name
            )];
        };
        let now = assignment_state(&self.index, live, before.account.clone());
        let mut differences = Vec::new();
        if now.principal != before.principal {
            differences.push(match (&before.principal.name, &now.principal.name) {
                (Some(_), None) => format!(
                    "{} no longer exists in the Identity Store (deleted since the plan was made)",
                    before.principal
                ),
                (None, Some(name)) => format!(
                    "{} exists again in the Identity Store, as {name}",
                    before.principal
                ),
                _ => format!(
                    "{} is now named {} in the Identity Store",
                    before.principal, now.principal
                ),
            });
        }
        if now.permission_set != before.permission_set {
            differences.push(format!(
                "permission set {} is now named {} in AWS",
                before.permission_set, now.permission_set
            ));
        }
        differences
    }
}

/// `added k=v, removed k, k: a → b`: how two tag maps differ.
fn map_changes(before: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> String {
    let mut parts = Vec::new();
    for (key, value) in now {
        match before.get(key) {
            None => parts.push(format!("added {key}={value}")),
            Some(old) if old != value => parts.push(format!("{key}: {old} → {value}")),
            Some(_) => {}
        }
    }
    for key in before.keys().filter(|key| !now.contains_key(*key)) {
        parts.push(format!("removed {key}"));
    }
    parts.join(", ")
}
