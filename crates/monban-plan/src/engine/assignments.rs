//! Account assignments: the repo's grants and rules expanded, expired ones dropped and
//! de-duplicated by (account, permission set, principal) with every origin kept; then
//! compared with the live assignments of declared accounts. Principals are resolved by
//! name (user name, group display name) through the Identity Store as read.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use monban_model::{AssignmentOrigin, LiveAssignment, LivePrincipalType, PrincipalRef, Until};

use super::{AccountStatus, Created, LiveKey, NameKey, Planner, count, name_list};
use crate::before::assignment_state;
use crate::change::{
    Action, Address, AssignmentState, Blocker, Cause, Change, Origin, Principal, PrincipalKind,
    Resource,
};
use crate::plan::{Severity, UnmanagedAssignment, UnmanagedBecause, WarningCode};

pub(super) fn live_key(assignment: &LiveAssignment) -> LiveKey<'_> {
    (
        assignment.account_id.as_str(),
        assignment.permission_set_arn.as_str(),
        assignment.principal_type,
        assignment.principal_id.as_str(),
    )
}

fn kind_of(principal: &PrincipalRef) -> PrincipalKind {
    match principal {
        PrincipalRef::Group(_) => PrincipalKind::Group,
        PrincipalRef::User(_) => PrincipalKind::User,
    }
}

fn live_type(kind: PrincipalKind) -> LivePrincipalType {
    match kind {
        PrincipalKind::Group => LivePrincipalType::Group,
        PrincipalKind::User => LivePrincipalType::User,
    }
}

/// The display text of where an assignment is declared.
pub(super) fn origins_text(origins: &[Origin]) -> String {
    let texts: Vec<String> = origins
        .iter()
        .map(|origin| match origin {
            Origin::Account { account, until, .. } => match until {
                Some(until) => format!("accounts/{account}.yaml (until {until})"),
                None => format!("accounts/{account}.yaml"),
            },
            Origin::Rule { file, entry } => format!("rule {file}#{entry}"),
        })
        .collect();
    format!("declared in {}", texts.join(", "))
}

/// The display text of an expiry: the grant ended when its last day ended (UTC).
fn expired_text(until: Date, origins: &[(Date, Origin)]) -> String {
    let ended = until
        .tomorrow()
        .map_or_else(|_| until.to_string(), |day| day.to_string());
    let reasons: Vec<&str> = origins
        .iter()
        .filter_map(|(_, origin)| match origin {
            Origin::Account { reason, .. } => reason.as_deref(),
            Origin::Rule { .. } => None,
        })
        .collect();
    if reasons.is_empty() {
        format!("expired on {ended} (until {until})")
    } else {
        format!("expired on {ended} (until {until}; {})", reasons.join("; "))
    }
}

pub(super) fn origin_of(assignment: &monban_model::Assignment) -> Origin {
    match &assignment.origin {
        AssignmentOrigin::Account => Origin::Account {
            account: assignment.account.as_str().to_owned(),
            until: assignment.until.map(Until::date),
            reason: assignment.reason.clone(),
        },
        AssignmentOrigin::Rule(id) => Origin::Rule {
            file: id.file.clone(),
            entry: id.index + 1,
        },
    }
}

impl<'input> Planner<'input> {
    /// The Identity Store id of a principal the repo names.
    fn resolve(&self, kind: PrincipalKind, name: &str) -> Option<&'input str> {
        match kind {
            PrincipalKind::User => self
                .index
                .users_by_name
                .get(name)
                .map(|user| user.id.as_str()),
            PrincipalKind::Group => self
                .index
                .groups_by_name
                .get(name)
                .map(|group| group.id.as_str()),
        }
    }

    /// Whether `safety.protected` names this assignment.
    pub(super) fn is_protected(
        &self,
        account: &str,
        permission_set: &str,
        kind: PrincipalKind,
        name: &str,
    ) -> bool {
        self.repo.settings.safety.protected.iter().any(|entry| {
            entry.account.as_str() == account
                && entry.permission_set.as_str() == permission_set
                && kind_of(&entry.principal) == kind
                && entry.principal.name() == name
        })
    }

    pub(super) fn plan_assignments(&mut self) {
        self.collect_declared();
        self.plan_assignment_creates();
        self.plan_assignment_removals();
    }

    /// Expands the repo's grants and rules, keeping every origin per key; grants on
    /// accounts that are closing or cannot be planned are left out.
    fn collect_declared(&mut self) {
        let today = self.context.today;
        for assignment in self.repo.assignments() {
            let status = self
                .bindings
                .get(assignment.account.as_str())
                .map(|binding| binding.status);
            if matches!(
                status,
                None | Some(AccountStatus::Missing | AccountStatus::Closing)
            ) {
                continue;
            }
            let key: NameKey = (
                assignment.account.as_str().to_owned(),
                assignment.permission_set.as_str().to_owned(),
                kind_of(&assignment.principal),
                assignment.principal.name().to_owned(),
            );
            let origin = origin_of(&assignment);
            let entry = self.declared.entry(key).or_default();
            match assignment.until {
                Some(until) if !assignment.is_active_on(today) => {
                    entry.expired.push((until.date(), origin));
                }
                _ => entry.origins.push(origin),
            }
        }
    }

    /// Declared assignments that are not live are created. One whose principal the
    /// Identity Store lacks is still shown, blocked, and makes the plan incomplete.
    fn plan_assignment_creates(&mut self) {
        let live_keys: BTreeSet<LiveKey> = self.live().assignments.iter().map(live_key).collect();
        let mut unresolved: BTreeMap<(PrincipalKind, String), usize> = BTreeMap::new();
        let mut changes = Vec::new();
        let mut resolved = Vec::new();
        for (key, declared) in &self.declared {
            if declared.origins.is_empty() {
                continue;
            }
            let (account, permission_set, kind, name) = key;
            let account_ref = self.declared_account_ref(account);
            let arn = self
                .index
                .permission_sets_by_name
                .get(permission_set.as_str())
                .map(|set| set.arn.as_str());
            let principal_id = self.resolve(*kind, name);
            if let (Some(account_id), Some(arn), Some(principal_id)) =
                (account_ref.id.as_deref(), arn, principal_id)
                && live_keys.contains(&(account_id, arn, live_type(*kind), principal_id))
            {
                continue;
            }
            let principal = Principal::named(*kind, name, principal_id);
            let mut blocked_by = Vec::new();
            if let Some(principal_id) = principal_id {
                resolved.push(Created {
                    account: account_ref.clone(),
                    permission_set: permission_set.clone(),
                    kind: *kind,
                    principal_id: principal_id.to_owned(),
                    origins: declared.origins.clone(),
                });
            } else {
                *unresolved.entry((*kind, name.clone())).or_default() += 1;
                blocked_by.push(Blocker::PrincipalNotFound {
                    principal: principal.address_form(),
                });
            }
            changes.push(Change {
                address: Address::Assignment {
                    account: account.clone(),
                    permission_set: permission_set.clone(),
                    principal: principal.address_form(),
                },
                action: Action::Create,
                cause: Cause::Declared,
                before: None,
                after: Some(Resource::Assignment(AssignmentState {
                    account: account_ref,
                    permission_set: permission_set.clone(),
                    permission_set_arn: arn.map(str::to_owned),
                    principal,
                    origins: declared.origins.clone(),
                })),
                fields: Vec::new(),
                provision: Vec::new(),
                blocked_by,
                reason: origins_text(&declared.origins),
            });
        }
        self.assignment_creates.extend(changes);
        self.created.extend(resolved);
        for ((kind, name), assignments) in unresolved {
            self.complete = false;
            let (what, source) = match kind {
                PrincipalKind::Group => ("group", "a group with that display name"),
                PrincipalKind::User => ("user", "a user with that user name"),
            };
            self.warn(
                Severity::Error,
                WarningCode::PrincipalNotFound,
                format!(
                    "{what} `{name}` is not in the Identity Store, so {} cannot be created and \
                     the plan is incomplete. Check the spelling against the IdP, or wait until \
                     the IdP has pushed {source}.",
                    count(assignments, "assignment", "assignments")
                ),
                None,
            );
        }
    }

    /// Live assignments on declared accounts that the repo does not declare (any more):
    /// orphans and expired grants are deleted; the rest is deleted under `exclusive`, else
    /// reported. Assignments on undeclared accounts are only reported; those on closing
    /// accounts go with the account.
    fn plan_assignment_removals(&mut self) {
        let live = self.live();
        let mut on_undeclared_accounts = BTreeSet::new();
        let mut kept_not_exclusive = 0_usize;
        for assignment in &live.assignments {
            let key = live_key(assignment);
            let principal = self
                .index
                .principal(assignment.principal_type, &assignment.principal_id);
            let permission_set = self
                .index
                .permission_set_name(&assignment.permission_set_arn);
            let account_ref = self.account_ref_by_id(&assignment.account_id);
            let Some(account) = self
                .declared_by_id
                .get(assignment.account_id.as_str())
                .copied()
            else {
                on_undeclared_accounts.insert(account_ref.name.clone());
                self.unmanaged.assignments.push(UnmanagedAssignment {
                    account: account_ref,
                    permission_set: permission_set.to_owned(),
                    orphaned: principal.name.is_none(),
                    principal: principal.address_form(),
                    kept_because: UnmanagedBecause::UndeclaredAccount,
                });
                continue;
            };
            if self.bindings[account].status == AccountStatus::Closing {
                self.removed.insert(key, Cause::Closed);
                continue;
            }
            let (cause, reason) = match &principal.name {
                None => (
                    Cause::Orphaned,
                    "principal no longer exists (deleted in the IdP)".to_owned(),
                ),
                Some(name) => {
                    let name_key: NameKey = (
                        account.to_owned(),
                        permission_set.to_owned(),
                        principal.kind,
                        name.clone(),
                    );
                    let declared = self.declared.get(&name_key);
                    if declared.is_some_and(|declared| !declared.origins.is_empty()) {
                        continue;
                    }
                    let last_day = declared
                        .and_then(|declared| declared.expired.iter().map(|(day, _)| *day).max());
                    if let (Some(until), Some(declared)) = (last_day, declared) {
                        (
                            Cause::Expired { until },
                            expired_text(until, &declared.expired),
                        )
                    } else if self.exclusive() {
                        (
                            Cause::Undeclared,
                            "not in the repo (`safety.exclusive` removes undeclared access)"
                                .to_owned(),
                        )
                    } else {
                        kept_not_exclusive += 1;
                        self.unmanaged.assignments.push(UnmanagedAssignment {
                            account: account_ref,
                            permission_set: permission_set.to_owned(),
                            orphaned: false,
                            principal: principal.address_form(),
                            kept_because: UnmanagedBecause::NotExclusive,
                        });
                        continue;
                    }
                }
            };
            let address = Address::Assignment {
                account: account.to_owned(),
                permission_set: permission_set.to_owned(),
                principal: principal.address_form(),
            };
            if let Some(name) = &principal.name
                && self.is_protected(account, permission_set, principal.kind, name)
            {
                self.warn(
                    Severity::Warning,
                    WarningCode::ProtectedAssignment,
                    format!(
                        "{principal} keeps {permission_set} on {account}: the plan would remove \
                         it ({reason}), but `safety.protected` names it. Declare it in \
                         accounts/{account}.yaml to silence this."
                    ),
                    Some(address),
                );
                self.unmanaged.assignments.push(UnmanagedAssignment {
                    account: account_ref,
                    permission_set: permission_set.to_owned(),
                    orphaned: false,
                    principal: principal.address_form(),
                    kept_because: UnmanagedBecause::Protected,
                });
                continue;
            }
            self.removed.insert(key, cause.clone());
            self.assignment_deletes.push(Change {
                address,
                action: Action::Delete,
                cause,
                before: Some(Resource::Assignment(assignment_state(
                    &self.index,
                    assignment,
                    account_ref,
                ))),
                after: None,
                fields: Vec::new(),
                provision: Vec::new(),
                blocked_by: Vec::new(),
                reason,
            });
        }
        let on_undeclared = self
            .unmanaged
            .assignments
            .iter()
            .filter(|entry| entry.kept_because == UnmanagedBecause::UndeclaredAccount)
            .count();
        if on_undeclared > 0 {
            self.warn(
                Severity::Info,
                WarningCode::UnmanagedAssignments,
                format!(
                    "{} on accounts no account file declares ({}) {} left alone.",
                    count(on_undeclared, "live assignment", "live assignments"),
                    name_list(on_undeclared_accounts.iter().map(String::as_str)),
                    if on_undeclared == 1 { "is" } else { "are" },
                ),
                None,
            );
        }
        if kept_not_exclusive > 0 {
            self.warn(
                Severity::Warning,
                WarningCode::UnmanagedAssignments,
                format!(
                    "{} on declared accounts {} not in the repo and kept, because \
                     `safety.exclusive` is off; declare them or turn `exclusive` on to remove \
                     them.",
                    count(kept_not_exclusive, "live assignment", "live assignments"),
                    if kept_not_exclusive == 1 { "is" } else { "are" },
                ),
                None,
            );
        }
    }
}
