//! One executor per kind of task: the AWS calls, in order, with the journal entries that
//! make each resumable. Every executor first honours what the journal says about its step
//! (in flight → wait for that request; an `intent` without an outcome → look in AWS for
//! what the interrupted apply may have done before sending anything).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ssoadmin::types::{
    CustomerManagedPolicyReference, PermissionsBoundary, PrincipalType, ProvisionTargetType,
    TargetType,
};
use monban_model::{LivePermissionSet, LivePermissionsBoundary};
use monban_plan::{
    Address, BoundaryState, CustomerManagedPolicyState, PermissionSetState, PrincipalKind,
};

use super::graph::{Ref, TagChange, Task, TaskKind};
use super::journal::{AsyncKind, JournalError, StepRecord};
use super::poll::{self, Status};
use super::retry::{Class, StepError};
use super::run::Context;
use crate::limits::Service;

/// Why a task stopped.
#[derive(Debug)]
pub(crate) enum TaskError {
    Step(StepError),
    Journal(JournalError),
}

impl From<StepError> for TaskError {
    fn from(error: StepError) -> Self {
        Self::Step(error)
    }
}

impl From<JournalError> for TaskError {
    fn from(error: JournalError) -> Self {
        Self::Journal(error)
    }
}

type StepResult = Result<Option<String>, TaskError>;

/// Runs `task`; returns its result value (an id or ARN) if it has one.
pub(crate) async fn run(context: &Context<'_>, task: &Task, record: &StepRecord) -> StepResult {
    match &task.kind {
        TaskKind::CreateOu { name, parent } => create_ou(context, task, record, name, parent).await,
        TaskKind::DeleteOu { id } => delete_ou(context, task, id).await,
        TaskKind::CreateAccount {
            name,
            email,
            tags,
            ou,
        } => create_account(context, task, record, name, email, tags, ou.as_ref()).await,
        TaskKind::AwaitAccount { request_id } => {
            let status = context.wait(AsyncKind::AccountCreation, request_id).await?;
            finished(&status, "organizations:CreateAccount")?;
            Ok(Some(status.account_id.ok_or_else(|| {
                StepError::other(
                    "organizations:CreateAccount",
                    "SUCCEEDED without an account id",
                )
            })?))
        }
        TaskKind::UpdateAccount { id, moves, tags } => {
            update_account(context, task, record, id, moves.as_ref(), tags.as_ref()).await
        }
        TaskKind::CloseAccount { id } => close_account(context, task, id).await,
        TaskKind::InviteAccount { id, tags, notes } => {
            invite_account(context, task, record, id, tags, notes).await
        }
        // The scheduler never runs a deferred task; should one get here, it fails with
        // its reason rather than doing anything.
        TaskKind::Deferred { reason } => Err(StepError::other("apply", reason.clone()).into()),
        TaskKind::PutPermissionSet {
            existing_arn,
            before,
            after,
        } => {
            put_permission_set(
                context,
                task,
                record,
                existing_arn.as_deref(),
                before.as_deref(),
                after,
            )
            .await
        }
        TaskKind::Provision {
            permission_set,
            account_id,
        } => provision(context, task, record, permission_set, account_id).await,
        TaskKind::CreateAssignment {
            permission_set,
            account,
            principal_kind,
            principal_id,
        } => {
            let arn = context.resolve(permission_set)?;
            let account_id = context.resolve(account)?;
            let assignment = Assignment {
                arn: &arn,
                account_id: &account_id,
                principal_kind: *principal_kind,
                principal_id,
            };
            change_assignment(context, task, record, &assignment, true).await
        }
        TaskKind::DeleteAssignment {
            permission_set_arn,
            account_id,
            principal_kind,
            principal_id,
        } => {
            let assignment = Assignment {
                arn: permission_set_arn,
                account_id,
                principal_kind: *principal_kind,
                principal_id,
            };
            change_assignment(context, task, record, &assignment, false).await
        }
        TaskKind::DeletePermissionSet { arn } => delete_permission_set(context, task, arn).await,
        TaskKind::Invalid { message } => Err(StepError::other("apply", message.clone()).into()),
    }
}

/// `Ok` for `SUCCEEDED`, the `FailureReason` for `FAILED`.
fn finished(status: &Status, operation: &str) -> Result<(), StepError> {
    match status.succeeded {
        Some(true) => Ok(()),
        _ => Err(StepError::other(
            operation,
            format!(
                "FAILED: {}",
                status
                    .failure_reason
                    .as_deref()
                    .unwrap_or("no reason given")
            ),
        )),
    }
}

fn aws_error(operation: &str, error: &crate::AwsError) -> StepError {
    StepError::other(operation, error.to_string())
}

// ---------------------------------------------------------------------------------------
// Organizations

async fn find_child_ou(
    context: &Context<'_>,
    parent_id: &str,
    name: &str,
) -> Result<Option<String>, StepError> {
    let children = crate::read::list_child_ous(
        context.clients,
        &crate::read::Container {
            id: parent_id.to_owned(),
            path: None,
        },
    )
    .await
    .map_err(|error| aws_error("organizations:ListOrganizationalUnitsForParent", &error))?;
    Ok(children
        .into_iter()
        .find(|child| child.name == name)
        .map(|child| child.id))
}

async fn create_ou(
    context: &Context<'_>,
    task: &Task,
    record: &StepRecord,
    name: &str,
    parent: &Ref,
) -> StepResult {
    let parent_id = context.resolve(parent)?;
    if record.unfinished
        && let Some(id) = find_child_ou(context, &parent_id, name).await?
    {
        return Ok(Some(id));
    }
    context.intent(&task.key).await?;
    context.started(&task.address, "CreateOrganizationalUnit");
    let result = context
        .call(
            Some(&task.address),
            Service::Organizations,
            "CreateOrganizationalUnit",
            || {
                context
                    .organizations
                    .create_organizational_unit()
                    .parent_id(&parent_id)
                    .name(name)
                    .send()
            },
        )
        .await;
    match result {
        Ok(output) => Ok(Some(
            output
                .organizational_unit
                .and_then(|unit| unit.id)
                .ok_or_else(|| {
                    StepError::other(
                        "organizations:CreateOrganizationalUnit",
                        "no OU id returned",
                    )
                })?,
        )),
        // Ours from an interrupted apply, or made meanwhile: either way it exists.
        Err(error) if error.is_code("DuplicateOrganizationalUnitException") => {
            match find_child_ou(context, &parent_id, name).await? {
                Some(id) => Ok(Some(id)),
                None => Err(error.into()),
            }
        }
        Err(error) => Err(error.into()),
    }
}

async fn delete_ou(context: &Context<'_>, task: &Task, id: &str) -> StepResult {
    context.intent(&task.key).await?;
    context.started(&task.address, "DeleteOrganizationalUnit");
    match context
        .call(
            Some(&task.address),
            Service::Organizations,
            "DeleteOrganizationalUnit",
            || {
                context
                    .organizations
                    .delete_organizational_unit()
                    .organizational_unit_id(id)
                    .send()
            },
        )
        .await
    {
        Ok(_) => Ok(None),
        Err(error) if error.is_code("OrganizationalUnitNotFoundException") => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Every account's id by lower-cased root e-mail, listed once per apply (when the first
/// account is to be created) and shared by the creations that follow: fresher than the
/// plan's view, at `⌈accounts ÷ 20⌉` calls instead of that many per creation. The
/// creations of this apply cannot be in it, and need not: each is keyed by its own e-mail.
async fn account_emails<'context>(
    context: &'context Context<'_>,
) -> Result<&'context std::collections::HashMap<String, String>, StepError> {
    context
        .account_emails
        .get_or_try_init(|| async {
            let mut emails = std::collections::HashMap::new();
            let mut token: Option<String> = None;
            loop {
                let output = context
                    .call(None, Service::Organizations, "ListAccounts", || {
                        context
                            .organizations
                            .list_accounts()
                            .max_results(20)
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                for account in output.accounts.unwrap_or_default() {
                    if let (Some(email), Some(id)) = (account.email, account.id) {
                        emails.insert(email.to_lowercase(), id);
                    }
                }
                match output.next_token.filter(|next| !next.is_empty()) {
                    Some(next) if token.as_ref() != Some(&next) => token = Some(next),
                    _ => return Ok(emails),
                }
            }
        })
        .await
}

/// The id of the account with root e-mail `email` (case-insensitive), read now (after a
/// crash or an ambiguous error, when the shared list may be out of date).
async fn account_with_email(
    context: &Context<'_>,
    email: &str,
) -> Result<Option<String>, StepError> {
    let mut token: Option<String> = None;
    loop {
        let output = context
            .call(None, Service::Organizations, "ListAccounts", || {
                context
                    .organizations
                    .list_accounts()
                    .max_results(20)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
        if let Some(account) = output
            .accounts
            .unwrap_or_default()
            .into_iter()
            .find(|account| {
                account
                    .email
                    .as_deref()
                    .is_some_and(|found| found.eq_ignore_ascii_case(email))
            })
        {
            return Ok(account.id);
        }
        match output.next_token.filter(|next| !next.is_empty()) {
            Some(next) if token.as_ref() != Some(&next) => token = Some(next),
            _ => return Ok(None),
        }
    }
}

/// An `IN_PROGRESS` `CreateAccount` request for an account named `name`
/// (`ListCreateAccountStatus` reports names, not e-mails, and whole statuses: no describe
/// needed).
async fn creation_in_progress(
    context: &Context<'_>,
    name: &str,
) -> Result<Option<String>, StepError> {
    let mut token: Option<String> = None;
    loop {
        let output = context
            .call(
                None,
                Service::Organizations,
                "ListCreateAccountStatus",
                || {
                    context
                        .organizations
                        .list_create_account_status()
                        .states(aws_sdk_organizations::types::CreateAccountState::InProgress)
                        .max_results(20)
                        .set_next_token(token.clone())
                        .send()
                },
            )
            .await?;
        if let Some(found) = output
            .create_account_statuses
            .unwrap_or_default()
            .into_iter()
            .find(|status| status.account_name.as_deref() == Some(name))
        {
            return Ok(found.id);
        }
        match output.next_token.filter(|next| !next.is_empty()) {
            Some(next) if token.as_ref() != Some(&next) => token = Some(next),
            _ => return Ok(None),
        }
    }
}

async fn create_account(
    context: &Context<'_>,
    task: &Task,
    record: &StepRecord,
    name: &str,
    email: &str,
    tags: &BTreeMap<String, String>,
    ou: Option<&Ref>,
) -> StepResult {
    let operation = "organizations:CreateAccount";
    let destination = ou.map(|ou| context.resolve(ou)).transpose()?;
    let account_id = if let Some((_, request_id)) = &record.in_flight {
        let status = context.wait(AsyncKind::AccountCreation, request_id).await?;
        finished(&status, operation)?;
        status.account_id
    } else if let Some(id) = record.value.clone() {
        Some(id)
    } else if let Some(id) = if record.unfinished {
        account_with_email(context, email).await?
    } else {
        account_emails(context)
            .await?
            .get(&email.to_lowercase())
            .cloned()
    } {
        // CreateAccount is not idempotent: an account with this root e-mail exists (made
        // by an interrupted apply, or meanwhile), so it is this one.
        Some(id)
    } else {
        // Held from the check to the end: at most five creations in progress (AWS's limit).
        let _slot = context.account_creations.acquire().await;
        // Where the account goes, recorded before it exists: if this apply dies while the
        // creation is in flight, the next one (whose plan no longer creates the account)
        // finishes the move from here.
        if let Some(destination) = &destination {
            context
                .value(&format!("{}/destination", task.key), destination)
                .await?;
        }
        let request_id = match creation_in_progress(context, name).await? {
            Some(request_id) => request_id,
            None => send_create_account(context, task, name, email, tags).await?,
        };
        context
            .sent(
                &task.address,
                &task.key,
                AsyncKind::AccountCreation,
                &request_id,
            )
            .await?;
        let status = context
            .wait(AsyncKind::AccountCreation, &request_id)
            .await?;
        finished(&status, operation)?;
        status.account_id
    };
    let account_id =
        account_id.ok_or_else(|| StepError::other(operation, "SUCCEEDED without an account id"))?;
    context.value(&task.key, &account_id).await?;
    if let Some(destination) = &destination {
        move_created_account(context, &task.key, &task.address, &account_id, destination).await?;
    }
    Ok(Some(account_id))
}

/// Moves a just-created account from the root into its OU (a sub-step of the creation).
async fn move_created_account(
    context: &Context<'_>,
    creation_key: &str,
    address: &Address,
    account_id: &str,
    destination: &str,
) -> Result<(), TaskError> {
    let root = context.live.organization.root_id.clone();
    let verify =
        async { Ok(account_parent(context, account_id).await?.as_deref() == Some(destination)) };
    sub_step(
        context,
        format!("{creation_key}/move"),
        Box::pin(verify),
        Box::pin(move_account(
            context,
            address,
            account_id,
            &root,
            destination,
        )),
    )
    .await
}

/// An interrupted apply's `CreateAccount` whose request id was never recorded, and whose
/// step this plan does not contain (the re-plan saw the account being created, or created):
/// found by its root e-mail or its name, waited for, and moved into its OU.
pub(crate) async fn resume_unrecorded_creation(
    context: &Context<'_>,
    creation_key: &str,
) -> Result<(), JournalError> {
    let Some((name, email)) = creation_key
        .strip_prefix("account/")
        .and_then(|rest| rest.split_once("#create:"))
    else {
        return Ok(());
    };
    let account_id = match account_with_email(context, email).await {
        Ok(Some(id)) => Some(id),
        Ok(None) => match creation_in_progress(context, name).await {
            Ok(Some(request_id)) => context
                .wait(AsyncKind::AccountCreation, &request_id)
                .await
                .ok()
                .filter(|status| status.succeeded == Some(true))
                .and_then(|status| status.account_id),
            _ => None,
        },
        Err(_) => None,
    };
    if let Some(account_id) = account_id {
        finish_interrupted_creation(context, creation_key, &account_id).await?;
        context
            .record(|journal| journal.done(creation_key, Some(&account_id)))
            .await?;
    }
    Ok(())
}

/// After an interrupted apply's account creation finished (looked up on resume, its step
/// no longer in the plan): the move into its OU that the creation step would have made.
/// A failure is left to the next plan, which sees the account outside its OU.
pub(crate) async fn finish_interrupted_creation(
    context: &Context<'_>,
    creation_key: &str,
    account_id: &str,
) -> Result<(), JournalError> {
    let Some(destination) = context
        .step(&format!("{creation_key}/destination"))
        .and_then(|record| record.value)
    else {
        return Ok(());
    };
    let Some(name) = creation_key
        .strip_prefix("account/")
        .and_then(|rest| rest.split_once('#'))
        .map(|(name, _)| name.to_owned())
    else {
        return Ok(());
    };
    let address = Address::Account { account: name };
    match move_created_account(context, creation_key, &address, account_id, &destination).await {
        Ok(()) | Err(TaskError::Step(_)) => Ok(()),
        Err(TaskError::Journal(error)) => Err(error),
    }
}

async fn send_create_account(
    context: &Context<'_>,
    task: &Task,
    name: &str,
    email: &str,
    tags: &BTreeMap<String, String>,
) -> Result<String, TaskError> {
    let policy = context.options.retry;
    let mut attempt = 0;
    loop {
        attempt += 1;
        context.intent(&task.key).await?;
        context.started(&task.address, "CreateAccount");
        let organization_tags: Vec<aws_sdk_organizations::types::Tag> = tags
            .iter()
            .filter_map(|(key, value)| {
                aws_sdk_organizations::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .ok()
            })
            .collect();
        let result = context
            .call_with(
                Some(&task.address),
                Service::Organizations,
                "CreateAccount",
                false,
                || {
                    context
                        .organizations
                        .create_account()
                        .email(email)
                        .account_name(name)
                        .set_tags(
                            (!organization_tags.is_empty()).then(|| organization_tags.clone()),
                        )
                        .send()
                },
            )
            .await;
        match result {
            Ok(output) => {
                return output
                    .create_account_status
                    .and_then(|status| status.id)
                    .ok_or_else(|| {
                        StepError::other("organizations:CreateAccount", "no request id returned")
                            .into()
                    });
            }
            Err(error) => {
                // A 5xx or a timeout: AWS may have acted. Look before sending again.
                let Class::Retry(kind) = error.class else {
                    return Err(error.into());
                };
                if attempt >= policy.max_attempts {
                    return Err(error.into());
                }
                tokio::time::sleep(policy.delay(attempt)).await;
                if let Some(request_id) = creation_in_progress(context, name).await? {
                    return Ok(request_id);
                }
                if account_with_email(context, email).await?.is_some() {
                    // Created and already finished: adopt it through its status.
                    return Err(StepError::other(
                        "organizations:CreateAccount",
                        format!(
                            "an account with root e-mail {email} appeared while creating it; \
                             plan again to bind it"
                        ),
                    )
                    .into());
                }
                context.count_retry(kind);
            }
        }
    }
}

async fn account_parent(
    context: &Context<'_>,
    account_id: &str,
) -> Result<Option<String>, StepError> {
    let output = context
        .call(None, Service::Organizations, "ListParents", || {
            context
                .organizations
                .list_parents()
                .child_id(account_id)
                .send()
        })
        .await?;
    Ok(output
        .parents
        .unwrap_or_default()
        .into_iter()
        .find_map(|parent| parent.id))
}

async fn move_account(
    context: &Context<'_>,
    address: &Address,
    account_id: &str,
    source: &str,
    destination: &str,
) -> Result<(), StepError> {
    let mut source = source.to_owned();
    for _ in 0..2 {
        if source == destination {
            return Ok(());
        }
        context.started(address, "MoveAccount");
        let result = context
            .call(Some(address), Service::Organizations, "MoveAccount", || {
                context
                    .organizations
                    .move_account()
                    .account_id(account_id)
                    .source_parent_id(&source)
                    .destination_parent_id(destination)
                    .send()
            })
            .await;
        match result {
            Ok(_) => return Ok(()),
            Err(error) if error.is_code("DuplicateAccountException") => return Ok(()),
            // Not where the plan saw it (moved by an interrupted apply, or by hand): move
            // it from where it is.
            Err(error)
                if error.is_code("AccountNotFoundException")
                    || error.is_code("SourceParentNotFoundException") =>
            {
                match account_parent(context, account_id).await? {
                    Some(parent) if parent != source => source = parent,
                    _ => return Err(error),
                }
            }
            Err(error) => return Err(error),
        }
    }
    Err(StepError::other(
        "organizations:MoveAccount",
        format!("account {account_id} could not be moved to {destination}"),
    ))
}

async fn update_account(
    context: &Context<'_>,
    task: &Task,
    _record: &StepRecord,
    id: &str,
    moves: Option<&(Ref, Ref)>,
    tags: Option<&TagChange>,
) -> StepResult {
    if let Some((from, to)) = moves {
        let from = context.resolve(from)?;
        let to = context.resolve(to)?;
        let verify =
            async { Ok(account_parent(context, id).await?.as_deref() == Some(to.as_str())) };
        sub_step(
            context,
            format!("{}/move", task.key),
            Box::pin(verify),
            Box::pin(move_account(context, &task.address, id, &from, &to)),
        )
        .await?;
    }
    if let Some((before, after)) = tags {
        let changed: BTreeMap<&String, &String> = after
            .iter()
            .filter(|(key, value)| before.get(*key) != Some(*value))
            .collect();
        let removed: Vec<String> = before
            .keys()
            .filter(|key| !after.contains_key(*key))
            .cloned()
            .collect();
        let current_tags = || async {
            crate::read::read_account_tags(context.clients, id)
                .await
                .map_err(|error| aws_error("organizations:ListTagsForResource", &error))
        };
        if !changed.is_empty() {
            let tags: Vec<aws_sdk_organizations::types::Tag> = changed
                .iter()
                .filter_map(|(key, value)| {
                    aws_sdk_organizations::types::Tag::builder()
                        .key(*key)
                        .value(*value)
                        .build()
                        .ok()
                })
                .collect();
            let verify = async {
                let live = current_tags().await?;
                Ok(changed
                    .iter()
                    .all(|(key, value)| live.get(*key) == Some(*value)))
            };
            let send = async {
                context.started(&task.address, "TagResource");
                context
                    .call(
                        Some(&task.address),
                        Service::Organizations,
                        "TagResource",
                        || {
                            context
                                .organizations
                                .tag_resource()
                                .resource_id(id)
                                .set_tags(Some(tags.clone()))
                                .send()
                        },
                    )
                    .await
                    .map(|_| ())
            };
            sub_step(
                context,
                format!("{}/tag", task.key),
                Box::pin(verify),
                Box::pin(send),
            )
            .await?;
        }
        if !removed.is_empty() {
            let verify = async {
                let live = current_tags().await?;
                Ok(removed.iter().all(|key| !live.contains_key(key)))
            };
            let send = async {
                context.started(&task.address, "UntagResource");
                context
                    .call(
                        Some(&task.address),
                        Service::Organizations,
                        "UntagResource",
                        || {
                            context
                                .organizations
                                .untag_resource()
                                .resource_id(id)
                                .set_tag_keys(Some(removed.clone()))
                                .send()
                        },
                    )
                    .await
                    .map(|_| ())
            };
            sub_step(
                context,
                format!("{}/untag", task.key),
                Box::pin(verify),
                Box::pin(send),
            )
            .await?;
        }
    }
    Ok(None)
}

async fn close_account(context: &Context<'_>, task: &Task, id: &str) -> StepResult {
    if id == context.live.organization.management_account_id {
        return Err(StepError::other(
            "organizations:CloseAccount",
            format!("refusing to close the management account {id}"),
        )
        .into());
    }
    context.intent(&task.key).await?;
    context.started(&task.address, "CloseAccount");
    match context
        .call(
            Some(&task.address),
            Service::Organizations,
            "CloseAccount",
            || context.organizations.close_account().account_id(id).send(),
        )
        .await
    {
        Ok(_) => Ok(None),
        Err(error) if error.is_code("AccountAlreadyClosedException") => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Invites account `id` to the organization. `InviteAccountToOrganization` is not
/// idempotent (a second invitation is `DuplicateHandshakeException`), so after an
/// interrupted attempt, or an answer that leaves it unknown whether AWS acted, the open
/// invitations are looked up (`ListHandshakesForOrganization`) before anything is re-sent.
async fn invite_account(
    context: &Context<'_>,
    task: &Task,
    record: &StepRecord,
    id: &str,
    tags: &BTreeMap<String, String>,
    notes: &str,
) -> StepResult {
    use aws_sdk_organizations::types::{HandshakeParty, HandshakePartyType, HandshakeState};
    let operation = "organizations:InviteAccountToOrganization";
    if let Some(handshake_id) = record.value.clone() {
        return Ok(Some(handshake_id));
    }
    if record.unfinished
        && let Some(handshake_id) = open_invitation(context, id).await?
    {
        context.value(&task.key, &handshake_id).await?;
        return Ok(Some(handshake_id));
    }
    let target = HandshakeParty::builder()
        .id(id)
        .r#type(HandshakePartyType::Account)
        .build()
        .map_err(|error| StepError::other(operation, error.to_string()))?;
    let organization_tags: Vec<aws_sdk_organizations::types::Tag> = tags
        .iter()
        .filter_map(|(key, value)| {
            aws_sdk_organizations::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .ok()
        })
        .collect();
    context.intent(&task.key).await?;
    context.started(&task.address, "InviteAccountToOrganization");
    let result = context
        .call_with(
            Some(&task.address),
            Service::Organizations,
            "InviteAccountToOrganization",
            false,
            || {
                context
                    .organizations
                    .invite_account_to_organization()
                    .target(target.clone())
                    .notes(notes)
                    .set_tags((!organization_tags.is_empty()).then(|| organization_tags.clone()))
                    .send()
            },
        )
        .await;
    let handshake_id = match result {
        Ok(output) => {
            let handshake = output
                .handshake
                .ok_or_else(|| StepError::other(operation, "no Handshake in the answer"))?;
            match handshake.state {
                Some(HandshakeState::Open | HandshakeState::Requested) => {}
                state => {
                    return Err(StepError::other(
                        operation,
                        format!("the invitation is {state:?}, not OPEN"),
                    )
                    .into());
                }
            }
            handshake
                .id
                .ok_or_else(|| StepError::other(operation, "a Handshake without an Id"))?
        }
        // Sent before (a retry after an unknown outcome, or by someone else meanwhile):
        // the open invitation is the result, if there is one.
        Err(error)
            if error.is_code("DuplicateHandshakeException")
                || error.code.is_none()
                || matches!(error.class, Class::Retry(_)) =>
        {
            match open_invitation(context, id).await? {
                Some(handshake_id) => handshake_id,
                None => return Err(error.into()),
            }
        }
        Err(error) => return Err(error.into()),
    };
    context.value(&task.key, &handshake_id).await?;
    Ok(Some(handshake_id))
}

/// The id of the open invitation to account `id`, read now.
async fn open_invitation(context: &Context<'_>, id: &str) -> Result<Option<String>, StepError> {
    let invitations = crate::read::read_invitations(context.clients)
        .await
        .map_err(|error| aws_error("organizations:ListHandshakesForOrganization", &error))?;
    Ok(invitations
        .into_iter()
        .find(|invitation| invitation.account_id.as_deref() == Some(id))
        .map(|invitation| invitation.handshake_id))
}

// ---------------------------------------------------------------------------------------
// Permission sets

/// The ARN of the permission set named `name`, read now (list + describe each).
async fn permission_set_named(
    context: &Context<'_>,
    name: &str,
) -> Result<Option<String>, StepError> {
    let Some(instance) = &context.live.instance else {
        return Ok(None);
    };
    let arns = crate::read::list_permission_set_arns(context.clients, instance)
        .await
        .map_err(|error| aws_error("sso-admin:ListPermissionSets", &error))?;
    for arn in arns {
        let output = context
            .call(None, Service::SsoAdmin, "DescribePermissionSet", || {
                context
                    .sso_admin
                    .describe_permission_set()
                    .instance_arn(&instance.arn)
                    .permission_set_arn(&arn)
                    .send()
            })
            .await?;
        if output
            .permission_set
            .and_then(|set| set.name)
            .is_some_and(|found| found.eq_ignore_ascii_case(name))
        {
            return Ok(Some(arn));
        }
    }
    Ok(None)
}

fn sso_tags(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_ssoadmin::types::Tag> {
    tags.iter()
        .filter_map(|(key, value)| {
            aws_sdk_ssoadmin::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .ok()
        })
        .collect()
}

fn customer_reference(
    policy: &CustomerManagedPolicyState,
) -> Option<CustomerManagedPolicyReference> {
    CustomerManagedPolicyReference::builder()
        .name(&policy.name)
        .path(&policy.path)
        .build()
        .ok()
}

fn same_document(left: Option<&String>, right: Option<&String>) -> bool {
    let parse = |text: Option<&String>| {
        text.map(|text| serde_json::from_str::<serde_json::Value>(text).ok())
    };
    match (left, right) {
        (None, None) => true,
        (Some(left), Some(right)) => left == right || parse(Some(left)) == parse(Some(right)),
        _ => false,
    }
}

async fn put_permission_set(
    context: &Context<'_>,
    task: &Task,
    record: &StepRecord,
    existing_arn: Option<&str>,
    before: Option<&PermissionSetState>,
    after: &PermissionSetState,
) -> StepResult {
    let instance_arn = context.instance_arn();
    let address = &task.address;
    let sso_admin = &context.sso_admin;
    // What the permission set looks like before the edits below.
    let (arn, current) = if let Some(arn) = existing_arn {
        context.intent(&task.key).await?;
        (arn.to_owned(), before.cloned())
    } else {
        let created = match &record.value {
            Some(arn) => Some(arn.clone()),
            None if record.unfinished => permission_set_named(context, &after.name).await?,
            None => None,
        };
        let arn = if let Some(arn) = created {
            arn
        } else {
            context.intent(&task.key).await?;
            context.started(address, "CreatePermissionSet");
            let tags = sso_tags(&after.tags);
            let output = context
                .call(
                    Some(address),
                    Service::SsoAdmin,
                    "CreatePermissionSet",
                    || {
                        sso_admin
                            .create_permission_set()
                            .instance_arn(instance_arn)
                            .name(&after.name)
                            .set_description(after.description.clone())
                            .set_session_duration(after.session_duration.clone())
                            .set_relay_state(after.relay_state.clone())
                            .set_tags((!tags.is_empty()).then(|| tags.clone()))
                            .send()
                    },
                )
                .await?;
            let arn = output
                .permission_set
                .and_then(|set| set.permission_set_arn)
                .ok_or_else(|| {
                    StepError::other("sso-admin:CreatePermissionSet", "no ARN returned")
                })?;
            context.value(&task.key, &arn).await?;
            arn
        };
        // Attributes and tags were set by CreatePermissionSet; policies are attached below
        // (tolerating those an interrupted apply attached already).
        let created_state = PermissionSetState {
            managed_policies: Vec::new(),
            customer_managed_policies: Vec::new(),
            inline_policy: None,
            permissions_boundary: None,
            ..after.clone()
        };
        (arn, Some(created_state))
    };
    let current = current.unwrap_or_else(|| after.clone());
    let edits = Edits {
        context,
        task,
        arn: &arn,
    };
    if current.description != after.description
        || current.session_duration != after.session_duration
        || current.relay_state != after.relay_state
    {
        edits
            .run(
                "attributes",
                |live| {
                    live.description == after.description
                        && live.session_duration == after.session_duration
                        && live.relay_state == after.relay_state
                },
                async {
                    context.started(address, "UpdatePermissionSet");
                    context
                        .call(
                            Some(address),
                            Service::SsoAdmin,
                            "UpdatePermissionSet",
                            || {
                                sso_admin
                                    .update_permission_set()
                                    .instance_arn(instance_arn)
                                    .permission_set_arn(&arn)
                                    .set_description(after.description.clone())
                                    .set_session_duration(after.session_duration.clone())
                                    .set_relay_state(after.relay_state.clone())
                                    .send()
                            },
                        )
                        .await
                        .map(|_| ())
                },
            )
            .await?;
    }
    if !same_document(current.inline_policy.as_ref(), after.inline_policy.as_ref()) {
        let check = |live: &LivePermissionSet| {
            same_document(live.inline_policy.as_ref(), after.inline_policy.as_ref())
        };
        if let Some(policy) = &after.inline_policy {
            edits
                .run("inline", check, async {
                    context.started(address, "PutInlinePolicyToPermissionSet");
                    context
                        .call(
                            Some(address),
                            Service::SsoAdmin,
                            "PutInlinePolicyToPermissionSet",
                            || {
                                sso_admin
                                    .put_inline_policy_to_permission_set()
                                    .instance_arn(instance_arn)
                                    .permission_set_arn(&arn)
                                    .inline_policy(policy)
                                    .send()
                            },
                        )
                        .await
                        .map(|_| ())
                })
                .await?;
        } else {
            edits
                .run("inline", check, async {
                    context.started(address, "DeleteInlinePolicyFromPermissionSet");
                    context
                        .call(
                            Some(address),
                            Service::SsoAdmin,
                            "DeleteInlinePolicyFromPermissionSet",
                            || {
                                sso_admin
                                    .delete_inline_policy_from_permission_set()
                                    .instance_arn(instance_arn)
                                    .permission_set_arn(&arn)
                                    .send()
                            },
                        )
                        .await
                        .map(|_| ())
                })
                .await?;
        }
    }
    let before_managed: BTreeSet<&String> = current.managed_policies.iter().collect();
    let after_managed: BTreeSet<&String> = after.managed_policies.iter().collect();
    for policy in after_managed.difference(&before_managed) {
        edits
            .run(
                &format!("attach:{policy}"),
                |live| live.managed_policies.contains(*policy),
                async {
                    context.started(address, "AttachManagedPolicyToPermissionSet");
                    tolerate(
                        context
                            .call(
                                Some(address),
                                Service::SsoAdmin,
                                "AttachManagedPolicyToPermissionSet",
                                || {
                                    sso_admin
                                        .attach_managed_policy_to_permission_set()
                                        .instance_arn(instance_arn)
                                        .permission_set_arn(&arn)
                                        .managed_policy_arn(*policy)
                                        .send()
                                },
                            )
                            .await,
                    )
                },
            )
            .await?;
    }
    for policy in before_managed.difference(&after_managed) {
        edits
            .run(
                &format!("detach:{policy}"),
                |live| !live.managed_policies.contains(*policy),
                async {
                    context.started(address, "DetachManagedPolicyFromPermissionSet");
                    tolerate(
                        context
                            .call(
                                Some(address),
                                Service::SsoAdmin,
                                "DetachManagedPolicyFromPermissionSet",
                                || {
                                    sso_admin
                                        .detach_managed_policy_from_permission_set()
                                        .instance_arn(instance_arn)
                                        .permission_set_arn(&arn)
                                        .managed_policy_arn(*policy)
                                        .send()
                                },
                            )
                            .await,
                    )
                },
            )
            .await?;
    }
    let before_customer: BTreeSet<&CustomerManagedPolicyState> =
        current.customer_managed_policies.iter().collect();
    let after_customer: BTreeSet<&CustomerManagedPolicyState> =
        after.customer_managed_policies.iter().collect();
    let has_customer = |live: &LivePermissionSet, policy: &CustomerManagedPolicyState| {
        live.customer_managed_policies
            .iter()
            .any(|found| found.name == policy.name && found.path == policy.path)
    };
    for policy in after_customer.difference(&before_customer) {
        let reference = customer_reference(policy);
        edits
            .run(
                &format!("attach:{}{}", policy.path, policy.name),
                |live| has_customer(live, policy),
                async {
                    context.started(
                        address,
                        "AttachCustomerManagedPolicyReferenceToPermissionSet",
                    );
                    tolerate(
                        context
                            .call(
                                Some(address),
                                Service::SsoAdmin,
                                "AttachCustomerManagedPolicyReferenceToPermissionSet",
                                || {
                                    sso_admin
                                        .attach_customer_managed_policy_reference_to_permission_set(
                                        )
                                        .instance_arn(instance_arn)
                                        .permission_set_arn(&arn)
                                        .set_customer_managed_policy_reference(reference.clone())
                                        .send()
                                },
                            )
                            .await,
                    )
                },
            )
            .await?;
    }
    for policy in before_customer.difference(&after_customer) {
        let reference = customer_reference(policy);
        edits
            .run(
                &format!("detach:{}{}", policy.path, policy.name),
                |live| !has_customer(live, policy),
                async {
                    context.started(
                        address,
                        "DetachCustomerManagedPolicyReferenceFromPermissionSet",
                    );
                    tolerate(
                        context
                            .call(
                                Some(address),
                                Service::SsoAdmin,
                                "DetachCustomerManagedPolicyReferenceFromPermissionSet",
                                || {
                                    sso_admin
                                        .detach_customer_managed_policy_reference_from_permission_set()
                                        .instance_arn(instance_arn)
                                        .permission_set_arn(&arn)
                                        .set_customer_managed_policy_reference(reference.clone())
                                        .send()
                                },
                            )
                            .await,
                    )
                },
            )
            .await?;
    }
    if current.permissions_boundary != after.permissions_boundary {
        let check = |live: &LivePermissionSet| {
            live_boundary_state(live.permissions_boundary.as_ref()) == after.permissions_boundary
        };
        if let Some(boundary) = &after.permissions_boundary {
            let boundary = match boundary {
                BoundaryState::ManagedPolicy { arn } => PermissionsBoundary::builder()
                    .managed_policy_arn(arn)
                    .build(),
                BoundaryState::CustomerManagedPolicy { name, path } => {
                    PermissionsBoundary::builder()
                        .set_customer_managed_policy_reference(customer_reference(
                            &CustomerManagedPolicyState {
                                name: name.clone(),
                                path: path.clone(),
                            },
                        ))
                        .build()
                }
            };
            edits
                .run("boundary", check, async {
                    context.started(address, "PutPermissionsBoundaryToPermissionSet");
                    context
                        .call(
                            Some(address),
                            Service::SsoAdmin,
                            "PutPermissionsBoundaryToPermissionSet",
                            || {
                                sso_admin
                                    .put_permissions_boundary_to_permission_set()
                                    .instance_arn(instance_arn)
                                    .permission_set_arn(&arn)
                                    .permissions_boundary(boundary.clone())
                                    .send()
                            },
                        )
                        .await
                        .map(|_| ())
                })
                .await?;
        } else {
            edits
                .run("boundary", check, async {
                    context.started(address, "DeletePermissionsBoundaryFromPermissionSet");
                    tolerate(
                        context
                            .call(
                                Some(address),
                                Service::SsoAdmin,
                                "DeletePermissionsBoundaryFromPermissionSet",
                                || {
                                    sso_admin
                                        .delete_permissions_boundary_from_permission_set()
                                        .instance_arn(instance_arn)
                                        .permission_set_arn(&arn)
                                        .send()
                                },
                            )
                            .await,
                    )
                })
                .await?;
        }
    }
    if existing_arn.is_some() && current.tags != after.tags {
        let changed: BTreeMap<String, String> = after
            .tags
            .iter()
            .filter(|(key, value)| current.tags.get(*key) != Some(*value))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let removed: Vec<String> = current
            .tags
            .keys()
            .filter(|key| !after.tags.contains_key(*key))
            .cloned()
            .collect();
        if !changed.is_empty() {
            let tags = sso_tags(&changed);
            edits
                .run(
                    "tag",
                    |live| {
                        changed
                            .iter()
                            .all(|(key, value)| live.tags.get(key) == Some(value))
                    },
                    async {
                        context.started(address, "TagResource");
                        context
                            .call(Some(address), Service::SsoAdmin, "TagResource", || {
                                sso_admin
                                    .tag_resource()
                                    .instance_arn(instance_arn)
                                    .resource_arn(&arn)
                                    .set_tags(Some(tags.clone()))
                                    .send()
                            })
                            .await
                            .map(|_| ())
                    },
                )
                .await?;
        }
        if !removed.is_empty() {
            edits
                .run(
                    "untag",
                    |live| removed.iter().all(|key| !live.tags.contains_key(key)),
                    async {
                        context.started(address, "UntagResource");
                        context
                            .call(Some(address), Service::SsoAdmin, "UntagResource", || {
                                sso_admin
                                    .untag_resource()
                                    .instance_arn(instance_arn)
                                    .resource_arn(&arn)
                                    .set_tag_keys(Some(removed.clone()))
                                    .send()
                            })
                            .await
                            .map(|_| ())
                    },
                )
                .await?;
        }
    }
    Ok(Some(arn))
}

/// The synchronous edits of one permission set, each journaled on its own
/// (`<task key>/<edit>`): after a crash, an edit the journal says is done is skipped, and
/// one whose outcome is unknown is checked against a fresh read of the permission set
/// before it is sent again — so no write is repeated.
struct Edits<'context, 'a> {
    context: &'context Context<'a>,
    task: &'context Task,
    arn: &'context str,
}

impl Edits<'_, '_> {
    async fn run(
        &self,
        name: &str,
        applied: impl FnOnce(&LivePermissionSet) -> bool,
        send: impl std::future::Future<Output = Result<(), StepError>>,
    ) -> Result<(), TaskError> {
        let verify = async {
            let live = read_permission_set(self.context, self.arn).await?;
            Ok(applied(&live))
        };
        sub_step(
            self.context,
            format!("{}/{name}", self.task.key),
            Box::pin(verify),
            Box::pin(send),
        )
        .await
    }
}

/// One synchronous write of a multi-write task, journaled as `<task key>/<name>`: done per
/// the journal → skipped; outcome unknown (a crash between sending and recording) →
/// `verify` reads whether it took effect before anything is sent again.
async fn sub_step(
    context: &Context<'_>,
    key: String,
    verify: impl std::future::Future<Output = Result<bool, StepError>>,
    send: impl std::future::Future<Output = Result<(), StepError>>,
) -> Result<(), TaskError> {
    let record = context.step(&key).unwrap_or_default();
    if record.done {
        return Ok(());
    }
    if record.unfinished && verify.await? {
        context.done(&key).await?;
        return Ok(());
    }
    context.intent(&key).await?;
    send.await?;
    context.done(&key).await?;
    Ok(())
}

/// One permission set as it is now.
async fn read_permission_set(
    context: &Context<'_>,
    arn: &str,
) -> Result<LivePermissionSet, StepError> {
    let Some(instance) = &context.live.instance else {
        return Err(StepError::other(
            "sso-admin:DescribePermissionSet",
            "no instance",
        ));
    };
    crate::read::read_permission_sets(context.clients, instance, &[arn.to_owned()])
        .await
        .map_err(|error| aws_error("sso-admin:DescribePermissionSet", &error))?
        .pop()
        .ok_or_else(|| StepError::other("sso-admin:DescribePermissionSet", "not found"))
}

fn live_boundary_state(boundary: Option<&LivePermissionsBoundary>) -> Option<BoundaryState> {
    boundary.map(|boundary| match boundary {
        LivePermissionsBoundary::ManagedPolicy(arn) => {
            BoundaryState::ManagedPolicy { arn: arn.clone() }
        }
        LivePermissionsBoundary::CustomerManagedPolicy(policy) => {
            BoundaryState::CustomerManagedPolicy {
                name: policy.name.clone(),
                path: policy.path.clone(),
            }
        }
    })
}

/// An attach of what is attached already, or a detach of what is not attached, has the
/// desired effect (an interrupted apply may have done it): not an error.
fn tolerate<T>(result: Result<T, StepError>) -> Result<(), StepError> {
    match result {
        Ok(_) => Ok(()),
        Err(error)
            if error.is_code("ResourceNotFoundException")
                && (error.operation.contains("Detach") || error.operation.contains("Delete")) =>
        {
            Ok(())
        }
        Err(error) if error.message.contains("already attached") => Ok(()),
        Err(error) => Err(error),
    }
}

async fn delete_permission_set(context: &Context<'_>, task: &Task, arn: &str) -> StepResult {
    context.intent(&task.key).await?;
    context.started(&task.address, "DeletePermissionSet");
    // A ConflictException while the deleted assignments finish deprovisioning is retried
    // (aws-api-facts §5.1.5).
    match context
        .call(
            Some(&task.address),
            Service::SsoAdmin,
            "DeletePermissionSet",
            || {
                context
                    .sso_admin
                    .delete_permission_set()
                    .instance_arn(context.instance_arn())
                    .permission_set_arn(arn)
                    .send()
            },
        )
        .await
    {
        Ok(_) => Ok(None),
        Err(error) if error.is_code("ResourceNotFoundException") => Ok(None),
        Err(error) => Err(error.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Asynchronous Identity Center operations

/// Among the `IN_PROGRESS` requests of `kind`, the one for this (permission set, account,
/// principal) — what an interrupted apply may have sent before recording its id.
async fn find_in_progress(
    context: &Context<'_>,
    kind: AsyncKind,
    arn: &str,
    account_id: &str,
    principal_id: Option<&str>,
) -> Result<Option<String>, StepError> {
    for request_id in poll::list_in_progress(context, kind).await? {
        let status = poll::describe(context, kind, &request_id).await?;
        if status.succeeded.is_none()
            && status.permission_set_arn.as_deref() == Some(arn)
            && status.account_id.as_deref() == Some(account_id)
            && (principal_id.is_none() || status.principal_id.as_deref() == principal_id)
        {
            return Ok(Some(request_id));
        }
    }
    Ok(None)
}

#[expect(
    clippy::single_match_else,
    reason = "the two arms (do it / it is done already) read better side by side"
)]
async fn provision(
    context: &Context<'_>,
    task: &Task,
    record: &StepRecord,
    permission_set: &Ref,
    account_id: &str,
) -> StepResult {
    let arn = context.resolve(permission_set)?;
    let pair = task.pair.clone().unwrap_or_default();
    let _pair = context.pair_lock(&pair).await;
    let _role = context.role_lock(account_id).await;
    let _slot = context.provisionings.acquire().await;
    let mut request_id = record.in_flight.as_ref().map(|(_, id)| id.clone());
    if request_id.is_none() && record.unfinished {
        request_id =
            find_in_progress(context, AsyncKind::Provisioning, &arn, account_id, None).await?;
    }
    let request_id = match request_id {
        Some(request_id) => request_id,
        None => {
            context.intent(&task.key).await?;
            context.started(&task.address, "ProvisionPermissionSet");
            let output = context
                .call(
                    Some(&task.address),
                    Service::SsoAdmin,
                    "ProvisionPermissionSet",
                    || {
                        context
                            .sso_admin
                            .provision_permission_set()
                            .instance_arn(context.instance_arn())
                            .permission_set_arn(&arn)
                            .target_type(ProvisionTargetType::AwsAccount)
                            .target_id(account_id)
                            .send()
                    },
                )
                .await?;
            let request_id = output
                .permission_set_provisioning_status
                .and_then(|status| status.request_id)
                .ok_or_else(|| {
                    StepError::other("sso-admin:ProvisionPermissionSet", "no request id returned")
                })?;
            context
                .sent(
                    &task.address,
                    &task.key,
                    AsyncKind::Provisioning,
                    &request_id,
                )
                .await?;
            request_id
        }
    };
    let status = context.wait(AsyncKind::Provisioning, &request_id).await?;
    finished(&status, "sso-admin:ProvisionPermissionSet")?;
    Ok(None)
}

struct Assignment<'a> {
    arn: &'a str,
    account_id: &'a str,
    principal_kind: PrincipalKind,
    principal_id: &'a str,
}

fn principal_type(kind: PrincipalKind) -> PrincipalType {
    match kind {
        PrincipalKind::Group => PrincipalType::Group,
        PrincipalKind::User => PrincipalType::User,
    }
}

/// Whether the assignment exists now (`ListAccountAssignments` of its pair).
async fn assignment_exists(
    context: &Context<'_>,
    assignment: &Assignment<'_>,
) -> Result<bool, StepError> {
    let mut token: Option<String> = None;
    loop {
        let output = context
            .call(None, Service::SsoAdmin, "ListAccountAssignments", || {
                context
                    .sso_admin
                    .list_account_assignments()
                    .instance_arn(context.instance_arn())
                    .account_id(assignment.account_id)
                    .permission_set_arn(assignment.arn)
                    .max_results(100)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
        if output
            .account_assignments
            .unwrap_or_default()
            .iter()
            .any(|found| found.principal_id.as_deref() == Some(assignment.principal_id))
        {
            return Ok(true);
        }
        match output.next_token.filter(|next| !next.is_empty()) {
            Some(next) if token.as_ref() != Some(&next) => token = Some(next),
            _ => return Ok(false),
        }
    }
}

#[expect(
    clippy::single_match_else,
    reason = "the two arms (do it / it is done already) read better side by side"
)]
async fn change_assignment(
    context: &Context<'_>,
    task: &Task,
    record: &StepRecord,
    assignment: &Assignment<'_>,
    create: bool,
) -> StepResult {
    let (kind, operation) = if create {
        (AsyncKind::AssignmentCreation, "CreateAccountAssignment")
    } else {
        (AsyncKind::AssignmentDeletion, "DeleteAccountAssignment")
    };
    let label = poll::kind_operation(kind);
    let pair = task.pair.clone().unwrap_or_default();
    let _pair = context.pair_lock(&pair).await;
    // Every assignment change updates the account's roles: one at a time per account.
    let _role = context.role_lock(assignment.account_id).await;
    let semaphore = if create {
        &context.assignment_creations
    } else {
        &context.assignment_deletions
    };
    let _slot = semaphore.acquire().await;
    let mut request_id = record.in_flight.as_ref().map(|(_, id)| id.clone());
    if request_id.is_none() && record.unfinished {
        // Sent before the crash, or not? Ask AWS: the request in progress, or its effect.
        request_id = find_in_progress(
            context,
            kind,
            assignment.arn,
            assignment.account_id,
            Some(assignment.principal_id),
        )
        .await?;
        if request_id.is_none() && assignment_exists(context, assignment).await? == create {
            return Ok(None);
        }
    }
    let request_id = match request_id {
        Some(request_id) => request_id,
        None => {
            context.intent(&task.key).await?;
            context.started(&task.address, operation);
            let sso_admin = &context.sso_admin;
            let principal = principal_type(assignment.principal_kind);
            let sent = if create {
                context
                    .call(Some(&task.address), Service::SsoAdmin, operation, || {
                        sso_admin
                            .create_account_assignment()
                            .instance_arn(context.instance_arn())
                            .target_id(assignment.account_id)
                            .target_type(TargetType::AwsAccount)
                            .permission_set_arn(assignment.arn)
                            .principal_type(principal.clone())
                            .principal_id(assignment.principal_id)
                            .send()
                    })
                    .await
                    .map(|output| {
                        output
                            .account_assignment_creation_status
                            .and_then(|status| status.request_id)
                    })
            } else {
                context
                    .call(Some(&task.address), Service::SsoAdmin, operation, || {
                        sso_admin
                            .delete_account_assignment()
                            .instance_arn(context.instance_arn())
                            .target_id(assignment.account_id)
                            .target_type(TargetType::AwsAccount)
                            .permission_set_arn(assignment.arn)
                            .principal_type(principal.clone())
                            .principal_id(assignment.principal_id)
                            .send()
                    })
                    .await
                    .map(|output| {
                        output
                            .account_assignment_deletion_status
                            .and_then(|status| status.request_id)
                    })
            };
            let request_id = match sent {
                Ok(request_id) => request_id,
                // Deleting what is gone already: the desired state.
                Err(error) if !create && error.is_code("ResourceNotFoundException") => {
                    return Ok(None);
                }
                Err(error) => return Err(error.into()),
            };
            let request_id =
                request_id.ok_or_else(|| StepError::other(label, "no request id returned"))?;
            context
                .sent(&task.address, &task.key, kind, &request_id)
                .await?;
            request_id
        }
    };
    let status = context.wait(kind, &request_id).await?;
    finished(&status, label)?;
    Ok(None)
}
