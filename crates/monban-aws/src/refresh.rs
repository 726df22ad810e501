//! Targeted refresh: re-read only what a change can affect, on top of a cached snapshot
//! (`plan --changed-since`, design §6 step 2).
//!
//! A [`RefreshScope`] names accounts (by id), permission sets (by name) and/or the Identity
//! Store; everything else is taken from the cached [`LiveState`] unchanged.
//!
//! | Scope | Calls |
//! |---|---|
//! | an account | `DescribeAccount` + `ListParents` + `ListTagsForResource` (if active) + `ListPermissionSetsProvisionedToAccount` ×2 (all, outdated) + `ListAccountAssignments` per permission set provisioned there |
//! | permission sets (any number) | `ListPermissionSets` once (to see sets created or deleted out of band), then per named set: 6 describe calls + 2 provisioning lists + `ListAccountAssignments` per account it is provisioned to |
//! | the Identity Store | as in a full read: `ListUsers`, `ListGroups`, `ListGroupMemberships` per group |
//! | a group (by display name) | `GetGroupId` + `DescribeGroup` + `ListGroupMemberships` (pages of 100) + `DescribeUser` per member the cache does not know |
//!
//! An account whose parent OU is not in the cache triggers a re-walk of the OU tree
//! (`ListOrganizationalUnitsForParent` per container). A permission set the cache does not
//! know (created out of band, found on an account or in `ListPermissionSets`) is read in
//! full: definition, provisioning everywhere, assignments. An account or permission set that no longer exists is dropped with its
//! provisioning and assignments.
//!
//! `read_at` keeps the cached snapshot's time: the result is as old as its oldest part, so a
//! caller judging freshness by `read_at` stays on the safe side.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use aws_sdk_ssoadmin::types::ProvisioningStatus;
use futures::{StreamExt, TryStreamExt, stream};
use monban_model::{
    LiveAccount, LiveAccountStatus, LiveGroup, LiveInstance, LiveMembership, LiveOrganization,
    LiveOu, LiveProvisioned, LiveState, LiveUser,
};

use crate::error::AwsError;
use crate::limits::Service;
use crate::read::{
    Container, LiveRead, list_child_ous, list_memberships, list_permission_set_arns, live_account,
    paginate, read_account_tags, read_assignments, read_identity_store, read_instance,
    read_permission_sets, read_provisioned,
};
use crate::target::Clients;

/// What to re-read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshScope {
    /// Account ids: the account itself, its OU, tags, provisioning and assignments.
    pub account_ids: BTreeSet<String>,
    /// Permission set names: the set, its policies, provisioning and assignments.
    pub permission_set_names: BTreeSet<String>,
    /// Users, groups and memberships — all of them.
    pub identity_store: bool,
    /// Groups by display name: the group, its memberships, and any member the cache does
    /// not know (cheaper than `identity_store` when a change concerns a few groups).
    /// Ignored when `identity_store` is set.
    pub group_names: BTreeSet<String>,
}

impl RefreshScope {
    /// Whether nothing is to be re-read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.account_ids.is_empty()
            && self.permission_set_names.is_empty()
            && !self.identity_store
            && self.group_names.is_empty()
    }
}

/// Re-reads `scope` and merges it into a copy of `cached`.
pub async fn refresh(
    clients: &Clients,
    cached: &LiveState,
    scope: &RefreshScope,
) -> Result<LiveRead, AwsError> {
    Box::pin(refresh_inner(clients, cached, scope)).await
}

async fn refresh_inner(
    clients: &Clients,
    cached: &LiveState,
    scope: &RefreshScope,
) -> Result<LiveRead, AwsError> {
    let started = Instant::now();
    let mark = clients.counter.mark();
    let mut state = cached.clone();

    let needs_instance = !scope.is_empty();
    if needs_instance && state.instance.is_none() {
        state.instance = read_instance(clients).await?;
    }

    if let Some(instance) = state.instance.clone() {
        if !scope.permission_set_names.is_empty() {
            refresh_permission_sets(clients, &instance, &mut state, &scope.permission_set_names)
                .await?;
        }
        if scope.identity_store {
            let store = read_identity_store(clients, &instance.identity_store_id).await?;
            state.users = store.users;
            state.groups = store.groups;
            state.memberships = store.memberships;
        } else if !scope.group_names.is_empty() {
            refresh_groups(
                clients,
                &instance.identity_store_id,
                &mut state,
                &scope.group_names,
            )
            .await?;
        }
    }
    if !scope.account_ids.is_empty() {
        refresh_accounts(clients, &mut state, &scope.account_ids).await?;
    }

    state.provisioned.sort();
    state.provisioned.dedup();
    state.assignments.sort();
    state.assignments.dedup();
    state
        .permission_sets
        .sort_by(|left, right| left.name.cmp(&right.name));
    Ok(LiveRead {
        state,
        stats: clients.counter.since(&mark, started.elapsed()),
    })
}

/// Replaces the named permission sets (and picks up sets created or deleted out of band).
async fn refresh_permission_sets(
    clients: &Clients,
    instance: &LiveInstance,
    state: &mut LiveState,
    names: &BTreeSet<String>,
) -> Result<(), AwsError> {
    let existing: BTreeSet<String> = list_permission_set_arns(clients, instance)
        .await?
        .into_iter()
        .collect();
    let known: BTreeSet<String> = state
        .permission_sets
        .iter()
        .map(|set| set.arn.clone())
        .collect();
    let mut to_read: Vec<String> = existing.difference(&known).cloned().collect();
    to_read.extend(
        state
            .permission_sets
            .iter()
            .filter(|set| names.contains(&set.name) && existing.contains(&set.arn))
            .map(|set| set.arn.clone()),
    );
    let gone: BTreeSet<String> = known.difference(&existing).cloned().collect();
    let replaced: BTreeSet<&String> = to_read.iter().chain(gone.iter()).collect();
    state
        .permission_sets
        .retain(|set| !replaced.contains(&set.arn));
    state
        .provisioned
        .retain(|pair| !replaced.contains(&pair.permission_set_arn));
    state
        .assignments
        .retain(|assignment| !replaced.contains(&assignment.permission_set_arn));

    let (sets, provisioned) = tokio::try_join!(
        read_permission_sets(clients, instance, &to_read),
        read_provisioned(clients, instance, &to_read),
    )?;
    let assignments = read_assignments(clients, instance, &provisioned).await?;
    state.permission_sets.extend(sets);
    state.provisioned.extend(provisioned);
    state.assignments.extend(assignments);
    Ok(())
}

/// One account as it is now, or `None` when the organization no longer has it.
async fn describe_account(
    clients: &Clients,
    account_id: &str,
) -> Result<Option<(LiveAccount, String)>, AwsError> {
    clients
        .throttle(Service::Organizations, "DescribeAccount")
        .await;
    let described = match clients
        .organizations
        .describe_account()
        .account_id(account_id)
        .send()
        .await
    {
        Ok(output) => output
            .account
            .ok_or_else(|| AwsError::missing("organizations", "DescribeAccount", "Account"))?,
        Err(error)
            if error.as_service_error().is_some_and(
                aws_sdk_organizations::operation::describe_account::DescribeAccountError::is_account_not_found_exception,
            ) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(AwsError::call("organizations", "DescribeAccount", error)),
    };
    let parents = paginate(
        clients,
        Service::Organizations,
        "ListParents",
        |token| async move {
            let output = clients
                .organizations
                .list_parents()
                .child_id(account_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("organizations", "ListParents", error))?;
            Ok((output.parents.unwrap_or_default(), output.next_token))
        },
    )
    .await?;
    let parent_id = parents
        .into_iter()
        .find_map(|parent| parent.id)
        .ok_or_else(|| AwsError::missing("organizations", "ListParents", "Parents[0].Id"))?;
    let account = live_account(&described, None, "DescribeAccount")?;
    Ok(Some((account, parent_id)))
}

/// Every OU, breadth-first, parents before children (no accounts).
async fn read_ous(
    clients: &Clients,
    organization: &LiveOrganization,
) -> Result<Vec<LiveOu>, AwsError> {
    let mut ous = Vec::new();
    let mut level = vec![Container {
        id: organization.root_id.clone(),
        path: None,
    }];
    while !level.is_empty() {
        let children: Vec<Vec<LiveOu>> = stream::iter(&level)
            .map(|container| list_child_ous(clients, container))
            .buffer_unordered(clients.concurrency)
            .try_collect()
            .await?;
        let mut next: Vec<LiveOu> = children.into_iter().flatten().collect();
        next.sort_by(|left, right| left.path.cmp(&right.path));
        level = next
            .iter()
            .map(|ou| Container {
                id: ou.id.clone(),
                path: Some(ou.path.clone()),
            })
            .collect();
        ous.extend(next);
    }
    Ok(ous)
}

async fn provisioned_to_account(
    clients: &Clients,
    instance_arn: &str,
    account_id: &str,
    status: Option<ProvisioningStatus>,
) -> Result<Vec<String>, AwsError> {
    paginate(
        clients,
        Service::SsoAdmin,
        "ListPermissionSetsProvisionedToAccount",
        |token| {
            let status = status.clone();
            async move {
                let output = clients
                    .sso_admin
                    .list_permission_sets_provisioned_to_account()
                    .instance_arn(instance_arn)
                    .account_id(account_id)
                    .set_provisioning_status(status)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|error| {
                        AwsError::call("sso-admin", "ListPermissionSetsProvisionedToAccount", error)
                    })?;
                Ok((
                    output.permission_sets.unwrap_or_default(),
                    output.next_token,
                ))
            }
        },
    )
    .await
}

/// What one account looks like now.
struct AccountNow {
    id: String,
    /// `None` = no longer in the organization.
    found: Option<(LiveAccount, String)>,
    provisioned: Vec<LiveProvisioned>,
}

async fn read_account_now(
    clients: &Clients,
    instance: Option<&LiveInstance>,
    account_id: &str,
) -> Result<AccountNow, AwsError> {
    let Some((mut account, parent_id)) = describe_account(clients, account_id).await? else {
        return Ok(AccountNow {
            id: account_id.to_owned(),
            found: None,
            provisioned: Vec::new(),
        });
    };
    let tags = async {
        if account.status == LiveAccountStatus::Active {
            read_account_tags(clients, account_id).await
        } else {
            Ok(BTreeMap::new())
        }
    };
    let provisioned = async {
        let Some(instance) = instance else {
            return Ok(Vec::new());
        };
        let (all, outdated) = tokio::try_join!(
            provisioned_to_account(clients, &instance.arn, account_id, None),
            provisioned_to_account(
                clients,
                &instance.arn,
                account_id,
                Some(ProvisioningStatus::LatestPermissionSetNotProvisioned)
            ),
        )?;
        let outdated: BTreeSet<String> = outdated.into_iter().collect();
        let sets: BTreeSet<String> = all.into_iter().chain(outdated.iter().cloned()).collect();
        Ok::<_, AwsError>(
            sets.into_iter()
                .map(|arn| LiveProvisioned {
                    current: !outdated.contains(&arn),
                    permission_set_arn: arn,
                    account_id: account_id.to_owned(),
                })
                .collect(),
        )
    };
    let (tags, provisioned) = tokio::try_join!(tags, provisioned)?;
    account.tags = tags;
    Ok(AccountNow {
        id: account_id.to_owned(),
        found: Some((account, parent_id)),
        provisioned,
    })
}

async fn refresh_accounts(
    clients: &Clients,
    state: &mut LiveState,
    account_ids: &BTreeSet<String>,
) -> Result<(), AwsError> {
    let instance = state.instance.clone();
    let now: Vec<AccountNow> = stream::iter(account_ids)
        .map(|account_id| read_account_now(clients, instance.as_ref(), account_id))
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;

    // A parent the cache does not know means the OU tree changed: walk it again.
    let root_id = state.organization.root_id.clone();
    let unknown_parent = now.iter().any(|account| {
        account.found.as_ref().is_some_and(|(_, parent)| {
            *parent != root_id && !state.ous.iter().any(|ou| &ou.id == parent)
        })
    });
    if unknown_parent {
        state.ous = read_ous(clients, &state.organization).await?;
    }

    let refreshed: BTreeSet<&String> = now.iter().map(|account| &account.id).collect();
    state
        .accounts
        .retain(|account| !refreshed.contains(&account.id));
    state
        .provisioned
        .retain(|pair| !refreshed.contains(&pair.account_id));
    state
        .assignments
        .retain(|assignment| !refreshed.contains(&assignment.account_id));

    let mut provisioned = Vec::new();
    for account in now {
        let Some((mut live, parent_id)) = account.found else {
            continue;
        };
        live.ou_path = state
            .ous
            .iter()
            .find(|ou| ou.id == parent_id)
            .map(|ou| ou.path.clone());
        state.accounts.push(live);
        provisioned.extend(account.provisioned);
    }
    state.accounts.sort_by(|left, right| left.id.cmp(&right.id));

    if let Some(instance) = &instance {
        // Permission sets found on these accounts that the cache does not know.
        let known: BTreeSet<&String> = state.permission_sets.iter().map(|set| &set.arn).collect();
        let unknown: Vec<String> = provisioned
            .iter()
            .map(|pair| &pair.permission_set_arn)
            .filter(|arn| !known.contains(arn))
            .cloned()
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let (sets, elsewhere) = tokio::try_join!(
            read_permission_sets(clients, instance, &unknown),
            read_provisioned(clients, instance, &unknown),
        )?;
        provisioned.extend(elsewhere);
        provisioned.sort();
        provisioned.dedup_by(|left, right| {
            left.permission_set_arn == right.permission_set_arn
                && left.account_id == right.account_id
        });
        let assignments = read_assignments(clients, instance, &provisioned).await?;
        state.permission_sets.extend(sets);
        state.assignments.extend(assignments);
    }
    state.provisioned.extend(provisioned);
    Ok(())
}

/// A group as it is now (`None` = no group has that display name any more), with its
/// memberships.
async fn read_group_now(
    clients: &Clients,
    store: &str,
    display_name: &str,
) -> Result<Option<(LiveGroup, Vec<LiveMembership>)>, AwsError> {
    use aws_sdk_identitystore::operation::get_group_id::GetGroupIdError;
    use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
    clients.throttle(Service::IdentityStore, "GetGroupId").await;
    let lookup = UniqueAttribute::builder()
        .attribute_path("displayName")
        .attribute_value(aws_smithy_types::Document::String(display_name.to_owned()))
        .build()
        // Both required members are set just above.
        .expect("attribute path and value are set");
    let group_id = match clients
        .identity_store
        .get_group_id()
        .identity_store_id(store)
        .alternate_identifier(AlternateIdentifier::UniqueAttribute(lookup))
        .send()
        .await
    {
        Ok(output) => output.group_id,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(GetGroupIdError::is_resource_not_found_exception) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(AwsError::call("identitystore", "GetGroupId", error)),
    };
    let describe = async {
        clients
            .throttle(Service::IdentityStore, "DescribeGroup")
            .await;
        clients
            .identity_store
            .describe_group()
            .identity_store_id(store)
            .group_id(&group_id)
            .send()
            .await
            .map_err(|error| AwsError::call("identitystore", "DescribeGroup", error))
    };
    let group_ids = [group_id.clone()];
    let (described, memberships) =
        tokio::try_join!(describe, list_memberships(clients, store, &group_ids))?;
    let group = LiveGroup {
        display_name: described
            .display_name
            .ok_or_else(|| AwsError::missing("identitystore", "DescribeGroup", "DisplayName"))?,
        description: described.description,
        id: group_id,
    };
    let memberships = memberships
        .into_iter()
        .map(|record| LiveMembership {
            group_id: record.group_id,
            user_id: record.user_id,
        })
        .collect();
    Ok(Some((group, memberships)))
}

async fn describe_user(
    clients: &Clients,
    store: &str,
    user_id: &str,
) -> Result<LiveUser, AwsError> {
    clients
        .throttle(Service::IdentityStore, "DescribeUser")
        .await;
    let user = clients
        .identity_store
        .describe_user()
        .identity_store_id(store)
        .user_id(user_id)
        .send()
        .await
        .map_err(|error| AwsError::call("identitystore", "DescribeUser", error))?;
    let emails = user.emails.unwrap_or_default();
    let email = emails
        .iter()
        .find(|email| email.primary)
        .or_else(|| emails.first())
        .and_then(|email| email.value.clone());
    Ok(LiveUser {
        user_name: user
            .user_name
            .ok_or_else(|| AwsError::missing("identitystore", "DescribeUser", "UserName"))?,
        display_name: user.display_name,
        email,
        enabled: user.user_status != Some(aws_sdk_identitystore::types::UserStatus::Disabled),
        id: user.user_id,
    })
}

/// Replaces the named groups and their memberships; adds members the cache lacks.
async fn refresh_groups(
    clients: &Clients,
    store: &str,
    state: &mut LiveState,
    names: &BTreeSet<String>,
) -> Result<(), AwsError> {
    let found: Vec<Option<(LiveGroup, Vec<LiveMembership>)>> = stream::iter(names)
        .map(|name| read_group_now(clients, store, name))
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    let found: Vec<(LiveGroup, Vec<LiveMembership>)> = found.into_iter().flatten().collect();

    // Drop the cached groups these names (or the ids found) stood for, with their
    // memberships; display names are unique case-insensitively.
    let folded: BTreeSet<String> = names.iter().map(|name| name.to_lowercase()).collect();
    let found_ids: BTreeSet<&String> = found.iter().map(|(group, _)| &group.id).collect();
    let replaced_groups: BTreeSet<String> = state
        .groups
        .iter()
        .filter(|group| {
            folded.contains(&group.display_name.to_lowercase()) || found_ids.contains(&group.id)
        })
        .map(|group| group.id.clone())
        .collect();
    state
        .groups
        .retain(|group| !replaced_groups.contains(&group.id));
    state.memberships.retain(|membership| {
        !replaced_groups.contains(&membership.group_id) && !found_ids.contains(&membership.group_id)
    });

    let known_users: BTreeSet<&String> = state.users.iter().map(|user| &user.id).collect();
    let unknown_users: BTreeSet<String> = found
        .iter()
        .flat_map(|(_, memberships)| memberships.iter().map(|membership| &membership.user_id))
        .filter(|user_id| !known_users.contains(user_id))
        .cloned()
        .collect();
    let new_users: Vec<LiveUser> = stream::iter(&unknown_users)
        .map(|user_id| describe_user(clients, store, user_id))
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    state.users.extend(new_users);
    state
        .users
        .sort_by(|left, right| left.user_name.cmp(&right.user_name));
    for (group, memberships) in found {
        state.groups.push(group);
        state.memberships.extend(memberships);
    }
    state
        .groups
        .sort_by(|left, right| left.display_name.cmp(&right.display_name));
    state.memberships.sort();
    state.memberships.dedup();
    Ok(())
}
