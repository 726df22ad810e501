//! From a [`Plan`] to tasks with dependencies. One plan change becomes one or more tasks
//! (a permission-set update is the edit plus one provisioning per account), each with the
//! journal key it is recorded under and the tasks it waits for:
//!
//! - **hard** dependencies provide something (an OU id, an account id, a permission-set
//!   ARN) or make the task meaningful (the old permission set's assignments are only
//!   removed once its replacement's are in place): when one fails, the task is skipped;
//! - **order** dependencies only sequence work on one (permission set, account) pair —
//!   creations, then provisioning, then deletions — and run the task whatever their outcome.
//!
//! Ids unknown at plan time (a new OU's, a new account's, a new permission set's ARN) are
//! [`Ref::Task`]s: read from the providing task's result when the task starts.

use std::collections::{BTreeMap, BTreeSet};

use monban_model::{LiveCreationState, LiveState};
use monban_plan::{
    AccountState, Action, Address, AssignmentState, Cause, Change, PermissionSetState, Plan,
    PrincipalKind, Resource,
};
use sha2::{Digest, Sha256};

pub(crate) type TaskId = usize;

/// Tags (before, after).
pub(crate) type TagChange = (BTreeMap<String, String>, BTreeMap<String, String>);

/// Per pair: (creations, provisionings, deletions).
type PairTasks = (Vec<TaskId>, Vec<TaskId>, Vec<TaskId>);

/// A value a task needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref {
    /// Known from the plan or the live state.
    Known(String),
    /// The result of another task (a hard dependency).
    Task(TaskId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dep {
    Hard,
    Order,
}

/// What a task does.
#[derive(Debug, Clone)]
pub(crate) enum TaskKind {
    CreateOu {
        name: String,
        parent: Ref,
    },
    DeleteOu {
        id: String,
    },
    CreateAccount {
        name: String,
        email: String,
        tags: BTreeMap<String, String>,
        ou: Option<Ref>,
    },
    /// An account whose `CreateAccount` was already in progress when the plan was made.
    AwaitAccount {
        request_id: String,
    },
    UpdateAccount {
        id: String,
        /// (current parent, destination).
        moves: Option<(Ref, Ref)>,
        tags: Option<TagChange>,
    },
    CloseAccount {
        id: String,
    },
    /// Invites an account outside the organization (`InviteAccountToOrganization`); done
    /// once AWS returns the open handshake, whose id is the result.
    InviteAccount {
        id: String,
        tags: BTreeMap<String, String>,
        notes: String,
    },
    /// Work that cannot be done yet (an assignment on an account whose invitation is
    /// pending): never run; its change is reported skipped with `reason`.
    Deferred {
        reason: String,
    },
    /// Creates (`existing_arn: None`) or edits a permission set; results in its ARN.
    PutPermissionSet {
        existing_arn: Option<String>,
        before: Option<Box<PermissionSetState>>,
        after: Box<PermissionSetState>,
    },
    Provision {
        permission_set: Ref,
        account_id: String,
    },
    CreateAssignment {
        permission_set: Ref,
        account: Ref,
        principal_kind: PrincipalKind,
        principal_id: String,
    },
    DeleteAssignment {
        permission_set_arn: String,
        account_id: String,
        principal_kind: PrincipalKind,
        principal_id: String,
    },
    DeletePermissionSet {
        arn: String,
    },
    /// The plan lacks something this change needs (an id); fails at once with `message`.
    Invalid {
        message: String,
    },
}

/// One unit of work.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// The plan change it belongs to (index into `Plan::changes`).
    pub(crate) change: usize,
    /// What the task's events and errors name (the change's address, or the account
    /// being waited for).
    pub(crate) address: Address,
    /// The journal key.
    pub(crate) key: String,
    /// (permission set name, account name) for work that must be serialized per pair.
    pub(crate) pair: Option<(String, String)>,
    pub(crate) kind: TaskKind,
    pub(crate) deps: Vec<(TaskId, Dep)>,
}

/// A short digest of a permission set's desired content (everything but its ARN).
pub(crate) fn content_digest(state: &PermissionSetState) -> String {
    let mut state = state.clone();
    state.arn = None;
    let value = serde_json::to_value(&state).unwrap_or_default();
    let digest = Sha256::digest(monban_plan::canonical_json(&value).as_bytes());
    hex::encode(&digest[..6])
}

fn parent_path(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(parent, _)| parent)
}

fn last_segment(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

#[derive(Default)]
struct Builder {
    tasks: Vec<Task>,
    ou_tasks: BTreeMap<String, TaskId>,
    account_tasks: BTreeMap<String, TaskId>,
    permission_set_tasks: BTreeMap<String, TaskId>,
    /// Assignment creations per (permission set name, account name).
    creations_by_pair: BTreeMap<(String, String), Vec<TaskId>>,
    /// Assignment creations per permission set name.
    creations_by_permission_set: BTreeMap<String, Vec<TaskId>>,
    /// Assignment deletions per permission set ARN.
    deletions_by_arn: BTreeMap<String, Vec<TaskId>>,
    /// Accounts the plan invites, or whose invitation is pending (by name): their
    /// assignments wait for the owner to accept.
    invited: BTreeSet<String>,
}

impl Builder {
    fn push(&mut self, task: Task) -> TaskId {
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    fn ou_ref(&self, live: &LiveState, path: Option<&str>) -> (Ref, Option<TaskId>) {
        let Some(path) = path else {
            return (Ref::Known(live.organization.root_id.clone()), None);
        };
        if let Some(task) = self.ou_tasks.get(path) {
            return (Ref::Task(*task), Some(*task));
        }
        match live.ous.iter().find(|ou| ou.path == path) {
            Some(ou) => (Ref::Known(ou.id.clone()), None),
            // The plan creates every declared OU live lacks, so this cannot be reached by
            // a plan of this live state; name it rather than guess.
            None => (Ref::Known(format!("<no OU {path}>")), None),
        }
    }
}

fn invalid(change: usize, address: &Address, operation: &str, message: String) -> Task {
    Task {
        change,
        address: address.clone(),
        key: format!("{address}#{operation}"),
        pair: None,
        kind: TaskKind::Invalid { message },
        deps: Vec::new(),
    }
}

/// The tasks of `plan`, with their dependencies.
pub(crate) fn build(plan: &Plan, live: &LiveState) -> Vec<Task> {
    let mut builder = Builder {
        invited: plan
            .warnings
            .iter()
            .filter(|warning| warning.code == monban_plan::WarningCode::InvitationPending)
            .filter_map(|warning| match &warning.address {
                Some(Address::Account { account }) => Some(account.clone()),
                _ => None,
            })
            .collect(),
        ..Builder::default()
    };
    let mut deferred_deletions: Vec<(usize, String, String)> = Vec::new();
    let mut provisions: Vec<(usize, TaskId)> = Vec::new();
    for (index, change) in plan.changes.iter().enumerate() {
        let address = &change.address;
        match (&change.address, &change.before, &change.after) {
            (Address::Ou { path }, _, Some(Resource::Ou(_))) if change.action == Action::Create => {
                let (parent, dependency) = builder.ou_ref(live, parent_path(path));
                let task = builder.push(Task {
                    change: index,
                    address: address.clone(),
                    key: format!("{address}#create"),
                    pair: None,
                    kind: TaskKind::CreateOu {
                        name: last_segment(path).to_owned(),
                        parent,
                    },
                    deps: dependency
                        .map(|task| (task, Dep::Hard))
                        .into_iter()
                        .collect(),
                });
                builder.ou_tasks.insert(path.clone(), task);
            }
            (Address::Ou { .. }, Some(Resource::Ou(before)), None) => {
                let task = match &before.id {
                    Some(id) => Task {
                        change: index,
                        address: address.clone(),
                        key: format!("{address}#delete"),
                        pair: None,
                        kind: TaskKind::DeleteOu { id: id.clone() },
                        deps: Vec::new(),
                    },
                    None => invalid(index, address, "delete", "the OU has no id".into()),
                };
                // Dependencies (everything else first) are added once all tasks exist.
                builder.push(task);
            }
            (Address::Account { account }, _, _) => {
                plan_account(&mut builder, live, index, change, account);
            }
            (Address::PermissionSet { permission_set }, before, after) => match change.action {
                Action::Create | Action::Update | Action::Replace => {
                    let Some(Resource::PermissionSet(after)) = after else {
                        builder.push(invalid(index, address, "put", "no desired state".into()));
                        continue;
                    };
                    let before_state = match before {
                        Some(Resource::PermissionSet(before)) => Some(before.clone()),
                        _ => None,
                    };
                    let existing_arn = if change.action == Action::Update {
                        before_state.as_ref().and_then(|before| before.arn.clone())
                    } else {
                        None
                    };
                    let operation = if existing_arn.is_some() {
                        format!("update@{}", content_digest(after))
                    } else {
                        "create".to_owned()
                    };
                    let task = builder.push(Task {
                        change: index,
                        address: address.clone(),
                        key: format!("{address}#{operation}"),
                        pair: None,
                        kind: TaskKind::PutPermissionSet {
                            existing_arn: existing_arn.clone(),
                            before: if change.action == Action::Update {
                                before_state.clone().map(Box::new)
                            } else {
                                None
                            },
                            after: Box::new(after.clone()),
                        },
                        deps: Vec::new(),
                    });
                    builder
                        .permission_set_tasks
                        .insert(permission_set.clone(), task);
                    if change.action == Action::Update {
                        for account in &change.provision {
                            if let Some(provision) = provision_task(
                                index,
                                address,
                                permission_set,
                                Ref::Task(task),
                                existing_arn.as_deref(),
                                &account.name,
                                account.id.as_deref(),
                                after,
                                plan,
                                live,
                            ) {
                                let mut provision = provision;
                                provision.deps.push((task, Dep::Hard));
                                provisions.push((index, builder.push(provision)));
                            }
                        }
                    }
                    if change.action == Action::Replace {
                        match before_state.and_then(|before| before.arn) {
                            Some(old_arn) => deferred_deletions.push((
                                index,
                                old_arn,
                                format!("{address}#delete-replaced"),
                            )),
                            None => {
                                builder.push(invalid(
                                    index,
                                    address,
                                    "delete-replaced",
                                    "the replaced permission set has no ARN".into(),
                                ));
                            }
                        }
                    }
                }
                Action::Provision => {
                    let Some(Resource::PermissionSet(state)) = after.as_ref().or(before.as_ref())
                    else {
                        builder.push(invalid(index, address, "provision", "no state".into()));
                        continue;
                    };
                    let arn = state.arn.clone().or_else(|| match before {
                        Some(Resource::PermissionSet(before)) => before.arn.clone(),
                        _ => None,
                    });
                    let Some(arn) = arn else {
                        builder.push(invalid(
                            index,
                            address,
                            "provision",
                            "the permission set has no ARN".into(),
                        ));
                        continue;
                    };
                    for account in &change.provision {
                        if let Some(provision) = provision_task(
                            index,
                            address,
                            permission_set,
                            Ref::Known(arn.clone()),
                            Some(&arn),
                            &account.name,
                            account.id.as_deref(),
                            state,
                            plan,
                            live,
                        ) {
                            provisions.push((index, builder.push(provision)));
                        }
                    }
                }
                Action::Delete => match before {
                    Some(Resource::PermissionSet(PermissionSetState {
                        arn: Some(arn), ..
                    })) => {
                        deferred_deletions.push((index, arn.clone(), format!("{address}#delete")));
                    }
                    _ => {
                        builder.push(invalid(
                            index,
                            address,
                            "delete",
                            "the permission set has no ARN".into(),
                        ));
                    }
                },
                Action::Close | Action::Invite => {
                    builder.push(invalid(
                        index,
                        address,
                        change.action.as_str(),
                        "not a permission-set action".into(),
                    ));
                }
            },
            (Address::Assignment { .. }, _, Some(Resource::Assignment(after)))
                if change.action == Action::Create =>
            {
                plan_assignment_creation(&mut builder, live, index, address, after);
            }
            (Address::Assignment { .. }, Some(Resource::Assignment(before)), _)
                if change.action == Action::Delete =>
            {
                plan_assignment_deletion(&mut builder, index, address, before, &change.cause);
            }
            _ => {
                builder.push(invalid(
                    index,
                    address,
                    change.action.as_str(),
                    format!("monban cannot apply a `{}` of {address}", change.action),
                ));
            }
        }
    }
    for (index, arn, key) in deferred_deletions {
        let address = plan.changes[index].address.clone();
        let deps = builder
            .deletions_by_arn
            .get(&arn)
            .into_iter()
            .flatten()
            .map(|task| (*task, Dep::Hard))
            .collect();
        builder.push(Task {
            change: index,
            address,
            key: format!("{key}:{arn}"),
            pair: None,
            kind: TaskKind::DeletePermissionSet { arn },
            deps,
        });
    }
    order_pairs(&mut builder);
    order_ou_deletions(&mut builder);
    builder.tasks
}

fn plan_account(
    builder: &mut Builder,
    live: &LiveState,
    index: usize,
    change: &Change,
    account: &str,
) {
    let address = &change.address;
    match (change.action, &change.before, &change.after) {
        (Action::Create, _, Some(Resource::Account(after))) => {
            let Some(email) = &after.email else {
                builder.push(invalid(
                    index,
                    address,
                    "create",
                    "the account has no root e-mail".into(),
                ));
                return;
            };
            let (ou, dependency) = match after.ou.as_deref() {
                Some(path) => {
                    let (reference, dependency) = builder.ou_ref(live, Some(path));
                    (Some(reference), dependency)
                }
                None => (None, None),
            };
            let task = builder.push(Task {
                change: index,
                address: address.clone(),
                key: format!("{address}#create:{}", email.to_lowercase()),
                pair: None,
                kind: TaskKind::CreateAccount {
                    name: account.to_owned(),
                    email: email.clone(),
                    tags: after.tags.clone(),
                    ou,
                },
                deps: dependency
                    .map(|task| (task, Dep::Hard))
                    .into_iter()
                    .collect(),
            });
            builder.account_tasks.insert(account.to_owned(), task);
        }
        (Action::Update, Some(Resource::Account(before)), Some(Resource::Account(after))) => {
            let Some(id) = before.id.clone() else {
                builder.push(invalid(
                    index,
                    address,
                    "update",
                    "the account has no id".into(),
                ));
                return;
            };
            let fields: BTreeSet<&str> = change
                .fields
                .iter()
                .map(|field| field.field.as_str())
                .collect();
            let mut deps = Vec::new();
            let moves = if fields.contains("ou") {
                let (from, _) = builder.ou_ref(live, before.ou.as_deref());
                let (to, dependency) = builder.ou_ref(live, after.ou.as_deref());
                deps.extend(dependency.map(|task| (task, Dep::Hard)));
                Some((from, to))
            } else {
                None
            };
            let tags = fields
                .contains("tags")
                .then(|| (before.tags.clone(), after.tags.clone()));
            builder.push(Task {
                change: index,
                address: address.clone(),
                key: format!("{address}#update@{}", account_digest(after)),
                pair: None,
                kind: TaskKind::UpdateAccount { id, moves, tags },
                deps,
            });
        }
        (Action::Invite, _, Some(Resource::Account(after))) => {
            let Some(id) = after.id.clone() else {
                builder.push(invalid(
                    index,
                    address,
                    "invite",
                    "the account has no id".into(),
                ));
                return;
            };
            builder.push(Task {
                change: index,
                address: address.clone(),
                key: format!("{address}#invite:{id}"),
                pair: None,
                kind: TaskKind::InviteAccount {
                    id,
                    tags: after.tags.clone(),
                    notes: format!("monban: accounts/{account}.yaml"),
                },
                deps: Vec::new(),
            });
            builder.invited.insert(account.to_owned());
        }
        (Action::Close, Some(Resource::Account(before)), _) => {
            let task = match &before.id {
                Some(id) => Task {
                    change: index,
                    address: address.clone(),
                    key: format!("{address}#close:{id}"),
                    pair: None,
                    kind: TaskKind::CloseAccount { id: id.clone() },
                    deps: Vec::new(),
                },
                None => invalid(index, address, "close", "the account has no id".into()),
            };
            builder.push(task);
        }
        _ => {
            builder.push(invalid(
                index,
                address,
                change.action.as_str(),
                format!("monban cannot apply a `{}` of {address}", change.action),
            ));
        }
    }
}

fn account_digest(after: &AccountState) -> String {
    let value = serde_json::json!({ "ou": after.ou, "tags": after.tags });
    let digest = Sha256::digest(monban_plan::canonical_json(&value).as_bytes());
    hex::encode(&digest[..6])
}

/// A provisioning of `permission_set` into one account — unless the plan removes every
/// assignment of the pair and adds none (the role is about to be deleted; provisioning it
/// would only race the deletion, terraform-provider-aws#35158).
#[expect(
    clippy::too_many_arguments,
    reason = "a plain constructor; a struct for its arguments would only rename them"
)]
fn provision_task(
    index: usize,
    address: &Address,
    permission_set: &str,
    reference: Ref,
    arn: Option<&str>,
    account_name: &str,
    account_id: Option<&str>,
    state: &PermissionSetState,
    plan: &Plan,
    live: &LiveState,
) -> Option<Task> {
    let Some(account_id) = account_id else {
        return Some(invalid(
            index,
            address,
            "provision",
            format!("account {account_name} has no id"),
        ));
    };
    if let Some(arn) = arn {
        let live_count = live
            .assignments
            .iter()
            .filter(|assignment| {
                assignment.permission_set_arn == arn && assignment.account_id == account_id
            })
            .count();
        let (deleted, created) = pair_changes(plan, permission_set, account_name);
        if live_count > 0 && deleted >= live_count && created == 0 {
            return None;
        }
    }
    Some(Task {
        change: index,
        address: address.clone(),
        key: format!("{address}#provision:{account_id}@{}", content_digest(state)),
        pair: Some((permission_set.to_owned(), account_name.to_owned())),
        kind: TaskKind::Provision {
            permission_set: reference,
            account_id: account_id.to_owned(),
        },
        deps: Vec::new(),
    })
}

/// Assignment deletions and creations the plan makes on a (permission set, account) pair.
fn pair_changes(plan: &Plan, permission_set: &str, account: &str) -> (usize, usize) {
    let mut deleted = 0;
    let mut created = 0;
    for change in &plan.changes {
        if let Address::Assignment {
            account: change_account,
            permission_set: change_set,
            ..
        } = &change.address
            && change_account == account
            && change_set == permission_set
        {
            match change.action {
                Action::Delete => deleted += 1,
                Action::Create => created += 1,
                _ => {}
            }
        }
    }
    (deleted, created)
}

fn plan_assignment_creation(
    builder: &mut Builder,
    live: &LiveState,
    index: usize,
    address: &Address,
    after: &AssignmentState,
) {
    let Some(principal_id) = after.principal.id.clone() else {
        builder.push(invalid(
            index,
            address,
            "create",
            format!("principal {} has no Identity Store id", after.principal),
        ));
        return;
    };
    let mut deps = Vec::new();
    let permission_set = match (
        &after.permission_set_arn,
        builder.permission_set_tasks.get(&after.permission_set),
    ) {
        (_, Some(task)) => {
            deps.push((*task, Dep::Hard));
            Ref::Task(*task)
        }
        (Some(arn), None) => Ref::Known(arn.clone()),
        (None, None) => {
            builder.push(invalid(
                index,
                address,
                "create",
                format!(
                    "permission set {} has no ARN and is not created by the plan",
                    after.permission_set
                ),
            ));
            return;
        }
    };
    let account_name = after.account.name.clone();
    let account = match (&after.account.id, builder.account_tasks.get(&account_name)) {
        (Some(id), _) => Ref::Known(id.clone()),
        (None, Some(task)) => {
            deps.push((*task, Dep::Hard));
            Ref::Task(*task)
        }
        (None, None) if builder.invited.contains(&account_name) => {
            let account_address = Address::Account {
                account: account_name.clone(),
            };
            builder.push(Task {
                change: index,
                key: format!("{address}#pending-invitation"),
                address: account_address,
                pair: None,
                kind: TaskKind::Deferred {
                    reason: format!(
                        "pending invitation: account {account_name} has not accepted the \
                         invitation to the organization yet; plan again once it has joined"
                    ),
                },
                deps: Vec::new(),
            });
            return;
        }
        (None, None) => {
            let creation = live.account_creations.iter().find(|creation| {
                creation.account_name == account_name
                    && creation.state == LiveCreationState::InProgress
            });
            let Some(creation) = creation else {
                builder.push(invalid(
                    index,
                    address,
                    "create",
                    format!("account {account_name} has no id and is not being created"),
                ));
                return;
            };
            let account_address = Address::Account {
                account: account_name.clone(),
            };
            let task = builder.push(Task {
                change: index,
                key: format!("{account_address}#await:{}", creation.request_id),
                address: account_address,
                pair: None,
                kind: TaskKind::AwaitAccount {
                    request_id: creation.request_id.clone(),
                },
                deps: Vec::new(),
            });
            builder.account_tasks.insert(account_name.clone(), task);
            deps.push((task, Dep::Hard));
            Ref::Task(task)
        }
    };
    let task = builder.push(Task {
        change: index,
        address: address.clone(),
        key: format!("{address}#create"),
        pair: Some((after.permission_set.clone(), account_name.clone())),
        kind: TaskKind::CreateAssignment {
            permission_set,
            account,
            principal_kind: after.principal.kind,
            principal_id,
        },
        deps,
    });
    builder
        .creations_by_pair
        .entry((after.permission_set.clone(), account_name))
        .or_default()
        .push(task);
    builder
        .creations_by_permission_set
        .entry(after.permission_set.clone())
        .or_default()
        .push(task);
}

fn plan_assignment_deletion(
    builder: &mut Builder,
    index: usize,
    address: &Address,
    before: &AssignmentState,
    cause: &Cause,
) {
    let (Some(arn), Some(account_id), Some(principal_id)) = (
        before.permission_set_arn.clone(),
        before.account.id.clone(),
        before.principal.id.clone(),
    ) else {
        builder.push(invalid(
            index,
            address,
            "delete",
            "the assignment lacks its permission set ARN, account id or principal id".into(),
        ));
        return;
    };
    let mut deps = Vec::new();
    // A replaced permission set's assignments go only once the replacement's are in
    // place (and the replacement exists), so nobody is left without access in between.
    if let Cause::Replaced { by } = cause {
        if let Some(task) = builder.permission_set_tasks.get(by) {
            deps.push((*task, Dep::Hard));
        }
        for task in builder
            .creations_by_permission_set
            .get(by)
            .into_iter()
            .flatten()
        {
            if builder.tasks[*task]
                .pair
                .as_ref()
                .map(|pair| pair.1.as_str())
                == Some(before.account.name.as_str())
            {
                deps.push((*task, Dep::Hard));
            }
        }
    }
    let task = builder.push(Task {
        change: index,
        address: address.clone(),
        key: format!("{address}#delete"),
        pair: Some((before.permission_set.clone(), before.account.name.clone())),
        kind: TaskKind::DeleteAssignment {
            permission_set_arn: arn.clone(),
            account_id,
            principal_kind: before.principal.kind,
            principal_id,
        },
        deps,
    });
    builder.deletions_by_arn.entry(arn).or_default().push(task);
}

/// On each (permission set, account) pair: creations, then provisioning, then deletions.
fn order_pairs(builder: &mut Builder) {
    let mut by_pair: BTreeMap<(String, String), PairTasks> = BTreeMap::new();
    for (id, task) in builder.tasks.iter().enumerate() {
        let Some(pair) = &task.pair else { continue };
        let entry = by_pair.entry(pair.clone()).or_default();
        match task.kind {
            TaskKind::CreateAssignment { .. } => entry.0.push(id),
            TaskKind::Provision { .. } => entry.1.push(id),
            TaskKind::DeleteAssignment { .. } => entry.2.push(id),
            _ => {}
        }
    }
    for (creations, provisions, deletions) in by_pair.values() {
        for provision in provisions {
            for creation in creations {
                builder.tasks[*provision].deps.push((*creation, Dep::Order));
            }
        }
        for deletion in deletions {
            for earlier in creations.iter().chain(provisions) {
                builder.tasks[*deletion].deps.push((*earlier, Dep::Order));
            }
        }
    }
}

/// An OU is deleted last: after every other task (accounts moved out of it), and after
/// its descendants.
fn order_ou_deletions(builder: &mut Builder) {
    let deletions: Vec<(TaskId, String)> = builder
        .tasks
        .iter()
        .enumerate()
        .filter_map(|(id, task)| match (&task.kind, &task.address) {
            (TaskKind::DeleteOu { .. }, Address::Ou { path }) => Some((id, path.clone())),
            _ => None,
        })
        .collect();
    if deletions.is_empty() {
        return;
    }
    let others: Vec<TaskId> = (0..builder.tasks.len())
        .filter(|id| !deletions.iter().any(|(deletion, _)| deletion == id))
        .collect();
    for (id, path) in &deletions {
        let mut deps: Vec<(TaskId, Dep)> =
            others.iter().map(|other| (*other, Dep::Order)).collect();
        for (other, other_path) in &deletions {
            if other_path.starts_with(&format!("{path}/")) {
                deps.push((*other, Dep::Order));
            }
        }
        builder.tasks[*id].deps.extend(deps);
    }
}
