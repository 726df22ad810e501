//! The IdP push (`monban sandbox provision-idp FILE`): make an Identity Store match an IdP
//! directory snapshot the way an IdP's SCIM push would — create, update and delete users,
//! groups and memberships — so plans against a sandbox can resolve the repo's users and
//! groups. It refuses a real AWS target ([`AwsError::SandboxOnly`]): there the IdP owns
//! users and groups (design §1), and the push deletes whatever the directory lacks.
//!
//! Users are matched by user name and groups by display name, case-insensitively (the
//! Identity Store's own uniqueness rule); a case-only difference is an update, not a
//! replacement, so ids (and the account assignments that reference them) survive.
//!
//! `active: false` becomes `UserStatus = DISABLED`. `CreateUser` has no `UserStatus`
//! member (botocore `identitystore` `CreateUserRequest`), so a deactivated user is created
//! and then disabled with `UpdateUser` (`userStatus`), which the model's `User` shape and
//! `AttributeOperation` allow.
//!
//! Order: users created/updated → groups created/updated → memberships removed → memberships
//! added → groups deleted → users deleted. A second run against the same directory makes no
//! write at all.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use aws_sdk_identitystore::types::{
    AttributeOperation, Email, Group, MemberId, Name, User, UserStatus,
};
use aws_smithy_types::Document;
use futures::{StreamExt, TryStreamExt, stream};
use monban_model::{Directory, DirectoryGroup, DirectoryUser};

use crate::error::AwsError;
use crate::limits::Service;
use crate::read::{list_groups, list_memberships, list_users, primary_email, read_instance};
use crate::stats::ReadStats;
use crate::target::Clients;

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionReport {
    pub users_created: usize,
    pub users_updated: usize,
    pub users_deleted: usize,
    pub groups_created: usize,
    pub groups_updated: usize,
    pub groups_deleted: usize,
    pub memberships_created: usize,
    pub memberships_deleted: usize,
    /// The calls it took (reads included).
    pub stats: ReadStats,
}

impl ProvisionReport {
    /// Whether nothing was written (the store already matched).
    #[must_use]
    pub fn is_unchanged(&self) -> bool {
        self.users_created
            + self.users_updated
            + self.users_deleted
            + self.groups_created
            + self.groups_updated
            + self.groups_deleted
            + self.memberships_created
            + self.memberships_deleted
            == 0
    }
}

fn fold(name: &str) -> String {
    name.to_lowercase()
}

fn string(value: &str) -> Document {
    Document::String(value.to_owned())
}

fn operation(path: &str, value: Option<Document>) -> AttributeOperation {
    AttributeOperation::builder()
        .attribute_path(path)
        .set_attribute_value(value)
        .build()
        // `attribute_path` is the only required member and is always set just above.
        .expect("attribute path is set")
}

fn email_document(address: &str) -> Document {
    Document::Array(vec![Document::Object(HashMap::from([
        ("value".to_owned(), string(address)),
        ("type".to_owned(), string("work")),
        ("primary".to_owned(), Document::Bool(true)),
    ]))])
}

/// The attribute operations that make `existing` match `wanted` (empty = already equal).
fn user_changes(existing: &User, wanted: &DirectoryUser) -> Vec<AttributeOperation> {
    let mut changes = Vec::new();
    if existing.user_name.as_deref() != Some(wanted.user_name.as_str()) {
        changes.push(operation(
            "userName",
            Some(string(wanted.user_name.as_str())),
        ));
    }
    if existing.display_name.as_deref() != Some(wanted.display_name.as_str()) {
        changes.push(operation(
            "displayName",
            Some(string(wanted.display_name.as_str())),
        ));
    }
    let name = existing.name.as_ref();
    if name.and_then(|name| name.given_name.as_deref()) != Some(wanted.given_name.as_str()) {
        changes.push(operation(
            "name.givenName",
            Some(string(wanted.given_name.as_str())),
        ));
    }
    if name.and_then(|name| name.family_name.as_deref()) != Some(wanted.family_name.as_str()) {
        changes.push(operation(
            "name.familyName",
            Some(string(wanted.family_name.as_str())),
        ));
    }
    if primary_email(existing).as_deref() != Some(wanted.email.as_str()) {
        changes.push(operation(
            "emails",
            Some(email_document(wanted.email.as_str())),
        ));
    }
    let enabled = existing.user_status != Some(UserStatus::Disabled);
    if enabled != wanted.active {
        changes.push(operation(
            "userStatus",
            Some(string(if wanted.active { "ENABLED" } else { "DISABLED" })),
        ));
    }
    changes
}

fn group_changes(existing: &Group, wanted: &DirectoryGroup) -> Vec<AttributeOperation> {
    let mut changes = Vec::new();
    if existing.display_name.as_deref() != Some(wanted.display_name.as_str()) {
        changes.push(operation(
            "displayName",
            Some(string(wanted.display_name.as_str())),
        ));
    }
    let description = wanted
        .description
        .as_ref()
        .map(monban_model::IdentityText::as_str);
    if existing.description.as_deref() != description {
        changes.push(operation("description", description.map(string)));
    }
    changes
}

/// Makes the target's Identity Store match `directory`.
pub async fn provision_directory(
    clients: &Clients,
    directory: &Directory,
) -> Result<ProvisionReport, AwsError> {
    if clients.target().is_aws() {
        return Err(AwsError::SandboxOnly {
            operation: "pushing an IdP directory",
            target: clients.target().to_string(),
        });
    }
    // Every member must be a user of the directory: checked before anything is written.
    for group in directory.groups.values() {
        if let Some(member) = group
            .members
            .iter()
            .find(|member| !directory.users.contains_key(*member))
        {
            return Err(AwsError::UnknownMember {
                group: group.display_name.to_string(),
                member: member.to_string(),
            });
        }
    }
    let started = Instant::now();
    let mark = clients.counter.mark();
    let instance = read_instance(clients).await?.ok_or(AwsError::NoInstance)?;
    let store = instance.identity_store_id.as_str();
    let (users, groups) =
        tokio::try_join!(list_users(clients, store), list_groups(clients, store))?;
    let group_ids: Vec<String> = groups.iter().map(|group| group.group_id.clone()).collect();
    let memberships = list_memberships(clients, store, &group_ids).await?;
    let mut report = ProvisionReport::default();

    // Users: create or update every directory user; remember name → id.
    let existing_users: HashMap<String, &User> = users
        .iter()
        .filter_map(|user| Some((fold(user.user_name.as_deref()?), user)))
        .collect();
    let user_results: Vec<(String, String, UserOutcome)> = stream::iter(directory.users.values())
        .map(|wanted| {
            let existing = existing_users
                .get(&fold(wanted.user_name.as_str()))
                .copied();
            async move {
                let outcome = match existing {
                    None => UserOutcome::Created(create_user(clients, store, wanted).await?),
                    Some(existing) => {
                        let changes = user_changes(existing, wanted);
                        let updated = !changes.is_empty();
                        if updated {
                            update_user(clients, store, &existing.user_id, changes).await?;
                        }
                        UserOutcome::Kept {
                            id: existing.user_id.clone(),
                            updated,
                        }
                    }
                };
                Ok::<_, AwsError>((
                    fold(wanted.user_name.as_str()),
                    outcome.id().to_owned(),
                    outcome,
                ))
            }
        })
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    let mut user_ids: HashMap<String, String> = HashMap::new();
    for (name, id, outcome) in user_results {
        match outcome {
            UserOutcome::Created(_) => report.users_created += 1,
            UserOutcome::Kept { updated: true, .. } => report.users_updated += 1,
            UserOutcome::Kept { updated: false, .. } => {}
        }
        user_ids.insert(name, id);
    }

    // Groups: create or update; remember name → id.
    let existing_groups: HashMap<String, &Group> = groups
        .iter()
        .filter_map(|group| Some((fold(group.display_name.as_deref()?), group)))
        .collect();
    let group_results: Vec<(String, String, bool, bool)> = stream::iter(directory.groups.values())
        .map(|wanted| {
            let existing = existing_groups
                .get(&fold(wanted.display_name.as_str()))
                .copied();
            async move {
                let key = fold(wanted.display_name.as_str());
                match existing {
                    None => {
                        let id = create_group(clients, store, wanted).await?;
                        Ok::<_, AwsError>((key, id, true, false))
                    }
                    Some(existing) => {
                        let changes = group_changes(existing, wanted);
                        let updated = !changes.is_empty();
                        if updated {
                            update_group(clients, store, &existing.group_id, changes).await?;
                        }
                        Ok((key, existing.group_id.clone(), false, updated))
                    }
                }
            }
        })
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    let mut group_ids_by_name: HashMap<String, String> = HashMap::new();
    for (name, id, created, updated) in group_results {
        report.groups_created += usize::from(created);
        report.groups_updated += usize::from(updated);
        group_ids_by_name.insert(name, id);
    }

    // Memberships: the wanted (group id, user id) pairs.
    let mut wanted_pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for group in directory.groups.values() {
        let group_id = &group_ids_by_name[&fold(group.display_name.as_str())];
        for member in &group.members {
            let user_id =
                user_ids
                    .get(&fold(member.as_str()))
                    .ok_or_else(|| AwsError::UnknownMember {
                        group: group.display_name.to_string(),
                        member: member.to_string(),
                    })?;
            wanted_pairs.insert((group_id.clone(), user_id.clone()));
        }
    }
    let mut existing_pairs: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut surplus: Vec<String> = Vec::new();
    for record in memberships {
        let pair = (record.group_id, record.user_id);
        if !wanted_pairs.contains(&pair) || existing_pairs.contains_key(&pair) {
            surplus.push(record.id);
        } else {
            existing_pairs.insert(pair, record.id);
        }
    }
    report.memberships_deleted = run_all(clients, surplus, |membership_id| async move {
        clients
            .throttle(Service::IdentityStore, "DeleteGroupMembership")
            .await;
        clients
            .identity_store
            .delete_group_membership()
            .identity_store_id(store)
            .membership_id(membership_id)
            .send()
            .await
            .map_err(|error| AwsError::call("identitystore", "DeleteGroupMembership", error))
            .map(|_| ())
    })
    .await?;
    let missing: Vec<(String, String)> = wanted_pairs
        .into_iter()
        .filter(|pair| !existing_pairs.contains_key(pair))
        .collect();
    report.memberships_created = run_all(clients, missing, |(group_id, user_id)| async move {
        clients
            .throttle(Service::IdentityStore, "CreateGroupMembership")
            .await;
        clients
            .identity_store
            .create_group_membership()
            .identity_store_id(store)
            .group_id(group_id)
            .member_id(MemberId::UserId(user_id))
            .send()
            .await
            .map_err(|error| AwsError::call("identitystore", "CreateGroupMembership", error))
            .map(|_| ())
    })
    .await?;

    // Deletions last: groups, then users, that the directory no longer has.
    let wanted_groups: BTreeSet<String> = directory
        .groups
        .values()
        .map(|group| fold(group.display_name.as_str()))
        .collect();
    let stale_groups: Vec<String> = groups
        .iter()
        .filter(|group| {
            !group
                .display_name
                .as_deref()
                .is_some_and(|name| wanted_groups.contains(&fold(name)))
        })
        .map(|group| group.group_id.clone())
        .collect();
    report.groups_deleted = run_all(clients, stale_groups, |group_id| async move {
        clients
            .throttle(Service::IdentityStore, "DeleteGroup")
            .await;
        clients
            .identity_store
            .delete_group()
            .identity_store_id(store)
            .group_id(group_id)
            .send()
            .await
            .map_err(|error| AwsError::call("identitystore", "DeleteGroup", error))
            .map(|_| ())
    })
    .await?;
    let wanted_users: BTreeSet<String> = directory
        .users
        .values()
        .map(|user| fold(user.user_name.as_str()))
        .collect();
    let stale_users: Vec<String> = users
        .iter()
        .filter(|user| {
            !user
                .user_name
                .as_deref()
                .is_some_and(|name| wanted_users.contains(&fold(name)))
        })
        .map(|user| user.user_id.clone())
        .collect();
    report.users_deleted = run_all(clients, stale_users, |user_id| async move {
        clients.throttle(Service::IdentityStore, "DeleteUser").await;
        clients
            .identity_store
            .delete_user()
            .identity_store_id(store)
            .user_id(user_id)
            .send()
            .await
            .map_err(|error| AwsError::call("identitystore", "DeleteUser", error))
            .map(|_| ())
    })
    .await?;

    report.stats = clients.counter.since(&mark, started.elapsed());
    Ok(report)
}

#[derive(Debug)]
enum UserOutcome {
    Created(String),
    Kept { id: String, updated: bool },
}

impl UserOutcome {
    fn id(&self) -> &str {
        match self {
            Self::Created(id) | Self::Kept { id, .. } => id,
        }
    }
}

/// Runs `work` for every item, concurrently; returns how many ran.
async fn run_all<T, F, Fut>(clients: &Clients, items: Vec<T>, work: F) -> Result<usize, AwsError>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<(), AwsError>>,
{
    let count = items.len();
    stream::iter(items)
        .map(work)
        .buffer_unordered(clients.concurrency)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(count)
}

async fn create_user(
    clients: &Clients,
    store: &str,
    wanted: &DirectoryUser,
) -> Result<String, AwsError> {
    clients.throttle(Service::IdentityStore, "CreateUser").await;
    let created = clients
        .identity_store
        .create_user()
        .identity_store_id(store)
        .user_name(wanted.user_name.as_str())
        .display_name(wanted.display_name.as_str())
        .name(
            Name::builder()
                .given_name(wanted.given_name.as_str())
                .family_name(wanted.family_name.as_str())
                .build(),
        )
        .emails(
            Email::builder()
                .value(wanted.email.as_str())
                .r#type("work")
                .primary(true)
                .build(),
        )
        .send()
        .await
        .map_err(|error| AwsError::call("identitystore", "CreateUser", error))?;
    if !wanted.active {
        update_user(
            clients,
            store,
            &created.user_id,
            vec![operation("userStatus", Some(string("DISABLED")))],
        )
        .await?;
    }
    Ok(created.user_id)
}

async fn update_user(
    clients: &Clients,
    store: &str,
    user_id: &str,
    changes: Vec<AttributeOperation>,
) -> Result<(), AwsError> {
    clients.throttle(Service::IdentityStore, "UpdateUser").await;
    clients
        .identity_store
        .update_user()
        .identity_store_id(store)
        .user_id(user_id)
        .set_operations(Some(changes))
        .send()
        .await
        .map_err(|error| AwsError::call("identitystore", "UpdateUser", error))
        .map(|_| ())
}

async fn create_group(
    clients: &Clients,
    store: &str,
    wanted: &DirectoryGroup,
) -> Result<String, AwsError> {
    clients
        .throttle(Service::IdentityStore, "CreateGroup")
        .await;
    clients
        .identity_store
        .create_group()
        .identity_store_id(store)
        .display_name(wanted.display_name.as_str())
        .set_description(wanted.description.as_ref().map(ToString::to_string))
        .send()
        .await
        .map_err(|error| AwsError::call("identitystore", "CreateGroup", error))
        .map(|created| created.group_id)
}

async fn update_group(
    clients: &Clients,
    store: &str,
    group_id: &str,
    changes: Vec<AttributeOperation>,
) -> Result<(), AwsError> {
    clients
        .throttle(Service::IdentityStore, "UpdateGroup")
        .await;
    clients
        .identity_store
        .update_group()
        .identity_store_id(store)
        .group_id(group_id)
        .set_operations(Some(changes))
        .send()
        .await
        .map_err(|error| AwsError::call("identitystore", "UpdateGroup", error))
        .map(|_| ())
}
