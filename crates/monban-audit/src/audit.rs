//! The audit itself: live state (+ the repo and its plan, + the IAM scan) + a clock →
//! [`Report`]. Builds the principal-level assignment rows, expands them into people
//! through the Identity Store's memberships, marks each row against the repo, and runs
//! every rule of `docs/reference/audit-rules.md`.
//!
//! The declared side comes from the plan `monban-plan` computed for the same live state,
//! not from a second diff: a live assignment the plan removes or reports as unmanaged is
//! `live-only`, every other live one is `declared`, and each assignment the plan creates
//! on a live account is `declared-missing`. So the audit and `monban plan` can never
//! disagree about what is drift.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use monban_model::{
    AssignmentOrigin, IamScan, LiveAssignment, LivePrincipalType, LiveState, PolicyContent,
    PrincipalRef, Repo,
};
use monban_plan::{Action, Address, LiveIndex, Plan, PrincipalKind, Resource};

use crate::policy;
use crate::report::{
    AUDIT_FORMAT_VERSION, AccessKey, AccountInfo, AssignmentRow, Finding, FindingAccount,
    FindingPrincipal, GroupInfo, IamScanError, IamUser, InventoryRow, OrganizationInfo,
    PermissionSetInfo, Person, PersonStatus, Report, RowState, Severity, SeverityCounts, Summary,
    Via,
};

/// Keys older than this, or unused for this long, are findings (CIS AWS Foundations 1.14
/// asks for rotation every 90 days; 1.12 for disabling credentials unused for 45–90 days).
pub const KEY_AGE_LIMIT_DAYS: i64 = 90;

/// Session durations above this are findings (`long-session`).
pub const SESSION_LIMIT_SECONDS: u64 = 8 * 3600;

/// The repo and the plan computed from it against the same live state.
#[derive(Debug, Clone, Copy)]
pub struct Declared<'input> {
    pub repo: &'input Repo,
    pub plan: &'input Plan,
}

/// Everything an audit is computed from.
#[derive(Debug, Clone)]
pub struct AuditInput<'input> {
    pub live: &'input LiveState,
    /// The access repo and its plan; `None` = no declared side (every `state` is null).
    pub declared: Option<Declared<'input>>,
    /// The IAM scan; `None` = not scanned (`--no-iam`).
    pub iam: Option<&'input IamScan>,
    /// The clock: key ages and `generated_at`.
    pub now: Timestamp,
    /// The target in `plan`'s words.
    pub target: String,
    pub tool_version: String,
}

/// (account id, permission set name, principal type, principal id).
type AssignmentKey = (String, String, LivePrincipalType, String);
/// (account id, permission set name, principal type, principal name).
type NamedKey = (String, String, LivePrincipalType, String);

/// What the repo says, indexed by live ids.
#[derive(Debug, Default)]
struct DeclaredIndex {
    /// Live assignments the plan removes or keeps as unmanaged, by principal id.
    live_only: BTreeSet<AssignmentKey>,
    /// The same by principal name: the plan's unmanaged list names principals the way
    /// addresses do (by name, the id only for a deleted principal).
    live_only_named: BTreeSet<NamedKey>,
    /// Where the repo declares each (active) assignment.
    origins: BTreeMap<NamedKey, Vec<String>>,
    /// `safety.protected` entries, by live account id.
    protected: BTreeSet<NamedKey>,
    /// Permission sets the repo declares.
    permission_sets: BTreeSet<String>,
}

fn live_type(kind: PrincipalKind) -> LivePrincipalType {
    match kind {
        PrincipalKind::Group => LivePrincipalType::Group,
        PrincipalKind::User => LivePrincipalType::User,
    }
}

fn ref_type(principal: &PrincipalRef) -> LivePrincipalType {
    match principal {
        PrincipalRef::Group(_) => LivePrincipalType::Group,
        PrincipalRef::User(_) => LivePrincipalType::User,
    }
}

fn type_text(principal_type: LivePrincipalType) -> &'static str {
    match principal_type {
        LivePrincipalType::User => "USER",
        LivePrincipalType::Group => "GROUP",
    }
}

/// Declared account name → live account id: by `id:`, else by root e-mail (AWS compares
/// e-mails case-insensitively) — the binding rules of design §2.
fn bind_accounts<'repo>(repo: &'repo Repo, live: &LiveState) -> BTreeMap<&'repo str, String> {
    let mut bound = BTreeMap::new();
    for account in repo.accounts.values() {
        let found = if let Some(id) = &account.id {
            live.account_by_id(id.as_str())
        } else if let Some(email) = &account.root_email {
            live.accounts.iter().find(|live_account| {
                live_account
                    .email
                    .eq_ignore_ascii_case(email.address.as_str())
            })
        } else {
            None
        };
        if let Some(live_account) = found {
            bound.insert(account.name.as_str(), live_account.id.clone());
        }
    }
    bound
}

impl DeclaredIndex {
    fn new(declared: Declared<'_>, live: &LiveState) -> Self {
        let Declared { repo, plan } = declared;
        let mut index = Self {
            permission_sets: repo
                .permission_sets
                .keys()
                .map(|name| name.as_str().to_owned())
                .collect(),
            ..Self::default()
        };
        for change in &plan.changes {
            if change.action != Action::Delete {
                continue;
            }
            if let Some(Resource::Assignment(state)) = &change.before
                && let (Some(account_id), Some(principal_id)) =
                    (&state.account.id, &state.principal.id)
            {
                index.live_only.insert((
                    account_id.clone(),
                    state.permission_set.clone(),
                    live_type(state.principal.kind),
                    principal_id.clone(),
                ));
            }
        }
        for unmanaged in &plan.unmanaged.assignments {
            let Some(account_id) = &unmanaged.account.id else {
                continue;
            };
            let principal_type = live_type(unmanaged.principal.kind);
            let permission_set = unmanaged.permission_set.clone();
            if let Some(principal_id) = &unmanaged.principal.id {
                index.live_only.insert((
                    account_id.clone(),
                    permission_set.clone(),
                    principal_type,
                    principal_id.clone(),
                ));
            }
            if let Some(name) = &unmanaged.principal.name {
                index.live_only_named.insert((
                    account_id.clone(),
                    permission_set,
                    principal_type,
                    name.clone(),
                ));
            }
        }
        let bound = bind_accounts(repo, live);
        for assignment in repo.assignments() {
            if !assignment.is_active_on(plan.evaluated_on) {
                continue;
            }
            let Some(account_id) = bound.get(assignment.account.as_str()) else {
                continue;
            };
            let origin = match &assignment.origin {
                AssignmentOrigin::Account => format!("accounts/{}.yaml", assignment.account),
                AssignmentOrigin::Rule(rule) => rule.to_string(),
            };
            let origins = index
                .origins
                .entry((
                    account_id.clone(),
                    assignment.permission_set.as_str().to_owned(),
                    ref_type(&assignment.principal),
                    assignment.principal.name().to_owned(),
                ))
                .or_default();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        for entry in &repo.settings.safety.protected {
            if let Some(account_id) = bound.get(entry.account.as_str()) {
                index.protected.insert((
                    account_id.clone(),
                    entry.permission_set.as_str().to_owned(),
                    ref_type(&entry.principal),
                    entry.principal.name().to_owned(),
                ));
            }
        }
        index
    }
}

/// Lookups over the live state: the plan's [`LiveIndex`] plus the membership views the
/// audit needs.
#[derive(Debug)]
struct Index<'live> {
    live: &'live LiveState,
    base: LiveIndex<'live>,
    /// Group id → member user ids (only users that exist).
    members: BTreeMap<&'live str, BTreeSet<&'live str>>,
    /// User id → display names of their groups.
    groups_of: BTreeMap<&'live str, BTreeSet<&'live str>>,
}

impl<'live> Index<'live> {
    fn new(live: &'live LiveState) -> Self {
        let base = LiveIndex::new(live);
        let mut members: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut groups_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for membership in &live.memberships {
            let (Some(group), true) = (
                base.groups_by_id.get(membership.group_id.as_str()),
                base.users_by_id.contains_key(membership.user_id.as_str()),
            ) else {
                continue;
            };
            members
                .entry(membership.group_id.as_str())
                .or_default()
                .insert(membership.user_id.as_str());
            groups_of
                .entry(membership.user_id.as_str())
                .or_default()
                .insert(group.display_name.as_str());
        }
        Self {
            live,
            base,
            members,
            groups_of,
        }
    }

    fn account_name(&self, id: &str) -> String {
        self.base
            .accounts_by_id
            .get(id)
            .map_or_else(|| id.to_owned(), |account| account.name.clone())
    }

    fn permission_set_name(&self, arn: &str) -> String {
        self.base
            .permission_sets_by_arn
            .get(arn)
            .map_or_else(|| arn.to_owned(), |set| set.name.clone())
    }

    fn principal_name(&self, principal_type: LivePrincipalType, id: &str) -> Option<String> {
        match principal_type {
            LivePrincipalType::User => self
                .base
                .users_by_id
                .get(id)
                .map(|user| user.user_name.clone()),
            LivePrincipalType::Group => self
                .base
                .groups_by_id
                .get(id)
                .map(|group| group.display_name.clone()),
        }
    }

    fn is_management(&self, account_id: &str) -> bool {
        self.live.organization.management_account_id == account_id
    }
}

/// The user name shown for a deleted user (the id is all that is left).
fn deleted_user_name(id: &str) -> String {
    format!("deleted:{id}")
}

/// Whether a group's name marks it as the emergency (break-glass) group.
fn is_break_glass_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["break-glass", "breakglass", "break_glass"]
        .iter()
        .any(|marker| lower.contains(marker))
}

/// Computes the report. Pure: same input, same report.
#[must_use]
pub fn audit(input: &AuditInput<'_>) -> Report {
    let live = input.live;
    let index = Index::new(live);
    let declared = input
        .declared
        .map(|declared| DeclaredIndex::new(declared, live));

    let mut assignments = assignment_rows(&index, declared.as_ref());
    if let Some(declared_input) = input.declared {
        assignments.extend(declared_missing_rows(&index, declared_input.plan));
    }
    assignments.sort_by(|left, right| {
        (
            &left.account_name,
            &left.permission_set,
            left.principal_type,
            &left.principal_name,
            &left.principal_id,
        )
            .cmp(&(
                &right.account_name,
                &right.permission_set,
                right.principal_type,
                &right.principal_name,
                &right.principal_id,
            ))
    });
    let inventory = inventory_rows(&index, &assignments);
    let people = people(&index, &assignments);
    let iam_users = input
        .iam
        .map(|scan| iam_users(&index, scan, input.now))
        .unwrap_or_default();
    let mut iam_scan_errors: Vec<IamScanError> = input
        .iam
        .map(|scan| {
            scan.errors
                .iter()
                .map(|error| IamScanError {
                    account_id: error.account_id.clone(),
                    account_name: index.account_name(&error.account_id),
                    message: error.message.clone(),
                })
                .chain(scan.policies.iter().filter_map(|policy| {
                    let PolicyContent::Unreadable(error) = &policy.content else {
                        return None;
                    };
                    Some(IamScanError {
                        account_id: policy.account_id.clone(),
                        account_name: index.account_name(&policy.account_id),
                        message: format!(
                            "could not read the customer managed policy {} (the permission sets that reference it are not judged by it in this account): {error}",
                            policy.arn
                        ),
                    })
                }))
                .collect()
        })
        .unwrap_or_default();
    iam_scan_errors.sort_by(|left, right| {
        (&left.account_name, &left.account_id, &left.message).cmp(&(
            &right.account_name,
            &right.account_id,
            &right.message,
        ))
    });

    let mut findings = Vec::new();
    let rules = Rules {
        index: &index,
        declared: declared.as_ref(),
        plan: input.declared.map(|declared| declared.plan),
        policies: input
            .iam
            .map(|scan| {
                scan.policies
                    .iter()
                    .map(|policy| {
                        (
                            (
                                policy.account_id.as_str(),
                                policy.path.as_str(),
                                policy.name.as_str(),
                            ),
                            &policy.content,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    rules.assignment_findings(&assignments, &mut findings);
    rules.disabled_user_findings(&inventory, &mut findings);
    rules.group_findings(&assignments, &mut findings);
    rules.declared_missing_findings(&mut findings);
    rules.permission_set_findings(&mut findings);
    rules.missing_policy_findings(&mut findings);
    iam_findings(&iam_users, input.now, &mut findings);
    findings.sort_by(|left, right| {
        right
            .severity
            .cmp(&left.severity)
            .then_with(|| left.rule.cmp(&right.rule))
            .then_with(|| left.key.cmp(&right.key))
    });
    findings.dedup_by(|left, right| left.key == right.key);

    let mut accounts: Vec<AccountInfo> = live
        .accounts
        .iter()
        .map(|account| AccountInfo {
            id: account.id.clone(),
            name: account.name.clone(),
            ou: account.ou_path.clone(),
            status: match account.status {
                monban_model::LiveAccountStatus::Active => "ACTIVE",
                monban_model::LiveAccountStatus::Suspended => "SUSPENDED",
                monban_model::LiveAccountStatus::PendingClosure => "PENDING_CLOSURE",
            }
            .to_owned(),
            management: index.is_management(&account.id),
        })
        .collect();
    accounts.sort_by(|left, right| (&left.name, &left.id).cmp(&(&right.name, &right.id)));

    let mut groups: Vec<GroupInfo> = live
        .groups
        .iter()
        .map(|group| GroupInfo {
            group_id: group.id.clone(),
            name: group.display_name.clone(),
            members: index
                .members
                .get(group.id.as_str())
                .map_or(0, BTreeSet::len),
        })
        .collect();
    groups.sort_by(|left, right| (&left.name, &left.group_id).cmp(&(&right.name, &right.group_id)));

    let mut assignment_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for assignment in &live.assignments {
        *assignment_counts
            .entry(assignment.permission_set_arn.as_str())
            .or_default() += 1;
    }
    let mut permission_sets: Vec<PermissionSetInfo> = live
        .permission_sets
        .iter()
        .map(|set| PermissionSetInfo {
            arn: set.arn.clone(),
            name: set.name.clone(),
            session_duration: set.session_duration.clone(),
            declared: declared
                .as_ref()
                .map(|declared| declared.permission_sets.contains(&set.name)),
            assignments: assignment_counts
                .get(set.arn.as_str())
                .copied()
                .unwrap_or(0),
        })
        .collect();
    permission_sets.sort_by(|left, right| left.name.cmp(&right.name));

    let summary = Summary {
        people: live.users.len(),
        accounts: accounts.len(),
        inventory_rows: inventory.len(),
        assignments: assignments.len(),
        findings: SeverityCounts::count(&findings),
    };
    Report {
        format_version: AUDIT_FORMAT_VERSION,
        generated_at: input.now.round(jiff::Unit::Second).unwrap_or(input.now),
        monban_version: input.tool_version.clone(),
        target: input.target.clone(),
        repo: input.declared.is_some(),
        iam_scanned: input.iam.is_some(),
        organization: OrganizationInfo {
            id: live.organization.id.clone(),
            management_account_id: live.organization.management_account_id.clone(),
        },
        accounts,
        people,
        groups,
        permission_sets,
        inventory,
        assignments,
        iam_users,
        iam_scan_errors,
        findings,
        summary,
        baseline: None,
    }
}

/// The live assignments as rows, each marked against the repo.
fn assignment_rows(index: &Index<'_>, declared: Option<&DeclaredIndex>) -> Vec<AssignmentRow> {
    index
        .live
        .assignments
        .iter()
        .map(|assignment: &LiveAssignment| {
            let permission_set = index.permission_set_name(&assignment.permission_set_arn);
            let principal_name =
                index.principal_name(assignment.principal_type, &assignment.principal_id);
            let key: AssignmentKey = (
                assignment.account_id.clone(),
                permission_set.clone(),
                assignment.principal_type,
                assignment.principal_id.clone(),
            );
            let declared_in = match (declared, &principal_name) {
                (Some(declared), Some(name)) => declared
                    .origins
                    .get(&(
                        assignment.account_id.clone(),
                        permission_set.clone(),
                        assignment.principal_type,
                        name.clone(),
                    ))
                    .cloned()
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let state = declared.map(|declared| {
                let named = principal_name.as_ref().is_some_and(|name| {
                    declared.live_only_named.contains(&(
                        assignment.account_id.clone(),
                        permission_set.clone(),
                        assignment.principal_type,
                        name.clone(),
                    ))
                });
                if named || declared.live_only.contains(&key) {
                    RowState::LiveOnly
                } else {
                    RowState::Declared
                }
            });
            AssignmentRow {
                principal_type: assignment.principal_type,
                principal_id: assignment.principal_id.clone(),
                principal_name,
                account_id: assignment.account_id.clone(),
                account_name: index.account_name(&assignment.account_id),
                permission_set,
                permission_set_arn: Some(assignment.permission_set_arn.clone()),
                state,
                declared_in,
            }
        })
        .collect()
}

/// The assignments the plan creates on live accounts for principals the Identity Store
/// has: declared and not live.
fn declared_missing_rows(index: &Index<'_>, plan: &Plan) -> Vec<AssignmentRow> {
    plan.changes
        .iter()
        .filter(|change| change.action == Action::Create)
        .filter_map(|change| match &change.after {
            Some(Resource::Assignment(state)) => Some(state),
            _ => None,
        })
        .filter_map(|state| {
            let account_id = state.account.id.as_ref()?;
            index.base.accounts_by_id.get(account_id.as_str())?;
            let principal_id = state.principal.id.clone()?;
            Some(AssignmentRow {
                principal_type: live_type(state.principal.kind),
                principal_id,
                principal_name: state.principal.name.clone(),
                account_id: account_id.clone(),
                account_name: index.account_name(account_id),
                permission_set: state.permission_set.clone(),
                permission_set_arn: state.permission_set_arn.clone(),
                state: Some(RowState::DeclaredMissing),
                declared_in: state.origins.iter().map(ToString::to_string).collect(),
            })
        })
        .collect()
}

/// Every (person, account, permission set, via): users directly, groups through their
/// members; a deleted user still assigned is a person too (a deleted group has nobody).
fn inventory_rows(index: &Index<'_>, assignments: &[AssignmentRow]) -> Vec<InventoryRow> {
    let mut rows = Vec::new();
    for assignment in assignments {
        let row = |user_id: &str, user_name: String, via: Via| InventoryRow {
            user_id: user_id.to_owned(),
            user_name,
            account_id: assignment.account_id.clone(),
            account_name: assignment.account_name.clone(),
            permission_set: assignment.permission_set.clone(),
            via,
            state: assignment.state,
            declared_in: assignment.declared_in.clone(),
        };
        match assignment.principal_type {
            LivePrincipalType::User => {
                let user_name = index
                    .base
                    .users_by_id
                    .get(assignment.principal_id.as_str())
                    .map_or_else(
                        || deleted_user_name(&assignment.principal_id),
                        |user| user.user_name.clone(),
                    );
                rows.push(row(&assignment.principal_id, user_name, Via::Direct));
            }
            LivePrincipalType::Group => {
                let Some(group) = index
                    .base
                    .groups_by_id
                    .get(assignment.principal_id.as_str())
                else {
                    continue;
                };
                for member in index
                    .members
                    .get(assignment.principal_id.as_str())
                    .into_iter()
                    .flatten()
                {
                    let Some(user) = index.base.users_by_id.get(member) else {
                        continue;
                    };
                    rows.push(row(
                        member,
                        user.user_name.clone(),
                        Via::Group {
                            group_id: group.id.clone(),
                            group_name: group.display_name.clone(),
                        },
                    ));
                }
            }
        }
    }
    rows.sort_by(|left, right| {
        (
            &left.user_name,
            &left.account_name,
            &left.permission_set,
            &left.via,
            &left.account_id,
        )
            .cmp(&(
                &right.user_name,
                &right.account_name,
                &right.permission_set,
                &right.via,
                &right.account_id,
            ))
    });
    rows
}

fn people(index: &Index<'_>, assignments: &[AssignmentRow]) -> Vec<Person> {
    let mut people: Vec<Person> = index
        .live
        .users
        .iter()
        .map(|user| Person {
            user_id: user.id.clone(),
            user_name: user.user_name.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            status: if user.enabled {
                PersonStatus::Enabled
            } else {
                PersonStatus::Disabled
            },
            groups: index
                .groups_of
                .get(user.id.as_str())
                .map(|groups| groups.iter().map(|name| (*name).to_owned()).collect())
                .unwrap_or_default(),
        })
        .collect();
    let deleted: BTreeSet<&str> = assignments
        .iter()
        .filter(|row| row.principal_type == LivePrincipalType::User && row.principal_name.is_none())
        .map(|row| row.principal_id.as_str())
        .collect();
    people.extend(deleted.into_iter().map(|id| Person {
        user_id: id.to_owned(),
        user_name: deleted_user_name(id),
        display_name: None,
        email: None,
        status: PersonStatus::Deleted,
        groups: Vec::new(),
    }));
    people.sort_by(|left, right| {
        (&left.user_name, &left.user_id).cmp(&(&right.user_name, &right.user_id))
    });
    people
}

fn days_between(earlier: Timestamp, later: Timestamp) -> i64 {
    later.duration_since(earlier).as_secs().div_euclid(86_400)
}

fn iam_users(index: &Index<'_>, scan: &IamScan, now: Timestamp) -> Vec<IamUser> {
    let mut users: Vec<IamUser> = scan
        .users
        .iter()
        .map(|user| IamUser {
            account_id: user.account_id.clone(),
            account_name: index.account_name(&user.account_id),
            user_name: user.user_name.clone(),
            created: user.created,
            password_last_used: user.password_last_used,
            mfa_devices: user.mfa_devices,
            access_keys: user
                .access_keys
                .iter()
                .map(|key| AccessKey {
                    id: key.masked_id.clone(),
                    status: key.status.clone(),
                    created: key.created,
                    age_days: days_between(key.created, now),
                    last_used: key.last_used,
                    last_used_service: key.last_used_service.clone(),
                })
                .collect(),
        })
        .collect();
    users.sort_by(|left, right| {
        (&left.account_name, &left.account_id, &left.user_name).cmp(&(
            &right.account_name,
            &right.account_id,
            &right.user_name,
        ))
    });
    users
}

/// The rule engine's shared inputs.
struct Rules<'run, 'live> {
    index: &'run Index<'live>,
    declared: Option<&'run DeclaredIndex>,
    plan: Option<&'run Plan>,
    /// The customer managed policies the IAM scan read, by (account id, path, name).
    policies: BTreeMap<(&'run str, &'run str, &'run str), &'run PolicyContent>,
}

fn principal_of(row: &AssignmentRow) -> FindingPrincipal {
    FindingPrincipal {
        principal_type: row.principal_type,
        id: row.principal_id.clone(),
        name: row.principal_name.clone(),
    }
}

fn account_of(row: &AssignmentRow) -> FindingAccount {
    FindingAccount {
        id: row.account_id.clone(),
        name: Some(row.account_name.clone()),
    }
}

/// `group engineers`, `user alice@example.com`, `deleted user 9067…`.
fn principal_text(row: &AssignmentRow) -> String {
    let kind = match row.principal_type {
        LivePrincipalType::User => "user",
        LivePrincipalType::Group => "group",
    };
    match &row.principal_name {
        Some(name) => format!("{kind} {name}"),
        None => format!("deleted {kind} {}", row.principal_id),
    }
}

/// `rule:TYPE:principal:account:permission set`.
fn assignment_key(rule: &str, row: &AssignmentRow) -> String {
    format!(
        "{rule}:{}:{}:{}:{}",
        type_text(row.principal_type),
        row.principal_id,
        row.account_id,
        row.permission_set
    )
}

impl Rules<'_, '_> {
    /// Whether a `safety.protected` entry or a break-glass group holds this assignment.
    fn is_break_glass(&self, row: &AssignmentRow) -> bool {
        if row.principal_type == LivePrincipalType::Group
            && row
                .principal_name
                .as_deref()
                .is_some_and(is_break_glass_name)
        {
            return true;
        }
        let (Some(declared), Some(name)) = (self.declared, &row.principal_name) else {
            return false;
        };
        declared.protected.contains(&(
            row.account_id.clone(),
            row.permission_set.clone(),
            row.principal_type,
            name.clone(),
        ))
    }

    fn assignment_findings(&self, assignments: &[AssignmentRow], findings: &mut Vec<Finding>) {
        for row in assignments {
            if row.state == Some(RowState::DeclaredMissing) {
                continue;
            }
            let principal = principal_text(row);
            let place = format!("{} on {}", row.permission_set, row.account_name);
            let finding =
                |rule: &str, severity, title: &str, explanation: String, fix: String| Finding {
                    key: assignment_key(rule, row),
                    rule: rule.to_owned(),
                    severity,
                    title: title.to_owned(),
                    principal: Some(principal_of(row)),
                    account: Some(account_of(row)),
                    permission_set: Some(row.permission_set.clone()),
                    explanation,
                    fix,
                };
            if row.principal_name.is_none() {
                // A deleted principal: this finding says all there is to say (it is also
                // live-only, direct, … but the fix is the same single removal).
                findings.push(finding(
                    "principal-deleted",
                    Severity::High,
                    "Assignment to a principal that no longer exists",
                    format!(
                        "{principal} holds {place}, but the Identity Store no longer has it. The assignment and its role stay; if the identity provider re-creates a principal, it gets a new id and not this access, so this row only hides who once had access and keeps the role provisioned."
                    ),
                    format!(
                        "Remove the assignment (`monban plan` proposes it when the account is declared and `safety.exclusive` is on), or in the console: IAM Identity Center → AWS accounts → {} → remove {}.",
                        row.account_name, row.permission_set
                    ),
                ));
                continue;
            }
            if row.state == Some(RowState::LiveOnly) {
                findings.push(finding(
                    "live-only-assignment",
                    Severity::Medium,
                    "Assignment made outside the access repo",
                    format!(
                        "{principal} holds {place}, and the access repo does not declare it: it was made in the console or by another tool, without review."
                    ),
                    format!(
                        "Either declare it (add the {} under `{}` in accounts/{}.yaml) so it is reviewed, or let `monban apply` remove it.",
                        principal, row.permission_set, row.account_name
                    ),
                ));
            }
            if row.principal_type == LivePrincipalType::User {
                findings.push(finding(
                    "direct-user-assignment",
                    Severity::Low,
                    "Direct user assignment bypasses groups",
                    format!(
                        "{principal} holds {place} personally, not through a group: it does not follow the person's role in the identity provider and is easily forgotten when they move or leave."
                    ),
                    "Grant it through a group the identity provider manages; if it is temporary, give it an `until:` date and a `reason:`.".to_owned(),
                ));
            }
            if let Some(reason) = self.administrator_reason(&row.permission_set, &row.account_id)
                && !self.is_break_glass(row)
            {
                findings.push(finding(
                    "admin-outside-break-glass",
                    Severity::High,
                    "Full administrator access outside break-glass",
                    format!(
                        "{principal} holds {place}, which grants everything: {reason}. Standing administrator access should be limited to the protected break-glass group."
                    ),
                    "Grant a narrower permission set for daily work; keep administrator access for a break-glass group listed in `safety.protected`.".to_owned(),
                ));
            }
            if self.index.is_management(&row.account_id) && !self.is_break_glass(row) {
                findings.push(finding(
                    "management-account-assignment",
                    Severity::Medium,
                    "Access to the management account",
                    format!(
                        "{principal} holds {place}, the organization's management account, which controls every account, SCP and Identity Center itself. AWS recommends using it only for tasks that need it."
                    ),
                    "Move the work to a member account (delegated administration); keep only a protected break-glass assignment here.".to_owned(),
                ));
            }
        }
    }

    /// Why `permission_set` grants everything in `account_id`, if it does: its AWS managed
    /// or inline policy (the same everywhere), or one of its customer managed policies as
    /// that account's IAM has it.
    fn administrator_reason(&self, permission_set: &str, account_id: &str) -> Option<String> {
        let set = self
            .index
            .live
            .permission_sets
            .iter()
            .find(|set| set.name == permission_set)?;
        // A permissions boundary caps what the role can do, whatever it attaches: that is
        // bounded administration (a sandbox's admin), not the keys to the account.
        if set.permissions_boundary.is_some() {
            return None;
        }
        if let Some(reason) =
            policy::administrator_reason(&set.managed_policies, set.inline_policy.as_deref())
        {
            return Some(reason);
        }
        set.customer_managed_policies.iter().find_map(|reference| {
            let document = self.policy_document(account_id, &reference.path, &reference.name)?;
            policy::grants_everything(document).then(|| {
                format!(
                    "its customer managed policy {}{} in account {} ({account_id}) allows `*` on every resource (`*:*`)",
                    reference.path,
                    reference.name,
                    self.index.account_name(account_id)
                )
            })
        })
    }

    /// The document of a customer managed policy as `account_id`'s IAM has it, when the
    /// scan read it.
    fn policy_document(&self, account_id: &str, path: &str, name: &str) -> Option<&str> {
        match self.policies.get(&(account_id, path, name)) {
            Some(PolicyContent::Document(document)) => Some(document.as_str()),
            _ => None,
        }
    }

    /// The accounts `arn` is provisioned to, by account name.
    fn provisioned_accounts(&self, arn: &str) -> Vec<(String, &str)> {
        let mut accounts: Vec<(String, &str)> = self
            .index
            .live
            .provisioned
            .iter()
            .filter(|provisioned| provisioned.permission_set_arn == arn)
            .map(|provisioned| {
                (
                    self.index.account_name(&provisioned.account_id),
                    provisioned.account_id.as_str(),
                )
            })
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        accounts
    }

    /// Where each customer managed policy of `set` allows an `iam:PassRole`-matching action
    /// on `*`: per policy and list of actions, the accounts (`name (id)`) whose copy does.
    fn pass_role_in_customer_managed(
        &self,
        set: &monban_model::LivePermissionSet,
    ) -> Vec<(String, Vec<String>, Vec<String>)> {
        let accounts = self.provisioned_accounts(&set.arn);
        let mut found = Vec::new();
        for reference in &set.customer_managed_policies {
            let mut by_actions: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
            for (account_name, account_id) in &accounts {
                let Some(document) =
                    self.policy_document(account_id, &reference.path, &reference.name)
                else {
                    continue;
                };
                let actions = policy::pass_role_wildcards(Some(document));
                if !actions.is_empty() {
                    by_actions
                        .entry(actions)
                        .or_default()
                        .push(format!("{account_name} ({account_id})"));
                }
            }
            for (actions, where_found) in by_actions {
                found.push((
                    format!("{}{}", reference.path, reference.name),
                    actions,
                    where_found,
                ));
            }
        }
        found
    }

    /// `customer-managed-policy-missing`: a permission set provisioned to an account whose
    /// IAM has no policy of a path and name it references.
    fn missing_policy_findings(&self, findings: &mut Vec<Finding>) {
        let live = self.index.live;
        for set in &live.permission_sets {
            for (account_name, account_id) in self.provisioned_accounts(&set.arn) {
                for reference in &set.customer_managed_policies {
                    let key = (account_id, reference.path.as_str(), reference.name.as_str());
                    if self.policies.get(&key) != Some(&&PolicyContent::Missing) {
                        continue;
                    }
                    let policy = format!("{}{}", reference.path, reference.name);
                    let name = &set.name;
                    findings.push(Finding {
                        key: format!(
                            "customer-managed-policy-missing:{name}:{account_id}:{policy}"
                        ),
                        rule: "customer-managed-policy-missing".to_owned(),
                        severity: Severity::Medium,
                        title: "Customer managed policy missing in an account".to_owned(),
                        principal: None,
                        account: Some(FindingAccount {
                            id: account_id.to_owned(),
                            name: Some(account_name.clone()),
                        }),
                        permission_set: Some(name.clone()),
                        explanation: format!(
                            "Permission set {name} references the customer managed policy {policy}, and {account_name}'s IAM has no policy of that path and name, although {name} is provisioned there. AWS refuses to provision a permission set whose customer managed policy is missing (\"Received a 404 status error: Not supported policy …\"), so no change to {name} reaches {account_name}, and the role there lacks what the policy should grant (or still has an old copy's)."
                        ),
                        fix: format!(
                            "Create {policy} in {account_name} (through the account baseline that deploys it to every account: StackSets, Control Tower customizations), or remove the reference from permission-sets/{name}.yaml; then re-provision {name} (`monban apply`)."
                        ),
                    });
                }
            }
        }
    }

    fn disabled_user_findings(&self, inventory: &[InventoryRow], findings: &mut Vec<Finding>) {
        let mut held: BTreeMap<(&str, &str, &str), Vec<String>> = BTreeMap::new();
        for row in inventory {
            if row.state == Some(RowState::DeclaredMissing) {
                continue;
            }
            let Some(user) = self.index.base.users_by_id.get(row.user_id.as_str()) else {
                continue;
            };
            if user.enabled {
                continue;
            }
            held.entry((&row.user_id, &row.account_id, &row.permission_set))
                .or_default()
                .push(row.via.to_string());
        }
        for ((user_id, account_id, permission_set), paths) in held {
            let user_name = self
                .index
                .base
                .users_by_id
                .get(user_id)
                .map(|user| user.user_name.clone());
            let account_name = self.index.account_name(account_id);
            findings.push(Finding {
                key: format!("disabled-user-access:{user_id}:{account_id}:{permission_set}"),
                rule: "disabled-user-access".to_owned(),
                severity: Severity::High,
                title: "Disabled user still holds access".to_owned(),
                principal: Some(FindingPrincipal {
                    principal_type: LivePrincipalType::User,
                    id: user_id.to_owned(),
                    name: user_name.clone(),
                }),
                account: Some(FindingAccount {
                    id: account_id.to_owned(),
                    name: Some(account_name.clone()),
                }),
                permission_set: Some(permission_set.to_owned()),
                explanation: format!(
                    "user {} is disabled in the Identity Store (a leaver, usually) and still holds {permission_set} on {account_name} ({}). They cannot sign in today, but re-enabling the user restores the access at once.",
                    user_name.as_deref().unwrap_or(user_id),
                    paths.join(", ")
                ),
                fix: "Remove the user from the groups and direct grants listed (in the identity provider for groups; in the access repo for direct grants), or delete the user if they have left.".to_owned(),
            });
        }
    }

    fn group_findings(&self, assignments: &[AssignmentRow], findings: &mut Vec<Finding>) {
        let mut assigned: BTreeMap<&str, usize> = BTreeMap::new();
        for row in assignments {
            if row.principal_type == LivePrincipalType::Group
                && row.state != Some(RowState::DeclaredMissing)
                && row.principal_name.is_some()
            {
                *assigned.entry(row.principal_id.as_str()).or_default() += 1;
            }
        }
        for (group_id, count) in assigned {
            if self
                .index
                .members
                .get(group_id)
                .is_some_and(|members| !members.is_empty())
            {
                continue;
            }
            let name = self
                .index
                .base
                .groups_by_id
                .get(group_id)
                .map(|group| group.display_name.clone());
            findings.push(Finding {
                key: format!("group-without-members:{group_id}"),
                rule: "group-without-members".to_owned(),
                severity: Severity::Low,
                title: "Group with assignments and no members".to_owned(),
                principal: Some(FindingPrincipal {
                    principal_type: LivePrincipalType::Group,
                    id: group_id.to_owned(),
                    name: name.clone(),
                }),
                account: None,
                permission_set: None,
                explanation: format!(
                    "group {} holds {count} assignment(s) and has no members: nobody uses the access, and whoever is added to the group later gets all of it without a review of the access repo.",
                    name.as_deref().unwrap_or(group_id)
                ),
                fix: "Remove the group's assignments if it is no longer used; otherwise check that the identity provider still pushes its members.".to_owned(),
            });
        }
    }

    fn declared_missing_findings(&self, findings: &mut Vec<Finding>) {
        let Some(plan) = self.plan else {
            return;
        };
        for change in &plan.changes {
            if change.action != Action::Create {
                continue;
            }
            let (Some(Resource::Assignment(state)), Address::Assignment { .. }) =
                (&change.after, &change.address)
            else {
                continue;
            };
            let Some(account_id) = &state.account.id else {
                continue;
            };
            if !self
                .index
                .base
                .accounts_by_id
                .contains_key(account_id.as_str())
            {
                continue;
            }
            let principal_type = live_type(state.principal.kind);
            let principal_name = state.principal.name.clone().unwrap_or_default();
            let missing_principal = state.principal.id.is_none();
            findings.push(Finding {
                key: format!(
                    "declared-missing-assignment:{}:{}:{}:{}",
                    type_text(principal_type),
                    principal_name,
                    account_id,
                    state.permission_set
                ),
                rule: "declared-missing-assignment".to_owned(),
                severity: Severity::Info,
                title: "Declared assignment not live".to_owned(),
                principal: state.principal.id.as_ref().map(|id| FindingPrincipal {
                    principal_type,
                    id: id.clone(),
                    name: state.principal.name.clone(),
                }),
                account: Some(FindingAccount {
                    id: account_id.clone(),
                    name: Some(self.index.account_name(account_id)),
                }),
                permission_set: Some(state.permission_set.clone()),
                explanation: if missing_principal {
                    format!(
                        "The repo grants {} {} on {} ({}), and the Identity Store has no such principal, so it cannot be assigned.",
                        state.principal.kind.as_str(),
                        principal_name,
                        state.account.name,
                        state.permission_set
                    )
                } else {
                    format!(
                        "The repo grants {} {} {} on {}, and it is not assigned in AWS: not applied yet, or removed outside the repo.",
                        state.principal.kind.as_str(),
                        principal_name,
                        state.permission_set,
                        state.account.name
                    )
                },
                fix: if missing_principal {
                    "Check the name against the identity provider (`monban validate --directory`), or wait for its next SCIM push.".to_owned()
                } else {
                    "Run `monban plan` and `monban apply`.".to_owned()
                },
            });
        }
    }

    fn permission_set_findings(&self, findings: &mut Vec<Finding>) {
        let live = self.index.live;
        let assigned: BTreeSet<&str> = live
            .assignments
            .iter()
            .map(|assignment| assignment.permission_set_arn.as_str())
            .collect();
        for set in &live.permission_sets {
            let name = set.name.as_str();
            let set_finding =
                |rule: &str, severity, title: &str, explanation: String, fix: String| Finding {
                    key: format!("{rule}:{name}"),
                    rule: rule.to_owned(),
                    severity,
                    title: title.to_owned(),
                    principal: None,
                    account: None,
                    permission_set: Some(name.to_owned()),
                    explanation,
                    fix,
                };
            if !assigned.contains(set.arn.as_str()) {
                findings.push(set_finding(
                    "permission-set-unused",
                    Severity::Low,
                    "Permission set assigned nowhere",
                    format!("Permission set {name} exists and no account assignment uses it."),
                    format!(
                        "Delete it (remove permission-sets/{name}.yaml, or delete it in the console if the repo does not declare it), or assign it where it was meant to be used."
                    ),
                ));
            }
            if let Some(seconds) = set
                .session_duration
                .as_deref()
                .and_then(policy::duration_seconds)
                && seconds > SESSION_LIMIT_SECONDS
            {
                findings.push(set_finding(
                    "long-session",
                    Severity::Low,
                    "Session longer than 8 hours",
                    format!(
                        "Permission set {name} lets a session last {} ({} h): stolen session credentials stay valid that long.",
                        set.session_duration.as_deref().unwrap_or_default(),
                        seconds / 3600
                    ),
                    format!("Set `session_duration: PT8H` or less in permission-sets/{name}.yaml."),
                ));
            }
            let pass_role = policy::pass_role_wildcards(set.inline_policy.as_deref());
            let pass_role_customer = self.pass_role_in_customer_managed(set);
            if !pass_role.is_empty() || !pass_role_customer.is_empty() {
                let mut grants = Vec::new();
                if !pass_role.is_empty() {
                    grants.push(format!(
                        "inline policy allows {} on `*`",
                        pass_role.join(", ")
                    ));
                }
                for (policy, actions, accounts) in &pass_role_customer {
                    grants.push(format!(
                        "customer managed policy {policy} allows {} on `*` in {}",
                        actions.join(", "),
                        accounts.join(", ")
                    ));
                }
                let mut fix = "Limit the statement's Resource to the role ARNs that really need passing, and add an `iam:PassedToService` condition.".to_owned();
                if !pass_role_customer.is_empty() {
                    fix.push_str(" A customer managed policy is changed in every account listed (where the account baseline that deploys it does).");
                }
                findings.push(set_finding(
                    "passrole-wildcard",
                    Severity::High,
                    "iam:PassRole on every role",
                    format!(
                        "Permission set {name}'s {}: its holders can hand any role of the account — administrator roles included — to a service they control, and act as that role.",
                        grants.join(", and its ")
                    ),
                    fix,
                ));
            }
            if let Some((count, managed)) =
                policy::redundant_statements(&set.managed_policies, set.inline_policy.as_deref())
            {
                findings.push(set_finding(
                    "redundant-inline-policy",
                    Severity::Info,
                    "Inline policy repeats a managed policy",
                    format!(
                        "{count} Allow statement(s) of permission set {name}'s inline policy grant nothing that {managed} does not already grant: they only make the policy harder to review."
                    ),
                    format!("Remove those statements from permission-sets/{name}.policy.json."),
                ));
            }
        }
        let mut outdated: Vec<(&str, &str)> = live
            .provisioned
            .iter()
            .filter(|provisioned| !provisioned.current)
            .map(|provisioned| {
                (
                    provisioned.permission_set_arn.as_str(),
                    provisioned.account_id.as_str(),
                )
            })
            .collect();
        outdated.sort_unstable();
        for (arn, account_id) in outdated {
            let name = self.index.permission_set_name(arn);
            let account_name = self.index.account_name(account_id);
            findings.push(Finding {
                key: format!("permission-set-outdated:{name}:{account_id}"),
                rule: "permission-set-outdated".to_owned(),
                severity: Severity::Medium,
                title: "Provisioned role is outdated".to_owned(),
                principal: None,
                account: Some(FindingAccount {
                    id: account_id.to_owned(),
                    name: Some(account_name.clone()),
                }),
                permission_set: Some(name.clone()),
                explanation: format!(
                    "Permission set {name} changed after it was provisioned to {account_name}: the role there still has the old policies, so what the repo and the console show is not what its holders get."
                ),
                fix: format!(
                    "Re-provision it: `monban apply` does (plan action `provision`), or the console's \"Update in AWS accounts\" on {name}."
                ),
            });
        }
    }
}

fn iam_findings(users: &[IamUser], now: Timestamp, findings: &mut Vec<Finding>) {
    for user in users {
        let account = FindingAccount {
            id: user.account_id.clone(),
            name: Some(user.account_name.clone()),
        };
        let active_keys = user
            .access_keys
            .iter()
            .filter(|key| key.status == "Active")
            .count();
        findings.push(Finding {
            key: format!("iam-user:{}:{}", user.account_id, user.user_name),
            rule: "iam-user".to_owned(),
            severity: Severity::Medium,
            title: "IAM user in a member account".to_owned(),
            principal: None,
            account: Some(account.clone()),
            permission_set: None,
            explanation: format!(
                "IAM user {} in {} ({} access key(s), {} active; {} MFA device(s)) is a long-lived identity outside Identity Center: it is not removed when its owner leaves and its keys do not expire.",
                user.user_name,
                user.account_name,
                user.access_keys.len(),
                active_keys,
                user.mfa_devices
            ),
            fix: "Replace it with Identity Center access for people, or an IAM role (assumed by the workload, OIDC federation for CI) for machines; then delete the user.".to_owned(),
        });
        for key in &user.access_keys {
            if key.status != "Active" {
                continue;
            }
            let key_finding = |rule: &str, title: &str, explanation: String| Finding {
                key: format!("{rule}:{}:{}:{}", user.account_id, user.user_name, key.id),
                rule: rule.to_owned(),
                severity: Severity::High,
                title: title.to_owned(),
                principal: None,
                account: Some(account.clone()),
                permission_set: None,
                explanation,
                fix: format!(
                    "Rotate or delete access key {} of {} (IAM → Users → {} → Security credentials), and move its user to a role.",
                    key.id, user.user_name, user.user_name
                ),
            };
            if key.age_days > KEY_AGE_LIMIT_DAYS {
                findings.push(key_finding(
                    "iam-user-old-key",
                    "Access key older than 90 days",
                    format!(
                        "Active access key {} of IAM user {} in {} is {} days old (created {}).",
                        key.id, user.user_name, user.account_name, key.age_days, key.created
                    ),
                ));
            }
            let unused_days = key
                .last_used
                .map_or(key.age_days, |last_used| days_between(last_used, now));
            if unused_days > KEY_AGE_LIMIT_DAYS {
                let last = key
                    .last_used
                    .map_or_else(|| "never used".to_owned(), |at| format!("last used {at}"));
                findings.push(key_finding(
                    "iam-user-unused-key",
                    "Access key unused for 90 days",
                    format!(
                        "Active access key {} of IAM user {} in {} has not been used for {unused_days} days ({last}): a credential nobody needs, waiting to leak.",
                        key.id, user.user_name, user.account_name
                    ),
                ));
            }
        }
    }
}
