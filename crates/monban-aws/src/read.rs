//! Reading a target's live state into a [`LiveState`] with the fewest calls the APIs allow,
//! concurrently within AWS's per-API rates.
//!
//! # Calls made (the formula)
//!
//! `pages(n, size)` = `max(1, ⌈n / size⌉)` — a List call always costs one page, even empty.
//! Organizations pages hold 20, SSO Admin and Identity Store pages 100.
//!
//! | Part | Operation | Calls |
//! |---|---|---|
//! | always | `organizations:DescribeOrganization` | 1 |
//! | always | `organizations:ListRoots` | 1 |
//! | organization | `organizations:ListOrganizationalUnitsForParent` | Σ over the root and every OU `c`: `pages(child OUs of c, 20)` |
//! | organization | `organizations:ListAccountsForParent` | Σ over the root and every OU `c`: `pages(accounts in c, 20)` |
//! | organization | `organizations:ListTagsForResource` | one per ACTIVE account (one page holds all 50 tags an account may have) |
//! | organization | `organizations:ListCreateAccountStatus` (`IN_PROGRESS`, `FAILED`) | `pages(requests, 20)` |
//! | organization | `organizations:ListHandshakesForOrganization` (`INVITE`) | `pages(invitations, 20)` (AWS lists closed ones for 30 days too) |
//! | identity center or store | `sso-admin:ListInstances` | 1 |
//! | identity center | `sso-admin:ListPermissionSets` | `pages(P, 100)` |
//! | identity center | `DescribePermissionSet`, `GetInlinePolicyForPermissionSet`, `GetPermissionsBoundaryForPermissionSet`, `ListTagsForResource` | 1 each per permission set |
//! | identity center | `ListManagedPoliciesInPermissionSet`, `ListCustomerManagedPolicyReferencesInPermissionSet` | 1 each per permission set (≤ 25 policies: one page) |
//! | identity center | `ListAccountsForProvisionedPermissionSet` | 2 per permission set (all; `LATEST_PERMISSION_SET_NOT_PROVISIONED`), × `pages(accounts, 100)` |
//! | identity center | `ListAccountAssignments` | Σ over provisioned (permission set, account) pairs: `pages(assignments, 100)` |
//! | identity store | `identitystore:ListUsers`, `identitystore:ListGroups` | `pages(U, 100)`, `pages(G, 100)` |
//! | identity store | `identitystore:ListGroupMemberships` | Σ over groups `g`: `pages(members of g, 100)` |
//!
//! With one page everywhere: `2 + 2·(1 + OUs) + active accounts + 1 + 1` for the organization,
//! `1 + 1 + 8·P + provisioned pairs` for Identity Center, `2 + G` for the Identity Store.
//!
//! # Why these calls and not others
//! - An account's parent comes from `ListAccountsForParent` per container (root + OUs)
//!   instead of `ListAccounts` + `ListParents` per account: `1 + OUs` calls instead of
//!   `A/20 + A`, and the accounts come with them.
//! - Assignments are listed only where a permission set is provisioned
//!   (`ListAccountsForProvisionedPermissionSet`): an assignment cannot exist elsewhere, and
//!   this is far fewer calls than one per (permission set, account) or per declared
//!   assignment. `ListAccountAssignmentsForPrincipal` would need one call per principal and
//!   only works from the management account.
//! - Memberships per group (`ListGroupMemberships`), not per user: groups are far fewer.
//! - Tags only for ACTIVE accounts: suspended/closing accounts are never planned for.
//! - `GetPermissionsBoundaryForPermissionSet` answers `ResourceNotFoundException` when a set
//!   has none; that is "no boundary", not an error.
//!
//! Everything runs concurrently (bounded by [`crate::ConnectOptions::concurrency`]), each
//! call first taking a token from its API's bucket ([`crate::RateLimits`]).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Instant;

use aws_sdk_ssoadmin::types::{PrincipalType, ProvisioningStatus};
use futures::{StreamExt, TryStreamExt, stream};
use jiff::Timestamp;
use monban_model::{
    LIVE_FORMAT_VERSION, LiveAccount, LiveAccountCreation, LiveAccountStatus, LiveAssignment,
    LiveCaller, LiveCreationState, LiveCustomerManagedPolicy, LiveGroup, LiveInstance,
    LiveInvitation, LiveMembership, LiveOrganization, LiveOu, LivePermissionSet,
    LivePermissionsBoundary, LivePrincipalType, LiveProvisioned, LiveState, LiveUser,
};

use crate::error::AwsError;
use crate::limits::Service;
use crate::stats::ReadStats;
use crate::target::Clients;

const ORGANIZATIONS_PAGE: i32 = 20;
const SSO_ADMIN_PAGE: i32 = 100;
const IDENTITY_STORE_PAGE: i32 = 100;

/// Which parts of the state to read. The organization itself (`DescribeOrganization`,
/// `ListRoots`) is always read: every state needs its ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadParts {
    /// OUs, accounts, tags, account creations.
    pub organization: bool,
    /// The instance, permission sets, provisioning, assignments.
    pub identity_center: bool,
    /// Users, groups, memberships.
    pub identity_store: bool,
    /// The tags of accounts and permission sets: what a plan compares, but not who may
    /// reach what (one call per active account and one per permission set).
    pub tags: bool,
    /// The customer managed policy references of permission sets (one call per permission
    /// set): a plan compares them; the audit's IAM scan reads the policies they name
    /// ([`crate::read_and_scan_iam`] reads them whatever it is given).
    pub policy_references: bool,
}

impl ReadParts {
    /// Everything.
    #[must_use]
    pub fn all() -> Self {
        Self {
            organization: true,
            identity_center: true,
            identity_store: true,
            tags: true,
            policy_references: true,
        }
    }

    /// What an access review needs (`monban audit`): everything but tags and customer
    /// managed policy references — who may reach what depends on neither.
    #[must_use]
    pub fn access() -> Self {
        Self {
            tags: false,
            policy_references: false,
            ..Self::all()
        }
    }
}

impl Default for ReadParts {
    fn default() -> Self {
        Self::all()
    }
}

/// A state and what reading it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRead {
    pub state: LiveState,
    pub stats: ReadStats,
}

/// Reads everything ([`ReadParts::all`]) from the target.
pub async fn read_live_state(clients: &Clients) -> Result<LiveRead, AwsError> {
    read_live_state_parts(clients, ReadParts::all()).await
}

/// Reads the given parts; the others are left empty (and `instance` is `None` when neither
/// Identity Center nor the Identity Store is read).
pub async fn read_live_state_parts(
    clients: &Clients,
    parts: ReadParts,
) -> Result<LiveRead, AwsError> {
    // The whole read is one large state machine; boxing it keeps callers' futures small.
    Box::pin(read_parts(clients, parts, None)).await
}

/// The organization and its accounts, as the read has them once the organization tree is
/// walked — before the tree's remaining calls and Identity Center and the Identity Store
/// are done. Accounts in id order, without tags.
#[derive(Debug, Clone)]
pub(crate) struct ListedAccounts {
    pub(crate) organization: LiveOrganization,
    pub(crate) accounts: Vec<LiveAccount>,
}

/// [`read_live_state_parts`], sending the accounts on `listed` as
/// soon as they are listed, so that work needing only them (the audit's IAM scan) can start
/// while the read goes on. Nothing is sent when the read fails first or does not read the
/// organization (`parts.organization` false): `listed` is then dropped.
pub(crate) async fn read_live_state_parts_listing(
    clients: &Clients,
    parts: ReadParts,
    listed: tokio::sync::oneshot::Sender<ListedAccounts>,
) -> Result<LiveRead, AwsError> {
    Box::pin(read_parts(clients, parts, Some(listed))).await
}

async fn read_parts(
    clients: &Clients,
    parts: ReadParts,
    listed: Option<tokio::sync::oneshot::Sender<ListedAccounts>>,
) -> Result<LiveRead, AwsError> {
    let started = Instant::now();
    let mark = clients.counter.mark();

    let organization = read_organization_root(clients).await?;
    // The organization tree and Identity Center/Identity Store use different throttling
    // buckets: read them side by side, each as soon as what it needs is known.
    let tree = async {
        if parts.organization {
            read_tree(clients, &organization, parts.tags, listed)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    };
    let identity = async {
        if !(parts.identity_center || parts.identity_store) {
            return Ok((None, None, None));
        }
        let Some(instance) = read_instance(clients).await? else {
            return Ok((None, None, None));
        };
        let (center, store) = tokio::try_join!(
            async {
                if parts.identity_center {
                    read_identity_center(
                        clients,
                        &instance,
                        Details {
                            tags: parts.tags,
                            policy_references: parts.policy_references,
                        },
                    )
                    .await
                    .map(Some)
                } else {
                    Ok(None)
                }
            },
            async {
                if parts.identity_store {
                    read_identity_store(clients, &instance.identity_store_id)
                        .await
                        .map(Some)
                } else {
                    Ok(None)
                }
            },
        )?;
        Ok::<_, AwsError>((Some(instance), center, store))
    };
    let (tree, (instance, center, store)) = tokio::try_join!(tree, identity)?;

    let caller_account_id = clients.target().caller_account_id.clone();
    let tree = tree.unwrap_or_default();
    let center = center.unwrap_or_default();
    let store = store.unwrap_or_default();
    let state = LiveState {
        format_version: LIVE_FORMAT_VERSION,
        read_at: Timestamp::now(),
        caller: LiveCaller {
            is_management_account: caller_account_id == organization.management_account_id,
            account_id: caller_account_id,
        },
        organization,
        ous: tree.ous,
        accounts: tree.accounts,
        account_creations: tree.account_creations,
        invitations: tree.invitations,
        invitations_unreadable: tree.invitations_unreadable,
        instance,
        permission_sets: center.permission_sets,
        provisioned: center.provisioned,
        assignments: center.assignments,
        users: store.users,
        groups: store.groups,
        memberships: store.memberships,
    };
    Ok(LiveRead {
        state,
        stats: clients.counter.since(&mark, started.elapsed()),
    })
}

/// Fetches every page of a List operation: one rate-limit token per page; stops when the
/// token is absent or empty (an empty page with a token is not the end — aws-api-facts
/// §5.2.9); a repeated token is an error rather than an endless loop.
pub(crate) async fn paginate<T, F, Fut>(
    clients: &Clients,
    service: Service,
    operation: &'static str,
    mut page: F,
) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        clients.throttle(service, operation).await;
        let (mut batch, next) = page(token.clone()).await?;
        items.append(&mut batch);
        match next.filter(|next| !next.is_empty()) {
            None => return Ok(items),
            Some(next) if token.as_ref() == Some(&next) => {
                return Err(AwsError::UnexpectedResponse {
                    service: service.label(),
                    operation,
                    detail: "the same NextToken was returned twice".into(),
                });
            }
            Some(next) => token = Some(next),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Organizations

pub(crate) async fn read_organization_root(
    clients: &Clients,
) -> Result<LiveOrganization, AwsError> {
    let describe = async {
        clients
            .throttle(Service::Organizations, "DescribeOrganization")
            .await;
        clients
            .organizations
            .describe_organization()
            .send()
            .await
            .map_err(|error| AwsError::call("organizations", "DescribeOrganization", error))
    };
    let roots = paginate(
        clients,
        Service::Organizations,
        "ListRoots",
        |token| async move {
            let output = clients
                .organizations
                .list_roots()
                .max_results(ORGANIZATIONS_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("organizations", "ListRoots", error))?;
            Ok((output.roots.unwrap_or_default(), output.next_token))
        },
    );
    let (described, roots) = tokio::try_join!(describe, roots)?;
    let organization = described.organization.ok_or_else(|| {
        AwsError::missing("organizations", "DescribeOrganization", "Organization")
    })?;
    let root_id = roots
        .into_iter()
        .find_map(|root| root.id)
        .ok_or_else(|| AwsError::missing("organizations", "ListRoots", "Roots[0].Id"))?;
    Ok(LiveOrganization {
        id: organization
            .id
            .ok_or_else(|| AwsError::missing("organizations", "DescribeOrganization", "Id"))?,
        management_account_id: organization.master_account_id.ok_or_else(|| {
            AwsError::missing("organizations", "DescribeOrganization", "MasterAccountId")
        })?,
        root_id,
    })
}

#[derive(Debug, Default)]
struct Tree {
    ous: Vec<LiveOu>,
    accounts: Vec<LiveAccount>,
    account_creations: Vec<LiveAccountCreation>,
    invitations: Vec<LiveInvitation>,
    invitations_unreadable: Option<String>,
}

/// A container (the root or an OU) whose children are still to be listed.
#[derive(Debug, Clone)]
pub(crate) struct Container {
    pub(crate) id: String,
    /// `None` for the root.
    pub(crate) path: Option<String>,
}

async fn read_tree(
    clients: &Clients,
    organization: &LiveOrganization,
    details: bool,
    mut listed: Option<tokio::sync::oneshot::Sender<ListedAccounts>>,
) -> Result<Tree, AwsError> {
    // Invitations matter only to an account file whose `id:` the organization lacks, so a
    // refusal (a delegated administrator, a server that lacks the operation) must not fail
    // the whole read: it is recorded, and the plan blocks only such an account.
    let invitations = async {
        Ok::<_, AwsError>(match read_invitations(clients).await {
            Ok(invitations) => (invitations, None),
            Err(error) => (Vec::new(), Some(error_chain(&error))),
        })
    };
    let creations = async { tokio::try_join!(read_account_creations(clients), invitations) };
    let walk = async {
        let mut ous = Vec::new();
        let mut accounts = Vec::new();
        let mut level = vec![Container {
            id: organization.root_id.clone(),
            path: None,
        }];
        // Breadth-first, one level at a time: a level's containers are listed concurrently,
        // and every OU is listed after its parent (the order `LiveState::ous` promises).
        while !level.is_empty() {
            let results: Vec<(Container, Vec<LiveOu>, Vec<LiveAccount>)> = stream::iter(level)
                .map(|container| async move {
                    let (children, members) = tokio::try_join!(
                        list_child_ous(clients, &container),
                        list_accounts_in(clients, &container),
                    )?;
                    Ok::<_, AwsError>((container, children, members))
                })
                .buffer_unordered(clients.concurrency)
                .try_collect()
                .await?;
            let mut next = Vec::new();
            let mut level_ous = Vec::new();
            for (_, children, members) in results {
                accounts.extend(members);
                for child in children {
                    next.push(Container {
                        id: child.id.clone(),
                        path: Some(child.path.clone()),
                    });
                    level_ous.push(child);
                }
            }
            level_ous.sort_by(|left, right| left.path.cmp(&right.path));
            next.sort_by(|left, right| left.path.cmp(&right.path));
            ous.extend(level_ous);
            level = next;
        }
        accounts.sort_by(|left: &LiveAccount, right| left.id.cmp(&right.id));
        if let Some(listed) = listed.take() {
            // A receiver that is gone no longer wants them: not an error of the read.
            let _ = listed.send(ListedAccounts {
                organization: organization.clone(),
                accounts: accounts.clone(),
            });
        }
        let tags: Vec<(usize, BTreeMap<String, String>)> = stream::iter(
            accounts
                .iter()
                .enumerate()
                .filter(|(_, account)| details && account.status == LiveAccountStatus::Active)
                .map(|(index, account)| (index, account.id.clone())),
        )
        .map(|(index, account_id)| async move {
            read_account_tags(clients, &account_id)
                .await
                .map(|tags| (index, tags))
        })
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
        for (index, account_tags) in tags {
            accounts[index].tags = account_tags;
        }
        Ok::<_, AwsError>((ous, accounts))
    };
    let ((ous, accounts), (account_creations, (invitations, invitations_unreadable))) =
        tokio::try_join!(walk, creations)?;
    Ok(Tree {
        ous,
        accounts,
        account_creations,
        invitations,
        invitations_unreadable,
    })
}

pub(crate) async fn list_child_ous(
    clients: &Clients,
    parent: &Container,
) -> Result<Vec<LiveOu>, AwsError> {
    let units = paginate(
        clients,
        Service::Organizations,
        "ListOrganizationalUnitsForParent",
        |token| async move {
            let output = clients
                .organizations
                .list_organizational_units_for_parent()
                .parent_id(&parent.id)
                .max_results(ORGANIZATIONS_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| {
                    AwsError::call("organizations", "ListOrganizationalUnitsForParent", error)
                })?;
            Ok((
                output.organizational_units.unwrap_or_default(),
                output.next_token,
            ))
        },
    )
    .await?;
    units
        .into_iter()
        .map(|unit| {
            let missing = |field| {
                AwsError::missing("organizations", "ListOrganizationalUnitsForParent", field)
            };
            let name = unit.name.ok_or_else(|| missing("Name"))?;
            Ok(LiveOu {
                id: unit.id.ok_or_else(|| missing("Id"))?,
                path: match &parent.path {
                    Some(parent_path) => format!("{parent_path}/{name}"),
                    None => name.clone(),
                },
                name,
                parent_id: parent.id.clone(),
            })
        })
        .collect()
}

/// `State` first (`Status` is being retired, aws-api-facts §2.1). monban's model knows three
/// statuses: `PENDING_ACTIVATION` counts as active (the account is in the organization and
/// will be usable), `CLOSED` as suspended (unusable, waiting out its 90 days).
fn account_status(
    account: &aws_sdk_organizations::types::Account,
) -> Result<LiveAccountStatus, AwsError> {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    if let Some(state) = &account.state {
        return Ok(match state {
            AccountState::Active | AccountState::PendingActivation => LiveAccountStatus::Active,
            AccountState::PendingClosure => LiveAccountStatus::PendingClosure,
            _ => LiveAccountStatus::Suspended,
        });
    }
    match &account.status {
        Some(AccountStatus::Active) => Ok(LiveAccountStatus::Active),
        Some(AccountStatus::PendingClosure) => Ok(LiveAccountStatus::PendingClosure),
        Some(_) => Ok(LiveAccountStatus::Suspended),
        None => Err(AwsError::missing(
            "organizations",
            "ListAccountsForParent",
            "State",
        )),
    }
}

pub(crate) fn live_account(
    account: &aws_sdk_organizations::types::Account,
    ou_path: Option<String>,
    operation: &'static str,
) -> Result<LiveAccount, AwsError> {
    let missing = |field| AwsError::missing("organizations", operation, field);
    Ok(LiveAccount {
        id: account.id.clone().ok_or_else(|| missing("Id"))?,
        name: account.name.clone().ok_or_else(|| missing("Name"))?,
        email: account.email.clone().ok_or_else(|| missing("Email"))?,
        status: account_status(account)?,
        ou_path,
        tags: BTreeMap::new(),
    })
}

async fn list_accounts_in(
    clients: &Clients,
    parent: &Container,
) -> Result<Vec<LiveAccount>, AwsError> {
    let accounts = paginate(
        clients,
        Service::Organizations,
        "ListAccountsForParent",
        |token| async move {
            let output = clients
                .organizations
                .list_accounts_for_parent()
                .parent_id(&parent.id)
                .max_results(ORGANIZATIONS_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("organizations", "ListAccountsForParent", error))?;
            Ok((output.accounts.unwrap_or_default(), output.next_token))
        },
    )
    .await?;
    accounts
        .iter()
        .map(|account| live_account(account, parent.path.clone(), "ListAccountsForParent"))
        .collect()
}

pub(crate) async fn read_account_tags(
    clients: &Clients,
    account_id: &str,
) -> Result<BTreeMap<String, String>, AwsError> {
    let tags = paginate(
        clients,
        Service::Organizations,
        "ListTagsForResource",
        |token| async move {
            let output = clients
                .organizations
                .list_tags_for_resource()
                .resource_id(account_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("organizations", "ListTagsForResource", error))?;
            Ok((output.tags.unwrap_or_default(), output.next_token))
        },
    )
    .await?;
    Ok(tags.into_iter().map(|tag| (tag.key, tag.value)).collect())
}

/// An error with its causes, on one line.
fn error_chain(error: &AwsError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Waits until no `CreateAccount` request of the organization is `IN_PROGRESS` (polling
/// `ListCreateAccountStatus` with backoff from 1 s to 5 s, within its rate), or `timeout`
/// passes. Returns how many were in progress at the start.
///
/// `monban apply` calls it before re-planning after an interrupted apply: an account still
/// being created is planned as "being created" with nothing else, so its move, tags and
/// assignments would only be planned by yet another run.
pub async fn wait_for_account_creations(
    clients: &Clients,
    timeout: std::time::Duration,
) -> Result<usize, AwsError> {
    let started = std::time::Instant::now();
    let in_progress = |creations: &[LiveAccountCreation]| {
        creations
            .iter()
            .filter(|creation| creation.state == LiveCreationState::InProgress)
            .count()
    };
    let at_start = in_progress(&read_account_creations(clients).await?);
    let mut remaining = at_start;
    let mut delay = std::time::Duration::from_secs(1);
    while remaining > 0 && started.elapsed() < timeout {
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(std::time::Duration::from_secs(5));
        remaining = in_progress(&read_account_creations(clients).await?);
    }
    Ok(at_start)
}

async fn read_account_creations(clients: &Clients) -> Result<Vec<LiveAccountCreation>, AwsError> {
    use aws_sdk_organizations::types::CreateAccountState;
    let statuses = paginate(
        clients,
        Service::Organizations,
        "ListCreateAccountStatus",
        |token| async move {
            let output = clients
                .organizations
                .list_create_account_status()
                .states(CreateAccountState::InProgress)
                .states(CreateAccountState::Failed)
                .max_results(ORGANIZATIONS_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| {
                    AwsError::call("organizations", "ListCreateAccountStatus", error)
                })?;
            Ok((
                output.create_account_statuses.unwrap_or_default(),
                output.next_token,
            ))
        },
    )
    .await?;
    let mut creations = statuses
        .into_iter()
        .map(|status| {
            let missing =
                |field| AwsError::missing("organizations", "ListCreateAccountStatus", field);
            Ok(LiveAccountCreation {
                request_id: status.id.ok_or_else(|| missing("Id"))?,
                account_name: status.account_name.unwrap_or_default(),
                state: match status.state.ok_or_else(|| missing("State"))? {
                    CreateAccountState::InProgress => LiveCreationState::InProgress,
                    CreateAccountState::Succeeded => LiveCreationState::Succeeded,
                    _ => LiveCreationState::Failed,
                },
                account_id: status.account_id,
                failure_reason: status
                    .failure_reason
                    .map(|reason| reason.as_str().to_owned()),
            })
        })
        .collect::<Result<Vec<_>, AwsError>>()?;
    creations.sort_by(|left, right| left.request_id.cmp(&right.request_id));
    Ok(creations)
}

/// The organization's `OPEN` (unanswered) invitations (`ListHandshakesForOrganization`, `INVITE`).
/// Accepted, declined, canceled and expired ones stay listed for 30 days; they are dropped
/// here, since only an open one keeps an account from being invited again.
pub(crate) async fn read_invitations(clients: &Clients) -> Result<Vec<LiveInvitation>, AwsError> {
    use aws_sdk_organizations::types::{
        ActionType, HandshakeFilter, HandshakePartyType, HandshakeState,
    };
    let handshakes = paginate(
        clients,
        Service::Organizations,
        "ListHandshakesForOrganization",
        |token| async move {
            let output = clients
                .organizations
                .list_handshakes_for_organization()
                .filter(
                    HandshakeFilter::builder()
                        .action_type(ActionType::InviteAccountToOrganization)
                        .build(),
                )
                .max_results(ORGANIZATIONS_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| {
                    AwsError::call("organizations", "ListHandshakesForOrganization", error)
                })?;
            Ok((output.handshakes.unwrap_or_default(), output.next_token))
        },
    )
    .await?;
    let mut invitations = Vec::new();
    for handshake in handshakes {
        // `REQUESTED` is documented as "awaiting a response from the recipient" too; AWS
        // (and the sandbox) report invitations as `OPEN`. Either way nobody has answered.
        if !matches!(
            handshake.state,
            Some(HandshakeState::Open | HandshakeState::Requested)
        ) {
            continue;
        }
        let handshake_id = handshake.id.ok_or_else(|| {
            AwsError::missing("organizations", "ListHandshakesForOrganization", "Id")
        })?;
        let mut invitation = LiveInvitation {
            handshake_id,
            account_id: None,
            email: None,
        };
        for party in handshake.parties.unwrap_or_default() {
            match party.r#type {
                HandshakePartyType::Account => invitation.account_id = Some(party.id),
                HandshakePartyType::Email => invitation.email = Some(party.id),
                // The other party is the organization itself.
                _ => {}
            }
        }
        invitations.push(invitation);
    }
    invitations.sort();
    Ok(invitations)
}

// ---------------------------------------------------------------------------------------
// IAM Identity Center

/// The first Identity Center instance, if any (an organization has at most one).
pub(crate) async fn read_instance(clients: &Clients) -> Result<Option<LiveInstance>, AwsError> {
    let instances = paginate(
        clients,
        Service::SsoAdmin,
        "ListInstances",
        |token| async move {
            let output = clients
                .sso_admin
                .list_instances()
                .max_results(SSO_ADMIN_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("sso-admin", "ListInstances", error))?;
            Ok((output.instances.unwrap_or_default(), output.next_token))
        },
    )
    .await?;
    instances
        .into_iter()
        .next()
        .map(|instance| {
            Ok(LiveInstance {
                arn: instance.instance_arn.ok_or_else(|| {
                    AwsError::missing("sso-admin", "ListInstances", "InstanceArn")
                })?,
                identity_store_id: instance.identity_store_id.ok_or_else(|| {
                    AwsError::missing("sso-admin", "ListInstances", "IdentityStoreId")
                })?,
            })
        })
        .transpose()
}

#[derive(Debug, Default)]
struct IdentityCenter {
    permission_sets: Vec<LivePermissionSet>,
    provisioned: Vec<LiveProvisioned>,
    assignments: Vec<LiveAssignment>,
}

/// Which optional parts of a permission set to read.
#[derive(Debug, Clone, Copy)]
struct Details {
    tags: bool,
    policy_references: bool,
}

async fn read_identity_center(
    clients: &Clients,
    instance: &LiveInstance,
    details: Details,
) -> Result<IdentityCenter, AwsError> {
    let arns = list_permission_set_arns(clients, instance).await?;
    let (permission_sets, provisioned) = tokio::try_join!(
        read_permission_sets_with(clients, instance, &arns, details),
        read_provisioned(clients, instance, &arns),
    )?;
    let assignments = read_assignments(clients, instance, &provisioned).await?;
    Ok(IdentityCenter {
        permission_sets,
        provisioned,
        assignments,
    })
}

pub(crate) async fn list_permission_set_arns(
    clients: &Clients,
    instance: &LiveInstance,
) -> Result<Vec<String>, AwsError> {
    let instance_arn = instance.arn.as_str();
    paginate(
        clients,
        Service::SsoAdmin,
        "ListPermissionSets",
        |token| async move {
            let output = clients
                .sso_admin
                .list_permission_sets()
                .instance_arn(instance_arn)
                .max_results(SSO_ADMIN_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("sso-admin", "ListPermissionSets", error))?;
            Ok((
                output.permission_sets.unwrap_or_default(),
                output.next_token,
            ))
        },
    )
    .await
}

/// `read` when `wanted`, else nothing (an empty list) without a call.
async fn if_details<T>(
    wanted: bool,
    read: impl Future<Output = Result<Vec<T>, AwsError>>,
) -> Result<Vec<T>, AwsError> {
    if wanted { read.await } else { Ok(Vec::new()) }
}

/// Describes every permission set in `arns` (concurrently), sorted by name.
pub(crate) async fn read_permission_sets(
    clients: &Clients,
    instance: &LiveInstance,
    arns: &[String],
) -> Result<Vec<LivePermissionSet>, AwsError> {
    read_permission_sets_with(
        clients,
        instance,
        arns,
        Details {
            tags: true,
            policy_references: true,
        },
    )
    .await
}

/// [`read_permission_sets`]; tags and customer managed policy references only when
/// `details` says so (else left empty).
async fn read_permission_sets_with(
    clients: &Clients,
    instance: &LiveInstance,
    arns: &[String],
    details: Details,
) -> Result<Vec<LivePermissionSet>, AwsError> {
    let mut sets: Vec<LivePermissionSet> = stream::iter(arns)
        .map(|arn| read_permission_set(clients, &instance.arn, arn, details))
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    sets.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(sets)
}

/// One permission set with everything attached: six calls, run concurrently.
async fn read_permission_set(
    clients: &Clients,
    instance_arn: &str,
    arn: &str,
    details: Details,
) -> Result<LivePermissionSet, AwsError> {
    let sso_admin = &clients.sso_admin;
    let describe = async {
        clients
            .throttle(Service::SsoAdmin, "DescribePermissionSet")
            .await;
        sso_admin
            .describe_permission_set()
            .instance_arn(instance_arn)
            .permission_set_arn(arn)
            .send()
            .await
            .map_err(|error| AwsError::call("sso-admin", "DescribePermissionSet", error))?
            .permission_set
            .ok_or_else(|| AwsError::missing("sso-admin", "DescribePermissionSet", "PermissionSet"))
    };
    let inline = async {
        clients
            .throttle(Service::SsoAdmin, "GetInlinePolicyForPermissionSet")
            .await;
        let output = sso_admin
            .get_inline_policy_for_permission_set()
            .instance_arn(instance_arn)
            .permission_set_arn(arn)
            .send()
            .await
            .map_err(|error| {
                AwsError::call("sso-admin", "GetInlinePolicyForPermissionSet", error)
            })?;
        // AWS answers "" when there is none.
        Ok::<_, AwsError>(output.inline_policy.filter(|policy| !policy.is_empty()))
    };
    let boundary = async {
        clients
            .throttle(Service::SsoAdmin, "GetPermissionsBoundaryForPermissionSet")
            .await;
        match sso_admin
            .get_permissions_boundary_for_permission_set()
            .instance_arn(instance_arn)
            .permission_set_arn(arn)
            .send()
            .await
        {
            Ok(output) => Ok(output.permissions_boundary.and_then(live_boundary)),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(aws_sdk_ssoadmin::operation::get_permissions_boundary_for_permission_set::GetPermissionsBoundaryForPermissionSetError::is_resource_not_found_exception) =>
            {
                Ok(None)
            }
            Err(error) => Err(AwsError::call(
                "sso-admin",
                "GetPermissionsBoundaryForPermissionSet",
                error,
            )),
        }
    };
    let managed = paginate(
        clients,
        Service::SsoAdmin,
        "ListManagedPoliciesInPermissionSet",
        |token| async move {
            let output = sso_admin
                .list_managed_policies_in_permission_set()
                .instance_arn(instance_arn)
                .permission_set_arn(arn)
                .max_results(SSO_ADMIN_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| {
                    AwsError::call("sso-admin", "ListManagedPoliciesInPermissionSet", error)
                })?;
            Ok((
                output.attached_managed_policies.unwrap_or_default(),
                output.next_token,
            ))
        },
    );
    let customer_managed = if_details(
        details.policy_references,
        paginate(
            clients,
            Service::SsoAdmin,
            "ListCustomerManagedPolicyReferencesInPermissionSet",
            |token| async move {
                let output = sso_admin
                    .list_customer_managed_policy_references_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(arn)
                    .max_results(SSO_ADMIN_PAGE)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|error| {
                        AwsError::call(
                            "sso-admin",
                            "ListCustomerManagedPolicyReferencesInPermissionSet",
                            error,
                        )
                    })?;
                Ok((
                    output
                        .customer_managed_policy_references
                        .unwrap_or_default(),
                    output.next_token,
                ))
            },
        ),
    );
    let tags = if_details(
        details.tags,
        paginate(
            clients,
            Service::SsoAdmin,
            "ListTagsForResource",
            |token| async move {
                let output = sso_admin
                    .list_tags_for_resource()
                    .instance_arn(instance_arn)
                    .resource_arn(arn)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|error| AwsError::call("sso-admin", "ListTagsForResource", error))?;
                Ok((output.tags.unwrap_or_default(), output.next_token))
            },
        ),
    );
    let (described, inline_policy, permissions_boundary, managed, customer_managed, tags) =
        tokio::try_join!(describe, inline, boundary, managed, customer_managed, tags)?;
    let mut managed_policies: Vec<String> = managed
        .into_iter()
        .filter_map(|policy| policy.arn)
        .collect();
    managed_policies.sort();
    let mut customer_managed_policies: Vec<LiveCustomerManagedPolicy> = customer_managed
        .into_iter()
        .map(|reference| LiveCustomerManagedPolicy {
            name: reference.name,
            path: reference.path.unwrap_or_else(|| "/".to_owned()),
        })
        .collect();
    customer_managed_policies.sort();
    Ok(LivePermissionSet {
        arn: arn.to_owned(),
        name: described
            .name
            .ok_or_else(|| AwsError::missing("sso-admin", "DescribePermissionSet", "Name"))?,
        description: described.description,
        session_duration: described.session_duration,
        relay_state: described.relay_state,
        inline_policy,
        managed_policies,
        customer_managed_policies,
        permissions_boundary,
        tags: tags.into_iter().map(|tag| (tag.key, tag.value)).collect(),
    })
}

fn live_boundary(
    boundary: aws_sdk_ssoadmin::types::PermissionsBoundary,
) -> Option<LivePermissionsBoundary> {
    if let Some(arn) = boundary.managed_policy_arn {
        return Some(LivePermissionsBoundary::ManagedPolicy(arn));
    }
    boundary.customer_managed_policy_reference.map(|reference| {
        LivePermissionsBoundary::CustomerManagedPolicy(LiveCustomerManagedPolicy {
            name: reference.name,
            path: reference.path.unwrap_or_else(|| "/".to_owned()),
        })
    })
}

async fn provisioned_accounts(
    clients: &Clients,
    instance_arn: &str,
    arn: &str,
    status: Option<ProvisioningStatus>,
) -> Result<Vec<String>, AwsError> {
    paginate(
        clients,
        Service::SsoAdmin,
        "ListAccountsForProvisionedPermissionSet",
        |token| {
            let status = status.clone();
            async move {
                let output = clients
                    .sso_admin
                    .list_accounts_for_provisioned_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(arn)
                    .set_provisioning_status(status)
                    .max_results(SSO_ADMIN_PAGE)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|error| {
                        AwsError::call(
                            "sso-admin",
                            "ListAccountsForProvisionedPermissionSet",
                            error,
                        )
                    })?;
                Ok((output.account_ids.unwrap_or_default(), output.next_token))
            }
        },
    )
    .await
}

/// Where each permission set in `arns` is provisioned, and whether the role is current.
pub(crate) async fn read_provisioned(
    clients: &Clients,
    instance: &LiveInstance,
    arns: &[String],
) -> Result<Vec<LiveProvisioned>, AwsError> {
    let per_set: Vec<Vec<LiveProvisioned>> = stream::iter(arns)
        .map(|arn| async move {
            let (all, outdated) = tokio::try_join!(
                provisioned_accounts(clients, &instance.arn, arn, None),
                provisioned_accounts(
                    clients,
                    &instance.arn,
                    arn,
                    Some(ProvisioningStatus::LatestPermissionSetNotProvisioned)
                ),
            )?;
            let outdated: BTreeSet<String> = outdated.into_iter().collect();
            let accounts: BTreeSet<String> =
                all.into_iter().chain(outdated.iter().cloned()).collect();
            Ok::<_, AwsError>(
                accounts
                    .into_iter()
                    .map(|account_id| LiveProvisioned {
                        permission_set_arn: arn.clone(),
                        current: !outdated.contains(&account_id),
                        account_id,
                    })
                    .collect(),
            )
        })
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    let mut provisioned: Vec<LiveProvisioned> = per_set.into_iter().flatten().collect();
    provisioned.sort();
    Ok(provisioned)
}

/// The assignments of every provisioned (permission set, account) pair.
pub(crate) async fn read_assignments(
    clients: &Clients,
    instance: &LiveInstance,
    provisioned: &[LiveProvisioned],
) -> Result<Vec<LiveAssignment>, AwsError> {
    let instance_arn = instance.arn.as_str();
    let per_pair: Vec<Vec<LiveAssignment>> = stream::iter(provisioned)
        .map(|pair| async move {
            let found = paginate(
                clients,
                Service::SsoAdmin,
                "ListAccountAssignments",
                |token| async move {
                    let output = clients
                        .sso_admin
                        .list_account_assignments()
                        .instance_arn(instance_arn)
                        .account_id(&pair.account_id)
                        .permission_set_arn(&pair.permission_set_arn)
                        .max_results(SSO_ADMIN_PAGE)
                        .set_next_token(token)
                        .send()
                        .await
                        .map_err(|error| {
                            AwsError::call("sso-admin", "ListAccountAssignments", error)
                        })?;
                    Ok((
                        output.account_assignments.unwrap_or_default(),
                        output.next_token,
                    ))
                },
            )
            .await?;
            found
                .into_iter()
                .map(|assignment| {
                    let missing =
                        |field| AwsError::missing("sso-admin", "ListAccountAssignments", field);
                    Ok(LiveAssignment {
                        account_id: assignment
                            .account_id
                            .unwrap_or_else(|| pair.account_id.clone()),
                        permission_set_arn: assignment
                            .permission_set_arn
                            .unwrap_or_else(|| pair.permission_set_arn.clone()),
                        principal_type: match assignment
                            .principal_type
                            .ok_or_else(|| missing("PrincipalType"))?
                        {
                            PrincipalType::User => LivePrincipalType::User,
                            PrincipalType::Group => LivePrincipalType::Group,
                            other => {
                                return Err(AwsError::UnexpectedResponse {
                                    service: "sso-admin",
                                    operation: "ListAccountAssignments",
                                    detail: format!("unknown PrincipalType `{}`", other.as_str()),
                                });
                            }
                        },
                        principal_id: assignment
                            .principal_id
                            .ok_or_else(|| missing("PrincipalId"))?,
                    })
                })
                .collect::<Result<Vec<_>, AwsError>>()
        })
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    let mut assignments: Vec<LiveAssignment> = per_pair.into_iter().flatten().collect();
    assignments.sort();
    assignments.dedup();
    Ok(assignments)
}

// ---------------------------------------------------------------------------------------
// Identity Store

#[derive(Debug, Default)]
pub(crate) struct IdentityStore {
    pub(crate) users: Vec<LiveUser>,
    pub(crate) groups: Vec<LiveGroup>,
    pub(crate) memberships: Vec<LiveMembership>,
}

pub(crate) async fn list_users(
    clients: &Clients,
    identity_store_id: &str,
) -> Result<Vec<aws_sdk_identitystore::types::User>, AwsError> {
    paginate(
        clients,
        Service::IdentityStore,
        "ListUsers",
        |token| async move {
            let output = clients
                .identity_store
                .list_users()
                .identity_store_id(identity_store_id)
                .max_results(IDENTITY_STORE_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("identitystore", "ListUsers", error))?;
            Ok((output.users, output.next_token))
        },
    )
    .await
}

pub(crate) async fn list_groups(
    clients: &Clients,
    identity_store_id: &str,
) -> Result<Vec<aws_sdk_identitystore::types::Group>, AwsError> {
    paginate(
        clients,
        Service::IdentityStore,
        "ListGroups",
        |token| async move {
            let output = clients
                .identity_store
                .list_groups()
                .identity_store_id(identity_store_id)
                .max_results(IDENTITY_STORE_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| AwsError::call("identitystore", "ListGroups", error))?;
            Ok((output.groups, output.next_token))
        },
    )
    .await
}

/// One membership as the push needs it (with its id, for deletion).
#[derive(Debug, Clone)]
pub(crate) struct MembershipRecord {
    pub(crate) id: String,
    pub(crate) group_id: String,
    pub(crate) user_id: String,
}

/// Memberships of every group in `group_ids`, one `ListGroupMemberships` per group page.
pub(crate) async fn list_memberships(
    clients: &Clients,
    identity_store_id: &str,
    group_ids: &[String],
) -> Result<Vec<MembershipRecord>, AwsError> {
    let per_group: Vec<Vec<MembershipRecord>> = stream::iter(group_ids)
        .map(|group_id| async move {
            let memberships = paginate(
                clients,
                Service::IdentityStore,
                "ListGroupMemberships",
                |token| async move {
                    let output = clients
                        .identity_store
                        .list_group_memberships()
                        .identity_store_id(identity_store_id)
                        .group_id(group_id)
                        .max_results(IDENTITY_STORE_PAGE)
                        .set_next_token(token)
                        .send()
                        .await
                        .map_err(|error| {
                            AwsError::call("identitystore", "ListGroupMemberships", error)
                        })?;
                    Ok((output.group_memberships, output.next_token))
                },
            )
            .await?;
            Ok::<_, AwsError>(
                memberships
                    .into_iter()
                    .filter_map(|membership| {
                        // Only users can be members (no nested groups); skip anything else.
                        let aws_sdk_identitystore::types::MemberId::UserId(user_id) =
                            membership.member_id?
                        else {
                            return None;
                        };
                        Some(MembershipRecord {
                            id: membership.membership_id,
                            group_id: membership.group_id.unwrap_or_else(|| group_id.clone()),
                            user_id,
                        })
                    })
                    .collect(),
            )
        })
        .buffer_unordered(clients.concurrency)
        .try_collect()
        .await?;
    Ok(per_group.into_iter().flatten().collect())
}

/// The primary e-mail, else the first.
pub(crate) fn primary_email(user: &aws_sdk_identitystore::types::User) -> Option<String> {
    let emails = user.emails.as_deref().unwrap_or_default();
    emails
        .iter()
        .find(|email| email.primary)
        .or_else(|| emails.first())
        .and_then(|email| email.value.clone())
}

fn live_user(user: aws_sdk_identitystore::types::User) -> Result<LiveUser, AwsError> {
    let email = primary_email(&user);
    Ok(LiveUser {
        user_name: user
            .user_name
            .ok_or_else(|| AwsError::missing("identitystore", "ListUsers", "UserName"))?,
        display_name: user.display_name,
        email,
        // Absent on stores that predate UserStatus: such users can sign in.
        enabled: user.user_status != Some(aws_sdk_identitystore::types::UserStatus::Disabled),
        id: user.user_id,
    })
}

pub(crate) async fn read_identity_store(
    clients: &Clients,
    identity_store_id: &str,
) -> Result<IdentityStore, AwsError> {
    let (users, groups) = tokio::try_join!(
        list_users(clients, identity_store_id),
        list_groups(clients, identity_store_id),
    )?;
    let group_ids: Vec<String> = groups.iter().map(|group| group.group_id.clone()).collect();
    let memberships = list_memberships(clients, identity_store_id, &group_ids).await?;
    let mut users = users
        .into_iter()
        .map(live_user)
        .collect::<Result<Vec<_>, _>>()?;
    users.sort_by(|left, right| left.user_name.cmp(&right.user_name));
    let mut groups = groups
        .into_iter()
        .map(|group| {
            Ok(LiveGroup {
                display_name: group.display_name.ok_or_else(|| {
                    AwsError::missing("identitystore", "ListGroups", "DisplayName")
                })?,
                description: group.description,
                id: group.group_id,
            })
        })
        .collect::<Result<Vec<_>, AwsError>>()?;
    groups.sort_by(|left, right| left.display_name.cmp(&right.display_name));
    let mut memberships: Vec<LiveMembership> = memberships
        .into_iter()
        .map(|record| LiveMembership {
            group_id: record.group_id,
            user_id: record.user_id,
        })
        .collect();
    memberships.sort();
    memberships.dedup();
    Ok(IdentityStore {
        users,
        groups,
        memberships,
    })
}
