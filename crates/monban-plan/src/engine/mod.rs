//! The diff itself: binds declared accounts to live ones, then plans OUs, accounts,
//! assignments and permission sets (in that order, because a permission set may only be
//! deleted or replaced once every live assignment of it is planned for removal), applies
//! the safety rules, and computes the per-person access diff from the result.
//!
//! Each step lives in its own file; they share the [`Planner`], which holds the inputs,
//! the live indexes and everything decided so far.

mod access;
mod accounts;
mod assignments;
mod index;
mod permission_sets;
mod safety;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use monban_model::{LiveAccount, LivePrincipalType, LiveState, Repo};

use crate::change::{AccountRef, Address, Cause, Change, Origin, PrincipalKind};
use crate::digest::{repo_digest, state_digest};
use crate::plan::{
    PLAN_FORMAT_VERSION, Plan, PlanTarget, Severity, TargetEndpoint, Unmanaged, Warning,
    WarningCode,
};
pub use index::LiveIndex;

/// What the caller supplies besides the repo and the live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanContext {
    /// Today's date in UTC: `until` dates are evaluated against it.
    pub today: Date,
    /// How the target was reached (recorded in the plan; `apply` compares it).
    pub endpoint: TargetEndpoint,
    /// The monban version computing the plan.
    pub tool_version: String,
    /// `--allow-mass-removal`: more removals than `safety.max_removals` stay applyable.
    pub allow_mass_removal: bool,
    /// `--expiring-within`: list the grants whose `until` comes within this many days.
    pub expiring_within_days: Option<i64>,
}

impl PlanContext {
    /// A context with this crate's version and mass removal not allowed.
    #[must_use]
    pub fn new(today: Date, endpoint: TargetEndpoint) -> Self {
        Self {
            today,
            endpoint,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            allow_mass_removal: false,
            expiring_within_days: None,
        }
    }
}

/// Computes the plan that brings `live` to what `repo` declares.
///
/// Never fails: whatever keeps the plan from being applied is a [`Warning`] of severity
/// [`Severity::Error`] and/or a blocker on a change, and clears [`Plan::applyable`] (and
/// [`Plan::complete`] when the plan could not be fully computed). The repo must have
/// loaded without errors; a best-effort repo of a failed load gives a meaningless plan.
#[must_use]
pub fn plan(repo: &Repo, live: &LiveState, context: &PlanContext) -> Plan {
    let mut planner = Planner::new(repo, live, context);
    planner.bind_accounts();
    planner.plan_ous();
    planner.plan_accounts();
    planner.plan_assignments();
    planner.plan_permission_sets();
    planner.apply_safety();
    let access = planner.access_diff();
    planner.finish(access)
}

/// Where a declared account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountStatus {
    /// Bound to a live account, which stays.
    Live,
    /// Bound to a live account the plan closes (or that is already closing).
    Closing,
    /// Not live yet: the plan creates it, or a `CreateAccount` is in progress.
    Planned,
    /// Declared by `id:` and not in the organization: the plan invites it, or an
    /// invitation is pending. Its assignments are planned and wait for it to join.
    Invited,
    /// Cannot be planned: its `id:` is not in the organization and the caller cannot
    /// invite it (a delegated administrator), or it is to be closed and does not exist.
    Missing,
}

/// A declared account and the live account it is bound to.
#[derive(Debug, Clone, Copy)]
struct Binding<'live> {
    live: Option<&'live LiveAccount>,
    status: AccountStatus,
}

/// The key of an assignment by name: (account name, permission set name, principal kind,
/// principal name).
type NameKey = (String, String, PrincipalKind, String);

/// The key of a live assignment: (account id, permission set ARN, principal type, id).
type LiveKey<'live> = (&'live str, &'live str, LivePrincipalType, &'live str);

/// What the repo declares for one (account, permission set, principal).
#[derive(Debug, Default)]
struct Declared {
    /// Active grants' origins.
    origins: Vec<Origin>,
    /// Expired grants: their last day, and origins.
    expired: Vec<(Date, Origin)>,
}

/// One assignment of the planned end state that the plan creates.
#[derive(Debug, Clone)]
struct Created {
    account: AccountRef,
    permission_set: String,
    kind: PrincipalKind,
    principal_id: String,
    origins: Vec<Origin>,
}

/// The state shared by the planning steps.
#[derive(Debug)]
struct Planner<'input> {
    repo: &'input Repo,
    index: LiveIndex<'input>,
    context: &'input PlanContext,
    /// Declared account name → binding.
    bindings: BTreeMap<&'input str, Binding<'input>>,
    /// Live account id → declared account name.
    declared_by_id: BTreeMap<&'input str, &'input str>,
    /// Declared accounts meaning a live account another file already binds.
    bound_twice: BTreeSet<&'input str>,
    /// Every (account, permission set, principal) the repo declares, by name.
    declared: BTreeMap<NameKey, Declared>,
    ou_changes: Vec<Change>,
    account_changes: Vec<Change>,
    permission_set_changes: Vec<Change>,
    provision_changes: Vec<Change>,
    assignment_creates: Vec<Change>,
    assignment_deletes: Vec<Change>,
    permission_set_deletes: Vec<Change>,
    /// Live assignments the plan removes, and why (closing accounts included).
    removed: BTreeMap<LiveKey<'input>, Cause>,
    /// Assignments the plan creates with a resolved principal.
    created: Vec<Created>,
    unmanaged: Unmanaged,
    warnings: Vec<Warning>,
    complete: bool,
    /// Set when more removals than allowed are planned.
    mass_removal_refused: bool,
}

impl<'input> Planner<'input> {
    fn new(repo: &'input Repo, live: &'input LiveState, context: &'input PlanContext) -> Self {
        Self {
            repo,
            index: LiveIndex::new(live),
            context,
            bindings: BTreeMap::new(),
            declared_by_id: BTreeMap::new(),
            bound_twice: BTreeSet::new(),
            declared: BTreeMap::new(),
            ou_changes: Vec::new(),
            account_changes: Vec::new(),
            permission_set_changes: Vec::new(),
            provision_changes: Vec::new(),
            assignment_creates: Vec::new(),
            assignment_deletes: Vec::new(),
            permission_set_deletes: Vec::new(),
            removed: BTreeMap::new(),
            created: Vec::new(),
            unmanaged: Unmanaged::default(),
            warnings: Vec::new(),
            complete: true,
            mass_removal_refused: false,
        }
    }

    fn live(&self) -> &'input LiveState {
        self.index.live
    }

    fn exclusive(&self) -> bool {
        self.repo.settings.safety.exclusive
    }

    fn management_account_id(&self) -> &'input str {
        &self.live().organization.management_account_id
    }

    fn warn(
        &mut self,
        severity: Severity,
        code: WarningCode,
        message: String,
        address: Option<Address>,
    ) {
        self.warnings.push(Warning {
            severity,
            code,
            message,
            address,
        });
    }

    /// How the plan refers to a live account: by its declared name when an account file
    /// binds it, else by its live name.
    fn account_ref_by_id(&self, id: &str) -> AccountRef {
        let name = self.declared_by_id.get(id).map_or_else(
            || {
                self.index
                    .accounts_by_id
                    .get(id)
                    .map_or_else(|| id.to_owned(), |account| account.name.clone())
            },
            |name| (*name).to_owned(),
        );
        AccountRef {
            name,
            id: Some(id.to_owned()),
        }
    }

    /// How the plan refers to a declared account.
    fn declared_account_ref(&self, name: &str) -> AccountRef {
        AccountRef {
            name: name.to_owned(),
            id: self
                .bindings
                .get(name)
                .and_then(|binding| binding.live)
                .map(|account| account.id.clone()),
        }
    }

    /// Accounts (by reference, sorted by name) for a set of live account ids.
    fn account_refs<'ids>(&self, ids: impl Iterator<Item = &'ids str>) -> Vec<AccountRef> {
        let mut refs: Vec<AccountRef> = ids.map(|id| self.account_ref_by_id(id)).collect();
        refs.sort();
        refs
    }

    fn finish(mut self, access: Vec<crate::PersonAccess>) -> Plan {
        let live = self.live();
        sort_by_address(&mut self.ou_changes, |change| match &change.address {
            Address::Ou { path } => (path.matches('/').count(), path.clone()),
            _ => (0, String::new()),
        });
        sort_by_address(&mut self.account_changes, |change| change.address.clone());
        sort_by_address(&mut self.permission_set_changes, |change| {
            change.address.clone()
        });
        sort_by_address(&mut self.provision_changes, |change| change.address.clone());
        sort_by_address(&mut self.assignment_creates, |change| {
            change.address.clone()
        });
        sort_by_address(&mut self.assignment_deletes, |change| {
            change.address.clone()
        });
        sort_by_address(&mut self.permission_set_deletes, |change| {
            change.address.clone()
        });
        let changes: Vec<Change> = [
            self.ou_changes,
            self.account_changes,
            self.permission_set_changes,
            self.provision_changes,
            self.assignment_creates,
            self.assignment_deletes,
            self.permission_set_deletes,
        ]
        .into_iter()
        .flatten()
        .collect();
        self.warnings.sort_by(|left, right| {
            right
                .severity
                .cmp(&left.severity)
                .then(left.code.cmp(&right.code))
                .then(left.address.cmp(&right.address))
                .then(left.message.cmp(&right.message))
        });
        let unmanaged = sort_unmanaged(self.unmanaged);
        let risks = crate::highlights::risks(self.repo, &changes, &self.warnings);
        let expiring = self
            .context
            .expiring_within_days
            .map_or_else(Vec::new, |days| {
                crate::highlights::expiring(self.repo, self.context.today, days)
            });
        let has_errors = self
            .warnings
            .iter()
            .any(|warning| warning.severity == Severity::Error);
        let applyable = self.complete
            && !has_errors
            && !self.mass_removal_refused
            && changes.iter().all(Change::is_applyable);
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            tool_version: self.context.tool_version.clone(),
            target: PlanTarget {
                endpoint: self.context.endpoint.clone(),
                organization_id: live.organization.id.clone(),
                management_account_id: live.organization.management_account_id.clone(),
                caller_account_id: live.caller.account_id.clone(),
                delegated_admin: !live.caller.is_management_account,
                instance_arn: live.instance.as_ref().map(|instance| instance.arn.clone()),
            },
            evaluated_on: self.context.today,
            read_at: live.read_at,
            changes,
            access,
            unmanaged,
            warnings: self.warnings,
            risks,
            expiring,
            complete: self.complete,
            applyable,
            repo_digest: repo_digest(self.repo),
            state_digest: state_digest(live),
        }
    }
}

fn sort_by_address<K: Ord>(changes: &mut [Change], key: impl Fn(&Change) -> K) {
    changes.sort_by_key(|change| key(change));
}

fn sort_unmanaged(mut unmanaged: Unmanaged) -> Unmanaged {
    unmanaged
        .accounts
        .sort_by(|left, right| left.name.cmp(&right.name).then(left.id.cmp(&right.id)));
    unmanaged.ous.sort();
    unmanaged.ous.dedup();
    unmanaged
        .permission_sets
        .sort_by(|left, right| left.name.cmp(&right.name));
    unmanaged.assignments.sort_by(|left, right| {
        (&left.account, &left.permission_set, &left.principal).cmp(&(
            &right.account,
            &right.permission_set,
            &right.principal,
        ))
    });
    unmanaged
}

/// `n thing` / `n things`.
fn count(number: usize, singular: &str, plural: &str) -> String {
    if number == 1 {
        format!("1 {singular}")
    } else {
        format!("{number} {plural}")
    }
}

/// A short list of names for a message: the first few, then "and N more".
fn name_list<'name>(names: impl IntoIterator<Item = &'name str>) -> String {
    const SHOWN: usize = 5;
    let names: BTreeSet<&str> = names.into_iter().collect();
    let mut text = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text = format!("{text} and {} more", names.len() - SHOWN);
    }
    text
}
